/*
 * brctl.c - the bridge-utils (1.7) grammar and output, byte for byte.
 *
 * Usage text, argument-count checks (too few arguments only; extra ones are
 * ignored, as brctl does), messages and exit statuses follow brctl.  The
 * tables are read through bridge.list, stp.show and fdb.show.  Differences
 * that come from the switch being in userspace: "addif" of a device that
 * is not a port yet creates (or attaches to) a TAP of that name; a failed
 * setting is reported (brctl's sysfs writes can fail silently).
 */
#include "ctl.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge-options.h"
#include "util.h"

typedef int brctl_fn(int argc, char **argv);

struct brctl_cmd {
	int nargs;
	const char *name;
	brctl_fn *fn;
	const char *help;
};

static brctl_fn cmd_addbr, cmd_delbr, cmd_addif, cmd_delif, cmd_hairpin,
	cmd_setageing, cmd_setbridgeprio, cmd_setfd, cmd_sethello,
	cmd_setmaxage, cmd_setpathcost, cmd_setportprio, cmd_show,
	cmd_showmacs, cmd_showstp, cmd_stp;

static const struct brctl_cmd brctl_cmds[] = {
	{ 1, "addbr", cmd_addbr, "<bridge>\t\tadd bridge" },
	{ 1, "delbr", cmd_delbr, "<bridge>\t\tdelete bridge" },
	{ 2, "addif", cmd_addif, "<bridge> <device>\tadd interface to bridge" },
	{ 2, "delif", cmd_delif,
	  "<bridge> <device>\tdelete interface from bridge" },
	{ 3, "hairpin", cmd_hairpin,
	  "<bridge> <port> {on|off}\tturn hairpin on/off" },
	{ 2, "setageing", cmd_setageing, "<bridge> <time>\t\tset ageing time" },
	{ 2, "setbridgeprio", cmd_setbridgeprio,
	  "<bridge> <prio>\t\tset bridge priority" },
	{ 2, "setfd", cmd_setfd, "<bridge> <time>\t\tset bridge forward delay" },
	{ 2, "sethello", cmd_sethello, "<bridge> <time>\t\tset hello time" },
	{ 2, "setmaxage", cmd_setmaxage,
	  "<bridge> <time>\t\tset max message age" },
	{ 3, "setpathcost", cmd_setpathcost,
	  "<bridge> <port> <cost>\tset path cost" },
	{ 3, "setportprio", cmd_setportprio,
	  "<bridge> <port> <prio>\tset port priority" },
	{ 0, "show", cmd_show, "[ <bridge> ]\t\tshow a list of bridges" },
	{ 1, "showmacs", cmd_showmacs, "<bridge>\t\tshow a list of mac addrs" },
	{ 1, "showstp", cmd_showstp, "<bridge>\t\tshow bridge stp info" },
	{ 2, "stp", cmd_stp, "<bridge> {on|off}\tturn stp on/off" },
};

static const struct brctl_cmd *
lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(brctl_cmds); i++)
		if (!strcmp(brctl_cmds[i].name, name))
			return &brctl_cmds[i];
	return NULL;
}

bool
brctl_is_command(const char *name)
{
	return lookup(name) != NULL;
}

