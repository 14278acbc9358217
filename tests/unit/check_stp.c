/*
 * check_stp.c - unit tests for vswitchd/stp (802.1D spanning tree).
 *
 * Time is virtual: every call passes its own 'now_ms'.  Expected values come
 * from 802.1D-1998 and the Linux bridge rules in
 * shared/reference/linux-bridge.md §4 and §7 (T9, T20-T23), not from running
 * the code.  BPDUs fed to the bridge are built byte by byte here, not with
 * the codec under test.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "stp.h"
#include "stp-bpdu.h"

/* Offsets in a config BPDU frame (14 Ethernet + 3 LLC + body). */
enum {
	OFF_LEN = 12, OFF_LLC = 14, OFF_BODY = 17, OFF_TYPE = 20,
	OFF_FLAGS = 21, OFF_ROOT = 22, OFF_COST = 30, OFF_BRIDGE = 34,
	OFF_PORT = 42, OFF_AGE = 44, OFF_MAX_AGE = 46, OFF_HELLO = 48,
	OFF_FWD = 50,
};

/* Our bridge: 8000.020000000010, ports 1..3 with MACs 02:00:00:00:10:0N and
 * path cost 10.  A "superior" root elsewhere: 1000.020000000001. */
#define OUR_ID   0x8000020000000010ull
#define ROOT_ID  0x1000020000000001ull
#define LOW_ID   0x8000020000000001ull	/* same priority, lower MAC */
#define COST     10

static const struct eth_addr our_mac = { { 2, 0, 0, 0, 0, 0x10 } };
static struct stp *stp;

static struct eth_addr
port_mac(uint16_t port_no)
{
	struct eth_addr a = { { 2, 0, 0, 0, 0x10, (uint8_t)port_no } };

	return a;
}

static void
setup(void)
{
	uint16_t i;

	stp = stp_create("br0", &our_mac, 0x8000);
	for (i = 1; i <= 3; i++) {
		struct eth_addr m = port_mac(i);

		ck_assert_int_eq(stp_port_add(stp, i, &m, COST), 0);
	}
}

static void
teardown(void)
{
	struct stp_bridge_status st;

	/* Whatever a test did, every port state change was a step of the
	 * 802.1D graph. */
	stp_get_status(stp, &st);
	ck_assert_uint_eq(st.bad_transitions, 0);
	stp_destroy(stp);
	stp = NULL;
}

/* STP on, all three ports up, at time 0. */
static void
start_all(void)
{
	uint16_t i;

	stp_set_enabled(stp, true, 0);
	for (i = 1; i <= 3; i++) {
		ck_assert_int_eq(stp_port_enable(stp, i, 0), 0);
	}
}

static void
put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++) {
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	}
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++) {
		v = v << 8 | p[i];
	}
	return v;
}

/* Writes a 52-byte config BPDU frame with default timers into 'f'. */
static size_t
make_config(uint8_t *f, uint64_t root, uint32_t cost, uint64_t bridge,
	    uint16_t port_id, uint16_t age_units, uint8_t flags)
{
	static const uint8_t head[] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0xee, 0x01,
		0x00, 0x26, 0x42, 0x42, 0x03,
		0x00, 0x00, 0x00, 0x00,
	};

	memset(f, 0, STP_CONFIG_FRAME_LEN);
	memcpy(f, head, sizeof(head));
	f[OFF_FLAGS] = flags;
	put64(f + OFF_ROOT, root);
	eth_put_be32(f + OFF_COST, cost);
	put64(f + OFF_BRIDGE, bridge);
	eth_put_be16(f + OFF_PORT, port_id);
	eth_put_be16(f + OFF_AGE, age_units);
	eth_put_be16(f + OFF_MAX_AGE, 20 * 256);
	eth_put_be16(f + OFF_HELLO, 2 * 256);
	eth_put_be16(f + OFF_FWD, 15 * 256);
	return STP_CONFIG_FRAME_LEN;
}

static size_t
make_superior(uint8_t *f, uint8_t flags)
{
	return make_config(f, ROOT_ID, 0, ROOT_ID, 0x8001, 0, flags);
}

struct sent {
	uint16_t port_no;
	size_t len;
	uint8_t f[STP_FRAME_MAX];
};

/* Drains the outbox into 'out' (up to 'max'); returns the count. */
static size_t
drain(struct sent *out, size_t max)
{
	struct sent tmp;
	size_t n = 0;

	while (stp_outbox_pop(stp, &tmp.port_no, tmp.f, &tmp.len)) {
		if (out && n < max) {
			out[n] = tmp;
		}
		n++;
	}
	return n;
}

/* Counts drained frames sent on 'port_no' of length 'len'. */
static size_t
count_on(const struct sent *s, size_t n, uint16_t port_no, size_t len)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++) {
		if (s[i].port_no == port_no && s[i].len == len) {
			c++;
		}
	}
	return c;
}

