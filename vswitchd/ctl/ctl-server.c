/*
 * ctl-server.c - JSON-RPC 2.0 over a unix stream socket, newline-delimited.
 *
 * Transport only: accepting peers, framing, strict parsing, the JSON-RPC
 * envelope, dispatch by method name through the table it was opened with,
 * error replies, notifications.  What the methods do, and who learns of
 * the changes they make, is the methods layer's (ctl-methods.h).
 */
#include "ctl-server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>
#include <json-c/json.h>

#include "log.h"
#include "utf8.h"

#define MOD "ctl"
#define CTL_READ_CHUNK 65536
#define CTL_ACCEPT_RETRY_S 1.0	/* retry accept() this long after EMFILE */

struct ctl_conn {
	int fd;
	ev_io rio;		/* readable */
	ev_io wio;		/* writable, only while output is queued */
	char *rbuf;		/* partial request, NULL when there is none */
	size_t rlen, rcap;	/* rcap counts in server.in_bytes */
	char *wbuf;		/* queued output, from 'wpos' */
	size_t wlen, wpos, wcap;
	bool closing;		/* close once the output is flushed */
	bool keep;		/* a stream (capture): never shed */
	unsigned topics;	/* CTL_TOPIC_* subscriptions */
	bool read_only;		/* came through the read-only socket */
	ev_tstamp last_rx;	/* when it last sent something, or connected */
	struct ctl_conn *prev, *next;
};

/* A listening socket: the main one, or the read-only one. */
struct ctl_listener {
	int fd;
	ev_io accept_io;
	char *path;
	bool read_only;		/* its peers may call read-only methods only */
};

struct ctl_server {
	struct ev_loop *loop;
	struct ctl_listener lis[2];	/* [0] main, [1] read-only */
	ev_timer accept_retry;	/* runs while accepting is paused */
	const struct ctl_method *methods;	/* ends with a NULL name */
	ctl_conn_closed_fn *conn_closed;
	struct ctl_conn *conns;
	unsigned n_conns;
	size_t in_bytes;	/* read buffers of every connection */
	char chunk[CTL_READ_CHUNK];	/* what one read() takes */
};

static struct ctl_server server = {
	.lis = { { .fd = -1 }, { .fd = -1, .read_only = true } },
};

static void conn_close(struct ctl_conn *c);
static void conn_flush(struct ctl_conn *c);
static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents);
static void accept_cb(struct ev_loop *loop, ev_io *w, int revents);
static void accept_retry_cb(struct ev_loop *loop, ev_timer *w, int revents);
static char *handle_text(struct ctl_conn *c, const char *line, size_t len);

/* Removes 'path' if it is a socket nobody listens on.  Returns 0 when
 * 'path' is free, -EADDRINUSE when a server answers, -EEXIST when it is
 * something other than a socket. */
