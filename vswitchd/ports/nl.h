/*
 * nl.h - the daemon's view of kernel network devices: rtnetlink
 * (libnl-route-3) queries and settings of a link by name, the default STP
 * path cost from the link speed, and a watcher of link changes.
 *
 * Every query and setter opens its own short-lived rtnetlink socket, so it
 * acts in the network namespace the calling thread is in at that moment.
 * That is what lets a port whose device was moved to another namespace
 * (ip link set DEV netns NS: its TAP fd keeps working) still query and set
 * it: enter the device's namespace with nl_netns_enter(), call the helper,
 * nl_netns_leave().  Everything here runs on the control path only.
 *
 * The watcher is one non-blocking rtnetlink socket in the RTM_NEWLINK
 * multicast group, on the daemon's libev loop.  It also listens to every
 * namespace that has an id in ours (NETLINK_LISTEN_ALL_NSID; moving a
 * device to a namespace gives that namespace an id, a TAP port made in one
 * asks for one: nl_netns_ensure_id()), so a TAP moved into a
 * test namespace and set down there is still noticed.  It does not try to
 * tell which device an event is about (ifindexes repeat across
 * namespaces): after each batch of link messages it calls every
 * subscriber, and each subscriber re-reads the state of its own device and
 * acts only on a change.
 */
#ifndef VSWITCHD_NL_H
#define VSWITCHD_NL_H

#include <stdbool.h>
#include <stdint.h>

#include "eth.h"

struct ev_loop;

/* What the kernel reports about a link. */
struct nl_link_info {
	int ifindex;
	struct eth_addr mac;
	uint32_t mtu;
	unsigned flags;		/* IFF_* including IFF_LOWER_UP, IFF_RUNNING */
	bool carrier;		/* IFLA_CARRIER */
};

/* Reads the state of link 'ifname' into '*info'.  Returns 0, -ENODEV if no
 * such link exists in the current namespace, or another -errno. */
int nl_link_get(const char *ifname, struct nl_link_info *info);

/* Sets link 'ifname' administratively up or down (IFF_UP).  0 or -errno. */
int nl_link_set_up(const char *ifname, bool up);

/* Sets the MTU of link 'ifname'.  0 or -errno (-EINVAL out of range). */
int nl_link_set_mtu(const char *ifname, uint32_t mtu);

/* Sets the MAC address of link 'ifname'.  0 or -errno. */
int nl_link_set_mac(const char *ifname, const struct eth_addr *mac);

/* Sets the alias (IFLA_IFALIAS, 'ip link set dev X alias A') of link
 * 'ifname'.  0 or -errno. */
int nl_link_set_alias(const char *ifname, const char *alias);

/* Looks in the current namespace for a TAP (a "tun" link of Ethernet
 * type): the one whose alias is 'alias', else (if 'name' is not NULL) the
 * one named 'name'.  Copies its current name to 'ifname' (IFNAMSIZ bytes).
 * Returns 0, -ENODEV if there is none, or another -errno. */
int nl_find_tap(const char *alias, const char *name, char *ifname);

/* Disables IPv6 on 'ifname' (net.ipv6.conf.IFNAME.disable_ipv6 = 1) so the
 * host stack sends no DAD/RS/MLD noise through it.  Returns 0, also when
 * IPv6 is not available at all, or -errno. */
int nl_link_disable_ipv6(const char *ifname);

/* Link speed of 'ifname' in Mb/s from ethtool (ETHTOOL_GLINKSETTINGS, then
 * ETHTOOL_GSET), or 0 if unknown. */
uint32_t nl_link_speed_mbps(const char *ifname);

/* The STP path cost the Linux bridge gives a port on 'ifname' by its speed
 * (linux-bridge.md 4.1): 10 Gb/s 2, 1 Gb/s 4, 100 Mb/s 19, 10 Mb/s 100,
 * anything else or unknown 100. */
uint32_t nl_default_path_cost(const char *ifname);

/* Pure part of the above: path cost for 'speed_mbps' (0 = unknown). */
uint32_t nl_path_cost_for_speed(uint32_t speed_mbps);

/* Switches the calling thread into the network namespace of fd 'nsfd'.
 * Stores in '*oldfdp' what nl_netns_leave() needs to come back, or -1 when
 * 'nsfd' already is the current namespace (nothing to undo).  Returns 0 or
 * -errno (then nothing changed). */
int nl_netns_enter(int nsfd, int *oldfdp);

/* Returns to the namespace saved by nl_netns_enter() and closes 'oldfd'
 * (-1: nothing to do).  Aborts if it cannot: the daemon must never go on
 * in a foreign namespace. */
void nl_netns_leave(int oldfd);

/* Gives the namespace of fd 'nsfd' an id in the calling thread's own
 * ('ip netns set NAME auto') unless it has one, so the link watcher hears
 * its link events (NETLINK_LISTEN_ALL_NSID hears only namespaces with an
 * id; a device moved there gives it one, a device made there does not).
 * Returns 0 or -errno. */
int nl_netns_ensure_id(int nsfd);

/* Calls 'cb' once in every network namespace this process can see other
 * than the calling thread's own: those named under /run/netns ('ip netns')
 * and those of running processes (/proc/PID/ns/net), each once however many
 * ways lead to it.  'cb' runs inside the namespace (nl_netns_enter()) and
 * gets a label for messages ("netns NAME" or "the namespace of pid N").
 * Stops at the first non-zero return of 'cb' and returns it; 0 when every
 * namespace was visited. */
typedef int nl_netns_fn(const char *label, void *aux);
int nl_netns_foreach(nl_netns_fn *cb, void *aux);

/* A subscriber of the link watcher, embedded in its owner.  'cb' runs on
 * the loop after a batch of link messages (or after the socket overflowed,
 * when the messages themselves were lost). */
struct nl_watch_sub;
typedef void nl_link_change_fn(struct nl_watch_sub *sub);

struct nl_watch_sub {
	nl_link_change_fn *cb;
	struct nl_watch_sub *prev, *next;	/* private to nl.c */
};

/* Opens the link watcher on 'loop', or takes one more reference on it if
 * it is open already (each successful call needs one nl_watch_close()).
 * Returns 0 or -errno. */
int nl_watch_open(struct ev_loop *loop);

/* Drops a reference; the last one stops the watcher and closes its
 * socket. */
void nl_watch_close(void);

/* Adds/removes 'sub' to/from the subscribers.  'sub->cb' must be set.
 * A callback may remove its own or any other subscriber. */
void nl_watch_subscribe(struct nl_watch_sub *sub);
void nl_watch_unsubscribe(struct nl_watch_sub *sub);

#endif /* VSWITCHD_NL_H */
