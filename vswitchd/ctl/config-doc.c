/*
 * config-doc.c - the document form of the configuration (format in
 * config-doc.h): builds it from the live bridges, for the store to write
 * or keep as a checkpoint, and piece by piece for config-apply.c to
 * compare with a checkpoint.  Reads the bridges only; changes nothing.
 */
#include "config-doc.h"

#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "ctl-devices.h"
#include "ctl-query.h"
#include "fdb.h"
#include "port-provider.h"

struct fdb_snap {
	const struct bridge *br;
	const struct port *without;	/* leave its entries out, or NULL */
	struct json_object *list;
};

static struct json_object *bridge_json(const struct bridge *br,
				       const struct port *skip_port,
				       config_doc_origin_fn *origin,
				       bool runtime);
static struct json_object *port_json(const struct port *p,
				     config_doc_origin_fn *origin,
				     bool runtime);
static struct json_object *vlans_json(const struct vlan_port *vp);
static struct json_object *fdb_list(const struct bridge *br,
				    const struct port *without);
static void fdb_snap_cb(const struct fdb_entry *e, void *aux);

struct json_object *
config_doc_snapshot(config_doc_origin_fn *origin, bool runtime,
		    const struct bridge *skip_br, const struct port *skip_port)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *bridges = json_object_new_array();

	json_object_object_add(doc, "format",
			       json_object_new_string(CONFIG_DOC_FORMAT));
	json_object_object_add(doc, "version",
			       json_object_new_int(CONFIG_DOC_VERSION));
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		if (br == skip_br && !skip_port)
			continue;
		json_object_array_add(bridges, bridge_json(br, br == skip_br ?
							   skip_port : NULL,
							   origin, runtime));
	}
	json_object_object_add(doc, "bridges", bridges);
	/* A checkpoint keeps the devices whole (what link.list shows). */
	if (runtime) {
		struct json_object *copy = NULL;

		json_object_deep_copy(ctl_devices(), &copy, NULL);
		json_object_object_add(doc, "devices", copy);
	} else {
		json_object_object_add(doc, "devices", ctl_devices_doc());
	}
	return doc;
}

struct json_object *
config_doc_port_settings_json(const struct port *p)
{
	struct json_object *s = json_object_new_object();

	/* Every table option, as the port.set parameter that restores it;
	 * automatic values stay out so they follow the link after a
	 * restart. */
	for (int opt = 0; opt < PORT_OPT_N; opt++) {
		const struct port_opt_info *info = &port_opt_info[opt];
		uint32_t v;

		if (!bridge_port_get_option(p, opt, &v))
			continue;
		json_object_object_add(s, info->name, info->is_flag
				       ? json_object_new_boolean(v)
				       : port_opt_json(opt, v));
	}
	json_object_object_add(s, "up", json_object_new_boolean(p->admin_up));
	return s;
}

struct json_object *
config_doc_options_json(const struct bridge *br)
{
	struct json_object *view = ctl_json_bridge(br);
	struct json_object *opts = NULL;

	json_object_object_get_ex(view, "options", &opts);
	json_object_object_add(opts, "up",
			       json_object_new_boolean(br->admin_up));
	json_object_get(opts);
	json_object_put(view);
	return opts;
}

struct json_object *
config_doc_fdb_json(const struct bridge *br)
{
	return fdb_list(br, NULL);
}

int
config_doc_compare_fdb(const void *a, const void *b)
{
	struct json_object *const *x = a, *const *y = b;

	return strcmp(json_object_to_json_string(*x),
		      json_object_to_json_string(*y));
}

/* Bridge 'br' as the document holds it, without its port 'skip_port' (if
 * not NULL) and that port's entries. */
static struct json_object *
bridge_json(const struct bridge *br, const struct port *skip_port,
	    config_doc_origin_fn *origin, bool runtime)
{
	struct json_object *b = json_object_new_object();
	struct json_object *ports = json_object_new_array();

	json_object_object_add(b, "name", json_object_new_string(br->name));
	json_object_object_add(b, "options", config_doc_options_json(br));
	json_object_object_add(b, "vlans", vlans_json(&br->self_vlans));
	json_object_object_add(b, "fdb", fdb_list(br, skip_port));
	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
		if (br->ports[i] && br->ports[i] != skip_port)
			json_object_array_add(ports, port_json(br->ports[i],
							       origin,
							       runtime));
	json_object_object_add(b, "ports", ports);
	return b;
}

