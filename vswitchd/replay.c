/*
 * replay.c - run-to-completion driver for pcap ports (see replay.h).
 */
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bridge.h"
#include "clock.h"
#include "dp-trace-run.h"
#include "pkt.h"
#include "port-patch.h"
#include "port-pcap.h"
#include "script.h"
#include "util.h"

#define NS_PER_MS 1000000ull
#define STP_STEP_NS (10 * NS_PER_MS)	/* clock step while STP runs */

/* Finds the earliest timestamp among the captures the script will replay
 * and among its 'at' commands, so setup runs at the start of the replay. */
static uint64_t
find_start_ns(const struct replay_opts *o)
{
	FILE *f = fopen(o->script, "r");
	uint64_t start = UINT64_MAX;
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return 0;
	while (getline(&line, &cap, f) != -1) {
		char *save = NULL, *w[64];
		int n = 0;

		for (char *t = strtok_r(line, " \t\r\n", &save); t && n < 64;
		     t = strtok_r(NULL, " \t\r\n", &save)) {
			if (t[0] == '#')
				break;
			w[n++] = t;
		}
		if (n >= 2 && !strcmp(w[0], "at")) {
			double s = strtod(w[1], NULL);

			if (s >= 0 && s < 1e10 && (uint64_t)(s * 1e9) < start)
				start = (uint64_t)(s * 1e9);
		}
		if (n >= 4 && !strcmp(w[0], "port") && !strcmp(w[1], "add")) {
			char *rx = NULL;
			uint64_t ns;

			for (int i = 4; i + 1 < n; i += 2)
				if (!strcmp(w[i], "rx"))
					rx = xstrdup(w[i + 1]);
			if (!rx)
				rx = xasprintf("%s/in-%s.pcap",
					       o->in_dir ? o->in_dir : ".", w[3]);
			if (!port_pcap_first_ns(rx, &ns) && ns < start)
				start = ns;
			free(rx);
		}
	}
	free(line);
	fclose(f);
	return start == UINT64_MAX ? 0 : start;
}

/* Earliest pending input frame over every pcap port of every bridge. */
static uint64_t
next_frame_ns(void)
{
	uint64_t t = UINT64_MAX;

	for (struct bridge *br = bridge_first(); br; br = br->next) {
		for (unsigned i = 1; i <= br->max_port_no; i++) {
			struct port *p = br->ports[i];

			if (p && port_is_pcap(p)) {
				uint64_t n = port_pcap_next_ns(p);

				if (n < t)
					t = n;
			}
		}
	}
	return t;
}

static bool
any_stp(void)
{
	for (struct bridge *br = bridge_first(); br; br = br->next)
		if (br->opt.stp_state)
			return true;
	return false;
}

/* Rounds over the ports fed by other ports (patch wires) in one step: a
 * looped wire without STP would circulate a broadcast for ever, as a real
 * one does; the replay moves on after this many rounds instead. */
#define REPLAY_INTERNAL_ROUNDS 64

/* Runs what ports without a file of their own hold (a patch port's frames
 * from its peer) until they are empty or the rounds are up.  In the
 * daemon the loop wakes them; a replay has no loop. */
static void
drain_internal(void)
{
	for (int round = 0; round < REPLAY_INTERNAL_ROUNDS; round++) {
		bool any = false;

		for (struct bridge *br = bridge_first(); br; br = br->next) {
			for (unsigned i = 1; i <= br->max_port_no; i++) {
				struct port *p = br->ports[i];

				if (p && !port_is_pcap(p) &&
				    bridge_port_input(br, p) > 0)
					any = true;
			}
		}
		if (!any)
			return;
	}
}

/* --trace-check: what left the switch while one input frame ran, as
 * sorted "BRIDGE/PORT:LEN" words. */
#define CHECK_MAX 4096
static char *check_seen[CHECK_MAX];
static unsigned n_check_seen, n_checked, n_check_bad;

static void
check_capture(struct port *port, const struct pkt *p, bool tx)
{
	const uint8_t *d = p->data;
	static const uint8_t stp_dst[6] = { 0x01, 0x80, 0xc2, 0, 0, 0 };

	/* Our own STP's BPDUs (source: the sending port's MAC) are sent
	 * by STP, not forwarded: the trace never hands BPDUs to STP. */
	if (!tx || n_check_seen == CHECK_MAX ||
	    (p->len >= 12 && !memcmp(d, stp_dst, 6) &&
	     !memcmp(d + 6, &port->mac, 6)))
		return;
	check_seen[n_check_seen++] = xasprintf("%s/%s:%u", port->br->name,
					       port->name, p->len);
}

