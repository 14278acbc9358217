/*
 * port-tap.c - the "tap" port class (see port-tap.h).
 *
 * The netdev is queried and set by name through nl.h.  A TAP moved into
 * another network namespace keeps its fd; TUNGETDEVNETNS tells which
 * namespace it lives in now and TUNGETIFF its current name, and the
 * rtnetlink calls run inside that namespace (nl_netns_enter()).
 */
#include "port-tap.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ev.h>
#include <json-c/json.h>
#include <liburing.h>
#include <linux/if_tun.h>

#include "bridge.h"
#include "clock.h"
#include "log.h"
#include "nl.h"
#include "pkt.h"
#include "pkt-offload.h"
#include "port-provider.h"
#include "util.h"

#define MOD "tap"

/* Linux 6.2 (UDP segmentation offload); older headers lack them, and an
 * older kernel refuses them (tap_set_offload() then asks for less). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

struct port_tap {
	struct port up;
	int fd;				/* /dev/net/tun, non-blocking */
	char ifname[IFNAMSIZ];		/* netdev name, as TUNGETIFF says */
	bool created;			/* we created the netdev */
	size_t vnet_hdr_len;		/* 0 without IFF_VNET_HDR */
	unsigned tun_offloads;		/* TUN_F_* granted by TUNSETOFFLOAD */
	bool carrier;			/* cached netdev state, see refresh */
	struct ev_loop *loop;		/* non-NULL while watched */
	ev_io io;
	struct nl_watch_sub sub;
	/* Batched I/O: a burst of reads or of writes goes to the kernel
	 * in one io_uring_enter() instead of one readv()/writev() each.
	 * Without a ring (io_uring unavailable) the port reads and writes
	 * frame by frame.  Used only by the bridge's datapath thread. */
	bool uring;
	struct io_uring ring;
	unsigned rx_last;		/* frames the last read round got */
	struct iovec iov[PKT_BURST][2];
	struct virtio_net_hdr vh[PKT_BURST];
	struct pkt *slot[PKT_BURST];
	int res[PKT_BURST];
};

/* Reads asked for beyond the last round's frames: a round of EAGAINs
 * costs far less than a system call per frame. */
#define TAP_RX_AHEAD 8

/* Frames read while the pool is empty land here and are dropped (a read
 * into a shorter buffer could fail rather than truncate).  Nothing ever
 * reads these bytes, so every port and every datapath thread may share
 * one sink. */
static uint8_t tap_scratch[PKT_DATA_MAX + 1];

const struct port_class port_tap_class;

static int tap_open__(const char *name, const struct port_tap_args *args,
		      bool host, struct port **portp);
static int tap_enter_ns(struct port_tap *tap, int *oldfdp);
static int tap_query(struct port_tap *tap, struct nl_link_info *info);
static void tap_refresh(struct port_tap *tap);
static void tap_set_offload(struct port_tap *tap);
static void tap_uring_init(struct port_tap *tap);

static struct port_tap *
port_tap_cast(const struct port *port)
{
	ASSERT(port->class == &port_tap_class);
	return container_of(port, struct port_tap, up);
}

int
port_tap_open(const char *name, const struct port_tap_args *args,
	      struct port **portp)
{
	return tap_open__(name, args, false, portp);
}

int
port_tap_open_host(const char *bridge_name, struct port **portp)
{
	return tap_open__(bridge_name, NULL, true, portp);
}

int
port_tap_attach_host(struct bridge *br)
{
	struct port *host;
	int err;

	/* Where TAPs are not allowed (port_class_allow_only(): the fuzz
	 * targets), a bridge has no device, as in a replay. */
	if (port_class_lookup("tap") != &port_tap_class)
		return 0;
	err = port_tap_open_host(br->name, &host);
	if (err)
		return err;
	err = bridge_set_host_port(br, host);
	if (err)
		port_close(host);
	return err;
}

int
port_tap_set_host_mac(struct port *host, const struct eth_addr *mac)
{
	struct port_tap *tap;
	int oldfd, err;

	if (!port_is_tap(host) || !host->is_host)
		return -EINVAL;
	tap = port_tap_cast(host);
	err = tap_enter_ns(tap, &oldfd);
	if (err)
		return err;
	err = nl_link_set_mac(tap->ifname, mac);
	nl_netns_leave(oldfd);
	if (!err)
		host->mac = *mac;
	return err;
}

bool
port_is_tap(const struct port *port)
{
	return port->class == &port_tap_class;
}

