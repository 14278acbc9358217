/*
 * check_dp.c - unit tests for vswitchd/core/dp.c, run through dp_input() on a
 * real bridge (bridge.c, with its FDB, VLAN and STP glue) whose ports are
 * in-memory recorders: whatever the pipeline transmits on a port is copied
 * out and compared byte for byte.
 *
 * The VLAN cases replace a test that re-did the pipeline's steps by hand
 * with vlan.h and pkt.h calls, which could not notice dp.c skipping or
 * misordering one of them.  Expected frames follow linux-bridge.md §1
 * (steps 4, 11 and 12) and §5 and the 802.1Q tag layout, written out as
 * literal bytes.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "dp.h"
#include "dp-trace-run.h"
#include "eth.h"
#include "fdb.h"
#include "log.h"
#include "pkt.h"
#include "pkt-offload.h"
#include "port-provider.h"
#include "util.h"

#define REC_MAX       8		/* frames a recorder keeps */
#define REC_FRAME_MAX 128	/* bytes of each */

/* A port that never receives (frames are handed to dp_input() directly)
 * and records what it is asked to send.  It borrows the packets, as
 * port-provider.h requires: the bytes are copied before returning. */
struct rec_port {
	struct port up;
	unsigned n;
	uint32_t len[REC_MAX];
	struct pkt_offload ol[REC_MAX];	/* offload state as sent */
	uint8_t data[REC_MAX][REC_FRAME_MAX];
};

static int
rec_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
	     int max)
{
	(void)port;
	(void)pool;
	(void)pkts;
	(void)max;
	return 0;
}

static int
rec_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct rec_port *r = container_of(port, struct rec_port, up);

	for (int i = 0; i < n; i++) {
		ck_assert_uint_lt(r->n, REC_MAX);
		ck_assert_uint_le(pkts[i]->len, REC_FRAME_MAX);
		memcpy(r->data[r->n], pkts[i]->data, pkts[i]->len);
		r->ol[r->n] = pkts[i]->ol;
		r->len[r->n++] = pkts[i]->len;
	}
	return n;
}

static void
rec_close(struct port *port)
{
	free(container_of(port, struct rec_port, up));
}

static const struct port_class rec_class = {
	.type = "rec",
	.close = rec_close,
	.rx_burst = rec_rx_burst,
	.tx_burst = rec_tx_burst,
};

/* Hosts A (behind an access port) and B (behind the trunk). */
#define MAC_A 0x02, 0x00, 0x00, 0x00, 0x00, 0x01
#define MAC_B 0x02, 0x00, 0x00, 0x00, 0x00, 0x02
#define IPV4_START 0x08, 0x00, 0x45, 0x00, 0x00, 0x14

/* A to B: priority-tagged (PCP 6, DEI 1, VID 0), as A sends it. */
static const uint8_t f_ab_prio[] = { MAC_B, MAC_A, 0x81, 0x00, 0xd0, 0x00,
				     IPV4_START };
/* A to B in VLAN 10 with A's PCP/DEI kept: TCI 0xd00a. */
static const uint8_t f_ab_vid10[] = { MAC_B, MAC_A, 0x81, 0x00, 0xd0, 0x0a,
				      IPV4_START };
/* A to B without a tag. */
static const uint8_t f_ab_untagged[] = { MAC_B, MAC_A, IPV4_START };
/* B to A in VLAN 10, PCP 3 (TCI 0x600a), and as an access port sends it. */
static const uint8_t f_ba_vid10[] = { MAC_A, MAC_B, 0x81, 0x00, 0x60, 0x0a,
				      IPV4_START };
static const uint8_t f_ba_untagged[] = { MAC_A, MAC_B, IPV4_START };
/* B to A tagged with VLANs 20 and 30. */
static const uint8_t f_ba_vid20[] = { MAC_A, MAC_B, 0x81, 0x00, 0x00, 0x14,
				      IPV4_START };
