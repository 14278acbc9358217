/*
 * fuzz_vhost_msg.c - libFuzzer target: sequences of vhost-user messages
 * from a hostile front-end, applied by the real handlers
 * (vhost_dev_handle(), vswitchd/ports/vhost-msg.c) as vhost-sock.c hands
 * them over, with the fds faked: each message says how many fds come with
 * it and of which kind (a memfd of guest RAM, an eventfd, /dev/null, a
 * socket whose peer is closed), and the handlers own them as they would
 * own received ones.  After the sequence the port's carrier is pulled and
 * plugged (a CONFIG_CHANGE_MSG on a back-end channel, if one was
 * given), every live ring is walked as the data path would (guest TX
 * dequeued, a frame offered to guest RX), then the device is reset, which
 * must close every fd it kept: the lowest free fd number before and after
 * an input must be the same, or the target aborts (an fd leak).
 *
 * Input, repeated up to MAX_MSGS times:
 *   u8 request, u8 flags, u16 size (LE), u8 fds (bits 0-3 count, 4-7 the
 *   kinds of the first two), then 'size' payload bytes (fewer if the input
 *   ends; the rest of the payload is zero, as the reader's buffer is).
 * A size above VHOST_USER_MAX_PAYLOAD is what vhost-sock.c drops the
 * connection for: the sequence ends there.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-daemon.h"
#include "vhost-msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_MSGS   64
#define GUEST_SIZE 0x10000	/* the memfd every region fd is a dup of */

static int guest_fd = -1;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	fuzz_daemon_init();
	guest_fd = memfd_create("hdfuzz-guest", MFD_CLOEXEC);
	if (guest_fd < 0 || ftruncate(guest_fd, GUEST_SIZE))
		abort();
	return 0;
}

/* A fresh fd of kind 'k' (0: guest memory, 1: eventfd, 2: /dev/null,
 * 3: a stream socket whose peer is gone). */
static int
fake_fd(unsigned k)
{
	int sv[2];

	switch (k & 3) {
	case 0:
		return dup(guest_fd);
	case 1:
		return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	case 2:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	default:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return -1;
		close(sv[1]);
		return sv[0];
	}
}

/* What the data path does with a live ring: even rings are guest RX
 * (we enqueue), odd rings guest TX (we dequeue). */
static void
walk_rings(struct vhost_dev *dev)
{
	static const uint8_t frame[64] = { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0,
					   0, 0, 2, 0x08, 0x00 };
	uint8_t buf[2048];
	uint32_t len;

	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		struct vhost_vring *vr = &dev->vrings[i].vr;

		if (!vhost_dev_vring_is_live(dev, i))
			continue;
		for (int n = 0; n < 16; n++) {
			int err = i & 1
				? vhost_vring_dequeue(vr, &dev->mem, buf,
						      sizeof buf, &len)
				: vhost_vring_enqueue(vr, &dev->mem, frame,
						      sizeof frame);
			if (err == -EAGAIN || err == -ENOBUFS || err == -EIO)
				break;
		}
		vhost_vring_publish(vr);
		vhost_vring_should_notify(vr);
	}
}

/* The lowest fd number not in use. */
static int
lowest_free_fd(void)
{
	int fd = fcntl(guest_fd, F_DUPFD_CLOEXEC, 0);

	close(fd);
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vhost_dev dev;
	int free_fd = lowest_free_fd();
	size_t pos = 0;

	vhost_dev_init(&dev, "fz0");
	for (unsigned m = 0; m < MAX_MSGS && size - pos >= 5; m++) {
		struct vhost_user_hdr hdr, rhdr;
		union vhost_user_payload payload, rpayload;
		int fds[VHOST_USER_MAX_FDS];
		unsigned nfds, take;

		hdr.request = data[pos];
		hdr.flags = data[pos + 1];
		hdr.size = (uint32_t)data[pos + 2] | (uint32_t)data[pos + 3] << 8;
		nfds = data[pos + 4] & 0xf;
		if (nfds > VHOST_USER_MAX_FDS)
			nfds = VHOST_USER_MAX_FDS;
		pos += 5;
		if (hdr.size > VHOST_USER_MAX_PAYLOAD)
			break;
		memset(&payload, 0, sizeof payload);
		take = hdr.size < size - pos ? hdr.size : (unsigned)(size - pos);
		memcpy(&payload, data + pos, take);
		pos += take;
		for (unsigned i = 0; i < nfds; i++)
			fds[i] = fake_fd(i < 2 ? data[pos - take - 1] >> (4 + 2 * i)
					       : 0);
		vhost_dev_handle(&dev, &hdr, &payload, fds, nfds, &rhdr,
				 &rpayload);
	}
	vhost_dev_set_link(&dev, false);
	vhost_dev_set_link(&dev, true);
	walk_rings(&dev);
	vhost_dev_reset(&dev);
	if (lowest_free_fd() != free_fd) {
		fprintf(stderr, "fd leak: %d free before, %d after\n",
			free_fd, lowest_free_fd());
		abort();
	}
	return 0;
}
