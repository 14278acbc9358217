/*
 * lab-net.c - a lab host's network configuration, done here over
 * rtnetlink (libnl-route-3) inside the host's namespace: loopback up, VLAN
 * sub-interfaces, addresses, routes, IPv4 forwarding.
 *
 * The same as "ip -n NS -b -" with those commands, without a shell and an
 * ip(8) process for every host (some 10 ms each, most of "lab up" for a
 * lab of many hosts).  The thread enters the namespace (setns), opens its
 * rtnetlink socket there (a socket belongs to the namespace it was made
 * in) and comes back before returning.
 */
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>
#include <netlink/route/route.h>

/* Prints "bridgectl: lab: host H: WHAT: why" and returns -1. */
static int __attribute__((format(printf, 3, 4)))
fail(const char *host, const char *why, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	fprintf(stderr, "bridgectl: lab: host %s: %s: %s\n", host, what, why);
	return -1;
}

static int
link_up(struct nl_sock *sk, const char *ifname)
{
	struct rtnl_link *link, *change;
	int err;

	err = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (err < 0)
		return err;
	change = rtnl_link_alloc();
	if (!change)
		abort();
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	return err;
}

static int
add_vlan(struct nl_sock *sk, const struct lab_vlanif *v)
{
	struct rtnl_link *link;
	int parent, err;

	parent = (int)if_nametoindex(v->parent);
	if (!parent)
		return -NLE_NODEV;
	link = rtnl_link_vlan_alloc();
	if (!link)
		abort();
	rtnl_link_set_name(link, v->name);
	rtnl_link_set_link(link, parent);
	rtnl_link_set_flags(link, IFF_UP);
	err = rtnl_link_vlan_set_id(link, v->vid);
	if (!err)
		err = rtnl_link_add(sk, link, NLM_F_CREATE | NLM_F_EXCL);
	rtnl_link_put(link);
	return err;
}

static int
add_addr(struct nl_sock *sk, const struct lab_addr *a)
{
	struct rtnl_addr *addr;
	struct nl_addr *local;
	int ifindex, err;

	ifindex = (int)if_nametoindex(a->ifname);
	if (!ifindex)
		return -NLE_NODEV;
	err = nl_addr_parse(a->cidr, AF_UNSPEC, &local);
	if (err < 0)
		return err;
	addr = rtnl_addr_alloc();
	if (!addr)
		abort();
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_family(addr, nl_addr_get_family(local));
	err = rtnl_addr_set_local(addr, local);
	if (!err) {
		rtnl_addr_set_prefixlen(addr, (int)nl_addr_get_prefixlen(local));
		err = rtnl_addr_add(sk, addr, 0);
	}
	rtnl_addr_put(addr);
	nl_addr_put(local);
	return err;
}

/* "DEST via GW" or "DEST dev IF" (lab-parse.c checked the form), as
 * "ip route add" makes it: main table, boot protocol, link scope for a
 * route through a device. */
static int
add_route(struct nl_sock *sk, const char *spec)
{
	char dest[64], word[16], arg[64];
	struct nl_addr *dst = NULL, *gw = NULL;
	struct rtnl_nexthop *nh;
	struct rtnl_route *route;
	int family = AF_INET, err;

	if (sscanf(spec, "%63s %15s %63s", dest, word, arg) != 3)
		return -NLE_INVAL;
	if (!strcmp(word, "via")) {
		err = nl_addr_parse(arg, AF_UNSPEC, &gw);
		if (err < 0)
			return err;
		family = nl_addr_get_family(gw);
	} else if (strchr(dest, ':')) {
		family = AF_INET6;
	}
	err = nl_addr_parse(dest, family, &dst);
	if (err < 0)
		goto out_gw;
	route = rtnl_route_alloc();
	nh = rtnl_route_nh_alloc();
	if (!route || !nh)
		abort();
	rtnl_route_set_family(route, (uint8_t)family);
	rtnl_route_set_table(route, RT_TABLE_MAIN);
	rtnl_route_set_protocol(route, RTPROT_BOOT);
	rtnl_route_set_type(route, RTN_UNICAST);
	if (gw) {
		rtnl_route_set_scope(route, RT_SCOPE_UNIVERSE);
		rtnl_route_nh_set_gateway(nh, gw);
	} else {
		int ifindex = (int)if_nametoindex(arg);

		if (!ifindex) {
			rtnl_route_nh_free(nh);
			err = -NLE_NODEV;
			goto out_route;
		}
		rtnl_route_set_scope(route, RT_SCOPE_LINK);
		rtnl_route_nh_set_ifindex(nh, ifindex);
	}
	rtnl_route_add_nexthop(route, nh);
	err = rtnl_route_set_dst(route, dst);
	if (!err)
		err = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
out_route:
	rtnl_route_put(route);
	nl_addr_put(dst);
out_gw:
	if (gw)
		nl_addr_put(gw);
	return err;
}

static int
forwarding_on(void)
{
	/* /proc/sys/net shows the namespace of whoever opens it. */
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1\n", 2) != 2)
		err = -errno;
	close(fd);
	return err;
}

/* Everything of host 'h' but its startup commands, inside the namespace
 * we are in now. */
static int
configure(struct nl_sock *sk, const struct lab_host *h)
{
	int err;

	if ((err = link_up(sk, "lo")) < 0)
		return fail(h->name, nl_geterror(err), "link set lo up");
	for (size_t j = 0; j < h->n_vlans; j++)
		if ((err = add_vlan(sk, &h->vlans[j])) < 0)
			return fail(h->name, nl_geterror(err), "VLAN %s",
				    h->vlans[j].name);
	for (size_t j = 0; j < h->n_addrs; j++)
		if ((err = add_addr(sk, &h->addrs[j])) < 0)
			return fail(h->name, nl_geterror(err),
				    "address %s on %s", h->addrs[j].cidr,
				    h->addrs[j].ifname);
	for (size_t j = 0; j < h->n_routes; j++)
		if ((err = add_route(sk, h->routes[j])) < 0)
			return fail(h->name, nl_geterror(err), "route %s",
				    h->routes[j]);
	if (h->forwarding && (err = forwarding_on()))
		return fail(h->name, strerror(-err), "net.ipv4.ip_forward");
	return 0;
}

int
lab_net_setup_host(const char *ns, const struct lab_host *h)
{
	char path[128];
	struct nl_sock *sk;
	int home, there, r = -1;

	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return fail(h->name, strerror(errno), "own namespace");
	snprintf(path, sizeof path, "/run/netns/%s", ns);
	there = open(path, O_RDONLY | O_CLOEXEC);
	if (there < 0 || setns(there, CLONE_NEWNET)) {
		fail(h->name, strerror(errno), "enter %s", path);
		goto out;
	}
	sk = nl_socket_alloc();
	if (!sk)
		abort();
	if (nl_connect(sk, NETLINK_ROUTE) < 0)
		fail(h->name, "cannot open rtnetlink", "%s", ns);
	else
		r = configure(sk, h);
	nl_socket_free(sk);
	if (setns(home, CLONE_NEWNET)) {
		/* Never go on creating things in a host's namespace. */
		fprintf(stderr, "bridgectl: lab: cannot return to our own "
			"network namespace: %s\n", strerror(errno));
		abort();
	}
out:
	if (there >= 0)
		close(there);
	close(home);
	return r;
}
