/*
 * kvm.c - VM fd, memory slots, irqchip, PIT, GSI routing, irqfd, ioeventfd.
 */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "util.h"

/* Below the IOAPIC and LAPIC, inside the PCI hole but above any BAR we
 * hand out (pci.c allocates from MEM_PCI_HOLE upwards). */
#define KVM_TSS_ADDR       0xfffbd000ULL
#define KVM_IDMAP_ADDR     0xfffbc000ULL

static const struct {
	int cap;
	const char *name;
} kvm_required_caps[] = {
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_IRQFD, "KVM_CAP_IRQFD" },
	{ KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD" },
	{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
};

int
kvm_open(struct kvm *kvm, const char *dev)
{
	int version, err;

	memset(kvm, 0, sizeof *kvm);
	kvm->vm_fd = -1;
	pthread_mutex_init(&kvm->route_lock, NULL);
	pthread_mutex_init(&kvm->ring_lock, NULL);
	kvm->sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (kvm->sys_fd < 0)
		return -errno;

	version = ioctl(kvm->sys_fd, KVM_GET_API_VERSION, 0);
	if (version < 0) {
		log_err("kvm", "%s: not a KVM device", dev);
		err = -ENOTTY;
		goto out_close_sys;
	}
	if (version != KVM_API_VERSION) {
		log_err("kvm", "%s: API version %d, need %d", dev, version,
			KVM_API_VERSION);
		err = -ENOTSUP;
		goto out_close_sys;
	}
	for (size_t i = 0; i < ARRAY_SIZE(kvm_required_caps); i++) {
		if (ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION,
			  kvm_required_caps[i].cap) <= 0) {
			log_err("kvm", "%s: missing %s", dev,
				kvm_required_caps[i].name);
			err = -ENOTSUP;
			goto out_close_sys;
		}
	}
	kvm->vcpu_mmap_size = ioctl(kvm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm->vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
		err = -ENOTSUP;
		goto out_close_sys;
	}
	return 0;

out_close_sys:
	close(kvm->sys_fd);
	kvm->sys_fd = -1;
	return err;
}

/* Sends KVM's own default irqchip routes (GSI n to PIC pin n % 8 and
 * IOAPIC pin n) plus every MSI route in use.  Called
 * with route_lock held (or before any other thread exists). */
static int
kvm_push_routes(struct kvm *kvm)
{
	size_t max = 16 * 2 + 8 + KVM_MAX_MSI_ROUTES;
	struct kvm_irq_routing *table;
	struct kvm_irq_routing_entry *e;
	unsigned n = 0;
	int err = 0;

	table = xcalloc(1, sizeof *table + max * sizeof *e);
	e = table->entries;
	for (unsigned gsi = 0; gsi < KVM_IOAPIC_PINS; gsi++) {
		if (gsi < 16) {
			e[n].gsi = gsi;
			e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
			e[n].u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
							 : KVM_IRQCHIP_PIC_SLAVE;
			e[n].u.irqchip.pin = gsi % 8;
			n++;
		}
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = gsi;
		n++;
	}
	for (unsigned i = 0; i < KVM_MAX_MSI_ROUTES; i++) {
		if (!kvm->msi[i].used)
			continue;
		e[n].gsi = KVM_MSI_GSI_BASE + i;
		e[n].type = KVM_IRQ_ROUTING_MSI;
		e[n].u.msi.address_lo = kvm->msi[i].addr_lo;
		e[n].u.msi.address_hi = kvm->msi[i].addr_hi;
		e[n].u.msi.data = kvm->msi[i].data;
		n++;
	}
	table->nr = n;
	if (ioctl(kvm->vm_fd, KVM_SET_GSI_ROUTING, table) < 0)
		err = -errno;
	free(table);
	return err;
}

int
kvm_create_vm(struct kvm *kvm)
{
	kvm->vm_fd = ioctl(kvm->sys_fd, KVM_CREATE_VM, 0);
	if (kvm->vm_fd < 0) {
		int err = -errno;

		kvm->vm_fd = -1;
		return err;
	}
	return 0;
}

