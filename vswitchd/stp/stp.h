/*
 * stp.h - IEEE 802.1D-1998 spanning tree, behaving like the Linux bridge's
 * in-kernel STP (net/bridge/br_stp*.c; shared/reference/linux-bridge.md §4).
 *
 * PURE module: no clock, no I/O, no callbacks.  The caller (the bridge glue)
 *
 *   - passes time in: every entry point that can change state takes
 *     'now_ms', a monotonic millisecond clock (any origin; a value lower
 *     than one seen before is treated as the latest one).  Timers that fall
 *     due before 'now_ms' run first, in time order, each at its own expiry
 *     time, so the result does not depend on how often the caller ticks;
 *   - passes BPDUs in as whole Ethernet frames (stp_rx_bpdu());
 *   - drains output after each call: frames to send (stp_outbox_pop()),
 *     ports whose state changed (stp_get_changed_port()), ports whose
 *     dynamic FDB entries must be flushed (stp_get_flush_port()), and the
 *     FDB hold time to use (stp_get_ageing_override_ms()).
 *
 * Kernel behaviour reproduced on purpose:
 *
 *   - Only config and TCN BPDUs (version 0).  RSTP/MSTP BPDUs are dropped.
 *   - STP "off" (stp_state 0) still runs the state machine, but sends and
 *     processes no BPDUs and moves enabled ports straight to FORWARDING.
 *     Switching on keeps forwarding ports forwarding; switching off resets
 *     nothing (LISTENING/LEARNING ports finish through their timers, BLOCKING
 *     ones forward when their message-age timer expires).  User-space STP
 *     (stp_state 2) is the caller's business and is not modelled.
 *   - Message age grows by MESSAGE_AGE_INCR (4 ms, one 1/256 s unit on the
 *     wire) per hop, plus the time the information has been held.
 *   - The hello and hold timers are rounded to whole seconds of 'now_ms'
 *     like round_jiffies(); forward-delay, message-age, TCN and topology
 *     change timers are exact.
 *   - Path costs and the root path cost are 32-bit; bridge priority is any
 *     16-bit value; port priority is 0..63 (port id = prio << 10 | port_no).
 *
 * Ports are identified by 'port_no' (1..STP_PORT_NO_MAX), never by pointer.
 * A new port is DISABLED until stp_port_enable() says its link is up; it
 * takes part only while the bridge is also up (stp_set_bridge_up()).
 *
 * Nothing here is meant for the per-packet datapath except the read-only
 * stp_port_get_state() and the two predicates, which are O(1).
 * Not thread-safe: one owner calls everything.
 */
#ifndef VSWITCHD_STP_H
#define VSWITCHD_STP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eth_addr;
struct stp;

#define STP_PORT_NO_MAX       1023	/* 10-bit port number */
#define STP_PORT_PRIO_MAX     63	/* 6-bit port priority */
#define STP_DEFAULT_PORT_PRIO 32	/* port id 0x8000 | port_no */
#define STP_DEFAULT_PRIORITY  32768
#define STP_PATH_COST_MIN     1
#define STP_PATH_COST_MAX     65535

#define STP_CONFIG_FRAME_LEN  52	/* 14 Ethernet + 3 LLC + 35 */
#define STP_TCN_FRAME_LEN     21	/* 14 Ethernet + 3 LLC + 4 */
#define STP_FRAME_MAX         STP_CONFIG_FRAME_LEN
#define STP_BRIDGE_ID_STRLEN  18	/* "pppp.mmmmmmmmmmmm" + NUL */

/* Timer defaults and the ranges the kernel accepts (milliseconds). */
#define STP_DEFAULT_HELLO_MS     2000
#define STP_DEFAULT_MAX_AGE_MS   20000
#define STP_DEFAULT_FWD_DELAY_MS 15000
#define STP_HELLO_MIN_MS         1000
#define STP_HELLO_MAX_MS         10000
#define STP_MAX_AGE_MIN_MS       6000
#define STP_MAX_AGE_MAX_MS       40000
#define STP_FWD_DELAY_MIN_MS     2000
#define STP_FWD_DELAY_MAX_MS     30000
#define STP_HOLD_MS              1000

/* Port states (§8.4), numbered like Linux BR_STATE_* and sysfs brport/state.
 *
 *   state       receive BPDUs   send BPDUs   learn   forward data
 *   disabled    no              no           no      no
 *   listening   yes             yes          no      no
 *   learning    yes             yes          yes     no
 *   forwarding  yes             yes          yes     yes
 *   blocking    yes             no (1)       no      no
 *
 * (1) A blocking port is never a designated port, and only designated ports
 * send configuration BPDUs; TCNs leave through the root port. */
