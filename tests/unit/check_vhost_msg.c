/*
 * check_vhost_msg.c - unit tests for vswitchd/ports/vhost-msg.c: the vhost-user
 * handlers driven with literal messages (no socket), guest memory from a
 * memfd as a front-end would share it, eventfds for kick/call.
 *
 * Covers the DPDK virtio-user and QEMU orders (reference §1.5), REPLY_ACK,
 * ring start/stop/enable, and hostile messages: wrong sizes, bad indexes,
 * overlapping or short memory regions, unexpected fds (always closed).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "vhost-msg.h"

#define MEM_SIZE 0x100000u
#define GPA      0x0u
#define UVA      0x7f0000000000ull

static struct vhost_dev dev;
static struct vhost_user_hdr rh;
static union vhost_user_payload rp;
static int memfd;

static void
setup(void)
{
	vhost_dev_init(&dev, "t0");
	memfd = memfd_create("guest", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(ftruncate(memfd, MEM_SIZE), 0);
}

static void
teardown(void)
{
	vhost_dev_reset(&dev);
	close(memfd);
}

static bool
fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Sends request 'req' with 'size' payload bytes from 'p' and fds. */
static bool
send_msg(uint32_t req, uint32_t flags, const void *p, uint32_t size,
	 int *fds, unsigned nfds)
{
	struct vhost_user_hdr h = { req, VHOST_USER_VERSION | flags, size };
	union vhost_user_payload pl;

	memset(&pl, 0, sizeof pl);
	if (size)
		memcpy(&pl, p, MIN(size, sizeof pl));
	return vhost_dev_handle(&dev, &h, &pl, fds, nfds, &rh, &rp);
}

static bool
send_u64(uint32_t req, uint64_t v, int *fds, unsigned nfds)
{
	return send_msg(req, 0, &v, 8, fds, nfds);
}

static bool
send_state(uint32_t req, uint32_t index, uint32_t num)
{
	struct vhost_user_vring_state s = { index, num };

	return send_msg(req, 0, &s, sizeof s, NULL, 0);
}

/* SET_MEM_TABLE with one region over the memfd; expects an ack value. */
static uint64_t
send_mem_table(uint64_t gpa, uint64_t size, uint64_t uva, uint64_t off)
{
	struct vhost_user_mem_table t = { .nregions = 1 };
	int fd = dup(memfd);

	t.regions[0] = (struct vhost_user_mem_region){ gpa, size, uva, off };
	ck_assert(send_msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_F_NEED_REPLY,
			   &t, 8 + 32, &fd, 1));
	ck_assert_uint_eq(rh.size, 8);
	ck_assert_int_eq(fd, -1);		/* consumed */
	return rp.u64;
}

/* Sets up vring 'i' (256 entries) the way DPDK virtio-user does. */
static void
setup_vring(unsigned i, int *kick, int *call)
{
	struct vhost_user_vring_addr a = {
		.index = i,
		.desc = UVA + 0x10000 * (i + 1),
		.avail = UVA + 0x10000 * (i + 1) + 0x1000,
		.used = UVA + 0x10000 * (i + 1) + 0x2000,
	};

	int k = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int c = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	/* The handler takes the fds (and sets our copies to -1). */
	*kick = k;
	*call = c;
	ck_assert(!send_u64(VHOST_USER_SET_VRING_CALL, i, &c, 1));
	ck_assert_int_eq(c, -1);
	ck_assert(!send_state(VHOST_USER_SET_VRING_NUM, i, 256));
	ck_assert(!send_state(VHOST_USER_SET_VRING_BASE, i, 0));
	ck_assert(!send_msg(VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof a, NULL,
			    0));
	ck_assert(!send_u64(VHOST_USER_SET_VRING_KICK, i, &k, 1));
}

