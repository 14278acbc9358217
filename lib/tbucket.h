/*
 * tbucket.h - two small deterministic tools of the datapath: a token
 * bucket on the millisecond switch clock, and the splitmix64 draw that
 * decides which frames a lossy wire drops.  Allocation-free, integer only,
 * no clock of their own: the caller passes the time (clock_now_ms()), so
 * a replay or a unit test decides what time it is.
 */
#ifndef TBUCKET_H
#define TBUCKET_H 1

#include <stdbool.h>
#include <stdint.h>

/* Holds up to 'rate' tokens (one second's worth) and gains 'rate' per
 * second, in thousandths of a token per millisecond so no rate loses
 * precision.  A new or reset bucket is full: the first second may pass
 * 'rate' at once, then 'rate' per second. */
struct tbucket {
	uint32_t rate;		/* tokens per second; 0: no limit */
	uint64_t milli;		/* tokens * 1000 */
	uint64_t last_ms;	/* time of the last refill */
};

static inline void
tbucket_reset(struct tbucket *tb, uint32_t rate, uint64_t now_ms)
{
	tb->rate = rate;
	tb->milli = (uint64_t)rate * 1000;
	tb->last_ms = now_ms;
}

/* Takes 'n' tokens if it holds them, refilled to 'now_ms' first; true if
 * taken (or no limit).  A clock that goes back adds nothing. */
static inline bool
tbucket_take(struct tbucket *tb, uint64_t now_ms, uint32_t n)
{
	uint64_t cap = (uint64_t)tb->rate * 1000;

	if (!tb->rate)
		return true;
	if (now_ms > tb->last_ms) {
		uint64_t add = (now_ms - tb->last_ms) * tb->rate;

		tb->milli = add >= cap - tb->milli ? cap : tb->milli + add;
		tb->last_ms = now_ms;
	}
	if (tb->milli < (uint64_t)n * 1000)
		return false;
	tb->milli -= (uint64_t)n * 1000;
	return true;
}

/* The k-th value (k from 0) of the splitmix64 sequence seeded with
 * 'seed': a function of the two alone, so the k-th draw is the same in
 * every run (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", 2014). */
static inline uint64_t
splitmix64_at(uint64_t seed, uint64_t k)
{
	uint64_t z = seed + (k + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* True if draw 'k' of 'seed' falls below 'num' out of 'scale'
 * (loss 0.5% is 500 of 100000): the top 32 bits map to [0, scale). */
static inline bool
splitmix64_below(uint64_t seed, uint64_t k, uint32_t num, uint32_t scale)
{
	uint64_t r = ((splitmix64_at(seed, k) >> 32) * scale) >> 32;

	return r < num;
}

#endif /* tbucket.h */
