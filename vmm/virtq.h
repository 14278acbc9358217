/*
 * virtq.h - the device side of a split virtqueue (virtio 1.2 §2.7).
 *
 * The transport fills size and the three guest-physical addresses from
 * what the driver wrote; virtq_enable() checks them against guest RAM once
 * and keeps host pointers.  Guest memory is hostile input: every
 * descriptor address and length is checked against guest RAM, chains are
 * limited to the queue size (loops end there), and any violation marks the
 * queue broken, after which it is not touched until reset.
 *
 * Ring layouts come from lib/virtio-net.h, shared with the switch's
 * vhost-user back-end.  Used by one thread at a time (the thread that
 * serves the queue).
 */
#ifndef VMM_VIRTQ_H
#define VMM_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

struct guest_mem;
struct virtq_desc;
struct virtq_avail;
struct virtq_used;

struct virtq {
	/* Set by the transport from the driver's writes. */
	uint16_t size;
	uint16_t msix_vector;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool enabled;

	/* Set by virtq_enable(). */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail;
	bool broken;
};

/* Resets 'q' to the state after device reset (size 'max_size', vector
 * NO_VECTOR, disabled). */
void virtq_reset(struct virtq *q, uint16_t max_size);

/* Validates the rings of 'q' in 'mem' and maps them.  Returns 0 or
 * -EINVAL (size not a power of two or above VIRTQ_MAX_SIZE, a ring
 * outside RAM or misaligned). */
int virtq_enable(struct virtq *q, const struct guest_mem *mem);

/* Takes the next available chain.  Fills 'iov' (at most 'max_iov'
 * entries): first the device-readable buffers ('*n_out' of them), then
 * the device-writable ones ('*n_in').  Returns 1 and the chain head in
 * '*head', 0 if none is available, or -EINVAL if the chain is bad (the
 * queue is then broken). */
int virtq_pop(struct virtq *q, const struct guest_mem *mem,
	      struct iovec *iov, unsigned max_iov, unsigned *n_out,
	      unsigned *n_in, uint16_t *head);

/* Returns chain 'head' to the driver with 'len' bytes written. */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/* Whether the driver wants an interrupt now (VIRTQ_AVAIL_F_NO_INTERRUPT
 * is not set; EVENT_IDX is not offered). */
bool virtq_should_notify(const struct virtq *q);

#endif /* VMM_VIRTQ_H */
