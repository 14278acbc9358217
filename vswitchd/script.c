/*
 * script.c - the setup-command interpreter (see script.h).
 *
 * Commands map one to one onto the bridge API, so a command accepted here
 * behaves exactly as the same change made over the control socket.  Like a
 * request there, a line takes effect whole or not at all: its words are
 * checked before anything changes, and a part the bridge refuses puts back
 * what the parts before it changed (bridge_restore(),
 * bridge_port_restore()), or removes the bridge a 'bridge add' created.
 */
#include "script.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bridge.h"
#include "daemon.h"
#include "dp-trace-run.h"
#include "fdb.h"
#include "log.h"
#include "port-provider.h"
#include "port-tap.h"
#include "trace-text.h"
#include "util.h"

#define MAX_ARGS 64

struct script_at {
	uint64_t ns;
	char *line;
	unsigned lineno;
	struct script_at *next;
};

/* Prints "FILE:LINE: message" on stderr and returns 'err'. */
static int UTIL_PRINTF(3, 4)
fail(const struct script_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	if (ctx->file)
		fprintf(stderr, "%s:%u: ", ctx->file, ctx->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return err < 0 ? err : -EINVAL;
}

static int
need(const struct script_ctx *ctx, int argc, int i, const char *what)
{
	if (i >= argc)
		return fail(ctx, -EINVAL, "%s: missing value", what);
	return 0;
}

static int
parse_num(const struct script_ctx *ctx, const char *kw, const char *s,
	  unsigned long max, unsigned long *out)
{
	int err = util_parse_ulong(s, max, out);

	if (err)
		return fail(ctx, err, "%s: bad value '%s' (expected 0..%lu)",
			    kw, s, max);
	return 0;
}

static int
parse_onoff(const struct script_ctx *ctx, const char *kw, const char *s,
	    bool *out)
{
	if (util_parse_bool(s, out))
		return fail(ctx, -EINVAL, "%s: expected on or off, not '%s'",
			    kw, s);
	return 0;
}

static struct bridge *
find_bridge(const struct script_ctx *ctx, const char *name)
{
	struct bridge *br = bridge_lookup(name);

	if (!br)
		fail(ctx, -ENODEV, "bridge %s does not exist", name);
	return br;
}

/* 'bridge add|set NAME OPTION VALUE...': the BRIDGE_OPTIONS table
 * (lib/bridge-options.h) by name or alias, and 'address', read into one
 * change that the bridge applies whole (bridge_change_apply(): in table
 * order, as every front-end).  A value is malformed beyond what its type
 * can hold; the range is the bridge's to check, so its refusal names the
 * bridge like any other.  'word[]' keeps each option's words for that
 * message. */
struct bridge_words {
	struct bridge_change c;
	const char *word[BRIDGE_OPT_N + 1][2];	/* and the MAC's */
};

static int
parse_bridge_option(const struct script_ctx *ctx, const char *kw,
		    const char *val, struct bridge_words *bw)
{
	unsigned long v;
	bool on;
	int opt, err;

	if (!strcmp(kw, "address")) {
		if (eth_addr_parse(val, &bw->c.mac))
			return fail(ctx, -EINVAL, "address: bad MAC '%s'", val);
		bw->c.has_mac = true;
		opt = BRIDGE_CHANGE_MAC;
	} else if ((opt = bridge_opt_lookup(kw)) < 0) {
		return fail(ctx, -EINVAL, "bridge: unknown option '%s'", kw);
	} else if (bridge_opt_info[opt].type == BRIDGE_OPT_TPID) {
		uint16_t tpid;

		if (vlan_parse_protocol(val, &tpid))
			return fail(ctx, -EINVAL, "%s: expected 802.1Q or "
				    "802.1ad, not '%s'", kw, val);
		bw->c.val[opt] = tpid;
		bw->c.given[opt] = true;
	} else if (bridge_opt_info[opt].type == BRIDGE_OPT_BOOL &&
		   !util_parse_bool(val, &on)) {
		bw->c.val[opt] = on;	/* 0|1, or on|off as port flags */
		bw->c.given[opt] = true;
	} else {
		if ((err = parse_num(ctx, kw, val, bridge_opt_type_limit(
					     bridge_opt_info[opt].type), &v)))
			return err;
		bw->c.val[opt] = (uint32_t)v;
		bw->c.given[opt] = true;
	}
	/* A later pair for the same option wins, as it did when lines
	 * applied pair by pair. */
	bw->word[opt][0] = kw;
	bw->word[opt][1] = val;
	return 0;
}

/* The OPTION VALUE pairs of 'bridge add|set' (argv[3..]): all or none.
 * On a refusal a bridge the line 'created' is destroyed; one it did not
 * is as before (bridge_change_apply()). */
static int
apply_bridge_options(const struct script_ctx *ctx, struct bridge *br,
		     int argc, char **argv, bool created)
{
	struct bridge_words bw;
	int err = 0, opt;

	memset(&bw, 0, sizeof bw);
	for (int i = 3; i + 1 < argc && !err; i += 2)
		err = parse_bridge_option(ctx, argv[i], argv[i + 1], &bw);
	if (!err && (err = bridge_change_apply(br, &bw.c, &opt)))
		fail(ctx, err, "%s: %s %s: %s", br->name, bw.word[opt][0],
		     bw.word[opt][1], strerror(-err));
	if (err && created)
		bridge_destroy(br);
	else if (!err && !created)
		bridge_settings_changed(br, NULL);
	return err;
}

static int
cmd_bridge(struct script_ctx *ctx, int argc, char **argv)
{
	struct bridge *br;
	int err;

	if (argc < 3 || (argc % 2) == 0)
		return fail(ctx, -EINVAL,
			    "usage: bridge add|set|del NAME [OPTION VALUE]...");
	if (!strcmp(argv[1], "add")) {
		err = bridge_create(argv[2], NULL, daemon_loop(), &br);
		if (err == -EEXIST)
			return fail(ctx, err, "device %s already exists",
				    argv[2]);
		if (err == -EINVAL)
			return fail(ctx, err, "bridge add: bad name '%s'",
				    argv[2]);
		if (err)
			return fail(ctx, err, "bridge add %s: %s", argv[2],
				    strerror(-err));
		if (!ctx->replay) {
			err = port_tap_attach_host(br);
			if (err) {
				bridge_destroy(br);
				return fail(ctx, err, "bridge add %s: cannot create "
					    "its host device: %s", argv[2],
					    strerror(-err));
			}
		}
	} else if (!strcmp(argv[1], "set")) {
		if (!(br = find_bridge(ctx, argv[2])))
			return -ENODEV;
	} else if (!strcmp(argv[1], "del") && argc == 3) {
		if (!(br = find_bridge(ctx, argv[2])))
			return -ENODEV;
		bridge_destroy(br);
		return 0;
	} else {
		return fail(ctx, -EINVAL, "bridge: unknown action '%s'",
			    argv[1]);
	}
	return apply_bridge_options(ctx, br, argc, argv, argv[1][0] == 'a');
}

/* The argument words of 'port add' for 'class' (argv[4..], 'type' and
 * 'mtu' left out) as an argument object in '*argsp'. */
static int
port_add_args(const struct script_ctx *ctx, const struct port_class *class,
	      int argc, char **argv, struct json_object **argsp)
{
	struct json_object *args = json_object_new_object();
	char *msg;
	int n;

	for (int i = 4; i < argc; i += n) {
		if (!strcmp(argv[i], "type") || !strcmp(argv[i], "mtu")) {
			n = 2;
			continue;
		}
		n = port_class_parse_word(class, (const char *const *)argv + i,
					  argc - i, args, &msg);
		if (n < 0) {
			json_object_put(args);
			fail(ctx, n, "%s", msg);
			free(msg);
			return n;
		}
		if (!n) {
			json_object_put(args);
			return fail(ctx, -EINVAL,
				    "port add: unknown option '%s' for type %s",
				    argv[i], class->type);
		}
	}
	*argsp = args;
	return 0;
}

/* 'port add BRIDGE PORT type TYPE [mtu N] [ARG [VALUE]]...': the arguments
 * are those the class lists (port-provider.h), as words. */
static int
cmd_port_add(struct script_ctx *ctx, int argc, char **argv)
{
	const struct port_open_env env = {
		.default_files = true,
		.in_dir = ctx->in_dir,
		.out_dir = ctx->out_dir,
	};
	const struct port_class *class = NULL;
	struct json_object *args = NULL;
	const char *type = NULL;
	unsigned long mtu = 0;
	struct bridge *br;
	struct port *port;
	char *msg = NULL, *names;
	int err = 0;

	if (argc < 4)
		return fail(ctx, -EINVAL,
			    "usage: port add BRIDGE PORT type TYPE [mtu N] [ARG [VALUE]]... (types: pcap, tap, vhost-user, ...; see vswitchd(8))");
	if (!(br = find_bridge(ctx, argv[2])))
		return -ENODEV;
	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "type") && strcmp(argv[i], "mtu"))
			continue;
		if ((err = need(ctx, argc, i + 1, argv[i])))
			return err;
		if (argv[i][0] == 't')
			type = argv[i + 1];
		else if ((err = parse_num(ctx, "mtu", argv[i + 1], 65535, &mtu)))
			return err;
		i++;
	}
	if (type)
		class = port_class_lookup(type);
	if (!class || (ctx->replay && !class->replay_ok)) {
		names = port_class_names(ctx->replay);
		err = fail(ctx, -EINVAL,
			   "port add: type must be given; supported here: %s (got '%s')",
			   names, type ? type : "");
		free(names);
		return err;
	}
	if ((err = port_add_args(ctx, class, argc, argv, &args)))
		return err;
	err = port_class_open(class, argv[3], args, &env, &port, &msg);
	json_object_put(args);
	if (err) {
		err = fail(ctx, err, "port add %s: %s", argv[3],
			   msg ? msg : strerror(-err));
		free(msg);
		return err;
	}
	if (mtu && (err = bridge_port_set_mtu(br, port, (uint32_t)mtu))) {
		port->undo = true;
		port_close(port);
		return fail(ctx, err, "mtu %lu: %s", mtu, strerror(-err));
	}
	if ((err = bridge_port_add(br, port))) {
		port->undo = true;
		port_close(port);
		err = fail(ctx, err, "port add %s to %s: %s", argv[3], br->name,
			   err == -EEXIST ? "name already in use"
					  : strerror(-err));
	}
	return err;
}