enum stp_state {
	STP_DISABLED = 0,
	STP_LISTENING = 1,
	STP_LEARNING = 2,
	STP_FORWARDING = 3,
	STP_BLOCKING = 4,
};

/* Port role, derived for display and tests (802.1D-1998 has no roles as
 * such): the root port, a designated port (§8.3.1), any other enabled port
 * (blocked: "alternate/backup" in 802.1D-2004 terms), or disabled. */
enum stp_role {
	STP_ROLE_DISABLED,
	STP_ROLE_ROOT,
	STP_ROLE_DESIGNATED,
	STP_ROLE_BLOCKED,
};

/* Why stp_rx_bpdu() dropped a frame.  stp_rx_bpdu() returns the negated
 * value; stp_get_drop_count() reads the per-reason counters. */
enum stp_drop {
	STP_DROP_NO_PORT = 1,	/* 'port_no' is not a port of this bridge */
	STP_DROP_SHORT,		/* frame or BPDU body too short */
	STP_DROP_NOT_LLC,	/* EtherType frame, or LLC not 42 42 03 */
	STP_DROP_BAD_LENGTH,	/* 802.3 length < 3 or beyond the frame */
	STP_DROP_BAD_PROTOCOL,	/* protocol identifier not 0 */
	STP_DROP_BAD_VERSION,	/* version not 0 (RSTP/MSTP BPDU) */
	STP_DROP_NOT_RUNNING,	/* STP off, bridge down or port disabled */
	STP_DROP_BAD_DA,	/* DA is not 01:80:c2:00:00:00 */
	STP_DROP_BPDU_GUARD,	/* bpdu_guard port: port disabled instead */
	STP_DROP_BAD_TYPE,	/* type neither config (0) nor TCN (0x80) */
	STP_DROP_MESSAGE_AGE,	/* message age > max age */
	STP_DROP_BAD_TIMERS,	/* max age/hello/forward delay out of range */
	STP_DROP_N_REASONS
};

/* Port flags for stp_set_port_flags() (brport root_block, bpdu_guard). */
enum {
	STP_PORT_ROOT_BLOCK = 1 << 0,	/* may never become the root port */
	STP_PORT_BPDU_GUARD = 1 << 1,	/* a received BPDU disables the port */
};

/* Read-out of the bridge, for brctl showstp and sysfs.  Times in ms. */
struct stp_bridge_status {
	uint64_t bridge_id;		/* §8.5.3.7 Bridge Identifier */
	uint64_t designated_root;	/* §8.5.3.1 Designated Root */
	uint32_t root_path_cost;	/* §8.5.3.2 Root Path Cost */
	uint16_t root_port;		/* §8.5.3.3 port_no, 0 if root */
	bool is_root;
	bool enabled;			/* stp_state 1 */
	bool up;			/* bridge device up */
	uint32_t max_age_ms;		/* §8.5.3.4 effective */
	uint32_t hello_time_ms;		/* §8.5.3.5 effective */
	uint32_t forward_delay_ms;	/* §8.5.3.6 effective */
	uint32_t bridge_max_age_ms;	/* §8.5.3.8 configured */
	uint32_t bridge_hello_time_ms;	/* §8.5.3.9 configured */
	uint32_t bridge_forward_delay_ms; /* §8.5.3.10 configured */
	bool topology_change_detected;	/* §8.5.3.11 */
	bool topology_change;		/* §8.5.3.12 */
	uint32_t hello_timer_ms;	/* remaining, 0 if stopped */
	uint32_t tcn_timer_ms;
	uint32_t topology_change_timer_ms;
	uint32_t outbox_dropped;	/* frames lost to a full outbox */
	uint32_t bad_transitions;	/* port state changes that were not
					 * stp_state_step_ok(): a bug if not 0 */
};

/* Read-out of one port.  Times in ms. */
struct stp_port_status {
	uint16_t port_no;
	uint16_t port_id;		/* §8.5.5.1 Port Identifier */
	uint8_t priority;		/* 0..63 */
	uint32_t path_cost;		/* §8.5.5.3 Path Cost */
	enum stp_state state;		/* §8.5.5.2 */
	enum stp_role role;
	uint64_t designated_root;	/* §8.5.5.4 */
	uint32_t designated_cost;	/* §8.5.5.5 */
	uint64_t designated_bridge;	/* §8.5.5.6 */
	uint16_t designated_port;	/* §8.5.5.7 */
	bool topology_change_ack;	/* §8.5.5.8 (sysfs change_ack) */
	bool config_pending;		/* §8.5.5.9 */
	bool link_up;			/* as last given by enable/disable */
	unsigned int flags;		/* STP_PORT_* */
	uint32_t message_age_timer_ms;	/* remaining, 0 if stopped */
	uint32_t forward_delay_timer_ms;
	uint32_t hold_timer_ms;
	uint64_t rx_config, rx_tcn;	/* BPDUs processed */
	uint64_t tx_config, tx_tcn;	/* BPDUs queued in the outbox */
};

