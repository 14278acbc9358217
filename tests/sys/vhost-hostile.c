/*
 * vhost-hostile.c - a small vhost-user front-end that attacks vswitchd.
 *
 * Usage: vhost-hostile HOSTILE_SOCK GOOD_SOCK [HOG_SOCK]
 *
 * Two front-ends on two ports of one bridge: "bad" (HOSTILE_SOCK) sends
 * out-of-range, zero-length and huge descriptors, descriptor and indirect
 * loops, out-of-range heads, avail index jumps, overlapping and tiny
 * memory tables, wrong-sized, oversized and unknown messages, a memory
 * file truncated under vswitchd's mapping, and GET_CONFIG reads out of
 * range or of the wrong size and a misused back-end channel.  After each
 * case the program checks that vswitchd still answers on the bad socket
 * and, after resetting the bad port's TX ring as a front-end would, that a
 * broadcast frame from "bad" still reaches "good" (GOOD_SOCK).  Exit
 * status 0 only if every case passed; the caller checks vswitchd's
 * counters in its log.
 *
 * With HOG_SOCK (a third port of the bridge), a last case: a guest that
 * never returns RX buffers.  "hog" posts QSZ receive buffers once and never
 * takes back what vswitchd fills; "bad" then floods HOG_FRAMES broadcast
 * frames.  "good" must receive every one of them, the hog's ring exactly
 * QSZ (the rest is dropped, counted by vswitchd: the caller checks).
 *
 * With --link SOCK: a fresh front-end prints the link status the port
 * reports (GET_CONFIG), so the caller can check a front-end connecting
 * after 'carrier off' learns it.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vhost-user.h"
#include "virtio-net.h"

#define MEM_SIZE  0x100000u
#define QSZ       64
#define RING_OFF(q) (0x1000u + (q) * 0x3000u)	/* desc, +0x400 avail, +0x800 used */
#define BUF_OFF(q)  (0x10000u + (q) * 0x40000u)
#define BUF_SIZE  2048u

struct fe {
	const char *path;
	int sock;
	int memfd;
	uint8_t *mem;
	int kick[2], call[2];
	uint16_t avail_idx[2];
	uint16_t used_seen[2];
};

static int failures;

static void
fail(const char *what)
{
	fprintf(stderr, "FAIL: %s\n", what);
	failures++;
}

static struct virtq_desc *
q_desc(struct fe *f, int q)
{
	return (struct virtq_desc *)(void *)(f->mem + RING_OFF(q));
}

static struct virtq_avail *
q_avail(struct fe *f, int q)
{
	return (struct virtq_avail *)(void *)(f->mem + RING_OFF(q) + 0x400);
}

static struct virtq_used *
q_used(struct fe *f, int q)
{
	return (struct virtq_used *)(void *)(f->mem + RING_OFF(q) + 0x800);
}

static uint64_t
gpa(uint64_t off)
{
	return off;	/* guest-physical = offset in the memfd */
}

static uint64_t
uva(struct fe *f, uint64_t off)
{
	return (uint64_t)(uintptr_t)f->mem + off;
}

static int
send_raw(struct fe *f, uint32_t req, uint32_t flags, const void *p,
	 uint32_t size, uint32_t wire_size, const int *fds, unsigned nfds)
{
	struct vhost_user_hdr h = { req, VHOST_USER_VERSION | flags,
				    wire_size };
	struct iovec iov[2] = { { &h, sizeof h }, { (void *)p, size } };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };

	if (nfds) {
		struct cmsghdr *c;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	return sendmsg(f->sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

static int
send_msg(struct fe *f, uint32_t req, uint32_t flags, const void *p,
	 uint32_t size, const int *fds, unsigned nfds)
{
	return send_raw(f, req, flags, p, size, size, fds, nfds);
}

/* Reads one reply; returns its u64 (or state.num), -1 on timeout/EOF. */
static int64_t
recv_reply(struct fe *f)
{
	struct pollfd pfd = { f->sock, POLLIN, 0 };
	struct vhost_user_hdr h;
	union vhost_user_payload p;

	if (poll(&pfd, 1, 2000) != 1 ||
	    recv(f->sock, &h, sizeof h, MSG_WAITALL) != sizeof h ||
	    h.size > sizeof p ||
	    (h.size && recv(f->sock, &p, h.size, MSG_WAITALL) != h.size))
		return -1;
	if (h.flags != (VHOST_USER_VERSION | VHOST_USER_F_REPLY))
		return -1;
	return h.size == 8 && h.request == VHOST_USER_GET_VRING_BASE ?
	       (int64_t)p.state.num : (int64_t)p.u64;
}

/* Sends with NEED_REPLY and returns the ack value (0 ok), -1 if none. */
static int64_t
request_ack(struct fe *f, uint32_t req, const void *p, uint32_t size,
	    const int *fds, unsigned nfds)
{
	if (send_msg(f, req, VHOST_USER_F_NEED_REPLY, p, size, fds, nfds))
		return -1;
	return recv_reply(f);
}

static void
fe_connect(struct fe *f)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", f->path);
	for (int i = 0; i < 100; i++) {
		f->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (!connect(f->sock, (struct sockaddr *)&sun, sizeof sun))
			return;
		close(f->sock);
		usleep(50000);
	}
	fprintf(stderr, "cannot connect to %s\n", f->path);
	exit(2);
}

static int64_t
send_mem_table(struct fe *f, uint64_t size)
{
	struct vhost_user_mem_table t = { .nregions = 1 };

	t.regions[0] = (struct vhost_user_mem_region){ 0, size, uva(f, 0), 0 };
	return request_ack(f, VHOST_USER_SET_MEM_TABLE, &t, 8 + 32, &f->memfd,
			   1);
}

static int64_t
setup_vring(struct fe *f, int q)
{
	struct vhost_user_vring_state num = { (uint32_t)q, QSZ };
	struct vhost_user_vring_state base = { (uint32_t)q, 0 };
	struct vhost_user_vring_state en = { (uint32_t)q, 1 };
	struct vhost_user_vring_addr a = {
		.index = (uint32_t)q,
		.desc = uva(f, RING_OFF(q)),
		.avail = uva(f, RING_OFF(q) + 0x400),
		.used = uva(f, RING_OFF(q) + 0x800),
	};
	uint64_t idx = (uint64_t)q;
	int64_t r = 0;

	memset(f->mem + RING_OFF(q), 0, 0x3000);
	f->avail_idx[q] = 0;
	f->used_seen[q] = 0;
	r |= request_ack(f, VHOST_USER_SET_VRING_CALL, &idx, 8, &f->call[q], 1);
	r |= request_ack(f, VHOST_USER_SET_VRING_NUM, &num, sizeof num, NULL, 0);
	r |= request_ack(f, VHOST_USER_SET_VRING_BASE, &base, sizeof base, NULL,
			 0);
	r |= request_ack(f, VHOST_USER_SET_VRING_ADDR, &a, sizeof a, NULL, 0);
	r |= request_ack(f, VHOST_USER_SET_VRING_KICK, &idx, 8, &f->kick[q], 1);
	r |= request_ack(f, VHOST_USER_SET_VRING_ENABLE, &en, sizeof en, NULL,
			 0);
	return r;
}

static void
fe_setup(struct fe *f)
{
	uint64_t feat = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	uint64_t proto = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK);

	fe_connect(f);
	send_msg(f, VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0);
	send_msg(f, VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0);
	if (recv_reply(f) < 0)
		fail("GET_FEATURES");
	send_msg(f, VHOST_USER_SET_PROTOCOL_FEATURES, 0, &proto, 8, NULL, 0);
	if (request_ack(f, VHOST_USER_SET_FEATURES, &feat, 8, NULL, 0) != 0)
		fail("SET_FEATURES");
	if (send_mem_table(f, MEM_SIZE) != 0)
		fail("SET_MEM_TABLE");
	if (setup_vring(f, 0) || setup_vring(f, 1))
		fail("vring setup");
}