static int
cmd_port(struct script_ctx *ctx, int argc, char **argv)
{
	struct bridge *br;
	struct port *port;

	if (argc >= 2 && !strcmp(argv[1], "add"))
		return cmd_port_add(ctx, argc, argv);
	if (argc == 4 && !strcmp(argv[1], "del")) {
		if (!(br = find_bridge(ctx, argv[2])))
			return -ENODEV;
		if (!(port = bridge_port_lookup(br, argv[3])))
			return fail(ctx, -ENODEV, "device %s is not a port of %s",
				    argv[3], argv[2]);
		bridge_port_del(br, port);
		return 0;
	}
	return fail(ctx, -EINVAL, "usage: port add|del BRIDGE PORT ...");
}

/* Finds 'dev' as a port, or as a bridge (port NULL) if 'self_ok'. */
static int
find_dev(const struct script_ctx *ctx, const char *dev, bool self_ok,
	 struct bridge **brp, struct port **portp)
{
	*portp = bridge_find_port(dev, brp);
	if (*portp)
		return 0;
	if (self_ok && (*brp = bridge_lookup(dev)))
		return 0;
	return fail(ctx, -ENODEV, "device %s is not a bridge port", dev);
}

/* Reads one 'link set' option (argv[*i], and its value, which '*i' then
 * points at) into 'lw'. */
