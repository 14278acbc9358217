/*
 * check_vhost_ring.c - unit tests for vswitchd/ports/vhost-ring.c: memory table
 * checks, guest address translation, and split-ring processing against a
 * fake guest (two adjacent "regions" of plain memory), including hostile
 * rings: out-of-range, zero-length and huge descriptors, loops, bad
 * indirect tables, index jumps.
 *
 * Expected values come from the virtio 1.2 split-ring layout (§2.7) and
 * the virtio-net header (§5.1.6), written out by hand here.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vhost-ring.h"
#include "virtio-net.h"

#define REG_SIZE   0x10000u
#define GPA_A      0x100000u		/* region A: guest-physical */
#define GPA_B      (GPA_A + REG_SIZE)	/* region B follows A */
#define UVA_A      0x7f0000000000ull	/* front-end virtual */
#define UVA_B      (UVA_A + 0x40000000ull)
#define NUM        8

/* Offsets inside region A. */
#define OFF_DESC   0x0000
#define OFF_AVAIL  0x0400
#define OFF_USED   0x0800
#define OFF_IND    0x1000		/* indirect tables */
#define OFF_BUF    0x2000		/* frame buffers */

static uint8_t *reg_a, *reg_b;
static struct vhost_mem mem;
static struct vhost_vring vr;
static uint16_t next_desc;		/* next free descriptor */

static struct virtq_desc *
g_desc(void)
{
	return (struct virtq_desc *)(void *)(reg_a + OFF_DESC);
}

static struct virtq_avail *
g_avail(void)
{
	return (struct virtq_avail *)(void *)(reg_a + OFF_AVAIL);
}

static struct virtq_used *
g_used(void)
{
	return (struct virtq_used *)(void *)(reg_a + OFF_USED);
}

static void
setup_with(uint64_t features)
{
	reg_a = aligned_alloc(4096, REG_SIZE);
	reg_b = aligned_alloc(4096, REG_SIZE);
	ck_assert_ptr_nonnull(reg_a);
	ck_assert_ptr_nonnull(reg_b);
	memset(reg_a, 0, REG_SIZE);
	memset(reg_b, 0, REG_SIZE);
	memset(&mem, 0, sizeof mem);
	mem.n = 2;
	mem.regions[0] = (struct vhost_mem_region){ GPA_A, REG_SIZE, UVA_A,
						    reg_a, NULL, 0 };
	mem.regions[1] = (struct vhost_mem_region){ GPA_B, REG_SIZE, UVA_B,
						    reg_b, NULL, 0 };
	memset(&vr, 0, sizeof vr);
	vhost_vring_reset(&vr);
	vhost_vring_set_features(&vr, features);
	vr.num = NUM;
	vr.desc_uva = UVA_A + OFF_DESC;
	vr.avail_uva = UVA_A + OFF_AVAIL;
	vr.used_uva = UVA_A + OFF_USED;
	vr.addr_set = true;
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), 0);
	next_desc = 0;
}

static void
setup(void)
{
	setup_with(VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		   VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
}

static void
setup_mrg(void)
{
	setup_with(VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		   VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) |
		   VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
}

static void
teardown(void)
{
	free(reg_a);
	free(reg_b);
}

/* Writes descriptor 'i' and returns 'i'. */
static uint16_t
put_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
	 uint16_t next)
{
	g_desc()[i] = (struct virtq_desc){ addr, len, flags, next };
	return i;
}

/* Makes chain 'head' available. */
static void
make_avail(uint16_t head)
{
	struct virtq_avail *a = g_avail();

	a->ring[a->idx % NUM] = head;
	a->idx++;
}

/* Queues a guest TX frame of 'len' bytes (pattern 'seed') as a header
 * descriptor plus one data descriptor, data at buffer slot 'slot'. */
static void
guest_tx(unsigned slot, uint32_t len, uint8_t seed)
{
	uint64_t off = OFF_BUF + slot * 0x800u;
	uint16_t h = next_desc, d = (uint16_t)(next_desc + 1);

	memset(reg_a + off, 0, VIRTIO_NET_HDR_LEN);
	for (uint32_t i = 0; i < len; i++)
		reg_a[off + 0x100 + i] = (uint8_t)(seed + i);
	put_desc(h, GPA_A + off, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, d);
	put_desc(d, GPA_A + off + 0x100, len, 0, 0);
	next_desc = (uint16_t)((next_desc + 2) % NUM);
	make_avail(h);
}

static void
check_pattern(const uint8_t *p, uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		ck_assert_uint_eq(p[i], (uint8_t)(seed + i));
}

/*
 * Memory table checks and translation.
 */

START_TEST(test_mem_check)
{
	struct vhost_user_mem_region r[9] = {
		{ 0x0, 0x1000, 0x10000, 0 },
		{ 0x1000, 0x1000, 0x20000, 0 },
	};

	ck_assert_int_eq(vhost_mem_check(r, 2), 0);
	ck_assert_int_eq(vhost_mem_check(r, 0), -EINVAL);
	/* Overlapping guest-physical ranges. */
	r[1].guest_phys_addr = 0xfff;
	ck_assert_int_eq(vhost_mem_check(r, 2), -EINVAL);
	r[1].guest_phys_addr = 0x1000;
	/* Overlapping front-end virtual ranges. */
	r[1].userspace_addr = 0x10800;
	ck_assert_int_eq(vhost_mem_check(r, 2), -EINVAL);
	r[1].userspace_addr = 0x20000;
	/* Empty region. */
	r[1].size = 0;
	ck_assert_int_eq(vhost_mem_check(r, 2), -EINVAL);
	/* Wrapping region. */
	r[1].size = 0x1000;
	r[1].guest_phys_addr = UINT64_MAX - 0x10;
	ck_assert_int_eq(vhost_mem_check(r, 2), -EINVAL);
	r[1].guest_phys_addr = 0x1000;
	r[1].mmap_offset = UINT64_MAX;
	ck_assert_int_eq(vhost_mem_check(r, 2), -EINVAL);
	/* Too many regions. */
	for (unsigned i = 0; i < 9; i++)
		r[i] = (struct vhost_user_mem_region){ i * 0x1000ull, 0x1000,
						       i * 0x1000ull, 0 };
	ck_assert_int_eq(vhost_mem_check(r, 8), 0);
	ck_assert_int_eq(vhost_mem_check(r, 9), -EINVAL);
	/* A tiny (1-byte) region is fine if it overlaps nothing. */
	r[0].size = 1;
	ck_assert_int_eq(vhost_mem_check(r, 1), 0);
}
END_TEST

