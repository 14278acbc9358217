/*
 * utf8.c - strict UTF-8 validation.
 *
 * Written from the table of well-formed byte sequences (Unicode §3.9,
 * table 3-7): the lead byte decides how many continuation bytes follow and
 * narrows the range of the first of them, which is what excludes overlong
 * forms (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
 * C0, C1 and F5..FF never appear.
 */
#include "utf8.h"

#include <stdint.h>

bool
utf8_is_valid(const void *buf, size_t len, size_t *bad)
{
	const uint8_t *s = buf;
	size_t i = 0;

	while (i < len) {
		uint8_t b = s[i];
		uint8_t lo = 0x80, hi = 0xbf;	/* range of the 2nd byte */
		size_t n, k;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf) {
			n = 1;
		} else if (b >= 0xe0 && b <= 0xef) {
			n = 2;
			if (b == 0xe0)
				lo = 0xa0;	/* below: overlong */
			else if (b == 0xed)
				hi = 0x9f;	/* above: surrogates */
		} else if (b >= 0xf0 && b <= 0xf4) {
			n = 3;
			if (b == 0xf0)
				lo = 0x90;	/* below: overlong */
			else if (b == 0xf4)
				hi = 0x8f;	/* above: past U+10FFFF */
		} else {
			goto out_bad;		/* 80..C1, F5..FF */
		}
		if (len - i <= n)
			goto out_bad;		/* truncated */
		if (s[i + 1] < lo || s[i + 1] > hi)
			goto out_bad;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				goto out_bad;
		i += n + 1;
	}
	return true;

out_bad:
	if (bad)
		*bad = i;
	return false;
}