static void
help(void)
{
	printf("Usage: brctl [commands]\n");
	printf("commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(brctl_cmds); i++)
		printf("\t%-10s\t%s\n", brctl_cmds[i].name, brctl_cmds[i].help);
}

int
brctl_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ .name = "help", .val = 'h' },
		{ .name = "version", .val = 'V' },
		{ 0 }
	};
	const struct brctl_cmd *cmd;
	int f;

	optind = 1;
	opterr = 1;
	/* Options anywhere on the line, as bridge-utils' getopt finds them:
	 * so 'setageing br0 -1' is an unknown option (rc 1), not a time. */
	while ((f = getopt_long(argc, argv, "Vh", options, NULL)) != EOF) {
		switch (f) {
		case 'h':
			help();
			return 0;
		case 'V':
			printf("bridge-utils, 1.7.1 (bridgectl)\n");
			return 0;
		default:
			fprintf(stderr, "Unknown option '%c'\n", f);
			goto out_help;
		}
	}
	if (argc == optind)
		goto out_help;
	argc -= optind;
	argv += optind;
	cmd = lookup(argv[0]);
	if (!cmd) {
		fprintf(stderr, "never heard of command [%s]\n", argv[0]);
		goto out_help;
	}
	if (argc < cmd->nargs + 1) {
		printf("Incorrect number of arguments for command\n");
		printf("Usage: brctl %s %s\n", cmd->name, cmd->help);
		return 1;
	}
	return cmd->fn(argc, argv);

out_help:
	help();
	return 1;
}

/* Calls 'method'; a transport failure prints brctl's set-up message. */
static int
call(const char *method, struct json_object *params,
     struct json_object **result, struct rpc_error *err)
{
	int rc = rpc_call(method, params, result, err);

	if (rc && !err->code) {
		fprintf(stderr, "can't setup bridge control: %s\n",
			strerror(err->errnum ? err->errnum : EIO));
		err->code = 1;		/* reported */
		err->errnum = -1;
	}
	return rc;
}

static bool
reported(const struct rpc_error *err)
{
	return err->errnum == -1;
}

/* errno to show for an application error ('err->errnum', or EINVAL). */
static const char *
err_str(const struct rpc_error *err)
{
	return strerror(err->errnum > 0 ? err->errnum : EINVAL);
}

static int
cmd_addbr(int argc, char **argv)
{
	struct rpc_error err;
	struct json_object *opts;

	(void)argc;
	/* A new Linux bridge starts down. */
	opts = ctl_params("b", "up", 0, NULL);
	if (!call("bridge.add", ctl_params("s", "name", argv[1], "o", "options",
					   opts, NULL), NULL, &err))
		return 0;
	if (reported(&err))
		return 1;
	if (err.errnum == EEXIST)
		fprintf(stderr, "device %s already exists; can't create bridge "
			"with the same name\n", argv[1]);
	else
		fprintf(stderr, "add bridge failed: %s\n", err_str(&err));
	return 1;
}

static int
cmd_delbr(int argc, char **argv)
{
	struct rpc_error err;

	(void)argc;
	if (!call("bridge.del", ctl_params("s", "name", argv[1],
					   "b", "only_if_down", 1, NULL),
		  NULL, &err))
		return 0;
	if (reported(&err))
		return 1;
	if (err.errnum == ENXIO)
		fprintf(stderr, "bridge %s doesn't exist; can't delete it\n",
			argv[1]);
	else if (err.errnum == EBUSY)
		fprintf(stderr, "bridge %s is still up; can't delete it\n",
			argv[1]);
	else
		fprintf(stderr, "can't delete bridge %s: %s\n", argv[1],
			err_str(&err));
	return 1;
}

static int
cmd_addif(int argc, char **argv)
{
	const char *br = argv[1];

	for (int i = 2; i < argc; i++) {
		const char *ifname = argv[i];
		struct rpc_error err;

		if (!call("port.add", ctl_params("s", "bridge", br,
						 "s", "name", ifname,
						 "s", "type", "tap", NULL),
			  NULL, &err))
			continue;
		if (reported(&err))
			return 1;
		switch (err.errnum) {
		case ENODEV:
			if (!strncmp(err.message, "bridge ", 7))
				fprintf(stderr, "bridge %s does not exist!\n",
					br);
			else
				fprintf(stderr, "interface %s does not "
					"exist!\n", ifname);
			break;
		case EBUSY:
			fprintf(stderr, "device %s is already a member of a "
				"bridge; can't add it to bridge %s.\n", ifname,
				br);
			break;
		case ELOOP:
			fprintf(stderr, "device %s is a bridge device itself; "
				"can't add a bridge device to a bridge "
				"device.\n", ifname);
			break;
		default:
			fprintf(stderr, "can't add %s to bridge %s: %s\n",
				ifname, br, err_str(&err));
		}
		return 1;
	}
	return 0;
}

