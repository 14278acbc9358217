/*
 * config-apply.c - makes the running bridges match a configuration
 * document (config-doc.h): builds them from the file at start-up, and
 * brings them back to a checkpoint when a change cannot be saved.
 *
 * Both go through the control methods a client would call, so the file
 * and a rollback are checked exactly like requests.
 *
 * Rollback.  Rather than an inverse for every method, a change that cannot
 * be saved is undone by comparing the live state with a checkpoint (the
 * document, plus each port's state and automatic path cost, which the file
 * does not keep) and replaying only what differs.  One mechanism serves
 * every method, present and future, and touches nothing the change did
 * not: no port is reopened and learned addresses stay.  Deleting a port or
 * a bridge closes ports, which cannot be undone that way, so those save
 * first (config_store_save_without()) and never need it.
 */
#include "config-apply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "config-doc.h"
#include "ctl-devices.h"
#include "ctl-methods.h"
#include "ctl-server.h"
#include "port-provider.h"
#include "util.h"

/* The key of VLAN filtering in the bridge options (BRIDGE_OPTIONS). */
#define FILTERING (bridge_opt_info[BRIDGE_OPT_VLAN_FILTERING].name)

static int replay(const char *method, struct json_object *params,
		  const char *what, char **why);
static struct json_object *member(struct json_object *o, const char *key,
				  enum json_type type);
static int restore_bridge(struct json_object *b, size_t idx, char **why);
static int restore_port(struct bridge *br, struct json_object *p, size_t idx,
			char **why);
static int restore_vlans(struct bridge *br, struct port *port,
			 struct json_object *vlans, const char *what,
			 char **why);
static int sync_self_fdb(struct port *port, struct json_object *want,
			 const char *what, char **why);
static int restore_devices(struct json_object *devices, char **why);
static void keep_first(char **why, char *w);
static struct json_object *find_named(struct json_object *list,
				      const char *name, size_t *idx);
static bool has_saved_port(struct json_object *bridges, const char *name);
static void revert_membership(struct json_object *b, size_t idx, char **why);
static void revert_bridge(struct json_object *b, char **why);
static void revert_options(struct bridge *br, struct json_object *opts,
			   char **why);
static void revert_port(struct bridge *br, struct port *port,
			struct json_object *p, char **why);
static void revert_fdb(struct bridge *br, struct json_object *want,
		       char **why);

int
config_apply_restore(struct json_object *doc, char **why)
{
	struct json_object *fmt = member(doc, "format", json_type_string);
	struct json_object *ver = member(doc, "version", json_type_int);
	struct json_object *bridges = member(doc, "bridges", json_type_array);

	if (!fmt || strcmp(json_object_get_string(fmt), CONFIG_DOC_FORMAT)) {
		*why = xasprintf("not a vswitchd configuration (\"format\" is "
				 "not \"vswitchd-config\")");
		return -EINVAL;
	}
	if (!ver || json_object_get_int64(ver) != CONFIG_DOC_VERSION) {
		*why = xasprintf("unsupported version (expected %d)",
				 CONFIG_DOC_VERSION);
		return -EINVAL;
	}
	if (!bridges) {
		*why = xasprintf("\"bridges\" missing or not an array");
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(bridges); i++) {
		int err = restore_bridge(json_object_array_get_idx(bridges, i),
					 i, why);

		if (err)
			return err;
	}
	return restore_devices(member(doc, "devices", json_type_array), why);
}