START_TEST(test_translate)
{
	uint64_t contig = 0;

	ck_assert_ptr_eq(vhost_mem_gpa_to_host(&mem, GPA_A, 16, &contig),
			 reg_a);
	ck_assert_uint_eq(contig, 16);
	/* Straddles into region B: only the part in A is contiguous. */
	ck_assert_ptr_eq(vhost_mem_gpa_to_host(&mem, GPA_B - 4, 16, &contig),
			 reg_a + REG_SIZE - 4);
	ck_assert_uint_eq(contig, 4);
	ck_assert_ptr_eq(vhost_mem_gpa_to_host(&mem, GPA_B + 8, 8, &contig),
			 reg_b + 8);
	ck_assert_ptr_null(vhost_mem_gpa_to_host(&mem, GPA_B + REG_SIZE, 1,
						 &contig));
	ck_assert_ptr_null(vhost_mem_gpa_to_host(&mem, 0, 1, &contig));
	ck_assert_ptr_null(vhost_mem_gpa_to_host(&mem, UINT64_MAX, 1,
						 &contig));
	/* Front-end virtual ranges must lie in one region. */
	ck_assert_ptr_eq(vhost_mem_uva_to_host(&mem, UVA_A + 8, 8), reg_a + 8);
	ck_assert_ptr_null(vhost_mem_uva_to_host(&mem, UVA_A + REG_SIZE - 4,
						 8));
	ck_assert_ptr_null(vhost_mem_uva_to_host(&mem, UVA_A - 1, 1));
	ck_assert_ptr_null(vhost_mem_uva_to_host(&mem, UVA_A, UINT64_MAX));
}
END_TEST

START_TEST(test_map_checks)
{
	vr.num = 6;		/* not a power of two */
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), -EINVAL);
	ck_assert(!vhost_vring_is_ready(&vr));
	vr.num = 65536;
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), -EINVAL);
	vr.num = NUM;
	vr.desc_uva = UVA_A + 8;	/* misaligned descriptor table */
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), -EINVAL);
	vr.desc_uva = UVA_A + REG_SIZE - 16;	/* runs off the region */
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), -EFAULT);
	vr.desc_uva = 0x1000;			/* in no region */
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), -EFAULT);
	vr.desc_uva = UVA_A + OFF_DESC;
	vr.used_uva = UVA_A + OFF_USED + 2;	/* misaligned used ring */
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), -EINVAL);
	vr.used_uva = UVA_A + OFF_USED;
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), 0);
	ck_assert(vhost_vring_is_ready(&vr));
	vr.addr_set = false;
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), -EAGAIN);
}
END_TEST

/*
 * Guest TX (dequeue).
 */

START_TEST(test_tx_basic)
{
	uint8_t buf[2048];
	uint32_t len = 0;

	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EAGAIN);
	guest_tx(0, 60, 1);
	guest_tx(1, 1514, 7);
	ck_assert_int_eq(vhost_vring_avail_count(&vr), 2);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, 60);
	check_pattern(buf, 60, 1);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, 1514);
	check_pattern(buf, 1514, 7);
	/* Not visible before publish; then both, in order, with len 0. */
	ck_assert_uint_eq(g_used()->idx, 0);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 2);
	ck_assert_uint_eq(g_used()->ring[0].id, 0);
	ck_assert_uint_eq(g_used()->ring[1].id, 2);
	ck_assert_uint_eq(g_used()->ring[1].len, 0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EAGAIN);
}
END_TEST

START_TEST(test_tx_wraps)
{
	uint8_t buf[256];
	uint32_t len;

	/* Three times around the ring, with 16-bit index wrap-around. */
	g_avail()->idx = 65530;
	g_used()->idx = 65530;
	vr.last_avail_idx = vr.last_used_idx = 65530;
	for (unsigned i = 0; i < 3 * NUM; i++) {
		guest_tx(i % 4, 64, (uint8_t)i);
		ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf,
						     &len), 0);
		check_pattern(buf, 64, (uint8_t)i);
		vhost_vring_publish(&vr);
	}
	ck_assert_uint_eq(g_used()->idx, (uint16_t)(65530 + 3 * NUM));
}
END_TEST

START_TEST(test_tx_straddles_regions)
{
	uint8_t buf[256];
	uint32_t len;

	/* Header in A, data 100 bytes starting 40 bytes before B. */
	for (unsigned i = 0; i < 100; i++) {
		uint64_t gpa = GPA_B - 40 + i;

		if (gpa < GPA_B)
			reg_a[gpa - GPA_A] = (uint8_t)(3 + i);
		else
			reg_b[gpa - GPA_B] = (uint8_t)(3 + i);
	}
	put_desc(0, GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, GPA_B - 40, 100, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, 100);
	check_pattern(buf, 100, 3);
}
END_TEST