static const uint8_t f_ba_vid30[] = { MAC_A, MAC_B, 0x81, 0x00, 0x00, 0x1e,
				      IPV4_START };

static struct pkt_pool *pool;
static struct bridge *br;
/* acc1, acc2: access ports of VLAN 10 (PVID, untagged); trunk: VLANs 10
 * and 20 tagged; acc20: access port of VLAN 20. */
static struct rec_port *acc1, *trunk, *acc2, *acc20;

static struct rec_port *
add_port(const char *name, uint8_t id)
{
	struct rec_port *r = xcalloc(1, sizeof *r);

	port_init(&r->up, &rec_class, name);
	r->up.mac = (struct eth_addr){ { 0x02, 0x00, 0x00, 0x00, 0x01, id } };
	ck_assert_int_eq(bridge_port_add(br, &r->up), 0);
	ck_assert_uint_eq(r->up.state, PORT_FORWARDING);	/* STP off */
	return r;
}

static void
setup_vlan_bridge(void)
{
	struct bridge_options opt;

	log_set_level(NULL, LOG_LVL_WARN);
	bridge_options_default(&opt);
	opt.default_pvid = 0;	/* only the VLANs given below */
	ck_assert_int_eq(bridge_create("dp0", &opt, NULL, &br), 0);
	pool = dp_pool(br->dp);
	acc1 = add_port("acc1", 1);
	trunk = add_port("trunk", 2);
	acc2 = add_port("acc2", 3);
	acc20 = add_port("acc20", 4);
	ck_assert_int_eq(bridge_set_vlan_filtering(br, true), 0);
	ck_assert_int_eq(bridge_vlan_add(br, &acc1->up, 10, true, true), 0);
	ck_assert_int_eq(bridge_vlan_add(br, &trunk->up, 10, false, false), 0);
	ck_assert_int_eq(bridge_vlan_add(br, &trunk->up, 20, false, false), 0);
	ck_assert_int_eq(bridge_vlan_add(br, &acc2->up, 10, true, true), 0);
	ck_assert_int_eq(bridge_vlan_add(br, &acc20->up, 20, true, true), 0);
}

static void
teardown_bridge(void)
{
	/* Every packet the pipeline was given is back in the pool. */
	ck_assert_uint_eq(pkt_pool_avail(pool), DP_POOL_SIZE);
	bridge_destroy_all();
	br = NULL;
	pool = NULL;
}

/* Runs one frame received on 'in' through the datapath. */
static void
input(struct rec_port *in, const uint8_t *frame, size_t len)
{
	struct pkt *p = pkt_alloc(pool);

	ck_assert_ptr_nonnull(p);
	memcpy(p->data, frame, len);
	p->len = (uint32_t)len;
	dp_input(br, &in->up, &p, 1);
}

/* Forgets what every port sent. */
static void
forget_sent(void)
{
	acc1->n = trunk->n = acc2->n = acc20->n = 0;
}

/* 'r' sent exactly one frame, 'want'. */
static void
assert_sent(const struct rec_port *r, const uint8_t *want, size_t len)
{
	ck_assert_msg(r->n == 1, "%s sent %u frames, expected 1",
		      r->up.name, r->n);
	ck_assert_msg(r->len[0] == len, "%s sent %u bytes, expected %zu",
		      r->up.name, r->len[0], len);
	for (size_t i = 0; i < len; i++)
		ck_assert_msg(r->data[0][i] == want[i],
			      "%s: byte %zu: %#04x, expected %#04x",
			      r->up.name, i, r->data[0][i], want[i]);
}

static void
assert_silent(const struct rec_port *r)
{
	ck_assert_msg(r->n == 0, "%s sent %u frames, expected none",
		      r->up.name, r->n);
}

/* A priority-tagged frame enters an access port (PVID 10) and, its
 * destination unknown, is flooded in VLAN 10: the trunk sends it tagged
 * with VID 10 and the kept PCP/DEI, the other access port untagged (one
 * packet, edited for each port in turn), VLAN 20's port not at all.  That
 * tagged frame re-enters through the trunk and leaves both access ports
 * as the original untagged payload. */
