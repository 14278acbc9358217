/*
 * ctl-fdb.c - the FDB methods of the control protocol (docs/rpc.md
 * fdb.show, fdb.add, fdb.del, fdb.flush): parameters in, bridge API calls
 * (bridge_fdb_add/del/flush) out.  The bridge API records the events
 * monitors see.
 *
 * Key names follow iproute2's JSON output (bridge -j fdb show) so that
 * scripts written for it carry over.
 */
#include "ctl-methods.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "ctl-query.h"
#include "ctl-server.h"
#include "fdb.h"
#include "port-provider.h"

static int
app_error_fdb(struct ctl_reply *r, int err, const char *mac, const char *dev)
{
	return ctl_reply_error(r, CTL_ERR_APP, -err, "fdb entry %s dev %s: %s",
			       mac, dev, strerror(-err));
}

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
	json_object_object_add(o, "mac", ctl_json_mac(&e->mac));
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

/* The ports' own entries ("self", as a vxlan port's remote table), after
 * the bridge's, in port order; only 'only''s if not NULL.  They carry no
 * VLAN and no master, as in iproute2's listing. */
static void
add_self_entries(const struct bridge *br, const struct port *only,
		 struct json_object *list)
{
	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++) {
		const struct port *p = br->ports[i];
		struct json_object *own;

		if (!p || !p->class->fdb_show || (only && p != only))
			continue;
		own = p->class->fdb_show(p);
		for (size_t k = 0; k < json_object_array_length(own); k++) {
			struct json_object *e = json_object_array_get_idx(own, k);
			struct json_object *o = json_object_new_object();
			struct json_object *flags = json_object_new_array();

			json_object_object_foreach(e, key, val) {
				json_object_object_add(o, key,
						       json_object_get(val));
				if (!strcmp(key, "mac"))
					json_object_object_add(o, "ifname",
						json_object_new_string(p->name));
			}
			json_object_array_add(flags,
					      json_object_new_string("self"));
			json_object_object_add(o, "flags", flags);
			json_object_array_add(list, o);
		}
		json_object_put(own);
	}
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
		if (!has_vlan && !(dev && !fport))
			add_self_entries(br, fport, list);
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

/* Is the request for the port's own table ("self" on a port that keeps
 * one, or "dst", which only such entries have)?  1 yes, 0 no (a bridge
 * entry: "self" on any other device means its local entries, as before),
 * -1 with the error recorded. */
static int
self_entry_wanted(struct json_object *params, const struct fdb_req *q,
		  struct ctl_reply *r)
{
	bool self = false, has_dst;

	if (ctl_param_bool(params, "self", false, &self, r) < 0)
		return -1;
	has_dst = json_object_object_get_ex(params, "dst", NULL);
	if (!self && !has_dst)
		return 0;
	if (q->port && q->port->class->fdb_self_add)
		return 1;
	if (!has_dst)
		return 0;
	ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP, "fdb entry %s dev %s: "
			"only a port with its own table (vxlan) takes 'dst'",
			q->mac_s, q->dev);
	return -1;
}

/* The words a port's own entry does not take. */
static int
self_refuse(struct json_object *params, const struct fdb_req *q,
	    const char *const *words, struct ctl_reply *r)
{
	for (size_t i = 0; words[i]; i++)
		if (json_object_object_get_ex(params, words[i], NULL))
			return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					       "fdb entry %s dev %s self: '%s' "
					       "does not apply to the remote "
					       "table of %s", q->mac_s,
					       q->dev, words[i], q->dev);
	return 0;
}

static int
self_add(struct json_object *params, const struct fdb_req *q,
	 struct ctl_reply *r)
{
	static const char *const refused[] = { "vlan", "sticky", "master",
					       NULL };
	enum port_fdb_op op = PORT_FDB_ADD;
	const char *state = "permanent", *dst = NULL;
	bool replace = false, append = false;
	char *msg = NULL;
	int err;

	if (self_refuse(params, q, refused, r) ||
	    ctl_param_string(params, "state", false, &state, r) < 0 ||
	    ctl_param_string(params, "dst", false, &dst, r) < 0 ||
	    ctl_param_bool(params, "replace", false, &replace, r) < 0 ||
	    ctl_param_bool(params, "append", false, &append, r) < 0)
		return r->code;
	if (strcmp(state, "permanent"))
		return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
				       "fdb entry %s dev %s self: entries "
				       "added to the remote table are "
				       "permanent (not %s)", q->mac_s, q->dev,
				       state);
	if (replace && append)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params: replace and append exclude "
				       "each other");
	if (replace)
		op = PORT_FDB_REPLACE;
	else if (append)
		op = PORT_FDB_APPEND;
	err = q->port->class->fdb_self_add(q->port, op, &q->mac, dst, &msg);
	if (err)
		ctl_reply_error(r, CTL_ERR_APP, -err, "%s",
				msg ? msg : strerror(-err));
	free(msg);
	return err ? r->code : 0;
}

static int
self_del(struct json_object *params, const struct fdb_req *q,
	 struct ctl_reply *r)
{
	static const char *const refused[] = { "vlan", "master", NULL };
	const char *dst = NULL;
	char *msg = NULL;
	int err;

	if (self_refuse(params, q, refused, r) ||
	    ctl_param_string(params, "dst", false, &dst, r) < 0)
		return r->code;
	err = q->port->class->fdb_self_del(q->port, &q->mac, dst, &msg);
	if (err)
		ctl_reply_error(r, CTL_ERR_APP, -err, "%s",
				msg ? msg : strerror(-err));
	free(msg);
	return err ? r->code : 0;
}

int
ctl_m_fdb_add(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "mac", "dev", "vlan", "state",
					     "sticky", "replace", "master",
					     "self", "dst", "append", NULL };
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
	if ((err = self_entry_wanted(params, &q, r)) != 0)
		return err < 0 ? r->code : self_add(params, &q, r);
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
	return 0;
}

int
ctl_m_fdb_del(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "mac", "dev", "vlan", "master",
					     "self", "dst", NULL };
	struct fdb_req q;
	bool master = true;
	int err;

	if (parse_fdb_req(params, known, &q, r) ||
	    ctl_param_bool(params, "master", false, &master, r) < 0)
		return r->code;
	if ((err = self_entry_wanted(params, &q, r)) != 0)
		return err < 0 ? r->code : self_del(params, &q, r);
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
			n += bridge_fdb_flush(br, &f);
	if (dynamic_only)
		r->no_save = true;
	r->result = json_object_new_object();
	json_object_object_add(r->result, "flushed", ctl_json_u64(n));
	return 0;
}
