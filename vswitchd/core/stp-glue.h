/*
 * stp-glue.h - the bridge's side of spanning tree.
 *
 * Every bridge owns one pure STP instance (vswitchd/stp), even with STP off:
 * like the kernel, the state machine then moves enabled ports straight to
 * FORWARDING, and switching STP on later starts from the right state.  The
 * glue feeds STP its inputs (port add/remove, link changes, trapped BPDUs,
 * configuration, time) and, after every call, drains its outputs: BPDUs are
 * sent on their port, port states are copied to struct port, flush requests
 * flush the port's dynamic FDB entries, and the topology-change hold time is
 * given to the FDB.
 */
#ifndef VSWITCHD_STP_GLUE_H
#define VSWITCHD_STP_GLUE_H

#include <stdbool.h>
#include <stdint.h>

struct bridge;
struct port;
struct pkt;

/* Creates/destroys 'br->stp' from 'br->opt'. */
void stp_glue_bridge_create(struct bridge *br);
void stp_glue_bridge_destroy(struct bridge *br);

/* A port joined / is leaving the bridge. */
void stp_glue_port_add(struct bridge *br, struct port *port);
void stp_glue_port_del(struct bridge *br, struct port *port);

/* The port's link (admin and carrier) is now 'up'. */
void stp_glue_port_link(struct bridge *br, struct port *port, bool up);

/* Configuration changes already recorded in br->opt / the port. */
void stp_glue_bridge_config(struct bridge *br);
int stp_glue_port_config(struct bridge *br, struct port *port);

/* The bridge device went up or down. */
void stp_glue_bridge_up(struct bridge *br, bool up);

/* Hands a trapped frame to 01:80:C2:00:00:00 received on 'in' to STP.
 * Returns 0 if STP processed it, or a negative STP drop reason. */
int stp_glue_rx_bpdu(struct bridge *br, struct port *in,
		     const struct pkt *p);

/* Runs STP timers up to 'now_ms' and applies the results. */
void stp_glue_run(struct bridge *br, uint64_t now_ms);

#endif /* VSWITCHD_STP_GLUE_H */