START_TEST(test_access_trunk_round_trip)
{
	struct fdb_entry *e;

	input(acc1, f_ab_prio, sizeof f_ab_prio);
	assert_sent(trunk, f_ab_vid10, sizeof f_ab_vid10);
	assert_sent(acc2, f_ab_untagged, sizeof f_ab_untagged);
	assert_silent(acc1);
	assert_silent(acc20);
	e = fdb_lookup(br->fdb, &(struct eth_addr){ { MAC_A } }, 10);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->port_no, acc1->up.port_no);

	forget_sent();
	input(trunk, f_ab_vid10, sizeof f_ab_vid10);
	assert_sent(acc1, f_ab_untagged, sizeof f_ab_untagged);
	assert_sent(acc2, f_ab_untagged, sizeof f_ab_untagged);
	assert_silent(trunk);
	assert_silent(acc20);
}
END_TEST

/* Known unicast in VLAN 10 from the trunk leaves only the access port
 * where the destination was learned, untagged. */
START_TEST(test_trunk_to_learned_access)
{
	input(acc1, f_ab_prio, sizeof f_ab_prio);	/* learns A on acc1 */
	forget_sent();

	input(trunk, f_ba_vid10, sizeof f_ba_vid10);
	assert_sent(acc1, f_ba_untagged, sizeof f_ba_untagged);
	assert_silent(trunk);
	assert_silent(acc2);
	assert_silent(acc20);
	ck_assert_uint_eq(br->stats.forwarded, 1);
}
END_TEST

/* VLANs keep apart: VLAN 20 from the trunk reaches only VLAN 20's access
 * port (A is unknown there: the FDB is per VID), and VLAN 30, which the
 * trunk is not a member of, is dropped by the ingress filter. */
START_TEST(test_vlans_apart)
{
	input(acc1, f_ab_prio, sizeof f_ab_prio);	/* A in VLAN 10 */
	forget_sent();

	input(trunk, f_ba_vid20, sizeof f_ba_vid20);
	assert_sent(acc20, f_ba_untagged, sizeof f_ba_untagged);
	assert_silent(acc1);
	assert_silent(acc2);
	assert_silent(trunk);

	forget_sent();
	input(trunk, f_ba_vid30, sizeof f_ba_vid30);
	assert_silent(acc1);
	assert_silent(acc2);
	assert_silent(acc20);
	assert_silent(trunk);
	ck_assert_uint_eq(trunk->up.stats.drops[PORT_DROP_VLAN_INGRESS], 1);
}
END_TEST

/* Each bridge has a datapath context of its own: with every packet of
 * dp0's pool taken, a second bridge still receives into its own pool and
 * forwards, and its queues are not dp0's. */
START_TEST(test_contexts_apart)
{
	struct pkt *held[DP_POOL_SIZE];
	struct rec_port *x = xcalloc(1, sizeof *x), *y = xcalloc(1, sizeof *y);
	struct bridge *br1;
	struct pkt *p;
	unsigned n = 0;

	ck_assert_int_eq(bridge_create("dp1", NULL, NULL, &br1), 0);
	ck_assert_ptr_ne(br1->dp, br->dp);
	ck_assert_ptr_ne(br1->pool, pool);
	port_init(&x->up, &rec_class, "x");
	port_init(&y->up, &rec_class, "y");
	x->up.mac = (struct eth_addr){ { 0x02, 0, 0, 0, 2, 1 } };
	y->up.mac = (struct eth_addr){ { 0x02, 0, 0, 0, 2, 2 } };
	ck_assert_int_eq(bridge_port_add(br1, &x->up), 0);
	ck_assert_int_eq(bridge_port_add(br1, &y->up), 0);

	while (n < DP_POOL_SIZE && (held[n] = pkt_alloc(pool)))
		n++;
	ck_assert_uint_eq(n, DP_POOL_SIZE);
	ck_assert_ptr_null(pkt_alloc(pool));

	p = pkt_alloc(br1->pool);
	ck_assert_ptr_nonnull(p);
	memcpy(p->data, f_ab_untagged, sizeof f_ab_untagged);
	p->len = sizeof f_ab_untagged;
	dp_input(br1, &x->up, &p, 1);
	assert_sent(y, f_ab_untagged, sizeof f_ab_untagged);
	assert_silent(x);
	ck_assert_uint_eq(pkt_pool_avail(br1->pool), DP_POOL_SIZE);

	/* dp0 still forwards once it has packets again. */
	for (unsigned i = 0; i < n; i++)
		pkt_free(pool, held[i]);
	y->n = 0;
	input(acc1, f_ab_prio, sizeof f_ab_prio);
	assert_sent(acc2, f_ab_untagged, sizeof f_ab_untagged);
	assert_silent(y);
}
END_TEST

