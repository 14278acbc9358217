/*
 * stp-glue.c - spanning tree glue (see stp-glue.h).
 */
#include "stp-glue.h"

#include <string.h>

#include "bridge-types.h"
#include "bridge-event.h"
#include "fdb.h"
#include "log.h"
#include "pkt.h"
#include "port-provider.h"
#include "stp.h"
#include "util.h"

#define MOD "stp"

/* The port state the datapath gates on for STP port state 'st'.  The pure
 * STP module has its own enum (it may not see port.h), so the two are
 * mapped here by name, not by value: a state added to enum stp_state
 * without a case below fails to build (-Wswitch). */
static enum port_state
port_state_from_stp(enum stp_state st)
{
	switch (st) {
	case STP_DISABLED:
		return PORT_DISABLED;
	case STP_LISTENING:
		return PORT_LISTENING;
	case STP_LEARNING:
		return PORT_LEARNING;
	case STP_FORWARDING:
		return PORT_FORWARDING;
	case STP_BLOCKING:
		return PORT_BLOCKING;
	}
	ASSERT(!"STP port state out of range");
	return PORT_DISABLED;
}

/* Sends every queued BPDU, applies state changes and flush requests, and
 * gives the FDB the topology-change hold time.  Called after every call
 * into STP, so STP never calls back into us. */
static void
drain(struct bridge *br)
{
	uint8_t frame[STP_FRAME_MAX];
	uint16_t port_no;
	size_t len;

	while (stp_outbox_pop(br->stp, &port_no, frame, &len)) {
		struct port *port = br->ports[port_no];
		struct pkt *p;

		if (!port || !(p = pkt_alloc(br->pool)))
			continue;
		memcpy(p->data, frame, len);
		p->len = (uint32_t)len;
		p->ts_ns = br->now_ms * 1000000ull;
		if (port_tx_burst(port, &p, 1) == 1) {
			port->stats.tx_packets++;
			port->stats.tx_bytes += len;
			if (port->capture)
				port->capture(port, p, true);
		} else {
			port->stats.drops[PORT_DROP_TX_ERROR]++;
		}
		pkt_free(br->pool, p);
	}
	while (stp_get_changed_port(br->stp, &port_no)) {
		struct port *port = br->ports[port_no];
		enum port_state st;

		if (!port)
			continue;
		st = port_state_from_stp(stp_port_get_state(br->stp, port_no));
		if (st != port->state) {
			log_info(MOD, "%s: %s: state %s -> %s", br->name,
				 port->name, port_state_name(port->state),
				 port_state_name(st));
			bridge_event_port(br->events, BRIDGE_EV_PORT_STATE,
					  port_no, (uint8_t)st);
		}
		port->state = st;
	}
	while (stp_get_flush_port(br->stp, &port_no))
		bridge_event_fdb_flush(br->events, &(struct fdb_flush_filter){
			.port_no = port_no, .vid = FDB_VID_ANY,
			.flags_mask = FDB_F_LOCAL | FDB_F_STATIC });
	fdb_set_tc_hold_ms(br->fdb, stp_get_ageing_override_ms(br->stp));
	if (bridge_events_enabled) {
		struct stp_bridge_status st;

		stp_get_status(br->stp, &st);
		if (st.topology_change != br->stp_tc) {
			br->stp_tc = st.topology_change;
			bridge_event_port(br->events, BRIDGE_EV_TOPOLOGY, 0,
					  br->stp_tc);
		}
	}
}

void
stp_glue_bridge_create(struct bridge *br)
{
	br->stp = stp_create(br->name, &br->mac, br->opt.priority);
	stp_glue_bridge_config(br);
	stp_set_bridge_up(br->stp, br->admin_up, br->now_ms);
	drain(br);
}

void
stp_glue_bridge_destroy(struct bridge *br)
{
	stp_destroy(br->stp);
	br->stp = NULL;
}

void
stp_glue_port_add(struct bridge *br, struct port *port)
{
	uint32_t cost = port->path_cost;

	if (cost < STP_PATH_COST_MIN || cost > STP_PATH_COST_MAX)
		cost = 100;
	ASSERT(!stp_port_add(br->stp, port->port_no, &port->mac, cost));
	stp_glue_port_config(br, port);
	drain(br);
}

void
stp_glue_port_del(struct bridge *br, struct port *port)
{
	stp_port_del(br->stp, port->port_no, br->now_ms);
	drain(br);
}

void
stp_glue_port_link(struct bridge *br, struct port *port, bool up)
{
	if (up)
		stp_port_enable(br->stp, port->port_no, br->now_ms);
	else
		stp_port_disable(br->stp, port->port_no, br->now_ms);
	drain(br);
}

static uint64_t
bridge_id(uint16_t prio, const struct eth_addr *mac)
{
	uint64_t id = prio;

	for (int i = 0; i < ETH_ADDR_LEN; i++)
		id = id << 8 | mac->ea[i];
	return id;
}

void
stp_glue_bridge_config(struct bridge *br)
{
	const struct bridge_options *o = &br->opt;
	struct stp_bridge_status st;

	/* Only what changed is passed on: some setters send BPDUs at once.
	 * Ranges were checked by the bridge setters; STP keeps its own value
	 * if one is refused (a forward delay under 2 s while STP is off). */
	stp_get_status(br->stp, &st);
	if (st.bridge_hello_time_ms != o->hello_time_cs * 10)
		stp_set_hello_time_ms(br->stp, o->hello_time_cs * 10);
	if (st.bridge_max_age_ms != o->max_age_cs * 10)
		stp_set_max_age_ms(br->stp, o->max_age_cs * 10);
	if (st.bridge_forward_delay_ms != o->forward_delay_cs * 10)
		stp_set_forward_delay_ms(br->stp, o->forward_delay_cs * 10);
	if (st.bridge_id != bridge_id(o->priority, &br->mac)) {
		stp_set_bridge_mac(br->stp, &br->mac, br->now_ms);
		stp_set_priority(br->stp, o->priority, br->now_ms);
	}
	if (st.enabled != (o->stp_state != 0))
		stp_set_enabled(br->stp, o->stp_state != 0, br->now_ms);
	drain(br);
}

int
stp_glue_port_config(struct bridge *br, struct port *port)
{
	unsigned flags = 0;
	int err;

	if (port->flags & PORT_F_ROOT_BLOCK)
		flags |= STP_PORT_ROOT_BLOCK;
	if (port->flags & PORT_F_BPDU_GUARD)
		flags |= STP_PORT_BPDU_GUARD;
	err = stp_set_port_priority(br->stp, port->port_no,
				    port->stp_priority, br->now_ms);
	if (!err)
		err = stp_set_path_cost(br->stp, port->port_no,
					port->path_cost, br->now_ms);
	if (!err)
		err = stp_set_port_flags(br->stp, port->port_no, flags);
	drain(br);
	return err;
}

void
stp_glue_bridge_up(struct bridge *br, bool up)
{
	stp_set_bridge_up(br->stp, up, br->now_ms);
	drain(br);
}

int
stp_glue_rx_bpdu(struct bridge *br, struct port *in, const struct pkt *p)
{
	int rc = stp_rx_bpdu(br->stp, in->port_no, p->data, p->len,
			     br->now_ms);

	drain(br);
	return rc;
}

void
stp_glue_run(struct bridge *br, uint64_t now_ms)
{
	stp_tick(br->stp, now_ms);
	drain(br);
}
