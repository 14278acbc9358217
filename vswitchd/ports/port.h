/*
 * port.h - a bridge port, as the bridge and the pipeline see it.
 *
 * Every port type (pcap, tap, vhost-user, ...) embeds a struct port as its
 * first member and implements struct port_class (port-provider.h).  The
 * pipeline only ever calls the class through the wrappers below (port.c),
 * so it never knows where a frame came from.
 *
 * Port numbers are small integers 1..BRIDGE_MAX_PORTS-1, assigned by the
 * bridge (lowest free, like the Linux bridge); the FDB and STP refer to
 * ports by number only.
 */
#ifndef VSWITCHD_PORT_H
#define VSWITCHD_PORT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "eth.h"
#include "port-options.h"
#include "tbucket.h"
#include "vlan.h"

struct bridge;
struct port_class;
struct pkt;
struct pkt_pool;
struct ev_loop;

/* 802.1D port states, numbered as Linux BR_STATE_* (sysfs brport/state). */
enum port_state {
	PORT_DISABLED = 0,
	PORT_LISTENING = 1,
	PORT_LEARNING = 2,
	PORT_FORWARDING = 3,
	PORT_BLOCKING = 4,
};

/* Per-port flags (Linux brport flags).  Their names, defaults and help are
 * in the PORT_OPTIONS table (lib/port-options.h), which every front-end
 * reads; a new flag needs a bit here and a FLAG line there. */
enum {
	PORT_F_LEARNING    = 1 << 0,
	PORT_F_FLOOD       = 1 << 1,	/* unknown unicast flooding */
	PORT_F_MCAST_FLOOD = 1 << 2,
	PORT_F_BCAST_FLOOD = 1 << 3,
	PORT_F_HAIRPIN     = 1 << 4,
	PORT_F_ISOLATED    = 1 << 5,
	PORT_F_BPDU_GUARD  = 1 << 6,
	PORT_F_ROOT_BLOCK  = 1 << 7,
};

#define PORT_F_DEFAULT_BIT(id, name, bit, def, help)			\
	| ((def) ? PORT_F_##bit : 0)
#define PORT_F_ALL_BIT(id, name, bit, def, help) | PORT_F_##bit
#define PORT_F_NONE(...)
/* The flags a new port starts with, and every flag the table knows. */
#define PORT_F_DEFAULT (0u PORT_OPTIONS(PORT_F_DEFAULT_BIT, PORT_F_NONE))
#define PORT_F_ALL (0u PORT_OPTIONS(PORT_F_ALL_BIT, PORT_F_NONE))

/* Why the pipeline dropped a frame.  Counted per port (ingress reasons on
 * the receiving port, egress reasons on the sending port). */
#define PORT_DROP_REASONS(X)						\
	X(RUNT, "runt")			/* shorter than 14 bytes */	\
	X(OVERSIZE, "oversize")		/* larger than a buffer */	\
	X(NO_BUFFER, "no_buffer")	/* packet pool empty */		\
	X(BAD_SRC, "bad_src")		/* multicast or zero SA */	\
	X(PAUSE, "mac_control")		/* 01:80:c2:00:00:01 */		\
	X(LINK_LOCAL, "link_local")	/* trapped link-local */	\
	X(PORT_STATE, "port_state")	/* not learning/forwarding */	\
	X(VLAN_INGRESS, "vlan_ingress")	/* ingress filter */		\
	X(LEARNING_ONLY, "learning_state") /* port in LEARNING */	\
	X(NO_EGRESS, "no_egress")	/* known dest not deliverable */\
	X(MTU, "mtu")			/* egress: exceeds port MTU */	\
	X(TX_ERROR, "tx_error")		/* egress: port refused it */	\
	X(STP, "stp")			/* BPDU consumed or invalid */	\
	X(STORM, "storm_drop")		/* flooded beyond storm_limit */\
	X(BAD_OFFLOAD, "bad_offload")	/* bad virtio-net header */

enum port_drop_reason {
#define PORT_DROP_ENUM(name, str) PORT_DROP_##name,
	PORT_DROP_REASONS(PORT_DROP_ENUM)
#undef PORT_DROP_ENUM
	PORT_DROP_N
};

struct port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_unicast, rx_broadcast, rx_multicast;
	/* Offload work done in software for this egress port, which does
	 * not take it (pkt-offload.h): checksums finished, GSO frames cut,
	 * and the segments they made (counted in tx_packets, not the GSO
	 * frames). */
	uint64_t tx_sw_csum, tx_sw_gso, tx_sw_segs;
	uint64_t drops[PORT_DROP_N];
};

