/*
 * own.c - bridgectl's own commands, for what neither brctl nor iproute2
 * has: ports of any type, statistics with drop reasons, the daemon's
 * clock, the event monitor, daemon information.
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "port-options.h"
#include "util.h"

/* --- port ------------------------------------------------------------------ */

/* Writes one PORT_OPTIONS line: name, values, default, refused bits, help.
 * 'port options' prints these alone, for scripts and bash completion. */
static void
port_option_print(FILE *f, const char *indent, enum port_opt opt)
{
	const struct port_opt_info *info = &port_opt_info[opt];
	char values[2 * PORT_OPT_STRLEN + 2], def[PORT_OPT_STRLEN];
	char refuse[16] = "-";

	if (info->is_flag) {
		snprintf(values, sizeof values, "on|off");
		snprintf(def, sizeof def, "%s", info->def ? "on" : "off");
	} else {
		char lo[PORT_OPT_STRLEN], hi[PORT_OPT_STRLEN];

		snprintf(values, sizeof values, "%s..%s",
			 port_opt_format(opt, info->min, lo),
			 port_opt_format(opt, info->max, hi));
		if (info->def == PORT_OPT_AUTO)
			snprintf(def, sizeof def, "auto");
		else
			port_opt_format(opt, (uint32_t)info->def, def);
		if (info->refuse)
			snprintf(refuse, sizeof refuse, "0x%04x", info->refuse);
	}
	fprintf(f, "%s%-15s %-10s %-5s %-6s %s\n", indent, info->name, values,
		def, refuse, info->help);
}

/* The port types the daemon has registered (port.types), or NULL with
 * '*err' filled.  The caller puts the list. */
static struct json_object *
port_types(struct rpc_error *err)
{
	struct json_object *types;

	return rpc_call("port.types", NULL, &types, err) ? NULL : types;
}

/* Writes one type's creation arguments, as its usage line and one line of
 * help per argument. */
static void
port_type_print(FILE *f, struct json_object *t)
{
	struct json_object *args;

	fprintf(f, "         %s:\n", ctl_jstr(t, "type"));
	json_object_object_get_ex(t, "args", &args);
	for (size_t i = 0; i < json_object_array_length(args); i++) {
		struct json_object *a = json_object_array_get_idx(args, i);
		const char *kind = ctl_jstr(a, "kind"), *name = ctl_jstr(a, "name");
		const char *value = !strcmp(kind, "flag") ? ""
				    : !strcmp(kind, "choice") ? ctl_jstr(a, "choices")
				    : !strcmp(kind, "mac") ? "MAC"
				    : !strcmp(kind, "number") ? ctl_jstr(a, "range")
				    : !strcmp(kind, "ip") ? "IP"
				    : !strcmp(kind, "ip-list") ? "IP[,IP...]"
				    : "VALUE";
		bool opt = !ctl_jint(a, "required");
		char word[96];

		snprintf(word, sizeof word, "%s%s%s%s%s", opt ? "[" : "", name,
			 *value ? " " : "", value, opt ? "]" : "");
		fprintf(f, "           %-30s %s\n", word, ctl_jstr(a, "help"));
	}
}

/* The usage; the port types and their arguments come from the daemon, so
 * bridgectl knows none of them. */
static void
port_usage(FILE *f)
{
	struct json_object *types;
	struct rpc_error err;

	fprintf(f,
"Usage: bridgectl port add BRIDGE NAME type TYPE [ARG [VALUE]]...\n");
	if ((types = port_types(&err))) {
		for (size_t i = 0; i < json_object_array_length(types); i++)
			port_type_print(f, json_object_array_get_idx(types, i));
		json_object_put(types);
	} else {
		fprintf(f, "         (the daemon lists each TYPE and its ARGs: "
			"%s)\n", err.message);
	}
	fprintf(f,
"       bridgectl port del NAME [--destroy]\n"
"       bridgectl port set NAME [OPTION VALUE]... [state STATE] [up|down]\n"
"       bridgectl port show [NAME]\n"
"\n"
"Port set OPTIONs (name, values, default, refused bits, meaning):\n");
	for (int opt = 0; opt < PORT_OPT_N; opt++)
		port_option_print(f, "  ", opt);
}

