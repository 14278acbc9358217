/*
 * vhost-front.c - vhost-user front-end (see vhost-front.h).
 */
#include "vhost-front.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "mem.h"
#include "unixmsg.h"
#include "util.h"
#include "vhost-user.h"
#include "virtio-net.h"

#define MOD                     "vhost-front"
#define VF_MAX_QUEUES           2
#define VF_REPLY_TIMEOUT_S      5

/* Protocol features the front-end knows how to use.  The link pair is
 * taken only together: a back-end channel to hear CONFIG_CHANGE_MSG on,
 * and GET_CONFIG to read the link status it announces. */
#define VF_LINK_FEATURES                                                \
	(VIRTIO_BIT(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |                \
	 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG))
#define VF_PROTOCOL_FEATURES                                            \
	(VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) | VF_LINK_FEATURES)

/* Payload bytes of a back-end request we read and drop; more closes the
 * back-end channel. */
#define VF_BACKEND_REQ_MAX      256

struct vhost_front {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool server;
	const struct guest_mem *mem;
	struct loop *loop;

	pthread_mutex_t lock;           /* everything below, and the socket */
	int fd;                         /* connection, -1 while down */
	int listen_fd;                  /* server role */
	int timer_fd;                   /* client role: reconnect timer */
	int sink_fd;                    /* call fd for a queue without vector */
	uint64_t be_features;           /* the first back-end's GET_FEATURES */
	bool has_be_features;
	uint64_t protocol;              /* negotiated protocol features */
	bool started;                   /* the driver set DRIVER_OK */
	uint64_t features;              /* what the driver acked */
	unsigned n_queues;
	struct net_queue_info q[VF_MAX_QUEUES];
	unsigned long n_connects;
	int req_fd;                     /* our end of the back-end channel,
					 * -1 without one */
	bool connected;                 /* set-up done on vf->fd */
	bool be_link;                   /* the back-end's status says LINK_UP
					 * (true when it cannot say) */
	unsigned long n_config_changes;

	atomic_bool link;               /* connected && be_link */
	net_link_fn *link_fn;
	void *link_arg;
};

/* ---- messages --------------------------------------------------------- */

static int
vf_send(struct vhost_front *vf, uint32_t req, uint32_t flags,
	const void *payload, uint32_t size, const int *fds, unsigned n_fds)
{
	struct vhost_user_hdr h = {
		.request = req, .flags = VHOST_USER_VERSION | flags,
		.size = size,
	};
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof h },
		{ .iov_base = (void *)payload, .iov_len = size },
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
		struct cmsghdr align;
	} c;
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	ssize_t n;

	ASSERT(n_fds <= VHOST_USER_MAX_FDS);
	if (n_fds) {
		struct cmsghdr *cm;

		memset(&c, 0, sizeof c);
		m.msg_control = c.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
	}
	do
		n = sendmsg(vf->fd, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof h + size ? 0 : -EIO;
}

/* Reads exactly 'len' bytes (the socket has a receive timeout). */
static int
vf_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(fd, (char *)buf + done, len - done, 0);

		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Reads one message header, closing any fds that came with it. */
static int
vf_read_hdr(struct vhost_front *vf, struct vhost_user_hdr *h)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
		struct cmsghdr align;
	} c;
	struct iovec iov = { .iov_base = h, .iov_len = sizeof *h };
	struct msghdr m = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c.buf, .msg_controllen = sizeof c.buf,
	};
	ssize_t n;

	do
		n = recvmsg(vf->fd, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	unixmsg_take_fds(&m, NULL, 0, NULL);	/* none expected: close */
	if ((size_t)n < sizeof *h)
		return vf_read_full(vf->fd, (char *)h + n, sizeof *h - (size_t)n);
	return 0;
}

/* Reads the reply to 'req' into 'payload': 'size' bytes exactly or, with
 * 'empty_ok', none (a refusal: -ENOMSG). */
