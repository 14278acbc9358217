/*
 * bridgectl.c - entry point: global options, dialect dispatch, and the
 * multi-call "brctl" name.
 */
#include "ctl.h"
#include "lab/lab.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctl_opts ctl_opts;

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: bridgectl [OPTIONS] COMMAND [ARGS]\n"
"Controls vswitchd, the userspace Linux-bridge-compatible switch.\n"
"\n"
"Options (before the command):\n"
"  --socket PATH   control socket (default $VSWITCHD_SOCKET or\n"
"                  " VSWITCHD_DEFAULT_SOCKET ")\n"
"  -j, --json      JSON output (iproute2 key names)\n"
"  -p, --pretty    pretty JSON\n"
"  -s, --stats     statistics\n"
"  -d, --details   details\n"
"  -h, --help      this text;  -V, --version\n"
"\n"
"Commands:\n"
"  brctl CMD ...               the brctl grammar (addbr, addif, show, ...);\n"
"                              brctl command names also work directly\n"
"  link add NAME type bridge [OPTION VALUE]...\n"
"  link set [dev] DEV {master BR | nomaster | up | down |\n"
"                      type bridge OPTION VALUE...}\n"
"  bridge set BR OPTION VALUE...  bridge options (link set BR type bridge)\n"
"  link del [dev] DEV\n"
"  link show [[dev] DEV]\n"
"  fdb {show | add | replace | del | flush} ...\n"
"  vlan {show | add | del} ...\n"
"  port {add | del | set | show} ...  ports of any type (tap, pcap, vhost-user)\n"
"  stats [BRIDGE | DEV]        counters, drops by reason\n"
"  debug time {stop | resume | warp MS}\n"
"  monitor [fdb | stp | link | all]...  events as they happen\n"
"  capture [BRIDGE] DEV [-w FILE|-] [-c N]  frames of a port, as pcap\n"
"  trace [--learn] [BRIDGE] PORT FRAME  explain a frame's forwarding (dry run)\n"
"  info                        the daemon's version, pid, paths\n"
"  log show | log set [MODULE] LEVEL  the daemon's log levels, at run time\n"
"  lab {up | down | status | exec | link | capture | graph | check |\n"
"       watch} ...\n"
"                              network teaching labs (docs/labs.md)\n"
"Every command takes --help.  See bridgectl(8).\n");
}

int
ctl_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bridgectl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'bridgectl %s --help'.\n", cmd);
	return CTL_EXIT_USAGE;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "link", ipr_link }, { "fdb", ipr_fdb }, { "vlan", ipr_vlan },
		{ "port", own_port }, { "stats", own_stats },
		{ "debug", own_debug }, { "monitor", own_monitor },
		{ "info", own_info }, { "capture", own_capture },
		{ "log", own_log }, { "trace", own_trace },
		{ "bridge", own_bridge }, { "lab", lab_main },
	};
	int i, status = CTL_EXIT_USAGE;

	ctl_opts.socket_path = vswitchd_socket_default();

	if (!strcmp(base_name(argv[0]), "brctl"))
		return brctl_main(argc, argv);

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--socket")) {
			if (++i == argc)
				return ctl_usage_error("", "--socket needs a "
						       "PATH");
			ctl_opts.socket_path = argv[i];
		} else if (!strncmp(a, "--socket=", 9)) {
			ctl_opts.socket_path = a + 9;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json") ||
			   !strcmp(a, "-json")) {
			ctl_opts.json = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty") ||
			   !strcmp(a, "-pretty")) {
			ctl_opts.pretty = true;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--stats") ||
			   !strcmp(a, "-stats")) {
			ctl_opts.stats = true;
		} else if (!strcmp(a, "-d") || !strcmp(a, "--details") ||
			   !strcmp(a, "-details")) {
			ctl_opts.details = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("bridgectl 0.1\n");
			return 0;
		} else if (!strcmp(a, "-jp") || !strcmp(a, "-pj")) {
			ctl_opts.json = ctl_opts.pretty = true;
		} else {
			fprintf(stderr, "bridgectl: unknown option '%s'\n", a);
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "brctl")) {
		/* "bridgectl brctl CMD ...": argv[i] plays brctl's argv[0]. */
		status = brctl_main(argc - i, argv + i);
		goto out;
	}
	if (brctl_is_command(argv[i])) {
		/* "bridgectl addbr br0": brctl's grammar, brctl as argv[0]. */
		status = brctl_main(argc - i + 1, argv + i - 1);
		goto out;
	}
	for (size_t c = 0; c < sizeof cmds / sizeof cmds[0]; c++) {
		if (!strcmp(argv[i], cmds[c].name)) {
			status = cmds[c].fn(argc - i - 1, argv + i + 1);
			goto out;
		}
	}
	fprintf(stderr, "bridgectl: unknown command '%s' (see bridgectl "
		"--help)\n", argv[i]);
out:
	rpc_close();
	fflush(stdout);
	return status;
}
