/*
 * clock.c - the switch clock: the only place that reads CLOCK_MONOTONIC.
 */
#include "clock.h"

#include <time.h>

static uint64_t clock_ms;
static uint64_t clock_offset_ms;	/* added by warps */
static bool clock_frozen;

static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
clock_now_ms(void)
{
	return clock_ms;
}

void
clock_update(void)
{
	if (!clock_frozen)
		clock_ms = monotonic_ms() + clock_offset_ms;
}

void
clock_stop(void)
{
	clock_update();
	clock_frozen = true;
}

void
clock_resume(void)
{
	clock_offset_ms = clock_ms - monotonic_ms();
	clock_frozen = false;
}

void
clock_warp(uint64_t ms)
{
	clock_ms += ms;
	clock_offset_ms += ms;
}

void
clock_set(uint64_t ms)
{
	clock_ms = ms;
	clock_frozen = true;
}

bool
clock_is_frozen(void)
{
	return clock_frozen;
}