static void
fe_init(struct fe *f, const char *path)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	f->memfd = memfd_create("hostile-guest", MFD_CLOEXEC);
	if (f->memfd < 0 || ftruncate(f->memfd, MEM_SIZE))
		exit(2);
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f->memfd, 0);
	if (f->mem == MAP_FAILED)
		exit(2);
	for (int q = 0; q < 2; q++) {
		f->kick[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		f->call[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	fe_setup(f);
}

/* Makes 'head' available on queue 'q' and kicks. */
static void
make_avail(struct fe *f, int q, uint16_t head)
{
	struct virtq_avail *a = q_avail(f, q);

	a->ring[f->avail_idx[q] % QSZ] = head;
	f->avail_idx[q]++;
	__atomic_store_n(&a->idx, f->avail_idx[q], __ATOMIC_RELEASE);
	eventfd_write(f->kick[q], 1);
}

/* Posts 'n' receive buffers on queue 0. */
static void
post_rx(struct fe *f, int n)
{
	for (int i = 0; i < n; i++) {
		uint16_t d = (uint16_t)(f->avail_idx[0] % QSZ);

		q_desc(f, 0)[d] = (struct virtq_desc){
			gpa(BUF_OFF(0) + d * BUF_SIZE), BUF_SIZE,
			VIRTQ_DESC_F_WRITE, 0 };
		make_avail(f, 0, d);
	}
}

/* Sends a 60-byte broadcast frame with marker 'tag' as one descriptor. */
static void
send_frame(struct fe *f, uint8_t tag)
{
	uint16_t d = (uint16_t)(f->avail_idx[1] % QSZ);
	uint8_t *b = f->mem + BUF_OFF(1) + d * BUF_SIZE;

	memset(b, 0, 12 + 60);
	memset(b + 12, 0xff, 6);
	memcpy(b + 18, "\x02\x00\x00\x00\xba\xd0", 6);
	b[24] = 0x88;
	b[25] = 0xb5;
	b[26] = tag;
	q_desc(f, 1)[d] = (struct virtq_desc){ gpa(BUF_OFF(1) + d * BUF_SIZE),
					       12 + 60, 0, 0 };
	make_avail(f, 1, d);
}

/* Counts frames with marker 'tag' arriving on the good port's RX ring
 * (re-posting each buffer) until 'want' came or 2 s passed. */
static unsigned
count_received(struct fe *g, uint8_t tag, unsigned want)
{
	unsigned got = 0;

	for (int t = 0; t < 200 && got < want; t++) {
		struct virtq_used *u = q_used(g, 0);

		while (g->used_seen[0] != __atomic_load_n(&u->idx,
							  __ATOMIC_ACQUIRE)) {
			struct virtq_used_elem e = u->ring[g->used_seen[0] % QSZ];
			uint8_t *b = g->mem + BUF_OFF(0) + e.id * BUF_SIZE;

			g->used_seen[0]++;
			post_rx(g, 1);
			if (e.len == 72 && b[12 + 14] == tag)
				got++;
		}
		if (got < want)
			usleep(10000);
	}
	return got;
}

/* Waits for a frame with marker 'tag' on the good port's RX ring. */
static bool
received(struct fe *g, uint8_t tag)
{
	return count_received(g, tag, 1) == 1;
}

static bool
alive(struct fe *f)
{
	send_msg(f, VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0);
	return recv_reply(f) > 0;
}

/* Resets the bad port's TX ring as a front-end would: stop it
 * (GET_VRING_BASE), then set it up from scratch. */
static void
reset_tx(struct fe *f)
{
	struct vhost_user_vring_state s = { 1, 0 };

	send_msg(f, VHOST_USER_GET_VRING_BASE, 0, &s, sizeof s, NULL, 0);
	if (recv_reply(f) < 0)
		fail("GET_VRING_BASE");
	if (setup_vring(f, 1))
		fail("vring 1 re-setup");
}

static void
check_case(const char *name, struct fe *bad, struct fe *good, uint8_t tag)
{
	usleep(100000);
	if (!alive(bad)) {
		/* Some cases make vswitchd drop the connection: reconnect. */
		close(bad->sock);
		fe_setup(bad);
	} else {
		reset_tx(bad);
	}
	send_frame(bad, tag);
	if (!received(good, tag)) {
		fail(name);
		return;
	}
	printf("ok: %s\n", name);
}

/* GET_CONFIG of 'size' bytes at 'offset', announcing 'wire' payload
 * bytes (the right size if 0), with 'nfds' fds.  Returns the reply's
 * payload size (0: refused), -1 if no reply came. */
static int
get_config(struct fe *f, uint32_t offset, uint32_t size, uint32_t wire,
	   int fd, uint16_t *status)
{
	struct vhost_user_config c = { .offset = offset, .size = size };
	struct pollfd pfd = { f->sock, POLLIN, 0 };
	struct vhost_user_hdr h;

	if (!wire)
		wire = VHOST_USER_CONFIG_HDR_SIZE + size;
	if (send_raw(f, VHOST_USER_GET_CONFIG, 0, &c,
		     wire < sizeof c ? wire : sizeof c, wire, &fd,
		     fd >= 0 ? 1 : 0))
		return -1;
	if (poll(&pfd, 1, 2000) != 1 ||
	    recv(f->sock, &h, sizeof h, MSG_WAITALL) != sizeof h ||
	    h.request != VHOST_USER_GET_CONFIG || h.size > sizeof c ||
	    h.flags != (VHOST_USER_VERSION | VHOST_USER_F_REPLY) ||
	    (h.size && recv(f->sock, &c, h.size, MSG_WAITALL) != h.size))
		return -1;
	if (h.size && status)
		*status = (uint16_t)(c.region[0] | c.region[1] << 8);
	return (int)h.size;
}

/* Case 12 (see main). */
static void
config_case(struct fe *f)
{
	uint64_t proto = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
			 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |
			 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG);
	static const struct { uint32_t off, size, wire; const char *what; }
	bad[] = {
		{ 10, 1, 0, "offset past the config space" },
		{ 8, 4, 0, "read running past the end" },
		{ 0xfffffffe, 4, 0, "offset near 2^32" },
		{ 0, 0, 0, "empty read" },
		{ 0, 256, 0, "256-byte read" },
		{ 0, 2, 16, "payload longer than the read" },
		{ 0, 2, 8, "payload shorter than its header" },
	};
	uint16_t status = 0;
	int sv[2], efd = eventfd(0, EFD_CLOEXEC);

	if (get_config(f, 6, 2, 0, -1, NULL) != 0)
		fail("GET_CONFIG before CONFIG was negotiated not refused");
	if (request_ack(f, VHOST_USER_SET_PROTOCOL_FEATURES, &proto, 8, NULL,
			0) != 0)
		fail("SET_PROTOCOL_FEATURES with BACKEND_REQ and CONFIG");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (get_config(f, bad[i].off, bad[i].size, bad[i].wire, -1,
			       NULL) != 0)
			fail(bad[i].what);
	if (get_config(f, 6, 2, 0, efd, NULL) != 0)
		fail("GET_CONFIG with an fd not refused");
	if (get_config(f, 6, 2, 0, -1, &status) != 14 ||
	    !(status & VIRTIO_NET_S_LINK_UP))
		fail("GET_CONFIG of the status: no link up");
	/* The back-end channel: an eventfd, no fd, then a real socket that
	 * we write junk to (vswitchd never reads it: we get EPIPE). */
	if (request_ack(f, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, &efd, 1) !=
	    1)
		fail("SET_BACKEND_REQ_FD with an eventfd not refused");
	if (request_ack(f, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, NULL, 0) !=
	    1)
		fail("SET_BACKEND_REQ_FD without an fd not refused");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    request_ack(f, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, &sv[1],
			1) != 0) {
		fail("SET_BACKEND_REQ_FD with a socket refused");
	} else {
		char junk[4096] = { 0 };

		if (send(sv[0], junk, sizeof junk, MSG_NOSIGNAL |
			 MSG_DONTWAIT) >= 0 || errno != EPIPE)
			fail("the back-end channel accepted our writes");
		close(sv[0]);
		close(sv[1]);
	}
	close(efd);
	/* A read announcing 64 KiB: framing error, connection dropped
	 * (check_case reconnects). */
	if (get_config(f, 0, 65536, 0, -1, NULL) >= 0)
		fail("a 64 KiB GET_CONFIG was answered");
	printf("GET_CONFIG: %zu bad reads refused, status %#x read\n",
	       sizeof bad / sizeof bad[0] + 2, status);
}