/* Feeds 'f' on 'port_no' every 2 s in [from, to), ticking in between. */
static void
feed(uint16_t port_no, const uint8_t *f, size_t len, uint64_t from,
     uint64_t to)
{
	uint64_t t;

	for (t = from; t < to; t += 2000) {
		ck_assert_int_eq(stp_rx_bpdu(stp, port_no, f, len, t), 0);
	}
}

/* ---------------------------------------------------------------------- */
/* Codec. */

/* §4.3 example: root 8000.020000000100, port 1 (0x8001), defaults. */
static const uint8_t example_config[STP_CONFIG_FRAME_LEN] = {
	0x01, 0x80, 0xc2, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x01, 0x01,
	0x00, 0x26, 0x42, 0x42, 0x03,
	0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x80, 0x01,
	0x00, 0x00, 0x14, 0x00, 0x02, 0x00, 0x0f, 0x00,
};

/* The 802.1D port state graph and the kernel's two additions. */
START_TEST(test_state_graph)
{
	static const enum stp_state all[] = { STP_DISABLED, STP_LISTENING,
		STP_LEARNING, STP_FORWARDING, STP_BLOCKING };
	/* ok[from][to] without root_block, states numbered as enum stp_state:
	 * disabled listening learning forwarding blocking */
	static const bool ok[5][5] = {
		{ 1, 0, 0, 0, 1 },	/* disabled: -> blocking (init) */
		{ 1, 1, 1, 0, 1 },	/* listening: -> learning, blocking */
		{ 1, 0, 1, 1, 1 },	/* learning: -> forwarding, blocking */
		{ 1, 0, 0, 1, 1 },	/* forwarding: -> blocking */
		{ 1, 1, 0, 1, 1 },	/* blocking: -> listening, forwarding */
	};

	for (unsigned i = 0; i < 5; i++)
		for (unsigned j = 0; j < 5; j++)
			ck_assert_msg(stp_state_step_ok(all[i], all[j], false) ==
				      ok[all[i]][all[j]], "%s -> %s",
				      stp_state_name(all[i]),
				      stp_state_name(all[j]));
	/* br_root_port_block(): a root_block port goes back to listening. */
	ck_assert(stp_state_step_ok(STP_FORWARDING, STP_LISTENING, true));
	ck_assert(stp_state_step_ok(STP_LEARNING, STP_LISTENING, true));
	ck_assert(!stp_state_step_ok(STP_DISABLED, STP_LISTENING, true));
	ck_assert(!stp_state_step_ok(STP_DISABLED, STP_FORWARDING, true));
}
END_TEST

START_TEST(test_encode_config_example)
{
	struct eth_addr src = { { 2, 0, 0, 0, 1, 1 } };
	struct stp_config_bpdu cfg = {
		.root_id = 0x8000020000000100ull,
		.root_path_cost = 0,
		.bridge_id = 0x8000020000000100ull,
		.port_id = 0x8001,
		.message_age_ms = 0,
		.max_age_ms = 20000,
		.hello_time_ms = 2000,
		.forward_delay_ms = 15000,
	};
	uint8_t buf[STP_FRAME_MAX];

	ck_assert_uint_eq(stp_bpdu_build_config(&src, &cfg, buf), 52);
	ck_assert_mem_eq(buf, example_config, 52);

	cfg.topology_change = true;
	cfg.topology_change_ack = true;
	stp_bpdu_build_config(&src, &cfg, buf);
	ck_assert_uint_eq(buf[OFF_FLAGS], 0x81);
}
END_TEST

START_TEST(test_encode_tcn)
{
	static const uint8_t expect[STP_TCN_FRAME_LEN] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x01, 0x02,
		0x00, 0x07, 0x42, 0x42, 0x03,
		0x00, 0x00, 0x00, 0x80,
	};
	struct eth_addr src = { { 2, 0, 0, 0, 1, 2 } };
	uint8_t buf[STP_FRAME_MAX];

	ck_assert_uint_eq(stp_bpdu_build_tcn(&src, buf), 21);
	ck_assert_mem_eq(buf, expect, 21);
}
END_TEST

START_TEST(test_decode_roundtrip)
{
	struct stp_bpdu bpdu;
	const uint8_t *body;
	size_t body_len;
	uint8_t buf[STP_FRAME_MAX], f[STP_FRAME_MAX];
	struct eth_addr src;

	ck_assert_int_eq(stp_bpdu_parse_frame(example_config, 52, &body,
					      &body_len), 0);
	ck_assert_uint_eq(body_len, 35);
	ck_assert_int_eq(stp_bpdu_decode(body, body_len, &bpdu), 0);
	ck_assert_int_eq(bpdu.type, STP_BPDU_TYPE_CONFIG);
	ck_assert_uint_eq(bpdu.config.root_id, 0x8000020000000100ull);
	ck_assert_uint_eq(bpdu.config.port_id, 0x8001);
	ck_assert_uint_eq(bpdu.config.max_age_ms, 20000);
	ck_assert_uint_eq(bpdu.config.hello_time_ms, 2000);
	ck_assert_uint_eq(bpdu.config.forward_delay_ms, 15000);
	ck_assert(!bpdu.config.topology_change);

	/* Odd values survive decode + encode byte for byte. */
	make_config(f, ROOT_ID, 123456, LOW_ID, 0x4007, 0x0003, 0x81);
	eth_put_be16(f + OFF_HELLO, 0x0123);
	ck_assert_int_eq(stp_bpdu_parse_frame(f, 52, &body, &body_len), 0);
	ck_assert_int_eq(stp_bpdu_decode(body, body_len, &bpdu), 0);
	ck_assert(bpdu.config.topology_change);
	ck_assert(bpdu.config.topology_change_ack);
	ck_assert_uint_eq(bpdu.config.message_age_ms, 12); /* 3/256 s up */
	memcpy(src.ea, f + 6, 6);
	stp_bpdu_build_config(&src, &bpdu.config, buf);
	ck_assert_mem_eq(buf, f, 52);
}
END_TEST

