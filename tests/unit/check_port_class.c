/*
 * check_port_class.c - unit tests for the port-class registry and the
 * creation-argument checker and word parser (vswitchd/ports/port-class.c,
 * port-args.c).
 *
 * The tap and vhost-user classes cannot be opened in a unit test (a TAP
 * needs CAP_NET_ADMIN, vhost-user a front-end), so these tests pin what
 * every front-end hands their 'open': the setup language's spellings
 * ("path SOCK server") must give the same object as the control socket's
 * ({"socket", "mode"}), and a bad object must be refused with the messages
 * the control socket has always sent.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "port-provider.h"

/* Parses 'n' words for 'type' into a new object; fails the test on an
 * error or a word the class does not know. */
static struct json_object *
words(const char *type, const char *const *w, int n)
{
	const struct port_class *class = port_class_lookup(type);
	struct json_object *args = json_object_new_object();
	char *msg = NULL;

	ck_assert_ptr_nonnull(class);
	for (int i = 0, k; i < n; i += k) {
		k = port_class_parse_word(class, w + i, n - i, args, &msg);
		ck_assert_msg(k > 0, "word '%s': %d %s", w[i], k,
			      msg ? msg : "");
	}
	return args;
}

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v)
	       ? json_object_get_string(v) : NULL;
}

/* Checks 'json' for 'type'; returns the message (or NULL if accepted). */
static char *
check(const char *type, const char *json)
{
	struct json_object *args = json_tokener_parse(json);
	char *msg = NULL;
	int err;

	ck_assert_ptr_nonnull(args);
	err = port_class_check_args(port_class_lookup(type), args, &msg);
	json_object_put(args);
	ck_assert_int_eq(err != 0, msg != NULL);
	return msg;
}

static void
assert_refused(const char *type, const char *json, const char *want)
{
	char *msg = check(type, json);

	ck_assert_msg(msg && !strcmp(msg, want), "%s %s: got '%s', want '%s'",
		      type, json, msg ? msg : "(accepted)", want);
	free(msg);
}

START_TEST(test_lookup)
{
	const char *types[] = { "pcap", "tap", "vhost-user" };

	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		const struct port_class *c = port_class_lookup(types[i]);

		ck_assert_ptr_nonnull(c);
		ck_assert_str_eq(c->type, types[i]);
		ck_assert_ptr_nonnull(c->open);
		ck_assert_ptr_nonnull(c->args);
	}
	ck_assert_ptr_null(port_class_lookup("veth"));
	ck_assert_ptr_null(port_class_lookup("vhost"));
	ck_assert_str_eq(port_class_at(0)->type, "pcap");
}
END_TEST

START_TEST(test_names)
{
	char *all = port_class_names(false), *replay = port_class_names(true);

	/* bad-input.sh greps "supported here: pcap". */
	ck_assert(!strncmp(all, "pcap, tap, vhost-user", 21));
	ck_assert(!strncmp(replay, "pcap", 4));
	ck_assert_ptr_null(strstr(replay, "tap"));
	ck_assert_ptr_null(strstr(replay, "vhost-user"));
	free(all);
	free(replay);
}
END_TEST

/* The setup language's vhost-user spelling and the RPC's give one object. */
START_TEST(test_vhost_words)
{
	const char *setup[] = { "path", "/run/vm0.sock", "client" };
	const char *rpc[] = { "socket", "/run/vm0.sock", "mode", "client" };
	const char *server[] = { "path", "/s", "server", "mac", "02:00:00:00:00:07" };
	struct json_object *a = words("vhost-user", setup, 3);
	struct json_object *b = words("vhost-user", rpc, 4);
	struct json_object *c = words("vhost-user", server, 5);

	ck_assert(json_object_equal(a, b));
	ck_assert_str_eq(str(a, "socket"), "/run/vm0.sock");
	ck_assert_str_eq(str(a, "mode"), "client");
	ck_assert_ptr_null(str(a, "path"));
	ck_assert_str_eq(str(c, "mode"), "server");
	ck_assert_str_eq(str(c, "mac"), "02:00:00:00:00:07");
	json_object_put(a);
	json_object_put(b);
	json_object_put(c);
}
END_TEST

