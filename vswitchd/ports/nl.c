/*
 * nl.c - rtnetlink helpers (libnl-route-3), ethtool speed, network
 * namespace switching and the link-change watcher.  See nl.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>
#include <linux/if_arp.h>
#include <linux/net_namespace.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "log.h"
#include "nl.h"
#include "util.h"

#define MOD "nl"

#ifndef NETLINK_LISTEN_ALL_NSID
#define NETLINK_LISTEN_ALL_NSID 8
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define NL_WATCH_RCVBUF (1 << 20)	/* link storms: many ports at once */

static int nl_errno(int nlerr);
static int nl_open(struct nl_sock **skp);
static int nl_change(const char *ifname,
		     void (*apply)(struct rtnl_link *changes, const void *arg),
		     const void *arg);
static int nl_ifreq_ioctl(const char *ifname, unsigned long req, void *data);

/* Queries and setters. */

int
nl_link_get(const char *ifname, struct nl_link_info *info)
{
	struct rtnl_link *link = NULL;
	struct nl_addr *addr;
	struct nl_sock *sk;
	int err;

	memset(info, 0, sizeof *info);
	err = nl_open(&sk);
	if (err)
		return err;
	err = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (err < 0) {
		err = nl_errno(err);
		goto out_free_sock;
	}
	info->ifindex = rtnl_link_get_ifindex(link);
	info->mtu = rtnl_link_get_mtu(link);
	info->flags = rtnl_link_get_flags(link);
	info->carrier = rtnl_link_get_carrier(link) != 0;
	addr = rtnl_link_get_addr(link);
	if (addr && nl_addr_get_len(addr) == ETH_ADDR_LEN)
		memcpy(info->mac.ea, nl_addr_get_binary_addr(addr),
		       ETH_ADDR_LEN);
	rtnl_link_put(link);
	err = 0;
out_free_sock:
	nl_socket_free(sk);
	return err;
}

static void
apply_up(struct rtnl_link *changes, const void *arg)
{
	if (*(const bool *)arg)
		rtnl_link_set_flags(changes, IFF_UP);
	else
		rtnl_link_unset_flags(changes, IFF_UP);
}

int
nl_link_set_up(const char *ifname, bool up)
{
	return nl_change(ifname, apply_up, &up);
}

static void
apply_mtu(struct rtnl_link *changes, const void *arg)
{
	rtnl_link_set_mtu(changes, *(const uint32_t *)arg);
}

int
nl_link_set_mtu(const char *ifname, uint32_t mtu)
{
	if (mtu < 68 || mtu > 65535)
		return -EINVAL;
	return nl_change(ifname, apply_mtu, &mtu);
}

static void
apply_mac(struct rtnl_link *changes, const void *arg)
{
	const struct eth_addr *mac = arg;
	struct nl_addr *addr = nl_addr_build(AF_LLC, mac->ea, ETH_ADDR_LEN);

	ASSERT(addr);
	rtnl_link_set_addr(changes, addr);
	nl_addr_put(addr);
}

int
nl_link_set_mac(const char *ifname, const struct eth_addr *mac)
{
	if (eth_addr_is_multicast(mac))
		return -EINVAL;
	return nl_change(ifname, apply_mac, mac);
}

static void
apply_alias(struct rtnl_link *changes, const void *arg)
{
	rtnl_link_set_ifalias(changes, arg);
}

int
nl_link_set_alias(const char *ifname, const char *alias)
{
	return nl_change(ifname, apply_alias, alias);
}

int
nl_find_tap(const char *alias, const char *name, char *ifname)
{
	struct rtnl_link *by_name = NULL, *found = NULL;
	struct nl_cache *cache;
	struct nl_object *o;
	struct nl_sock *sk;
	int err;

	err = nl_open(&sk);
	if (err)
		return err;
	err = nl_errno(rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache));
	if (err)
		goto out_free_sock;
	for (o = nl_cache_get_first(cache); o && !found;
	     o = nl_cache_get_next(o)) {
		struct rtnl_link *link = (struct rtnl_link *)o;
		const char *type = rtnl_link_get_type(link);
		const char *a = rtnl_link_get_ifalias(link);

		if (!type || strcmp(type, "tun") ||
		    rtnl_link_get_arptype(link) != ARPHRD_ETHER)
			continue;
		if (a && !strcmp(a, alias))
			found = link;
		else if (name && !strcmp(rtnl_link_get_name(link), name))
			by_name = link;
	}
	if (!found)
		found = by_name;
	if (found)
		util_strlcpy(ifname, rtnl_link_get_name(found), IFNAMSIZ);
	err = found ? 0 : -ENODEV;
	nl_cache_free(cache);