START_TEST(test_time_units)
{
	ck_assert_uint_eq(stp_time_from_wire(1), 4);
	ck_assert_uint_eq(stp_time_to_wire(4), 1);
	ck_assert_uint_eq(stp_time_to_wire(8), 2);
	ck_assert_uint_eq(stp_time_from_wire(0x1400), 20000);
	ck_assert_uint_eq(stp_time_to_wire(15000), 0x0f00);
	ck_assert_uint_eq(stp_time_to_wire(3), 0);
}
END_TEST

START_TEST(test_bridge_id_format)
{
	char buf[STP_BRIDGE_ID_STRLEN];
	struct eth_addr m = { { 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc } };

	ck_assert_str_eq(stp_bridge_id_format(stp_bridge_id_make(0x8000, &m),
					      buf), "8000.525400aabbcc");
}
END_TEST

/* ---------------------------------------------------------------------- */
/* Reception checks: every malformed frame is dropped, counted, and leaves
 * the bridge as it was (still root). */

static void
expect_drop(const uint8_t *f, size_t len, enum stp_drop why)
{
	struct stp_bridge_status st;
	uint64_t before = stp_get_drop_count(stp, why);

	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, len, 1000), -(int)why);
	ck_assert_uint_eq(stp_get_drop_count(stp, why), before + 1);
	stp_get_status(stp, &st);
	ck_assert(st.is_root);
	ck_assert_uint_eq(st.root_port, 0);
}

START_TEST(test_rx_malformed)
{
	uint8_t f[80];

	start_all();

	make_superior(f, 0);
	expect_drop(f, 10, STP_DROP_SHORT);

	make_superior(f, 0);
	eth_put_be16(f + OFF_LEN, 0x0800);
	expect_drop(f, 52, STP_DROP_NOT_LLC);

	make_superior(f, 0);
	f[OFF_LLC] = 0xaa;
	f[OFF_LLC + 1] = 0xaa;
	expect_drop(f, 52, STP_DROP_NOT_LLC);

	make_superior(f, 0);
	eth_put_be16(f + OFF_LEN, 0x0040);	/* beyond the frame */
	expect_drop(f, 52, STP_DROP_BAD_LENGTH);

	make_superior(f, 0);
	eth_put_be16(f + OFF_LEN, 2);		/* not even LLC */
	expect_drop(f, 52, STP_DROP_BAD_LENGTH);

	make_superior(f, 0);
	eth_put_be16(f + OFF_LEN, 3 + 3);	/* LLC + 3 body bytes */
	expect_drop(f, 52, STP_DROP_SHORT);

	make_superior(f, 0);
	f[OFF_BODY + 1] = 1;			/* protocol id 0x0001 */
	expect_drop(f, 52, STP_DROP_BAD_PROTOCOL);

	/* An RSTP BPDU: version 2, type 2, 36-byte body. */
	make_superior(f, 0);
	f[OFF_BODY + 2] = 2;
	f[OFF_TYPE] = 2;
	eth_put_be16(f + OFF_LEN, 3 + 36);
	expect_drop(f, 53, STP_DROP_BAD_VERSION);
	f[OFF_BODY + 2] = 3;			/* MSTP */
	expect_drop(f, 53, STP_DROP_BAD_VERSION);

	make_superior(f, 0);
	f[OFF_TYPE] = 0x55;
	expect_drop(f, 52, STP_DROP_BAD_TYPE);

	make_superior(f, 0);
	eth_put_be16(f + OFF_LEN, 3 + 20);	/* config cut short */
	expect_drop(f, 52, STP_DROP_SHORT);

	make_superior(f, 0);
	eth_put_be16(f + OFF_AGE, 20 * 256 + 1);
	expect_drop(f, 52, STP_DROP_MESSAGE_AGE);

	make_superior(f, 0);
	eth_put_be16(f + OFF_HELLO, 0);
	expect_drop(f, 52, STP_DROP_BAD_TIMERS);
	make_superior(f, 0);
	eth_put_be16(f + OFF_MAX_AGE, 0xffff);
	expect_drop(f, 52, STP_DROP_BAD_TIMERS);
	make_superior(f, 0);
	eth_put_be16(f + OFF_FWD, 0);
	expect_drop(f, 52, STP_DROP_BAD_TIMERS);

	make_superior(f, 0);
	f[5] = 0x01;				/* DA 01:80:c2:00:00:01 */
	expect_drop(f, 52, STP_DROP_BAD_DA);

	make_superior(f, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 7, f, 52, 1000), -STP_DROP_NO_PORT);
	ck_assert_uint_eq(stp_get_drop_count(stp, STP_DROP_NO_PORT), 1);

	/* Padding beyond the 802.3 length is ignored (trimmed). */
	memset(f, 0xff, sizeof(f));
	make_superior(f, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 60, 1000), 0);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_LISTENING);
}
END_TEST

