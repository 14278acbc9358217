/*
 * eth.h - Ethernet, 802.1Q/802.1ad and LLC wire definitions.
 *
 * Everything here is header-only and pure: MAC address predicates, formatting
 * and parsing, and the EtherType constants the pipeline and the protocol
 * modules share.  Frames are handled as byte arrays; multi-byte fields are
 * read with eth_get_be16() so no packed struct is needed outside the codec
 * files.
 */
#ifndef LIB_ETH_H
#define LIB_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ETH_ADDR_LEN     6
#define ETH_HDR_LEN      14	/* DA + SA + EtherType/length */
#define ETH_VLAN_HDR_LEN 4	/* TPID + TCI */
#define ETH_ADDR_STRLEN  18	/* "xx:xx:xx:xx:xx:xx" + NUL */

#define ETH_TYPE_IPV4    0x0800
#define ETH_TYPE_ARP     0x0806
#define ETH_TYPE_VLAN    0x8100	/* 802.1Q C-tag */
#define ETH_TYPE_QINQ    0x88a8	/* 802.1ad S-tag */
#define ETH_TYPE_IPV6    0x86dd
#define ETH_TYPE_MIN     0x0600	/* below this the field is an 802.3 length */

#define VLAN_VID_MASK    0x0fff
#define VLAN_PCP_SHIFT   13
#define VLAN_DEI         0x1000
#define VLAN_N_VID       4096

struct eth_addr {
	uint8_t ea[ETH_ADDR_LEN];
};

static inline uint16_t
eth_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
eth_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t
eth_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
eth_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* True for group addresses (I/G bit set), broadcast included. */
static inline bool
eth_addr_is_multicast(const struct eth_addr *a)
{
	return a->ea[0] & 1;
}

static inline bool
eth_addr_is_broadcast(const struct eth_addr *a)
{
	return (a->ea[0] & a->ea[1] & a->ea[2] & a->ea[3] & a->ea[4] &
		a->ea[5]) == 0xff;
}

static inline bool
eth_addr_is_zero(const struct eth_addr *a)
{
	return !(a->ea[0] | a->ea[1] | a->ea[2] | a->ea[3] | a->ea[4] |
		 a->ea[5]);
}

static inline bool
eth_addr_equals(const struct eth_addr *a, const struct eth_addr *b)
{
	return !memcmp(a->ea, b->ea, ETH_ADDR_LEN);
}

static inline int
eth_addr_compare(const struct eth_addr *a, const struct eth_addr *b)
{
	return memcmp(a->ea, b->ea, ETH_ADDR_LEN);
}

/* True for the IEEE 802.1D reserved block 01:80:C2:00:00:00 .. 0F. */
static inline bool
eth_addr_is_link_local(const struct eth_addr *a)
{
	return a->ea[0] == 0x01 && a->ea[1] == 0x80 && a->ea[2] == 0xc2 &&
	       a->ea[3] == 0 && a->ea[4] == 0 && (a->ea[5] & 0xf0) == 0;
}

/* The DA and SA of frame 'f' (at least ETH_HDR_LEN bytes long). */
static inline const struct eth_addr *
eth_dst(const uint8_t *f)
{
	return (const struct eth_addr *)(const void *)f;
}

static inline const struct eth_addr *
eth_src(const uint8_t *f)
{
	return (const struct eth_addr *)(const void *)(f + ETH_ADDR_LEN);
}

/* Formats 'a' as lowercase "xx:xx:xx:xx:xx:xx" into 'buf' and returns it. */
char *eth_addr_format(const struct eth_addr *a, char buf[ETH_ADDR_STRLEN]);

/* Parses "xx:xx:xx:xx:xx:xx" (hex digits, either case).  Returns 0 or
 * -EINVAL. */
int eth_addr_parse(const char *s, struct eth_addr *a);

/* True when 'a' is unicast (bit 0 of the first octet clear) and locally
 * administered (bit 1 set): an address no vendor owns (IEEE 802 §8.2). */
static inline bool
eth_addr_is_local_unicast(const struct eth_addr *a)
{
	return (a->ea[0] & 0x03) == 0x02;
}

/* Writes to 'a' the locally administered unicast MAC derived from 'seed'
 * (any text): a 64-bit FNV-1a hash of it, mixed, of which 46 bits are
 * kept.  The same seed always gives the same MAC; two seeds give two MACs
 * except with probability about 2^-46.  For what has no MAC of its own to
 * take (a VM's NIC, a null or patch port) and should keep one across
 * restarts. */
void eth_addr_from_seed(const char *seed, struct eth_addr *a);

/* Writes a random locally administered unicast MAC to 'a'.  Returns 0, or
 * -errno when the kernel gave no random bytes (getrandom(2)); 'a' is then
 * filled from random(3), still local unicast, for callers that need an
 * address whatever happens. */
int eth_addr_random(struct eth_addr *a);

#endif /* LIB_ETH_H */
