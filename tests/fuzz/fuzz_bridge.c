/*
 * fuzz_bridge.c - libFuzzer target: frames through a 4-port bridge, the
 * datapath as bridge_port_input() runs it (dp_input(): checks, link-local
 * handling, VLAN ingress, learning, lookup/flood, egress VLAN edit, MTU),
 * with the invariants of tests/pcap/corpus-check.py checked as assertions
 * after every burst; a violation aborts (a crash to libFuzzer).
 *
 * The bridge is built per input by the setup language (script.c), as the
 * replay tests build theirs, from the first input byte MODE:
 *   bit 0   VLAN filtering off: p1..p4 plain ports.
 *           on: p1 trunk (VID 1 PVID untagged, 10 20 30 tagged), p2
 *           access (VID 1 PVID untagged), p3 tagged member of 1 10 20 and
 *           no PVID, p4 in no VLAN (as corpus-check.py's second run);
 *   bits 1-4 hairpin on p1..p4.
 * Ports are "null" ports; a capture hook on each records what it sends.
 *
 * Then records, at most MAX_RECS: one byte R, then
 *   R % 8 < 6: a burst of 1 + (R >> 3) % 8 frames received on port
 *              1 + R % 4 (0-3: p1..p4; 4, 5: p1), each a u16 length (BE,
 *              at most FRAME_MAX) and that many bytes (fewer if the input
 *              ends);
 *   R % 8 == 6: the clock advances by the next byte in seconds (ageing);
 *   R % 8 == 7: the control change CHANGES[next byte] (learning, flooding,
 *              admin state, static entries, flushes: none of them alters
 *              the invariants below).
 *
 * Properties after every burst from port IN (n frames):
 *   - nothing leaves IN unless IN has hairpin on;
 *   - no port sends more than n frames;
 *   - filtering off: every frame sent is byte-identical to a frame of the
 *     burst, and no port sends a frame more often than the burst holds it;
 *   - filtering on: p4 sends nothing; p2 sends only frames of the burst or
 *     frames of it minus their outer 802.1Q tag; p3 only 802.1Q-tagged
 *     frames with VID 1, 10 or 20; p1 only such untagged-derived frames or
 *     frames tagged with VID 10, 20 or 30.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge-types.h"
#include "bridge.h"
#include "clock.h"
#include "dp.h"
#include "fuzz-daemon.h"
#include "pkt.h"
#include "port.h"
#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define N_PORTS   4
#define MAX_RECS  64
#define FRAME_MAX 2048	/* past the 1500 MTU: the MTU drop is reached */
#define MAX_SENT  (PKT_BURST * 2)

static const char *dir;

/* What one port sent during the running burst. */
struct sent {
	unsigned n;
	uint32_t len[MAX_SENT];
	uint8_t *data[MAX_SENT];
};

static struct sent sent[N_PORTS + 1];	/* by port_no */
static struct port *ports[N_PORTS + 1];

static const char *const CHANGES[] = {
	"link set dev p1 learning off",
	"link set dev p1 learning on",
	"link set dev p2 flood off",
	"link set dev p2 flood on",
	"link set dev p3 down",
	"link set dev p3 up",
	"link set dev p2 mcast_flood off",
	"link set dev p4 bcast_flood off",
	"fdb add 02:00:00:00:00:0b dev p2 master static",
	"fdb add 02:00:00:00:00:0c dev p3 master static vlan 10",
	"fdb del 02:00:00:00:00:0b dev p2 master",
	"fdb flush dev br0",
	"bridge set br0 ageing_time 100",
	"link set dev p1 isolated on",
	"link set dev p2 isolated on",
	"link set dev p1 isolated off",
};
#define N_CHANGES (sizeof CHANGES / sizeof CHANGES[0])

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	dir = fuzz_daemon_init();
	for (unsigned i = 0; i <= N_PORTS; i++)
		for (unsigned j = 0; j < MAX_SENT; j++)
			sent[i].data[j] = malloc(PKT_HEADROOM + PKT_DATA_MAX);
	return 0;
}

static void
check(bool ok, const char *what, unsigned port)
{
	if (!ok) {
		fprintf(stderr, "fuzz_bridge: property violated on p%u: %s\n",
			port, what);
		abort();
	}
}

static void
capture(struct port *port, const struct pkt *p, bool tx)
{
	struct sent *s;

	if (!tx)
		return;
	check(port->port_no >= 1 && port->port_no <= N_PORTS,
	      "a frame sent on a port not made here", port->port_no);
	s = &sent[port->port_no];
	check(s->n < MAX_SENT, "more frames sent than a burst holds",
	      port->port_no);
	memcpy(s->data[s->n], p->data, p->len);
	s->len[s->n++] = p->len;
}

static void
run(struct script_ctx *ctx, const char *line)
{
	ctx->line++;
	script_run_line(ctx, line);
}

