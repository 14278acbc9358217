/*
 * ctl-stats.c - the read-only STP and statistics methods of the control
 * protocol (stp.show, stats.get).
 */
#include "ctl-query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "ctl-server.h"
#include "fdb.h"
#include "port-provider.h"
#include "stp.h"

/* --- STP ------------------------------------------------------------------ */

static void
format_id(uint64_t id, char buf[18])
{
	snprintf(buf, 18, "%04x.%012llx", (unsigned)(id >> 48),
		 (unsigned long long)(id & 0xffffffffffffull));
}

static struct json_object *
json_cs(uint32_t ms)
{
	return ctl_json_u64(ms / 10);
}

/* The read-outs of the bridge's STP instance, as brctl showstp and sysfs
 * show them (times in centiseconds). */
int
ctl_m_stp_show(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "bridge", NULL };
	struct stp_bridge_status st;
	struct port **ports;
	struct json_object *o, *list;
	struct bridge *br;
	const char *name;
	uint64_t ageing_cs;
	char id[18];
	size_t n;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "bridge", true, &name, r) < 0)
		return r->code;
	br = bridge_lookup(name);
	if (!br) {
		if (bridge_find_port(name, NULL))
			return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					       "device %s is not a bridge",
					       name);
		return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
				       "bridge %s does not exist", name);
	}
	stp_get_status(br->stp, &st);
	/* During a topology change the kernel shows (and ages with) a short
	 * ageing time: 2 x forward delay (sysfs ageing_time). */
	ageing_cs = br->opt.ageing_time_cs;
	if (st.enabled && st.topology_change)
		ageing_cs = 2ull * st.forward_delay_ms / 10;

	o = json_object_new_object();
	json_object_object_add(o, "bridge", json_object_new_string(br->name));
	json_object_object_add(o, "stp_state",
			       json_object_new_int(br->opt.stp_state));
	format_id(st.bridge_id, id);
	json_object_object_add(o, "bridge_id", json_object_new_string(id));
	format_id(st.designated_root, id);
	json_object_object_add(o, "designated_root",
			       json_object_new_string(id));
	json_object_object_add(o, "root_port",
			       json_object_new_int(st.root_port));
	json_object_object_add(o, "root_path_cost",
			       ctl_json_u64(st.root_path_cost));
	json_object_object_add(o, "max_age", json_cs(st.max_age_ms));
	json_object_object_add(o, "hello_time", json_cs(st.hello_time_ms));
	json_object_object_add(o, "forward_delay",
			       json_cs(st.forward_delay_ms));
	json_object_object_add(o, "bridge_max_age",
			       json_cs(st.bridge_max_age_ms));
	json_object_object_add(o, "bridge_hello_time",
			       json_cs(st.bridge_hello_time_ms));
	json_object_object_add(o, "bridge_forward_delay",
			       json_cs(st.bridge_forward_delay_ms));
	json_object_object_add(o, "ageing_time", ctl_json_u64(ageing_cs));
	json_object_object_add(o, "hello_timer", json_cs(st.hello_timer_ms));
	json_object_object_add(o, "tcn_timer", json_cs(st.tcn_timer_ms));
	json_object_object_add(o, "topology_change_timer",
			       json_cs(st.topology_change_timer_ms));
	json_object_object_add(o, "gc_timer", ctl_json_u64(0));
	json_object_object_add(o, "topology_change",
			       json_object_new_boolean(st.topology_change));
	json_object_object_add(o, "topology_change_detected",
			       json_object_new_boolean(
				       st.topology_change_detected));

	ports = xcalloc(BRIDGE_MAX_PORTS, sizeof *ports);
	n = ctl_sorted_ports(br, ports);
	list = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct port *p = ports[i];
		struct json_object *po = json_object_new_object();
		struct stp_port_status ps;
		char pid[8];

		if (stp_port_get_status(br->stp, p->port_no, &ps)) {
			json_object_put(po);
			continue;
		}
		json_object_object_add(po, "name", json_object_new_string(p->name));
		json_object_object_add(po, "port_no",
				       json_object_new_int(p->port_no));
		snprintf(pid, sizeof pid, "%04x", ps.port_id);
		json_object_object_add(po, "port_id", json_object_new_string(pid));
		json_object_object_add(po, "state", json_object_new_string(
					       port_state_name(p->state)));
		format_id(ps.designated_root, id);
		json_object_object_add(po, "designated_root",
				       json_object_new_string(id));
		format_id(ps.designated_bridge, id);
		json_object_object_add(po, "designated_bridge",
				       json_object_new_string(id));
		snprintf(pid, sizeof pid, "%04x", ps.designated_port);
		json_object_object_add(po, "designated_port",
				       json_object_new_string(pid));
		json_object_object_add(po, "designated_cost",
				       ctl_json_u64(ps.designated_cost));
		json_object_object_add(po, "path_cost",
				       ctl_json_u64(ps.path_cost));
		json_object_object_add(po, "message_age_timer",
				       json_cs(ps.message_age_timer_ms));
		json_object_object_add(po, "forward_delay_timer",
				       json_cs(ps.forward_delay_timer_ms));
		json_object_object_add(po, "hold_timer",
				       json_cs(ps.hold_timer_ms));
		json_object_object_add(po, "config_pending",
				       json_object_new_boolean(ps.config_pending));
		json_object_object_add(po, "change_ack", json_object_new_boolean(
					       ps.topology_change_ack));
		json_object_object_add(po, "hairpin", json_object_new_boolean(
					       p->flags & PORT_F_HAIRPIN));
		json_object_array_add(list, po);
	}
	free(ports);
	json_object_object_add(o, "ports", list);
	r->result = o;
	return 0;
}

