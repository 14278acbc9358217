/*
 * log.h - leveled logging with per-module levels and rate limiting.
 *
 * Lines go to stderr (default), a file or syslog.  Each line names its module and,
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

/* The socket syslog(3) writes to. */
#define LOG_SYSLOG_SOCKET "/dev/log"

/* Sets the program name shown in lines and where lines go.  LOG_DEST_SYSLOG
 * without a syslog socket (LOG_SYSLOG_SOCKET, absent in many containers)
 * would lose every line silently, so then lines go to stderr and a warning
 * says so; returns -ENOENT in that case, else 0. */
int log_init(const char *ident, enum log_dest dest);

/* Sends lines to the file at 'path' (created mode 0640, appended to) from
 * now on, instead of stderr or syslog.  Returns 0, or -errno with the
 * destination unchanged. */
int log_open_file(const char *path);

/* Opens the log file again under the same name, for log rotation (the
 * daemon calls it on SIGHUP).  Returns 0 (also when no file is in use), or
 * -errno with the old file kept. */
int log_reopen_file(void);

/* True while lines go to a file opened by log_open_file(). */
bool log_file_in_use(void);

/* Closes the log file; lines go to stderr again. */
void log_close_file(void);

/* Sets the level for 'module' (NULL: the default for every module).
 * Returns 0 or -EINVAL for an unknown level name. */
int log_set_level(const char *module, enum log_level level);

/* Forgets every module's own level, so all log at the default. */
void log_clear_module_levels(void);

/* Parses "err|warn|info|debug".  Returns 0 or -EINVAL. */
int log_parse_level(const char *s, enum log_level *out);

/* Test mode: no timestamps in lines. */
void log_set_test_mode(bool on);

bool log_is_enabled(const char *module, enum log_level level);

/* "err", "warn", "info" or "debug". */
const char *log_level_name(enum log_level level);

/* The default level (of modules without a level of their own). */
enum log_level log_get_default_level(void);

/* The level 'module' logs at: its own if set, else the default.  Does not
 * register 'module'. */
enum log_level log_get_level(const char *module);

/* True when 'module' has a level of its own ('*level' set to it). */
bool log_module_has_level(const char *module, enum log_level *level);

/* True when 'module' logged, was asked about or got a level since start. */
bool log_module_is_known(const char *module);

/* Calls 'cb' for each module known to log.c, in the order they appeared. */
typedef void log_module_cb(const char *module, void *aux);
void log_foreach_module(log_module_cb *cb, void *aux);

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
