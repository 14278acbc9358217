/*
 * check_rpc_client.c - unit tests for lib/rpc-client.c against a tiny
 * server in the test: a unix socket in a temporary directory.
 *
 * Most cases need no second process: the client connects (the listen
 * backlog completes the connection), the test accepts, writes what the
 * server says into the socket before the call, and reads the request
 * after it.  Cases where the server must answer while the client waits
 * (call_once, a reply larger than the socket buffer) fork a server.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "rpc-client.h"

#define TEST_TIMEOUT_MS 200

static char dir[64];
static char sock_path[96];
static int listen_fd = -1;
static int server_fd = -1;		/* the accepted connection */
static struct rpc_client *client;

static void
setup(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(dir, sizeof dir, "/tmp/check_rpc_client.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock_path, sizeof sock_path, "%s/ctl.sock", dir);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(listen_fd, 0);
	ck_assert_int_eq(bind(listen_fd, (struct sockaddr *)&sun, sizeof sun),
			 0);
	ck_assert_int_eq(listen(listen_fd, 4), 0);
}

static void
teardown(void)
{
	rpc_client_close(client);
	client = NULL;
	if (server_fd >= 0)
		close(server_fd);
	server_fd = -1;
	close(listen_fd);
	unlink(sock_path);
	rmdir(dir);
}

/* Connects a client with the test's timeout and accepts it. */
static void
connect_pair(void)
{
	struct rpc_client_error err;

	client = rpc_client_open(sock_path, TEST_TIMEOUT_MS, &err);
	ck_assert_msg(client, "connect: %s", strerror(err.errnum));
	server_fd = accept(listen_fd, NULL, NULL);
	ck_assert_int_ge(server_fd, 0);
}

static void
server_says(const char *text)
{
	size_t len = strlen(text);

	ck_assert_int_eq(write(server_fd, text, len), (ssize_t)len);
}

/* The next line the client sent, without its "\n" (static buffer). */
static const char *
server_reads_line(void)
{
	static char line[4096];
	size_t len = 0;

	while (len < sizeof line - 1) {
		ssize_t n = read(server_fd, line + len, 1);

		ck_assert_int_eq(n, 1);
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	return line;
}

/* Forks a server that accepts one connection, reads one request line,
 * writes 'reply' (unless NULL) and then waits for the client to hang
 * up.  Returns its pid. */
static pid_t
fork_server(const char *reply)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (!pid) {
		int fd = accept(listen_fd, NULL, NULL);
		size_t len = reply ? strlen(reply) : 0;
		char c;

		while (read(fd, &c, 1) == 1 && c != '\n')
			continue;
		for (size_t done = 0; done < len;) {
			ssize_t n = write(fd, reply + done, len - done);

			if (n <= 0)
				_exit(1);
			done += (size_t)n;
		}
		while (read(fd, &c, 1) > 0)
			continue;
		_exit(0);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- a call and its result ------------------------------------------- */

START_TEST(test_call_result)
{
	struct json_object *params = json_object_new_object(), *res, *v;
	struct rpc_client_error err;

	connect_pair();
	json_object_object_add(params, "name", json_object_new_string("br0"));
	server_says("{\"jsonrpc\":\"2.0\",\"result\":{\"up\":true},\"id\":1}\n");
	ck_assert_int_eq(rpc_client_call(client, "bridge.show", params, &res,
					 &err), 0);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_NONE);
	ck_assert(json_object_object_get_ex(res, "up", &v));
	ck_assert(json_object_get_boolean(v));
	json_object_put(res);
	/* The framing ctl-server.c expects: one compact text and "\n". */
	ck_assert_str_eq(server_reads_line(),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"bridge.show\","
			 "\"params\":{\"name\":\"br0\"},\"id\":1}");
	/* 'params' was not consumed. */
	ck_assert_int_eq(json_object_put(params), 1);

	/* Next call: next id, no params, a null result. */
	server_says("{\"jsonrpc\":\"2.0\",\"result\":null,\"id\":2}\n");
	ck_assert_int_eq(rpc_client_call(client, "daemon.info", NULL, &res,
					 &err), 0);
	ck_assert_ptr_null(res);
	ck_assert_str_eq(server_reads_line(),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.info\","
			 "\"id\":2}");
}
END_TEST

/* Two replies in one read, and a reply split over many writes. */
START_TEST(test_call_framing)
{
	struct rpc_client_error err;
	struct json_object *res;

	connect_pair();
	server_says("{\"result\":1,\"id\":1}\n{\"result\":2,\"id\":2}\n");
	ck_assert_int_eq(rpc_client_call(client, "a", NULL, &res, &err), 0);
	ck_assert_int_eq(json_object_get_int(res), 1);
	json_object_put(res);
	ck_assert_int_eq(rpc_client_call(client, "b", NULL, &res, &err), 0);
	ck_assert_int_eq(json_object_get_int(res), 2);
	json_object_put(res);
}
END_TEST

/* A reply larger than the socket buffer and the first read chunk. */
START_TEST(test_call_large_result)
{
	size_t n = 300 * 1024;
	char *reply = malloc(n + 64), *p = reply;
	struct rpc_client_error err;
	struct json_object *res;
	pid_t pid;

	ck_assert_ptr_nonnull(reply);
	p += sprintf(p, "{\"result\":\"");
	memset(p, 'x', n);
	p += n;
	sprintf(p, "\",\"id\":1}\n");
	pid = fork_server(reply);
	ck_assert_int_eq(rpc_client_call_once(sock_path, 5000, "big", NULL,
					      &res, &err), 0);
	ck_assert_uint_eq(json_object_get_string_len(res), n);
	json_object_put(res);
	reap(pid);
	free(reply);
}
END_TEST

/* ---- an error reply ------------------------------------------------------ */

START_TEST(test_call_error)
{
	struct json_object *res = (struct json_object *)&res;
	struct rpc_client_error err;

	connect_pair();
	server_says("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32000,"
		    "\"message\":\"no such bridge wtrpc0\",\"data\":"
		    "{\"errno\":19,\"errname\":\"ENODEV\"}},\"id\":1}\n");
	ck_assert_int_eq(rpc_client_call(client, "bridge.del", NULL, &res,
					 &err), -EREMOTEIO);
	ck_assert_ptr_null(res);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_REMOTE);
	ck_assert_int_eq(err.code, -32000);
	ck_assert_int_eq(err.errnum, ENODEV);
	ck_assert_str_eq(err.message, "no such bridge wtrpc0");

	/* Without code, message and data: the defaults. */
	server_says("{\"error\":{},\"id\":2}\n");
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
			 -EREMOTEIO);
	ck_assert_int_eq(err.code, -32603);
	ck_assert_int_eq(err.errnum, 0);
	ck_assert_str_eq(err.message, "error");
}
END_TEST

