/*
 * check_pkt_offload.c - unit tests for lib/pkt-offload.c: the Internet
 * checksum, virtio-net header checks (bad headers refused, never trusted),
 * finishing a partial checksum, and cutting TCPv4/TCPv6/UDP GSO frames.
 *
 * The expected checksums are literal values computed by hand (RFC 1071
 * sums, big-endian 16-bit words) for the small frames built here: the
 * IPv4 header of RFC 1071's usual example, and two-segment super-frames
 * of the payload "abcdef" cut 4 + 2.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "eth.h"
#include "pkt.h"
#include "pkt-offload.h"

static const uint8_t payload6[] = "abcdef";

/* Ethernet 02:..:02 <- 02:..:01, 'type'. */
static uint32_t
put_eth(uint8_t *d, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memcpy(d, macs, 12);
	eth_put_be16(d + 12, type);
	return ETH_HDR_LEN;
}

/* A TCPv4 GSO frame 10.0.0.1:1234 -> 10.0.0.2:80, IP id 0x100, DF, seq
 * 1000, ack 0x11111111, window 512, flags CWR|PSH|ACK|FIN, payload
 * "abcdef"; the TCP checksum field holds junk (the pseudo-header sum a
 * stack would leave is not needed: segments are summed from scratch). */
static uint32_t
build_tcp4(uint8_t *d)
{
	uint32_t o = put_eth(d, ETH_TYPE_IPV4);
	uint8_t *ip = d + o, *tcp = ip + 20;

	memset(ip, 0, 40);
	ip[0] = 0x45;
	eth_put_be16(ip + 2, 46);
	eth_put_be16(ip + 4, 0x100);
	eth_put_be16(ip + 6, 0x4000);
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10, ip[15] = 1;
	ip[16] = 10, ip[19] = 2;
	eth_put_be16(tcp, 1234);
	eth_put_be16(tcp + 2, 80);
	eth_put_be32(tcp + 4, 1000);
	eth_put_be32(tcp + 8, 0x11111111);
	tcp[12] = 5 << 4;
	tcp[13] = 0x80 | 0x10 | 0x08 | 0x01;
	eth_put_be16(tcp + 14, 512);
	eth_put_be16(tcp + 16, 0xdead);
	memcpy(tcp + 20, payload6, 6);
	return o + 40 + 6;
}

/* A UDP-over-IPv6 GSO frame ::1:5000 -> ::2:6000, payload "abcdef". */
static uint32_t
build_udp6(uint8_t *d)
{
	uint32_t o = put_eth(d, ETH_TYPE_IPV6);
	uint8_t *ip = d + o, *udp = ip + 40;

	memset(ip, 0, 48);
	ip[0] = 0x60;
	eth_put_be16(ip + 4, 14);
	ip[6] = 17;
	ip[7] = 64;
	ip[23] = 1;
	ip[39] = 2;
	eth_put_be16(udp, 5000);
	eth_put_be16(udp + 2, 6000);
	eth_put_be16(udp + 4, 14);
	memcpy(udp + 8, payload6, 6);
	return o + 40 + 8 + 6;
}

static struct virtio_net_hdr
vnet(uint8_t gso_type, uint16_t gso_size, uint16_t csum_start,
     uint16_t csum_offset)
{
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = gso_type,
		.gso_size = gso_size,
		.csum_start = csum_start,
		.csum_offset = csum_offset,
	};

	return h;
}

static uint16_t
be16_at(const uint8_t *d)
{
	return eth_get_be16(d);
}

