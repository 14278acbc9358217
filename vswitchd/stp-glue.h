/*
 * stp-glue.h - the bridge's side of spanning tree: feeds trapped BPDUs to
 * the pure STP module, drains its outbox and applies its port states.
 */
#ifndef VSWITCHD_STP_GLUE_H
#define VSWITCHD_STP_GLUE_H

struct bridge;
struct port;
struct pkt;

/* Hands a trapped frame to 01:80:C2:00:00:00 received on 'in' to STP.
 * Datapath-safe: STP only records; its output is drained by bridge_run. */
void stp_glue_rx_bpdu(struct bridge *br, struct port *in,
		      const struct pkt *p);

#endif /* VSWITCHD_STP_GLUE_H */