/* The standalone devices (link.add), then their admin state. */
static int
restore_devices(struct json_object *devices, char **why)
{
	size_t n = devices ? json_object_array_length(devices) : 0;
	int err = 0;

	for (size_t i = 0; !err && i < n; i++) {
		struct json_object *d = json_object_array_get_idx(devices, i);
		struct json_object *name = member(d, "name", json_type_string);
		struct json_object *type = member(d, "type", json_type_string);
		struct json_object *args = member(d, "args", json_type_object);
		struct json_object *up = member(d, "up", json_type_boolean);
		struct json_object *params;
		char *what;

		if (!name || !type || !args) {
			*why = xasprintf("devices[%zu]: needs name, type and "
					 "args", i);
			return -EINVAL;
		}
		what = xasprintf("device %s", json_object_get_string(name));
		params = json_object_new_object();
		json_object_object_add(params, "name", json_object_get(name));
		json_object_object_add(params, "type", json_object_get(type));
		json_object_object_add(params, "args", json_object_get(args));
		err = replay("link.add", params, what, why);
		if (!err && up) {
			params = json_object_new_object();
			json_object_object_add(params, "name",
					       json_object_get(name));
			json_object_object_add(params, "up",
					       json_object_get(up));
			err = replay("link.set", params, what, why);
		}
		free(what);
	}
	return err;
}

int
config_apply_revert(struct json_object *doc, char **why)
{
	struct json_object *bridges = member(doc, "bridges", json_type_array);
	size_t n = bridges ? json_object_array_length(bridges) : 0;
	struct bridge *br, *next;

	if (!bridges) {
		*why = xasprintf("no checkpoint");
		return -EIO;
	}
	/* What the change created: a bridge, or a port in no saved bridge. */
	for (br = bridge_first(); br; br = next) {
		next = br->next;
		if (!find_named(bridges, br->name, NULL))
			bridge_destroy(br);
	}
	for (br = bridge_first(); br; br = br->next) {
		for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++) {
			struct port *port = br->ports[i];

			if (!port || has_saved_port(bridges, port->name))
				continue;
			port->undo = true;
			bridge_port_del(br, port);
		}
	}
	/* What it deleted or moved, then every setting. */
	for (size_t i = 0; i < n; i++)
		revert_membership(json_object_array_get_idx(bridges, i), i,
				  why);
	for (size_t i = 0; i < n; i++)
		revert_bridge(json_object_array_get_idx(bridges, i), why);
	/* Standalone devices are data only: the checkpoint's list back. */
	ctl_devices_reset(member(doc, "devices", json_type_array));
	return *why ? -EIO : 0;
}

/* Calls 'method' with 'params' (ownership taken); on error sets '*why'. */
static int
replay(const char *method, struct json_object *params, const char *what,
       char **why)
{
	struct ctl_reply r = { 0 };
	int rc = ctl_method_call(method, params, &r);

	if (rc)
		*why = xasprintf("%s: %s", what,
				 r.message ? r.message : "refused");
	ctl_reply_uninit(&r);
	json_object_put(params);
	return rc ? -EINVAL : 0;
}

