/*
 * log.h - leveled logging with per-module levels and rate limiting.
 *
 * Lines go to stderr (default) or syslog.  Each line names its module and,
 * by convention, starts with the object it concerns ("br0: tap0: ...").
 * In test mode (log_set_test_mode) lines carry no timestamp and no pid, so
 * logs can be compared with golden files.
 *
 * Anything logged because of packet contents or a peer's message must use
 * the _rl variants, which allow a burst of LOG_RL_BURST lines per module and
 * level and then one line per LOG_RL_INTERVAL_S seconds, reporting how many
 * were suppressed.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdbool.h>

#include "util.h"

enum log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

#define LOG_RL_BURST 10
#define LOG_RL_INTERVAL_S 5

/* Destination of log lines. */
enum log_dest {
	LOG_DEST_STDERR,
	LOG_DEST_SYSLOG,
};

/* Sets the program name shown in lines and where lines go. */
void log_init(const char *ident, enum log_dest dest);

/* Sets the level for 'module' (NULL: the default for every module).
 * Returns 0 or -EINVAL for an unknown level name. */
int log_set_level(const char *module, enum log_level level);

/* Parses "err|warn|info|debug".  Returns 0 or -EINVAL. */
int log_parse_level(const char *s, enum log_level *out);

/* Test mode: no timestamps in lines. */
void log_set_test_mode(bool on);

bool log_is_enabled(const char *module, enum log_level level);

void log_msg(const char *module, enum log_level level, const char *fmt, ...)
	UTIL_PRINTF(3, 4);
void log_msg_rl(const char *module, enum log_level level, const char *fmt, ...)
	UTIL_PRINTF(3, 4);

#define log_err(mod, ...)     log_msg(mod, LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(mod, ...)    log_msg(mod, LOG_LVL_WARN, __VA_ARGS__)
#define log_info(mod, ...)    log_msg(mod, LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(mod, ...)   log_msg(mod, LOG_LVL_DEBUG, __VA_ARGS__)
#define log_warn_rl(mod, ...) log_msg_rl(mod, LOG_LVL_WARN, __VA_ARGS__)
#define log_info_rl(mod, ...) log_msg_rl(mod, LOG_LVL_INFO, __VA_ARGS__)

#endif /* LIB_LOG_H */
