/*
 * vhost-ring.h - guest memory table and split-virtqueue processing for the
 * vhost-user back-end (the data path of port-vhost.c).
 *
 * Pure with respect to I/O: this module never calls a syscall, never
 * allocates and never logs.  It translates guest addresses through a
 * memory table the caller built (vhost-msg.c mmaps the front-end's
 * regions; unit tests use plain buffers) and moves frames between guest
 * rings and flat buffers.
 *
 * Guest memory is hostile (DESIGN principle 4).  Every descriptor is read
 * once into a local copy and validated there; every address range is
 * checked against the memory table and may straddle regions (it is then
 * split); chains are bounded by the ring size (a longer walk is a loop)
 * and by VHOST_CHAIN_MAX_SEGS; the avail index may not run more than the
 * ring size ahead.  A bad descriptor drops its frame (the chain is still
 * returned to the guest, with length 0); a corrupt ring (head or next out
 * of range, loop, avail index jump) sets 'broken' and stops the ring until
 * the front-end sets it up again.  Nothing here reads or writes outside
 * the mapped regions.
 *
 * Batching: the guest's avail index is read once per burst, not per frame
 * (a cache line the guest keeps writing); dequeue/enqueue write used
 * elements but do not publish them;
 * the caller calls vhost_vring_publish() once per burst and then
 * vhost_vring_should_notify() to decide on one call-fd write.
 *
 * In order (VIRTIO_F_IN_ORDER, virtio 1.2 §2.7.9): the guest may assume
 * its chains come back in the order it made them available.  Receive
 * buffers are filled in that order anyway.  Transmitted chains may be
 * completed in any order (lent frames go back when the pipeline frees
 * them), so with the feature no used element is written for them until
 * vhost_vring_publish() finds none still lent; it then writes the whole
 * run in avail order, its heads read back from the avail ring.
 */
#ifndef VSWITCHD_VHOST_RING_H
#define VSWITCHD_VHOST_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "vhost-user.h"
#include "virtio-net.h"

/* Most address segments one frame's chain (or, on enqueue, its buffers)
 * may have; a longer chain is dropped as too long. */
#define VHOST_CHAIN_MAX_SEGS 64

/* One mapped guest memory region. */
struct vhost_mem_region {
	uint64_t gpa;		/* guest physical address of the start */
	uint64_t size;		/* bytes */
	uint64_t uva;		/* front-end virtual address of the start */
	uint8_t *host;		/* our address of the start */
	void *map;		/* whole mapping (NULL if not ours to unmap) */
	uint64_t map_len;
};

struct vhost_mem {
	uint32_t n;
	struct vhost_mem_region regions[VHOST_USER_MAX_REGIONS];
};

/* Per-ring error and drop counters (the port sums them). */
struct vhost_ring_stats {
	uint64_t bad_desc;	/* descriptor address/flags invalid: dropped */
	uint64_t bad_chain;	/* chain too long: dropped */
	uint64_t broken;	/* ring corruption events (ring stopped) */
	uint64_t oversize;	/* frame larger than the buffer: dropped */
	uint64_t runt;		/* TX chain shorter than the header: dropped */
	uint64_t no_buffers;	/* guest RX ring had no room: dropped */
	uint64_t notify;	/* notifications decided (call-fd writes) */
};

/* One split virtqueue as the back-end sees it. */
struct vhost_vring {
	/* Set by the front-end (vhost-user messages). */
	uint32_t num;			/* size; 0 = not set */
	uint64_t desc_uva, avail_uva, used_uva;
	bool addr_set;
	uint16_t last_avail_idx;	/* next avail entry to consume */
	uint16_t last_used_idx;		/* next used entry to write */
	uint16_t avail_known;		/* entries past last_avail_idx seen
					 * at the last read of avail->idx
					 * (0 when last_avail_idx is set from
					 * outside) */

	/* Negotiated behaviour (copied from the device features). */
	bool event_idx;
	bool indirect;
	bool mrg_rxbuf;
	bool in_order;			/* VIRTIO_F_IN_ORDER: used elements
					 * in the order made available */
	uint32_t hdr_len;		/* 10 or 12 */
	uint16_t lent;			/* chains lent out, not completed */

	/* Translated ring pointers (NULL until vhost_vring_map()). */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;