START_TEST(test_tx_header_shares_descriptor)
{
	uint8_t buf[256];
	uint32_t len;

	/* VERSION_1 (ANY_LAYOUT): header and frame in one descriptor. */
	for (unsigned i = 0; i < 50; i++)
		reg_a[OFF_BUF + 12 + i] = (uint8_t)(9 + i);
	put_desc(0, GPA_A + OFF_BUF, 62, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, 50);
	check_pattern(buf, 50, 9);
}
END_TEST

/*
 * Guest TX with lending (vhost_vring_dequeue_ref).
 */

/* The guest's virtio-net header comes out with the frame when asked. */
START_TEST(test_dequeue_gives_header)
{
	struct virtio_net_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				    .gso_type = 1, .hdr_len = 54,
				    .gso_size = 1000, .csum_start = 34,
				    .csum_offset = 16 }, vh;
	uint8_t buf[2048], *ref = NULL;
	uint16_t head = 0xffff;
	uint32_t len = 0;

	guest_tx(0, 60, 1);
	memcpy(reg_a + OFF_BUF, &h, sizeof h);
	memset(&vh, 0xee, sizeof vh);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref, &head, &vh), 0);
	ck_assert_uint_eq(len, 60);
	ck_assert_int_eq(memcmp(&vh, &h, sizeof h), 0);
	vhost_vring_complete(&vr, head);
}
END_TEST

START_TEST(test_ref_lends_contiguous_frame)
{
	uint8_t buf[2048], *ref = NULL;
	uint16_t head = 0xffff;
	uint32_t len = 0;

	/* Header + data descriptors: the data one holds the whole frame. */
	guest_tx(0, 60, 1);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref, &head, NULL), 0);
	ck_assert_uint_eq(len, 60);
	ck_assert_ptr_eq(ref, reg_a + OFF_BUF + 0x100);
	ck_assert_uint_eq(head, 0);
	check_pattern(ref, 60, 1);
	/* Outstanding: nothing used, nothing to publish, not re-read. */
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 0);
	ck_assert_int_eq(vhost_vring_avail_count(&vr), 0);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref, &head, NULL),
			 -EAGAIN);
	vhost_vring_complete(&vr, 0);
	ck_assert_uint_eq(g_used()->idx, 0);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 1);
	ck_assert_uint_eq(g_used()->ring[0].id, 0);
	ck_assert_uint_eq(g_used()->ring[0].len, 0);
}
END_TEST

START_TEST(test_ref_header_shares_descriptor)
{
	uint8_t buf[256], *ref = NULL;
	uint16_t head;
	uint32_t len;

	put_desc(3, GPA_A + OFF_BUF, 62, 0, 0);
	make_avail(3);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref, &head, NULL), 0);
	ck_assert_uint_eq(len, 50);
	ck_assert_ptr_eq(ref, reg_a + OFF_BUF + 12);
	ck_assert_uint_eq(head, 3);
}
END_TEST

START_TEST(test_ref_split_frame_is_copied)
{
	uint8_t buf[256], *ref = (uint8_t *)1;
	uint16_t head;
	uint32_t len;

	/* Frame straddling two regions: copied and completed at once. */
	for (unsigned i = 0; i < 100; i++) {
		uint64_t gpa = GPA_B - 40 + i;

		if (gpa < GPA_B)
			reg_a[gpa - GPA_A] = (uint8_t)(3 + i);
		else
			reg_b[gpa - GPA_B] = (uint8_t)(3 + i);
	}
	put_desc(0, GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, GPA_B - 40, 100, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref, &head, NULL), 0);
	ck_assert_ptr_null(ref);
	ck_assert_uint_eq(len, 100);
	check_pattern(buf, 100, 3);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 1);
}
END_TEST

/* Queues three 64-byte guest TX frames and takes them lent. */
static void
lend_three(uint8_t *ref[3], uint16_t head[3])
{
	uint8_t buf[256];
	uint32_t len;

	for (unsigned i = 0; i < 3; i++)
		guest_tx(i, 64, (uint8_t)(10 * i));
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf,
							 sizeof buf, &len,
							 &ref[i], &head[i],
							 NULL), 0);
		ck_assert_ptr_nonnull(ref[i]);
		check_pattern(ref[i], 64, (uint8_t)(10 * i));
	}
}

START_TEST(test_ref_out_of_order_completion)
{
	uint8_t *ref[3];
	uint16_t head[3];

	lend_three(ref, head);
	/* Returned in another order than taken: used ring follows. */
	vhost_vring_complete(&vr, head[2]);
	vhost_vring_complete(&vr, head[0]);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 2);
	ck_assert_uint_eq(g_used()->ring[0].id, head[2]);
	ck_assert_uint_eq(g_used()->ring[1].id, head[0]);
	vhost_vring_complete(&vr, head[1]);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 3);
	ck_assert_uint_eq(g_used()->ring[2].id, head[1]);
}
END_TEST

/* VIRTIO_F_IN_ORDER: chains completed out of order still come back in
 * the order they were taken, and none before all of them are back. */
START_TEST(test_in_order_completion)
{
	uint8_t *ref[3];
	uint16_t head[3];

	lend_three(ref, head);
	ck_assert_uint_eq(vr.lent, 3);
	vhost_vring_complete(&vr, head[2]);
	vhost_vring_complete(&vr, head[0]);
	vhost_vring_publish(&vr);
	/* head[1] is still lent: nothing may be published yet. */
	ck_assert_uint_eq(g_used()->idx, 0);
	vhost_vring_complete(&vr, head[1]);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(vr.lent, 0);
	ck_assert_uint_eq(g_used()->idx, 3);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(g_used()->ring[i].id, head[i]);
		ck_assert_uint_eq(g_used()->ring[i].len, 0);
	}
}
END_TEST