/* Opening.
 *
 * A TAP port's device is persistent (TUNSETPERSIST): it outlives the
 * daemon, a crash included, and stays where the user put it -- moved into
 * a namespace, renamed, addressed.  Each carries the alias "vswitchd:PORT"
 * so that a restarted daemon finds it again wherever it went: first in the
 * daemon's own namespace (by alias, then by name), then in every other
 * namespace it can see (by alias only: a foreign TAP that merely has the
 * same name is somebody else's).  The bridge device is the exception: it
 * goes with the bridge and with the daemon, like the Linux bridge's. */

#define TAP_ALIAS_FMT "vswitchd:%s"

/* Opens /dev/net/tun and binds it to TAP 'ifname' of the current
 * namespace, creating it if there is none.  The fd or -errno. */
static int
tap_bind(const char *ifname, bool vnet_hdr)
{
	struct ifreq ifr;
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof ifr);
	util_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (vnet_hdr)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* A search for a TAP port's device in the other namespaces. */
struct tap_hunt {
	const char *port;
	const char *alias;
	bool vnet_hdr;
	int fd;				/* bound to the device once found */
	char ifname[IFNAMSIZ];
	char where[300];
};

/* nl_netns_fn: binds to the TAP carrying our alias in this namespace. */
static int
tap_hunt_ns(const char *label, void *aux)
{
	struct tap_hunt *h = aux;
	int fd;

	if (nl_find_tap(h->alias, NULL, h->ifname))
		return 0;
	fd = tap_bind(h->ifname, h->vnet_hdr);
	if (fd < 0) {
		log_warn(MOD, "%s: device %s in %s is ours but cannot be "
			 "attached: %s", h->port, h->ifname, label,
			 strerror(-fd));
		return 0;
	}
	h->fd = fd;
	util_strlcpy(h->where, label, sizeof h->where);
	return 1;
}

/* Binds to TAP 'ifname' in namespace 'netns' (a name under /run/netns),
 * the one with alias 'alias' if any, making it there if there is none
 * (unless 'attach_only': -ENODEV): the netdev is born where it is used,
 * with no move.  Updates 'ifname' to the device's name and sets
 * '*existed'.  The fd or -errno (-ENOENT: no such namespace). */