START_TEST(test_rx_when_not_running)
{
	uint8_t f[STP_FRAME_MAX];
	struct stp_bridge_status st;

	/* STP off: BPDUs are not processed. */
	ck_assert_int_eq(stp_port_enable(stp, 1, 0), 0);
	make_superior(f, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 0), -STP_DROP_NOT_RUNNING);
	/* STP on but port 2 disabled (link down). */
	stp_set_enabled(stp, true, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 2, f, 52, 0), -STP_DROP_NOT_RUNNING);
	ck_assert_uint_eq(stp_get_drop_count(stp, STP_DROP_NOT_RUNNING), 2);
	stp_get_status(stp, &st);
	ck_assert(st.is_root);
}
END_TEST

/* Random and mutated frames never crash and are either processed or
 * dropped with a known reason (run under ASan/UBSan by 'make asan'). */
START_TEST(test_rx_random)
{
	uint8_t f[80], good[STP_FRAME_MAX];
	unsigned int seed = 12345;
	int i, r;

	start_all();
	make_superior(good, 0);
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)rand_r(&seed) % sizeof(f);
		size_t j;

		/* Half the time a valid frame with a few bytes changed. */
		memcpy(f, good, sizeof(good));
		memset(f + sizeof(good), 0, sizeof(f) - sizeof(good));
		for (j = 0; j < sizeof(f); j++) {
			if (i % 2 || rand_r(&seed) % 16 == 0) {
				f[j] = (uint8_t)rand_r(&seed);
			}
		}
		r = stp_rx_bpdu(stp, (uint16_t)(1 + i % 4), f, len,
				1000 + (uint64_t)i * 10);
		ck_assert_int_le(r, 0);
		ck_assert_int_gt(r, -STP_DROP_N_REASONS);
	}
	ck_assert_uint_gt(stp_get_drop_count(stp, STP_DROP_SHORT), 0);
	ck_assert_uint_gt(stp_get_drop_count(stp, STP_DROP_NO_PORT), 0);
	drain(NULL, 0);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* State machine. */

/* T20: a lone bridge's new ports listen 15 s, learn 15 s, then forward; it
 * sends config BPDUs every ~2 s; at forwarding it signals a topology change
 * for 35 s, during which the FDB hold time is the forward delay. */
START_TEST(test_single_bridge_timing)
{
	struct sent s[64];
	struct stp_bridge_status st;
	size_t n;
	uint16_t pn;
	int changed = 0;

	start_all();
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_LISTENING);
	while (stp_get_changed_port(stp, &pn)) {
		changed++;
	}
	ck_assert_int_eq(changed, 3);

	stp_tick(stp, 14999);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_LISTENING);
	stp_tick(stp, 15000);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_LEARNING);
	ck_assert(stp_get_changed_port(stp, &pn));
	ck_assert_uint_eq(pn, 1);
	stp_tick(stp, 29999);
	ck_assert_uint_eq(stp_port_get_state(stp, 3), STP_LEARNING);
	ck_assert_uint_eq(stp_get_ageing_override_ms(stp), 0);

	/* Hellos: the first at 2 s, then on whole seconds every 2 s. */
	n = drain(s, 64);
	ck_assert_uint_eq(n, 3 * 14);
	ck_assert_uint_eq(s[0].len, 52);
	ck_assert_uint_eq(s[0].port_no, 1);
	ck_assert_uint_eq(get64(s[0].f + OFF_ROOT), OUR_ID);
	ck_assert_uint_eq(get64(s[0].f + OFF_BRIDGE), OUR_ID);
	ck_assert_uint_eq(eth_get_be16(s[0].f + OFF_PORT), 0x8001);
	ck_assert_uint_eq(eth_get_be16(s[2].f + OFF_PORT), 0x8003);
	ck_assert_mem_eq(s[1].f + 6, port_mac(2).ea, 6);	/* SA */
	ck_assert_uint_eq(s[0].f[OFF_FLAGS], 0);

	/* The hello due at 30 s goes first, still without TC. */
	stp_tick(stp, 30000);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_FORWARDING);
	n = drain(s, 64);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(s[0].f[OFF_FLAGS], 0);
	ck_assert_uint_eq(stp_port_get_state(stp, 3), STP_FORWARDING);
	stp_get_status(stp, &st);
	ck_assert(st.topology_change);
	ck_assert_uint_eq(st.topology_change_timer_ms, 35000);
	ck_assert_uint_eq(stp_get_ageing_override_ms(stp), 15000);

	stp_tick(stp, 32000);
	n = drain(s, 64);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(s[0].f[OFF_FLAGS], 0x01);	/* TC */

	stp_tick(stp, 64999);
	ck_assert_uint_eq(stp_get_ageing_override_ms(stp), 15000);
	stp_tick(stp, 65000);
	ck_assert_uint_eq(stp_get_ageing_override_ms(stp), 0);
	stp_get_status(stp, &st);
	ck_assert(!st.topology_change);
	ck_assert(!st.topology_change_detected);
}
END_TEST

