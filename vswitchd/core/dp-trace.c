/*
 * dp-trace.c - the trace context's recorders (see dp-trace.h); the hop
 * driver that runs a trace is dp-trace-run.c.  Called from dp.c only while a trace runs, so nothing here
 * is on the forwarding path of ordinary frames.
 */
#include "dp-trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "dp.h"
#include "eth.h"
#include "fdb.h"
#include "pkt.h"
#include "port-provider.h"
#include "vlan.h"

void
dp_trace_add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void UTIL_PRINTF(5, 0)
vstep(struct dp_trace *tr, const char *step, const struct port *port,
      const char *verdict, const char *fmt, va_list ap)
{
	struct json_object *o = json_object_new_object();

	dp_trace_add_str(o, "step", step);
	if (port)
		dp_trace_add_str(o, "port", port->name);
	dp_trace_add_str(o, "verdict", verdict);
	if (fmt) {
		char *d = NULL;

		if (vasprintf(&d, fmt, ap) < 0)
			abort();
		dp_trace_add_str(o, "detail", d);
		free(d);
	}
	json_object_array_add(tr->steps, o);
}

void
dp_trace_step(struct dp_trace *tr, const char *step, const struct port *port,
	      const char *verdict, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstep(tr, step, port, verdict, fmt, ap);
	va_end(ap);
}

void
dp_trace_drop(struct dp_trace *tr, const struct port *port, int reason)
{
	dp_trace_step(tr, "drop", port, port_drop_reason_name(reason), NULL);
}

void
dp_trace_deliver(struct dp_trace *tr, const struct port *q,
		 enum dp_deliver why)
{
	static const char *const reasons[] = {
		[DP_DELIVER_SAME_PORT] = "ingress port, hairpin off",
		[DP_DELIVER_STATE] = "port not forwarding",
		[DP_DELIVER_VLAN] = "egress filter: not in the VLAN",
		[DP_DELIVER_ISOLATED] = "isolated to isolated",
	};

	if (why == DP_DELIVER_OK)
		dp_trace_step(tr, "egress", q, "deliver", NULL);
	else if (why == DP_DELIVER_STATE)
		dp_trace_step(tr, "egress", q, "skip", "%s (%s)", reasons[why],
			      port_state_name(q->state));
	else
		dp_trace_step(tr, "egress", q, "skip", "%s", reasons[why]);
}

void
dp_trace_link_local(struct dp_trace *tr, unsigned x, uint16_t mask,
		    bool stp_on)
{
	bool fwd = x == 0 ? !stp_on || (mask & 1) : (mask >> x) & 1;

	if (x == 0 && !stp_on)
		dp_trace_step(tr, "link-local", NULL, "forward",
			      "01:80:c2:00:00:00 with STP off is data");
	else
		dp_trace_step(tr, "link-local", NULL,
			      fwd ? "forward" : "trap",
			      "01:80:c2:00:00:%02x, group_fwd_mask 0x%04x "
			      "bit %u %s", x, mask, x, fwd ? "set" : "clear");
}

void
dp_trace_vlan(struct dp_trace *tr, int v, const struct vlan_class *cls)
{
	switch ((enum vlan_verdict)v) {
	case VLAN_ACCEPT:
		dp_trace_step(tr, "vlan", NULL, "accept", "vid %u pcp %u (%s)",
			      cls->vid, cls->tci >> 13,
			      cls->had_tag ? "tag popped" : "untagged: pvid");
		break;
	case VLAN_DROP_NO_PVID:
		dp_trace_step(tr, "vlan", NULL, "reject",
			      "untagged or priority-tagged, port has no pvid");
		break;
	case VLAN_DROP_NOT_MEMBER:
		dp_trace_step(tr, "vlan", NULL, "reject",
			      "ingress filter: port not in the tag's vid");
		break;
	case VLAN_DROP_BAD_VID:
		dp_trace_step(tr, "vlan", NULL, "reject", "vid 4095");
		break;
	case VLAN_DROP_TRUNCATED:
		dp_trace_step(tr, "vlan", NULL, "reject", "truncated tag");
		break;
	}
}

bool
dp_trace_learn(struct dp_trace *tr, const struct bridge *br,
	       const struct port *in, const struct pkt *p)
{
	static const char *const words[] = {
		[FDB_LEARN_NEW] = "new",
		[FDB_LEARN_REFRESHED] = "known",
		[FDB_LEARN_MOVED] = "moved",
		[FDB_LEARN_STICKY] = "refused: sticky entry on another port",
		[FDB_LEARN_LOCAL] = "refused: a local address",
		[FDB_LEARN_DISABLED] = "refused: ageing time 0",
		[FDB_LEARN_FULL] = "refused: table or fdb_max_learned full",
	};
	const struct eth_addr *src = eth_src(p->data);
	struct fdb_entry *e = fdb_lookup(br->fdb, src, p->vid);
	enum fdb_learn_result r = fdb_learn_preview(br->fdb, src, p->vid,
						    in->port_no);
	char mac[ETH_ADDR_STRLEN];
	const struct port *old = e && r == FDB_LEARN_MOVED ?
				 br->ports[e->port_no] : NULL;

	eth_addr_format(src, mac);
	dp_trace_step(tr, "learn", in, words[r], "%s vid %u%s%s%s", mac,
		      p->vid, old ? ", was on " : "", old ? old->name : "",
		      tr->learn ? "" : " (dry run: not applied)");
	return tr->learn;
}

void
dp_trace_tx(struct dp_trace *tr, struct port *q, struct pkt **pkts, int n)
{
	for (int i = 0; i < n; i++) {
		const struct pkt *p = pkts[i];
		const struct bridge *br = q->br;
		const char *why = NULL;
		struct port *peer;

		if (br->opt.vlan_filtering)
			dp_trace_step(tr, "out", q, p->tagged ? "tagged"
				      : "untagged", "vid %u, %u bytes",
				      p->vid, p->len);
		else
			dp_trace_step(tr, "out", q, "unchanged", "%u bytes",
				      p->len);
		json_object_array_add(tr->out,
				      json_object_new_string(q->name));
		if (q->is_host || !q->class->wire_peer) {
			struct json_object *l = json_object_new_object();

			dp_trace_add_str(l, "bridge", br->name);
			dp_trace_add_str(l, "port", q->is_host ? "(bridge device)"
				: q->name);
			json_object_object_add(l, "len",
					       json_object_new_int64(p->len));
			json_object_array_add(tr->leaves, l);
			continue;
		}
		peer = q->class->wire_peer(q, p->len, &why);
		if (!peer || !peer->br) {
			dp_trace_step(tr, "wire", q, "lost", "%s",
				      why ? why : "peer in no bridge");
			continue;
		}
		struct dp_trace_hop *h = xcalloc(1, sizeof *h);

		h->in = peer;
		h->len = p->len;
		h->data = xmalloc(p->len);
		memcpy(h->data, p->data, p->len);
		*tr->queue_tail = h;
		tr->queue_tail = &h->next;
		dp_trace_step(tr, "wire", q, "continue", "to %s on bridge %s",
			      peer->name, peer->br->name);
	}
}
