/*
 * eth.c - MAC address formatting and parsing.
 */
#include "eth.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

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
