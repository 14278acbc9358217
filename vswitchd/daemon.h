/*
 * daemon.h - process-wide context of vswitchd: the event loop, the packet
 * pool and the clock.
 *
 * One libev loop per process (the datapath runs on it for now); every
 * bridge shares one packet pool.  Only clock.c reads CLOCK_MONOTONIC, once
 * per loop iteration; the clock can be frozen and warped for tests (OVS
 * time/stop, time/warp).
 */
#ifndef VSWITCHD_DAEMON_H
#define VSWITCHD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

struct ev_loop;
struct pkt_pool;

#define DAEMON_POOL_SIZE 512	/* packets shared by every bridge */
#define DAEMON_TICK_MS   100	/* period of the bridge_run() tick */

/* The process's event loop and packet pool (valid after daemon_init). */
struct ev_loop *daemon_loop(void);
struct pkt_pool *daemon_pool(void);

/* Creates the loop and the pool.  'loop' NULL: a new default loop. */
void daemon_init(struct ev_loop *loop);
void daemon_uninit(void);

/* Milliseconds of the switch clock (monotonic, frozen/warped in tests). */
uint64_t clock_now_ms(void);

/* Re-reads CLOCK_MONOTONIC unless frozen.  Called once per loop turn. */
void clock_update(void);

/* Freezes the clock at its current value / lets it run again. */
void clock_stop(void);
void clock_resume(void);

/* Advances a frozen (or running) clock by 'ms'. */
void clock_warp(uint64_t ms);

/* Sets the clock to exactly 'ms' and freezes it (pcap replay). */
void clock_set(uint64_t ms);

bool clock_is_frozen(void);

#endif /* VSWITCHD_DAEMON_H */