/* Case 14: TCP super-frames from a guest (issue 15). */
#define GSO_TCPV4   1		/* VIRTIO_NET_HDR_GSO_* */
#define GSO_UDP     3
#define GSO_TCPV6   4
#define GSO_PAYLOAD 2500u
#define GSO_MSS     1000u
/* One buffer per frame in flight, past the 64 TX slots. */
#define GSO_BUF(k)  (BUF_OFF(1) + 0x20000u + (k) % 8 * 0x1000u)

static uint32_t
sum16(const uint8_t *b, uint32_t len, uint32_t sum)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static uint16_t
fold16(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Queues on f's TX ring, at guest offset 'off', one TCP/IPv4 frame of
 * 'payload' bytes (pattern from 'tag') with a virtio-net header of
 * gso_type, flags and gso_size 'mss'. */
static void
send_tcp_at(struct fe *f, uint64_t off, uint32_t payload, uint16_t mss,
	    uint8_t gso_type, uint8_t flags, uint8_t tag)
{
	uint8_t *b = f->mem + off, *ip = b + 12 + 14, *tcp = ip + 20;
	uint16_t d = (uint16_t)(f->avail_idx[1] % QSZ);
	uint32_t len = 14 + 20 + 20 + payload, ps;
	struct virtio_net_hdr h = {
		.flags = flags, .gso_type = gso_type, .hdr_len = 54,
		.gso_size = mss, .csum_start = 34, .csum_offset = 16,
	};

	memset(b, 0, 12 + 54);
	memcpy(b, &h, sizeof h);
	memset(b + 12, 0xff, 6);
	memcpy(b + 18, "\x02\x00\x00\x00\xba\xd0\x08\x00", 8);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[6] = 0x40;			/* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	tcp[0] = 0x04;			/* port 1234 -> 80 + tag */
	tcp[1] = 0xd2;
	tcp[3] = (uint8_t)(80 + tag);
	tcp[4] = 0x10;			/* seq 0x10000000 */
	tcp[12] = 0x50;
	tcp[13] = 0x18;			/* PSH ACK */
	tcp[14] = 0xff;
	tcp[15] = 0xff;
	for (uint32_t i = 0; i < payload; i++)
		tcp[20 + i] = (uint8_t)(tag + i);
	/* NEEDS_CSUM: the field holds the pseudo-header sum, not inverted. */
	ps = fold16(sum16(ip + 12, 8, 6 + len - 34));
	tcp[16] = (uint8_t)(ps >> 8);
	tcp[17] = (uint8_t)ps;
	q_desc(f, 1)[d] = (struct virtq_desc){ gpa(off), 12 + len, 0, 0 };
	make_avail(f, 1, d);
}

/* send_tcp_at() of a GSO_PAYLOAD-byte frame, mss GSO_MSS. */
static void
send_gso(struct fe *f, uint8_t gso_type, uint8_t flags, uint8_t tag)
{
	static unsigned k;

	send_tcp_at(f, GSO_BUF(k++), GSO_PAYLOAD, GSO_MSS, gso_type, flags,
		    tag);
}

/* Collects on g's RX ring the segments of send_gso(tag) until 'want'
 * came or 2 s passed; each must be a complete frame: no offload in its
 * header, at most GSO_MSS payload bytes, IPv4 and TCP checksums right,
 * payload in sequence.  Returns the count, -1 on a bad segment. */
static int
gso_received(struct fe *g, uint8_t tag, int want)
{
	int got = 0;
	uint32_t next_off = 0;

	for (int t = 0; t < 200 && got < want; t++) {
		struct virtq_used *u = q_used(g, 0);

		while (got < want &&
		       g->used_seen[0] != __atomic_load_n(&u->idx,
							  __ATOMIC_ACQUIRE)) {
			struct virtq_used_elem e = u->ring[g->used_seen[0] % QSZ];
			uint8_t *b = g->mem + BUF_OFF(0) + e.id * BUF_SIZE;
			uint8_t *ip = b + 12 + 14, *tcp = ip + 20;
			struct virtio_net_hdr h;
			uint32_t plen, seq;

			g->used_seen[0]++;
			memcpy(&h, b, sizeof h);
			if (e.len < 12 + 54 || b[24] != 0x08 || ip[9] != 6 ||
			    tcp[3] != 80 + tag) {
				post_rx(g, 1);
				continue;	/* not ours */
			}
			plen = e.len - 12 - 54;
			seq = (uint32_t)tcp[4] << 24 | tcp[5] << 16 |
			      tcp[6] << 8 | tcp[7];
			if (h.flags || h.gso_type || plen > GSO_MSS ||
			    (uint32_t)(ip[2] << 8 | ip[3]) != 40 + plen ||
			    fold16(sum16(ip, 20, 0)) != 0xffff ||
			    fold16(sum16(tcp, 20 + plen,
					 sum16(ip + 12, 8, 6 + 20 + plen))) !=
			    0xffff ||
			    seq != 0x10000000u + next_off ||
			    tcp[20] != (uint8_t)(tag + next_off)) {
				fprintf(stderr, "bad segment: len %u flags %u "
					"gso %u seq %#x (want %#x) ip len %u "
					"ip sum %#x tcp sum %#x data %u\n",
					e.len, h.flags, h.gso_type, seq,
					0x10000000u + next_off,
					ip[2] << 8 | ip[3],
					fold16(sum16(ip, 20, 0)),
					fold16(sum16(tcp, 20 + plen,
						     sum16(ip + 12, 8,
							   6 + 20 + plen))),
					tcp[20]);
				post_rx(g, 1);
				return -1;
			}
			next_off += plen;
			got++;
			post_rx(g, 1);
		}
		if (got < want)
			usleep(10000);
	}
	return got;
}

static void
gso_case(struct fe *bad, struct fe *good, uint8_t tag)
{
	uint64_t feat = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES) |
			VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
			VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4);
	int n;

	/* Not negotiated yet: the header is not read, and the 2554-byte
	 * frame fits no 2048-byte buffer of the good guest (dropped). */
	reset_tx(bad);
	send_gso(bad, GSO_TCPV4, VIRTIO_NET_HDR_F_NEEDS_CSUM,
		 tag);
	usleep(100000);
	if (request_ack(bad, VHOST_USER_SET_FEATURES, &feat, 8, NULL, 0) != 0) {
		fail("SET_FEATURES with CSUM and HOST_TSO4");
		return;
	}
	/* Negotiated: TCPv6 on an IPv4 frame and UFO are refused. */
	send_gso(bad, GSO_TCPV6, VIRTIO_NET_HDR_F_NEEDS_CSUM,
		 tag);
	send_gso(bad, GSO_UDP, VIRTIO_NET_HDR_F_NEEDS_CSUM,
		 tag);
	/* The good one: 2500 bytes in segments of 1000. */
	send_gso(bad, GSO_TCPV4, VIRTIO_NET_HDR_F_NEEDS_CSUM,
		 tag);
	n = gso_received(good, tag, 3);
	printf("GSO: a %u-byte TCP super-frame (mss %u) reached a front-end "
	       "without offloads as %d segments\n", GSO_PAYLOAD, GSO_MSS, n);
	if (n != 3)
		fail("GSO super-frame not segmented for a front-end without "
		     "offloads");
	if (gso_received(good, tag, 4) != 0)
		fail("a refused GSO frame was forwarded");
}

