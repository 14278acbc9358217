/*
 * stp-if.c - STP administration (§8.8 management and the Linux bridge's
 * br_stp_if.c), read-out, and the output queues the caller drains.
 */
#include "stp-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct stp_port *port_lookup(const struct stp *stp, uint16_t port_no);
static void recompute(struct stp *stp, bool was_root);
static void outbox_purge_port(struct stp *stp, uint16_t port_no);

struct stp *
stp_create(const char *name, const struct eth_addr *bridge_mac,
	   uint16_t priority)
{
	struct stp *stp = xcalloc(1, sizeof(*stp));

	stp->name = xstrdup(name);
	stp->up = true;
	stp->bridge_id = stp_bridge_id_make(priority, bridge_mac);
	stp->designated_root = stp->bridge_id;
	stp->bridge_max_age_ms = stp->max_age_ms = STP_DEFAULT_MAX_AGE_MS;
	stp->bridge_hello_time_ms = stp->hello_time_ms = STP_DEFAULT_HELLO_MS;
	stp->bridge_forward_delay_ms = stp->forward_delay_ms =
		STP_DEFAULT_FWD_DELAY_MS;
	return stp;
}

void
stp_destroy(struct stp *stp)
{
	size_t i;

	if (!stp) {
		return;
	}
	for (i = 0; i < stp->n_ports; i++) {
		free(stp->ports[i]);
	}
	free(stp->ports);
	free(stp->outbox);
	free(stp->name);
	free(stp);
}

int
stp_port_add(struct stp *stp, uint16_t port_no,
	     const struct eth_addr *port_mac, uint32_t path_cost)
{
	struct stp_port *p;
	size_t i;

	if (port_no == 0 || port_no > STP_PORT_NO_MAX) {
		return -EINVAL;
	}
	if (stp->port_by_no[port_no]) {
		return -EEXIST;
	}
	if (path_cost < STP_PATH_COST_MIN || path_cost > STP_PATH_COST_MAX) {
		return -ERANGE;
	}

	p = xcalloc(1, sizeof(*p));
	p->stp = stp;
	p->port_no = port_no;
	p->mac = *port_mac;
	p->priority = STP_DEFAULT_PORT_PRIO;
	p->path_cost = path_cost;
	p->state = STP_DISABLED;
	p->port_id = (uint16_t)(p->priority << 10 | port_no);
	stp_become_designated_port(p);

	/* Keep 'ports' sorted by port_no. */
	stp->ports = xrealloc(stp->ports,
			      (stp->n_ports + 1) * sizeof(*stp->ports));
	for (i = stp->n_ports; i > 0 && stp->ports[i - 1]->port_no > port_no;
	     i--) {
		stp->ports[i] = stp->ports[i - 1];
	}
	stp->ports[i] = p;
	stp->n_ports++;
	stp->port_by_no[port_no] = p;
	return 0;
}

int
stp_port_del(struct stp *stp, uint16_t port_no, uint64_t now_ms)
{
	struct stp_port *p = port_lookup(stp, port_no);
	size_t i;

	if (!p) {
		return -ENOENT;
	}
	stp_run_timers(stp, now_ms);
	if (p->state != STP_DISABLED) {
		stp_disable_port(p);
	}
	for (i = 0; i < stp->n_ports && stp->ports[i] != p; i++) {
		continue;
	}
	memmove(&stp->ports[i], &stp->ports[i + 1],
		(stp->n_ports - i - 1) * sizeof(*stp->ports));
	stp->n_ports--;
	stp->port_by_no[port_no] = NULL;
	outbox_purge_port(stp, port_no);
	free(p);
	return 0;
}

int
stp_port_enable(struct stp *stp, uint16_t port_no, uint64_t now_ms)
{
	struct stp_port *p = port_lookup(stp, port_no);

	if (!p) {
		return -ENOENT;
	}
	stp_run_timers(stp, now_ms);
	p->link_up = true;
	if (stp->up && p->state == STP_DISABLED) {
		stp_enable_port(p);
	}
	return 0;
}

int
stp_port_disable(struct stp *stp, uint16_t port_no, uint64_t now_ms)
{
	struct stp_port *p = port_lookup(stp, port_no);

	if (!p) {
		return -ENOENT;
	}
	stp_run_timers(stp, now_ms);
	p->link_up = false;
	if (p->state != STP_DISABLED) {
		stp_disable_port(p);
	}
	return 0;
}

