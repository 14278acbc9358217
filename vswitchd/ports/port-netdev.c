/*
 * port-netdev.c - the "netdev" port class: an existing kernel network
 * device (veth, physical NIC, macvlan, dummy, bond...) as a bridge port,
 * as "brctl addif BR eth0" makes it one of the Linux bridge.
 *
 * The port is an AF_PACKET socket bound to the device for every protocol
 * (ETH_P_ALL).  What the kernel does not let a userspace switch do, and
 * what follows from that, is in docs/architecture.md, "Existing
 * interfaces"; in short, the host stack still sees every frame.
 *
 * Receive.  By default a TPACKET_V3 ring mapped into our memory: the
 * kernel fills blocks of frames and hands a block over when it is full or
 * NETDEV_BLOCK_TOV_MS after its first frame, so a burst costs no system
 * call.  If the ring cannot be set up (memory limits, a kernel without
 * V3), the port falls back to recvmmsg() with PACKET_AUXDATA on a fresh
 * socket; the log line of the open and the "ring_mode" counter say which
 * one is in use, and the "io" argument can force either.  Both paths
 * describe a frame to netdev-frame.c, which puts back the VLAN tag the
 * driver took out (TP_STATUS_VLAN_VALID) so VLAN filtering sees it, and
 * which finishes the TCP/UDP checksum a local sender left to offload
 * (TP_STATUS_CSUMNOTREADY), since a frame sent again through a packet
 * socket is taken as finished.
 *
 * Transmit.  sendmmsg() of the burst with PACKET_QDISC_BYPASS: the frames
 * go straight to the driver, as a bridge's forwarded frames do (a TX ring
 * would save copies only for bursts much larger than ours).  Our own
 * transmissions would come back to the socket as PACKET_OUTGOING frames;
 * PACKET_IGNORE_OUTGOING stops that in the kernel, and any that still
 * arrive are skipped and counted.
 *
 * Promiscuous mode comes from a PACKET_MR_PROMISC membership of the
 * socket, not from the device's IFF_PROMISC flag: the kernel counts it
 * and drops it when the socket is closed, also when vswitchd is killed,
 * so the device is left as it was found in every case (ip -d link shows
 * "promiscuity N").  Like the Linux bridge, the port leaves the device's
 * admin state alone when it attaches; carrier (IFF_UP and IFF_LOWER_UP)
 * and MTU are followed over rtnetlink (nl.h).  The port's MAC is the
 * device's, as a Linux bridge port's is.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <ev.h>
#include <json-c/json.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "bridge.h"
#include "clock.h"
#include "log.h"
#include "netdev-frame.h"
#include "nl.h"
#include "pkt.h"
#include "port-provider.h"
#include "util.h"

#define MOD "netdev"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* The receive ring: 32 blocks of 128 KiB (4 MiB a port).  A block holds
 * frames of any size up to itself, so also the 64 KiB GSO frames a veth
 * may pass up.  The timeout bounds the latency a lone frame sees (the
 * kernel rounds it up to a jiffy). */
#define NETDEV_BLOCK_SIZE	(1u << 17)
#define NETDEV_BLOCK_NR		32u
#define NETDEV_FRAME_SIZE	2048u	/* only for the kernel's checks */
#define NETDEV_BLOCK_TOV_MS	1u

/* Socket mode: the receive buffer, so a burst of the far end's frames
 * is not lost while the loop is busy elsewhere. */
#define NETDEV_RCVBUF		(4 << 20)

enum netdev_io {
	NETDEV_IO_AUTO,		/* ring, else socket */
	NETDEV_IO_RING,
	NETDEV_IO_SOCKET,
};

/* The class's own counters (stats.get "netdev"). */
struct netdev_counters {
	uint64_t rx_frames;	/* frames passed to the pipeline */
	uint64_t rx_vlan_restored; /* of those, with a tag put back */
	uint64_t rx_csum_completed; /* with a checksum finished here */
	uint64_t rx_outgoing;	/* our own transmissions, skipped */
	uint64_t rx_ring_full;	/* lost by the kernel: ring (or, in socket
				 * mode, receive queue) full */
	uint64_t rx_truncated;	/* cut short by the kernel */
	uint64_t tx_frames;	/* frames the kernel accepted */
	uint64_t tx_errors;	/* refused frames (too big, device gone) */
	uint64_t tx_busy;	/* not sent: driver queue full */
};

