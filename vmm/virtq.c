/*
 * virtq.c - split virtqueue, device side.
 */
#include "virtq.h"

#include <errno.h>
#include <linux/virtio_pci.h>
#include <string.h>

#include "mem.h"
#include "virtio-net.h"

void
virtq_reset(struct virtq *q, uint16_t max_size)
{
	*q = (struct virtq) {
		.size = max_size,
		.msix_vector = VIRTIO_MSI_NO_VECTOR,
	};
}

int
virtq_enable(struct virtq *q, const struct guest_mem *mem)
{
	uint64_t n = q->size;

	if (!n || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return -EINVAL;
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return -EINVAL;
	q->desc = guest_mem_ptr(mem, q->desc_gpa, virtq_desc_size(n));
	q->avail = guest_mem_ptr(mem, q->avail_gpa, virtq_avail_size(n));
	q->used = guest_mem_ptr(mem, q->used_gpa, virtq_used_size(n));
	if (!q->desc || !q->avail || !q->used)
		return -EINVAL;
	q->last_avail = 0;
	q->broken = false;
	q->enabled = true;
	return 0;
}

int
virtq_pop(struct virtq *q, const struct guest_mem *mem, struct iovec *iov,
	  unsigned max_iov, unsigned *n_out, unsigned *n_in, uint16_t *head)
{
	uint16_t avail_idx, idx;
	unsigned n = 0, hops = 0;

	*n_out = *n_in = 0;
	if (!q->enabled || q->broken)
		return 0;
	avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == q->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		goto out_broken;
	idx = __atomic_load_n(&q->avail->ring[q->last_avail % q->size],
			      __ATOMIC_RELAXED);
	if (idx >= q->size)
		goto out_broken;
	*head = idx;
	for (;;) {
		struct virtq_desc d;
		void *p;

		/* One copy: the guest may rewrite the descriptor meanwhile. */
		memcpy(&d, &q->desc[idx], sizeof d);
		if (++hops > q->size || n >= max_iov ||
		    (d.flags & VIRTQ_DESC_F_INDIRECT))
			goto out_broken;
		p = guest_mem_ptr(mem, d.addr, d.len);
		if (!p)
			goto out_broken;
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			(*n_in)++;
		} else {
			if (*n_in)      /* readable after writable */
				goto out_broken;
			(*n_out)++;
		}
		iov[n].iov_base = p;
		iov[n].iov_len = d.len;
		n++;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		idx = d.next;
		if (idx >= q->size)
			goto out_broken;
	}
	q->last_avail++;
	return 1;

out_broken:
	q->broken = true;
	return -EINVAL;
}

void
virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	uint16_t used_idx = q->used->idx;
	struct virtq_used_elem *e = &q->used->ring[used_idx % q->size];

	e->id = head;
	e->len = len;
	/* The element must be visible before the index (§2.7.8). */
	__atomic_store_n(&q->used->idx, (uint16_t)(used_idx + 1),
			 __ATOMIC_RELEASE);
}

bool
virtq_should_notify(const struct virtq *q)
{
	uint16_t flags = __atomic_load_n(&q->avail->flags, __ATOMIC_ACQUIRE);

	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}
