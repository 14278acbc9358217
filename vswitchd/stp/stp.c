/*
 * stp.c - the IEEE 802.1D-1998 spanning tree protocol: the procedures of
 * clause 8.6, the timer expiry handlers of clause 8.7, and BPDU reception,
 * with the Linux bridge's choices where it departs from the standard
 * (shared/reference/linux-bridge.md §4.4).  Administration and read-out are
 * in stp-if.c.
 *
 * Each procedure is named after the standard's and can be read side by side
 * with it.  Nothing here calls out: frames go to the outbox, state changes
 * and flush requests are flags on the port.
 */
#include "stp-private.h"

#include <string.h>

#include "util.h"

/* Added to the age of relayed information, like the kernel's
 * MESSAGE_AGE_INCR (HZ/256 + 1 jiffies, about 4 ms = one wire unit). */
#define STP_MESSAGE_AGE_INCR_MS 4

static void transmit_config(struct stp_port *p);
static void transmit_tcn(struct stp *stp);
static void send_config_bpdu(struct stp_port *p,
			     const struct stp_config_bpdu *bpdu);
static void record_config_information(struct stp_port *p,
				      const struct stp_config_bpdu *bpdu);
static void record_config_timeout_values(struct stp *stp,
					 const struct stp_config_bpdu *bpdu);
static bool supersedes_port_info(const struct stp_port *p,
				 const struct stp_config_bpdu *bpdu);
static bool should_become_root_port(const struct stp_port *p,
				    const struct stp_port *rp);
static bool should_become_designated_port(const struct stp_port *p);
static void root_selection(struct stp *stp);
static void designated_port_selection(struct stp *stp);
static void root_port_block(struct stp_port *p);
static void make_forwarding(struct stp_port *p);
static void make_blocking(struct stp_port *p);
static void topology_change_detection(struct stp *stp);
static void topology_change_acknowledged(struct stp *stp);
static void topology_change_acknowledge(struct stp_port *p);
static bool is_designated_for_some_port(const struct stp *stp);
static void hello_timer_expiry(struct stp *stp);
static void tcn_timer_expiry(struct stp *stp);
static void topology_change_timer_expiry(struct stp *stp);
static void message_age_timer_expiry(struct stp_port *p);
static void forward_delay_timer_expiry(struct stp_port *p);
static void hold_timer_expiry(struct stp_port *p);
static uint64_t round_to_second(uint64_t now_ms, uint64_t t_ms);

/* ---------------------------------------------------------------------- */
/* Input and time. */

int
stp_rx_bpdu(struct stp *stp, uint16_t port_no, const uint8_t *frame,
	    size_t len, uint64_t now_ms)
{
	struct stp_port *p;
	struct stp_bpdu bpdu;
	const uint8_t *body;
	size_t body_len;
	int err;

	stp_run_timers(stp, now_ms);

	p = port_no <= STP_PORT_NO_MAX ? stp->port_by_no[port_no] : NULL;
	if (!p) {
		err = -STP_DROP_NO_PORT;
		goto drop;
	}
	/* The order of the checks is br_stp_rcv()'s, so that a frame with
	 * several faults is counted where the kernel would drop it. */
	err = stp_bpdu_parse_frame(frame, len, &body, &body_len);
	if (err) {
		goto drop;
	}
	if (!stp->enabled || !stp->up || p->state == STP_DISABLED) {
		err = -STP_DROP_NOT_RUNNING;
		goto drop;
	}
	if (!stp_bpdu_is_group_addr(frame)) {
		err = -STP_DROP_BAD_DA;
		goto drop;
	}
	if (p->flags & STP_PORT_BPDU_GUARD) {
		stp_disable_port(p);
		err = -STP_DROP_BPDU_GUARD;
		goto drop;
	}
	err = stp_bpdu_decode(body, body_len, &bpdu);
	if (err) {
		goto drop;
	}
	if (bpdu.type == STP_BPDU_TYPE_CONFIG) {
		stp_received_config_bpdu(p, &bpdu.config);
	} else {
		stp_received_tcn_bpdu(p);
	}
	return 0;

drop:
	stp->drops[-err]++;
	return err;
}