/* The argument of type 't' that word 'w' names (by name or alias), or
 * whose choices include 'w' if 'bare'; NULL if none. */
static struct json_object *
port_arg_lookup(struct json_object *t, const char *w, bool bare)
{
	struct json_object *args;

	json_object_object_get_ex(t, "args", &args);
	for (size_t i = 0; i < json_object_array_length(args); i++) {
		struct json_object *a = json_object_array_get_idx(args, i);
		const char *c = ctl_jstr(a, "choices");
		size_t len = strlen(w);

		if (!bare && (!strcmp(ctl_jstr(a, "name"), w) ||
			      !strcmp(ctl_jstr(a, "alias"), w)))
			return a;
		for (; bare && len && *c; c += strcspn(c, "|"), c += !!*c)
			if (!strncmp(c, w, len) && (c[len] == '|' || !c[len]))
				return a;
	}
	return NULL;
}

/* Turns the words after 'type TYPE' into port.add args by the type's
 * argument list from the daemon: a flag is a bare word, a choice value
 * may stand alone, anything else is "KEY VALUE".  Values are the
 * daemon's to check. */
static int
port_add_words(struct json_object *t, int argc, char **argv,
	       struct json_object *args)
{
	for (int i = 0; i < argc; i++) {
		struct json_object *a = port_arg_lookup(t, argv[i], false);

		if (!a && (a = port_arg_lookup(t, argv[i], true))) {
			json_object_object_add(args, ctl_jstr(a, "name"),
					       json_object_new_string(argv[i]));
			continue;
		}
		if (!a)
			return ctl_usage_error("port", "unknown port argument "
					       "'%s' for type %s", argv[i],
					       ctl_jstr(t, "type"));
		if (!strcmp(ctl_jstr(a, "kind"), "flag")) {
			json_object_object_add(args, ctl_jstr(a, "name"),
					       json_object_new_boolean(true));
			continue;
		}
		if (i + 1 == argc)
			return ctl_usage_error("port", "'%s' needs a value",
					       argv[i]);
		json_object_object_add(args, ctl_jstr(a, "name"),
				       json_object_new_string(argv[++i]));
	}
	return 0;
}

static int
port_add(int argc, char **argv)
{
	struct json_object *types, *t = NULL, *args;
	const char *type;
	struct rpc_error err;
	int st;

	if (argc < 4 || strcmp(argv[2], "type"))
		return ctl_usage_error("port", "port add: expected BRIDGE NAME "
				       "type TYPE [ARG [VALUE]]...");
	type = argv[3];
	if (!(types = port_types(&err)))
		return ctl_fail(&err);
	for (size_t i = 0; i < json_object_array_length(types) && !t; i++)
		if (!strcmp(ctl_jstr(json_object_array_get_idx(types, i),
				     "type"), type))
			t = json_object_array_get_idx(types, i);
	if (!t) {
		char names[256] = "";

		for (size_t i = 0; i < json_object_array_length(types); i++)
			snprintf(names + strlen(names),
				 sizeof names - strlen(names), "%s%s",
				 i ? ", " : "",
				 ctl_jstr(json_object_array_get_idx(types, i),
					  "type"));
		json_object_put(types);
		return ctl_usage_error("port", "unknown port type '%s' (%s)",
				       type, names);
	}
	args = json_object_new_object();
	if ((st = port_add_words(t, argc - 4, argv + 4, args))) {
		json_object_put(args);
		json_object_put(types);
		return st;
	}
	json_object_put(types);
	if (rpc_call("port.add", ctl_params("s", "bridge", argv[0],
					    "s", "name", argv[1],
					    "s", "type", type,
					    "o", "args", args, NULL),
		     NULL, &err))
		return ctl_fail(&err);
	return 0;
}

