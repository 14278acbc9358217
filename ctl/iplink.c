/*
 * iplink.c - the iproute2-style "link" command (ip link add/set/del/show
 * for bridges and their ports), with ip-link's keywords and JSON keys
 * (linkinfo.info_kind/info_data, info_slave_kind/info_slave_data).
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge-options.h"
#include "port-options.h"
#include "util.h"

/* --- link ------------------------------------------------------------------ */

/* The words of a BRIDGE_OPT_TPID value, and the TPID each stands for. */
static const struct {
	const char *word;
	uint32_t tpid;
} tpid_words[] = { { "802.1Q", 0x8100 }, { "802.1ad", 0x88a8 } };

/* Writes one BRIDGE_OPTIONS line: name, values, default, unit, refused
 * bits, alias, help.  'link options' prints these alone, for scripts and
 * bash completion. */
static void
bridge_option_print(FILE *f, const char *indent, enum bridge_opt opt)
{
	const struct bridge_opt_info *info = &bridge_opt_info[opt];
	char values[32], def[16], refuse[16] = "-";

	if (info->type == BRIDGE_OPT_TPID) {
		snprintf(values, sizeof values, "%s|%s", tpid_words[0].word,
			 tpid_words[1].word);
		snprintf(def, sizeof def, "%s", "?");
		for (size_t i = 0; i < ARRAY_SIZE(tpid_words); i++)
			if (tpid_words[i].tpid == info->def)
				snprintf(def, sizeof def, "%s",
					 tpid_words[i].word);
	} else {
		snprintf(values, sizeof values, info->type == BRIDGE_OPT_BOOL
			 ? "%u|%u" : "%u..%u", info->min, info->max);
		snprintf(def, sizeof def, "%u", info->def);
	}
	if (info->refuse)
		snprintf(refuse, sizeof refuse, "0x%04x", info->refuse);
	fprintf(f, "%s%-18s %-15s %-7s %-4s %-6s %-13s %s\n", indent,
		info->name, values, def, *info->unit ? info->unit : "-",
		refuse, info->alias ? info->alias : "-", info->help);
}

static void
link_usage(FILE *f)
{
	fprintf(f,
"Usage: bridgectl link add [name] NAME [address MAC] type bridge [OPTION VALUE]...\n"
"       bridgectl link add [name] NAME [master BRIDGE] type vxlan id VNI [dstport N]\n"
"                          [local IP] [remote IP | group IP [dev IF]] [ttl N]\n"
"                          [tos N] [ageing S]\n"
"                          [nolearning]\n"
"       bridgectl link set [dev] DEV [master BRIDGE | nomaster] [up | down]\n"
"                                    [type bridge OPTION VALUE...]\n"
"       bridgectl link del [dev] DEV\n"
"       bridgectl link show [[dev] DEV]\n"
"'master BRIDGE' on a device that is not a port yet creates a TAP port;\n"
"a vxlan device made without 'master' waits for 'link set NAME master BR'.\n"
"\n"
"Bridge OPTIONs (name, values, default, unit (cs: centiseconds, as\n"
"ip-link), refused bits, other name, meaning), and mcast_snooping 0:\n");
	for (int opt = 0; opt < BRIDGE_OPT_N; opt++)
		bridge_option_print(f, "  ", opt);
}

/* Parses bridge OPTION VALUE pairs (the BRIDGE_OPTIONS table) from
 * argv[*i] on into 'opts', each under its bridge.set name.  A value its
 * type cannot hold is a usage error; the range is the daemon's to check.
 * Returns 0, or CTL_EXIT_USAGE after printing which argument is bad. */