void
stp_tick(struct stp *stp, uint64_t now_ms)
{
	stp_run_timers(stp, now_ms);
}

/* Runs the due timers one at a time in expiry order, each at its own expiry
 * time, then sets the current time to 'now_ms'.  Every handler either
 * leaves its timer stopped or restarts it at least 1 s later (hello and TCN
 * times are >= 1 s by range; a zero forward delay is never started), so the
 * loop ends. */
void
stp_run_timers(struct stp *stp, uint64_t now_ms)
{
	if (now_ms < stp->now_ms) {
		now_ms = stp->now_ms;
	}
	for (;;) {
		struct stp_timer *bridge_timers[] = {
			&stp->hello_timer, &stp->tcn_timer,
			&stp->topology_change_timer,
		};
		struct stp_timer *best = NULL;
		struct stp_port *best_port = NULL, *p;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bridge_timers); i++) {
			struct stp_timer *t = bridge_timers[i];

			if (t->active && t->expires_ms <= now_ms &&
			    (!best || t->expires_ms < best->expires_ms)) {
				best = t;
			}
		}
		STP_FOR_EACH_PORT (p, i, stp) {
			struct stp_timer *port_timers[] = {
				&p->message_age_timer, &p->forward_delay_timer,
				&p->hold_timer,
			};
			size_t j;

			for (j = 0; j < ARRAY_SIZE(port_timers); j++) {
				struct stp_timer *t = port_timers[j];

				if (t->active && t->expires_ms <= now_ms &&
				    (!best ||
				     t->expires_ms < best->expires_ms)) {
					best = t;
					best_port = p;
				}
			}
		}
		if (!best) {
			break;
		}
		if (best->expires_ms > stp->now_ms) {
			stp->now_ms = best->expires_ms;
		}
		best->active = false;
		if (best == &stp->hello_timer) {
			hello_timer_expiry(stp);
		} else if (best == &stp->tcn_timer) {
			tcn_timer_expiry(stp);
		} else if (best == &stp->topology_change_timer) {
			topology_change_timer_expiry(stp);
		} else if (best == &best_port->message_age_timer) {
			message_age_timer_expiry(best_port);
		} else if (best == &best_port->forward_delay_timer) {
			forward_delay_timer_expiry(best_port);
		} else {
			hold_timer_expiry(best_port);
		}
	}
	stp->now_ms = now_ms;
}

void
stp_timer_start(struct stp_timer *t, uint64_t expires_ms)
{
	t->active = true;
	t->expires_ms = expires_ms;
}

void
stp_timer_stop(struct stp_timer *t)
{
	t->active = false;
}

uint32_t
stp_timer_remaining(const struct stp *stp, const struct stp_timer *t)
{
	if (!t->active || t->expires_ms <= stp->now_ms) {
		return 0;
	}
	return (uint32_t)MIN(t->expires_ms - stp->now_ms, UINT32_MAX);
}

/* ---------------------------------------------------------------------- */
/* Predicates. */

/* §8.6.1.3.x: the bridge is the root when the designated root is itself. */
bool
stp_is_root_bridge(const struct stp *stp)
{
	return stp->designated_root == stp->bridge_id;
}

/* A port is designated iff the stored designated bridge and port are this
 * bridge and this port (§8.6.1.3.x, br_is_designated_port()). */
bool
stp_is_designated_port(const struct stp_port *p)
{
	return p->designated_bridge == p->stp->bridge_id &&
	       p->designated_port == p->port_id;
}

/* ---------------------------------------------------------------------- */
/* Elements of procedure (§8.6). */

