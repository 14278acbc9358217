/*
 * vxlan-fdb.h - the remote table of one VXLAN port: inner MAC -> remote
 * VTEP address(es), as Linux keeps it in the vxlan device ("bridge fdb
 * show dev vx0": "MAC dev vx0 dst 10.0.0.2 self").  PURE: time is a
 * parameter ('now_ms'), no syscalls, no clock.
 *
 * The bridge's own FDB still maps the MAC to the vxlan port; this table
 * answers the next question, to which VTEP(s) the port sends the frame:
 *
 *   - a learned entry: one destination, the outer source address of the
 *     last frame from that MAC (Linux vxlan_snoop()); it ages out after
 *     the table's ageing time and moves when the MAC shows up behind
 *     another VTEP;
 *   - a static entry: one or more destinations, never aged, never moved
 *     by learning;
 *   - the all-zero entry 00:00:00:00:00:00 (the "default destinations"):
 *     every destination gets a copy of a frame no other entry matches --
 *     broadcast, multicast and unknown unicast, i.e. head-end
 *     replication.  The port's 'remote' arguments are its destinations.
 *
 * Capacity is fixed at creation and entries are preallocated, so learning
 * on the datapath never allocates; when the table is full a new MAC is
 * not learned (VXLAN_LEARN_FULL, counted by the caller) and its frames go
 * to the default destinations, as they would before it was learned.
 * Nothing is evicted to make room: an attacker flooding source MACs
 * cannot push out entries that are in use.
 */
#ifndef VSWITCHD_VXLAN_FDB_H
#define VSWITCHD_VXLAN_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth.h"
#include "vxlan-wire.h"

/* Destinations one entry holds: the head-end replication list of the
 * default entry is the one that needs several. */
#define VXLAN_FDB_MAX_DSTS	16

struct vxlan_fdb_entry {
	struct eth_addr mac;
	bool is_static;		/* added, not learned: never aged or moved */
	uint64_t updated_ms;	/* last learned (learned entries) */
	unsigned n_dst;		/* 1..VXLAN_FDB_MAX_DSTS */
	struct vxlan_addr dst[VXLAN_FDB_MAX_DSTS];
};

enum vxlan_learn_result {
	VXLAN_LEARN_NEW,	/* a new entry */
	VXLAN_LEARN_MOVED,	/* the MAC is behind another VTEP now */
	VXLAN_LEARN_REFRESHED,	/* same VTEP, timestamp renewed */
	VXLAN_LEARN_STATIC,	/* a static entry: left alone */
	VXLAN_LEARN_FULL,	/* no room: not learned */
	VXLAN_LEARN_INVALID,	/* multicast or zero source: not learned */
};

struct vxlan_fdb;

/* Creates a table of at most 'capacity' entries (>= 1) whose learned
 * entries age after 'ageing_ms' (0: never).  'seed' randomises the hash
 * buckets (the caller draws it; a predictable seed lets a sender pick
 * MACs that share one bucket).  Control path; aborts on out-of-memory. */
struct vxlan_fdb *vxlan_fdb_create(unsigned capacity, uint32_t seed,
				   uint64_t ageing_ms);
void vxlan_fdb_destroy(struct vxlan_fdb *fdb);

/* Adds destination 'dst' to the static entry for 'mac' (creating it; a
 * learned entry for 'mac' becomes static with 'dst' as its only
 * destination), as "bridge fdb append".  Returns 0, -EEXIST if 'dst' is
 * there already, -ENOSPC if the table or the entry is full, -EINVAL for a
 * multicast or unspecified 'dst'.  Control path. */
int vxlan_fdb_append(struct vxlan_fdb *fdb, const struct eth_addr *mac,
		     const struct vxlan_addr *dst);

/* Removes 'dst' from the entry for 'mac' (the whole entry if 'dst' is
 * NULL or was its last destination).  Returns 0 or -ENOENT. */
int vxlan_fdb_del(struct vxlan_fdb *fdb, const struct eth_addr *mac,
		  const struct vxlan_addr *dst);

/* Learns that 'mac' (an inner source address) sits behind VTEP 'src' at
 * 'now_ms'.  Datapath-safe: no allocation. */
enum vxlan_learn_result vxlan_fdb_learn(struct vxlan_fdb *fdb,
					const struct eth_addr *mac,
					const struct vxlan_addr *src,
					uint64_t now_ms);

/* Returns the live entry for 'mac' (an expired learned entry counts as
 * absent), or NULL.  The all-zero MAC finds the default entry.  A pure
 * query; datapath-safe. */
const struct vxlan_fdb_entry *vxlan_fdb_lookup(const struct vxlan_fdb *fdb,
					       const struct eth_addr *mac,
					       uint64_t now_ms);

/* Removes learned entries older than the ageing time.  Returns how many. */
size_t vxlan_fdb_age(struct vxlan_fdb *fdb, uint64_t now_ms);

/* Removes every learned entry (static ones stay).  Returns how many. */
size_t vxlan_fdb_flush_learned(struct vxlan_fdb *fdb);

/* Number of entries, the default entry included. */
size_t vxlan_fdb_count(const struct vxlan_fdb *fdb);

/* Calls 'cb' for every live entry, in no particular order. */
typedef void vxlan_fdb_visit_fn(const struct vxlan_fdb_entry *e, void *aux);
void vxlan_fdb_foreach(const struct vxlan_fdb *fdb, uint64_t now_ms,
		       vxlan_fdb_visit_fn *cb, void *aux);

#endif /* VSWITCHD_VXLAN_FDB_H */
