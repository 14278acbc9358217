/*
 * pkt.h - the packet buffer the datapath works on, and its preallocated pool.
 *
 * A packet is a fixed-size buffer with PKT_HEADROOM bytes in front of the
 * frame so a VLAN tag can be pushed without copying the payload (the 12 MAC
 * bytes move, nothing else).  Buffers come from a pool allocated once at
 * start-up; taking one never calls malloc.  When the pool is empty the
 * receiving port drops the frame and counts it (STYLE: the datapath never
 * allocates per packet).
 *
 * Ownership: rx_burst hands packets to the caller, which returns them with
 * pkt_free() once every transmit has copied the data out.
 *
 * Borrowed data: a port may instead point a packet at a frame it does not
 * own (a guest's TX buffer, so the frame is copied once, straight into the
 * egress guest).  Such a packet has a 'release' hook that runs exactly once,
 * when the packet is freed or made writable; its data may change under us
 * (a guest racing itself) but stays readable for 'len' bytes until then.
 * Code that edits a frame in place calls pkt_make_writable() first.
 */
#ifndef LIB_PKT_H
#define LIB_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_HEADROOM   64
/* Largest frame a port may hand in.  A build may choose a smaller one:
 * the fuzz build does, as every bridge allocates its pool whole. */
#ifndef PKT_DATA_MAX
#define PKT_DATA_MAX   65536
#endif
#define PKT_BURST      32	/* frames per rx/tx burst */
#define PKT_MIN_LEN    14	/* shorter frames are counted and dropped */

/* Offload state of a frame, as a virtio-net header describes it (virtio
 * 1.2 §5.1.6.2; pkt-offload.h reads, checks and writes it): the L4
 * checksum still to be finished, and a GSO super-frame still to be cut
 * into segments of 'gso_size' payload bytes.  All zero for an ordinary
 * frame.  Offsets count from 'data' and follow VLAN tag pushes and pops. */
struct pkt_offload {
	uint8_t flags;		/* VIRTIO_NET_HDR_F_NEEDS_CSUM or 0 */
	uint8_t gso_type;	/* VIRTIO_NET_HDR_GSO_* (ECN bit included) */
	uint16_t gso_size;	/* payload bytes per segment */
	uint16_t csum_start;	/* NEEDS_CSUM: where the sum starts ... */
	uint16_t csum_offset;	/* ... and where it goes, from csum_start */
	uint16_t l3_off;	/* GSO: IP header, as parsed at ingress */
	uint16_t l4_off;	/* GSO: TCP/UDP header */
	uint16_t hdr_len;	/* GSO: bytes of headers, up to the payload */
};

struct pkt {
	uint8_t *data;		/* first byte of the frame */
	uint32_t len;		/* frame length in bytes */
	uint16_t in_port;	/* ingress port_no, set by the pipeline */
	uint16_t vid;		/* classified VLAN (0 when filtering is off) */
	uint16_t tci;		/* PCP/DEI bits kept from ingress, VID bits 0 */
	bool tagged;		/* data currently carries a bridge-protocol tag */
	uint64_t ts_ns;		/* receive time (pcap replay keeps file time) */
	struct pkt_offload ol;	/* checksum / GSO work left (pkt-offload.h) */
	struct pkt *next_free;
	/* Borrowed data (see above): NULL when 'data' points into 'buf'. */
	void (*release)(struct pkt *p);
	void *release_arg;	/* for the hook */
	uint32_t release_id;	/* for the hook */
	uint8_t buf[PKT_HEADROOM + PKT_DATA_MAX + 8];
};

struct pkt_pool;

/* Allocates a pool of 'n' packets.  Memory is reserved with calloc, so pages
 * are only touched when a packet is first used.  Aborts on out-of-memory. */
struct pkt_pool *pkt_pool_create(unsigned n);
void pkt_pool_destroy(struct pkt_pool *);

/* Takes a packet from 'pool', reset to an empty frame at the headroom, or
 * returns NULL if the pool is empty.  Datapath-safe (no allocation). */
struct pkt *pkt_alloc(struct pkt_pool *pool);

/* Returns 'p' (may be NULL) to the pool it came from. */
void pkt_free(struct pkt_pool *pool, struct pkt *p);

/* Number of packets currently free in 'pool'. */
unsigned pkt_pool_avail(const struct pkt_pool *pool);

/* Points 'p' (fresh from pkt_alloc()) at the 'len' bytes (<= PKT_DATA_MAX)
 * at 'data', which the caller owns; 'release' (not NULL) runs once when
 * the packet is freed or made writable, with 'arg' and 'id' stored in the
 * packet for it. */
void pkt_set_borrowed(struct pkt *p, uint8_t *data, uint32_t len,
		      void (*release)(struct pkt *), void *arg, uint32_t id);

/* True if 'p' points at data it does not own. */
static inline bool
pkt_is_borrowed(const struct pkt *p)
{
	return p->release != NULL;
}

/* Copies borrowed data into the packet's own buffer (headroom restored)
 * and runs the release hook; afterwards the frame may be edited in place.
 * Does nothing for a packet that owns its data.  Datapath-safe. */
void pkt_make_writable(struct pkt *p);

/* Inserts a 4-byte tag (TPID 'tpid', TCI 'tci') after the MAC addresses.
 * Requires headroom; always succeeds for packets from the pool that own
 * their data (pkt_make_writable()). */
void pkt_push_vlan(struct pkt *p, uint16_t tpid, uint16_t tci);

/* Removes the 4 bytes following the MAC addresses (the outer tag).  The
 * caller has checked the frame is tagged and at least 18 bytes long, and
 * that the packet owns its data (pkt_make_writable()). */
void pkt_pop_vlan(struct pkt *p);

#endif /* LIB_PKT_H */