/* §8.6.2 Received Configuration BPDU. */
void
stp_received_config_bpdu(struct stp_port *p,
			 const struct stp_config_bpdu *bpdu)
{
	struct stp *stp = p->stp;
	bool was_root = stp_is_root_bridge(stp);

	p->rx_config++;
	if (supersedes_port_info(p, bpdu)) {
		record_config_information(p, bpdu);
		stp_configuration_update(stp);
		stp_port_state_selection(stp);

		if (was_root && !stp_is_root_bridge(stp)) {
			stp_timer_stop(&stp->hello_timer);
			if (stp->topology_change_detected) {
				stp_timer_stop(&stp->topology_change_timer);
				transmit_tcn(stp);
				stp_timer_start(&stp->tcn_timer,
						stp->now_ms +
						stp->bridge_hello_time_ms);
			}
		}
		if (p->port_no == stp->root_port) {
			record_config_timeout_values(stp, bpdu);
			stp_config_bpdu_generation(stp);
			if (bpdu->topology_change_ack) {
				topology_change_acknowledged(stp);
			}
		}
	} else if (stp_is_designated_port(p)) {
		/* §8.6.2.3.2: reply to inferior information. */
		transmit_config(p);
	}
}

/* §8.6.3 Received Topology Change Notification BPDU: only designated ports
 * listen to TCNs. */
void
stp_received_tcn_bpdu(struct stp_port *p)
{
	p->rx_tcn++;
	if (stp_is_designated_port(p)) {
		topology_change_detection(p->stp);
		topology_change_acknowledge(p);
	}
}

/* §8.6.4 Configuration BPDU Generation: on every enabled designated port. */
void
stp_config_bpdu_generation(struct stp *stp)
{
	struct stp_port *p;
	size_t i;

	STP_FOR_EACH_PORT (p, i, stp) {
		if (p->state != STP_DISABLED && stp_is_designated_port(p)) {
			transmit_config(p);
		}
	}
}

/* §8.6.1 Transmit Configuration BPDU, rate-limited by the hold timer
 * (§8.6.1.3.1) and suppressed once the information has aged out. */
static void
transmit_config(struct stp_port *p)
{
	struct stp *stp = p->stp;
	struct stp_config_bpdu bpdu;

	if (p->hold_timer.active) {
		p->config_pending = true;
		return;
	}

	memset(&bpdu, 0, sizeof(bpdu));
	bpdu.topology_change = stp->topology_change;
	bpdu.topology_change_ack = p->topology_change_ack;
	bpdu.root_id = stp->designated_root;
	bpdu.root_path_cost = stp->root_path_cost;
	bpdu.bridge_id = stp->bridge_id;
	bpdu.port_id = p->port_id;
	if (!stp_is_root_bridge(stp)) {
		const struct stp_port *root = stp->port_by_no[stp->root_port];
		int64_t age = (int64_t)stp->now_ms - root->designated_age_ms +
			      STP_MESSAGE_AGE_INCR_MS;

		bpdu.message_age_ms = (uint32_t)MIN(MAX(age, 0), UINT32_MAX);
	}
	bpdu.max_age_ms = stp->max_age_ms;
	bpdu.hello_time_ms = stp->hello_time_ms;
	bpdu.forward_delay_ms = stp->forward_delay_ms;

	if (bpdu.message_age_ms < stp->max_age_ms) {
		send_config_bpdu(p, &bpdu);
		p->topology_change_ack = false;
		p->config_pending = false;
		if (stp->enabled) {
			stp_timer_start(&p->hold_timer,
					round_to_second(stp->now_ms,
							stp->now_ms +
							STP_HOLD_MS));
		}
	}
}

/* Queues a configuration BPDU on 'p'; nothing is sent with STP off. */
static void
send_config_bpdu(struct stp_port *p, const struct stp_config_bpdu *bpdu)
{
	uint8_t frame[STP_FRAME_MAX];
	size_t len;

	if (!p->stp->enabled) {
		return;
	}
	len = stp_bpdu_build_config(&p->mac, bpdu, frame);
	stp_outbox_push(p->stp, p, frame, len);
	p->tx_config++;
}