/* A dropped chain between two lent ones keeps its place too. */
START_TEST(test_in_order_drop_keeps_place)
{
	uint8_t buf[256], *ref[2];
	uint16_t head[2];
	uint32_t len;

	guest_tx(0, 64, 1);
	put_desc(next_desc, 0x10, 60, 0, 0);	/* in no region */
	make_avail(next_desc);
	next_desc = (uint16_t)(next_desc + 1);
	guest_tx(2, 64, 3);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref[0], &head[0],
						 NULL), 0);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref[1], &head[1],
						 NULL), -EFAULT);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref[1], &head[1],
						 NULL), 0);
	vhost_vring_complete(&vr, head[1]);
	vhost_vring_complete(&vr, head[0]);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 3);
	ck_assert_uint_eq(g_used()->ring[0].id, head[0]);
	ck_assert_uint_eq(g_used()->ring[1].id, g_avail()->ring[1]);
	ck_assert_uint_eq(g_used()->ring[2].id, head[1]);
	ck_assert_uint_eq(vr.stats.bad_desc, 1);
	/* Copied frames (no lending) come back at the next publish. */
	guest_tx(3, 64, 4);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf,
					     &len), 0);
	ck_assert_uint_eq(g_used()->idx, 3);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 4);
	ck_assert_uint_eq(g_used()->ring[3].id, g_avail()->ring[3]);
}
END_TEST

static void
setup_in_order(void)
{
	setup_with(VIRTIO_BIT(VIRTIO_F_VERSION_1) |
		   VIRTIO_BIT(VIRTIO_F_IN_ORDER));
}

START_TEST(test_ref_bad_descriptor_still_dropped)
{
	uint8_t buf[256], *ref;
	uint16_t head;
	uint32_t len;

	/* Out of every region: dropped, returned with length 0. */
	put_desc(0, 0x10, 60, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue_ref(&vr, &mem, buf, sizeof buf,
						 &len, &ref, &head, NULL),
			 -EFAULT);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 1);
	ck_assert_uint_eq(vr.stats.bad_desc, 1);
}
END_TEST

START_TEST(test_avail_index_read_once_per_burst)
{
	uint8_t buf[256];
	uint32_t len;

	guest_tx(0, 60, 1);
	guest_tx(1, 60, 2);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	/* A bogus index written now is not looked at while the count read
	 * before lasts ... */
	g_avail()->idx = (uint16_t)(g_avail()->idx + 100);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	check_pattern(buf, 60, 2);
	/* ... but is caught at the next read. */
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
	ck_assert(vr.broken);
}
END_TEST

START_TEST(test_tx_out_of_range_dropped)
{
	uint8_t buf[256];
	uint32_t len;

	put_desc(0, GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, 0xdead0000, 64, 0, 0);	/* in no region */
	make_avail(0);
	next_desc = 2;
	guest_tx(1, 64, 5);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EFAULT);
	ck_assert_uint_eq(vr.stats.bad_desc, 1);
	ck_assert(vhost_vring_is_ready(&vr));	/* not a ring corruption */
	/* The next frame still flows; the bad chain was returned. */
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	check_pattern(buf, 64, 5);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 2);
	ck_assert_uint_eq(g_used()->ring[0].id, 0);
	/* A range that starts inside and runs past the last region. */
	put_desc(0, GPA_B + REG_SIZE - 8, 64, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EFAULT);
	/* An address that wraps the 64-bit space. */
	put_desc(0, UINT64_MAX - 4, 64, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EFAULT);
	ck_assert_uint_eq(vr.stats.bad_desc, 3);
}
END_TEST

START_TEST(test_tx_zero_and_huge_lengths)
{
	uint8_t buf[2048];
	uint32_t len;

	/* Zero-length descriptors inside a chain are harmless. */
	for (unsigned i = 0; i < 20; i++)
		reg_a[OFF_BUF + 0x100 + i] = (uint8_t)(i + 1);
	put_desc(0, GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, GPA_A + OFF_BUF, 0, VIRTQ_DESC_F_NEXT, 2);
	put_desc(2, GPA_A + OFF_BUF + 0x100, 20, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, 20);
	check_pattern(buf, 20, 1);
	/* Only zero-length descriptors: shorter than the header. */
	put_desc(0, GPA_A + OFF_BUF, 0, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -ENODATA);
	ck_assert_uint_eq(vr.stats.runt, 1);
	/* 4 GiB - 1 bytes: larger than any region and than the buffer. */
	put_desc(0, GPA_A, UINT32_MAX, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EFAULT);
	/* In range but larger than the caller's buffer. */
	put_desc(0, GPA_A, REG_SIZE, 0, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EMSGSIZE);
	ck_assert_uint_eq(vr.stats.oversize, 1);
	ck_assert(vhost_vring_is_ready(&vr));
}
END_TEST

START_TEST(test_tx_loop_breaks_ring)
{
	uint8_t buf[256];
	uint32_t len;

	put_desc(0, GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, GPA_A + OFF_BUF, 0, VIRTQ_DESC_F_NEXT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
	ck_assert(!vhost_vring_is_ready(&vr));
	ck_assert_uint_eq(vr.stats.broken, 1);
	/* Stays stopped, counted once, until the front-end re-maps it. */
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
	ck_assert_uint_eq(vr.stats.broken, 1);
	ck_assert_uint_eq(g_used()->idx, 0);
	put_desc(1, GPA_A + OFF_BUF + 0x100, 20, 0, 0);
	ck_assert_int_eq(vhost_vring_map(&vr, &mem), 0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
}
END_TEST

START_TEST(test_tx_self_loop_and_next_out_of_range)
{
	uint8_t buf[256];
	uint32_t len;

	put_desc(3, GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 3);
	make_avail(3);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
	teardown();
	setup();
	put_desc(0, GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, NUM);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
}
END_TEST

START_TEST(test_tx_bad_head)
{
	uint8_t buf[256];
	uint32_t len;

	make_avail(NUM);	/* head index out of range */
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
	ck_assert_uint_eq(vr.stats.broken, 1);
}
END_TEST

START_TEST(test_avail_index_jump)
{
	uint8_t buf[256];
	uint32_t len;

	g_avail()->idx = NUM;		/* exactly full: fine */
	ck_assert_int_eq(vhost_vring_avail_count(&vr), NUM);
	g_avail()->idx = NUM + 1;	/* more than the ring holds */
	ck_assert_int_eq(vhost_vring_avail_count(&vr), -EIO);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, buf, 60), -EIO);
	ck_assert_uint_eq(vr.stats.broken, 1);
}
END_TEST

