/*
 * vxlan-sock.c - shared VXLAN receive sockets (see vxlan-sock.h).
 *
 * Sockets are few (one per address family and port in use), so they sit
 * in one list and members are found by walking it; a VNI is found by
 * walking the socket's members.  Both lists are as long as the number of
 * VXLAN ports, which an administrator creates one by one.
 */
#include "vxlan-sock.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "util.h"

#define MOD "vxlan"

/* Batches read per wake-up before yielding to other watchers (the watcher
 * is level-triggered, so what is left is read on the next turn). */
#define VXLAN_SOCK_MAX_BATCHES	4

struct vxlan_sock {
	struct vxlan_addr local;
	uint16_t port;
	int fd;
	struct vxlan_member *members;
	unsigned n_watchers;
	struct ev_loop *loop;
	ev_io io;
	struct vxlan_sock_stats stats;
	struct vxlan_sock *next;

	/* Receive buffers, allocated with the socket. */
	uint8_t (*bufs)[VXLAN_DGRAM_MAX];
	struct sockaddr_storage names[VXLAN_SOCK_BATCH];
	struct iovec iov[VXLAN_SOCK_BATCH];
	struct mmsghdr msgs[VXLAN_SOCK_BATCH];
};

static struct vxlan_sock *all_socks;

static void sock_on_readable(struct ev_loop *loop, ev_io *w, int revents);

static struct vxlan_sock *
sock_find(const struct vxlan_addr *local, uint16_t port)
{
	for (struct vxlan_sock *s = all_socks; s; s = s->next)
		if (s->port == port && vxlan_addr_equal(&s->local, local))
			return s;
	return NULL;
}

static int
sock_open(const struct vxlan_addr *local, uint16_t port,
	  struct vxlan_sock **sp, char **msgp)
{
	char addr[VXLAN_ADDR_STRLEN];
	struct sockaddr_storage ss;
	struct vxlan_sock *s;
	socklen_t sslen;
	int fd, on = 1, rcvbuf = 4 << 20, err;

	vxlan_addr_format(local, addr, sizeof addr);
	fd = socket(local->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_UDP);
	if (fd < 0) {
		err = -errno;
		*msgp = xasprintf("cannot open a UDP socket for %s: %s", addr,
				  strerror(-err));
		return err;
	}
	/* An IPv6 socket for :: must not take IPv4 too: the IPv4 ports
	 * have their own socket on the same UDP port. */
	if (local->family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	/* A burst of tunnelled traffic should queue, not drop, while the
	 * loop is busy; the kernel caps this at rmem_max. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	sslen = vxlan_addr_to_sockaddr(local, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sslen)) {
		err = -errno;
		*msgp = xasprintf("cannot bind UDP %s%s%s:%u: %s",
				  local->family == AF_INET6 ? "[" : "", addr,
				  local->family == AF_INET6 ? "]" : "",
				  port, strerror(-err));
		close(fd);
		return err;
	}
	s = xcalloc(1, sizeof *s);
	s->local = *local;
	s->port = port;
	s->fd = fd;
	s->bufs = xmalloc(VXLAN_SOCK_BATCH * sizeof *s->bufs);
	s->next = all_socks;
	all_socks = s;
	*sp = s;
	return 0;
}

static void
sock_close(struct vxlan_sock *s)
{
	struct vxlan_sock **pp = &all_socks;

	ASSERT(!s->members && !s->n_watchers);
	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	close(s->fd);
	free(s->bufs);
	free(s);
}

static struct vxlan_member *
member_find(const struct vxlan_sock *s, uint32_t vni)
{
	for (struct vxlan_member *m = s->members; m; m = m->next)
		if (m->vni == vni)
			return m;
	return NULL;
}

int
vxlan_sock_join(struct vxlan_member *m, sa_family_t family, uint16_t port,
		char **msgp)
{
	struct vxlan_addr any = { .family = family };
	struct vxlan_sock *s = sock_find(&any, port);
	struct vxlan_member *other;
	int err;

	m->sock = NULL;
	m->watched = false;
	if (s && (other = member_find(s, m->vni))) {
		*msgp = xasprintf("vni %u is already used by %s on UDP port "
				  "%u", m->vni,
				  other->name ? other->name : "another port",
				  port);
		return -EEXIST;
	}
	if (!s && (err = sock_open(&any, port, &s, msgp)))
		return err;
	m->sock = s;
	m->next = s->members;
	s->members = m;
	return 0;
}

void
vxlan_sock_leave(struct vxlan_member *m)
{
	struct vxlan_sock *s = m->sock;
	struct vxlan_member **pp;

	if (!s)
		return;
	vxlan_sock_watch(m, NULL);
	for (pp = &s->members; *pp != m; pp = &(*pp)->next)
		ASSERT(*pp);
	*pp = m->next;
	m->sock = NULL;
	if (!s->members)
		sock_close(s);
}

void
vxlan_sock_watch(struct vxlan_member *m, struct ev_loop *loop)
{
	struct vxlan_sock *s = m->sock;

	if (!s || m->watched == (loop != NULL))
		return;
	m->watched = loop != NULL;
	if (loop) {
		/* One loop per process (STYLE), so every member passes the
		 * same one. */
		ASSERT(!s->loop || s->loop == loop);
		if (s->n_watchers++ == 0) {
			ev_io_init(&s->io, sock_on_readable, s->fd, EV_READ);
			ev_io_start(loop, &s->io);
			s->loop = loop;
		}
	} else if (--s->n_watchers == 0) {
		ev_io_stop(s->loop, &s->io);
		s->loop = NULL;
	}
}