static int
vf_recv_reply_or_empty(struct vhost_front *vf, uint32_t req, void *payload,
		       uint32_t size, bool empty_ok)
{
	struct vhost_user_hdr h;
	int err = vf_read_hdr(vf, &h);

	if (err)
		return err;
	if (h.request == req && empty_ok && h.size == 0 &&
	    (h.flags & (VHOST_USER_VERSION_MASK | VHOST_USER_F_REPLY)) ==
	    (VHOST_USER_VERSION | VHOST_USER_F_REPLY))
		return -ENOMSG;
	if (h.request != req ||
	    (h.flags & (VHOST_USER_VERSION_MASK | VHOST_USER_F_REPLY)) !=
	    (VHOST_USER_VERSION | VHOST_USER_F_REPLY) || h.size != size) {
		log_warn_rl(MOD, "%s: bad reply to %s (request %u, flags "
			    "%#x, size %u)", vf->path,
			    vhost_user_request_name(req), h.request, h.flags,
			    h.size);
		return -EPROTO;
	}
	return vf_read_full(vf->fd, payload, size);
}

/* Reads the reply to 'req' into 'payload' ('size' bytes exactly). */
static int
vf_recv_reply(struct vhost_front *vf, uint32_t req, void *payload,
	      uint32_t size)
{
	return vf_recv_reply_or_empty(vf, req, payload, size, false);
}

/* Sends a request without a reply of its own; with REPLY_ACK negotiated
 * and 'ack', asks for and checks the acknowledgement. */
static int
vf_request(struct vhost_front *vf, uint32_t req, const void *payload,
	   uint32_t size, const int *fds, unsigned n_fds, bool ack)
{
	bool need_ack = ack && (vf->protocol &
				VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK));
	uint64_t status;
	int err;

	err = vf_send(vf, req, need_ack ? VHOST_USER_F_NEED_REPLY : 0,
		      payload, size, fds, n_fds);
	if (err || !need_ack)
		return err;
	err = vf_recv_reply(vf, req, &status, sizeof status);
	if (!err && status) {
		log_warn_rl(MOD, "%s: back-end refused %s", vf->path,
			    vhost_user_request_name(req));
		err = -EPROTO;
	}
	return err;
}

static int
vf_get_u64(struct vhost_front *vf, uint32_t req, uint64_t *val)
{
	int err = vf_send(vf, req, 0, NULL, 0, NULL, 0);

	return err ? err : vf_recv_reply(vf, req, val, sizeof *val);
}

static int
vf_set_u64(struct vhost_front *vf, uint32_t req, uint64_t val)
{
	return vf_request(vf, req, &val, sizeof val, NULL, 0, false);
}

static int
vf_set_state(struct vhost_front *vf, uint32_t req, unsigned index,
	     unsigned num)
{
	struct vhost_user_vring_state st = { .index = index, .num = num };

	return vf_request(vf, req, &st, sizeof st, NULL, 0, false);
}

/* ---- link status from the back-end -------------------------------------- */

/* Closes the back-end channel.  Lock held, loop thread or before it runs. */
static void
vf_close_channel(struct vhost_front *vf)
{
	if (vf->req_fd < 0)
		return;
	loop_del(vf->loop, vf->req_fd);
	close(vf->req_fd);
	vf->req_fd = -1;
}

/* Hands the back-end one end of a socketpair for its requests
 * (SET_BACKEND_REQ_FD); the loop watches ours once the connection is
 * adopted.  Lock held. */
static int
vf_open_channel(struct vhost_front *vf)
{
	int sv[2], err;

	vf_close_channel(vf);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
		       sv) < 0)
		return -errno;
	err = vf_request(vf, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, &sv[1],
			 1, true);
	close(sv[1]);
	if (err) {
		close(sv[0]);
		return err;
	}
	vf->req_fd = sv[0];
	return 0;
}