static struct bridge *
setup(struct script_ctx *ctx, uint8_t mode)
{
	char line[64];
	struct bridge *br;

	run(ctx, mode & 1 ? "bridge add br0 vlan_filtering 1"
			  : "bridge add br0");
	for (unsigned i = 1; i <= N_PORTS; i++) {
		snprintf(line, sizeof line, "port add br0 p%u type null", i);
		run(ctx, line);
		if (mode & (1u << i)) {
			snprintf(line, sizeof line,
				 "link set dev p%u hairpin on", i);
			run(ctx, line);
		}
	}
	if (mode & 1) {
		run(ctx, "vlan add dev p1 vid 10");
		run(ctx, "vlan add dev p1 vid 20");
		run(ctx, "vlan add dev p1 vid 30");
		run(ctx, "vlan add dev p3 vid 1");
		run(ctx, "vlan add dev p3 vid 10");
		run(ctx, "vlan add dev p3 vid 20");
		run(ctx, "vlan del dev p4 vid 1");
	}
	br = bridge_lookup("br0");
	if (!br)
		abort();	/* the fixed setup must work */
	for (unsigned i = 1; i <= N_PORTS; i++) {
		snprintf(line, sizeof line, "p%u", i);
		ports[i] = bridge_port_lookup(br, line);
		if (!ports[i] || ports[i]->port_no != i)
			abort();
		ports[i]->capture = capture;
	}
	return br;
}

static int
outer_vid(const uint8_t *f, uint32_t len)
{
	if (len >= 18 && f[12] == 0x81 && f[13] == 0x00)
		return (f[14] & 0x0f) << 8 | f[15];
	return -1;
}

/* Whether 'f' is frame 'in' as received, or (pop) minus its outer 802.1Q
 * tag. */
static bool
same(const uint8_t *f, uint32_t len, const uint8_t *in, uint32_t in_len,
     bool pop)
{
	if (!pop)
		return len == in_len && !memcmp(f, in, len);
	return outer_vid(in, in_len) >= 0 && len + 4 == in_len &&
	       !memcmp(f, in, 12) && !memcmp(f + 12, in + 16, len - 12);
}

static bool
from_burst(const uint8_t *f, uint32_t len, uint8_t *const *in,
	   const uint32_t *in_len, int n, bool pop_too)
{
	for (int i = 0; i < n; i++)
		if (same(f, len, in[i], in_len[i], false) ||
		    (pop_too && same(f, len, in[i], in_len[i], true)))
			return true;
	return false;
}

static void
check_burst(uint8_t mode, unsigned in, uint8_t *const *fr,
	    const uint32_t *fl, int n)
{
	for (unsigned q = 1; q <= N_PORTS; q++) {
		struct sent *s = &sent[q];

		if (q == in && !(mode & (1u << q)))
			check(s->n == 0, "frame back out of its ingress port",
			      q);
		check(s->n <= (unsigned)n, "more frames sent than received",
		      q);
		for (unsigned j = 0; j < s->n; j++) {
			const uint8_t *f = s->data[j];
			uint32_t len = s->len[j];
			int vid = outer_vid(f, len);

			if (!(mode & 1)) {
				unsigned seen = 0, had = 0;

				for (unsigned k = 0; k < s->n; k++)
					seen += same(s->data[k], s->len[k],
						     f, len, false);
				for (int k = 0; k < n; k++)
					had += same(fr[k], fl[k], f, len,
						    false);
				check(had > 0, "a frame not of the burst "
				      "(altered)", q);
				check(seen <= had, "a frame duplicated", q);
				continue;
			}
			switch (q) {
			case 4:
				check(false, "a frame on a port in no VLAN",
				      q);
				break;
			case 3:
				check(vid == 1 || vid == 10 || vid == 20,
				      "trunk p3 sent a VID it is not in", q);
				break;
			case 2:
				check(from_burst(f, len, fr, fl, n, true),
				      "access p2 sent a frame not of the "
				      "burst minus its tag", q);
				break;
			case 1:
				check(vid == 10 || vid == 20 || vid == 30 ||
				      from_burst(f, len, fr, fl, n, true),
				      "trunk p1 sent a VID it is not in", q);
				break;
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script_ctx ctx = { .in_dir = dir, .out_dir = dir,
				  .replay = true, .file = "fuzz" };
	uint8_t *fr[PKT_BURST];
	uint32_t fl[PKT_BURST];
	struct bridge *br;
	uint8_t mode;
	size_t off = 1;

	if (!size)
		return 0;
	mode = data[0];
	clock_set(1000);
	br = setup(&ctx, mode);
	for (unsigned r = 0; r < MAX_RECS && off < size; r++) {
		uint8_t rec = data[off++];
		struct pkt *pkts[PKT_BURST];
		unsigned in;
		int n = 0;

		if (rec % 8 == 6) {
			clock_warp(off < size ? data[off++] * 1000ull : 0);
			bridge_run(br, clock_now_ms());
			continue;
		}
		if (rec % 8 == 7) {
			if (off < size)
				run(&ctx, CHANGES[data[off++] % N_CHANGES]);
			continue;
		}
		in = rec % 8 < 4 ? 1 + rec % 8 : 1;
		for (unsigned i = 0; i <= (rec >> 3) % 8u && off + 2 <= size;
		     i++) {
			uint32_t len = (uint32_t)(data[off] << 8 |
						  data[off + 1]) % FRAME_MAX;
			struct pkt *p = pkt_alloc(br->pool);

			off += 2;
			if (len > size - off)
				len = (uint32_t)(size - off);
			if (!p)
				abort();	/* every burst is freed */
			memcpy(p->data, data + off, len);
			p->len = len;
			fr[n] = (uint8_t *)data + off;
			fl[n] = len;
			pkts[n++] = p;
			off += len;
		}
		if (!n)
			break;
		for (unsigned q = 1; q <= N_PORTS; q++)
			sent[q].n = 0;
		dp_input(br, ports[in], pkts, n);
		check_burst(mode, in, fr, fl, n);
	}
	script_ctx_uninit(&ctx);
	fuzz_daemon_reset();
	return 0;
}