/* A 64 KiB-class TCP super-frame for the switch-to-guest offloads: its
 * own 64 KiB of the bad guest's TX buffer area. */
#define BIG_OFF     (BUF_OFF(1) + 0x30000u)
#define BIG_PAYLOAD 60000u
#define BIG_MSS     1448u
#define BIG_BUFS    ((12u + 54u + BIG_PAYLOAD + BUF_SIZE - 1) / BUF_SIZE)

/* SET_FEATURES of the plain set plus 'extra'. */
static int64_t
set_features(struct fe *f, uint64_t extra)
{
	uint64_t feat = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) |
			VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES) | extra;

	return request_ack(f, VHOST_USER_SET_FEATURES, &feat, 8, NULL, 0);
}

/* Stops RX ring 0 of 'f' and sets it up again empty, then posts 'n'
 * buffers. */
static void
reset_rx(struct fe *f, int n)
{
	struct vhost_user_vring_state st = { 0, 0 };

	send_msg(f, VHOST_USER_GET_VRING_BASE, 0, &st, sizeof st, NULL, 0);
	if (recv_reply(f) < 0 || setup_vring(f, 0))
		fail("RX vring re-setup");
	post_rx(f, n);
}

/* Takes the next frame of ours (TCP to port 80 + 'tag') off g's RX ring
 * within 2 s, re-posting every buffer: its virtio-net header into '*h',
 * the frame gathered over h->num_buffers used buffers into 'out' (room
 * for 'cap' bytes).  Returns its length, 0 if none came, -1 if the used
 * ring does not hold num_buffers buffers or they overflow 'cap'. */
