/*
 * port-vhost.h - the "vhost-user" port class: vswitchd as a vhost-user
 * back-end whose frames are those a front-end (QEMU, DPDK virtio-user,
 * our VMM) puts on its virtio-net rings in shared memory.
 *
 * Layers: vhost-sock.c (socket roles, framing, reconnect) -> vhost-msg.c
 * (message handlers, memory table, ring state) -> vhost-ring.c (split
 * rings, bounds checks); this file wires them to the bridge and the loop.
 *
 * Data path on the shared libev loop:
 *  - Guest TX (odd vrings): the kick eventfd is watched.  A kick drains up
 *    to VHOST_PORT_BUDGET bursts through bridge_port_input(); if work is
 *    left, the port asks the guest to stop kicking (EVENT_IDX avail_event
 *    or VRING_USED_F_NO_NOTIFY) and polls from an ev_idle watcher until
 *    the rings stayed empty for VHOST_PORT_IDLE_POLLS turns, then
 *    re-enables kicks and re-checks.  A busy
 *    port therefore costs no syscall per frame, an idle one no CPU.
 *  - Busy polling (vswitchd --poll, port_vhost_set_busy_poll()): a
 *    connected port never goes back to kicks, and one idle callback serves
 *    every port VHOST_BUSY_POLL_ROUNDS times per loop turn, so the loop's
 *    epoll_wait is paid once per that many rounds.  One core spins.
 *  - Guest RX (even vrings): tx_burst copies each frame into guest buffers
 *    (MRG_RXBUF aware).  Used-buffer notifications are decided per burst
 *    (EVENT_IDX used_event or NO_INTERRUPT) and written to the call
 *    eventfds once per loop iteration, from an ev_prepare watcher.
 *  - One copy per frame between two guests: a guest TX frame in one
 *    contiguous buffer is lent to its packet (pkt.h "borrowed data") and
 *    its chain is returned to the guest only when the pipeline frees the
 *    packet, at the end of the input burst; tx_burst then copies it
 *    straight into the egress guest's RX buffers.  Other frames (split
 *    over descriptors) are copied into the packet first.
 *
 * Carrier is up while a front-end has at least one queue pair whose two
 * rings are live (mapped, started, enabled, not broken).
 */
#ifndef VSWITCHD_PORT_VHOST_H
#define VSWITCHD_PORT_VHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "vhost-msg.h"
#include "vhost-ring.h"
#include "vhost-sock.h"

struct port;

/* Bursts handled per kick or poll turn before yielding to the loop. */
#define VHOST_PORT_BUDGET 8

/* Empty poll turns before a polling port asks for kicks again. */
#define VHOST_PORT_IDLE_POLLS 64

/* Busy polling: rounds over every port per loop turn. */
#define VHOST_BUSY_POLL_ROUNDS 16

/* Everything a vhost-user port counts beyond struct port_stats. */
struct port_vhost_stats {
	struct vhost_ring_stats ring;	/* summed over every vring */
	struct vhost_msg_stats msg;
	struct vhost_sock_stats sock;
	uint64_t kicks;			/* kick eventfd wake-ups */
	uint64_t polls;			/* idle-watcher poll turns */
	uint64_t calls;			/* call eventfd writes */
	uint64_t tx_no_ring;		/* tx_burst with no live RX ring */
	uint64_t tx_bad_offload;	/* frames with checksum/GSO work the
					 * guest did not negotiate: not sent
					 * (counted as tx errors too) */
	uint64_t lent;			/* guest TX frames not copied in */
};

/* Opens vhost-user port 'name' on socket 'socket_path': vswitchd listens
 * there if 'server', else it connects to a front-end listening there and
 * retries every second while it cannot.  On success stores a new,
 * unattached port (random locally administered MAC) in '*portp' and
 * returns 0; the caller owns it (port_close() frees it,
 * bridge_port_add() takes it).  Returns -EINVAL (bad name),
 * -ENAMETOOLONG (path too long for a unix socket), -EEXIST (a non-socket
 * file is at the path, server role) or another -errno. */
int port_vhost_open(const char *name, const char *socket_path, bool server,
		    struct port **portp);

/* Turns busy polling of vhost-user ports on or off (see above); takes
 * effect at each port's next poll turn. */
void port_vhost_set_busy_poll(bool on);

/* True if 'port' is of the vhost-user class. */
bool port_is_vhost(const struct port *port);

/* Fills 'out' with the counters of vhost-user port 'port'.  Returns 0 or
 * -EINVAL if 'port' is not a vhost-user port. */
int port_vhost_get_stats(const struct port *port,
			 struct port_vhost_stats *out);

/* The socket path and role of vhost-user port 'port' (NULL if another
 * class), for show/config output. */
const char *port_vhost_socket_path(const struct port *port, bool *server);

#endif /* VSWITCHD_PORT_VHOST_H */
