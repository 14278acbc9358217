/*
 * check_vmm_dev.c - the VMM's device models without KVM: the PCI host
 * bridge and configuration mechanism #1, the split virtqueue's handling
 * of hostile rings, the I/O bus and the coalesced-write ring (the UART's
 * tests are in check_vmm_serial.c).
 */
#include <check.h>
#include <errno.h>
#include <linux/kvm.h>
#include <linux/pci_regs.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "kvm.h"
#include "mem.h"
#include "pci.h"
#include "virtq.h"

/* ---- PCI ----------------------------------------------------------------- */

static struct pci_bus *bus;
static struct pci_dev dev;
static unsigned remaps, accesses;
static uint64_t last_addr, last_off;
static bool last_enabled;

static void
t_remap(struct pci_dev *d, unsigned bar, uint64_t addr, bool enabled)
{
	(void)d;
	(void)bar;
	remaps++;
	last_addr = addr;
	last_enabled = enabled;
}

static void
t_access(struct pci_dev *d, unsigned bar, uint64_t off, uint8_t *data,
	 unsigned len, bool is_write)
{
	(void)d;
	(void)bar;
	(void)is_write;
	accesses++;
	last_off = off;
	memset(data, 0x42, len);
}

static const struct pci_dev_ops t_ops = {
	.bar_remap = t_remap,
	.bar_access = t_access,
};

static void
pci_setup(void)
{
	bus = pci_bus_create();
	remaps = accesses = 0;
}

static void
pci_teardown(void)
{
	pci_bus_destroy(bus);
}

static void
cfg_select(unsigned slot, unsigned reg)
{
	uint32_t a = 0x80000000u | slot << 11 | reg;

	pci_config_io(bus, 0, (uint8_t *)&a, 4, true);
}

static uint32_t
cfg_read(unsigned slot, unsigned reg)
{
	uint32_t v;

	cfg_select(slot, reg & ~3u);
	pci_config_io(bus, 4, (uint8_t *)&v, 4, false);
	return v;
}

static void
cfg_write(unsigned slot, unsigned reg, uint32_t v)
{
	cfg_select(slot, reg & ~3u);
	pci_config_io(bus, 4, (uint8_t *)&v, 4, true);
}

START_TEST(pci_host_bridge)
{
	uint32_t latch, probe = 0x80000000u;
	uint8_t byte = 1;

	ck_assert_uint_eq(cfg_read(0, 0), PCI_HOST_DEVICE_ID << 16 |
			  PCI_HOST_VENDOR_ID);
	ck_assert_uint_eq(cfg_read(0, PCI_CLASS_REVISION) >> 8, 0x060000);
	ck_assert_uint_eq(cfg_read(5, 0), 0xffffffffu);    /* absent */
	/* Linux's type-1 probe: a byte to 0xcfb leaves the latch alone. */
	pci_config_io(bus, 0, (uint8_t *)&probe, 4, true);
	pci_config_io(bus, 3, &byte, 1, true);
	pci_config_io(bus, 0, (uint8_t *)&latch, 4, false);
	ck_assert_uint_eq(latch, 0x80000000u);
	/* Other buses and functions are empty; IDs are read-only. */
	cfg_select(0, 0);
	ck_assert_uint_eq(cfg_read(0, 0) & 0xffff, PCI_HOST_VENDOR_ID);
	{
		uint32_t a = 0x80010000u, v;

		pci_config_io(bus, 0, (uint8_t *)&a, 4, true);
		pci_config_io(bus, 4, (uint8_t *)&v, 4, false);
		ck_assert_uint_eq(v, 0xffffffffu);
	}
	cfg_write(0, 0, 0);
	ck_assert_uint_eq(cfg_read(0, 0) & 0xffff, PCI_HOST_VENDOR_ID);
}
END_TEST