static int
mrg_receive(struct fe *g, uint8_t tag, struct virtio_net_hdr *h,
	    uint8_t *out, uint32_t cap)
{
	for (int t = 0; t < 200; t++) {
		struct virtq_used *u = q_used(g, 0);

		while (g->used_seen[0] != __atomic_load_n(&u->idx,
							  __ATOMIC_ACQUIRE)) {
			uint16_t idx = __atomic_load_n(&u->idx,
						       __ATOMIC_ACQUIRE);
			struct virtq_used_elem e = u->ring[g->used_seen[0] % QSZ];
			uint8_t *b = g->mem + BUF_OFF(0) + e.id * BUF_SIZE;
			uint32_t len;

			if (e.len == 0) {
				/* A dropped frame's buffer, given back. */
				g->used_seen[0]++;
				post_rx(g, 1);
				continue;
			}
			memcpy(h, b, sizeof *h);
			if (e.len < 12 || e.len > BUF_SIZE || !h->num_buffers ||
			    (uint16_t)(idx - g->used_seen[0]) <
			    h->num_buffers) {
				fprintf(stderr, "bad RX: len %u num_buffers %u "
					"(%u used)\n", e.len, h->num_buffers,
					(uint16_t)(idx - g->used_seen[0]));
				return -1;
			}
			len = e.len - 12;
			if (len > cap)
				return -1;
			memcpy(out, b + 12, len);
			g->used_seen[0]++;
			post_rx(g, 1);
			for (unsigned k = 1; k < h->num_buffers; k++) {
				e = u->ring[g->used_seen[0] % QSZ];
				b = g->mem + BUF_OFF(0) + e.id * BUF_SIZE;
				if (e.len > BUF_SIZE || len + e.len > cap)
					return -1;
				memcpy(out + len, b, e.len);
				len += e.len;
				g->used_seen[0]++;
				post_rx(g, 1);
			}
			if (len >= 54 && out[12] == 0x08 && out[14 + 9] == 6 &&
			    out[14 + 20 + 3] == (uint8_t)(80 + tag))
				return (int)len;
		}
		usleep(10000);
	}
	return 0;
}

/* Checks a frame send_tcp_at(payload, mss, TCPV4 or NONE, NEEDS_CSUM,
 * tag) as a guest with the offloads receives it: untouched, with the
 * header the sender gave.  Returns a reason, NULL if right. */
