/*
 * vxlan-wire.c - the VXLAN header codec, the flow hash for the outer
 * source port and underlay address helpers (see vxlan-wire.h).
 */
#include "vxlan-wire.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "eth.h"

#define IPPROTO_NUM_TCP		6
#define IPPROTO_NUM_UDP		17
#define IPPROTO_NUM_SCTP	132

void
vxlan_hdr_encode(uint8_t *hdr, uint32_t vni)
{
	memset(hdr, 0, VXLAN_HDR_LEN);
	hdr[0] = VXLAN_FLAG_I;
	/* The VNI is bytes 4..6; byte 7 is reserved. */
	eth_put_be32(hdr + 4, (vni & VXLAN_VNI_MAX) << 8);
}

enum vxlan_hdr_verdict
vxlan_hdr_decode(const uint8_t *buf, size_t len, uint32_t *vni)
{
	if (len < VXLAN_HDR_LEN)
		return VXLAN_HDR_SHORT;
	/* Only the I bit is looked at; every other bit is reserved and,
	 * per RFC 7348 §5, ignored on receipt. */
	if (!(buf[0] & VXLAN_FLAG_I))
		return VXLAN_HDR_NO_I_FLAG;
	*vni = eth_get_be32(buf + 4) >> 8;
	return VXLAN_HDR_OK;
}

/* One round of mixing: the 32-bit finaliser of a multiplicative hash, so
 * every input bit reaches every output bit. */
static uint32_t
mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	h ^= h >> 15;
	h *= 0x85ebca77u;
	h ^= h >> 13;
	return h;
}

static uint32_t
mix_bytes(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4) {
		uint32_t v = 0;

		for (size_t j = i; j < n && j < i + 4; j++)
			v = v << 8 | p[j];
		h = mix(h, v);
	}
	return h;
}

/* Mixes the ports of a TCP/UDP/SCTP header at 'l4' if they lie within
 * 'end'. */
static uint32_t
mix_ports(uint32_t h, uint8_t proto, const uint8_t *l4, const uint8_t *end)
{
	if ((proto == IPPROTO_NUM_TCP || proto == IPPROTO_NUM_UDP ||
	     proto == IPPROTO_NUM_SCTP) && end - l4 >= 4)
		h = mix(h, eth_get_be32(l4));
	return h;
}

/* Hash of the flow: L3/L4 keys for IP, L2 keys otherwise. */
static uint32_t
flow_hash(const uint8_t *frame, size_t len)
{
	const uint8_t *end = frame + len, *l3;
	uint16_t type;
	uint32_t h = 0;
	int tags = 0;

	if (len < ETH_HDR_LEN)
		return mix_bytes(h, frame, len);
	l3 = frame + ETH_HDR_LEN;
	type = eth_get_be16(frame + 12);
	while ((type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ) && tags < 2 &&
	       end - l3 >= ETH_VLAN_HDR_LEN) {
		/* The VID is part of the flow: two VLANs are two flows. */
		h = mix(h, eth_get_be16(l3) & VLAN_VID_MASK);
		type = eth_get_be16(l3 + 2);
		l3 += ETH_VLAN_HDR_LEN;
		tags++;
	}
	if (type == ETH_TYPE_IPV4 && end - l3 >= 20 && (l3[0] >> 4) == 4) {
		size_t ihl = (size_t)(l3[0] & 0x0f) * 4;
		bool first_frag = !(eth_get_be16(l3 + 6) & 0x1fff);

		h = mix_bytes(h, l3 + 12, 8);
		h = mix(h, l3[9]);
		/* Later fragments carry no ports; hashing ports only when
		 * present would split a fragmented flow, so fragments hash
		 * on addresses alone. */
		if (ihl >= 20 && first_frag && !(eth_get_be16(l3 + 6) & 0x2000))
			h = mix_ports(h, l3[9], l3 + ihl, end);
		return h;
	}
	if (type == ETH_TYPE_IPV6 && end - l3 >= 40 && (l3[0] >> 4) == 6) {
		h = mix_bytes(h, l3 + 8, 32);
		h = mix(h, l3[6]);
		return mix_ports(h, l3[6], l3 + 40, end);
	}
	h = mix_bytes(h, frame, 12);
	return mix(h, type);
}

uint16_t
vxlan_src_port(const uint8_t *frame, size_t len)
{
	uint32_t range = VXLAN_SPORT_MAX - VXLAN_SPORT_MIN + 1;

	/* Multiply-shift scales the hash into the range without the bias
	 * of a modulo of a non-power of two. */
	return (uint16_t)(VXLAN_SPORT_MIN +
			  (((uint64_t)flow_hash(frame, len) * range) >> 32));
}

bool
vxlan_addr_parse(const char *s, struct vxlan_addr *a)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, s, &a->u.v4) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &a->u.v6) == 1) {
		a->family = AF_INET6;
		return true;
	}
	memset(a, 0, sizeof *a);
	return false;
}

void
vxlan_addr_format(const struct vxlan_addr *a, char *buf, size_t size)
{
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, &a->u, buf, (socklen_t)size)) {
		if (size)
			snprintf(buf, size, "-");
	}
}

bool
vxlan_addr_equal(const struct vxlan_addr *a, const struct vxlan_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->u.v4.s_addr == b->u.v4.s_addr;
	if (a->family == AF_INET6)
		return !memcmp(&a->u.v6, &b->u.v6, sizeof a->u.v6);
	return true;
}

bool
vxlan_addr_is_any(const struct vxlan_addr *a)
{
	if (a->family == AF_INET)
		return a->u.v4.s_addr == htonl(INADDR_ANY);
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->u.v6);
	return true;
}

bool
vxlan_addr_is_multicast(const struct vxlan_addr *a)
{
	if (a->family == AF_INET)
		return IN_MULTICAST(ntohl(a->u.v4.s_addr));
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_MULTICAST(&a->u.v6);
	return false;
}

socklen_t
vxlan_addr_to_sockaddr(const struct vxlan_addr *a, uint16_t port,
		       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = a->u.v6;
		return sizeof *s6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr = a->u.v4;
		return sizeof *s4;
	}
}

bool
vxlan_addr_from_sockaddr(const struct sockaddr *sa, struct vxlan_addr *a)
{
	memset(a, 0, sizeof *a);
	if (sa->sa_family == AF_INET) {
		a->family = AF_INET;
		a->u.v4 = ((const struct sockaddr_in *)sa)->sin_addr;
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *v6 =
			&((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(v6)) {
			a->family = AF_INET;
			memcpy(&a->u.v4, &v6->s6_addr[12], 4);
		} else {
			a->family = AF_INET6;
			a->u.v6 = *v6;
		}
		return true;
	}
	return false;
}