/* The capture hook is the port's: frames received on a captured port and
 * sent on one reach it, with the direction; other ports' frames do not. */
static unsigned cap_rx, cap_tx;
static const struct port *cap_last;

static void
cap_hook(struct port *port, const struct pkt *p, bool tx)
{
	(void)p;
	cap_last = port;
	if (tx)
		cap_tx++;
	else
		cap_rx++;
}

START_TEST(test_capture_per_port)
{
	cap_rx = cap_tx = 0;
	acc2->up.capture = cap_hook;
	input(acc1, f_ab_prio, sizeof f_ab_prio);	/* floods to acc2 */
	ck_assert_uint_eq(cap_tx, 1);
	ck_assert_uint_eq(cap_rx, 0);
	ck_assert_ptr_eq(cap_last, &acc2->up);

	input(acc2, f_ba_untagged, sizeof f_ba_untagged);  /* from acc2 */
	ck_assert_uint_eq(cap_rx, 1);
	ck_assert_uint_eq(cap_tx, 1);			/* acc1 not captured */
	acc2->up.capture = NULL;
	input(acc2, f_ba_untagged, sizeof f_ba_untagged);
	ck_assert_uint_eq(cap_rx, 1);
}
END_TEST

/* A trace is a dry run through the same pipeline: it reports the egress
 * set and the tag action, and sends, learns and counts nothing; with
 * 'learn' it learns (and still sends nothing).  The recording ports and
 * the captures see nothing either. */
START_TEST(test_trace_dry_run)
{
	struct eth_addr a = { { MAC_A } };
	struct port_stats st = acc1->up.stats;
	struct bridge_stats bst = br->stats;
	struct json_object *res, *leaves, *l;
	char *err = NULL;

	cap_rx = cap_tx = 0;
	acc1->up.capture = acc2->up.capture = cap_hook;
	res = dp_trace_frame(&acc1->up, f_ab_prio, sizeof f_ab_prio, false,
			     &err);
	ck_assert_ptr_nonnull(res);
	leaves = json_object_object_get(res, "leaves");
	ck_assert_uint_eq(json_object_array_length(leaves), 2);
	l = json_object_array_get_idx(leaves, 0);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(l,
							"port")), "trunk");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(l,
							"len")), 22);
	l = json_object_array_get_idx(leaves, 1);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(l,
							"port")), "acc2");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(l,
							"len")), 18);
	json_object_put(res);
	assert_silent(trunk);
	assert_silent(acc2);
	ck_assert_uint_eq(cap_rx + cap_tx, 0);
	ck_assert_ptr_null(fdb_lookup(br->fdb, &a, 10));
	ck_assert_mem_eq(&acc1->up.stats, &st, sizeof st);
	ck_assert_mem_eq(&br->stats, &bst, sizeof bst);

	res = dp_trace_frame(&acc1->up, f_ab_prio, sizeof f_ab_prio, true,
			     &err);
	ck_assert_ptr_nonnull(res);
	json_object_put(res);
	assert_silent(trunk);
	ck_assert_ptr_nonnull(fdb_lookup(br->fdb, &a, 10));
	acc1->up.capture = acc2->up.capture = NULL;
}
END_TEST

