/*
 * fuzz_vmm_pci.c - libFuzzer target: a guest driving the VMM's PCI bus
 * (vmm/pci.c: the 0xcf8/0xcfc configuration mechanism, BAR sizing and
 * moving, capability lists) and the virtio-pci transport of a virtio-net
 * device (vmm/virtio-pci.c: common configuration, queue set-up over guest
 * memory, notify, ISR, device configuration, MSI-X table and PBA), with
 * the null network back-end, as a vCPU's port-I/O and MMIO exits reach
 * them.
 *
 * KVM is faked by default: its VM fd is -1, so every ioeventfd, irqfd and
 * MSI-route registration fails (EBADF) and the transport's handling of
 * that is what runs (13,000 inputs/s).  With FUZZ_KVM=1 in the
 * environment the VM is real (one per process, with its irqchip) and the
 * registrations are made in the kernel, at ~120 inputs/s (each costs an
 * SRCU grace period).  The device is made and destroyed per
 * input; its fds must all be closed after (the lowest free fd before and
 * after must match, or the target aborts).
 *
 * Input: operations, at most MAX_OPS, each one byte OP and arguments
 * (missing bytes read as 0):
 *   OP % 6 == 0: configuration write: slot, register, length, value
 *   OP % 6 == 1: configuration read: slot, register, length
 *   OP % 6 == 2: raw access to port 0xcf8 + (arg % 8), length, value
 *   OP % 6 == 3: BAR write: BAR (0 or 2 of the device), u16 offset,
 *                length (1, 2, 4, 8), value
 *   OP % 6 == 4: BAR read
 *   OP % 6 == 5: MMIO anywhere in the PCI window: u32 offset, length
 * Before the operations the device's memory decoding is switched on, as a
 * guest's driver does, so that BAR accesses land.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-input.h"
#include "log.h"
#include "loop.h"
#include "net-backend.h"
#include "pci.h"
#include "virtio-net-dev.h"
#include "virtio-pci.h"
#include "vmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_OPS  256
#define MEM_SIZE (16ull << 20)

static struct vmm vmm;

/* What main.c defines for the rest of the VMM. */
uint64_t
vmm_now_ns(void)
{
	return 0;
}

void
vmm_request_stop(struct vmm *v, int status, const char *why)
{
	(void)v; (void)status; (void)why;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	log_init("fuzz", LOG_DEST_STDERR);
	log_set_level(NULL, LOG_LVL_ERR);
	if (!getenv("FUZZ_KVM") || kvm_open(&vmm.kvm, "/dev/kvm") ||
	    kvm_create_vm(&vmm.kvm) || kvm_create_irqchip(&vmm.kvm)) {
		if (getenv("FUZZ_KVM"))
			fprintf(stderr, "fuzz_vmm_pci: NO KVM (FUZZ_KVM "
				"set but /dev/kvm failed)\n");
		pthread_mutex_init(&vmm.kvm.ring_lock, NULL);
		pthread_mutex_init(&vmm.kvm.route_lock, NULL);
		vmm.kvm.vm_fd = -1;
		vmm.kvm.sys_fd = -1;
	}
	if (guest_mem_create(&vmm.mem, MEM_SIZE, &(struct mem_opts){ 0 }))
		abort();
	return 0;
}

static unsigned
len_of(uint8_t k, bool eight)
{
	static const unsigned lens[] = { 1, 2, 4, 8 };

	return lens[k % (eight ? 4 : 3)];
}

static void
cfg_access(uint8_t slot, uint8_t reg, unsigned len, uint8_t *val,
	   bool write)
{
	uint32_t addr = 0x80000000u | (uint32_t)(slot % 4) << 11 |
			(reg & 0xfcu);
	uint8_t a[4] = { (uint8_t)addr, (uint8_t)(addr >> 8),
			 (uint8_t)(addr >> 16), (uint8_t)(addr >> 24) };

	pci_config_io(vmm.pci, 0, a, 4, true);
	if ((reg & 3) + len > 4)
		len = 4 - (reg & 3);
	pci_config_io(vmm.pci, 4 + (reg & 3), val, len, write);
}

static uint32_t
bar_addr(uint8_t slot, unsigned bar)
{
	uint8_t v[4] = { 0 };

	cfg_access(slot, (uint8_t)(0x10 + 4 * bar), 4, v, false);
	return ((uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
		(uint32_t)v[3] << 24) & ~0xfu;
}

static int
lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	close(fd);
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	struct fuzz_input in = { data, size };
	int fd0 = lowest_free_fd();
	struct virtio_pci *vp;
	uint8_t cmd[2] = { 0x06, 0 };	/* memory space, bus master */

	vmm.pci = pci_bus_create();
	vmm.loop = loop_create();
	vp = virtio_net_create(&vmm, mac, &net_null_ops, net_null_create());
	if (!vp)
		abort();	/* the device must come up */
	cfg_access(1, 0x04, 2, cmd, true);

	for (unsigned op = 0; op < MAX_OPS && in.n; op++) {
		uint8_t o = fuzz_u8(&in), a = fuzz_u8(&in), b = fuzz_u8(&in), c = fuzz_u8(&in);
		uint8_t val[8];
		unsigned len;
		uint64_t off;

		for (unsigned i = 0; i < sizeof val; i++)
			val[i] = 0;
		switch (o % 6) {
		case 0:
		case 1:
			len = len_of(c, false);
			if (o % 6 == 0)
				for (unsigned i = 0; i < len; i++)
					val[i] = fuzz_u8(&in);
			cfg_access(a, b, len, val, o % 6 == 0);
			break;
		case 2:
			len = len_of(b, false);
			for (unsigned i = 0; i < len; i++)
				val[i] = fuzz_u8(&in);
			pci_config_io(vmm.pci, a % 8, val, len, c & 1);
			break;
		case 3:
		case 4:
			len = len_of(fuzz_u8(&in), true);
			off = bar_addr(1, a & 1 ? 2 : 0);
			off += (uint64_t)(b << 8 | c);
			if (off < PCI_MMIO_BASE)
				break;	/* BAR moved out of the window */
			if (o % 6 == 3)
				for (unsigned i = 0; i < len; i++)
					val[i] = fuzz_u8(&in);
			off -= PCI_MMIO_BASE;
			if (off + len <= PCI_MMIO_SIZE)
				pci_mmio_io(vmm.pci, off, val, len,
					    o % 6 == 3);
			break;
		case 5:
			len = len_of(fuzz_u8(&in), true);
			off = ((uint64_t)a << 24 | (uint64_t)b << 16 |
			       (uint64_t)c << 8 | fuzz_u8(&in)) %
			      (PCI_MMIO_SIZE - 8);
			for (unsigned i = 0; i < len; i++)
				val[i] = fuzz_u8(&in);
			pci_mmio_io(vmm.pci, off, val, len, o & 0x80);
			break;
		}
	}

	virtio_pci_destroy(vp);
	loop_destroy(vmm.loop);
	pci_bus_destroy(vmm.pci);
	/* GSIs are handed out for the VM's life; this VM has one device at
	 * a time, whose routes virtio_pci_destroy() removed. */
	vmm.kvm.n_msi = 0;
	if (lowest_free_fd() != fd0) {
		fprintf(stderr, "fuzz_vmm_pci: fd leak: lowest free fd %d, "
			"was %d\n", lowest_free_fd(), fd0);
		abort();
	}
	return 0;
}
