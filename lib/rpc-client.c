/*
 * rpc-client.c - the client side of vswitchd's control socket: connect,
 * one request at a time, replies matched by id, notifications queued.
 *
 * Framing as vswitchd/ctl/ctl-server.c expects it: a request is one compact
 * JSON text followed by "\n"; so is every message the daemon sends.  The
 * receive buffer keeps what follows a message for the next one.
 *
 * The socket stays blocking (so connect() can be bounded with
 * SO_SNDTIMEO, the only bound a unix-socket connect has); every send and
 * receive uses MSG_DONTWAIT and waits in poll(2) against the deadline.
 */
#include "rpc-client.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util.h"

/* The receive buffer grows by at least this much at a time. */
#define RPC_CLIENT_READ_CHUNK 65536

struct rpc_client {
	int fd;
	int timeout_ms;			/* per call; -1: none */
	int64_t next_id;
	size_t max_msg_len;
	int dead_errnum;		/* receiving ended for this reason */

	char *rbuf;			/* received bytes [rpos, rlen) */
	size_t rpos, rlen, rcap;
	size_t rscan;			/* no "\n" in [rpos, rscan) */

	struct json_object **queue;	/* notifications [q_head, q_len) */
	size_t q_head, q_len, q_cap;
};

static void set_error(struct rpc_client_error *err,
		      enum rpc_client_err_kind kind, int errnum);
static int64_t deadline_after(int timeout_ms);
static int wait_fd(int fd, short events, int64_t deadline, bool restart);
static int send_all(struct rpc_client *c, const char *buf, size_t len,
		    int64_t deadline);
static struct json_object *read_message(struct rpc_client *c,
					int64_t deadline, bool restart,
					struct rpc_client_error *err);
static int fill_buffer(struct rpc_client *c, int64_t deadline, bool restart);
static void queue_add(struct rpc_client *c, struct json_object *o);
static int decode_reply(struct json_object *reply, struct json_object **result,
			struct rpc_client_error *err);

struct rpc_client *
rpc_client_open(const char *path, int timeout_ms, struct rpc_client_error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct rpc_client *c;
	int fd;

	memset(err, 0, sizeof *err);
	if (!util_strlcpy(sun.sun_path, path, sizeof sun.sun_path)) {
		set_error(err, RPC_CLIENT_ERR_CONNECT, ENAMETOOLONG);
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_error(err, RPC_CLIENT_ERR_CONNECT, errno);
		return NULL;
	}
	if (timeout_ms >= 0) {
		/* A unix-socket connect() waits only when the daemon's
		 * backlog is full, for as long as SO_SNDTIMEO says. */
		struct timeval tv = {
			.tv_sec = timeout_ms / 1000,
			.tv_usec = (timeout_ms % 1000) * 1000,
		};

		if (!timeout_ms)
			tv.tv_usec = 1;	/* 0 would mean no limit */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun)) {
		set_error(err, RPC_CLIENT_ERR_CONNECT, errno);
		close(fd);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	c->max_msg_len = RPC_CLIENT_MAX_MSG_LEN;
	return c;
}

void
rpc_client_close(struct rpc_client *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->rbuf);
	for (size_t i = c->q_head; i < c->q_len; i++)
		json_object_put(c->queue[i]);
	free(c->queue);
	free(c);
}

void
rpc_client_set_max_msg_len(struct rpc_client *c, size_t len)
{
	ASSERT(len > 0 && len < SIZE_MAX - 1);
	c->max_msg_len = len;
}

int
rpc_client_call(struct rpc_client *c, const char *method,
		struct json_object *params, struct json_object **result,
		struct rpc_client_error *err)
{
	int64_t deadline = deadline_after(c->timeout_ms);
	int64_t id = c->next_id++;
	struct json_object *req, *reply, *v;
	const char *text;
	char *line;
	int rc;

