/*
 * check_pkt.c - unit tests for lib/pkt.c: the pool, borrowed data (the
 * release hook runs exactly once, on free or when made writable) and the
 * in-place VLAN edits.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "pkt.h"

static unsigned released;
static uint32_t released_id;

static void
on_release(struct pkt *p)
{
	released++;
	released_id = p->release_id;
}

START_TEST(test_pool_alloc_free)
{
	struct pkt_pool *pool = pkt_pool_create(2);
	struct pkt *a = pkt_alloc(pool), *b = pkt_alloc(pool);

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(pkt_alloc(pool));
	ck_assert_uint_eq(pkt_pool_avail(pool), 0);
	ck_assert_ptr_eq(a->data, a->buf + PKT_HEADROOM);
	ck_assert(!pkt_is_borrowed(a));
	pkt_free(pool, a);
	pkt_free(pool, b);
	pkt_free(pool, NULL);
	ck_assert_uint_eq(pkt_pool_avail(pool), 2);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_borrowed_released_on_free)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p = pkt_alloc(pool);
	uint8_t frame[60];
	int tag;

	memset(frame, 0xab, sizeof frame);
	released = 0;
	pkt_set_borrowed(p, frame, sizeof frame, on_release, &tag, 77);
	ck_assert(pkt_is_borrowed(p));
	ck_assert_ptr_eq(p->data, frame);
	ck_assert_uint_eq(p->len, 60);
	ck_assert_ptr_eq(p->release_arg, &tag);
	ck_assert_uint_eq(released, 0);
	pkt_free(pool, p);
	ck_assert_uint_eq(released, 1);
	ck_assert_uint_eq(released_id, 77);
	/* Reused: owns its buffer again, no hook left. */
	p = pkt_alloc(pool);
	ck_assert(!pkt_is_borrowed(p));
	ck_assert_ptr_eq(p->data, p->buf + PKT_HEADROOM);
	pkt_free(pool, p);
	ck_assert_uint_eq(released, 1);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_make_writable_copies_and_releases)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p = pkt_alloc(pool);
	uint8_t frame[64];

	for (unsigned i = 0; i < sizeof frame; i++)
		frame[i] = (uint8_t)i;
	released = 0;
	pkt_set_borrowed(p, frame, sizeof frame, on_release, NULL, 5);
	pkt_make_writable(p);
	ck_assert_uint_eq(released, 1);
	ck_assert(!pkt_is_borrowed(p));
	ck_assert_ptr_eq(p->data, p->buf + PKT_HEADROOM);
	ck_assert_uint_eq(p->len, 64);
	ck_assert_mem_eq(p->data, frame, 64);
	/* The owner's bytes may change now: the packet has its copy. */
	memset(frame, 0, sizeof frame);
	ck_assert_uint_eq(p->data[63], 63);
	pkt_make_writable(p);			/* no-op */
	pkt_free(pool, p);
	ck_assert_uint_eq(released, 1);
	pkt_pool_destroy(pool);
}
END_TEST

START_TEST(test_vlan_push_pop_after_make_writable)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p = pkt_alloc(pool);
	uint8_t frame[60], want[64];

	for (unsigned i = 0; i < sizeof frame; i++)
		frame[i] = (uint8_t)(i + 1);
	released = 0;
	pkt_set_borrowed(p, frame, sizeof frame, on_release, NULL, 0);
	pkt_make_writable(p);
	pkt_push_vlan(p, 0x8100, 0x2005);
	memcpy(want, frame, 12);
	want[12] = 0x81; want[13] = 0x00; want[14] = 0x20; want[15] = 0x05;
	memcpy(want + 16, frame + 12, 48);
	ck_assert_uint_eq(p->len, 64);
	ck_assert_mem_eq(p->data, want, 64);
	pkt_pop_vlan(p);
	ck_assert_uint_eq(p->len, 60);
	ck_assert_mem_eq(p->data, frame, 60);
	pkt_free(pool, p);
	ck_assert_uint_eq(released, 1);
	pkt_pool_destroy(pool);
}
END_TEST

static Suite *
pkt_suite(void)
{
	Suite *s = suite_create("pkt");
	TCase *tc;

	tc = tcase_create("pool");
	tcase_add_test(tc, test_pool_alloc_free);
	suite_add_tcase(s, tc);

	tc = tcase_create("borrowed");
	tcase_add_test(tc, test_borrowed_released_on_free);
	tcase_add_test(tc, test_make_writable_copies_and_releases);
	suite_add_tcase(s, tc);

	tc = tcase_create("vlan_edit");
	tcase_add_test(tc, test_vlan_push_pop_after_make_writable);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pkt_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
