/*
 * vhost-ring.c - guest memory translation and split-virtqueue processing
 * (virtio 1.2 §2.7) for the vhost-user back-end.  See vhost-ring.h for the
 * trust model: every value read from guest memory is read once, into a
 * local, and checked there.
 */
#include "vhost-ring.h"

#include <errno.h>
#include <string.h>

#include "util.h"

/* A validated piece of a descriptor chain, in our address space. */
struct vhost_seg {
	uint8_t *p;
	uint64_t len;
};

struct vhost_chain {
	struct vhost_seg segs[VHOST_CHAIN_MAX_SEGS];
	uint32_t n;
	uint64_t bytes;
};

static bool
ranges_overlap(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

int
vhost_mem_check(const struct vhost_user_mem_region *regions, uint32_t n)
{
	if (n == 0 || n > VHOST_USER_MAX_REGIONS)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		const struct vhost_user_mem_region *r = &regions[i];

		if (r->size == 0 ||
		    r->guest_phys_addr > UINT64_MAX - r->size ||
		    r->userspace_addr > UINT64_MAX - r->size ||
		    r->mmap_offset > UINT64_MAX - r->size)
			return -EINVAL;
		for (uint32_t j = 0; j < i; j++) {
			const struct vhost_user_mem_region *o = &regions[j];

			if (ranges_overlap(r->guest_phys_addr, r->size,
					   o->guest_phys_addr, o->size) ||
			    ranges_overlap(r->userspace_addr, r->size,
					   o->userspace_addr, o->size))
				return -EINVAL;
		}
	}
	return 0;
}

uint8_t *
vhost_mem_gpa_to_host(const struct vhost_mem *mem, uint64_t gpa,
		      uint64_t len, uint64_t *contig)
{
	for (uint32_t i = 0; i < mem->n; i++) {
		const struct vhost_mem_region *r = &mem->regions[i];
		uint64_t off = gpa - r->gpa;

		if (gpa >= r->gpa && off < r->size) {
			*contig = MIN(len, r->size - off);
			return r->host + off;
		}
	}
	return NULL;
}

uint8_t *
vhost_mem_uva_to_host(const struct vhost_mem *mem, uint64_t uva,
		      uint64_t len)
{
	for (uint32_t i = 0; i < mem->n; i++) {
		const struct vhost_mem_region *r = &mem->regions[i];
		uint64_t off = uva - r->uva;

		if (uva >= r->uva && off < r->size && len <= r->size - off)
			return r->host + off;
	}
	return NULL;
}

void
vhost_vring_reset(struct vhost_vring *vr)
{
	struct vhost_ring_stats stats = vr->stats;

	memset(vr, 0, sizeof *vr);
	vr->stats = stats;
	vr->hdr_len = VIRTIO_NET_HDR_LEN;
}

void
vhost_vring_set_features(struct vhost_vring *vr, uint64_t features)
{
	vr->event_idx = features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	vr->indirect = features & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
	vr->mrg_rxbuf = features & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	vr->in_order = features & VIRTIO_BIT(VIRTIO_F_IN_ORDER);
	vr->hdr_len = virtio_net_hdr_len(features);
}

int
vhost_vring_map(struct vhost_vring *vr, const struct vhost_mem *mem)
{
	uint8_t *desc, *avail, *used;

	vhost_vring_unmap(vr);
	if (!vr->num || !vr->addr_set || !mem->n)
		return -EAGAIN;
	/* virtio 1.2 §2.7: Queue Size is a power of 2, at most 32768. */
	if (vr->num > VIRTQ_MAX_SIZE || (vr->num & (vr->num - 1)))
		return -EINVAL;
	desc = vhost_mem_uva_to_host(mem, vr->desc_uva,
				     virtq_desc_size(vr->num));
	avail = vhost_mem_uva_to_host(mem, vr->avail_uva,
				      virtq_avail_size(vr->num));
	used = vhost_mem_uva_to_host(mem, vr->used_uva,
				     virtq_used_size(vr->num));
	if (!desc || !avail || !used)
		return -EFAULT;
	/* §2.7: alignment 16 (descriptors), 2 (avail), 4 (used). */
	if ((uintptr_t)desc % 16 || (uintptr_t)avail % 2 ||
	    (uintptr_t)used % 4)
		return -EINVAL;
	vr->desc = (struct virtq_desc *)(void *)desc;
	vr->avail = (struct virtq_avail *)(void *)avail;
	vr->used = (struct virtq_used *)(void *)used;
	vr->broken = false;
	vr->signalled_used_valid = false;
	vr->avail_known = 0;
	return 0;
}