static int
remove_stale_socket(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, err;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_err(MOD, "%s exists and is not a socket; not replacing it",
			path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = connect(fd, (const struct sockaddr *)sun, sizeof *sun) ? errno : 0;
	close(fd);
	if (!err) {
		log_err(MOD, "%s: another vswitchd is listening there", path);
		return -EADDRINUSE;
	}
	if (unlink(path) && errno != ENOENT)
		return -errno;
	log_info(MOD, "removed stale socket %s", path);
	return 0;
}

/* Opens listening socket 'l' at 'path' (mode 0660) and starts accepting
 * on it. */
static int
listener_open(struct ctl_listener *l, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old_umask;
	char *dir;
	int fd, err;

	if (l->fd >= 0)
		return -EBUSY;
	if (!path || !*path || !util_strlcpy(sun.sun_path, path,
					     sizeof sun.sun_path)) {
		log_err(MOD, "socket path '%s' is empty or longer than %zu bytes",
			path ? path : "", sizeof sun.sun_path - 1);
		return -ENAMETOOLONG;
	}
	err = util_mkdir_parents(path, &dir);
	if (err) {
		log_err(MOD, "cannot create directory %s: %s", dir,
			strerror(-err));
		free(dir);
		return err;
	}
	err = remove_stale_socket(path, &sun);
	if (err)
		return err;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	old_umask = umask(0117);
	err = bind(fd, (struct sockaddr *)&sun, sizeof sun) ? -errno : 0;
	umask(old_umask);
	if (err) {
		log_err(MOD, "cannot bind %s: %s", path, strerror(-err));
		goto out_close_fd;
	}
	if (chmod(path, 0660) || listen(fd, 16)) {
		err = -errno;
		log_err(MOD, "cannot listen on %s: %s", path, strerror(-err));
		goto out_unlink;
	}
	l->fd = fd;
	l->path = xstrdup(path);
	ev_io_init(&l->accept_io, accept_cb, fd, EV_READ);
	l->accept_io.data = l;
	ev_io_start(server.loop, &l->accept_io);
	log_info(MOD, "listening on %s%s", path,
		 l->read_only ? " (read-only methods)" : "");
	return 0;

out_unlink:
	unlink(path);
out_close_fd:
	close(fd);
	return err;
}

static void
listener_close(struct ctl_listener *l)
{
	if (l->fd < 0)
		return;
	ev_io_stop(server.loop, &l->accept_io);
	close(l->fd);
	l->fd = -1;
	unlink(l->path);
	free(l->path);
	l->path = NULL;
}

int
ctl_server_open(struct ev_loop *loop, const char *path,
		const struct ctl_method *methods,
		ctl_conn_closed_fn *conn_closed)
{
	int err;

	if (server.lis[0].fd >= 0)
		return -EBUSY;
	server.loop = loop;
	err = listener_open(&server.lis[0], path);
	if (err)
		return err;
	server.methods = methods;
	server.conn_closed = conn_closed;
	ev_timer_init(&server.accept_retry, accept_retry_cb,
		      CTL_ACCEPT_RETRY_S, 0.);
	return 0;
}

int
ctl_server_open_ro(const char *path)
{
	if (server.lis[0].fd < 0)
		return -EINVAL;
	return listener_open(&server.lis[1], path);
}

int
ctl_server_set_group(bool read_only, gid_t gid)
{
	struct ctl_listener *l = &server.lis[read_only];

	if (l->fd < 0)
		return -EINVAL;
	if (chown(l->path, (uid_t)-1, gid)) {
		int err = -errno;

		log_err(MOD, "cannot give %s to group %u: %s", l->path,
			(unsigned)gid, strerror(-err));
		return err;
	}
	log_info(MOD, "%s: group %u may connect", l->path, (unsigned)gid);
	return 0;
}

void
ctl_server_close(void)
{
	if (server.lis[0].fd < 0)
		return;
	ev_timer_stop(server.loop, &server.accept_retry);
	for (size_t i = 0; i < ARRAY_SIZE(server.lis); i++)
		listener_close(&server.lis[i]);
	while (server.conns)
		conn_close(server.conns);
}

const char *
ctl_server_path(void)
{
	return server.lis[0].path;
}

/* The listening socket is watched only while an accept() can succeed:
 * at the process's fd limit (EMFILE, ENFILE) the pending peer stays in
 * the backlog and the socket stays readable, so a level-triggered watcher
 * would call accept_cb() again at once, forever (a core at 100 %).  It is
 * stopped instead, and started again when a connection closes or, for fds
 * freed elsewhere in the daemon, after CTL_ACCEPT_RETRY_S. */
static void
accept_pause(void)
{
	if (ev_is_active(&server.accept_retry))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(server.lis); i++)
		ev_io_stop(server.loop, &server.lis[i].accept_io);
	ev_timer_set(&server.accept_retry, CTL_ACCEPT_RETRY_S, 0.);
	ev_timer_start(server.loop, &server.accept_retry);
}

static void
accept_resume(void)
{
	ev_timer_stop(server.loop, &server.accept_retry);
	for (size_t i = 0; i < ARRAY_SIZE(server.lis); i++)
		if (server.lis[i].fd >= 0 &&
		    !ev_is_active(&server.lis[i].accept_io))
			ev_io_start(server.loop, &server.lis[i].accept_io);
}

static void
accept_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	accept_resume();
}

/* Whether 'c' may be closed to make room for others: it is not a
 * monitor or a capture, not already going, and either holds part of a
 * request or, unless 'partial_only', sits idle with nothing queued. */
