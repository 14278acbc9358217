/*
 * dp-log.h - debug lines that explain the datapath's drops, learning and
 * moves, for 'bridgectl log set dp debug'.
 *
 * The datapath itself never logs (house style: it counts).  This module
 * reads its counters from the loop's tick instead, while module "dp" logs
 * at debug: every port's drop counters by reason and every bridge's
 * learned/moved counters are compared with the previous tick, and each
 * change becomes one line, rate-limited like any line caused by packets
 * ("br0: p2: dropped 3 frames: vlan_ingress (5 in all)").  Off by default
 * (costs nothing then but one level check per tick); turning it on takes
 * a snapshot first, so only what happens afterwards is reported.
 *
 * What it cannot say is which frame: the MAC and VLAN of a drop or of a
 * learned address need a hook in the datapath (core/dp.c), not here.
 */
#ifndef VSWITCHD_DP_LOG_H
#define VSWITCHD_DP_LOG_H

/* The log module of these lines. */
#define DP_LOG_MODULE "dp"

/* Compares the counters of every bridge with the last call's and logs the
 * changes, when DP_LOG_MODULE logs at debug.  Control path (the tick). */
void dp_log_run(void);

/* Frees the snapshot. */
void dp_log_uninit(void);

#endif /* VSWITCHD_DP_LOG_H */
