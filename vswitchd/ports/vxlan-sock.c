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
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "util.h"

#define MOD "vxlan"

/* Batches read per wake-up before yielding to other watchers (the watcher
 * is level-triggered, so what is left is read on the next turn). */
#define VXLAN_SOCK_MAX_BATCHES	4

/* A multicast group the socket joined, for 'refs' members. */
struct vxlan_group {
	struct vxlan_addr addr;
	int ifindex;
	unsigned refs;
	struct vxlan_group *next;
};

struct vxlan_sock {
	struct vxlan_addr local;
	uint16_t port;
	int fd;
	struct vxlan_member *members;
	struct vxlan_group *groups;
	unsigned n_watchers;
	struct ev_loop *loop;
	ev_io io;
	struct vxlan_sock_stats stats;
	struct vxlan_sock *next;

	/* Receive buffers, allocated with the socket: VXLAN_SOCK_BATCH of
	 * 'buf_size' bytes (VXLAN_GRO_BUF with UDP_GRO). */
	uint8_t *bufs;
	size_t buf_size;
	struct sockaddr_storage names[VXLAN_SOCK_BATCH];
	struct iovec iov[VXLAN_SOCK_BATCH];
	struct mmsghdr msgs[VXLAN_SOCK_BATCH];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbufs[VXLAN_SOCK_BATCH];

	/* What sock_demux() hands the members. */
	struct vxlan_dgram dg[VXLAN_SOCK_SEGS];
	struct vxlan_member *owner[VXLAN_SOCK_SEGS];
	const struct vxlan_dgram *mine[VXLAN_SOCK_SEGS];
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
	/* Runs of datagrams in one read (see vxlan-sock.h). */
	s->stats.gro = !setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof on);
	if (!s->stats.gro)
		log_info(MOD, "UDP %u: no UDP_GRO (%s): one read per "
			 "datagram", port, strerror(errno));
	s->buf_size = s->stats.gro ? VXLAN_GRO_BUF : VXLAN_DGRAM_MAX;
	s->bufs = xmalloc(VXLAN_SOCK_BATCH * s->buf_size);
	s->next = all_socks;
	all_socks = s;
	*sp = s;
	return 0;
}

