/*
 * port-io.c - what port classes with a readable fd share (port-provider.h).
 *
 * Apart from port.c, which the bridge calls: these call the bridge, so in
 * port.c they would close a circle (bridge -> port -> bridge).
 */
#include <string.h>

#include <ev.h>

#include "bridge.h"
#include "log.h"
#include "port-provider.h"

void
port_on_readable(struct port *port, struct ev_loop *loop, struct ev_io *w)
{
	int r;

	if (!port->br) {
		ev_io_stop(loop, w);
		return;
	}
	r = bridge_port_input(port->br, port);
	if (r < 0) {
		/* Logged under the class's module (tap, netdev). */
		log_warn_rl(port->class->type, "%s: receive failed: %s; "
			    "no longer receiving", port->name, strerror(-r));
		ev_io_stop(loop, w);
	}
}

int
port_rx_burst_none(struct port *port, struct pkt_pool *pool,
		   struct pkt **pkts, int max)
{
	(void)port;
	(void)pool;
	(void)pkts;
	(void)max;
	return 0;
}