static int
parse_bridge_opts(int argc, char **argv, int *i, struct json_object *opts)
{
	for (; *i < argc; (*i)++) {
		const char *w = argv[*i];
		const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
		const struct bridge_opt_info *info;
		uint64_t n, limit;
		bool b;
		int opt;

		if (ctl_matches(w, "up") || ctl_matches(w, "down") ||
		    ctl_matches(w, "master") || ctl_matches(w, "nomaster"))
			return 0;
		if (!v)
			return ctl_usage_error("link", "'%s' needs a value", w);
		(*i)++;
		/* Accepted for scripts written for iproute2; there is no
		 * IGMP/MLD snooping. */
		if (ctl_matches(w, "mcast_snooping")) {
			if (strcmp(v, "0"))
				return ctl_usage_error("link", "mcast_snooping "
						       "'%s': only 0 (no IGMP/MLD "
						       "snooping) is supported",
						       v);
			continue;
		}
		if ((opt = bridge_opt_lookup(w)) < 0)
			return ctl_usage_error("link", "unknown bridge option "
					       "'%s'", w);
		info = &bridge_opt_info[opt];
		if (info->type == BRIDGE_OPT_TPID) {
			if (strcasecmp(v, tpid_words[0].word) &&
			    strcasecmp(v, tpid_words[1].word))
				return ctl_usage_error("link", "%s '%s': "
						       "expected %s or %s", w, v,
						       tpid_words[0].word,
						       tpid_words[1].word);
			json_object_object_add(opts, info->name,
					       json_object_new_string(v));
			continue;
		}
		limit = bridge_opt_type_limit(info->type);
		if (info->type == BRIDGE_OPT_BOOL && !util_parse_bool(v, &b)) {
			/* hub on, as the port flags are written */
			json_object_object_add(opts, info->name,
					       json_object_new_int64(b));
			continue;
		}
		if (ctl_parse_u64(v, limit, &n))
			return ctl_usage_error("link", "%s '%s': expected an "
					       "integer 0..%llu", w, v,
					       (unsigned long long)limit);
		json_object_object_add(opts, info->name,
				       json_object_new_int64((int64_t)n));
	}
	return 0;
}

/* iproute2's words for a vxlan device, and the vxlan port argument each
 * is (NULL: a flag that sets 'learning'). */
static const struct {
	const char *word, *arg;
} vxlan_words[] = {
	{ "id", "vni" }, { "vni", "vni" }, { "dstport", "dstport" },
	{ "local", "local" }, { "remote", "remote" }, { "ttl", "ttl" },
	{ "tos", "tos" }, { "ageing", "ageing" }, { "group", "group" },
	{ "dev", "dev" },
	{ "learning", NULL }, { "nolearning", NULL },
};

/* 'link add NAME [master BR] type vxlan ARGS': the iproute2 spelling of
 * 'port add BR NAME type vxlan ...'; without 'master' a standalone device
 * (link.add) that 'link set NAME master BR' enslaves later, as with
 * ip-link. */
static int
link_add_vxlan(const char *name, const char *master, int argc, char **argv)
{
	struct json_object *args = json_object_new_object();
	struct rpc_error err;
	size_t k;

	for (int i = 0; i < argc; i++) {
		for (k = 0; k < ARRAY_SIZE(vxlan_words); k++)
			if (!strcmp(argv[i], vxlan_words[k].word))
				break;
		if (k == ARRAY_SIZE(vxlan_words)) {
			json_object_put(args);
			return ctl_usage_error("link", "unknown or unsupported "
					       "vxlan argument '%s'", argv[i]);
		}
		if (!vxlan_words[k].arg) {
			json_object_object_add(args, "learning",
				json_object_new_string(
					strcmp(argv[i], "learning") ? "off"
								     : "on"));
			continue;
		}
		if (i + 1 == argc) {
			json_object_put(args);
			return ctl_usage_error("link", "'%s' needs a value",
					       argv[i]);
		}
		json_object_object_add(args, vxlan_words[k].arg,
				       json_object_new_string(argv[++i]));
	}
	if (!master) {
		if (rpc_call("link.add", ctl_params("s", "name", name,
						    "s", "type", "vxlan",
						    "o", "args", args, NULL),
			     NULL, &err))
			return ctl_fail(&err);
		return 0;
	}
	if (rpc_call("port.add", ctl_params("s", "bridge", master,
					    "s", "name", name,
					    "s", "type", "vxlan",
					    "o", "args", args, NULL),
		     NULL, &err))
		return ctl_fail(&err);
	return 0;
}

/* The standalone device 'name' of link.list (a new reference), or NULL;
 * 'err' set and NULL returned when the call fails ('*failed' true). */
static struct json_object *
standalone_device(const char *name, bool *failed, struct rpc_error *err)
{
	struct json_object *list, *found = NULL;

	*failed = rpc_call("link.list", NULL, &list, err) != 0;
	if (*failed)
		return NULL;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);

		if (!strcmp(ctl_jstr(d, "name"), name))
			found = json_object_get(d);
	}
	json_object_put(list);
	return found;
}

