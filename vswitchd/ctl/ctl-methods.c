/*
 * ctl-methods.c - bridge, port, daemon and debug methods of the control
 * protocol (docs/rpc.md), and the table of all methods.  VLAN methods
 * are in ctl-vlan.c, FDB methods in ctl-fdb.c, STP and statistics in
 * ctl-stats.c, monitoring and capture in ctl-monitor.c; the JSON views
 * they share in ctl-query.c.
 *
 * Every handler first reads and checks all of its parameters, then
 * applies the change; when a step that can fail comes after one that
 * changed something, the earlier steps are undone, so a request is applied
 * fully or not at all.
 */
#include "ctl-methods.h"
#include "ctl-query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bridge.h"
#include "ctl-trace.h"
#include "ctl-monitor.h"
#include "ctl-server.h"
#include "clock.h"
#include "ctl-log.h"
#include "daemon.h"
#include "log.h"
#include "port-missing.h"
#include "port-provider.h"
#include "ctl-devices.h"
#include "port-tap.h"

#ifndef VSWITCHD_VERSION
#define VSWITCHD_VERSION "0.1"
#endif

#define MOD "ctl"

static uint64_t start_ms;
static const char *info_config_path;
static const char *info_socket_path;

void
ctl_methods_set_info(const char *config_path, const char *socket_path)
{
	clock_update();
	start_ms = clock_now_ms();
	info_config_path = config_path;
	info_socket_path = socket_path;
}

/* --- the change observer ------------------------------------------------ */

static const struct ctl_change_observer *observer;

void
ctl_methods_observe(const struct ctl_change_observer *obs)
{
	observer = obs;
}

/* Asks the observer whether bridge 'br' ('port' NULL) or 'port' may be
 * deleted.  Returns 0, or records its refusal in 'r' and returns the
 * code. */
static int
may_delete(const struct bridge *br, const struct port *port,
	   struct ctl_reply *r)
{
	char *why = NULL;
	int err;

	if (!observer || !(err = observer->may_delete(br, port, &why)))
		return 0;
	ctl_reply_error(r, CTL_ERR_APP, -err, "cannot delete %s %s: %s",
			port ? "port" : "bridge", port ? port->name : br->name,
			why ? why : strerror(-err));
	free(why);
	return r->code;
}

static void
port_created(const char *name, const char *type, struct json_object *args)
{
	if (observer)
		observer->port_created(name, type, args);
}

static void
port_deleted(const char *name)
{
	if (observer)
		observer->port_deleted(name);
}

/* Finds bridge 'name' or records ENODEV "bridge NAME does not exist". */
static struct bridge *
lookup_bridge(const char *name, struct ctl_reply *r)
{
	struct bridge *br = bridge_lookup(name);

	if (!br)
		ctl_reply_error(r, CTL_ERR_APP, ENODEV,
				"bridge %s does not exist", name);
	return br;
}

static struct port *
lookup_port(const char *name, struct bridge **brp, struct ctl_reply *r)
{
	struct port *port = bridge_find_port(name, brp);

	if (!port) {
		if (bridge_lookup(name))
			ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					"%s is a bridge, not a port", name);
		else
			ctl_reply_error(r, CTL_ERR_APP, ENODEV,
					"device %s does not exist", name);
	}
	return port;
}

/* --- bridge options ---------------------------------------------------- */

/* The options of bridge.add/bridge.set: those of the BRIDGE_OPTIONS table
 * (lib/bridge-options.h), "address" and "up", read into one change that
 * the bridge applies whole (bridge_change_apply()). */
struct opt_values {
	struct bridge_change c;
	const char *key[BRIDGE_OPT_N];	/* as the request spelled it */
};

/* Reads the value 'val' of table option 'opt' into 'ov'; 'what' is
 * "options.KEY" for errors. */
static int
parse_table_option(enum bridge_opt opt, struct json_object *val,
		   const char *what, struct opt_values *ov,
		   struct ctl_reply *r)
{
	const struct bridge_opt_info *info = &bridge_opt_info[opt];
	uint32_t limit = bridge_opt_type_limit(info->type);
	uint64_t n;
	uint16_t tpid;

