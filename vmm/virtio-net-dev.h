/*
 * virtio-net-dev.h - the virtio-net device model (virtio 1.2 §5.1).
 *
 * One queue pair (receiveq 0, transmitq 1), feature bits MAC and STATUS
 * (plus the ring features a queue back-end serves), and a back-end behind
 * struct net_backend_ops.  With a frame back-end (null) transmitted
 * chains are handed to it and always completed (a frame it refuses is
 * counted as dropped) and malformed chains mark the device NEEDS_RESET;
 * with a queue back-end (vhost-user) the rings are handed over on
 * DRIVER_OK and taken back on reset, and link changes raise a
 * configuration interrupt.
 */
#ifndef VMM_VIRTIO_NET_DEV_H
#define VMM_VIRTIO_NET_DEV_H

#include <stdint.h>

#include "net-backend.h"

struct virtio_pci;
struct vmm;

/* Creates a virtio-net device with MAC 'mac' on 'vmm''s PCI bus, carried
 * by back-end 'be_ops'/'be' (of which it takes ownership).  Returns its
 * transport (free with virtio_pci_destroy()) or NULL after logging. */
struct virtio_pci *virtio_net_create(struct vmm *vmm, const uint8_t mac[6],
				     const struct net_backend_ops *be_ops,
				     void *be);

#endif /* VMM_VIRTIO_NET_DEV_H */