static int
link_add(int argc, char **argv)
{
	struct json_object *opts = json_object_new_object();
	const char *name = NULL, *type = NULL, *master = NULL;
	struct rpc_error err;
	int i, rc;

	/* A new Linux bridge starts down. */
	json_object_object_add(opts, "up", json_object_new_boolean(false));
	for (i = 0; i < argc; i++) {
		if (ctl_matches(argv[i], "type")) {
			if (++i == argc) {
				rc = ctl_usage_error("link", "'type' needs a "
						     "value");
				goto out_put;
			}
			type = argv[i++];
			break;
		} else if (ctl_matches(argv[i], "name") ||
			   ctl_matches(argv[i], "dev")) {
			if (++i == argc) {
				rc = ctl_usage_error("link", "'%s' needs a "
						     "value", argv[i - 1]);
				goto out_put;
			}
			name = argv[i];
		} else if (!strcmp(argv[i], "master")) {
			if (++i == argc) {
				rc = ctl_usage_error("link", "'master' needs "
						     "a bridge");
				goto out_put;
			}
			master = argv[i];
		} else if (ctl_matches(argv[i], "address")) {
			if (++i == argc) {
				rc = ctl_usage_error("link", "'address' needs "
						     "a MAC");
				goto out_put;
			}
			json_object_object_add(opts, "address",
					       json_object_new_string(argv[i]));
		} else if (!name) {
			name = argv[i];
		} else {
			rc = ctl_usage_error("link", "unexpected argument '%s'",
					     argv[i]);
			goto out_put;
		}
	}
	if (!name) {
		rc = ctl_usage_error("link", "link add: missing NAME");
		goto out_put;
	}
	if (type && !strcmp(type, "vxlan")) {
		json_object_put(opts);
		return link_add_vxlan(name, master, argc - i, argv + i);
	}
	if (!type || strcmp(type, "bridge")) {
		rc = ctl_usage_error("link", "link add: only 'type bridge' and "
				     "'type vxlan' are supported (got '%s'); "
				     "use 'bridgectl port add' for ports",
				     type ? type : "");
		goto out_put;
	}
	if (master) {
		rc = ctl_usage_error("link", "link add: a bridge takes no "
				     "'master'");
		goto out_put;
	}
	rc = parse_bridge_opts(argc, argv, &i, opts);
	if (rc)
		goto out_put;
	if (i < argc) {
		rc = ctl_usage_error("link", "unexpected argument '%s'",
				     argv[i]);
		goto out_put;
	}
	if (rpc_call("bridge.add", ctl_params("s", "name", name, "o",
					      "options", opts, NULL),
		     NULL, &err))
		return ctl_fail(&err);
	return 0;

out_put:
	json_object_put(opts);
	return rc;
}

/* Is 'name' a bridge?  -1 when neither bridge nor port (error printed). */
static int
dev_kind(const char *name, struct rpc_error *err)
{
	struct json_object *list;
	int rc = 0;

	if (rpc_call("bridge.list", NULL, &list, err))
		return -1;
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (!strcmp(ctl_jstr(json_object_array_get_idx(list, i), "name"),
			    name))
			rc = 1;
	json_object_put(list);
	return rc;
}

static int
link_del(int argc, char **argv)
{
	struct rpc_error err;
	const char *name;
	int kind;

	if (argc >= 1 && ctl_matches(argv[0], "dev")) {
		argc--;
		argv++;
	}
	if (argc != 1)
		return ctl_usage_error("link", argc ? "unexpected argument '%s'"
				       : "link del: missing DEV%s",
				       argc ? argv[1] : "");
	name = argv[0];
	kind = dev_kind(name, &err);
	if (kind < 0)
		return ctl_fail(&err);
	/* ip link del removes the device: a port's too (destroy). */
	if (rpc_call(kind ? "bridge.del" : "port.del",
		     kind ? ctl_params("s", "name", name, NULL)
			  : ctl_params("s", "name", name, "b", "destroy", true,
				       NULL), NULL, &err)) {
		/* Not a port: a standalone device, or nothing. */
		if (err.errnum == ENODEV && !kind) {
			if (!rpc_call("link.del", ctl_params("s", "name", name,
							     NULL), NULL, &err))
				return 0;
		}
		if (err.errnum == ENODEV)
			fprintf(stderr, "Cannot find device \"%s\"\n", name);
		else
			ctl_print_error(&err);
		return CTL_EXIT_FAIL;
	}
	return 0;
}