	if (info->type == BRIDGE_OPT_TPID) {
		if (!json_object_is_type(val, json_type_string) ||
		    vlan_parse_protocol(json_object_get_string(val), &tpid))
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.%s: must be \"802.1Q\" "
					       "or \"802.1ad\"", what);
		ov->c.val[opt] = tpid;
		return 0;
	}
	if (ctl_json_uint(val, 0, limit, &n))
		return ctl_json_uint_error(r, what, val, 0, limit);
	ov->c.val[opt] = (uint32_t)n;
	return 0;
}

/* Reads every option of the object 'options' into 'ov'.  Errors name
 * "params.options.KEY". */
static int
parse_bridge_options(struct json_object *options, struct opt_values *ov,
		     struct ctl_reply *r)
{
	memset(ov, 0, sizeof *ov);
	if (!options)
		return 0;
	if (!json_object_is_type(options, json_type_object))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.options: must be an object");
	json_object_object_foreach(options, key, val) {
		bool is_mac = !strcmp(key, "address");
		bool is_up = !strcmp(key, "up");
		int opt = bridge_opt_lookup(key);
		char what[64];

		snprintf(what, sizeof what, "options.%s", key);
		if (opt < 0 && !is_mac && !is_up)
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.options.%s: unknown option",
					       key);
		if (!val)
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.%s: must not be null",
					       what);
		if (is_mac) {
			if (!json_object_is_type(val, json_type_string) ||
			    eth_addr_parse(json_object_get_string(val),
					   &ov->c.mac))
				return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS,
						       0, "params.%s: must be a "
						       "MAC address "
						       "xx:xx:xx:xx:xx:xx", what);
			if (eth_addr_is_multicast(&ov->c.mac) ||
			    eth_addr_is_zero(&ov->c.mac))
				return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS,
						       0, "params.%s: %s is not "
						       "a unicast address", what,
						       json_object_get_string(val));
			ov->c.has_mac = true;
		} else if (is_up) {
			if (ctl_json_bool(val, &ov->c.up))
				return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS,
						       0, "params.%s: must be a "
						       "boolean", what);
			ov->c.has_up = true;
		} else if (ov->c.given[opt]) {
			/* The name and its alias in one request. */
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.%s: given also as %s",
					       what, ov->key[opt]);
		} else {
			if (parse_table_option(opt, val, what, ov, r))
				return r->code;
			ov->c.given[opt] = true;
			ov->key[opt] = key;
		}
	}
	return 0;
}

/* Applies 'ov' to 'br', whole or not at all; a refusal names the option
 * as the request spelled it. */
static int
apply_bridge_options(struct bridge *br, const struct opt_values *ov,
		     struct ctl_reply *r)
{
	char value[ETH_ADDR_STRLEN + 8];
	const char *key = "address";
	int opt, err;

	err = bridge_change_apply(br, &ov->c, &opt);
	if (!err)
		return 0;
	if (opt == BRIDGE_CHANGE_MAC) {
		eth_addr_format(&ov->c.mac, value);
	} else {
		key = ov->key[opt];
		if (bridge_opt_info[opt].type == BRIDGE_OPT_TPID)
			snprintf(value, sizeof value, "%s",
				 vlan_protocol_name((uint16_t)ov->c.val[opt]));
		else
			snprintf(value, sizeof value, "%u", ov->c.val[opt]);
	}
	return ctl_reply_error(r, CTL_ERR_APP, -err,
			       "bridge %s: cannot set %s %s: %s", br->name,
			       key, value, strerror(-err));
}

static int
m_bridge_add(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", "options", NULL };
	struct json_object *options = NULL;
	struct opt_values ov;
	struct bridge *br;
	const char *name;
	int err;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0)
		return r->code;
	if (params)
		json_object_object_get_ex(params, "options", &options);
	if (parse_bridge_options(options, &ov, r))
		return r->code;
	if (ctl_device_find(name))
		return ctl_reply_error(r, CTL_ERR_APP, EEXIST,
				       "device %s already exists", name);
	err = bridge_create(name, NULL, daemon_loop(), &br);
	if (err == -EEXIST)
		return ctl_reply_error(r, CTL_ERR_APP, EEXIST,
				       "device %s already exists", name);
	if (err == -EINVAL)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.name: '%s' is not a valid "
				       "interface name", name);
	if (err)
		return ctl_reply_error(r, CTL_ERR_APP, -err,
				       "cannot create bridge %s: %s", name,
				       strerror(-err));
	/* Its bridge device, as the kernel's: a TAP of the same name. */
	err = port_tap_attach_host(br);
	if (err) {
		bridge_destroy(br);
		return ctl_reply_error(r, CTL_ERR_APP, -err,
				       "cannot create the bridge device %s: %s",
				       name, strerror(-err));
	}
	if (apply_bridge_options(br, &ov, r)) {
		bridge_destroy(br);
		return r->code;
	}
	bridge_run(br, clock_now_ms());
	return 0;
}

