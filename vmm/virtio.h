/*
 * virtio.h - the contract between virtio device models and transports.
 *
 * Three parts, each behind its own const ops table (Firecracker's split):
 *   - the device model (virtio-net.c): feature bits, config space, what a
 *     kick on a queue means; struct virtio_device_ops;
 *   - the transport (virtio-pci.c): how the driver reaches the device
 *     (capabilities, common config, notify, ISR, MSI-X) and how the
 *     device raises interrupts; struct virtio_transport_ops;
 *   - the device's back-end (net-null.c, vhost-front.c), private to
 *     the device model.
 * A device model never sees PCI; a transport never sees a net header.
 */
#ifndef VMM_VIRTIO_H
#define VMM_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtq.h"

struct guest_mem;

/* What a device model offers; every member is required unless noted. */
struct virtio_device_ops {
	const char *name;
	uint16_t device_type;   /* virtio device ID: 1 net, 4 rng, ... */
	uint32_t pci_class;     /* class code for the PCI transport */
	unsigned num_queues;
	uint16_t queue_max_size;
	unsigned config_size;   /* bytes of device-specific config */

	/* Feature bits offered (VIRTIO_F_VERSION_1 is added by the
	 * transport). */
	uint64_t (*get_features)(void *dev);
	/* Reads/writes device config; 'off' + 'len' <= config_size.
	 * config_write may be NULL (read-only config). */
	void (*config_read)(void *dev, unsigned off, uint8_t *data,
			    unsigned len);
	void (*config_write)(void *dev, unsigned off, const uint8_t *data,
			     unsigned len);
	/* Called on DRIVER_OK with the negotiated features.  Returns 0 or
	 * -errno, which makes the transport set DEVICE_NEEDS_RESET. */
	int (*activate)(void *dev, uint64_t features);
	/* Called when the driver resets the device; drop queue state. */
	void (*reset)(void *dev);
	/* The driver kicked queue 'q'.  Runs on the event loop thread with
	 * the transport's lock held; may call the transport's notify ops. */
	void (*queue_kick)(void *dev, unsigned q);
	/* Frees the device model. */
	void (*destroy)(void *dev);
	/* Whether the queues are served outside the VMM (a vhost-user
	 * back-end reads the kick eventfds and writes the call eventfds
	 * itself).  The transport then never reads a kick fd and
	 * queue_kick is not called.  Asked once, at creation; NULL means
	 * false. */
	bool (*queues_external)(void *dev);
};

/* What a transport offers the device model it carries. */
struct virtio_transport_ops {
	/* Raises queue 'q''s interrupt.  Safe from any thread. */
	void (*notify_queue)(void *transport, unsigned q);
	/* Raises the configuration-change interrupt. */
	void (*notify_config)(void *transport);
	/* Marks the device broken (DEVICE_NEEDS_RESET, §2.1.2) and tells the
	 * driver with a configuration-change interrupt. */
	void (*set_needs_reset)(void *transport);
	/* The state of queue 'q', or NULL. */
	struct virtq *(*get_queue)(void *transport, unsigned q);
	/* Guest RAM, for translating descriptor addresses. */
	const struct guest_mem *(*get_mem)(void *transport);
	/* The eventfd a write of which is a kick of queue 'q' (the KVM
	 * ioeventfd on its notify slot), or -1.  The transport keeps
	 * ownership; a back-end gets a dup() or uses it as is. */
	int (*get_kick_fd)(void *transport, unsigned q);
	/* The eventfd a write of which raises queue 'q''s interrupt: the
	 * irqfd of the MSI-X vector the driver chose for it (also when
	 * that vector is masked: the transport then catches the write and
	 * sets the PBA bit), or -1 when the queue has no vector. */
	int (*get_call_fd)(void *transport, unsigned q);
};

struct virtio_transport {
	const struct virtio_transport_ops *ops;
	void *opaque;
};

#endif /* VMM_VIRTIO_H */