/* Offloads (pkt-offload.h), VLAN filtering on: a TCPv4 GSO frame of 60
 * payload bytes in segments of 20, from acc1 in VLAN 10, flooded.  acc2
 * takes offloads and gets the super-frame whole, its header intact; the
 * trunk does not and gets three tagged segments with finished checksums
 * (IPv4 total lengths 60, ids counting up); a frame smaller than one
 * segment is only checksummed for the trunk.  VLAN 20's port gets
 * nothing. */
START_TEST(test_gso_flood)
{
	uint8_t f[14 + 20 + 20 + 60] = { MAC_B, MAC_A, 0x08, 0x00 };
	struct virtio_net_hdr h = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = 20, .csum_start = 34, .csum_offset = 16,
	};
	uint8_t *ip = f + 14, *tcp = ip + 20;
	struct pkt *p;

	ip[0] = 0x45;
	eth_put_be16(ip + 2, 100);
	eth_put_be16(ip + 4, 7);
	ip[8] = 64;
	ip[9] = 6;
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;
	for (int i = 0; i < 60; i++)
		tcp[20 + i] = (uint8_t)i;
	acc2->up.tx_offloads = PKT_OL_ALL;
	p = pkt_alloc(pool);
	memcpy(p->data, f, sizeof f);
	p->len = sizeof f;
	ck_assert_int_eq(pkt_offload_from_vnet(p, &h), 0);
	dp_input(br, &acc1->up, &p, 1);
	ck_assert_uint_eq(acc2->n, 1);
	ck_assert_uint_eq(acc2->len[0], sizeof f);
	ck_assert_uint_eq(acc2->ol[0].gso_size, 20);
	ck_assert_uint_eq(acc2->ol[0].hdr_len, 54);
	ck_assert_uint_eq(acc2->up.stats.tx_sw_gso, 0);
	ck_assert_uint_eq(trunk->n, 3);
	for (unsigned i = 0; i < 3; i++) {
		const uint8_t *d = trunk->data[i];

		ck_assert_uint_eq(trunk->len[i], 18 + 40 + 20);
		ck_assert(!trunk->ol[i].flags && !trunk->ol[i].gso_type);
		ck_assert_uint_eq(eth_get_be16(d + 12), ETH_TYPE_VLAN);
		ck_assert_uint_eq(eth_get_be16(d + 18 + 2), 60);
		ck_assert_uint_eq(eth_get_be16(d + 18 + 4), 7 + i);
		/* Checksums verify: the sums fold to zero. */
		ck_assert_uint_eq(csum_fold(csum_add(0, d + 18, 20)), 0);
		ck_assert_uint_eq(d[18 + 20 + 20], 20 * i);
	}
	ck_assert_uint_eq(trunk->up.stats.tx_sw_gso, 1);
	ck_assert_uint_eq(trunk->up.stats.tx_sw_segs, 3);
	ck_assert_uint_eq(trunk->up.stats.tx_packets, 3);
	assert_silent(acc20);
	acc2->up.tx_offloads = 0;
}
END_TEST

static Suite *
dp_suite(void)
{
	Suite *s = suite_create("dp");
	TCase *tc;

	tc = tcase_create("vlan");
	tcase_add_checked_fixture(tc, setup_vlan_bridge, teardown_bridge);
	tcase_add_test(tc, test_access_trunk_round_trip);
	tcase_add_test(tc, test_trunk_to_learned_access);
	tcase_add_test(tc, test_vlans_apart);
	tcase_add_test(tc, test_contexts_apart);
	tcase_add_test(tc, test_capture_per_port);
	tcase_add_test(tc, test_trace_dry_run);
	tcase_add_test(tc, test_gso_flood);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
