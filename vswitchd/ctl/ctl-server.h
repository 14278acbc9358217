/*
 * ctl-server.h - the control server: JSON-RPC 2.0 over a unix stream socket.
 *
 * vswitchd listens on one unix socket (mode 0660).  Each message is one
 * compact JSON text terminated by "\n"; a request larger than
 * CTL_MAX_MSG_LEN bytes is answered with -32600 and the connection closed.
 * The protocol (methods, parameters, error codes) is docs/rpc.md.
 *
 * The server runs on the daemon's libev loop and never blocks: sockets are
 * non-blocking, replies are queued and flushed when the peer can take them,
 * and a peer that stops reading while its queue grows past
 * CTL_MAX_OUTPUT_LEN is disconnected.  Nothing a peer sends can crash the
 * daemon: every request is parsed strictly and checked against the
 * JSON-RPC envelope before its method runs.
 *
 * This is the transport layer only.  It dispatches a request by method
 * name through the table given to ctl_server_open() and knows nothing of
 * what the methods do: the methods layer (ctl-methods.h) applies changes
 * and tells whoever observes them (the config store), the monitor
 * (ctl-monitor.h) streams events through ctl_server_notify().  Method
 * handlers see only the small API below: typed parameter readers that
 * produce precise -32602 errors, and ctl_reply_error() for application
 * errors.
 */
#ifndef VSWITCHD_CTL_SERVER_H
#define VSWITCHD_CTL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct ctl_conn;
struct ev_loop;
struct json_object;

#define CTL_MAX_MSG_LEN    (1024 * 1024)	/* one request, without "\n" */
#define CTL_MAX_OUTPUT_LEN (64 * 1024 * 1024)	/* queued replies per peer */

/* What all peers together may hold of the daemon.  Past CTL_MAX_CONNS
 * connections a newcomer takes the place of the peer that has been
 * silent longest (idle, or stalled in the middle of a request); when none
 * is (all are monitors, captures or being answered), the newcomer is
 * refused with -32000 EAGAIN "too many control connections".  Past
 * CTL_MAX_INPUT_TOTAL bytes of partial requests held for all peers, the
 * stalled peers holding them are closed, the longest silent first, so
 * the daemon's memory is bounded whatever its peers send (half-sent 1 MiB
 * requests on 300 connections took 314 MB before).  Monitors and captures
 * are never closed for either reason. */
#define CTL_MAX_CONNS       1024
#define CTL_MAX_INPUT_TOTAL (32 * 1024 * 1024)
#define CTL_MAX_INPUT_TOTAL_TEXT "32 MiB"

/* JSON-RPC 2.0 error codes. */
enum {
	CTL_ERR_PARSE = -32700,
	CTL_ERR_INVALID_REQUEST = -32600,
	CTL_ERR_NO_METHOD = -32601,
	CTL_ERR_INVALID_PARAMS = -32602,
	CTL_ERR_INTERNAL = -32603,
	CTL_ERR_APP = -32000,		/* carries data {errno, errname} */
};

/* Outcome of one method call, filled by the handler. */
struct ctl_reply {
	struct json_object *result;	/* on success; NULL means null */
	int code;			/* 0 or a CTL_ERR_* */
	int errnum;			/* positive errno for CTL_ERR_APP */
	char *message;			/* xmalloc'd */
	bool no_save;			/* a change method changed nothing
					 * that is saved (ctl-methods.h) */
	struct ctl_conn *conn;		/* requesting connection, or NULL */
};

/* A method: its handler fills 'r' and returns 0 or the CTL_ERR_* it
 * recorded there. */
typedef int ctl_method_fn(struct json_object *params, struct ctl_reply *r);

struct ctl_method {
	const char *name;	/* "bridge.add"; NULL ends a table */
	ctl_method_fn *fn;
	bool read_only;		/* changes nothing and reveals no traffic:
				 * allowed on the read-only socket */
};

/* Called when connection 'c' closes, after it left the server's list
 * (ctl_server_has_subscribers() no longer counts it), before it is
 * freed. */
typedef void ctl_conn_closed_fn(struct ctl_conn *c);

/* Opens the control socket at 'path' on 'loop': creates the parent
 * directory (0755) if missing, replaces a stale socket (one nobody answers
 * on), refuses to replace a live socket or a non-socket file, and sets
 * mode 0660.  Requests are dispatched through 'methods' (borrowed, ending
 * with a NULL name); 'conn_closed' (may be NULL) hears of each connection
 * that closes.  Returns 0 or -errno (after logging why). */
int ctl_server_open(struct ev_loop *loop, const char *path,
		    const struct ctl_method *methods,
		    ctl_conn_closed_fn *conn_closed);