/* ---- notifications ------------------------------------------------------- */

START_TEST(test_notification_queued)
{
	struct json_object *res, *ev, *v;
	struct rpc_client_error err;

	connect_pair();
	/* Two events and a stale reply arrive before the reply. */
	server_says("{\"jsonrpc\":\"2.0\",\"method\":\"fdb.learn\","
		    "\"params\":{\"n\":1}}\n"
		    "{\"result\":\"stale\",\"id\":99}\n"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"fdb.learn\","
		    "\"params\":{\"n\":2}}\n"
		    "{\"jsonrpc\":\"2.0\",\"result\":\"ok\",\"id\":1}\n");
	ck_assert_int_eq(rpc_client_call(client, "monitor.subscribe", NULL,
					 &res, &err), 0);
	ck_assert_str_eq(json_object_get_string(res), "ok");
	json_object_put(res);
	for (int i = 1; i <= 2; i++) {
		ev = rpc_client_recv(client, 0, &err);
		ck_assert_ptr_nonnull(ev);
		ck_assert(json_object_object_get_ex(ev, "params", &v));
		ck_assert(json_object_object_get_ex(v, "n", &v));
		ck_assert_int_eq(json_object_get_int(v), i);
		json_object_put(ev);
	}
	/* Then from the socket; a stray reply is skipped. */
	server_says("{\"result\":null,\"id\":7}\n"
		    "{\"method\":\"link.down\"}\n");
	ev = rpc_client_recv(client, TEST_TIMEOUT_MS, &err);
	ck_assert_ptr_nonnull(ev);
	ck_assert(json_object_object_get_ex(ev, "method", &v));
	ck_assert_str_eq(json_object_get_string(v), "link.down");
	json_object_put(ev);
	/* Nothing more: a timeout, and the connection still works. */
	ck_assert_ptr_null(rpc_client_recv(client, 50, &err));
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_RECV);
	ck_assert_int_eq(err.errnum, ETIMEDOUT);
	server_says("{\"result\":3,\"id\":2}\n");
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err), 0);
}
END_TEST

