/*
 * virtio-net.h - virtio split-virtqueue layout, feature bits and the
 * virtio-net header, shared by the switch's vhost-user back-end and the
 * VMM's virtio-net device.
 *
 * Header-only and pure: wire layouts (virtio 1.2 §2.7 split virtqueues,
 * §5.1.6 virtio_net_hdr) pinned with _Static_assert, and the EVENT_IDX
 * notification test (§2.7.10).  Virtio 1.x rings are little-endian; the
 * project only builds for little-endian hosts (asserted below), so fields
 * are read natively.  Legacy devices on x86 are native-endian too.
 *
 * Guest memory is shared with a possibly hostile peer: code reading these
 * structures must read each descriptor or ring entry once into a local
 * and validate the copy, never re-read it.
 */
#ifndef LIB_VIRTIO_NET_H
#define LIB_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "virtio rings are little-endian; big-endian hosts need swaps");

/* Device-independent feature bits (virtio 1.2 §6). */
#define VIRTIO_F_NOTIFY_ON_EMPTY	24
#define VIRTIO_F_ANY_LAYOUT		27
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_F_ACCESS_PLATFORM	33
#define VIRTIO_F_RING_PACKED		34
#define VIRTIO_F_IN_ORDER		35

/* virtio-net feature bits (virtio 1.2 §5.1.3). */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_NET_F_CTRL_VQ		17
#define VIRTIO_NET_F_GUEST_ANNOUNCE	21
#define VIRTIO_NET_F_MQ			22

#define VIRTIO_BIT(b) (UINT64_C(1) << (b))

/* Largest split ring (virtio 1.2 §2.7: Queue Size is at most 32768). */
#define VIRTQ_MAX_SIZE 32768

/* Descriptor flags (§2.7.5). */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4

/* Avail ring flags (§2.7.6): the driver asks for no used-buffer
 * notifications.  Used ring flags (§2.7.8): the device asks for no
 * available-buffer notifications. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_USED_F_NO_NOTIFY		1

/* Descriptor table entry (§2.7.5), 16 bytes. */
struct virtq_desc {
	uint64_t addr;		/* guest-physical */
	uint32_t len;
	uint16_t flags;		/* VIRTQ_DESC_F_* */
	uint16_t next;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc");

/* Available ring (§2.7.6): flags, idx, ring[num], then used_event
 * (EVENT_IDX) right after the last ring entry. */
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
_Static_assert(sizeof(struct virtq_avail) == 4, "virtq_avail");

/* Used ring element (§2.7.8): head of the chain and bytes written. */
struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem");

/* Used ring (§2.7.8): flags, idx, ring[num], then avail_event. */
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};
_Static_assert(sizeof(struct virtq_used) == 4, "virtq_used");

/* Bytes of each part for a ring of 'num' entries, event fields included. */
static inline uint64_t
virtq_desc_size(uint32_t num)
{
	return 16 * (uint64_t)num;
}

static inline uint64_t
virtq_avail_size(uint32_t num)
{
	return 6 + 2 * (uint64_t)num;
}

static inline uint64_t
virtq_used_size(uint32_t num)
{
	return 6 + 8 * (uint64_t)num;
}

/* The used_event field of 'avail' (a ring of 'num' entries). */
static inline uint16_t *
virtq_used_event(struct virtq_avail *avail, uint32_t num)
{
	return &avail->ring[num];
}

/* The avail_event field of 'used' (a ring of 'num' entries). */
static inline uint16_t *
virtq_avail_event(struct virtq_used *used, uint32_t num)
{
	return (uint16_t *)(void *)&used->ring[num];
}

/* EVENT_IDX (§2.7.10): true if moving an index from 'old_idx' to
 * 'new_idx' crossed 'event_idx', i.e. the peer asked to be notified.
 * Wrap-safe in 16 bits. */
static inline bool
virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) <
	       (uint16_t)(new_idx - old_idx);
}

/* The device config space (§5.1.4) as far as this project uses it:
 * mac[6], le16 status, le16 max_virtqueue_pairs.  'status' is valid with
 * VIRTIO_NET_F_STATUS. */
#define VIRTIO_NET_CFG_MAC		0
#define VIRTIO_NET_CFG_STATUS		6
#define VIRTIO_NET_CFG_MAX_VQ_PAIRS	8
#define VIRTIO_NET_CFG_LEN		10
#define VIRTIO_NET_S_LINK_UP		1

/* virtio_net_hdr (§5.1.6).  num_buffers exists with VERSION_1 or
 * MRG_RXBUF (12 bytes); otherwise the header is 10 bytes. */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_F_DATA_VALID	2
#define VIRTIO_NET_HDR_GSO_NONE		0

struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr");

#define VIRTIO_NET_HDR_LEN	12	/* modern or MRG_RXBUF */
#define VIRTIO_NET_HDR_LEN_LEGACY 10	/* legacy without MRG_RXBUF */

/* Header length for the negotiated 'features'. */
static inline uint32_t
virtio_net_hdr_len(uint64_t features)
{
	return features & (VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			   VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)) ?
	       VIRTIO_NET_HDR_LEN : VIRTIO_NET_HDR_LEN_LEGACY;
}

#endif /* LIB_VIRTIO_NET_H */