struct link_words {
	struct bridge_port_change c;
	const char *word[PORT_OPT_N + 3];	/* as written, for messages */
};

static int
parse_link_option(const struct script_ctx *ctx, char **argv, int argc,
		  int *i, struct link_words *lw)
{
	const char *kw = argv[*i], *val;
	unsigned long v;
	bool on;
	int opt, err;

	if (!strcmp(kw, "up") || !strcmp(kw, "down")) {
		lw->c.has_up = true;
		lw->c.up = kw[0] == 'u';
		lw->word[BRIDGE_PORT_CHANGE_UP] = kw;
		return 0;
	}
	if ((err = need(ctx, argc, *i + 1, kw)))
		return err;
	val = argv[++*i];
	if ((opt = port_opt_lookup_word(kw)) >= 0) {
		/* The range is the bridge's to check, so the message names the
		 * port like any other refusal. */
		if (port_opt_info[opt].is_flag) {
			if ((err = parse_onoff(ctx, kw, val, &on)))
				return err;
			v = on;
		} else {
			uint32_t n;

			if (port_opt_parse(opt, val, &n))
				return fail(ctx, -EINVAL, "%s: bad value '%s' "
					    "(expected a number)", kw, val);
			v = n;
		}
		lw->c.given[opt] = true;
		lw->c.val[opt] = (uint32_t)v;
	} else if (!strcmp(kw, "carrier")) {
		if ((err = parse_onoff(ctx, kw, val, &on)))
			return err;
		lw->c.has_carrier = true;
		lw->c.carrier = on;
		opt = BRIDGE_PORT_CHANGE_CARRIER;
	} else if (!strcmp(kw, "state")) {
		if (port_parse_state(val, &lw->c.state))
			return fail(ctx, -EINVAL, "state: bad state '%s'", val);
		lw->c.has_state = true;
		opt = BRIDGE_PORT_CHANGE_STATE;
	} else {
		return fail(ctx, -EINVAL, "link set: unknown option '%s'", kw);
	}
	lw->word[opt] = kw;
	return 0;
}

