/*
 * port-pcap.c - pcap replay/record port class (libpcap).
 *
 * One record of lookahead is kept so the replay driver can ask when the next
 * frame is due.  A read error (truncated record, corrupt header) ends the
 * input: it is logged once and counted, never fatal.
 */
#include "port-pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"
#include "pkt.h"
#include "port-provider.h"
#include "util.h"

#define MOD "pcap"
#define PCAP_SNAPLEN 262144

struct port_pcap {
	struct port up;
	pcap_t *rx;
	pcap_t *tx_dead;
	pcap_dumper_t *tx;
	char *rx_path;
	/* Lookahead record. */
	bool have_next;
	uint64_t next_ns;
	uint32_t next_caplen;
	uint32_t next_wirelen;
	uint8_t *next_data;	/* PKT_DATA_MAX bytes */
	uint64_t horizon_ns;
	uint64_t rx_errors;
};

const struct port_class port_pcap_class;

static struct port_pcap *
port_pcap_cast(const struct port *port)
{
	ASSERT(port->class == &port_pcap_class);
	return container_of(port, struct port_pcap, up);
}

bool
port_is_pcap(const struct port *port)
{
	return port->class == &port_pcap_class;
}

static uint64_t
ts_to_ns(const struct pcap_pkthdr *h)
{
	/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
	return (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
}

/* Reads the next record into the lookahead.  Oversize records are counted
 * as OVERSIZE drops and skipped. */
static void
advance(struct port_pcap *pp)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	pp->have_next = false;
	while (pp->rx) {
		rc = pcap_next_ex(pp->rx, &h, &data);
		if (rc == PCAP_ERROR_BREAK) {
			break;
		} else if (rc < 0) {
			log_warn(MOD, "%s: %s: stopped reading: %s", pp->up.name,
				 pp->rx_path, pcap_geterr(pp->rx));
			pp->rx_errors++;
			break;
		}
		if (h->caplen > PKT_DATA_MAX) {
			pp->up.stats.rx_packets++;
			pp->up.stats.drops[PORT_DROP_OVERSIZE]++;
			continue;
		}
		memcpy(pp->next_data, data, h->caplen);
		pp->next_caplen = h->caplen;
		pp->next_wirelen = h->len;
		pp->next_ns = ts_to_ns(h);
		pp->have_next = true;
		return;
	}
	if (pp->rx) {
		pcap_close(pp->rx);
		pp->rx = NULL;
	}
}

static int
open_rx(struct port_pcap *pp, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];

	pp->rx = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pp->rx) {
		log_err(MOD, "%s: cannot read %s: %s", pp->up.name, path, err);
		return -EINVAL;
	}
	if (pcap_datalink(pp->rx) != DLT_EN10MB) {
		log_err(MOD, "%s: %s: link type %s is not Ethernet",
			pp->up.name, path,
			pcap_datalink_val_to_name(pcap_datalink(pp->rx)) ?: "?");
		pcap_close(pp->rx);
		pp->rx = NULL;
		return -EINVAL;
	}
	pp->rx_path = xstrdup(path);
	advance(pp);
	return 0;
}

static int
open_tx(struct port_pcap *pp, const char *path)
{
	pp->tx_dead = pcap_open_dead_with_tstamp_precision(
		DLT_EN10MB, PCAP_SNAPLEN, PCAP_TSTAMP_PRECISION_NANO);
	if (!pp->tx_dead)
		return -ENOMEM;
	pp->tx = pcap_dump_open(pp->tx_dead, path);
	if (!pp->tx) {
		log_err(MOD, "%s: cannot write %s: %s", pp->up.name, path,
			pcap_geterr(pp->tx_dead));
		return -EINVAL;
	}
	return 0;
}

int
port_pcap_open(const char *name, const struct port_pcap_args *args,
	       struct port **portp)
{
	struct port_pcap *pp = xcalloc(1, sizeof *pp);
	int err = 0;

	port_init(&pp->up, &port_pcap_class, name);
	pp->next_data = xmalloc(PKT_DATA_MAX);
	pp->horizon_ns = UINT64_MAX;
	if (args->rx_path)
		err = open_rx(pp, args->rx_path);
	if (!err && args->tx_path)
		err = open_tx(pp, args->tx_path);
	if (err) {
		port_pcap_class.close(&pp->up);
		return err;
	}
	*portp = &pp->up;
	return 0;
}

uint64_t
port_pcap_next_ns(struct port *port)
{
	struct port_pcap *pp = port_pcap_cast(port);

	return pp->have_next ? pp->next_ns : PORT_PCAP_NO_FRAME;
}