/* Creates a bridge named 'name' (used only in messages; copied) whose
 * identifier is 'priority' and 'bridge_mac'.  It starts up, with STP off
 * (stp_state 0, the kernel default), default timers and no ports.  Never
 * returns NULL (aborts on out-of-memory). */
struct stp *stp_create(const char *name, const struct eth_addr *bridge_mac,
		       uint16_t priority);

/* Frees 'stp' and everything it holds, including unsent frames.  Accepts
 * NULL. */
void stp_destroy(struct stp *stp);

/* Adds port 'port_no' (1..1023) with MAC 'port_mac' (the SA of its BPDUs)
 * and path cost 'path_cost' (1..65535).  The port starts DISABLED with link
 * down.  Returns 0, -EINVAL for a bad 'port_no', -EEXIST if it exists, or
 * -ERANGE for a bad cost. */
int stp_port_add(struct stp *stp, uint16_t port_no,
		 const struct eth_addr *port_mac, uint32_t path_cost);

/* Removes port 'port_no': it is disabled first (which may make this bridge
 * root and queue BPDUs on other ports), then forgotten together with its
 * unsent frames and pending notifications; the caller flushes all of its
 * FDB entries itself.  Returns 0 or -ENOENT. */
int stp_port_del(struct stp *stp, uint16_t port_no, uint64_t now_ms);

/* Link (carrier/admin) of port 'port_no' went up: if the bridge is up, the
 * port is initialised as designated and BLOCKING and port state selection
 * runs (§8.8.1 Initialisation of a port), so it goes LISTENING, or straight
 * to FORWARDING with STP off.  Returns 0 or -ENOENT. */
int stp_port_enable(struct stp *stp, uint16_t port_no, uint64_t now_ms);

/* Link of port 'port_no' went down (§8.8.2 Disable Port): the port becomes
 * DISABLED, its timers stop, an FDB flush is requested for it and the
 * spanning tree is recomputed.  Returns 0 or -ENOENT. */
int stp_port_disable(struct stp *stp, uint16_t port_no, uint64_t now_ms);

/* The bridge device went up or down: like the kernel's
 * br_stp_enable_bridge()/br_stp_disable_bridge(), enabling every port with
 * link up, or disabling all ports and clearing topology change state. */
void stp_set_bridge_up(struct stp *stp, bool up, uint64_t now_ms);

/* Switches STP on (stp_state 1) or off (0) with the kernel's semantics (see
 * the top of this file).  Switching on clamps the configured forward delay
 * into 2..30 s and starts the hello timer. */
void stp_set_enabled(struct stp *stp, bool enabled, uint64_t now_ms);

/* Changes the MAC part of the bridge identifier (br_stp_change_bridge_id):
 * stored designated root/bridge values equal to the old identifier follow,
 * then the tree is recomputed. */
void stp_set_bridge_mac(struct stp *stp, const struct eth_addr *mac,
			uint64_t now_ms);

/* Sets the bridge priority (any 16-bit value; §8.8.4) and recomputes. */
void stp_set_priority(struct stp *stp, uint16_t priority, uint64_t now_ms);

/* Sets the priority (0..63) of port 'port_no' (§8.8.5).  Returns 0,
 * -ENOENT, or -ERANGE. */
int stp_set_port_priority(struct stp *stp, uint16_t port_no,
			  uint8_t priority, uint64_t now_ms);

/* Sets the path cost (1..65535) of port 'port_no' (§8.8.6).  Returns 0,
 * -ENOENT, or -ERANGE. */
int stp_set_path_cost(struct stp *stp, uint16_t port_no, uint32_t path_cost,
		      uint64_t now_ms);

/* Set the configured ("bridge_") hello time, max age and forward delay in
 * ms.  Ranges as in the kernel: hello 1..10 s, max age 6..40 s, forward
 * delay 2..30 s while STP is on and any value while it is off.  A root
 * bridge takes the new value as effective at once.  Return 0 or -ERANGE. */
