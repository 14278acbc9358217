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

#include <stdbool.h>

struct bridge;
struct port;
struct pkt;
struct pkt_pool;

/* A bridge's datapath context: what the pipeline writes besides the
 * bridge's tables and counters -- its own packet pool, one transmit queue
 * per port number, and the list of ports queued to in the running burst.
 * Each bridge owns one (bridge_create() makes it), so nothing the pipeline
 * touches is shared between bridges: a multi-threaded datapath gives each
 * thread the bridges, and so the contexts, it serves.  Opaque outside dp.c.
 */
struct dp;

#ifndef DP_POOL_SIZE
#define DP_POOL_SIZE 512	/* packets per bridge */
#endif

/* Creates a context with a pool of 'pool_size' packets.  Its transmit
 * queues are allocated zeroed, so a bridge pays memory only for the port
 * numbers it uses. */
struct dp *dp_create(unsigned pool_size);

/* Frees 'dp' (NULL is fine).  Every packet must be back in its pool. */
void dp_destroy(struct dp *dp);

/* The context's packet pool: ports of the bridge receive into it
 * (bridge_port_input()), STP sends BPDUs from it (through bridge_pool()). */
struct pkt_pool *dp_pool(struct dp *dp);

/* Makes 'tr' (NULL: none) the trace context of the frames the pipeline
 * runs next (dp-trace.h; only dp_trace_frame() sets it). */
struct dp_trace;
void dp_set_trace(struct dp *dp, struct dp_trace *tr);

/* Runs 'n' packets received on 'in' through 'br' and frees them. */
void dp_input(struct bridge *br, struct port *in, struct pkt **pkts, int n);

/* Runs 'n' packets sent by the bridge device itself (its host port) and
 * frees them: no learning, flood flags mcast/bcast ignored (local origin). */
void dp_host_input(struct bridge *br, struct pkt **pkts, int n);

/* Capture: for every frame received on a port whose 'capture' hook is set
 * (after it is counted, before any processing) and every frame sent on it
 * (as sent: after the egress VLAN edit; BPDUs included), the datapath calls
 * the port's hook with 'tx' false or true.  The hook runs on the datapath:
 * it must copy what it wants and return without blocking or allocating.
 * The hook belongs to the port (struct port's 'capture'), so it follows the
 * port to another bridge; NULL (the default) captures nothing. */
typedef void dp_capture_fn(struct port *port, const struct pkt *p, bool tx);

#endif /* VSWITCHD_DP_H */