/* T21: a superior BPDU makes its port the root port; BPDUs are relayed at
 * once on the designated ports with our id, cost and a message age of one
 * 1/256 s unit; our own hellos stop.  The same BPDU on port 2 too: the lower
 * port id wins, port 2 blocks. */
START_TEST(test_superior_bpdu)
{
	uint8_t f[STP_FRAME_MAX];
	struct sent s[16];
	struct stp_bridge_status st;
	struct stp_port_status ps;
	size_t n, i;

	start_all();
	/* After the hello at 2 s the hold timers end at 3 s. */
	stp_tick(stp, 2000);
	drain(NULL, 0);
	make_superior(f, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 3500), 0);

	stp_get_status(stp, &st);
	ck_assert(!st.is_root);
	ck_assert_uint_eq(st.root_port, 1);
	ck_assert_uint_eq(st.designated_root, ROOT_ID);
	ck_assert_uint_eq(st.root_path_cost, COST);
	ck_assert_uint_eq(st.hello_timer_ms, 0);

	n = drain(s, 16);
	ck_assert_uint_eq(n, 2);
	for (i = 0; i < n; i++) {
		ck_assert_uint_ne(s[i].port_no, 1);
		ck_assert_uint_eq(get64(s[i].f + OFF_ROOT), ROOT_ID);
		ck_assert_uint_eq(eth_get_be32(s[i].f + OFF_COST), COST);
		ck_assert_uint_eq(get64(s[i].f + OFF_BRIDGE), OUR_ID);
		ck_assert_uint_eq(eth_get_be16(s[i].f + OFF_AGE), 1);
	}

	ck_assert_int_eq(stp_rx_bpdu(stp, 2, f, 52, 3500), 0);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_BLOCKING);
	ck_assert_int_eq(stp_port_get_status(stp, 2, &ps), 0);
	ck_assert_int_eq(ps.role, STP_ROLE_BLOCKED);
	ck_assert_uint_eq(ps.designated_bridge, ROOT_ID);

	feed(1, f, 52, 5500, 32000);
	feed(2, f, 52, 5500, 32000);
	stp_tick(stp, 32000);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_FORWARDING);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_BLOCKING);
	ck_assert_uint_eq(stp_port_get_state(stp, 3), STP_FORWARDING);
	ck_assert_int_eq(stp_port_get_status(stp, 3, &ps), 0);
	ck_assert_int_eq(ps.role, STP_ROLE_DESIGNATED);

	/* With a lower port id (priority 16), port 2 takes over at once. */
	ck_assert_int_eq(stp_set_port_priority(stp, 2, 16, 32000), 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 2, f, 52, 32000), 0);
	stp_get_status(stp, &st);
	ck_assert_uint_eq(st.root_port, 2);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_BLOCKING);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_LISTENING);
}
END_TEST

/* Information not refreshed ages out after max age minus message age; the
 * bridge becomes root again and starts its hellos. */
START_TEST(test_message_age_expiry)
{
	uint8_t f[STP_FRAME_MAX];
	struct stp_bridge_status st;

	start_all();
	make_config(f, ROOT_ID, 0, ROOT_ID, 0x8001, 256, 0);	/* age 1 s */
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 1000), 0);
	stp_tick(stp, 1000 + 18999);
	stp_get_status(stp, &st);
	ck_assert_uint_eq(st.root_port, 1);
	stp_tick(stp, 1000 + 19000);
	stp_get_status(stp, &st);
	ck_assert(st.is_root);
	ck_assert_uint_eq(st.hello_timer_ms, 2000);
}
END_TEST

/* T9 / hold timer: inferior information on a designated port is answered
 * at once, but at most one config BPDU per port per hold time. */