/* Reads the status field of the back-end's config space (GET_CONFIG)
 * into vf->be_link.  A refusal leaves the link up, as with a back-end
 * that cannot tell; a malformed reply is a protocol error.  Lock held. */
static int
vf_read_link(struct vhost_front *vf)
{
	struct vhost_user_config c = {
		.offset = VIRTIO_NET_CFG_STATUS, .size = 2,
	};
	const uint32_t size = VHOST_USER_CONFIG_HDR_SIZE + 2;
	int err;

	err = vf_send(vf, VHOST_USER_GET_CONFIG, 0, &c, size, NULL, 0);
	if (!err)
		err = vf_recv_reply_or_empty(vf, VHOST_USER_GET_CONFIG, &c,
					     size, true);
	if (err == -ENOMSG) {
		log_warn_rl(MOD, "%s: back-end refused GET_CONFIG; link "
			    "taken as up", vf->path);
		vf->be_link = true;
		return 0;
	}
	if (err)
		return err;
	if (c.offset != VIRTIO_NET_CFG_STATUS || c.size != 2) {
		log_warn_rl(MOD, "%s: GET_CONFIG reply for %u bytes at %u, "
			    "asked 2 at %u", vf->path, c.size, c.offset,
			    VIRTIO_NET_CFG_STATUS);
		return -EPROTO;
	}
	vf->be_link = (c.region[0] | c.region[1] << 8) & VIRTIO_NET_S_LINK_UP;
	return 0;
}

/* ---- sequences ---------------------------------------------------------- */

/* Features, protocol features, ownership.  Lock held. */
static int
vf_handshake(struct vhost_front *vf)
{
	uint64_t f, pf = 0;
	int err;

	vf->protocol = 0;
	vf->be_link = true;
	err = vf_get_u64(vf, VHOST_USER_GET_FEATURES, &f);
	if (err)
		return err;
	if (!(f & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		log_err(MOD, "%s: back-end does not offer VERSION_1",
			vf->path);
		return -EPROTO;
	}
	if (f & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES)) {
		err = vf_get_u64(vf, VHOST_USER_GET_PROTOCOL_FEATURES, &pf);
		pf &= VF_PROTOCOL_FEATURES;
		if ((pf & VF_LINK_FEATURES) != VF_LINK_FEATURES)
			pf &= ~VF_LINK_FEATURES;
		if (!err)
			err = vf_set_u64(vf, VHOST_USER_SET_PROTOCOL_FEATURES,
					 pf);
		if (err)
			return err;
		vf->protocol = pf;
	}
	err = vf_request(vf, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, false);
	if (!err && (vf->protocol & VF_LINK_FEATURES))
		err = vf_open_channel(vf);
	if (!err && (vf->protocol & VF_LINK_FEATURES))
		err = vf_read_link(vf);
	if (err)
		return err;
	if (!vf->has_be_features) {
		vf->be_features = f;
		vf->has_be_features = true;
	} else if (vf->started && (vf->features & vf->be_features & ~f)) {
		log_warn(MOD, "%s: the new back-end lacks features %#llx the "
			 "driver uses", vf->path, (unsigned long long)
			 (vf->features & vf->be_features & ~f));
		return -EPROTO;
	}
	return 0;
}

