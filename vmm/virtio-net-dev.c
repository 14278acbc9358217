/*
 * virtio-net-dev.c - virtio-net device model.
 *
 * With a frame back-end (null) the device pops transmitted chains here;
 * with a queue back-end (vhost-user) it only negotiates features, keeps
 * the config space (MAC, link status) and hands the queues over on
 * DRIVER_OK, so frames never pass through the VMM.
 */
#include "virtio-net-dev.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "virtio-pci.h"
#include "virtio.h"

#define VNET_RXQ        0
#define VNET_TXQ        1
#define VNET_NUM_QUEUES 2
#define VNET_QUEUE_SIZE 256
#define VNET_MAX_IOV    64
#define VNET_HDR_LEN    12      /* virtio_net_hdr_v1: every modern device */
#define VNET_CONFIG_LEN 10      /* mac, status, max_virtqueue_pairs */
#define VNET_PCI_CLASS  0x020000u       /* network, Ethernet */

struct virtio_net {
	struct virtio_transport t;
	const struct net_backend_ops *be_ops;
	void *be;
	uint8_t mac[6];
	uint64_t features;
	uint64_t tx_frames, tx_dropped, tx_errors;
};

/* Checksum and segmentation offloads: the frames and their virtio-net
 * headers go between the guest and the back-end without the VMM, so
 * whatever of these the back-end offers the guest may use (vswitchd:
 * CSUM, HOST_TSO4/6 - the guest transmits partial checksums and TCP
 * super-frames). */
#define VNET_OFFLOAD_FEATURES                                           \
	((1ULL << VIRTIO_NET_F_CSUM) |                                  \
	 (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                            \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) |                             \
	 (1ULL << VIRTIO_NET_F_HOST_TSO6) |                             \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) |                            \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO6))

/* Ring and net features passed through from a queue back-end: ones the
 * device model needs no code for, because the back-end serves the rings. */
#define VNET_BACKEND_FEATURES                                           \
	((1ULL << VIRTIO_NET_F_MRG_RXBUF) |                             \
	 (1ULL << VIRTIO_RING_F_EVENT_IDX) |                            \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |                        \
	 VNET_OFFLOAD_FEATURES)

static uint64_t
vnet_get_features(void *dev)
{
	struct virtio_net *n = dev;
	uint64_t f = (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS);

	if (n->be_ops->owns_queues && n->be_ops->get_features)
		f |= n->be_ops->get_features(n->be) & VNET_BACKEND_FEATURES;
	return f;
}

static void
vnet_config_read(void *dev, unsigned off, uint8_t *data, unsigned len)
{
	struct virtio_net *n = dev;
	struct virtio_net_config c;

	memset(&c, 0, sizeof c);
	memcpy(c.mac, n->mac, 6);
	c.status = n->be_ops->link_up(n->be) ? VIRTIO_NET_S_LINK_UP : 0;
	c.max_virtqueue_pairs = 1;
	memcpy(data, (uint8_t *)&c + off, len);
}

/* Hands the queues to a queue back-end. */
static int
vnet_start_backend(struct virtio_net *n, uint64_t features)
{
	struct net_queue_info qi[VNET_NUM_QUEUES];

	for (unsigned i = 0; i < VNET_NUM_QUEUES; i++) {
		struct virtq *q = n->t.ops->get_queue(n->t.opaque, i);

		if (!q || !q->enabled)
			return -EINVAL;
		qi[i] = (struct net_queue_info) {
			.size = q->size, .desc = q->desc, .avail = q->avail,
			.used = q->used,
			.kick_fd = n->t.ops->get_kick_fd(n->t.opaque, i),
			.call_fd = n->t.ops->get_call_fd(n->t.opaque, i),
		};
	}
	return n->be_ops->start(n->be, features, qi, VNET_NUM_QUEUES);
}

