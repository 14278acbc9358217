/*
 * virtio-pci.h - the modern virtio-pci transport (virtio 1.2 §4.1).
 *
 * One PCI function per device: vendor 0x1af4, device 0x1040 + type,
 * revision 1.  BAR 0 (16 KiB) holds the common configuration (0x0000), the
 * ISR byte (0x1000), the device configuration (0x2000) and the notify area
 * (0x3000, one 4-byte slot per queue, notify_off_multiplier 4); BAR 2
 * holds the MSI-X table (0x000) and PBA (0x800), one vector per queue plus
 * one for configuration changes.  Vendor capabilities (ID 0x09) of types
 * COMMON, NOTIFY, ISR, DEVICE and PCI_CFG point into BAR 0.
 *
 * Kicks: each queue's notify slot is a KVM ioeventfd whose eventfd the
 * event loop watches, so a kick costs no exit to userspace beyond the
 * eventfd; a notify write that still exits is forwarded to the same
 * eventfd.  Interrupts: each MSI-X vector owns a GSI with an MSI route and
 * an irqfd; raising a vector is one eventfd write.  Masked vectors set
 * their PBA bit and fire on unmask.
 */
#ifndef VMM_VIRTIO_PCI_H
#define VMM_VIRTIO_PCI_H

#include "virtio.h"

struct vmm;
struct virtio_pci;

#define VIRTIO_PCI_VENDOR_ID     0x1af4
#define VIRTIO_PCI_DEVICE_BASE   0x1040
#define VIRTIO_PCI_SUBSYS_ID     0x1100
#define VIRTIO_PCI_MAX_QUEUES    16

/* Puts device model 'ops'/'dev' on 'vmm''s PCI bus behind a new transport
 * and fills 'transport' for the device to call back.  On success the
 * transport takes ownership of 'dev' (freed through ops->destroy).
 * Returns the transport or NULL after logging why. */
struct virtio_pci *virtio_pci_create(struct vmm *vmm,
				     const struct virtio_device_ops *ops,
				     void *dev,
				     struct virtio_transport *transport);

/* Takes the device off the bus, releases its eventfds, GSIs and routes,
 * and destroys the transport and its device model (NULL is fine). */
void virtio_pci_destroy(struct virtio_pci *vp);

#endif /* VMM_VIRTIO_PCI_H */
