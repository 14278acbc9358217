/*
 * dp-trace-run.c - runs a trace (dp-trace-run.h): the frame through
 * dp_input() of its bridge with the bridge's trace context set, then each
 * hop the recorders queued (a frame sent on a wire enters the peer's
 * bridge), up to DP_TRACE_MAX_HOPS.  Above the pipeline: dp.c calls the
 * recorders (dp-trace.c), never this.
 */
#include "dp-trace-run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "dp.h"
#include "dp-trace.h"
#include "eth.h"
#include "pkt.h"
#include "port-provider.h"
#include "util.h"

static struct json_object *
frame_summary(const uint8_t *f, uint32_t len)
{
	struct json_object *o = json_object_new_object();
	char s[ETH_ADDR_STRLEN], d[ETH_ADDR_STRLEN], buf[64];
	uint32_t off = 12;

	json_object_object_add(o, "len", json_object_new_int64(len));
	if (len < ETH_HDR_LEN)
		return o;
	dp_trace_add_str(o, "src", eth_addr_format(eth_src(f), s));
	dp_trace_add_str(o, "dst", eth_addr_format(eth_dst(f), d));
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
		dp_trace_add_str(o, "type", buf);
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

	dp_trace_add_str(hop, "bridge", br->name);
	dp_trace_add_str(hop, "in_port", in->is_host ? "(bridge device)" : in->name);
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