static int
tap_bind_in(const char *netns, const char *alias, char ifname[IFNAMSIZ],
	    bool vnet_hdr, bool attach_only, bool *existed)
{
	char path[300], found[IFNAMSIZ];
	int nsfd, oldfd, fd;

	snprintf(path, sizeof path, "/run/netns/%s", netns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		return -errno;
	/* So that the link watcher hears the device's changes there. */
	fd = nl_netns_ensure_id(nsfd);
	if (fd)
		log_warn(MOD, "%s: netns %s has no id here, its link changes "
			 "go unnoticed: %s", alias, netns, strerror(-fd));
	fd = nl_netns_enter(nsfd, &oldfd);
	close(nsfd);
	if (fd)
		return fd;
	*existed = !nl_find_tap(alias, ifname, found);
	if (*existed)
		util_strlcpy(ifname, found, IFNAMSIZ);
	else
		*existed = if_nametoindex(ifname) != 0;
	/* /dev/net/tun opened here: the device is made in this namespace. */
	fd = attach_only && !*existed ? -ENODEV : tap_bind(ifname, vnet_hdr);
	nl_netns_leave(oldfd);
	return fd;
}

/* A usable interface or namespace name ('max': its size limit). */
static bool
tap_name_ok(const char *s, size_t max)
{
	return s[0] && strlen(s) < max && !strchr(s, '/') && !strchr(s, ' ') &&
	       strcmp(s, ".") && strcmp(s, "..");
}

static int
tap_open__(const char *name, const struct port_tap_args *args, bool host,
	   struct port **portp)
{
	static const struct port_tap_args defaults;
	struct tap_hunt hunt = { .fd = -1 };
	struct nl_link_info info;
	char ifname[IFNAMSIZ];
	struct port_tap *tap;
	bool existed = false, vnet_hdr, abroad = false;
	char *alias = NULL;
	int fd = -1, oldfd, err;

	*portp = NULL;
	if (!args)
		args = &defaults;
	/* Offloads by default on a port's TAP (so a namespace's stack hands
	 * over 64 KiB TCP super-frames, as to a Linux bridge's veth); not on
	 * the bridge device, whose frames are few and local. */
	vnet_hdr = args->vnet_hdr || (!args->no_offload && !host);
	if (!tap_name_ok(name, IFNAMSIZ) ||
	    (args->ifname && !tap_name_ok(args->ifname, IFNAMSIZ)) ||
	    (args->netns && !tap_name_ok(args->netns, 256)))
		return -EINVAL;
	util_strlcpy(ifname, args->ifname ? args->ifname : name,
		     sizeof ifname);
	if (!host && args->netns) {
		alias = xasprintf(TAP_ALIAS_FMT, name);
		fd = tap_bind_in(args->netns, alias, ifname, vnet_hdr,
				 args->attach_only, &existed);
		if (fd < 0) {
			err = fd;
			if (err != -ENODEV && err != -ENOENT)
				log_err(MOD, "%s: cannot %s TAP %s in netns "
					"%s: %s", name, existed ? "attach to"
					: "create", ifname, args->netns,
					strerror(-err));
			goto out_free_alias;
		}
	} else if (!host) {
		char want[IFNAMSIZ];

		util_strlcpy(want, ifname, sizeof want);
		alias = xasprintf(TAP_ALIAS_FMT, name);
		existed = !nl_find_tap(alias, want, ifname) ||
			  if_nametoindex(want) != 0;
		if (!existed) {
			hunt.port = name;
			hunt.alias = alias;
			hunt.vnet_hdr = vnet_hdr;
			abroad = nl_netns_foreach(tap_hunt_ns, &hunt) > 0;
			existed = abroad;
			fd = hunt.fd;
			if (abroad)
				util_strlcpy(ifname, hunt.ifname,
					     sizeof ifname);
		}
	} else {
		existed = if_nametoindex(name) != 0;
	}
	if (args->attach_only && !existed) {
		err = -ENODEV;
		goto out_free_alias;
	}
	if (fd < 0) {
		fd = tap_bind(ifname, vnet_hdr);
		if (fd < 0) {
			err = fd;
			log_err(MOD, "%s: cannot %s TAP%s%s: %s", name,
				existed ? "attach to" : "create",
				strcmp(ifname, name) ? " " : "",
				strcmp(ifname, name) ? ifname : "",
				strerror(-err));
			goto out_free_alias;
		}
	}

	tap = xcalloc(1, sizeof *tap);
	port_init(&tap->up, &port_tap_class, name);
	tap->fd = fd;
	tap->created = !existed;
	util_strlcpy(tap->ifname, ifname, sizeof tap->ifname);
	if (vnet_hdr) {
		int sz = (int)sizeof(struct virtio_net_hdr);

		if (ioctl(fd, TUNSETVNETHDRSZ, &sz)) {
			err = -errno;
			goto out_free_tap;
		}
		tap->vnet_hdr_len = sizeof(struct virtio_net_hdr);
		if (!args->no_offload && !host)
			tap_set_offload(tap);
	}
	if (tap->created && !host && ioctl(fd, TUNSETPERSIST, 1))
		log_warn(MOD, "%s: cannot make the TAP persistent (it will not "
			 "outlive the daemon): %s", name, strerror(errno));

	/* The rest acts on the device where it lives now. */
	err = tap_enter_ns(tap, &oldfd);
	if (err)
		goto out_unpersist;
	/* IPv6 off before the netdev goes up, so it never sends DAD/RS;
	 * but never on a device found in another namespace, whose stack is
	 * a host's. */
	if (!args->keep_ipv6 && !abroad && !args->netns) {
		err = nl_link_disable_ipv6(tap->ifname);
		if (err)
			log_warn(MOD, "%s: cannot disable IPv6: %s", name,
				 strerror(-err));
	}
	if (alias) {
		err = nl_link_set_alias(tap->ifname, alias);
		if (err)
			log_warn(MOD, "%s: cannot set alias %s (a restart will "
				 "look for it by name only): %s", name, alias,
				 strerror(-err));
	}
	err = nl_link_get(tap->ifname, &info);
	if (err)
		log_err(MOD, "%s: cannot read link: %s", name, strerror(-err));
	if (!err && !args->no_up && !(info.flags & IFF_UP)) {
		err = nl_link_set_up(tap->ifname, true);
		if (err)
			log_err(MOD, "%s: cannot set up: %s", name,
				strerror(-err));
	}
	if (!err)
		tap->up.path_cost = nl_default_path_cost(tap->ifname);
	nl_netns_leave(oldfd);
	if (err)
		goto out_unpersist;
	tap->up.mtu = info.mtu;
	tap->up.is_host = host;
	if (host)
		tap->up.mac = info.mac;
	else if (args->has_mac)
		tap->up.mac = args->mac;
	else
		eth_addr_random(&tap->up.mac);
	tap_refresh(tap);
	if (abroad)
		log_info(MOD, "%s: found TAP %s again in %s (ifindex %d, "
			 "carrier %s)", name, tap->ifname, hunt.where,
			 info.ifindex, tap->carrier ? "on" : "off");
	else
		log_info(MOD, "%s: %s TAP%s%s%s%s (ifindex %d, carrier %s)",
			 name, existed ? "attached to" : "created",
			 strcmp(tap->ifname, name) ? " " : "",
			 strcmp(tap->ifname, name) ? tap->ifname : "",
			 args->netns ? " in netns " : "",
			 args->netns ? args->netns : "",
			 info.ifindex, tap->carrier ? "on" : "off");
	free(alias);
	tap_uring_init(tap);
	*portp = &tap->up;
	return 0;

out_unpersist:
	if (tap->created)
		ioctl(fd, TUNSETPERSIST, 0);
out_free_tap:
	free(tap);
	close(fd);
out_free_alias:
	free(alias);
	return err;
}

/* Asks the kernel for checksum and segmentation offloads on the TAP:
 * its stack then sends us partial checksums and GSO super-frames (TCP
 * always, UDP where the kernel has USO, Linux 6.2).  Whatever it grants,
 * we may write such frames to it: the flags only say what we read. */
static void
tap_set_offload(struct port_tap *tap)
{
	static const unsigned want[] = {
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN |
			TUN_F_USO4 | TUN_F_USO6,
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN,
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		if (!ioctl(tap->fd, TUNSETOFFLOAD, (unsigned long)want[i])) {
			tap->tun_offloads = want[i];
			break;
		}
	}
	if (!tap->tun_offloads)
		log_warn(MOD, "%s: no offloads: %s", tap->up.name,
			 strerror(errno));
	tap->up.tx_offloads = PKT_OL_ALL;
}

/* Class ops. */

static void
tap_close(struct port *port)
{
	struct port_tap *tap = port_tap_cast(port);

	if (tap->loop)
		port->class->watch(port, NULL);
	/* The device stays when the port goes (Linux's delif) or the
	 * daemon stops: only an explicit destroy (port del --destroy, link
	 * del) removes it, with our fd if it is the last.  The bridge device
	 * goes with its bridge, and a device made for a port whose creation
	 * is undone goes with it. */
	if (port->destroy_device ||
	    (tap->created && (port->is_host || port->undo)))
		ioctl(tap->fd, TUNSETPERSIST, 0);
	if (tap->uring)
		io_uring_queue_exit(&tap->ring);
	close(tap->fd);
	free(tap);
}

/* Sets up the port's ring.  Its operations are RWF_NOWAIT on the
 * non-blocking fd, so a read of an empty queue completes at once with
 * -EAGAIN and nothing waits in the kernel. */
static void
tap_uring_init(struct port_tap *tap)
{
	int err;

	/* No IORING_SETUP_SINGLE_ISSUER: the datapath thread that will
	 * submit need not be the one opening the port. */
	/* The fd is not registered as a fixed file: the ring would hold
	 * the TAP open after close() until its deferred teardown, and a
	 * port re-attached at once would find the device busy. */
	err = io_uring_queue_init(2 * PKT_BURST, &tap->ring, 0);
	if (err) {
		log_info(MOD, "%s: no io_uring (%s): one system call per "
			 "frame", tap->up.name, strerror(-err));
		return;
	}
	tap->uring = true;
}

/* Takes the completions there are into tap->res[] by index; returns
 * how many there were. */
static unsigned
tap_uring_reap(struct port_tap *tap)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;

	io_uring_for_each_cqe(&tap->ring, head, cqe) {
		if (cqe->user_data < PKT_BURST)
			tap->res[cqe->user_data] = cqe->res;
		seen++;
	}
	io_uring_cq_advance(&tap->ring, seen);
	return seen;
}