static const char *
check_offloaded(const struct virtio_net_hdr *h, const uint8_t *fr, int len,
		uint32_t payload, uint16_t mss, uint8_t gso_type,
		unsigned nbufs, uint8_t tag)
{
	const uint8_t *ip = fr + 14, *tcp = ip + 20;
	uint16_t ps = fold16(sum16(ip + 12, 8, 6 + 20 + payload));

	if (len != (int)(54 + payload))
		return "length";
	if (h->flags != VIRTIO_NET_HDR_F_NEEDS_CSUM || h->csum_start != 34 ||
	    h->csum_offset != 16)
		return "flags/csum_start/csum_offset";
	if (h->gso_type != gso_type ||
	    (gso_type && (h->gso_size != mss || h->hdr_len != 54)))
		return "gso_type/gso_size/hdr_len";
	if (h->num_buffers != nbufs)
		return "num_buffers";
	if ((uint32_t)(ip[2] << 8 | ip[3]) != 40 + payload ||
	    (uint16_t)(tcp[16] << 8 | tcp[17]) != ps)
		return "IP length or the partial TCP checksum changed";
	for (uint32_t i = 0; i < payload; i++)
		if (tcp[20 + i] != (uint8_t)(tag + i))
			return "payload";
	return NULL;
}

static uint8_t fr[70000];	/* a frame gathered by mrg_receive() */

/* Sends the BIG_PAYLOAD super-frame from 'bad' and takes it at 'good'
 * (header into '*h', length into '*len'), which must have it whole over
 * BIG_BUFS buffers with the header the sender gave.  Returns a reason,
 * NULL if right. */
static const char *
big_frame_through(struct fe *bad, struct fe *good, uint8_t tag,
		  struct virtio_net_hdr *h, int *len)
{
	send_tcp_at(bad, BIG_OFF, BIG_PAYLOAD, BIG_MSS, GSO_TCPV4,
		    VIRTIO_NET_HDR_F_NEEDS_CSUM, tag);
	*len = mrg_receive(good, tag, h, fr, sizeof fr);
	return *len <= 0 ? "not received whole" :
	       check_offloaded(h, fr, *len, BIG_PAYLOAD, BIG_MSS, GSO_TCPV4,
			       BIG_BUFS, tag);
}

/* 15. Offloads towards a guest: with GUEST_CSUM + GUEST_TSO4 +
 * MRG_RXBUF, a 60000-byte super-frame arrives whole over BIG_BUFS
 * buffers and a partial checksum as it is; too few buffers or no
 * MRG_RXBUF with small buffers drop it (counted: the caller checks);
 * GUEST_CSUM alone gets software segments. */
static void
guest_offload_case(struct fe *bad, struct fe *good, uint8_t tag)
{
	const uint64_t mrg = VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF);
	const uint64_t gcsum = VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM);
	const uint64_t gtso4 = VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4);
	struct virtio_net_hdr h;
	const char *why;
	int len, n, failed = failures;

	reset_tx(bad);
	if (set_features(bad, VIRTIO_BIT(VIRTIO_NET_F_CSUM) |
				  VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4)) ||
	    set_features(good, gcsum | gtso4 | mrg)) {
		fail("SET_FEATURES with the guest offloads");
		return;
	}
	why = big_frame_through(bad, good, tag, &h, &len);
	printf("guest offloads: a %u-byte super-frame reached a GUEST_TSO4 + "
	       "MRG_RXBUF front-end as %d bytes over %u buffers (gso_type %u "
	       "gso_size %u hdr_len %u csum %u+%u)\n", BIG_PAYLOAD, len,
	       len > 0 ? h.num_buffers : 0, h.gso_type, h.gso_size,
	       h.hdr_len, h.csum_start, h.csum_offset);
	if (why) {
		fprintf(stderr, "super-frame to the guest: %s\n", why);
		fail("super-frame to a GUEST_TSO4 + MRG_RXBUF front-end");
	}
	/* A partial checksum, not GSO: as it is, in one buffer. */
	send_tcp_at(bad, BIG_OFF, 100, BIG_MSS, 0, VIRTIO_NET_HDR_F_NEEDS_CSUM,
		    tag);
	len = mrg_receive(good, tag, &h, fr, sizeof fr);
	why = len <= 0 ? "not received" :
	      check_offloaded(&h, fr, len, 100, 0, 0, 1, tag);
	if (why) {
		fprintf(stderr, "partial checksum to the guest: %s\n", why);
		fail("partial checksum to a GUEST_CSUM front-end");
	}

	/* Too few buffers: 4 posted, BIG_BUFS needed.  Dropped (no_buffers,
	 * tx_error); the 4 stay available and nothing half-written is
	 * published; with the ring refilled, the next one arrives whole. */
	reset_rx(good, 4);
	send_tcp_at(bad, BIG_OFF, BIG_PAYLOAD, BIG_MSS, GSO_TCPV4,
		    VIRTIO_NET_HDR_F_NEEDS_CSUM, tag);
	usleep(200000);
	if (__atomic_load_n(&q_used(good, 0)->idx, __ATOMIC_ACQUIRE) != 0)
		fail("a super-frame was partly delivered into too few buffers");
	post_rx(good, QSZ - 4);
	why = big_frame_through(bad, good, tag, &h, &len);
	if (why) {
		fprintf(stderr, "super-frame after a refill: %s\n", why);
		fail("super-frame after too few buffers");
	}

	/* GUEST_TSO4 without MRG_RXBUF, buffers of 2 KiB (a Linux guest
	 * would post 64 KiB chains): dropped as oversize. */
	if (set_features(good, gcsum | gtso4)) {
		fail("SET_FEATURES without MRG_RXBUF");
		return;
	}
	send_tcp_at(bad, BIG_OFF, BIG_PAYLOAD, BIG_MSS, GSO_TCPV4,
		    VIRTIO_NET_HDR_F_NEEDS_CSUM, tag);
	if (mrg_receive(good, tag, &h, fr, sizeof fr) != 0)
		fail("a super-frame was delivered into a too small buffer");

	/* GUEST_CSUM alone: no GSO frame, software segments. */
	if (set_features(good, gcsum | mrg)) {
		fail("SET_FEATURES with GUEST_CSUM alone");
		return;
	}
	send_gso(bad, GSO_TCPV4, VIRTIO_NET_HDR_F_NEEDS_CSUM, tag);
	n = gso_received(good, tag, 3);
	if (n != 3)
		fail("a GUEST_CSUM-only front-end did not get 3 segments");

	/* Back to no offloads for the cases after. */
	if (set_features(good, 0))
		fail("SET_FEATURES back to none");
	else if (failures == failed)
		printf("ok: offloads towards a guest: header, buffers, drops\n");
}