	bool broken;			/* corrupt; stopped until reset */
	uint16_t signalled_used;	/* used idx at the last notification */
	bool signalled_used_valid;
	struct vhost_ring_stats stats;
};

/* Checks a region list a front-end sent: 1..VHOST_USER_MAX_REGIONS
 * regions, each non-empty, without address overflow, and overlapping no
 * other region in guest-physical or front-end-virtual space.  Returns 0
 * or -EINVAL. */
int vhost_mem_check(const struct vhost_user_mem_region *regions, uint32_t n);

/* Translates the guest-physical range ['gpa', 'gpa'+'len') (len > 0).
 * Returns our address of 'gpa' and stores in '*contig' how many bytes
 * (<= 'len') are contiguous from there within one region, or returns NULL
 * if 'gpa' is in no region.  Datapath-safe. */
uint8_t *vhost_mem_gpa_to_host(const struct vhost_mem *mem, uint64_t gpa,
			       uint64_t len, uint64_t *contig);

/* Translates a front-end virtual range that must lie in one region (ring
 * addresses).  Returns our address or NULL. */
uint8_t *vhost_mem_uva_to_host(const struct vhost_mem *mem, uint64_t uva,
			       uint64_t len);

/* Resets 'vr' to "nothing set" (counters kept). */
void vhost_vring_reset(struct vhost_vring *vr);

/* Copies the negotiated 'features' into 'vr'. */
void vhost_vring_set_features(struct vhost_vring *vr, uint64_t features);

/* Translates the ring addresses of 'vr' through 'mem'.  Requires num and
 * the addresses to be set; checks num is a power of two <= 32768, the
 * alignment of each part (virtio 1.2 §2.7: 16, 2, 4) and that each part
 * lies in one region.  Clears 'broken'.  Returns 0, -EAGAIN (not
 * configured yet) or -EFAULT/-EINVAL (bad addresses; pointers cleared). */
int vhost_vring_map(struct vhost_vring *vr, const struct vhost_mem *mem);

/* Forgets the translated pointers (memory table going away). */
void vhost_vring_unmap(struct vhost_vring *vr);

/* True if the ring can be processed (mapped and not broken). */
bool vhost_vring_is_ready(const struct vhost_vring *vr);

/* If the used index in guest memory disagrees with our indexes, adopts it
 * for both (a reconnected front-end resumes where the ring really is; as
 * DPDK does).  Call after vhost_vring_map() when the ring starts. */
void vhost_vring_resync(struct vhost_vring *vr);

/* Number of available entries not yet consumed, or -EIO if the avail
 * index ran more than the ring size ahead (the ring is marked broken).
 * Datapath-safe. */
int vhost_vring_avail_count(struct vhost_vring *vr);

/* A hint, before a burst of up to 'max' (at most VHOST_PREFETCH_MAX)
 * dequeues or enqueues on 'vr': asks the CPU for the available entries'
 * descriptors, then for the bytes ['off', +'span') of each one's first
 * buffer (span 1..128; for a TX ring where the frame's addresses are and
 * what a short frame's copy reads, for an RX ring what the header and a
 * short frame write, asked for with intent to write), and for the used
 * entries the burst will write.  The lines the guest's vCPU has just
 * written then cross to ours together instead of one miss after another,
 * which is what a frame costs when the host has put the two vCPUs on
 * cores that share no cache (docs/performance.md).  Reads the avail
 * index as a dequeue would (an index too far ahead marks the ring broken,
 * as the dequeue would a moment later) and otherwise guest memory only to
 * compute addresses, never dereferenced here; nothing is consumed, and
 * the buffers are not checked (the dequeue or enqueue that follows does
 * that).  Datapath-safe. */
#define VHOST_PREFETCH_MAX 32
void vhost_vring_prefetch(struct vhost_vring *vr, const struct vhost_mem *mem,
			  unsigned max, uint32_t off, uint32_t span,
			  bool for_write);

/* Takes one frame the guest transmits (device-readable chain): skips the
 * virtio-net header and copies up to 'cap' bytes of frame into 'buf',
 * storing the frame length in '*len'.  Returns 0 (frame in 'buf'),
 * -EAGAIN (nothing available), -EIO (ring broken), or, for a dropped
 * frame whose chain was returned to the guest: -EFAULT/-EINVAL (bad
 * descriptor), -E2BIG (chain too long), -EMSGSIZE (frame > 'cap'),
 * -ENODATA (chain shorter than the header).  Datapath-safe. */