/* 'link set dev PORT OPTION...' and 'link set dev BRIDGE up|down'.  The
 * options are read into one change the bridge applies whole, in table
 * order (bridge_port_change_apply()), as over the control socket; a later
 * word for the same setting wins. */
static int
cmd_link(struct script_ctx *ctx, int argc, char **argv)
{
	struct link_words lw;
	struct bridge *br;
	struct port *port;
	int err = 0, failed;

	if (argc < 5 || strcmp(argv[1], "set") || strcmp(argv[2], "dev"))
		return fail(ctx, -EINVAL, "usage: link set dev PORT OPTION...");
	/* The bridge device itself: only up/down, as 'ip link set br0
	 * down' (T25: every port disabled, dynamic entries flushed). */
	if (!bridge_find_port(argv[3], &br) && (br = bridge_lookup(argv[3]))) {
		if (argc != 5 || (strcmp(argv[4], "up") && strcmp(argv[4], "down")))
			return fail(ctx, -EINVAL, "link set dev %s: a bridge "
				    "takes only 'up' or 'down'", argv[3]);
		return bridge_set_admin_up(br, argv[4][0] == 'u');
	}
	if ((err = find_dev(ctx, argv[3], false, &br, &port)))
		return err;
	memset(&lw, 0, sizeof lw);
	for (int i = 4; i < argc && !err; i++)
		err = parse_link_option(ctx, argv, argc, &i, &lw);
	if (err)
		return err;
	err = bridge_port_change_apply(br, port, &lw.c, &failed);
	if (err)
		return fail(ctx, err, "%s: %s: %s%s", port->name,
			    lw.word[failed], strerror(-err),
			    err == -EBUSY ? " (STP is on)" : "");
	bridge_settings_changed(br, port);
	return 0;
}