/* Submits the 'n' operations prepared in the ring and collects their
 * results into tap->res[] by index.  They are RWF_NOWAIT on a
 * non-blocking fd, so they complete during the submission; one that did
 * not (it would wait for a frame, or for room) is cancelled at once and
 * ends as -ECANCELED, never completing later into a packet given back.
 * Returns 0 or -errno of the submission. */
static int
tap_uring_run(struct port_tap *tap, unsigned n)
{
	unsigned seen;
	int r;

	do {
		r = io_uring_submit(&tap->ring);
	} while (r == -EINTR);
	if (r < 0) {
		/* Nothing went: take the prepared operations back. */
		io_uring_queue_exit(&tap->ring);
		tap->uring = false;
		log_warn(MOD, "%s: io_uring submission failed (%s): one "
			 "system call per frame from now on", tap->up.name,
			 strerror(-r));
		return r;
	}
	seen = tap_uring_reap(tap);
	if (seen < n) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&tap->ring);

		io_uring_prep_cancel_fd(sqe, tap->fd, IORING_ASYNC_CANCEL_ALL);
		sqe->user_data = UINT64_MAX;
		n++;
		do {
			r = io_uring_submit_and_wait(&tap->ring, 1);
			if (r >= 0 || r == -EINTR)
				seen += tap_uring_reap(tap);
		} while (seen < n && (r >= 0 || r == -EINTR));
	}
	r = 0;
	for (unsigned i = 0; i < n && i < PKT_BURST; i++)
		if (tap->res[i] == -EOPNOTSUPP) {	/* no RWF_NOWAIT here */
			tap->res[i] = -EAGAIN;	/* nothing moved */
			r = -EOPNOTSUPP;
		}
	if (r) {
		io_uring_queue_exit(&tap->ring);
		tap->uring = false;
		log_warn(MOD, "%s: the TAP takes no non-blocking io_uring "
			 "I/O: one system call per frame", tap->up.name);
	}
	return r;
}