static struct json_object *
member(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static int
restore_bridge(struct json_object *b, size_t idx, char **why)
{
	struct json_object *name = member(b, "name", json_type_string);
	struct json_object *opts = member(b, "options", json_type_object);
	struct json_object *ports = member(b, "ports", json_type_array);
	struct json_object *fdb = member(b, "fdb", json_type_array);
	struct json_object *params, *filtering = NULL, *o;
	struct bridge *br;
	char *what;
	int err;

	if (!name || !opts || !ports || !fdb) {
		*why = xasprintf("bridges[%zu]: needs name, options, ports and "
				 "fdb", idx);
		return -EINVAL;
	}
	what = xasprintf("bridge %s", json_object_get_string(name));

	/* VLAN filtering goes on last: the default PVID cannot change while
	 * it is on. */
	params = json_object_new_object();
	json_object_object_add(params, "name", json_object_get(name));
	o = NULL;
	json_object_deep_copy(opts, &o, NULL);
	if (json_object_object_get_ex(o, FILTERING, &filtering)) {
		filtering = json_object_get(filtering);
		json_object_object_del(o, FILTERING);
	}
	json_object_object_add(params, "options", o);
	err = replay("bridge.add", params, what, why);
	br = bridge_lookup(json_object_get_string(name));
	for (size_t i = 0; !err && i < json_object_array_length(ports); i++) {
		struct json_object *p = json_object_array_get_idx(ports, i);

		err = restore_port(br, p, i, why);
	}
	if (!err)
		err = restore_vlans(br, NULL, member(b, "vlans",
						     json_type_array),
				    what, why);
	for (size_t i = 0; !err && i < json_object_array_length(fdb); i++) {
		params = NULL;
		if (json_object_deep_copy(json_object_array_get_idx(fdb, i),
					  &params, NULL) ||
		    !json_object_is_type(params, json_type_object)) {
			json_object_put(params);
			*why = xasprintf("%s: fdb[%zu] is not an object", what,
					 i);
			err = -EINVAL;
			break;
		}
		json_object_object_add(params, "replace",
				       json_object_new_boolean(true));
		err = replay("fdb.add", params, what, why);
	}
	if (!err && filtering) {
		params = json_object_new_object();
		o = json_object_new_object();
		json_object_object_add(params, "name", json_object_get(name));
		json_object_object_add(o, FILTERING, json_object_get(filtering));
		json_object_object_add(params, "options", o);
		err = replay("bridge.set", params, what, why);
	}
	json_object_put(filtering);
	free(what);
	return err;
}

static int
restore_port(struct bridge *br, struct json_object *p, size_t idx, char **why)
{
	struct json_object *name = member(p, "name", json_type_string);
	struct json_object *type = member(p, "type", json_type_string);
	struct json_object *args = member(p, "args", json_type_object);
	struct json_object *settings = member(p, "settings", json_type_object);
	struct json_object *params, *no;
	struct port *port;
	char *what;
	int err;

	if (!name || !type || !args || !settings) {
		*why = xasprintf("bridge %s: ports[%zu]: needs name, type, args "
				 "and settings", br->name, idx);
		return -EINVAL;
	}
	what = xasprintf("bridge %s: port %s", br->name,
			 json_object_get_string(name));
	params = json_object_new_object();
	json_object_object_add(params, "bridge",
			       json_object_new_string(br->name));
	json_object_object_add(params, "name", json_object_get(name));
	json_object_object_add(params, "type", json_object_get(type));
	json_object_object_add(params, "args", json_object_get(args));
	/* A device that cannot be opened now keeps its place (port-missing.c):
	 * one gone interface must not keep every bridge down. */
	json_object_object_add(params, "keep_if_missing",
			       json_object_new_boolean(true));
	/* The saved number back (port.add checks it like any request). */
	if ((no = member(p, "port_no", json_type_int)))
		json_object_object_add(params, "port_no", json_object_get(no));
	err = replay("port.add", params, what, why);
	if (!err) {
		params = NULL;
		json_object_deep_copy(settings, &params, NULL);
		json_object_object_add(params, "name", json_object_get(name));
		err = replay("port.set", params, what, why);
	}
	if (!err) {
		port = bridge_port_lookup(br, json_object_get_string(name));
		err = restore_vlans(br, port, member(p, "vlans",
						      json_type_array),
				    what, why);
	}
	/* A file without the port's "fdb" (older) keeps what the creation
	 * arguments made. */
	if (!err && json_object_object_get_ex(p, "fdb", NULL))
		err = sync_self_fdb(port, member(p, "fdb", json_type_array),
				    what, why);
	free(what);
	return err;
}

/* True if 'list' holds an entry with the "mac" and "dst" of 'e'. */
static bool
has_self_entry(struct json_object *list, struct json_object *e)
{
	const char *mac = json_object_get_string(member(e, "mac",
							json_type_string));
	const char *dst = json_object_get_string(member(e, "dst",
							json_type_string));

	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		const char *m = json_object_get_string(
			member(o, "mac", json_type_string));
		const char *d = json_object_get_string(
			member(o, "dst", json_type_string));

		if (m && d && mac && dst && !strcmp(m, mac) && !strcmp(d, dst))
			return true;
	}
	return false;
}

/* Makes the permanent entries of the own table of 'port' (a vxlan port's
 * remote table) those of 'want': removes the others, then appends what is
 * missing, in 'want''s order. */