/* --link SOCK: a new front-end's view of the port's link: connects,
 * negotiates CONFIG, prints "link up" or "link down" from GET_CONFIG. */
static int
link_mode(const char *path)
{
	uint64_t proto = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
			 VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG);
	struct fe f = { .path = path };
	uint16_t status;

	fe_connect(&f);
	send_msg(&f, VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0);
	if (request_ack(&f, VHOST_USER_SET_PROTOCOL_FEATURES, &proto, 8, NULL,
			0) != 0 || get_config(&f, 6, 2, 0, -1, &status) != 14) {
		fprintf(stderr, "FAIL: no link status from %s\n", path);
		return 1;
	}
	printf("link %s\n", status & VIRTIO_NET_S_LINK_UP ? "up" : "down");
	return 0;
}

#define HOG_FRAMES 1024

/* 13. The guest that never returns RX buffers (see the top). */
static void
hog_case(struct fe *bad, struct fe *good, const char *hog_path, uint8_t tag)
{
	struct fe hog;
	unsigned got = 0, taken;

	fe_init(&hog, hog_path);
	post_rx(&hog, QSZ);
	usleep(100000);
	reset_tx(bad);
	for (unsigned b = 0; b < HOG_FRAMES / 32; b++) {
		for (int i = 0; i < 32; i++)
			send_frame(bad, tag);
		got += count_received(good, tag, 32);
	}
	usleep(100000);
	taken = __atomic_load_n(&q_used(&hog, 0)->idx, __ATOMIC_ACQUIRE);
	printf("hog: %u broadcast frames flooded; good received %u; the hog's "
	       "ring took %u (its %u buffers, never returned); %u to drop\n",
	       HOG_FRAMES, got, taken, QSZ, HOG_FRAMES - taken);
	if (got != HOG_FRAMES)
		fail("a guest not returning RX buffers held up another port");
	else if (taken != QSZ)
		fail("the hog's ring took more frames than it had buffers");
	else if (!alive(&hog) || !alive(bad))
		fail("a connection lost during the hog case");
	else
		printf("ok: guest never returning RX buffers\n");
	/* The hog stays connected until the process exits: vswitchd logs
	 * its counters when it closes the port. */
}

