/*
 * dp-trace.h - explain a frame: run it through the real pipeline (dp.c)
 * with a trace context that records each decision, then follow it over
 * patch wires into the bridges behind them until it leaves at ports that
 * are not patch ports.
 *
 * There is one forwarding code: dp_input() itself runs the traced frame.
 * The context hangs off the bridge's datapath context (dp_set_trace())
 * only for the duration of one traced frame; everywhere else it is NULL,
 * and the pipeline's cost is one predictable NULL test per decision.
 *
 * A trace is a dry run unless asked otherwise: the frame is not
 * transmitted (the egress set and each egress frame are recorded instead),
 * nothing is learned (fdb_learn_preview() says what learning would do),
 * no FDB entry is marked used, no BPDU reaches STP, no capture hook sees
 * the frame, nothing ages (the pipeline never ages; the trace never runs
 * the bridge's timers), and the counters of the bridges it crosses are
 * restored afterwards.  With 'learn' the FDB changes exactly as if the
 * frame had arrived (learning and "used" times, in every bridge crossed);
 * nothing is transmitted still.
 *
 * The result is JSON (docs/rpc.md, bridge.trace):
 *   { "dry_run": bool, "hops": [ { "bridge", "in_port", "frame",
 *       "steps": [ { "step", "port"?, "verdict", "detail"? } ... ],
 *       "out": [ port names ] } ... ],
 *     "leaves": [ { "bridge", "port" } ... ], "truncated": bool }
 * lib/trace-text.h renders it as text.
 */
#ifndef VSWITCHD_DP_TRACE_H
#define VSWITCHD_DP_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct bridge;
struct json_object;
struct pkt;
struct port;

/* Why should_deliver() refused a port (dp.c), or DP_DELIVER_OK. */
enum dp_deliver {
	DP_DELIVER_OK,
	DP_DELIVER_SAME_PORT,	/* the ingress port, hairpin off */
	DP_DELIVER_STATE,	/* egress port not forwarding */
	DP_DELIVER_VLAN,	/* egress filter: not a member of the VID */
	DP_DELIVER_ISOLATED,	/* isolated to isolated */
};

/* Hops a trace follows before it stops (a wire loop without STP). */
#define DP_TRACE_MAX_HOPS 32

/* A frame waiting to enter a bridge at 'in' (over a wire), queued by
 * dp_trace_tx() for the runner (dp-trace-run.c). */
struct dp_trace_hop {
	struct port *in;
	uint32_t len;
	uint8_t *data;
	struct dp_trace_hop *next;
};

/* The context.  Members are read by dp.c; the rest is dp-trace.c's. */
struct dp_trace {
	bool learn;			/* apply learning (not a dry run) */
	struct json_object *steps;	/* the running hop's steps */
	struct json_object *out;	/* the running hop's egress ports */
	struct dp_trace_hop *queue;	/* hops still to run, FIFO */
	struct dp_trace_hop **queue_tail;
	struct json_object *leaves;
};

/* Records one step: 'step' names the decision, 'port' (may be NULL) the
 * port it concerns, 'verdict' the outcome in a word or two, and the
 * optional printf-style detail says why. */
void dp_trace_step(struct dp_trace *, const char *step,
		   const struct port *port, const char *verdict,
		   const char *fmt, ...) UTIL_PRINTF(5, 6);

/* Records the link-local decision for 01:80:c2:00:00:'x' under the
 * effective forward 'mask' and the bridge's STP state. */
void dp_trace_link_local(struct dp_trace *, unsigned x, uint16_t mask,
			 bool stp_on);

/* Records VLAN classification: 'v' is an enum vlan_verdict, 'cls' filled
 * when it is VLAN_ACCEPT. */
struct vlan_class;
void dp_trace_vlan(struct dp_trace *, int v, const struct vlan_class *cls);

/* Records the drop counted on 'port' for 'reason' (a port_drop_reason). */
void dp_trace_drop(struct dp_trace *, const struct port *port, int reason);

/* Records an egress candidate's fate ('why' from should_deliver()). */
void dp_trace_deliver(struct dp_trace *, const struct port *q,
		      enum dp_deliver why);

/* Records learning of 'p''s source on 'in' and returns true if the
 * pipeline is to apply it (trace with 'learn'), false in a dry run. */
bool dp_trace_learn(struct dp_trace *, const struct bridge *br,
		    const struct port *in, const struct pkt *p);

/* Records the 'n' frames the pipeline would transmit on 'q' (after the
 * egress VLAN edit and MTU check) and queues, for each one sent on a
 * patch port, a hop into the peer's bridge. */
void dp_trace_tx(struct dp_trace *, struct port *q, struct pkt **pkts,
		 int n);

/* Adds string member 'key' = 'v' to 'o' (the recorders and the runner). */
void dp_trace_add_str(struct json_object *o, const char *key, const char *v);

#endif /* VSWITCHD_DP_TRACE_H */
