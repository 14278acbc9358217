/*
 * port-pcap.h - the pcap port: replays a capture as ingress traffic and
 * records egress traffic to a capture (libpcap).
 *
 * Used for deterministic forwarding tests (tests/pcap) and demos.  Ingress
 * frames keep their file timestamps so ageing and timers can be replayed:
 * the replay driver sets a horizon and rx_burst only returns frames stamped
 * at or before it.  Egress records carry the timestamp of the frame that
 * caused them.
 */
#ifndef VSWITCHD_PORT_PCAP_H
#define VSWITCHD_PORT_PCAP_H

#include <stdbool.h>
#include <stdint.h>

struct port;

#define PORT_PCAP_NO_FRAME UINT64_MAX

struct port_pcap_args {
	const char *rx_path;	/* capture to replay, or NULL */
	const char *tx_path;	/* capture to write, or NULL */
};

/* Opens a pcap port named 'name'.  Returns 0 and the port in '*portp', or
 * -errno with a message already logged (unreadable file, not Ethernet,
 * truncated header). */
int port_pcap_open(const char *name, const struct port_pcap_args *args,
		   struct port **portp);

/* True if 'port' is a pcap port. */
bool port_is_pcap(const struct port *port);

/* Timestamp (ns) of the next frame to replay, or PORT_PCAP_NO_FRAME. */
uint64_t port_pcap_next_ns(struct port *port);

/* The next frame to replay ('*len' bytes, valid until the port reads
 * it), or NULL. */
const uint8_t *port_pcap_next_frame(struct port *port, uint32_t *len);

/* rx_burst returns only frames stamped at or before 'ns'. */
void port_pcap_set_horizon(struct port *port, uint64_t ns);

/* Reads the timestamp of the first frame of the capture at 'path' without
 * opening a port.  Returns 0, or -errno if unreadable or empty. */
int port_pcap_first_ns(const char *path, uint64_t *ns);

/* Frames that could not be read: truncated records and the like. */
uint64_t port_pcap_rx_errors(const struct port *port);

#endif /* VSWITCHD_PORT_PCAP_H */