void
vhost_vring_unmap(struct vhost_vring *vr)
{
	vr->desc = NULL;
	vr->avail = NULL;
	vr->used = NULL;
}

bool
vhost_vring_is_ready(const struct vhost_vring *vr)
{
	return vr->desc && !vr->broken;
}

void
vhost_vring_resync(struct vhost_vring *vr)
{
	uint16_t used_idx;

	if (!vr->used)
		return;
	used_idx = __atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE);
	if (used_idx != vr->last_used_idx || used_idx != vr->last_avail_idx) {
		vr->last_used_idx = used_idx;
		vr->last_avail_idx = used_idx;
	}
	vr->avail_known = 0;
}

static void
vring_mark_broken(struct vhost_vring *vr)
{
	if (!vr->broken) {
		vr->broken = true;
		vr->stats.broken++;
	}
}

int
vhost_vring_avail_count(struct vhost_vring *vr)
{
	uint16_t idx, n;

	if (vr->broken)
		return -EIO;
	if (!vr->desc)
		return 0;
	idx = __atomic_load_n(&vr->avail->idx, __ATOMIC_ACQUIRE);
	n = (uint16_t)(idx - vr->last_avail_idx);
	if (n > vr->num) {
		vring_mark_broken(vr);
		return -EIO;
	}
	vr->avail_known = n;
	return n;
}

/* Available entries not yet consumed: what the last read of the avail
 * index promised while some of it is left, else a fresh read. */
static inline int
avail_pending(struct vhost_vring *vr)
{
	if (vr->avail_known && !vr->broken && vr->desc)
		return vr->avail_known;
	return vhost_vring_avail_count(vr);
}

/* Consumes 'k' available entries. */
static inline void
avail_consume(struct vhost_vring *vr, uint16_t k)
{
	vr->last_avail_idx = (uint16_t)(vr->last_avail_idx + k);
	vr->avail_known = (uint16_t)(vr->avail_known - MIN(k, vr->avail_known));
}

/* Reads descriptor 'i' of 'table' once, field by field, into 'd'. */
static void
desc_read(const struct virtq_desc *table, uint32_t i, struct virtq_desc *d)
{
	d->addr = __atomic_load_n(&table[i].addr, __ATOMIC_RELAXED);
	d->len = __atomic_load_n(&table[i].len, __ATOMIC_RELAXED);
	d->flags = __atomic_load_n(&table[i].flags, __ATOMIC_RELAXED);
	d->next = __atomic_load_n(&table[i].next, __ATOMIC_RELAXED);
}

/* Reads the head index of avail entry 'pos' (0..num-1). */
static uint16_t
avail_read(const struct vhost_vring *vr, uint16_t pos)
{
	return __atomic_load_n(&vr->avail->ring[pos & (vr->num - 1)],
			       __ATOMIC_RELAXED);
}

