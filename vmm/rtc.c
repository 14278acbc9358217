/*
 * rtc.c - MC146818A CMOS real-time clock.
 */
#include "rtc.h"

#include <string.h>
#include <time.h>

/* Register indexes (MC146818A datasheet, "Address map"). */
enum {
	RTC_SECONDS = 0x00,
	RTC_MINUTES = 0x02,
	RTC_HOURS = 0x04,
	RTC_WEEKDAY = 0x06,
	RTC_MDAY = 0x07,
	RTC_MONTH = 0x08,
	RTC_YEAR = 0x09,
	RTC_REG_A = 0x0a,
	RTC_REG_B = 0x0b,
	RTC_REG_C = 0x0c,
	RTC_REG_D = 0x0d,
	RTC_CENTURY = 0x32,     /* PC convention, not the chip's */
};

#define RTC_A_UIP       0x80    /* update in progress (read-only) */
#define RTC_A_DEFAULT   0x26    /* 32.768 kHz time base, 1024 Hz rate */
#define RTC_B_SET       0x80    /* updates stopped, time being set */
#define RTC_B_UIE       0x10
#define RTC_B_DM_BINARY 0x04    /* binary, not BCD */
#define RTC_B_24H       0x02
#define RTC_D_VRT       0x80    /* valid RAM and time (battery good) */
#define RTC_HOUR_PM     0x80    /* 12-hour mode */
#define RTC_INDEX_MASK  0x7f    /* bit 7 of port 0x70 masks NMI */

static bool
rtc_is_time_reg(unsigned reg)
{
	switch (reg) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_WEEKDAY:
	case RTC_MDAY:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return true;
	default:
		return false;
	}
}

