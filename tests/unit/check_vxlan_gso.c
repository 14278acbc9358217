/*
 * check_vxlan_gso.c - unit tests for vxlan-gso.c: packing a TCP
 * super-frame into a run of VXLAN payloads for UDP GSO (sizes, the short
 * last segment, the per-run limits), and the software GRO that grows
 * decapsulated segments back into a super-frame (what merges and what
 * must not: other flows, gaps, bad checksums and lengths, non-TCP, flags,
 * the 64 KiB bound).
 *
 * Checksums are verified here with a plain RFC 1071 sum over big-endian
 * 16-bit words, written for the test, not with the code under test.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "pkt.h"
#include "pkt-offload.h"
#include "vxlan-gso.h"
#include "vxlan-wire.h"

#define HDR4	(14 + 20 + 32)	/* Ethernet, IPv4, TCP with 12 option bytes */
#define HDR6	(14 + 40 + 32)

/* RFC 1071 over big-endian words, 'sum' carried in; not folded. */
static uint32_t
ref_sum(uint32_t sum, const uint8_t *d, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(d[i] << 8 | d[i + 1]);
	if (len & 1)
		sum += (uint32_t)d[len - 1] << 8;
	return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The TCP checksum over frame 'f' (IP at 14) as a receiver checks it:
 * 0 when right. */
static uint16_t
ref_tcp_check(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14;
	uint32_t sum, l4, l4_len;

	if (ip[0] >> 4 == 4) {
		l4 = 14 + 20;
		l4_len = len - l4;
		sum = ref_sum(0, ip + 12, 8) + 6 + l4_len;
	} else {
		l4 = 14 + 40;
		l4_len = len - l4;
		sum = ref_sum(0, ip + 8, 32) + 6 + l4_len;
	}
	return ref_fold(ref_sum(sum, f + l4, l4_len));
}

static void
put_checksums(uint8_t *f, uint32_t len)
{
	uint8_t *ip = f + 14;
	uint32_t l4 = ip[0] >> 4 == 4 ? 14 + 20 : 14 + 40;
	uint16_t c;

	if (ip[0] >> 4 == 4) {
		eth_put_be16(ip + 10, 0);
		eth_put_be16(ip + 10, ref_fold(ref_sum(0, ip, 20)));
	}
	eth_put_be16(f + l4 + 16, 0);
	c = ref_tcp_check(f, len);
	eth_put_be16(f + l4 + 16, c);
}

/* The payload byte at TCP sequence offset 'i'. */
static uint8_t
pay(uint32_t i)
{
	return (uint8_t)(i * 7 + (i >> 8));
}

struct seg_spec {
	bool v6;
	uint16_t sport;
	uint32_t seq;		/* offset from 1000 */
	uint16_t id;		/* IPv4 id */
	uint8_t flags;		/* TCP flags */
	uint32_t payload;
};

/* A TCP segment 10.0.0.1:sport -> 10.0.0.2:80 (or fd00::1 -> fd00::2),
 * ack 0x22222222, window 1000, a 12-byte timestamp option, 'payload'
 * bytes pay(seq..), every checksum right.  Returns its length. */
static uint32_t
build_seg(uint8_t *f, const struct seg_spec *s)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint32_t hdr = s->v6 ? HDR6 : HDR4, len = hdr + s->payload;
	uint8_t *ip = f + 14, *tcp = f + hdr - 32;

	memset(f, 0, hdr);
	memcpy(f, macs, 12);
	if (s->v6) {
		eth_put_be16(f + 12, ETH_TYPE_IPV6);
		ip[0] = 0x60;
		eth_put_be16(ip + 4, (uint16_t)(len - 14 - 40));
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0xfd, ip[23] = 1;
		ip[24] = 0xfd, ip[39] = 2;
	} else {
		eth_put_be16(f + 12, ETH_TYPE_IPV4);
		ip[0] = 0x45;
		eth_put_be16(ip + 2, (uint16_t)(len - 14));
		eth_put_be16(ip + 4, s->id);
		eth_put_be16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		ip[12] = 10, ip[15] = 1;
		ip[16] = 10, ip[19] = 2;
	}
	eth_put_be16(tcp, s->sport);
	eth_put_be16(tcp + 2, 80);
	eth_put_be32(tcp + 4, 1000 + s->seq);
	eth_put_be32(tcp + 8, 0x22222222);
	tcp[12] = 8 << 4;
	tcp[13] = s->flags;
	eth_put_be16(tcp + 14, 1000);
	tcp[20] = 1, tcp[21] = 1, tcp[22] = 8, tcp[23] = 10;	/* NOP NOP TS */
	eth_put_be32(tcp + 24, 0x01020304);
	eth_put_be32(tcp + 28, 0x05060708);
	for (uint32_t i = 0; i < s->payload; i++)
		f[hdr + i] = pay(s->seq + i);
	put_checksums(f, len);
	return len;
}

