/*
 * port-null.c - the "null" port class: a port that discards every frame
 * it is sent and never receives one (a /dev/null on a bridge).
 *
 * It has no fds, no device and no creation arguments, so it works in the
 * daemon and in a replay alike.  Its own counters (get_stats) are the
 * frames and bytes it discarded; the pipeline's tx counters in struct
 * port_stats count the same frames as sent.  It is also the smallest
 * example of a port class: this file and one X(null) line in
 * port-class.c.
 */
#include <errno.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "pkt.h"
#include "port-provider.h"
#include "util.h"

struct port_null {
	struct port up;
	uint64_t tx_frames;	/* frames discarded */
	uint64_t tx_bytes;	/* their bytes */
};

const struct port_class port_null_class;

static struct port_null *
port_null_cast(const struct port *port)
{
	ASSERT(port->class == &port_null_class);
	return container_of(port, struct port_null, up);
}

static int
null_open(const char *name, struct json_object *args,
	  const struct port_open_env *env, struct port **portp, char **msgp)
{
	struct port_null *pn = xcalloc(1, sizeof *pn);

	(void)args;
	(void)env;
	(void)msgp;
	port_init(&pn->up, &port_null_class, name);
	/* No device to take a MAC from: one from the name, so a bridge id
	 * (its lowest port MAC) is stable and never all-zero. */
	eth_addr_from_seed(name, &pn->up.mac);
	*portp = &pn->up;
	return 0;
}

static void
null_close(struct port *port)
{
	if (port)
		free(port_null_cast(port));
}

/* Counts and discards; the caller still owns and frees the packets. */
static int
null_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct port_null *pn = port_null_cast(port);

	for (int i = 0; i < n; i++)
		pn->tx_bytes += pkts[i]->len;
	pn->tx_frames += (uint64_t)n;
	return n;
}

static struct json_object *
null_get_stats(const struct port *port)
{
	const struct port_null *pn = port_null_cast(port);
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "tx_frames",
			       json_object_new_uint64(pn->tx_frames));
	json_object_object_add(o, "tx_bytes",
			       json_object_new_uint64(pn->tx_bytes));
	return o;
}

static const struct port_arg null_args[] = {
	{ NULL, 0, false, NULL, NULL, NULL },
};

const struct port_class port_null_class = {
	.type = "null",
	.args = null_args,
	.replay_ok = true,
	.open = null_open,
	.close = null_close,
	.rx_burst = port_rx_burst_none,
	.tx_burst = null_tx_burst,
	.get_stats = null_get_stats,
};
