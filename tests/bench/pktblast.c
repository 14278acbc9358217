/*
 * pktblast.c - the traffic source and sink of tests/bench/netdev-bench.sh.
 *
 *   pktblast send DEV DST-MAC SIZE SECONDS [SRC-MAC]
 *	sends SIZE-byte frames (Ethernet header included, no FCS) from DEV
 *	to DST-MAC as fast as sendmmsg() on a packet socket with the qdisc
 *	bypassed allows, for SECONDS, and prints how many it sent.  The
 *	source MAC is SRC-MAC, or 02:00:00:be:0c:01.
 *
 * The receiver's count is read from the kernel (the receiving veth's
 * rx_packets), so nothing here has to keep up with the switch.  A
 * standalone program: it shares no code with vswitchd.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BURST 32

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_mac(const char *s, unsigned char mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static unsigned char frame[9000];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct mmsghdr msgs[BURST];
	struct iovec iov;
	unsigned long long sent = 0;
	double end;
	int fd, one = 1;
	long size, secs;

	if ((argc != 6 && argc != 7) || strcmp(argv[1], "send") ||
	    parse_mac(argv[3], frame) ||
	    parse_mac(argc == 7 ? argv[6] : "02:00:00:be:0c:01", frame + 6) ||
	    (size = strtol(argv[4], NULL, 10)) < 60 ||
	    size > (long)sizeof frame ||
	    (secs = strtol(argv[5], NULL, 10)) < 1) {
		fprintf(stderr, "usage: pktblast send DEV DST-MAC SIZE(60..9000) "
			"SECONDS [SRC-MAC]\n");
		return 2;
	}
	sll.sll_ifindex = (int)if_nametoindex(argv[2]);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "pktblast: no device %s\n", argv[2]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof sll)) {
		perror("pktblast: packet socket");
		return 1;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
	/* EtherType: IEEE local experimental. */
	frame[12] = 0x88;
	frame[13] = 0xb5;
	iov.iov_base = frame;
	iov.iov_len = (size_t)size;
	memset(msgs, 0, sizeof msgs);
	for (int i = 0; i < BURST; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	end = now_s() + (double)secs;
	while (now_s() < end) {
		int r = sendmmsg(fd, msgs, BURST, 0);

		if (r > 0)
			sent += (unsigned)r;
		else if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
			perror("pktblast: sendmmsg");
			return 1;
		}
	}
	printf("%llu\n", sent);
	return 0;
}