static int
m_bridge_del(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", "only_if_down", NULL };
	bool only_if_down = false;
	struct bridge *br;
	const char *name;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0 ||
	    ctl_param_bool(params, "only_if_down", false, &only_if_down, r) < 0)
		return r->code;
	br = bridge_lookup(name);
	if (!br) {
		if (bridge_find_port(name, NULL))
			return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
					       "%s is a port, not a bridge",
					       name);
		return ctl_reply_error(r, CTL_ERR_APP, ENXIO,
				       "bridge %s doesn't exist", name);
	}
	if (only_if_down && br->admin_up)
		return ctl_reply_error(r, CTL_ERR_APP, EBUSY,
				       "bridge %s is still up", name);
	/* Closing its ports cannot be undone: ask first. */
	if (may_delete(br, NULL, r))
		return r->code;
	/* Deleting a Linux bridge leaves its ports' devices. */
	for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
		if (br->ports[i])
			port_deleted(br->ports[i]->name);
	bridge_destroy(br);
	return 0;
}

static int
m_bridge_set(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", "options", NULL };
	struct json_object *options = NULL;
	struct opt_values ov;
	struct bridge *br;
	const char *name;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0)
		return r->code;
	if (!json_object_object_get_ex(params, "options", &options))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.options: missing");
	if (parse_bridge_options(options, &ov, r))
		return r->code;
	br = lookup_bridge(name, r);
	if (!br || apply_bridge_options(br, &ov, r))
		return r->code;
	bridge_settings_changed(br, NULL);
	return 0;
}

static int
m_bridge_list(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", NULL };
	const char *name = NULL;
	struct json_object *list;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", false, &name, r) < 0)
		return r->code;
	if (name && !lookup_bridge(name, r))
		return r->code;
	list = json_object_new_array();
	for (struct bridge *br = bridge_first(); br; br = br->next)
		if (!name || !strcmp(name, br->name))
			json_object_array_add(list, ctl_json_bridge(br));
	r->result = list;
	return 0;
}

/* --- ports -------------------------------------------------------------- */

/* True if 'class' has a "mac" creation argument. */
static bool
class_takes_mac(const struct port_class *class)
{
	for (const struct port_arg *a = class->args; a->name; a++)
		if (!strcmp(a->name, "mac"))
			return true;
	return false;
}

/* Opens a port of 'class' named 'name' from the creation arguments
 * 'args' (an object or NULL).  Returns 0 or the recorded error. */
static int
open_port(const struct port_class *class, const char *name,
	  struct json_object *args, struct port **portp, struct ctl_reply *r)
{
	char *msg = NULL;
	int err;

	err = port_class_check_args(class, args, &msg);
	if (err)
		ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0, "params.args.%s",
				msg);
	else if ((err = port_class_open(class, name, args, NULL, portp, &msg)))
		ctl_reply_error(r, CTL_ERR_APP, -err, "%s",
				msg ? msg : strerror(-err));
	free(msg);
	return err ? r->code : 0;
}

/* Reads the optional "args" object of 'params' into '*args' (borrowed,
 * NULL if absent) and checks that 'name' may name a device.  Returns 0 or
 * the recorded error. */
static int
new_device_params(struct json_object *params, const char *name,
		  struct json_object **args, struct ctl_reply *r)
{
	*args = NULL;
	if (json_object_object_get_ex(params, "args", args) && *args &&
	    !json_object_is_type(*args, json_type_object))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.args: must be an object");
	if (!bridge_name_is_valid(name))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.name: '%s' is not a valid "
				       "interface name", name);
	return 0;
}

