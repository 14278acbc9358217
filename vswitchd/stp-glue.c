/*
 * stp-glue.c - spanning tree glue.  Until the STP module is wired in, a
 * bridge with stp_state 1 consumes BPDUs without acting on them.
 */
#include "stp-glue.h"

#include "bridge.h"
#include "pkt.h"

void
stp_glue_rx_bpdu(struct bridge *br, struct port *in, const struct pkt *p)
{
	(void)br; (void)in; (void)p;
}
