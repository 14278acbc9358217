/*
 * rpc.c - bridgectl's side of the control socket: one connection
 * (lib/rpc-client.c), opened on the first call and kept for the next ones
 * and for the notifications of 'monitor' and 'capture'; the client's
 * errors worded as bridgectl and brctl have always worded them.
 */
#include "ctl.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "rpc-client.h"
#include "util.h"

/* Listings of a large switch may exceed the client's default limit. */
#define RPC_MAX_REPLY (1024u * 1024 * 1024)

volatile sig_atomic_t ctl_interrupted;

static struct rpc_client *rpc;

static int
rpc_connect(struct rpc_error *err)
{
	const char *path = ctl_opts.socket_path;
	struct rpc_client_error e;

	if (rpc)
		return 0;
	rpc = rpc_client_open(path, -1, &e);
	if (!rpc) {
		char hint[256];

		err->code = 0;
		err->errnum = e.errnum;
		err->unreachable = true;
		if (e.errnum == ENAMETOOLONG)
			snprintf(err->message, sizeof err->message,
				 "socket path %s is too long", path);
		else
			snprintf(err->message, sizeof err->message,
				 "cannot reach vswitchd at %s: %s (%s)", path,
				 strerror(e.errnum),
				 vswitchd_unreachable_hint(hint, sizeof hint,
							   path, e.errnum));
		return -1;
	}
	rpc_client_set_max_msg_len(rpc, RPC_MAX_REPLY);
	return 0;
}

void
rpc_close(void)
{
	rpc_client_close(rpc);
	rpc = NULL;
}

int
rpc_call(const char *method, struct json_object *params,
	 struct json_object **result, struct rpc_error *err)
{
	struct rpc_client_error e;
	const char *what;
	int rc;

	if (result)
		*result = NULL;
	memset(err, 0, sizeof *err);
	if (rpc_connect(err)) {
		json_object_put(params);
		return -1;
	}
	rc = rpc_client_call(rpc, method, params, result, &e);
	json_object_put(params);
	if (!rc)
		return 0;
	err->errnum = e.errnum;
	switch (e.kind) {
	case RPC_CLIENT_ERR_REMOTE:
		err->code = e.code;
		snprintf(err->message, sizeof err->message, "%s", e.message);
		return -1;
	case RPC_CLIENT_ERR_SEND:
		what = "lost the connection to vswitchd";
		break;
	case RPC_CLIENT_ERR_MALFORMED:
		what = "vswitchd sent a malformed reply";
		break;
	default:
		what = "vswitchd closed the connection";
		break;
	}
	snprintf(err->message, sizeof err->message, "%s", what);
	return -1;
}

struct json_object *
rpc_wait_notification(int timeout_ms, int *why)
{
	struct rpc_client_error e;
	struct json_object *ev;

	*why = ECONNRESET;
	if (!rpc)
		return NULL;
	do	/* a message that is no JSON object is skipped */
		ev = rpc_client_recv(rpc, timeout_ms, &e);
	while (!ev && e.errnum == EBADMSG);
	if (!ev)
		*why = e.errnum == EINTR || e.errnum == ETIMEDOUT ? e.errnum
								  : ECONNRESET;
	return ev;
}

struct json_object *
rpc_next_notification(void)
{
	struct json_object *ev;
	int why;

	do
		ev = rpc_wait_notification(-1, &why);
	while (!ev && why == EINTR && !ctl_interrupted);
	return ev;
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
