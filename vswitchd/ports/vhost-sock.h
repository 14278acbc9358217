/*
 * vhost-sock.h - the vhost-user socket of one port: listen (server role)
 * or connect with retry (client role), and read/write messages with their
 * SCM_RIGHTS fds.
 *
 * One front-end connection at a time.  In the server role the listening
 * socket is not watched while a front-end is connected, so a restarted
 * front-end's new connection waits in the backlog until the old one's EOF
 * has been handled.  In the client role a lost or refused connection is
 * retried every VHOST_SOCK_RETRY_S seconds, which is what lets a front-end
 * acting as server (QEMU server=on, DPDK virtio-user server=1) survive a
 * vswitchd restart: on reconnect it replays its whole configuration.
 *
 * Everything is non-blocking and driven by the event loop: a message is
 * assembled across as many reads as the peer needs (a peer that stalls
 * mid-message never stalls the loop).  A header announcing more payload
 * than VHOST_USER_MAX_PAYLOAD cannot be resynchronised and drops the
 * connection.  Fds beyond VHOST_USER_MAX_FDS are closed on receipt.
 */
#ifndef VSWITCHD_VHOST_SOCK_H
#define VSWITCHD_VHOST_SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "vhost-user.h"

#define VHOST_SOCK_RETRY_S 1.0	/* client reconnect period */

struct vhost_sock;

/* A complete message arrived.  The callee owns the 'nfds' fds. */
typedef void vhost_sock_msg_fn(struct vhost_sock *sock,
			       const struct vhost_user_hdr *hdr,
			       const union vhost_user_payload *payload,
			       int *fds, unsigned nfds);

/* The front-end connected (true) or went away (false). */
typedef void vhost_sock_state_fn(struct vhost_sock *sock, bool connected);

struct vhost_sock_stats {
	uint64_t connects;
	uint64_t disconnects;
	uint64_t proto_errors;	/* oversized payloads, too many fds */
};

struct vhost_sock {
	char name[32];		/* for log lines */
	char *path;
	bool server;
	int listen_fd;
	int conn_fd;
	struct ev_loop *loop;	/* non-NULL while started */
	ev_io listen_w;
	ev_io conn_w;
	ev_timer retry_w;
	bool retry_logged;

	/* The message being assembled. */
	struct vhost_user_hdr hdr;
	union vhost_user_payload payload;
	uint32_t got;		/* bytes of header + payload read */
	int fds[VHOST_USER_MAX_FDS];
	unsigned nfds;
	bool fds_lost;		/* too many fds or truncated control data */

	vhost_sock_msg_fn *on_msg;
	vhost_sock_state_fn *on_state;
	struct vhost_sock_stats stats;
};

/* Prepares 'sock' for 'path'.  In the server role creates the listening
 * socket now (a stale socket file at 'path' is replaced; any other file
 * there is an error), so path errors are reported here.  Returns 0,
 * -ENAMETOOLONG, -EEXIST or another -errno.  Control path. */
int vhost_sock_open(struct vhost_sock *sock, const char *name,
		    const char *path, bool server, vhost_sock_msg_fn *on_msg,
		    vhost_sock_state_fn *on_state);

/* Starts watching on 'loop' (client role: first connection attempt now);
 * 'loop' NULL stops watching (the connection is kept). */
void vhost_sock_watch(struct vhost_sock *sock, struct ev_loop *loop);

/* Drops the current connection (if any) and reports it to on_state; the
 * server keeps listening, the client retries. */
void vhost_sock_disconnect(struct vhost_sock *sock);

/* Stops, disconnects, closes the listening socket and removes its path.
 * NULL-safe on an unopened (zeroed) struct. */
void vhost_sock_close(struct vhost_sock *sock);

/* Sends 'hdr' and its 'hdr->size' bytes of 'payload'.  A failed or short
 * send drops the connection.  Returns 0 or -errno. */
int vhost_sock_send(struct vhost_sock *sock, const struct vhost_user_hdr *hdr,
		    const void *payload);

bool vhost_sock_is_connected(const struct vhost_sock *sock);

#endif /* VSWITCHD_VHOST_SOCK_H */
