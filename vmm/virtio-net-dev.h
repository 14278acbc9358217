/*
 * virtio-net-dev.h - the virtio-net device model (virtio 1.2 §5.1).
 *
 * One queue pair (receiveq 0, transmitq 1), feature bits MAC and STATUS,
 * and a back-end behind struct net_backend_ops.  Transmitted chains are
 * handed to the back-end and always completed (a frame the back-end
 * refuses is counted as dropped); receive buffers stay posted until the
 * back-end has a frame.  Malformed chains mark the device NEEDS_RESET.
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