static int
parse_vid_range(const struct script_ctx *ctx, const char *s, uint16_t *lo,
		uint16_t *hi)
{
	char buf[32];
	char *dash;
	unsigned long a, b;

	if (!util_strlcpy(buf, s, sizeof buf))
		return fail(ctx, -EINVAL, "vid: bad value '%s'", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_num(ctx, "vid", buf, VLAN_VID_MAX, &a) ||
	    (dash && parse_num(ctx, "vid", dash, VLAN_VID_MAX, &b)))
		return -EINVAL;
	if (!dash)
		b = a;
	if (a < VLAN_VID_MIN || b < a)
		return fail(ctx, -EINVAL, "vid: bad range '%s' (1..4094)", s);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* 'vlan add|del dev PORT vid VID[-VID] [pvid] [untagged] [self]' */
static int
cmd_vlan(struct script_ctx *ctx, int argc, char **argv)
{
	bool add, pvid = false, untagged = false;
	const char *dev = NULL, *vids = NULL;
	struct bridge *br;
	struct port *port;
	uint16_t lo = 0, hi = 0;
	int err;

	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		return fail(ctx, -EINVAL,
			    "usage: vlan add|del dev PORT vid VID[-VID] [pvid] [untagged] [self]");
	add = argv[1][0] == 'a';
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "dev") || !strcmp(argv[i], "vid")) {
			if ((err = need(ctx, argc, i + 1, argv[i])))
				return err;
			if (argv[i][0] == 'd')
				dev = argv[++i];
			else
				vids = argv[++i];
		} else if (!strcmp(argv[i], "pvid")) {
			pvid = true;
		} else if (!strcmp(argv[i], "untagged")) {
			untagged = true;
		} else if (!strcmp(argv[i], "self") || !strcmp(argv[i], "master")) {
			continue;
		} else {
			return fail(ctx, -EINVAL, "vlan: unknown option '%s'",
				    argv[i]);
		}
	}
	if (!dev || !vids)
		return fail(ctx, -EINVAL, "vlan: dev and vid are required");
	if ((err = parse_vid_range(ctx, vids, &lo, &hi)))
		return err;
	if (pvid && lo != hi)
		return fail(ctx, -EINVAL, "vlan: pvid cannot be given a range");
	if ((err = find_dev(ctx, dev, true, &br, &port)))
		return err;
	/* A deletion removes the FDB entries of its VLAN, which cannot be
	 * put back: every VID must be there before one goes.  Adding to a
	 * checked range cannot fail. */
	for (unsigned v = lo; v <= hi && !add; v++)
		if (!vlan_port_has(port ? &port->vlans : &br->self_vlans,
				   (uint16_t)v))
			return fail(ctx, -ENOENT, "vlan del dev %s vid %u: %s",
				    dev, v, strerror(ENOENT));
	for (unsigned v = lo; v <= hi; v++) {
		err = add ? bridge_vlan_add(br, port, (uint16_t)v, pvid, untagged)
			  : bridge_vlan_del(br, port, (uint16_t)v);
		if (err)
			return fail(ctx, err, "vlan %s dev %s vid %u: %s",
				    argv[1], dev, v, strerror(-err));
	}
	return 0;
}

/* 'fdb add|del MAC dev PORT [vlan VID] [local|permanent|static|dynamic]
 *  [sticky]', 'fdb flush [dev PORT] [vlan VID]' */
static int
cmd_fdb(struct script_ctx *ctx, int argc, char **argv)
{
	const char *dev = NULL;
	uint16_t vid = FDB_VID_ANY;
	uint8_t flags = FDB_F_LOCAL;
	struct eth_addr mac;
	struct bridge *br;
	struct port *port;
	unsigned long v;
	int first, err;

	if (argc < 2)
		return fail(ctx, -EINVAL, "usage: fdb add|del|flush ...");
	if (!strcmp(argv[1], "flush")) {
		first = 2;
	} else if (!strcmp(argv[1], "add") || !strcmp(argv[1], "del")) {
		if (argc < 3 || eth_addr_parse(argv[2], &mac))
			return fail(ctx, -EINVAL, "fdb %s: bad MAC address '%s'",
				    argv[1], argc > 2 ? argv[2] : "");
		first = 3;
	} else {
		return fail(ctx, -EINVAL, "fdb: unknown action '%s'", argv[1]);
	}
	for (int i = first; i < argc; i++) {
		const char *kw = argv[i];

		if (!strcmp(kw, "dev") || !strcmp(kw, "vlan")) {
			if ((err = need(ctx, argc, i + 1, kw)))
				return err;
			if (kw[0] == 'd') {
				dev = argv[++i];
			} else {
				if ((err = parse_num(ctx, kw, argv[++i],
						     VLAN_VID_MAX, &v)))
					return err;
				vid = (uint16_t)v;
			}
		} else if (!strcmp(kw, "local") || !strcmp(kw, "permanent")) {
			flags = (flags & FDB_F_STICKY) | FDB_F_LOCAL;
		} else if (!strcmp(kw, "static")) {
			flags = (flags & FDB_F_STICKY) | FDB_F_STATIC;
		} else if (!strcmp(kw, "dynamic")) {
			flags &= FDB_F_STICKY;
		} else if (!strcmp(kw, "sticky")) {
			flags |= FDB_F_STICKY;
		} else if (!strcmp(kw, "master")) {
			continue;
		} else {
			return fail(ctx, -EINVAL, "fdb: unknown option '%s'", kw);
		}
	}
	if (argv[1][0] == 'f') {
		struct fdb_flush_filter f = {
			.port_no = FDB_PORT_ANY, .vid = vid,
			.flags_mask = FDB_F_STATIC, .flags_value = 0,
		};

		if (dev) {
			if ((err = find_dev(ctx, dev, true, &br, &port)))
				return err;
			if (port)
				f.port_no = port->port_no;
			bridge_fdb_flush(br, &f);
		} else {
			for (br = bridge_first(); br; br = br->next)
				bridge_fdb_flush(br, &f);
		}
		return 0;
	}
	if (!dev)
		return fail(ctx, -EINVAL, "fdb %s: dev is required", argv[1]);
	if ((err = find_dev(ctx, dev, true, &br, &port)))
		return err;
	if (argv[1][0] == 'a')
		err = bridge_fdb_add(br, port, &mac, vid, flags);
	else
		err = bridge_fdb_del(br, port, &mac, vid);
	if (err)
		return fail(ctx, err, "fdb %s %s dev %s: %s", argv[1], argv[2],
			    dev, strerror(-err));
	return 0;
}