static int
sync_self_fdb(struct port *port, struct json_object *want, const char *what,
	      char **why)
{
	struct json_object *have;
	int err = 0;

	if (!port->class->fdb_show)
		return 0;
	if (!want) {
		*why = xasprintf("%s: 'fdb' is not an array", what);
		return -EINVAL;
	}
	have = config_doc_self_fdb_json(port);
	for (int pass = 0; pass < 2 && !err; pass++) {
		struct json_object *from = pass ? want : have;
		struct json_object *other = pass ? have : want;

		for (size_t i = 0; !err && i < json_object_array_length(from);
		     i++) {
			struct json_object *e = json_object_array_get_idx(from,
									  i);
			struct json_object *mac = member(e, "mac",
							 json_type_string);
			struct json_object *dst = member(e, "dst",
							 json_type_string);
			struct json_object *params;

			if (!mac || !dst) {
				*why = xasprintf("%s: fdb[%zu] is not {mac, "
						 "dst}", what, i);
				err = -EINVAL;
				break;
			}
			if (has_self_entry(other, e))
				continue;
			params = json_object_new_object();
			json_object_object_add(params, "mac",
					       json_object_get(mac));
			json_object_object_add(params, "dev",
					       json_object_new_string(
						       port->name));
			json_object_object_add(params, "dst",
					       json_object_get(dst));
			json_object_object_add(params, "self",
					       json_object_new_boolean(true));
			if (pass)
				json_object_object_add(params, "append",
					json_object_new_boolean(true));
			err = replay(pass ? "fdb.add" : "fdb.del", params, what,
				     why);
		}
	}
	json_object_put(have);
	return err;
}

/* Makes the VLAN set of 'port' (NULL: the bridge device) exactly 'vlans'. */
static int
restore_vlans(struct bridge *br, struct port *port, struct json_object *vlans,
	      const char *what, char **why)
{
	const struct vlan_port *vp = port ? &port->vlans : &br->self_vlans;
	bool want[VLAN_N_VID] = { false };
	size_t n;

	if (!vlans) {
		*why = xasprintf("%s: 'vlans' missing or not an array", what);
		return -EINVAL;
	}
	n = json_object_array_length(vlans);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(vlans, i);
		struct json_object *vid = member(v, "vid", json_type_int);
		struct json_object *pv = member(v, "pvid", json_type_boolean);
		struct json_object *ut = member(v, "untagged",
						json_type_boolean);
		int64_t id = vid ? json_object_get_int64(vid) : -1;

		if (id < VLAN_VID_MIN || id > VLAN_VID_MAX || !pv || !ut) {
			*why = xasprintf("%s: vlans[%zu] is not {vid 1..4094, "
					 "pvid, untagged}", what, i);
			return -EINVAL;
		}
		want[id] = true;
		bridge_vlan_add(br, port, (uint16_t)id,
				json_object_get_boolean(pv),
				json_object_get_boolean(ut));
	}
	for (uint16_t v = vlan_port_next(vp, 0); v; v = vlan_port_next(vp, v))
		if (!want[v])
			bridge_vlan_del(br, port, v);
	return 0;
}

/* Keeps the first reason in '*why' and frees any later one 'w'. */
static void
keep_first(char **why, char *w)
{
	if (!*why)
		*why = w;
	else
		free(w);
}

/* The element of 'list' whose "name" is 'name' (its index in '*idx' if
 * 'idx' is not NULL), or NULL. */
static struct json_object *
find_named(struct json_object *list, const char *name, size_t *idx)
{
	size_t n = list ? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		struct json_object *nm = member(o, "name", json_type_string);

		if (nm && !strcmp(json_object_get_string(nm), name)) {
			if (idx)
				*idx = i;
			return o;
		}
	}
	return NULL;
}

/* True if some bridge of 'bridges' lists port 'name'. */
static bool
has_saved_port(struct json_object *bridges, const char *name)
{
	size_t n = json_object_array_length(bridges);

	for (size_t i = 0; i < n; i++) {
		struct json_object *b = json_object_array_get_idx(bridges, i);

		if (find_named(member(b, "ports", json_type_array), name, NULL))
			return true;
	}
	return false;
}


/* Brings back bridge 'b' if the change deleted it (bridge.del saves
 * first, so only if that failed to predict the file), and its ports if
 * the change deleted them (likewise) or moved them to another bridge. */
