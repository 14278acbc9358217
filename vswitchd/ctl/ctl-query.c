/*
 * ctl-query.c - what the control methods share: JSON views of bridges and
 * ports, strict JSON value readers, device lookups; and, until the port
 * classes create their own ports from arguments, the tap and vhost-user
 * port constructors.  Nothing here changes a bridge.
 *
 * Key names follow iproute2's JSON output (ip -j link, bridge -j) so that
 * scripts written for it carry over; units follow ip-link (centiseconds
 * for bridge times).
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

/* --- small helpers -------------------------------------------------------- */

int
ctl_json_bool(struct json_object *v, bool *out)
{
	if (json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return 0;
	}
	if (json_object_is_type(v, json_type_int) &&
	    (json_object_get_int64(v) == 0 || json_object_get_int64(v) == 1)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	return -EINVAL;
}

int
ctl_json_uint(struct json_object *v, uint64_t min, uint64_t max,
	      uint64_t *out)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return -EINVAL;
	if (json_object_get_int64(v) < 0)
		return -ERANGE;
	u = json_object_get_uint64(v);
	if (u < min || u > max)
		return -ERANGE;
	*out = u;
	return 0;
}

int
ctl_json_uint_error(struct ctl_reply *r, const char *what,
		    struct json_object *v, uint64_t min, uint64_t max)
{
	if (!json_object_is_type(v, json_type_int))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.%s: must be an integer", what);
	return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
			       "params.%s: %s out of range %llu..%llu", what,
			       json_object_to_json_string(v),
			       (unsigned long long)min,
			       (unsigned long long)max);
}

void
ctl_format_bridge_id(const struct bridge *br, char buf[18])
{
	const uint8_t *m = br->mac.ea;

	snprintf(buf, 18, "%04x.%02x%02x%02x%02x%02x%02x",
		 br->opt.priority, m[0], m[1], m[2], m[3], m[4], m[5]);
}

uint16_t
ctl_port_id(const struct port *port)
{
	return (uint16_t)((port->stp_priority << 10) | (port->port_no & 0x3ff));
}

struct json_object *
ctl_json_mac(const struct eth_addr *mac)
{
	char buf[ETH_ADDR_STRLEN];

	return json_object_new_string(eth_addr_format(mac, buf));
}

struct json_object *
ctl_json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

bool
ctl_fdb_entry_is_user(const struct bridge *br, const struct fdb_entry *e)
{
	(void)br;
	return e->flags & FDB_F_USER;
}

/* --- JSON views ------------------------------------------------------------ */

struct json_object *
ctl_json_port(const struct port *port)
{
	struct json_object *o = json_object_new_object();
	struct json_object *f = json_object_new_object();
	char id[8];

	json_object_object_add(o, "name", json_object_new_string(port->name));
	if (port->ifindex)
		json_object_object_add(o, "ifindex",
				       json_object_new_int(port->ifindex));
	json_object_object_add(o, "bridge", port->br ?
			       json_object_new_string(port->br->name) : NULL);
	json_object_object_add(o, "port_no", json_object_new_int(port->port_no));
	json_object_object_add(o, "type",
			       json_object_new_string(port->class->type));
	if (port->class->describe)
		json_object_object_add(o, "args",
				       port->class->describe(port));
	json_object_object_add(o, "state",
			       json_object_new_string(port_state_name(port->state)));
	json_object_object_add(o, "mac", ctl_json_mac(&port->mac));
	json_object_object_add(o, "up", json_object_new_boolean(port->admin_up));
	json_object_object_add(o, "carrier",
			       json_object_new_boolean(port_has_carrier(port)));
	/* Every table option, automatic ones included: flags in "flags",
	 * numbers at the top level, each under its port.set name. */
	json_object_object_add(o, "flags", f);
	for (int opt = 0; opt < PORT_OPT_N; opt++) {
		const struct port_opt_info *info = &port_opt_info[opt];
		uint32_t v;

		bridge_port_get_option(port, opt, &v);
		if (info->is_flag)
			json_object_object_add(f, info->name,
					       json_object_new_boolean(v));
		else
			json_object_object_add(o, info->name,
					       port_opt_json(opt, v));
	}
	snprintf(id, sizeof id, "0x%04x", ctl_port_id(port));
	json_object_object_add(o, "port_id", json_object_new_string(id));
	return o;
}

