/*
 * main.c - vswitchd: start-up, option parsing, the event loop, shutdown.
 *
 * Two ways to run:
 *   - as a daemon (default): bridges and ports come from the durable
 *     configuration and the control socket, and the loop runs until
 *     SIGTERM/SIGINT; with the conventions of a system daemon (--detach,
 *     --pidfile, --log-file reopened on SIGHUP, readiness to systemd:
 *     service.h, pidfile.h);
 *   - run to completion (--replay): a setup script builds bridges of pcap
 *     ports, every input is replayed on a frozen clock driven by the pcap
 *     timestamps, and the process exits (deterministic; used by tests and
 *     the README demo).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "bridge.h"
#include "config-store.h"
#include "ctl-methods.h"
#include "ctl-monitor.h"
#include "ctl-server.h"
#include "ctl-socket.h"
#include "clock.h"
#include "ctl-log.h"
#include "daemon.h"
#include "dp-log.h"
#include "log.h"
#include "pidfile.h"
#include "privs.h"
#include "port-vhost.h"
#include "replay.h"
#include "script.h"
#include "service.h"
#include "show.h"
#include "util.h"

#define MOD "main"

struct vswitchd_opts {
	const char *script;
	const char *in_dir;
	const char *out_dir;
	bool replay;
	bool dump;
	bool trace_check;
	bool test_mode;
	bool syslog;
	const char *socket_path;	/* control socket */
	const char *config_path;	/* durable configuration */
	bool no_config;			/* run without a store */
	bool detach;			/* --detach */
	const char *pidfile;		/* --pidfile */
	const char *log_file;		/* --log-file */
	const char *socket_group;	/* --socket-group */
	const char *ro_socket;		/* --ro-socket */
	const char *ro_socket_group;	/* --ro-socket-group */
	enum privs_caps caps;		/* --caps */
};


static void
usage(FILE *f)
{
	fprintf(f,
"Usage: vswitchd [OPTIONS]\n"
"A userspace switch that behaves like the Linux bridge.\n"
"\n"
"  --script FILE       run the setup commands in FILE at start\n"
"                      (language: docs/vswitchd.8, 'SETUP COMMANDS')\n"
"  --replay            run to completion: replay the pcap inputs of the\n"
"                      script's pcap ports on a clock driven by the pcap\n"
"                      timestamps, then exit\n"
"  --in-dir DIR        where pcap ports find in-PORT.pcap by default\n"
"  --out-dir DIR       where pcap ports write out-PORT.pcap by default\n"
"  --dump              after the replay, print each bridge's FDB and\n"
"                      port counters\n"
"  --trace-check       with --replay: trace each input frame first (a dry\n"
"                      run) and check the trace's egress set against what\n"
"                      the frame then did; any mismatch fails\n"
"  --socket PATH       control socket (default $VSWITCHD_SOCKET or\n"
"                      " VSWITCHD_DEFAULT_SOCKET ")\n"
"  --config PATH       durable configuration (default $VSWITCHD_CONFIG or\n"
"                      " CONFIG_STORE_DEFAULT_PATH ")\n"
"  --no-config         keep no durable configuration\n"
"  --socket-group GROUP  give the control socket (mode 0660) to GROUP:\n"
"                      its members may show and change the switch\n"
"  --ro-socket PATH    a second control socket that serves only the\n"
"                      methods that show, monitor or count\n"
"  --ro-socket-group GROUP  give the read-only socket to GROUP\n"
"  --caps netns|net|all  capabilities kept after start-up: netns:\n"
"                      NET_ADMIN, NET_RAW, NET_BROADCAST, SYS_ADMIN;\n"
"                      net: the same but SYS_ADMIN; all (default): no\n"
"                      drop\n"
"  --poll              busy-poll connected vhost-user ports (one core\n"
"                      spins; pin it with taskset)\n"
"  --detach            run in the background: fork, start a new session,\n"
"                      chdir /; the command returns once the control\n"
"                      socket listens (or fails with the daemon's error)\n"
"  --pidfile FILE      write the daemon's pid to FILE (removed on exit);\n"
"                      refuse to start while another vswitchd holds it\n"
"  -l, --log-level [MODULE:]LEVEL   err, warn, info (default) or debug;\n"
"                      MODULE is one of 'bridgectl log show'\n"
"  --log-file FILE     log to FILE (appended; reopened on SIGHUP)\n"
"  --syslog            log to syslog instead of stderr (stderr, with a\n"
"                      warning, when there is no " LOG_SYSLOG_SOCKET ")\n"
"  --test-mode         log lines without timestamps\n"
"  -h, --help          this text\n");
}