/* A TCPv4 super-frame of 'payload' bytes from seq 0, gso_size 'mss',
 * flags ACK|PSH, its checksum left partial as a TAP hands it over. */
static void
build_super(struct pkt *p, bool v6, uint32_t payload, uint16_t mss)
{
	struct seg_spec s = { v6, 5555, 0, 0x100, 0x18, payload };
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6
			    : VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = mss,
		.csum_start = (v6 ? HDR6 : HDR4) - 32,
		.csum_offset = 16,
	};

	p->len = build_seg(p->data, &s);
	h.hdr_len = v6 ? HDR6 : HDR4;
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	ck_assert(pkt_is_gso(p));
}

static struct pkt_pool *pool;

static void
setup(void)
{
	pool = pkt_pool_create(8);
}

static void
teardown(void)
{
	pkt_pool_destroy(pool);
}

/* --- packing --------------------------------------------------------- */

/* 2500 bytes by 1000: three VXLAN payloads, the last short, each a VNI
 * header and a complete segment. */
START_TEST(test_pack_last_short)
{
	struct pkt *p = pkt_alloc(pool);
	static uint8_t buf[VXLAN_GSO_MAX_BYTES];
	uint32_t off = 0, seg;
	unsigned n = 0;
	size_t len, pos = 0;

	build_super(p, _i, 2500, 1000);
	seg = vxlan_gso_seg_size(p);
	ck_assert_uint_eq(seg, 8 + (_i ? HDR6 : HDR4) + 1000u);
	len = vxlan_gso_pack(p, 0x123456, &off, buf, sizeof buf, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(off, 3000);
	ck_assert_uint_eq(len, 2 * seg + seg - 500);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *f = buf + pos + 8;
		uint32_t flen = (uint32_t)(i < 2 ? seg : len - pos) - 8;
		uint32_t hdr = _i ? HDR6 : HDR4, vni;
		uint8_t *tcp = f + hdr - 32;

		ck_assert_int_eq(vxlan_hdr_decode(buf + pos, 8, &vni),
				 VXLAN_HDR_OK);
		ck_assert_uint_eq(vni, 0x123456);
		ck_assert_uint_eq(ref_tcp_check(f, flen), 0);
		if (!_i) {
			ck_assert_uint_eq(eth_get_be16(f + 16), flen - 14);
			ck_assert_uint_eq(eth_get_be16(f + 18), 0x100 + i);
			ck_assert_uint_eq(ref_fold(ref_sum(0, f + 14, 20)), 0);
		} else {
			ck_assert_uint_eq(eth_get_be16(f + 18),
					  flen - 14 - 40);
		}
		ck_assert_uint_eq(eth_get_be32(tcp + 4), 1000 + i * 1000);
		/* PSH on the last only. */
		ck_assert_uint_eq(tcp[13], i == 2 ? 0x18 : 0x10);
		for (uint32_t k = 0; k < flen - hdr; k++)
			ck_assert_uint_eq(f[hdr + k], pay(i * 1000 + k));
		pos += i < 2 ? seg : len - pos;
	}
	pkt_free(pool, p);
}
END_TEST

/* A run stops at the room given, at 64 payloads and at one IP
 * datagram's worth; the next call goes on where it stopped. */