int
main(int argc, char **argv)
{
	struct fe bad, good;
	uint8_t tag = 1;
	uint16_t d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--link"))
		return link_mode(argv[2]);
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: vhost-hostile HOSTILE_SOCK GOOD_SOCK "
			"[HOG_SOCK]\n       vhost-hostile --link SOCK\n");
		return 2;
	}
	fe_init(&good, argv[2]);
	post_rx(&good, QSZ);
	fe_init(&bad, argv[1]);
	post_rx(&bad, QSZ);

	/* Baseline: the path works. */
	send_frame(&bad, tag);
	if (!received(&good, tag))
		fail("baseline forwarding");
	tag++;

	/* 1. Descriptor address outside guest memory. */
	d = 10;
	q_desc(&bad, 1)[d] = (struct virtq_desc){ 0x40000000, 72, 0, 0 };
	make_avail(&bad, 1, d);
	check_case("descriptor out of range", &bad, &good, tag++);

	/* 2. Zero-length descriptors only. */
	q_desc(&bad, 1)[d] = (struct virtq_desc){ gpa(BUF_OFF(1)), 0,
						  VIRTQ_DESC_F_NEXT, 11 };
	q_desc(&bad, 1)[11] = (struct virtq_desc){ gpa(BUF_OFF(1)), 0, 0, 0 };
	make_avail(&bad, 1, d);
	check_case("zero-length descriptors", &bad, &good, tag++);

	/* 3. Huge length, and a range running off the end of memory. */
	q_desc(&bad, 1)[d] = (struct virtq_desc){ gpa(BUF_OFF(1)), 0xffffffff,
						  0, 0 };
	make_avail(&bad, 1, d);
	q_desc(&bad, 1)[12] = (struct virtq_desc){ MEM_SIZE - 8, 4096, 0, 0 };
	make_avail(&bad, 1, 12);
	check_case("huge lengths", &bad, &good, tag++);

	/* 4. Descriptor loop (ring corruption: port stops until reset). */
	q_desc(&bad, 1)[d] = (struct virtq_desc){ gpa(BUF_OFF(1)), 12,
						  VIRTQ_DESC_F_NEXT, 11 };
	q_desc(&bad, 1)[11] = (struct virtq_desc){ gpa(BUF_OFF(1)), 12,
						   VIRTQ_DESC_F_NEXT, 10 };
	make_avail(&bad, 1, d);
	check_case("descriptor loop", &bad, &good, tag++);

	/* 5. Indirect table that loops. */
	{
		struct virtq_desc *t = (struct virtq_desc *)(void *)
			(bad.mem + BUF_OFF(1) + 0x8000);

		t[0] = (struct virtq_desc){ gpa(BUF_OFF(1)), 12,
					    VIRTQ_DESC_F_NEXT, 1 };
		t[1] = (struct virtq_desc){ gpa(BUF_OFF(1)), 12,
					    VIRTQ_DESC_F_NEXT, 0 };
		q_desc(&bad, 1)[d] = (struct virtq_desc){
			gpa(BUF_OFF(1) + 0x8000), 32, VIRTQ_DESC_F_INDIRECT, 0 };
		make_avail(&bad, 1, d);
	}
	check_case("indirect loop", &bad, &good, tag++);

	/* 6. Head index out of range. */
	make_avail(&bad, 1, 1000);
	check_case("head out of range", &bad, &good, tag++);

	/* 7. Avail index jumps far ahead. */
	bad.avail_idx[1] = (uint16_t)(bad.avail_idx[1] + 1000);
	make_avail(&bad, 1, 0);
	check_case("avail index jump", &bad, &good, tag++);

	/* 8. Memory tables: overlapping regions, then a tiny one. */
	{
		struct vhost_user_mem_table t = { .nregions = 2 };
		int fds[2] = { bad.memfd, bad.memfd };

		t.regions[0] = (struct vhost_user_mem_region){
			0, MEM_SIZE, uva(&bad, 0), 0 };
		t.regions[1] = (struct vhost_user_mem_region){
			0x1000, 0x1000, uva(&bad, 0) + MEM_SIZE * 2, 0 };
		if (request_ack(&bad, VHOST_USER_SET_MEM_TABLE, &t, 8 + 64, fds,
				2) != 1)
			fail("overlapping memory table accepted");
		if (send_mem_table(&bad, 1) != 0)
			fail("tiny memory table refused");
		/* Rings are now outside memory: a kick must not crash. */
		eventfd_write(bad.kick[1], 1);
		usleep(50000);
		if (send_mem_table(&bad, MEM_SIZE) != 0)
			fail("memory table restore");
	}
	check_case("overlapping and tiny memory tables", &bad, &good, tag++);

	/* 9. Wrong sizes: short payloads, and one announcing 1 MiB. */
	{
		uint32_t small = 1;
		char junk[64] = { 0 };

		if (request_ack(&bad, VHOST_USER_SET_VRING_NUM, &small, 4, NULL,
				0) != 1)
			fail("short SET_VRING_NUM not refused");
		if (request_ack(&bad, VHOST_USER_SET_VRING_ADDR, junk, 64, NULL,
				0) != 1)
			fail("long SET_VRING_ADDR not refused");
		if (request_ack(&bad, VHOST_USER_GET_FEATURES, junk, 8, NULL,
				0) != 1)
			fail("GET_FEATURES with payload not refused");
		send_raw(&bad, VHOST_USER_SET_FEATURES, 0, junk, sizeof junk,
			 1u << 20, NULL, 0);
	}
	check_case("wrong message sizes", &bad, &good, tag++);

	/* 10. Unknown request carrying an fd; too many fds. */
	{
		int fds[12];

		for (int i = 0; i < 12; i++)
			fds[i] = bad.memfd;
		if (request_ack(&bad, 77, NULL, 0, fds, 1) != 1)
			fail("unknown request not refused");
		if (request_ack(&bad, VHOST_USER_SET_OWNER, NULL, 0, fds,
				12) != 1)
			fail("12 fds not refused");
	}
	check_case("unknown request and excess fds", &bad, &good, tag++);

	/* 11. The front-end truncates its memory file under vswitchd's
	 * mapping (keeping only the rings), then offers a frame whose buffer
	 * is in the lost pages: vswitchd must catch the SIGBUS, drop the
	 * connection and go on serving the other port. */
	if (ftruncate(bad.memfd, 0x8000))
		fail("ftruncate");
	q_desc(&bad, 1)[d] = (struct virtq_desc){ gpa(BUF_OFF(1)), 72, 0, 0 };
	make_avail(&bad, 1, d);
	usleep(200000);
	if (alive(&bad))
		fail("connection kept after the memory shrank");
	if (ftruncate(bad.memfd, MEM_SIZE))
		fail("ftruncate back");
	check_case("memory shrunk under the mapping", &bad, &good, tag++);

	/* 12. The link status channel (issue 17): GET_CONFIG reads out of
	 * range, of the wrong size, with fds, before negotiation; a
	 * back-end channel that is not a socket; a front-end writing junk
	 * on its channel.  Each read gets the empty reply (refused), the
	 * good read the status, and the connection stays. */
	config_case(&bad);
	check_case("GET_CONFIG bad offset/size, back-end channel abuse", &bad,
		   &good, tag++);

	/* 14. TCP super-frames: refused without HOST_TSO4, or with a GSO
	 * type that does not fit; with it, cut into checked segments for a
	 * front-end that negotiated no offloads. */
	gso_case(&bad, &good, tag);
	check_case("TCP super-frames (GSO) from a guest", &bad, &good, tag++);

	/* 15. Checksum and GSO offloads towards a guest. */
	guest_offload_case(&bad, &good, tag);
	check_case("offloads towards a guest", &bad, &good, tag++);

	if (argc == 4)
		hog_case(&bad, &good, argv[3], tag++);

	if (failures) {
		fprintf(stderr, "vhost-hostile: %d failures\n", failures);
		return 1;
	}
	printf("vhost-hostile: all cases passed\n");
	return 0;
}
