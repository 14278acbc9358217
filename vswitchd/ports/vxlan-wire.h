/*
 * vxlan-wire.h - the VXLAN header (RFC 7348 §5), the outer UDP source port
 * and underlay addresses.  PURE: libc and lib/ only, no sockets, no clock,
 * so the unit tests drive it with literal bytes.
 *
 * The header is 8 bytes after the outer UDP header:
 *
 *	 0                   1                   2                   3
 *	|R|R|R|R|I|R|R|R|            Reserved                           |
 *	|                VXLAN Network Identifier (VNI) |   Reserved    |
 *
 * RFC 7348 §5: the I flag MUST be 1 for a valid VNI; the other flag bits
 * and the reserved fields MUST be sent as zero and MUST be ignored on
 * receipt.  So a receiver refuses a header without I and accepts any
 * reserved bits -- which is also what lets VXLAN-GPE/GBP-style senders
 * that set extra bits still reach a plain VTEP.
 *
 * Source port (§5, "Outer UDP Header"): a hash of the inner frame's flow,
 * so that ECMP in the underlay spreads tunnelled flows while one flow
 * stays on one path (in order).  As Linux, the hash is scaled into the
 * ephemeral range 32768..60999 (Linux's default ip_local_port_range).
 * The hash is unseeded, so a flow maps to the same port in every run and
 * on every host (tests can predict it); nothing security-relevant depends
 * on it.
 */
#ifndef VSWITCHD_VXLAN_WIRE_H
#define VSWITCHD_VXLAN_WIRE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define VXLAN_HDR_LEN		8
#define VXLAN_FLAG_I		0x08	/* RFC 7348 §5: VNI is valid */
#define VXLAN_VNI_MAX		0xffffffu
#define VXLAN_DEFAULT_PORT	4789	/* IANA, RFC 7348 §5 */
#define VXLAN_SPORT_MIN		32768
#define VXLAN_SPORT_MAX		60999

/* Underlay overhead for IPv4 (20 + 8 + 8 + 14): why a 1500-byte underlay
 * leaves an MTU of 1450 for the tunnelled segment. */
#define VXLAN_OVERHEAD_V4	50
#define VXLAN_OVERHEAD_V6	70

/* Longest "ffff:...:255.255.255.255" + NUL. */
#define VXLAN_ADDR_STRLEN	INET6_ADDRSTRLEN

/* An underlay address: IPv4 or IPv6 (family AF_INET or AF_INET6; 0 only
 * in a zeroed, unset address). */
struct vxlan_addr {
	sa_family_t family;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* Why a received datagram is not a VXLAN frame for us. */
enum vxlan_hdr_verdict {
	VXLAN_HDR_OK,
	VXLAN_HDR_SHORT,	/* shorter than the 8-byte header */
	VXLAN_HDR_NO_I_FLAG,	/* I flag clear: VNI not valid */
};

/* Writes the 8-byte header for 'vni' (<= VXLAN_VNI_MAX) at 'hdr': I flag
 * set, every reserved bit zero. */
void vxlan_hdr_encode(uint8_t *hdr, uint32_t vni);

/* Decodes the header at the start of the UDP payload 'buf' of 'len'
 * bytes.  On VXLAN_HDR_OK stores the VNI in '*vni'; reserved bits are
 * ignored (RFC 7348 §5).  Datapath-safe. */
enum vxlan_hdr_verdict vxlan_hdr_decode(const uint8_t *buf, size_t len,
					uint32_t *vni);

/* The outer UDP source port for the inner Ethernet 'frame' of 'len'
 * bytes: a hash of its flow (IPv4/IPv6 addresses, protocol and TCP/UDP/
 * SCTP ports behind up to two VLAN tags; the MAC addresses and EtherType
 * for anything else) scaled into VXLAN_SPORT_MIN..VXLAN_SPORT_MAX.
 * Reads only within 'len'.  Datapath-safe. */
uint16_t vxlan_src_port(const uint8_t *frame, size_t len);

/* Parses 's' as an IPv4 or IPv6 address.  Returns true on success. */
bool vxlan_addr_parse(const char *s, struct vxlan_addr *a);

/* Writes 'a' as text (inet_ntop) into 'buf' of 'size' bytes
 * (VXLAN_ADDR_STRLEN is enough); "-" for an unset address. */
void vxlan_addr_format(const struct vxlan_addr *a, char *buf, size_t size);

bool vxlan_addr_equal(const struct vxlan_addr *a, const struct vxlan_addr *b);

/* True for 0.0.0.0 and :: (bind to every address). */
bool vxlan_addr_is_any(const struct vxlan_addr *a);

/* True for IPv4 224/4 and IPv6 ff00::/8. */
bool vxlan_addr_is_multicast(const struct vxlan_addr *a);

/* Fills '*ss' with 'a' and UDP/IP port 'port' (host order); returns the
 * length to pass to sendto()/bind(). */
socklen_t vxlan_addr_to_sockaddr(const struct vxlan_addr *a, uint16_t port,
				 struct sockaddr_storage *ss);

/* Reads the address of '*sa' (AF_INET or AF_INET6; an IPv4-mapped IPv6
 * address becomes IPv4) into '*a'.  Returns false for another family. */
bool vxlan_addr_from_sockaddr(const struct sockaddr *sa, struct vxlan_addr *a);

#endif /* VSWITCHD_VXLAN_WIRE_H */