START_TEST(test_tx_write_only_descriptor)
{
	uint8_t buf[256];
	uint32_t len;

	put_desc(0, GPA_A + OFF_BUF, 80, VIRTQ_DESC_F_WRITE, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EINVAL);
	ck_assert_uint_eq(vr.stats.bad_desc, 1);
	ck_assert(vhost_vring_is_ready(&vr));
}
END_TEST

START_TEST(test_tx_chain_too_long)
{
	struct virtq_desc *t = (struct virtq_desc *)(void *)(reg_a + OFF_IND);
	uint8_t buf[4096];
	uint32_t len;

	/* An indirect table of 100 one-byte descriptors: more segments than
	 * VHOST_CHAIN_MAX_SEGS; dropped, ring intact. */
	for (uint16_t i = 0; i < 100; i++)
		t[i] = (struct virtq_desc){ GPA_A + OFF_BUF + i, 1,
					    i < 99 ? VIRTQ_DESC_F_NEXT : 0,
					    (uint16_t)(i + 1) };
	put_desc(0, GPA_A + OFF_IND, 100 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -E2BIG);
	ck_assert_uint_eq(vr.stats.bad_chain, 1);
	ck_assert(vhost_vring_is_ready(&vr));
}
END_TEST

START_TEST(test_tx_indirect)
{
	struct virtq_desc *t = (struct virtq_desc *)(void *)(reg_a + OFF_IND);
	uint8_t buf[256];
	uint32_t len;

	for (unsigned i = 0; i < 40; i++)
		reg_a[OFF_BUF + 0x100 + i] = (uint8_t)(4 + i);
	t[0] = (struct virtq_desc){ GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 1 };
	t[1] = (struct virtq_desc){ GPA_A + OFF_BUF + 0x100, 40, 0, 0 };
	put_desc(0, GPA_A + OFF_IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 0);
	ck_assert_uint_eq(len, 40);
	check_pattern(buf, 40, 4);

	/* Length not a multiple of 16. */
	put_desc(0, GPA_A + OFF_IND, 24, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EINVAL);
	/* INDIRECT together with NEXT. */
	put_desc(0, GPA_A + OFF_IND, 32,
		 VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EINVAL);
	/* Nested indirect table. */
	t[1] = (struct virtq_desc){ GPA_A + OFF_IND, 32,
				    VIRTQ_DESC_F_INDIRECT, 0 };
	put_desc(0, GPA_A + OFF_IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EINVAL);
	/* Table outside guest memory. */
	put_desc(0, 0x10, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EFAULT);
	/* Table straddling two regions (must be contiguous here). */
	put_desc(0, GPA_B - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EFAULT);
	ck_assert_uint_eq(vr.stats.bad_desc, 5);
	ck_assert(vhost_vring_is_ready(&vr));
	/* A loop inside the indirect table corrupts the ring. */
	t[0] = (struct virtq_desc){ GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 1 };
	t[1] = (struct virtq_desc){ GPA_A + OFF_BUF, 12, VIRTQ_DESC_F_NEXT, 0 };
	put_desc(0, GPA_A + OFF_IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EIO);
}
END_TEST

START_TEST(test_tx_indirect_not_negotiated)
{
	uint8_t buf[256];
	uint32_t len;

	teardown();
	setup_with(VIRTIO_BIT(VIRTIO_F_VERSION_1));
	put_desc(0, GPA_A + OFF_IND, 32, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(0);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf, &len),
			 -EINVAL);
}
END_TEST

/*
 * Guest RX (enqueue).
 */

static uint8_t frame[1600];

static void
fill_frame(uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		frame[i] = (uint8_t)(seed + i);
}

/* Posts a device-writable buffer of 'len' bytes at 'off' in region A. */
static uint16_t
post_rx(uint64_t off, uint32_t len)
{
	uint16_t d = next_desc;

	memset(reg_a + off, 0xee, len);
	put_desc(d, GPA_A + off, len, VIRTQ_DESC_F_WRITE, 0);
	next_desc = (uint16_t)((next_desc + 1) % NUM);
	make_avail(d);
	return d;
}

START_TEST(test_rx_basic)
{
	const struct virtio_net_hdr *h =
		(const struct virtio_net_hdr *)(const void *)(reg_a + OFF_BUF);

	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), -ENOBUFS);
	ck_assert_uint_eq(vr.stats.no_buffers, 1);
	post_rx(OFF_BUF, 2048);
	fill_frame(60, 11);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 1);
	ck_assert_uint_eq(g_used()->ring[0].id, 0);
	ck_assert_uint_eq(g_used()->ring[0].len, 72);
	ck_assert_uint_eq(h->flags, 0);
	ck_assert_uint_eq(h->gso_type, VIRTIO_NET_HDR_GSO_NONE);
	ck_assert_uint_eq(h->num_buffers, 1);
	check_pattern(reg_a + OFF_BUF + 12, 60, 11);
	ck_assert_uint_eq(reg_a[OFF_BUF + 72], 0xee);	/* nothing beyond */
}
END_TEST