static int
m_port_add(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "bridge", "name", "type", "args",
					     "port_no", "keep_if_missing",
					     NULL };
	struct json_object *args = NULL;
	const struct port_class *class;
	const char *brname, *name, *type = NULL;
	uint64_t port_no = 0;
	bool keep_missing = false;
	struct port *port;
	struct bridge *br;
	struct json_object *dev;
	bool up = true;
	int err;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "bridge", true, &brname, r) < 0 ||
	    ctl_param_string(params, "name", true, &name, r) < 0 ||
	    ctl_param_string(params, "type", false, &type, r) < 0 ||
	    ctl_param_uint(params, "port_no", false, 1, BRIDGE_MAX_PORTS - 1,
			   &port_no, r) < 0 ||
	    new_device_params(params, name, &args, r))
		return r->code;
	/* A standalone device (link add) joins with what it was made of. */
	if ((dev = ctl_device_find(name))) {
		struct json_object *v;

		if (args)
			return ctl_reply_error(r, CTL_ERR_APP, EEXIST,
					       "device %s already exists (its "
					       "arguments were given when it "
					       "was made)", name);
		json_object_object_get_ex(dev, "type", &v);
		if (type && strcmp(type, json_object_get_string(v)))
			return ctl_reply_error(r, CTL_ERR_APP, EEXIST,
					       "device %s already exists, of "
					       "type %s", name,
					       json_object_get_string(v));
		type = json_object_get_string(v);
		json_object_object_get_ex(dev, "args", &args);
		if (json_object_object_get_ex(dev, "up", &v))
			up = json_object_get_boolean(v);
	} else if (!type) {
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.type: missing");
	}
	if (!(class = port_class_lookup(type))) {
		char *names = port_class_names(false);

		ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				"params.type: unknown port type '%s' (%s)",
				type, names);
		free(names);
		return r->code;
	}
	br = lookup_bridge(brname, r);
	if (!br)
		return r->code;
	if (bridge_lookup(name))
		return ctl_reply_error(r, CTL_ERR_APP, ELOOP,
				       "device %s is a bridge device itself; "
				       "can't add a bridge device to a bridge "
				       "device", name);
	{
		struct bridge *other;

		if (bridge_find_port(name, &other))
			return ctl_reply_error(r, CTL_ERR_APP, EBUSY,
					       "device %s is already a member "
					       "of a bridge; can't add it to "
					       "bridge %s", name, brname);
	}
	if (port_no && br->ports[port_no])
		return ctl_reply_error(r, CTL_ERR_APP, EBUSY,
				       "port number %llu of bridge %s is taken "
				       "by %s", (unsigned long long)port_no,
				       brname, br->ports[port_no]->name);
	if (ctl_param_bool(params, "keep_if_missing", false, &keep_missing,
			   r) < 0)
		return r->code;
	if (open_port(class, name, args, &port, r)) {
		/* A device that cannot be opened now (gone, busy, not
		 * allowed) need not lose its place in the configuration: the
		 * restore at start-up keeps the port as missing.  A request
		 * the class's arguments refuse is still refused. */
		const char *why = r->message ? r->message : "cannot open";

		if (!keep_missing || r->code != CTL_ERR_APP)
			return r->code;
		log_warn(MOD, "bridge %s: port %s (%s) is missing: %s; kept in "
			 "the configuration without carrier", brname, name,
			 type, why);
		port = port_missing_open(name, type, why);
		ctl_reply_uninit(r);
	}
	err = bridge_port_add_at(br, port, (unsigned)port_no);
	if (err) {
		port->undo = true;
		port_close(port);
		return ctl_reply_error(r, CTL_ERR_APP, -err,
				       "cannot add %s to bridge %s: %s", name,
				       brname, strerror(-err));
	}
	if (dev) {
		/* As the kernel: a device enslaved down stays down. */
		if (!up)
			bridge_port_set_admin_up(br, port, false);
		port_created(name, type, args);
		ctl_device_del(name);	/* frees 'dev', 'type' and 'args' */
		return 0;
	}
	/* Pin a MAC the class made up (TAP and vhost-user ports pick a
	 * random one; a pcap port without "mac" has none) so a restart
	 * keeps the bridge id.  Only a class with a "mac" argument can take
	 * it back. */
	if (class_takes_mac(class) && !port_is_missing(port) &&
	    !eth_addr_is_zero(&port->mac) &&
	    (!args || !json_object_object_get_ex(args, "mac", NULL))) {
		struct json_object *a = NULL;
		char mac[ETH_ADDR_STRLEN];

		if (args)
			json_object_deep_copy(args, &a, NULL);
		else
			a = json_object_new_object();
		json_object_object_add(a, "mac", json_object_new_string(
					       eth_addr_format(&port->mac, mac)));
		port_created(name, type, a);
		json_object_put(a);
	} else {
		port_created(name, type, args);
	}
	return 0;
}

