/*
 * vhost-sock.c - vhost-user socket roles, reconnect and message framing.
 * See vhost-sock.h.
 */
#include "vhost-sock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "unixmsg.h"
#include "util.h"

#define MOD "vhost"

/* Messages handled per readable event before yielding to the loop. */
#define VHOST_SOCK_MSGS_PER_EVENT 32

static void sock_on_listen(struct ev_loop *, ev_io *, int);
static void sock_on_conn(struct ev_loop *, ev_io *, int);
static void sock_on_retry(struct ev_loop *, ev_timer *, int);
static void sock_connected(struct vhost_sock *, int fd);
static void sock_try_connect(struct vhost_sock *);

static int
fill_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (!util_strlcpy(sun->sun_path, path, sizeof sun->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

static int
sock_listen(struct vhost_sock *sock)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, err;

	err = fill_addr(sock->path, &sun);
	if (err)
		return err;
	if (lstat(sock->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		unlink(sock->path);	/* stale socket of an earlier run */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0 ||
	    listen(fd, 4) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	sock->listen_fd = fd;
	return 0;
}

int
vhost_sock_open(struct vhost_sock *sock, const char *name, const char *path,
		bool server, vhost_sock_msg_fn *on_msg,
		vhost_sock_state_fn *on_state)
{
	struct sockaddr_un sun;
	int err;

	memset(sock, 0, sizeof *sock);
	sock->listen_fd = -1;
	sock->conn_fd = -1;
	util_strlcpy(sock->name, name, sizeof sock->name);
	err = fill_addr(path, &sun);
	if (err)
		return err;
	sock->path = xstrdup(path);
	sock->server = server;
	sock->on_msg = on_msg;
	sock->on_state = on_state;
	ev_io_init(&sock->listen_w, sock_on_listen, -1, EV_READ);
	ev_io_init(&sock->conn_w, sock_on_conn, -1, EV_READ);
	ev_timer_init(&sock->retry_w, sock_on_retry, VHOST_SOCK_RETRY_S,
		      VHOST_SOCK_RETRY_S);
	if (server) {
		err = sock_listen(sock);
		if (err) {
			free(sock->path);
			sock->path = NULL;
			return err;
		}
		ev_io_set(&sock->listen_w, sock->listen_fd, EV_READ);
	}
	return 0;
}

void
vhost_sock_watch(struct vhost_sock *sock, struct ev_loop *loop)
{
	if (sock->loop) {
		ev_io_stop(sock->loop, &sock->listen_w);
		ev_io_stop(sock->loop, &sock->conn_w);
		ev_timer_stop(sock->loop, &sock->retry_w);
		sock->loop = NULL;
	}
	if (!loop)
		return;
	sock->loop = loop;
	if (sock->conn_fd >= 0)
		ev_io_start(loop, &sock->conn_w);
	else if (sock->server)
		ev_io_start(loop, &sock->listen_w);
	else
		sock_try_connect(sock);
}

bool
vhost_sock_is_connected(const struct vhost_sock *sock)
{
	return sock->conn_fd >= 0;
}

static void
msg_reset(struct vhost_sock *sock)
{
	for (unsigned i = 0; i < sock->nfds; i++)
		close(sock->fds[i]);
	sock->nfds = 0;
	sock->got = 0;
	sock->fds_lost = false;
	memset(&sock->hdr, 0, sizeof sock->hdr);
	memset(&sock->payload, 0, sizeof sock->payload);
}

void
vhost_sock_disconnect(struct vhost_sock *sock)
{
	if (sock->conn_fd < 0)
		return;
	if (sock->loop)
		ev_io_stop(sock->loop, &sock->conn_w);
	close(sock->conn_fd);
	sock->conn_fd = -1;
	msg_reset(sock);
	sock->stats.disconnects++;
	log_info(MOD, "%s: front-end disconnected", sock->name);
	if (sock->loop) {
		if (sock->server)
			ev_io_start(sock->loop, &sock->listen_w);
		else
			ev_timer_again(sock->loop, &sock->retry_w);
	}
	sock->on_state(sock, false);
}

void
vhost_sock_close(struct vhost_sock *sock)
{
	vhost_sock_watch(sock, NULL);
	vhost_sock_disconnect(sock);
	if (sock->listen_fd >= 0) {
		close(sock->listen_fd);
		sock->listen_fd = -1;
		if (sock->path)
			unlink(sock->path);
	}
	free(sock->path);
	sock->path = NULL;
}

int
vhost_sock_send(struct vhost_sock *sock, const struct vhost_user_hdr *hdr,
		const void *payload)
{
	struct iovec iov[2] = {
		{ (void *)hdr, sizeof *hdr },
		{ (void *)payload, hdr->size },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = hdr->size ? 2 : 1 };
	ssize_t n;

	if (sock->conn_fd < 0)
		return -ENOTCONN;
	do {
		n = sendmsg(sock->conn_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof *hdr + hdr->size)) {
		int err = n < 0 ? -errno : -EAGAIN;

		log_warn_rl(MOD, "%s: reply not sent (%s); disconnecting",
			    sock->name, strerror(-err));
		vhost_sock_disconnect(sock);
		return err;
	}
	return 0;
}

static void
sock_connected(struct vhost_sock *sock, int fd)
{
	sock->conn_fd = fd;
	msg_reset(sock);
	sock->stats.connects++;
	sock->retry_logged = false;
	log_info(MOD, "%s: front-end connected (%s %s)", sock->name,
		 sock->server ? "accepted on" : "connected to", sock->path);
	if (sock->loop) {
		ev_io_stop(sock->loop, &sock->listen_w);
		ev_timer_stop(sock->loop, &sock->retry_w);
		ev_io_set(&sock->conn_w, fd, EV_READ);
		ev_io_start(sock->loop, &sock->conn_w);
	}
	sock->on_state(sock, true);
}

static void
sock_on_listen(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vhost_sock *sock = container_of(w, struct vhost_sock,
					       listen_w);
	int fd;

	(void)loop; (void)revents;
	fd = accept4(sock->listen_fd, NULL, NULL,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn_rl(MOD, "%s: accept: %s", sock->name,
				    strerror(errno));
		return;
	}
	sock_connected(sock, fd);
}

static void
sock_try_connect(struct vhost_sock *sock)
{
	struct sockaddr_un sun;
	int fd;

	fill_addr(sock->path, &sun);	/* checked at open */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		sock_connected(sock, fd);
		return;
	}
	if (!sock->retry_logged) {
		log_info(MOD, "%s: cannot connect to %s (%s); retrying every "
			 "%gs", sock->name, sock->path, strerror(errno),
			 VHOST_SOCK_RETRY_S);
		sock->retry_logged = true;
	}
	if (fd >= 0)
		close(fd);
	if (sock->loop)
		ev_timer_again(sock->loop, &sock->retry_w);
}

static void
sock_on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct vhost_sock *sock = container_of(w, struct vhost_sock, retry_w);

	(void)revents;
	ev_timer_stop(loop, w);
	if (sock->conn_fd < 0)
		sock_try_connect(sock);
}

/* Reads what the current message still lacks.  Returns 1 when it is
 * complete, 0 when more bytes are needed later, -1 when the connection
 * must be dropped. */
static int
sock_read_msg(struct vhost_sock *sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	const uint32_t hlen = sizeof sock->hdr;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	for (;;) {
		if (sock->got < hlen) {
			iov.iov_base = (char *)&sock->hdr + sock->got;
			iov.iov_len = hlen - sock->got;
		} else if (sock->got < hlen + sock->hdr.size) {
			iov.iov_base = (char *)&sock->payload +
				       (sock->got - hlen);
			iov.iov_len = hlen + sock->hdr.size - sock->got;
		} else {
			return 1;
		}
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof ctl.buf;
		n = recvmsg(sock->conn_fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0) {
			if (n < 0)
				log_info(MOD, "%s: read: %s", sock->name,
					 strerror(errno));
			return -1;
		}
		/* Keep the fds in the message being assembled. */
		sock->nfds += (unsigned)unixmsg_take_fds(&mh,
			sock->fds + sock->nfds,
			VHOST_USER_MAX_FDS - sock->nfds, &sock->fds_lost);
		sock->got += (uint32_t)n;
		if (sock->got == hlen &&
		    sock->hdr.size > VHOST_USER_MAX_PAYLOAD) {
			log_warn_rl(MOD, "%s: request %u announces %u payload "
				    "bytes (max %zu); disconnecting",
				    sock->name, sock->hdr.request,
				    sock->hdr.size, VHOST_USER_MAX_PAYLOAD);
			sock->stats.proto_errors++;
			return -1;
		}
	}
}

static void
sock_on_conn(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vhost_sock *sock = container_of(w, struct vhost_sock, conn_w);

	(void)loop; (void)revents;
	for (int i = 0; i < VHOST_SOCK_MSGS_PER_EVENT; i++) {
		int r = sock_read_msg(sock);

		if (r < 0) {
			vhost_sock_disconnect(sock);
			return;
		}
		if (r == 0)
			return;
		if (sock->fds_lost) {
			/* Some fds are gone: the message cannot be applied
			 * faithfully.  Its fds are closed and, if asked,
			 * the peer gets an error reply. */
			struct vhost_user_hdr rh = {
				.request = sock->hdr.request,
				.flags = VHOST_USER_VERSION |
					 VHOST_USER_F_REPLY,
				.size = sizeof(uint64_t),
			};
			uint64_t nack = 1;
			bool ack = sock->hdr.flags & VHOST_USER_F_NEED_REPLY;

			log_warn_rl(MOD, "%s: request %u: too many fds; "
				    "ignored", sock->name, sock->hdr.request);
			sock->stats.proto_errors++;
			msg_reset(sock);
			if (ack && vhost_sock_send(sock, &rh, &nack))
				return;
			continue;
		}
		sock->on_msg(sock, &sock->hdr, &sock->payload, sock->fds,
			     sock->nfds);
		sock->nfds = 0;		/* the callee owns them */
		if (sock->conn_fd < 0)
			return;		/* the callee disconnected */
		msg_reset(sock);
	}
}