static void
on_alarm(int sig)
{
	(void)sig;
}

/* A signal handler without SA_RESTART ends a wait for events (bridgectl
 * monitor's Ctrl-C). */
START_TEST(test_recv_interrupted)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct rpc_client_error err;

	connect_pair();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	ck_assert_ptr_null(rpc_client_recv(client, -1, &err));
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_RECV);
	ck_assert_int_eq(err.errnum, EINTR);
}
END_TEST

/* ---- timeouts ------------------------------------------------------------ */

START_TEST(test_call_timeout)
{
	struct rpc_client_error err;
	struct json_object *res;

	connect_pair();
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
			 -ETIMEDOUT);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_RECV);
	ck_assert_int_eq(err.errnum, ETIMEDOUT);
	/* The late reply is dropped; the next call gets its own. */
	server_says("{\"result\":\"late\",\"id\":1}\n"
		    "{\"result\":\"mine\",\"id\":2}\n");
	ck_assert_int_eq(rpc_client_call(client, "y", NULL, &res, &err), 0);
	ck_assert_str_eq(json_object_get_string(res), "mine");
	json_object_put(res);
}
END_TEST

/* The one-shot call of the VMM, against a server that never answers. */
START_TEST(test_call_once_timeout)
{
	struct rpc_client_error err;
	pid_t pid = fork_server(NULL);

	ck_assert_int_eq(rpc_client_call_once(sock_path, TEST_TIMEOUT_MS, "x",
					      NULL, NULL, &err), -ETIMEDOUT);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_RECV);
	reap(pid);
}
END_TEST

START_TEST(test_call_once_error)
{
	struct json_object *params = json_object_new_object();
	struct rpc_client_error err;
	pid_t pid = fork_server("{\"error\":{\"code\":-32000,\"message\":"
				"\"bridge wtrpc9 does not exist\"},\"id\":1}\n");

	ck_assert_int_eq(rpc_client_call_once(sock_path, 5000, "port.add",
					      params, NULL, &err), -EREMOTEIO);
	ck_assert_str_eq(err.message, "bridge wtrpc9 does not exist");
	reap(pid);
	json_object_put(params);
}
END_TEST

/* ---- malformed and oversized replies ------------------------------------- */

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"not json\n", "[1,2]\n", "\"text\"\n", "{\"result\":\n",
		"\n", "{\"result\":1,\"id\"\n",
	};
	struct rpc_client_error err;

	connect_pair();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		server_says(bad[i]);
		ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
				 -EBADMSG);
		ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_MALFORMED);
	}
	/* A reply with neither result nor error. */
	server_says("{\"jsonrpc\":\"2.0\",\"id\":7}\n");
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
			 -EPROTO);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_MALFORMED);
	/* The connection survives a malformed line. */
	server_says("{\"result\":1,\"id\":8}\n");
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err), 0);
	/* And so does reading events. */
	server_says("nope\n");
	ck_assert_ptr_null(rpc_client_recv(client, 0, &err));
	ck_assert_int_eq(err.errnum, EBADMSG);
}
END_TEST

