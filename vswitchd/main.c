/*
 * main.c - vswitchd: start-up, option parsing, the event loop, shutdown.
 *
 * Two ways to run:
 *   - as a daemon (default): bridges and ports come from the durable
 *     configuration and the control socket, and the loop runs until
 *     SIGTERM/SIGINT;
 *   - run to completion (--replay): a setup script builds bridges of pcap
 *     ports, every input is replayed on a frozen clock driven by the pcap
 *     timestamps, and the process exits (deterministic; used by tests and
 *     the README demo).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "bridge.h"
#include "config-store.h"
#include "ctl-methods.h"
#include "ctl-monitor.h"
#include "ctl-server.h"
#include "ctl-socket.h"
#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "port-vhost.h"
#include "replay.h"
#include "script.h"
#include "show.h"
#include "util.h"

#define MOD "main"

struct vswitchd_opts {
	const char *script;
	const char *in_dir;
	const char *out_dir;
	bool replay;
	bool dump;
	bool test_mode;
	bool syslog;
	const char *socket_path;	/* control socket */
	const char *config_path;	/* durable configuration */
	bool no_config;			/* run without a store */
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
"  --socket PATH       control socket (default $VSWITCHD_SOCKET or\n"
"                      " VSWITCHD_DEFAULT_SOCKET ")\n"
"  --config PATH       durable configuration (default $VSWITCHD_CONFIG or\n"
"                      " CONFIG_STORE_DEFAULT_PATH ")\n"
"  --no-config         keep no durable configuration\n"
"  --poll              busy-poll connected vhost-user ports (one core\n"
"                      spins; pin it with taskset)\n"
"  -l, --log-level [MODULE:]LEVEL   err, warn, info (default) or debug\n"
"  --syslog            log to syslog instead of stderr\n"
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
		/* Module names are kept by log.c for the process lifetime. */
		char *module = xstrdup(arg);

		module[colon - arg] = '\0';
		return log_set_level(module, lvl);
	}
	return log_set_level(NULL, lvl);
}

static void
parse_options(int argc, char **argv, struct vswitchd_opts *o)
{
	enum { OPT_SCRIPT = 256, OPT_REPLAY, OPT_IN_DIR, OPT_OUT_DIR, OPT_DUMP,
	       OPT_SYSLOG, OPT_TEST_MODE, OPT_SOCKET, OPT_CONFIG,
	       OPT_NO_CONFIG, OPT_POLL };
	static const struct option longopts[] = {
		{ "script", required_argument, NULL, OPT_SCRIPT },
		{ "replay", no_argument, NULL, OPT_REPLAY },
		{ "in-dir", required_argument, NULL, OPT_IN_DIR },
		{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
		{ "dump", no_argument, NULL, OPT_DUMP },
		{ "log-level", required_argument, NULL, 'l' },
		{ "syslog", no_argument, NULL, OPT_SYSLOG },
		{ "test-mode", no_argument, NULL, OPT_TEST_MODE },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
		{ "poll", no_argument, NULL, OPT_POLL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "l:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SCRIPT: o->script = optarg; break;
		case OPT_REPLAY: o->replay = true; break;
		case OPT_IN_DIR: o->in_dir = optarg; break;
		case OPT_OUT_DIR: o->out_dir = optarg; break;
		case OPT_DUMP: o->dump = true; break;
		case OPT_SYSLOG: o->syslog = true; break;
		case OPT_TEST_MODE: o->test_mode = true; break;
		case OPT_SOCKET: o->socket_path = optarg; break;
		case OPT_CONFIG: o->config_path = optarg; break;
		case OPT_NO_CONFIG: o->no_config = true; break;
		case OPT_POLL: port_vhost_set_busy_poll(true); break;
		case 'l':
			if (parse_log_level(optarg))
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

static void
on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	clock_update();
	for (struct bridge *br = bridge_first(); br; br = br->next)
		bridge_run(br, clock_now_ms());
}

static void
on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	clock_update();
}

static int
run_daemon(const struct vswitchd_opts *o)
{
	struct ev_loop *loop = daemon_loop();
	ev_signal sigterm, sigint;
	ev_timer tick;
	ev_prepare prepare;

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
	ctl_monitor_open(loop);
	ev_signal_init(&sigterm, on_signal, SIGTERM);
	ev_signal_start(loop, &sigterm);
	ev_signal_init(&sigint, on_signal, SIGINT);
	ev_signal_start(loop, &sigint);
	ev_timer_init(&tick, on_tick, DAEMON_TICK_MS / 1000.0,
		      DAEMON_TICK_MS / 1000.0);
	ev_timer_start(loop, &tick);
	ev_prepare_init(&prepare, on_prepare);
	ev_prepare_start(loop, &prepare);
	ev_unref(loop);		/* the prepare watcher keeps nothing alive */

	log_info(MOD, "vswitchd started");
	ev_run(loop, 0);
	ctl_server_close();
	ctl_monitor_close();
	config_store_close();
	log_info(MOD, "vswitchd stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	struct vswitchd_opts o = { 0 };
	int status;

	parse_options(argc, argv, &o);
	log_init("vswitchd", o.syslog ? LOG_DEST_SYSLOG : LOG_DEST_STDERR);
	log_set_test_mode(o.test_mode);
	daemon_init(NULL);

	if (o.replay) {
		struct replay_opts ro = { .script = o.script,
					  .in_dir = o.in_dir,
					  .out_dir = o.out_dir };

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
	daemon_uninit();
	return status;
}
