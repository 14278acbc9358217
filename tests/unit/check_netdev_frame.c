/*
 * check_netdev_frame.c - unit tests for vswitchd/ports/netdev-frame.c: the
 * tag a driver took out of a received frame (TP_STATUS_VLAN_VALID in the
 * ring header or PACKET_AUXDATA) goes back after the MAC addresses, with the
 * right TPID; frames that cannot be passed on get the right verdict; a
 * TCP/UDP checksum left to offload is finished.  The expected checksums
 * were computed apart from this code (RFC 1071 in a few lines of Python).
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include <linux/if_packet.h>

#include "netdev-frame.h"
#include "pkt.h"

/* DA 02:..:01, SA 02:..:02, IPv4, 4 payload bytes. */
static const uint8_t untagged[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
	0x08, 0x00, 0xde, 0xad, 0xbe, 0xef,
};

static struct pkt_pool *pool;
static struct pkt *p;

static void
setup(void)
{
	pool = pkt_pool_create(1);
	p = pkt_alloc(pool);
	memcpy(p->data, untagged, sizeof untagged);
	p->len = sizeof untagged;
}

static void
teardown(void)
{
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}

static struct netdev_rx_meta
meta_of(uint32_t status, uint16_t tci, uint16_t tpid)
{
	struct netdev_rx_meta m = {
		.status = status, .len = sizeof untagged,
		.snaplen = sizeof untagged, .vlan_tci = tci, .vlan_tpid = tpid,
	};

	return m;
}

START_TEST(test_no_tag_left_alone)
{
	/* A TCI with no VALID bit is noise, not a tag. */
	struct netdev_rx_meta m = meta_of(TP_STATUS_USER, 100, 0x8100);

	ck_assert(!netdev_frame_restore_vlan(p, &m));
	ck_assert_uint_eq(p->len, sizeof untagged);
	ck_assert_mem_eq(p->data, untagged, sizeof untagged);
}
END_TEST

START_TEST(test_ctag_without_tpid_is_8021q)
{
	static const uint8_t want[] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
		0x81, 0x00, 0xa0, 0x64,		/* PCP 5, VID 100 */
		0x08, 0x00, 0xde, 0xad, 0xbe, 0xef,
	};
	struct netdev_rx_meta m = meta_of(TP_STATUS_VLAN_VALID, 0xa064, 0);

	ck_assert(netdev_frame_restore_vlan(p, &m));
	ck_assert_uint_eq(p->len, sizeof want);
	ck_assert_mem_eq(p->data, want, sizeof want);
}
END_TEST

START_TEST(test_stag_tpid_kept)
{
	static const uint8_t want[] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
		0x88, 0xa8, 0x00, 0x0a,		/* S-tag VID 10 */
		0x08, 0x00, 0xde, 0xad, 0xbe, 0xef,
	};
	struct netdev_rx_meta m = meta_of(TP_STATUS_VLAN_VALID |
					  TP_STATUS_VLAN_TPID_VALID, 10, 0x88a8);

	ck_assert(netdev_frame_restore_vlan(p, &m));
	ck_assert_mem_eq(p->data, want, sizeof want);
}
END_TEST

START_TEST(test_priority_tag_is_a_tag)
{
	/* VID 0 PCP 0: the VALID bit, not the value, says a tag was there. */
	struct netdev_rx_meta m = meta_of(TP_STATUS_VLAN_VALID |
					  TP_STATUS_VLAN_TPID_VALID, 0, 0x8100);

	ck_assert(netdev_frame_restore_vlan(p, &m));
	ck_assert_uint_eq(p->len, sizeof untagged + 4);
	ck_assert_uint_eq(p->data[12], 0x81);
	ck_assert_uint_eq(p->data[14], 0);
	ck_assert_uint_eq(p->data[15], 0);
	ck_assert_uint_eq(p->data[16], 0x08);
}
END_TEST

