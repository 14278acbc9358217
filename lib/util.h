/*
 * util.h - small helpers shared by every part of the project.
 *
 * Control-path allocation goes through xmalloc() and friends, which abort on
 * out-of-memory (as in Open vSwitch): a switch that cannot allocate a few
 * bytes of configuration has nothing sensible left to do.  The datapath never
 * calls these per packet.
 *
 * ASSERT() is always compiled in and guards control-path invariants.
 * DASSERT() exists only in debug builds (-DDEBUG) and may guard the hot path.
 */
#ifndef LIB_UTIL_H
#define LIB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Asks the CPU for the cache line at 'p' with intent to write: it
 * arrives exclusive, so the store that follows needs no second trip to
 * take it from another core.  __builtin_prefetch(p, 1, 3) emits a plain
 * read prefetch unless the build targets a CPU with PREFETCHW, so x86-64
 * says it directly (a no-op where the CPU lacks it: 0F 0D is a NOP
 * there).  A hint: 'p' need not be mapped. */
static inline void
util_prefetch_w(const void *p)
{
#if defined(__x86_64__)
	__asm__ volatile("prefetchw %0" : : "m"(*(const char *)p));
#else
	__builtin_prefetch(p, 1, 3);
#endif
}

#define UTIL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define UTIL_NORETURN __attribute__((noreturn))

void util_assert_fail(const char *expr, const char *file, int line,
		      const char *func) UTIL_NORETURN;

#define ASSERT(expr) \
	((expr) ? (void)0 : util_assert_fail(#expr, __FILE__, __LINE__, __func__))

#ifdef DEBUG
#define DASSERT(expr) ASSERT(expr)
#else
#define DASSERT(expr) ((void)0)
#endif

/* Allocation that never returns NULL: on failure the process aborts. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) UTIL_PRINTF(1, 2);

/* Prints "PROGRAM: message" to stderr and exits with status 1.  For start-up
 * errors only; never called once a daemon is serving. */
void die(const char *fmt, ...) UTIL_PRINTF(1, 2) UTIL_NORETURN;

/* Strict number parsing: the whole of 's' must be a number in [min, max].
 * Accepts 0x/0 prefixes like strtol(…, 0).  Returns 0 or -EINVAL/-ERANGE. */
int util_parse_long(const char *s, long min, long max, long *out);
int util_parse_ulong(const char *s, unsigned long max, unsigned long *out);

/* Parses "on|yes|1" to true and "off|no|0" to false.  Returns 0 or -EINVAL. */
int util_parse_bool(const char *s, bool *out);

/* Copies 's' into 'dst' of 'size' bytes, always NUL-terminated.  Returns
 * true if it fitted without truncation. */
bool util_strlcpy(char *dst, const char *s, size_t size);

/* Creates every missing directory above the last '/' of 'path' (mode
 * 0755; existing ones are fine).  Returns 0 or -errno; on failure
 * '*failed' (if not NULL) gets the directory that could not be made, to
 * be freed by the caller. */
int util_mkdir_parents(const char *path, char **failed);

#endif /* LIB_UTIL_H */
