/*
 * show.c - bridge summaries for --dump.
 */
#include "show.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "fdb.h"
#include "port-provider.h"
#include "util.h"

/* Prints the non-zero counters of the port's class (get_stats), as
 * bridgectl stats does, on a line under the port. */
static void
show_class_counters(FILE *f, const struct port *p)
{
	struct json_object *o;
	int n = 0;

	if (!p->class->get_stats)
		return;
	o = p->class->get_stats(p);
	fprintf(f, "    %s:", p->class->type);
	json_object_object_foreach(o, key, val) {
		if (json_object_get_uint64(val)) {
			fprintf(f, " %s %" PRIu64, key,
				json_object_get_uint64(val));
			n++;
		}
	}
	fprintf(f, "%s\n", n ? "" : " none");
	json_object_put(o);
}

struct entry_list {
	struct fdb_entry *v;
	size_t n, cap;
};

static void
collect(const struct fdb_entry *e, void *aux)
{
	struct entry_list *l = aux;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = *e;
}

static int
cmp_entry(const void *a_, const void *b_)
{
	const struct fdb_entry *a = a_, *b = b_;
	int c = eth_addr_compare(&a->mac, &b->mac);

	if (c)
		return c;
	return (int)a->vid - (int)b->vid;
}

static const char *
port_name(const struct bridge *br, uint16_t port_no)
{
	if (port_no == 0)
		return br->name;
	return br->ports[port_no] ? br->ports[port_no]->name : "?";
}

void
show_bridge_summary(FILE *f, const struct bridge *br)
{
	struct entry_list l = { 0 };
	char mac[ETH_ADDR_STRLEN];

	fprintf(f, "bridge %s id %02x%02x.%02x%02x%02x%02x%02x%02x ports %u "
		"vlan_filtering %d stp_state %d\n", br->name,
		br->opt.priority >> 8, br->opt.priority & 0xff,
		br->mac.ea[0], br->mac.ea[1], br->mac.ea[2], br->mac.ea[3],
		br->mac.ea[4], br->mac.ea[5], br->n_ports,
		br->opt.vlan_filtering, br->opt.stp_state);
	fprintf(f, "  %-10s %4s %-11s %10s %10s %10s  %s\n", "port", "no",
		"state", "rx", "tx", "dropped", "drop reasons");
	for (unsigned i = 1; i <= br->max_port_no; i++) {
		const struct port *p = br->ports[i];
		uint64_t dropped = 0;

		if (!p)
			continue;
		for (int r = 0; r < PORT_DROP_N; r++)
			dropped += p->stats.drops[r];
		fprintf(f, "  %-10s %4u %-11s %10" PRIu64 " %10" PRIu64
			" %10" PRIu64 " ", p->name, p->port_no,
			port_state_name(p->state), p->stats.rx_packets,
			p->stats.tx_packets, dropped);
		for (int r = 0; r < PORT_DROP_N; r++)
			if (p->stats.drops[r])
				fprintf(f, " %s=%" PRIu64,
					port_drop_reason_name(r),
					p->stats.drops[r]);
		fputc('\n', f);
		show_class_counters(f, p);
	}
	fprintf(f, "  forwarded %" PRIu64 " flooded %" PRIu64 " to_host %"
		PRIu64 " learned %" PRIu64 " moved %" PRIu64 "\n",
		br->stats.forwarded, br->stats.flooded, br->stats.to_host,
		br->stats.learned, br->stats.moved);

	fdb_foreach(br->fdb, collect, &l);
	if (l.n)	/* an empty FDB leaves l.v NULL, which qsort() may not take */
		qsort(l.v, l.n, sizeof *l.v, cmp_entry);
	fprintf(f, "  FDB (%zu entries)\n", l.n);
	fprintf(f, "  port no\tmac addr\t\tis local?\tageing timer\n");
	for (size_t i = 0; i < l.n; i++) {
		const struct fdb_entry *e = &l.v[i];
		uint64_t age_cs = (br->now_ms - e->updated_ms) / 10;

		if (e->port_no == 0)
			continue;
		if (e->flags & (FDB_F_LOCAL | FDB_F_STATIC))
			age_cs = 0;
		fprintf(f, "  %3i\t%s\t%s\t\t%4i.%02i\n", e->port_no,
			eth_addr_format(&e->mac, mac),
			e->flags & FDB_F_LOCAL ? "yes" : "no",
			(int)(age_cs / 100), (int)(age_cs % 100));
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct fdb_entry *e = &l.v[i];

		fprintf(f, "fdb %s vlan %u dev %s %s%s\n",
			eth_addr_format(&e->mac, mac), e->vid,
			port_name(br, e->port_no),
			e->flags & FDB_F_LOCAL ? "permanent" :
			e->flags & FDB_F_STATIC ? "static" :
			e->flags & FDB_F_USER ? "dynamic-user" : "learned",
			e->flags & FDB_F_STICKY ? " sticky" : "");
	}
	free(l.v);
}