static void
set_check_capture(bool on)
{
	for (struct bridge *br = bridge_first(); br; br = br->next)
		for (unsigned i = 1; i <= br->max_port_no; i++)
			if (br->ports[i] && !port_is_patch(br->ports[i]))
				br->ports[i]->capture = on ? check_capture
							   : NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins 'n' words sorted, or "nothing". */
static char *
sorted_words(char **w, unsigned n)
{
	char *s = xstrdup("");

	qsort(w, n, sizeof *w, cmp_str);
	for (unsigned i = 0; i < n; i++) {
		char *t = xasprintf("%s%s%s", s, i ? " " : "", w[i]);

		free(s);
		s = t;
		free(w[i]);
	}
	if (!n) {
		free(s);
		s = xstrdup("nothing");
	}
	return s;
}

/* Traces the next frame of pcap port 'p' (dry run), runs it for real,
 * and prints both egress sets with OK or MISMATCH. */
static void
check_one(struct bridge *br, unsigned i, struct port *p, uint64_t ns)
{
	char *pred[CHECK_MAX], *err = NULL, *ps, *as;
	struct json_object *res, *leaves;
	unsigned n_pred = 0;
	uint32_t len;
	const uint8_t *f = port_pcap_next_frame(p, &len);

	res = f ? dp_trace_frame(p, f, len, false, &err)
				      : NULL;
	free(err);
	leaves = res ? json_object_object_get(res, "leaves") : NULL;
	for (size_t k = 0; leaves && k < json_object_array_length(leaves) &&
	     n_pred < CHECK_MAX; k++) {
		struct json_object *l = json_object_array_get_idx(leaves, k);

		pred[n_pred++] = xasprintf("%s/%s:%d",
			json_object_get_string(json_object_object_get(l,
								"bridge")),
			json_object_get_string(json_object_object_get(l,
								"port")),
			json_object_get_int(json_object_object_get(l, "len")));
	}
	json_object_put(res);
	n_check_seen = 0;
	set_check_capture(true);
	port_pcap_set_horizon(p, ns);
	while (br->ports[i] == p && bridge_port_input(br, p) > 0)
		drain_internal();
	set_check_capture(false);
	ps = sorted_words(pred, n_pred);
	as = sorted_words(check_seen, n_check_seen);
	n_checked++;
	if (strcmp(ps, as))
		n_check_bad++;
	printf("t=%llu.%03llu %s: trace %s | replay %s: %s\n",
	       (unsigned long long)(ns / 1000000000),
	       (unsigned long long)(ns / 1000000 % 1000), p->name, ps, as,
	       strcmp(ps, as) ? "MISMATCH" : "ok");
	free(ps);
	free(as);
}

static void
input_due(uint64_t now_ns, bool trace_check)
{
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		for (unsigned i = 1; i <= br->max_port_no; i++) {
			struct port *p = br->ports[i];
			uint64_t ns;

			if (!p || !port_is_pcap(p))
				continue;
			/* One frame at a time, each traced first. */
			while (trace_check && br->ports[i] == p &&
			       (ns = port_pcap_next_ns(p)) <= now_ns)
				check_one(br, i, p, ns);
			port_pcap_set_horizon(p, now_ns);
			while (br->ports[i] == p &&
			       bridge_port_input(br, p) > 0)
				drain_internal();
		}
	}
	drain_internal();
}

int
replay_run(const struct replay_opts *o)
{
	struct script_ctx ctx = {
		.in_dir = o->in_dir,
		.out_dir = o->out_dir,
		.replay = true,
	};
	uint64_t now_ns = find_start_ns(o);
	int err;

	clock_set(now_ns / NS_PER_MS);
	err = script_run_file(&ctx, o->script);
	while (!err) {
		uint64_t tf = next_frame_ns(), ta = script_next_at_ns(&ctx);
		uint64_t te = ctx.end_ns > now_ns ? ctx.end_ns : UINT64_MAX;
		uint64_t t = MIN(MIN(tf, ta), te);

		if (t == UINT64_MAX)
			break;
		/* While STP runs, timers send BPDUs on their own: step the
		 * clock so they leave at their time, between inputs. */
		if (t > now_ns + STP_STEP_NS && any_stp())
			t = now_ns + STP_STEP_NS;
		if (t > now_ns)
			now_ns = t;
		clock_set(now_ns / NS_PER_MS);
		for (struct bridge *br = bridge_first(); br; br = br->next)
			bridge_run(br, clock_now_ms());
		err = script_run_due(&ctx, now_ns);
		if (!err)
			input_due(now_ns, o->trace_check);
	}
	script_ctx_uninit(&ctx);
	if (o->trace_check)
		printf("trace check: %u frames, %u mismatches\n", n_checked,
		       n_check_bad);
	return err ? err : n_check_bad ? -EPROTO : 0;
}

void
replay_finish(void)
{
	for (struct bridge *br = bridge_first(); br; br = br->next)
		bridge_set_admin_up(br, false);
}
