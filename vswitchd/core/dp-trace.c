/*
 * dp-trace.c - the trace context's recorders and the hop driver (see
 * dp-trace.h).  Called from dp.c only while a trace runs, so nothing here
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
#include "port-patch.h"
#include "port-provider.h"
#include "vlan.h"

/* A frame waiting to enter a bridge at 'in' (over a patch wire). */
struct dp_trace_hop {
	struct port *in;
	uint32_t len;
	uint8_t *data;
	struct dp_trace_hop *next;
};

static void
add_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

static void UTIL_PRINTF(5, 0)
vstep(struct dp_trace *tr, const char *step, const struct port *port,
      const char *verdict, const char *fmt, va_list ap)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "step", step);
	if (port)
		add_str(o, "port", port->name);
	add_str(o, "verdict", verdict);
	if (fmt) {
		char *d = NULL;

		if (vasprintf(&d, fmt, ap) < 0)
			abort();
		add_str(o, "detail", d);
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
		if (q->is_host || !port_is_patch(q)) {
			struct json_object *l = json_object_new_object();

			add_str(l, "bridge", br->name);
			add_str(l, "port", q->is_host ? "(bridge device)"
				: q->name);
			json_object_object_add(l, "len",
					       json_object_new_int64(p->len));
			json_object_array_add(tr->leaves, l);
			continue;
		}
		peer = port_patch_peer(q, p->len, &why);
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

static struct json_object *
frame_summary(const uint8_t *f, uint32_t len)
{
	struct json_object *o = json_object_new_object();
	char s[ETH_ADDR_STRLEN], d[ETH_ADDR_STRLEN], buf[64];
	uint32_t off = 12;

	json_object_object_add(o, "len", json_object_new_int64(len));
	if (len < ETH_HDR_LEN)
		return o;
	add_str(o, "src", eth_addr_format(eth_src(f), s));
	add_str(o, "dst", eth_addr_format(eth_dst(f), d));
	{
		uint16_t type = eth_get_be16(f + off);
		struct json_object *tags = json_object_new_array();

		while ((type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ) &&
		       len >= off + 6) {
			uint16_t tci = eth_get_be16(f + off + 2);

			snprintf(buf, sizeof buf, "0x%04x vid %u pcp %u", type,
				 tci & 0xfff, tci >> 13);
			json_object_array_add(tags,
					      json_object_new_string(buf));
			off += 4;
			type = eth_get_be16(f + off);
		}
		json_object_object_add(o, "tags", tags);
		snprintf(buf, sizeof buf, "0x%04x", type);
		add_str(o, "type", buf);
	}
	return o;
}

/* Copies the counters of 'br' and its ports (to restore after a run). */
struct counters {
	struct bridge_stats br;
	struct port_stats ports[BRIDGE_MAX_PORTS];
	struct port_stats host;
};

static void
save_counters(const struct bridge *br, struct counters *c)
{
	c->br = br->stats;
	for (unsigned i = 1; i <= br->max_port_no; i++)
		if (br->ports[i])
			c->ports[i] = br->ports[i]->stats;
	if (br->host)
		c->host = br->host->stats;
}

static void
restore_counters(struct bridge *br, const struct counters *c)
{
	br->stats = c->br;
	for (unsigned i = 1; i <= br->max_port_no; i++)
		if (br->ports[i])
			br->ports[i]->stats = c->ports[i];
	if (br->host)
		br->host->stats = c->host;
}

/* Runs one hop: 'h''s frame into its port's bridge. */
static struct json_object *
run_hop(struct dp_trace *tr, const struct dp_trace_hop *h,
	struct counters *saved)
{
	struct port *in = h->in;
	struct bridge *br = in->br;
	struct json_object *hop = json_object_new_object();
	struct pkt *p;

	add_str(hop, "bridge", br->name);
	add_str(hop, "in_port", in->is_host ? "(bridge device)" : in->name);
	json_object_object_add(hop, "frame", frame_summary(h->data, h->len));
	tr->steps = json_object_new_array();
	tr->out = json_object_new_array();
	json_object_object_add(hop, "steps", tr->steps);
	json_object_object_add(hop, "out", tr->out);
	p = pkt_alloc(dp_pool(br->dp));
	if (!p) {
		dp_trace_step(tr, "drop", in, "no_buffer",
			      "the bridge's packet pool is empty");
		return hop;
	}
	memcpy(p->data, h->data, h->len);
	p->len = h->len;
	save_counters(br, saved);
	dp_set_trace(br->dp, tr);
	if (in->is_host)
		dp_host_input(br, &p, 1);
	else
		dp_input(br, in, &p, 1);
	dp_set_trace(br->dp, NULL);
	restore_counters(br, saved);
	return hop;
}

static void
free_hop(struct dp_trace_hop *h)
{
	free(h->data);
	free(h);
}

struct json_object *
dp_trace_frame(struct port *in, const uint8_t *frame, uint32_t len,
	       bool learn, char **errp)
{
	struct dp_trace tr = { .learn = learn };
	struct json_object *res, *hops;
	struct counters *saved;
	struct dp_trace_hop *h;
	unsigned n = 0;

	if (!in->br) {
		*errp = xasprintf("%s: port is in no bridge", in->name);
		return NULL;
	}
	if (!len || len > PKT_DATA_MAX) {
		*errp = xasprintf("frame of %u bytes: a frame has 1 to %d "
				  "(under %d: traced as a runt)", len,
				  PKT_DATA_MAX, ETH_HDR_LEN);
		return NULL;
	}
	saved = xmalloc(sizeof *saved);
	res = json_object_new_object();
	hops = json_object_new_array();
	tr.leaves = json_object_new_array();
	json_object_object_add(res, "dry_run", json_object_new_boolean(!learn));
	json_object_object_add(res, "hops", hops);
	json_object_object_add(res, "leaves", tr.leaves);
	h = xcalloc(1, sizeof *h);
	h->in = in;
	h->len = len;
	h->data = xmalloc(len);
	memcpy(h->data, frame, len);
	tr.queue = h;
	tr.queue_tail = &h->next;
	while (tr.queue && n < DP_TRACE_MAX_HOPS) {
		h = tr.queue;
		tr.queue = h->next;
		if (!tr.queue)
			tr.queue_tail = &tr.queue;
		json_object_array_add(hops, run_hop(&tr, h, saved));
		free_hop(h);
		n++;
	}
	json_object_object_add(res, "truncated",
			       json_object_new_boolean(tr.queue != NULL));
	while (tr.queue) {
		h = tr.queue;
		tr.queue = h->next;
		free_hop(h);
	}
	free(saved);
	return res;
}

struct port *
dp_trace_find_port(const char *brname, const char *name, char **errp)
{
	struct bridge *br = NULL, *named = brname ? bridge_lookup(brname)
						  : NULL;
	struct port *port;

	if (brname && !named) {
		*errp = xasprintf("%s: no such bridge", brname);
		return NULL;
	}
	br = bridge_lookup(name);
	if (br && (!named || named == br)) {
		if (!br->host)
			*errp = xasprintf("%s: the bridge has no bridge device",
					  name);
		return br->host;
	}
	port = bridge_find_port(name, &br);
	if (!port || !br) {
		*errp = xasprintf("%s: no such port in any bridge", name);
		return NULL;
	}
	if (named && named != br) {
		*errp = xasprintf("%s: port is in bridge %s, not %s", name,
				  br->name, named->name);
		return NULL;
	}
	return port;
}