/* Everything the back-end needs to serve the rings.  Lock held. */
static int
vf_setup_rings(struct vhost_front *vf)
{
	struct vhost_user_mem_table mt;
	int fds[VHOST_USER_MAX_REGIONS];
	bool proto = vf->be_features &
		     VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	uint64_t f = vf->features & vf->be_features;
	int err;

	if (proto)
		f |= VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	err = vf_set_u64(vf, VHOST_USER_SET_FEATURES, f);
	if (err)
		return err;

	memset(&mt, 0, sizeof mt);
	mt.nregions = vf->mem->n_regions;
	for (unsigned i = 0; i < vf->mem->n_regions; i++) {
		const struct mem_region *r = &vf->mem->regions[i];

		mt.regions[i] = (struct vhost_user_mem_region) {
			.guest_phys_addr = r->gpa, .size = r->size,
			.userspace_addr = (uint64_t)(uintptr_t)r->host,
			.mmap_offset = r->fd_offset,
		};
		fds[i] = vf->mem->fd;
	}
	err = vf_request(vf, VHOST_USER_SET_MEM_TABLE, &mt,
			 (uint32_t)(8 + sizeof mt.regions[0] * mt.nregions),
			 fds, mt.nregions, true);
	if (err)
		return err;

	for (unsigned i = 0; i < vf->n_queues; i++) {
		const struct net_queue_info *q = &vf->q[i];
		const struct virtq_used *used = q->used;
		uint16_t base = __atomic_load_n(&used->idx, __ATOMIC_ACQUIRE);
		struct vhost_user_vring_addr a = {
			.index = i,
			.desc = (uint64_t)(uintptr_t)q->desc,
			.used = (uint64_t)(uintptr_t)q->used,
			.avail = (uint64_t)(uintptr_t)q->avail,
		};
		uint64_t idx = i;
		int call = q->call_fd >= 0 ? q->call_fd : vf->sink_fd;

		if ((err = vf_set_state(vf, VHOST_USER_SET_VRING_NUM, i,
					q->size)) ||
		    (err = vf_set_state(vf, VHOST_USER_SET_VRING_BASE, i,
					base)) ||
		    (err = vf_request(vf, VHOST_USER_SET_VRING_ADDR, &a,
				      sizeof a, NULL, 0, false)) ||
		    (err = vf_request(vf, VHOST_USER_SET_VRING_KICK, &idx,
				      sizeof idx, &q->kick_fd, 1, false)) ||
		    (err = vf_request(vf, VHOST_USER_SET_VRING_CALL, &idx,
				      sizeof idx, &call, 1, false)))
			return err;
	}
	for (unsigned i = 0; i < vf->n_queues && proto; i++) {
		err = vf_set_state(vf, VHOST_USER_SET_VRING_ENABLE, i, 1);
		if (err)
			return err;
	}
	log_info(MOD, "%s: rings handed over (features %#llx)", vf->path,
		 (unsigned long long)f);
	return 0;
}

/* Stops the rings (device reset).  Lock held. */
static int
vf_stop_rings(struct vhost_front *vf)
{
	bool proto = vf->be_features &
		     VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	struct vhost_user_vring_state st;
	int err;

	for (unsigned i = 0; i < vf->n_queues && proto; i++) {
		err = vf_set_state(vf, VHOST_USER_SET_VRING_ENABLE, i, 0);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < vf->n_queues; i++) {
		st = (struct vhost_user_vring_state) { .index = i };
		err = vf_send(vf, VHOST_USER_GET_VRING_BASE, 0, &st, sizeof st,
			      NULL, 0);
		if (!err)
			err = vf_recv_reply(vf, VHOST_USER_GET_VRING_BASE, &st,
					    sizeof st);
		if (err)
			return err;
		log_debug(MOD, "%s: ring %u stopped at %u", vf->path, i,
			  st.num);
	}
	return 0;
}

/* ---- connection --------------------------------------------------------- */

static void vf_on_sock(void *arg, int fd, uint32_t events);
static void vf_on_backend_req(void *arg, int fd, uint32_t events);

/* Records whether the set-up on vf->fd is done and derives the link:
 * connected and the back-end saying LINK_UP.  Returns true if the link
 * changed. */
static bool
vf_set_link(struct vhost_front *vf, bool connected)
{
	bool up = connected && vf->be_link;

	vf->connected = connected;
	return atomic_exchange(&vf->link, up) != up;
}

static void
vf_notify_link(struct vhost_front *vf)
{
	if (vf->link_fn)
		vf->link_fn(vf->link_arg);
}