int
ctl_port_setting(const char *cmd, const char *w, const char *v,
		 struct json_object *p)
{
	static const char *const states[] = {
		"disabled", "listening", "learning", "forwarding", "blocking",
	};
	const struct port_opt_info *info;
	uint64_t n;
	uint32_t u;
	int opt;
	bool b;

	if (!strcmp(w, "state")) {
		if (!v)
			return ctl_usage_error(cmd, "'state' needs a value"), -1;
		/* iproute2 writes the state as its number (0..4). */
		if (!ctl_parse_u64(v, 4, &n))
			v = states[n];
		json_object_object_add(p, "state", json_object_new_string(v));
		return 2;
	}
	if (!strcmp(w, "carrier")) {
		/* ip link set dev X carrier on|off: a simulated cable pull */
		if (!v || util_parse_bool(v, &b))
			return ctl_usage_error(cmd, "carrier: expected on or "
					       "off"), -1;
		json_object_object_add(p, "carrier",
				       json_object_new_boolean(b));
		return 2;
	}
	if ((opt = port_opt_lookup_word(w)) < 0)
		return 0;
	if (!v)
		return ctl_usage_error(cmd, "'%s' needs a value", w), -1;
	info = &port_opt_info[opt];
	if (info->is_flag) {
		if (util_parse_bool(v, &b))
			return ctl_usage_error(cmd, "%s '%s': expected on or "
					       "off", w, v), -1;
		json_object_object_add(p, info->name,
				       json_object_new_boolean(b));
		return 2;
	}
	if (port_opt_parse(opt, v, &u) || u < info->min || u > info->max) {
		char lo[PORT_OPT_STRLEN], hi[PORT_OPT_STRLEN];

		return ctl_usage_error(cmd, "%s '%s': expected %s %s..%s", w,
				       v, info->decimals ? "a number"
							 : "an integer",
				       port_opt_format(opt, info->min, lo),
				       port_opt_format(opt, info->max, hi)),
		       -1;
	}
	json_object_object_add(p, info->name, port_opt_json(opt, u));
	return 2;
}

/* Builds the port.set parameters from the PORT_OPTIONS table; the daemon
 * checks the same ranges again, and the refused bits. */
static int
port_set(int argc, char **argv)
{
	struct json_object *p;
	struct rpc_error err;

	if (argc < 2)
		return ctl_usage_error("port", "port set: expected NAME and "
				       "at least one setting");
	p = ctl_params("s", "name", argv[0], NULL);
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int n;

		if (!strcmp(w, "up") || !strcmp(w, "down")) {
			json_object_object_add(p, "up", json_object_new_boolean(
						       !strcmp(w, "up")));
			continue;
		}
		n = ctl_port_setting("port", w, v, p);
		if (n <= 0) {
			json_object_put(p);
			return n < 0 ? CTL_EXIT_USAGE
				     : ctl_usage_error("port", "unknown port "
						       "setting '%s'", w);
		}
		i += n - 1;
	}
	if (rpc_call("port.set", p, NULL, &err))
		return ctl_fail(&err);
	return 0;
}