static void
revert_membership(struct json_object *b, size_t idx, char **why)
{
	const char *name = json_object_get_string(member(b, "name",
							 json_type_string));
	struct json_object *ports = member(b, "ports", json_type_array);
	struct bridge *br = bridge_lookup(name);
	char *w = NULL;

	if (!br) {
		if (restore_bridge(b, idx, &w))
			keep_first(why, w);
		return;
	}
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		struct json_object *p = json_object_array_get_idx(ports, i);
		struct json_object *no = member(p, "port_no", json_type_int);
		const char *pname = json_object_get_string(
			member(p, "name", json_type_string));
		struct bridge *pbr;
		struct port *port = bridge_find_port(pname, &pbr);
		int err;

		if (!port) {
			if (restore_port(br, p, i, &w))
				keep_first(why, w);
			w = NULL;
		} else if (pbr != br) {
			err = bridge_port_move(br, port, no ? (unsigned)
					       json_object_get_int(no) : 0);
			if (err)
				keep_first(why, xasprintf("bridge %s: cannot "
							  "move %s back: %s",
							  name, pname,
							  strerror(-err)));
			else
				bridge_settings_changed(br, port);
		}
	}
}

/* Gives bridge 'b' (which exists) back its options, the settings and
 * VLANs of its ports, its own VLANs and its user FDB entries, in the order
 * that lets each step succeed: VLAN changes flush FDB entries, so the FDB
 * comes last. */
static void
revert_bridge(struct json_object *b, char **why)
{
	const char *name = json_object_get_string(member(b, "name",
							 json_type_string));
	struct json_object *ports = member(b, "ports", json_type_array);
	struct bridge *br = bridge_lookup(name);
	char *what, *w = NULL;

	if (!br)
		return;
	revert_options(br, member(b, "options", json_type_object), why);
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		struct json_object *p = json_object_array_get_idx(ports, i);
		struct port *port = bridge_port_lookup(br,
			json_object_get_string(member(p, "name",
						      json_type_string)));

		if (port)
			revert_port(br, port, p, why);
	}
	what = xasprintf("bridge %s", name);
	if (restore_vlans(br, NULL, member(b, "vlans", json_type_array), what,
			  &w))
		keep_first(why, w);
	free(what);
	revert_fdb(br, member(b, "fdb", json_type_array), why);
}

/* Sets the options of 'br' that differ from 'opts'.  Turning STP or VLAN
 * filtering off comes first and turning them on last, as each restricts
 * other options (timer ranges, default_pvid). */
static void
revert_options(struct bridge *br, struct json_object *opts, char **why)
{
	struct json_object *live, *set[3];	/* off first, the rest, on last */
	bool unpin;
	char *w = NULL;

	if (!opts)
		return;
	live = config_doc_options_json(br);
	for (int i = 0; i < 3; i++)
		set[i] = json_object_new_object();
	json_object_object_foreach(opts, key, val) {
		struct json_object *lv = NULL;
		int phase = 1, opt;

		if (json_object_object_get_ex(live, key, &lv) &&
		    json_object_equal(lv, val))
			continue;
		opt = bridge_opt_lookup(key);
		if (opt == BRIDGE_OPT_STP_STATE ||
		    opt == BRIDGE_OPT_VLAN_FILTERING)
			phase = json_object_get_int(val) ? 2 : 0;
		json_object_object_add(set[phase], key, json_object_get(val));
	}
	unpin = json_object_object_get_ex(live, "address", NULL) &&
		!json_object_object_get_ex(opts, "address", NULL);
	json_object_put(live);
	for (int i = 0; i < 3; i++) {
		struct json_object *params;

		if (i == 1 && unpin)
			bridge_unpin_mac(br);
		if (!json_object_object_length(set[i])) {
			json_object_put(set[i]);
			continue;
		}
		params = json_object_new_object();
		json_object_object_add(params, "name",
				       json_object_new_string(br->name));
		json_object_object_add(params, "options", set[i]);
		if (replay("bridge.set", params, br->name, &w))
			keep_first(why, w);
		w = NULL;
	}
}