/* ip link and bridge link start a device's line with its ifindex ("7: ");
 * so do we for a bridge (its bridge device) or port that has a netdev.  A
 * port without one (pcap, vhost-user, null, patch) has no number to show. */
static void
print_ifindex(struct json_object *dev)
{
	int64_t i = ctl_jint(dev, "ifindex");

	if (i > 0)
		printf("%lld: ", (long long)i);
}

static void
add_ifindex(struct json_object *o, struct json_object *dev)
{
	int64_t i = ctl_jint(dev, "ifindex");

	if (i > 0)
		json_object_object_add(o, "ifindex",
				       json_object_new_int((int)i));
}

/* A port flag as iproute2 names it in bridge_slave data (the table's
 * bpdu_guard is its "guard"). */
static const char *
slave_key(const char *flag)
{
	int opt = port_opt_lookup(flag);

	return opt < 0 ? flag : port_opt_iproute2_name(opt);
}

/* link set on a standalone device: its admin state first (kept when it
 * joins), then 'master' makes it a port.  Takes 'opts' and 'port'. */
static int
link_set_standalone(const char *dev, const char *master, bool nomaster,
		    bool set_up, bool up, struct json_object *opts,
		    struct json_object *port)
{
	struct rpc_error err;
	bool settings = (opts && json_object_object_length(opts)) ||
			(port && json_object_object_length(port));

	json_object_put(opts);
	json_object_put(port);
	if (settings && !master)
		return ctl_usage_error("link", "%s is on no bridge yet: give "
				       "'master BRIDGE' first", dev);
	(void)nomaster;		/* it has none */
	if (set_up && rpc_call("link.set", ctl_params("s", "name", dev,
						      "b", "up", up, NULL),
			       NULL, &err))
		return ctl_fail(&err);
	if (master && rpc_call("port.add", ctl_params("s", "bridge", master,
						       "s", "name", dev, NULL),
			       NULL, &err))
		return ctl_fail(&err);
	return 0;
}

static int
link_set(int argc, char **argv)
{
	struct json_object *opts = NULL, *port = NULL;
	const char *dev, *master = NULL;
	bool nomaster = false, set_up = false, up = false;
	struct rpc_error err;
	int i = 0, kind, rc, n;

	if (argc && ctl_matches(argv[0], "dev"))
		i++;
	if (i >= argc)
		return ctl_usage_error("link", "link set: missing DEV");
	dev = argv[i++];
	while (i < argc) {
		const char *w = argv[i++];

		if (ctl_matches(w, "up") || ctl_matches(w, "down")) {
			set_up = true;
			up = ctl_matches(w, "up");
		} else if (ctl_matches(w, "master")) {
			if (i == argc)
				return ctl_usage_error("link", "'master' needs "
						       "a BRIDGE");
			master = argv[i++];
		} else if (ctl_matches(w, "nomaster")) {
			nomaster = true;
		} else if (ctl_matches(w, "type") && i < argc &&
			   !strcmp(argv[i], "bridge_slave")) {
			/* ip link set DEV type bridge_slave OPTION...: the
			 * port settings follow, read as below. */
			i++;
		} else if (!ctl_matches(w, "type") &&
			   (n = ctl_port_setting("link", w,
						 i < argc ? argv[i] : NULL,
						 port ? port : (port =
						 json_object_new_object()))) != 0) {
			/* bridge link set dev PORT learning off ... */
			if (n < 0) {
				json_object_put(opts);
				json_object_put(port);
				return CTL_EXIT_USAGE;
			}
			i += n - 1;
		} else if (ctl_matches(w, "type")) {
			if (i == argc || strcmp(argv[i], "bridge"))
				return ctl_usage_error("link", "link set: only "
						       "'type bridge' and "
						       "'type bridge_slave' "
						       "options can be set");
			i++;
			if (!opts)
				opts = json_object_new_object();
			rc = parse_bridge_opts(argc, argv, &i, opts);
			if (rc) {
				json_object_put(opts);
				return rc;
			}
		} else {
			json_object_put(opts);
			json_object_put(port);
			return ctl_usage_error("link", "unknown argument '%s'",
					       w);
		}
	}
	if (master && nomaster) {
		json_object_put(opts);
		return ctl_usage_error("link", "'master' and 'nomaster' "
				       "exclude each other");
	}
	kind = dev_kind(dev, &err);
	if (kind < 0) {
		json_object_put(opts);
		return ctl_fail(&err);
	}
	if (!kind) {
		bool failed;
		struct json_object *sd = standalone_device(dev, &failed, &err);

		if (failed) {
			json_object_put(opts);
			json_object_put(port);
			return ctl_fail(&err);
		}
		if (sd) {
			json_object_put(sd);
			return link_set_standalone(dev, master, nomaster,
						   set_up, up, opts, port);
		}
	}
	if (port && json_object_object_length(port)) {
		json_object_object_add(port, "name",
				       json_object_new_string(dev));
		rc = rpc_call("port.set", port, NULL, &err);
		port = NULL;
		if (rc) {
			json_object_put(opts);
			return ctl_fail(&err);
		}
	}
	json_object_put(port);
	if (opts) {
		if (!kind) {
			json_object_put(opts);
			fprintf(stderr, "bridgectl: %s is not a bridge\n", dev);
			return CTL_EXIT_FAIL;
		}
		if (rpc_call("bridge.set", ctl_params("s", "name", dev, "o",
						      "options", opts, NULL),
			     NULL, &err))
			return ctl_fail(&err);
	}
	if (nomaster && rpc_call("port.del", ctl_params("s", "name", dev,
							 NULL), NULL, &err))
		return ctl_fail(&err);
	/* A device that is a port of another bridge moves (as the kernel
	 * does); any other becomes a port of the type its kind asks for (an
	 * existing interface a netdev port, else a TAP). */
	if (master && rpc_call("port.add", ctl_params("s", "bridge", master,
						       "s", "name", dev,
						       "s", "type",
						       ctl_port_type_for_dev(dev),
						       NULL), NULL, &err)) {
		if (err.errnum != EBUSY)
			return ctl_fail(&err);
		if (rpc_call("port.set", ctl_params("s", "name", dev,
						    "s", "master", master,
						    NULL), NULL, &err))
			return ctl_fail(&err);
	}
	if (set_up) {
		if (kind)
			rc = rpc_call("bridge.set", ctl_params(
					      "s", "name", dev, "o", "options",
					      ctl_params("b", "up", up, NULL),
					      NULL), NULL, &err);
		else
			rc = rpc_call("port.set", ctl_params("s", "name", dev,
							     "b", "up", up,
							     NULL), NULL, &err);
		if (rc)
			return ctl_fail(&err);
	}
	return 0;
}

