/*
 * bridge-types.h - the bridge object: its options, counters and state.
 *
 * Apart from bridge.h (the bridge API, which includes this), so that the
 * bridge's own parts -- the pipeline (dp.c) and the STP glue
 * (stp-glue.c) -- read and update the object without depending on the API
 * built on top of them: bridge.c calls into them, they call nothing of
 * bridge.c (as the Linux bridge's br_private.h, shared by br_forward.c and
 * br_stp.c).  The control plane reads these fields too, but changes them
 * only through bridge.h.
 */
#ifndef VSWITCHD_BRIDGE_TYPES_H
#define VSWITCHD_BRIDGE_TYPES_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "bridge-options.h"
#include "eth.h"
#include "port.h"
#include "vlan.h"

#define BRIDGE_MAX_PORTS 1024	/* port numbers 1..1023, as Linux */

struct bridge_event_ring;
struct dp;
struct ev_loop;
struct pkt_pool;
struct fdb;
struct fdb_flush_filter;
struct stp;

/* Configurable options, in the units of ip-link (centiseconds for times).
 * Each but fdb_max_entries is a line of the BRIDGE_OPTIONS table
 * (lib/bridge-options.h), which gives its range and default. */
struct bridge_options {
	uint32_t ageing_time_cs;	/* default 30000 */
	bool vlan_filtering;
	uint16_t vlan_protocol;		/* ETH_TYPE_VLAN or ETH_TYPE_QINQ */
	uint16_t default_pvid;		/* default 1, 0 = none */
	uint16_t group_fwd_mask;	/* bits 0-2 refused */
	bool no_linklocal_learn;
	uint32_t fdb_max_learned;	/* 0 = unlimited */
	uint32_t fdb_max_entries;	/* table size, fixed at creation */
	uint8_t stp_state;		/* 0 off, 1 on */
	uint16_t priority;		/* STP bridge priority, 32768 */
	uint32_t hello_time_cs;		/* 200 */
	uint32_t max_age_cs;		/* 2000 */
	uint32_t forward_delay_cs;	/* 1500 */
	bool transparent;		/* link-local frames are data (not
					 * with STP) */
	bool hub;			/* flood all, learn nothing */
};

struct bridge_stats {
	uint64_t rx_packets, rx_bytes;	/* frames that entered the pipeline */
	uint64_t forwarded;		/* known unicast sent to one port */
	uint64_t flooded;		/* frames flooded (not per copy) */
	uint64_t to_host;		/* delivered to the bridge device */
	uint64_t dropped;		/* sum of all port drops */
	uint64_t learned, moved, learn_full;
};

struct bridge {
	char name[IFNAMSIZ];
	struct eth_addr mac;		/* bridge MAC (lowest port MAC unless set) */
	bool mac_set;			/* user pinned the MAC */
	bool admin_up;			/* bridge device up */
	struct bridge_options opt;
	struct fdb *fdb;
	struct stp *stp;		/* 802.1D state machine (stp-glue.c),
					 * present from create to destroy even
					 * with stp_state 0 */
	struct vlan_port self_vlans;	/* the bridge device's own VLANs */
	struct port *ports[BRIDGE_MAX_PORTS];	/* by port_no; [0] unused */
	unsigned n_ports;
	uint16_t max_port_no;		/* highest port_no in use */
	struct port *host;		/* the bridge device's port, or NULL */
	struct dp *dp;			/* datapath context: packet pool,
					 * transmit queues (dp.h) */
	struct pkt_pool *pool;		/* its pool, for STP's BPDUs */
	struct ev_loop *loop;		/* where its ports' fds are watched,
					 * or NULL (nothing watched) */
	uint64_t now_ms;		/* clock at creation, then at the last
					 * bridge_run() */
	struct bridge_stats stats;
	struct bridge_event_ring *events; /* for monitors (bridge-event.h) */
	bool stp_tc;			/* topology change, as last reported */
	struct bridge *next;		/* in the global list, by name */
};

#endif /* VSWITCHD_BRIDGE_TYPES_H */