int
vxlan_sock_fd(const struct vxlan_member *m)
{
	return m->sock ? m->sock->fd : -1;
}

const struct vxlan_sock_stats *
vxlan_sock_stats(const struct vxlan_member *m)
{
	static const struct vxlan_sock_stats none;

	return m->sock ? &m->sock->stats : &none;
}

/* Reads one batch; returns how many datagrams, 0 when none was pending. */
static int
sock_read_batch(struct vxlan_sock *s)
{
	int n;

	for (int i = 0; i < VXLAN_SOCK_BATCH; i++) {
		s->iov[i].iov_base = s->bufs[i];
		s->iov[i].iov_len = VXLAN_DGRAM_MAX;
		memset(&s->msgs[i].msg_hdr, 0, sizeof s->msgs[i].msg_hdr);
		s->msgs[i].msg_hdr.msg_name = &s->names[i];
		s->msgs[i].msg_hdr.msg_namelen = sizeof s->names[i];
		s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
		s->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	do {
		n = recvmmsg(s->fd, s->msgs, VXLAN_SOCK_BATCH, MSG_DONTWAIT,
			     NULL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			s->stats.rx_errors++;
		return 0;
	}
	return n;
}

/* Checks the headers of a batch of 'n' and hands each member its
 * datagrams. */
static void
sock_demux(struct vxlan_sock *s, int n)
{
	struct vxlan_dgram dg[VXLAN_SOCK_BATCH];
	struct vxlan_member *owner[VXLAN_SOCK_BATCH];
	const struct vxlan_dgram *mine[VXLAN_SOCK_BATCH];
	int n_owned = 0;

	for (int i = 0; i < n; i++) {
		struct msghdr *h = &s->msgs[i].msg_hdr;
		size_t len = s->msgs[i].msg_len;
		uint32_t vni;

		owner[i] = NULL;
		s->stats.rx_datagrams++;
		if (len > VXLAN_DGRAM_MAX)	/* never, but cheap to say */
			len = VXLAN_DGRAM_MAX;
		switch (vxlan_hdr_decode(s->bufs[i], len, &vni)) {
		case VXLAN_HDR_SHORT:
			s->stats.rx_short++;
			continue;
		case VXLAN_HDR_NO_I_FLAG:
			s->stats.rx_bad_flags++;
			continue;
		case VXLAN_HDR_OK:
			break;
		}
		if (!(owner[i] = member_find(s, vni))) {
			s->stats.rx_unknown_vni++;
			continue;
		}
		dg[i].frame = s->bufs[i] + VXLAN_HDR_LEN;
		dg[i].len = len - VXLAN_HDR_LEN;
		dg[i].truncated = (h->msg_flags & MSG_TRUNC) != 0;
		if (!vxlan_addr_from_sockaddr((struct sockaddr *)h->msg_name,
					      &dg[i].src))
			memset(&dg[i].src, 0, sizeof dg[i].src);
		n_owned++;
	}
	/* Per member, in arrival order.  A member's input may not leave
	 * the socket (it runs the datapath, which adds or removes no
	 * ports), so the list is stable here. */
	for (struct vxlan_member *m = s->members; m && n_owned; m = m->next) {
		int k = 0;

		for (int i = 0; i < n; i++)
			if (owner[i] == m)
				mine[k++] = &dg[i];
		if (k) {
			n_owned -= k;
			m->input(m, mine, k);
		}
	}
}

static void
sock_on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vxlan_sock *s = container_of(w, struct vxlan_sock, io);

	(void)loop;
	(void)revents;
	for (int b = 0; b < VXLAN_SOCK_MAX_BATCHES; b++) {
		int n = sock_read_batch(s);

		if (!n)
			break;
		sock_demux(s, n);
		if (n < VXLAN_SOCK_BATCH)
			break;
	}
}
