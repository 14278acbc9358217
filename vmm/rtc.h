/*
 * rtc.h - the PC's CMOS real-time clock (Motorola MC146818A) at ports
 * 0x70 (index, bit 7 masks NMI) and 0x71 (data).
 *
 * Linux reads it at boot (the rtc_cmos driver probes it and sets the system
 * clock from it).  Without one, ports 0x70/0x71 read all-ones: register D
 * then says "not valid" and the update-in-progress bit never clears, and
 * the driver spends seconds polling before it gives up.
 *
 * The clock is the host's wall clock (UTC) plus an offset the guest may set
 * by writing the time registers with register B's SET bit, as on the chip.
 * Register A's update-in-progress bit always reads 0: every read computes
 * the time afresh, so no read can see a half-updated value.  BCD and binary
 * (register B DM), 24 and 12 hour (register B 24/12) formats are honoured.
 * The 114 bytes of battery-backed RAM are kept in memory; offset 0x32 is
 * the century, as PC BIOSes keep it.  No interrupts: the periodic, alarm
 * and update-ended interrupts are not modelled (register C reads 0), which
 * Linux copes with (no alarms on rtc0).
 */
#ifndef VMM_RTC_H
#define VMM_RTC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define RTC_PORT_BASE   0x70
#define RTC_NR_PORTS    2
#define RTC_NR_REGS     128

struct rtc {
	pthread_mutex_t lock;
	uint8_t index;          /* last value written to 0x70, NMI bit dropped */
	uint8_t regs[RTC_NR_REGS];
	int64_t offset_s;       /* guest time minus host UTC time */
};

/* Sets up 'rtc' (embedded, nothing allocated): registers as after power-on
 * with a good battery, clock = host UTC. */
void rtc_init(struct rtc *rtc);

/* Releases what rtc_init() set up. */
void rtc_uninit(struct rtc *rtc);

/* Port I/O handler (io_handler_fn) for RTC_NR_PORTS ports at
 * RTC_PORT_BASE; 'dev' is a struct rtc.  One-byte accesses only. */
void rtc_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
	    bool is_write);

/* The guest's current time in seconds since the epoch (for tests). */
int64_t rtc_guest_time(struct rtc *rtc);

#endif /* VMM_RTC_H */
