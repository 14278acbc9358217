/*
 * ctl-query.c - VLAN, FDB, STP and statistics methods of the control
 * protocol, and the JSON views the methods share.
 *
 * Key names follow iproute2's JSON output (bridge -j vlan/fdb show) so
 * that scripts written for it carry over; units follow ip-link
 * (centiseconds for bridge times).
 */
#include "ctl-query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "bridge-event.h"
#include "ctl-server.h"
#include "daemon.h"
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

static struct json_object *
json_mac(const struct eth_addr *mac)
{
	char buf[ETH_ADDR_STRLEN];

	return json_object_new_string(eth_addr_format(mac, buf));
}

struct json_object *
ctl_json_u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

void
ctl_notify_link(const char *action, const char *name, const char *master)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "topic", json_object_new_string("link"));
	json_object_object_add(p, "action", json_object_new_string(action));
	json_object_object_add(p, "ifname", json_object_new_string(name));
	if (master)
		json_object_object_add(p, "master",
				       json_object_new_string(master));
	ctl_server_notify(CTL_TOPIC_LINK, "event", p);
}

/* Sends an "fdb" event for a user change. */
static void
notify_fdb(const char *action, const char *mac, const char *dev,
	   uint16_t vid, const char *state, const char *master)
{
	struct json_object *p = json_object_new_object();

	json_object_object_add(p, "topic", json_object_new_string("fdb"));
	json_object_object_add(p, "action", json_object_new_string(action));
	json_object_object_add(p, "mac", json_object_new_string(mac));
	json_object_object_add(p, "ifname", json_object_new_string(dev));
	if (vid != FDB_VID_ANY)
		json_object_object_add(p, "vlan", json_object_new_int(vid));
	if (state)
		json_object_object_add(p, "state",
				       json_object_new_string(state));
	json_object_object_add(p, "master", json_object_new_string(master));
	ctl_server_notify(CTL_TOPIC_FDB, "event", p);
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
	json_object_object_add(o, "mac", json_mac(&port->mac));
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
					       json_object_new_int64(v));
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
	json_object_object_add(o, "bridge_id", json_object_new_string(id));
	json_object_object_add(o, "mac", json_mac(&br->mac));
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
		json_object_object_add(opt, "address", json_mac(&br->mac));
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

static int
app_error_fdb(struct ctl_reply *r, int err, const char *mac, const char *dev)
{
	return ctl_reply_error(r, CTL_ERR_APP, -err, "fdb entry %s dev %s: %s",
			       mac, dev, strerror(-err));
}

/* --- VLANs ---------------------------------------------------------------- */

struct vlan_req {
	struct bridge *br;
	struct port *port;	/* NULL: the bridge device */
	uint16_t vid, vid_end;
	bool pvid, untagged;
};

static int
parse_vlan_req(struct json_object *params, bool add, struct vlan_req *q,
	       struct ctl_reply *r)
{
	static const char *const known_add[] = { "dev", "vid", "vid_end",
		"pvid", "untagged", "self", "master", NULL };
	static const char *const known_del[] = { "dev", "vid", "vid_end",
		"self", "master", NULL };
	uint64_t vid, vid_end = 0;
	bool self = false, master = false;
	const char *dev;
	int has_end;

	memset(q, 0, sizeof *q);
	if (ctl_params_check_known(params, add ? known_add : known_del, r) ||
	    ctl_param_string(params, "dev", true, &dev, r) < 0 ||
	    ctl_param_uint(params, "vid", true, VLAN_VID_MIN, VLAN_VID_MAX,
			   &vid, r) < 0 ||
	    (has_end = ctl_param_uint(params, "vid_end", false, VLAN_VID_MIN,
				      VLAN_VID_MAX, &vid_end, r)) < 0 ||
	    ctl_param_bool(params, "self", false, &self, r) < 0 ||
	    ctl_param_bool(params, "master", false, &master, r) < 0)
		return r->code;
	if (add && (ctl_param_bool(params, "pvid", false, &q->pvid, r) < 0 ||
		    ctl_param_bool(params, "untagged", false, &q->untagged,
				   r) < 0))
		return r->code;
	if (has_end && vid_end < vid)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.vid_end: %llu is below vid %llu",
				       (unsigned long long)vid_end,
				       (unsigned long long)vid);
	if (has_end && vid_end != vid && q->pvid)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.pvid: not allowed with a range");
	q->vid = (uint16_t)vid;
	q->vid_end = has_end ? (uint16_t)vid_end : (uint16_t)vid;
	if (ctl_lookup_dev(dev, &q->br, &q->port, r))
		return r->code;
	if (q->port && self)
		return ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP,
				       "device %s: 'self' VLANs exist only on "
				       "the bridge device", dev);
	if (!q->port && master && !self)
		return ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP,
				       "device %s is a bridge: use self", dev);
	return 0;
}