static bool
conn_may_shed(const struct ctl_conn *c, bool partial_only)
{
	if (c->topics || c->keep || c->closing)
		return false;
	if (c->rlen)
		return true;
	return !partial_only && c->wlen == c->wpos;
}

/* Closes the connection that sent nothing for the longest time among
 * those conn_may_shed() allows, saying 'why' in the (rate-limited) log.
 * A peer still sending its request is recent, so the stalled ones go
 * first.  Returns the closed connection (freed: compare it, never use it)
 * or NULL when none may go. */
static const struct ctl_conn *
shed_one(bool partial_only, const char *why)
{
	struct ctl_conn *c, *victim = NULL;

	for (c = server.conns; c; c = c->next)
		if (conn_may_shed(c, partial_only) &&
		    (!victim || c->last_rx < victim->last_rx))
			victim = c;
	if (!victim)
		return NULL;
	log_warn_rl(MOD, "%s: closing the peer idle for the longest "
		    "(%.1f s, %zu bytes of a request held)", why,
		    ev_now(server.loop) - victim->last_rx, victim->rlen);
	conn_close(victim);
	return victim;
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	static const char busy[] = "{\"jsonrpc\":\"2.0\",\"error\":"
		"{\"code\":-32000,\"message\":\"too many control connections"
		"\",\"data\":{\"errno\":11,\"errname\":\"EAGAIN\"}},"
		"\"id\":null}\n";
	const struct ctl_listener *l = w->data;
	struct ctl_conn *c;
	int fd;

	(void)revents;
	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE) {
			log_warn_rl(MOD, "accept: %s; not accepting for %.0f s "
				    "or until a connection closes",
				    strerror(errno), CTL_ACCEPT_RETRY_S);
			accept_pause();
		} else if (errno != EAGAIN && errno != EINTR &&
			   errno != ECONNABORTED) {
			log_warn_rl(MOD, "accept: %s", strerror(errno));
		}
		return;
	}
	if (server.n_conns >= CTL_MAX_CONNS &&
	    !shed_one(false, "too many control connections")) {
		/* Everyone is busy or a monitor: the newcomer is told why,
		 * best effort (its socket buffer is empty), and goes. */
		log_warn_rl(MOD, "%u control connections, none idle: "
			    "refusing another", server.n_conns);
		if (write(fd, busy, sizeof busy - 1) < 0)
			log_debug(MOD, "refused peer: %s", strerror(errno));
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->read_only = l->read_only;
	c->last_rx = ev_now(loop);
	ev_io_init(&c->rio, conn_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, conn_write_cb, fd, EV_WRITE);
	ev_io_start(loop, &c->rio);
	c->next = server.conns;
	if (server.conns)
		server.conns->prev = c;
	server.conns = c;
	server.n_conns++;
}

static void
conn_close(struct ctl_conn *c)
{
	ev_io_stop(server.loop, &c->rio);
	ev_io_stop(server.loop, &c->wio);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		server.conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	server.n_conns--;
	server.in_bytes -= c->rcap;
	if (server.conn_closed)
		server.conn_closed(c);
	free(c->rbuf);
	free(c->wbuf);
	free(c);
	/* An fd is free again. */
	accept_resume();
}

/* Queues 'len' bytes of 's' and a newline for 'c'.  A peer whose queue
 * would pass CTL_MAX_OUTPUT_LEN is marked for closing instead. */