struct port_netdev {
	struct port up;
	int fd;				/* AF_PACKET, non-blocking */
	int ifindex;
	char ifname[IFNAMSIZ];		/* current name of 'ifindex' */
	bool ring;			/* ring mode, else socket mode */
	uint8_t *map;			/* ring mode: the mapped blocks */
	size_t map_len;
	unsigned block;			/* next block to read */
	bool in_block;			/* 'block' is ours, being read */
	uint8_t *next;			/* next frame in it */
	uint32_t left;			/* frames left in it */
	bool carrier;
	struct ev_loop *loop;		/* non-NULL while watched */
	ev_io io;
	struct nl_watch_sub sub;
	struct netdev_counters c;
};

/* Frames received while the pool is empty land here and are dropped.
 * One loop per process, so one buffer is enough. */
static uint8_t netdev_scratch[PKT_DATA_MAX];

const struct port_class port_netdev_class;

static int netdev_socket_open(struct port_netdev *nd, bool ring, char **msgp);
static int netdev_ring_setup(struct port_netdev *nd);
static int netdev_check_device(const char *name,
			       const struct nl_link_info *info, char **msgp);
static bool netdev_is_own_tap(const char *name);
static void netdev_refresh(struct port_netdev *nd);
static void netdev_fold_kernel_drops(const struct port_netdev *nd,
				     uint64_t *ring_full);

static struct port_netdev *
port_netdev_cast(const struct port *port)
{
	ASSERT(port->class == &port_netdev_class);
	return container_of(port, struct port_netdev, up);
}

/* Opening. */

static int
netdev_open(const char *name, struct json_object *args,
	    const struct port_open_env *env, struct port **portp,
	    char **msgp)
{
	const char *io_arg = port_class_arg_string(args, "io", "auto");
	enum netdev_io io = !strcmp(io_arg, "ring") ? NETDEV_IO_RING
			    : !strcmp(io_arg, "socket") ? NETDEV_IO_SOCKET
			    : NETDEV_IO_AUTO;
	struct nl_link_info info;
	struct port_netdev *nd;
	char *msg = NULL;
	int err;

	(void)env;
	*portp = NULL;
	err = nl_link_get(name, &info);
	if (err == -ENODEV) {
		*msgp = xasprintf("interface %s does not exist", name);
		return err;
	}
	if (err) {
		*msgp = xasprintf("%s: cannot read the device: %s", name,
				  strerror(-err));
		return err;
	}
	if (info.flags & IFF_LOOPBACK) {
		*msgp = xasprintf("%s is a loopback device; it cannot be a "
				  "bridge port", name);
		return -EINVAL;
	}
	/* The core refuses our bridge devices and ports by name; a TAP we
	 * hold under another name (renamed since) is caught here, or the
	 * switch would read its own output. */
	if (netdev_is_own_tap(name)) {
		*msgp = xasprintf("%s is a TAP device of this vswitchd (a port "
				  "or a bridge device); it cannot also be a "
				  "netdev port", name);
		return -EBUSY;
	}
	if ((err = netdev_check_device(name, &info, msgp)))
		return err;

	nd = xcalloc(1, sizeof *nd);
	port_init(&nd->up, &port_netdev_class, name);
	nd->fd = -1;
	nd->ifindex = info.ifindex;
	util_strlcpy(nd->ifname, name, sizeof nd->ifname);
	err = netdev_socket_open(nd, io != NETDEV_IO_SOCKET, &msg);
	if (err && io == NETDEV_IO_AUTO && !msg) {
		log_info(MOD, "%s: no TPACKET_V3 ring (%s); using recvmmsg",
			 name, strerror(-err));
		err = netdev_socket_open(nd, false, &msg);
	}
	if (err) {
		*msgp = msg ? msg : xasprintf("%s: cannot open a packet "
					      "socket: %s", name,
					      strerror(-err));
		goto out_free;
	}

	nd->up.mac = info.mac;
	nd->up.mtu = info.mtu;
	nd->up.ifindex = info.ifindex;
	nd->up.path_cost = nl_default_path_cost(name);
	netdev_refresh(nd);
	log_info(MOD, "%s: attached (ifindex %d, %s rx, sendmmsg tx, "
		 "promiscuous, carrier %s)", name, nd->ifindex,
		 nd->ring ? "TPACKET_V3 ring" : "recvmmsg",
		 nd->carrier ? "on" : "off");
	*portp = &nd->up;
	return 0;

out_free:
	if (nd->map)
		munmap(nd->map, nd->map_len);
	if (nd->fd >= 0)
		close(nd->fd);
	free(nd);
	return err;
}