/* br_stp_enable_bridge() / br_stp_disable_bridge(). */
void
stp_set_bridge_up(struct stp *stp, bool up, uint64_t now_ms)
{
	struct stp_port *p;
	size_t i;

	stp_run_timers(stp, now_ms);
	if (up == stp->up) {
		return;
	}
	stp->up = up;
	if (up) {
		if (stp->enabled) {
			stp_timer_start(&stp->hello_timer,
					stp->now_ms + stp->hello_time_ms);
		}
		stp_config_bpdu_generation(stp);
		STP_FOR_EACH_PORT (p, i, stp) {
			if (p->link_up && p->state == STP_DISABLED) {
				stp_enable_port(p);
			}
		}
	} else {
		/* stp_disable_port() does not add or remove ports. */
		STP_FOR_EACH_PORT (p, i, stp) {
			if (p->state != STP_DISABLED) {
				stp_disable_port(p);
			}
		}
		stp_set_topology_change(stp, false);
		stp->topology_change_detected = false;
		stp_timer_stop(&stp->hello_timer);
		stp_timer_stop(&stp->topology_change_timer);
		stp_timer_stop(&stp->tcn_timer);
	}
}

/* br_stp_start() (kernel STP only; no /sbin/bridge-stp) and br_stp_stop(). */
void
stp_set_enabled(struct stp *stp, bool enabled, uint64_t now_ms)
{
	stp_run_timers(stp, now_ms);
	if (enabled == stp->enabled) {
		return;
	}
	if (!enabled) {
		stp->enabled = false;
		return;
	}

	if (stp->bridge_forward_delay_ms < STP_FWD_DELAY_MIN_MS ||
	    stp->bridge_forward_delay_ms > STP_FWD_DELAY_MAX_MS) {
		stp->bridge_forward_delay_ms =
			stp->bridge_forward_delay_ms < STP_FWD_DELAY_MIN_MS
			? STP_FWD_DELAY_MIN_MS : STP_FWD_DELAY_MAX_MS;
		if (stp_is_root_bridge(stp)) {
			stp->forward_delay_ms = stp->bridge_forward_delay_ms;
		}
	}
	stp->enabled = true;
	if (stp->up) {
		stp_timer_start(&stp->hello_timer,
				stp->now_ms + stp->hello_time_ms);
	}
	stp_port_state_selection(stp);
}

/* br_stp_change_bridge_id(). */
void
stp_set_bridge_mac(struct stp *stp, const struct eth_addr *mac,
		   uint64_t now_ms)
{
	struct eth_addr old_mac;
	bool was_root;
	struct stp_port *p;
	size_t i;

	stp_run_timers(stp, now_ms);
	was_root = stp_is_root_bridge(stp);
	stp_bridge_id_mac(stp->bridge_id, &old_mac);
	stp->bridge_id = stp_bridge_id_make(
		stp_bridge_id_priority(stp->bridge_id), mac);
	/* The kernel compares and replaces only the MAC part. */
	STP_FOR_EACH_PORT (p, i, stp) {
		struct eth_addr a;

		stp_bridge_id_mac(p->designated_bridge, &a);
		if (eth_addr_equals(&a, &old_mac)) {
			p->designated_bridge = stp_bridge_id_make(
				stp_bridge_id_priority(p->designated_bridge),
				mac);
		}
		stp_bridge_id_mac(p->designated_root, &a);
		if (eth_addr_equals(&a, &old_mac)) {
			p->designated_root = stp_bridge_id_make(
				stp_bridge_id_priority(p->designated_root),
				mac);
		}
	}
	recompute(stp, was_root);
}

/* br_stp_set_bridge_priority(). */
void
stp_set_priority(struct stp *stp, uint16_t priority, uint64_t now_ms)
{
	struct eth_addr mac;
	bool was_root;
	struct stp_port *p;
	size_t i;

	stp_run_timers(stp, now_ms);
	was_root = stp_is_root_bridge(stp);
	stp_bridge_id_mac(stp->bridge_id, &mac);
	STP_FOR_EACH_PORT (p, i, stp) {
		if (p->state != STP_DISABLED && stp_is_designated_port(p)) {
			p->designated_bridge =
				stp_bridge_id_make(priority, &mac);
		}
	}
	stp->bridge_id = stp_bridge_id_make(priority, &mac);
	recompute(stp, was_root);
}

