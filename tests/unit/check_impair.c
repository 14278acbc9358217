/*
 * check_impair.c - the deterministic tools of the lab features: the
 * splitmix64 draws behind a lossy patch wire, the token bucket behind
 * storm_limit (lib/tbucket.h), the decimal option values (loss 0.5), and
 * a lossy patch wire itself: the same seed loses the same frames.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bridge.h"
#include "clock.h"
#include "pkt.h"
#include "port-options.h"
#include "port-provider.h"
#include "tbucket.h"

/* The published splitmix64 sequence for seed 0 (the reference generator
 * of Vigna's xoshiro page: state += 0x9e3779b97f4a7c15, then the mix). */
START_TEST(test_splitmix_reference)
{
	ck_assert_uint_eq(splitmix64_at(0, 0), 0xe220a8397b1dcdafULL);
	ck_assert_uint_eq(splitmix64_at(0, 1), 0x6e789e6aa1b965f4ULL);
	ck_assert_uint_eq(splitmix64_at(0, 2), 0x06c45d188009454fULL);
}
END_TEST

START_TEST(test_splitmix_seeds_differ)
{
	int same = 0;

	for (uint64_t k = 0; k < 1000; k++)
		same += splitmix64_at(1, k) == splitmix64_at(2, k);
	ck_assert_int_eq(same, 0);
}
END_TEST

/* 0.5 % of 200000 draws is 1000; a fair draw lands well inside 800..1200
 * (the standard deviation is about 32).  0 % never, 100 % always. */
START_TEST(test_loss_fraction)
{
	unsigned lost = 0, none = 0, all = 0;

	for (uint64_t k = 0; k < 200000; k++) {
		lost += splitmix64_below(42, k, 500, 100000);
		none += splitmix64_below(42, k, 0, 100000);
		all += splitmix64_below(42, k, 100000, 100000);
	}
	ck_assert_msg(lost > 800 && lost < 1200, "lost %u", lost);
	ck_assert_uint_eq(none, 0);
	ck_assert_uint_eq(all, 200000);
}
END_TEST

START_TEST(test_bucket_full_then_rate)
{
	struct tbucket tb;
	int ok = 0;

	tbucket_reset(&tb, 10, 1000);
	for (int i = 0; i < 20; i++)
		ok += tbucket_take(&tb, 1000, 1);
	ck_assert_int_eq(ok, 10);		/* one second's worth */
	ck_assert(!tbucket_take(&tb, 1099, 1));	/* 0.99 token */
	ck_assert(tbucket_take(&tb, 1100, 1));	/* 1.00 */
	ck_assert(!tbucket_take(&tb, 1100, 1));
	/* A long idle refills to the cap, not beyond. */
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += tbucket_take(&tb, 100000, 1);
	ck_assert_int_eq(ok, 10);
	/* A clock going back adds nothing. */
	ck_assert(!tbucket_take(&tb, 5000, 1));
}
END_TEST

START_TEST(test_bucket_unlimited)
{
	struct tbucket tb;

	tbucket_reset(&tb, 0, 0);
	for (int i = 0; i < 1000; i++)
		ck_assert(tbucket_take(&tb, 0, 1));
}
END_TEST

START_TEST(test_decimal_options)
{
	char buf[PORT_OPT_STRLEN];
	uint32_t v;

	ck_assert_int_eq(port_opt_parse(PORT_OPT_LOSS, "0.5", &v), 0);
	ck_assert_uint_eq(v, 500);
	ck_assert_int_eq(port_opt_parse(PORT_OPT_LOSS, "12.125", &v), 0);
	ck_assert_uint_eq(v, 12125);
	ck_assert_int_eq(port_opt_parse(PORT_OPT_LOSS, "100", &v), 0);
	ck_assert_uint_eq(v, 100000);
	ck_assert_int_ne(port_opt_parse(PORT_OPT_LOSS, "0.0001", &v), 0);
	ck_assert_int_ne(port_opt_parse(PORT_OPT_LOSS, "", &v), 0);
	ck_assert_int_ne(port_opt_parse(PORT_OPT_LOSS, ".", &v), 0);
	ck_assert_int_ne(port_opt_parse(PORT_OPT_LOSS, "1.2.3", &v), 0);
	ck_assert_int_ne(port_opt_parse(PORT_OPT_LOSS, "-1", &v), 0);
	ck_assert_int_ne(port_opt_parse(PORT_OPT_LOSS, "99999999", &v), 0);
	ck_assert_str_eq(port_opt_format(PORT_OPT_LOSS, 500, buf), "0.5");
	ck_assert_str_eq(port_opt_format(PORT_OPT_LOSS, 100000, buf), "100");
	ck_assert_str_eq(port_opt_format(PORT_OPT_LOSS, 12125, buf),
			 "12.125");
	/* Whole-number options keep hex (masks). */
	ck_assert_int_eq(port_opt_parse(PORT_OPT_GROUP_FWD_MASK, "0x4008",
					&v), 0);
	ck_assert_uint_eq(v, 0x4008);
	ck_assert_int_ne(port_opt_parse(PORT_OPT_MTU, "1.5", &v), 0);
}
END_TEST