	memset(err, 0, sizeof *err);
	if (result)
		*result = NULL;
	req = json_object_new_object();
	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params)
		json_object_object_add(req, "params", json_object_get(params));
	json_object_object_add(req, "id", json_object_new_int64(id));
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	line = xasprintf("%s\n", text);
	json_object_put(req);
	rc = send_all(c, line, strlen(line), deadline);
	free(line);
	if (rc) {
		set_error(err, RPC_CLIENT_ERR_SEND, -rc);
		return rc;
	}
	for (;;) {
		reply = read_message(c, deadline, true, err);
		if (!reply)
			return -err->errnum;
		if (!json_object_object_get_ex(reply, "id", &v)) {
			queue_add(c, reply);
			continue;
		}
		if (json_object_is_type(v, json_type_int) &&
		    json_object_get_int64(v) == id)
			break;
		json_object_put(reply);	/* to a call that timed out */
	}
	rc = decode_reply(reply, result, err);
	json_object_put(reply);
	return rc;
}

struct json_object *
rpc_client_recv(struct rpc_client *c, int timeout_ms,
		struct rpc_client_error *err)
{
	int64_t deadline = deadline_after(timeout_ms);
	struct json_object *o;

	memset(err, 0, sizeof *err);
	if (c->q_head < c->q_len) {
		o = c->queue[c->q_head++];
		if (c->q_head == c->q_len)
			c->q_head = c->q_len = 0;
		return o;
	}
	for (;;) {
		o = read_message(c, deadline, false, err);
		if (!o || !json_object_object_get_ex(o, "id", NULL))
			return o;
		json_object_put(o);	/* a reply nobody waits for */
	}
}

int
rpc_client_call_once(const char *path, int timeout_ms, const char *method,
		     struct json_object *params, struct json_object **result,
		     struct rpc_client_error *err)
{
	struct rpc_client *c = rpc_client_open(path, timeout_ms, err);
	int rc;

	if (result)
		*result = NULL;
	if (!c)
		return -err->errnum;
	rc = rpc_client_call(c, method, params, result, err);
	rpc_client_close(c);
	return rc;
}

static void
set_error(struct rpc_client_error *err, enum rpc_client_err_kind kind,
	  int errnum)
{
	err->kind = kind;
	err->errnum = errnum;
	err->code = 0;
	err->message[0] = '\0';
}

/* Deadlines are CLOCK_MONOTONIC milliseconds; -1 is none. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Waits until 'fd' has 'events' or 'deadline' passes.  0, -ETIMEDOUT,
 * -EINTR (unless 'restart'), or another -errno. */
static int
wait_fd(int fd, short events, int64_t deadline, bool restart)
{
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = events };
		int64_t left = deadline < 0 ? -1 : deadline - now_ms();
		int n;

		if (deadline >= 0 && left <= 0)
			left = 0;
		n = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n > 0)
			return 0;	/* errors and hang-ups show in I/O */
		if (n == 0) {
			if (deadline >= 0 && now_ms() >= deadline)
				return -ETIMEDOUT;
			continue;
		}
		if (errno != EINTR)
			return -errno;
		if (!restart)
			return -EINTR;
	}
}