int
ctl_m_vlan_add(struct json_object *params, struct ctl_reply *r)
{
	struct vlan_req q;

	if (parse_vlan_req(params, true, &q, r))
		return r->code;
	/* Cannot fail: every VID is in range (checked above). */
	for (unsigned v = q.vid; v <= q.vid_end; v++)
		bridge_vlan_add(q.br, q.port, (uint16_t)v, q.pvid, q.untagged);
	return 0;
}

int
ctl_m_vlan_del(struct json_object *params, struct ctl_reply *r)
{
	const struct vlan_port *vp;
	struct vlan_req q;

	if (parse_vlan_req(params, false, &q, r))
		return r->code;
	vp = q.port ? &q.port->vlans : &q.br->self_vlans;
	for (unsigned v = q.vid; v <= q.vid_end; v++)
		if (!vlan_port_has(vp, (uint16_t)v))
			return ctl_reply_error(r, CTL_ERR_APP, ENOENT,
					       "device %s: vlan %u not "
					       "configured",
					       q.port ? q.port->name :
					       q.br->name, v);
	for (unsigned v = q.vid; v <= q.vid_end; v++)
		bridge_vlan_del(q.br, q.port, (uint16_t)v);
	return 0;
}

/* Appends {ifname, vlans:[...]} for 'vp' to 'list' unless it is empty or
 * the 'vid' filter (0: none) leaves nothing. */
static void
vlan_show_one(struct json_object *list, const char *ifname,
	      const struct vlan_port *vp, uint16_t vid)
{
	struct json_object *vlans = json_object_new_array();
	struct json_object *o;

	for (uint16_t v = vlan_port_next(vp, 0); v; v = vlan_port_next(vp, v)) {
		struct json_object *e, *flags;

		if (vid && v != vid)
			continue;
		e = json_object_new_object();
		flags = json_object_new_array();
		json_object_object_add(e, "vlan", json_object_new_int(v));
		if (vp->pvid == v)
			json_object_array_add(flags,
					      json_object_new_string("PVID"));
		if (vlan_port_is_untagged(vp, v))
			json_object_array_add(flags, json_object_new_string(
						      "Egress Untagged"));
		json_object_object_add(e, "flags", flags);
		json_object_array_add(vlans, e);
	}
	if (!json_object_array_length(vlans)) {
		json_object_put(vlans);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ifname", json_object_new_string(ifname));
	json_object_object_add(o, "vlans", vlans);
	json_object_array_add(list, o);
}

int
ctl_m_vlan_show(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "dev", "vid", "br", NULL };
	const char *dev = NULL, *brname = NULL;
	struct bridge *fbr = NULL;
	struct port *fport = NULL;
	struct json_object *list;
	uint64_t vid = 0;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "dev", false, &dev, r) < 0 ||
	    ctl_param_string(params, "br", false, &brname, r) < 0 ||
	    ctl_param_uint(params, "vid", false, VLAN_VID_MIN, VLAN_VID_MAX,
			   &vid, r) < 0)
		return r->code;
	if (dev && ctl_lookup_dev(dev, &fbr, &fport, r))
		return r->code;
	if (brname) {
		struct bridge *b = bridge_lookup(brname);

		if (!b)
			return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
					       "bridge %s does not exist",
					       brname);
		if (fbr && fbr != b)
			return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					       "device %s is not a port of %s",
					       dev, brname);
		fbr = b;
	}
	list = json_object_new_array();
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		if (fbr && br != fbr)
			continue;
		if (!dev || !fport)
			vlan_show_one(list, br->name, &br->self_vlans,
				      (uint16_t)vid);
		for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++) {
			struct port *p = br->ports[i];

			if (p && (!dev || p == fport))
				vlan_show_one(list, p->name, &p->vlans,
					      (uint16_t)vid);
		}
	}
	r->result = list;
	return 0;
}