static struct io_uring_sqe *
tap_uring_prep(struct port_tap *tap, unsigned i, bool rx, int iovcnt)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&tap->ring);

	/* Never NULL: the ring holds twice a burst and is empty here. */
	if (rx)
		io_uring_prep_readv(sqe, tap->fd, tap->iov[i],
				    (unsigned)iovcnt, 0);
	else
		io_uring_prep_writev(sqe, tap->fd, tap->iov[i],
				     (unsigned)iovcnt, 0);
	sqe->rw_flags = RWF_NOWAIT;
	sqe->user_data = i;
	tap->res[i] = -EAGAIN;
	return sqe;
}

/* Takes frame 'p' (NULL: read into the scratch sink) of 'r' bytes read
 * with vnet header 'vh' in front.  Returns 'p' ready for the pipeline, or
 * NULL with the frame counted as a drop (and 'p' back in 'pool'). */
static struct pkt *
tap_rx_one(struct port_tap *tap, struct pkt_pool *pool, struct pkt *p,
	   ssize_t r, const struct virtio_net_hdr *vh)
{
	struct port *port = &tap->up;

	/* Dropped frames count as received, as the pipeline's own drops
	 * do. */
	r -= (ssize_t)tap->vnet_hdr_len;
	if (!p || r < PKT_MIN_LEN || r > PKT_DATA_MAX) {
		port->stats.rx_packets++;
		port->stats.drops[!p ? PORT_DROP_NO_BUFFER :
				  r < PKT_MIN_LEN ? PORT_DROP_RUNT :
				  PORT_DROP_OVERSIZE]++;
		pkt_free(pool, p);
		return NULL;
	}
	p->len = (uint32_t)r;
	if (tap->vnet_hdr_len && (vh->flags || vh->gso_type) &&
	    pkt_offload_from_vnet(p, vh)) {
		port->stats.rx_packets++;
		port->stats.drops[PORT_DROP_BAD_OFFLOAD]++;
		pkt_free(pool, p);
		return NULL;
	}
	p->ts_ns = clock_now_ms() * 1000000;
	return p;
}

/* Points iov[] at 'vh' (with a vnet header) and 'data', the frame's
 * 'len' bytes.  Returns the iovec count. */
static int
tap_iov(const struct port_tap *tap, struct iovec *iov,
	struct virtio_net_hdr *vh, void *data, size_t len)
{
	int iovcnt = 0;

	if (tap->vnet_hdr_len) {
		iov[iovcnt].iov_base = vh;
		iov[iovcnt++].iov_len = tap->vnet_hdr_len;
	}
	iov[iovcnt].iov_base = data;
	iov[iovcnt++].iov_len = len;
	return iovcnt;
}

/* One io_uring_enter() reads up to 'max' frames: as many as the last
 * round got plus TAP_RX_AHEAD; the reads past the queue's end complete
 * with -EAGAIN.  The reads run in order, so the frames do too. */
