/*
 * net-backend.h - what the virtio-net device model needs from whatever
 * carries its frames.  Back-ends: "null" (net-null.c: no link, frames
 * dropped and counted); the vhost-user front-end comes next, and hands
 * the queues to the switch instead of moving frames through here.
 */
#ifndef VMM_NET_BACKEND_H
#define VMM_NET_BACKEND_H

#include <stdbool.h>
#include <sys/uio.h>

struct net_backend_ops {
	const char *name;
	/* Sends one frame: 'n' iovecs of guest memory, starting with the
	 * 12-byte virtio_net_hdr.  Returns 0 or -errno (-ENETDOWN when there
	 * is no link); the device counts failures as drops.  Called on the
	 * event loop thread. */
	int (*tx)(void *be, const struct iovec *iov, unsigned n);
	/* Whether the link is up (VIRTIO_NET_S_LINK_UP). */
	bool (*link_up)(void *be);
	/* Frees the back-end (NULL is fine). */
	void (*destroy)(void *be);
};

/* The null back-end: link down, every frame dropped. */
extern const struct net_backend_ops net_null_ops;

/* Returns a new null back-end. */
void *net_null_create(void);

#endif /* VMM_NET_BACKEND_H */
