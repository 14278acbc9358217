/*
 * rpc.c - bridgectl's side of the control socket: connect, send one
 * request, wait for the reply with the same id (notifications that arrive
 * meanwhile are queued for rpc_next_notification()).
 */
#include "ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util.h"

#define RPC_MAX_REPLY (1024u * 1024 * 1024)

volatile sig_atomic_t ctl_interrupted;

static int rpc_fd = -1;
static int64_t rpc_next_id = 1;
static char *rbuf;
static size_t rlen, rcap;
static struct json_object **queued;	/* notifications not yet taken */
static size_t n_queued;

static int
rpc_connect(struct rpc_error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = ctl_opts.socket_path;

	if (rpc_fd >= 0)
		return 0;
	if (!util_strlcpy(sun.sun_path, path, sizeof sun.sun_path)) {
		err->code = 0;
		err->errnum = ENAMETOOLONG;
		snprintf(err->message, sizeof err->message,
			 "socket path %s is too long", path);
		return -1;
	}
	rpc_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (rpc_fd < 0 ||
	    connect(rpc_fd, (struct sockaddr *)&sun, sizeof sun)) {
		err->code = 0;
		err->errnum = errno;
		snprintf(err->message, sizeof err->message,
			 "cannot connect to vswitchd at %s: %s", path,
			 strerror(errno));
		if (rpc_fd >= 0)
			close(rpc_fd);
		rpc_fd = -1;
		return -1;
	}
	return 0;
}

void
rpc_close(void)
{
	if (rpc_fd >= 0)
		close(rpc_fd);
	rpc_fd = -1;
	free(rbuf);
	rbuf = NULL;
	rlen = rcap = 0;
	for (size_t i = 0; i < n_queued; i++)
		json_object_put(queued[i]);
	free(queued);
	queued = NULL;
	n_queued = 0;
}

static void
transport_error(struct rpc_error *err, int errnum, const char *what)
{
	err->code = 0;
	err->errnum = errnum;
	snprintf(err->message, sizeof err->message, "%s", what);
}

static int
send_all(const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(rpc_fd, s, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the next message.  NULL on EOF or error ('*errnum' set). */
static struct json_object *
read_message(int *errnum)
{
	for (;;) {
		char *nl = rlen ? memchr(rbuf, '\n', rlen) : NULL;

		if (nl) {
			size_t len = (size_t)(nl - rbuf);
			struct json_object *o;

			*nl = '\0';
			o = json_tokener_parse(rbuf);
			memmove(rbuf, nl + 1, rlen - len - 1);
			rlen -= len + 1;
			if (!o) {
				*errnum = EBADMSG;
				return NULL;
			}
			return o;
		}
		if (rlen >= RPC_MAX_REPLY) {
			*errnum = EMSGSIZE;
			return NULL;
		}
		if (rcap - rlen < 65536) {
			rcap = rcap ? rcap * 2 : 131072;
			rbuf = xrealloc(rbuf, rcap);
		}
		ssize_t n = read(rpc_fd, rbuf + rlen, rcap - rlen - 1);

		if (n < 0 && errno == EINTR && !ctl_interrupted)
			continue;
		if (n <= 0) {
			*errnum = n < 0 ? errno : ECONNRESET;
			return NULL;
		}
		rlen += (size_t)n;
	}
}

int
rpc_call(const char *method, struct json_object *params,
	 struct json_object **result, struct rpc_error *err)
{
	struct json_object *req, *reply, *v;
	int64_t id = rpc_next_id++;
	const char *text;
	int errnum, rc;

	if (result)
		*result = NULL;
	memset(err, 0, sizeof *err);
	if (rpc_connect(err)) {
		json_object_put(params);
		return -1;
	}
	req = json_object_new_object();
	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "method", json_object_new_string(method));
	if (params)
		json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int64(id));
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	rc = send_all(text, strlen(text));
	if (!rc)
		rc = send_all("\n", 1);
	json_object_put(req);
	if (rc) {
		transport_error(err, -rc, "lost the connection to vswitchd");
		return -1;
	}
	for (;;) {
		reply = read_message(&errnum);
		if (!reply) {
			transport_error(err, errnum, errnum == EBADMSG
					? "vswitchd sent a malformed reply"
					: "vswitchd closed the connection");
			return -1;
		}
		if (!json_object_object_get_ex(reply, "id", &v)) {
			queued = xrealloc(queued, (n_queued + 1) * sizeof *queued);
			queued[n_queued++] = reply;
			continue;
		}
		if (v && json_object_get_int64(v) == id)
			break;
		json_object_put(reply);
	}
	if (json_object_object_get_ex(reply, "error", &v) && v) {
		struct json_object *c, *m, *d, *e;

		err->code = json_object_object_get_ex(v, "code", &c)
			    ? json_object_get_int(c) : -32603;
		snprintf(err->message, sizeof err->message, "%s",
			 json_object_object_get_ex(v, "message", &m)
			 ? json_object_get_string(m) : "error");
		if (json_object_object_get_ex(v, "data", &d) &&
		    json_object_object_get_ex(d, "errno", &e))
			err->errnum = json_object_get_int(e);
		json_object_put(reply);
		return -1;
	}
	if (result && json_object_object_get_ex(reply, "result", &v))
		*result = json_object_get(v);
	json_object_put(reply);
	return 0;
}

struct json_object *
rpc_next_notification(void)
{
	int errnum;

	if (n_queued) {
		struct json_object *o = queued[0];

		memmove(queued, queued + 1, --n_queued * sizeof *queued);
		return o;
	}
	if (rpc_fd < 0)
		return NULL;
	return read_message(&errnum);
}

struct json_object *
ctl_params(const char *type, ...)
{
	struct json_object *o = json_object_new_object();
	va_list ap;

	va_start(ap, type);
	for (; type; type = va_arg(ap, const char *)) {
		const char *key = va_arg(ap, const char *);
		struct json_object *v = NULL;

		switch (type[0]) {
		case 's':
			v = json_object_new_string(va_arg(ap, const char *));
			break;
		case 'i':
			v = json_object_new_int64(va_arg(ap, int64_t));
			break;
		case 'b':
			v = json_object_new_boolean(va_arg(ap, int));
			break;
		case 'o':
			v = va_arg(ap, struct json_object *);
			break;
		}
		json_object_object_add(o, key, v);
	}
	va_end(ap);
	return o;
}

void
ctl_print_error(const struct rpc_error *err)
{
	fprintf(stderr, "bridgectl: %s\n", err->message);
}

void
ctl_print_json(struct json_object *o)
{
	int flags = ctl_opts.pretty
		    ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
		    : JSON_C_TO_STRING_PLAIN;

	printf("%s\n", json_object_to_json_string_ext(o, flags |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
}

int
ctl_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long v;
	int err = util_parse_ulong(s, max > ULONG_MAX ? ULONG_MAX
					 : (unsigned long)max, &v);

	if (!err)
		*out = v;
	return err;
}

int
ctl_fail(const struct rpc_error *err)
{
	ctl_print_error(err);
	return CTL_EXIT_FAIL;
}

const char *
ctl_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v
	       ? json_object_get_string(v) : "";
}

long long
ctl_jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v
	       ? json_object_get_int64(v) : 0;
}

bool
ctl_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

bool
ctl_wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (ctl_is_help(argv[i]))
			return true;
	return false;
}

bool
ctl_is_show(const char *arg)
{
	return !strcmp(arg, "show") || !strcmp(arg, "list") ||
	       !strcmp(arg, "ls");
}

bool
ctl_matches(const char *arg, const char *word)
{
	return !strcmp(arg, word);
}