static int run_argv(struct script_ctx *ctx, int argc, char **argv);

/* 'trace [--learn] [-j] PORT FRAME...': prints the trace of a frame
 * received on PORT (a bridge's name: sent by its device) on stdout, as
 * text (lib/trace-text.h) or JSON.  A dry run unless --learn. */
static int
cmd_trace(struct script_ctx *ctx, int argc, char **argv)
{
	bool learn = false, json = false;
	struct json_object *res;
	char *err = NULL;
	struct port *in;
	uint8_t *frame;
	int i = 1, len;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--learn"))
			learn = true;
		else if (!strcmp(argv[i], "-j"))
			json = true;
		else
			return fail(ctx, -EINVAL, "trace: unknown option %s",
				    argv[i]);
	}
	if (i >= argc)
		return fail(ctx, -EINVAL, "usage: trace [--learn] [-j] PORT "
			    "FRAME...");
	frame = xmalloc(TRACE_FRAME_MAX);
	len = trace_frame_build(argc - i - 1, argv + i + 1, frame, &err);
	in = len < 0 ? NULL : dp_trace_find_port(NULL, argv[i], &err);
	res = in ? dp_trace_frame(in, frame, (uint32_t)len, learn, &err)
		 : NULL;
	free(frame);
	if (!res) {
		int r = fail(ctx, -EINVAL, "trace: %s", err);

		free(err);
		return r;
	}
	if (json)
		printf("%s\n", json_object_to_json_string_ext(res,
			JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED));
	else
		trace_text_print(stdout, res);
	fflush(stdout);
	json_object_put(res);
	return 0;
}

static int
parse_seconds(const struct script_ctx *ctx, const char *kw, const char *s,
	      uint64_t *ns)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || v > 1e10)
		return fail(ctx, -EINVAL, "%s: bad time '%s'", kw, s);
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

/* 'end SECONDS' (replay only): keep the clock running until SECONDS even
 * when no input is left, so timers (ageing, STP) play out. */
static int
cmd_end(struct script_ctx *ctx, int argc, char **argv)
{
	if (!ctx->replay)
		return fail(ctx, -EINVAL, "end: only valid with --replay");
	if (argc != 2)
		return fail(ctx, -EINVAL, "usage: end SECONDS");
	return parse_seconds(ctx, "end", argv[1], &ctx->end_ns);
}

