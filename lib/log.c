/*
 * log.c - leveled logging to stderr, a file or syslog, with rate limiting.
 *
 * Rate limiting keeps one small state per (module, level) pair in a fixed
 * table; modules beyond the table share the last slot.  The clock read here
 * is for log pacing only, never for protocol logic.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
static FILE *log_file;		/* log_open_file(); NULL: stderr/syslog */
static char *log_file_path;
static struct log_module log_modules[LOG_MAX_MODULES];
static unsigned log_n_modules;

static const char *const level_names[] = { "err", "warn", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

int
log_init(const char *ident, enum log_dest dest)
{
	struct stat st;

	log_ident = ident;
	log_dest = dest;
	if (dest != LOG_DEST_SYSLOG)
		return 0;
	if (stat(LOG_SYSLOG_SOCKET, &st) || !S_ISSOCK(st.st_mode)) {
		log_dest = LOG_DEST_STDERR;
		log_warn("log", "no syslog socket %s: logging to stderr instead",
			 LOG_SYSLOG_SOCKET);
		return -ENOENT;
	}
	openlog(ident, LOG_PID, LOG_DAEMON);
	return 0;
}

static FILE *
open_log_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "a");
	if (!f) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int
log_open_file(const char *path)
{
	FILE *f = open_log_file(path);
	char *copy;

	if (!f)
		return -errno;
	copy = strdup(path);
	if (!copy) {
		fclose(f);
		return -ENOMEM;
	}
	log_close_file();
	log_file = f;
	log_file_path = copy;
	return 0;
}

int
log_reopen_file(void)
{
	FILE *f;

	if (!log_file)
		return 0;
	f = open_log_file(log_file_path);
	if (!f)
		return -errno;
	fclose(log_file);
	log_file = f;
	return 0;
}

bool
log_file_in_use(void)
{
	return log_file != NULL;
}

void
log_close_file(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	free(log_file_path);
	log_file_path = NULL;
}

static struct log_module *
module_find(const char *name)
{
	for (unsigned i = 0; i < log_n_modules; i++)
		if (!strcmp(log_modules[i].name, name))
			return &log_modules[i];
	return NULL;
}

static struct log_module *
module_get(const char *name)
{
	struct log_module *m = module_find(name);

	if (m)
		return m;
	if (log_n_modules < LOG_MAX_MODULES) {
		m = &log_modules[log_n_modules++];
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
log_clear_module_levels(void)
{
	for (unsigned i = 0; i < log_n_modules; i++)
		log_modules[i].level = -1;
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

const char *
log_level_name(enum log_level level)
{
	return (unsigned)level < ARRAY_SIZE(level_names) ? level_names[level]
							  : "?";
}

enum log_level
log_get_default_level(void)
{
	return log_default;
}

bool
log_module_has_level(const char *module, enum log_level *level)
{
	struct log_module *m = module_find(module);

	if (!m || m->level < 0)
		return false;
	*level = (enum log_level)m->level;
	return true;
}

enum log_level
log_get_level(const char *module)
{
	enum log_level level;

	return log_module_has_level(module, &level) ? level : log_default;
}

bool
log_module_is_known(const char *module)
{
	return module_find(module) != NULL;
}

void
log_foreach_module(log_module_cb *cb, void *aux)
{
	for (unsigned i = 0; i < log_n_modules; i++)
		cb(log_modules[i].name, aux);
}

static void UTIL_PRINTF(3, 0)
log_emit(const char *module, enum log_level level, const char *fmt,
	 va_list ap)
{
	FILE *out = log_file ? log_file : stderr;
	char line[1024];

	vsnprintf(line, sizeof line, fmt, ap);
	if (log_dest == LOG_DEST_SYSLOG && !log_file) {
		syslog(syslog_prio[level], "%s: %s", module, line);
		return;
	}
	if (log_test_mode) {
		fprintf(out, "%s|%s|%s\n", module, level_names[level], line);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(out, "%s.%03ldZ %s[%d] %s|%s|%s\n", stamp,
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