START_TEST(test_negotiation)
{
	ck_assert(!send_msg(VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0));
	ck_assert(dev.owner);
	ck_assert(send_msg(VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0));
	ck_assert_uint_eq(rh.request, VHOST_USER_GET_FEATURES);
	ck_assert_uint_eq(rh.flags, VHOST_USER_VERSION | VHOST_USER_F_REPLY);
	ck_assert_uint_eq(rh.size, 8);
	ck_assert(rp.u64 & VIRTIO_BIT(VIRTIO_F_VERSION_1));
	ck_assert(rp.u64 & VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF));
	ck_assert(rp.u64 & VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	ck_assert(rp.u64 & VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC));
	ck_assert(rp.u64 & VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES));
	ck_assert(send_msg(VHOST_USER_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL,
			   0));
	ck_assert_uint_eq(rp.u64, VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |
			  VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
			  VIRTIO_BIT(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |
			  VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG));
	ck_assert(!send_u64(VHOST_USER_SET_PROTOCOL_FEATURES, rp.u64, NULL, 0));
	ck_assert(send_msg(VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0));
	ck_assert_uint_eq(rp.u64, VHOST_MAX_QUEUE_PAIRS);
	/* Features not offered are refused, with a nack when asked. */
	ck_assert(send_msg(VHOST_USER_SET_FEATURES, VHOST_USER_F_NEED_REPLY,
			   &(uint64_t){ VIRTIO_BIT(VIRTIO_F_RING_PACKED) }, 8,
			   NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert(send_msg(VHOST_USER_SET_FEATURES, VHOST_USER_F_NEED_REPLY,
			   &(uint64_t){ VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			   VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) }, 8, NULL, 0));
	ck_assert_uint_eq(rp.u64, 0);
	ck_assert_uint_eq(dev.vrings[0].vr.hdr_len, 12);
	ck_assert(dev.vrings[0].vr.mrg_rxbuf);
	ck_assert(!dev.vrings[0].vr.event_idx);
	/* Without PROTOCOL_FEATURES, SET_FEATURES enabled the rings. */
	ck_assert(dev.vrings[1].enabled);
	ck_assert_uint_eq(dev.stats.bad_msg, 1);
}
END_TEST

/* GET_CONFIG of 'size' bytes at 'offset' (payload 'wire' bytes, or the
 * right size if 0); returns the reply size. */
static uint32_t
get_config(uint32_t offset, uint32_t size, uint32_t wire)
{
	union vhost_user_payload c;

	memset(&c, 0, sizeof c);	/* as large as any payload sent */
	c.config.offset = offset;
	c.config.size = size;
	ck_assert(send_msg(VHOST_USER_GET_CONFIG, 0, &c,
			   wire ? wire : VHOST_USER_CONFIG_HDR_SIZE + size,
			   NULL, 0));
	ck_assert_uint_eq(rh.request, VHOST_USER_GET_CONFIG);
	ck_assert_uint_eq(rh.flags, VHOST_USER_VERSION | VHOST_USER_F_REPLY);
	return rh.size;
}

static uint16_t
config_status(void)
{
	ck_assert_uint_eq(get_config(VIRTIO_NET_CFG_STATUS, 2, 0), 14);
	ck_assert_uint_eq(rp.config.offset, VIRTIO_NET_CFG_STATUS);
	ck_assert_uint_eq(rp.config.size, 2);
	return (uint16_t)(rp.config.region[0] | rp.config.region[1] << 8);
}

/* Reads one request from the back-end channel: its request number, or -1
 * if nothing is there. */
static int
channel_read(int fd)
{
	struct vhost_user_hdr h;
	ssize_t n = recv(fd, &h, sizeof h, MSG_DONTWAIT);

	if (n != sizeof h)
		return -1;
	ck_assert_uint_eq(h.flags, VHOST_USER_VERSION);
	ck_assert_uint_eq(h.size, 0);
	return (int)h.request;
}

/* The link status (issue 17): GET_CONFIG reads it, a carrier change is
 * announced on the back-end channel, only once both were negotiated. */