static void
conn_send(struct ctl_conn *c, const char *s, size_t len)
{
	static const char garbled[] = "{\"jsonrpc\":\"2.0\",\"error\":"
		"{\"code\":-32603,\"message\":\"internal error: reply "
		"is not valid UTF-8\"},\"id\":null}";
	size_t pending = c->wlen - c->wpos;

	/* Requests are validated, but a name can also come from the
	 * configuration file or the system: never pass on what a strict
	 * peer would choke on. */
	if (!utf8_is_valid(s, len, NULL)) {
		log_warn_rl(MOD, "reply of %zu bytes is not valid UTF-8; "
			    "sending an error instead", len);
		s = garbled;
		len = sizeof garbled - 1;
	}

	if (c->closing && !pending)
		return;
	if (pending + len + 1 > CTL_MAX_OUTPUT_LEN) {
		log_warn_rl(MOD, "peer does not read its replies; closing");
		c->closing = true;
		c->wlen = c->wpos = 0;
		return;
	}
	if (c->wpos && c->wpos == c->wlen)
		c->wpos = c->wlen = 0;
	if (c->wlen + len + 1 > c->wcap) {
		if (c->wpos) {
			memmove(c->wbuf, c->wbuf + c->wpos, pending);
			c->wlen = pending;
			c->wpos = 0;
		}
		if (c->wlen + len + 1 > c->wcap) {
			c->wcap = MAX(c->wcap * 2, c->wlen + len + 1);
			c->wbuf = xrealloc(c->wbuf, c->wcap);
		}
	}
	memcpy(c->wbuf + c->wlen, s, len);
	c->wbuf[c->wlen + len] = '\n';
	c->wlen += len + 1;
}

/* Writes what the socket takes; arms or disarms the write watcher; closes
 * the connection on error or when it was marked closing and is drained.
 * Returns nothing: 'c' may be freed on return. */
static void
conn_flush(struct ctl_conn *c)
{
	while (c->wpos < c->wlen) {
		ssize_t n = write(c->fd, c->wbuf + c->wpos, c->wlen - c->wpos);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			conn_close(c);
			return;
		}
		c->wpos += (size_t)n;
	}
	if (c->wpos < c->wlen) {
		ev_io_start(server.loop, &c->wio);
		/* Stop reading while much output is pending (back pressure). */
		if (c->wlen - c->wpos > CTL_MAX_MSG_LEN)
			ev_io_stop(server.loop, &c->rio);
		return;
	}
	c->wpos = c->wlen = 0;
	ev_io_stop(server.loop, &c->wio);
	if (c->closing) {
		conn_close(c);
		return;
	}
	if (!ev_is_active(&c->rio))
		ev_io_start(server.loop, &c->rio);
}

static void
conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop; (void)revents;
	conn_flush(container_of(w, struct ctl_conn, wio));
}

/* Queues a reply for 'c' unless 'reply' is NULL (a notification). */
static void
conn_reply(struct ctl_conn *c, char *reply)
{
	if (reply) {
		conn_send(c, reply, strlen(reply));
		free(reply);
	}
}

static char *error_text(struct json_object *id, int code, int errnum,
			const char *message);

/* Consumes every complete line of 'c's read buffer.  Returns false if
 * the connection must stop reading (closing). */
static bool
conn_process(struct ctl_conn *c)
{
	size_t start = 0;
	char *nl;

	while (!c->closing &&
	       (nl = memchr(c->rbuf + start, '\n', c->rlen - start))) {
		size_t len = (size_t)(nl - (c->rbuf + start));

		if (len > CTL_MAX_MSG_LEN) {
			conn_reply(c, error_text(NULL, CTL_ERR_INVALID_REQUEST,
						 0, "request larger than 1 MiB"));
			c->closing = true;
			break;
		}
		conn_reply(c, handle_text(c, c->rbuf + start, len));
		start += len + 1;
	}
	if (start) {
		memmove(c->rbuf, c->rbuf + start, c->rlen - start);
		c->rlen -= start;
	}
	if (!c->closing && c->rlen > CTL_MAX_MSG_LEN) {
		conn_reply(c, error_text(NULL, CTL_ERR_INVALID_REQUEST, 0,
					 "request larger than 1 MiB"));
		c->closing = true;
	}
	return !c->closing;
}

/* Makes room for 'need' bytes in 'c's read buffer, counting what it
 * holds in server.in_bytes. */
static void
conn_rbuf_reserve(struct ctl_conn *c, size_t need)
{
	size_t cap;

	if (c->rcap >= need)
		return;
	cap = MAX(MAX(c->rcap * 2, need), (size_t)4096);
	c->rbuf = xrealloc(c->rbuf, cap);
	server.in_bytes += cap - c->rcap;
	c->rcap = cap;
}

/* Gives back what 'c's read buffer holds beyond its partial request, so
 * that 1,000 idle peers cost their sockets and little else. */
