/*
 * fuzz_pcap.c - libFuzzer target: the pcap port's reader.  The input is
 * a capture file, opened as a pcap port's rx capture (port_pcap_open():
 * libpcap's file header checks, then ours: link type, snap length) and
 * replayed to its end the way the replay driver does: the next frame's
 * timestamp, a horizon, a burst, until no frame is left; every frame is
 * freed as the bridge would.  port_pcap_first_ns() reads it too.
 * Egress is written to a capture of its own (tx), one frame per burst
 * echoed back, to run the writer on what the reader produced.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-daemon.h"
#include "pkt.h"
#include "port-pcap.h"
#include "port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_BURSTS 256	/* a few thousand frames at most per input */

static char *in_path, *out_path;
/* The pcap port receives into a pool of its own, as a bridge's would. */
static struct pkt_pool *pool;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_daemon_init();

	(void)argc; (void)argv;
	pool = pkt_pool_create(PKT_BURST);
	in_path = malloc(strlen(dir) + 16);
	out_path = malloc(strlen(dir) + 16);
	sprintf(in_path, "%s/in.pcap", dir);
	sprintf(out_path, "%s/out.pcap", dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct port_pcap_args args = { .rx_path = in_path,
				       .tx_path = out_path };
	struct pkt *pkts[PKT_BURST];
	struct port *port;
	uint64_t ns;
	int n;

	fuzz_write_file(in_path, data, size);
	port_pcap_first_ns(in_path, &ns);
	if (port_pcap_open("fz0", &args, &port))
		return 0;
	for (unsigned b = 0; b < MAX_BURSTS; b++) {
		ns = port_pcap_next_ns(port);
		if (ns == PORT_PCAP_NO_FRAME)
			break;
		port_pcap_set_horizon(port, ns);
		n = port_rx_burst(port, pool, pkts, PKT_BURST);
		if (n <= 0)
			break;
		/* Transmit borrows the frames (port-provider.h). */
		port_tx_burst(port, pkts, 1);
		for (int i = 0; i < n; i++)
			pkt_free(pool, pkts[i]);
	}
	port_close(port);
	return 0;
}