void
vhost_vring_prefetch(struct vhost_vring *vr, const struct vhost_mem *mem,
		     unsigned max, uint32_t off, uint32_t span, bool for_write)
{
	uint16_t heads[VHOST_PREFETCH_MAX];
	int n = avail_pending(vr);

	if (n <= 0)
		return;
	n = (int)MIN((unsigned)n, MIN(max, VHOST_PREFETCH_MAX));
	for (int k = 0; k < n; k++) {
		heads[k] = avail_read(vr, (uint16_t)(vr->last_avail_idx + k));
		if (heads[k] < vr->num)
			__builtin_prefetch(&vr->desc[heads[k]], 0, 3);
	}
	for (int k = 0; k < n; k += 8)
		util_prefetch_w(&vr->used->ring[(vr->last_used_idx + k) &
						 (vr->num - 1)]);
	for (int k = 0; k < n; k++) {
		uint64_t addr, contig;
		uint8_t *p;

		if (heads[k] >= vr->num)
			continue;
		addr = __atomic_load_n(&vr->desc[heads[k]].addr,
				       __ATOMIC_RELAXED);
		p = vhost_mem_gpa_to_host(mem, addr, 1, &contig);
		if (!p)
			continue;
		/* The first and the last line of ['off', +'span'). */
		if (for_write) {
			util_prefetch_w(p + off);
			util_prefetch_w(p + off + span - 1);
		} else {
			__builtin_prefetch(p + off, 0, 3);
			__builtin_prefetch(p + off + span - 1, 0, 3);
		}
	}
}