static int
parse_log_level(const char *arg)
{
	const char *colon = strchr(arg, ':');
	enum log_level lvl;

	if (log_parse_level(colon ? colon + 1 : arg, &lvl))
		return -EINVAL;
	if (colon) {
		char *name = xstrdup(arg);
		const char *module;

		name[colon - arg] = '\0';
		/* The table's static name: log.c keeps the pointer. */
		module = ctl_log_module_lookup(name);
		free(name);
		if (!module)
			return -ENOENT;
		return log_set_level(module, lvl);
	}
	return log_set_level(NULL, lvl);
}

/* The module names -l takes, for its error message. */
static const char *
known_modules(void)
{
	static char buf[256];
	size_t n = 0;

	for (size_t i = 0; ctl_log_modules[i] && n < sizeof buf; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
				      i ? ", " : "", ctl_log_modules[i]);
	return buf;
}

static void
parse_options(int argc, char **argv, struct vswitchd_opts *o)
{
	enum { OPT_SCRIPT = 256, OPT_REPLAY, OPT_IN_DIR, OPT_OUT_DIR, OPT_DUMP,
	       OPT_SYSLOG, OPT_TEST_MODE, OPT_SOCKET, OPT_CONFIG,
	       OPT_NO_CONFIG, OPT_POLL, OPT_DETACH, OPT_PIDFILE,
	       OPT_LOG_FILE, OPT_TRACE_CHECK, OPT_SOCKET_GROUP, OPT_RO_SOCKET,
	       OPT_RO_SOCKET_GROUP, OPT_CAPS };
	static const struct option longopts[] = {
		{ "script", required_argument, NULL, OPT_SCRIPT },
		{ "replay", no_argument, NULL, OPT_REPLAY },
		{ "in-dir", required_argument, NULL, OPT_IN_DIR },
		{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
		{ "dump", no_argument, NULL, OPT_DUMP },
		{ "trace-check", no_argument, NULL, OPT_TRACE_CHECK },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "test-mode", no_argument, NULL, OPT_TEST_MODE },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "poll", no_argument, NULL, OPT_POLL },
		{ "detach", no_argument, NULL, OPT_DETACH },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "log-file", required_argument, NULL, OPT_LOG_FILE },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "ro-socket", required_argument, NULL, OPT_RO_SOCKET },
		{ "ro-socket-group", required_argument, NULL,
		  OPT_RO_SOCKET_GROUP },
		{ "caps", required_argument, NULL, OPT_CAPS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err;

	o->caps = PRIVS_CAPS_NETNS;
	while ((c = getopt_long(argc, argv, "l:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SCRIPT: o->script = optarg; break;
		case OPT_REPLAY: o->replay = true; break;
		case OPT_IN_DIR: o->in_dir = optarg; break;
		case OPT_OUT_DIR: o->out_dir = optarg; break;
		case OPT_DUMP: o->dump = true; break;
		case OPT_TRACE_CHECK: o->trace_check = true; break;
		case OPT_SYSLOG: o->syslog = true; break;
		case OPT_TEST_MODE: o->test_mode = true; break;
		case OPT_SOCKET: o->socket_path = optarg; break;
		case OPT_CONFIG: o->config_path = optarg; break;
		case OPT_NO_CONFIG: o->no_config = true; break;
		case OPT_POLL: port_vhost_set_busy_poll(true); break;
		case OPT_DETACH: o->detach = true; break;
		case OPT_PIDFILE: o->pidfile = optarg; break;
		case OPT_LOG_FILE: o->log_file = optarg; break;
		case OPT_SOCKET_GROUP: o->socket_group = optarg; break;
		case OPT_RO_SOCKET: o->ro_socket = optarg; break;
		case OPT_RO_SOCKET_GROUP: o->ro_socket_group = optarg; break;
		case OPT_CAPS:
			if (privs_parse_caps(optarg, &o->caps))
				die("--caps %s: need netns, net or all",
				    optarg);
			break;
		case 'l':
			err = parse_log_level(optarg);
			if (err == -ENOENT)
				die("-l %s: unknown log module (one of: %s)",
				    optarg, known_modules());
			if (err)
				die("bad log level '%s' (expected [MODULE:]err|warn|info|debug)",
				    optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (see --help)", argv[optind]);
	if (o->replay && !o->script)
		die("--replay needs --script FILE");
	if (o->no_config && o->config_path)
		die("--config and --no-config exclude each other");
	if (o->replay && (o->detach || o->pidfile))
		die("--replay runs to completion: no --detach or --pidfile");
	if (o->pidfile && !*o->pidfile)
		die("--pidfile needs a FILE");
	if (o->log_file && !*o->log_file)
		die("--log-file needs a FILE");
	if (o->ro_socket_group && !o->ro_socket)
		die("--ro-socket-group needs --ro-socket PATH");
	if (o->ro_socket && !*o->ro_socket)
		die("--ro-socket needs a PATH");
	if (!o->socket_path)
		o->socket_path = vswitchd_socket_default();
	else if (!*o->socket_path)
		o->socket_path = VSWITCHD_DEFAULT_SOCKET;
	if (!o->config_path)
		o->config_path = getenv("VSWITCHD_CONFIG");
	if (!o->config_path || !*o->config_path)
		o->config_path = CONFIG_STORE_DEFAULT_PATH;
}

static void
on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	log_info(MOD, "signal %d: shutting down", w->signum);
	ev_break(loop, EVBREAK_ALL);
}

/* SIGHUP: the log file was rotated; write to a new one by its name. */
static void
on_sighup(struct ev_loop *loop, ev_signal *w, int revents)
{
	int err;

	(void)loop; (void)w; (void)revents;
	if (!log_file_in_use()) {
		log_info(MOD, "SIGHUP: no --log-file to reopen");
		return;
	}
	err = log_reopen_file();
	if (err)
		log_err(MOD, "SIGHUP: cannot reopen the log file: %s (still "
			"writing to the old one)", strerror(-err));
	else
		log_info(MOD, "SIGHUP: log file reopened");
}

static void
on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	clock_update();
	for (struct bridge *br = bridge_first(); br; br = br->next)
		bridge_run(br, clock_now_ms());
	dp_log_run();
}

static void
on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	clock_update();
}

/* --socket-group, --ro-socket-group: a group name or number. */
static int
group_id(const char *opt, const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);
	long n;

	if (!gr && !util_parse_long(name, 0, INT32_MAX, &n))
		gr = getgrgid((gid_t)n);
	if (!gr) {
		fprintf(stderr, "vswitchd: %s %s: no such group\n", opt, name);
		return -ENOENT;
	}
	*gid = gr->gr_gid;
	return 0;
}