START_TEST(test_decimal_json)
{
	struct json_object *d = json_object_new_double(0.5);
	struct json_object *i = json_object_new_int(2);
	struct json_object *bad = json_object_new_double(0.0001);
	uint32_t v;

	ck_assert_int_eq(port_opt_from_json(PORT_OPT_LOSS, d, &v), 0);
	ck_assert_uint_eq(v, 500);
	ck_assert_int_eq(port_opt_from_json(PORT_OPT_LOSS, i, &v), 0);
	ck_assert_uint_eq(v, 2000);
	ck_assert_int_ne(port_opt_from_json(PORT_OPT_LOSS, bad, &v), 0);
	ck_assert_int_ne(port_opt_from_json(PORT_OPT_MTU, d, &v), 0);
	json_object_put(d);
	json_object_put(i);
	json_object_put(bad);
}
END_TEST

/* Sends 'n' numbered frames from patch port 'a' to its peer 'b' (no
 * loop, as a replay) and marks in 'got' which arrived. */
static void
send_numbered(struct port *a, struct port *b, struct pkt_pool *pool,
	      unsigned n, bool *got)
{
	memset(got, 0, n);
	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = pkt_alloc(pool), *in[PKT_BURST];
		int m;

		ck_assert_ptr_nonnull(p);
		memset(p->data, 0, 60);
		p->data[0] = 0x02;
		p->data[6] = 0x02;
		memcpy(p->data + 14, &i, sizeof i);
		p->len = 60;
		ck_assert_int_eq(port_tx_burst(a, &p, 1), 1);
		pkt_free(pool, p);
		m = port_rx_burst(b, pool, in, PKT_BURST);
		for (int j = 0; j < m; j++) {
			unsigned k;

			memcpy(&k, in[j]->data + 14, sizeof k);
			ck_assert_uint_lt(k, n);
			got[k] = true;
			pkt_free(pool, in[j]);
		}
	}
}

static struct port *
open_patch(const char *name, const char *peer)
{
	const struct port_class *class = port_class_lookup("patch");
	struct json_object *args = json_object_new_object();
	struct port *port = NULL;
	char *msg = NULL;

	json_object_object_add(args, "peer", json_object_new_string(peer));
	ck_assert_int_eq(port_class_open(class, name, args, NULL, &port,
					 &msg), 0);
	json_object_put(args);
	free(msg);
	return port;
}

START_TEST(test_patch_same_seed_same_losses)
{
	struct pkt_pool *pool = pkt_pool_create(64);
	struct port *a = open_patch("lca", "lcb"), *b = open_patch("lcb", "lca");
	enum { N = 2000 };
	static bool first[N], second[N], third[N];
	unsigned lost = 0, differ = 0;

	ck_assert_int_eq(bridge_port_set_impair_loss(NULL, a, 10000), 0);
	ck_assert_int_eq(bridge_port_set_impair_seed(NULL, a, 7), 0);
	send_numbered(a, b, pool, N, first);
	ck_assert_int_eq(bridge_port_set_impair_seed(NULL, a, 7), 0);
	send_numbered(a, b, pool, N, second);
	ck_assert_int_eq(bridge_port_set_impair_seed(NULL, a, 8), 0);
	send_numbered(a, b, pool, N, third);
	for (unsigned i = 0; i < N; i++) {
		ck_assert_msg(first[i] == second[i], "frame %u differs", i);
		lost += !first[i];
		differ += first[i] != third[i];
	}
	/* 10 % of 2000: 200, give or take a few standard deviations. */
	ck_assert_msg(lost > 140 && lost < 260, "lost %u", lost);
	ck_assert_msg(differ > 0, "another seed lost the same frames");
	/* Only patch ports take impairments; zero is fine anywhere. */
	port_close(a);
	port_close(b);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_impair_refused_off_patch)
{
	const struct port_class *class = port_class_lookup("null");
	struct port *p = NULL;
	char *msg = NULL;

	ck_assert_ptr_nonnull(class);
	ck_assert_int_eq(port_class_open(class, "lcn", NULL, NULL, &p, &msg),
			 0);
	ck_assert_int_eq(bridge_port_set_impair_loss(NULL, p, 500),
			 -EOPNOTSUPP);
	ck_assert_int_eq(bridge_port_set_impair_loss(NULL, p, 0), 0);
	ck_assert_int_eq(bridge_port_set_impair_delay(NULL, p, 5),
			 -EOPNOTSUPP);
	port_close(p);
	free(msg);
}
END_TEST

static Suite *
impair_suite(void)
{
	Suite *s = suite_create("impair");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_splitmix_reference);
	tcase_add_test(tc, test_splitmix_seeds_differ);
	tcase_add_test(tc, test_loss_fraction);
	tcase_add_test(tc, test_bucket_full_then_rate);
	tcase_add_test(tc, test_bucket_unlimited);
	tcase_add_test(tc, test_decimal_options);
	tcase_add_test(tc, test_decimal_json);
	tcase_add_test(tc, test_patch_same_seed_same_losses);
	tcase_add_test(tc, test_impair_refused_off_patch);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(impair_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
