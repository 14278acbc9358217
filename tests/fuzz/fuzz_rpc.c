/*
 * fuzz_rpc.c - libFuzzer target: one whole JSON-RPC request, as a peer of
 * the control socket sends it (without its "\n"), through the real
 * transport (ctl-server.c: NUL and UTF-8 checks, strict parsing, the
 * envelope, the NUL walk of params) and the real methods, against a daemon
 * holding bridge br0 with two ports (one with VLAN 10 and a static FDB
 * entry) and bridge br1.
 *
 * Building that state takes most of an input's time (each bridge's FDB
 * table is allocated whole), so it is rebuilt only after an input that
 * changed something: the harness is the methods' change observer
 * (ctl-methods.h), whose commit() hears of every change that was kept,
 * and a moved clock (debug.time) counts as a change too.
 *
 * Properties checked after every input, beyond "no crash, no sanitizer
 * report" (docs/rpc.md): every reply is well-formed UTF-8 and a JSON-RPC
 * 2.0 reply object, and only a notification (an object without "id") or
 * a blank line goes unanswered.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl-methods.h"
#include "ctl-server.h"
#include "clock.h"
#include "daemon.h"
#include "fuzz-daemon.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The state every input starts from, built through the same server. */
static const char *const setup[] = {
	"{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":"
	"{\"name\":\"br0\",\"options\":{\"vlan_filtering\":1}},\"id\":1}",
	"{\"jsonrpc\":\"2.0\",\"method\":\"bridge.add\",\"params\":"
	"{\"name\":\"br1\"},\"id\":1}",
	"{\"jsonrpc\":\"2.0\",\"method\":\"port.add\",\"params\":{\"bridge\":"
	"\"br0\",\"name\":\"p1\",\"type\":\"null\"},\"id\":1}",
	"{\"jsonrpc\":\"2.0\",\"method\":\"port.add\",\"params\":{\"bridge\":"
	"\"br0\",\"name\":\"p2\",\"type\":\"null\"},\"id\":1}",
	"{\"jsonrpc\":\"2.0\",\"method\":\"vlan.add\",\"params\":{\"dev\":"
	"\"p1\",\"vid\":10},\"id\":1}",
	"{\"jsonrpc\":\"2.0\",\"method\":\"fdb.add\",\"params\":{\"mac\":"
	"\"02:00:00:00:00:aa\",\"dev\":\"p1\",\"vlan\":10,\"state\":"
	"\"static\"},\"id\":1}",
};

static bool dirty = true;	/* the state must be built again */

static struct json_object *
observe_checkpoint(void)
{
	return NULL;
}

static int
observe_commit(struct json_object *checkpoint, char **why)
{
	(void)checkpoint; (void)why;
	dirty = true;
	return 0;
}

static int
observe_may_delete(const struct bridge *br, const struct port *port,
		   char **why)
{
	(void)br; (void)port; (void)why;
	return 0;
}

static void
observe_port_created(const char *name, const char *type,
		     struct json_object *args)
{
	(void)name; (void)type; (void)args;
}

static void
observe_port_deleted(const char *name)
{
	(void)name;
}

static const struct ctl_change_observer observer = {
	.checkpoint = observe_checkpoint,
	.commit = observe_commit,
	.may_delete = observe_may_delete,
	.port_created = observe_port_created,
	.port_deleted = observe_port_deleted,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_daemon_init();
	char *path;

	(void)argc; (void)argv;
	/* The server dispatches only once open; its socket is never used
	 * (requests come through ctl_server_handle_text()). */
	path = malloc(strlen(dir) + 8);
	sprintf(path, "%s/sock", dir);
	if (ctl_server_open(daemon_loop(), path, ctl_methods, NULL))
		abort();
	/* The listening fd is all the server needs: a crash (which skips
	 * the scratch directory's removal) leaves no socket behind. */
	unlink(path);
	free(path);
	ctl_methods_observe(&observer);
	return 0;
}

/* Aborts unless 'reply' is a well-formed JSON-RPC 2.0 reply. */
static void
check_reply(const char *reply)
{
	struct json_object *o, *v;

	if (!utf8_is_valid(reply, strlen(reply), NULL)) {
		fprintf(stderr, "reply is not UTF-8: %s\n", reply);
		abort();
	}
	o = json_tokener_parse(reply);
	if (!o || !json_object_object_get_ex(o, "jsonrpc", &v) ||
	    strcmp(json_object_get_string(v), "2.0") ||
	    (!json_object_object_get_ex(o, "result", NULL) &&
	     !json_object_object_get_ex(o, "error", NULL))) {
		fprintf(stderr, "malformed reply: %s\n", reply);
		abort();
	}
	json_object_put(o);
}

/* Aborts if the request text 'data' has an id yet got no reply. */
static void
check_no_reply(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);
	struct json_object *o = text ? json_tokener_parse(text) : NULL;

	if (o && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "id", NULL)) {
		fprintf(stderr, "no reply to a request with an id: %s\n", text);
		abort();
	}
	json_object_put(o);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t clock_ms;
	char *reply;

	if (dirty) {
		fuzz_daemon_reset();
		for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
			reply = ctl_server_handle_text(setup[i],
						       strlen(setup[i]));
			if (!reply || !strstr(reply, "\"result\"")) {
				fprintf(stderr, "set-up failed: %s\n", reply);
				abort();
			}
			free(reply);
		}
		dirty = false;
	}
	clock_update();
	clock_ms = clock_now_ms();
	/* Framing: one message never holds a newline. */
	if (!memchr(data, '\n', size) && size <= CTL_MAX_MSG_LEN) {
		reply = ctl_server_handle_text((const char *)data, size);
		if (reply)
			check_reply(reply);
		else
			check_no_reply(data, size);
		free(reply);
	}
	if (clock_is_frozen() || clock_now_ms() < clock_ms ||
	    clock_now_ms() > clock_ms + 1000)
		dirty = true;
	return 0;
}