static void
vf_arm_timer(struct vhost_front *vf, bool on)
{
	struct itimerspec its = { 0 };

	if (vf->timer_fd < 0)
		return;
	if (on) {
		its.it_value.tv_nsec = VHOST_FRONT_RETRY_MS * 1000000L;
		its.it_interval = its.it_value;
	}
	timerfd_settime(vf->timer_fd, 0, &its, NULL);
}

/* Runs the set-up on the new connection in vf->fd.  Lock held. */
static int
vf_establish(struct vhost_front *vf)
{
	struct timeval tv = { .tv_sec = VF_REPLY_TIMEOUT_S };
	int err;

	setsockopt(vf->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(vf->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	err = vf_handshake(vf);
	if (!err && vf->started)
		err = vf_setup_rings(vf);
	if (err) {
		log_warn(MOD, "%s: set-up failed: %s", vf->path,
			 strerror(-err));
		return err;
	}
	vf->n_connects++;
	log_info(MOD, "%s: connected to the back-end (%s, connection %lu)%s",
		 vf->path, vf->server ? "accepted" : "connected",
		 vf->n_connects, vf->be_link ? "" : "; its link is down");
	vf_set_link(vf, true);
	return 0;
}

/* Watches the connection and the back-end channel.  Lock held. */
static int
vf_watch(struct vhost_front *vf)
{
	int err = loop_add(vf->loop, vf->fd, vf_on_sock, vf);

	if (!err && vf->req_fd >= 0) {
		err = loop_add(vf->loop, vf->req_fd, vf_on_backend_req, vf);
		if (err)
			loop_del(vf->loop, vf->fd);
	}
	return err;
}

/* Takes a fresh connection 'fd': set-up, then watch it.  Lock held. */
static int
vf_adopt(struct vhost_front *vf, int fd, bool watch)
{
	int err;

	vf->fd = fd;
	err = vf_establish(vf);
	if (!err && watch)
		err = vf_watch(vf);
	if (err) {
		vf_close_channel(vf);
		close(fd);
		vf->fd = -1;
		vf_set_link(vf, false);
	}
	return err;
}

/* Loses the connection (loop thread).  Lock held. */
static void
vf_drop(struct vhost_front *vf, const char *why)
{
	if (vf->fd < 0)
		return;
	loop_del(vf->loop, vf->fd);
	close(vf->fd);
	vf->fd = -1;
	vf_close_channel(vf);
	vf_set_link(vf, false);
	log_warn(MOD, "%s: %s; link down, %s", vf->path, why, vf->server ?
		 "waiting for the back-end to reconnect" : "reconnecting");
	vf_arm_timer(vf, true);
}

/* Called on a vCPU thread when the socket failed mid-request: the loop
 * sees the hang-up and reconnects.  Lock held. */
static void
vf_fail(struct vhost_front *vf, int err)
{
	log_warn_rl(MOD, "%s: %s", vf->path, strerror(-err));
	if (vf->fd >= 0)
		shutdown(vf->fd, SHUT_RDWR);
}

static int
vf_connect_once(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The connection is readable: EOF, an error, or a message the back-end
 * had no reason to send (read and dropped). */
static void
vf_on_sock(void *arg, int fd, uint32_t events)
{
	struct vhost_front *vf = arg;
	bool dropped = false;
	char c;
	ssize_t n;

	pthread_mutex_lock(&vf->lock);
	if (fd != vf->fd)
		goto out_unlock;
	n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
	    (n < 0 && (events & (EPOLLHUP | EPOLLERR)))) {
		vf_drop(vf, n == 0 ? "back-end closed the connection"
				   : "connection error");
		dropped = true;
	} else if (n > 0) {
		struct vhost_user_hdr h;
		uint8_t junk[64];
		int err = vf_read_hdr(vf, &h);

		while (!err && h.size) {
			uint32_t k = h.size < sizeof junk ? h.size
							  : sizeof junk;

			err = vf_read_full(fd, junk, k);
			h.size -= k;
		}
		log_warn_rl(MOD, "%s: unexpected message %u from the "
			    "back-end dropped", vf->path, h.request);
		if (err) {
			vf_drop(vf, "bad message");
			dropped = true;
		}
	}
out_unlock:
	pthread_mutex_unlock(&vf->lock);
	if (dropped)
		vf_notify_link(vf);
}

/* Reads and drops 'size' payload bytes of a back-end request.  Returns 0,
 * or -EPROTO when they are not all there or too many. */
static int
vf_channel_skip(int fd, uint32_t size)
{
	uint8_t junk[VF_BACKEND_REQ_MAX];
	ssize_t n;

	if (size > sizeof junk)
		return -EPROTO;
	if (!size)
		return 0;
	n = recv(fd, junk, size, MSG_DONTWAIT);
	return n == (ssize_t)size ? 0 : -EPROTO;
}

/* Handles one request on the back-end channel.  Returns 1 if the link may
 * have changed, 0 if not, -EPROTO/-errno when the channel must close.
 * Lock held. */
static int
vf_backend_req(struct vhost_front *vf)
{
	struct vhost_user_hdr h, rh;
	uint64_t status = 1;
	int err = 0;
	ssize_t n;

	n = recv(vf->req_fd, &h, sizeof h, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return -errno;
	if ((size_t)n != sizeof h ||
	    (h.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    (h.flags & VHOST_USER_F_REPLY)) {
		log_warn_rl(MOD, "%s: back-end channel: bad header (%zd bytes, "
			    "flags %#x)", vf->path, n, n >= 8 ? h.flags : 0);
		return -EPROTO;
	}
	if (h.request == VHOST_USER_BACKEND_CONFIG_CHANGE_MSG && !h.size) {
		vf->n_config_changes++;
		err = vf_read_link(vf);
		if (err) {
			vf_fail(vf, err);
			return 0;       /* the loop sees the socket go down */
		}
		status = 0;
	} else {
		log_warn_rl(MOD, "%s: back-end channel: request %u with %u "
			    "bytes not supported; dropped", vf->path, h.request,
			    h.size);
		err = vf_channel_skip(vf->req_fd, h.size);
		if (err)
			return err;
	}
	if ((h.flags & VHOST_USER_F_NEED_REPLY) &&
	    (vf->protocol & VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))) {
		struct iovec iov[2] = {
			{ .iov_base = &rh, .iov_len = sizeof rh },
			{ .iov_base = &status, .iov_len = sizeof status },
		};
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

		rh = (struct vhost_user_hdr) {
			.request = h.request,
			.flags = VHOST_USER_VERSION | VHOST_USER_F_REPLY,
			.size = sizeof status,
		};
		if (sendmsg(vf->req_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) !=
		    (ssize_t)(sizeof rh + sizeof status))
			return -EPROTO;
	}
	return vf_set_link(vf, vf->connected);
}

/* The back-end wrote on its channel: a config change (the link status),
 * or something we drop.  A broken channel is closed; the connection
 * stays, with the link as last read. */
static void
vf_on_backend_req(void *arg, int fd, uint32_t events)
{
	struct vhost_front *vf = arg;
	bool changed = false;
	int r;

	(void)events;
	pthread_mutex_lock(&vf->lock);
	if (fd != vf->req_fd) {
		pthread_mutex_unlock(&vf->lock);
		return;
	}
	r = vf_backend_req(vf);
	if (r < 0) {
		log_warn(MOD, "%s: back-end channel closed (%s); link changes "
			 "are no longer heard until the next connection",
			 vf->path, r == -ECONNRESET ? "by the back-end"
						    : strerror(-r));
		vf_close_channel(vf);
	} else if (r > 0) {
		changed = true;
		log_info(MOD, "%s: the back-end says link %s", vf->path,
			 vf->be_link ? "up" : "down");
	}
	pthread_mutex_unlock(&vf->lock);
	if (changed)
		vf_notify_link(vf);
}

/* Client role: a reconnect attempt. */
static void
vf_on_timer(void *arg, int fd, uint32_t events)
{
	struct vhost_front *vf = arg;
	bool up = false;
	uint64_t ticks;
	int cfd;

	(void)events;
	if (read(fd, &ticks, sizeof ticks) != sizeof ticks)
		return;
	pthread_mutex_lock(&vf->lock);
	if (vf->fd < 0) {
		cfd = vf_connect_once(vf->path);
		if (cfd >= 0 && vf_adopt(vf, cfd, true) == 0) {
			vf_arm_timer(vf, false);
			up = true;
		}
	} else {
		vf_arm_timer(vf, false);
	}
	pthread_mutex_unlock(&vf->lock);
	if (up)
		vf_notify_link(vf);
}

/* Server role: a back-end connects. */
static void
vf_on_accept(void *arg, int fd, uint32_t events)
{
	struct vhost_front *vf = arg;
	bool up = false;
	int cfd;

	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	pthread_mutex_lock(&vf->lock);
	if (vf->fd >= 0) {
		log_warn_rl(MOD, "%s: a second back-end connected; refused",
			    vf->path);
		close(cfd);
	} else if (vf_adopt(vf, cfd, true) == 0) {
		up = true;
	}
	pthread_mutex_unlock(&vf->lock);
	if (up)
		vf_notify_link(vf);
}

/* ---- net back-end ops ---------------------------------------------------- */

static uint64_t
vf_get_features(void *be)
{
	struct vhost_front *vf = be;

	return vf->be_features;
}

static int
vf_start(void *be, uint64_t features, const struct net_queue_info *q,
	 unsigned n_queues)
{
	struct vhost_front *vf = be;
	int err;

	if (n_queues > VF_MAX_QUEUES)
		return -EINVAL;
	pthread_mutex_lock(&vf->lock);
	vf->features = features;
	vf->n_queues = n_queues;
	memcpy(vf->q, q, n_queues * sizeof *q);
	vf->started = true;
	if (vf->fd >= 0) {
		err = vf_setup_rings(vf);
		if (err)
			vf_fail(vf, err);       /* replayed on reconnect */
	}
	pthread_mutex_unlock(&vf->lock);
	return 0;
}

static void
vf_stop(void *be)
{
	struct vhost_front *vf = be;
	int err;

	pthread_mutex_lock(&vf->lock);
	if (vf->started && vf->fd >= 0) {
		err = vf_stop_rings(vf);
		if (err)
			vf_fail(vf, err);
	}
	vf->started = false;
	pthread_mutex_unlock(&vf->lock);
}

static bool
vf_link_up(void *be)
{
	struct vhost_front *vf = be;

	return atomic_load(&vf->link);
}

static void
vf_set_link_notify(void *be, net_link_fn *fn, void *arg)
{
	struct vhost_front *vf = be;

	vf->link_fn = fn;
	vf->link_arg = arg;
}

static void
vf_destroy(void *be)
{
	struct vhost_front *vf = be;

	if (!vf)
		return;
	if (vf->fd >= 0) {
		loop_del(vf->loop, vf->fd);
		close(vf->fd);
	}
	vf_close_channel(vf);
	if (vf->listen_fd >= 0) {
		loop_del(vf->loop, vf->listen_fd);
		close(vf->listen_fd);
		unlink(vf->path);
	}
	if (vf->timer_fd >= 0) {
		loop_del(vf->loop, vf->timer_fd);
		close(vf->timer_fd);
	}
	if (vf->sink_fd >= 0)
		close(vf->sink_fd);
	pthread_mutex_destroy(&vf->lock);
	free(vf);
}

const struct net_backend_ops vhost_front_ops = {
	.name = "vhost-user",
	.owns_queues = true,
	.get_features = vf_get_features,
	.start = vf_start,
	.stop = vf_stop,
	.tx = NULL,
	.link_up = vf_link_up,
	.set_link_notify = vf_set_link_notify,
	.destroy = vf_destroy,
};

/* ---- creation ------------------------------------------------------------ */

static int
vf_listen(struct vhost_front *vf)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int err;

	if (stat(vf->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err(MOD, "%s: exists and is not a socket",
				vf->path);
			return -EEXIST;
		}
		unlink(vf->path);
	}
	vf->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (vf->listen_fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", vf->path);
	if (bind(vf->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(vf->listen_fd, 1) < 0) {
		err = -errno;
		log_err(MOD, "%s: %s", vf->path, strerror(-err));
		close(vf->listen_fd);
		vf->listen_fd = -1;
		return err;
	}
	return 0;
}

/* Waits for the first connection (see vhost_front_create()). */
static int
vf_first_connect(struct vhost_front *vf, int wait_ms, int abort_fd)
{
	uint64_t end = 0;
	struct timespec ts;
	int err = -ETIMEDOUT, last = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000 +
	      (uint64_t)wait_ms;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = vf->server ? vf->listen_fd : -1,
			  .events = POLLIN },
			{ .fd = abort_fd, .events = POLLIN },
		};
		uint64_t now;

		if (!vf->server) {
			int fd = vf_connect_once(vf->path);

			if (fd >= 0)
				return vf_adopt(vf, fd, false);
			last = fd;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		if (now >= end)
			break;
		if (poll(p, 2, vf->server ? (int)(end - now) : 100) < 0 &&
		    errno != EINTR)
			return -errno;
		if (p[1].revents) {
			log_err(MOD, "%s: interrupted while waiting for the "
				"back-end", vf->path);
			return -EINTR;
		}
		if (vf->server && p[0].revents) {
			int fd = accept4(vf->listen_fd, NULL, NULL,
					 SOCK_CLOEXEC);

			if (fd >= 0)
				return vf_adopt(vf, fd, false);
		}
	}
	if (vf->server)
		log_err(MOD, "%s: no back-end connected within %d ms",
			vf->path, wait_ms);
	else
		log_err(MOD, "%s: cannot connect within %d ms: %s", vf->path,
			wait_ms, strerror(-(last ? last : err)));
	return err;
}

void *
vhost_front_create(const char *path, bool server, const struct guest_mem *mem,
		   struct loop *loop, int wait_ms, int abort_fd)
{
	struct vhost_front *vf;
	int err;

	if (strlen(path) >= sizeof vf->path) {
		log_err(MOD, "%s: path too long for a unix socket", path);
		return NULL;
	}
	vf = xcalloc(1, sizeof *vf);
	snprintf(vf->path, sizeof vf->path, "%s", path);
	vf->server = server;
	vf->mem = mem;
	vf->loop = loop;
	vf->fd = vf->listen_fd = vf->timer_fd = vf->req_fd = -1;
	pthread_mutex_init(&vf->lock, NULL);
	atomic_init(&vf->link, false);
	vf->sink_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vf->sink_fd < 0)
		goto out_destroy;
	if (server) {
		if (vf_listen(vf))
			goto out_destroy;
	} else {
		vf->timer_fd = timerfd_create(CLOCK_MONOTONIC,
					      TFD_CLOEXEC | TFD_NONBLOCK);
		if (vf->timer_fd < 0)
			goto out_destroy;
	}
	pthread_mutex_lock(&vf->lock);
	err = vf_first_connect(vf, wait_ms, abort_fd);
	if (!err)
		err = vf_watch(vf);
	pthread_mutex_unlock(&vf->lock);
	if (err)
		goto out_destroy;
	err = server ? loop_add(loop, vf->listen_fd, vf_on_accept, vf)
		     : loop_add(loop, vf->timer_fd, vf_on_timer, vf);
	if (err)
		goto out_destroy;
	return vf;

out_destroy:
	vf_destroy(vf);
	return NULL;
}
