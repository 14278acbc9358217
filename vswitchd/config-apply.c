/*
 * config-apply.c - makes the running bridges match a configuration
 * document (config-store.c): builds them from the file at start-up.
 *
 * It goes through the control methods a client would call, so a stored
 * configuration is checked exactly like requests.
 */
#include "config-apply.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "config-store.h"
#include "ctl-methods.h"
#include "ctl-server.h"
#include "util.h"

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

int
config_apply_restore(struct json_object *doc, char **why)
{
	struct json_object *fmt = member(doc, "format", json_type_string);
	struct json_object *ver = member(doc, "version", json_type_int);
	struct json_object *bridges = member(doc, "bridges", json_type_array);

	if (!fmt || strcmp(json_object_get_string(fmt), "vswitchd-config")) {
		*why = xasprintf("not a vswitchd configuration (\"format\" is "
				 "not \"vswitchd-config\")");
		return -EINVAL;
	}
	if (!ver || json_object_get_int64(ver) != CONFIG_STORE_FORMAT_VERSION) {
		*why = xasprintf("unsupported version (expected %d)",
				 CONFIG_STORE_FORMAT_VERSION);
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
	return 0;
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
	if (json_object_object_get_ex(o, "vlan_filtering", &filtering)) {
		filtering = json_object_get(filtering);
		json_object_object_del(o, "vlan_filtering");
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
		json_object_object_add(o, "vlan_filtering",
				       json_object_get(filtering));
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
	free(what);
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