/* §8.6.6 Transmit Topology Change Notification BPDU, on the root port. */
static void
transmit_tcn(struct stp *stp)
{
	struct stp_port *p = stp->port_by_no[stp->root_port];
	uint8_t frame[STP_FRAME_MAX];
	size_t len;

	if (!p || !stp->enabled) {
		return;
	}
	len = stp_bpdu_build_tcn(&p->mac, frame);
	stp_outbox_push(stp, p, frame, len);
	p->tx_tcn++;
}

/* §8.6.2.3.1 Record Configuration Information: the message-age timer runs
 * for what is left of the sender's max age. */
static void
record_config_information(struct stp_port *p,
			  const struct stp_config_bpdu *bpdu)
{
	uint64_t now = p->stp->now_ms;

	p->designated_root = bpdu->root_id;
	p->designated_cost = bpdu->root_path_cost;
	p->designated_bridge = bpdu->bridge_id;
	p->designated_port = bpdu->port_id;
	p->designated_age_ms = (int64_t)now - bpdu->message_age_ms;
	stp_timer_start(&p->message_age_timer,
			now + (bpdu->max_age_ms - bpdu->message_age_ms));
}

/* §8.6.3.x Record Configuration Timeout Values: a non-root bridge takes
 * the root's timers and topology change flag from its root port. */
static void
record_config_timeout_values(struct stp *stp,
			     const struct stp_config_bpdu *bpdu)
{
	stp->max_age_ms = bpdu->max_age_ms;
	stp->hello_time_ms = bpdu->hello_time_ms;
	stp->forward_delay_ms = bpdu->forward_delay_ms;
	stp_set_topology_change(stp, bpdu->topology_change);
}

/* §8.6.2.2 Supersedes Port Information: the first difference in (root,
 * cost, bridge) decides; information from another bridge with an equal
 * vector is a refresh and always supersedes; our own looped-back BPDU
 * supersedes iff its port id is not higher than the stored one. */
static bool
supersedes_port_info(const struct stp_port *p,
		     const struct stp_config_bpdu *bpdu)
{
	if (bpdu->root_id != p->designated_root) {
		return bpdu->root_id < p->designated_root;
	}
	if (bpdu->root_path_cost != p->designated_cost) {
		return bpdu->root_path_cost < p->designated_cost;
	}
	if (bpdu->bridge_id != p->designated_bridge) {
		return bpdu->bridge_id < p->designated_bridge;
	}
	if (bpdu->bridge_id != p->stp->bridge_id) {
		return true;
	}
	return bpdu->port_id <= p->designated_port;
}

/* §8.6.7 Configuration Update. */
void
stp_configuration_update(struct stp *stp)
{
	root_selection(stp);
	designated_port_selection(stp);
}

/* Whether 'p' is a better root port than 'rp' (or than nothing, if 'rp' is
 * NULL): §8.6.8.3.1's candidate test and ordering, lowest wins. */
static bool
should_become_root_port(const struct stp_port *p, const struct stp_port *rp)
{
	uint64_t cost, rp_cost;

	if (p->state == STP_DISABLED || stp_is_designated_port(p)) {
		return false;
	}
	if (p->designated_root >= p->stp->bridge_id) {
		return false;
	}
	if (!rp) {
		return true;
	}
	if (p->designated_root != rp->designated_root) {
		return p->designated_root < rp->designated_root;
	}
	cost = (uint64_t)p->designated_cost + p->path_cost;
	rp_cost = (uint64_t)rp->designated_cost + rp->path_cost;
	if (cost != rp_cost) {
		return cost < rp_cost;
	}
	if (p->designated_bridge != rp->designated_bridge) {
		return p->designated_bridge < rp->designated_bridge;
	}
	if (p->designated_port != rp->designated_port) {
		return p->designated_port < rp->designated_port;
	}
	return p->port_id < rp->port_id;
}

/* §8.6.8 Root Selection.  A root_block port that would win is put in
 * LISTENING and passed over (br_root_port_block()). */