/* Sends 'len' bytes of 'buf'.  0 or -errno (-ETIMEDOUT). */
static int
send_all(struct rpc_client *c, const char *buf, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			int rc;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			rc = wait_fd(c->fd, POLLOUT, deadline, true);
			if (rc)
				return rc;
			continue;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the next message: any JSON object.  NULL with '*err' filled when
 * none could be read before 'deadline' or the text is not an object. */
static struct json_object *
read_message(struct rpc_client *c, int64_t deadline, bool restart,
	     struct rpc_client_error *err)
{
	for (;;) {
		char *start, *nl = c->rlen > c->rscan
			   ? memchr(c->rbuf + c->rscan, '\n',
				    c->rlen - c->rscan)
			   : NULL;
		struct json_object *o;
		size_t len;
		int rc;

		if (!nl) {
			c->rscan = c->rlen;
			if (c->rlen - c->rpos > c->max_msg_len) {
				c->dead_errnum = EMSGSIZE;
				c->rpos = c->rlen = c->rscan = 0;
			}
			if (c->dead_errnum) {
				set_error(err, RPC_CLIENT_ERR_RECV,
					  c->dead_errnum);
				return NULL;
			}
			rc = fill_buffer(c, deadline, restart);
			if (rc) {
				set_error(err, RPC_CLIENT_ERR_RECV, -rc);
				return NULL;
			}
			continue;
		}
		start = c->rbuf + c->rpos;
		len = (size_t)(nl - start);
		*nl = '\0';
		c->rpos += len + 1;
		c->rscan = c->rpos;
		if (len > c->max_msg_len) {
			/* The "\n" came in the same read as the excess. */
			c->dead_errnum = EMSGSIZE;
			c->rpos = c->rlen = c->rscan = 0;
			continue;
		}
		o = json_tokener_parse(start);
		if (!o || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			set_error(err, RPC_CLIENT_ERR_MALFORMED, EBADMSG);
			return NULL;
		}
		return o;
	}
}

/* Reads what the socket has into the buffer, waiting until 'deadline'.
 * Holds at most one byte more than the longest message allowed, so that
 * a message too long shows.  0, or -errno: -ECONNRESET when the daemon
 * closed the connection (then, as for any error but a timeout or an
 * interruption, the connection is dead). */
static int
fill_buffer(struct rpc_client *c, int64_t deadline, bool restart)
{
	size_t want;

	if (c->rpos) {
		memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
		c->rlen -= c->rpos;
		c->rscan -= c->rpos;
		c->rpos = 0;
	}
	want = c->max_msg_len + 1;
	if (c->rcap < want && c->rcap - c->rlen < RPC_CLIENT_READ_CHUNK) {
		size_t cap = c->rcap ? c->rcap * 2 : RPC_CLIENT_READ_CHUNK;

		c->rcap = cap < want ? cap : want;
		c->rbuf = xrealloc(c->rbuf, c->rcap);
	}
	for (;;) {
		ssize_t n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen,
				 MSG_DONTWAIT);
		int rc;

		if (n > 0) {
			c->rlen += (size_t)n;
			return 0;
		}
		if (n == 0) {
			c->dead_errnum = ECONNRESET;
			return -ECONNRESET;
		}
		if (errno == EINTR && restart)
			continue;
		if (errno == EINTR)
			return -EINTR;
		if (errno != EAGAIN) {
			c->dead_errnum = errno;
			return -errno;
		}
		rc = wait_fd(c->fd, POLLIN, deadline, restart);
		if (rc)
			return rc;
	}
}

static void
queue_add(struct rpc_client *c, struct json_object *o)
{
	if (c->q_len == c->q_cap) {
		c->q_cap = c->q_cap ? c->q_cap * 2 : 16;
		c->queue = xrealloc(c->queue, c->q_cap * sizeof *c->queue);
	}
	c->queue[c->q_len++] = o;
}

/* A reply's "result" into '*result', or its "error" into '*err'. */
static int
decode_reply(struct json_object *reply, struct json_object **result,
	     struct rpc_client_error *err)
{
	struct json_object *v, *code, *msg, *data, *errnum;
	const char *text = NULL;

	if (json_object_object_get_ex(reply, "error", &v) && v) {
		set_error(err, RPC_CLIENT_ERR_REMOTE, 0);
		err->code = json_object_object_get_ex(v, "code", &code)
			    ? json_object_get_int(code) : -32603;
		if (json_object_object_get_ex(v, "message", &msg) && msg)
			text = json_object_get_string(msg);
		snprintf(err->message, sizeof err->message, "%s",
			 text ? text : "error");
		if (json_object_object_get_ex(v, "data", &data) &&
		    json_object_object_get_ex(data, "errno", &errnum))
			err->errnum = json_object_get_int(errnum);
		return -EREMOTEIO;
	}
	if (!json_object_object_get_ex(reply, "result", &v)) {
		set_error(err, RPC_CLIENT_ERR_MALFORMED, EPROTO);
		return -EPROTO;
	}
	if (result)
		*result = json_object_get(v);
	return 0;
}