START_TEST(pci_bars_and_caps)
{
	uint8_t cap[8] = { PCI_CAP_ID_VNDR, 0, 8, 1, 2, 3, 4, 5 };
	uint8_t data[4];
	int slot, off;
	uint32_t bar;

	pci_dev_init(&dev, 0x1af4, 0x1041, 0x020000, 1, 0x1af4, 0x1100,
		     &t_ops, NULL);
	ck_assert_int_eq(pci_dev_add_bar(&dev, 0, 3000), -EINVAL);
	ck_assert_int_eq(pci_dev_add_bar(&dev, 0, 0x4000), 0);
	off = pci_dev_add_cap(&dev, cap, sizeof cap, NULL);
	ck_assert_int_eq(off, 0x40);
	ck_assert_int_eq(pci_dev_add_cap(&dev, cap, sizeof cap, NULL), 0x48);
	slot = pci_bus_add(bus, &dev);
	ck_assert_int_eq(slot, 1);

	ck_assert_uint_eq(cfg_read(1, 0), 0x10411af4u);
	ck_assert(cfg_read(1, PCI_COMMAND) & (PCI_STATUS_CAP_LIST << 16));
	ck_assert_uint_eq(cfg_read(1, PCI_CAPABILITY_LIST) & 0xff, 0x40);
	ck_assert_uint_eq((cfg_read(1, 0x40) >> 8) & 0xff, 0x48);
	ck_assert_uint_eq((cfg_read(1, 0x48) >> 8) & 0xff, 0);

	/* Assigned in the hole, sized the usual way. */
	bar = cfg_read(1, PCI_BASE_ADDRESS_0);
	ck_assert_uint_eq(bar, PCI_MMIO_BASE);
	cfg_write(1, PCI_BASE_ADDRESS_0, 0xffffffffu);
	ck_assert_uint_eq(cfg_read(1, PCI_BASE_ADDRESS_0), ~0x3fffu);
	cfg_write(1, PCI_BASE_ADDRESS_0, bar);
	ck_assert_uint_eq(remaps, 0);   /* decoding still off */

	/* MMIO reaches the device only while memory decoding is on. */
	pci_mmio_io(bus, 0x10, data, 4, false);
	ck_assert_uint_eq(accesses, 0);
	cfg_write(1, PCI_COMMAND, PCI_COMMAND_MEMORY);
	ck_assert_uint_eq(remaps, 1);
	ck_assert(last_enabled);
	ck_assert_uint_eq(last_addr, PCI_MMIO_BASE);
	pci_mmio_io(bus, 0x10, data, 4, false);
	ck_assert_uint_eq(accesses, 1);
	ck_assert_uint_eq(last_off, 0x10);
	ck_assert_uint_eq(data[0], 0x42);
	/* Moved by the guest. */
	cfg_write(1, PCI_BASE_ADDRESS_0, PCI_MMIO_BASE + 0x100000);
	ck_assert_uint_eq(remaps, 2);
	ck_assert_uint_eq(last_addr, PCI_MMIO_BASE + 0x100000);
	pci_mmio_io(bus, 0x100008, data, 2, false);
	ck_assert_uint_eq(last_off, 8);
	pci_mmio_io(bus, 0x10, data, 4, false);         /* old place */
	ck_assert_uint_eq(accesses, 2);
	cfg_write(1, PCI_COMMAND, 0);
	ck_assert(!last_enabled);
	pci_bus_del(bus, &dev);
	ck_assert_uint_eq(cfg_read(1, 0), 0xffffffffu);
}
END_TEST

/* ---- virtqueue ------------------------------------------------------------ */

#define QS 8
#define DESC_GPA  0x10000
#define AVAIL_GPA 0x11000
#define USED_GPA  0x12000
#define BUF_GPA   0x20000

static struct guest_mem gm;
static struct virtq vq;
static struct vring_desc *desc;
static struct vring_avail *avail;
static struct vring_used *used;

static void
vq_setup(void)
{
	ck_assert_int_eq(guest_mem_create(&gm, 16ULL << 20, NULL), 0);
	desc = guest_mem_ptr(&gm, DESC_GPA, 16 * QS);
	avail = guest_mem_ptr(&gm, AVAIL_GPA, 6 + 2 * QS);
	used = guest_mem_ptr(&gm, USED_GPA, 6 + 8 * QS);
	virtq_reset(&vq, QS);
	vq.desc_gpa = DESC_GPA;
	vq.avail_gpa = AVAIL_GPA;
	vq.used_gpa = USED_GPA;
	ck_assert_int_eq(virtq_enable(&vq, &gm), 0);
}

static void
vq_teardown(void)
{
	guest_mem_destroy(&gm);
}

static void
post(uint16_t head)
{
	avail->ring[avail->idx % QS] = head;
	avail->idx++;
}

