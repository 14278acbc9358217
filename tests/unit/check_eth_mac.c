/*
 * check_eth_mac.c - the MACs made up for what has none of its own
 * (lib/eth.c: eth_addr_from_seed(), eth_addr_random()), which a VM's NIC
 * and the null and patch ports get: stable per seed, different between
 * seeds, always a locally administered unicast address.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"

START_TEST(test_same_seed_same_mac)
{
	struct eth_addr a, b;

	eth_addr_from_seed("name:vm1", &a);
	eth_addr_from_seed("name:vm1", &b);
	ck_assert_mem_eq(a.ea, b.ea, 6);
}
END_TEST

START_TEST(test_two_names_two_macs)
{
	struct eth_addr a, b;

	eth_addr_from_seed("name:vm1", &a);
	eth_addr_from_seed("name:vm2", &b);
	ck_assert_mem_ne(a.ea, b.ea, 6);
}
END_TEST

/* Bit 1 of the first octet set (locally administered), bit 0 clear
 * (unicast), for seeds whose hash has any value in those bits. */
START_TEST(test_local_unicast_bits)
{
	char seed[32];
	struct eth_addr m;
	const uint8_t *mac = m.ea;
	unsigned seen_high = 0;

	for (int i = 0; i < 1000; i++) {
		snprintf(seed, sizeof seed, "name:vm%d", i);
		eth_addr_from_seed(seed, &m);
		ck_assert_msg((mac[0] & 0x02) == 0x02, "%s: %02x not local",
			      seed, mac[0]);
		ck_assert_msg((mac[0] & 0x01) == 0, "%s: %02x multicast",
			      seed, mac[0]);
		ck_assert(eth_addr_is_local_unicast(&m));
		seen_high |= mac[0] & 0xfc;
	}
	/* The other 6 bits of the first octet still come from the hash. */
	ck_assert_uint_eq(seen_high, 0xfc);
}
END_TEST

static int
cmp_mac(const void *a, const void *b)
{
	return memcmp(a, b, 6);
}

/* Many names on one bridge: no two share a MAC, and names that differ in
 * one character only (vm0..vm4095). */
START_TEST(test_many_names_no_collision)
{
	enum { N = 4096 };
	static struct eth_addr macs[N];
	char seed[32];

	for (int i = 0; i < N; i++) {
		snprintf(seed, sizeof seed, "name:vm%d", i);
		eth_addr_from_seed(seed, &macs[i]);
	}
	qsort(macs, N, sizeof macs[0], cmp_mac);
	for (int i = 1; i < N; i++)
		ck_assert_msg(memcmp(macs[i - 1].ea, macs[i].ea, 6),
			      "two names share a MAC");
}
END_TEST

START_TEST(test_seed_kinds_differ)
{
	struct eth_addr a, b;

	/* The same text as a name and as a socket path: two MACs. */
	eth_addr_from_seed("name:/tmp/x", &a);
	eth_addr_from_seed("vhost-user:/tmp/x", &b);
	ck_assert_mem_ne(a.ea, b.ea, 6);
}
END_TEST

START_TEST(test_random_local_unicast)
{
	struct eth_addr a, b;

	for (int i = 0; i < 200; i++) {
		ck_assert_int_eq(eth_addr_random(&a), 0);
		ck_assert(eth_addr_is_local_unicast(&a));
	}
	ck_assert_int_eq(eth_addr_random(&b), 0);
	ck_assert_mem_ne(a.ea, b.ea, 6);
}
END_TEST

START_TEST(test_is_local_unicast)
{
	static const struct eth_addr qemu = { { 0x52, 0x54, 0x00, 0x12, 0x34,
						0x56 } };
	static const struct eth_addr oui = { { 0x00, 0x1b, 0x21, 0x01, 0x02,
					       0x03 } };
	static const struct eth_addr mcast = { { 0x03, 0, 0, 0, 0, 1 } };

	ck_assert(eth_addr_is_local_unicast(&qemu));
	ck_assert(!eth_addr_is_local_unicast(&oui));
	ck_assert(!eth_addr_is_local_unicast(&mcast));
}
END_TEST

/* Ports without a device of their own get a MAC from their name: unicast,
 * locally administered, the same for the same name, not for another. */
START_TEST(test_mac_from_name)
{
	struct eth_addr a, b, c;

	eth_addr_from_seed("wire0a", &a);
	eth_addr_from_seed("wire0a", &b);
	eth_addr_from_seed("wire0b", &c);
	ck_assert(eth_addr_equals(&a, &b));
	ck_assert(!eth_addr_equals(&a, &c));
	ck_assert_uint_eq(a.ea[0] & 0x01, 0);	/* unicast */
	ck_assert_uint_eq(a.ea[0] & 0x02, 0x02);	/* locally administered */
	ck_assert(!eth_addr_is_zero(&a));
}
END_TEST

static Suite *
eth_mac_suite(void)
{
	Suite *s = suite_create("eth_mac");
	TCase *tc = tcase_create("derive");

	tcase_add_test(tc, test_same_seed_same_mac);
	tcase_add_test(tc, test_mac_from_name);
	tcase_add_test(tc, test_two_names_two_macs);
	tcase_add_test(tc, test_local_unicast_bits);
	tcase_add_test(tc, test_many_names_no_collision);
	tcase_add_test(tc, test_seed_kinds_differ);
	suite_add_tcase(s, tc);
	tc = tcase_create("random");
	tcase_add_test(tc, test_random_local_unicast);
	tcase_add_test(tc, test_is_local_unicast);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(eth_mac_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