static void
print_link_flags(bool up, bool carrier)
{
	printf("<%sBROADCAST,MULTICAST%s%s>", up && !carrier ? "NO-CARRIER,"
	       : "", up ? ",UP" : "", up && carrier ? ",LOWER_UP" : "");
}

static struct json_object *
link_flags_json(bool up, bool carrier)
{
	struct json_object *a = json_object_new_array();

	if (up && !carrier)
		json_object_array_add(a, json_object_new_string("NO-CARRIER"));
	json_object_array_add(a, json_object_new_string("BROADCAST"));
	json_object_array_add(a, json_object_new_string("MULTICAST"));
	if (up)
		json_object_array_add(a, json_object_new_string("UP"));
	if (up && carrier)
		json_object_array_add(a, json_object_new_string("LOWER_UP"));
	return a;
}

/* Prints the counters of port 'name' from bridge statistics 'bs'. */
static void
print_port_stats(struct json_object *bs, const char *name)
{
	struct json_object *ports, *e;

	if (!json_object_object_get_ex(bs, "ports", &ports))
		return;
	for (size_t i = 0; i < json_object_array_length(ports); i++) {
		e = json_object_array_get_idx(ports, i);
		if (strcmp(ctl_jstr(e, "name"), name))
			continue;
		printf("    RX: packets %lld bytes %lld dropped %lld\n"
		       "    TX: packets %lld bytes %lld\n",
		       (long long)ctl_jint(e, "rx_packets"),
		       (long long)ctl_jint(e, "rx_bytes"),
		       (long long)ctl_jint(e, "dropped"),
		       (long long)ctl_jint(e, "tx_packets"),
		       (long long)ctl_jint(e, "tx_bytes"));
	}
}

/* ip-link's info_data of a vxlan device from the class's description
 * of it (port-vxlan.c describe()). */