/* Opens nd->fd on nd->ifindex, with the ring if 'ring'.  On failure the
 * socket is closed again and -errno returned; '*msgp' is set only for a
 * failure that another mode would not cure (the device itself). */
static int
netdev_socket_open(struct port_netdev *nd, bool ring, char **msgp)
{
	struct packet_mreq mreq = {
		.mr_ifindex = nd->ifindex,
		.mr_type = PACKET_MR_PROMISC,
	};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = nd->ifindex,
	};
	int one = 1, rcvbuf = NETDEV_RCVBUF, err;

	/* Protocol 0: nothing is queued before bind(), which comes after
	 * the ring exists, so no frame of another device ever lands here. */
	nd->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (nd->fd < 0)
		return -errno;
	/* Both are optimisations with a fallback: PACKET_OUTGOING frames are
	 * also skipped on receive, and without the bypass frames take the
	 * device's qdisc. */
	if (setsockopt(nd->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof one))
		log_debug(MOD, "%s: no PACKET_IGNORE_OUTGOING: %s", nd->ifname,
			  strerror(errno));
	if (setsockopt(nd->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof one))
		log_debug(MOD, "%s: no PACKET_QDISC_BYPASS: %s", nd->ifname,
			  strerror(errno));
	if (ring) {
		if ((err = netdev_ring_setup(nd)))
			goto out_close;
	} else {
		if (setsockopt(nd->fd, SOL_PACKET, PACKET_AUXDATA, &one,
			       sizeof one)) {
			err = -errno;
			goto out_close;
		}
		/* Without privilege the cap is net.core.rmem_max; fine. */
		if (setsockopt(nd->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			       sizeof rcvbuf))
			setsockopt(nd->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				   sizeof rcvbuf);
	}
	if (bind(nd->fd, (struct sockaddr *)&sll, sizeof sll)) {
		err = -errno;
		*msgp = xasprintf("%s: cannot bind a packet socket: %s",
				  nd->ifname, strerror(-err));
		goto out_close;
	}
	if (setsockopt(nd->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq,
		       sizeof mreq)) {
		err = -errno;
		*msgp = xasprintf("%s: cannot enter promiscuous mode: %s",
				  nd->ifname, strerror(-err));
		goto out_close;
	}
	nd->ring = ring;
	return 0;

out_close:
	if (nd->map) {
		munmap(nd->map, nd->map_len);
		nd->map = NULL;
	}
	close(nd->fd);
	nd->fd = -1;
	return err;
}

/* Asks for a TPACKET_V3 receive ring and maps it. */
static int
netdev_ring_setup(struct port_netdev *nd)
{
	struct tpacket_req3 req = {
		.tp_block_size = NETDEV_BLOCK_SIZE,
		.tp_block_nr = NETDEV_BLOCK_NR,
		.tp_frame_size = NETDEV_FRAME_SIZE,
		.tp_frame_nr = NETDEV_BLOCK_SIZE / NETDEV_FRAME_SIZE *
			       NETDEV_BLOCK_NR,
		.tp_retire_blk_tov = NETDEV_BLOCK_TOV_MS,
	};
	int version = TPACKET_V3;
	void *map;

	if (setsockopt(nd->fd, SOL_PACKET, PACKET_VERSION, &version,
		       sizeof version) ||
	    setsockopt(nd->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req))
		return -errno;
	nd->map_len = (size_t)NETDEV_BLOCK_SIZE * NETDEV_BLOCK_NR;
	map = mmap(NULL, nd->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   nd->fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	nd->map = map;
	nd->block = 0;
	nd->in_block = false;
	return 0;
}

/* What the Linux bridge refuses too (br_add_if()): a device that is not
 * Ethernet, has no valid unicast address, or already has a master (a
 * kernel bridge or a bond would take its frames first: the port of a
 * bond is the bond). */
static int
netdev_check_device(const char *name, const struct nl_link_info *info,
		    char **msgp)
{
	char path[64], master[PATH_MAX];
	struct ifreq ifr;
	int fd, r = -1;
	ssize_t n;

	snprintf(path, sizeof path, "/sys/class/net/%s/master", name);
	n = readlink(path, master, sizeof master - 1);
	if (n > 0) {
		master[n] = '\0';
		*msgp = xasprintf("%s already has a master (%s); it cannot "
				  "also be a port of this switch", name,
				  strrchr(master, '/') ? strrchr(master, '/') + 1
						       : master);
		return -EBUSY;
	}
	memset(&ifr, 0, sizeof ifr);
	util_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		r = ioctl(fd, SIOCGIFHWADDR, &ifr);
		close(fd);
	}
	if (!r && ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		*msgp = xasprintf("%s is not an Ethernet device (link type "
				  "%u); it cannot be a bridge port", name,
				  ifr.ifr_hwaddr.sa_family);
		return -EINVAL;
	}
	if (eth_addr_is_zero(&info->mac) || eth_addr_is_multicast(&info->mac)) {
		*msgp = xasprintf("%s has no valid Ethernet address; it "
				  "cannot be a bridge port", name);
		return -EINVAL;
	}
	return 0;
}