static int
cmd_delif(int argc, char **argv)
{
	const char *br = argv[1];

	for (int i = 2; i < argc; i++) {
		const char *ifname = argv[i];
		struct rpc_error err;

		if (!call("port.del", ctl_params("s", "name", ifname,
						 "s", "bridge", br, NULL),
			  NULL, &err))
			continue;
		if (reported(&err))
			return 1;
		if (err.errnum == ENODEV && !strncmp(err.message, "bridge ", 7))
			fprintf(stderr, "bridge %s does not exist!\n", br);
		else if (err.errnum == ENODEV)
			fprintf(stderr, "interface %s does not exist!\n",
				ifname);
		else if (err.errnum == EINVAL)
			fprintf(stderr, "device %s is not a port of %s\n",
				ifname, br);
		else
			fprintf(stderr, "can't delete %s from %s: %s\n",
				ifname, br, err_str(&err));
		return 1;
	}
	return 0;
}

/* Sets bridge option 'opt' (BRIDGE_OPTIONS) to 'value'; prints "'what'
 * failed: ERR".  brctl's commands are bridge-utils' fixed set, so a new
 * option of the table gets none here. */
static int
set_bridge(const char *br, enum bridge_opt opt, int64_t value,
	   const char *what)
{
	const char *key = bridge_opt_info[opt].name;
	struct rpc_error err;

	if (!call("bridge.set", ctl_params("s", "name", br, "o", "options",
					   ctl_params("i", key, value, NULL),
					   NULL), NULL, &err))
		return 0;
	if (!reported(&err))
		fprintf(stderr, "%s failed: %s\n", what,
			err.code == -32602 ? strerror(ERANGE) : err_str(&err));
	return 1;
}

/* Sets port option 'key' of 'port' (which must be a port of 'br'). */
static int
set_port(const char *br, const char *port, const char *key,
	 struct json_object *value, struct rpc_error *err)
{
	struct json_object *list, *p;
	const char *pbr = NULL;

	if (call("port.show", ctl_params("s", "name", port, NULL), &list, err)) {
		json_object_put(value);
		return -1;
	}
	p = json_object_array_get_idx(list, 0);
	if (p && json_object_object_get_ex(p, "bridge", &p))
		pbr = json_object_get_string(p);
	if (!pbr || strcmp(pbr, br)) {
		json_object_put(list);
		json_object_put(value);
		err->code = -32000;
		err->errnum = EINVAL;
		return -1;
	}
	json_object_put(list);
	p = ctl_params("s", "name", port, NULL);
	json_object_object_add(p, key, value);
	return call("port.set", p, NULL, err);
}

/* Parses brctl's "%lf" seconds into centiseconds. */
static bool
parse_seconds(const char *s, int64_t *cs)
{
	double secs;

	if (sscanf(s, "%lf", &secs) != 1 || !(secs > -1e9 && secs < 4e7))
		return false;
	*cs = (int64_t)(secs * 100 + (secs >= 0 ? 0.5 : -0.5));
	if (*cs < 0)
		*cs = 0;
	return true;
}

static int
cmd_setageing(int argc, char **argv)
{
	int64_t cs;

	(void)argc;
	if (!parse_seconds(argv[2], &cs)) {
		fprintf(stderr, "bad ageing time value\n");
		return 1;
	}
	return set_bridge(argv[1], BRIDGE_OPT_AGEING_TIME, cs,
			  "set ageing time");
}