static int
tap_rx_uring(struct port_tap *tap, struct pkt_pool *pool, struct pkt **pkts,
	     int max)
{
	unsigned want = tap->rx_last + TAP_RX_AHEAD;
	int n = 0, err = 0;

	if (max > PKT_BURST)
		max = PKT_BURST;
	if (want > (unsigned)max)
		want = (unsigned)max;
	for (unsigned i = 0; i < want; i++) {
		struct pkt *p = pkt_alloc(pool);

		tap->slot[i] = p;
		tap_uring_prep(tap, i, true,
			       tap_iov(tap, tap->iov[i], &tap->vh[i],
				       p ? p->data : tap_scratch,
				       PKT_DATA_MAX + 1));
	}
	/* A failed round leaves the reads at -EAGAIN: nothing read. */
	(void)tap_uring_run(tap, want);
	for (unsigned i = 0; i < want; i++) {
		struct pkt *p = tap->slot[i];
		int r = tap->res[i];

		if (r < 0) {
			pkt_free(pool, p);
			if (r != -EAGAIN && r != -EWOULDBLOCK && r != -EINTR &&
			    r != -ECANCELED && !err)
				err = r;
			continue;
		}
		p = tap_rx_one(tap, pool, p, r, &tap->vh[i]);
		if (p)
			pkts[n++] = p;
	}
	tap->rx_last = (unsigned)n;
	return n || !err ? n : err;
}

static int
tap_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
	     int max)
{
	struct port_tap *tap = port_tap_cast(port);
	int n = 0;

	if (tap->uring)
		return tap_rx_uring(tap, pool, pkts, max);
	for (int i = 0; i < max; i++) {
		struct pkt *p = pkt_alloc(pool);
		struct virtio_net_hdr vh;
		struct iovec iov[2];
		ssize_t r;

		r = readv(tap->fd, iov,
			  tap_iov(tap, iov, &vh, p ? p->data : tap_scratch,
				  PKT_DATA_MAX + 1));
		if (r < 0) {
			int err = errno;

			pkt_free(pool, p);
			if (err == EINTR) {
				i--;
				continue;
			}
			if (err == EAGAIN || err == EWOULDBLOCK)
				break;
			return n ? n : -err;
		}
		p = tap_rx_one(tap, pool, p, r, &vh);
		if (p)
			pkts[n++] = p;
	}
	return n;
}

/* Writes a burst of at most PKT_BURST frames in one io_uring_enter().
 * Returns the number written, as tap_tx_burst(). */
static int
tap_tx_uring(struct port_tap *tap, struct pkt **pkts, int n)
{
	int sent = 0;

	for (int i = 0; i < n; i++) {
		if (tap->vnet_hdr_len)
			pkt_offload_to_vnet(pkts[i], &tap->vh[i]);
		tap_uring_prep(tap, (unsigned)i, false,
			       tap_iov(tap, tap->iov[i], &tap->vh[i],
				       pkts[i]->data, pkts[i]->len));
	}
	if (tap_uring_run(tap, (unsigned)n))
		return 0;
	for (int i = 0; i < n; i++)
		sent += tap->res[i] >= 0;
	return sent;
}

static int
tap_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct port_tap *tap = port_tap_cast(port);
	int sent = 0;

	if (tap->uring) {
		for (int i = 0; i < n; i += PKT_BURST)
			sent += tap_tx_uring(tap, pkts + i, n - i < PKT_BURST ?
					     n - i : PKT_BURST);
		return sent;
	}
	for (int i = 0; i < n; i++) {
		struct virtio_net_hdr vh;
		struct iovec iov[2];
		int iovcnt;
		ssize_t r;

		if (tap->vnet_hdr_len)
			pkt_offload_to_vnet(pkts[i], &vh);
		iovcnt = tap_iov(tap, iov, &vh, pkts[i]->data, pkts[i]->len);
		do {
			r = writev(tap->fd, iov, iovcnt);
		} while (r < 0 && errno == EINTR);
		if (r >= 0) {
			sent++;
			continue;
		}
		/* Queue full: the rest would fail too.  Other errors (EIO:
		 * netdev down, EINVAL: bad frame) concern this frame only;
		 * the pipeline counts whatever was not sent. */
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			break;
	}
	return sent;
}

static bool
tap_get_carrier(const struct port *port)
{
	return port_tap_cast(port)->carrier;
}