static int
m_port_del(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", "bridge", "destroy",
					     NULL };
	const char *name, *brname = NULL;
	bool destroy = false;
	struct bridge *br;
	struct port *port;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0 ||
	    ctl_param_string(params, "bridge", false, &brname, r) < 0 ||
	    ctl_param_bool(params, "destroy", false, &destroy, r) < 0)
		return r->code;
	if (brname && !lookup_bridge(brname, r))
		return r->code;
	port = lookup_port(name, &br, r);
	if (!port)
		return r->code;
	if (brname && strcmp(brname, br->name))
		return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
				       "device %s is not a port of %s", name,
				       brname);
	/* Closing the port cannot be undone: ask first. */
	if (may_delete(br, port, r))
		return r->code;
	port_deleted(name);
	/* As Linux: the device stays unless asked to go (ip link del). */
	port->destroy_device = destroy;
	bridge_port_del(br, port);
	return 0;
}

/* Reads option 'opt', which has decimal places, from 'params' into kept
 * units: as ctl_param_uint(), for a number (or a string) like 0.5. */
static int
param_decimal(struct json_object *params, enum port_opt opt, uint64_t *out,
	      struct ctl_reply *r)
{
	const struct port_opt_info *info = &port_opt_info[opt];
	char lo[PORT_OPT_STRLEN], hi[PORT_OPT_STRLEN];
	struct json_object *v;
	uint32_t n;

	if (!json_object_object_get_ex(params, info->name, &v))
		return 0;
	if (port_opt_from_json(opt, v, &n) || n < info->min || n > info->max)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.%s: expected a number %s..%s "
				       "with at most %u decimal places",
				       info->name,
				       port_opt_format(opt, info->min, lo),
				       port_opt_format(opt, info->max, hi),
				       info->decimals), -1;
	*out = n;
	return 1;
}

/* port.set: the parameters are read into one change that the bridge
 * applies whole or not at all (bridge_port_change_apply()); a new master
 * comes first, and is undone too when the change is refused. */
static int
m_port_set(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = {
#define PORT_SET_KNOWN(id, name, ...) name,
		PORT_OPTIONS(PORT_SET_KNOWN, PORT_SET_KNOWN)
#undef PORT_SET_KNOWN
		"name", "state", "up", "master", "carrier", NULL };
	struct bridge_port_change c;
	int has_up, has_state, has_carrier, opt;
	const char *name, *state_s = NULL, *master = NULL;
	uint16_t old_no;
	struct bridge *br, *old_br, *to = NULL;
	char num[PORT_OPT_STRLEN];
	struct port *port;
	int err;

	memset(&c, 0, sizeof c);
	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0)
		return r->code;
	for (opt = 0; opt < PORT_OPT_N; opt++) {
		const struct port_opt_info *info = &port_opt_info[opt];
		uint64_t n = 0;
		bool b = false;
		int rc, bit;

		if (info->is_flag)
			rc = ctl_param_bool(params, info->name, false, &b, r);
		else if (info->decimals)
			rc = param_decimal(params, opt, &n, r);
		else
			rc = ctl_param_uint(params, info->name, false,
					    info->min, info->max, &n, r);
		if (rc < 0)
			return r->code;
		c.given[opt] = rc == 1;
		c.val[opt] = info->is_flag ? b : (uint32_t)n;
		bit = c.given[opt] ? port_opt_refused_bit(opt, c.val[opt]) : -1;
		if (bit >= 0)
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.%s: 0x%llx has bit %d "
					       "(%s) set", info->name,
					       (unsigned long long)c.val[opt],
					       bit, info->refuse_why);
	}
	if ((has_up = ctl_param_bool(params, "up", false, &c.up, r)) < 0 ||
	    (has_state = ctl_param_string(params, "state", false, &state_s,
					  r)) < 0 ||
	    ctl_param_string(params, "master", false, &master, r) < 0)
		return r->code;
	if ((has_carrier = ctl_param_bool(params, "carrier", false,
					  &c.carrier, r)) < 0)
		return r->code;
	c.has_up = has_up == 1;
	c.has_state = has_state == 1;
	c.has_carrier = has_carrier == 1;
	if (c.has_state && port_parse_state(state_s, &c.state))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.state: '%s' is not a port state "
				       "(disabled, listening, learning, "
				       "forwarding, blocking)", state_s);
	port = lookup_port(name, &br, r);
	if (!port)
		return r->code;
	if (master && !(to = lookup_bridge(master, r)))
		return r->code;
	/* Refused before the move when it can be: the state against the
	 * bridge it will be on. */
	if (c.has_state && (err = bridge_port_check_state(
				  to ? to : br, port, c.state,
				  c.has_up ? c.up : port->admin_up)))
		return ctl_reply_error(r, CTL_ERR_APP, -err,
				       "%s: cannot set state %s: %s%s", name,
				       state_s, strerror(-err),
				       err == -EBUSY ? " (STP is on)" : "");

	/* A new master first (ip link set DEV master BR2): the other
	 * settings then apply to the port of the new bridge. */
	old_br = br;
	old_no = port->port_no;
	if (to && to != br) {
		err = bridge_port_move(to, port, 0);
		if (err)
			return ctl_reply_error(r, CTL_ERR_APP, -err,
					       "cannot move %s to bridge %s: %s",
					       name, master, strerror(-err));
		br = to;
	}
	err = bridge_port_change_apply(br, port, &c, &opt);
	if (!err) {
		bridge_settings_changed(br, port);
		return 0;
	}
	if (opt == BRIDGE_PORT_CHANGE_STATE)
		ctl_reply_error(r, CTL_ERR_APP, -err,
				"%s: cannot set state %s: %s%s", name,
				state_s, strerror(-err),
				err == -EBUSY ? " (STP is on)" : "");
	else if (opt == BRIDGE_PORT_CHANGE_UP)
		ctl_reply_error(r, CTL_ERR_APP, -err, "%s: cannot set %s: %s",
				name, c.up ? "up" : "down", strerror(-err));
	else if (opt == BRIDGE_PORT_CHANGE_CARRIER)
		ctl_reply_error(r, CTL_ERR_APP, -err,
				"%s: cannot set carrier %s: %s", name,
				c.carrier ? "on" : "off", strerror(-err));
	else
		ctl_reply_error(r, CTL_ERR_APP, -err,
				"%s: cannot set %s %s: %s%s", name,
				port_opt_info[opt].name,
				port_opt_format(opt, c.val[opt], num),
				strerror(-err), err == -EOPNOTSUPP
				? " (only patch ports have impairments)"
				: "");
	if (br != old_br)
		bridge_port_move(old_br, port, old_no);
	return r->code;
}