static void
root_selection(struct stp *stp)
{
	struct stp_port *p, *rp = NULL;
	size_t i;

	STP_FOR_EACH_PORT (p, i, stp) {
		if (!should_become_root_port(p, rp)) {
			continue;
		}
		if (p->flags & STP_PORT_ROOT_BLOCK) {
			root_port_block(p);
		} else {
			rp = p;
		}
	}

	if (!rp) {
		stp->root_port = 0;
		stp->designated_root = stp->bridge_id;
		stp->root_path_cost = 0;
	} else {
		uint64_t cost = (uint64_t)rp->designated_cost + rp->path_cost;

		stp->root_port = rp->port_no;
		stp->designated_root = rp->designated_root;
		stp->root_path_cost = (uint32_t)MIN(cost, UINT32_MAX);
	}
}

static void
root_port_block(struct stp_port *p)
{
	struct stp *stp = p->stp;

	stp_set_port_state(p, STP_LISTENING);
	if (stp->forward_delay_ms > 0) {
		stp_timer_start(&p->forward_delay_timer,
				stp->now_ms + stp->forward_delay_ms);
	}
}

/* §8.6.9.3.1: the port offers a better path to the root for its LAN than
 * the stored designated bridge/port. */
static bool
should_become_designated_port(const struct stp_port *p)
{
	const struct stp *stp = p->stp;

	if (stp_is_designated_port(p)) {
		return true;
	}
	if (p->designated_root != stp->designated_root) {
		return true;
	}
	if (stp->root_path_cost != p->designated_cost) {
		return stp->root_path_cost < p->designated_cost;
	}
	if (stp->bridge_id != p->designated_bridge) {
		return stp->bridge_id < p->designated_bridge;
	}
	return p->port_id < p->designated_port;
}

/* §8.6.9 Designated Port Selection. */
static void
designated_port_selection(struct stp *stp)
{
	struct stp_port *p;
	size_t i;

	STP_FOR_EACH_PORT (p, i, stp) {
		if (p->state != STP_DISABLED &&
		    should_become_designated_port(p)) {
			stp_become_designated_port(p);
		}
	}
}

/* §8.6.10 Become Designated Port. */
void
stp_become_designated_port(struct stp_port *p)
{
	struct stp *stp = p->stp;

	p->designated_root = stp->designated_root;
	p->designated_cost = stp->root_path_cost;
	p->designated_bridge = stp->bridge_id;
	p->designated_port = p->port_id;
}

/* §8.6.11 Port State Selection: the root port and designated ports head
 * for FORWARDING, every other enabled port is blocked. */
void
stp_port_state_selection(struct stp *stp)
{
	struct stp_port *p;
	size_t i;

	STP_FOR_EACH_PORT (p, i, stp) {
		if (p->state == STP_DISABLED) {
			continue;
		}
		if (p->port_no == stp->root_port) {
			p->config_pending = false;
			p->topology_change_ack = false;
			make_forwarding(p);
		} else if (stp_is_designated_port(p)) {
			stp_timer_stop(&p->message_age_timer);
			make_forwarding(p);
		} else {
			p->config_pending = false;
			p->topology_change_ack = false;
			make_blocking(p);
		}
	}
}

/* §8.6.12 Make Forwarding: a BLOCKING port starts listening (or forwards at
 * once with STP off or a zero forward delay, as the kernel does). */
static void
make_forwarding(struct stp_port *p)
{
	struct stp *stp = p->stp;

	if (p->state != STP_BLOCKING) {
		return;
	}
	if (!stp->enabled || stp->forward_delay_ms == 0) {
		stp_set_port_state(p, STP_FORWARDING);
		topology_change_detection(stp);
		stp_timer_stop(&p->forward_delay_timer);
	} else {
		stp_set_port_state(p, STP_LISTENING);
	}
	if (stp->forward_delay_ms != 0) {
		stp_timer_start(&p->forward_delay_timer,
				stp->now_ms + stp->forward_delay_ms);
	}
}

/* §8.6.13 Make Blocking: a port that was learning or forwarding signals a
 * topology change. */