static void
conn_rbuf_trim(struct ctl_conn *c)
{
	if (!c->rlen) {
		free(c->rbuf);
		c->rbuf = NULL;
		server.in_bytes -= c->rcap;
		c->rcap = 0;
	} else if (c->rcap > 4 * c->rlen && c->rcap > 65536) {
		c->rbuf = xrealloc(c->rbuf, c->rlen);
		server.in_bytes -= c->rcap - c->rlen;
		c->rcap = c->rlen;
	}
}

static void
conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_conn *c = container_of(w, struct ctl_conn, rio);
	ssize_t n;
	bool more;

	(void)revents;
	n = read(c->fd, server.chunk, sizeof server.chunk);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF: answer what is complete, then go (a last request
		 * without "\n" is handled too, as a courtesy). */
		if (n == 0 && c->rlen && c->rlen <= CTL_MAX_MSG_LEN &&
		    !c->closing && !memchr(c->rbuf, '\n', c->rlen))
			conn_reply(c, handle_text(c, c->rbuf, c->rlen));
		c->rlen = 0;
		conn_rbuf_trim(c);
		c->closing = true;
		ev_io_stop(server.loop, &c->rio);
		conn_flush(c);
		return;
	}
	conn_rbuf_reserve(c, c->rlen + (size_t)n);
	memcpy(c->rbuf + c->rlen, server.chunk, (size_t)n);
	c->rlen += (size_t)n;
	c->last_rx = ev_now(loop);
	more = conn_process(c);
	conn_rbuf_trim(c);
	if (!more)
		ev_io_stop(server.loop, &c->rio);
	/* Many peers each holding most of a large request would take the
	 * daemon's memory with them: past CTL_MAX_INPUT_TOTAL the stalled
	 * ones go, oldest first (possibly 'c' itself). */
	while (server.in_bytes > CTL_MAX_INPUT_TOTAL) {
		const struct ctl_conn *gone = shed_one(true,
			"control input over " CTL_MAX_INPUT_TOTAL_TEXT);

		if (gone == c)
			return;
		if (!gone)
			break;
	}
	conn_flush(c);
}