START_TEST(test_rx_too_small_without_mrg)
{
	post_rx(OFF_BUF, 40);
	post_rx(OFF_BUF + 0x800, 2048);
	fill_frame(60, 1);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), -EMSGSIZE);
	ck_assert_uint_eq(vr.stats.oversize, 1);
	/* The small buffer was returned empty; the next one is used. */
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 2);
	ck_assert_uint_eq(g_used()->ring[0].len, 0);
	ck_assert_uint_eq(g_used()->ring[1].id, 1);
	ck_assert_uint_eq(g_used()->ring[1].len, 72);
}
END_TEST

/* The offload header as a guest with GUEST_CSUM + GUEST_TSO4 gets it. */
static const struct virtio_net_hdr tso_hdr = {
	.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = 1 /* TCPV4 */,
	.hdr_len = 54, .gso_size = 1448, .csum_start = 34, .csum_offset = 16,
	.num_buffers = 77,	/* the caller's: never written */
};

START_TEST(test_rx_offload_too_small_without_mrg)
{
	/* GUEST_TSO4 without MRG_RXBUF: a frame longer than the one buffer
	 * is dropped (oversize), the buffer returned with length 0. */
	post_rx(OFF_BUF, 64);
	fill_frame(200, 0);
	ck_assert_int_eq(vhost_vring_enqueue_hdr(&vr, &mem, frame, 200,
						 &tso_hdr), -EMSGSIZE);
	ck_assert_uint_eq(vr.stats.oversize, 1);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 1);
	ck_assert_uint_eq(g_used()->ring[0].len, 0);
}
END_TEST

START_TEST(test_rx_mergeable)
{
	const struct virtio_net_hdr *h =
		(const struct virtio_net_hdr *)(const void *)(reg_a + OFF_BUF);

	post_rx(OFF_BUF, 32);
	post_rx(OFF_BUF + 0x100, 32);
	post_rx(OFF_BUF + 0x200, 32);
	post_rx(OFF_BUF + 0x300, 32);
	fill_frame(60, 21);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	/* 72 bytes in 32-byte buffers: 3 buffers, 32 + 32 + 8. */
	ck_assert_uint_eq(g_used()->idx, 3);
	ck_assert_uint_eq(g_used()->ring[0].len, 32);
	ck_assert_uint_eq(g_used()->ring[1].len, 32);
	ck_assert_uint_eq(g_used()->ring[2].len, 8);
	ck_assert_uint_eq(h->num_buffers, 3);
	check_pattern(reg_a + OFF_BUF + 12, 20, 21);
	check_pattern(reg_a + OFF_BUF + 0x100, 32, 41);
	check_pattern(reg_a + OFF_BUF + 0x200, 8, 73);
	ck_assert_int_eq(vhost_vring_avail_count(&vr), 1);
}
END_TEST

START_TEST(test_rx_mergeable_not_enough)
{
	post_rx(OFF_BUF, 32);
	post_rx(OFF_BUF + 0x100, 32);
	fill_frame(60, 1);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), -ENOBUFS);
	/* Nothing consumed: both buffers still available. */
	ck_assert_int_eq(vhost_vring_avail_count(&vr), 2);
	ck_assert_uint_eq(vr.last_used_idx, 0);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 40), 0);
}
END_TEST

START_TEST(test_rx_offload_header)
{
	const struct virtio_net_hdr *h =
		(const struct virtio_net_hdr *)(const void *)(reg_a + OFF_BUF);

	post_rx(OFF_BUF, 32);
	post_rx(OFF_BUF + 0x100, 32);
	post_rx(OFF_BUF + 0x200, 32);
	fill_frame(60, 5);
	ck_assert_int_eq(vhost_vring_enqueue_hdr(&vr, &mem, frame, 60,
						 &tso_hdr), 0);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 3);
	ck_assert_uint_eq(h->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(h->gso_type, 1);
	ck_assert_uint_eq(h->hdr_len, 54);
	ck_assert_uint_eq(h->gso_size, 1448);
	ck_assert_uint_eq(h->csum_start, 34);
	ck_assert_uint_eq(h->csum_offset, 16);
	ck_assert_uint_eq(h->num_buffers, 3);
	check_pattern(reg_a + OFF_BUF + 12, 20, 5);
	check_pattern(reg_a + OFF_BUF + 0x100, 32, 25);
	check_pattern(reg_a + OFF_BUF + 0x200, 8, 57);
	/* Without a header: all zero but num_buffers. */
	post_rx(OFF_BUF + 0x300, 128);
	ck_assert_int_eq(vhost_vring_enqueue_hdr(&vr, &mem, frame, 60, NULL),
			 0);
	h = (const struct virtio_net_hdr *)(const void *)(reg_a + OFF_BUF +
							  0x300);
	ck_assert_uint_eq(h->flags | h->gso_type | h->hdr_len | h->gso_size |
			  h->csum_start | h->csum_offset, 0);
	ck_assert_uint_eq(h->num_buffers, 1);
}
END_TEST