START_TEST(test_csum_rfc1071_example)
{
	static const uint8_t iph[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	uint16_t c = csum_fold(csum_add(0, iph, sizeof iph));
	uint8_t b[2];

	memcpy(b, &c, 2);
	ck_assert_uint_eq(be16_at(b), 0xb861);
	/* Odd length: the last byte is the high half of a word. */
	{
		static const uint8_t odd[3] = { 0x01, 0x02, 0x03 };

		c = csum_fold(csum_add(0, odd, 3));
		memcpy(b, &c, 2);
		ck_assert_uint_eq(be16_at(b), (uint16_t)~(0x0102 + 0x0300));
	}
}
END_TEST

START_TEST(test_bad_headers_refused)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p = pkt_alloc(pool);
	struct virtio_net_hdr h;

	p->len = build_tcp4(p->data);
	/* gso_size 0 */
	h = vnet(VIRTIO_NET_HDR_GSO_TCPV4, 0, 34, 16);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	/* hdr_len beyond the frame */
	h = vnet(VIRTIO_NET_HDR_GSO_TCPV4, 4, 34, 16);
	h.hdr_len = (uint16_t)(p->len + 1);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	/* csum_start out of range, and inside the Ethernet header */
	h = vnet(VIRTIO_NET_HDR_GSO_NONE, 0, (uint16_t)p->len, 0);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	h = vnet(VIRTIO_NET_HDR_GSO_NONE, 0, 34, (uint16_t)(p->len - 35));
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	h = vnet(VIRTIO_NET_HDR_GSO_NONE, 0, 2, 0);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	/* unknown flags; UFO; an unknown type; TCPv6 on an IPv4 frame */
	h = vnet(VIRTIO_NET_HDR_GSO_NONE, 0, 34, 16);
	h.flags |= 0x80;
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	h = vnet(VIRTIO_NET_HDR_GSO_UDP, 4, 34, 6);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	h = vnet(9, 4, 34, 16);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	h = vnet(VIRTIO_NET_HDR_GSO_TCPV6, 4, 34, 16);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	/* GSO without NEEDS_CSUM; checksum not at the TCP header */
	h = vnet(VIRTIO_NET_HDR_GSO_TCPV4, 4, 34, 16);
	h.flags = 0;
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	h = vnet(VIRTIO_NET_HDR_GSO_TCPV4, 4, 14, 16);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	/* A fragment is never segmented. */
	h = vnet(VIRTIO_NET_HDR_GSO_TCPV4, 4, 34, 16);
	p->data[14 + 6] |= 0x20;
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	p->data[14 + 6] &= (uint8_t)~0x20;
	ck_assert(!pkt_offload_pending(p));
	/* Headers only, no payload. */
	p->len -= 6;
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), -EINVAL);
	p->len += 6;
	/* And the good one. */
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	ck_assert(pkt_is_gso(p));
	ck_assert_uint_eq(p->ol.l3_off, 14);
	ck_assert_uint_eq(p->ol.l4_off, 34);
	ck_assert_uint_eq(p->ol.hdr_len, 54);
	ck_assert_uint_eq(pkt_offload_needs(p), PKT_OL_CSUM | PKT_OL_TSO4);
	/* One segment's worth is a plain checksum offload. */
	h = vnet(VIRTIO_NET_HDR_GSO_TCPV4, 6, 34, 16);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	ck_assert(!pkt_is_gso(p));
	ck_assert(pkt_offload_pending(p));
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_segment_tcp4)
{
	struct pkt_pool *pool = pkt_pool_create(4);
	struct pkt *p = pkt_alloc(pool), *segs[4];
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_GSO_TCPV4, 4, 34, 16);
	static const uint16_t ip_csum[2] = { 0x25ca, 0x25cb };
	static const uint16_t tcp_csum[2] = { 0xa95b, 0x0931 };
	static const uint8_t flags[2] = { 0x90, 0x19 };
	uint32_t off = 0;

	p->len = build_tcp4(p->data);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	ck_assert_int_eq(pkt_gso_segment(p, 4, pool, segs, 4, &off), 2);
	ck_assert_uint_eq(off, 8);
	for (int i = 0; i < 2; i++) {
		const uint8_t *ip = segs[i]->data + 14, *tcp = ip + 20;
		uint32_t n = i ? 2 : 4;

		ck_assert_uint_eq(segs[i]->len, 54 + n);
		ck_assert(!pkt_offload_pending(segs[i]));
		ck_assert_uint_eq(be16_at(ip + 2), 40 + n);
		ck_assert_uint_eq(be16_at(ip + 4), 0x100 + i);
		ck_assert_uint_eq(be16_at(ip + 10), ip_csum[i]);
		ck_assert_uint_eq(eth_get_be32(tcp + 4), 1000 + 4 * i);
		ck_assert_uint_eq(tcp[13], flags[i]);
		ck_assert_uint_eq(be16_at(tcp + 16), tcp_csum[i]);
		ck_assert_mem_eq(tcp + 20, payload6 + 4 * i, n);
		pkt_free(pool, segs[i]);
	}
	/* The source frame is untouched. */
	ck_assert_uint_eq(be16_at(p->data + 14 + 2), 46);
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_segment_udp6_and_pool_empty)
{
	struct pkt_pool *pool = pkt_pool_create(2);
	struct pkt *p = pkt_alloc(pool), *segs[2];
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_GSO_UDP_L4, 4, 54, 6);
	static const uint16_t udp_csum[2] = { 0x1015, 0x6f79 };
	uint32_t off = 0;

	p->len = build_udp6(p->data);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	ck_assert_uint_eq(pkt_offload_needs(p), PKT_OL_CSUM | PKT_OL_USO);
	/* Room for one segment only: the rest waits for the next call. */
	ck_assert_int_eq(pkt_gso_segment(p, 4, pool, segs, 2, &off), 1);
	ck_assert_int_eq(pkt_gso_segment(p, 4, pool, segs + 1, 1, &off), 0);
	ck_assert_uint_eq(off, 4);
	{
		const uint8_t *ip = segs[0]->data + 14, *udp = ip + 40;

		ck_assert_uint_eq(segs[0]->len, 14 + 40 + 8 + 4);
		ck_assert_uint_eq(be16_at(ip + 4), 12);
		ck_assert_uint_eq(be16_at(udp + 4), 12);
		ck_assert_uint_eq(be16_at(udp + 6), udp_csum[0]);
	}
	pkt_free(pool, segs[0]);
	ck_assert_int_eq(pkt_gso_segment(p, 4, pool, segs, 2, &off), 1);
	{
		const uint8_t *udp = segs[0]->data + 14 + 40;

		ck_assert_uint_eq(be16_at(udp + 4), 10);
		ck_assert_uint_eq(be16_at(udp + 6), udp_csum[1]);
	}
	pkt_free(pool, segs[0]);
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_csum_finish_and_vlan_shift)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p = pkt_alloc(pool);
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_GSO_NONE, 0, 34, 16);
	uint8_t pseudo[2];

	/* Only the first 4 payload bytes: the frame of segment 0 above,
	 * whose TCP checksum is 0xa95b when complete.  A stack leaves the
	 * pseudo-header sum (not complemented) in the field:
	 * 0x0a00+0x0001+0x0a00+0x0002+0x0006+0x0018 = 0x1421. */
	p->len = build_tcp4(p->data) - 2;
	eth_put_be16(p->data + 14 + 2, 44);
	eth_put_be16(p->data + 14 + 20 + 12, 0x5090);	/* doff 5, CWR|ACK */
	eth_put_be16(pseudo, 0x1421);
	memcpy(p->data + 34 + 16, pseudo, 2);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	ck_assert_uint_eq(pkt_offload_needs(p), PKT_OL_CSUM);
	/* A pushed tag moves the checksum position with the headers. */
	pkt_push_vlan(p, ETH_TYPE_VLAN, 5);
	ck_assert_uint_eq(p->ol.csum_start, 38);
	pkt_pop_vlan(p);
	ck_assert_uint_eq(p->ol.csum_start, 34);
	pkt_csum_finish(p);
	ck_assert(!pkt_offload_pending(p));
	ck_assert_uint_eq(be16_at(p->data + 34 + 16), 0xa95b);
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_to_vnet_round_trip)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p = pkt_alloc(pool);
	struct virtio_net_hdr h = vnet(VIRTIO_NET_HDR_GSO_TCPV4 |
				       VIRTIO_NET_HDR_GSO_ECN, 4, 34, 16), o;

	p->len = build_tcp4(p->data);
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	ck_assert(pkt_offload_needs(p) & PKT_OL_ECN);
	pkt_offload_to_vnet(p, &o);
	ck_assert_uint_eq(o.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(o.gso_type, h.gso_type);
	ck_assert_uint_eq(o.gso_size, 4);
	ck_assert_uint_eq(o.hdr_len, 54);
	ck_assert_uint_eq(o.csum_start, 34);
	ck_assert_uint_eq(o.csum_offset, 16);
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}
END_TEST

