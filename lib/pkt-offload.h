/*
 * pkt-offload.h - checksum and segmentation offloads carried with a packet.
 *
 * A kernel stack behind a TAP with IFF_VNET_HDR and TUNSETOFFLOAD (or a
 * guest that negotiated the virtio-net offloads) hands over TCP and UDP
 * frames whose L4 checksum is left to "the hardware" (NEEDS_CSUM: the
 * field holds the pseudo-header sum, the rest is to be added over
 * csum_start..end) and GSO super-frames of up to 64 KiB, one set of
 * headers for many segments of gso_size payload bytes.  The packet keeps
 * that state in p->ol (pkt.h) through the pipeline; an egress port that
 * takes offloads (port.h's tx_offloads) gets the frame as it is, with the
 * header; for any other port the datapath finishes the work here:
 * pkt_csum_finish() for a checksum, pkt_gso_segment() for a super-frame
 * (TCP over IPv4/IPv6: IP ids, lengths and checksums, TCP sequence
 * numbers and flags per segment; UDP L4 segmentation: one datagram per
 * segment), as Linux's skb_checksum_help() and skb_segment() do.
 *
 * Headers come from outside (a namespace's stack, a guest): every field
 * is checked when the packet is made (pkt_offload_from_vnet()), so a bad
 * header is a counted drop at ingress and the code after it may trust
 * the offsets.
 */
#ifndef LIB_PKT_OFFLOAD_H
#define LIB_PKT_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkt.h"
#include "virtio-net.h"

#ifndef VIRTIO_NET_HDR_GSO_TCPV4
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_UDP		3	/* UFO: refused */
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#define VIRTIO_NET_HDR_GSO_ECN		0x80
#endif

/* What a port can take on transmit without software help (port.h's
 * tx_offloads). */
enum {
	PKT_OL_CSUM = 1 << 0,	/* partial checksums */
	PKT_OL_TSO4 = 1 << 1,	/* TCP over IPv4 super-frames */
	PKT_OL_TSO6 = 1 << 2,	/* TCP over IPv6 */
	PKT_OL_USO  = 1 << 3,	/* UDP L4 segmentation, both families */
	PKT_OL_ECN  = 1 << 4,	/* TCP super-frames with CWR (GSO_ECN) */
};
#define PKT_OL_ALL (PKT_OL_CSUM | PKT_OL_TSO4 | PKT_OL_TSO6 | PKT_OL_USO | \
		    PKT_OL_ECN)

/* True if 'p' carries checksum or segmentation work still to be done. */
static inline bool
pkt_offload_pending(const struct pkt *p)
{
	return (p->ol.flags | p->ol.gso_type) != 0;
}

/* True if 'p' is a GSO super-frame. */
static inline bool
pkt_is_gso(const struct pkt *p)
{
	return p->ol.gso_type != 0;
}

/* The PKT_OL_* capabilities a port needs to take 'p' as it is. */
unsigned pkt_offload_needs(const struct pkt *p);

/* Reads virtio-net header 'h' into p->ol, checking it against the frame
 * (p->data, p->len, readable): flags other than NEEDS_CSUM and DATA_VALID,
 * a checksum position outside the frame, a GSO type other than TCPv4,
 * TCPv6 and UDP L4, gso_size 0, hdr_len beyond the frame, or headers that
 * do not parse as that type (Ethernet, up to two VLAN tags, IPv4 without
 * fragments or IPv6 without extension headers, TCP or UDP) are refused
 * with -EINVAL and p->ol left zero.  A GSO frame whose payload fits one
 * segment is kept as a plain checksum offload.  Returns 0 on success. */
int pkt_offload_from_vnet(struct pkt *p, const struct virtio_net_hdr *h);

/* Writes p->ol as a virtio-net header (num_buffers 0). */
void pkt_offload_to_vnet(const struct pkt *p, struct virtio_net_hdr *h);

/* Finishes a pending checksum in place (p must own its data) and clears
 * NEEDS_CSUM.  Only for frames that are not GSO. */
void pkt_csum_finish(struct pkt *p);

/* The length of the longest frame pkt_gso_segment() makes of GSO frame
 * 'p' with 'mss' payload bytes per segment. */
static inline uint32_t
pkt_gso_seg_frame_len(const struct pkt *p, uint32_t mss)
{
	uint32_t payload = p->len - p->ol.hdr_len;

	return p->ol.hdr_len + (payload < mss ? payload : mss);
}

/* Builds into 'out' (room for pkt_gso_seg_frame_len() bytes) the segment
 * of GSO frame 'p' whose payload starts at payload offset 'off' (a
 * multiple of 'mss', below the payload length), with 'mss' payload bytes
 * or what is left: a frame with every checksum complete.  Returns its
 * length.  'mss' may be smaller than p->ol.gso_size (a smaller egress
 * MTU) for TCP only: UDP segments are datagrams and keep their size. */
uint32_t pkt_gso_build(const struct pkt *p, uint32_t mss, uint32_t off,
		       uint8_t *out);

/* Writes into 'out' (room for p->ol.hdr_len bytes) only the headers of
 * the segment pkt_gso_build() makes, with every checksum complete (the
 * payload's sum is taken where it lies in 'p'): the segment is those
 * headers followed by the returned length less p->ol.hdr_len bytes of
 * p->data from p->ol.hdr_len + 'off', for a caller that sends it without
 * copying the payload (an iovec).  Returns the segment's length. */
uint32_t pkt_gso_build_hdr(const struct pkt *p, uint32_t mss, uint32_t off,
			   uint8_t *out);

/* Cuts GSO frame 'p' into segments of 'mss' payload bytes, starting at
 * payload offset '*offp' (0 at first), into at most 'max' packets taken
 * from 'pool' and stored in 'segs'.  Advances '*offp'; the frame is done
 * when it reaches p->len - p->ol.hdr_len.  Returns the number of packets
 * stored (0 only if the pool is empty). */
int pkt_gso_segment(const struct pkt *p, uint32_t mss, struct pkt_pool *pool,
		    struct pkt **segs, int max, uint32_t *offp);

/* The Internet checksum (RFC 1071) of 'len' bytes at 'data' added to
 * 'sum', unfolded, in host byte order.  Fold with csum_fold(). */
uint64_t csum_add(uint64_t sum, const void *data, size_t len);

/* Folds 'sum' and complements it: the 16-bit value to store in memory
 * (as host-order bytes, memcpy). */
static inline uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The unfolded sum of the TCP/UDP pseudo-header (RFC 793/768, RFC 8200
 * §8.1) for the IPv4 or IPv6 header at 'ip', 'l4_len' bytes of L4 header
 * and payload and protocol 'proto'. */
uint64_t pkt_pseudo_sum(const uint8_t *ip, uint32_t l4_len, unsigned proto);

/* Parses the headers of frame 'd' ('len' bytes) as GSO type 'type'
 * (VIRTIO_NET_HDR_GSO_TCPV4, _TCPV6 or _UDP_L4, ECN bit clear) the way
 * pkt_offload_from_vnet() does: Ethernet with up to two VLAN tags, IPv4
 * without fragments or IPv6 without extension headers, TCP or UDP, at
 * least one payload byte.  Fills l3_off, l4_off and hdr_len of '*ol';
 * returns false if the frame is not of that shape. */
bool pkt_offload_parse(const uint8_t *d, uint32_t len, unsigned type,
		       struct pkt_offload *ol);

#endif /* LIB_PKT_OFFLOAD_H */
