/*
 * util.c - allocation wrappers, assertions and strict number parsing.
 */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void
util_assert_fail(const char *expr, const char *file, int line,
		 const char *func)
{
	fprintf(stderr, "%s: assertion failed: %s (%s:%d, %s)\n",
		program_invocation_short_name, expr, file, line, func);
	abort();
}

static void
out_of_memory(size_t size)
{
	fprintf(stderr, "%s: out of memory allocating %zu bytes\n",
		program_invocation_short_name, size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		out_of_memory(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory(strlen(fmt));
	va_end(ap);
	return s;
}

void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

int
util_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 0);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
util_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
util_parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "on") || !strcasecmp(s, "yes") || !strcmp(s, "1")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(s, "off") || !strcasecmp(s, "no") || !strcmp(s, "0")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

bool
util_strlcpy(char *dst, const char *s, size_t size)
{
	size_t n = strlen(s);

	if (size == 0)
		return false;
	if (n >= size) {
		memcpy(dst, s, size - 1);
		dst[size - 1] = '\0';
		return false;
	}
	memcpy(dst, s, n + 1);
	return true;
}

int
util_mkdir_parents(const char *path, char **failed)
{
	char *dir = xstrdup(path);
	int err = 0;

	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			err = -errno;
			break;
		}
		*p = '/';
	}
	if (err && failed)
		*failed = dir;
	else
		free(dir);
	return err;
}
