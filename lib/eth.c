/*
 * eth.c - MAC address formatting, parsing and making.
 */
#include "eth.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

char *
eth_addr_format(const struct eth_addr *a, char buf[ETH_ADDR_STRLEN])
{
	snprintf(buf, ETH_ADDR_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 a->ea[0], a->ea[1], a->ea[2], a->ea[3], a->ea[4], a->ea[5]);
	return buf;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
eth_addr_parse(const char *s, struct eth_addr *a)
{
	for (int i = 0; i < ETH_ADDR_LEN; i++) {
		int hi, lo;

		/* s[1] only once s[0] is a digit: "02:00:" ends at s[0]. */
		if ((hi = hexval(s[0])) < 0 || (lo = hexval(s[1])) < 0)
			return -EINVAL;
		a->ea[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < ETH_ADDR_LEN - 1 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

/* Sets the locally administered bit and clears the group bit. */
static void
make_local_unicast(struct eth_addr *a)
{
	a->ea[0] = (uint8_t)((a->ea[0] & ~0x01u) | 0x02u);
}

void
eth_addr_from_seed(const char *seed, struct eth_addr *a)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a 64 */

	for (const unsigned char *p = (const unsigned char *)seed; *p; p++) {
		h ^= *p;
		h *= 0x00000100000001b3ULL;
	}
	/* FNV-1a's last steps barely reach the high bits for short seeds
	 * that differ in their last character; a finalising mix (as in
	 * MurmurHash3's fmix64) spreads every input bit over all 48. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	for (int i = 0; i < ETH_ADDR_LEN; i++)
		a->ea[i] = (uint8_t)(h >> (8 * (5 - i)));
	make_local_unicast(a);
}

int
eth_addr_random(struct eth_addr *a)
{
	int err = 0;

	if (getrandom(a->ea, sizeof a->ea, 0) != sizeof a->ea) {
		err = errno ? -errno : -EIO;
		for (size_t i = 0; i < sizeof a->ea; i++)
			a->ea[i] = (uint8_t)random();
	}
	make_local_unicast(a);
	return err;
}