/* The plain RFC 1071 sum, 16-bit words in memory order, the initial
 * sum folded to 16 bits first so nothing can overflow: what csum_add()
 * must match bit for bit once folded. */
static uint64_t
ref_csum_add(uint64_t sum, const uint8_t *d, size_t len)
{
	size_t i;

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	for (i = 0; i + 1 < len; i += 2) {
		uint16_t w;

		memcpy(&w, d + i, 2);
		sum += w;
	}
	if (len & 1) {
		uint8_t w[2] = { d[len - 1], 0 };
		uint16_t v;

		memcpy(&v, w, 2);
		sum += v;
	}
	return sum;
}

/* A small deterministic generator, so a failure can be replayed. */
static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

START_TEST(test_csum_matches_reference)
{
	enum { BUF = 65536 + 64 };
	static uint8_t buf[BUF];
	static const uint64_t sums[] = {
		0, 1, 0xffff, 0x10000, 0xfffe0001, UINT64_MAX, UINT64_MAX - 1,
		0x8000000000000000ull,
	};
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned checked = 0, zero_folds = 0, ffff_folds = 0;

	/* Random bytes, then all zeros, then all 0xff (a nonzero sum that
	 * is 0 modulo 0xffff), then sparse ones: every length 0..300 from
	 * every start 0..15, then random long ones. */
	for (int pattern = 0; pattern < 4; pattern++) {
		for (size_t i = 0; i < BUF; i++)
			buf[i] = pattern == 0 ? (uint8_t)xorshift(&x)
				 : pattern == 1 ? 0
				 : pattern == 2 ? 0xff
				 : (xorshift(&x) & 63) ? 0 : (uint8_t)x;
		for (size_t len = 0; len <= 300 + 20; len++) {
			size_t l = len <= 300 ? len
				   : (size_t)(xorshift(&x) % 65536);

			for (size_t off = 0; off < 16; off++) {
				uint64_t s0 = sums[(len + off) %
						   (sizeof sums / sizeof sums[0])];
				uint16_t got = csum_fold(csum_add(s0, buf + off,
								  l));
				uint16_t want = csum_fold(ref_csum_add(
								s0, buf + off, l));

				ck_assert_msg(got == want,
					      "pattern %d len %zu off %zu sum "
					      "%llx: %04x, reference %04x",
					      pattern, l, off,
					      (unsigned long long)s0, got, want);
				zero_folds += got == 0;
				ffff_folds += got == 0xffff;
				checked++;
			}
		}
	}
	/* Both edge values were exercised, not only random ones. */
	ck_assert_uint_gt(zero_folds, 0);
	ck_assert_uint_gt(ffff_folds, 0);
	ck_assert_uint_eq(checked, 4 * 321 * 16);
	/* Chained calls (a pseudo-header, then the segment) equal one. */
	for (int i = 0; i < 1000; i++) {
		size_t off = xorshift(&x) % 16, l = xorshift(&x) % 3000;
		size_t cut = l ? xorshift(&x) % l : 0;
		uint64_t part;

		for (size_t k = 0; k < l + off; k++)
			buf[k] = (uint8_t)xorshift(&x);
		cut &= ~(size_t)1;	/* split at a 16-bit word */
		part = csum_add(csum_add(0, buf + off, cut), buf + off + cut,
				l - cut);
		ck_assert_uint_eq(csum_fold(part),
				  csum_fold(ref_csum_add(0, buf + off, l)));
	}
}
END_TEST

static Suite *
pkt_offload_suite(void)
{
	Suite *s = suite_create("pkt_offload");
	TCase *tc = tcase_create("offload");

	tcase_add_test(tc, test_csum_rfc1071_example);
	tcase_add_test(tc, test_csum_matches_reference);
	tcase_add_test(tc, test_bad_headers_refused);
	tcase_add_test(tc, test_segment_tcp4);
	tcase_add_test(tc, test_segment_udp6_and_pool_empty);
	tcase_add_test(tc, test_csum_finish_and_vlan_shift);
	tcase_add_test(tc, test_to_vnet_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pkt_offload_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
