/*
 * fuzz_stp.c - libFuzzer target: BPDU decoding and the 802.1D state
 * machine (vswitchd/stp/), driven by a sequence of operations: BPDUs
 * received (config BPDUs built from a few input bytes so that they compare
 * with the bridge's own, TCNs, and raw frames for the decoder), timer
 * ticks, and the administrative changes the bridge glue makes (links up
 * and down, STP on/off, priorities, costs, timers, root_block/bpdu_guard,
 * ports added and removed).
 *
 * After every operation the output is drained as the glue drains it and
 * these properties are checked; a violation aborts (a crash to libFuzzer):
 *   - every port state change was a step of the 802.1D graph
 *     (stp_state_step_ok(), counted inside the module);
 *   - at most one port has the root role; the bridge is root exactly when
 *     it has no root port, and the root port is that port, enabled;
 *   - every port whose state differs from the last operation's was
 *     reported by stp_get_changed_port();
 *   - every frame the bridge sends decodes (stp_bpdu_parse_frame(),
 *     stp_bpdu_decode()) and goes out on an existing port.
 *
 * Input: a sequence of operations, each one byte OP followed by its
 * arguments (missing bytes read as 0), at most MAX_OPS of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "fuzz-input.h"
#include "stp.h"
#include "stp-bpdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_PORTS 4
#define MAX_OPS 256

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void
check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_stp: property violated: %s\n", what);
		abort();
	}
}

/* A MAC out of a small set, so that identifiers collide and compare. */
static void
mac_of(uint8_t k, uint8_t *mac)
{
	static const uint8_t base[6] = { 0x02, 0, 0, 0, 0, 0 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(k % 8);
}

/* A timer field in 1/256 s: mostly a sane value, sometimes any. */
static uint16_t
wire_time(struct fuzz_input *in, uint16_t dflt_s)
{
	uint8_t k = fuzz_u8(in);

	if (k < 0xc0)
		return (uint16_t)((dflt_s + k % 8) * 256 - 256 * 3);
	return fuzz_u16(in);
}

/* A configuration BPDU frame from a handful of input bytes. */
static size_t
config_bpdu(struct fuzz_input *in, uint8_t *f)
{
	uint8_t sel = fuzz_u8(in);

	memset(f, 0, STP_CONFIG_FRAME_LEN);
	f[0] = 0x01; f[1] = 0x80; f[2] = 0xc2;	/* 01:80:c2:00:00:00 */
	mac_of(fuzz_u8(in), f + 6);
	put16(f + 12, 38);			/* 802.3 length */
	f[14] = 0x42; f[15] = 0x42; f[16] = 0x03;
	/* protocol 0, version 0, type 0 (config) */
	f[20] = fuzz_u8(in);				/* flags: TC, TCA */
	put16(f + 21, (uint16_t)(sel & 1 ? fuzz_u16(in) : 0x8000));
	mac_of(fuzz_u8(in), f + 23);			/* root id */
	put32(f + 29, sel & 2 ? (uint32_t)fuzz_u16(in) << (sel >> 5) : fuzz_u8(in));
	put16(f + 33, (uint16_t)(sel & 4 ? fuzz_u16(in) : 0x8000));
	mac_of(fuzz_u8(in), f + 35);			/* bridge id */
	put16(f + 41, (uint16_t)(0x8000 | (fuzz_u8(in) % 8)));	/* port id */
	put16(f + 43, (uint16_t)(sel & 8 ? fuzz_u16(in) : fuzz_u8(in) * 16));
	put16(f + 45, wire_time(in, 20));	/* max age */
	put16(f + 47, wire_time(in, 2));	/* hello */
	put16(f + 49, wire_time(in, 15));	/* forward delay */
	return STP_CONFIG_FRAME_LEN;
}

static void
drain_and_check(struct stp *stp, enum stp_state *prev, uint64_t now)
{
	bool changed[N_PORTS + 1] = { 0 };
	struct stp_bridge_status bs;
	uint8_t buf[STP_FRAME_MAX];
	unsigned roots = 0;
	uint16_t no;
	size_t len;

	(void)now;
	while (stp_outbox_pop(stp, &no, buf, &len)) {
		const uint8_t *body;
		size_t blen;
		struct stp_bpdu b;

		check(stp_has_port(stp, no), "a frame queued on no port");
		check(stp_bpdu_parse_frame(buf, len, &body, &blen) == 0 &&
		      stp_bpdu_decode(body, blen, &b) == 0,
		      "a frame sent does not decode");
	}
	while (stp_get_changed_port(stp, &no))
		if (no >= 1 && no <= N_PORTS)
			changed[no] = true;
	while (stp_get_flush_port(stp, &no))
		;
	stp_get_status(stp, &bs);
	check(bs.bad_transitions == 0, "a port state change off the graph");
	for (uint16_t i = 1; i <= N_PORTS; i++) {
		struct stp_port_status ps;

		if (stp_port_get_status(stp, i, &ps)) {
			prev[i] = STP_DISABLED;
			continue;
		}
		if (ps.role == STP_ROLE_ROOT) {
			roots++;
			check(bs.root_port == i, "root role on another port");
			check(ps.state != STP_DISABLED, "a disabled root port");
		}
		check(ps.state == prev[i] || changed[i],
		      "a state change not reported");
		prev[i] = ps.state;
	}
	check(roots <= 1, "more than one root port");
	check(bs.is_root == (bs.root_port == 0), "root bridge with a root port");
	check(bs.is_root || roots == 1, "root port without the root role");
}

static void
add_port(struct stp *stp, uint16_t no, uint64_t now)
{
	uint8_t mac[6];

	mac_of((uint8_t)no, mac);
	mac[4] = 1;
	if (stp_port_add(stp, no, (const struct eth_addr *)mac, 100) == 0)
		stp_port_enable(stp, no, now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	enum stp_state prev[N_PORTS + 1] = { 0 };
	uint8_t bmac[6], frame[128];
	uint64_t now = 1000;
	struct stp *stp;

	mac_of(fuzz_u8(&in), bmac);
	stp = stp_create("fz", (const struct eth_addr *)bmac, fuzz_u16(&in));
	stp_set_enabled(stp, true, now);
	for (uint16_t i = 1; i <= N_PORTS; i++)
		add_port(stp, i, now);
	drain_and_check(stp, prev, now);

	for (unsigned op = 0; op < MAX_OPS && in.n; op++) {
		uint8_t o = fuzz_u8(&in);
		uint16_t port = (uint16_t)(fuzz_u8(&in) % (N_PORTS + 1));
		size_t len;

		switch (o % 16) {
		case 0: case 1: case 2: case 3:
			len = config_bpdu(&in, frame);
			stp_rx_bpdu(stp, port, frame, len, now);
			break;
		case 4:
			len = stp_bpdu_build_tcn(
				(const struct eth_addr *)bmac, frame);
			stp_rx_bpdu(stp, port, frame, len, now);
			break;
		case 5:
			len = fuzz_u8(&in) % sizeof frame;
			for (size_t i = 0; i < len; i++)
				frame[i] = fuzz_u8(&in);
			stp_rx_bpdu(stp, port, frame, len, now);
			break;
		case 6: case 7:	/* time passes */
			now += (uint64_t)fuzz_u8(&in) * (o & 1 ? 1000 : 10);
			stp_tick(stp, now);
			break;
		case 8:
			if (fuzz_u8(&in) & 1)
				stp_port_enable(stp, port, now);
			else
				stp_port_disable(stp, port, now);
			break;
		case 9:
			stp_set_bridge_up(stp, fuzz_u8(&in) & 1, now);
			break;
		case 10:
			stp_set_enabled(stp, fuzz_u8(&in) & 1, now);
			break;
		case 11:
			stp_set_priority(stp, fuzz_u16(&in), now);
			break;
		case 12:
			stp_set_port_priority(stp, port, fuzz_u8(&in), now);
			stp_set_path_cost(stp, port, fuzz_u16(&in), now);
			break;
		case 13:
			stp_set_port_flags(stp, port, fuzz_u8(&in) & 3);
			break;
		case 14:
			stp_set_hello_time_ms(stp, (uint32_t)fuzz_u8(&in) * 100);
			stp_set_max_age_ms(stp, (uint32_t)fuzz_u8(&in) * 200);
			stp_set_forward_delay_ms(stp, (uint32_t)fuzz_u8(&in) * 150);
			break;
		case 15:
			if (fuzz_u8(&in) & 1) {
				mac_of(fuzz_u8(&in), bmac);
				stp_set_bridge_mac(stp,
					(const struct eth_addr *)bmac, now);
			} else if (stp_has_port(stp, port)) {
				stp_port_del(stp, port, now);
			} else if (port) {
				add_port(stp, port, now);
			}
			break;
		}
		drain_and_check(stp, prev, now);
	}
	stp_destroy(stp);
	return 0;
}