START_TEST(test_oversized)
{
	char line[200];
	struct rpc_client_error err;

	connect_pair();
	rpc_client_set_max_msg_len(client, 100);
	/* Exactly the limit is fine. */
	snprintf(line, sizeof line, "{\"result\":\"%0*d\",\"id\":1}\n",
		 100 - 20, 0);
	ck_assert_uint_eq(strlen(line), 101);
	server_says(line);
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err), 0);
	/* One byte more is an error, and the connection is dead. */
	snprintf(line, sizeof line, "{\"result\":\"%0*d\",\"id\":2}\n",
		 100 - 19, 0);
	server_says(line);
	server_says("{\"result\":1,\"id\":3}\n");
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
			 -EMSGSIZE);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_RECV);
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
			 -EMSGSIZE);
}
END_TEST

/* A never-ending line with no "\n" stops at the limit, not at memory. */
START_TEST(test_oversized_no_newline)
{
	char junk[4096];
	struct rpc_client_error err;

	connect_pair();
	rpc_client_set_max_msg_len(client, 10000);
	memset(junk, 'x', sizeof junk);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(write(server_fd, junk, sizeof junk),
				 (ssize_t)sizeof junk);
	ck_assert_ptr_null(rpc_client_recv(client, TEST_TIMEOUT_MS, &err));
	ck_assert_int_eq(err.errnum, EMSGSIZE);
}
END_TEST

/* ---- connection failures ------------------------------------------------- */

START_TEST(test_closed)
{
	struct rpc_client_error err;

	connect_pair();
	/* A reply, then the server hangs up: the reply still counts. */
	server_says("{\"result\":1,\"id\":1}\n");
	shutdown(server_fd, SHUT_WR);
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err), 0);
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
			 -ECONNRESET);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_RECV);
	ck_assert_ptr_null(rpc_client_recv(client, -1, &err));
	ck_assert_int_eq(err.errnum, ECONNRESET);
	/* Gone entirely: sending fails. */
	close(server_fd);
	server_fd = -1;
	ck_assert_int_lt(rpc_client_call(client, "x", NULL, NULL, &err), 0);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_SEND);
	ck_assert_int_eq(err.errnum, EPIPE);
}
END_TEST

/* Closed in the middle of a reply. */
START_TEST(test_closed_mid_reply)
{
	struct rpc_client_error err;

	connect_pair();
	server_says("{\"result\":");
	shutdown(server_fd, SHUT_WR);
	ck_assert_int_eq(rpc_client_call(client, "x", NULL, NULL, &err),
			 -ECONNRESET);
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_RECV);
}
END_TEST

START_TEST(test_connect_errors)
{
	char path[200];
	struct rpc_client_error err;

	snprintf(path, sizeof path, "%s/nothere.sock", dir);
	ck_assert_ptr_null(rpc_client_open(path, TEST_TIMEOUT_MS, &err));
	ck_assert_int_eq(err.kind, RPC_CLIENT_ERR_CONNECT);
	ck_assert_int_eq(err.errnum, ENOENT);
	ck_assert_int_eq(rpc_client_call_once(path, -1, "x", NULL, NULL, &err),
			 -ENOENT);
	memset(path, 'a', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	ck_assert_ptr_null(rpc_client_open(path, -1, &err));
	ck_assert_int_eq(err.errnum, ENAMETOOLONG);
	rpc_client_close(NULL);
}
END_TEST

static Suite *
rpc_client_suite(void)
{
	Suite *s = suite_create("rpc_client");
	struct {
		const char *name;
		const TTest *tests[4];
	} cases[] = {
		{ "call", { test_call_result, test_call_framing,
			    test_call_large_result } },
		{ "error", { test_call_error, test_call_once_error } },
		{ "notification", { test_notification_queued,
				    test_recv_interrupted } },
		{ "timeout", { test_call_timeout, test_call_once_timeout } },
		{ "malformed", { test_malformed, test_oversized,
				 test_oversized_no_newline } },
		{ "closed", { test_closed, test_closed_mid_reply,
			      test_connect_errors } },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		TCase *tc = tcase_create(cases[i].name);

		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 10);
		for (size_t j = 0; j < 4 && cases[i].tests[j]; j++)
			tcase_add_test(tc, cases[i].tests[j]);
		suite_add_tcase(s, tc);
	}
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rpc_client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