START_TEST(test_hold_timer)
{
	uint8_t f[STP_FRAME_MAX];
	struct sent s[8];
	struct stp_port_status ps;
	size_t n;

	start_all();
	make_config(f, 0x9000020000000001ull, 0, 0x9000020000000001ull,
		    0x8001, 0, 0);
	/* Hello at 2000; hold until 3000. */
	stp_tick(stp, 2000);
	drain(NULL, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 2100), 0);
	ck_assert_uint_eq(drain(NULL, 0), 0);
	ck_assert_int_eq(stp_port_get_status(stp, 1, &ps), 0);
	ck_assert(ps.config_pending);
	ck_assert_uint_eq(ps.hold_timer_ms, 900);
	stp_tick(stp, 2999);
	ck_assert_uint_eq(drain(NULL, 0), 0);
	stp_tick(stp, 3000);
	n = drain(s, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(s[0].port_no, 1);
	ck_assert_uint_eq(get64(s[0].f + OFF_ROOT), OUR_ID);
	ck_assert_int_eq(stp_port_get_status(stp, 1, &ps), 0);
	ck_assert(!ps.config_pending);

	/* Hold idle (hold from 3000 ended at 4000, hello at 4000 sent and
	 * re-held to 5000): a reply at 5200 goes out at once. */
	stp_tick(stp, 5200);
	drain(NULL, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 5200), 0);
	ck_assert_uint_eq(drain(NULL, 0), 1);
}
END_TEST

/* A TCN on a designated port of the root: topology change set, answered
 * with a TCA config BPDU on that port.  TCNs on other ports are ignored. */
START_TEST(test_tcn_received_by_root)
{
	static const uint8_t tcn[] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0xee, 0x01,
		0x00, 0x07, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x80,
	};
	struct sent s[8];
	struct stp_bridge_status st;

	start_all();
	stp_tick(stp, 3500);
	drain(NULL, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 2, tcn, sizeof(tcn), 3500), 0);
	stp_get_status(stp, &st);
	ck_assert(st.topology_change);
	ck_assert(st.topology_change_detected);
	ck_assert_uint_eq(st.topology_change_timer_ms, 35000);
	ck_assert_uint_eq(drain(s, 8), 1);
	ck_assert_uint_eq(s[0].port_no, 2);
	ck_assert_uint_eq(s[0].f[OFF_FLAGS], 0x81);	/* TC + TCA */
	ck_assert_uint_eq(stp_get_ageing_override_ms(stp), 15000);
}
END_TEST

/* T23: a non-root bridge whose forwarding designated port is blocked by
 * better information sends a TCN on its root port at once and every hello
 * time until a BPDU with TCA arrives on the root port. */
START_TEST(test_tcn_until_ack)
{
	uint8_t sup[STP_FRAME_MAX], ack[STP_FRAME_MAX], f[STP_FRAME_MAX];
	struct sent s[16];
	struct stp_bridge_status st;
	size_t n;

	start_all();
	make_superior(sup, 0);
	make_superior(ack, 0x80);
	feed(1, sup, 52, 0, 30000);
	drain(NULL, 0);
	/* Ports forward at 30 s: TCN; acknowledge it. */
	stp_tick(stp, 31000);
	stp_get_status(stp, &st);
	ck_assert(st.topology_change_detected);
	ck_assert_uint_eq(count_on(s, drain(s, 16), 1, 21), 1);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, ack, 52, 31500), 0);
	stp_get_status(stp, &st);
	ck_assert(!st.topology_change_detected);
	ck_assert_uint_eq(st.tcn_timer_ms, 0);
	feed(1, sup, 52, 33500, 70001);
	drain(NULL, 0);

	ck_assert_uint_eq(stp_port_get_state(stp, 3), STP_FORWARDING);
	make_config(f, ROOT_ID, 1, LOW_ID, 0x8001, 0, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 3, f, 52, 70500), 0);
	ck_assert_uint_eq(stp_port_get_state(stp, 3), STP_BLOCKING);
	n = drain(s, 16);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(s[0].port_no, 1);
	ck_assert_uint_eq(s[0].len, 21);
	ck_assert_uint_eq(s[0].f[20], 0x80);

	stp_tick(stp, 72499);
	ck_assert_uint_eq(drain(NULL, 0), 0);
	stp_tick(stp, 72500);
	n = drain(s, 16);
	ck_assert_uint_eq(count_on(s, n, 1, 21), 1);

	ck_assert_int_eq(stp_rx_bpdu(stp, 1, ack, 52, 73000), 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 3, f, 52, 73000), 0);
	stp_tick(stp, 80000);
	n = drain(s, 16);
	ck_assert_uint_eq(count_on(s, n, 1, 21), 0);
}
END_TEST

/* T22: the TC flag from the root port is copied, relayed, and shortens the
 * FDB hold time to the (root's) forward delay. */
START_TEST(test_tc_from_root)
{
	uint8_t f[STP_FRAME_MAX];
	struct sent s[8];
	size_t n;

	start_all();
	make_superior(f, 0x01);
	eth_put_be16(f + OFF_FWD, 10 * 256);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 1000), 0);
	ck_assert_uint_eq(stp_get_ageing_override_ms(stp), 10000);
	n = drain(s, 8);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s[0].f[OFF_FLAGS], 0x01);
	ck_assert_uint_eq(eth_get_be16(s[0].f + OFF_FWD), 10 * 256);

	make_superior(f, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 3000), 0);
	ck_assert_uint_eq(stp_get_ageing_override_ms(stp), 0);
}
END_TEST