static void
used_write(struct vhost_vring *vr, uint16_t pos, uint32_t id, uint32_t len)
{
	struct virtq_used_elem *e = &vr->used->ring[pos & (vr->num - 1)];

	__atomic_store_n(&e->id, id, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
}

/* Appends the guest range ['addr', +'len') to 'c', split at region
 * boundaries.  Returns 0, -EFAULT (not mapped) or -E2BIG. */
static int
chain_add_range(const struct vhost_mem *mem, struct vhost_chain *c,
		uint64_t addr, uint32_t len)
{
	if (addr > UINT64_MAX - len)
		return -EFAULT;
	while (len) {
		uint64_t contig;
		uint8_t *p = vhost_mem_gpa_to_host(mem, addr, len, &contig);

		if (!p)
			return -EFAULT;
		if (c->n == VHOST_CHAIN_MAX_SEGS)
			return -E2BIG;
		c->segs[c->n].p = p;
		c->segs[c->n].len = contig;
		c->n++;
		c->bytes += contig;
		addr += contig;
		len -= (uint32_t)contig;
	}
	return 0;
}

/* Follows the chain starting at 'head' (< num), descending into one
 * indirect table if allowed, and collects its ranges into 'c'.  Every
 * descriptor must be device-writable if 'writable', else device-readable.
 * Stops with -EMSGSIZE once 'byte_limit' bytes are collected.  Returns 0,
 * -EIO (loop or next out of range: ring corrupt), -EFAULT/-EINVAL (bad
 * descriptor), -E2BIG or -EMSGSIZE. */
static int
chain_collect(const struct vhost_vring *vr, const struct vhost_mem *mem,
	      uint16_t head, bool writable, uint64_t byte_limit,
	      struct vhost_chain *c)
{
	const struct virtq_desc *table = vr->desc;
	uint32_t table_n = vr->num;
	uint32_t idx = head;
	uint32_t visited = 0;
	bool in_indirect = false;

	c->n = 0;
	c->bytes = 0;
	for (;;) {
		struct virtq_desc d;
		int err;

		/* A chain visiting more descriptors than its table holds
		 * revisits one: a loop (§2.7.5.1 forbids chains longer
		 * than the queue size). */
		if (idx >= table_n || ++visited > table_n)
			return -EIO;
		desc_read(table, idx, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			uint64_t contig;
			uint8_t *p;

			/* §2.7.5.3.1: only with the feature, never nested,
			 * never together with NEXT; a whole number of
			 * descriptors. */
			if (!vr->indirect || in_indirect ||
			    (d.flags & VIRTQ_DESC_F_NEXT) || d.len == 0 ||
			    d.len % sizeof(struct virtq_desc) ||
			    d.len / sizeof(struct virtq_desc) > VIRTQ_MAX_SIZE)
				return -EINVAL;
			p = vhost_mem_gpa_to_host(mem, d.addr, d.len, &contig);
			if (!p || contig != d.len)
				return -EFAULT;
			if ((uintptr_t)p % sizeof(struct virtq_desc))
				return -EINVAL;
			table = (const struct virtq_desc *)(const void *)p;
			table_n = d.len / sizeof(struct virtq_desc);
			idx = 0;
			visited = 0;
			in_indirect = true;
			continue;
		}
		if (!(d.flags & VIRTQ_DESC_F_WRITE) == writable)
			return -EINVAL;
		if (d.len) {
			err = chain_add_range(mem, c, d.addr, d.len);
			if (err)
				return err;
			if (c->bytes >= byte_limit)
				return -EMSGSIZE;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

/* Copies 'len' bytes starting 'skip' bytes into the chain out to 'dst'. */
static void
chain_copy_out(const struct vhost_chain *c, uint64_t skip, uint8_t *dst,
	       uint64_t len)
{
	for (uint32_t i = 0; i < c->n && len; i++) {
		const struct vhost_seg *s = &c->segs[i];
		uint64_t n;

		if (skip >= s->len) {
			skip -= s->len;
			continue;
		}
		n = MIN(s->len - skip, len);
		memcpy(dst, s->p + skip, n);
		dst += n;
		len -= n;
		skip = 0;
	}
}

static void
ring_count_drop(struct vhost_vring *vr, int err)
{
	switch (err) {
	case -EFAULT:
	case -EINVAL:
		vr->stats.bad_desc++;
		break;
	case -E2BIG:
		vr->stats.bad_chain++;
		break;
	case -EMSGSIZE:
		vr->stats.oversize++;
		break;
	case -ENODATA:
		vr->stats.runt++;
		break;
	default:
		break;
	}
}

/* Takes one TX chain: see vhost_vring_dequeue() and
 * vhost_vring_dequeue_ref() ('ref' NULL: always copy; 'vh' NULL: the
 * virtio-net header is not wanted). */
static int
dequeue(struct vhost_vring *vr, const struct vhost_mem *mem, uint8_t *buf,
	uint32_t cap, uint32_t *len, uint8_t **ref, uint16_t *headp,
	struct virtio_net_hdr *vh)
{
	struct vhost_chain c;
	uint16_t head;
	int n, err;

	n = avail_pending(vr);
	if (n < 0)
		return n;
	if (n == 0)
		return -EAGAIN;
	head = avail_read(vr, vr->last_avail_idx);
	if (head >= vr->num) {
		vring_mark_broken(vr);
		return -EIO;
	}
	err = chain_collect(vr, mem, head, false,
			    (uint64_t)vr->hdr_len + cap + 1, &c);
	if (err == -EIO) {
		vring_mark_broken(vr);
		return -EIO;
	}
	if (!err && c.bytes < vr->hdr_len)
		err = -ENODATA;
	if (!err) {
		*len = (uint32_t)(c.bytes - vr->hdr_len);
		if (vh) {
			memset(vh, 0, sizeof *vh);
			chain_copy_out(&c, 0, (uint8_t *)vh, vr->hdr_len);
		}
		if (ref) {
			/* The frame (after the header) in one segment is
			 * lent out as is; the chain stays outstanding. */
			uint64_t skip = vr->hdr_len;
			uint32_t i = 0;

			while (i < c.n && skip >= c.segs[i].len)
				skip -= c.segs[i++].len;
			if (*len && i < c.n && c.segs[i].len - skip >= *len) {
				*ref = c.segs[i].p + skip;
				*headp = head;
				avail_consume(vr, 1);
				vr->lent++;
				return 0;
			}
			*ref = NULL;
		}
		chain_copy_out(&c, vr->hdr_len, buf, *len);
	} else {
		ring_count_drop(vr, err);
	}
	/* A transmitted chain is returned with nothing written (in order:
	 * by vhost_vring_publish()). */
	if (!vr->in_order) {
		used_write(vr, vr->last_used_idx, head, 0);
		vr->last_used_idx++;
	}
	avail_consume(vr, 1);
	return err;
}

int
vhost_vring_dequeue(struct vhost_vring *vr, const struct vhost_mem *mem,
		    uint8_t *buf, uint32_t cap, uint32_t *len)
{
	return dequeue(vr, mem, buf, cap, len, NULL, NULL, NULL);
}

int
vhost_vring_dequeue_ref(struct vhost_vring *vr, const struct vhost_mem *mem,
			uint8_t *buf, uint32_t cap, uint32_t *len,
			uint8_t **ref, uint16_t *head, struct virtio_net_hdr *vh)
{
	return dequeue(vr, mem, buf, cap, len, ref, head, vh);
}

void
vhost_vring_complete(struct vhost_vring *vr, uint16_t head)
{
	if (vr->lent)
		vr->lent--;
	/* Only the ring pointers are needed: a ring that broke meanwhile
	 * still gets its chain back (harmless, and the guest may use it). */
	if (!vr->used)
		return;
	if (vr->in_order)
		return;		/* written by vhost_vring_publish() */
	used_write(vr, vr->last_used_idx, head, 0);
	vr->last_used_idx++;
}

/* The byte stream written to guest RX buffers: the header, then the
 * frame.  Copies stream bytes ['off', +'n') to 'dst'. */
struct rx_stream {
	const uint8_t *hdr;
	uint32_t hdr_len;
	const uint8_t *frame;
	uint32_t len;
};

static void
stream_copy(const struct rx_stream *s, uint64_t off, uint8_t *dst, uint64_t n)
{
	if (off < s->hdr_len) {
		uint64_t k = MIN(n, s->hdr_len - off);

		memcpy(dst, s->hdr + off, k);
		dst += k;
		off += k;
		n -= k;
	}
	/* memmove: the frame may be borrowed from a guest that posted the
	 * same memory for TX and RX (overlap must stay defined). */
	if (n)
		memmove(dst, s->frame + (off - s->hdr_len), n);
}

/* Returns the used elements of the first 'k' buffers of a failed enqueue
 * with length 0 and consumes them. */
static void
enqueue_drop(struct vhost_vring *vr, const uint16_t *heads, uint32_t k)
{
	for (uint32_t i = 0; i < k; i++)
		used_write(vr, (uint16_t)(vr->last_used_idx + i), heads[i], 0);
	avail_consume(vr, (uint16_t)k);
	vr->last_used_idx = (uint16_t)(vr->last_used_idx + k);
}

int
vhost_vring_enqueue(struct vhost_vring *vr, const struct vhost_mem *mem,
		    const uint8_t *frame, uint32_t len)
{
	return vhost_vring_enqueue_hdr(vr, mem, frame, len, NULL);
}

int
vhost_vring_enqueue_hdr(struct vhost_vring *vr, const struct vhost_mem *mem,
			const uint8_t *frame, uint32_t len,
			const struct virtio_net_hdr *vh)
{
	struct virtio_net_hdr hdr = { .gso_type = VIRTIO_NET_HDR_GSO_NONE,
				      .num_buffers = 1 };
	struct rx_stream s = { (const uint8_t *)&hdr, vr->hdr_len, frame,
			       len };
	uint64_t total = (uint64_t)vr->hdr_len + len;
	uint16_t heads[VHOST_CHAIN_MAX_SEGS];
	uint8_t *nb[2] = { NULL, NULL };	/* num_buffers bytes */
	uint64_t off = 0;
	uint32_t nbufs = 0;
	int n, err = 0;

	if (vh) {
		/* Ours: the caller's num_buffers is not trusted. */
		hdr = *vh;
		hdr.num_buffers = 1;
	}
	n = avail_pending(vr);
	if (n < 0)
		return n;
	while (off < total) {
		struct vhost_chain c;
		uint64_t put, done = 0;
		uint16_t head;

		if (nbufs == (uint32_t)n) {
			/* The count read earlier ran out: read it again. */
			n = vhost_vring_avail_count(vr);
			if (n < 0)
				return n;
		}
		if (nbufs == (uint32_t)n) {
			/* Buffers written so far stay available. */
			vr->stats.no_buffers++;
			return -ENOBUFS;
		}
		if (nbufs == VHOST_CHAIN_MAX_SEGS) {
			err = -E2BIG;
			break;
		}
		head = avail_read(vr, (uint16_t)(vr->last_avail_idx + nbufs));
		if (head >= vr->num) {
			vring_mark_broken(vr);
			return -EIO;
		}
		heads[nbufs++] = head;
		err = chain_collect(vr, mem, head, true, UINT64_MAX, &c);
		if (err == -EIO) {
			vring_mark_broken(vr);
			return -EIO;
		}
		if (err)
			break;
		if (nbufs == 1 && c.bytes < vr->hdr_len) {
			/* The header must fit in the first buffer. */
			err = -EMSGSIZE;
			break;
		}
		if (!vr->mrg_rxbuf && c.bytes < total) {
			err = -EMSGSIZE;
			break;
		}
		put = MIN(c.bytes, total - off);
		for (uint32_t i = 0; i < c.n && done < put; i++) {
			uint64_t k = MIN(c.segs[i].len, put - done);

			/* Remember where num_buffers lands (stream bytes
			 * 10 and 11, in the first buffer). */
			for (uint64_t b = 10; nbufs == 1 && b < 12; b++)
				if (vr->hdr_len == 12 && off + done <= b &&
				    b < off + done + k)
					nb[b - 10] = c.segs[i].p +
						     (b - off - done);
			stream_copy(&s, off + done, c.segs[i].p, k);
			done += k;
		}
		used_write(vr, (uint16_t)(vr->last_used_idx + nbufs - 1),
			   head, (uint32_t)put);
		off += put;
	}
	if (err) {
		ring_count_drop(vr, err);
		enqueue_drop(vr, heads, nbufs);
		return err;
	}
	if (nb[0] && nb[1]) {
		*nb[0] = (uint8_t)nbufs;
		*nb[1] = (uint8_t)(nbufs >> 8);
	}
	avail_consume(vr, (uint16_t)nbufs);
	vr->last_used_idx = (uint16_t)(vr->last_used_idx + nbufs);
	return 0;
}

void
vhost_vring_publish(struct vhost_vring *vr)
{
	if (!vr->used)
		return;
	if (vr->in_order && !vr->lent) {
		/* Transmitted chains taken since the last time, all back:
		 * their used elements in the order they were taken (a
		 * receive ring is always caught up: nothing to do). */
		while (vr->last_used_idx != vr->last_avail_idx) {
			used_write(vr, vr->last_used_idx,
				   avail_read(vr, vr->last_used_idx), 0);
			vr->last_used_idx++;
		}
	}
	__atomic_store_n(&vr->used->idx, vr->last_used_idx, __ATOMIC_RELEASE);
}

bool
vhost_vring_should_notify(struct vhost_vring *vr)
{
	bool notify;

	if (!vr->used)
		return false;
	/* Order the used->idx store before reading the driver's
	 * suppression fields (virtio 1.2 §2.7.7). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vr->event_idx) {
		uint16_t old = vr->signalled_used;
		uint16_t new = vr->last_used_idx;
		uint16_t event = __atomic_load_n(
			virtq_used_event(vr->avail, vr->num), __ATOMIC_RELAXED);

		notify = !vr->signalled_used_valid ||
			 virtq_need_event(event, new, old);
		vr->signalled_used = new;
		vr->signalled_used_valid = true;
	} else {
		notify = !(__atomic_load_n(&vr->avail->flags,
					   __ATOMIC_RELAXED) &
			   VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	if (notify)
		vr->stats.notify++;
	return notify;
}

void
vhost_vring_set_kick_wanted(struct vhost_vring *vr, bool on)
{
	if (!vr->used)
		return;
	if (vr->event_idx) {
		/* Kick when the avail index passes our position; when
		 * not wanted, put the event half a ring-space away. */
		uint16_t event = on ? vr->last_avail_idx :
				 (uint16_t)(vr->last_avail_idx + 0x8000);

		__atomic_store_n(virtq_avail_event(vr->used, vr->num), event,
				 __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&vr->used->flags,
				 on ? 0 : VIRTQ_USED_F_NO_NOTIFY,
				 __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
