/*
 * net-backend.h - what the virtio-net device model needs from whatever
 * carries its frames.  Two kinds of back-end:
 *   - frame back-ends ("null", net-null.c): the device pops transmitted
 *     chains itself and hands each frame to tx();
 *   - queue back-ends (vhost-user, vhost-front.c): 'owns_queues' is set,
 *     the device never touches the rings after DRIVER_OK; start() hands
 *     the ring addresses and the kick/call eventfds to the back-end
 *     (which passes them on to another process), stop() takes them back.
 * Link changes (a vhost-user back-end going away and coming back) are
 * reported through the callback given to set_link_notify().
 */
#ifndef VMM_NET_BACKEND_H
#define VMM_NET_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

/* One virtqueue as the driver set it up (virtio 1.2 §2.7), for start(). */
struct net_queue_info {
	uint16_t size;
	void *desc, *avail, *used;      /* host addresses of the rings */
	int kick_fd;                    /* eventfd: the driver kicked */
	int call_fd;                    /* eventfd: raise the interrupt */
};

/* Called, from any thread, when the link state may have changed. */
typedef void net_link_fn(void *arg);

struct net_backend_ops {
	const char *name;
	/* The back-end serves the rings itself (see above). */
	bool owns_queues;
	/* Virtio feature bits the back-end can serve beyond MAC and STATUS
	 * (e.g. MRG_RXBUF, EVENT_IDX).  May be NULL (none). */
	uint64_t (*get_features)(void *be);
	/* The driver set DRIVER_OK with 'features'; 'q' describes its
	 * 'n_queues' queues (receiveq 0, transmitq 1).  Returns 0 or
	 * -errno (the device then needs a reset).  Called on a vCPU thread
	 * with the transport's lock held.  May be NULL. */
	int (*start)(void *be, uint64_t features,
		     const struct net_queue_info *q, unsigned n_queues);
	/* The driver reset the device: stop using the queues.  May be
	 * NULL. */
	void (*stop)(void *be);
	/* Sends one frame: 'n' iovecs of guest memory, starting with the
	 * 12-byte virtio_net_hdr.  Returns 0 or -errno (-ENETDOWN when there
	 * is no link); the device counts failures as drops.  Called on the
	 * event loop thread.  NULL when 'owns_queues'. */
	int (*tx)(void *be, const struct iovec *iov, unsigned n);
	/* Whether the link is up (VIRTIO_NET_S_LINK_UP).  Any thread. */
	bool (*link_up)(void *be);
	/* Registers 'fn'('arg') for link changes.  May be NULL. */
	void (*set_link_notify)(void *be, net_link_fn *fn, void *arg);
	/* Frees the back-end (NULL is fine). */
	void (*destroy)(void *be);
};

/* The null back-end: link down, every frame dropped. */
extern const struct net_backend_ops net_null_ops;

/* Returns a new null back-end. */
void *net_null_create(void);

#endif /* VMM_NET_BACKEND_H */