START_TEST(test_pack_limits)
{
	struct pkt *p = pkt_alloc(pool);
	static uint8_t buf[VXLAN_GSO_MAX_BYTES];
	uint32_t off = 0, seg;
	unsigned n = 0;
	size_t len;

	build_super(p, false, 2500, 1000);
	seg = vxlan_gso_seg_size(p);
	len = vxlan_gso_pack(p, 1, &off, buf, 2 * seg + 10, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(len, 2 * seg);
	ck_assert_uint_eq(off, 2000);
	len = vxlan_gso_pack(p, 1, &off, buf, sizeof buf, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(len, seg - 500);
	ck_assert_uint_eq(eth_get_be32(buf + 8 + HDR4 - 32 + 4), 3000);
	/* Done: nothing more. */
	ck_assert_uint_eq(vxlan_gso_pack(p, 1, &off, buf, sizeof buf, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* No room for one payload. */
	off = 0;
	ck_assert_uint_eq(vxlan_gso_pack(p, 1, &off, buf, seg - 1, &n), 0);
	ck_assert_uint_eq(off, 0);

	/* 100-byte segments: 64 per run. */
	build_super(p, false, 65 * 100, 100);
	off = 0;
	vxlan_gso_pack(p, 1, &off, buf, sizeof buf, &n);
	ck_assert_uint_eq(n, VXLAN_GSO_MAX_SEGS);
	vxlan_gso_pack(p, 1, &off, buf, sizeof buf, &n);
	ck_assert_uint_eq(n, 1);

	/* 1448-byte segments of 64000 bytes: 44 fit one IP datagram. */
	build_super(p, false, 64000, 1448);
	off = 0;
	len = vxlan_gso_pack(p, 1, &off, buf, sizeof buf, &n);
	ck_assert_uint_le(len, VXLAN_GSO_MAX_BYTES);
	ck_assert_uint_eq(n, VXLAN_GSO_MAX_BYTES / vxlan_gso_seg_size(p));
	pkt_free(pool, p);
}
END_TEST

/* --- growing ---------------------------------------------------------- */

/* Segments packed from a super-frame grow back into it: same length,
 * headers and payload; its offload state that of a TAP's super-frame,
 * and cut again it gives the same segments. */
START_TEST(test_gro_round_trip)
{
	struct pkt *p = pkt_alloc(pool), *q = pkt_alloc(pool);
	static uint8_t buf[VXLAN_GSO_MAX_BYTES];
	struct pkt *segs[8];
	struct vxlan_gro g;
	uint32_t off = 0, seg, hdr = _i ? HDR6 : HDR4;
	unsigned n = 0;
	size_t len;

	build_super(p, _i, 2500, 1000);
	seg = vxlan_gso_seg_size(p);
	len = vxlan_gso_pack(p, 7, &off, buf, sizeof buf, &n);
	ck_assert_uint_eq(n, 3);
	memcpy(q->data, buf + 8, seg - 8);
	q->len = seg - 8;
	ck_assert(vxlan_gro_start(&g, q));
	ck_assert(!pkt_is_gso(q));
	ck_assert(vxlan_gro_merge(&g, buf + seg + 8, seg - 8));
	ck_assert(pkt_is_gso(q));
	ck_assert(vxlan_gro_merge(&g, buf + 2 * seg + 8,
				  (uint32_t)(len - 2 * seg - 8)));
	ck_assert_uint_eq(g.segs, 3);
	ck_assert(g.closed);			/* short, and PSH */
	ck_assert_uint_eq(q->len, p->len);
	ck_assert_uint_eq(q->ol.gso_type, p->ol.gso_type);
	ck_assert_uint_eq(q->ol.gso_size, 1000);
	ck_assert_uint_eq(q->ol.hdr_len, hdr);
	ck_assert_uint_eq(q->ol.csum_start, hdr - 32);
	ck_assert_uint_eq(q->ol.csum_offset, 16);
	ck_assert_uint_eq(q->ol.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	/* Headers but the TCP checksum field (partial in both) and the
	 * IPv4 checksum (p's is the stack's, unset here). */
	ck_assert_mem_eq(q->data, p->data, hdr - 32 + 16);
	ck_assert_mem_eq(q->data + hdr - 14, p->data + hdr - 14, 14);
	ck_assert_mem_eq(q->data + hdr, p->data + hdr, p->len - hdr);
	/* The partial checksum finishes to the right one. */
	{
		struct pkt *c = pkt_alloc(pool);

		memcpy(c->data, q->data, q->len);
		c->len = q->len;
		c->ol = q->ol;
		c->ol.gso_type = 0;
		pkt_csum_finish(c);
		ck_assert_uint_eq(ref_tcp_check(c->data, c->len), 0);
		pkt_free(pool, c);
	}
	off = 0;
	ck_assert_int_eq(pkt_gso_segment(q, q->ol.gso_size, pool, segs, 8,
					 &off), 3);
	for (int i = 0; i < 3; i++) {
		uint32_t l = i < 2 ? seg - 8 : (uint32_t)(len - 2 * seg - 8);

		ck_assert_uint_eq(segs[i]->len, l);
		ck_assert_mem_eq(segs[i]->data, buf + i * seg + 8, l);
		pkt_free(pool, segs[i]);
	}
	pkt_free(pool, p);
	pkt_free(pool, q);
}
END_TEST

/* Starts a super-frame from segment 'a' in 'p'; returns whether 'b'
 * merges into it. */
static bool
merges(struct pkt *p, struct vxlan_gro *g, const struct seg_spec *a,
       const uint8_t *b, uint32_t blen)
{
	p->len = build_seg(p->data, a);
	memset(&p->ol, 0, sizeof p->ol);
	ck_assert(vxlan_gro_start(g, p));
	return vxlan_gro_merge(g, b, blen);
}

/* What does not merge, each on its own. */
START_TEST(test_gro_refused)
{
	struct pkt *p = pkt_alloc(pool);
	static uint8_t b[PKT_DATA_MAX];
	struct seg_spec a = { false, 5555, 0, 7, 0x10, 1000 }, s;
	struct vxlan_gro g;
	uint32_t len;

	/* The good next segment merges. */
	s = a, s.seq = 1000, s.id = 8;
	len = build_seg(b, &s);
	ck_assert(merges(p, &g, &a, b, len));

	/* Another flow (source port). */
	s = a, s.seq = 1000, s.id = 8, s.sport = 5556;
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	ck_assert_uint_eq(p->len, HDR4 + 1000);
	ck_assert(!pkt_is_gso(p));
	/* A gap in the sequence; a repeat. */
	s = a, s.seq = 2000, s.id = 8;
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	s = a, s.id = 8;
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	/* IPv4 id not the next one. */
	s = a, s.seq = 1000, s.id = 9;
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	/* A bad TCP checksum; a bad IPv4 header checksum. */
	s = a, s.seq = 1000, s.id = 8;
	len = build_seg(b, &s);
	b[HDR4 + 10] ^= 1;
	ck_assert(!merges(p, &g, &a, b, len));
	len = build_seg(b, &s);
	b[14 + 10] ^= 1;
	ck_assert(!merges(p, &g, &a, b, len));
	/* Bad lengths: IP says more than the frame, or less (padding);
	 * a frame cut inside its headers; more payload than the first. */
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len - 1));
	b[len] = 0;
	ck_assert(!merges(p, &g, &a, b, len + 1));
	ck_assert(!merges(p, &g, &a, b, 14 + 20 + 10));
	s.payload = 1001;
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	/* Flags other than ACK and PSH. */
	s = a, s.seq = 1000, s.id = 8, s.flags = 0x11;	/* FIN */
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	s.flags = 0x90;					/* CWR */
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	/* Another option value (timestamp). */
	s = a, s.seq = 1000, s.id = 8;
	len = build_seg(b, &s);
	b[HDR4 - 1] ^= 1;
	put_checksums(b, len);
	ck_assert(!merges(p, &g, &a, b, len));
	/* IPv6 onto IPv4. */
	s = a, s.seq = 1000, s.v6 = true;
	len = build_seg(b, &s);
	ck_assert(!merges(p, &g, &a, b, len));
	pkt_free(pool, p);
}
END_TEST

/* What does not start a super-frame: not TCP, a bad checksum, SYN, no
 * payload, a frame already carrying offload work. */
START_TEST(test_gro_start_refused)
{
	struct pkt *p = pkt_alloc(pool);
	struct seg_spec a = { false, 5555, 0, 7, 0x10, 1000 };
	struct vxlan_gro g;

	p->len = build_seg(p->data, &a);
	p->data[14 + 9] = 17;				/* UDP */
	put_checksums(p->data, p->len);
	ck_assert(!vxlan_gro_start(&g, p));
	ck_assert_ptr_null(g.p);
	p->len = build_seg(p->data, &a);
	p->data[p->len - 1] ^= 0xff;
	ck_assert(!vxlan_gro_start(&g, p));
	a.flags = 0x12;					/* SYN|ACK */
	p->len = build_seg(p->data, &a);
	ck_assert(!vxlan_gro_start(&g, p));
	a.flags = 0x10;
	a.payload = 0;
	p->len = build_seg(p->data, &a);
	ck_assert(!vxlan_gro_start(&g, p));
	a.payload = 10;
	p->len = build_seg(p->data, &a);
	ck_assert(vxlan_gro_start(&g, p));
	p->ol.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	ck_assert(!vxlan_gro_start(&g, p));
	/* An ARP frame. */
	memset(p->data, 0, 60);
	eth_put_be16(p->data + 12, ETH_TYPE_ARP);
	p->len = 60;
	memset(&p->ol, 0, sizeof p->ol);
	ck_assert(!vxlan_gro_start(&g, p));
	pkt_free(pool, p);
}
END_TEST

/* A short segment or PSH ends the super-frame; mixed flows interleaved
 * grow nothing; the IP datagram stays within 64 KiB. */
START_TEST(test_gro_ends)
{
	struct pkt *p = pkt_alloc(pool);
	static uint8_t b[PKT_DATA_MAX];
	struct seg_spec a = { true, 5555, 0, 0, 0x10, 1000 }, s;
	struct vxlan_gro g;
	uint32_t len, seq;

	/* Short, then a full one: not merged after the short. */
	s = a, s.seq = 1000, s.payload = 500;
	len = build_seg(b, &s);
	ck_assert(merges(p, &g, &a, b, len));
	ck_assert(g.closed);
	s = a, s.seq = 1500;
	len = build_seg(b, &s);
	ck_assert(!vxlan_gro_merge(&g, b, len));
	/* PSH: merged, and the last; the super-frame carries PSH. */
	s = a, s.seq = 1000, s.flags = 0x18;
	len = build_seg(b, &s);
	ck_assert(merges(p, &g, &a, b, len));
	ck_assert(g.closed);
	ck_assert_uint_eq(p->data[HDR6 - 32 + 13], 0x18);
	s = a, s.seq = 2000;
	len = build_seg(b, &s);
	ck_assert(!vxlan_gro_merge(&g, b, len));

	/* Up to 65535 bytes of IP datagram. */
	a.v6 = false;
	a.payload = 1400;
	p->len = build_seg(p->data, &a);
	memset(&p->ol, 0, sizeof p->ol);
	ck_assert(vxlan_gro_start(&g, p));
	for (seq = 1400;; seq += 1400) {
		s = a, s.seq = seq, s.id = (uint16_t)(a.id + seq / 1400);
		len = build_seg(b, &s);
		if (!vxlan_gro_merge(&g, b, len))
			break;
	}
	ck_assert_uint_le(p->len - 14, 65535);
	ck_assert_uint_gt(p->len - 14 + 1400, 65535);
	ck_assert_uint_eq(g.segs, seq / 1400);
	pkt_free(pool, p);
}
END_TEST

static Suite *
vxlan_gso_suite(void)
{
	Suite *s = suite_create("vxlan_gso");
	TCase *tc;

	tc = tcase_create("pack");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_pack_last_short, 0, 2);	/* v4, v6 */
	tcase_add_test(tc, test_pack_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("gro");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_gro_round_trip, 0, 2);
	tcase_add_test(tc, test_gro_refused);
	tcase_add_test(tc, test_gro_start_refused);
	tcase_add_test(tc, test_gro_ends);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vxlan_gso_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
