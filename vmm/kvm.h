/*
 * kvm.h - the VM-wide parts of /dev/kvm: the VM fd, guest memory slots, the
 * in-kernel irqchip and PIT, interrupt lines, and the GSI routing table
 * that connects MSI-X vectors to irqfds.
 *
 * The routing table is kept here in full because KVM_SET_GSI_ROUTING
 * replaces it as a whole: the default irqchip routes (GSI 0-15 to the PIC
 * and the IOAPIC, 16-23 to the IOAPIC) are always re-sent with the MSI
 * routes.  MSI routes are changed from vCPU threads (MSI-X table writes), so
 * the table has its own lock.
 */
#ifndef VMM_KVM_H
#define VMM_KVM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct guest_mem;

#define KVM_IOAPIC_PINS     24
#define KVM_MSI_GSI_BASE    24
#define KVM_MAX_MSI_ROUTES  64

struct kvm_msi_route {
	bool used;
	uint32_t addr_lo, addr_hi, data;
};

struct kvm {
	int sys_fd;             /* /dev/kvm */
	int vm_fd;
	int vcpu_mmap_size;
	int coalesced_page;     /* page of the coalesced ring in a vCPU's
				 * mapping; 0: no coalesced I/O */
	uint32_t ring_entries;  /* slots in that ring (set with it) */
	pthread_mutex_t ring_lock;
	pthread_mutex_t route_lock;
	struct kvm_msi_route msi[KVM_MAX_MSI_ROUTES];
	unsigned n_msi;         /* GSIs handed out by kvm_msi_alloc() */
};

/* Opens /dev/kvm (path 'dev') and checks the API version and the
 * capabilities the VMM relies on.  Returns 0 or -errno; -ENOENT and
 * -EACCES come straight from open(). */
int kvm_open(struct kvm *kvm, const char *dev);

/* Creates the VM.  Returns 0 or -errno. */
int kvm_create_vm(struct kvm *kvm);

/* Registers every region of 'mem' as a KVM memory slot.  Returns 0 or
 * -errno.  Call before kvm_create_irqchip(): once the irqchip and PIT
 * exist, every memory slot change waits for an SRCU grace period (about
 * 5 ms each, measured), which is most of the VMM's start-up time. */
int kvm_add_memory(struct kvm *kvm, const struct guest_mem *mem);

/* Sets the TSS/identity-map addresses, creates the in-kernel irqchip
 * (PIC, IOAPIC, LAPICs) and PIT, and installs the default GSI routes.
 * Returns 0 or -errno.  Call before creating vCPUs. */
int kvm_create_irqchip(struct kvm *kvm);

/* Closes the VM and /dev/kvm.  Safe on a never-opened 'kvm' (fds -1). */
void kvm_close(struct kvm *kvm);

/* Sets the level of ISA/IOAPIC interrupt line 'irq'.  Returns 0 or
 * -errno.  Callable from any thread. */
int kvm_irq_line(struct kvm *kvm, unsigned irq, int level);

/* Hands out one GSI for MSI routing.  Returns the GSI or -ENOSPC. */
int kvm_msi_alloc(struct kvm *kvm);

/* Points MSI GSI 'gsi' at (addr, data), or removes the route when 'enable'
 * is false, and sends the whole table to KVM.  Returns 0 or -errno. */
int kvm_msi_route(struct kvm *kvm, int gsi, bool enable, uint64_t addr,
		  uint32_t data);

/* Binds eventfd 'fd' to 'gsi' (KVM_IRQFD), or unbinds it when 'assign' is
 * false.  Returns 0 or -errno. */
int kvm_irqfd(struct kvm *kvm, int fd, int gsi, bool assign);

/* Lets guest writes to I/O ports [port, port + len) complete without an
 * exit: KVM queues them in the coalesced ring, which kvm_ring_drain()
 * replays.  For write-only latches whose effect only matters at the next
 * access that does exit (the PCI config address).  Returns 0, or -ENOTSUP
 * when KVM has no coalesced port I/O (the writes then simply exit). */
int kvm_coalesce_pio(struct kvm *kvm, uint16_t port, unsigned len);

/* The coalesced ring in a vCPU's mapping 'run' of vcpu_mmap_size bytes
 * (every vCPU maps the same VM-wide page), or NULL without coalesced I/O. */
void *kvm_ring_in(const struct kvm *kvm, void *run);

/* Replays the writes queued in the coalesced ring, oldest first, through
 * 'replay'.  'ring' is from kvm_ring_in().  Callable from any vCPU
 * thread. */
void kvm_ring_drain(struct kvm *kvm, void *ring,
		    void (*replay)(void *opaque, bool pio, uint64_t addr,
				   uint8_t *data, unsigned len),
		    void *opaque);

/* Makes guest writes of 'len' bytes to MMIO address 'addr' signal eventfd
 * 'fd' without an exit (KVM_IOEVENTFD), or undoes it.  Returns 0 or
 * -errno. */
int kvm_ioeventfd(struct kvm *kvm, int fd, uint64_t addr, unsigned len,
		  bool assign);

#endif /* VMM_KVM_H */
