/*
 * check_fdb.c - unit tests for vswitchd/fdb (the forwarding database).
 *
 * Time is virtual: every call passes its own 'now_ms'.  Expected values come
 * from the Linux bridge rules in shared/reference/linux-bridge.md §2, not
 * from running the code.  Most tests end with fdb_is_consistent(), which
 * walks every chain and list.
 */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "fdb.h"

static struct fdb *fdb;

static void
setup(void)
{
	fdb = fdb_create(1024, 42);
	ck_assert_ptr_nonnull(fdb);
}

static void
teardown(void)
{
	fdb_destroy(fdb);
	fdb = NULL;
}

/* A locally administered unicast address 02:<prefix>:<n as 4 bytes>. */
static struct eth_addr
mac_n(uint8_t prefix, uint32_t n)
{
	struct eth_addr a = { { 0x02, prefix, (uint8_t)(n >> 24),
				(uint8_t)(n >> 16), (uint8_t)(n >> 8),
				(uint8_t)n } };

	return a;
}

static struct eth_addr
mac(uint32_t n)
{
	return mac_n(0, n);
}

/* Port of ('m', 'vid'), or -1 if absent. */
static int
port_of(const struct eth_addr *m, uint16_t vid)
{
	const struct fdb_entry *e = fdb_lookup(fdb, m, vid);

	return e ? e->port_no : -1;
}

static int
port_of_n(uint32_t n, uint16_t vid)
{
	struct eth_addr m = mac(n);

	return port_of(&m, vid);
}

static enum fdb_learn_result
learn_n(uint32_t n, uint16_t vid, uint16_t port_no, uint64_t now_ms)
{
	struct eth_addr m = mac(n);

	return fdb_learn(fdb, &m, vid, port_no, now_ms);
}

/* Adds as a user would: bridge_fdb_add() passes FDB_F_USER. */
static int
add_n(uint32_t n, uint16_t vid, uint16_t port_no, uint8_t flags,
      uint64_t now_ms)
{
	struct eth_addr m = mac(n);

	return fdb_add(fdb, &m, vid, port_no, flags | FDB_F_USER, now_ms);
}

static int
del_n(uint32_t n, uint16_t vid)
{
	struct eth_addr m = mac(n);

	return fdb_del(fdb, &m, vid, FDB_PORT_ANY);
}

static struct fdb_entry *
lookup_n(uint32_t n, uint16_t vid)
{
	struct eth_addr m = mac(n);

	return fdb_lookup(fdb, &m, vid);
}

/* xorshift64*: a deterministic generator for the scale tests. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* ---- insertion and lookup ---- */

