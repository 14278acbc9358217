/*
 * clock.h - the switch clock: milliseconds, monotonic, read once per loop
 * turn.
 *
 * Only clock.c reads CLOCK_MONOTONIC; everything else asks clock_now_ms(),
 * so one loop turn sees one time and tests can freeze and warp it (OVS's
 * time/stop and time/warp), and a pcap replay can set it to file time.
 */
#ifndef VSWITCHD_CLOCK_H
#define VSWITCHD_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

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

#endif /* VSWITCHD_CLOCK_H */