static int
tap_set_admin_up(struct port *port, bool up)
{
	struct port_tap *tap = port_tap_cast(port);
	int oldfd, err;

	err = tap_enter_ns(tap, &oldfd);
	if (err)
		return err;
	err = nl_link_set_up(tap->ifname, up);
	nl_netns_leave(oldfd);
	tap_refresh(tap);
	return err;
}

/* A simulated cable pull: the netdev loses its carrier (TUNSETCARRIER,
 * Linux 4.20), so 'ip link' where it lives shows NO-CARRIER and its stack
 * sends nothing; our side follows through the link watcher and
 * port->carrier_off. */
static int
tap_set_carrier(struct port *port, bool on)
{
	struct port_tap *tap = port_tap_cast(port);
	int arg = on;

	if (ioctl(tap->fd, TUNSETCARRIER, &arg) < 0) {
		int err = -errno;

		log_warn(MOD, "%s: TUNSETCARRIER %s: %s", port->name,
			 on ? "on" : "off", strerror(-err));
		return err;
	}
	tap_refresh(tap);
	return 0;
}

static int
tap_set_mtu(struct port *port, uint32_t mtu)
{
	struct port_tap *tap = port_tap_cast(port);
	int oldfd, err;

	err = tap_enter_ns(tap, &oldfd);
	if (err)
		return err;
	err = nl_link_set_mtu(tap->ifname, mtu);
	nl_netns_leave(oldfd);
	if (!err)
		port->mtu = mtu;
	return err;
}

static void
tap_on_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct port_tap *tap = container_of(w, struct port_tap, io);

	(void)revents;
	port_on_readable(&tap->up, loop, w);
}

/* Link watcher callback: re-reads the netdev and reports changes. */
static void
tap_on_link_change(struct nl_watch_sub *sub)
{
	struct port_tap *tap = container_of(sub, struct port_tap, sub);
	struct port *port = &tap->up;
	bool old = tap->carrier;

	tap_refresh(tap);
	if (tap->carrier == old || !port->br)
		return;
	log_info(MOD, "%s: carrier %s", port->name, tap->carrier ? "on" : "off");
	if (port->is_host) {
		/* The host netdev is the bridge device: its up/down is the
		 * bridge's (ip link set BRIDGE up|down). */
		if (port->br->admin_up != tap->carrier)
			bridge_set_admin_up(port->br, tap->carrier);
	} else {
		bridge_port_update_link(port->br, port);
	}
}

static void
tap_watch(struct port *port, struct ev_loop *loop)
{
	struct port_tap *tap = port_tap_cast(port);
	int err;

	if (tap->loop) {
		ev_io_stop(tap->loop, &tap->io);
		nl_watch_unsubscribe(&tap->sub);
		nl_watch_close();
		tap->loop = NULL;
	}
	if (!loop)
		return;
	ev_io_init(&tap->io, tap_on_readable, tap->fd, EV_READ);
	ev_io_start(loop, &tap->io);
	tap->loop = loop;
	err = nl_watch_open(loop);
	if (err) {
		/* Still usable; carrier changes go unnoticed. */
		log_warn(MOD, "%s: no link watcher: %s", port->name,
			 strerror(-err));
		return;
	}
	tap->sub.cb = tap_on_link_change;
	nl_watch_subscribe(&tap->sub);
	/* Anything that changed between open and now. */
	tap_on_link_change(&tap->sub);
}

/* The switch side of an ordinary TAP port has no netdev of its own (the
 * netdev is the far end), so only the host port changes the device. */
static int
tap_set_mac(struct port *port, const struct eth_addr *mac)
{
	if (port->is_host)
		return port_tap_set_host_mac(port, mac);
	port->mac = *mac;
	return 0;
}

/* The registry's 'open': port_tap_open() with args {mac, attach_only,
 * no_up, keep_ipv6, vnet_hdr, no_offload, netns, ifname}. */