START_TEST(test_tap_words)
{
	const char *w[] = { "attach_only", "mac", "02:00:00:00:00:01", "vnet_hdr" };
	struct json_object *a = words("tap", w, 4);
	struct json_object *v;

	ck_assert(json_object_object_get_ex(a, "attach_only", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(a, "vnet_hdr", &v));
	ck_assert(!json_object_object_get_ex(a, "no_up", NULL));
	ck_assert(port_class_arg_flag(a, "attach_only"));
	ck_assert(!port_class_arg_flag(a, "no_up"));
	json_object_put(a);
}
END_TEST

START_TEST(test_word_errors)
{
	const struct port_class *pcap = port_class_lookup("pcap");
	const struct port_class *vh = port_class_lookup("vhost-user");
	struct json_object *args = json_object_new_object();
	const char *bad_mac[] = { "mac", "ff:ff:ff:ff:ff:ff" };
	const char *no_value[] = { "rx" };
	const char *unknown[] = { "colour", "red" };
	const char *bad_mode[] = { "mode", "both" };
	char *msg;

	ck_assert_int_lt(port_class_parse_word(pcap, bad_mac, 2, args, &msg), 0);
	ck_assert_str_eq(msg, "mac: bad unicast MAC 'ff:ff:ff:ff:ff:ff'");
	free(msg);
	ck_assert_int_lt(port_class_parse_word(pcap, no_value, 1, args, &msg), 0);
	ck_assert_str_eq(msg, "rx: missing value");
	free(msg);
	ck_assert_int_eq(port_class_parse_word(pcap, unknown, 2, args, &msg), 0);
	ck_assert_ptr_null(msg);
	ck_assert_int_lt(port_class_parse_word(vh, bad_mode, 2, args, &msg), 0);
	ck_assert_str_eq(msg, "mode: 'both' is not server or client");
	free(msg);
	ck_assert_int_eq(json_object_object_length(args), 0);
	json_object_put(args);
}
END_TEST

/* The control socket's messages, with "params.args." left to it. */
START_TEST(test_check_args)
{
	char *msg;

	ck_assert_ptr_null(check("pcap", "{}"));
	ck_assert_ptr_null(check("pcap", "{\"rx\": \"a\", \"mac\": \"02:00:00:00:00:01\"}"));
	ck_assert_ptr_null(check("tap", "{\"no_up\": 1, \"keep_ipv6\": true}"));
	ck_assert_ptr_null(check("vhost-user", "{\"socket\": \"/s\"}"));
	assert_refused("pcap", "{\"mac\": \"zz\"}",
		       "mac: 'zz' is not a unicast MAC address");
	assert_refused("pcap", "{\"socket\": \"/s\"}", "socket: unknown parameter");
	assert_refused("pcap", "{\"rx\": 5}", "rx: must be a string");
	assert_refused("pcap", "{\"rx\": null}", "rx: must not be null");
	assert_refused("tap", "{\"no_up\": \"yes\"}",
		       "no_up: must be a boolean (or 0/1)");
	assert_refused("vhost-user", "{}", "socket: missing");
	assert_refused("vhost-user", "{\"socket\": \"/s\", \"mode\": \"x\"}",
		       "mode: 'x' is not server or client");
	/* An alias is a word, not a JSON key. */
	assert_refused("vhost-user", "{\"path\": \"/s\"}",
		       "path: unknown parameter");
	msg = check("vhost-user", "{\"socket\": \"/s\", \"mode\": \"client\"}");
	ck_assert_ptr_null(msg);
}
END_TEST

static Suite *
port_class_suite(void)
{
	Suite *s = suite_create("port_class");
	TCase *tc;

	tc = tcase_create("registry");
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("words");
	tcase_add_test(tc, test_vhost_words);
	tcase_add_test(tc, test_tap_words);
	tcase_add_test(tc, test_word_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_test(tc, test_check_args);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(port_class_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