/* The control sockets' groups, the read-only socket, then the drop to
 * --caps: everything that needs more than the run time does is done. */
static int
secure_daemon(const struct vswitchd_opts *o)
{
	gid_t gid;

	if (o->socket_group && (group_id("--socket-group", o->socket_group,
					 &gid) ||
				ctl_server_set_group(false, gid)))
		return -1;
	if (o->ro_socket && ctl_server_open_ro(o->ro_socket)) {
		fprintf(stderr, "vswitchd: cannot open read-only control "
			"socket %s (see the log above)\n", o->ro_socket);
		return -1;
	}
	if (o->ro_socket_group &&
	    (group_id("--ro-socket-group", o->ro_socket_group, &gid) ||
	     ctl_server_set_group(true, gid)))
		return -1;
	return privs_drop(o->caps) ? -1 : 0;
}

static int
run_daemon(const struct vswitchd_opts *o)
{
	struct ev_loop *loop = daemon_loop();
	ev_signal sigterm, sigint, sighup;
	ev_timer tick;
	ev_prepare prepare;

	if (o->pidfile) {
		pid_t holder = 0;
		int err = pidfile_create(o->pidfile, &holder);

		if (err == -EEXIST)
			fprintf(stderr, "vswitchd: vswitchd is already running "
				"as pid %d (pidfile %s): not starting another\n",
				(int)holder, o->pidfile);
		if (err)
			return 1;
	}
	ctl_methods_set_info(o->no_config ? NULL : o->config_path,
			     o->socket_path);
	/* The store hears of every change, also of the ports that loading
	 * it creates. */
	ctl_methods_observe(&config_store_observer);
	/* The stored configuration first, so a script can build on it. */
	if (!o->no_config && config_store_open(o->config_path))
		return 1;
	if (o->script) {
		struct script_ctx ctx = { .in_dir = o->in_dir,
					  .out_dir = o->out_dir };
		int err = script_run_file(&ctx, o->script);

		if (err)
			return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (ctl_server_open(loop, o->socket_path, ctl_methods,
			    ctl_monitor_conn_closed)) {
		fprintf(stderr, "vswitchd: cannot open control socket %s "
			"(see the log above)\n", o->socket_path);
		return 1;
	}
	if (secure_daemon(o)) {
		ctl_server_close();
		return 1;
	}
	ctl_monitor_open(loop);
	ev_signal_init(&sigterm, on_signal, SIGTERM);
	ev_signal_start(loop, &sigterm);
	ev_signal_init(&sigint, on_signal, SIGINT);
	ev_signal_start(loop, &sigint);
	ev_signal_init(&sighup, on_sighup, SIGHUP);
	ev_signal_start(loop, &sighup);
	ev_timer_init(&tick, on_tick, DAEMON_TICK_MS / 1000.0,
		      DAEMON_TICK_MS / 1000.0);
	ev_timer_start(loop, &tick);
	ev_prepare_init(&prepare, on_prepare);
	ev_prepare_start(loop, &prepare);
	ev_unref(loop);		/* the prepare watcher keeps nothing alive */

	log_info(MOD, "vswitchd started");
	service_ready();
	ev_run(loop, 0);
	service_stopping();
	ctl_server_close();
	ctl_monitor_close();
	config_store_close();
	log_info(MOD, "vswitchd stopped");
	return 0;
}

/* 'path' made absolute against the current directory (leaked: kept for
 * the process lifetime), so it still names the same file after --detach's
 * chdir("/"). */
static const char *
absolute(const char *path)
{
	char *cwd;
	const char *abs;

	if (!path || path[0] == '/')
		return path;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		die("getcwd: %s", strerror(errno));
	abs = xasprintf("%s/%s", cwd, path);
	free(cwd);
	return abs;
}

/* --detach: every path the daemon opens later made absolute, then the
 * fork (service.h); returns in the child. */
static void
detach(struct vswitchd_opts *o)
{
	int err;

	o->script = absolute(o->script);
	o->in_dir = absolute(o->in_dir);
	o->out_dir = absolute(o->out_dir);
	o->socket_path = absolute(o->socket_path);
	o->config_path = absolute(o->config_path);
	o->pidfile = absolute(o->pidfile);
	o->ro_socket = absolute(o->ro_socket);
	if (!o->log_file && !o->syslog)
		log_warn(MOD, "--detach without --log-file or --syslog: log "
			 "lines after start-up are lost");
	err = service_detach();
	if (err)
		die("--detach: %s", strerror(-err));
	if (chdir("/"))
		die("chdir /: %s", strerror(errno));
}

int
main(int argc, char **argv)
{
	struct vswitchd_opts o = { 0 };
	int status;

	parse_options(argc, argv, &o);
	log_set_test_mode(o.test_mode);
	log_init("vswitchd", o.syslog ? LOG_DEST_SYSLOG : LOG_DEST_STDERR);
	if (o.log_file) {
		/* Absolute, so SIGHUP reopens it after --detach's chdir. */
		int err = log_open_file(absolute(o.log_file));

		if (err)
			die("--log-file %s: %s", o.log_file, strerror(-err));
	}
	if (o.out_dir) {
		/* Made if missing, as a place to write to should be. */
		char *probe = xasprintf("%s/.", o.out_dir), *failed = NULL;
		int err = util_mkdir_parents(probe, &failed);

		if (err)
			die("--out-dir %s: cannot create %s: %s", o.out_dir,
			    failed ? failed : o.out_dir, strerror(-err));
		free(probe);
	}
	if (o.detach)
		detach(&o);
	daemon_init(NULL);

	if (o.replay) {
		struct replay_opts ro = { .script = o.script,
					  .in_dir = o.in_dir,
					  .out_dir = o.out_dir,
					  .trace_check = o.trace_check };

		status = replay_run(&ro) ? 1 : 0;
		if (o.dump)
			for (struct bridge *br = bridge_first(); br;
			     br = br->next)
				show_bridge_summary(stdout, br);
		replay_finish();
	} else {
		status = run_daemon(&o);
	}
	bridge_destroy_all();
	dp_log_uninit();
	pidfile_remove();
	daemon_uninit();
	log_close_file();
	return status;
}