static int
tap_open_args(const char *name, struct json_object *args,
	      const struct port_open_env *env, struct port **portp,
	      char **msgp)
{
	struct port_tap_args ta = {
		.attach_only = port_class_arg_flag(args, "attach_only"),
		.no_up = port_class_arg_flag(args, "no_up"),
		.keep_ipv6 = port_class_arg_flag(args, "keep_ipv6"),
		.vnet_hdr = port_class_arg_flag(args, "vnet_hdr"),
		.no_offload = port_class_arg_flag(args, "no_offload"),
	};
	int err;

	(void)env;
	ta.has_mac = port_class_arg_mac(args, "mac", &ta.mac);
	ta.netns = port_class_arg_string(args, "netns", NULL);
	ta.ifname = port_class_arg_string(args, "ifname", NULL);
	err = port_tap_open(name, &ta, portp);
	if (err == -ENODEV && ta.netns)
		*msgp = xasprintf("interface %s does not exist in netns %s",
				  ta.ifname ? ta.ifname : name, ta.netns);
	else if (err == -ENODEV)
		*msgp = xasprintf("interface %s does not exist",
				  ta.ifname ? ta.ifname : name);
	else if (err == -ENOENT && ta.netns)
		*msgp = xasprintf("network namespace %s does not exist",
				  ta.netns);
	else if (err == -EINVAL && (ta.netns || ta.ifname))
		*msgp = xasprintf("cannot open TAP %s: bad name, ifname or "
				  "netns", name);
	else if (err)
		*msgp = xasprintf("cannot open TAP %s: %s", name,
				  strerror(-err));
	return err;
}

static const struct port_arg tap_args[] = {
	{ "mac", PORT_ARG_MAC, false, NULL, NULL,
	  "the port's MAC (default: random, locally administered)" },
	{ "attach_only", PORT_ARG_FLAG, false, NULL, NULL,
	  "fail unless the TAP exists already" },
	{ "no_up", PORT_ARG_FLAG, false, NULL, NULL,
	  "leave the netdev's up/down state alone" },
	{ "keep_ipv6", PORT_ARG_FLAG, false, NULL, NULL,
	  "do not disable IPv6 on the netdev" },
	{ "vnet_hdr", PORT_ARG_FLAG, false, NULL, NULL,
	  "frames carry a virtio-net header (IFF_VNET_HDR)" },
	{ "no_offload", PORT_ARG_FLAG, false, NULL, NULL,
	  "no checksum/TSO/USO offloads: frames leave finished" },
	{ "netns", PORT_ARG_STRING, false, NULL, NULL,
	  "make (or find) the netdev in this network namespace (ip netns)" },
	{ "ifname", PORT_ARG_STRING, false, NULL, NULL,
	  "the netdev's name (default: the port's)" },
	{ NULL, 0, false, NULL, NULL, NULL },
};

const struct port_class port_tap_class = {
	.type = "tap",
	.args = tap_args,
	.open = tap_open_args,
	.set_mac = tap_set_mac,
	.close = tap_close,
	.rx_burst = tap_rx_burst,
	.tx_burst = tap_tx_burst,
	.get_carrier = tap_get_carrier,
	.set_carrier = tap_set_carrier,
	.set_admin_up = tap_set_admin_up,
	.set_mtu = tap_set_mtu,
	.watch = tap_watch,
};

/* Helpers. */

/* Enters the namespace the netdev lives in now and refreshes its name.
 * '*oldfdp' is for nl_netns_leave() (-1 if nothing changed). */
static int
tap_enter_ns(struct port_tap *tap, int *oldfdp)
{
	struct ifreq ifr;
	int nsfd, err;

	*oldfdp = -1;
	memset(&ifr, 0, sizeof ifr);
	if (!ioctl(tap->fd, TUNGETIFF, &ifr))
		util_strlcpy(tap->ifname, ifr.ifr_name, sizeof tap->ifname);
	nsfd = ioctl(tap->fd, TUNGETDEVNETNS);
	if (nsfd < 0)
		return 0;	/* old kernel: assume it never moved */
	err = nl_netns_enter(nsfd, oldfdp);
	close(nsfd);
	return err;
}

static int
tap_query(struct port_tap *tap, struct nl_link_info *info)
{
	int oldfd, err;

	err = tap_enter_ns(tap, &oldfd);
	if (err)
		return err;
	err = nl_link_get(tap->ifname, info);
	nl_netns_leave(oldfd);
	return err;
}

/* Re-reads the netdev's state into tap->carrier: up with its lower layer
 * up.  A netdev that cannot be read counts as down. */
static void
tap_refresh(struct port_tap *tap)
{
	struct nl_link_info info;
	int err = tap_query(tap, &info);

	if (err) {
		log_warn_rl(MOD, "%s: cannot read link %s: %s", tap->up.name,
			    tap->ifname, strerror(-err));
		tap->carrier = false;
		return;
	}
	tap->carrier = (info.flags & IFF_UP) && (info.flags & IFF_LOWER_UP);
	tap->up.ifindex = info.ifindex;
}
