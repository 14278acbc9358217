/*
 * bridge-event.h - what happened in a bridge, for monitors: FDB entries
 * learned, moved, removed (aged, flushed) and added or deleted by a user,
 * STP port states and topology changes, ports whose link went up or down,
 * bridges and ports added, deleted or reconfigured.
 *
 * This ring is the one source of monitor events: the datapath, the STP
 * glue and the bridge API calls that change something (bridge.c) record
 * into a fixed ring per bridge (no allocation, no logging, no I/O); the
 * monitor (ctl-monitor.c) drains the rings from the loop and turns them
 * into notifications (docs/rpc.md monitor.subscribe).  Nothing is recorded
 * while nobody listens ('bridge_events_enabled' false), so the cost on the
 * datapath is one predictable branch.  A full ring drops the newest events
 * and counts them.
 *
 * Each bridge owns its ring (bridge_create/bridge_destroy); events name
 * their port and their bridge, since either may be gone by the time the
 * event is read.  The events of a deleted bridge that were not read yet,
 * its own deletion last, wait in one more ring (bridge_event_pop(NULL)).
 *
 * The ring knows the bridge only by what it reads to name events and to
 * report FDB removals -- its name, its ports by number and its FDB, given
 * at creation -- so the bridge calls down into it and nothing here calls
 * back up (no struct bridge: every function takes the ring, and a closed
 * ring, that of a bridge being destroyed, records nothing).
 */
#ifndef VSWITCHD_BRIDGE_EVENT_H
#define VSWITCHD_BRIDGE_EVENT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth.h"

struct fdb;
struct fdb_entry;
struct fdb_flush_filter;
struct port;

#define BRIDGE_EVENT_RING 1024	/* events per bridge, a power of two */

enum bridge_event_type {
	BRIDGE_EV_FDB_NEW,	/* learned (or refreshed onto a new key) */
	BRIDGE_EV_FDB_MOVED,	/* learned on another port */
	BRIDGE_EV_FDB_DEL,	/* aged out, flushed, or its port left */
	BRIDGE_EV_PORT_STATE,	/* STP port state changed ('state') */
	BRIDGE_EV_TOPOLOGY,	/* topology change flag ('state' 1/0) */
	BRIDGE_EV_LINK,		/* port enabled/disabled ('state' 1/0) */
	BRIDGE_EV_FDB_USER_ADD,	/* a user added an entry (vid may be ANY) */
	BRIDGE_EV_FDB_USER_DEL,	/* a user deleted an entry (vid may be ANY) */
	BRIDGE_EV_DEV,		/* a port or the bridge ('state' below) */
};

/* 'state' of BRIDGE_EV_DEV: what became of the device.  One event per
 * change a request made, whatever number of settings it changed. */
enum bridge_event_dev {
	BRIDGE_EV_DEV_ADD,
	BRIDGE_EV_DEV_DEL,
	BRIDGE_EV_DEV_SET,	/* its settings changed */
};

struct bridge_event {
	uint8_t type;		/* enum bridge_event_type */
	uint8_t fdb_flags;	/* FDB_F_* of the entry */
	uint8_t state;		/* see the types */
	uint16_t vid;
	uint16_t port_no;	/* 0: the bridge device */
	struct eth_addr mac;
	char ifname[IFNAMSIZ];	/* the port (or bridge) named by port_no */
	char master[IFNAMSIZ];	/* the bridge */
};

struct bridge_event_ring {
	struct bridge_event ev[BRIDGE_EVENT_RING];
	uint32_t head, tail;	/* free-running; tail - head = queued */
	uint64_t dropped;	/* lost to a full ring */
	/* The bridge, as events name it (NULL/empty for the ring of
	 * deleted bridges). */
	char master[IFNAMSIZ];
	struct port *const *ports;	/* by port_no, 'n_ports' of them */
	unsigned n_ports;
	struct fdb *fdb;
	bool closed;		/* bridge_event_ring_close() was called */
};

/* True while some monitor listens; checked before recording anything. */
extern bool bridge_events_enabled;

/* Creates the ring of bridge 'master', whose ports are 'ports[0..n_ports-1]'
 * by number (read when an event is recorded, to name its port; [0] is not
 * read: port 0 is the bridge itself) and whose FDB is 'fdb'.  Control
 * path. */
struct bridge_event_ring *bridge_event_ring_create(const char *master,
						   struct port *const *ports,
						   unsigned n_ports,
						   struct fdb *fdb);

/* Closes 'r' as its bridge starts to go: what was not read yet moves to
 * the ring of deleted bridges (bridge_event_pop(NULL)), and nothing is
 * recorded after it, while its FDB can still be flushed through it.
 * Control path. */
void bridge_event_ring_close(struct bridge_event_ring *r);

/* Closes 'r' if it is not yet and frees it (NULL is fine). */
void bridge_event_ring_destroy(struct bridge_event_ring *r);

/* Records an FDB event for 'mac'/'vid' on port 'port_no' with entry flags
 * 'flags'.  Datapath-safe: no allocation, O(1). */
void bridge_event_fdb(struct bridge_event_ring *r,
		      enum bridge_event_type type, const struct eth_addr *mac,
		      uint16_t vid, uint16_t port_no, uint8_t flags);

/* Records a port event ('type' PORT_STATE, LINK or DEV) or a bridge event
 * (TOPOLOGY or DEV, 'port_no' 0).  Datapath-safe. */
void bridge_event_port(struct bridge_event_ring *r,
		       enum bridge_event_type type, uint16_t port_no,
		       uint8_t state);

/* Takes the oldest event of 'r' into '*ev', or with 'r' NULL the oldest
 * event of the bridges deleted since the last call.  False when none is
 * left. */
bool bridge_event_pop(struct bridge_event_ring *r, struct bridge_event *ev);

/* Removes the entries of the ring's FDB matching 'f', recording a removal
 * event for each while monitors listen.  Returns the number removed.
 * O(table) like fdb_flush(); never allocates. */
size_t bridge_event_fdb_flush(struct bridge_event_ring *r,
			      const struct fdb_flush_filter *f);

/* Ages the ring's FDB to 'now_ms', recording a removal event for each
 * expired entry while monitors listen. */
void bridge_event_fdb_age(struct bridge_event_ring *r, uint64_t now_ms);

#endif /* VSWITCHD_BRIDGE_EVENT_H */