/* True if this process holds a TUN/TAP fd attached to device 'name': one
 * of our TAP ports or bridge devices.  The tun driver names the device of
 * each fd in /proc/self/fdinfo ("iff:"). */
static bool
netdev_is_own_tap(const char *name)
{
	struct dirent *de;
	bool own = false;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return false;
	while (!own && (de = readdir(d))) {
		char path[300], target[32], line[128];
		ssize_t n;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof target - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "/dev/net/tun"))
			continue;
		snprintf(path, sizeof path, "/proc/self/fdinfo/%s", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "iff:", 4))
				continue;
			line[strcspn(line, "\n")] = '\0';
			own = !strcmp(line + 4 + strspn(line + 4, " \t"), name);
		}
		fclose(f);
	}
	closedir(d);
	return own;
}

/* Class ops. */

static void
netdev_close(struct port *port)
{
	struct port_netdev *nd;

	if (!port)
		return;
	nd = port_netdev_cast(port);
	if (nd->loop)
		port->class->watch(port, NULL);
	if (nd->map)
		munmap(nd->map, nd->map_len);
	/* Closing drops the promiscuous membership. */
	close(nd->fd);
	log_info(MOD, "%s: detached", port->name);
	free(nd);
}

/* Takes one received frame into the pipeline or counts why not.  'data'
 * is 'meta->snaplen' bytes; 'p' is a pool packet or NULL (pool empty).
 * Returns 'p' if it was filled and must be passed on, else frees it. */
static struct pkt *
netdev_rx_one(struct port_netdev *nd, struct pkt_pool *pool, struct pkt *p,
	      const uint8_t *data, const struct netdev_rx_meta *meta)
{
	struct port *port = &nd->up;
	enum netdev_rx_verdict v = netdev_frame_check(meta);

	/* Dropped frames count as received, as the pipeline's own drops
	 * do. */
	if (v != NETDEV_RX_OK || !p) {
		port->stats.rx_packets++;
		if (v == NETDEV_RX_TRUNCATED)
			nd->c.rx_truncated++;
		port->stats.drops[!p && v == NETDEV_RX_OK ? PORT_DROP_NO_BUFFER
				  : v == NETDEV_RX_RUNT ? PORT_DROP_RUNT
				  : PORT_DROP_OVERSIZE]++;
		pkt_free(pool, p);
		return NULL;
	}
	if (data != p->data)
		memcpy(p->data, data, meta->len);
	p->len = meta->len;
	p->ts_ns = clock_now_ms() * 1000000;
	if ((meta->status & TP_STATUS_CSUMNOTREADY) &&
	    netdev_frame_complete_csum(p->data, p->len))
		nd->c.rx_csum_completed++;
	if (netdev_frame_restore_vlan(p, meta))
		nd->c.rx_vlan_restored++;
	nd->c.rx_frames++;
	return p;
}

static struct tpacket_block_desc *
ring_block(const struct port_netdev *nd, unsigned i)
{
	return (struct tpacket_block_desc *)(void *)
	       (nd->map + (size_t)i * NETDEV_BLOCK_SIZE);
}