static int
port_show(int argc, char **argv)
{
	struct json_object *list;
	struct rpc_error err;

	if (argc > 1)
		return ctl_usage_error("port", "unexpected argument '%s'",
				       argv[1]);
	if (rpc_call("port.show", argc ? ctl_params("s", "name", argv[0], NULL)
		     : NULL, &list, &err))
		return ctl_fail(&err);
	if (ctl_opts.json) {
		ctl_print_json(list);
	} else {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *p = json_object_array_get_idx(list,
									  i);

			const char *missing = ctl_jstr(p, "missing");

			printf("%s: bridge %s port %lld type %s state %s mac %s "
			       "mtu %lld %s%s cost %lld priority %lld%s%s\n",
			       ctl_jstr(p, "name"), ctl_jstr(p, "bridge"),
			       ctl_jint(p, "port_no"), ctl_jstr(p, "type"),
			       ctl_jstr(p, "state"), ctl_jstr(p, "mac"), ctl_jint(p, "mtu"),
			       ctl_jint(p, "up") ? "up" : "down",
			       ctl_jint(p, "carrier") ? "" : " no-carrier",
			       ctl_jint(p, "cost"), ctl_jint(p, "priority"),
			       *missing ? " missing: " : "", missing);
		}
	}
	json_object_put(list);
	return 0;
}

int
own_port(int argc, char **argv)
{
	if (argc == 0 || ctl_wants_help(argc, argv)) {
		port_usage(argc ? stdout : stderr);
		return argc ? 0 : CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[0], "add"))
		return port_add(argc - 1, argv + 1);
	if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete")) {
		struct rpc_error err;

		bool destroy = argc == 3 && (!strcmp(argv[2], "--destroy") ||
					     !strcmp(argv[2], "destroy"));

		if (argc != 2 && !destroy)
			return ctl_usage_error("port", "port del: expected "
					       "NAME [--destroy]");
		/* The device stays, as after brctl delif, unless --destroy
		 * (a TAP vswitchd made is then removed). */
		if (rpc_call("port.del", ctl_params("s", "name", argv[1],
						    "b", "destroy", destroy,
						    NULL),
			     NULL, &err))
			return ctl_fail(&err);
		return 0;
	}
	if (!strcmp(argv[0], "set"))
		return port_set(argc - 1, argv + 1);
	/* Not in the usage: the option table for scripts and completion. */
	if (!strcmp(argv[0], "options") && argc == 1) {
		for (int opt = 0; opt < PORT_OPT_N; opt++)
			port_option_print(stdout, "", opt);
		return 0;
	}
	if (!strcmp(argv[0], "show") || !strcmp(argv[0], "list"))
		return port_show(argc - 1, argv + 1);
	return ctl_usage_error("port", "unknown port command '%s'", argv[0]);
}

/* --- stats ----------------------------------------------------------------- */

/* Prints the non-zero members of object 'o'.'key', each " name N";
 * returns how many. */
static int
print_nonzero(struct json_object *o, const char *key)
{
	struct json_object *d;
	int n = 0;

	if (!json_object_object_get_ex(o, key, &d))
		return 0;
	json_object_object_foreach(d, k, v) {
		if (json_object_get_int64(v)) {
			printf(" %s %lld", k,
			       (long long)json_object_get_int64(v));
			n++;
		}
	}
	return n;
}

/* Prints the port's class counters (stats.get puts them in an object
 * member other than "drops": "vhost" for vhost-user), one line under the
 * port's type name, or " none" when all are zero. */
static void
print_class_counters(struct json_object *q)
{
	json_object_object_foreach(q, key, val) {
		if (!json_object_is_type(val, json_type_object) ||
		    !strcmp(key, "drops"))
			continue;
		printf("    %s:", *ctl_jstr(q, "type") ? ctl_jstr(q, "type")
						    : key);
		if (!print_nonzero(q, key))
			printf(" none");
		printf("\n");
	}
}