static int
cmd_setbridgeprio(int argc, char **argv)
{
	int prio;

	(void)argc;
	if (sscanf(argv[2], "%i", &prio) != 1) {
		fprintf(stderr, "bad priority\n");
		return 1;
	}
	/* The kernel keeps the low 16 bits (sysfs priority is a u16). */
	return set_bridge(argv[1], BRIDGE_OPT_PRIORITY, (uint16_t)prio,
			  "set bridge priority");
}

static int
cmd_setfd(int argc, char **argv)
{
	int64_t cs;

	(void)argc;
	if (!parse_seconds(argv[2], &cs)) {
		fprintf(stderr, "bad forward delay value\n");
		return 1;
	}
	return set_bridge(argv[1], BRIDGE_OPT_FORWARD_DELAY, cs,
			  "set forward delay");
}

static int
cmd_sethello(int argc, char **argv)
{
	int64_t cs;

	(void)argc;
	if (!parse_seconds(argv[2], &cs)) {
		fprintf(stderr, "bad hello timer value\n");
		return 1;
	}
	return set_bridge(argv[1], BRIDGE_OPT_HELLO_TIME, cs, "set hello timer");
}

static int
cmd_setmaxage(int argc, char **argv)
{
	int64_t cs;

	(void)argc;
	if (!parse_seconds(argv[2], &cs)) {
		fprintf(stderr, "bad max age value\n");
		return 1;
	}
	return set_bridge(argv[1], BRIDGE_OPT_MAX_AGE, cs, "set max age");
}

static int
cmd_setpathcost(int argc, char **argv)
{
	struct rpc_error err;
	int cost;

	(void)argc;
	if (sscanf(argv[3], "%i", &cost) != 1) {
		fprintf(stderr, "bad path cost value\n");
		return 1;
	}
	if (!set_port(argv[1], argv[2], "cost", json_object_new_int(cost),
		      &err))
		return 0;
	if (!reported(&err))
		fprintf(stderr, "set path cost failed: %s\n",
			err.code == -32602 ? strerror(ERANGE) : err_str(&err));
	return 1;
}

static int
cmd_setportprio(int argc, char **argv)
{
	struct rpc_error err;
	int prio;

	(void)argc;
	if (sscanf(argv[3], "%i", &prio) != 1) {
		fprintf(stderr, "bad priority value\n");
		return 1;
	}
	if (!set_port(argv[1], argv[2], "priority", json_object_new_int(prio),
		      &err))
		return 0;
	if (!reported(&err))
		fprintf(stderr, "set port priority failed: %s\n",
			err.code == -32602 ? strerror(ERANGE) : err_str(&err));
	return 1;
}

/* brctl's on/yes/1 and off/no/0. */
static int
parse_onoff(const char *s, bool *on)
{
	if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "1"))
		*on = true;
	else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "0"))
		*on = false;
	else
		return -1;
	return 0;
}

static int
cmd_hairpin(int argc, char **argv)
{
	struct rpc_error err;
	bool on;

	(void)argc;
	if (parse_onoff(argv[3], &on)) {
		fprintf(stderr, "expect on/off for argument\n");
		return 1;
	}
	if (!set_port(argv[1], argv[2], "hairpin",
		      json_object_new_boolean(on), &err))
		return 0;
	if (!reported(&err))
		fprintf(stderr, "can't set %s to hairpin mode on bridge %s: "
			"%s\n", argv[2], argv[1], err_str(&err));
	return 1;
}

static int
cmd_stp(int argc, char **argv)
{
	bool on;

	(void)argc;
	if (parse_onoff(argv[2], &on)) {
		fprintf(stderr, "expect on/off for argument\n");
		return 1;
	}
	return set_bridge(argv[1], BRIDGE_OPT_STP_STATE, on, "set stp status");
}