/* Opens a second, read-only control socket at 'path' (mode 0660, after
 * ctl_server_open()): its peers may call only the methods marked
 * read_only; any other is refused with -32000 EPERM "METHOD: not allowed
 * on the read-only control socket PATH ...".  Returns 0 or -errno (after
 * logging why). */
int ctl_server_open_ro(const char *path);

/* Gives the main (or, if 'read_only', the read-only) socket to group
 * 'gid', so its members may connect (docs/security.md).  Returns 0 or
 * -errno after logging why. */
int ctl_server_set_group(bool read_only, gid_t gid);

/* Closes every connection and the listening sockets and removes the socket
 * file.  Safe to call when the server is not open. */
void ctl_server_close(void);

/* The socket path in use, or NULL. */
const char *ctl_server_path(void);

/* Handles one request text 'line' of 'len' bytes as if received on a
 * connection with no subscriptions and returns the reply text (xmalloc'd,
 * without "\n"), or NULL for a notification.  For tests and for replaying
 * requests without a socket. */
char *ctl_server_handle_text(const char *line, size_t len);

/* Frees what 'r' holds and clears it (not 'conn'). */
void ctl_reply_uninit(struct ctl_reply *r);

/* Records an error in 'r' and returns 'code'.  For CTL_ERR_APP, 'errnum'
 * is a positive errno reported as data {errno, errname}. */
int ctl_reply_error(struct ctl_reply *r, int code, int errnum,
		    const char *fmt, ...) UTIL_PRINTF(4, 5);

/* Parameter readers.  Each looks up 'key' in the params object 'params'
 * and, when it is present, checks its type and range.  A missing optional
 * parameter leaves '*out' untouched and returns 0; a missing required one,
 * a wrong type or a value out of range records -32602 "params.KEY: why" in
 * 'r' and returns CTL_ERR_INVALID_PARAMS.  Returns 1 when the value was
 * present and stored. */
int ctl_param_string(struct json_object *params, const char *key,
		     bool required, const char **out, struct ctl_reply *r);
int ctl_param_uint(struct json_object *params, const char *key,
		   bool required, uint64_t min, uint64_t max, uint64_t *out,
		   struct ctl_reply *r);
int ctl_param_bool(struct json_object *params, const char *key,
		   bool required, bool *out, struct ctl_reply *r);

/* Checks that every key of 'params' is one of the NULL-terminated list
 * 'known'.  Returns 0, or records -32602 "params.KEY: unknown parameter"
 * and returns CTL_ERR_INVALID_PARAMS. */
int ctl_params_check_known(struct json_object *params,
			   const char *const *known, struct ctl_reply *r);

/* Checks that no string in 'params' (values at any depth) holds a NUL
 * byte, which every C consumer would silently cut the string at
 * ("rel\u0000../x" would name bridge "rel").  Returns 0, or records
 * -32602 "params.PATH: contains a NUL byte (\u0000)" and returns
 * CTL_ERR_INVALID_PARAMS.  Every request and every replayed call passes
 * here before its method runs (the server and ctl_method_call()), so
 * handlers may trust their strings' C length. */
int ctl_params_check_strings(struct json_object *params,
			     struct ctl_reply *r);

/* Sends notification 'method' with 'params' (ownership taken) to every
 * connection subscribed to 'topic' (CTL_TOPIC_*). */
enum {
	CTL_TOPIC_FDB = 1 << 0,
	CTL_TOPIC_STP = 1 << 1,
	CTL_TOPIC_LINK = 1 << 2,
};
void ctl_server_notify(unsigned topic, const char *method,
		       struct json_object *params);

/* Subscribes the connection that made the request in 'r' to 'topics'.
 * Returns 0 or -EINVAL when there is no connection (replayed request). */
int ctl_server_subscribe(struct ctl_reply *r, unsigned topics);

/* True while some connection is subscribed to a topic. */
bool ctl_server_has_subscribers(void);

/* Marks 'c' as a long-lived stream (a capture) that is never closed to
 * make room for other peers. */
void ctl_conn_keep(struct ctl_conn *c);

/* Bytes queued for 'c' and not yet written. */
size_t ctl_conn_pending(const struct ctl_conn *c);

/* Queues notification 'method' with 'params' (ownership taken) for 'c'
 * alone; it is written when the socket can take it.  Never closes 'c'
 * (a peer over CTL_MAX_OUTPUT_LEN is marked to close later). */
void ctl_conn_notify(struct ctl_conn *c, const char *method,
		     struct json_object *params);

#endif /* VSWITCHD_CTL_SERVER_H */
