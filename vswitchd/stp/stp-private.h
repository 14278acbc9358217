/*
 * stp-private.h - the internals shared by the STP files; not for callers.
 *
 * stp.c holds the protocol: the 802.1D procedures (clause 8.6) and the
 * timer expiry handlers (clause 8.7).  stp-if.c holds administration,
 * read-out and the caller-facing output queues (clause 8.8 management
 * operations and what the Linux bridge adds around them).
 *
 * All times are absolute milliseconds on the caller's clock.  'stp->now_ms'
 * is the time the module is currently acting at: the caller's 'now_ms', or a
 * timer's expiry time while that timer's handler runs.
 */
#ifndef VSWITCHD_STP_PRIVATE_H
#define VSWITCHD_STP_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "eth.h"
#include "stp.h"
#include "stp-bpdu.h"

/* One timer (§8.5.4, §8.5.6): running until 'expires_ms'. */
struct stp_timer {
	bool active;
	uint64_t expires_ms;
};

/* One queued outgoing frame. */
struct stp_frame {
	uint16_t port_no;
	uint8_t len;
	uint8_t data[STP_FRAME_MAX];
};

#define STP_OUTBOX_MAX 4096

struct stp_port {
	struct stp *stp;
	uint16_t port_no;
	struct eth_addr mac;		/* SA of our BPDUs */
	uint16_t port_id;		/* §8.5.5.1 Port Identifier */
	uint8_t priority;		/* 0..63 */
	enum stp_state state;		/* §8.5.5.2 State */
	uint32_t path_cost;		/* §8.5.5.3 Path Cost */
	uint64_t designated_root;	/* §8.5.5.4 Designated Root */
	uint32_t designated_cost;	/* §8.5.5.5 Designated Cost */
	uint64_t designated_bridge;	/* §8.5.5.6 Designated Bridge */
	uint16_t designated_port;	/* §8.5.5.7 Designated Port */
	bool topology_change_ack;	/* §8.5.5.8 Topology Change Ack. */
	bool config_pending;		/* §8.5.5.9 Configuration Pending */
	int64_t designated_age_ms;	/* when the root sent the stored info */
	bool link_up;			/* carrier as given by the caller */
	unsigned int flags;		/* STP_PORT_* */

	struct stp_timer message_age_timer;	/* §8.5.6.1 */
	struct stp_timer forward_delay_timer;	/* §8.5.6.2 */
	struct stp_timer hold_timer;		/* §8.5.6.3 */

	bool state_changed;		/* for stp_get_changed_port() */
	bool flush_pending;		/* for stp_get_flush_port() */
	uint64_t rx_config, rx_tcn, tx_config, tx_tcn;
};

struct stp {
	char *name;
	bool enabled;			/* stp_state 1 (kernel STP) */
	bool up;			/* bridge device up */

	uint64_t designated_root;	/* §8.5.3.1 Designated Root */
	uint32_t root_path_cost;	/* §8.5.3.2 Root Path Cost */
	uint16_t root_port;		/* §8.5.3.3 Root Port, 0 = none */
	uint32_t max_age_ms;		/* §8.5.3.4 Max Age */
	uint32_t hello_time_ms;		/* §8.5.3.5 Hello Time */
	uint32_t forward_delay_ms;	/* §8.5.3.6 Forward Delay */
	uint64_t bridge_id;		/* §8.5.3.7 Bridge Identifier */
	uint32_t bridge_max_age_ms;	/* §8.5.3.8 Bridge Max Age */
	uint32_t bridge_hello_time_ms;	/* §8.5.3.9 Bridge Hello Time */
	uint32_t bridge_forward_delay_ms; /* §8.5.3.10 Bridge Forward Delay */
	bool topology_change_detected;	/* §8.5.3.11 */
	bool topology_change;		/* §8.5.3.12 */

	struct stp_timer hello_timer;		/* §8.5.4.1 */
	struct stp_timer tcn_timer;		/* §8.5.4.2 */
	struct stp_timer topology_change_timer;	/* §8.5.4.3 */

	uint64_t now_ms;

	/* Ports by number, and the same ports densely in ascending order. */
	struct stp_port *port_by_no[STP_PORT_NO_MAX + 1];
	struct stp_port **ports;
	size_t n_ports;

	/* FIFO of frames to send: entries [outbox_head, outbox_n). */
	struct stp_frame *outbox;
	size_t outbox_head, outbox_n, outbox_alloc;
	uint32_t outbox_dropped;
	/* Port state changes off the 802.1D graph (stp_state_step_ok()):
	 * always 0 unless this module has a bug; the fuzz target checks. */
	uint32_t bad_transitions;

	uint64_t drops[STP_DROP_N_REASONS];
};

/* Iterates 'PORT' over the ports of 'STP' in ascending port_no.  The body
 * must not add or remove ports. */
#define STP_FOR_EACH_PORT(PORT, IDX, STP)				\
	for ((IDX) = 0;							\
	     (IDX) < (STP)->n_ports && ((PORT) = (STP)->ports[IDX], 1);	\
	     (IDX)++)

/* Protocol procedures and timers (stp.c), used by stp-if.c. */
bool stp_is_root_bridge(const struct stp *stp);
bool stp_is_designated_port(const struct stp_port *p);
void stp_configuration_update(struct stp *stp);
void stp_port_state_selection(struct stp *stp);
void stp_become_root_bridge(struct stp *stp);
void stp_become_designated_port(struct stp_port *p);
void stp_config_bpdu_generation(struct stp *stp);
void stp_init_port(struct stp_port *p);
void stp_enable_port(struct stp_port *p);
void stp_disable_port(struct stp_port *p);
void stp_received_config_bpdu(struct stp_port *p,
			      const struct stp_config_bpdu *bpdu);
void stp_received_tcn_bpdu(struct stp_port *p);
void stp_set_topology_change(struct stp *stp, bool tc);
void stp_set_port_state(struct stp_port *p, enum stp_state state);
void stp_run_timers(struct stp *stp, uint64_t now_ms);
void stp_timer_start(struct stp_timer *t, uint64_t expires_ms);
void stp_timer_stop(struct stp_timer *t);
uint32_t stp_timer_remaining(const struct stp *stp,
			     const struct stp_timer *t);

/* Output queue (stp-if.c), used by stp.c. */
void stp_outbox_push(struct stp *stp, const struct stp_port *p,
		     const uint8_t *frame, size_t len);

#endif /* VSWITCHD_STP_PRIVATE_H */