const uint8_t *
port_pcap_next_frame(struct port *port, uint32_t *len)
{
	struct port_pcap *pp = port_pcap_cast(port);

	if (!pp->have_next)
		return NULL;
	*len = pp->next_caplen;
	return pp->next_data;
}

void
port_pcap_set_horizon(struct port *port, uint64_t ns)
{
	port_pcap_cast(port)->horizon_ns = ns;
}

uint64_t
port_pcap_rx_errors(const struct port *port)
{
	return port_pcap_cast(port)->rx_errors;
}

int
port_pcap_first_ns(const char *path, uint64_t *ns)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	p = pcap_open_offline_with_tstamp_precision(
		path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p)
		return -EINVAL;
	rc = pcap_next_ex(p, &h, &data);
	if (rc == 1)
		*ns = ts_to_ns(h);
	pcap_close(p);
	return rc == 1 ? 0 : -ENOENT;
}

static int
pcap_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
	      int max)
{
	struct port_pcap *pp = port_pcap_cast(port);
	int n = 0;

	while (n < max && pp->have_next && pp->next_ns <= pp->horizon_ns) {
		struct pkt *p = pkt_alloc(pool);

		if (!p) {
			port->stats.rx_packets++;
			port->stats.drops[PORT_DROP_NO_BUFFER]++;
		} else {
			memcpy(p->data, pp->next_data, pp->next_caplen);
			p->len = pp->next_caplen;
			p->ts_ns = pp->next_ns;
			pkts[n++] = p;
		}
		advance(pp);
	}
	return n;
}

static int
pcap_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct port_pcap *pp = port_pcap_cast(port);

	if (!pp->tx)
		return n;	/* a port with no output file discards */
	for (int i = 0; i < n; i++) {
		struct pcap_pkthdr h;

		h.ts.tv_sec = (time_t)(pkts[i]->ts_ns / 1000000000ull);
		h.ts.tv_usec = (suseconds_t)(pkts[i]->ts_ns % 1000000000ull);
		h.caplen = h.len = pkts[i]->len;
		pcap_dump((u_char *)pp->tx, &h, pkts[i]->data);
	}
	return n;
}

static void
pcap_close_port(struct port *port)
{
	struct port_pcap *pp = port_pcap_cast(port);

	if (pp->rx)
		pcap_close(pp->rx);
	if (pp->tx)
		pcap_dump_close(pp->tx);
	if (pp->tx_dead)
		pcap_close(pp->tx_dead);
	free(pp->next_data);
	free(pp->rx_path);
	free(pp);
}

static char *
default_path(const char *dir, const char *prefix, const char *port)
{
	return xasprintf("%s/%s-%s.pcap", dir ? dir : ".", prefix, port);
}

/* The registry's 'open': args {rx, tx, mac}; in the setup language rx
 * defaults to IN_DIR/in-NAME.pcap when readable, tx to
 * OUT_DIR/out-NAME.pcap when an output folder is given. */
static int
pcap_open_args(const char *name, struct json_object *args,
	       const struct port_open_env *env, struct port **portp,
	       char **msgp)
{
	struct port_pcap_args pa = {
		.rx_path = port_class_arg_string(args, "rx", NULL),
		.tx_path = port_class_arg_string(args, "tx", NULL),
	};
	char *rx = NULL, *tx = NULL;
	struct eth_addr mac;
	int err;

	if (env->default_files && !pa.rx_path) {
		rx = default_path(env->in_dir, "in", name);
		if (!access(rx, R_OK))
			pa.rx_path = rx;
	}
	if (env->default_files && !pa.tx_path && env->out_dir)
		pa.tx_path = tx = default_path(env->out_dir, "out", name);
	err = port_pcap_open(name, &pa, portp);
	free(rx);
	free(tx);
	if (err) {
		*msgp = xasprintf("cannot open pcap port %s: %s", name,
				  strerror(-err));
		return err;
	}
	if (port_class_arg_mac(args, "mac", &mac))
		(*portp)->mac = mac;
	return 0;
}

static const struct port_arg pcap_args[] = {
	{ "rx", PORT_ARG_STRING, false, NULL, NULL,
	  "capture to replay as ingress traffic" },
	{ "tx", PORT_ARG_STRING, false, NULL, NULL,
	  "capture to write egress traffic to" },
	{ "mac", PORT_ARG_MAC, false, NULL, NULL, "the port's MAC address" },
	{ NULL, 0, false, NULL, NULL, NULL },
};

const struct port_class port_pcap_class = {
	.type = "pcap",
	.args = pcap_args,
	.replay_ok = true,
	.open = pcap_open_args,
	.close = pcap_close_port,
	.rx_burst = pcap_rx_burst,
	.tx_burst = pcap_tx_burst,
};