/* Prints one "brctl show" row group. */
static void
show_bridge(struct json_object *br, int *count)
{
	struct json_object *ports;
	size_t n = 0;

	if ((*count)++ == 0)
		printf("bridge name\tbridge id\t\tSTP enabled\tinterfaces\n");
	printf("%s\t\t", ctl_jstr(br, "name"));
	printf("%s", ctl_jstr(br, "bridge_id"));
	printf("\t%s\t\t", ctl_jint(br, "stp_state") ? "yes" : "no");
	if (json_object_object_get_ex(br, "ports", &ports))
		n = json_object_array_length(ports);
	for (size_t i = 0; i < n; i++) {
		if (i)
			printf("\t\t\t\t\t\t\t");
		printf("%s\n", ctl_jstr(json_object_array_get_idx(ports, i),
				    "name"));
	}
	if (!n)
		printf("\n");
}

static int
cmd_show(int argc, char **argv)
{
	struct json_object *list;
	struct rpc_error err;
	int count = 0;

	if (call("bridge.list", NULL, &list, &err))
		return 1;
	if (argc == 1) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			show_bridge(json_object_array_get_idx(list, i), &count);
	} else {
		for (int a = 1; a < argc; a++) {
			struct json_object *br = NULL;

			for (size_t i = 0; i < json_object_array_length(list);
			     i++) {
				struct json_object *b =
					json_object_array_get_idx(list, i);

				if (!strcmp(ctl_jstr(b, "name"), argv[a]))
					br = b;
			}
			if (!br) {
				fflush(stdout);
				fprintf(stderr, "bridge %s does not exist!\n",
					argv[a]);
				json_object_put(list);
				return 1;
			}
			show_bridge(br, &count);
		}
	}
	json_object_put(list);
	return 0;
}

struct mac_row {
	char mac[18];
	int port_no;
	bool is_local;
	int64_t ageing_cs;
	int vlan;
};

static int
compare_rows(const void *a, const void *b)
{
	const struct mac_row *x = a, *y = b;
	int c = strcmp(x->mac, y->mac);

	return c ? c : x->vlan - y->vlan;
}

static void
print_timer(int64_t cs)
{
	printf("%4i.%.2i", (int)(cs / 100), (int)(cs % 100));
}

static int
cmd_showmacs(int argc, char **argv)
{
	struct json_object *list;
	struct mac_row *rows;
	struct rpc_error err;
	size_t n, k = 0;

	(void)argc;
	if (call("fdb.show", ctl_params("s", "br", argv[1], NULL), &list,
		 &err)) {
		if (!reported(&err))
			fprintf(stderr, "read of forward table failed: %s\n",
				err_str(&err));
		return 1;
	}
	n = json_object_array_length(list);
	rows = xcalloc(n + 1, sizeof *rows);
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(list, i);

		if (!ctl_jint(e, "port_no"))
			continue;	/* the bridge device's own entries */
		util_strlcpy(rows[k].mac, ctl_jstr(e, "mac"), sizeof rows[k].mac);
		rows[k].port_no = (int)ctl_jint(e, "port_no");
		rows[k].is_local = !strcmp(ctl_jstr(e, "state"), "permanent");
		rows[k].ageing_cs = ctl_jint(e, "ageing_timer_cs");
		rows[k].vlan = (int)ctl_jint(e, "vlan");
		k++;
	}
	qsort(rows, k, sizeof *rows, compare_rows);
	printf("port no\tmac addr\t\tis local?\tageing timer\n");
	for (size_t i = 0; i < k; i++) {
		printf("%3i\t", rows[i].port_no);
		printf("%s\t", rows[i].mac);
		printf("%s\t\t", rows[i].is_local ? "yes" : "no");
		print_timer(rows[i].ageing_cs);
		printf("\n");
	}
	free(rows);
	json_object_put(list);
	return 0;
}