int
kvm_create_irqchip(struct kvm *kvm)
{
	/* No KVM_PIT_SPEAKER_DUMMY: KVM then serves port 0x61 (PIT channel 2
	 * gate and output) too, which Linux's PIT/TSC calibration polls. */
	struct kvm_pit_config pit = { .flags = 0 };
	uint64_t idmap = KVM_IDMAP_ADDR;

	if (ioctl(kvm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0
	    || ioctl(kvm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		log_warn("kvm", "setting TSS/identity map address: %m");
	if (ioctl(kvm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return -errno;
	if (ioctl(kvm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return -errno;
	return kvm_push_routes(kvm);
}

int
kvm_add_memory(struct kvm *kvm, const struct guest_mem *mem)
{
	for (unsigned i = 0; i < mem->n_regions; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = mem->regions[i].gpa,
			.memory_size = mem->regions[i].size,
			.userspace_addr = (uintptr_t)mem->regions[i].host,
		};

		if (ioctl(kvm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			return -errno;
	}
	return 0;
}

void
kvm_close(struct kvm *kvm)
{
	if (kvm->vm_fd >= 0)
		close(kvm->vm_fd);
	if (kvm->sys_fd >= 0)
		close(kvm->sys_fd);
	kvm->vm_fd = kvm->sys_fd = -1;
}

int
kvm_irq_line(struct kvm *kvm, unsigned irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	return ioctl(kvm->vm_fd, KVM_IRQ_LINE, &l) < 0 ? -errno : 0;
}

int
kvm_msi_alloc(struct kvm *kvm)
{
	int gsi;

	pthread_mutex_lock(&kvm->route_lock);
	if (kvm->n_msi >= KVM_MAX_MSI_ROUTES)
		gsi = -ENOSPC;
	else
		gsi = KVM_MSI_GSI_BASE + kvm->n_msi++;
	pthread_mutex_unlock(&kvm->route_lock);
	return gsi;
}

int
kvm_msi_route(struct kvm *kvm, int gsi, bool enable, uint64_t addr,
	      uint32_t data)
{
	struct kvm_msi_route *r;
	int err;

	if (gsi < KVM_MSI_GSI_BASE ||
	    gsi >= KVM_MSI_GSI_BASE + KVM_MAX_MSI_ROUTES)
		return -EINVAL;
	pthread_mutex_lock(&kvm->route_lock);
	r = &kvm->msi[gsi - KVM_MSI_GSI_BASE];
	if (r->used == enable && (!enable || (r->addr_lo == (uint32_t)addr &&
	    r->addr_hi == (uint32_t)(addr >> 32) && r->data == data))) {
		pthread_mutex_unlock(&kvm->route_lock);
		return 0;
	}
	r->used = enable;
	r->addr_lo = (uint32_t)addr;
	r->addr_hi = (uint32_t)(addr >> 32);
	r->data = data;
	err = kvm_push_routes(kvm);
	pthread_mutex_unlock(&kvm->route_lock);
	return err;
}

int
kvm_irqfd(struct kvm *kvm, int fd, int gsi, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = (uint32_t)fd,
		.gsi = (uint32_t)gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(kvm->vm_fd, KVM_IRQFD, &irqfd) < 0 ? -errno : 0;
}

int
kvm_coalesce_pio(struct kvm *kvm, uint16_t port, unsigned len)
{
	struct kvm_coalesced_mmio_zone zone = {
		.addr = port, .size = len, .pio = 1,
	};
	long page_size = sysconf(_SC_PAGESIZE);
	int page;

	if (ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0)
		return -ENOTSUP;
	page = ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	if (page <= 0 || (long)(page + 1) * page_size > kvm->vcpu_mmap_size)
		return -ENOTSUP;
	if (ioctl(kvm->vm_fd, KVM_REGISTER_COALESCED_MMIO, &zone) < 0)
		return -errno;
	kvm->coalesced_page = page;
	kvm->ring_entries = (uint32_t)
		(((size_t)page_size - sizeof(struct kvm_coalesced_mmio_ring)) /
		 sizeof(struct kvm_coalesced_mmio));
	return 0;
}

void *
kvm_ring_in(const struct kvm *kvm, void *run)
{
	if (!kvm->coalesced_page)
		return NULL;
	return (char *)run + (size_t)kvm->coalesced_page *
			     (size_t)sysconf(_SC_PAGESIZE);
}

void
kvm_ring_drain(struct kvm *kvm, void *ring_page,
	       void (*replay)(void *opaque, bool pio, uint64_t addr,
			      uint8_t *data, unsigned len),
	       void *opaque)
{
	struct kvm_coalesced_mmio_ring *ring = ring_page;
	uint32_t max = kvm->ring_entries;
	uint32_t first, last;

	if (__atomic_load_n(&ring->first, __ATOMIC_RELAXED) ==
	    __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&kvm->ring_lock);
	first = ring->first;
	last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);
	while (first != last && first < max) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[first];
		unsigned len = e->len <= sizeof e->data ? e->len : 0;

		if (len)
			replay(opaque, e->pio, e->phys_addr, e->data, len);
		first = (first + 1) % max;
		/* KVM may reuse the slot once 'first' has moved on. */
		__atomic_store_n(&ring->first, first, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&kvm->ring_lock);
}

int
kvm_ioeventfd(struct kvm *kvm, int fd, uint64_t addr, unsigned len,
	      bool assign)
{
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	return ioctl(kvm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}
