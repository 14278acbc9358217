/*
 * mem.h - guest RAM.
 *
 * Guest RAM is one memfd (memfd_create) mapped MAP_SHARED, so that a
 * vhost-user back-end can map the very same pages from the fd.  On x86 the
 * RAM is split around the 32-bit PCI hole: guest-physical [0, low_size)
 * maps the first part of the memfd, [4 GiB, 4 GiB + high_size) the rest.
 * The layout is fixed at creation; nothing here talks to KVM, so loaders
 * and their unit tests can use a guest_mem without /dev/kvm.
 */
#ifndef VMM_MEM_H
#define VMM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_4G          0x100000000ULL
#define MEM_PCI_HOLE    0xc0000000ULL   /* start of the 32-bit PCI hole */
#define MEM_MIN_SIZE    (16ULL << 20)
#define MEM_MAX_SIZE    (1ULL << 40)

/* One contiguous guest-physical range backed by the memfd. */
struct mem_region {
	uint64_t gpa;           /* guest-physical start */
	uint64_t size;          /* bytes */
	uint64_t fd_offset;     /* offset of the range in the memfd */
	uint8_t *host;          /* where the range is mapped here */
};

struct guest_mem {
	int fd;                 /* the memfd, -1 after guest_mem_destroy() */
	uint8_t *host;          /* mapping of the whole memfd */
	uint64_t size;          /* total RAM bytes */
	bool hugepages;         /* backed by huge pages */
	unsigned n_regions;
	struct mem_region regions[2];
};

/* Options for guest_mem_create(). */
struct mem_opts {
	bool hugepages;         /* MFD_HUGETLB (2 MiB pages); fails if none free */
	bool ksm;               /* madvise(MADV_MERGEABLE) */
};

/* Creates 'size' bytes of guest RAM (a multiple of 1 MiB, at least
 * MEM_MIN_SIZE) in 'mem'.  Returns 0 or -errno (-EINVAL for a bad size). */
int guest_mem_create(struct guest_mem *mem, uint64_t size,
		     const struct mem_opts *opts);

/* Unmaps and closes what guest_mem_create() made.  Safe to call twice. */
void guest_mem_destroy(struct guest_mem *mem);

/* Returns the host address of guest-physical ['gpa', 'gpa' + 'len') if the
 * whole range is RAM inside one region, else NULL.  Safe on the datapath:
 * this is how every guest-supplied address is checked. */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* End of RAM below the PCI hole (exclusive). */
uint64_t guest_mem_low_end(const struct guest_mem *mem);

#endif /* VMM_MEM_H */