int vhost_vring_dequeue(struct vhost_vring *vr, const struct vhost_mem *mem,
			uint8_t *buf, uint32_t cap, uint32_t *len);

/* Like vhost_vring_dequeue(), but lends a frame out instead of copying
 * it when it lies in one contiguous piece of guest memory (after the
 * header): then stores its address in '*ref' and its head in '*head' and
 * leaves the chain outstanding; the caller must give it back with
 * vhost_vring_complete() before the memory table or the ring changes
 * (and before vhost_vring_resync()).  Otherwise stores NULL in '*ref' and
 * behaves exactly like vhost_vring_dequeue().  The lent bytes stay mapped
 * and 'len' long; the guest may still change their contents.  With 'vh'
 * not NULL, a taken frame's virtio-net header is copied there (10 or 12
 * bytes, the rest zero), for the guest's checksum and GSO requests.
 * Datapath-safe. */
int vhost_vring_dequeue_ref(struct vhost_vring *vr,
			    const struct vhost_mem *mem, uint8_t *buf,
			    uint32_t cap, uint32_t *len, uint8_t **ref,
			    uint16_t *head, struct virtio_net_hdr *vh);

/* Returns the chain 'head' lent out by vhost_vring_dequeue_ref() as used
 * (length 0); published by the next vhost_vring_publish() (with IN_ORDER,
 * by the first one that finds no chain of this ring still lent).
 * Datapath-safe. */
void vhost_vring_complete(struct vhost_vring *vr, uint16_t head);

/* Gives the guest one received frame of 'len' bytes: writes a
 * virtio-net header (no offloads; num_buffers filled in) and the frame
 * into one device-writable chain, or several with MRG_RXBUF.  Returns 0,
 * -ENOBUFS (not enough guest buffers; nothing consumed), -EIO (ring
 * broken), or, for a dropped frame whose buffers were returned with
 * length 0: -EFAULT/-EINVAL (bad descriptor), -E2BIG (too many segments),
 * -EMSGSIZE (the buffer cannot hold it without MRG_RXBUF).
 * Datapath-safe. */
int vhost_vring_enqueue(struct vhost_vring *vr, const struct vhost_mem *mem,
			const uint8_t *frame, uint32_t len);

/* Like vhost_vring_enqueue(), with the virtio-net header's flags,
 * gso_type, gso_size, hdr_len, csum_start and csum_offset taken from 'vh'
 * (NULL: none, as vhost_vring_enqueue()); num_buffers is always ours.
 * The caller checks that the guest negotiated what 'vh' asks of it
 * (GUEST_CSUM, GUEST_TSO4/6); a frame with more than one buffer's worth
 * needs MRG_RXBUF or a chain that big (what Linux posts with GUEST_TSO*
 * and without MRG_RXBUF).  Datapath-safe. */
int vhost_vring_enqueue_hdr(struct vhost_vring *vr,
			    const struct vhost_mem *mem, const uint8_t *frame,
			    uint32_t len, const struct virtio_net_hdr *vh);

/* Makes the used elements written since the last call visible to the
 * guest (one release store of used->idx); with IN_ORDER first writes
 * those of the chains taken since, in avail order, unless one of them is
 * still lent.  Datapath-safe. */
void vhost_vring_publish(struct vhost_vring *vr);

/* After vhost_vring_publish(): true if the guest wants a used-buffer
 * notification now (EVENT_IDX used_event, else the NO_INTERRUPT flag).
 * Datapath-safe. */
bool vhost_vring_should_notify(struct vhost_vring *vr);

/* Asks the guest to kick (true) or not to kick (false) when it adds
 * buffers: EVENT_IDX avail_event, else the used ring's NO_NOTIFY flag.
 * After enabling, the caller must re-check vhost_vring_avail_count()
 * (a full barrier is issued here) to not miss buffers added meanwhile.
 * Datapath-safe. */
void vhost_vring_set_kick_wanted(struct vhost_vring *vr, bool on);

#endif /* VSWITCHD_VHOST_RING_H */