/* br_stp_set_port_priority(). */
int
stp_set_port_priority(struct stp *stp, uint16_t port_no, uint8_t priority,
		      uint64_t now_ms)
{
	struct stp_port *p = port_lookup(stp, port_no);
	uint16_t new_id;

	if (!p) {
		return -ENOENT;
	}
	if (priority > STP_PORT_PRIO_MAX) {
		return -ERANGE;
	}
	stp_run_timers(stp, now_ms);
	new_id = (uint16_t)(priority << 10 | port_no);
	if (stp_is_designated_port(p)) {
		p->designated_port = new_id;
	}
	p->port_id = new_id;
	p->priority = priority;
	if (p->designated_bridge == stp->bridge_id &&
	    p->port_id < p->designated_port) {
		stp_become_designated_port(p);
		stp_port_state_selection(stp);
	}
	return 0;
}

/* br_stp_set_path_cost(). */
int
stp_set_path_cost(struct stp *stp, uint16_t port_no, uint32_t path_cost,
		  uint64_t now_ms)
{
	struct stp_port *p = port_lookup(stp, port_no);

	if (!p) {
		return -ENOENT;
	}
	if (path_cost < STP_PATH_COST_MIN || path_cost > STP_PATH_COST_MAX) {
		return -ERANGE;
	}
	stp_run_timers(stp, now_ms);
	p->path_cost = path_cost;
	stp_configuration_update(stp);
	stp_port_state_selection(stp);
	return 0;
}

int
stp_set_hello_time_ms(struct stp *stp, uint32_t ms)
{
	if (ms < STP_HELLO_MIN_MS || ms > STP_HELLO_MAX_MS) {
		return -ERANGE;
	}
	stp->bridge_hello_time_ms = ms;
	if (stp_is_root_bridge(stp)) {
		stp->hello_time_ms = ms;
	}
	return 0;
}

int
stp_set_max_age_ms(struct stp *stp, uint32_t ms)
{
	if (ms < STP_MAX_AGE_MIN_MS || ms > STP_MAX_AGE_MAX_MS) {
		return -ERANGE;
	}
	stp->bridge_max_age_ms = ms;
	if (stp_is_root_bridge(stp)) {
		stp->max_age_ms = ms;
	}
	return 0;
}

int
stp_set_forward_delay_ms(struct stp *stp, uint32_t ms)
{
	if (stp->enabled &&
	    (ms < STP_FWD_DELAY_MIN_MS || ms > STP_FWD_DELAY_MAX_MS)) {
		return -ERANGE;
	}
	stp->bridge_forward_delay_ms = ms;
	if (stp_is_root_bridge(stp)) {
		stp->forward_delay_ms = ms;
	}
	return 0;
}