START_TEST(test_link_status_channel)
{
	uint64_t pf = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |
		      VIRTIO_BIT(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |
		      VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG);
	int sv[2], fd;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	/* Not negotiated yet: refused (GET_CONFIG with an empty reply). */
	ck_assert_uint_eq(get_config(VIRTIO_NET_CFG_STATUS, 2, 0), 0);
	fd = dup(sv[1]);
	ck_assert(send_msg(VHOST_USER_SET_BACKEND_REQ_FD,
			   VHOST_USER_F_NEED_REPLY, NULL, 0, &fd, 1));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert_int_eq(fd, -1);		/* closed */
	ck_assert(!vhost_dev_set_link(&dev, false));	/* nobody to tell */
	ck_assert(!send_u64(VHOST_USER_SET_PROTOCOL_FEATURES, pf, NULL, 0));
	/* The state set while no channel existed is what GET_CONFIG says. */
	ck_assert_uint_eq(config_status(), 0);
	ck_assert(vhost_dev_set_link(&dev, true) == false);
	ck_assert_uint_eq(config_status(), VIRTIO_NET_S_LINK_UP);
	/* The whole space: no MAC, status, queue pairs. */
	ck_assert_uint_eq(get_config(0, VIRTIO_NET_CFG_LEN, 0),
			  VHOST_USER_CONFIG_HDR_SIZE + VIRTIO_NET_CFG_LEN);
	ck_assert_uint_eq(rp.config.region[VIRTIO_NET_CFG_MAX_VQ_PAIRS],
			  VHOST_MAX_QUEUE_PAIRS);
	ck_assert_uint_eq(rp.config.region[0], 0);

	/* A channel that is not a socket is refused and closed. */
	fd = eventfd(0, EFD_CLOEXEC);
	ck_assert(send_msg(VHOST_USER_SET_BACKEND_REQ_FD,
			   VHOST_USER_F_NEED_REPLY, NULL, 0, &fd, 1));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert_int_eq(fd, -1);
	/* No fd, or a payload: refused. */
	ck_assert(send_msg(VHOST_USER_SET_BACKEND_REQ_FD,
			   VHOST_USER_F_NEED_REPLY, NULL, 0, NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	fd = dup(sv[1]);
	ck_assert(send_msg(VHOST_USER_SET_BACKEND_REQ_FD,
			   VHOST_USER_F_NEED_REPLY, &pf, 8, &fd, 1));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_lt(dev.backend_fd, 0);

	/* The real thing: kept, and told of each change. */
	fd = sv[1];
	ck_assert(send_msg(VHOST_USER_SET_BACKEND_REQ_FD,
			   VHOST_USER_F_NEED_REPLY, NULL, 0, &fd, 1));
	ck_assert_uint_eq(rp.u64, 0);
	ck_assert_int_eq(fd, -1);		/* kept */
	ck_assert(vhost_dev_set_link(&dev, false));
	ck_assert_int_eq(channel_read(sv[0]),
			 VHOST_USER_BACKEND_CONFIG_CHANGE_MSG);
	ck_assert_int_eq(channel_read(sv[0]), -1);
	ck_assert_uint_eq(config_status(), 0);
	ck_assert(vhost_dev_set_link(&dev, true));
	ck_assert_int_eq(channel_read(sv[0]),
			 VHOST_USER_BACKEND_CONFIG_CHANGE_MSG);
	ck_assert_uint_eq(config_status(), VIRTIO_NET_S_LINK_UP);
	ck_assert_uint_eq(dev.stats.config_notes, 2);
	/* The front-end cannot write to us on it. */
	ck_assert_int_lt(send(sv[0], "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT), 0);

	/* Hostile reads: out of range, empty, wrong payload size, fds, flags;
	 * each an empty reply and a counted bad message. */
	{
		uint64_t bad0 = dev.stats.bad_msg;
		int efd = eventfd(0, EFD_CLOEXEC);
		struct vhost_user_config c = { .size = 2 };

		ck_assert_uint_eq(get_config(VIRTIO_NET_CFG_LEN, 1, 0), 0);
		ck_assert_uint_eq(get_config(8, 4, 0), 0);
		ck_assert_uint_eq(get_config(0xfffffffe, 4, 0), 0);
		ck_assert_uint_eq(get_config(0, 0, 0), 0);
		ck_assert_uint_eq(get_config(0, 300, 0), 0);
		ck_assert_uint_eq(get_config(0, 2, 16), 0);
		ck_assert_uint_eq(get_config(0, 2, 8), 0);
		ck_assert_uint_eq(get_config(0, 2, 0xffffffff), 0);
		ck_assert(send_msg(VHOST_USER_GET_CONFIG, 0, &c, 14, &efd, 1));
		ck_assert_uint_eq(rh.size, 0);
		ck_assert_int_eq(efd, -1);
		c.flags = 7;
		ck_assert(send_msg(VHOST_USER_GET_CONFIG, 0, &c, 14, NULL, 0));
		ck_assert_uint_eq(rh.size, 0);
		ck_assert_uint_eq(dev.stats.bad_msg, bad0 + 10);
	}

	/* The front-end went away: the channel is closed with the rest,
	 * the link state stays (it is the port's). */
	vhost_dev_set_link(&dev, false);
	vhost_dev_reset(&dev);
	ck_assert_int_lt(dev.backend_fd, 0);
	ck_assert(dev.link_down);
	ck_assert_int_eq(channel_read(sv[0]),
			 VHOST_USER_BACKEND_CONFIG_CHANGE_MSG);
	ck_assert_int_eq(recv(sv[0], &pf, 1, MSG_DONTWAIT), 0);	/* EOF */
	close(sv[0]);
}
END_TEST

/* A channel nobody reads fills up: counted, never blocking; a closed one
 * is dropped. */
START_TEST(test_link_channel_full_or_closed)
{
	uint64_t pf = VIRTIO_BIT(VHOST_USER_PROTOCOL_F_BACKEND_REQ) |
		      VIRTIO_BIT(VHOST_USER_PROTOCOL_F_CONFIG);
	int sv[2], fd, sent = 0;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	ck_assert(!send_u64(VHOST_USER_SET_PROTOCOL_FEATURES, pf, NULL, 0));
	fd = sv[1];
	ck_assert(!send_msg(VHOST_USER_SET_BACKEND_REQ_FD, 0, NULL, 0, &fd,
			    1));
	for (int i = 0; i < 100000 && dev.stats.backend_errors == 0; i++)
		sent += vhost_dev_set_link(&dev, i & 1);
	ck_assert_int_gt(sent, 0);
	ck_assert_uint_eq(dev.stats.backend_errors, 1);
	ck_assert_int_ge(dev.backend_fd, 0);	/* full: kept */
	close(sv[0]);
	ck_assert(!vhost_dev_set_link(&dev, true));
	ck_assert_uint_eq(dev.stats.backend_errors, 2);
	ck_assert_int_lt(dev.backend_fd, 0);	/* closed peer: dropped */
	ck_assert(!vhost_dev_set_link(&dev, false));
	ck_assert_uint_eq(dev.stats.backend_errors, 2);
}
END_TEST

START_TEST(test_ring_lifecycle)
{
	int kick, call, kick_copy;

	ck_assert(!send_u64(VHOST_USER_SET_FEATURES,
			    VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			    VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES), NULL,
			    0));
	ck_assert_uint_eq(send_mem_table(GPA, MEM_SIZE, UVA, 0), 0);
	setup_vring(1, &kick, &call);
	kick_copy = kick;
	ck_assert(dev.vrings[1].started);
	ck_assert_int_eq(dev.vrings[1].kick_fd, kick_copy);
	ck_assert(dev.vrings[1].vr.desc);
	/* Mapped and started, but PROTOCOL_FEATURES: not yet enabled. */
	ck_assert(!vhost_dev_vring_is_live(&dev, 1));
	ck_assert(!send_state(VHOST_USER_SET_VRING_ENABLE, 1, 1));
	ck_assert(vhost_dev_vring_is_live(&dev, 1));
	ck_assert(dev.changed & 2);
	/* GET_VRING_BASE stops the ring and returns the index. */
	dev.vrings[1].vr.last_avail_idx = 42;
	ck_assert(send_state(VHOST_USER_GET_VRING_BASE, 1, 0));
	ck_assert_uint_eq(rh.size, 8);
	ck_assert_uint_eq(rp.state.index, 1);
	ck_assert_uint_eq(rp.state.num, 42);
	ck_assert(!vhost_dev_vring_is_live(&dev, 1));
	ck_assert(!fd_is_open(kick_copy));
	ck_assert_int_eq(dev.vrings[1].kick_fd, -1);
	/* A call fd may be replaced at any time; the old one is closed. */
	ck_assert(!send_u64(VHOST_USER_SET_VRING_CALL, 1 | VHOST_USER_VRING_NOFD,
			    NULL, 0));
	ck_assert(!fd_is_open(call));
	ck_assert_int_eq(dev.vrings[1].call_fd, -1);
	/* Reset closes and unmaps everything. */
	vhost_dev_reset(&dev);
	ck_assert_uint_eq(dev.mem.n, 0);
	ck_assert_ptr_null(dev.vrings[1].vr.desc);
}
END_TEST

START_TEST(test_mem_table_replaced)
{
	int kick, call;
	uint8_t *old_desc;

	ck_assert_uint_eq(send_mem_table(GPA, MEM_SIZE, UVA, 0), 0);
	setup_vring(0, &kick, &call);
	old_desc = (uint8_t *)dev.vrings[0].vr.desc;
	ck_assert_ptr_nonnull(old_desc);
	/* Same memory at other addresses: rings are re-translated. */
	ck_assert_uint_eq(send_mem_table(GPA, MEM_SIZE / 2, UVA, 0), 0);
	ck_assert_ptr_nonnull(dev.vrings[0].vr.desc);
	ck_assert_uint_eq(dev.mem.n, 1);
	ck_assert_uint_eq(dev.mem.regions[0].size, MEM_SIZE / 2);
	/* Rings no longer inside guest memory: unmapped, not dangling. */
	ck_assert_uint_eq(send_mem_table(GPA, 0x1000, UVA, 0), 0);
	ck_assert_ptr_null(dev.vrings[0].vr.desc);
	ck_assert(!vhost_dev_vring_is_live(&dev, 0));
}
END_TEST

/* Guest memory is mapped readable and writable, never executable
 * (docs/security.md): the line of /proc/self/maps holding the region
 * says "rw-s". */
START_TEST(test_mem_not_executable)
{
	char line[512], perms[8] = "";
	unsigned long lo, hi, at;
	bool found = false;
	FILE *f;

	ck_assert_uint_eq(send_mem_table(GPA, MEM_SIZE, UVA, 0), 0);
	ck_assert_uint_eq(dev.mem.n, 1);
	at = (unsigned long)(uintptr_t)dev.mem.regions[0].map;
	f = fopen("/proc/self/maps", "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 &&
		    at >= lo && at < hi) {
			found = true;
			break;
		}
	fclose(f);
	ck_assert_msg(found, "mapping at %#lx not in /proc/self/maps", at);
	ck_assert_str_eq(perms, "rw-s");
}
END_TEST

/* Whether the page at 'addr' is mapped in this process (pagemap bit 63). */
static bool
page_present(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	off_t at = (off_t)((uintptr_t)addr / (uintptr_t)getpagesize()) * 8;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &e, sizeof e, at), (ssize_t)sizeof e);
	close(fd);
	return e >> 63;
}

/* SET_MEM_TABLE maps in the region's pages the front-end has touched,
 * and only those: untouched pages stay unmapped and unallocated, and
 * pages of the file outside the region are not touched. */
START_TEST(test_mem_populated_resident_only)
{
	size_t pg = (size_t)getpagesize();
	static const unsigned touched[] = { 0, 4, 5, 9, 13 };
	static const bool want[12] = {
		[4] = true, [5] = true, [9] = true,
	};
	uint8_t one = 1, *map;
	struct stat before, after;

	for (size_t i = 0; i < ARRAY_SIZE(touched); i++)
		ck_assert_int_eq(pwrite(memfd, &one, 1, touched[i] * pg), 1);
	ck_assert_int_eq(fstat(memfd, &before), 0);
	/* The region: pages 4..11 of the file (the mapping covers 0..11). */
	ck_assert_uint_eq(send_mem_table(GPA, 8 * pg, UVA, 4 * pg), 0);
	map = dev.mem.regions[0].map;
	ck_assert_ptr_eq(dev.mem.regions[0].host, map + 4 * pg);
	for (unsigned i = 0; i < 12; i++)
		ck_assert_msg(page_present(map + i * pg) == want[i],
			      "page %u: present %d, expected %d", i,
			      !want[i], want[i]);
	ck_assert_int_eq(fstat(memfd, &after), 0);
	ck_assert_int_eq(after.st_blocks, before.st_blocks);
	ck_assert_uint_eq(map[9 * pg], 1);
}
END_TEST

/* The front-end truncates the file behind its memory after we mapped
 * it: reading and writing the lost pages must not kill us (SIGBUS), the
 * device must be flagged, and the mapping must go cleanly on reset. */
START_TEST(test_mem_shrunk_under_mapping)
{
	volatile uint8_t *p;
	uint64_t contig;
	uint8_t v;

	ck_assert_uint_eq(send_mem_table(GPA, MEM_SIZE, UVA, 0), 0);
	ck_assert_int_eq(dev.mem_fault, 0);
	p = vhost_mem_gpa_to_host(&dev.mem, GPA + MEM_SIZE - 0x2000, 64,
				  &contig);
	ck_assert_ptr_nonnull((void *)p);
	p[0] = 0x5a;				/* still backed */
	ck_assert_int_eq(dev.mem_fault, 0);
	ck_assert_int_eq(ftruncate(memfd, 0x4000), 0);
	v = p[0];				/* lost page: SIGBUS */
	ck_assert_uint_eq(v, 0);		/* ... read as zero */
	ck_assert_int_eq(dev.mem_fault, 1);
	p[1] = 0xa5;				/* writes go nowhere */
	p = vhost_mem_gpa_to_host(&dev.mem, GPA + 0x1000, 64, &contig);
	v = p[0];				/* still-backed page: fine */
	(void)v;
	vhost_dev_reset(&dev);
	ck_assert_int_eq(dev.mem_fault, 0);
	ck_assert_uint_eq(dev.mem.n, 0);
}
END_TEST

START_TEST(test_mem_table_hostile)
{
	struct vhost_user_mem_table t = { .nregions = 2 };
	int fds[2];

	/* Overlapping regions: refused, both fds closed. */
	t.regions[0] = (struct vhost_user_mem_region){ 0, 0x10000, UVA, 0 };
	t.regions[1] = (struct vhost_user_mem_region){ 0x8000, 0x10000,
						       UVA + 0x100000, 0 };
	fds[0] = dup(memfd);
	fds[1] = dup(memfd);
	ck_assert(send_msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_F_NEED_REPLY,
			   &t, 8 + 64, fds, 2));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert_int_eq(fds[0], -1);
	ck_assert_int_eq(fds[1], -1);
	ck_assert_uint_eq(dev.mem.n, 0);
	/* Fd count differs from the region count. */
	t.regions[1].guest_phys_addr = 0x10000;
	fds[0] = dup(memfd);
	ck_assert(send_msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_F_NEED_REPLY,
			   &t, 8 + 64, fds, 1));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert_int_eq(fds[0], -1);
	/* Payload too short for the announced regions. */
	fds[0] = dup(memfd);
	fds[1] = dup(memfd);
	ck_assert(send_msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_F_NEED_REPLY,
			   &t, 8 + 40, fds, 2));
	ck_assert_uint_eq(rp.u64, 1);
	/* A region past the end of its file (would SIGBUS if touched). */
	ck_assert_uint_eq(send_mem_table(GPA, MEM_SIZE, UVA, 0x1000), 1);
	ck_assert_uint_eq(send_mem_table(GPA, 2 * MEM_SIZE, UVA, 0), 1);
	/* Zero-sized and tiny regions. */
	ck_assert_uint_eq(send_mem_table(GPA, 0, UVA, 0), 1);
	ck_assert_uint_eq(send_mem_table(GPA, 1, UVA, 0), 0);
	ck_assert_uint_eq(dev.mem.n, 1);
	/* Zero and too many regions. */
	t.nregions = 0;
	ck_assert(send_msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_F_NEED_REPLY,
			   &t, 8, NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	t.nregions = 9;
	ck_assert(send_msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_F_NEED_REPLY,
			   &t, sizeof t, NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	/* A region whose fd is not a file (an eventfd). */
	t.nregions = 1;
	fds[0] = eventfd(0, EFD_CLOEXEC);
	ck_assert(send_msg(VHOST_USER_SET_MEM_TABLE, VHOST_USER_F_NEED_REPLY,
			   &t, 8 + 32, fds, 1));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert_int_eq(fds[0], -1);
	ck_assert_uint_eq(dev.stats.bad_msg, 9);
}
END_TEST

START_TEST(test_wrong_sizes_and_indexes)
{
	struct vhost_user_vring_addr a = { .index = 0 };

	/* Every size check: too short, too long. */
	ck_assert(send_msg(VHOST_USER_SET_VRING_NUM, VHOST_USER_F_NEED_REPLY,
			   &(uint32_t){ 0 }, 4, NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert(send_msg(VHOST_USER_SET_VRING_ADDR, VHOST_USER_F_NEED_REPLY,
			   &a, 39, NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert(send_msg(VHOST_USER_SET_FEATURES, VHOST_USER_F_NEED_REPLY,
			   &a, 16, NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert(send_msg(VHOST_USER_GET_FEATURES, VHOST_USER_F_NEED_REPLY,
			   &a, 8, NULL, 0));
	ck_assert_uint_eq(rh.size, 8);
	ck_assert_uint_eq(rp.u64, 1);		/* a nack, not features */
	/* Vring index out of range. */
	ck_assert(!send_state(VHOST_USER_SET_VRING_NUM, VHOST_MAX_VRINGS, 256));
	ck_assert(!send_state(VHOST_USER_SET_VRING_ENABLE, 1000, 1));
	ck_assert(!send_state(VHOST_USER_GET_VRING_BASE, 0xffffffff, 0));
	/* Bad values. */
	ck_assert(!send_state(VHOST_USER_SET_VRING_NUM, 0, 0));
	ck_assert(!send_state(VHOST_USER_SET_VRING_NUM, 0, 100));
	ck_assert(!send_state(VHOST_USER_SET_VRING_NUM, 0, 65536));
	ck_assert(!send_state(VHOST_USER_SET_VRING_BASE, 0, 65536));
	ck_assert(!send_state(VHOST_USER_SET_VRING_ENABLE, 0, 2));
	a.flags = 0x80;
	ck_assert(!send_msg(VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof a, NULL,
			    0));
	ck_assert_uint_eq(dev.vrings[0].vr.num, 0);
	ck_assert(!dev.vrings[0].vr.addr_set);
	ck_assert_uint_eq(dev.stats.bad_msg, 13);
	/* Bad header flags: version 3. */
	ck_assert(send_msg(VHOST_USER_SET_OWNER, 2 | VHOST_USER_F_NEED_REPLY,
			   NULL, 0, NULL, 0));
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert(!dev.owner);
}
END_TEST

START_TEST(test_fds_always_closed)
{
	int fds[3];

	/* Unknown request with an fd: closed, clean error reply. */
	fds[0] = eventfd(0, EFD_CLOEXEC);
	ck_assert(send_msg(99, VHOST_USER_F_NEED_REPLY, NULL, 0, fds, 1));
	ck_assert_uint_eq(rh.request, 99);
	ck_assert_uint_eq(rh.flags, VHOST_USER_VERSION | VHOST_USER_F_REPLY);
	ck_assert_uint_eq(rp.u64, 1);
	ck_assert_int_eq(fds[0], -1);
	ck_assert_uint_eq(dev.stats.unknown_msg, 1);
	/* Known but unimplemented (no LOG_SHMFD), fd carried. */
	fds[0] = eventfd(0, EFD_CLOEXEC);
	ck_assert(!send_u64(VHOST_USER_SET_LOG_FD, 0, fds, 1));
	ck_assert_int_eq(fds[0], -1);
	/* Fds on a request that takes none. */
	fds[0] = eventfd(0, EFD_CLOEXEC);
	fds[1] = eventfd(0, EFD_CLOEXEC);
	ck_assert(!send_state(VHOST_USER_SET_VRING_NUM, 0, 256));
	ck_assert(!send_msg(VHOST_USER_SET_VRING_BASE, 0,
			    &(struct vhost_user_vring_state){ 0, 0 }, 8, fds,
			    2));
	ck_assert_int_eq(fds[0], -1);
	ck_assert_int_eq(fds[1], -1);
	/* KICK with the NOFD flag but an fd, and without the flag and no
	 * fd, and with unknown bits. */
	fds[0] = eventfd(0, EFD_CLOEXEC);
	ck_assert(!send_u64(VHOST_USER_SET_VRING_KICK,
			    0 | VHOST_USER_VRING_NOFD, fds, 1));
	ck_assert_int_eq(fds[0], -1);
	ck_assert(!send_u64(VHOST_USER_SET_VRING_KICK, 0, NULL, 0));
	fds[0] = eventfd(0, EFD_CLOEXEC);
	ck_assert(!send_u64(VHOST_USER_SET_VRING_KICK, 0x10000, fds, 1));
	ck_assert_int_eq(fds[0], -1);
	ck_assert(!dev.vrings[0].started);
	/* Kick for a vring out of range. */
	fds[0] = eventfd(0, EFD_CLOEXEC);
	ck_assert(!send_u64(VHOST_USER_SET_VRING_CALL, 200, fds, 1));
	ck_assert_int_eq(fds[0], -1);
	ck_assert_uint_eq(dev.stats.bad_msg, 5);
	ck_assert_uint_eq(dev.stats.unknown_msg, 2);
}
END_TEST

START_TEST(test_qemu_order)
{
	int kick, call;

	/* QEMU: features and protocol first, SET_OWNER, call fds early,
	 * then at DRIVER_OK features, memory, rings, enable. */
	ck_assert(send_msg(VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0));
	ck_assert(send_msg(VHOST_USER_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL,
			   0));
	ck_assert(!send_u64(VHOST_USER_SET_PROTOCOL_FEATURES,
			    VIRTIO_BIT(VHOST_USER_PROTOCOL_F_MQ) |
			    VIRTIO_BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK), NULL,
			    0));
	ck_assert(send_msg(VHOST_USER_GET_QUEUE_NUM, 0, NULL, 0, NULL, 0));
	ck_assert(!send_msg(VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0));
	ck_assert(!send_u64(VHOST_USER_SET_FEATURES,
			    VIRTIO_BIT(VIRTIO_F_VERSION_1) |
			    VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
			    VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) |
			    VIRTIO_BIT(VHOST_USER_F_PROTOCOL_FEATURES), NULL,
			    0));
	ck_assert_uint_eq(send_mem_table(GPA, MEM_SIZE, UVA, 0), 0);
	setup_vring(0, &kick, &call);
	setup_vring(1, &kick, &call);
	ck_assert(!send_state(VHOST_USER_SET_VRING_ENABLE, 0, 1));
	ck_assert(!send_state(VHOST_USER_SET_VRING_ENABLE, 1, 1));
	ck_assert(vhost_dev_vring_is_live(&dev, 0));
	ck_assert(vhost_dev_vring_is_live(&dev, 1));
	ck_assert(dev.vrings[1].vr.event_idx);
	ck_assert_uint_eq(dev.stats.bad_msg, 0);
}
END_TEST

static Suite *
vhost_msg_suite(void)
{
	Suite *s = suite_create("vhost_msg");
	TCase *tc;

	tc = tcase_create("negotiation");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_negotiation);
	tcase_add_test(tc, test_mem_not_executable);
	tcase_add_test(tc, test_qemu_order);
	suite_add_tcase(s, tc);

	tc = tcase_create("rings");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ring_lifecycle);
	tcase_add_test(tc, test_mem_table_replaced);
	tcase_add_test(tc, test_mem_populated_resident_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mem_table_hostile);
	tcase_add_test(tc, test_mem_shrunk_under_mapping);
	tcase_add_test(tc, test_wrong_sizes_and_indexes);
	tcase_add_test(tc, test_fds_always_closed);
	tcase_add_test(tc, test_link_status_channel);
	tcase_add_test(tc, test_link_channel_full_or_closed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vhost_msg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
