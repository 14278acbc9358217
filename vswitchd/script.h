/*
 * script.h - setup commands: a small iproute2-like language that builds
 * bridges and ports without a control socket.
 *
 * Used by `vswitchd --script FILE` (daemon or --replay) and by the pcap
 * replay tests (tests/pcap/<case>/setup).  The language is documented in
 * docs/vswitchd.8 (SETUP COMMANDS) and tests/pcap/README.md.  Every error
 * names the file, line, command and bad argument.
 */
#ifndef VSWITCHD_SCRIPT_H
#define VSWITCHD_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

struct script_at;

struct script_ctx {
	const char *in_dir;	/* default folder of in-PORT.pcap */
	const char *out_dir;	/* default folder of out-PORT.pcap */
	bool replay;		/* 'at' commands allowed (replay mode) */
	const char *file;	/* for messages */
	unsigned line;
	struct script_at *at;	/* deferred commands, sorted by time */
	unsigned n_expect_fail;	/* expect-fail commands that failed */
	uint64_t end_ns;	/* 'end SECONDS': replay until then (0: none) */
};

/* Runs every command of 'path'.  Stops at the first failing command.
 * Returns 0 or -errno (message printed on stderr). */
int script_run_file(struct script_ctx *ctx, const char *path);

/* Runs one command line.  Returns 0 or -errno (message on stderr). */
int script_run_line(struct script_ctx *ctx, const char *line);

/* Time (ns) of the earliest deferred 'at' command, or UINT64_MAX. */
uint64_t script_next_at_ns(const struct script_ctx *ctx);

/* Runs the deferred commands due at or before 'now_ns'.  Returns 0 or the
 * first error. */
int script_run_due(struct script_ctx *ctx, uint64_t now_ns);

/* Frees deferred commands. */
void script_ctx_uninit(struct script_ctx *ctx);

#endif /* VSWITCHD_SCRIPT_H */
