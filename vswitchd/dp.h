/*
 * dp.h - the forwarding pipeline: one burst of frames from one port, run
 * through the Linux bridge's processing order (linux-bridge.md §1).
 *
 *   source-MAC checks -> link-local handling (group_fwd_mask) -> port state
 *   gate -> VLAN ingress -> learning -> learning-state drop -> unicast lookup
 *   / flood -> per-egress should_deliver -> egress VLAN edit -> MTU check
 *
 * The pipeline owns the packets it is given and frees them.  It never
 * allocates, never logs and never blocks: drops are counted per port by
 * reason.  Transmission is batched: each egress port gets one tx_burst per
 * input burst.  A packet sent to several ports is edited in place (VLAN
 * tag push/pop) right before each port's burst, since ports copy frames out
 * before returning (port-provider.h).
 */
#ifndef VSWITCHD_DP_H
#define VSWITCHD_DP_H

struct bridge;
struct port;
struct pkt;

/* Runs 'n' packets received on 'in' through 'br' and frees them. */
void dp_input(struct bridge *br, struct port *in, struct pkt **pkts, int n);

/* Runs 'n' packets sent by the bridge device itself (its host port) and
 * frees them: no learning, flood flags mcast/bcast ignored (local origin). */
void dp_host_input(struct bridge *br, struct pkt **pkts, int n);

/* Tells the datapath that bridge-wide settings changed (cached values). */
void dp_bridge_changed(struct bridge *br);

#endif /* VSWITCHD_DP_H */