/* 'at SECONDS COMMAND...' (replay only) */
static int
cmd_at(struct script_ctx *ctx, int argc, char **argv, const char *line)
{
	struct script_at *at, **pp;
	uint64_t ns;
	int err;

	if (!ctx->replay)
		return fail(ctx, -EINVAL, "at: only valid with --replay");
	if (argc < 3)
		return fail(ctx, -EINVAL, "usage: at SECONDS COMMAND...");
	if ((err = parse_seconds(ctx, "at", argv[1], &ns)))
		return err;
	at = xcalloc(1, sizeof *at);
	at->ns = ns;
	/* Keep the command text after the time. */
	line = strstr(line, argv[1]) + strlen(argv[1]);
	at->line = xstrdup(line);
	at->lineno = ctx->line;
	for (pp = &ctx->at; *pp && (*pp)->ns <= at->ns; pp = &(*pp)->next)
		continue;
	at->next = *pp;
	*pp = at;
	return 0;
}

static int
run_argv(struct script_ctx *ctx, int argc, char **argv)
{
	if (!strcmp(argv[0], "bridge"))
		return cmd_bridge(ctx, argc, argv);
	if (!strcmp(argv[0], "port"))
		return cmd_port(ctx, argc, argv);
	if (!strcmp(argv[0], "link"))
		return cmd_link(ctx, argc, argv);
	if (!strcmp(argv[0], "vlan"))
		return cmd_vlan(ctx, argc, argv);
	if (!strcmp(argv[0], "fdb"))
		return cmd_fdb(ctx, argc, argv);
	if (!strcmp(argv[0], "end"))
		return cmd_end(ctx, argc, argv);
	if (!strcmp(argv[0], "trace"))
		return cmd_trace(ctx, argc, argv);
	if (!strcmp(argv[0], "expect-fail")) {
		const char *saved = ctx->file;
		int err;

		if (argc < 2)
			return fail(ctx, -EINVAL, "usage: expect-fail COMMAND...");
		ctx->file = NULL;
		fprintf(stderr, "(expected failure follows) ");
		err = run_argv(ctx, argc - 1, argv + 1);
		ctx->file = saved;
		if (!err) {
			fputc('\n', stderr);
			return fail(ctx, -EINVAL,
				    "expect-fail: '%s' was accepted", argv[1]);
		}
		ctx->n_expect_fail++;
		return 0;
	}
	return fail(ctx, -EINVAL, "unknown command '%s'", argv[0]);
}

int
script_run_line(struct script_ctx *ctx, const char *text)
{
	char *copy = xstrdup(text), *argv[MAX_ARGS], *save = NULL, *tok;
	int argc = 0, err = 0;
	char *hash = strchr(copy, '#');

	if (hash)
		*hash = '\0';
	for (tok = strtok_r(copy, " \t\r\n", &save); tok;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == MAX_ARGS) {
			err = fail(ctx, -E2BIG, "too many words (max %d)",
				   MAX_ARGS);
			goto out;
		}
		argv[argc++] = tok;
	}
	if (argc == 0)
		goto out;
	if (!strcmp(argv[0], "at")) {
		char *clean = xstrdup(text);
		char *h = strchr(clean, '#');

		if (h)
			*h = '\0';
		err = cmd_at(ctx, argc, argv, clean);
		free(clean);
	} else {
		err = run_argv(ctx, argc, argv);
	}
out:
	free(copy);
	return err;
}

int
script_run_file(struct script_ctx *ctx, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -errno;
	}
	ctx->file = path;
	ctx->line = 0;
	while (getline(&line, &cap, f) != -1) {
		ctx->line++;
		if (strlen(line) > 4096) {
			err = fail(ctx, -E2BIG, "line too long");
			break;
		}
		if ((err = script_run_line(ctx, line)))
			break;
	}
	free(line);
	fclose(f);
	return err;
}

uint64_t
script_next_at_ns(const struct script_ctx *ctx)
{
	return ctx->at ? ctx->at->ns : UINT64_MAX;
}

int
script_run_due(struct script_ctx *ctx, uint64_t now_ns)
{
	int err = 0;

	while (ctx->at && ctx->at->ns <= now_ns && !err) {
		struct script_at *at = ctx->at;

		ctx->at = at->next;
		ctx->line = at->lineno;
		err = script_run_line(ctx, at->line);
		free(at->line);
		free(at);
	}
	return err;
}

void
script_ctx_uninit(struct script_ctx *ctx)
{
	while (ctx->at) {
		struct script_at *at = ctx->at;

		ctx->at = at->next;
		free(at->line);
		free(at);
	}
}