/* --- FDB ------------------------------------------------------------------ */

struct fdb_collect {
	struct fdb_entry *v;
	size_t n, cap;
};

static void
collect_cb(const struct fdb_entry *e, void *aux)
{
	struct fdb_collect *c = aux;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	c->v[c->n++] = *e;
}

static int
fdb_kind(const struct fdb_entry *e)
{
	return e->flags & FDB_F_LOCAL ? 0 : e->flags & FDB_F_STATIC ? 1 : 2;
}

/* Device order (bridge device, then ports by number), then local, static,
 * dynamic, then VID descending (as the kernel's newest-first dump shows a
 * port's VLAN entry before its VID 0 one), then MAC. */
static int
compare_fdb(const void *a, const void *b)
{
	const struct fdb_entry *x = a, *y = b;

	if (x->port_no != y->port_no)
		return x->port_no < y->port_no ? -1 : 1;
	if (fdb_kind(x) != fdb_kind(y))
		return fdb_kind(x) - fdb_kind(y);
	if (x->vid != y->vid)
		return x->vid > y->vid ? -1 : 1;
	return eth_addr_compare(&x->mac, &y->mac);
}

static const char *
fdb_state_name(const struct fdb_entry *e)
{
	return e->flags & FDB_F_LOCAL ? "permanent"
	       : e->flags & FDB_F_STATIC ? "static" : "";
}

static struct json_object *
fdb_entry_json(const struct bridge *br, const struct fdb_entry *e)
{
	struct json_object *o = json_object_new_object();
	struct json_object *flags = json_object_new_array();
	const struct port *p = e->port_no ? br->ports[e->port_no] : NULL;
	uint64_t now = br->now_ms;
	uint64_t age_cs = 0;

	if (fdb_entry_is_dynamic(e) && now > e->updated_ms)
		age_cs = (now - e->updated_ms) / 10;
	json_object_object_add(o, "mac", json_mac(&e->mac));
	json_object_object_add(o, "ifname",
			       json_object_new_string(p ? p->name : br->name));
	if (e->vid)
		json_object_object_add(o, "vlan", json_object_new_int(e->vid));
	if (e->flags & FDB_F_STICKY)
		json_object_array_add(flags, json_object_new_string("sticky"));
	json_object_object_add(o, "flags", flags);
	json_object_object_add(o, "master", json_object_new_string(br->name));
	json_object_object_add(o, "state",
			       json_object_new_string(fdb_state_name(e)));
	json_object_object_add(o, "used", ctl_json_u64(now > e->used_ms ?
						   (now - e->used_ms) / 1000 : 0));
	json_object_object_add(o, "updated", ctl_json_u64(now > e->updated_ms ?
						      (now - e->updated_ms) /
						      1000 : 0));
	json_object_object_add(o, "is_local",
			       json_object_new_boolean(e->flags & FDB_F_LOCAL));
	json_object_object_add(o, "added_by_user", json_object_new_boolean(
				       ctl_fdb_entry_is_user(br, e)));
	json_object_object_add(o, "port_no", json_object_new_int(e->port_no));
	json_object_object_add(o, "ageing_timer_cs", ctl_json_u64(age_cs));
	return o;
}