out_free_sock:
	nl_socket_free(sk);
	return err;
}

int
nl_link_disable_ipv6(const char *ifname)
{
	char path[128];
	int fd, err = 0;

	if (!ifname[0] || strchr(ifname, '/') || strstr(ifname, ".."))
		return -EINVAL;
	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (write(fd, "1\n", 2) != 2)
		err = -errno;
	close(fd);
	return err;
}

uint32_t
nl_link_speed_mbps(const char *ifname)
{
	/* ETHTOOL_GLINKSETTINGS is a handshake: the first call (with no
	 * room for link-mode masks) tells how many words they need. */
	union {
		struct ethtool_link_settings req;  /* its masks[] follow it */
		uint8_t room[sizeof(struct ethtool_link_settings) +
			     3 * 127 * sizeof(uint32_t)];
	} ls;
	struct ethtool_cmd cmd;
	uint32_t speed;

	memset(&ls, 0, sizeof ls);
	ls.req.cmd = ETHTOOL_GLINKSETTINGS;
	if (!nl_ifreq_ioctl(ifname, SIOCETHTOOL, &ls) &&
	    ls.req.link_mode_masks_nwords < 0 &&
	    -ls.req.link_mode_masks_nwords <= 127) {
		int8_t nwords = (int8_t)-ls.req.link_mode_masks_nwords;

		memset(&ls, 0, sizeof ls);
		ls.req.cmd = ETHTOOL_GLINKSETTINGS;
		ls.req.link_mode_masks_nwords = nwords;
		if (!nl_ifreq_ioctl(ifname, SIOCETHTOOL, &ls)) {
			speed = ls.req.speed;
			return speed == (uint32_t)SPEED_UNKNOWN ? 0 : speed;
		}
	}
	memset(&cmd, 0, sizeof cmd);
	cmd.cmd = ETHTOOL_GSET;
	if (nl_ifreq_ioctl(ifname, SIOCETHTOOL, &cmd))
		return 0;
	speed = ethtool_cmd_speed(&cmd);
	return speed == (uint32_t)SPEED_UNKNOWN ? 0 : speed;
}

uint32_t
nl_path_cost_for_speed(uint32_t speed_mbps)
{
	switch (speed_mbps) {
	case 10000: return 2;
	case 1000: return 4;
	case 100: return 19;
	case 10: return 100;
	default: return 100;
	}
}

uint32_t
nl_default_path_cost(const char *ifname)
{
	return nl_path_cost_for_speed(nl_link_speed_mbps(ifname));
}

/* Network namespaces. */

int
nl_netns_enter(int nsfd, int *oldfdp)
{
	struct stat cur, want;
	int oldfd;

	*oldfdp = -1;
	oldfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (oldfd < 0)
		return -errno;
	if (fstat(oldfd, &cur) || fstat(nsfd, &want)) {
		int err = -errno;

		close(oldfd);
		return err;
	}
	if (cur.st_dev == want.st_dev && cur.st_ino == want.st_ino) {
		close(oldfd);
		return 0;
	}
	if (setns(nsfd, CLONE_NEWNET)) {
		int err = -errno;

		close(oldfd);
		return err;
	}
	*oldfdp = oldfd;
	return 0;
}

void
nl_netns_leave(int oldfd)
{
	if (oldfd < 0)
		return;
	if (setns(oldfd, CLONE_NEWNET)) {
		log_err(MOD, "cannot return to the daemon's network namespace: %s",
			strerror(errno));
		ASSERT(!"setns back failed");
	}
	close(oldfd);
}

int
nl_netns_ensure_id(int nsfd)
{
	struct rtgenmsg hdr = { .rtgen_family = AF_UNSPEC };
	struct nl_sock *sk;
	struct nl_msg *msg;
	int err;

	err = nl_open(&sk);
	if (err)
		return err;
	msg = nlmsg_alloc_simple(RTM_NEWNSID, NLM_F_REQUEST);
	if (!msg) {
		nl_socket_free(sk);
		return -ENOMEM;
	}
	/* NSID -1: the kernel picks one ('ip netns set NAME auto'). */
	if (nlmsg_append(msg, &hdr, sizeof hdr, NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, NETNSA_FD, (uint32_t)nsfd) < 0 ||
	    nla_put_s32(msg, NETNSA_NSID, -1) < 0) {
		err = -ENOMEM;
		goto out;
	}
	err = nl_send_sync(sk, msg);	/* frees 'msg' */
	msg = NULL;
	err = err == -NLE_EXIST ? 0 : nl_errno(err);
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return err;
}

