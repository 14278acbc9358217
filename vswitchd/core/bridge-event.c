/*
 * bridge-event.c - the per-bridge event ring (see bridge-event.h).
 */
#include "bridge-event.h"

#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "fdb.h"
#include "util.h"

bool bridge_events_enabled;

/* What deleted bridges recorded and nobody read yet. */
static struct bridge_event_ring deleted;

_Static_assert((BRIDGE_EVENT_RING & (BRIDGE_EVENT_RING - 1)) == 0,
	       "BRIDGE_EVENT_RING is a power of two");

void
bridge_event_init(struct bridge *br)
{
	br->events = xcalloc(1, sizeof *br->events);
}

void
bridge_event_uninit(struct bridge *br)
{
	struct bridge_event ev;

	while (bridge_events_enabled && bridge_event_pop(br, &ev)) {
		if (deleted.tail - deleted.head >= BRIDGE_EVENT_RING) {
			deleted.dropped++;
			continue;
		}
		deleted.ev[deleted.tail++ & (BRIDGE_EVENT_RING - 1)] = ev;
	}
	free(br->events);
	br->events = NULL;
}

/* Returns the next free slot of 'br's ring with its port and bridge names
 * filled in, or NULL (counted) when the ring is full, or when 'br' is
 * being destroyed. */
static struct bridge_event *
push(struct bridge *br, enum bridge_event_type type, uint16_t port_no)
{
	struct bridge_event_ring *r = br->events;
	struct bridge_event *ev;
	const struct port *p;

	if (!r)
		return NULL;
	if (r->tail - r->head >= BRIDGE_EVENT_RING) {
		r->dropped++;
		return NULL;
	}
	ev = &r->ev[r->tail++ & (BRIDGE_EVENT_RING - 1)];
	memset(ev, 0, sizeof *ev);
	ev->type = (uint8_t)type;
	ev->port_no = port_no;
	p = port_no && port_no < BRIDGE_MAX_PORTS ? br->ports[port_no] : NULL;
	memcpy(ev->ifname, p ? p->name : br->name, IFNAMSIZ);
	memcpy(ev->master, br->name, IFNAMSIZ);
	return ev;
}

void
bridge_event_fdb(struct bridge *br, enum bridge_event_type type,
		 const struct eth_addr *mac, uint16_t vid, uint16_t port_no,
		 uint8_t flags)
{
	struct bridge_event *ev;

	if (!bridge_events_enabled || !(ev = push(br, type, port_no)))
		return;
	ev->mac = *mac;
	ev->vid = vid;
	ev->fdb_flags = flags;
}

void
bridge_event_port(struct bridge *br, enum bridge_event_type type,
		  uint16_t port_no, uint8_t state)
{
	struct bridge_event *ev;

	if (!bridge_events_enabled || !(ev = push(br, type, port_no)))
		return;
	ev->state = state;
}

bool
bridge_event_pop(struct bridge *br, struct bridge_event *ev)
{
	struct bridge_event_ring *r = br ? br->events : &deleted;

	if (!r || r->head == r->tail)
		return false;
	*ev = r->ev[r->head++ & (BRIDGE_EVENT_RING - 1)];
	return true;
}

struct flush_report {
	struct bridge *br;
	const struct fdb_flush_filter *f;
};

static void
flush_report_cb(const struct fdb_entry *e, void *aux)
{
	struct flush_report *fr = aux;

	if (fdb_flush_should_remove(fr->f, e))
		bridge_event_fdb(fr->br, BRIDGE_EV_FDB_DEL, &e->mac, e->vid,
				 e->port_no, e->flags);
}

size_t
bridge_event_fdb_flush(struct bridge *br, const struct fdb_flush_filter *f)
{
	if (bridge_events_enabled) {
		struct flush_report fr = { br, f };

		fdb_foreach(br->fdb, flush_report_cb, &fr);
	}
	return fdb_flush(br->fdb, f);
}

void
bridge_event_fdb_age(struct bridge *br, uint64_t now_ms)
{
	struct fdb_entry gone[64];
	size_t n;

	if (!bridge_events_enabled) {
		fdb_age(br->fdb, now_ms);
		return;
	}
	do {
		n = fdb_age_report(br->fdb, now_ms, gone, ARRAY_SIZE(gone));
		for (size_t i = 0; i < n; i++)
			bridge_event_fdb(br, BRIDGE_EV_FDB_DEL, &gone[i].mac,
					 gone[i].vid, gone[i].port_no,
					 gone[i].flags);
	} while (n == ARRAY_SIZE(gone));
}