int
stp_set_port_flags(struct stp *stp, uint16_t port_no, unsigned int flags)
{
	struct stp_port *p = port_lookup(stp, port_no);

	if (!p) {
		return -ENOENT;
	}
	if (flags & ~(unsigned int)(STP_PORT_ROOT_BLOCK |
				    STP_PORT_BPDU_GUARD)) {
		return -EINVAL;
	}
	p->flags = flags;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Output. */

void
stp_outbox_push(struct stp *stp, const struct stp_port *p,
		const uint8_t *frame, size_t len)
{
	struct stp_frame *f;

	ASSERT(len <= STP_FRAME_MAX);
	if (stp->outbox_head == stp->outbox_n) {
		stp->outbox_head = stp->outbox_n = 0;
	}
	if (stp->outbox_n - stp->outbox_head >= STP_OUTBOX_MAX) {
		stp->outbox_dropped++;
		return;
	}
	if (stp->outbox_n == stp->outbox_alloc) {
		if (stp->outbox_head > 0) {
			memmove(stp->outbox, &stp->outbox[stp->outbox_head],
				(stp->outbox_n - stp->outbox_head) *
				sizeof(*stp->outbox));
			stp->outbox_n -= stp->outbox_head;
			stp->outbox_head = 0;
		} else {
			stp->outbox_alloc = stp->outbox_alloc
					    ? 2 * stp->outbox_alloc : 16;
			stp->outbox = xrealloc(stp->outbox,
					       stp->outbox_alloc *
					       sizeof(*stp->outbox));
		}
	}
	f = &stp->outbox[stp->outbox_n++];
	f->port_no = p->port_no;
	f->len = (uint8_t)len;
	memcpy(f->data, frame, len);
}

bool
stp_outbox_pop(struct stp *stp, uint16_t *port_no, uint8_t *buf, size_t *len)
{
	const struct stp_frame *f;

	if (stp->outbox_head == stp->outbox_n) {
		return false;
	}
	f = &stp->outbox[stp->outbox_head++];
	*port_no = f->port_no;
	*len = f->len;
	memcpy(buf, f->data, f->len);
	return true;
}

bool
stp_get_changed_port(struct stp *stp, uint16_t *port_no)
{
	struct stp_port *p;
	size_t i;

	STP_FOR_EACH_PORT (p, i, stp) {
		if (p->state_changed) {
			p->state_changed = false;
			*port_no = p->port_no;
			return true;
		}
	}
	return false;
}

bool
stp_get_flush_port(struct stp *stp, uint16_t *port_no)
{
	struct stp_port *p;
	size_t i;

	STP_FOR_EACH_PORT (p, i, stp) {
		if (p->flush_pending) {
			p->flush_pending = false;
			*port_no = p->port_no;
			return true;
		}
	}
	return false;
}

uint32_t
stp_get_ageing_override_ms(const struct stp *stp)
{
	return stp->topology_change ? stp->forward_delay_ms : 0;
}

/* ---------------------------------------------------------------------- */
/* Read-out. */

enum stp_state
stp_port_get_state(const struct stp *stp, uint16_t port_no)
{
	const struct stp_port *p = port_lookup(stp, port_no);

	return p ? p->state : STP_DISABLED;
}

bool
stp_should_forward(enum stp_state state)
{
	return state == STP_FORWARDING;
}

bool
stp_should_learn(enum stp_state state)
{
	return state == STP_LEARNING || state == STP_FORWARDING;
}

bool
stp_has_port(const struct stp *stp, uint16_t port_no)
{
	return port_lookup(stp, port_no) != NULL;
}

void
stp_get_status(const struct stp *stp, struct stp_bridge_status *st)
{
	memset(st, 0, sizeof(*st));
	st->bridge_id = stp->bridge_id;
	st->designated_root = stp->designated_root;
	st->root_path_cost = stp->root_path_cost;
	st->root_port = stp->root_port;
	st->is_root = stp_is_root_bridge(stp);
	st->enabled = stp->enabled;
	st->up = stp->up;
	st->max_age_ms = stp->max_age_ms;
	st->hello_time_ms = stp->hello_time_ms;
	st->forward_delay_ms = stp->forward_delay_ms;
	st->bridge_max_age_ms = stp->bridge_max_age_ms;
	st->bridge_hello_time_ms = stp->bridge_hello_time_ms;
	st->bridge_forward_delay_ms = stp->bridge_forward_delay_ms;
	st->topology_change_detected = stp->topology_change_detected;
	st->topology_change = stp->topology_change;
	st->hello_timer_ms = stp_timer_remaining(stp, &stp->hello_timer);
	st->tcn_timer_ms = stp_timer_remaining(stp, &stp->tcn_timer);
	st->topology_change_timer_ms =
		stp_timer_remaining(stp, &stp->topology_change_timer);
	st->outbox_dropped = stp->outbox_dropped;
	st->bad_transitions = stp->bad_transitions;
}

int
stp_port_get_status(const struct stp *stp, uint16_t port_no,
		    struct stp_port_status *st)
{
	const struct stp_port *p = port_lookup(stp, port_no);

	if (!p) {
		return -ENOENT;
	}
	memset(st, 0, sizeof(*st));
	st->port_no = p->port_no;
	st->port_id = p->port_id;
	st->priority = p->priority;
	st->path_cost = p->path_cost;
	st->state = p->state;
	if (p->state == STP_DISABLED) {
		st->role = STP_ROLE_DISABLED;
	} else if (p->port_no == stp->root_port) {
		st->role = STP_ROLE_ROOT;
	} else if (stp_is_designated_port(p)) {
		st->role = STP_ROLE_DESIGNATED;
	} else {
		st->role = STP_ROLE_BLOCKED;
	}
	st->designated_root = p->designated_root;
	st->designated_cost = p->designated_cost;
	st->designated_bridge = p->designated_bridge;
	st->designated_port = p->designated_port;
	st->topology_change_ack = p->topology_change_ack;
	st->config_pending = p->config_pending;
	st->link_up = p->link_up;
	st->flags = p->flags;
	st->message_age_timer_ms =
		stp_timer_remaining(stp, &p->message_age_timer);
	st->forward_delay_timer_ms =
		stp_timer_remaining(stp, &p->forward_delay_timer);
	st->hold_timer_ms = stp_timer_remaining(stp, &p->hold_timer);
	st->rx_config = p->rx_config;
	st->rx_tcn = p->rx_tcn;
	st->tx_config = p->tx_config;
	st->tx_tcn = p->tx_tcn;
	return 0;
}

uint64_t
stp_get_drop_count(const struct stp *stp, enum stp_drop reason)
{
	if ((int)reason <= 0 || reason >= STP_DROP_N_REASONS) {
		return 0;
	}
	return stp->drops[reason];
}

const char *
stp_state_name(enum stp_state state)
{
	static const char *const names[] = {
		[STP_DISABLED] = "disabled",
		[STP_LISTENING] = "listening",
		[STP_LEARNING] = "learning",
		[STP_FORWARDING] = "forwarding",
		[STP_BLOCKING] = "blocking",
	};

	return (unsigned int)state < ARRAY_SIZE(names) ? names[state]
						       : "unknown";
}

const char *
stp_role_name(enum stp_role role)
{
	static const char *const names[] = {
		[STP_ROLE_DISABLED] = "disabled",
		[STP_ROLE_ROOT] = "root",
		[STP_ROLE_DESIGNATED] = "designated",
		[STP_ROLE_BLOCKED] = "blocked",
	};

	return (unsigned int)role < ARRAY_SIZE(names) ? names[role]
						      : "unknown";
}

const char *
stp_drop_name(enum stp_drop reason)
{
	static const char *const names[STP_DROP_N_REASONS] = {
		[STP_DROP_NO_PORT] = "no-port",
		[STP_DROP_SHORT] = "short",
		[STP_DROP_NOT_LLC] = "not-llc",
		[STP_DROP_BAD_LENGTH] = "bad-length",
		[STP_DROP_BAD_PROTOCOL] = "bad-protocol",
		[STP_DROP_BAD_VERSION] = "bad-version",
		[STP_DROP_NOT_RUNNING] = "not-running",
		[STP_DROP_BAD_DA] = "bad-da",
		[STP_DROP_BPDU_GUARD] = "bpdu-guard",
		[STP_DROP_BAD_TYPE] = "bad-type",
		[STP_DROP_MESSAGE_AGE] = "message-age",
		[STP_DROP_BAD_TIMERS] = "bad-timers",
	};

	if ((unsigned int)reason >= ARRAY_SIZE(names) || !names[reason]) {
		return "unknown";
	}
	return names[reason];
}

const char *
stp_get_name(const struct stp *stp)
{
	return stp->name;
}

/* ---------------------------------------------------------------------- */
/* Helpers. */

static struct stp_port *
port_lookup(const struct stp *stp, uint16_t port_no)
{
	return port_no <= STP_PORT_NO_MAX ? stp->port_by_no[port_no] : NULL;
}

/* Reruns the tree computation after an identifier changed, and the
 * become-root actions if that made us root. */
static void
recompute(struct stp *stp, bool was_root)
{
	stp_configuration_update(stp);
	stp_port_state_selection(stp);
	if (stp_is_root_bridge(stp) && !was_root) {
		stp_become_root_bridge(stp);
	}
}

static void
outbox_purge_port(struct stp *stp, uint16_t port_no)
{
	size_t i, j;

	for (i = j = stp->outbox_head; i < stp->outbox_n; i++) {
		if (stp->outbox[i].port_no != port_no) {
			stp->outbox[j++] = stp->outbox[i];
		}
	}
	stp->outbox_n = j;
}