/* The namespaces seen so far by nl_netns_foreach(). */
struct ns_seen {
	struct stat *ids;
	size_t n, cap;
};

/* True if 'st' was seen already; remembers it otherwise. */
static bool
ns_seen_before(struct ns_seen *seen, const struct stat *st)
{
	for (size_t i = 0; i < seen->n; i++)
		if (seen->ids[i].st_dev == st->st_dev &&
		    seen->ids[i].st_ino == st->st_ino)
			return true;
	if (seen->n == seen->cap) {
		seen->cap = seen->cap ? 2 * seen->cap : 16;
		seen->ids = xrealloc(seen->ids, seen->cap * sizeof *seen->ids);
	}
	seen->ids[seen->n++] = *st;
	return false;
}

/* Enters the namespace at 'path' unless seen before, calls 'cb'. */
static int
ns_visit(struct ns_seen *seen, const char *path, const char *label,
	 nl_netns_fn *cb, void *aux)
{
	struct stat st;
	int fd, oldfd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;	/* gone meanwhile, or not a namespace */
	if (fstat(fd, &st) || ns_seen_before(seen, &st) ||
	    nl_netns_enter(fd, &oldfd)) {
		close(fd);
		return 0;
	}
	close(fd);
	rc = cb(label, aux);
	nl_netns_leave(oldfd);
	return rc;
}

int
nl_netns_foreach(nl_netns_fn *cb, void *aux)
{
	static const char *const dirs[] = { "/run/netns", "/proc" };
	struct ns_seen seen = { 0 };
	struct stat self;
	int rc = 0;

	/* The caller's own namespace counts as seen. */
	if (!stat("/proc/thread-self/ns/net", &self))
		ns_seen_before(&seen, &self);
	for (size_t d = 0; d < ARRAY_SIZE(dirs) && !rc; d++) {
		bool procfs = d == 1;
		DIR *dir = opendir(dirs[d]);
		struct dirent *de;

		if (!dir)
			continue;
		while (!rc && (de = readdir(dir))) {
			char path[300], label[300];

			if (de->d_name[0] == '.' ||
			    (procfs && !isdigit((unsigned char)de->d_name[0])))
				continue;
			if (procfs) {
				snprintf(path, sizeof path, "/proc/%s/ns/net",
					 de->d_name);
				snprintf(label, sizeof label,
					 "the namespace of pid %s", de->d_name);
			} else {
				snprintf(path, sizeof path, "/run/netns/%s",
					 de->d_name);
				snprintf(label, sizeof label, "netns %s",
					 de->d_name);
			}
			rc = ns_visit(&seen, path, label, cb, aux);
		}
		closedir(dir);
	}
	free(seen.ids);
	return rc;
}

/* The link watcher. */

static struct {
	struct ev_loop *loop;
	struct nl_sock *sk;
	ev_io io;
	unsigned refs;
	struct nl_watch_sub *subs;
	struct nl_watch_sub *iter_next;	/* next to call while notifying */
} watch;

static void
notify_subscribers(void)
{
	struct nl_watch_sub *sub;

	for (sub = watch.subs; sub; sub = watch.iter_next) {
		watch.iter_next = sub->next;
		sub->cb(sub);
	}
	watch.iter_next = NULL;
}

/* Reads the socket dry.  The messages themselves are not decoded (see
 * nl.h); libnl's receive path is not used because messages from other
 * namespaces carry an nsid control message it treats as truncation. */
static void
on_watch_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	static uint8_t buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool changed = false;

	(void)loop; (void)revents;
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t r = recv(w->fd, buf, sizeof buf, MSG_DONTWAIT);
		int len;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				/* Messages were lost: everyone re-reads. */
				log_warn_rl(MOD, "link watcher overflowed; "
					    "resyncing");
				changed = true;
				continue;
			}
			log_warn_rl(MOD, "link watcher: %s", strerror(errno));
			break;
		}
		len = (int)MIN(r, (ssize_t)sizeof buf);
		for (nlh = (const struct nlmsghdr *)buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len))
			if (nlh->nlmsg_type == RTM_NEWLINK ||
			    nlh->nlmsg_type == RTM_DELLINK)
				changed = true;
	}
	if (changed)
		notify_subscribers();
}

