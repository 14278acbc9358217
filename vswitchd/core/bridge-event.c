/*
 * bridge-event.c - the per-bridge event ring (see bridge-event.h).
 */
#include "bridge-event.h"

#include <stdlib.h>
#include <string.h>

#include "fdb.h"
#include "port.h"
#include "util.h"

bool bridge_events_enabled;

/* What deleted bridges recorded and nobody read yet. */
static struct bridge_event_ring deleted;

_Static_assert((BRIDGE_EVENT_RING & (BRIDGE_EVENT_RING - 1)) == 0,
	       "BRIDGE_EVENT_RING is a power of two");

struct bridge_event_ring *
bridge_event_ring_create(const char *master, struct port *const *ports,
			 unsigned n_ports, struct fdb *fdb)
{
	struct bridge_event_ring *r = xcalloc(1, sizeof *r);

	util_strlcpy(r->master, master, sizeof r->master);
	r->ports = ports;
	r->n_ports = n_ports;
	r->fdb = fdb;
	return r;
}

void
bridge_event_ring_close(struct bridge_event_ring *r)
{
	struct bridge_event ev;

	if (r->closed)
		return;
	while (bridge_events_enabled && bridge_event_pop(r, &ev)) {
		if (deleted.tail - deleted.head >= BRIDGE_EVENT_RING) {
			deleted.dropped++;
			continue;
		}
		deleted.ev[deleted.tail++ & (BRIDGE_EVENT_RING - 1)] = ev;
	}
	r->closed = true;
}

void
bridge_event_ring_destroy(struct bridge_event_ring *r)
{
	if (!r)
		return;
	bridge_event_ring_close(r);
	free(r);
}

/* Returns the next free slot of 'r' with its port and bridge names filled
 * in, or NULL when the ring is full (counted) or closed (its bridge is
 * being destroyed). */
static struct bridge_event *
push(struct bridge_event_ring *r, enum bridge_event_type type,
     uint16_t port_no)
{
	struct bridge_event *ev;
	const struct port *p;

	if (r->closed)
		return NULL;
	if (r->tail - r->head >= BRIDGE_EVENT_RING) {
		r->dropped++;
		return NULL;
	}
	ev = &r->ev[r->tail++ & (BRIDGE_EVENT_RING - 1)];
	memset(ev, 0, sizeof *ev);
	ev->type = (uint8_t)type;
	ev->port_no = port_no;
	p = port_no && port_no < r->n_ports ? r->ports[port_no] : NULL;
	memcpy(ev->ifname, p ? p->name : r->master, IFNAMSIZ);
	memcpy(ev->master, r->master, IFNAMSIZ);
	return ev;
}

void
bridge_event_fdb(struct bridge_event_ring *r, enum bridge_event_type type,
		 const struct eth_addr *mac, uint16_t vid, uint16_t port_no,
		 uint8_t flags)
{
	struct bridge_event *ev;

	if (!bridge_events_enabled || !(ev = push(r, type, port_no)))
		return;
	ev->mac = *mac;
	ev->vid = vid;
	ev->fdb_flags = flags;
}

void
bridge_event_port(struct bridge_event_ring *r, enum bridge_event_type type,
		  uint16_t port_no, uint8_t state)
{
	struct bridge_event *ev;

	if (!bridge_events_enabled || !(ev = push(r, type, port_no)))
		return;
	ev->state = state;
}

bool
bridge_event_pop(struct bridge_event_ring *r, struct bridge_event *ev)
{
	if (!r)
		r = &deleted;
	if (r->head == r->tail)
		return false;
	*ev = r->ev[r->head++ & (BRIDGE_EVENT_RING - 1)];
	return true;
}

struct flush_report {
	struct bridge_event_ring *r;
	const struct fdb_flush_filter *f;
};

static void
flush_report_cb(const struct fdb_entry *e, void *aux)
{
	struct flush_report *fr = aux;

	if (fdb_flush_should_remove(fr->f, e))
		bridge_event_fdb(fr->r, BRIDGE_EV_FDB_DEL, &e->mac, e->vid,
				 e->port_no, e->flags);
}

size_t
bridge_event_fdb_flush(struct bridge_event_ring *r,
		       const struct fdb_flush_filter *f)
{
	if (bridge_events_enabled) {
		struct flush_report fr = { r, f };

		fdb_foreach(r->fdb, flush_report_cb, &fr);
	}
	return fdb_flush(r->fdb, f);
}

void
bridge_event_fdb_age(struct bridge_event_ring *r, uint64_t now_ms)
{
	struct fdb_entry gone[64];
	size_t n;

	if (!bridge_events_enabled) {
		fdb_age(r->fdb, now_ms);
		return;
	}
	do {
		n = fdb_age_report(r->fdb, now_ms, gone, ARRAY_SIZE(gone));
		for (size_t i = 0; i < n; i++)
			bridge_event_fdb(r, BRIDGE_EV_FDB_DEL, &gone[i].mac,
					 gone[i].vid, gone[i].port_no,
					 gone[i].flags);
	} while (n == ARRAY_SIZE(gone));
}