int
own_stats(int argc, char **argv)
{
	struct json_object *list, *p = NULL;
	struct rpc_error err;

	if (ctl_wants_help(argc, argv)) {
		printf("Usage: bridgectl [-j] stats [BRIDGE | DEV]\n");
		return 0;
	}
	if (argc > 1)
		return ctl_usage_error("stats", "unexpected argument '%s'",
				       argv[1]);
	if (argc == 1) {
		struct json_object *bl;

		/* A bridge name or a port name. */
		if (rpc_call("bridge.list", ctl_params("s", "name", argv[0],
						       NULL), &bl, &err)) {
			if (err.errnum != ENODEV)
				return ctl_fail(&err);
			p = ctl_params("s", "dev", argv[0], NULL);
		} else {
			json_object_put(bl);
			p = ctl_params("s", "bridge", argv[0], NULL);
		}
	}
	if (rpc_call("stats.get", p, &list, &err))
		return ctl_fail(&err);
	if (ctl_opts.json) {
		ctl_print_json(list);
		json_object_put(list);
		return 0;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *b = json_object_array_get_idx(list, i), *ps;

		printf("%s: rx %lld pkts %lld bytes, forwarded %lld, flooded "
		       "%lld, to host %lld, dropped %lld, learned %lld, moved "
		       "%lld, learn_full %lld, fdb %lld entries (%lld learned)\n",
		       ctl_jstr(b, "name"), ctl_jint(b, "rx_packets"),
		       ctl_jint(b, "rx_bytes"), ctl_jint(b, "forwarded"),
		       ctl_jint(b, "flooded"), ctl_jint(b, "to_host"),
		       ctl_jint(b, "dropped"), ctl_jint(b, "learned"), ctl_jint(b, "moved"),
		       ctl_jint(b, "learn_full"), ctl_jint(b, "fdb_entries"),
		       ctl_jint(b, "fdb_learned"));
		json_object_object_get_ex(b, "ports", &ps);
		for (size_t k = 0; k < json_object_array_length(ps); k++) {
			struct json_object *q = json_object_array_get_idx(ps, k);

			printf("  %s (%lld): rx %lld pkts %lld bytes, tx %lld "
			       "pkts %lld bytes, dropped %lld",
			       ctl_jstr(q, "name"), ctl_jint(q, "port_no"),
			       ctl_jint(q, "rx_packets"), ctl_jint(q, "rx_bytes"),
			       ctl_jint(q, "tx_packets"), ctl_jint(q, "tx_bytes"),
			       ctl_jint(q, "dropped"));
			print_nonzero(q, "drops");
			printf("\n");
			print_class_counters(q);
		}
	}
	json_object_put(list);
	return 0;
}

/* --- debug, monitor, info ---------------------------------------- */

int
own_debug(int argc, char **argv)
{
	struct json_object *p, *res;
	struct rpc_error err;
	uint64_t ms;

	if (ctl_wants_help(argc, argv)) {
		printf("Usage: bridgectl debug time {stop | resume | warp MS}\n"
		       "Freezes, resumes or advances the switch clock (FDB "
		       "ageing, STP timers).\n");
		return 0;
	}
	if (argc < 2 || strcmp(argv[0], "time"))
		return ctl_usage_error("debug", "expected 'time stop', 'time "
				       "resume' or 'time warp MS'");
	if (!strcmp(argv[1], "stop") || !strcmp(argv[1], "resume")) {
		if (argc != 2)
			return ctl_usage_error("debug", "unexpected argument "
					       "'%s'", argv[2]);
		p = ctl_params("s", "op", argv[1], NULL);
	} else if (!strcmp(argv[1], "warp")) {
		if (argc != 3)
			return ctl_usage_error("debug", "debug time warp needs "
					       "exactly one MS");
		if (ctl_parse_u64(argv[2], (uint64_t)1 << 40, &ms))
			return ctl_usage_error("debug", "warp '%s': expected "
					       "milliseconds", argv[2]);
		p = ctl_params("s", "op", "warp", "i", "ms", (int64_t)ms, NULL);
	} else {
		return ctl_usage_error("debug", "unknown time operation '%s'",
				       argv[1]);
	}
	if (rpc_call("debug.time", p, &res, &err))
		return ctl_fail(&err);
	printf("clock %lld ms%s\n", ctl_jint(res, "clock_ms"),
	       ctl_jint(res, "frozen") ? " (stopped)" : "");
	json_object_put(res);
	return 0;
}