/* Gives 'port' back the settings, runtime state, path cost and VLANs
 * recorded in 'p'. */
static void
revert_port(struct bridge *br, struct port *port, struct json_object *p,
	    char **why)
{
	struct json_object *settings = member(p, "settings", json_type_object);
	struct json_object *lset = config_doc_port_settings_json(port);
	struct json_object *rt = member(p, "runtime", json_type_object);
	struct json_object *params = json_object_new_object();
	struct json_object *state = member(rt, "state", json_type_string);
	struct json_object *cost = member(rt, "cost", json_type_int);
	char *what = xasprintf("bridge %s: port %s", br->name, port->name);
	char *w = NULL;
	int err;

	if (settings) {
		json_object_object_foreach(settings, key, val) {
			struct json_object *lv = NULL;

			if (!json_object_object_get_ex(lset, key, &lv) ||
			    !json_object_equal(lv, val))
				json_object_object_add(params, key,
						       json_object_get(val));
		}
	}
	/* Port states are STP's while it is on. */
	if (state && !br->opt.stp_state &&
	    strcmp(json_object_get_string(state),
		   port_state_name(port->state)))
		json_object_object_add(params, "state", json_object_get(state));
	json_object_put(lset);
	if (json_object_object_length(params)) {
		json_object_object_add(params, "name",
				       json_object_new_string(port->name));
		if (replay("port.set", params, what, &w))
			keep_first(why, w);
		w = NULL;
	} else {
		json_object_put(params);
	}
	/* A cost the change pinned goes back to the automatic one. */
	if (cost && !member(settings, "cost", json_type_int) &&
	    (port->path_cost_set ||
	     port->path_cost != (uint32_t)json_object_get_int(cost))) {
		err = bridge_port_set_auto_path_cost(
			br, port, (uint32_t)json_object_get_int(cost));
		if (err)
			keep_first(why, xasprintf("%s: cannot restore cost: %s",
						  what, strerror(-err)));
	}
	if (restore_vlans(br, port, member(p, "vlans", json_type_array), what,
			  &w))
		keep_first(why, w);
	w = NULL;
	if (json_object_object_get_ex(p, "fdb", NULL) &&
	    sync_self_fdb(port, member(p, "fdb", json_type_array), what, &w))
		keep_first(why, w);
	free(what);
}

/* Makes the user's static and permanent entries of 'br' those of 'want'.
 * Both lists are sorted alike, so one merge finds what the change added,
 * removed first (so that an entry put back does not meet one still in its
 * place), then what it removed. */
static void
revert_fdb(struct bridge *br, struct json_object *want, char **why)
{
	struct json_object *have = config_doc_fdb_json(br);
	size_t nh = json_object_array_length(have);
	size_t nw = want ? json_object_array_length(want) : 0;
	char *w = NULL;

	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0;

		while (i < nh || j < nw) {
			struct json_object *h = i < nh ?
				json_object_array_get_idx(have, i) : NULL;
			struct json_object *o = j < nw ?
				json_object_array_get_idx(want, j) : NULL;
			struct json_object *params = NULL;
			int cmp = !h ? 1 : !o ? -1
				  : config_doc_compare_fdb(&h, &o);

			if (cmp == 0) {
				i++;
				j++;
				continue;
			}
			if (cmp < 0) {
				i++;
				if (pass)
					continue;
				params = json_object_new_object();
				json_object_object_add(params, "mac",
					json_object_get(member(h, "mac",
						json_type_string)));
				json_object_object_add(params, "dev",
					json_object_get(member(h, "dev",
						json_type_string)));
				json_object_object_add(params, "vlan",
					json_object_get(member(h, "vlan",
						json_type_int)));
				if (replay("fdb.del", params, br->name, &w))
					keep_first(why, w);
			} else {
				j++;
				if (!pass)
					continue;
				json_object_deep_copy(o, &params, NULL);
				json_object_object_add(params, "replace",
						json_object_new_boolean(true));
				if (replay("fdb.add", params, br->name, &w))
					keep_first(why, w);
			}
			w = NULL;
		}
	}
	json_object_put(have);
}
