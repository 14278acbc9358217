/*
 * ctl.h - bridgectl: the command-line client of vswitchd's control socket.
 *
 * One program, three dialects over the same JSON-RPC methods (docs/rpc.md):
 *   brctl.c     the bridge-utils grammar and output, byte for byte (also
 *               when the program is invoked as "brctl");
 *   iplink.c,   iproute2-style "link", "fdb" and "vlan" commands with -j/-p
 *   iproute.c   JSON using iproute2's key names;
 *   own.c       what neither has: ports of other types, statistics, the
 *               daemon's clock, the event monitor.
 * rpc.c holds the connection (lib/rpc-client.c): one request at a time,
 * replies matched by id, notifications queued.
 */
#ifndef CTL_CTL_H
#define CTL_CTL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctl-socket.h"

struct json_object;


/* Exit statuses of the iproute2 and own dialects (brctl keeps its own). */
#define CTL_EXIT_FAIL  1	/* the daemon refused or failed */
#define CTL_EXIT_USAGE 2	/* bad command line */

/* Global options. */
struct ctl_opts {
	const char *socket_path;
	bool json;		/* -j */
	bool pretty;		/* -p */
	bool stats;		/* -s */
	bool details;		/* -d */
};

extern struct ctl_opts ctl_opts;

/* Error of a call: 'code' is the JSON-RPC code (0 for transport errors,
 * where 'errnum' says why), 'errnum' a positive errno when known.
 * 'unreachable' is set when connecting to the socket failed; 'message'
 * then names the socket and says how to start vswitchd. */
struct rpc_error {
	int code;
	int errnum;
	bool unreachable;
	char message[512];
};

/* Calls 'method' with 'params' (ownership taken; NULL means no params),
 * connecting on first use.  Returns 0 with the result in '*result' (the
 * caller puts it; may be NULL when not wanted), or -1 with '*err' filled. */
int rpc_call(const char *method, struct json_object *params,
	     struct json_object **result, struct rpc_error *err);

/* Set by a signal handler (installed without SA_RESTART) to make a
 * blocking rpc_next_notification() return NULL. */
extern volatile sig_atomic_t ctl_interrupted;

/* Waits for the next notification on the connection and returns it (the
 * caller puts it), or NULL when the connection closed or 'ctl_interrupted'
 * was set while waiting. */
struct json_object *rpc_next_notification(void);

/* One wait of rpc_next_notification() of at most 'timeout_ms' (-1: no
 * limit, 0: only what is queued or readable now).  NULL with '*why'
 * ETIMEDOUT (nothing came), EINTR (a signal handler ran, whichever) or
 * ECONNRESET (the connection is gone: closed, broken, or never opened). */
struct json_object *rpc_wait_notification(int timeout_ms, int *why);

void rpc_close(void);

/* Builds a params object from key/value pairs: "s" string, "i" int64,
 * "b" bool, "o" object (ownership taken); NULL-terminated list of
 * (type, key, value) triples. */
struct json_object *ctl_params(const char *type, ...);

/* Prints 'err' as "PROG: message" on stderr. */
void ctl_print_error(const struct rpc_error *err);

/* ctl_print_error(), then returns CTL_EXIT_FAIL. */
int ctl_fail(const struct rpc_error *err);

/* Member 'key' of object 'o' as a string ("" when absent or null) or an
 * integer (0; booleans give 0/1). */
const char *ctl_jstr(struct json_object *o, const char *key);
long long ctl_jint(struct json_object *o, const char *key);

/* True for "help", "--help" and "-h". */
bool ctl_is_help(const char *arg);

/* True if any of the 'argc' words is a help word (iproute2 style: help
 * anywhere in a command asks for its usage). */
bool ctl_wants_help(int argc, char **argv);

/* True for iproute2's listing verbs: "show", "list", "ls". */
bool ctl_is_show(const char *arg);

/* True if 'arg' is exactly 'word' (iproute2 command keywords). */
bool ctl_matches(const char *arg, const char *word);

/* Prints 'o' as JSON per -p (pretty) and a newline. */
void ctl_print_json(struct json_object *o);

/* Parses a number for the command line.  0 or -EINVAL/-ERANGE. */
int ctl_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Dialects.  Each returns the process exit status. */
int brctl_main(int argc, char **argv);
bool brctl_is_command(const char *name);
int ipr_link(int argc, char **argv);
int ipr_fdb(int argc, char **argv);
int ipr_vlan(int argc, char **argv);
int own_port(int argc, char **argv);

/* Reads one port setting, word 'w' with value 'v' (NULL at the end of the
 * line), into port.set parameters 'p': a name of the PORT_OPTIONS table,
 * iproute2's 'guard' for bpdu_guard, or 'state' by name or iproute2's
 * number.  Returns the words used (2), 0 if 'w' is no port setting, or -1
 * after a usage error naming 'cmd' was printed. */
int ctl_port_setting(const char *cmd, const char *w, const char *v,
		     struct json_object *p);
int own_stats(int argc, char **argv);
int own_debug(int argc, char **argv);
int own_monitor(int argc, char **argv);
int own_info(int argc, char **argv);
int own_capture(int argc, char **argv);
int own_log(int argc, char **argv);
int own_trace(int argc, char **argv);
/* 'bridge set BR OPTION VALUE...': 'link set dev BR type bridge ...'. */
int own_bridge(int argc, char **argv);

/* The port type that attaching device 'dev' by name (brctl addif, link set
 * DEV master BR) asks the daemon for: "netdev" when 'dev' exists in this
 * network namespace and is not a TUN/TAP device (a veth, a NIC, ...), else
 * "tap" (an existing TAP is attached; a missing name is created as a TAP,
 * the documented userspace exception).  Looks at /sys/class/net only; the
 * daemon refuses what cannot be a port (loopback, its own devices). */
const char *ctl_port_type_for_dev(const char *dev);

/* Prints a usage error "bridgectl: MSG" plus a hint and returns
 * CTL_EXIT_USAGE. */
int ctl_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* CTL_CTL_H */
