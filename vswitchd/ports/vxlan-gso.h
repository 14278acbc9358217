/*
 * vxlan-gso.h - carrying TCP super-frames through a VXLAN tunnel: cutting
 * one into a run of equal-sized VXLAN payloads for a single UDP GSO send,
 * and growing decapsulated TCP segments of one flow back into a
 * super-frame (a software GRO).  PURE: libc and lib/ only, no sockets, so
 * the unit tests drive it with literal frames.
 *
 * Sending.  A TAP (or guest) hands the bridge GSO super-frames of up to
 * 64 KiB (pkt-offload.h).  The VXLAN port takes them whole (its
 * tx_offloads) and vxlan_gso_pack_run() lays out, per MSS of payload,
 * one VXLAN header and one complete inner segment (pkt_gso_build_hdr():
 * lengths, IP ids, sequence numbers and checksums per segment) as two
 * iovecs: the headers, written here, and the payload, left where it lies
 * in the super-frame, so user space copies no payload byte (the kernel's
 * copy into the datagrams is the only one).  Every payload but the
 * super-frame's last has the same size, which is what UDP GSO (Linux >=
 * 4.18, UDP_SEGMENT) asks for: the kernel cuts the one message into that
 * many UDP datagrams with one pass through the socket layer, and
 * computes (or offloads) their UDP checksums.  A run is
 * at most VXLAN_GSO_MAX_SEGS payloads and VXLAN_GSO_MAX_BYTES bytes (one
 * IP datagram's worth), so a 64 KiB super-frame takes one or two sends.
 *
 * Receiving.  With UDP_GRO the kernel hands the socket runs of datagrams
 * of one UDP flow as one buffer and the segment size; each segment is a
 * VXLAN datagram again (vxlan-sock.c splits them).  vxlan_gro_merge()
 * then appends each decapsulated TCP segment that continues the frame
 * before it in the same flow, with Linux's tcp_gro_receive() rules: same
 * Ethernet, IP and TCP headers but for lengths, IPv4 id (+1 per segment)
 * and checksums; the next sequence number; ACK alone (PSH ends the
 * frame); no IP options or fragments; every segment's IPv4 header and
 * TCP checksum verified first (the merged frame leaves with its checksum
 * to be finished, so a corrupted segment must not be merged); payloads of
 * equal size, a shorter one ending the frame; at most 64 KiB of IP
 * datagram.  The result is a GSO super-frame with NEEDS_CSUM set, which a
 * TAP with a virtio-net header passes to the kernel in one write; a port
 * without offloads gets it cut again by the datapath.
 */
#ifndef VSWITCHD_VXLAN_GSO_H
#define VSWITCHD_VXLAN_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "pkt.h"
#include "pkt-offload.h"
#include "vxlan-wire.h"

/* Linux's UDP_MAX_SEGMENTS since 4.18 (6.x allows more; 64 suffices for a
 * 64 KiB run of 1 KiB segments). */
#define VXLAN_GSO_MAX_SEGS	64
/* UDP payload bytes of one run: an IPv4 datagram (65535 bytes) less its
 * 20-byte header and the UDP header; IPv6 allows as much. */
#define VXLAN_GSO_MAX_BYTES	(65535 - 20 - 8)

/* The size of each VXLAN payload (header + inner segment) but the last
 * that vxlan_gso_pack() makes of TCP super-frame 'p'. */
static inline uint32_t
vxlan_gso_seg_size(const struct pkt *p)
{
	return VXLAN_HDR_LEN + pkt_gso_seg_frame_len(p, p->ol.gso_size);
}

/* Room for one segment's headers in a run: the VXLAN header and the
 * inner Ethernet (two VLAN tags), IPv6 and TCP headers with options
 * (14 + 8 + 40 + 60 bytes), rounded up. */
#define VXLAN_GSO_HDR_ROOM	136

/* One run, ready for sendmsg(): per payload an iovec for its headers (in
 * 'hdr') and one for its inner payload, which stays where it lies in the
 * super-frame (no copy in user space: the kernel copies it once into the
 * datagrams). */
struct vxlan_gso_run {
	struct iovec iov[2 * VXLAN_GSO_MAX_SEGS];
	unsigned n_iov;
	unsigned n_segs;	/* payloads (datagrams) */
	size_t len;		/* bytes in all */
	uint8_t hdr[VXLAN_GSO_MAX_SEGS][VXLAN_GSO_HDR_ROOM];
};

/* Fills 'r' with the VXLAN payloads (header for 'vni', then the segment)
 * of super-frame 'p' from payload offset '*offp' (0 at first) on,
 * p->ol.gso_size payload bytes each, as many as fit in 'room',
 * VXLAN_GSO_MAX_SEGS and VXLAN_GSO_MAX_BYTES.  The payload iovecs point
 * into p->data: 'p' must stay unchanged until the run is sent.  Advances
 * '*offp' (the frame is done when it reaches p->len - p->ol.hdr_len) and
 * returns r->len (0 if not even one fits, or the headers are longer than
 * VXLAN_GSO_HDR_ROOM allows). */
size_t vxlan_gso_pack_run(const struct pkt *p, uint32_t vni, uint32_t *offp,
			  size_t room, struct vxlan_gso_run *r);

/* Copies run 'r' into 'buf' (room for r->len bytes) back to back. */
void vxlan_gso_run_flatten(const struct vxlan_gso_run *r, uint8_t *buf);

/* vxlan_gso_pack_run() into 'buf' ('room' bytes) back to back: stores
 * the number of payloads in '*n_segs', returns the bytes written. */
size_t vxlan_gso_pack(const struct pkt *p, uint32_t vni, uint32_t *offp,
		      uint8_t *buf, size_t room, unsigned *n_segs);

/* The super-frame being grown out of one burst's frames. */
struct vxlan_gro {
	struct pkt *p;		/* the frame, or NULL */
	struct pkt_offload ol;	/* its l3_off, l4_off, hdr_len */
	uint8_t type;		/* VIRTIO_NET_HDR_GSO_TCPV4 or _TCPV6 */
	bool closed;		/* short segment or PSH seen: no more */
	uint16_t mss;		/* payload of its first segment */
	uint16_t ip_id_next;	/* IPv4 id the next segment must carry */
	uint32_t seq_next;	/* TCP sequence number likewise */
	unsigned segs;		/* segments in it */
};

/* Makes 'p' (a complete frame the caller owns) the frame 'g' grows if it
 * is a TCP segment that can start a super-frame; otherwise 'g' grows
 * nothing (g->p NULL).  Returns true if it can. */
bool vxlan_gro_start(struct vxlan_gro *g, struct pkt *p);

/* Appends frame 'f' ('len' bytes) to g->p if it is the next segment of
 * the same flow (see the top); g->p then is a GSO super-frame (p->ol set,
 * its TCP checksum field holding the pseudo-header sum).  Returns true if
 * 'f' was merged; false leaves g->p as it was. */
bool vxlan_gro_merge(struct vxlan_gro *g, const uint8_t *f, uint32_t len);

#endif /* VSWITCHD_VXLAN_GSO_H */
