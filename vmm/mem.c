/*
 * mem.c - guest RAM from a memfd, split around the x86 PCI hole.
 */
#include "mem.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

int
guest_mem_create(struct guest_mem *mem, uint64_t size,
		 const struct mem_opts *opts)
{
	unsigned int flags = MFD_CLOEXEC;
	uint64_t low;
	int err;

	mem->fd = -1;
	mem->host = NULL;
	mem->n_regions = 0;
	if (size < MEM_MIN_SIZE || size > MEM_MAX_SIZE || size % (1 << 20))
		return -EINVAL;
	if (opts && opts->hugepages) {
		if (size % (2 << 20))
			return -EINVAL;
		flags |= MFD_HUGETLB;
	}

	mem->fd = memfd_create("vmm-guest-ram", flags);
	if (mem->fd < 0)
		return -errno;
	if (ftruncate(mem->fd, (off_t)size) < 0) {
		err = -errno;
		goto out_close_fd;
	}
	mem->host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 mem->fd, 0);
	if (mem->host == MAP_FAILED) {
		err = -errno;
		mem->host = NULL;
		goto out_close_fd;
	}
	/* Transparent huge pages where the host allows them for shmem
	 * (shmem_enabled advise/always): 2 MiB nested-page mappings make a
	 * booting guest's first touches of memory far cheaper. */
	if (!(opts && opts->hugepages))
		(void)madvise(mem->host, size, MADV_HUGEPAGE);
	if (opts && opts->ksm && madvise(mem->host, size, MADV_MERGEABLE) < 0)
		log_warn("mem", "madvise(MADV_MERGEABLE): %m (KSM off)");

	mem->size = size;
	mem->hugepages = opts && opts->hugepages;
	low = size < MEM_PCI_HOLE ? size : MEM_PCI_HOLE;
	mem->regions[0] = (struct mem_region) {
		.gpa = 0, .size = low, .fd_offset = 0, .host = mem->host,
	};
	mem->n_regions = 1;
	if (size > low) {
		mem->regions[1] = (struct mem_region) {
			.gpa = MEM_4G, .size = size - low, .fd_offset = low,
			.host = mem->host + low,
		};
		mem->n_regions = 2;
	}
	return 0;

out_close_fd:
	close(mem->fd);
	mem->fd = -1;
	return err;
}

void
guest_mem_destroy(struct guest_mem *mem)
{
	if (mem->host)
		munmap(mem->host, mem->size);
	mem->host = NULL;
	if (mem->fd >= 0)
		close(mem->fd);
	mem->fd = -1;
	mem->n_regions = 0;
}

void *
guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < mem->n_regions; i++) {
		const struct mem_region *r = &mem->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

uint64_t
guest_mem_low_end(const struct guest_mem *mem)
{
	return mem->n_regions ? mem->regions[0].size : 0;
}
