/*
 * net-null.c - a network back-end with no link.
 *
 * It lets the virtio-net device and its transport be exercised end to end
 * (queues, kicks, used-buffer interrupts) before a real back-end exists,
 * and is what a NIC looks like with its cable pulled.
 */
#include <errno.h>
#include <stdlib.h>

#include "net-backend.h"
#include "util.h"

struct net_null {
	unsigned long frames;   /* frames offered, all dropped */
};

void *
net_null_create(void)
{
	return xcalloc(1, sizeof(struct net_null));
}

static int
net_null_tx(void *be, const struct iovec *iov, unsigned n)
{
	struct net_null *nn = be;

	(void)iov;
	(void)n;
	nn->frames++;
	return -ENETDOWN;
}

static bool
net_null_link_up(void *be)
{
	(void)be;
	return false;
}

static void
net_null_destroy(void *be)
{
	free(be);
}

const struct net_backend_ops net_null_ops = {
	.name = "null",
	.tx = net_null_tx,
	.link_up = net_null_link_up,
	.destroy = net_null_destroy,
};
