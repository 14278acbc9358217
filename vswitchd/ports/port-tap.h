/*
 * port-tap.h - the "tap" port class: a port whose frames are those of a
 * Linux TAP device, read and written through its /dev/net/tun fd.
 *
 * The switch holds the fd end, so the TAP netdev is the far end of the
 * link: whatever uses the netdev (the host stack, a network namespace the
 * device was moved into) is what sits on the port.  Two consequences:
 *
 *  - The netdev's MAC belongs to that far end and must NOT become a local
 *    FDB entry (frames to it would go to the bridge device instead of out
 *    of the port).  So port->mac, the port's own address (local FDB entry,
 *    BPDU source), is a separate random locally administered address unless
 *    the caller gives one.  For the bridge's host port the netdev IS the
 *    bridge device, so there port->mac is the netdev's MAC.
 *  - Carrier is the netdev's state: the port has carrier while the netdev
 *    is up with its lower layer up (IFF_UP and IFF_LOWER_UP; TUNSETCARRIER
 *    clears the latter).  A link-change watcher (nl.h) re-reads it on every
 *    rtnetlink link event, also after the device was moved into another
 *    network namespace (its fd keeps working there), and reports changes
 *    with bridge_port_update_link().
 *
 * The fd is non-blocking; the port's ev_io watcher calls
 * bridge_port_input() when it is readable.
 */
#ifndef VSWITCHD_PORT_TAP_H
#define VSWITCHD_PORT_TAP_H

#include <stdbool.h>

#include "eth.h"

struct bridge;
struct port;

/* Options of port_tap_open().  All-zero is the usual case: create the TAP
 * (or attach to an existing persistent one), bring it up, disable IPv6 on
 * it, random port MAC, no virtio-net header. */
struct port_tap_args {
	bool attach_only;	/* fail with -ENODEV unless the TAP exists */
	bool no_up;		/* leave the netdev's IFF_UP as it is */
	bool keep_ipv6;		/* do not set disable_ipv6 on the netdev */
	bool vnet_hdr;		/* IFF_VNET_HDR: frames carry a virtio-net
				 * header (implied unless no_offload) */
	bool no_offload;	/* no TUNSETOFFLOAD: the netdev's stack
				 * checksums and segments, and we hand it
				 * only finished frames (pkt-offload.h) */
	bool has_mac;		/* 'mac' is the port MAC */
	struct eth_addr mac;
	const char *netns;	/* NULL, or the namespace (a name under
				 * /run/netns) to make or find the netdev in,
				 * instead of the daemon's; IPv6 stays on */
	const char *ifname;	/* NULL, or the netdev's name if not the
				 * port's */
};

/* Opens TAP port 'name' (also the netdev's name; at most IFNAMSIZ-1
 * characters) with options 'args' (NULL: all defaults).  On success stores
 * a new, unattached port in '*portp' and returns 0; the caller owns it
 * (port_close() frees it, bridge_port_add() takes it).  Returns -EINVAL for
 * a bad name, -ENODEV (attach_only, no such TAP), -EBUSY (the TAP is held
 * by another process), -EPERM without CAP_NET_ADMIN, or another -errno.
 * The device is persistent and marked with the alias "vswitchd:NAME": it
 * stays when the port is closed (a daemon restart, a crash, delif) unless
 * port->destroy_device is set, or port->undo for a device made here; a
 * later open finds it again by that alias or by its name in the daemon's
 * namespace, or by the alias in any other namespace it was moved to.
 * With args->netns the netdev is made (or found, by alias then by name)
 * in that namespace only, without moving it there afterwards: no other
 * namespace is searched, and -ENOENT if the namespace does not exist. */
int port_tap_open(const char *name, const struct port_tap_args *args,
		  struct port **portp);

/* Opens the host port of bridge 'bridge_name': a TAP netdev of the same
 * name that the host stack uses as the bridge device (ip addr add ... dev
 * BRIDGE works as with the Linux bridge).  Like the Linux bridge device it
 * starts down ('ip link set BRIDGE up' or bridge_set_admin_up() raise it);
 * IPv6 is disabled on it.  port->is_host is set and port->mac is the
 * netdev's MAC.  Returns 0 or -errno as port_tap_open(). */
int port_tap_open_host(const char *bridge_name, struct port **portp);

/* Gives bridge 'br' its bridge device: opens its host port as above and
 * makes it the bridge's (bridge_set_host_port(), which brings it up or
 * down with the bridge).  What every front-end that creates a bridge in
 * the daemon calls, so a bridge has its device however it was made; 0
 * without one where the tap class is not allowed (fuzzing).  Returns 0 or
 * -errno (the bridge is left without a device). */
int port_tap_attach_host(struct bridge *br);

/* Sets the MAC of host port 'host' (port->mac and the netdev's address),
 * so the bridge device shows the bridge MAC as the Linux bridge's does.
 * Returns 0, -EINVAL if 'host' is not a host TAP port, or -errno. */
int port_tap_set_host_mac(struct port *host, const struct eth_addr *mac);

/* True if 'port' is of the tap class. */
bool port_is_tap(const struct port *port);

#endif /* VSWITCHD_PORT_TAP_H */