/* Gives the block being read back to the kernel. */
static void
ring_release_block(struct port_netdev *nd)
{
	struct tpacket_block_desc *bd = ring_block(nd, nd->block);

	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
			 __ATOMIC_RELEASE);
	nd->in_block = false;
	nd->block = (nd->block + 1) % NETDEV_BLOCK_NR;
}

static int
netdev_rx_ring(struct port_netdev *nd, struct pkt_pool *pool,
	       struct pkt **pkts, int max)
{
	int n = 0;

	while (n < max) {
		const struct tpacket3_hdr *h;
		const struct sockaddr_ll *sll;
		struct netdev_rx_meta meta;
		struct pkt *p;

		if (!nd->in_block) {
			struct tpacket_block_desc *bd = ring_block(nd, nd->block);

			if (!(__atomic_load_n(&bd->hdr.bh1.block_status,
					      __ATOMIC_ACQUIRE) & TP_STATUS_USER))
				break;
			nd->in_block = true;
			nd->next = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
			nd->left = bd->hdr.bh1.num_pkts;
		}
		if (!nd->left) {
			ring_release_block(nd);
			continue;
		}
		h = (const struct tpacket3_hdr *)(const void *)nd->next;
		sll = (const struct sockaddr_ll *)(const void *)
		      (nd->next + TPACKET_ALIGN(sizeof *h));
		meta = (struct netdev_rx_meta){
			.status = h->tp_status,
			.len = h->tp_len,
			.snaplen = h->tp_snaplen,
			.vlan_tci = (uint16_t)h->hv1.tp_vlan_tci,
			.vlan_tpid = (uint16_t)h->hv1.tp_vlan_tpid,
		};
		if (sll->sll_pkttype == PACKET_OUTGOING) {
			nd->c.rx_outgoing++;
		} else {
			p = pkt_alloc(pool);
			p = netdev_rx_one(nd, pool, p, nd->next + h->tp_mac,
					  &meta);
			if (p)
				pkts[n++] = p;
		}
		nd->next += h->tp_next_offset;
		if (!--nd->left)
			ring_release_block(nd);
	}
	return n;
}

static int
netdev_rx_socket(struct port_netdev *nd, struct pkt_pool *pool,
		 struct pkt **pkts, int max)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cbuf[PKT_BURST];
	struct sockaddr_ll sll[PKT_BURST];
	struct mmsghdr msgs[PKT_BURST];
	struct iovec iov[PKT_BURST];
	struct pkt *got[PKT_BURST];
	int r, n = 0;

	max = MIN(max, PKT_BURST);
	for (int i = 0; i < max; i++) {
		got[i] = pkt_alloc(pool);
		iov[i].iov_base = got[i] ? got[i]->data : netdev_scratch;
		iov[i].iov_len = PKT_DATA_MAX;
		msgs[i].msg_hdr = (struct msghdr){
			.msg_name = &sll[i], .msg_namelen = sizeof sll[i],
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = cbuf[i].buf,
			.msg_controllen = sizeof cbuf[i].buf,
		};
	}
	do {
		/* MSG_TRUNC: msg_len is the frame's real length. */
		r = recvmmsg(nd->fd, msgs, (unsigned)max,
			     MSG_DONTWAIT | MSG_TRUNC, NULL);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		int err = errno;

		r = 0;
		/* ENETDOWN: the device went down or away; carrier tells the
		 * bridge, and reading goes on for when it comes back. */
		if (err != EAGAIN && err != EWOULDBLOCK && err != ENETDOWN) {
			for (int i = 0; i < max; i++)
				pkt_free(pool, got[i]);
			return -err;
		}
	}
	for (int i = 0; i < r; i++) {
		struct netdev_rx_meta meta = {
			.len = msgs[i].msg_len,
			.snaplen = MIN(msgs[i].msg_len, (uint32_t)PKT_DATA_MAX),
		};
		struct cmsghdr *cm;
		struct pkt *p;

		if (sll[i].sll_pkttype == PACKET_OUTGOING) {
			nd->c.rx_outgoing++;
			pkt_free(pool, got[i]);
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm;
		     cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm)) {
			struct tpacket_auxdata aux;

			if (cm->cmsg_level != SOL_PACKET ||
			    cm->cmsg_type != PACKET_AUXDATA ||
			    cm->cmsg_len < CMSG_LEN(sizeof aux))
				continue;
			memcpy(&aux, CMSG_DATA(cm), sizeof aux);
			meta.status = aux.tp_status;
			meta.vlan_tci = aux.tp_vlan_tci;
			meta.vlan_tpid = aux.tp_vlan_tpid;
		}
		p = netdev_rx_one(nd, pool, got[i], iov[i].iov_base, &meta);
		if (p)
			pkts[n++] = p;
	}
	for (int i = r; i < max; i++)
		pkt_free(pool, got[i]);
	return n;
}