static uint8_t
rtc_to_reg(const struct rtc *rtc, unsigned v)
{
	if (rtc->regs[RTC_REG_B] & RTC_B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned
rtc_from_reg(const struct rtc *rtc, uint8_t v)
{
	if (rtc->regs[RTC_REG_B] & RTC_B_DM_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0x0f);
}

static int64_t
rtc_host_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Writes time 't' (seconds since the epoch, UTC) into the time registers
 * in the format register B selects. */
static void
rtc_store_time(struct rtc *rtc, int64_t t)
{
	time_t tt = (time_t)t;
	unsigned hour, year;
	struct tm tm;

	if (!gmtime_r(&tt, &tm))
		memset(&tm, 0, sizeof tm);
	year = (unsigned)tm.tm_year + 1900;
	hour = (unsigned)tm.tm_hour;
	rtc->regs[RTC_SECONDS] = rtc_to_reg(rtc, (unsigned)tm.tm_sec % 60);
	rtc->regs[RTC_MINUTES] = rtc_to_reg(rtc, (unsigned)tm.tm_min);
	if (rtc->regs[RTC_REG_B] & RTC_B_24H) {
		rtc->regs[RTC_HOURS] = rtc_to_reg(rtc, hour);
	} else {
		unsigned h12 = hour % 12 ? hour % 12 : 12;

		rtc->regs[RTC_HOURS] = rtc_to_reg(rtc, h12) |
				       (hour >= 12 ? RTC_HOUR_PM : 0);
	}
	rtc->regs[RTC_WEEKDAY] = rtc_to_reg(rtc, (unsigned)tm.tm_wday + 1);
	rtc->regs[RTC_MDAY] = rtc_to_reg(rtc, (unsigned)tm.tm_mday);
	rtc->regs[RTC_MONTH] = rtc_to_reg(rtc, (unsigned)tm.tm_mon + 1);
	rtc->regs[RTC_YEAR] = rtc_to_reg(rtc, year % 100);
	rtc->regs[RTC_CENTURY] = rtc_to_reg(rtc, year / 100);
}

/* Reads the time registers back as seconds since the epoch (UTC). */
static int64_t
rtc_load_time(const struct rtc *rtc)
{
	uint8_t h = rtc->regs[RTC_HOURS];
	unsigned hour;
	struct tm tm;

	if (rtc->regs[RTC_REG_B] & RTC_B_24H) {
		hour = rtc_from_reg(rtc, h);
	} else {
		hour = rtc_from_reg(rtc, h & ~RTC_HOUR_PM) % 12;
		if (h & RTC_HOUR_PM)
			hour += 12;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_sec = (int)rtc_from_reg(rtc, rtc->regs[RTC_SECONDS]);
	tm.tm_min = (int)rtc_from_reg(rtc, rtc->regs[RTC_MINUTES]);
	tm.tm_hour = (int)hour;
	tm.tm_mday = (int)rtc_from_reg(rtc, rtc->regs[RTC_MDAY]);
	tm.tm_mon = (int)rtc_from_reg(rtc, rtc->regs[RTC_MONTH]) - 1;
	tm.tm_year = (int)(rtc_from_reg(rtc, rtc->regs[RTC_CENTURY]) * 100 +
			   rtc_from_reg(rtc, rtc->regs[RTC_YEAR])) - 1900;
	return (int64_t)timegm(&tm);
}

void
rtc_init(struct rtc *rtc)
{
	memset(rtc, 0, sizeof *rtc);
	pthread_mutex_init(&rtc->lock, NULL);
	rtc->regs[RTC_REG_A] = RTC_A_DEFAULT;
	rtc->regs[RTC_REG_B] = RTC_B_24H;
	rtc->regs[RTC_REG_D] = RTC_D_VRT;
	rtc_store_time(rtc, rtc_host_now());
}

void
rtc_uninit(struct rtc *rtc)
{
	pthread_mutex_destroy(&rtc->lock);
}

int64_t
rtc_guest_time(struct rtc *rtc)
{
	int64_t t;

	pthread_mutex_lock(&rtc->lock);
	if (rtc->regs[RTC_REG_B] & RTC_B_SET)
		t = rtc_load_time(rtc);
	else
		t = rtc_host_now() + rtc->offset_s;
	pthread_mutex_unlock(&rtc->lock);
	return t;
}

static uint8_t
rtc_read(struct rtc *rtc, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case RTC_REG_A:
		return rtc->regs[RTC_REG_A] & ~RTC_A_UIP;
	case RTC_REG_C:
		/* Interrupt flags: none are modelled; reading clears them. */
		rtc->regs[RTC_REG_C] = 0;
		return 0;
	case RTC_REG_D:
		return RTC_D_VRT;
	default:
		if (rtc_is_time_reg(reg) && !(rtc->regs[RTC_REG_B] & RTC_B_SET))
			rtc_store_time(rtc, rtc_host_now() + rtc->offset_s);
		v = rtc->regs[reg];
		return v;
	}
}

static void
rtc_write(struct rtc *rtc, unsigned reg, uint8_t v)
{
	uint8_t old_b = rtc->regs[RTC_REG_B];

	switch (reg) {
	case RTC_REG_A:
		rtc->regs[RTC_REG_A] = v & ~RTC_A_UIP;
		break;
	case RTC_REG_B:
		/* Entering SET freezes the current time in the registers, and
		 * the chip clears UIE; leaving it starts the clock from what
		 * the guest wrote.  A format change while running re-encodes
		 * on the next read. */
		if (!(old_b & RTC_B_SET) && (v & RTC_B_SET)) {
			rtc_store_time(rtc, rtc_host_now() + rtc->offset_s);
			v &= ~RTC_B_UIE;
		}
		rtc->regs[RTC_REG_B] = v;
		if ((old_b & RTC_B_SET) && !(v & RTC_B_SET))
			rtc->offset_s = rtc_load_time(rtc) - rtc_host_now();
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;                  /* read-only */
	default:
		if (!rtc_is_time_reg(reg) || (old_b & RTC_B_SET)) {
			rtc->regs[reg] = v;
			break;
		}
		/* A running clock takes the new field at once. */
		rtc_store_time(rtc, rtc_host_now() + rtc->offset_s);
		rtc->regs[reg] = v;
		rtc->offset_s = rtc_load_time(rtc) - rtc_host_now();
		break;
	}
}

void
rtc_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
       bool is_write)
{
	struct rtc *rtc = dev;

	if (len != 1 || offset >= RTC_NR_PORTS)
		return;
	pthread_mutex_lock(&rtc->lock);
	if (offset == 0) {
		/* The index port is write-only on the chip. */
		if (is_write)
			rtc->index = data[0] & RTC_INDEX_MASK;
		else
			data[0] = 0xff;
	} else if (is_write) {
		rtc_write(rtc, rtc->index, data[0]);
	} else {
		data[0] = rtc_read(rtc, rtc->index);
	}
	pthread_mutex_unlock(&rtc->lock);
}