/* --- statistics ---------------------------------------------------------- */

static struct json_object *
port_stats_json(const struct port *p)
{
	struct json_object *o = json_object_new_object();
	struct json_object *d = json_object_new_object();
	const struct port_stats *s = &p->stats;
	uint64_t total = 0;

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "port_no", json_object_new_int(p->port_no));
	json_object_object_add(o, "type", json_object_new_string(p->class->type));
	json_object_object_add(o, "rx_packets", ctl_json_u64(s->rx_packets));
	json_object_object_add(o, "rx_bytes", ctl_json_u64(s->rx_bytes));
	json_object_object_add(o, "tx_packets", ctl_json_u64(s->tx_packets));
	json_object_object_add(o, "tx_bytes", ctl_json_u64(s->tx_bytes));
	json_object_object_add(o, "rx_unicast", ctl_json_u64(s->rx_unicast));
	json_object_object_add(o, "rx_broadcast", ctl_json_u64(s->rx_broadcast));
	json_object_object_add(o, "rx_multicast", ctl_json_u64(s->rx_multicast));
	json_object_object_add(o, "tx_sw_csum", ctl_json_u64(s->tx_sw_csum));
	json_object_object_add(o, "tx_sw_gso", ctl_json_u64(s->tx_sw_gso));
	json_object_object_add(o, "tx_sw_segs", ctl_json_u64(s->tx_sw_segs));
	for (int i = 0; i < PORT_DROP_N; i++) {
		json_object_object_add(d, port_drop_reason_name(
					       (enum port_drop_reason)i),
				       ctl_json_u64(s->drops[i]));
		total += s->drops[i];
	}
	json_object_object_add(o, "dropped", ctl_json_u64(total));
	json_object_object_add(o, "drops", d);
	/* The class's own counters, under its key (vhost-user: "vhost"). */
	if (p->class->get_stats)
		json_object_object_add(o, p->class->stats_key
				       ? p->class->stats_key : p->class->type,
				       p->class->get_stats(p));
	return o;
}

int
ctl_m_stats_get(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "bridge", "dev", NULL };
	const char *brname = NULL, *dev = NULL;
	struct bridge *fbr = NULL;
	struct port *fport = NULL;
	struct json_object *list;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "bridge", false, &brname, r) < 0 ||
	    ctl_param_string(params, "dev", false, &dev, r) < 0)
		return r->code;
	if (ctl_lookup_filter(brname, dev, &fbr, &fport, r))
		return r->code;
	list = json_object_new_array();
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		const struct bridge_stats *s = &br->stats;
		struct json_object *o, *ports;
		struct port **sorted;
		size_t n;

		if (fbr && br != fbr)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(br->name));
		json_object_object_add(o, "rx_packets", ctl_json_u64(s->rx_packets));
		json_object_object_add(o, "rx_bytes", ctl_json_u64(s->rx_bytes));
		json_object_object_add(o, "forwarded", ctl_json_u64(s->forwarded));
		json_object_object_add(o, "flooded", ctl_json_u64(s->flooded));
		json_object_object_add(o, "to_host", ctl_json_u64(s->to_host));
		json_object_object_add(o, "dropped", ctl_json_u64(s->dropped));
		json_object_object_add(o, "learned", ctl_json_u64(s->learned));
		json_object_object_add(o, "moved", ctl_json_u64(s->moved));
		json_object_object_add(o, "learn_full", ctl_json_u64(s->learn_full));
		json_object_object_add(o, "fdb_entries",
				       ctl_json_u64(fdb_count(br->fdb)));
		json_object_object_add(o, "fdb_learned",
				       ctl_json_u64(fdb_count_learned(br->fdb)));
		sorted = xcalloc(BRIDGE_MAX_PORTS, sizeof *sorted);
		n = ctl_sorted_ports(br, sorted);
		ports = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			if (!fport || sorted[i] == fport)
				json_object_array_add(ports,
						      port_stats_json(sorted[i]));
		free(sorted);
		json_object_object_add(o, "ports", ports);
		json_object_array_add(list, o);
	}
	r->result = list;
	return 0;
}