static void
make_blocking(struct stp_port *p)
{
	if (p->state == STP_DISABLED || p->state == STP_BLOCKING) {
		return;
	}
	if (p->state == STP_FORWARDING || p->state == STP_LEARNING) {
		topology_change_detection(p->stp);
	}
	stp_set_port_state(p, STP_BLOCKING);
	stp_timer_stop(&p->forward_delay_timer);
}

/* §8.6.14 Topology Change Detection: the root sets Topology Change for
 * bridge max age + bridge forward delay (§8.5.3.13); any other bridge tells
 * the root with TCNs until acknowledged.  Only with STP on. */
static void
topology_change_detection(struct stp *stp)
{
	if (!stp->enabled) {
		return;
	}
	if (stp_is_root_bridge(stp)) {
		stp_set_topology_change(stp, true);
		stp_timer_start(&stp->topology_change_timer,
				stp->now_ms + stp->bridge_forward_delay_ms +
				stp->bridge_max_age_ms);
	} else if (!stp->topology_change_detected) {
		transmit_tcn(stp);
		stp_timer_start(&stp->tcn_timer,
				stp->now_ms + stp->bridge_hello_time_ms);
	}
	stp->topology_change_detected = true;
}

/* §8.6.15 Topology Change Acknowledged. */
static void
topology_change_acknowledged(struct stp *stp)
{
	stp->topology_change_detected = false;
	stp_timer_stop(&stp->tcn_timer);
}

/* §8.6.16 Acknowledge Topology Change: answer a TCN with TCA at once. */
static void
topology_change_acknowledge(struct stp_port *p)
{
	p->topology_change_ack = true;
	transmit_config(p);
}

void
stp_set_topology_change(struct stp *stp, bool tc)
{
	stp->topology_change = tc;
}

bool
stp_state_step_ok(enum stp_state from, enum stp_state to, bool root_block)
{
	if (from == to || to == STP_DISABLED)
		return true;
	switch (from) {
	case STP_DISABLED:
		return to == STP_BLOCKING;
	case STP_BLOCKING:
		return to == STP_LISTENING || to == STP_FORWARDING;
	case STP_LISTENING:
		return to == STP_LEARNING || to == STP_BLOCKING;
	case STP_LEARNING:
		return to == STP_FORWARDING || to == STP_BLOCKING ||
		       (root_block && to == STP_LISTENING);
	case STP_FORWARDING:
		return to == STP_BLOCKING ||
		       (root_block && to == STP_LISTENING);
	}
	return false;
}

void
stp_set_port_state(struct stp_port *p, enum stp_state state)
{
	if (!stp_state_step_ok(p->state, state,
			       p->flags & STP_PORT_ROOT_BLOCK))
		p->stp->bad_transitions++;
	if (p->state != state) {
		p->state = state;
		p->state_changed = true;
	}
}

/* §8.8.1 Initialisation of a port (br_init_port()). */
void
stp_init_port(struct stp_port *p)
{
	p->port_id = (uint16_t)(p->priority << 10 | p->port_no);
	stp_become_designated_port(p);
	stp_set_port_state(p, STP_BLOCKING);
	p->topology_change_ack = false;
	p->config_pending = false;
}

/* §8.8.2 Enable Port. */
void
stp_enable_port(struct stp_port *p)
{
	stp_init_port(p);
	stp_port_state_selection(p->stp);
}

/* §8.8.3 Disable Port, plus the kernel's FDB flush for the port. */
void
stp_disable_port(struct stp_port *p)
{
	struct stp *stp = p->stp;
	bool was_root = stp_is_root_bridge(stp);

	stp_become_designated_port(p);
	stp_set_port_state(p, STP_DISABLED);
	p->topology_change_ack = false;
	p->config_pending = false;
	stp_timer_stop(&p->message_age_timer);
	stp_timer_stop(&p->forward_delay_timer);
	stp_timer_stop(&p->hold_timer);
	p->flush_pending = true;

	stp_configuration_update(stp);
	stp_port_state_selection(stp);
	if (stp_is_root_bridge(stp) && !was_root) {
		stp_become_root_bridge(stp);
	}
}