static int
netdev_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
		int max)
{
	struct port_netdev *nd = port_netdev_cast(port);

	return nd->ring ? netdev_rx_ring(nd, pool, pkts, max)
			: netdev_rx_socket(nd, pool, pkts, max);
}

static int
netdev_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct port_netdev *nd = port_netdev_cast(port);
	struct mmsghdr msgs[PKT_BURST];
	struct iovec iov[PKT_BURST];
	int i = 0, sent = 0;

	while (i < n) {
		int k = MIN(n - i, PKT_BURST), r;

		for (int j = 0; j < k; j++) {
			iov[j].iov_base = pkts[i + j]->data;
			iov[j].iov_len = pkts[i + j]->len;
			msgs[j].msg_hdr = (struct msghdr){
				.msg_iov = &iov[j], .msg_iovlen = 1,
			};
		}
		r = sendmmsg(nd->fd, msgs, (unsigned)k, MSG_DONTWAIT);
		if (r > 0) {
			sent += r;
			i += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		/* The frame at 'i' failed.  A full queue or a device that is
		 * down or gone fails the rest too; anything else (EMSGSIZE)
		 * concerns this frame only.  The pipeline counts what was
		 * not sent as tx_error drops; these say why. */
		if (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS) {
			nd->c.tx_busy += (uint64_t)(n - i);
			break;
		}
		if (errno == ENETDOWN || errno == ENXIO || errno == ENODEV) {
			nd->c.tx_errors += (uint64_t)(n - i);
			break;
		}
		nd->c.tx_errors++;
		i++;
	}
	nd->c.tx_frames += (uint64_t)sent;
	return sent;
}

static bool
netdev_get_carrier(const struct port *port)
{
	return port_netdev_cast(port)->carrier;
}

/* 'ip link set DEV up|down' through the bridge's own commands acts on the
 * device, as it does for a Linux bridge port. */
static int
netdev_set_admin_up(struct port *port, bool up)
{
	struct port_netdev *nd = port_netdev_cast(port);
	int err = nl_link_set_up(nd->ifname, up);

	netdev_refresh(nd);
	return err;
}

static int
netdev_set_mtu(struct port *port, uint32_t mtu)
{
	struct port_netdev *nd = port_netdev_cast(port);
	int err = nl_link_set_mtu(nd->ifname, mtu);

	if (!err)
		port->mtu = mtu;
	return err;
}

static void
netdev_on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct port_netdev *nd = container_of(w, struct port_netdev, io);

	(void)revents;
	port_on_readable(&nd->up, loop, w);
}

/* Link watcher callback: re-reads the device, reports carrier changes to
 * the bridge and takes a new MTU. */
static void
netdev_on_link_change(struct nl_watch_sub *sub)
{
	struct port_netdev *nd = container_of(sub, struct port_netdev, sub);
	struct port *port = &nd->up;
	bool old = nd->carrier;

	netdev_refresh(nd);
	if (nd->carrier == old || !port->br)
		return;
	log_info(MOD, "%s: carrier %s", port->name, nd->carrier ? "on" : "off");
	bridge_port_update_link(port->br, port);
}

static void
netdev_watch(struct port *port, struct ev_loop *loop)
{
	struct port_netdev *nd = port_netdev_cast(port);
	int err;

	if (nd->loop) {
		ev_io_stop(nd->loop, &nd->io);
		nl_watch_unsubscribe(&nd->sub);
		nl_watch_close();
		nd->loop = NULL;
	}
	if (!loop)
		return;
	ev_io_init(&nd->io, netdev_on_readable, nd->fd, EV_READ);
	ev_io_start(loop, &nd->io);
	nd->loop = loop;
	err = nl_watch_open(loop);
	if (err) {
		log_warn(MOD, "%s: no link watcher: %s", port->name,
			 strerror(-err));
		return;
	}
	nd->sub.cb = netdev_on_link_change;
	nl_watch_subscribe(&nd->sub);
	netdev_on_link_change(&nd->sub);
}