START_TEST(vq_pop_push)
{
	struct iovec iov[4];
	unsigned n_out, n_in;
	uint16_t head;

	ck_assert_int_eq(virtq_pop(&vq, &gm, iov, 4, &n_out, &n_in, &head), 0);
	desc[3] = (struct vring_desc) { BUF_GPA, 12, VRING_DESC_F_NEXT, 5 };
	desc[5] = (struct vring_desc) { BUF_GPA + 100, 60, 0, 0 };
	post(3);
	ck_assert_int_eq(virtq_pop(&vq, &gm, iov, 4, &n_out, &n_in, &head), 1);
	ck_assert_uint_eq(head, 3);
	ck_assert_uint_eq(n_out, 2);
	ck_assert_uint_eq(n_in, 0);
	ck_assert_ptr_eq(iov[1].iov_base, guest_mem_ptr(&gm, BUF_GPA + 100, 60));
	ck_assert_uint_eq(iov[1].iov_len, 60);
	virtq_push(&vq, head, 0);
	ck_assert_uint_eq(used->idx, 1);
	ck_assert_uint_eq(used->ring[0].id, 3);
	ck_assert(virtq_should_notify(&vq));
	avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	ck_assert(!virtq_should_notify(&vq));
	ck_assert_int_eq(virtq_pop(&vq, &gm, iov, 4, &n_out, &n_in, &head), 0);
}
END_TEST

START_TEST(vq_hostile_rings)
{
	struct iovec iov[16];
	unsigned n_out, n_in;
	uint16_t head;
	int which = _i;

	switch (which) {
	case 0:         /* a loop in the chain */
		desc[0] = (struct vring_desc) { BUF_GPA, 8, VRING_DESC_F_NEXT, 1 };
		desc[1] = (struct vring_desc) { BUF_GPA, 8, VRING_DESC_F_NEXT, 0 };
		post(0);
		break;
	case 1:         /* a buffer outside guest RAM */
		desc[0] = (struct vring_desc) { (16ULL << 20) - 4, 8, 0, 0 };
		post(0);
		break;
	case 2:         /* a head beyond the queue */
		post(QS + 1);
		break;
	case 3:         /* next beyond the queue */
		desc[0] = (struct vring_desc) { BUF_GPA, 8, VRING_DESC_F_NEXT, 99 };
		post(0);
		break;
	case 4:         /* avail index far ahead of the device */
		avail->idx = QS + 5;
		break;
	case 5:         /* readable after writable */
		desc[0] = (struct vring_desc) { BUF_GPA, 8, VRING_DESC_F_NEXT |
						VRING_DESC_F_WRITE, 1 };
		desc[1] = (struct vring_desc) { BUF_GPA, 8, 0, 0 };
		post(0);
		break;
	default:        /* indirect (not negotiated) */
		desc[0] = (struct vring_desc) { BUF_GPA, 16, VRING_DESC_F_INDIRECT, 0 };
		post(0);
		break;
	}
	ck_assert_int_eq(virtq_pop(&vq, &gm, iov, 16, &n_out, &n_in, &head),
			 -EINVAL);
	ck_assert(vq.broken);
	/* A broken queue stays quiet until reset. */
	ck_assert_int_eq(virtq_pop(&vq, &gm, iov, 16, &n_out, &n_in, &head), 0);
}
END_TEST

START_TEST(vq_bad_setup)
{
	virtq_reset(&vq, QS);
	vq.size = 6;                    /* not a power of two */
	vq.desc_gpa = DESC_GPA;
	vq.avail_gpa = AVAIL_GPA;
	vq.used_gpa = USED_GPA;
	ck_assert_int_eq(virtq_enable(&vq, &gm), -EINVAL);
	vq.size = QS;
	vq.used_gpa = (16ULL << 20) - 8;        /* past RAM */
	ck_assert_int_eq(virtq_enable(&vq, &gm), -EINVAL);
	vq.used_gpa = USED_GPA + 2;             /* misaligned */
	ck_assert_int_eq(virtq_enable(&vq, &gm), -EINVAL);
}
END_TEST

/* ---- I/O bus ---------------------------------------------------------------- */

static void
t_io(void *opaque, uint64_t off, uint8_t *data, unsigned len, bool is_write)
{
	(void)opaque;
	(void)is_write;
	memset(data, (int)off, len);
}