/* What a bridge does on becoming the root (§8.7.3 / br_become_root_bridge):
 * its own timers become effective, a topology change is signalled, and it
 * starts sending hellos. */
void
stp_become_root_bridge(struct stp *stp)
{
	stp->max_age_ms = stp->bridge_max_age_ms;
	stp->hello_time_ms = stp->bridge_hello_time_ms;
	stp->forward_delay_ms = stp->bridge_forward_delay_ms;
	topology_change_detection(stp);
	stp_timer_stop(&stp->tcn_timer);
	if (stp->up) {
		stp_config_bpdu_generation(stp);
		stp_timer_start(&stp->hello_timer,
				stp->now_ms + stp->hello_time_ms);
	}
}

static bool
is_designated_for_some_port(const struct stp *stp)
{
	const struct stp_port *p;
	size_t i;

	for (i = 0; i < stp->n_ports; i++) {
		p = stp->ports[i];
		if (p->state != STP_DISABLED &&
		    p->designated_bridge == stp->bridge_id) {
			return true;
		}
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* Timer expiry (§8.7). */

/* §8.7.1 Hello Timer Expiry.  Restarted on a whole second like the
 * kernel's round_jiffies(). */
static void
hello_timer_expiry(struct stp *stp)
{
	if (!stp->up) {
		return;
	}
	stp_config_bpdu_generation(stp);
	if (stp->enabled) {
		stp_timer_start(&stp->hello_timer,
				round_to_second(stp->now_ms, stp->now_ms +
						stp->hello_time_ms));
	}
}

/* §8.7.2 Message Age Timer Expiry: the information on 'p' aged out. */
static void
message_age_timer_expiry(struct stp_port *p)
{
	struct stp *stp = p->stp;
	bool was_root;

	if (p->state == STP_DISABLED) {
		return;
	}
	was_root = stp_is_root_bridge(stp);
	stp_become_designated_port(p);
	stp_configuration_update(stp);
	stp_port_state_selection(stp);
	if (stp_is_root_bridge(stp) && !was_root) {
		stp_become_root_bridge(stp);
	}
}

/* §8.7.3 Forward Delay Timer Expiry: listening -> learning -> forwarding;
 * reaching forwarding signals a topology change if this bridge is
 * designated for some LAN. */
static void
forward_delay_timer_expiry(struct stp_port *p)
{
	struct stp *stp = p->stp;

	if (p->state == STP_LISTENING) {
		stp_set_port_state(p, STP_LEARNING);
		stp_timer_start(&p->forward_delay_timer,
				stp->now_ms + stp->forward_delay_ms);
	} else if (p->state == STP_LEARNING) {
		stp_set_port_state(p, STP_FORWARDING);
		if (is_designated_for_some_port(stp)) {
			topology_change_detection(stp);
		}
	}
}

/* §8.7.4 Topology Change Notification Timer Expiry: repeat the TCN. */
static void
tcn_timer_expiry(struct stp *stp)
{
	if (!stp_is_root_bridge(stp) && stp->up) {
		transmit_tcn(stp);
		stp_timer_start(&stp->tcn_timer,
				stp->now_ms + stp->bridge_hello_time_ms);
	}
}

/* §8.7.5 Topology Change Timer Expiry. */
static void
topology_change_timer_expiry(struct stp *stp)
{
	stp->topology_change_detected = false;
	stp_set_topology_change(stp, false);
}

/* §8.7.6 Hold Timer Expiry: send what the hold timer held back. */
static void
hold_timer_expiry(struct stp_port *p)
{
	if (p->config_pending) {
		transmit_config(p);
	}
}

/* Like the kernel's round_jiffies() on one CPU: 't_ms' rounded to the
 * nearest whole second, down only within the first quarter second, and
 * left alone if rounding would put it at or before 'now_ms'. */
static uint64_t
round_to_second(uint64_t now_ms, uint64_t t_ms)
{
	uint64_t rem = t_ms % 1000;
	uint64_t r = rem < 250 ? t_ms - rem : t_ms - rem + 1000;

	return r <= now_ms ? t_ms : r;
}