static struct json_object *
vxlan_info_data(struct json_object *info)
{
	static const struct {
		const char *from, *to;
		bool num;
	} keys[] = {
		{ "vni", "id", true }, { "group", "group", false },
		{ "remote", "remote", false }, { "local", "local", false },
		{ "dev", "link", false }, { "dstport", "port", true },
		{ "ttl", "ttl", true }, { "tos", "tos", true },
		{ "ageing", "ageing", true },
	};
	struct json_object *o = json_object_new_object(), *v;

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!json_object_object_get_ex(info, keys[i].from, &v))
			continue;
		/* An unset 'local' is the kernel's choice: not shown. */
		if (!strcmp(keys[i].from, "local") &&
		    (!strcmp(json_object_get_string(v), "0.0.0.0") ||
		     !strcmp(json_object_get_string(v), "::")))
			continue;
		json_object_object_add(o, keys[i].to, keys[i].num
				       ? json_object_new_int64(
					       json_object_get_int64(v))
				       : json_object_get(v));
		if (!strcmp(keys[i].from, "dstport"))
			json_object_object_add(o, "learning",
				json_object_new_boolean(
					strcmp(ctl_jstr(info, "learning"),
					       "off") != 0));
	}
	return o;
}

/* Lists the standalone devices (link.list) whose name is 'filter' (all
 * if NULL): appended to 'out' for -j, printed otherwise.  Returns 0, or
 * -1 with 'err' set. */
static int
show_standalone(const char *filter, struct json_object *out, bool *found,
		struct rpc_error *err)
{
	struct json_object *list;

	if (rpc_call("link.list", NULL, &list, err))
		return -1;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i);
		struct json_object *o, *li, *info = NULL, *data;
		bool up = ctl_jint(d, "up");
		const char *name = ctl_jstr(d, "name");
		int mtu = (int)ctl_jint(d, "mtu");

		if (filter && strcmp(filter, name))
			continue;
		*found = true;
		json_object_object_get_ex(d, "info", &info);
		data = vxlan_info_data(info);
		o = json_object_new_object();
		li = json_object_new_object();
		json_object_object_add(o, "ifname", json_object_new_string(name));
		json_object_object_add(o, "flags", link_flags_json(up, true));
		json_object_object_add(o, "mtu", json_object_new_int(mtu));
		/* The kernel's vxlan device shows UNKNOWN when up. */
		json_object_object_add(o, "operstate", json_object_new_string(
					       up ? "UNKNOWN" : "DOWN"));
		json_object_object_add(o, "link_type",
				       json_object_new_string("ether"));
		json_object_object_add(li, "info_kind", json_object_new_string(
					       ctl_jstr(d, "type")));
		json_object_object_add(li, "info_data", data);
		json_object_object_add(o, "linkinfo", li);
		json_object_array_add(out, o);
		if (ctl_opts.json)
			continue;
		printf("%s: ", name);
		print_link_flags(up, true);
		printf(" mtu %d state %s\n", mtu, up ? "UNKNOWN" : "DOWN");
		if (!ctl_opts.details)
			continue;
		printf("    %s id %lld", ctl_jstr(d, "type"),
		       (long long)ctl_jint(data, "id"));
		{
			static const char *const words[] = {
				"remote", "group", "local", "link" };

			for (size_t k = 0; k < ARRAY_SIZE(words); k++)
				if (*ctl_jstr(data, words[k]))
					printf(" %s %s", !strcmp(words[k], "link")
					       ? "dev" : words[k],
					       ctl_jstr(data, words[k]));
		}
		printf(" dstport %lld%s ttl %lld ageing %lld\n",
		       (long long)ctl_jint(data, "port"),
		       ctl_jint(data, "learning") ? "" : " nolearning",
		       (long long)ctl_jint(data, "ttl"),
		       (long long)ctl_jint(data, "ageing"));
	}
	json_object_put(list);
	return 0;
}

