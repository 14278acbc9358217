/*
 * ctl-log.c - the log.show and log.set methods (see ctl-log.h).
 */
#include "ctl-log.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl-server.h"
#include "log.h"
#include "util.h"

/* Every module a vswitchd file logs under ('MOD'), and "log" for the log
 * library's own warnings ("patch", "vxlan" and "netdev" are the port
 * classes main has gained; tests/sys/sd-loglevel.sh checks the list
 * against the sources).  "dp" is the datapath's debug lines (drops by
 * reason, addresses learned and moved: main.c's dp-log). */
const char *const ctl_log_modules[] = {
	"bridge", "config", "ctl", "dp", "log", "main", "netdev", "nl", "patch",
	"pcap", "stp", "tap", "vhost", "vxlan", NULL,
};

struct collect {
	const char **names;
	size_t n, cap;
};

static void
collect_add(struct collect *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name))
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 32;
		c->names = xrealloc(c->names, c->cap * sizeof *c->names);
	}
	c->names[c->n++] = name;
}

static void
collect_cb(const char *module, void *aux)
{
	collect_add(aux, module);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static struct json_object *
levels_json(void)
{
	struct collect c = { NULL, 0, 0 };
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();

	for (size_t i = 0; ctl_log_modules[i]; i++)
		collect_add(&c, ctl_log_modules[i]);
	log_foreach_module(collect_cb, &c);
	qsort(c.names, c.n, sizeof *c.names, compare_names);
	for (size_t i = 0; i < c.n; i++) {
		struct json_object *m = json_object_new_object();
		enum log_level own;
		bool has_own = log_module_has_level(c.names[i], &own);

		json_object_object_add(m, "module",
				       json_object_new_string(c.names[i]));
		json_object_object_add(m, "level", json_object_new_string(
			log_level_name(log_get_level(c.names[i]))));
		json_object_object_add(m, "own",
				       json_object_new_boolean(has_own));
		json_object_array_add(list, m);
	}
	free(c.names);
	json_object_object_add(o, "default", json_object_new_string(
		log_level_name(log_get_default_level())));
	json_object_object_add(o, "modules", list);
	return o;
}

const char *
ctl_log_module_lookup(const char *name)
{
	struct collect c = { NULL, 0, 0 };
	const char *found = NULL;

	for (size_t i = 0; ctl_log_modules[i]; i++)
		if (!strcmp(ctl_log_modules[i], name))
			return ctl_log_modules[i];
	log_foreach_module(collect_cb, &c);
	for (size_t i = 0; i < c.n && !found; i++)
		if (!strcmp(c.names[i], name))
			found = c.names[i];
	free(c.names);
	return found;
}

int
ctl_m_log_show(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { NULL };

	if (ctl_params_check_known(params, known, r))
		return r->code;
	r->result = levels_json();
	return 0;
}

int
ctl_m_log_set(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "module", "level", NULL };
	const char *module_arg = NULL, *level_arg, *module = NULL;
	enum log_level level;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "module", false, &module_arg, r) < 0 ||
	    ctl_param_string(params, "level", true, &level_arg, r) < 0)
		return r->code;
	if (log_parse_level(level_arg, &level))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.level: unknown level '%s' "
				       "(err, warn, info or debug)",
				       level_arg);
	if (module_arg) {
		module = ctl_log_module_lookup(module_arg);
		if (!module)
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.module: unknown module "
					       "'%s' (see log.show)",
					       module_arg);
		log_set_level(module, level);
	} else {
		log_set_level(NULL, level);
		log_clear_module_levels();
	}
	log_info("main", "log level of %s set to %s", module ? module : "all "
		 "modules", log_level_name(level));
	r->result = levels_json();
	return 0;
}
