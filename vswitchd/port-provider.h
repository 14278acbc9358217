/*
 * port-provider.h - what a port type implements (Open vSwitch's
 * netdev-provider, trimmed).
 *
 * A provider allocates its own struct that embeds 'struct port' (usually as
 * 'up'), calls port_init() on it, and returns &x->up from its constructor
 * (each provider exports its own typed constructor, e.g. port_pcap_open()).
 * The bridge then calls the ops below.
 */
#ifndef VSWITCHD_PORT_PROVIDER_H
#define VSWITCHD_PORT_PROVIDER_H

#include <stdbool.h>

#include "port.h"

struct port_class {
	/* Type name as shown to users: "pcap", "tap", "vhost-user", ... */
	const char *type;

	/* Frees the port and releases its fds and memory.  Called after the
	 * port was removed from its bridge (or was never added).  Must not
	 * be NULL. */
	void (*close)(struct port *port);

	/* Receives up to 'max' (<= PKT_BURST) frames into packets taken from
	 * 'pool'.  Returns how many were stored in 'pkts' (the caller now
	 * owns them), 0 when nothing is pending, or -errno on a port error
	 * (the caller stops receiving from the port).  Frames that cannot be
	 * stored (pool empty, oversize) are counted in port->stats.drops and
	 * not returned; a runt may be returned, and the pipeline counts it.
	 * Called from the datapath; must not block.  Must not be NULL. */
	int (*rx_burst)(struct port *port, struct pkt_pool *pool,
			struct pkt **pkts, int max);

	/* Transmits 'n' frames.  The port BORROWS the packets: it copies
	 * what it needs (write(2) to a TAP, a copy into guest memory, a
	 * pcap record) before returning and never keeps a pointer, so the
	 * pipeline can send one packet to several ports and free it after.
	 * Returns the number sent; the pipeline counts the rest as
	 * TX_ERROR drops.  Must not block.  Must not be NULL. */
	int (*tx_burst)(struct port *port, struct pkt **pkts, int n);

	/* Returns the physical link state (carrier).  NULL means always up. */
	bool (*get_carrier)(const struct port *port);

	/* Applies an administrative up/down to the underlying device (e.g.
	 * IFF_UP on a TAP).  Returns 0 or -errno.  NULL: nothing to do. */
	int (*set_admin_up)(struct port *port, bool up);

	/* Sets the MAC address of the underlying device: for the bridge's
	 * host port, the bridge device's MAC (so the host stack answers to
	 * the address the FDB delivers locally).  Returns 0 or -errno.  NULL:
	 * only recorded in port->mac. */
	int (*set_mac)(struct port *port, const struct eth_addr *mac);

	/* Sets the MTU of the underlying device.  NULL: only recorded. */
	int (*set_mtu)(struct port *port, uint32_t mtu);

	/* Registers the port's fd watchers on 'loop' (NULL 'loop':
	 * unregister).  The watcher callback calls bridge_port_input().
	 * NULL for ports that are polled (pcap replay). */
	void (*watch)(struct port *port, struct ev_loop *loop);
};

#endif /* VSWITCHD_PORT_PROVIDER_H */