START_TEST(io_bus_ranges)
{
	struct io_bus b = { .name = "t" };
	uint8_t v[2];

	ck_assert_int_eq(io_bus_add(&b, 0x3f8, 8, t_io, NULL), 0);
	ck_assert_int_eq(io_bus_add(&b, 0x3fc, 8, t_io, NULL), -EEXIST);
	ck_assert_int_eq(io_bus_add(&b, 0x3f0, 8, t_io, NULL), 0);
	ck_assert_int_eq(io_bus_add(&b, 0, 0, t_io, NULL), -EINVAL);
	ck_assert(io_bus_access(&b, 0x3fa, v, 1, false));
	ck_assert_uint_eq(v[0], 2);
	ck_assert(!io_bus_access(&b, 0x400, v, 2, false));
	ck_assert_uint_eq(v[0], 0xff);          /* open bus */
	for (int i = 0; i < IO_BUS_MAX; i++)
		io_bus_add(&b, 0x1000 + 16 * (uint64_t)i, 16, t_io, NULL);
	ck_assert_int_eq(io_bus_add(&b, 0x9000, 1, t_io, NULL), -ENOSPC);
}
END_TEST

/* The coalesced ring: KVM appends at 'last', the VMM replays from
 * 'first'; the replay must keep order, wrap at the ring's end, skip
 * entries with impossible lengths and leave the ring empty. */
struct ring_log {
	unsigned n;
	uint64_t addr[8];
	uint32_t val[8];
	bool pio[8];
};

static void
t_replay(void *opaque, bool pio, uint64_t addr, uint8_t *data, unsigned len)
{
	struct ring_log *l = opaque;
	uint32_t v = 0;

	ck_assert_uint_le(len, 8);
	memcpy(&v, data, len < 4 ? len : 4);
	if (l->n < 8) {
		l->addr[l->n] = addr;
		l->val[l->n] = v;
		l->pio[l->n] = pio;
	}
	l->n++;
}

START_TEST(coalesced_ring_replay)
{
	long page = sysconf(_SC_PAGESIZE);
	struct kvm_coalesced_mmio_ring *ring = calloc(1, (size_t)page);
	uint32_t max = (uint32_t)((page - (long)sizeof *ring) /
				  (long)sizeof ring->coalesced_mmio[0]);
	struct kvm k = { .sys_fd = -1, .vm_fd = -1, .ring_entries = max };
	struct ring_log log = { 0 };
	uint32_t slots[4] = { max - 2, max - 1, 0, 1 };

	ck_assert_ptr_nonnull(ring);
	pthread_mutex_init(&k.ring_lock, NULL);

	/* Empty ring: nothing replayed. */
	kvm_ring_drain(&k, ring, t_replay, &log);
	ck_assert_uint_eq(log.n, 0);

	/* Four writes to 0xcf8 that wrap around the end of the ring; the
	 * third has an impossible length and is dropped. */
	for (unsigned i = 0; i < 4; i++) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[slots[i]];
		uint32_t v = 0x80000000u | i << 8;

		e->phys_addr = 0xcf8;
		e->len = i == 2 ? 200 : 4;
		e->pio = 1;
		memcpy(e->data, &v, 4);
	}
	ring->first = max - 2;
	ring->last = 2;
	kvm_ring_drain(&k, ring, t_replay, &log);
	ck_assert_uint_eq(log.n, 3);
	ck_assert_uint_eq(log.val[0], 0x80000000u);
	ck_assert_uint_eq(log.val[1], 0x80000100u);
	ck_assert_uint_eq(log.val[2], 0x80000300u);
	ck_assert(log.pio[0] && log.pio[2]);
	ck_assert_uint_eq(log.addr[2], 0xcf8);
	ck_assert_uint_eq(ring->first, 2);

	/* A 'first' beyond the ring (corrupt) replays nothing. */
	log.n = 0;
	ring->first = max + 5;
	ring->last = 1;
	kvm_ring_drain(&k, ring, t_replay, &log);
	ck_assert_uint_eq(log.n, 0);
	pthread_mutex_destroy(&k.ring_lock);
	free(ring);
}
END_TEST

static Suite *
vmm_dev_suite(void)
{
	Suite *s = suite_create("vmm_dev");
	TCase *tc;

	tc = tcase_create("pci");
	tcase_add_checked_fixture(tc, pci_setup, pci_teardown);
	tcase_add_test(tc, pci_host_bridge);
	tcase_add_test(tc, pci_bars_and_caps);
	suite_add_tcase(s, tc);

	tc = tcase_create("virtq");
	tcase_add_checked_fixture(tc, vq_setup, vq_teardown);
	tcase_add_test(tc, vq_pop_push);
	tcase_add_loop_test(tc, vq_hostile_rings, 0, 7);
	tcase_add_test(tc, vq_bad_setup);
	suite_add_tcase(s, tc);

	tc = tcase_create("io");
	tcase_add_test(tc, io_bus_ranges);
	tcase_add_test(tc, coalesced_ring_replay);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vmm_dev_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