/* port.types: every registered class and the creation arguments it
 * takes, so a client can turn words into port.add args and print usage
 * without knowing any type. */
static int
m_port_types(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { NULL };
	const struct port_class *class;

	if (ctl_params_check_known(params, known, r))
		return r->code;
	r->result = json_object_new_array();
	for (size_t i = 0; (class = port_class_at(i)); i++)
		json_object_array_add(r->result, port_class_json(class));
	return 0;
}

static int
m_port_show(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", "bridge", NULL };
	const char *name = NULL, *brname = NULL;
	struct json_object *list;
	struct bridge *br = NULL;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", false, &name, r) < 0 ||
	    ctl_param_string(params, "bridge", false, &brname, r) < 0)
		return r->code;
	if (brname && !(br = lookup_bridge(brname, r)))
		return r->code;
	if (name && !lookup_port(name, NULL, r))
		return r->code;
	list = json_object_new_array();
	for (struct bridge *b = bridge_first(); b; b = b->next) {
		struct json_object *ports;

		if (br && b != br)
			continue;
		ports = ctl_json_ports(b);
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			struct json_object *p = json_object_array_get_idx(ports, i);
			struct json_object *n;

			json_object_object_get_ex(p, "name", &n);
			if (!name || !strcmp(name, json_object_get_string(n)))
				json_object_array_add(list, json_object_get(p));
		}
		json_object_put(ports);
	}
	r->result = list;
	return 0;
}

/* --- standalone devices (ctl-devices.h) -------------------------------- */

/* link.add {name, type, args}: a standalone device, checked by opening it
 * once (its arguments, its UDP port and VNI) and closing it again. */
