/*
 * rpc-client.h - a client of vswitchd's control socket (JSON-RPC 2.0 over
 * a unix stream socket, one JSON text per message terminated by "\n"; see
 * docs/rpc.md), shared by bridgectl and the VMM's '--net BRIDGE'.
 *
 * One connection, one request at a time: rpc_client_call() sends a request
 * and waits for the reply with the same id.  Messages without an "id" are
 * notifications (the event monitor, capture frames); those that arrive
 * while a call waits are queued in arrival order and handed out later by
 * rpc_client_recv(), so a caller that subscribed sees every event once.
 * Replies with another id (to an earlier call that timed out) are dropped.
 *
 * Errors are data, not text: 'struct rpc_client_error' says which step
 * failed and why (an errno, or the daemon's JSON-RPC code and message), and
 * each front-end words it in its own dialect (bridgectl and brctl keep
 * their historical messages, the VMM its own).
 *
 * Blocking, with an optional deadline per call (poll(2) on the socket), for
 * the control path only: never call it from a datapath thread.  json-c is
 * the only library used.
 */
#ifndef LIB_RPC_CLIENT_H
#define LIB_RPC_CLIENT_H

#include <stddef.h>

struct json_object;
struct rpc_client;

/* Which step of a call failed. */
enum rpc_client_err_kind {
	RPC_CLIENT_ERR_NONE,
	RPC_CLIENT_ERR_CONNECT,	 /* socket()/connect(); ENAMETOOLONG: the
				  * path does not fit in sun_path */
	RPC_CLIENT_ERR_SEND,	 /* writing the request; ETIMEDOUT when the
				  * deadline passed */
	RPC_CLIENT_ERR_RECV,	 /* reading: ECONNRESET (the daemon closed
				  * the connection), ETIMEDOUT, EMSGSIZE (a
				  * message longer than the limit), EINTR
				  * (rpc_client_recv() only), a read errno */
	RPC_CLIENT_ERR_MALFORMED, /* EBADMSG: not a JSON object; EPROTO: a
				  * reply with neither "result" nor "error" */
	RPC_CLIENT_ERR_REMOTE,	 /* the daemon's JSON-RPC error */
};

/* Why a call failed.  'errnum' is a positive errno: the cause for the
 * transport kinds, data.errno of a REMOTE error (0 when it has none).
 * 'code' and 'message' are the daemon's for REMOTE ('code' -32603 and
 * 'message' "error" when the reply lacks them, longer messages cut);
 * otherwise 'code' is 0 and 'message' empty. */
struct rpc_client_error {
	enum rpc_client_err_kind kind;
	int errnum;
	int code;
	char message[512];
};

/* Longest message accepted by default, without its "\n": the daemon's own
 * limit for a request (CTL_MAX_MSG_LEN). */
#define RPC_CLIENT_MAX_MSG_LEN (1024u * 1024)

/* Connects to the control socket at 'path'.  'timeout_ms' bounds the
 * connect() and then each rpc_client_call() as a whole; -1 waits for
 * ever.  Returns the client (rpc_client_close() frees it), or NULL with
 * '*err' filled (kind RPC_CLIENT_ERR_CONNECT). */
struct rpc_client *rpc_client_open(const char *path, int timeout_ms,
				   struct rpc_client_error *err);

/* Closes the connection, drops queued notifications, frees 'c'.  Accepts
 * NULL. */
void rpc_client_close(struct rpc_client *c);

/* Accepts messages of up to 'len' bytes (without "\n") from now on,
 * RPC_CLIENT_MAX_MSG_LEN until changed; a longer one is an EMSGSIZE
 * receive error and ends the connection. */
void rpc_client_set_max_msg_len(struct rpc_client *c, size_t len);

/* Sends request 'method' with 'params' (an object, not consumed; NULL
 * sends no "params") and waits for its reply, queuing notifications that
 * arrive meanwhile.  Returns 0 with the reply's result in '*result' (a new
 * reference the caller puts; NULL for a null result; 'result' may be NULL
 * when not wanted), or a negative errno with '*err' filled: -EREMOTEIO for
 * a JSON-RPC error reply, else -err->errnum.  Interrupted system calls are
 * restarted.  A timeout or a malformed reply leaves the connection usable
 * (a late reply is dropped); once the daemon closed it, a read failed or
 * a message was too long, every later call fails the same way. */
int rpc_client_call(struct rpc_client *c, const char *method,
		    struct json_object *params, struct json_object **result,
		    struct rpc_client_error *err);

/* Returns the next notification: the oldest queued one, else the next
 * message read within 'timeout_ms' (-1: no limit).  The caller puts it.
 * NULL with '*err' filled when none came: ETIMEDOUT, ECONNRESET when the
 * daemon closed the connection, EINTR when a signal handler installed
 * without SA_RESTART ran (poll(2) is never restarted), EBADMSG for a
 * message that is not a JSON object.  A stray reply is dropped. */
struct json_object *rpc_client_recv(struct rpc_client *c, int timeout_ms,
				    struct rpc_client_error *err);

/* One call on a connection of its own: rpc_client_open(), then
 * rpc_client_call(), then rpc_client_close(), all within 'timeout_ms'
 * (-1: no limit) for connect and again for the call.  For a client that
 * asks once, like the VMM.  Returns as rpc_client_call(); a connect
 * failure gives -err->errnum. */
int rpc_client_call_once(const char *path, int timeout_ms,
			 const char *method, struct json_object *params,
			 struct json_object **result,
			 struct rpc_client_error *err);

#endif /* LIB_RPC_CLIENT_H */
