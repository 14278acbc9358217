/*
 * port.c - generic port helpers and the class wrappers the pipeline calls.
 */
#include "port.h"

#include <errno.h>
#include <string.h>

#include "pkt.h"
#include "port-provider.h"
#include "util.h"

static const char *const drop_names[PORT_DROP_N] = {
#define PORT_DROP_NAME(name, str) [PORT_DROP_##name] = str,
	PORT_DROP_REASONS(PORT_DROP_NAME)
#undef PORT_DROP_NAME
};

static const char *const state_names[] = {
	[PORT_DISABLED] = "disabled",
	[PORT_LISTENING] = "listening",
	[PORT_LEARNING] = "learning",
	[PORT_FORWARDING] = "forwarding",
	[PORT_BLOCKING] = "blocking",
};

const char *
port_drop_reason_name(enum port_drop_reason reason)
{
	return (unsigned)reason < PORT_DROP_N ? drop_names[reason] : "?";
}

const char *
port_state_name(enum port_state state)
{
	return (unsigned)state < ARRAY_SIZE(state_names) ? state_names[state]
							  : "?";
}

int
port_parse_state(const char *s, enum port_state *out)
{
	long v;

	for (unsigned i = 0; i < ARRAY_SIZE(state_names); i++) {
		if (!strcmp(s, state_names[i])) {
			*out = (enum port_state)i;
			return 0;
		}
	}
	if (!util_parse_long(s, 0, PORT_BLOCKING, &v)) {
		*out = (enum port_state)v;
		return 0;
	}
	return -EINVAL;
}

void
port_init(struct port *port, const struct port_class *class,
	  const char *name)
{
	memset(port, 0, sizeof *port);
	port->class = class;
	util_strlcpy(port->name, name, sizeof port->name);
	port->state = PORT_DISABLED;
	port->flags = PORT_F_DEFAULT;
	port->mtu = 1500;
	port->admin_up = true;
	port->stp_priority = 32;
	port->path_cost = 100;
	vlan_port_init(&port->vlans);
}

int
port_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
	      int max)
{
	return port->class->rx_burst(port, pool, pkts, max);
}

int
port_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	return port->class->tx_burst(port, pkts, n);
}

bool
port_has_carrier(const struct port *port)
{
	if (port->carrier_off)
		return false;
	return port->class->get_carrier ? port->class->get_carrier(port)
					 : true;
}

bool
port_is_enabled(const struct port *port)
{
	return port->admin_up && port_has_carrier(port);
}

void
port_close(struct port *port)
{
	if (port)
		port->class->close(port);
}