static int
cmd_showstp(int argc, char **argv)
{
	struct json_object *s, *ports;
	struct rpc_error err;

	(void)argc;
	if (call("stp.show", ctl_params("s", "bridge", argv[1], NULL), &s,
		 &err)) {
		if (reported(&err))
			return 1;
		if (err.errnum == EINVAL)
			fprintf(stderr, "device %s is not a bridge!\n", argv[1]);
		else
			fprintf(stderr, "bridge %s does not exist!\n", argv[1]);
		return 1;
	}
	printf("%s\n", argv[1]);
	printf(" bridge id\t\t%s", ctl_jstr(s, "bridge_id"));
	printf("\n designated root\t%s", ctl_jstr(s, "designated_root"));
	printf("\n root port\t\t%4i\t\t\t", (int)ctl_jint(s, "root_port"));
	printf("path cost\t\t%4i\n", (int)ctl_jint(s, "root_path_cost"));
	printf(" max age\t\t");
	print_timer(ctl_jint(s, "max_age"));
	printf("\t\t\tbridge max age\t\t");
	print_timer(ctl_jint(s, "bridge_max_age"));
	printf("\n hello time\t\t");
	print_timer(ctl_jint(s, "hello_time"));
	printf("\t\t\tbridge hello time\t");
	print_timer(ctl_jint(s, "bridge_hello_time"));
	printf("\n forward delay\t\t");
	print_timer(ctl_jint(s, "forward_delay"));
	printf("\t\t\tbridge forward delay\t");
	print_timer(ctl_jint(s, "bridge_forward_delay"));
	printf("\n ageing time\t\t");
	print_timer(ctl_jint(s, "ageing_time"));
	printf("\n hello timer\t\t");
	print_timer(ctl_jint(s, "hello_timer"));
	printf("\t\t\ttcn timer\t\t");
	print_timer(ctl_jint(s, "tcn_timer"));
	printf("\n topology change timer\t");
	print_timer(ctl_jint(s, "topology_change_timer"));
	printf("\t\t\tgc timer\t\t");
	print_timer(ctl_jint(s, "gc_timer"));
	printf("\n flags\t\t\t");
	if (ctl_jint(s, "topology_change"))
		printf("TOPOLOGY_CHANGE ");
	if (ctl_jint(s, "topology_change_detected"))
		printf("TOPOLOGY_CHANGE_DETECTED ");
	printf("\n\n\n");
	if (json_object_object_get_ex(s, "ports", &ports)) {
		for (size_t i = 0; i < json_object_array_length(ports); i++) {
			struct json_object *p =
				json_object_array_get_idx(ports, i);

			printf("%s (%d)\n", ctl_jstr(p, "name"),
			       (int)ctl_jint(p, "port_no"));
			printf(" port id\t\t%s", ctl_jstr(p, "port_id"));
			printf("\t\t\tstate\t\t%15s\n", ctl_jstr(p, "state"));
			printf(" designated root\t%s",
			       ctl_jstr(p, "designated_root"));
			printf("\tpath cost\t\t%4i\n", (int)ctl_jint(p, "path_cost"));
			printf(" designated bridge\t%s",
			       ctl_jstr(p, "designated_bridge"));
			printf("\tmessage age timer\t");
			print_timer(ctl_jint(p, "message_age_timer"));
			printf("\n designated port\t%s",
			       ctl_jstr(p, "designated_port"));
			printf("\t\t\tforward delay timer\t");
			print_timer(ctl_jint(p, "forward_delay_timer"));
			printf("\n designated cost\t%4i",
			       (int)ctl_jint(p, "designated_cost"));
			printf("\t\t\thold timer\t\t");
			print_timer(ctl_jint(p, "hold_timer"));
			printf("\n flags\t\t\t");
			if (ctl_jint(p, "config_pending"))
				printf("CONFIG_PENDING ");
			if (ctl_jint(p, "change_ack"))
				printf("TOPOLOGY_CHANGE_ACK ");
			if (ctl_jint(p, "hairpin"))
				printf("\n hairpin mode\t\t%4i", 1);
			printf("\n\n");
		}
	}
	json_object_put(s);
	return 0;
}