static struct json_object *
netdev_get_stats(const struct port *port)
{
	const struct port_netdev *nd = port_netdev_cast(port);
	struct json_object *o = json_object_new_object();
	uint64_t ring_full = nd->c.rx_ring_full;

	netdev_fold_kernel_drops(nd, &ring_full);
#define NETDEV_STAT(key, val) \
	json_object_object_add(o, key, json_object_new_uint64(val))
	NETDEV_STAT("ring_mode", nd->ring ? 1 : 0);
	NETDEV_STAT("rx_frames", nd->c.rx_frames);
	NETDEV_STAT("rx_vlan_restored", nd->c.rx_vlan_restored);
	NETDEV_STAT("rx_csum_completed", nd->c.rx_csum_completed);
	NETDEV_STAT("rx_outgoing", nd->c.rx_outgoing);
	NETDEV_STAT("rx_ring_full", ring_full);
	NETDEV_STAT("rx_truncated", nd->c.rx_truncated);
	NETDEV_STAT("tx_frames", nd->c.tx_frames);
	NETDEV_STAT("tx_errors", nd->c.tx_errors);
	NETDEV_STAT("tx_busy", nd->c.tx_busy);
#undef NETDEV_STAT
	return o;
}

static struct json_object *
netdev_describe(const struct port *port)
{
	const struct port_netdev *nd = port_netdev_cast(port);
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(nd->ifname));
	json_object_object_add(o, "ifindex", json_object_new_int(nd->ifindex));
	json_object_object_add(o, "io", json_object_new_string(
				       nd->ring ? "ring" : "socket"));
	return o;
}

static const struct port_arg netdev_args[] = {
	{ "io", PORT_ARG_CHOICE, false, NULL, "auto|ring|socket",
	  "receive path: TPACKET_V3 ring, recvmmsg, or ring with fallback "
	  "(default)" },
	{ NULL, 0, false, NULL, NULL, NULL },
};

const struct port_class port_netdev_class = {
	.type = "netdev",
	.args = netdev_args,
	.open = netdev_open,
	.get_stats = netdev_get_stats,
	.describe = netdev_describe,
	.close = netdev_close,
	.rx_burst = netdev_rx_burst,
	.tx_burst = netdev_tx_burst,
	.get_carrier = netdev_get_carrier,
	.set_admin_up = netdev_set_admin_up,
	.set_mtu = netdev_set_mtu,
	.watch = netdev_watch,
};

/* Helpers. */

/* Re-reads the device into nd->carrier and the port's MTU.  The device is
 * found by its ifindex, so a rename is followed; a device that is gone
 * counts as down. */
static void
netdev_refresh(struct port_netdev *nd)
{
	char name[IF_NAMESIZE];
	struct nl_link_info info;
	int err;

	if (if_indextoname((unsigned)nd->ifindex, name))
		util_strlcpy(nd->ifname, name, sizeof nd->ifname);
	err = nl_link_get(nd->ifname, &info);
	if (err || info.ifindex != nd->ifindex) {
		nd->carrier = false;
		return;
	}
	nd->carrier = (info.flags & IFF_UP) && (info.flags & IFF_LOWER_UP);
	if (info.mtu != nd->up.mtu) {
		if (nd->up.br)
			log_info(MOD, "%s: mtu %u", nd->up.name, info.mtu);
		nd->up.mtu = info.mtu;
	}
}

/* The kernel's count of frames it could not queue for us (ring or
 * receive queue full): PACKET_STATISTICS resets on every read, so each
 * read is folded into the port's running total, which '*ring_full'
 * returns.  A query that writes, for that reason only. */
static void
netdev_fold_kernel_drops(const struct port_netdev *cnd, uint64_t *ring_full)
{
	struct port_netdev *nd = (struct port_netdev *)(uintptr_t)cnd;
	union {
		struct tpacket_stats v2;
		struct tpacket_stats_v3 v3;
	} st;
	socklen_t len = sizeof st;

	memset(&st, 0, sizeof st);
	if (!getsockopt(nd->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		nd->c.rx_ring_full += st.v2.tp_drops;
	*ring_full = nd->c.rx_ring_full;
}
