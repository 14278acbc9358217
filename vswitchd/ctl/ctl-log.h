/*
 * ctl-log.h - run-time log levels through the control socket (log.show,
 * log.set; docs/rpc.md), and the names of vswitchd's log modules.
 *
 * lib/log.c learns a module's name when the module first logs, so a name
 * nobody has used yet would look unknown; vswitchd's modules are therefore
 * listed here once, and both the methods and the daemon's -l option accept
 * exactly these names (and any other that log.c has seen).
 */
#ifndef VSWITCHD_CTL_LOG_H
#define VSWITCHD_CTL_LOG_H

#include <stdbool.h>

struct json_object;
struct ctl_reply;

/* vswitchd's log modules, NULL-terminated. */
extern const char *const ctl_log_modules[];

/* Returns the static name of module 'name' (from ctl_log_modules or
 * log.c's list), or NULL when vswitchd has no such module. */
const char *ctl_log_module_lookup(const char *name);

/* log.show: {"default": LEVEL, "modules": [{"module", "level", "own"}]},
 * every module sorted by name; "own" says the module has a level of its
 * own rather than the default.  Control path. */
int ctl_m_log_show(struct json_object *params, struct ctl_reply *r);

/* log.set {"level": LEVEL, "module"?: NAME}: sets the module's own level,
 * or without "module" the default, forgetting every module's own level.
 * Takes effect at once, for the life of the process (not saved).  Replies
 * as log.show.  Control path. */
int ctl_m_log_set(struct json_object *params, struct ctl_reply *r);

#endif /* VSWITCHD_CTL_LOG_H */