/* §8.8.3: disabling the root port flushes its FDB, and with no other path
 * to the root the bridge becomes root itself. */
START_TEST(test_disable_port)
{
	uint8_t f[STP_FRAME_MAX];
	struct stp_bridge_status st;
	struct sent s[8];
	uint16_t pn;

	start_all();
	make_superior(f, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 1000), 0);
	drain(NULL, 0);
	ck_assert(!stp_get_flush_port(stp, &pn));

	ck_assert_int_eq(stp_port_disable(stp, 1, 5000), 0);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_DISABLED);
	ck_assert(stp_get_flush_port(stp, &pn));
	ck_assert_uint_eq(pn, 1);
	ck_assert(!stp_get_flush_port(stp, &pn));
	stp_get_status(stp, &st);
	ck_assert(st.is_root);
	ck_assert_uint_eq(st.hello_timer_ms, 2000);
	ck_assert_uint_eq(count_on(s, drain(s, 8), 1, 52), 0);

	/* A disabled port neither processes nor sends. */
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 5000),
			 -STP_DROP_NOT_RUNNING);
	/* Link up again: listening anew. */
	ck_assert_int_eq(stp_port_enable(stp, 1, 6000), 0);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_LISTENING);
	ck_assert_int_eq(stp_port_del(stp, 1, 6000), 0);
	ck_assert(!stp_has_port(stp, 1));
	ck_assert_int_eq(stp_port_del(stp, 1, 6000), -ENOENT);
}
END_TEST

/* §4.4 last bullets: with STP off ports forward at once and nothing is
 * sent; switching on keeps them forwarding and starts hellos; switching off
 * lets a blocked port forward once its information ages out. */
START_TEST(test_enable_disable_stp)
{
	uint8_t f[STP_FRAME_MAX];
	uint16_t i;

	for (i = 1; i <= 3; i++) {
		ck_assert_int_eq(stp_port_enable(stp, i, 0), 0);
		ck_assert_uint_eq(stp_port_get_state(stp, i), STP_FORWARDING);
	}
	stp_tick(stp, 10000);
	ck_assert_uint_eq(drain(NULL, 0), 0);

	stp_set_enabled(stp, true, 10000);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_FORWARDING);
	stp_tick(stp, 12000);
	ck_assert_uint_eq(drain(NULL, 0), 3);

	/* Port 2 blocks behind a better bridge on the same LAN as port 1. */
	make_superior(f, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 13000), 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 2, f, 52, 13000), 0);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_BLOCKING);

	stp_set_enabled(stp, false, 14000);
	ck_assert_int_eq(stp_rx_bpdu(stp, 2, f, 52, 15000),
			 -STP_DROP_NOT_RUNNING);
	stp_tick(stp, 32999);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_BLOCKING);
	stp_tick(stp, 33000);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_FORWARDING);
	drain(NULL, 0);
	stp_tick(stp, 60000);
	ck_assert_uint_eq(drain(NULL, 0), 0);
}
END_TEST

START_TEST(test_ranges)
{
	struct stp_bridge_status st;
	struct eth_addr m = port_mac(9);

	ck_assert_int_eq(stp_set_hello_time_ms(stp, 999), -ERANGE);
	ck_assert_int_eq(stp_set_hello_time_ms(stp, 10001), -ERANGE);
	ck_assert_int_eq(stp_set_hello_time_ms(stp, 1000), 0);
	ck_assert_int_eq(stp_set_max_age_ms(stp, 5999), -ERANGE);
	ck_assert_int_eq(stp_set_max_age_ms(stp, 40000), 0);
	ck_assert_int_eq(stp_set_forward_delay_ms(stp, 0), 0);	/* STP off */
	stp_set_enabled(stp, true, 0);
	stp_get_status(stp, &st);
	ck_assert_uint_eq(st.bridge_forward_delay_ms, 2000);
	ck_assert_uint_eq(st.forward_delay_ms, 2000);
	ck_assert_uint_eq(st.hello_time_ms, 1000);
	ck_assert_uint_eq(st.max_age_ms, 40000);
	ck_assert_int_eq(stp_set_forward_delay_ms(stp, 1999), -ERANGE);
	ck_assert_int_eq(stp_set_forward_delay_ms(stp, 30001), -ERANGE);
	ck_assert_int_eq(stp_set_port_priority(stp, 1, 64, 0), -ERANGE);
	ck_assert_int_eq(stp_set_path_cost(stp, 1, 0, 0), -ERANGE);
	ck_assert_int_eq(stp_set_path_cost(stp, 1, 65536, 0), -ERANGE);
	ck_assert_int_eq(stp_set_path_cost(stp, 9, 5, 0), -ENOENT);
	ck_assert_int_eq(stp_port_add(stp, 0, &m, 5), -EINVAL);
	ck_assert_int_eq(stp_port_add(stp, 1024, &m, 5), -EINVAL);
	ck_assert_int_eq(stp_port_add(stp, 1, &m, 5), -EEXIST);
	ck_assert_int_eq(stp_set_port_flags(stp, 1, 0x100), -EINVAL);
}
END_TEST