static int
m_link_add(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", "type", "args", NULL };
	struct json_object *args, *dev, *a = NULL, *info = NULL;
	const struct port_class *class;
	const char *name, *type;
	struct bridge *other;
	struct port *port;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0 ||
	    ctl_param_string(params, "type", true, &type, r) < 0 ||
	    new_device_params(params, name, &args, r))
		return r->code;
	/* The only kind ip-link makes that is a port class here. */
	if (strcmp(type, "vxlan") || !(class = port_class_lookup(type)))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.type: '%s': a standalone device "
				       "is of type vxlan (others are made "
				       "with port.add)", type);
	if (bridge_lookup(name) || bridge_find_port(name, &other) ||
	    ctl_device_find(name))
		return ctl_reply_error(r, CTL_ERR_APP, EEXIST,
				       "device %s already exists", name);
	if (open_port(class, name, args, &port, r))
		return r->code;
	if (class->describe)
		info = class->describe(port);
	dev = json_object_new_object();
	json_object_object_add(dev, "name", json_object_new_string(name));
	json_object_object_add(dev, "type", json_object_new_string(type));
	if (args)
		json_object_deep_copy(args, &a, NULL);
	json_object_object_add(dev, "args", a ? a : json_object_new_object());
	json_object_object_add(dev, "up", json_object_new_boolean(false));
	json_object_object_add(dev, "mtu", json_object_new_int64(port->mtu));
	if (info) {
		/* Its table is made when it joins a bridge. */
		json_object_object_del(info, "fdb");
		json_object_object_add(dev, "info", info);
	}
	port_close(port);
	ctl_device_add(dev);
	return 0;
}

static int
m_link_del(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", NULL };
	const char *name;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0)
		return r->code;
	if (!ctl_device_del(name))
		return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
				       "device %s does not exist", name);
	return 0;
}

/* link.set {name, up}: a standalone device's admin state, which it keeps
 * when it joins a bridge. */
static int
m_link_set(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "name", "up", NULL };
	struct json_object *dev;
	const char *name;
	bool up = false;
	int has_up;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "name", true, &name, r) < 0 ||
	    (has_up = ctl_param_bool(params, "up", false, &up, r)) < 0)
		return r->code;
	if (!(dev = ctl_device_find(name)))
		return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
				       "device %s does not exist", name);
	if (has_up)
		json_object_object_add(dev, "up", json_object_new_boolean(up));
	return 0;
}

static int
m_link_list(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { NULL };

	if (ctl_params_check_known(params, known, r))
		return r->code;
	r->result = json_object_get(ctl_devices());
	return 0;
}

/* --- daemon ------------------------------------------------------------- */

static int
m_daemon_info(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { NULL };
	struct json_object *o;
	unsigned n = 0;

	if (ctl_params_check_known(params, known, r))
		return r->code;
	for (struct bridge *br = bridge_first(); br; br = br->next)
		n++;
	o = json_object_new_object();
	json_object_object_add(o, "version",
			       json_object_new_string(VSWITCHD_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "uptime_ms",
			       json_object_new_int64((int64_t)(clock_now_ms() -
							       start_ms)));
	json_object_object_add(o, "config_path", info_config_path ?
			       json_object_new_string(info_config_path) : NULL);
	json_object_object_add(o, "socket_path", info_socket_path ?
			       json_object_new_string(info_socket_path) : NULL);
	json_object_object_add(o, "n_bridges", json_object_new_int((int)n));
	json_object_object_add(o, "clock_ms",
			       json_object_new_int64((int64_t)clock_now_ms()));
	json_object_object_add(o, "clock_frozen",
			       json_object_new_boolean(clock_is_frozen()));
	r->result = o;
	return 0;
}

static int
m_debug_time(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "op", "ms", NULL };
	const char *op;
	uint64_t ms = 0;
	int has_ms;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "op", true, &op, r) < 0 ||
	    (has_ms = ctl_param_uint(params, "ms", false, 0,
				     (uint64_t)1 << 40, &ms, r)) < 0)
		return r->code;
	if (!strcmp(op, "stop")) {
		clock_stop();
	} else if (!strcmp(op, "resume")) {
		clock_resume();
	} else if (!strcmp(op, "warp")) {
		if (!has_ms)
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.ms: missing (warp needs "
					       "a duration)");
		clock_warp(ms);
	} else {
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.op: '%s' is not stop, resume "
				       "or warp", op);
	}
	if (has_ms && strcmp(op, "warp"))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.ms: only valid with op warp");
	for (struct bridge *br = bridge_first(); br; br = br->next)
		bridge_run(br, clock_now_ms());
	r->result = json_object_new_object();
	json_object_object_add(r->result, "clock_ms",
			       json_object_new_int64((int64_t)clock_now_ms()));
	json_object_object_add(r->result, "frozen",
			       json_object_new_boolean(clock_is_frozen()));
	return 0;
}

/* --- dispatch ----------------------------------------------------------- */

