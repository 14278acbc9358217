/*
 * loglevel.c - "bridgectl log show|set": vswitchd's log levels at run
 * time (methods log.show and log.set, docs/rpc.md), as OVS users know
 * them from 'ovs-appctl vlog/list' and 'vlog/set'.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static void
log_help(FILE *f)
{
	fprintf(f,
"Usage: bridgectl [-j] log show\n"
"       bridgectl log set [MODULE] LEVEL\n"
"LEVEL is err, warn, info or debug.  With MODULE, that module logs at\n"
"LEVEL from now on; without, every module does.  Not saved: a restart\n"
"goes back to vswitchd's -l options.  'log show' lists the modules.\n");
}

static void
print_levels(struct json_object *res)
{
	struct json_object *list;

	if (ctl_opts.json) {
		ctl_print_json(res);
		return;
	}
	printf("default: %s\n", ctl_jstr(res, "default"));
	if (!json_object_object_get_ex(res, "modules", &list))
		return;
	printf("%-12s %s\n", "module", "level");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *m = json_object_array_get_idx(list, i);

		printf("%-12s %s%s\n", ctl_jstr(m, "module"),
		       ctl_jstr(m, "level"),
		       ctl_jint(m, "own") ? "" : " (default)");
	}
}

int
own_log(int argc, char **argv)
{
	struct json_object *res, *params;
	struct rpc_error err;

	if (!argc) {
		log_help(stderr);
		return CTL_EXIT_USAGE;
	}
	if (ctl_wants_help(argc, argv)) {
		log_help(stdout);
		return 0;
	}
	if (ctl_is_show(argv[0])) {
		if (argc > 1)
			return ctl_usage_error("log", "unexpected argument "
					       "'%s'", argv[1]);
		if (rpc_call("log.show", NULL, &res, &err))
			return ctl_fail(&err);
	} else if (ctl_matches(argv[0], "set")) {
		if (argc < 2 || argc > 3)
			return ctl_usage_error("log", "log set needs [MODULE] "
					       "LEVEL");
		params = argc == 3
			 ? ctl_params("s", "module", argv[1], "s", "level",
				      argv[2], NULL)
			 : ctl_params("s", "level", argv[1], NULL);
		if (rpc_call("log.set", params, &res, &err))
			return ctl_fail(&err);
	} else {
		return ctl_usage_error("log", "unknown log command '%s' (show "
				       "or set)", argv[0]);
	}
	print_levels(res);
	json_object_put(res);
	return 0;
}