START_TEST(test_priority_and_mac)
{
	uint8_t f[STP_FRAME_MAX];
	struct stp_bridge_status st;
	struct eth_addr m = { { 2, 0, 0, 0, 0, 0 } };
	char buf[STP_BRIDGE_ID_STRLEN];

	start_all();
	make_config(f, 0x8000020000000005ull, 0, 0x8000020000000005ull,
		    0x8001, 0, 0);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 1000), 0);
	stp_get_status(stp, &st);
	ck_assert_uint_eq(st.root_port, 1);

	/* A lower priority makes us root again. */
	stp_set_priority(stp, 0x1000, 2000);
	stp_get_status(stp, &st);
	ck_assert(st.is_root);
	ck_assert_str_eq(stp_bridge_id_format(st.bridge_id, buf),
			 "1000.020000000010");
	/* Back to 0x8000: the peer is better again once it speaks. */
	stp_set_priority(stp, 0x8000, 3000);
	ck_assert_int_eq(stp_rx_bpdu(stp, 1, f, 52, 3000), 0);
	stp_get_status(stp, &st);
	ck_assert_uint_eq(st.root_port, 1);
	/* A lower MAC wins the tie on priority. */
	stp_set_bridge_mac(stp, &m, 4000);
	stp_get_status(stp, &st);
	ck_assert(st.is_root);
	ck_assert_uint_eq(st.bridge_id, 0x8000020000000000ull);
}
END_TEST

START_TEST(test_root_block_and_bpdu_guard)
{
	uint8_t f[STP_FRAME_MAX];
	struct stp_bridge_status st;
	uint16_t pn;

	start_all();
	ck_assert_int_eq(stp_set_port_flags(stp, 1, STP_PORT_ROOT_BLOCK), 0);
	ck_assert_int_eq(stp_set_port_flags(stp, 2, STP_PORT_BPDU_GUARD), 0);
	make_superior(f, 0);
	/* The would-be root port is held in LISTENING (br_root_port_block)
	 * as long as the superior BPDUs keep coming, and we stay root. */
	feed(1, f, 52, 1000, 40000);
	stp_get_status(stp, &st);
	ck_assert(st.is_root);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_LISTENING);
	ck_assert_uint_eq(stp_port_get_state(stp, 3), STP_FORWARDING);

	ck_assert_int_eq(stp_rx_bpdu(stp, 2, f, 52, 40000),
			 -STP_DROP_BPDU_GUARD);
	ck_assert_uint_eq(stp_port_get_state(stp, 2), STP_DISABLED);
	ck_assert(stp_get_flush_port(stp, &pn));
	ck_assert_uint_eq(pn, 2);
}
END_TEST

START_TEST(test_bridge_down)
{
	struct stp_bridge_status st;

	start_all();
	stp_tick(stp, 31000);
	stp_set_bridge_up(stp, false, 31000);
	ck_assert_uint_eq(stp_port_get_state(stp, 1), STP_DISABLED);
	stp_get_status(stp, &st);
	ck_assert(!st.topology_change);
	ck_assert_uint_eq(st.hello_timer_ms, 0);
	drain(NULL, 0);
	stp_tick(stp, 40000);
	ck_assert_uint_eq(drain(NULL, 0), 0);
	stp_set_bridge_up(stp, true, 40000);
	ck_assert_uint_eq(stp_port_get_state(stp, 3), STP_LISTENING);
}
END_TEST

static Suite *
stp_suite(void)
{
	Suite *s = suite_create("stp");
	TCase *tc;

	tc = tcase_create("codec");
	tcase_add_test(tc, test_encode_config_example);
	tcase_add_test(tc, test_encode_tcn);
	tcase_add_test(tc, test_state_graph);
	tcase_add_test(tc, test_decode_roundtrip);
	tcase_add_test(tc, test_time_units);
	tcase_add_test(tc, test_bridge_id_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("reception");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rx_malformed);
	tcase_add_test(tc, test_rx_when_not_running);
	tcase_add_test(tc, test_rx_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_single_bridge_timing);
	tcase_add_test(tc, test_message_age_expiry);
	tcase_add_test(tc, test_hold_timer);
	suite_add_tcase(s, tc);

	tc = tcase_create("root_selection");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_superior_bpdu);
	tcase_add_test(tc, test_priority_and_mac);
	suite_add_tcase(s, tc);

	tc = tcase_create("topology_change");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tcn_received_by_root);
	tcase_add_test(tc, test_tcn_until_ack);
	tcase_add_test(tc, test_tc_from_root);
	suite_add_tcase(s, tc);

	tc = tcase_create("admin");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_disable_port);
	tcase_add_test(tc, test_enable_disable_stp);
	tcase_add_test(tc, test_ranges);
	tcase_add_test(tc, test_root_block_and_bpdu_guard);
	tcase_add_test(tc, test_bridge_down);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(stp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