START_TEST(test_verdicts)
{
	struct netdev_rx_meta m = meta_of(0, 0, 0);

	ck_assert_int_eq(netdev_frame_check(&m), NETDEV_RX_OK);
	m.len = m.snaplen = 13;
	ck_assert_int_eq(netdev_frame_check(&m), NETDEV_RX_RUNT);
	m.len = 1500;
	m.snaplen = 1000;
	ck_assert_int_eq(netdev_frame_check(&m), NETDEV_RX_TRUNCATED);
	/* The largest frame that still fits once its tag is back. */
	m.status = TP_STATUS_VLAN_VALID;
	m.len = m.snaplen = PKT_DATA_MAX - 4;
	ck_assert_int_eq(netdev_frame_check(&m), NETDEV_RX_OK);
	m.len = m.snaplen = PKT_DATA_MAX - 3;
	ck_assert_int_eq(netdev_frame_check(&m), NETDEV_RX_OVERSIZE);
	m.status = 0;
	ck_assert_int_eq(netdev_frame_check(&m), NETDEV_RX_OK);
	/* Cut short because it was too big: counted as oversize. */
	m.len = PKT_DATA_MAX + 100;
	m.snaplen = PKT_DATA_MAX;
	ck_assert_int_eq(netdev_frame_check(&m), NETDEV_RX_OVERSIZE);
}
END_TEST

/* IPv4 10.0.0.1:1234 -> 10.0.0.2:5678 UDP "hello!!" (odd length), the
 * checksum field holding what an offloading sender leaves (the
 * pseudo-header sum). */
static const uint8_t udp4[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x23, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x26, 0xc7,
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0f, 0x12, 0x34,
	'h', 'e', 'l', 'l', 'o', '!', '!',
	0, 0, 0, 0,		/* Ethernet padding: not part of the segment */
};

START_TEST(test_csum_udp4)
{
	uint8_t f[sizeof udp4];

	memcpy(f, udp4, sizeof f);
	ck_assert(netdev_frame_complete_csum(f, sizeof f));
	ck_assert_uint_eq(f[40], 0x6b);
	ck_assert_uint_eq(f[41], 0xda);
	/* The rest untouched. */
	ck_assert_mem_eq(f, udp4, 40);
	ck_assert_mem_eq(f + 42, udp4 + 42, sizeof f - 42);
}
END_TEST

START_TEST(test_csum_tcp6_behind_tag)
{
	/* fe80::1 -> fe80::2 TCP SYN, in VLAN 7. */
	uint8_t f[14 + 4 + 40 + 20] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02,
		0x81, 0x00, 0x00, 0x07, 0x86, 0xdd,
		0x60, 0, 0, 0, 0x00, 0x14, 0x06, 0x40,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
		0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
		0x50, 0x02, 0xff, 0xff, 0xaa, 0xbb, 0, 0,
	};

	ck_assert(netdev_frame_complete_csum(f, sizeof f));
	ck_assert_uint_eq(f[18 + 40 + 16], 0x16);
	ck_assert_uint_eq(f[18 + 40 + 17], 0x4d);
}
END_TEST

START_TEST(test_csum_refused)
{
	uint8_t f[sizeof udp4];

	/* A fragment (MF set). */
	memcpy(f, udp4, sizeof f);
	f[20] = 0x20;
	ck_assert(!netdev_frame_complete_csum(f, sizeof f));
	ck_assert_mem_eq(f + 21, udp4 + 21, sizeof f - 21);
	/* ICMP. */
	memcpy(f, udp4, sizeof f);
	f[23] = 1;
	ck_assert(!netdev_frame_complete_csum(f, sizeof f));
	/* IP total length beyond the frame. */
	memcpy(f, udp4, sizeof f);
	f[17] = 0xff;
	ck_assert(!netdev_frame_complete_csum(f, sizeof f));
	/* ARP, and a runt. */
	memcpy(f, udp4, sizeof f);
	f[13] = 0x06;
	ck_assert(!netdev_frame_complete_csum(f, sizeof f));
	ck_assert(!netdev_frame_complete_csum(f, 13));
}
END_TEST

static Suite *
netdev_frame_suite(void)
{
	Suite *s = suite_create("netdev_frame");
	TCase *tc = tcase_create("vlan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_tag_left_alone);
	tcase_add_test(tc, test_ctag_without_tpid_is_8021q);
	tcase_add_test(tc, test_stag_tpid_kept);
	tcase_add_test(tc, test_priority_tag_is_a_tag);
	suite_add_tcase(s, tc);
	tc = tcase_create("verdict");
	tcase_add_test(tc, test_verdicts);
	suite_add_tcase(s, tc);
	tc = tcase_create("csum");
	tcase_add_test(tc, test_csum_udp4);
	tcase_add_test(tc, test_csum_tcp6_behind_tag);
	tcase_add_test(tc, test_csum_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(netdev_frame_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