static void
sock_close(struct vxlan_sock *s)
{
	struct vxlan_sock **pp = &all_socks;

	ASSERT(!s->members && !s->n_watchers && !s->groups);
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

/* IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP ('join') or their DROP/LEAVE. */
static int
group_membership(const struct vxlan_sock *s, const struct vxlan_group *g,
		 bool join)
{
	int r;

	if (g->addr.family == AF_INET6) {
		struct ipv6_mreq mr = {
			.ipv6mr_multiaddr = g->addr.u.v6,
			.ipv6mr_interface = (unsigned)g->ifindex,
		};

		r = setsockopt(s->fd, IPPROTO_IPV6,
			       join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP,
			       &mr, sizeof mr);
	} else {
		struct ip_mreqn mr = {
			.imr_multiaddr = g->addr.u.v4,
			.imr_ifindex = g->ifindex,
		};

		r = setsockopt(s->fd, IPPROTO_IP,
			       join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
			       &mr, sizeof mr);
	}
	return r ? -errno : 0;
}

int
vxlan_sock_join_group(struct vxlan_member *m, const struct vxlan_addr *group,
		      int ifindex, char **msgp)
{
	struct vxlan_sock *s = m->sock;
	struct vxlan_group *g;
	int err;

	ASSERT(s && !m->group && group->family == s->local.family);
	for (g = s->groups; g; g = g->next)
		if (g->ifindex == ifindex && vxlan_addr_equal(&g->addr, group))
			break;
	if (!g) {
		char addr[VXLAN_ADDR_STRLEN];

		g = xcalloc(1, sizeof *g);
		g->addr = *group;
		g->ifindex = ifindex;
		if ((err = group_membership(s, g, true))) {
			vxlan_addr_format(group, addr, sizeof addr);
			*msgp = xasprintf("cannot join group %s: %s", addr,
					  strerror(-err));
			free(g);
			return err;
		}
		g->next = s->groups;
		s->groups = g;
	}
	g->refs++;
	m->group = g;
	return 0;
}

/* Drops 'm''s group membership; the last member leaves the group. */
static void
group_leave(struct vxlan_sock *s, struct vxlan_member *m)
{
	struct vxlan_group *g = m->group, **pp;

	if (!g)
		return;
	m->group = NULL;
	if (--g->refs)
		return;
	group_membership(s, g, false);
	for (pp = &s->groups; *pp != g; pp = &(*pp)->next)
		;
	*pp = g->next;
	free(g);
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
	m->group = NULL;
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
	group_leave(s, m);
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
		s->iov[i].iov_base = s->bufs + (size_t)i * s->buf_size;
		s->iov[i].iov_len = s->buf_size;
		memset(&s->msgs[i].msg_hdr, 0, sizeof s->msgs[i].msg_hdr);
		s->msgs[i].msg_hdr.msg_name = &s->names[i];
		s->msgs[i].msg_hdr.msg_namelen = sizeof s->names[i];
		s->msgs[i].msg_hdr.msg_iov = &s->iov[i];
		s->msgs[i].msg_hdr.msg_iovlen = 1;
		if (s->stats.gro) {
			s->msgs[i].msg_hdr.msg_control = s->cbufs[i].buf;
			s->msgs[i].msg_hdr.msg_controllen =
				sizeof s->cbufs[i].buf;
		}
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

/* Hands each member its datagrams among the 'n' in s->dg, in arrival
 * order.  A member's input may not leave the socket (it runs the
 * datapath, which adds or removes no ports), so the list is stable. */
static void
sock_dispatch(struct vxlan_sock *s, int n, int n_owned)
{
	for (struct vxlan_member *m = s->members; m && n_owned; m = m->next) {
		int k = 0;

		for (int i = 0; i < n; i++)
			if (s->owner[i] == m)
				s->mine[k++] = &s->dg[i];
		if (k) {
			n_owned -= k;
			m->input(m, s->mine, k);
		}
	}
}

/* The segment size of a coalesced run (UDP_GRO control message), or 0. */
static size_t
gro_seg_size(const struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c;
	     c = CMSG_NXTHDR((struct msghdr *)h, c)) {
		int v;

		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof v)) {
			memcpy(&v, CMSG_DATA(c), sizeof v);
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

/* Checks the headers of a batch of 'n' reads, each a datagram or a run
 * of them, and hands each member its datagrams, VXLAN_SOCK_SEGS at a
 * time. */
static void
sock_demux(struct vxlan_sock *s, int n)
{
	int k = 0, n_owned = 0;

	for (int i = 0; i < n; i++) {
		struct msghdr *h = &s->msgs[i].msg_hdr;
		const uint8_t *buf = s->iov[i].iov_base;
		size_t len = s->msgs[i].msg_len, seg = 0, off = 0;
		bool truncated = (h->msg_flags & MSG_TRUNC) != 0;
		struct vxlan_addr src;

		if (len > s->buf_size)		/* never, but cheap to say */
			len = s->buf_size;
		/* A run cut short by the buffer (never: it holds one IP
		 * datagram) is not split: one oversize datagram. */
		if (s->stats.gro && !truncated && (seg = gro_seg_size(h)) &&
		    seg < len) {
			s->stats.rx_gro_runs++;
			s->stats.rx_gro_segs += (len + seg - 1) / seg;
		} else {
			seg = len;
		}
		if (!vxlan_addr_from_sockaddr((struct sockaddr *)h->msg_name,
					      &src))
			memset(&src, 0, sizeof src);
		/* A run goes to the members whole where it fits, so a port
		 * can regrow it into one frame. */
		if (k && k + (seg ? (len + seg - 1) / seg : 1) >
			 VXLAN_SOCK_SEGS) {
			sock_dispatch(s, k, n_owned);
			k = n_owned = 0;
		}
		/* Once for a datagram (even an empty one), once per
		 * segment of a run. */
		do {
			size_t dlen = len - off < seg ? len - off : seg;
			struct vxlan_dgram *d = &s->dg[k];
			uint32_t vni;

			if (k == VXLAN_SOCK_SEGS) {
				sock_dispatch(s, k, n_owned);
				k = n_owned = 0;
				d = &s->dg[0];
			}
			s->stats.rx_datagrams++;
			s->owner[k] = NULL;
			switch (vxlan_hdr_decode(buf + off, dlen, &vni)) {
			case VXLAN_HDR_SHORT:
				s->stats.rx_short++;
				goto next;
			case VXLAN_HDR_NO_I_FLAG:
				s->stats.rx_bad_flags++;
				goto next;
			case VXLAN_HDR_OK:
				break;
			}
			if (!(s->owner[k] = member_find(s, vni))) {
				s->stats.rx_unknown_vni++;
				goto next;
			}
			d->frame = buf + off + VXLAN_HDR_LEN;
			d->len = dlen - VXLAN_HDR_LEN;
			d->truncated = truncated;
			d->src = src;
			n_owned++;
next:
			k++;
			off += seg;
		} while (off < len);
	}
	sock_dispatch(s, k, n_owned);
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