static int
link_show(int argc, char **argv)
{
	struct json_object *list, *out = json_object_new_array();
	struct json_object *stats = NULL;
	const char *filter = NULL;
	struct rpc_error err;
	bool found = false;

	if (argc && ctl_matches(argv[0], "dev")) {
		argc--;
		argv++;
	}
	if (argc > 1) {
		json_object_put(out);
		return ctl_usage_error("link", "unexpected argument '%s'",
				       argv[1]);
	}
	if (argc == 1)
		filter = argv[0];
	if (rpc_call("bridge.list", NULL, &list, &err)) {
		json_object_put(out);
		return ctl_fail(&err);
	}
	if (ctl_opts.stats && rpc_call("stats.get", NULL, &stats, &err)) {
		json_object_put(out);
		json_object_put(list);
		return ctl_fail(&err);
	}
	for (size_t b = 0; b < json_object_array_length(list); b++) {
		struct json_object *br = json_object_array_get_idx(list, b);
		struct json_object *ports, *opt, *bs = NULL;
		bool up = ctl_jint(br, "up");

		json_object_object_get_ex(br, "ports", &ports);
		json_object_object_get_ex(br, "options", &opt);
		for (size_t k = 0; stats && k < json_object_array_length(stats);
		     k++)
			if (!strcmp(ctl_jstr(json_object_array_get_idx(stats, k),
					 "name"), ctl_jstr(br, "name")))
				bs = json_object_array_get_idx(stats, k);
		if (!filter || !strcmp(filter, ctl_jstr(br, "name"))) {
			struct json_object *o = json_object_new_object();
			struct json_object *li = json_object_new_object();

			found = true;
			add_ifindex(o, br);
			json_object_object_add(o, "ifname", json_object_new_string(
						       ctl_jstr(br, "name")));
			json_object_object_add(o, "flags",
					       link_flags_json(up, true));
			json_object_object_add(o, "mtu",
					       json_object_new_int(1500));
			json_object_object_add(o, "operstate",
					       json_object_new_string(
						       up ? "UP" : "DOWN"));
			json_object_object_add(o, "link_type",
					       json_object_new_string("ether"));
			json_object_object_add(o, "address", json_object_new_string(
						       ctl_jstr(br, "mac")));
			json_object_object_add(li, "info_kind",
					       json_object_new_string("bridge"));
			json_object_object_add(li, "info_data",
					       json_object_get(opt));
			json_object_object_add(o, "linkinfo", li);
			json_object_array_add(out, o);
			if (!ctl_opts.json) {
				print_ifindex(br);
				printf("%s: ", ctl_jstr(br, "name"));
				print_link_flags(up, true);
				printf(" mtu 1500 state %s\n", up ? "UP" : "DOWN");
				printf("    link/ether %s\n", ctl_jstr(br, "mac"));
				if (ctl_opts.details) {
					printf("    bridge");
					json_object_object_foreach(opt, k, v)
						printf(" %s %s", k,
						       json_object_get_string(v));
					printf(" bridge_id %s\n",
					       ctl_jstr(br, "bridge_id"));
				}
				if (bs)
					printf("    RX: packets %lld bytes %lld "
					       "forwarded %lld flooded %lld "
					       "dropped %lld\n",
					       (long long)ctl_jint(bs, "rx_packets"),
					       (long long)ctl_jint(bs, "rx_bytes"),
					       (long long)ctl_jint(bs, "forwarded"),
					       (long long)ctl_jint(bs, "flooded"),
					       (long long)ctl_jint(bs, "dropped"));
			}
		}
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			struct json_object *p = json_object_array_get_idx(ports, i);
			bool pup = ctl_jint(p, "up"), carrier = ctl_jint(p, "carrier");
			struct json_object *o, *li, *sd, *fl = NULL;

			if (filter && strcmp(filter, ctl_jstr(p, "name")))
				continue;
			found = true;
			o = json_object_new_object();
			li = json_object_new_object();
			sd = json_object_new_object();
			add_ifindex(o, p);
			json_object_object_add(o, "ifname", json_object_new_string(
						       ctl_jstr(p, "name")));
			json_object_object_add(o, "flags",
					       link_flags_json(pup, carrier));
			json_object_object_add(o, "mtu", json_object_new_int(
						       (int)ctl_jint(p, "mtu")));
			json_object_object_add(o, "master", json_object_new_string(
						       ctl_jstr(br, "name")));
			json_object_object_add(o, "operstate",
					       json_object_new_string(
						       pup && carrier ? "UP"
						       : "DOWN"));
			json_object_object_add(o, "link_type",
					       json_object_new_string("ether"));
			json_object_object_add(o, "address", json_object_new_string(
						       ctl_jstr(p, "mac")));
			json_object_object_add(li, "info_slave_kind",
					       json_object_new_string("bridge"));
			json_object_object_add(sd, "state", json_object_new_string(
						       ctl_jstr(p, "state")));
			json_object_object_add(sd, "priority", json_object_new_int(
						       (int)ctl_jint(p, "priority")));
			json_object_object_add(sd, "cost", json_object_new_int(
						       (int)ctl_jint(p, "cost")));
			if (json_object_object_get_ex(p, "flags", &fl)) {
				json_object_object_foreach(fl, k, v)
					json_object_object_add(sd, slave_key(k),
							       json_object_get(v));
			}
			json_object_object_add(li, "info_slave_data", sd);
			json_object_object_add(o, "linkinfo", li);
			json_object_object_add(o, "port_type",
					       json_object_new_string(
						       ctl_jstr(p, "type")));
			json_object_array_add(out, o);
			if (ctl_opts.json)
				continue;
			print_ifindex(p);
			printf("%s: ", ctl_jstr(p, "name"));
			print_link_flags(pup, carrier);
			printf(" mtu %d master %s state %s priority %d cost %d "
			       "type %s\n", (int)ctl_jint(p, "mtu"),
			       ctl_jstr(br, "name"), ctl_jstr(p, "state"),
			       (int)ctl_jint(p, "priority"), (int)ctl_jint(p, "cost"),
			       ctl_jstr(p, "type"));
			printf("    link/ether %s\n", ctl_jstr(p, "mac"));
			if (ctl_opts.details && fl) {
				printf("    ");
				json_object_object_foreach(fl, k, v)
					printf("%s %s ", slave_key(k),
					       json_object_get_boolean(v)
					       ? "on" : "off");
				printf("\n");
			}
			if (bs && ctl_opts.stats)
				print_port_stats(bs, ctl_jstr(p, "name"));
		}
	}
	if (show_standalone(filter, out, &found, &err)) {
		json_object_put(out);
		json_object_put(list);
		json_object_put(stats);
		return ctl_fail(&err);
	}
	if (filter && !found) {
		fprintf(stderr, "Device \"%s\" does not exist.\n", filter);
		json_object_put(out);
		json_object_put(list);
		json_object_put(stats);
		return CTL_EXIT_FAIL;
	}
	if (ctl_opts.json)
		ctl_print_json(out);
	json_object_put(out);
	json_object_put(list);
	json_object_put(stats);
	return 0;
}

