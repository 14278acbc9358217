/*
 * netdev-frame.h - turning what an AF_PACKET socket hands us into the frame
 * that was on the wire (the "netdev" port class, port-netdev.c).
 *
 * Many drivers (and veth) take the outer 802.1Q tag out of a received frame
 * before any socket sees it ("VLAN acceleration") and keep it beside the
 * frame: in the TPACKET_V3 ring header or in the PACKET_AUXDATA control
 * message, with TP_STATUS_VLAN_VALID set.  A bridge doing VLAN filtering
 * must see that tag, so the port puts it back after the MAC addresses
 * before the pipeline classifies the frame.
 *
 * A frame a local sender handed over with checksum offload (a veth peer
 * in a container, the host stack) still has its TCP or UDP checksum
 * unfinished (TP_STATUS_CSUMNOTREADY): the kernel bridge passes that state
 * along with the frame, but a frame we send again through a packet socket
 * is taken as finished, so the receiver would drop it.  The port finishes
 * the checksum in software for such frames.
 *
 * Both receive paths (ring and recvmmsg) reduce the kernel's description to
 * a struct netdev_rx_meta, so the decisions here are shared and have unit
 * tests (tests/unit/check_netdev_frame.c).  Pure: no I/O, no clock.
 */
#ifndef VSWITCHD_NETDEV_FRAME_H
#define VSWITCHD_NETDEV_FRAME_H

#include <stdbool.h>
#include <stdint.h>

struct pkt;

/* What the kernel says about one received frame besides its bytes. */
struct netdev_rx_meta {
	uint32_t status;	/* TP_STATUS_* (tp_status) */
	uint32_t len;		/* length of the frame as received (tp_len),
				 * without the tag taken out */
	uint32_t snaplen;	/* bytes actually handed to us (tp_snaplen) */
	uint16_t vlan_tci;	/* valid with TP_STATUS_VLAN_VALID */
	uint16_t vlan_tpid;	/* valid with TP_STATUS_VLAN_TPID_VALID */
};

/* Why a received frame is not passed on. */
enum netdev_rx_verdict {
	NETDEV_RX_OK,
	NETDEV_RX_RUNT,		/* shorter than an Ethernet header */
	NETDEV_RX_OVERSIZE,	/* with its tag, larger than PKT_DATA_MAX */
	NETDEV_RX_TRUNCATED,	/* the kernel kept fewer bytes than the frame
				 * had (ring slot or buffer too small) */
};

/* Decides whether the frame described by 'meta' can be passed on, counting
 * the tag that netdev_frame_restore_vlan() will put back.  A pure query. */
enum netdev_rx_verdict netdev_frame_check(const struct netdev_rx_meta *meta);

/* Stores in '*tpidp' and '*tcip' the tag the kernel took out of the frame,
 * if 'meta' says it did, and returns true; else returns false.  Without
 * TP_STATUS_VLAN_TPID_VALID (older kernels) the tag is an 802.1Q one
 * (0x8100).  A TCI of 0 is a real tag (priority-tagged frame): validity
 * comes from the status bit, never from the value. */
bool netdev_frame_vlan(const struct netdev_rx_meta *meta, uint16_t *tpidp,
		       uint16_t *tcip);

/* Puts back into 'p' (a frame of 'meta->len' bytes that passed
 * netdev_frame_check() and owns its data) the tag the kernel took out, if
 * any.  Returns true if it pushed one.  Datapath-safe. */
bool netdev_frame_restore_vlan(struct pkt *p,
			       const struct netdev_rx_meta *meta);

/* Completes the TCP or UDP checksum of the 'len'-byte frame 'frame' (over
 * IPv4, or IPv6 without extension headers, behind up to two VLAN tags):
 * the checksum field is rewritten from the pseudo-header and the segment,
 * whatever it held.  Returns false, changing nothing, for anything else
 * (a fragment, another protocol, a header or length that does not fit in
 * 'len').  For frames with TP_STATUS_CSUMNOTREADY only.  Datapath-safe;
 * costs one pass over the segment. */
bool netdev_frame_complete_csum(uint8_t *frame, uint32_t len);

#endif /* VSWITCHD_NETDEV_FRAME_H */