START_TEST(test_rx_offload_header_split)
{
	uint8_t got[12];

	/* The header itself over three descriptors of 3, 4 and 100 bytes. */
	put_desc(0, GPA_A + OFF_BUF, 3, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 1);
	put_desc(1, GPA_A + OFF_BUF + 0x100, 4,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	put_desc(2, GPA_A + OFF_BUF + 0x200, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(0);
	fill_frame(80, 9);
	ck_assert_int_eq(vhost_vring_enqueue_hdr(&vr, &mem, frame, 80,
						 &tso_hdr), 0);
	memcpy(got, reg_a + OFF_BUF, 3);
	memcpy(got + 3, reg_a + OFF_BUF + 0x100, 4);
	memcpy(got + 7, reg_a + OFF_BUF + 0x200, 5);
	ck_assert_uint_eq(got[0], VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(got[1], 1);
	ck_assert_uint_eq(got[2] | got[3] << 8, 54);		/* hdr_len */
	ck_assert_uint_eq(got[4] | got[5] << 8, 1448);		/* gso_size */
	ck_assert_uint_eq(got[6] | got[7] << 8, 34);		/* csum_start */
	ck_assert_uint_eq(got[8] | got[9] << 8, 16);		/* csum_offset */
	ck_assert_uint_eq(got[10] | got[11] << 8, 1);		/* num_buffers */
	check_pattern(reg_a + OFF_BUF + 0x200 + 5, 80, 9);
}
END_TEST

START_TEST(test_rx_offload_too_few_buffers)
{
	/* 8 buffers of 32 bytes cannot hold 12 + 300: nothing is consumed
	 * or published, and the ring still works. */
	for (int i = 0; i < NUM; i++)
		post_rx(OFF_BUF + (uint64_t)i * 0x100, 32);
	fill_frame(300, 3);
	ck_assert_int_eq(vhost_vring_enqueue_hdr(&vr, &mem, frame, 300,
						 &tso_hdr), -ENOBUFS);
	ck_assert_uint_eq(vr.stats.no_buffers, 1);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 0);
	ck_assert_int_eq(vhost_vring_avail_count(&vr), NUM);
	ck_assert_int_eq(vhost_vring_enqueue_hdr(&vr, &mem, frame, 200,
						 &tso_hdr), 0);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 7);
}
END_TEST

START_TEST(test_rx_header_split)
{
	uint16_t nb;

	/* First buffer: a chain of 11 + 100 bytes, so num_buffers (bytes
	 * 10-11 of the header) straddles two descriptors. */
	put_desc(0, GPA_A + OFF_BUF, 11, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT,
		 1);
	put_desc(1, GPA_A + OFF_BUF + 0x100, 100, VIRTQ_DESC_F_WRITE, 0);
	make_avail(0);
	put_desc(2, GPA_A + OFF_BUF + 0x200, 200, VIRTQ_DESC_F_WRITE, 0);
	make_avail(2);
	fill_frame(150, 0);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 150), 0);
	nb = (uint16_t)(reg_a[OFF_BUF + 10] | reg_a[OFF_BUF + 0x100] << 8);
	ck_assert_uint_eq(nb, 2);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->ring[0].len, 111);
	ck_assert_uint_eq(g_used()->ring[1].len, 51);
}
END_TEST

START_TEST(test_rx_readable_descriptor)
{
	put_desc(0, GPA_A + OFF_BUF, 2048, 0, 0);	/* not WRITE */
	make_avail(0);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), -EINVAL);
	ck_assert_uint_eq(vr.stats.bad_desc, 1);
	ck_assert_uint_eq(vr.last_used_idx, 1);		/* returned */
	/* A bad buffer in the middle of a mergeable frame. */
	teardown();
	setup_mrg();
	post_rx(OFF_BUF, 32);
	put_desc(1, 0xdead0000, 32, VIRTQ_DESC_F_WRITE, 0);
	make_avail(1);
	next_desc = 2;
	post_rx(OFF_BUF + 0x200, 64);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), -EFAULT);
	vhost_vring_publish(&vr);
	ck_assert_uint_eq(g_used()->idx, 2);
	ck_assert_uint_eq(g_used()->ring[0].len, 0);
	ck_assert_uint_eq(g_used()->ring[1].len, 0);
}
END_TEST

/*
 * Notification suppression.
 */

START_TEST(test_notify_flags)
{
	/* No EVENT_IDX: the NO_INTERRUPT / NO_NOTIFY flags. */
	post_rx(OFF_BUF, 2048);
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	ck_assert(vhost_vring_should_notify(&vr));
	g_avail()->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	ck_assert(!vhost_vring_should_notify(&vr));
	vhost_vring_set_kick_wanted(&vr, false);
	ck_assert_uint_eq(g_used()->flags, VIRTQ_USED_F_NO_NOTIFY);
	vhost_vring_set_kick_wanted(&vr, true);
	ck_assert_uint_eq(g_used()->flags, 0);
}
END_TEST

START_TEST(test_notify_event_idx)
{
	uint16_t *used_event = virtq_used_event(g_avail(), NUM);
	uint16_t *avail_event = virtq_avail_event(g_used(), NUM);

	for (unsigned i = 0; i < 4; i++)
		post_rx(OFF_BUF + i * 0x100, 128);
	/* The driver wants a notification once entry 2 is used. */
	*used_event = 2;
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	ck_assert(vhost_vring_should_notify(&vr));	/* first one */
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	ck_assert(!vhost_vring_should_notify(&vr));	/* 1 -> 2 */
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	ck_assert(vhost_vring_should_notify(&vr));	/* 2 -> 3 crosses */
	ck_assert_int_eq(vhost_vring_enqueue(&vr, &mem, frame, 60), 0);
	vhost_vring_publish(&vr);
	ck_assert(!vhost_vring_should_notify(&vr));
	/* Kick requests go through avail_event. */
	vhost_vring_set_kick_wanted(&vr, true);
	ck_assert_uint_eq(*avail_event, vr.last_avail_idx);
	vhost_vring_set_kick_wanted(&vr, false);
	ck_assert_uint_eq(*avail_event, (uint16_t)(vr.last_avail_idx + 0x8000));
	ck_assert(virtq_need_event(5, 6, 5));
	ck_assert(!virtq_need_event(6, 6, 5));
	ck_assert(virtq_need_event(65535, 1, 65534));
}
END_TEST

/* vhost_vring_prefetch() is a hint: whatever the ring holds (a good
 * frame, a head out of range, an unmapped buffer), it consumes, writes
 * and counts nothing, and the dequeues after it see what they would have
 * seen without it. */
