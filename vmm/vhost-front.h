/*
 * vhost-front.h - the VMM as a vhost-user front-end: a net back-end
 * (net-backend.h, 'owns_queues') whose rings are served by another
 * process - vswitchd, DPDK's vhost library, any vhost-user back-end.
 *
 * Protocol (QEMU docs/interop/vhost-user.rst; summary in the project's
 * reference notes, §1): on connect GET_FEATURES, GET/SET_PROTOCOL_FEATURES
 * (REPLY_ACK; BACKEND_REQ and CONFIG when both are offered), SET_OWNER,
 * and with BACKEND_REQ + CONFIG: SET_BACKEND_REQ_FD (one end of a
 * socketpair, the loop watches the other) and GET_CONFIG of the
 * virtio-net status field.  On DRIVER_OK: SET_FEATURES (what the
 * driver acked, plus PROTOCOL_FEATURES), SET_MEM_TABLE (the guest RAM
 * memfd, one fd per region), and per ring SET_VRING_NUM, _BASE, _ADDR
 * (our virtual addresses), _KICK (the KVM ioeventfd of the ring's notify
 * slot) and _CALL (the irqfd of the ring's MSI-X vector), then
 * SET_VRING_ENABLE.  After that the VMM is out of the data path: the
 * guest's notify write signals the back-end directly, the back-end's call
 * injects the MSI directly.  A masked vector is handled by the transport
 * (virtio-pci.c), which takes the irqfd away from KVM while it is masked,
 * so the call fd never changes.  On device reset: SET_VRING_ENABLE(0) and
 * GET_VRING_BASE per ring.
 *
 * Link: up while connected and the back-end's status says LINK_UP (a
 * back-end without CONFIG cannot say: up).  A CONFIG_CHANGE_MSG on the
 * back-end channel (vswitchd: 'carrier off/on' on the port) makes us
 * re-read the status with GET_CONFIG and, on a change, raise the config
 * interrupt.  Anything else on that channel is dropped (and nacked if it
 * asks for a reply); a malformed or closed channel is closed, keeping the
 * connection and the last status read.
 *
 * Reconnect: when the back-end goes away the link goes down (config
 * interrupt); a client retries connect() every VHOST_FRONT_RETRY_MS, a
 * server accepts the next connection; then the whole sequence is
 * replayed, ring bases taken from each used ring's idx (split rings),
 * and the link comes back.  The set-up after connect runs on the event
 * loop thread; start/stop run on a vCPU thread; one mutex serialises the
 * socket.
 */
#ifndef VMM_VHOST_FRONT_H
#define VMM_VHOST_FRONT_H

#include <stdbool.h>

#include "net-backend.h"

struct guest_mem;
struct loop;

#define VHOST_FRONT_RETRY_MS    200

/* The vhost-user net back-end ops. */
extern const struct net_backend_ops vhost_front_ops;

/* Opens a front-end on unix socket 'path': connects to a back-end
 * listening there, or, if 'server', listens there and accepts one.
 * Waits up to 'wait_ms' for the first connection and its handshake (the
 * device's features depend on it), giving up early when 'abort_fd'
 * (e.g. a signalfd; -1 for none) becomes readable.  'mem' and 'loop'
 * must outlive the front-end.  Returns the back-end for
 * virtio_net_create() or NULL after logging why. */
void *vhost_front_create(const char *path, bool server,
			 const struct guest_mem *mem, struct loop *loop,
			 int wait_ms, int abort_fd);

#endif /* VMM_VHOST_FRONT_H */