int
ctl_m_fdb_show(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "br", "dev", "vlan", NULL };
	const char *brname = NULL, *dev = NULL;
	struct bridge *fbr = NULL;
	struct port *fport = NULL;
	struct json_object *list;
	uint64_t vlan = 0;
	int has_vlan;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "br", false, &brname, r) < 0 ||
	    ctl_param_string(params, "dev", false, &dev, r) < 0 ||
	    (has_vlan = ctl_param_uint(params, "vlan", false, 0, VLAN_VID_MAX,
				       &vlan, r)) < 0)
		return r->code;
	if (ctl_lookup_filter(brname, dev, &fbr, &fport, r))
		return r->code;
	list = json_object_new_array();
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		struct fdb_collect c = { NULL, 0, 0 };

		if (fbr && br != fbr)
			continue;
		fdb_foreach(br->fdb, collect_cb, &c);
		if (c.n)
			qsort(c.v, c.n, sizeof *c.v, compare_fdb);
		for (size_t i = 0; i < c.n; i++) {
			const struct fdb_entry *e = &c.v[i];

			if (e->port_no && !br->ports[e->port_no])
				continue;
			if (dev && (fport ? e->port_no != fport->port_no
				    : e->port_no != FDB_PORT_BRIDGE))
				continue;
			if (has_vlan && e->vid != vlan)
				continue;
			json_object_array_add(list, fdb_entry_json(br, e));
		}
		free(c.v);
	}
	r->result = list;
	return 0;
}

struct fdb_req {
	struct bridge *br;
	struct port *port;
	struct eth_addr mac;
	const char *mac_s, *dev;
	uint16_t vid;		/* FDB_VID_ANY when not given */
};

static int
parse_fdb_req(struct json_object *params, const char *const *known,
	      struct fdb_req *q, struct ctl_reply *r)
{
	uint64_t vlan = 0;
	int has_vlan;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "mac", true, &q->mac_s, r) < 0 ||
	    ctl_param_string(params, "dev", true, &q->dev, r) < 0 ||
	    (has_vlan = ctl_param_uint(params, "vlan", false, 0, VLAN_VID_MAX,
				       &vlan, r)) < 0)
		return r->code;
	if (eth_addr_parse(q->mac_s, &q->mac))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.mac: '%s' is not a MAC address",
				       q->mac_s);
	q->vid = has_vlan ? (uint16_t)vlan : FDB_VID_ANY;
	return ctl_lookup_dev(q->dev, &q->br, &q->port, r);
}

int
ctl_m_fdb_add(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "mac", "dev", "vlan", "state",
					     "sticky", "replace", "master",
					     NULL };
	const struct vlan_port *vp;
	uint16_t vids[VLAN_N_VID];
	bool existed[VLAN_N_VID];
	size_t n = 0;
	struct fdb_req q;
	const char *state = "permanent";
	bool sticky = false, replace = false, master = true;
	uint8_t flags;
	int err;

	if (parse_fdb_req(params, known, &q, r) ||
	    ctl_param_string(params, "state", false, &state, r) < 0 ||
	    ctl_param_bool(params, "sticky", false, &sticky, r) < 0 ||
	    ctl_param_bool(params, "replace", false, &replace, r) < 0 ||
	    ctl_param_bool(params, "master", false, &master, r) < 0)
		return r->code;
	if (!strcmp(state, "local") || !strcmp(state, "permanent"))
		flags = FDB_F_LOCAL;
	else if (!strcmp(state, "static"))
		flags = FDB_F_STATIC;
	else if (!strcmp(state, "dynamic"))
		flags = 0;
	else
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.state: '%s' is not local, "
				       "permanent, static or dynamic", state);
	if (sticky)
		flags |= FDB_F_STICKY;
	if (!master)
		return ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP,
				       "only bridge (master) entries exist here");
	if (eth_addr_is_multicast(&q.mac) || eth_addr_is_zero(&q.mac))
		return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
				       "%s is not a unicast address", q.mac_s);

	/* The (MAC, VID) keys this touches, and which exist already. */
	vp = q.port ? &q.port->vlans : &q.br->self_vlans;
	if (q.vid != FDB_VID_ANY) {
		vids[n++] = q.vid;
	} else {
		vids[n++] = 0;
		for (uint16_t v = vlan_port_next(vp, 0); v;
		     v = vlan_port_next(vp, v))
			vids[n++] = v;
	}
	for (size_t i = 0; i < n; i++) {
		existed[i] = fdb_lookup(q.br->fdb, &q.mac, vids[i]) != NULL;
		if (existed[i] && !replace)
			return ctl_reply_error(r, CTL_ERR_APP, EEXIST,
					       "fdb entry %s%s%.0u already exists",
					       q.mac_s, vids[i] ? " vlan " : "",
					       vids[i]);
	}
	err = bridge_fdb_add(q.br, q.port, &q.mac, q.vid, flags);
	if (err) {
		for (size_t i = 0; i < n; i++)
			if (!existed[i])
				fdb_del(q.br->fdb, &q.mac, vids[i], FDB_PORT_ANY);
		if (err == -EINVAL && q.vid != FDB_VID_ANY && q.vid &&
		    !vlan_port_has(vp, q.vid))
			return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					       "device %s: vlan %u not "
					       "configured", q.dev, q.vid);
		if (err == -EINVAL && !q.port)
			return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					       "entries on the bridge device %s "
					       "must be local/permanent", q.dev);
		if (err == -EPERM)
			return ctl_reply_error(r, CTL_ERR_APP, EPERM,
					       "device %s is not learning or "
					       "forwarding", q.dev);
		return app_error_fdb(r, err, q.mac_s, q.dev);
	}
	notify_fdb("add", q.mac_s, q.dev, q.vid,
		   !strcmp(state, "local") ? "permanent" :
		   !strcmp(state, "dynamic") ? "" : state, q.br->name);
	return 0;
}