START_TEST(test_prefetch_changes_nothing)
{
	uint8_t *copy_a = malloc(REG_SIZE), *copy_b = malloc(REG_SIZE);
	struct vhost_vring before;
	uint8_t buf[256];
	uint32_t len;

	ck_assert_ptr_nonnull(copy_a);
	ck_assert_ptr_nonnull(copy_b);
	guest_tx(0, 60, 7);
	put_desc(4, 0xdead00000000ull, 64, 0, 0);	/* not mapped */
	make_avail(4);
	make_avail(NUM + 3);				/* out of range */
	ck_assert_int_eq(vhost_vring_avail_count(&vr), 3);
	memcpy(&before, &vr, sizeof vr);
	memcpy(copy_a, reg_a, REG_SIZE);
	memcpy(copy_b, reg_b, REG_SIZE);

	vhost_vring_prefetch(&vr, &mem, 1000, VIRTIO_NET_HDR_LEN, 64, false);
	vhost_vring_prefetch(&vr, &mem, 2, 0, 128, true);
	vhost_vring_prefetch(&vr, &mem, 0, 0, 1, true);
	ck_assert_int_eq(memcmp(&before, &vr, sizeof vr), 0);
	ck_assert_int_eq(memcmp(copy_a, reg_a, REG_SIZE), 0);
	ck_assert_int_eq(memcmp(copy_b, reg_b, REG_SIZE), 0);

	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf,
					     &len), 0);
	ck_assert_uint_eq(len, 60);
	check_pattern(buf, len, 7);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf,
					     &len), -EFAULT);
	ck_assert_uint_eq(vr.stats.bad_desc, 1);
	ck_assert_int_eq(vhost_vring_dequeue(&vr, &mem, buf, sizeof buf,
					     &len), -EIO);
	ck_assert_uint_eq(vr.stats.broken, 1);
	/* A broken ring: nothing to ask for, nothing changes. */
	memcpy(&before, &vr, sizeof vr);
	vhost_vring_prefetch(&vr, &mem, 32, 0, 64, true);
	ck_assert_int_eq(memcmp(&before, &vr, sizeof vr), 0);
	free(copy_a);
	free(copy_b);
}
END_TEST

START_TEST(test_resync)
{
	g_used()->idx = 7;
	g_avail()->idx = 7;
	vr.last_avail_idx = vr.last_used_idx = 0;
	vhost_vring_resync(&vr);
	ck_assert_uint_eq(vr.last_avail_idx, 7);
	ck_assert_uint_eq(vr.last_used_idx, 7);
	ck_assert_int_eq(vhost_vring_avail_count(&vr), 0);
}
END_TEST

static Suite *
vhost_ring_suite(void)
{
	Suite *s = suite_create("vhost_ring");
	TCase *tc;

	tc = tcase_create("memory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mem_check);
	tcase_add_test(tc, test_translate);
	tcase_add_test(tc, test_map_checks);
	suite_add_tcase(s, tc);

	tc = tcase_create("in_order");
	tcase_add_checked_fixture(tc, setup_in_order, teardown);
	tcase_add_test(tc, test_in_order_completion);
	tcase_add_test(tc, test_in_order_drop_keeps_place);
	suite_add_tcase(s, tc);

	tc = tcase_create("guest_tx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tx_basic);
	tcase_add_test(tc, test_tx_wraps);
	tcase_add_test(tc, test_tx_straddles_regions);
	tcase_add_test(tc, test_tx_header_shares_descriptor);
	tcase_add_test(tc, test_tx_indirect);
	tcase_add_test(tc, test_tx_indirect_not_negotiated);
	suite_add_tcase(s, tc);

	tc = tcase_create("guest_tx_lend");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ref_lends_contiguous_frame);
	tcase_add_test(tc, test_dequeue_gives_header);
	tcase_add_test(tc, test_ref_header_shares_descriptor);
	tcase_add_test(tc, test_ref_split_frame_is_copied);
	tcase_add_test(tc, test_ref_out_of_order_completion);
	tcase_add_test(tc, test_ref_bad_descriptor_still_dropped);
	tcase_add_test(tc, test_avail_index_read_once_per_burst);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tx_out_of_range_dropped);
	tcase_add_test(tc, test_tx_zero_and_huge_lengths);
	tcase_add_test(tc, test_tx_loop_breaks_ring);
	tcase_add_test(tc, test_tx_self_loop_and_next_out_of_range);
	tcase_add_test(tc, test_tx_bad_head);
	tcase_add_test(tc, test_avail_index_jump);
	tcase_add_test(tc, test_tx_write_only_descriptor);
	tcase_add_test(tc, test_tx_chain_too_long);
	tcase_add_test(tc, test_rx_readable_descriptor);
	suite_add_tcase(s, tc);

	tc = tcase_create("guest_rx");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rx_basic);
	tcase_add_test(tc, test_rx_too_small_without_mrg);
	tcase_add_test(tc, test_rx_offload_too_small_without_mrg);
	tcase_add_test(tc, test_notify_flags);
	suite_add_tcase(s, tc);

	tc = tcase_create("guest_rx_mergeable");
	tcase_add_checked_fixture(tc, setup_mrg, teardown);
	tcase_add_test(tc, test_rx_mergeable);
	tcase_add_test(tc, test_rx_mergeable_not_enough);
	tcase_add_test(tc, test_rx_header_split);
	tcase_add_test(tc, test_rx_offload_header);
	tcase_add_test(tc, test_rx_offload_header_split);
	tcase_add_test(tc, test_rx_offload_too_few_buffers);
	tcase_add_test(tc, test_notify_event_idx);
	tcase_add_test(tc, test_resync);
	tcase_add_test(tc, test_prefetch_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vhost_ring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