int
ipr_link(int argc, char **argv)
{
	if (argc == 0)
		return link_show(0, argv);
	if (ctl_wants_help(argc, argv)) {
		link_usage(stdout);
		return 0;
	}
	/* Not in the usage: the option table for scripts and completion. */
	if (ctl_matches(argv[0], "options") && argc == 1) {
		for (int opt = 0; opt < BRIDGE_OPT_N; opt++)
			bridge_option_print(stdout, "", opt);
		return 0;
	}
	if (ctl_matches(argv[0], "add"))
		return link_add(argc - 1, argv + 1);
	if (ctl_matches(argv[0], "del") || ctl_matches(argv[0], "delete"))
		return link_del(argc - 1, argv + 1);
	if (ctl_matches(argv[0], "set"))
		return link_set(argc - 1, argv + 1);
	if (ctl_is_show(argv[0]))
		return link_show(argc - 1, argv + 1);
	return ctl_usage_error("link", "unknown link command '%s'", argv[0]);
}

/* --- bridge set: link set dev BR type bridge, in bridgectl's own words - */

int
own_bridge(int argc, char **argv)
{
	static char set[] = "set", dev[] = "dev", type[] = "type",
		    bridge[] = "bridge";
	char **args;
	int rc;

	if (argc < 1 || ctl_wants_help(argc, argv) || strcmp(argv[0], "set")) {
		if (argc >= 1 && ctl_wants_help(argc, argv)) {
			printf("Usage: bridgectl bridge set BRIDGE OPTION "
			       "VALUE...\n"
			       "The bridge options of 'link set BRIDGE type "
			       "bridge' (bridgectl link help lists them);\n"
			       "flags take 0|1 or on|off.\n");
			return 0;
		}
		return ctl_usage_error("bridge", "expected 'set BRIDGE OPTION "
				       "VALUE...'");
	}
	if (argc < 4)
		return ctl_usage_error("bridge", "bridge set: expected BRIDGE "
				       "and at least one OPTION VALUE");
	/* set dev BR type bridge OPTION VALUE... */
	args = xcalloc((size_t)argc + 4, sizeof *args);
	args[0] = set;
	args[1] = dev;
	args[2] = argv[1];
	args[3] = type;
	args[4] = bridge;
	for (int i = 2; i < argc; i++)
		args[i + 3] = argv[i];
	rc = ipr_link(argc + 3, args);
	free(args);
	return rc;
}