static int
compare_port_names(const void *a, const void *b)
{
	const struct port *const *pa = a, *const *pb = b;

	return strcmp((*pa)->name, (*pb)->name);
}

size_t
ctl_sorted_ports(const struct bridge *br, struct port **out)
{
	size_t n = 0;

	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
		if (br->ports[i])
			out[n++] = br->ports[i];
	qsort(out, n, sizeof *out, compare_port_names);
	return n;
}

struct json_object *
ctl_json_ports(const struct bridge *br)
{
	struct port **ports = xcalloc(BRIDGE_MAX_PORTS, sizeof *ports);
	struct json_object *list = json_object_new_array();
	size_t n = ctl_sorted_ports(br, ports);

	for (size_t i = 0; i < n; i++)
		json_object_array_add(list, ctl_json_port(ports[i]));
	free(ports);
	return list;
}

struct json_object *
ctl_json_bridge(const struct bridge *br)
{
	struct json_object *o = json_object_new_object();
	struct json_object *opt = json_object_new_object();
	const struct bridge_options *bo = &br->opt;
	char id[18];

	ctl_format_bridge_id(br, id);
	json_object_object_add(o, "name", json_object_new_string(br->name));
	if (br->host && br->host->ifindex)
		json_object_object_add(o, "ifindex",
				       json_object_new_int(br->host->ifindex));
	json_object_object_add(o, "bridge_id", json_object_new_string(id));
	json_object_object_add(o, "mac", ctl_json_mac(&br->mac));
	json_object_object_add(o, "stp_state",
			       json_object_new_int(bo->stp_state));
	json_object_object_add(o, "up", json_object_new_boolean(br->admin_up));

	/* Every table option, in the table's order and under its
	 * bridge.set name; the VLAN protocol as its name, the rest as
	 * numbers. */
	for (int i = 0; i < BRIDGE_OPT_N; i++) {
		const struct bridge_opt_info *info = &bridge_opt_info[i];
		uint32_t v = bridge_get_option(br, i);

		json_object_object_add(opt, info->name,
				       info->type == BRIDGE_OPT_TPID
				       ? json_object_new_string(
					       vlan_protocol_name((uint16_t)v))
				       : json_object_new_int64(v));
	}
	if (br->mac_set)
		json_object_object_add(opt, "address", ctl_json_mac(&br->mac));
	json_object_object_add(o, "options", opt);
	json_object_object_add(o, "ports", ctl_json_ports(br));
	return o;
}

int
ctl_lookup_dev(const char *name, struct bridge **brp, struct port **portp,
	   struct ctl_reply *r)
{
	struct bridge *br = bridge_lookup(name);

	*portp = NULL;
	if (br) {
		*brp = br;
		return 0;
	}
	*portp = bridge_find_port(name, brp);
	if (*portp)
		return 0;
	return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
			       "device %s does not exist", name);
}

int
ctl_lookup_filter(const char *brname, const char *dev, struct bridge **brp,
		  struct port **portp, struct ctl_reply *r)
{
	struct bridge *dbr;

	*brp = NULL;
	*portp = NULL;
	if (brname && !(*brp = bridge_lookup(brname)))
		return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
				       "bridge %s does not exist", brname);
	if (!dev)
		return 0;
	if (ctl_lookup_dev(dev, &dbr, portp, r))
		return r->code;
	if (*brp && dbr != *brp)
		return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
				       "device %s is not a port of %s", dev,
				       brname);
	*brp = dbr;
	return 0;
}
