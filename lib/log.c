/*
 * log.c - leveled logging to stderr or syslog, with rate limiting.
 *
 * Rate limiting keeps one small state per (module, level) pair in a fixed
 * table; modules beyond the table share the last slot.  The clock read here
 * is for log pacing only, never for protocol logic.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_MAX_MODULES 32

struct log_module {
	const char *name;	/* static string from the caller */
	int level;		/* -1: use the default */
	struct {
		time_t window_start;
		unsigned in_window;
		unsigned suppressed;
	} rl[LOG_LVL_DEBUG + 1];
};

static const char *log_ident = "vswitch";
static enum log_dest log_dest = LOG_DEST_STDERR;
static enum log_level log_default = LOG_LVL_INFO;
static bool log_test_mode;
static struct log_module log_modules[LOG_MAX_MODULES];
static unsigned log_n_modules;

static const char *const level_names[] = { "err", "warn", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void
log_init(const char *ident, enum log_dest dest)
{
	log_ident = ident;
	log_dest = dest;
	if (dest == LOG_DEST_SYSLOG)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

static struct log_module *
module_get(const char *name)
{
	for (unsigned i = 0; i < log_n_modules; i++)
		if (!strcmp(log_modules[i].name, name))
			return &log_modules[i];
	if (log_n_modules < LOG_MAX_MODULES) {
		struct log_module *m = &log_modules[log_n_modules++];

		m->name = name;
		m->level = -1;
		return m;
	}
	return &log_modules[LOG_MAX_MODULES - 1];
}

int
log_parse_level(const char *s, enum log_level *out)
{
	for (unsigned i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (!strcmp(s, level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

int
log_set_level(const char *module, enum log_level level)
{
	if ((unsigned)level > LOG_LVL_DEBUG)
		return -EINVAL;
	if (!module)
		log_default = level;
	else
		module_get(module)->level = (int)level;
	return 0;
}

void
log_set_test_mode(bool on)
{
	log_test_mode = on;
}

bool
log_is_enabled(const char *module, enum log_level level)
{
	struct log_module *m = module_get(module);
	int max = m->level >= 0 ? m->level : (int)log_default;

	return (int)level <= max;
}

static void UTIL_PRINTF(3, 0)
log_emit(const char *module, enum log_level level, const char *fmt,
	 va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof line, fmt, ap);
	if (log_dest == LOG_DEST_SYSLOG) {
		syslog(syslog_prio[level], "%s: %s", module, line);
		return;
	}
	if (log_test_mode) {
		fprintf(stderr, "%s|%s|%s\n", module, level_names[level], line);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s[%d] %s|%s|%s\n", stamp,
			ts.tv_nsec / 1000000, log_ident, (int)getpid(), module,
			level_names[level], line);
	}
}

void
log_msg(const char *module, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_is_enabled(module, level))
		return;
	va_start(ap, fmt);
	log_emit(module, level, fmt, ap);
	va_end(ap);
}

void
log_msg_rl(const char *module, enum log_level level, const char *fmt, ...)
{
	struct log_module *m;
	struct timespec ts;
	va_list ap;

	if (!log_is_enabled(module, level))
		return;
	m = module_get(module);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec - m->rl[level].window_start >= LOG_RL_INTERVAL_S) {
		if (m->rl[level].suppressed)
			log_msg(module, level, "%u similar messages suppressed",
				m->rl[level].suppressed);
		m->rl[level].window_start = ts.tv_sec;
		m->rl[level].in_window = 0;
		m->rl[level].suppressed = 0;
	}
	if (m->rl[level].in_window >= LOG_RL_BURST) {
		m->rl[level].suppressed++;
		return;
	}
	m->rl[level].in_window++;
	va_start(ap, fmt);
	log_emit(module, level, fmt, ap);
	va_end(ap);
}
