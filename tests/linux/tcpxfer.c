/*
 * tcpxfer.c - TCP sink and source for the VM<->VM benchmark
 * (bench-linux-tcp, tests/linux/scenarios.sh).  It runs inside the test
 * guest, whose initramfs has no C library, so it is linked -static.
 * busybox nc moves 1 KiB per system call, which on the emulated CPU of the
 * nested guests would measure the guest's system calls, not the path
 * between the VMs; this moves 256 KiB per call.
 *
 *   tcpxfer recv PORT           accepts one connection, reads until EOF,
 *                               sends back the byte count (8 bytes, big
 *                               endian), prints a result line, exits
 *   tcpxfer send ADDR PORT MIB  connects (retrying for up to 60 s while
 *                               refused or unreachable), sends MIB MiB of
 *                               zeros, half-closes, reads the receiver's
 *                               count; exit 0 only if it equals what was
 *                               sent.  Prints the time from connect to the
 *                               count's arrival and the rate.
 *
 * Result lines: "TCPXFER recv BYTES bytes SECS s MBIT Mbit/s" and
 * "TCPXFER send BYTES bytes SECS s MBIT Mbit/s"; errors "TCPXFER error: ...".
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)
#define CONNECT_TRIES 600	/* 100 ms apart */

static char buf[BUF_SIZE];

static int
fail(const char *what)
{
	printf("TCPXFER error: %s: %s\n", what, strerror(errno));
	return 1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
report(const char *mode, uint64_t bytes, double secs)
{
	printf("TCPXFER %s %llu bytes %.3f s %.1f Mbit/s\n", mode,
	       (unsigned long long)bytes, secs,
	       secs > 0 ? bytes * 8 / secs / 1e6 : 0.0);
}

/* parse_port S: 1..65535, or 0 when S is not a port number. */
static int
parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return (*s && !*end && v > 0 && v < 65536) ? (int)v : 0;
}

static int
do_recv(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	uint64_t total = 0, be;
	int ls, fd, one = 1;
	double t0;
	ssize_t n;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		return fail("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail("bind");
	if (listen(ls, 1) < 0)
		return fail("listen");
	fd = accept(ls, NULL, NULL);
	if (fd < 0)
		return fail("accept");
	t0 = now();
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail("read");
		}
		total += (uint64_t)n;
	}
	be = htobe64(total);
	if (write(fd, &be, sizeof(be)) != sizeof(be))
		return fail("write of the count");
	report("recv", total, now() - t0);
	close(fd);
	close(ls);
	return 0;
}

static int
do_send(const char *addr, int port, uint64_t mib)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	uint64_t total = mib << 20, left = total, got;
	unsigned char in[sizeof(got)];
	size_t have = 0;
	double t0;
	ssize_t n;
	int fd = -1, i;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		printf("TCPXFER error: '%s' is not an IPv4 address\n", addr);
		return 1;
	}
	for (i = 0; i < CONNECT_TRIES; i++) {
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return fail("socket");
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		if (errno != ECONNREFUSED && errno != EHOSTUNREACH &&
		    errno != ENETUNREACH && errno != ETIMEDOUT)
			return fail("connect");
		close(fd);
		fd = -1;
		usleep(100000);
	}
	if (fd < 0)
		return fail("connect (60 s of retries)");
	t0 = now();
	while (left > 0) {
		n = write(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return fail("write");
		}
		left -= (uint64_t)n;
	}
	if (shutdown(fd, SHUT_WR) < 0)
		return fail("shutdown");
	while (have < sizeof(in)) {
		n = read(fd, in + have, sizeof(in) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("read of the count");
		if (n == 0) {
			printf("TCPXFER error: the receiver closed without"
			       " its count\n");
			return 1;
		}
		have += (size_t)n;
	}
	report("send", total, now() - t0);
	memcpy(&got, in, sizeof(got));
	got = be64toh(got);
	if (got != total) {
		printf("TCPXFER error: the receiver counted %llu bytes of"
		       " %llu\n", (unsigned long long)got,
		       (unsigned long long)total);
		return 1;
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	int port;
	char *end;
	unsigned long long mib;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "recv") == 0 &&
	    (port = parse_port(argv[2])) != 0)
		return do_recv(port);
	if (argc == 5 && strcmp(argv[1], "send") == 0 &&
	    (port = parse_port(argv[3])) != 0) {
		mib = strtoull(argv[4], &end, 10);
		if (*argv[4] && !*end && mib > 0 && mib <= (1ULL << 20))
			return do_send(argv[2], port, mib);
	}
	fprintf(stderr, "usage: tcpxfer recv PORT | "
		"tcpxfer send ADDR PORT MIB (1..1048576)\n");
	return 2;
}