/* Builds an error reply text. */
static char *
error_text(struct json_object *id, int code, int errnum, const char *message)
{
	struct json_object *msg = json_object_new_object();
	struct json_object *err = json_object_new_object();
	char *text;

	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(err, "code", json_object_new_int(code));
	json_object_object_add(err, "message", json_object_new_string(message));
	if (code == CTL_ERR_APP && errnum > 0) {
		struct json_object *data = json_object_new_object();
		const char *name = strerrorname_np(errnum);

		json_object_object_add(data, "errno",
				       json_object_new_int(errnum));
		json_object_object_add(data, "errname",
				       json_object_new_string(name ? name : "?"));
		json_object_object_add(err, "data", data);
	}
	json_object_object_add(msg, "error", err);
	json_object_object_add(msg, "id", id ? json_object_get(id) : NULL);
	text = xstrdup(json_object_to_json_string_ext(msg,
						      JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(msg);
	return text;
}

static char *
result_text(struct json_object *id, struct json_object *result)
{
	struct json_object *msg = json_object_new_object();
	char *text;

	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(msg, "result", result);
	json_object_object_add(msg, "id", json_object_get(id));
	text = xstrdup(json_object_to_json_string_ext(msg,
						      JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(msg);
	return text;
}

/* Parses 'line' strictly: exactly one JSON text, nothing but white space
 * after it.  Returns the object or NULL with 'why' set. */
static struct json_object *
parse_strict(const char *line, size_t len, const char **why)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	struct json_object *obj;
	enum json_tokener_error jerr;
	char *text;
	size_t end;

	/* The terminating NUL tells the tokener the text ends here (a bare
	 * number would otherwise wait for more digits). */
	text = xmalloc(len + 1);
	memcpy(text, line, len);
	text[len] = '\0';
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
			       JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	if (!obj && (jerr == json_tokener_continue ||
		     json_tokener_get_parse_end(tok) >= len)) {
		*why = "truncated JSON text";
		goto out;
	}
	if (!obj) {
		*why = json_tokener_error_desc(jerr);
		goto out;
	}
	for (end = json_tokener_get_parse_end(tok); end < len; end++) {
		if (text[end] != ' ' && text[end] != '\t' && text[end] != '\r') {
			*why = "trailing data after the JSON text";
			json_object_put(obj);
			obj = NULL;
			break;
		}
	}
out:
	free(text);
	json_tokener_free(tok);
	return obj;
}

static bool
is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* True if string 'v' holds a NUL byte: json-c decodes "\u0000" into
 * the string, and every C consumer would then see only what comes before
 * it ("br0\u0000../x" would name br0). */
static bool
string_has_nul(struct json_object *v)
{
	const char *s = json_object_get_string(v);

	return (size_t)json_object_get_string_len(v) != strlen(s);
}

/* Looks for a string holding a NUL byte in 'v' and below it.  'path'
 * (of size 'size', 'len' bytes used) names 'v'; on finding one it names
 * that string ("params.args.mac", "params.topics[1]", cut if long) and
 * true is returned.  The tokener's depth limit bounds the recursion. */
static bool
find_nul_string(struct json_object *v, char *path, size_t len, size_t size)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return string_has_nul(v);
	case json_type_object: {
		json_object_object_foreach(v, key, val) {
			snprintf(path + len, size - len, ".%s", key);
			if (find_nul_string(val, path, strlen(path), size))
				return true;
		}
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			snprintf(path + len, size - len, "[%zu]", i);
			if (find_nul_string(json_object_array_get_idx(v, i),
					    path, strlen(path), size))
				return true;
		}
		break;
	default:
		break;
	}
	path[len] = '\0';
	return false;
}

/* True if the JSON text 'line' of 'len' bytes has a "\u0000" escape in
 * one of its strings.  Member names are C strings in json-c, cut at the
 * NUL without a trace, so this is the only way to see one there. */
static bool
text_has_nul_escape(const char *line, size_t len)
{
	bool in_string = false;

	for (size_t i = 0; i < len; i++) {
		if (!in_string) {
			in_string = line[i] == '"';
		} else if (line[i] == '"') {
			in_string = false;
		} else if (line[i] == '\\') {
			if (i + 5 < len && line[i + 1] == 'u' &&
			    !memcmp(line + i + 2, "0000", 4))
				return true;
			i++;
		}
	}
	return false;
}

/* The method called 'name', or NULL. */
static const struct ctl_method *
method_lookup(const char *name)
{
	for (const struct ctl_method *m = server.methods; m && m->name; m++)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

/* Handles one request line and returns the reply text or NULL. */
static char *
handle_text(struct ctl_conn *c, const char *line, size_t len)
{
	struct ctl_reply r = { .conn = c };
	struct json_object *req, *v, *id = NULL, *params = NULL;
	const struct ctl_method *m;
	const char *why = NULL, *name;
	char *text;
	bool notification;
	size_t bad;

	if (is_blank(line, len))
		return NULL;
	if (memchr(line, '\0', len))
		return error_text(NULL, CTL_ERR_PARSE, 0,
				  "parse error: NUL byte in request");
	/* Before parsing, so nothing ill-formed reaches a method or comes
	 * back quoted in an error, and the message quotes none of it. */
	if (!utf8_is_valid(line, len, &bad)) {
		char *msg = xasprintf("parse error: invalid UTF-8 at byte %zu",
				      bad);

		text = error_text(NULL, CTL_ERR_PARSE, 0, msg);
		free(msg);
		return text;
	}
	req = parse_strict(line, len, &why);
	if (!req) {
		char *msg = xasprintf("parse error: %s", why);

		text = error_text(NULL, CTL_ERR_PARSE, 0, msg);
		free(msg);
		return text;
	}
	if (!json_object_is_type(req, json_type_object)) {
		text = error_text(NULL, CTL_ERR_INVALID_REQUEST, 0,
				  json_object_is_type(req, json_type_array)
				  ? "batch requests are not supported"
				  : "request must be a JSON object");
		goto out_put_req;
	}

	/* The id first, so that later errors can carry it. */
	notification = !json_object_object_get_ex(req, "id", &id);
	if (!notification && id &&
	    !json_object_is_type(id, json_type_int) &&
	    !json_object_is_type(id, json_type_string)) {
		text = error_text(NULL, CTL_ERR_INVALID_REQUEST, 0,
				  "id must be a string, an integer or null");
		goto out_put_req;
	}
	if (id && json_object_is_type(id, json_type_string) &&
	    string_has_nul(id)) {
		text = error_text(NULL, CTL_ERR_INVALID_REQUEST, 0,
				  "id contains a NUL byte (\\u0000)");
		goto out_put_req;
	}
	if (!json_object_object_get_ex(req, "jsonrpc", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), "2.0") || string_has_nul(v)) {
		why = "jsonrpc must be \"2.0\"";
		goto invalid;
	}
	if (!json_object_object_get_ex(req, "method", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		why = "method must be a string";
		goto invalid;
	}
	if (string_has_nul(v)) {
		why = "method contains a NUL byte (\\u0000)";
		goto invalid;
	}
	name = json_object_get_string(v);
	if (json_object_object_get_ex(req, "params", &params) &&
	    !json_object_is_type(params, json_type_object)) {
		why = "params must be an object";
		goto invalid;
	}
	if (ctl_params_check_strings(params, &r)) {
		text = error_text(id, r.code, 0, r.message);
		ctl_reply_uninit(&r);
		goto out_put_req;
	}
	/* No string value holds a NUL, so an escaped one is in a name. */
	if (text_has_nul_escape(line, len)) {
		why = "a member name contains a NUL byte (\\u0000)";
		goto invalid;
	}
	json_object_object_foreach(req, key, val) {
		(void)val;
		if (strcmp(key, "jsonrpc") && strcmp(key, "method") &&
		    strcmp(key, "params") && strcmp(key, "id")) {
			char *msg = xasprintf("unknown member '%s' in request",
					      key);

			text = error_text(id, CTL_ERR_INVALID_REQUEST, 0, msg);
			free(msg);
			goto out_put_req;
		}
	}
	m = method_lookup(name);
	if (!m) {
		char *msg = xasprintf("method not found: %s", name);

		text = error_text(id, CTL_ERR_NO_METHOD, 0, msg);
		free(msg);
		goto out_put_req;
	}
	if (c && c->read_only && !m->read_only) {
		char *msg = xasprintf("%s: not allowed on the read-only "
				      "control socket %s (only methods that "
				      "show, monitor or count)", name,
				      server.lis[1].path);

		text = error_text(id, CTL_ERR_APP, EPERM, msg);
		free(msg);
		goto out_put_req;
	}

	log_debug(MOD, "request %s", name);
	m->fn(params, &r);
	if (notification)
		text = NULL;
	else if (r.code)
		text = error_text(id, r.code, r.errnum,
				  r.message ? r.message : "error");
	else {
		text = result_text(id, r.result);
		r.result = NULL;
	}
	ctl_reply_uninit(&r);
	goto out_put_req;

invalid:
	text = error_text(id, CTL_ERR_INVALID_REQUEST, 0, why);
out_put_req:
	json_object_put(req);
	return text;
}

char *
ctl_server_handle_text(const char *line, size_t len)
{
	return handle_text(NULL, line, len);
}

int
ctl_server_subscribe(struct ctl_reply *r, unsigned topics)
{
	if (!r->conn)
		return -EINVAL;
	r->conn->topics |= topics;
	return 0;
}

bool
ctl_server_has_subscribers(void)
{
	for (struct ctl_conn *c = server.conns; c; c = c->next)
		if (c->topics)
			return true;
	return false;
}

void
ctl_reply_uninit(struct ctl_reply *r)
{
	json_object_put(r->result);
	free(r->message);
	r->result = NULL;
	r->message = NULL;
	r->code = 0;
	r->errnum = 0;
}

void
ctl_conn_keep(struct ctl_conn *c)
{
	c->keep = true;
}

size_t
ctl_conn_pending(const struct ctl_conn *c)
{
	return c->wlen - c->wpos;
}

void
ctl_conn_notify(struct ctl_conn *c, const char *method,
		struct json_object *params)
{
	struct json_object *msg = json_object_new_object();
	const char *text;

	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(msg, "method", json_object_new_string(method));
	json_object_object_add(msg, "params", params);
	text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	conn_send(c, text, strlen(text));
	if (c->wpos < c->wlen)
		ev_io_start(server.loop, &c->wio);
	json_object_put(msg);
}

void
ctl_server_notify(unsigned topic, const char *method,
		  struct json_object *params)
{
	struct json_object *msg;
	const char *text;
	struct ctl_conn *c, *next;

	msg = json_object_new_object();
	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(msg, "method", json_object_new_string(method));
	json_object_object_add(msg, "params", params);
	text = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	for (c = server.conns; c; c = next) {
		next = c->next;
		if (c->topics & topic) {
			conn_send(c, text, strlen(text));
			conn_flush(c);
		}
	}
	json_object_put(msg);
}

int
ctl_reply_error(struct ctl_reply *r, int code, int errnum,
		const char *fmt, ...)
{
	va_list ap;

	free(r->message);
	va_start(ap, fmt);
	if (vasprintf(&r->message, fmt, ap) < 0)
		r->message = NULL;
	va_end(ap);
	r->code = code;
	r->errnum = errnum;
	return code;
}

/* Looks up 'key'; returns false when absent (recording an error in 'r' if
 * it is required). */
static bool
param_get(struct json_object *params, const char *key, bool required,
	  struct json_object **v, struct ctl_reply *r)
{
	if (params && json_object_object_get_ex(params, key, v) && *v)
		return true;
	if (params && json_object_object_get_ex(params, key, v) && !*v)
		ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				"params.%s: must not be null", key);
	else if (required)
		ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				"params.%s: missing", key);
	return false;
}

