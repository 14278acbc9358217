/*
 * check_utf8.c - unit tests for lib/utf8.c: the boundaries of each row of
 * the table of well-formed sequences, and the three forms the control
 * socket was found to accept (overlong, surrogate, past U+10FFFF).
 */
#include <check.h>
#include <string.h>

#include "utf8.h"

struct utf8_case {
	const char *bytes;
	size_t len;
	bool valid;
	size_t bad;		/* offset reported when invalid */
};

#define C(s, v, off) { s, sizeof(s) - 1, v, off }

static const struct utf8_case cases[] = {
	C("", true, 0),
	C("plain ascii", true, 0),
	C("a\0b", true, 0),			/* NUL is the caller's business */
	C("\xc2\x80", true, 0),			/* U+0080, lowest 2-byte */
	C("\xdf\xbf", true, 0),			/* U+07FF */
	C("\xe0\xa0\x80", true, 0),		/* U+0800, lowest 3-byte */
	C("\xed\x9f\xbf", true, 0),		/* U+D7FF, below surrogates */
	C("\xee\x80\x80", true, 0),		/* U+E000, above them */
	C("\xef\xbf\xbf", true, 0),		/* U+FFFF */
	C("\xf0\x90\x80\x80", true, 0),		/* U+10000, lowest 4-byte */
	C("\xf4\x8f\xbf\xbf", true, 0),		/* U+10FFFF, the last */
	C("caf\xc3\xa9 \xe2\x82\xac", true, 0),
	C("\xc0\xaf", false, 0),		/* overlong '/' */
	C("\xc1\xbf", false, 0),		/* overlong */
	C("\xe0\x80\xaf", false, 0),		/* overlong 3-byte '/' */
	C("\xe0\x9f\xbf", false, 0),		/* overlong U+07FF */
	C("\xf0\x80\x80\xaf", false, 0),	/* overlong 4-byte */
	C("\xf0\x8f\xbf\xbf", false, 0),	/* overlong U+FFFF */
	C("ab\xed\xa0\x80", false, 2),		/* U+D800, a surrogate */
	C("\xed\xbf\xbf", false, 0),		/* U+DFFF */
	C("x\xf4\x90\x80\x80", false, 1),	/* U+110000 */
	C("\xf5\x80\x80\x80", false, 0),
	C("\xff", false, 0),
	C("\x80", false, 0),			/* lone continuation */
	C("ok\xc3", false, 2),			/* truncated at the end */
	C("\xe2\x82", false, 0),
	C("\xe2\x82x", false, 0),		/* continuation missing */
	C("\xf0\x90\x80", false, 0),
};

START_TEST(test_table)
{
	const struct utf8_case *c = &cases[_i];
	size_t bad = 12345;

	ck_assert_msg(utf8_is_valid(c->bytes, c->len, &bad) == c->valid,
		      "case %d: want %s", _i, c->valid ? "valid" : "invalid");
	if (c->valid)
		ck_assert_uint_eq(bad, 12345);
	else
		ck_assert_uint_eq(bad, c->bad);
}
END_TEST

/* Every 2-byte lead with every second byte: exactly C2..DF x 80..BF. */
START_TEST(test_two_byte_exhaustive)
{
	unsigned a, b, n = 0;

	for (a = 0x80; a < 0x100; a++)
		for (b = 0; b < 0x100; b++) {
			char s[2] = { (char)a, (char)b };

			n += utf8_is_valid(s, 2, NULL);
		}
	/* 30 * 64 valid pairs, plus the ASCII second bytes are not valid
	 * either since a lead without its continuation is truncated. */
	ck_assert_uint_eq(n, 30 * 64);
}
END_TEST

static Suite *
utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("validate");

	tcase_add_loop_test(tc, test_table, 0,
			    (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, test_two_byte_exhaustive);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(utf8_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
