/*
 * ctl-client.c - a minimal JSON-RPC client for vswitchd's control socket.
 */
#include "ctl-client.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl-socket.h"

#define CTL_CLIENT_TIMEOUT_S    10
#define CTL_CLIENT_MAX_REPLY    (1 << 20)

const char *
ctl_client_socket_path(const char *opt)
{
	return opt ? opt : vswitchd_socket_default();
}

static int
ctl_client_connect(const char *sock, char *err, size_t err_size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CTL_CLIENT_TIMEOUT_S };
	int fd, e;

	if (strlen(sock) >= sizeof sa.sun_path) {
		snprintf(err, err_size, "%s: path too long", sock);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		e = -errno;
		snprintf(err, err_size, "cannot reach vswitchd at %s: %s",
			 sock, strerror(-e));
		close(fd);
		return e;
	}
	return fd;
}

/* Reads one newline-terminated reply into a new string. */
static int
ctl_client_read_line(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= CTL_CLIENT_MAX_REPLY) {
				free(buf);
				return -EMSGSIZE;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? (errno == EAGAIN ? -ETIMEDOUT : -errno)
				      : -ECONNRESET;

			free(buf);
			return e;
		}
		if (buf[len] == '\n')
			break;
		len++;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int
ctl_client_call(const char *sock, const char *method,
		struct json_object *params, char *err, size_t err_size)
{
	struct json_object *req = json_object_new_object();
	struct json_object *reply = NULL, *e, *msg;
	const char *text;
	char *line = NULL;
	size_t len, done = 0;
	int fd, rc = 0;

	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", json_object_get(params));
	json_object_object_add(req, "id", json_object_new_int(1));
	fd = ctl_client_connect(sock, err, err_size);
	if (fd < 0) {
		json_object_put(req);
		return fd;
	}
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	len = strlen(text);
	while (done <= len) {
		/* The text, then its newline. */
		const char *p = done < len ? text + done : "\n";
		size_t k = done < len ? len - done : 1;
		ssize_t n = send(fd, p, k, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -errno;
			snprintf(err, err_size, "sending to vswitchd: %s",
				 strerror(errno));
			goto out_close;
		}
		done += (size_t)n;
	}
	rc = ctl_client_read_line(fd, &line);
	if (rc) {
		snprintf(err, err_size, "no reply from vswitchd: %s",
			 strerror(-rc));
		goto out_close;
	}
	reply = json_tokener_parse(line);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		snprintf(err, err_size, "vswitchd replied with bad JSON");
		rc = -EPROTO;
	} else if (json_object_object_get_ex(reply, "error", &e)) {
		snprintf(err, err_size, "%s",
			 json_object_object_get_ex(e, "message", &msg)
			 ? json_object_get_string(msg) : "error");
		rc = -EREMOTEIO;
	} else if (!json_object_object_get_ex(reply, "result", NULL)) {
		snprintf(err, err_size, "vswitchd's reply has no result");
		rc = -EPROTO;
	}
out_close:
	json_object_put(reply);
	free(line);
	close(fd);
	json_object_put(req);
	return rc;
}