int
ctl_param_string(struct json_object *params, const char *key, bool required,
		 const char **out, struct ctl_reply *r)
{
	struct json_object *v;

	if (!param_get(params, key, required, &v, r))
		return r->code;
	if (!json_object_is_type(v, json_type_string))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.%s: must be a string", key);
	*out = json_object_get_string(v);
	return 1;
}

int
ctl_param_uint(struct json_object *params, const char *key, bool required,
	       uint64_t min, uint64_t max, uint64_t *out, struct ctl_reply *r)
{
	struct json_object *v;
	int64_t i;
	uint64_t u;

	if (!param_get(params, key, required, &v, r))
		return r->code;
	if (!json_object_is_type(v, json_type_int))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.%s: must be an integer", key);
	i = json_object_get_int64(v);
	if (i < 0)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.%s: %lld out of range %llu..%llu",
				       key, (long long)i,
				       (unsigned long long)min,
				       (unsigned long long)max);
	u = json_object_get_uint64(v);
	if (u < min || u > max)
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.%s: %llu out of range %llu..%llu",
				       key, (unsigned long long)u,
				       (unsigned long long)min,
				       (unsigned long long)max);
	*out = u;
	return 1;
}

int
ctl_param_bool(struct json_object *params, const char *key, bool required,
	       bool *out, struct ctl_reply *r)
{
	struct json_object *v;

	if (!param_get(params, key, required, &v, r))
		return r->code;
	if (json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return 1;
	}
	if (json_object_is_type(v, json_type_int) &&
	    (json_object_get_int64(v) == 0 || json_object_get_int64(v) == 1)) {
		*out = json_object_get_int64(v) == 1;
		return 1;
	}
	return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
			       "params.%s: must be a boolean (or 0/1)", key);
}

int
ctl_params_check_known(struct json_object *params, const char *const *known,
		       struct ctl_reply *r)
{
	if (!params)
		return 0;
	json_object_object_foreach(params, key, val) {
		const char *const *k;

		(void)val;
		for (k = known; *k; k++)
			if (!strcmp(*k, key))
				break;
		if (!*k)
			return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
					       "params.%s: unknown parameter",
					       key);
	}
	return 0;
}

int
ctl_params_check_strings(struct json_object *params, struct ctl_reply *r)
{
	char path[256] = "params";

	if (params && find_nul_string(params, path, strlen(path), sizeof path))
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "%s: contains a NUL byte (\\u0000)",
				       path);
	return 0;
}