/* Prints event 'p' as iproute2's "bridge monitor" does: one line, with a
 * "Deleted " prefix for removals. */
static void
print_event(struct json_object *p)
{
	const char *topic = ctl_jstr(p, "topic"), *action = ctl_jstr(p, "action");
	const char *master = ctl_jstr(p, "master");

	if (!strcmp(topic, "fdb")) {
		const char *state = ctl_jstr(p, "state");

		printf("%s%s dev %s", !strcmp(action, "del") ? "Deleted " : "",
		       ctl_jstr(p, "mac"), ctl_jstr(p, "ifname"));
		if (ctl_jint(p, "vlan"))
			printf(" vlan %lld", ctl_jint(p, "vlan"));
		if (*master)
			printf(" master %s", master);
		if (*state)
			printf(" %s", state);
		printf("\n");
	} else if (!strcmp(topic, "stp") && !strcmp(action, "state")) {
		printf("%lld: %s master %s state %s\n", ctl_jint(p, "port_no"),
		       ctl_jstr(p, "ifname"), master, ctl_jstr(p, "state"));
	} else if (!strcmp(topic, "stp")) {
		printf("%s: topology change %s\n", master,
		       ctl_jint(p, "active") ? "detected" : "over");
	} else {
		printf("%s%s:", !strcmp(action, "del") ? "Deleted " : "",
		       ctl_jstr(p, "ifname"));
		if (*master && strcmp(master, ctl_jstr(p, "ifname")))
			printf(" master %s", master);
		if (*ctl_jstr(p, "operstate"))
			printf(" state %s", ctl_jstr(p, "operstate"));
		printf("\n");
	}
}

int
own_monitor(int argc, char **argv)
{
	struct json_object *topics = json_object_new_array(), *res, *ev;
	struct rpc_error err;

	if (ctl_wants_help(argc, argv)) {
		json_object_put(topics);
		printf("Usage: bridgectl [-j] monitor [fdb | stp | link | all]...\n"
		       "Prints FDB, STP and link events as they happen, one "
		       "line each as\n\"bridge monitor\" does (-j: one JSON "
		       "object each), until interrupted.\n");
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "fdb") && strcmp(argv[i], "stp") &&
		    strcmp(argv[i], "link") && strcmp(argv[i], "all")) {
			json_object_put(topics);
			return ctl_usage_error("monitor", "unknown topic '%s'",
					       argv[i]);
		}
		if (strcmp(argv[i], "all"))
			json_object_array_add(topics,
					      json_object_new_string(argv[i]));
	}
	if (!json_object_array_length(topics)) {
		json_object_put(topics);
		topics = NULL;
	}
	if (rpc_call("monitor.subscribe", topics ? ctl_params("o", "topics",
							      topics, NULL)
		     : NULL, &res, &err))
		return ctl_fail(&err);
	json_object_put(res);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((ev = rpc_next_notification())) {
		struct json_object *params;

		if (json_object_object_get_ex(ev, "params", &params)) {
			if (ctl_opts.json)
				ctl_print_json(params);
			else
				print_event(params);
		}
		json_object_put(ev);
	}
	return 0;
}

int
own_info(int argc, char **argv)
{
	struct json_object *res;
	struct rpc_error err;

	if (ctl_wants_help(argc, argv)) {
		printf("Usage: bridgectl [-j] info\n");
		return 0;
	}
	if (argc)
		return ctl_usage_error("info", "unexpected argument '%s'",
				       argv[0]);
	if (rpc_call("daemon.info", NULL, &res, &err))
		return ctl_fail(&err);
	if (ctl_opts.json) {
		ctl_print_json(res);
	} else {
		json_object_object_foreach(res, k, v)
			printf("%s: %s\n", k, v ? json_object_get_string(v)
						: "-");
	}
	json_object_put(res);
	return 0;
}