START_TEST(test_learn_new_and_lookup)
{
	struct eth_addr m = mac(1), other = mac(2);
	struct fdb_entry *e;

	ck_assert_ptr_null(fdb_lookup(fdb, &m, 0));
	ck_assert_int_eq(fdb_learn(fdb, &m, 0, 3, 100), FDB_LEARN_NEW);
	e = fdb_lookup(fdb, &m, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert(eth_addr_equals(&e->mac, &m));
	ck_assert_uint_eq(e->vid, 0);
	ck_assert_uint_eq(e->port_no, 3);
	ck_assert_uint_eq(e->flags, 0);
	ck_assert_uint_eq(e->updated_ms, 100);
	ck_assert_uint_eq(e->used_ms, 100);
	ck_assert(fdb_entry_is_dynamic(e));
	ck_assert_ptr_null(fdb_lookup(fdb, &other, 0));
	ck_assert_uint_eq(fdb_count(fdb), 1);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_entry_use)
{
	struct fdb_entry *e;

	ck_assert_int_eq(learn_n(1, 0, 1, 10), FDB_LEARN_NEW);
	e = lookup_n(1, 0);
	ck_assert_ptr_nonnull(e);
	fdb_entry_use(e, 77);
	ck_assert_uint_eq(lookup_n(1, 0)->used_ms, 77);
	ck_assert_uint_eq(lookup_n(1, 0)->updated_ms, 10);
}
END_TEST

START_TEST(test_defaults)
{
	struct fdb_stats s;

	ck_assert_uint_eq(fdb_get_ageing_ms(fdb), FDB_DEFAULT_AGEING_MS);
	ck_assert_uint_eq(fdb_get_hold_ms(fdb), FDB_DEFAULT_AGEING_MS);
	ck_assert_uint_eq(fdb_get_max_learned(fdb), 0);
	ck_assert_uint_eq(fdb_count(fdb), 0);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	fdb_get_stats(fdb, &s);
	ck_assert_uint_eq(s.capacity, 1024);
	ck_assert_uint_eq(s.n_buckets, 2048);	/* two heads per entry */
	ck_assert_uint_ge(fdb_entry_footprint(), sizeof(struct fdb_entry));
}
END_TEST

/* ---- per-VID separation ---- */

START_TEST(test_vid_separation)
{
	ck_assert_int_eq(learn_n(1, 1, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(1, 2, 2, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(1, 0, 3, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(port_of_n(1, 1), 1);
	ck_assert_int_eq(port_of_n(1, 2), 2);
	ck_assert_int_eq(port_of_n(1, 0), 3);
	ck_assert_int_eq(port_of_n(1, 3), -1);
	ck_assert_uint_eq(fdb_count(fdb), 3);

	/* Learning in one VID moves nothing in another. */
	ck_assert_int_eq(learn_n(1, 1, 5, 1), FDB_LEARN_MOVED);
	ck_assert_int_eq(port_of_n(1, 2), 2);

	ck_assert_int_eq(del_n(1, 1), 0);
	ck_assert_int_eq(port_of_n(1, 1), -1);
	ck_assert_int_eq(port_of_n(1, 2), 2);
	ck_assert_int_eq(port_of_n(1, 0), 3);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- learning refresh ---- */

START_TEST(test_refresh_updates_timestamp)
{
	ck_assert_int_eq(learn_n(1, 0, 4, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(1, 0, 4, 1000), FDB_LEARN_REFRESHED);
	ck_assert_uint_eq(lookup_n(1, 0)->updated_ms, 1000);
	ck_assert_uint_eq(lookup_n(1, 0)->used_ms, 0);
	ck_assert_int_eq(learn_n(1, 0, 4, 1000), FDB_LEARN_REFRESHED);
	ck_assert_uint_eq(fdb_count(fdb), 1);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
}
END_TEST

START_TEST(test_refresh_reorders_ageing)
{
	fdb_set_ageing_ms(fdb, 100);
	ck_assert_int_eq(learn_n(1, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(2, 0, 1, 10), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(3, 0, 1, 15), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(1, 0, 1, 20), FDB_LEARN_REFRESHED);
	ck_assert(fdb_is_consistent(fdb));
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 110);

	ck_assert_uint_eq(fdb_age(fdb, 110), 1);
	ck_assert_int_eq(port_of_n(2, 0), -1);
	ck_assert_int_eq(port_of_n(1, 0), 1);
	ck_assert_int_eq(port_of_n(3, 0), 1);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 115);
	ck_assert_uint_eq(fdb_age(fdb, 119), 1);
	ck_assert_int_eq(port_of_n(1, 0), 1);
	ck_assert_uint_eq(fdb_age(fdb, 120), 1);
	ck_assert_uint_eq(fdb_count(fdb), 0);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- ageing ---- */

START_TEST(test_ageing_boundary)
{
	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_uint_eq(fdb_get_ageing_ms(fdb), 1000);
	ck_assert_int_eq(learn_n(1, 0, 1, 500), FDB_LEARN_NEW);
	ck_assert_uint_eq(fdb_age(fdb, 1499), 0);
	ck_assert_int_eq(port_of_n(1, 0), 1);
	/* updated + hold <= now: expires exactly at 1500. */
	ck_assert_uint_eq(fdb_age(fdb, 1500), 1);
	ck_assert_int_eq(port_of_n(1, 0), -1);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_ageing_static_local_never)
{
	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_int_eq(add_n(1, 0, 1, FDB_F_STATIC, 0), 0);
	ck_assert_int_eq(add_n(2, 0, 0, FDB_F_LOCAL, 0), 0);
	ck_assert_int_eq(add_n(3, 0, 2, FDB_F_LOCAL | FDB_F_STATIC, 0), 0);
	ck_assert_int_eq(add_n(4, 0, 2, 0, 0), 0);	/* user dynamic */
	ck_assert_int_eq(learn_n(5, 0, 2, 0), FDB_LEARN_NEW);
	ck_assert_uint_eq(fdb_age(fdb, 999), 0);
	ck_assert_uint_eq(fdb_age(fdb, UINT64_MAX), 2);
	ck_assert_int_eq(port_of_n(1, 0), 1);
	ck_assert_int_eq(port_of_n(2, 0), 0);
	ck_assert_int_eq(port_of_n(3, 0), 2);
	ck_assert_int_eq(port_of_n(4, 0), -1);
	ck_assert_int_eq(port_of_n(5, 0), -1);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_ageing_partial)
{
	uint32_t i;

	fdb_set_ageing_ms(fdb, 1000);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(learn_n(i, 0, 1, i), FDB_LEARN_NEW);
	/* Entries 0..49 have updated + 1000 <= 1049. */
	ck_assert_uint_eq(fdb_age(fdb, 1049), 50);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(port_of_n(i, 0), i < 50 ? -1 : 1);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 1050);
	ck_assert_uint_eq(fdb_age(fdb, 1049), 0);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- ageing time 0 ---- */

/* fdb_age_report() hands back what it removed, at most 'max' per call. */
START_TEST(test_ageing_report)
{
	struct fdb_entry out[2];

	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_int_eq(learn_n(1, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(2, 5, 2, 10), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(3, 0, 3, 20), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(4, 0, 4, 900), FDB_LEARN_NEW);
	ck_assert_int_eq(add_n(5, 0, 1, FDB_F_STATIC, 0), 0);
	ck_assert_uint_eq(fdb_age_report(fdb, 999, out, 2), 0);
	ck_assert_uint_eq(fdb_age_report(fdb, 1500, out, 2), 2);
	{
		struct eth_addr m1 = mac(1);

		ck_assert(eth_addr_equals(&out[0].mac, &m1));
	}
	ck_assert_uint_eq(out[0].port_no, 1);
	ck_assert_uint_eq(out[1].vid, 5);
	ck_assert_uint_eq(out[1].port_no, 2);
	ck_assert_uint_eq(fdb_age_report(fdb, 1500, out, 2), 1);
	ck_assert_uint_eq(out[0].port_no, 3);
	ck_assert_uint_eq(fdb_age_report(fdb, 1500, out, 2), 0);
	ck_assert_uint_eq(fdb_count(fdb), 2);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_ageing_zero)
{
	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_int_eq(learn_n(1, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(add_n(2, 0, 1, 0, 0), 0);
	ck_assert_int_eq(add_n(3, 0, 1, FDB_F_STATIC, 0), 0);

	fdb_set_ageing_ms(fdb, 0);
	ck_assert_int_eq(learn_n(4, 0, 1, 5), FDB_LEARN_DISABLED);
	ck_assert_int_eq(port_of_n(4, 0), -1);
	/* Existing entries are not refreshed or moved either. */
	ck_assert_int_eq(learn_n(1, 0, 2, 5), FDB_LEARN_DISABLED);
	ck_assert_int_eq(port_of_n(1, 0), 1);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 0);

	ck_assert_uint_eq(fdb_age(fdb, 10), 2);
	ck_assert_int_eq(port_of_n(1, 0), -1);
	ck_assert_int_eq(port_of_n(2, 0), -1);
	ck_assert_int_eq(port_of_n(3, 0), 1);

	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_int_eq(learn_n(4, 0, 1, 20), FDB_LEARN_NEW);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- topology-change hold time ---- */

START_TEST(test_tc_hold_shortens)
{
	ck_assert_int_eq(learn_n(1, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(2, 0, 1, 10000), FDB_LEARN_NEW);
	fdb_set_tc_hold_ms(fdb, 15000);
	ck_assert_uint_eq(fdb_get_hold_ms(fdb), 15000);
	ck_assert_uint_eq(fdb_get_ageing_ms(fdb), FDB_DEFAULT_AGEING_MS);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 15000);
	ck_assert_uint_eq(fdb_age(fdb, 14999), 0);
	ck_assert_uint_eq(fdb_age(fdb, 15000), 1);
	ck_assert_int_eq(port_of_n(2, 0), 1);

	/* End of the topology change: back to the ageing time. */
	fdb_set_tc_hold_ms(fdb, 0);
	ck_assert_uint_eq(fdb_get_hold_ms(fdb), FDB_DEFAULT_AGEING_MS);
	ck_assert_uint_eq(fdb_age(fdb, 25000), 0);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb),
			  10000 + FDB_DEFAULT_AGEING_MS);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_tc_hold_with_ageing_zero_learns)
{
	/* Linux disables learning when hold_time() is 0, and the TC hold
	 * time (forward delay) replaces ageing_time in hold_time(). */
	fdb_set_ageing_ms(fdb, 0);
	fdb_set_tc_hold_ms(fdb, 15000);
	ck_assert_int_eq(learn_n(1, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_uint_eq(fdb_age(fdb, 14999), 0);
	fdb_set_tc_hold_ms(fdb, 0);
	ck_assert_int_eq(learn_n(2, 0, 1, 1), FDB_LEARN_DISABLED);
	ck_assert_uint_eq(fdb_age(fdb, 15000), 1);
}
END_TEST

/* ---- MAC moves ---- */

START_TEST(test_move_dynamic)
{
	ck_assert_int_eq(learn_n(1, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(1, 0, 2, 50), FDB_LEARN_MOVED);
	ck_assert_int_eq(port_of_n(1, 0), 2);
	ck_assert_uint_eq(lookup_n(1, 0)->flags, 0);
	ck_assert_uint_eq(lookup_n(1, 0)->updated_ms, 50);
	ck_assert_uint_eq(fdb_count(fdb), 1);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);

	/* A user dynamic entry moves too and stays a user entry. */
	ck_assert_int_eq(add_n(2, 0, 1, 0, 0), 0);
	ck_assert_int_eq(learn_n(2, 0, 3, 60), FDB_LEARN_MOVED);
	ck_assert_int_eq(port_of_n(2, 0), 3);
	ck_assert_uint_eq(lookup_n(2, 0)->flags, FDB_F_USER);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_move_static)
{
	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_int_eq(add_n(1, 0, 1, FDB_F_STATIC, 0), 0);
	ck_assert_int_eq(learn_n(1, 0, 2, 70), FDB_LEARN_MOVED);
	ck_assert_int_eq(port_of_n(1, 0), 2);
	ck_assert_uint_eq(lookup_n(1, 0)->flags, FDB_F_STATIC | FDB_F_USER);
	ck_assert_uint_eq(lookup_n(1, 0)->updated_ms, 70);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);
	/* Still static: never ages. */
	ck_assert_uint_eq(fdb_age(fdb, 1000000), 0);
	ck_assert_int_eq(port_of_n(1, 0), 2);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_move_sticky)
{
	ck_assert_int_eq(add_n(1, 0, 1, FDB_F_STATIC | FDB_F_STICKY, 0), 0);
	ck_assert_int_eq(learn_n(1, 0, 2, 10), FDB_LEARN_STICKY);
	ck_assert_int_eq(port_of_n(1, 0), 1);
	ck_assert_int_eq(learn_n(1, 0, 1, 20), FDB_LEARN_REFRESHED);

	/* A dynamic sticky entry is refreshed but does not move. */
	ck_assert_int_eq(add_n(2, 0, 1, FDB_F_STICKY, 0), 0);
	ck_assert_int_eq(learn_n(2, 0, 2, 30), FDB_LEARN_STICKY);
	ck_assert_int_eq(port_of_n(2, 0), 1);
	ck_assert_uint_eq(lookup_n(2, 0)->updated_ms, 30);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_move_local_never)
{
	ck_assert_int_eq(add_n(1, 0, FDB_PORT_BRIDGE, FDB_F_LOCAL, 5), 0);
	ck_assert_int_eq(learn_n(1, 0, 2, 10), FDB_LEARN_LOCAL);
	ck_assert_int_eq(port_of_n(1, 0), FDB_PORT_BRIDGE);
	ck_assert_uint_eq(lookup_n(1, 0)->updated_ms, 5);
	ck_assert_uint_eq(lookup_n(1, 0)->flags, FDB_F_LOCAL | FDB_F_USER);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- own (local) addresses ---- */

START_TEST(test_learn_own_address)
{
	/* The bridge MAC in VID 1 and a port MAC (port 5) in VID 0. */
	ck_assert_int_eq(add_n(1, 1, FDB_PORT_BRIDGE, FDB_F_LOCAL, 0), 0);
	ck_assert_int_eq(add_n(2, 0, 5, FDB_F_LOCAL, 0), 0);

	ck_assert_int_eq(learn_n(1, 1, 3, 10), FDB_LEARN_LOCAL);
	ck_assert_int_eq(learn_n(2, 0, 5, 10), FDB_LEARN_LOCAL);
	ck_assert_int_eq(learn_n(2, 0, 6, 10), FDB_LEARN_LOCAL);
	ck_assert_uint_eq(fdb_count(fdb), 2);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);

	/* The same MAC in another VID is not local there. */
	ck_assert_int_eq(learn_n(1, 2, 3, 10), FDB_LEARN_NEW);
	ck_assert_int_eq(port_of_n(1, 2), 3);
	ck_assert_int_eq(port_of_n(1, 1), FDB_PORT_BRIDGE);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- user add / del / replace ---- */

/* fdb_add() does not imply FDB_F_USER: the bridge's own local entries
 * are not user entries, and a non-user dynamic entry counts as learned. */
START_TEST(test_add_not_user)
{
	struct eth_addr m1 = mac(1), m2 = mac(2);

	ck_assert_int_eq(fdb_add(fdb, &m1, 0, 3, FDB_F_LOCAL | FDB_F_STATIC, 0),
			 0);
	ck_assert_uint_eq(lookup_n(1, 0)->flags, FDB_F_LOCAL | FDB_F_STATIC);
	ck_assert_int_eq(fdb_add(fdb, &m2, 0, 3, 0, 0), 0);
	ck_assert_uint_eq(lookup_n(2, 0)->flags, 0);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_user_add)
{
	struct fdb_entry *e;

	ck_assert_int_eq(add_n(1, 7, 4, FDB_F_STATIC, 123), 0);
	e = lookup_n(1, 7);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->port_no, 4);
	ck_assert_uint_eq(e->flags, FDB_F_STATIC | FDB_F_USER);
	ck_assert_uint_eq(e->updated_ms, 123);
	ck_assert(!fdb_entry_is_dynamic(e));
	ck_assert_uint_eq(fdb_count(fdb), 1);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_user_replace)
{
	fdb_set_ageing_ms(fdb, 1000);
	/* static -> user dynamic on another port: now ages. */
	ck_assert_int_eq(add_n(1, 0, 4, FDB_F_STATIC, 0), 0);
	ck_assert_int_eq(add_n(1, 0, 6, 0, 100), 0);
	ck_assert_int_eq(port_of_n(1, 0), 6);
	ck_assert_uint_eq(lookup_n(1, 0)->flags, FDB_F_USER);
	ck_assert_uint_eq(fdb_count(fdb), 1);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 1100);

	/* learned -> static: no longer learned, no longer ages. */
	ck_assert_int_eq(learn_n(2, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
	ck_assert_int_eq(add_n(2, 0, 1, FDB_F_STATIC, 50), 0);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);

	/* user dynamic -> local. */
	ck_assert_int_eq(add_n(1, 0, 0, FDB_F_LOCAL, 200), 0);
	ck_assert_uint_eq(lookup_n(1, 0)->flags, FDB_F_LOCAL | FDB_F_USER);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	ck_assert_uint_eq(fdb_age(fdb, 1000000), 0);
	ck_assert_uint_eq(fdb_count(fdb), 2);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_user_dynamic_ages_and_is_not_learned)
{
	fdb_set_ageing_ms(fdb, 1000);
	fdb_set_max_learned(fdb, 1);
	ck_assert_int_eq(learn_n(1, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(add_n(2, 0, 1, 0, 0), 0);
	ck_assert_uint_eq(fdb_count(fdb), 2);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
	ck_assert(fdb_entry_is_dynamic(lookup_n(2, 0)));
	ck_assert_uint_eq(fdb_age(fdb, 1000), 2);
	ck_assert_uint_eq(fdb_count(fdb), 0);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_user_add_invalid)
{
	struct eth_addr mcast = { { 0x01, 0x00, 0x5e, 0, 0, 1 } };
	struct eth_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct eth_addr zero = { { 0 } };
	struct eth_addr m = mac(1);

	ck_assert_int_eq(fdb_add(fdb, &mcast, 0, 1, FDB_F_STATIC, 0), -EINVAL);
	ck_assert_int_eq(fdb_add(fdb, &bcast, 0, 1, FDB_F_STATIC, 0), -EINVAL);
	ck_assert_int_eq(fdb_add(fdb, &zero, 0, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(fdb_add(fdb, &m, 0, 1, FDB_F_LOCAL | FDB_F_STICKY, 0),
			 -EINVAL);
	ck_assert_int_eq(fdb_add(fdb, &m, 0, 1, 0x80, 0), -EINVAL);
	ck_assert_int_eq(fdb_add(fdb, &m, VLAN_N_VID, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(fdb_add(fdb, &m, FDB_VID_ANY, 1, 0, 0), -EINVAL);
	ck_assert_int_eq(fdb_add(fdb, &m, 0, FDB_PORT_ANY, 0, 0), -EINVAL);
	ck_assert_uint_eq(fdb_count(fdb), 0);

	/* A refused replace leaves the entry alone. */
	ck_assert_int_eq(fdb_add(fdb, &m, 0, 1, FDB_F_STATIC | FDB_F_USER, 0),
			 0);
	ck_assert_int_eq(fdb_add(fdb, &m, 0, 2, FDB_F_LOCAL | FDB_F_STICKY, 0),
			 -EINVAL);
	ck_assert_int_eq(port_of(&m, 0), 1);
	ck_assert_uint_eq(lookup_n(1, 0)->flags, FDB_F_STATIC | FDB_F_USER);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_user_del)
{
	struct eth_addr m = mac(1), absent = mac(9);

	ck_assert_int_eq(add_n(1, 0, 4, FDB_F_STATIC, 0), 0);
	ck_assert_int_eq(fdb_del(fdb, &absent, 0, FDB_PORT_ANY), -ENOENT);
	ck_assert_int_eq(fdb_del(fdb, &m, 1, FDB_PORT_ANY), -ENOENT);
	ck_assert_int_eq(fdb_del(fdb, &m, 0, 5), -ENOENT);
	ck_assert_int_eq(fdb_del(fdb, &m, FDB_VID_ANY, FDB_PORT_ANY), -ENOENT);
	ck_assert_int_eq(port_of(&m, 0), 4);
	ck_assert_int_eq(fdb_del(fdb, &m, 0, 4), 0);
	ck_assert_int_eq(port_of(&m, 0), -1);
	ck_assert_int_eq(fdb_del(fdb, &m, 0, 4), -ENOENT);

	ck_assert_int_eq(learn_n(1, 0, 3, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(fdb_del(fdb, &m, 0, FDB_PORT_ANY), 0);
	ck_assert_uint_eq(fdb_count(fdb), 0);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- flush ---- */

enum { KIND_LEARNED, KIND_USER_DYN, KIND_STATIC, KIND_LOCAL, N_KINDS };

/* Ports 1 and 2 x VIDs 0 and 1 x one entry of each kind: 16 entries.
 * MAC number = port * 100 + vid * 10 + kind. */
static void
populate(void)
{
	static const uint8_t kind_flags[N_KINDS] = {
		[KIND_USER_DYN] = 0,
		[KIND_STATIC] = FDB_F_STATIC,
		[KIND_LOCAL] = FDB_F_LOCAL,
	};
	uint16_t port, vid;
	int k;

	for (port = 1; port <= 2; port++)
		for (vid = 0; vid <= 1; vid++)
			for (k = 0; k < N_KINDS; k++) {
				uint32_t n = port * 100 + vid * 10 + k;

				if (k == KIND_LEARNED)
					ck_assert_int_eq(learn_n(n, vid, port,
								 0),
							 FDB_LEARN_NEW);
				else
					ck_assert_int_eq(add_n(n, vid, port,
							       kind_flags[k],
							       0), 0);
			}
	ck_assert_uint_eq(fdb_count(fdb), 16);
	ck_assert_uint_eq(fdb_count_learned(fdb), 4);
}

static bool
present(uint16_t port, uint16_t vid, int kind)
{
	return port_of_n(port * 100 + vid * 10 + kind, vid) == port;
}

START_TEST(test_flush_port_dynamic)
{
	uint16_t vid;

	populate();
	ck_assert_uint_eq(fdb_flush_port_dynamic(fdb, 1), 4);
	for (vid = 0; vid <= 1; vid++) {
		ck_assert(!present(1, vid, KIND_LEARNED));
		ck_assert(!present(1, vid, KIND_USER_DYN));
		ck_assert(present(1, vid, KIND_STATIC));
		ck_assert(present(1, vid, KIND_LOCAL));
		ck_assert(present(2, vid, KIND_LEARNED));
		ck_assert(present(2, vid, KIND_USER_DYN));
	}
	ck_assert_uint_eq(fdb_count(fdb), 12);
	ck_assert_uint_eq(fdb_count_learned(fdb), 2);
	ck_assert_uint_eq(fdb_flush_port_dynamic(fdb, 1), 0);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_flush_port_all)
{
	uint16_t vid;
	int k;

	populate();
	ck_assert_uint_eq(fdb_flush_port(fdb, 1), 8);
	for (vid = 0; vid <= 1; vid++)
		for (k = 0; k < N_KINDS; k++) {
			ck_assert(!present(1, vid, k));
			ck_assert(present(2, vid, k));
		}
	ck_assert_uint_eq(fdb_count(fdb), 8);
	ck_assert_uint_eq(fdb_flush_port(fdb, 3), 0);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_flush_vid)
{
	struct fdb_flush_filter f = {
		.port_no = FDB_PORT_ANY, .vid = 1,
	};
	uint16_t port;
	int k;

	populate();
	ck_assert_uint_eq(fdb_flush(fdb, &f), 8);
	for (port = 1; port <= 2; port++)
		for (k = 0; k < N_KINDS; k++) {
			ck_assert(present(port, 0, k));
			ck_assert(!present(port, 1, k));
		}

	/* Port 2, VID 0, dynamic only. */
	f = (struct fdb_flush_filter){
		.port_no = 2, .vid = 0,
		.flags_mask = FDB_F_LOCAL | FDB_F_STATIC, .flags_value = 0,
	};
	ck_assert_uint_eq(fdb_flush(fdb, &f), 2);
	ck_assert(present(1, 0, KIND_LEARNED));
	ck_assert(!present(2, 0, KIND_LEARNED));
	ck_assert(present(2, 0, KIND_STATIC));
	ck_assert_uint_eq(fdb_count(fdb), 6);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_flush_flags)
{
	struct fdb_flush_filter f = {
		.port_no = FDB_PORT_ANY, .vid = FDB_VID_ANY,
		.flags_mask = FDB_F_STATIC, .flags_value = FDB_F_STATIC,
	};
	uint16_t port, vid;

	populate();
	ck_assert_uint_eq(fdb_flush(fdb, &f), 4);
	/* Learned only (not added by the user), as a "flush dynamic
	 * learned" would do. */
	f.flags_mask = FDB_F_USER;
	f.flags_value = 0;
	ck_assert_uint_eq(fdb_flush(fdb, &f), 4);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);
	for (port = 1; port <= 2; port++)
		for (vid = 0; vid <= 1; vid++) {
			ck_assert(!present(port, vid, KIND_STATIC));
			ck_assert(!present(port, vid, KIND_LEARNED));
			ck_assert(present(port, vid, KIND_USER_DYN));
			ck_assert(present(port, vid, KIND_LOCAL));
		}
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_flush_all)
{
	struct fdb_flush_filter f = {
		.port_no = FDB_PORT_ANY, .vid = FDB_VID_ANY,
	};

	populate();
	ck_assert_uint_eq(fdb_flush(fdb, &f), 16);
	ck_assert_uint_eq(fdb_count(fdb), 0);
	ck_assert_uint_eq(fdb_count_learned(fdb), 0);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	ck_assert(fdb_is_consistent(fdb));
	/* Freed slots are reused. */
	populate();
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* fdb_flush_should_remove() is the predicate fdb_flush() applies: for a
 * few filters, the entries it accepts are exactly the ones a flush
 * removes. */
static void
count_should_remove(const struct fdb_entry *e, void *aux)
{
	const struct fdb_flush_filter *f = ((const void **)aux)[0];
	size_t *n = ((void **)aux)[1];

	if (fdb_flush_should_remove(f, e))
		(*n)++;
}

START_TEST(test_flush_should_remove)
{
	static const struct fdb_flush_filter filters[] = {
		{ FDB_PORT_ANY, FDB_VID_ANY, 0, 0 },
		{ 1, FDB_VID_ANY, 0, 0 },
		{ FDB_PORT_ANY, 1, FDB_F_STATIC, 0 },
		{ 2, 0, FDB_F_LOCAL | FDB_F_STATIC, 0 },
		{ FDB_PORT_ANY, FDB_VID_ANY, FDB_F_USER, 0 },
	};

	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		size_t n = 0;
		const void *aux[2] = { &filters[i], &n };

		populate();
		fdb_foreach(fdb, count_should_remove, aux);
		ck_assert_uint_gt(n, 0);
		ck_assert_uint_eq(fdb_flush(fdb, &filters[i]), n);
		n = 0;
		fdb_foreach(fdb, count_should_remove, aux);
		ck_assert_uint_eq(n, 0);
		fdb_flush(fdb, &filters[0]);
	}
}
END_TEST

/* ---- capacity ---- */

START_TEST(test_capacity_full)
{
	struct fdb_stats s;
	uint32_t i;

	fdb_destroy(fdb);
	fdb = fdb_create(8, 7);
	ck_assert_ptr_nonnull(fdb);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(learn_n(i, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(8, 0, 1, 0), FDB_LEARN_FULL);
	ck_assert_int_eq(add_n(8, 0, 1, FDB_F_STATIC, 0), -ENOSPC);
	ck_assert_int_eq(port_of_n(8, 0), -1);
	/* Nothing was evicted; existing entries still refresh, move and
	 * can be replaced. */
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(port_of_n(i, 0), 1);
	ck_assert_int_eq(learn_n(0, 0, 1, 5), FDB_LEARN_REFRESHED);
	ck_assert_int_eq(learn_n(1, 0, 2, 5), FDB_LEARN_MOVED);
	ck_assert_int_eq(add_n(2, 0, 3, FDB_F_STATIC, 5), 0);
	ck_assert_uint_eq(fdb_count(fdb), 8);

	ck_assert_int_eq(del_n(2, 0), 0);
	ck_assert_int_eq(learn_n(8, 0, 1, 6), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(9, 0, 1, 6), FDB_LEARN_FULL);
	fdb_get_stats(fdb, &s);
	ck_assert_uint_eq(s.capacity, 8);
	ck_assert_uint_eq(s.n_entries, 8);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

START_TEST(test_capacity_limits)
{
	struct fdb *f;
	struct fdb_stats s;
	struct eth_addr m = mac(1);

	ck_assert_ptr_null(fdb_create(FDB_MAX_MAX_ENTRIES + 1, 0));
	fdb_destroy(NULL);

	f = fdb_create(0, 0);
	ck_assert_ptr_nonnull(f);
	fdb_get_stats(f, &s);
	ck_assert_uint_eq(s.capacity, FDB_DEFAULT_MAX_ENTRIES);
	ck_assert_uint_ge(s.n_buckets, s.capacity);
	fdb_destroy(f);

	f = fdb_create(1, 0);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fdb_learn(f, &m, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(fdb_add(f, &(struct eth_addr){ { 2, 0, 0, 0, 0, 2 } },
				 0, 1, 0, 0), -ENOSPC);
	ck_assert_ptr_nonnull(fdb_lookup(f, &m, 0));
	ck_assert(fdb_is_consistent(f));
	fdb_destroy(f);
}
END_TEST

/* ---- max_learned ---- */

START_TEST(test_max_learned)
{
	uint32_t i;

	fdb_set_max_learned(fdb, 3);
	ck_assert_uint_eq(fdb_get_max_learned(fdb), 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(learn_n(i, 0, 1, 0), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(3, 0, 1, 0), FDB_LEARN_FULL);
	ck_assert_int_eq(port_of_n(3, 0), -1);

	/* User and local entries are not capped and not counted. */
	ck_assert_int_eq(add_n(10, 0, 1, FDB_F_STATIC, 0), 0);
	ck_assert_int_eq(add_n(11, 0, 1, 0, 0), 0);
	ck_assert_int_eq(add_n(12, 0, 0, FDB_F_LOCAL, 0), 0);
	ck_assert_uint_eq(fdb_count(fdb), 6);
	ck_assert_uint_eq(fdb_count_learned(fdb), 3);

	/* Existing learned entries still refresh and move. */
	ck_assert_int_eq(learn_n(0, 0, 1, 1), FDB_LEARN_REFRESHED);
	ck_assert_int_eq(learn_n(1, 0, 2, 1), FDB_LEARN_MOVED);

	/* Turning a learned entry into a user entry frees a place. */
	ck_assert_int_eq(add_n(2, 0, 1, FDB_F_STATIC, 2), 0);
	ck_assert_uint_eq(fdb_count_learned(fdb), 2);
	ck_assert_int_eq(learn_n(3, 0, 1, 3), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(4, 0, 1, 3), FDB_LEARN_FULL);

	/* Lowering the cap removes nothing. */
	fdb_set_max_learned(fdb, 1);
	ck_assert_uint_eq(fdb_count_learned(fdb), 3);
	ck_assert_int_eq(learn_n(4, 0, 1, 4), FDB_LEARN_FULL);
	ck_assert_uint_eq(fdb_flush_port_dynamic(fdb, 1), 3);
	ck_assert_uint_eq(fdb_count_learned(fdb), 1);
	ck_assert_int_eq(learn_n(4, 0, 1, 5), FDB_LEARN_FULL);
	fdb_set_max_learned(fdb, 0);
	ck_assert_int_eq(learn_n(4, 0, 1, 5), FDB_LEARN_NEW);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* ---- next expiry ---- */

START_TEST(test_next_expiry)
{
	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	ck_assert_int_eq(add_n(9, 0, 1, FDB_F_STATIC, 0), 0);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	ck_assert_int_eq(learn_n(1, 0, 1, 100), FDB_LEARN_NEW);
	ck_assert_int_eq(learn_n(2, 0, 1, 200), FDB_LEARN_NEW);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 1100);
	fdb_set_tc_hold_ms(fdb, 50);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 150);
	fdb_set_tc_hold_ms(fdb, 0);
	ck_assert_int_eq(learn_n(1, 0, 1, 300), FDB_LEARN_REFRESHED);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 1200);
	ck_assert_uint_eq(fdb_age(fdb, fdb_next_expiry_ms(fdb)), 1);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), 1300);
	ck_assert_uint_eq(fdb_age(fdb, 1300), 1);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
}
END_TEST

START_TEST(test_next_expiry_saturates)
{
	fdb_set_ageing_ms(fdb, 1000);
	ck_assert_int_eq(learn_n(1, 0, 1, UINT64_MAX - 10), FDB_LEARN_NEW);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
	ck_assert_uint_eq(fdb_age(fdb, UINT64_MAX - 1), 0);
	ck_assert_int_eq(port_of_n(1, 0), 1);
	fdb_set_ageing_ms(fdb, UINT64_MAX);
	ck_assert_uint_eq(fdb_age(fdb, UINT64_MAX - 1), 0);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
}
END_TEST

/* ---- foreach ---- */

struct visit {
	unsigned int seen[3][2][N_KINDS];
	size_t n;
};

static void
visit_cb(const struct fdb_entry *e, void *aux)
{
	struct visit *v = aux;
	uint32_t n = (uint32_t)e->mac.ea[4] << 8 | e->mac.ea[5];
	unsigned int port = n / 100, vid = n / 10 % 10, kind = n % 10;

	ck_assert_uint_le(port, 2);
	ck_assert_uint_le(vid, 1);
	ck_assert_uint_lt(kind, N_KINDS);
	ck_assert_uint_eq(e->port_no, port);
	ck_assert_uint_eq(e->vid, vid);
	ck_assert_ptr_eq(e, fdb_lookup(fdb, &e->mac, e->vid));
	v->seen[port][vid][kind]++;
	v->n++;
}

START_TEST(test_foreach)
{
	struct visit v;
	unsigned int port, vid, k;

	memset(&v, 0, sizeof v);
	fdb_foreach(fdb, visit_cb, &v);
	ck_assert_uint_eq(v.n, 0);

	populate();
	ck_assert_uint_eq(fdb_flush_port(fdb, 2), 8);
	ck_assert_int_eq(learn_n(200, 0, 2, 0), FDB_LEARN_NEW);
	fdb_foreach(fdb, visit_cb, &v);
	ck_assert_uint_eq(v.n, 9);
	for (port = 1; port <= 2; port++)
		for (vid = 0; vid <= 1; vid++)
			for (k = 0; k < N_KINDS; k++)
				ck_assert_uint_eq(v.seen[port][vid][k],
						  port == 1 ||
						  (vid == 0 && k == 0));
}
END_TEST

/* ---- scale ---- */

#define SCALE_N 100000

START_TEST(test_many_random)
{
	struct eth_addr *macs = calloc(SCALE_N, sizeof *macs);
	struct fdb_stats s;
	struct eth_addr extra = { { 6, 1, 2, 3, 4, 5 } };
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	uint32_t i;

	ck_assert_ptr_nonnull(macs);
	fdb_destroy(fdb);
	fdb = fdb_create(SCALE_N, 12345);
	fdb_set_ageing_ms(fdb, 1000);
	ck_assert(!fdb_prefetch_pays(fdb));
	for (i = 0; i < SCALE_N; i++) {
		enum fdb_learn_result r;

		do {
			uint64_t x = rnd(&seed);

			memcpy(macs[i].ea, &x, ETH_ADDR_LEN);
			macs[i].ea[0] = 0x02;
			r = fdb_learn(fdb, &macs[i], i % 4, i % 1023 + 1, i);
		} while (r == FDB_LEARN_REFRESHED || r == FDB_LEARN_MOVED);
		ck_assert_int_eq(r, FDB_LEARN_NEW);
	}
	ck_assert_uint_eq(fdb_count(fdb), SCALE_N);
	ck_assert(fdb_prefetch_pays(fdb));
	ck_assert_int_eq(fdb_learn(fdb, &extra, 0, 1, 0), FDB_LEARN_FULL);
	fdb_get_stats(fdb, &s);
	ck_assert_uint_le(s.longest_chain, 12);

	for (i = 0; i < SCALE_N; i++) {
		const struct fdb_entry *e = fdb_lookup(fdb, &macs[i], i % 4);
		struct eth_addr miss = macs[i];

		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(e->port_no, i % 1023 + 1);
		ck_assert(eth_addr_equals(&e->mac, &macs[i]));
		ck_assert_ptr_null(fdb_lookup(fdb, &macs[i], i % 4 + 4));
		miss.ea[0] = 0x06;	/* a prefix never used above */
		ck_assert_ptr_null(fdb_lookup(fdb, &miss, i % 4));
	}

	for (i = 1; i < SCALE_N; i += 2)
		ck_assert_int_eq(fdb_del(fdb, &macs[i], i % 4, FDB_PORT_ANY),
				 0);
	for (i = 0; i < SCALE_N; i++)
		ck_assert_int_eq(port_of(&macs[i], i % 4),
				 i % 2 ? -1 : (int)(i % 1023 + 1));
	ck_assert(fdb_is_consistent(fdb));

	/* Entry i was learned at time i: ageing at 1000 + N/2 - 1 removes
	 * the even entries below N/2. */
	ck_assert_uint_eq(fdb_age(fdb, 1000 + SCALE_N / 2 - 1), SCALE_N / 4);
	ck_assert_uint_eq(fdb_count(fdb), SCALE_N / 4);
	ck_assert(fdb_prefetch_pays(fdb));	/* SCALE_N / 4 left */
	ck_assert_uint_eq(fdb_age(fdb, UINT64_MAX), SCALE_N / 4);
	ck_assert_uint_eq(fdb_count(fdb), 0);
	ck_assert(!fdb_prefetch_pays(fdb));
	ck_assert(fdb_is_consistent(fdb));
	free(macs);
}
END_TEST

/* Structured key sets a sender can choose (sequential NICs, one MAC in
 * every VLAN, varying OUI) must not build long chains. */
START_TEST(test_structured_keys_spread)
{
	struct fdb_stats s;
	struct eth_addr m = mac(0x1234);
	uint32_t i;

	fdb_destroy(fdb);
	fdb = fdb_create(4096, 99);
	for (i = 0; i < 4096; i++)
		ck_assert_int_eq(learn_n(i, 0, 1, 0), FDB_LEARN_NEW);
	fdb_get_stats(fdb, &s);
	ck_assert_uint_le(s.longest_chain, 8);

	ck_assert_uint_eq(fdb_flush_port(fdb, 1), 4096);
	for (i = 0; i < 4096; i++)
		ck_assert_int_eq(fdb_learn(fdb, &m, i, 1, 0), FDB_LEARN_NEW);
	fdb_get_stats(fdb, &s);
	ck_assert_uint_le(s.longest_chain, 8);

	ck_assert_uint_eq(fdb_flush_port(fdb, 1), 4096);
	for (i = 0; i < 4096; i++) {
		struct eth_addr o = { { (uint8_t)(i >> 8 << 2), (uint8_t)i,
					0, 0, 0, 1 } };

		ck_assert_int_eq(fdb_learn(fdb, &o, 0, 1, 0), FDB_LEARN_NEW);
	}
	fdb_get_stats(fdb, &s);
	ck_assert_uint_le(s.longest_chain, 8);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

/* The seed is kept and only the seed decides bucket positions: the same
 * seed gives the same layout (repeatable tests), another one a different
 * layout (what keeps a sender from predicting it). */
START_TEST(test_seed_decides_buckets)
{
	struct fdb *same = fdb_create(1024, 42);
	struct fdb *other = fdb_create(1024, 43);
	struct fdb_stats s;
	unsigned n_moved = 0;
	uint32_t i;

	ck_assert_uint_eq(fdb_get_seed(fdb), 42);
	ck_assert_uint_eq(fdb_get_seed(other), 43);
	fdb_get_stats(fdb, &s);
	for (i = 0; i < 256; i++) {
		struct eth_addr m = mac(i);
		uint32_t b = fdb_bucket_index(fdb, &m, (uint16_t)(i % 3));

		ck_assert_uint_lt(b, s.n_buckets);
		ck_assert_uint_eq(fdb_bucket_index(same, &m, (uint16_t)(i % 3)),
				  b);
		n_moved += fdb_bucket_index(other, &m, (uint16_t)(i % 3)) != b;
	}
	/* Two independent layouts agree on a key about once in 1024. */
	ck_assert_uint_ge(n_moved, 250);
	fdb_destroy(same);
	fdb_destroy(other);
}
END_TEST

/* ---- bulk lookups ---- */

/* fdb_lookup_burst() over 'n' keys gives, key by key, what fdb_lookup()
 * gives, and fdb_prefetch_burst() changes nothing.  Returns the number of
 * hits. */
static size_t
check_burst_agrees(const struct eth_addr *macs, const uint16_t *vids,
		   size_t n)
{
	const struct eth_addr **ptrs = calloc(n + 1, sizeof *ptrs);
	struct fdb_entry **out = calloc(n + 1, sizeof *out);
	struct fdb_entry canary;
	size_t i, n_hits = 0, count = fdb_count(fdb);

	ck_assert_ptr_nonnull(ptrs);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++)
		ptrs[i] = &macs[i];
	/* Every slot is written, a hit or NULL, and none beyond 'n'. */
	for (i = 0; i <= n; i++)
		out[i] = &canary;
	fdb_lookup_burst(fdb, n, ptrs, vids, out);
	for (i = 0; i < n; i++) {
		ck_assert_ptr_eq(out[i], fdb_lookup(fdb, &macs[i], vids[i]));
		n_hits += out[i] != NULL;
	}
	ck_assert_ptr_eq(out[n], &canary);
	fdb_prefetch_burst(fdb, n, ptrs, vids);
	ck_assert_uint_eq(fdb_count(fdb), count);
	ck_assert(fdb_is_consistent(fdb));
	free(out);
	free(ptrs);
	return n_hits;
}

/* Bursts longer and shorter than the module's prefetch round (32), with
 * hits, misses, the same key twice, a known MAC in the wrong VID, and
 * deleted keys, in a table whose buckets hold chains. */
START_TEST(test_lookup_burst)
{
	enum { N_LEARNED = 300, N_QUERIES = 333 };
	struct eth_addr macs[N_QUERIES];
	uint16_t vids[N_QUERIES];
	bool hit[N_QUERIES];
	size_t n_hits = 0, i;

	for (i = 0; i < N_LEARNED; i++)
		ck_assert_int_eq(learn_n((uint32_t)i * 2654435761u,
					 (uint16_t)(i % 3),
					 (uint16_t)(i % 9 + 1), 1),
				 FDB_LEARN_NEW);
	for (i = 0; i < N_LEARNED; i += 5)
		ck_assert_int_eq(del_n((uint32_t)i * 2654435761u,
				       (uint16_t)(i % 3)), 0);
	/* Keys 300..319 were never learned; every 11th query asks a
	 * learned MAC in the next VID. */
	for (i = 0; i < N_QUERIES; i++) {
		uint32_t k = (uint32_t)(i * 7 % (N_LEARNED + 20));

		macs[i] = mac(k * 2654435761u);
		vids[i] = (uint16_t)(k % 3 + (i % 11 == 0));
		hit[i] = k < N_LEARNED && k % 5 && i % 11;
	}
	macs[N_QUERIES - 1] = macs[1];	/* a repeat within the burst */
	vids[N_QUERIES - 1] = vids[1];
	hit[N_QUERIES - 1] = hit[1];
	for (i = 0; i < N_QUERIES; i++)
		n_hits += hit[i];
	ck_assert_uint_gt(n_hits, N_QUERIES / 2);
	ck_assert_uint_lt(n_hits, N_QUERIES);

	ck_assert_uint_eq(check_burst_agrees(macs, vids, N_QUERIES), n_hits);
	for (i = 0; i < N_QUERIES; i++) {
		const struct fdb_entry *e = fdb_lookup(fdb, &macs[i], vids[i]);

		ck_assert_int_eq(e != NULL, hit[i]);
	}
	/* Every length around the prefetch round, from every offset. */
	for (i = 0; i <= 65; i++)
		check_burst_agrees(macs + i, vids + i, i);
}
END_TEST

/* ---- removal from hash chains ---- */

#define CHAIN_N 128

static uint32_t chain_macs[CHAIN_N];

static void
check_remaining(const bool *deleted)
{
	struct eth_addr macs[CHAIN_N];
	uint16_t vids[CHAIN_N] = { 0 };
	size_t n_left = 0;
	uint32_t i;

	/* Chains lose heads, middles and tails here: the burst walk must
	 * follow them as the single one does. */
	for (i = 0; i < CHAIN_N; i++) {
		macs[i] = mac(chain_macs[i]);
		n_left += !deleted[i];
	}
	ck_assert_uint_eq(check_burst_agrees(macs, vids, CHAIN_N), n_left);
	n_left = 0;

	for (i = 0; i < CHAIN_N; i++) {
		ck_assert_int_eq(port_of_n(chain_macs[i], 0),
				 deleted[i] ? -1 : (int)(i % 7 + 1));
		n_left += !deleted[i];
	}
	ck_assert_uint_eq(fdb_count(fdb), n_left);
	ck_assert(fdb_is_consistent(fdb));
}

START_TEST(test_chain_removal)
{
	/* Three deletion orders: forward, backward, and stride 7 (which
	 * visits every slot since gcd(7, 128) = 1). */
	static const int strides[] = { 1, -1, 7 };
	const int order = _i;
	bool deleted[CHAIN_N] = { false };
	uint64_t seed = 0x1234567;
	struct fdb_stats s;
	uint32_t i, step;
	int pos;

	/* Random keys: sequential ones spread perfectly and build no
	 * chains at all. */
	fdb_destroy(fdb);
	fdb = fdb_create(CHAIN_N, 3);
	for (i = 0; i < CHAIN_N; i++) {
		chain_macs[i] = (uint32_t)rnd(&seed);
		ck_assert_int_eq(learn_n(chain_macs[i], 0, i % 7 + 1, i),
				 FDB_LEARN_NEW);
	}
	/* 128 keys in 256 buckets (two heads per unit of capacity): chains
	 * of 3 or more exist, so heads, middles and tails of chains all get
	 * deleted. */
	fdb_get_stats(fdb, &s);
	ck_assert_uint_eq(s.n_buckets, 2 * CHAIN_N);
	ck_assert_uint_ge(s.longest_chain, 3);

	pos = order == 1 ? CHAIN_N - 1 : 0;
	for (step = 0; step < CHAIN_N; step++) {
		ck_assert(!deleted[pos]);
		ck_assert_int_eq(del_n(chain_macs[pos], 0), 0);
		deleted[pos] = true;
		check_remaining(deleted);
		pos = ((pos + strides[order]) % CHAIN_N + CHAIN_N) % CHAIN_N;
	}
	ck_assert_uint_eq(fdb_count(fdb), 0);
	ck_assert_uint_eq(fdb_next_expiry_ms(fdb), UINT64_MAX);
}
END_TEST

/* fdb_learn_preview() (the dry-run trace's view of learning) says what
 * fdb_learn() then does, for every outcome, and changes nothing itself. */
static enum fdb_learn_result
preview_then_learn(const struct eth_addr *m, uint16_t vid, uint16_t port,
		   uint64_t now)
{
	const struct fdb_entry *e = fdb_lookup(fdb, m, vid);
	struct fdb_entry before = e ? *e : (struct fdb_entry){ 0 };
	size_t n = fdb_count(fdb);
	enum fdb_learn_result r = fdb_learn_preview(fdb, m, vid, port);

	e = fdb_lookup(fdb, m, vid);
	ck_assert_uint_eq(fdb_count(fdb), n);
	if (e) {
		ck_assert_uint_eq(e->port_no, before.port_no);
		ck_assert_uint_eq(e->updated_ms, before.updated_ms);
	}
	ck_assert_int_eq(fdb_learn(fdb, m, vid, port, now), r);
	return r;
}

START_TEST(test_learn_preview)
{
	struct eth_addr a = mac(1), b = mac(2), l = mac(3), s = mac(4);

	ck_assert_int_eq(preview_then_learn(&a, 0, 1, 10), FDB_LEARN_NEW);
	ck_assert_int_eq(preview_then_learn(&a, 0, 1, 20), FDB_LEARN_REFRESHED);
	ck_assert_int_eq(preview_then_learn(&a, 0, 2, 30), FDB_LEARN_MOVED);
	ck_assert_int_eq(fdb_add(fdb, &l, 0, 0, FDB_F_LOCAL, 30), 0);
	ck_assert_int_eq(preview_then_learn(&l, 0, 1, 40), FDB_LEARN_LOCAL);
	ck_assert_int_eq(fdb_add(fdb, &s, 0, 1, FDB_F_STATIC | FDB_F_STICKY |
				 FDB_F_USER, 40), 0);
	ck_assert_int_eq(preview_then_learn(&s, 0, 2, 50), FDB_LEARN_STICKY);
	fdb_set_max_learned(fdb, 1);
	ck_assert_int_eq(preview_then_learn(&b, 0, 1, 60), FDB_LEARN_FULL);
	fdb_set_ageing_ms(fdb, 0);
	ck_assert_int_eq(preview_then_learn(&b, 0, 1, 70),
			 FDB_LEARN_DISABLED);
	ck_assert(fdb_is_consistent(fdb));
}
END_TEST

static Suite *
fdb_suite(void)
{
	Suite *s = suite_create("fdb");
	TCase *tc;

	tc = tcase_create("insert_lookup");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_learn_new_and_lookup);
	tcase_add_test(tc, test_entry_use);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_learn_preview);
	suite_add_tcase(s, tc);

	tc = tcase_create("vid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vid_separation);
	suite_add_tcase(s, tc);

	tc = tcase_create("refresh");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_refresh_updates_timestamp);
	tcase_add_test(tc, test_refresh_reorders_ageing);
	suite_add_tcase(s, tc);

	tc = tcase_create("ageing");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ageing_boundary);
	tcase_add_test(tc, test_ageing_static_local_never);
	tcase_add_test(tc, test_ageing_partial);
	tcase_add_test(tc, test_ageing_report);
	suite_add_tcase(s, tc);

	tc = tcase_create("ageing_zero");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ageing_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("tc_hold");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tc_hold_shortens);
	tcase_add_test(tc, test_tc_hold_with_ageing_zero_learns);
	suite_add_tcase(s, tc);

	tc = tcase_create("move");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_move_dynamic);
	tcase_add_test(tc, test_move_static);
	tcase_add_test(tc, test_move_sticky);
	tcase_add_test(tc, test_move_local_never);
	suite_add_tcase(s, tc);

	tc = tcase_create("own_address");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_learn_own_address);
	suite_add_tcase(s, tc);

	tc = tcase_create("user");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_add_not_user);
	tcase_add_test(tc, test_user_add);
	tcase_add_test(tc, test_user_replace);
	tcase_add_test(tc, test_user_dynamic_ages_and_is_not_learned);
	tcase_add_test(tc, test_user_add_invalid);
	tcase_add_test(tc, test_user_del);
	suite_add_tcase(s, tc);

	tc = tcase_create("flush");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_flush_port_dynamic);
	tcase_add_test(tc, test_flush_port_all);
	tcase_add_test(tc, test_flush_vid);
	tcase_add_test(tc, test_flush_flags);
	tcase_add_test(tc, test_flush_all);
	tcase_add_test(tc, test_flush_should_remove);
	suite_add_tcase(s, tc);

	tc = tcase_create("capacity");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_capacity_full);
	tcase_add_test(tc, test_capacity_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("max_learned");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_max_learned);
	suite_add_tcase(s, tc);

	tc = tcase_create("next_expiry");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_next_expiry);
	tcase_add_test(tc, test_next_expiry_saturates);
	suite_add_tcase(s, tc);

	tc = tcase_create("foreach");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_foreach);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_many_random);
	tcase_add_test(tc, test_structured_keys_spread);
	suite_add_tcase(s, tc);

	tc = tcase_create("seed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_seed_decides_buckets);
	suite_add_tcase(s, tc);

	tc = tcase_create("burst");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lookup_burst);
	suite_add_tcase(s, tc);

	tc = tcase_create("chains");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_chain_removal, 0, 3);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fdb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