/* Port 'p' as the document holds it; with 'runtime' also its state and
 * path cost (config_doc_snapshot()). */
static struct json_object *
port_json(const struct port *p, config_doc_origin_fn *origin, bool runtime)
{
	struct json_object *o = json_object_new_object();
	struct json_object *args = NULL, *noted_args = NULL;
	const char *type = NULL;

	if (!origin(p->name, &type, &noted_args))
		type = p->class->type;
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "port_no", json_object_new_int(p->port_no));
	json_object_object_add(o, "type", json_object_new_string(type));
	if (noted_args)
		json_object_deep_copy(noted_args, &args, NULL);
	json_object_object_add(o, "args", args ? args
			       : json_object_new_object());
	json_object_object_add(o, "settings", config_doc_port_settings_json(p));
	json_object_object_add(o, "vlans", vlans_json(&p->vlans));
	if (p->class->fdb_show)
		json_object_object_add(o, "fdb", config_doc_self_fdb_json(p));
	if (runtime) {
		struct json_object *rt = json_object_new_object();

		json_object_object_add(rt, "state", json_object_new_string(
					       port_state_name(p->state)));
		json_object_object_add(rt, "cost",
				       json_object_new_int((int)p->path_cost));
		json_object_object_add(o, "runtime", rt);
	}
	return o;
}

struct json_object *
config_doc_self_fdb_json(const struct port *p)
{
	struct json_object *all = p->class->fdb_show(p);
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; i < json_object_array_length(all); i++) {
		struct json_object *e = json_object_array_get_idx(all, i);
		struct json_object *mac, *dst, *state, *o;

		if (!json_object_object_get_ex(e, "mac", &mac) ||
		    !json_object_object_get_ex(e, "dst", &dst) ||
		    !json_object_object_get_ex(e, "state", &state) ||
		    strcmp(json_object_get_string(state), "permanent"))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "mac", json_object_get(mac));
		json_object_object_add(o, "dst", json_object_get(dst));
		json_object_array_add(list, o);
	}
	json_object_put(all);
	return list;
}

static struct json_object *
vlans_json(const struct vlan_port *vp)
{
	struct json_object *list = json_object_new_array();

	for (uint16_t v = vlan_port_next(vp, 0); v; v = vlan_port_next(vp, v)) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "vid", json_object_new_int(v));
		json_object_object_add(o, "pvid",
				       json_object_new_boolean(vp->pvid == v));
		json_object_object_add(o, "untagged", json_object_new_boolean(
					       vlan_port_is_untagged(vp, v)));
		json_object_array_add(list, o);
	}
	return list;
}

/* The user's static and permanent entries of 'br', but those of port
 * 'without' (if not NULL), sorted. */
static struct json_object *
fdb_list(const struct bridge *br, const struct port *without)
{
	struct fdb_snap fs = { br, without, json_object_new_array() };

	fdb_foreach(br->fdb, fdb_snap_cb, &fs);
	json_object_array_sort(fs.list, config_doc_compare_fdb);
	return fs.list;
}

static void
fdb_snap_cb(const struct fdb_entry *e, void *aux)
{
	struct fdb_snap *s = aux;
	const struct port *p;
	struct json_object *o;
	char mac[ETH_ADDR_STRLEN];

	if (!ctl_fdb_entry_is_user(s->br, e) ||
	    !(e->flags & (FDB_F_LOCAL | FDB_F_STATIC)))
		return;
	p = e->port_no ? s->br->ports[e->port_no] : NULL;
	if ((e->port_no && !p) || (p && p == s->without))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "mac", json_object_new_string(
				       eth_addr_format(&e->mac, mac)));
	json_object_object_add(o, "dev", json_object_new_string(
				       p ? p->name : s->br->name));
	json_object_object_add(o, "vlan", json_object_new_int(e->vid));
	json_object_object_add(o, "state", json_object_new_string(
				       e->flags & FDB_F_LOCAL ? "permanent"
							      : "static"));
	if (e->flags & FDB_F_STICKY)
		json_object_object_add(o, "sticky",
				       json_object_new_boolean(true));
	json_object_array_add(s->list, o);
}
