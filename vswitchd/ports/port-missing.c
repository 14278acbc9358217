/*
 * port-missing.c - a port whose device could not be opened when the
 * configuration was restored: a netdev whose interface is gone, a TAP the
 * daemon may not create, a pcap file that cannot be read...  Rather than
 * refuse to start (every other bridge down with it) or drop the port from
 * the stored configuration, the daemon keeps it in its bridge in this
 * class: its number, settings, VLANs and static entries stay, it has no
 * carrier (so STP calls it disabled and nothing is sent to it), and
 * listings say it is missing and why.  Deleting the port and adding it
 * again, or a restart once the device is back, attaches the real one.
 *
 * Not in the class registry: no request can ask for one.  The control
 * plane makes it (ctl-methods.c, port.add with "keep_if_missing").
 */
#include "port-missing.h"

#include <stdlib.h>

#include <json-c/json.h>

#include "pkt.h"
#include "port-provider.h"
#include "util.h"

struct port_missing {
	struct port up;
	char *type;		/* the class it should have had */
	char *reason;		/* why it could not be opened */
};

static const struct port_class port_missing_class;

static struct port_missing *
port_missing_cast(const struct port *port)
{
	ASSERT(port->class == &port_missing_class);
	return container_of(port, struct port_missing, up);
}

struct port *
port_missing_open(const char *name, const char *type, const char *reason)
{
	struct port_missing *pm = xcalloc(1, sizeof *pm);

	port_init(&pm->up, &port_missing_class, name);
	pm->type = xstrdup(type);
	pm->reason = xstrdup(reason);
	eth_addr_from_seed(name, &pm->up.mac);
	return &pm->up;
}

bool
port_is_missing(const struct port *port)
{
	return port->class == &port_missing_class;
}

const char *
port_missing_type(const struct port *port)
{
	return port_missing_cast(port)->type;
}

const char *
port_missing_reason(const struct port *port)
{
	return port_missing_cast(port)->reason;
}

static void
missing_close(struct port *port)
{
	struct port_missing *pm = port_missing_cast(port);

	free(pm->type);
	free(pm->reason);
	free(pm);
}

/* Never called while the carrier is off; if it were, nothing is sent and
 * the pipeline counts the frames as transmit errors. */
static int
missing_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	(void)port;
	(void)pkts;
	(void)n;
	return 0;
}

static bool
missing_get_carrier(const struct port *port)
{
	(void)port;
	return false;
}

static const struct port_arg missing_args[] = {
	{ NULL, 0, false, NULL, NULL, NULL },
};

static const struct port_class port_missing_class = {
	.type = "missing",
	.args = missing_args,
	.open = NULL,
	.close = missing_close,
	.rx_burst = port_rx_burst_none,
	.tx_burst = missing_tx_burst,
	.get_carrier = missing_get_carrier,
};