/* storm_limit: flooded frames received per second ('pps', 0: no limit),
 * a bucket of that many tokens. */
struct port_storm {
	uint32_t pps;
	struct tbucket tb;
};

/* A wire's impairments (the patch class uses them; other classes accept
 * only zeros): the frames a port sends are delayed, dropped with
 * probability loss_mpct/100000 by draw 'draws' of splitmix64('seed'),
 * and paced at rate_kbit.  'draws' counts frames offered since the seed
 * (or the loss) was last set. */
struct port_impair {
	uint32_t delay_ms, loss_mpct, rate_kbit, seed;
	uint64_t draws;
};

struct port {
	const struct port_class *class;
	struct bridge *br;		/* NULL while not attached */
	char name[IFNAMSIZ];
	uint16_t port_no;		/* 0 while not attached */
	enum port_state state;
	uint32_t flags;			/* PORT_F_* */
	uint32_t mtu;			/* L3 MTU, as ip link */
	unsigned tx_offloads;		/* PKT_OL_* the port takes on transmit
					 * (pkt-offload.h); 0: every frame
					 * leaves segmented and checksummed */
	struct eth_addr mac;		/* local FDB entry, BPDU source */
	bool admin_up;			/* ip link set up/down */
	bool link_enabled;		/* admin up and carrier, as last told
					 * to STP */
	bool is_host;			/* the bridge device's own port */
	bool undo;			/* closing undoes the port's creation
					 * (a refused change, a failed add):
					 * a netdev the class made for it goes
					 * too; otherwise it stays (delif) */
	bool destroy_device;		/* when closed, remove its netdev even
					 * if vswitchd did not make it (port.del
					 * with destroy, as ip link del) */
	int ifindex;			/* of the netdev behind the port, in
					 * the namespace it is in now; 0: the
					 * port has none (pcap, vhost-user) */
	/* Capture hook (dp.h's dp_capture_fn), NULL while nobody captures
	 * the port: every frame it receives and sends is handed to it. */
	void (*capture)(struct port *port, const struct pkt *p, bool tx);
	uint16_t group_fwd_mask;	/* per-port link-local mask */
	uint8_t stp_priority;		/* 0..63, default 32 */
	uint32_t path_cost;		/* 1..65535 */
	bool path_cost_set;		/* admin-pinned cost */
	struct vlan_port vlans;
	struct port_stats stats;
	struct port_storm storm;	/* storm_limit */
	struct port_impair impair;	/* delay, loss, rate, seed */
	bool carrier_off;		/* cable pulled by the user (port.set
					 * carrier false): no carrier whatever
					 * the device says */
};

/* Returns the name of 'reason' as used in stats output. */
const char *port_drop_reason_name(enum port_drop_reason reason);
const char *port_state_name(enum port_state state);
int port_parse_state(const char *s, enum port_state *out);

/* Initialises the generic part of a freshly allocated port of 'class'
 * named 'name' (defaults as a new Linux bridge port). */
void port_init(struct port *port, const struct port_class *class,
	       const char *name);

/* Class wrappers. */
int port_rx_burst(struct port *, struct pkt_pool *, struct pkt **pkts,
		  int max);
int port_tx_burst(struct port *, struct pkt **pkts, int n);
bool port_has_carrier(const struct port *);
void port_close(struct port *);

/* True if the port is usable: admin up and carrier up. */
bool port_is_enabled(const struct port *);

#endif /* VSWITCHD_PORT_H */