/* Runs 'fn', a method that changes something, for a request: the observer
 * takes a checkpoint before and commits after; a change it cannot commit
 * is refused with its reason. */
static int
run_change(ctl_method_fn *fn, struct json_object *params,
	   struct ctl_reply *r)
{
	struct json_object *checkpoint;
	char *why = NULL;
	int err;

	if (!observer)
		return fn(params, r);
	checkpoint = observer->checkpoint();
	if (!fn(params, r) && !r->no_save) {
		err = observer->commit(checkpoint, &why);
		if (err) {
			ctl_reply_uninit(r);
			ctl_reply_error(r, CTL_ERR_APP, -err, "%s",
					why ? why : strerror(-err));
			free(why);
		}
	}
	json_object_put(checkpoint);
	return r->code;
}

/* The methods: name, handler, whether it changes something, whether the
 * read-only control socket offers it (shows, monitors or counts; not
 * log.set, debug.time, nor capture.start, which reveals traffic). */
#define CTL_METHODS(M)						\
	M("daemon.info", m_daemon_info, false, true)			\
	M("bridge.add", m_bridge_add, true, false)			\
	M("bridge.del", m_bridge_del, true, false)			\
	M("bridge.set", m_bridge_set, true, false)			\
	M("bridge.list", m_bridge_list, false, true)			\
	M("bridge.trace", ctl_m_bridge_trace, false, false)		\
	M("port.add", m_port_add, true, false)				\
	M("port.del", m_port_del, true, false)				\
	M("port.set", m_port_set, true, false)				\
	M("port.show", m_port_show, false, true)			\
	M("port.types", m_port_types, false, true)			\
	M("link.add", m_link_add, true, false)				\
	M("link.del", m_link_del, true, false)				\
	M("link.set", m_link_set, true, false)				\
	M("link.list", m_link_list, false, true)			\
	M("stp.show", ctl_m_stp_show, false, true)			\
	M("vlan.add", ctl_m_vlan_add, true, false)			\
	M("vlan.del", ctl_m_vlan_del, true, false)			\
	M("vlan.show", ctl_m_vlan_show, false, true)			\
	M("fdb.show", ctl_m_fdb_show, false, true)			\
	M("fdb.add", ctl_m_fdb_add, true, false)			\
	M("fdb.del", ctl_m_fdb_del, true, false)			\
	M("fdb.flush", ctl_m_fdb_flush, true, false)			\
	M("stats.get", ctl_m_stats_get, false, true)			\
	M("debug.time", m_debug_time, false, false)			\
	M("monitor.subscribe", ctl_m_monitor_subscribe, false, true)	\
	M("capture.start", ctl_m_capture_start, false, false)		\
	M("log.show", ctl_m_log_show, false, true)			\
	M("log.set", ctl_m_log_set, false, false)			\

/* What a request runs: the handler, through run_change() if it changes
 * something. */
#define REQUEST_FN(NAME, FN, CHANGES, RO)				\
	static int							\
	FN##_request(struct json_object *params, struct ctl_reply *r)	\
	{								\
		return CHANGES ? run_change(FN, params, r)		\
			       : FN(params, r);				\
	}
CTL_METHODS(REQUEST_FN)
#undef REQUEST_FN

#define REQUEST_ENTRY(NAME, FN, CHANGES, RO) { NAME, FN##_request, RO },
static const struct ctl_method requests[] = {
	CTL_METHODS(REQUEST_ENTRY)
	{ NULL, NULL, false },
};
#undef REQUEST_ENTRY
const struct ctl_method *const ctl_methods = requests;

/* The handlers themselves, for ctl_method_call(). */
#define CALL_ENTRY(NAME, FN, CHANGES, RO) { NAME, FN, RO },
static const struct ctl_method handlers[] = {
	CTL_METHODS(CALL_ENTRY)
};
#undef CALL_ENTRY

int
ctl_method_call(const char *name, struct json_object *params,
		struct ctl_reply *r)
{
	/* A replayed configuration is checked like a request (the server
	 * checked those already). */
	if (ctl_params_check_strings(params, r))
		return r->code;
	for (size_t i = 0; i < ARRAY_SIZE(handlers); i++)
		if (!strcmp(handlers[i].name, name))
			return handlers[i].fn(params, r);
	return ctl_reply_error(r, CTL_ERR_NO_METHOD, 0,
			       "method not found: %s", name);
}