int
ctl_m_fdb_del(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "mac", "dev", "vlan", "master",
					     NULL };
	struct fdb_req q;
	bool master = true;
	int err;

	if (parse_fdb_req(params, known, &q, r) ||
	    ctl_param_bool(params, "master", false, &master, r) < 0)
		return r->code;
	if (!master)
		return ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP,
				       "only bridge (master) entries exist here");
	err = bridge_fdb_del(q.br, q.port, &q.mac, q.vid);
	if (err == -ENOENT)
		return ctl_reply_error(r, CTL_ERR_APP, ENOENT,
				       "fdb entry %s dev %s%s%.0u not found",
				       q.mac_s, q.dev,
				       q.vid != FDB_VID_ANY ? " vlan " : "",
				       q.vid != FDB_VID_ANY ? q.vid : 0);
	if (err)
		return app_error_fdb(r, err, q.mac_s, q.dev);
	notify_fdb("del", q.mac_s, q.dev, q.vid, NULL, q.br->name);
	return 0;
}

int
ctl_m_fdb_flush(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "br", "dev", "vlan",
					     "dynamic_only", NULL };
	struct fdb_flush_filter f = { FDB_PORT_ANY, FDB_VID_ANY, 0, 0 };
	const char *brname = NULL, *dev = NULL;
	struct bridge *fbr = NULL;
	struct port *fport = NULL;
	bool dynamic_only = true;
	uint64_t vlan = 0;
	size_t n = 0;
	int has_vlan;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "br", false, &brname, r) < 0 ||
	    ctl_param_string(params, "dev", false, &dev, r) < 0 ||
	    (has_vlan = ctl_param_uint(params, "vlan", false, 0, VLAN_VID_MAX,
				       &vlan, r)) < 0 ||
	    ctl_param_bool(params, "dynamic_only", false, &dynamic_only, r) < 0)
		return r->code;
	if (ctl_lookup_filter(brname, dev, &fbr, &fport, r))
		return r->code;
	if (dev)
		f.port_no = fport ? fport->port_no : FDB_PORT_BRIDGE;
	if (has_vlan)
		f.vid = (uint16_t)vlan;
	/* Local entries (the ports' own addresses) are never flushed. */
	f.flags_mask = dynamic_only ? FDB_F_LOCAL | FDB_F_STATIC : FDB_F_LOCAL;
	f.flags_value = 0;
	for (struct bridge *br = bridge_first(); br; br = br->next)
		if (!fbr || br == fbr)
			n += bridge_event_fdb_flush(br, &f);
	if (dynamic_only)
		r->no_save = true;
	r->result = json_object_new_object();
	json_object_object_add(r->result, "flushed", ctl_json_u64(n));
	return 0;
}
