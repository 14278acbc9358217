/*
 * vhost-msg.h - the vhost-user back-end's device state and its message
 * handlers (QEMU docs/interop/vhost-user.rst, "Front-end message types").
 *
 * A struct vhost_dev holds what one front-end connection configured:
 * negotiated features, the mapped memory table, and per vring its size,
 * addresses, indexes, kick/call/err eventfds and started/enabled state.
 * vhost_dev_handle() applies one message; it knows nothing of sockets or
 * the event loop (vhost-sock.c reads messages, port-vhost.c watches the
 * kick fds), so unit tests drive it with literal messages and memfds.
 *
 * Handlers come from one X-macro table (request, handler, expected fd
 * count).  Every payload field is checked; a message that fails has all
 * its fds closed and, if the front-end asked (NEED_REPLY), an error reply.
 * Requests we do not implement are answered the same way.  The handlers
 * accept the orders QEMU and DPDK virtio-user use (reference §1.5).
 *
 * Ring states follow the current spec wording: a ring starts at
 * SET_VRING_KICK and stops at GET_VRING_BASE; it is enabled by
 * SET_VRING_ENABLE, or by SET_FEATURES when PROTOCOL_FEATURES was not
 * negotiated.  The data path only touches "live" rings (mapped, started,
 * enabled, not broken).
 */
#ifndef VSWITCHD_VHOST_MSG_H
#define VSWITCHD_VHOST_MSG_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "vhost-ring.h"
#include "vhost-user.h"

#define VHOST_MAX_QUEUE_PAIRS	4
#define VHOST_MAX_VRINGS	(2 * VHOST_MAX_QUEUE_PAIRS)

/* Offloads a guest may ask of us on what it transmits: partial checksums
 * and TCP super-frames (issue 15).  The frames keep that work with them
 * (pkt-offload.h) and are finished by the datapath for egress ports that
 * cannot take it. */
#define VHOST_DEV_RX_OFFLOADS						\
	(VIRTIO_BIT(VIRTIO_NET_F_CSUM) |				\
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) |				\
	 VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6))

/* Offloads a guest may take in what it receives: partial checksums
 * (GUEST_CSUM) and TCP super-frames (GUEST_TSO4/6, which need
 * GUEST_CSUM), handed on with their virtio-net header; big ones spread
 * over several buffers with MRG_RXBUF.  A guest that negotiated less gets
 * complete frames of at most one MTU (the datapath segments and sums:
 * port-vhost.c's tx_offloads).  No UFO, USO or ECN. */
#define VHOST_DEV_TX_OFFLOADS						\
	(VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |				\
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4) |				\
	 VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))

/* Virtio features the back-end offers (GET_FEATURES). */
#define VHOST_DEV_FEATURES						\
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) |				\
	 VIRTIO_BIT(VIRTIO_F_ANY_LAYOUT) |				\
	 VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) |				\
	 VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |				\
	 VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |				\
	 VIRTIO_BIT(VIRTIO_F_IN_ORDER) |				\
	 VIRTIO_BIT(VIRTIO_NET_F_MQ) |					\
	 VHOST_DEV_RX_OFFLOADS |					\
	 VHOST_DEV_TX_OFFLOADS |					\
	 VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES))

/* Protocol features the back-end offers (GET_PROTOCOL_FEATURES).
 * BACKEND_REQ and CONFIG together let a front-end learn the link state:
 * GET_CONFIG reads the status field, CONFIG_CHANGE_MSG says it changed. */
#define VHOST_DEV_PROTOCOL_FEATURES					\
	(VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |				\
	 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |			\
	 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |			\
	 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG))

/* One vring with the fds and states the front-end gave it. */
struct vhost_dev_vring {
	struct vhost_vring vr;
	int kick_fd;		/* -1: none (or polled, see kick_nofd) */
	int call_fd;		/* -1: no notifications */
	int err_fd;		/* kept only to be closed */
	bool kick_nofd;		/* SET_VRING_KICK with the NOFD flag */
	bool started;		/* SET_VRING_KICK seen, no GET_VRING_BASE since */
	bool enabled;		/* SET_VRING_ENABLE(1) */
};

/* Protocol-level counters. */
struct vhost_msg_stats {
	uint64_t msgs;		/* messages handled */
	uint64_t bad_msg;	/* failed validation */
	uint64_t unknown_msg;	/* not implemented */
	uint64_t fds_closed;	/* fds received and not kept */
	uint64_t mem_faults;	/* guest memory shrank under a mapping
				 * (SIGBUS caught): connection dropped */
	uint64_t config_reads;	/* GET_CONFIG answered */
	uint64_t config_notes;	/* CONFIG_CHANGE_MSG sent */
	uint64_t backend_errors; /* CONFIG_CHANGE_MSG not sent (channel
				  * full or closed) */
};

struct vhost_dev {
	char name[32];		/* for log lines (the port name) */
	uint64_t features;	/* acked virtio features */
	uint64_t protocol_features;
	bool owner;
	struct vhost_mem mem;
	struct vhost_dev_vring vrings[VHOST_MAX_VRINGS];
	uint32_t changed;	/* bit i: vring i's fds/state may have changed */
	struct vhost_msg_stats stats;
	volatile sig_atomic_t mem_fault; /* set by guest-fault.c: a mapping
					  * lost its file pages; the port
					  * drops the connection */
	int backend_fd;		/* SET_BACKEND_REQ_FD's socket, or -1 */
	bool link_down;		/* the port's cable is pulled: the config
				 * space's status says no LINK_UP.  Port
				 * state, kept across vhost_dev_reset() */
};

/* Initialises 'dev' with no front-end state; 'name' prefixes log lines. */
void vhost_dev_init(struct vhost_dev *dev, const char *name);

/* Drops everything a front-end configured (disconnect, close): closes
 * every fd, unmaps guest memory, resets the rings.  Counters are kept. */
void vhost_dev_reset(struct vhost_dev *dev);

/* Applies one message: 'hdr' and 'hdr->size' bytes of 'payload'
 * (VHOST_USER_MAX_PAYLOAD bytes of storage, the rest zero).  Takes
 * ownership of the 'nfds' fds in 'fds' (closes or keeps them).  Returns
 * true if a reply must be sent, then filled into 'rhdr' and 'rpayload'.
 * Control path. */
bool vhost_dev_handle(struct vhost_dev *dev, const struct vhost_user_hdr *hdr,
		      const union vhost_user_payload *payload,
		      int *fds, unsigned nfds, struct vhost_user_hdr *rhdr,
		      union vhost_user_payload *rpayload);

/* Sets the link status GET_CONFIG reports and, if the front-end gave a
 * back-end channel with CONFIG negotiated, sends it CONFIG_CHANGE_MSG
 * (never waiting: a full or closed channel is counted in
 * stats.backend_errors, a closed one is dropped).  Returns true if the
 * front-end was told. */
bool vhost_dev_set_link(struct vhost_dev *dev, bool up);

/* True if vring 'i' may be processed by the data path now. */
bool vhost_dev_vring_is_live(const struct vhost_dev *dev, unsigned i);

#endif /* VSWITCHD_VHOST_MSG_H */