static int
vnet_activate(void *dev, uint64_t features)
{
	struct virtio_net *n = dev;
	int err;

	n->features = features;
	if (n->be_ops->start) {
		err = n->be_ops->owns_queues ? vnet_start_backend(n, features)
					     : n->be_ops->start(n->be, features,
								NULL, 0);
		if (err)
			return err;
	}
	log_info("virtio-net", "driver ready, features 0x%llx, back-end %s, "
		 "link %s", (unsigned long long)features, n->be_ops->name,
		 n->be_ops->link_up(n->be) ? "up" : "down");
	return 0;
}

static void
vnet_reset(void *dev)
{
	struct virtio_net *n = dev;

	if (n->features && n->be_ops->stop)
		n->be_ops->stop(n->be);
	n->features = 0;
}

static bool
vnet_queues_external(void *dev)
{
	struct virtio_net *n = dev;

	return n->be_ops->owns_queues;
}

/* The back-end's link changed: tell the driver (§4.1.5.3). */
static void
vnet_link_changed(void *arg)
{
	struct virtio_net *n = arg;

	if (n->t.ops)
		n->t.ops->notify_config(n->t.opaque);
}

static size_t
vnet_iov_len(const struct iovec *iov, unsigned n)
{
	size_t len = 0;

	for (unsigned i = 0; i < n; i++)
		len += iov[i].iov_len;
	return len;
}

static void
vnet_tx(struct virtio_net *n)
{
	const struct guest_mem *mem = n->t.ops->get_mem(n->t.opaque);
	struct virtq *q = n->t.ops->get_queue(n->t.opaque, VNET_TXQ);
	struct iovec iov[VNET_MAX_IOV];
	unsigned done = 0;

	for (;;) {
		unsigned n_out, n_in;
		uint16_t head;
		int r = virtq_pop(q, mem, iov, VNET_MAX_IOV, &n_out, &n_in,
				  &head);

		if (r == 0)
			break;
		if (r < 0) {
			n->tx_errors++;
			n->t.ops->set_needs_reset(n->t.opaque);
			break;
		}
		n->tx_frames++;
		if (n_in || vnet_iov_len(iov, n_out) < VNET_HDR_LEN ||
		    n->be_ops->tx(n->be, iov, n_out) < 0)
			n->tx_dropped++;
		virtq_push(q, head, 0);
		done++;
	}
	if (done && virtq_should_notify(q))
		n->t.ops->notify_queue(n->t.opaque, VNET_TXQ);
}

static void
vnet_queue_kick(void *dev, unsigned q)
{
	struct virtio_net *n = dev;

	if (q == VNET_TXQ && n->be_ops->tx)
		vnet_tx(dev);
	/* Receive buffers wait for the back-end. */
}

static void
vnet_destroy(void *dev)
{
	struct virtio_net *n = dev;

	log_info("virtio-net", "tx %llu frames, %llu dropped, %llu bad chains",
		 (unsigned long long)n->tx_frames,
		 (unsigned long long)n->tx_dropped,
		 (unsigned long long)n->tx_errors);
	n->be_ops->destroy(n->be);
	free(n);
}

static const struct virtio_device_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_type = VIRTIO_ID_NET,
	.pci_class = VNET_PCI_CLASS,
	.num_queues = VNET_NUM_QUEUES,
	.queue_max_size = VNET_QUEUE_SIZE,
	.config_size = VNET_CONFIG_LEN,
	.get_features = vnet_get_features,
	.config_read = vnet_config_read,
	.config_write = NULL,
	.activate = vnet_activate,
	.reset = vnet_reset,
	.queue_kick = vnet_queue_kick,
	.destroy = vnet_destroy,
	.queues_external = vnet_queues_external,
};

struct virtio_pci *
virtio_net_create(struct vmm *vmm, const uint8_t mac[6],
		  const struct net_backend_ops *be_ops, void *be)
{
	struct virtio_net *n = xcalloc(1, sizeof *n);
	struct virtio_pci *vp;

	memcpy(n->mac, mac, 6);
	n->be_ops = be_ops;
	n->be = be;
	vp = virtio_pci_create(vmm, &virtio_net_ops, n, &n->t);
	if (!vp) {
		be_ops->destroy(be);
		free(n);
		return NULL;
	}
	if (be_ops->set_link_notify)
		be_ops->set_link_notify(be, vnet_link_changed, n);
	return vp;
}