int stp_set_hello_time_ms(struct stp *stp, uint32_t ms);
int stp_set_max_age_ms(struct stp *stp, uint32_t ms);
int stp_set_forward_delay_ms(struct stp *stp, uint32_t ms);

/* Sets the STP_PORT_* flags of port 'port_no'.  Returns 0, -ENOENT or
 * -EINVAL for unknown flags. */
int stp_set_port_flags(struct stp *stp, uint16_t port_no, unsigned int flags);

/* Runs every timer that is due at or before 'now_ms'. */
void stp_tick(struct stp *stp, uint64_t now_ms);

/* Processes the Ethernet frame 'frame' ('len' bytes) received on port
 * 'port_no' at 'now_ms'.  Validation follows br_stp_rcv() (§4.3
 * "Reception"), see enum stp_drop.  Returns 0 if the BPDU was processed
 * (which includes a TCN ignored on a non-designated port, as in the kernel),
 * or -STP_DROP_* if it was dropped and counted.  Never keeps 'frame'. */
int stp_rx_bpdu(struct stp *stp, uint16_t port_no, const uint8_t *frame,
		size_t len, uint64_t now_ms);

/* Takes the oldest frame from the outbox: copies it into 'buf' (at least
 * STP_FRAME_MAX bytes), stores its length in '*len' and the port to send it
 * on in '*port_no', and returns true.  Returns false if the outbox is empty.
 * The outbox holds at most a few thousand frames; beyond that new frames are
 * dropped and counted in stp_bridge_status.outbox_dropped. */
bool stp_outbox_pop(struct stp *stp, uint16_t *port_no, uint8_t *buf,
		    size_t *len);

/* Returns true and stores in '*port_no' the lowest-numbered port whose state
 * changed since it was last returned here (clearing its flag), or returns
 * false if there is none.  Read the new state with stp_port_get_state(). */
bool stp_get_changed_port(struct stp *stp, uint16_t *port_no);

/* Returns true and stores in '*port_no' the lowest-numbered port whose
 * dynamic FDB entries must be flushed (the port was disabled), clearing the
 * request; false if none. */
bool stp_get_flush_port(struct stp *stp, uint16_t *port_no);

/* The FDB hold time the bridge must use instead of its ageing time: the
 * effective forward delay while topology_change is set (§8.5.3.12, Linux
 * hold_time()), else 0 meaning "use the ageing time".  The bridge reports
 * 2 x forward delay as ageing_time meanwhile (when STP is on). */
uint32_t stp_get_ageing_override_ms(const struct stp *stp);

/* The state of port 'port_no', or STP_DISABLED for an unknown port.
 * O(1); safe on the datapath. */
enum stp_state stp_port_get_state(const struct stp *stp, uint16_t port_no);

/* Whether a port may go from state 'from' to 'to' in one step: the
 * 802.1D-1998 port state graph (§8.4, Figure 8-2) -- any state to
 * disabled; disabled to blocking (initialisation); blocking to listening;
 * listening to learning, learning to forwarding (forward delay); listening,
 * learning and forwarding back to blocking --, plus what the kernel adds:
 * blocking straight to forwarding (STP off or a zero forward delay), and,
 * when 'root_block' (the port has STP_PORT_ROOT_BLOCK), any enabled state
 * to listening (br_root_port_block()).  The module counts every change
 * that is not (stp_bridge_status.bad_transitions). */
bool stp_state_step_ok(enum stp_state from, enum stp_state to,
		       bool root_block);

/* Whether data frames may be forwarded / learned from in 'state'. */
bool stp_should_forward(enum stp_state state);
bool stp_should_learn(enum stp_state state);

/* Fills '*st' with the bridge's state as of the last 'now_ms' seen. */
void stp_get_status(const struct stp *stp, struct stp_bridge_status *st);

/* Fills '*st' for port 'port_no'.  Returns 0 or -ENOENT. */
int stp_port_get_status(const struct stp *stp, uint16_t port_no,
			struct stp_port_status *st);

/* Whether port 'port_no' exists. */
bool stp_has_port(const struct stp *stp, uint16_t port_no);

/* The number of frames dropped by stp_rx_bpdu() for 'reason'. */
uint64_t stp_get_drop_count(const struct stp *stp, enum stp_drop reason);

/* Short names, for messages and counters: "forwarding", "designated",
 * "bad-version"...  Never NULL. */
const char *stp_state_name(enum stp_state state);
const char *stp_role_name(enum stp_role role);
const char *stp_drop_name(enum stp_drop reason);

/* The bridge's name as given to stp_create(). */
const char *stp_get_name(const struct stp *stp);

#endif /* VSWITCHD_STP_H */