int
nl_watch_open(struct ev_loop *loop)
{
	int one = 1, err, fd;

	if (watch.refs) {
		ASSERT(watch.loop == loop);
		watch.refs++;
		return 0;
	}
	watch.sk = nl_socket_alloc();
	if (!watch.sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(watch.sk);
	err = nl_connect(watch.sk, NETLINK_ROUTE);
	if (err < 0)
		goto out_free_sock;
	err = nl_socket_add_membership(watch.sk, RTNLGRP_LINK);
	if (err < 0)
		goto out_free_sock;
	err = nl_socket_set_nonblocking(watch.sk);
	if (err < 0)
		goto out_free_sock;
	nl_socket_set_buffer_size(watch.sk, NL_WATCH_RCVBUF, 0);
	fd = nl_socket_get_fd(watch.sk);
	/* Events of devices moved to other namespaces; without it (old
	 * kernels) those devices are simply not watched. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, &one,
		       sizeof one))
		log_info(MOD, "link watcher: no NETLINK_LISTEN_ALL_NSID (%s): "
			 "devices in other namespaces are not watched",
			 strerror(errno));
	watch.loop = loop;
	ev_io_init(&watch.io, on_watch_readable, fd, EV_READ);
	ev_io_start(loop, &watch.io);
	watch.refs = 1;
	return 0;

out_free_sock:
	nl_socket_free(watch.sk);
	watch.sk = NULL;
	return nl_errno(err);
}

void
nl_watch_close(void)
{
	if (!watch.refs || --watch.refs)
		return;
	ev_io_stop(watch.loop, &watch.io);
	nl_socket_free(watch.sk);
	watch.sk = NULL;
	watch.loop = NULL;
}

void
nl_watch_subscribe(struct nl_watch_sub *sub)
{
	ASSERT(sub->cb);
	sub->prev = NULL;
	sub->next = watch.subs;
	if (watch.subs)
		watch.subs->prev = sub;
	watch.subs = sub;
}

void
nl_watch_unsubscribe(struct nl_watch_sub *sub)
{
	if (watch.iter_next == sub)
		watch.iter_next = sub->next;
	if (sub->prev)
		sub->prev->next = sub->next;
	else if (watch.subs == sub)
		watch.subs = sub->next;
	if (sub->next)
		sub->next->prev = sub->prev;
	sub->prev = sub->next = NULL;
}

/* Helpers. */

/* Maps a libnl error (negative NLE_*) to a negative errno. */
static int
nl_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0: return 0;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV: return -ENODEV;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_EXIST: return -EEXIST;
	case NLE_BUSY: return -EBUSY;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	default: return -EIO;
	}
}

/* Opens a connected rtnetlink socket in the current namespace. */
static int
nl_open(struct nl_sock **skp)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	*skp = NULL;
	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(sk);
		return nl_errno(err);
	}
	*skp = sk;
	return 0;
}

/* Reads link 'ifname', lets 'apply' fill a change request, sends it. */
static int
nl_change(const char *ifname,
	  void (*apply)(struct rtnl_link *changes, const void *arg),
	  const void *arg)
{
	struct rtnl_link *orig = NULL, *changes;
	struct nl_sock *sk;
	int err;

	err = nl_open(&sk);
	if (err)
		return err;
	err = rtnl_link_get_kernel(sk, 0, ifname, &orig);
	if (err < 0) {
		err = nl_errno(err);
		goto out_free_sock;
	}
	changes = rtnl_link_alloc();
	if (!changes) {
		err = -ENOMEM;
		goto out_put_orig;
	}
	apply(changes, arg);
	err = nl_errno(rtnl_link_change(sk, orig, changes, 0));
	rtnl_link_put(changes);
out_put_orig:
	rtnl_link_put(orig);
out_free_sock:
	nl_socket_free(sk);
	return err;
}

/* ioctl(2) with a struct ifreq naming 'ifname' and pointing at 'data'. */
static int
nl_ifreq_ioctl(const char *ifname, unsigned long req, void *data)
{
	struct ifreq ifr;
	int fd, err = 0;

	memset(&ifr, 0, sizeof ifr);
	if (!util_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name))
		return -EINVAL;
	ifr.ifr_data = data;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, req, &ifr))
		err = -errno;
	close(fd);
	return err;
}
