/*
 * bench_fdb.c - learn and lookup rates of vswitchd/fdb, and its memory cost.
 *
 * For tables of 1K, 64K and 1M random (MAC, VID) keys this measures, in
 * ns/op: learning new addresses into a fresh table (page faults of the
 * lazily reserved memory included), re-learning known addresses (the common
 * datapath case), and lookups that hit and that miss, in random order, two
 * ways: one fdb_lookup() per key, and fdb_lookup_burst() over bursts of 32
 * keys (a datapath burst).  The same lookups run against a baseline in the
 * same process: a sorted array of packed keys searched with bsearch(), which
 * is what a simple implementation would do; the ratios fdb/baseline are
 * printed (below 1 = fdb faster).  Lookups run in interleaved rounds (5 by
 * default, or the first argument), each round measuring all three, so that
 * a slow spell of a shared machine hits them alike; each figure is the
 * median over the rounds with its minimum and maximum.  Memory is reported
 * as the slot footprint and as the RSS growth while the table fills (from
 * /proc/self/statm).
 *
 * Benchmarks are not pure modules: this reads CLOCK_MONOTONIC.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eth.h"
#include "fdb.h"
#include "util.h"

#define N_QUERIES (1u << 20)	/* lookups per measurement */
#define BENCH_BURST 32		/* keys per burst call (PKT_BURST) */
#define BENCH_ROUNDS 5		/* interleaved rounds, default */
#define BENCH_MAX_ROUNDS 99

struct bench_key {
	uint64_t key;		/* VID << 48 | MAC */
	uint16_t port_no;
};

static volatile uint64_t sink;	/* keeps results alive */

static uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*. */
static uint64_t
bench_rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Resident set size in bytes, or 0 if /proc is unavailable. */
static size_t
bench_rss_bytes(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%lu %lu", &size, &resident);
	fclose(f);
	return n == 2 ? resident * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static uint64_t
bench_pack(const struct eth_addr *m, uint16_t vid)
{
	const uint8_t *a = m->ea;

	return (uint64_t)vid << 48 | (uint64_t)a[0] << 40 |
	       (uint64_t)a[1] << 32 | (uint64_t)a[2] << 24 |
	       (uint64_t)a[3] << 16 | (uint64_t)a[4] << 8 | a[5];
}

static int
bench_key_cmp(const void *a_, const void *b_)
{
	const struct bench_key *a = a_, *b = b_;

	return a->key < b->key ? -1 : a->key > b->key;
}

/* Baseline lookup: bsearch() over the sorted packed keys. */
static int
bench_baseline_lookup(const struct bench_key *keys, size_t n,
		      const struct eth_addr *m, uint16_t vid)
{
	struct bench_key k = { .key = bench_pack(m, vid) };
	const struct bench_key *hit = bsearch(&k, keys, n, sizeof *keys,
					      bench_key_cmp);

	return hit ? hit->port_no : -1;
}

/* Median, minimum and maximum of one measurement over the rounds. */
struct bench_stat {
	double v[BENCH_MAX_ROUNDS];
	double median, min, max;
};

static int
bench_dbl_cmp(const void *a_, const void *b_)
{
	double a = *(const double *)a_, b = *(const double *)b_;

	return a < b ? -1 : a > b;
}

static void
bench_stat_finish(struct bench_stat *st, int n)
{
	double v[BENCH_MAX_ROUNDS];

	memcpy(v, st->v, sizeof v);
	qsort(v, (size_t)n, sizeof *v, bench_dbl_cmp);
	st->min = v[0];
	st->max = v[n - 1];
	st->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One query set measured three ways. */
struct bench_lookups {
	struct bench_stat single;	/* fdb_lookup() */
	struct bench_stat burst;	/* fdb_lookup_burst() */
	struct bench_stat bsearch;	/* the baseline */
};

/* "median [min-max]" of 'st' into 'buf'. */
static const char *
bench_stat_str(const struct bench_stat *st, char *buf, size_t size)
{
	snprintf(buf, size, "%6.1f [%5.1f-%5.1f]", st->median, st->min,
		 st->max);
	return buf;
}

/* The measurements of one round over one query set: fdb_lookup() one key
 * at a time, fdb_lookup_burst() PKT_BURST keys at a time, and bsearch().
 * Exits if they disagree.  'hits' selects what is summed: port numbers (a
 * hit set) or the number found (a miss set). */
static void
bench_round(const struct fdb *fdb, const struct bench_key *keys,
	    size_t n_keys, const struct eth_addr *const *qptr,
	    const uint16_t *qvids, bool hits, struct bench_lookups *l, int r)
{
	double *single_ns = &l->single.v[r], *burst_ns = &l->burst.v[r];
	double *bsearch_ns = &l->bsearch.v[r];
	uint64_t sum = 0, bsum = 0, t0;
	struct fdb_entry *out[BENCH_BURST];
	uint32_t i, j;

	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++) {
		const struct fdb_entry *e = fdb_lookup(fdb, qptr[i], qvids[i]);

		sum += hits ? (e ? e->port_no : 0xffffu) : e != NULL;
	}
	*single_ns = (double)(bench_now_ns() - t0) / N_QUERIES;

	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i += BENCH_BURST) {
		fdb_lookup_burst(fdb, BENCH_BURST, qptr + i, qvids + i, out);
		for (j = 0; j < BENCH_BURST; j++)
			bsum += hits ? (out[j] ? out[j]->port_no : 0xffffu)
				     : out[j] != NULL;
	}
	*burst_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
	if (bsum != sum) {
		fprintf(stderr, "bench_fdb: fdb_lookup and fdb_lookup_burst "
			"disagree (%llu != %llu)\n", (unsigned long long)sum,
			(unsigned long long)bsum);
		exit(EXIT_FAILURE);
	}

	bsum = 0;
	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++) {
		int port = bench_baseline_lookup(keys, n_keys, qptr[i],
						 qvids[i]);

		bsum += hits ? (uint64_t)(port >= 0 ? port : 0xffff)
			     : port >= 0;
	}
	*bsearch_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
	if (bsum != sum) {
		fprintf(stderr, "bench_fdb: fdb and baseline disagree "
			"(%llu != %llu)\n", (unsigned long long)sum,
			(unsigned long long)bsum);
		exit(EXIT_FAILURE);
	}
	sink += sum;
}

/* Prints one query set: medians [min-max] over 'rounds', and the ratios
 * of the medians to the baseline's. */
static void
bench_print_lookups(const char *what, const char *label,
		    struct bench_lookups *l, int rounds)
{
	char b1[64], b2[64], b3[64];

	bench_stat_finish(&l->single, rounds);
	bench_stat_finish(&l->burst, rounds);
	bench_stat_finish(&l->bsearch, rounds);
	printf("fdb lookup %s    %-4s entries, ns/lookup median [min-max] "
	       "of %d: single %s  burst %s  bsearch %s  "
	       "ratio single %.2f burst %.2f\n", what, label, rounds,
	       bench_stat_str(&l->single, b1, sizeof b1),
	       bench_stat_str(&l->burst, b2, sizeof b2),
	       bench_stat_str(&l->bsearch, b3, sizeof b3),
	       l->single.median / l->bsearch.median,
	       l->burst.median / l->bsearch.median);
}

static void
bench_size(uint32_t n, const char *label, int rounds)
{
	struct eth_addr *macs = xcalloc(n, sizeof *macs);
	struct eth_addr *hmacs = xcalloc(N_QUERIES, sizeof *hmacs);
	struct eth_addr *mmacs = xcalloc(N_QUERIES, sizeof *mmacs);
	const struct eth_addr **hptr = xcalloc(N_QUERIES, sizeof *hptr);
	const struct eth_addr **mptr = xcalloc(N_QUERIES, sizeof *mptr);
	uint16_t *qvids = xcalloc(N_QUERIES, sizeof *qvids);
	uint16_t *qports = xcalloc(N_QUERIES, sizeof *qports);
	struct bench_key *keys = xcalloc(n, sizeof *keys);
	uint64_t seed = 0x853c49e6748fea9bull ^ n, t0;
	struct bench_lookups hit, miss;
	double learn_ns, refresh_ns, same_ns;
	size_t rss0, rss1, n_keys;
	struct fdb_stats st;
	struct fdb *fdb;
	uint32_t i;
	int r;

	for (i = 0; i < n; i++) {
		uint64_t x = bench_rnd(&seed);

		memcpy(macs[i].ea, &x, ETH_ADDR_LEN);
		macs[i].ea[0] = 0x02;
	}

	/* Learn n new addresses into a fresh table. */
	rss0 = bench_rss_bytes();
	fdb = fdb_create(n, (uint32_t)bench_rnd(&seed));
	t0 = bench_now_ns();
	for (i = 0; i < n; i++)
		fdb_learn(fdb, &macs[i], i & 3, (uint16_t)(i % 1023 + 1), 1);
	learn_ns = (double)(bench_now_ns() - t0) / n;
	rss1 = bench_rss_bytes();
	fdb_get_stats(fdb, &st);

	/* Random query order over the learned keys; misses are fresh
	 * random addresses in the same VIDs (one may exist by chance: the
	 * tables must then agree). */
	for (i = 0; i < N_QUERIES; i++) {
		uint32_t k = (uint32_t)(bench_rnd(&seed) % n);
		uint64_t x = bench_rnd(&seed);

		hmacs[i] = macs[k];
		qvids[i] = k & 3;
		qports[i] = (uint16_t)(k % 1023 + 1);
		memcpy(mmacs[i].ea, &x, ETH_ADDR_LEN);
		mmacs[i].ea[0] = 0x02;
		hptr[i] = &hmacs[i];
		mptr[i] = &mmacs[i];
	}

	/* Re-learn known addresses on their own port (the steady state),
	 * with the clock advancing one millisecond per 1024 frames: nearly
	 * every call changes 'updated' and moves the entry to the tail of
	 * the ageing list.  Then again within the same millisecond, when
	 * nothing is written. */
	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++)
		fdb_learn(fdb, &hmacs[i], qvids[i], qports[i], 2 + i / 1024);
	refresh_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
	for (i = 0; i < n; i++)
		fdb_learn(fdb, &macs[i], i & 3, (uint16_t)(i % 1023 + 1),
			  N_QUERIES);
	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++)
		fdb_learn(fdb, &hmacs[i], qvids[i], qports[i], N_QUERIES);
	same_ns = (double)(bench_now_ns() - t0) / N_QUERIES;

	/* Baseline: the same keys sorted for bsearch(). */
	for (i = 0; i < n; i++) {
		keys[i].key = bench_pack(&macs[i], i & 3);
		keys[i].port_no = (uint16_t)(i % 1023 + 1);
	}
	qsort(keys, n, sizeof *keys, bench_key_cmp);
	for (i = 1, n_keys = n ? 1 : 0; i < n; i++)
		if (keys[i].key != keys[n_keys - 1].key)
			keys[n_keys++] = keys[i];

	/* Interleaved rounds: each round runs every variant once, so a
	 * slow spell of the machine hits them all alike. */
	for (r = 0; r < rounds; r++) {
		bench_round(fdb, keys, n_keys, hptr, qvids, true, &hit, r);
		bench_round(fdb, keys, n_keys, mptr, qvids, false, &miss, r);
	}

	printf("fdb learn new     %-4s entries: %7.1f ns/op\n", label,
	       learn_ns);
	printf("fdb learn refresh %-4s entries: %7.1f ns/op new ms "
	       "(moves in ageing list), %.1f ns/op same ms\n", label,
	       refresh_ns, same_ns);
	bench_print_lookups("hit ", label, &hit, rounds);
	bench_print_lookups("miss", label, &miss, rounds);
	printf("fdb memory        %-4s entries: %zu B/entry footprint, "
	       "%.1f B/entry RSS growth, %.1f MiB reserved, "
	       "longest chain %u\n", label, fdb_entry_footprint(),
	       (double)(rss1 > rss0 ? rss1 - rss0 : 0) / n,
	       (double)st.reserved_bytes / (1 << 20), st.longest_chain);

	fdb_destroy(fdb);
	free(keys);
	free(qports);
	free(qvids);
	free(mptr);
	free(hptr);
	free(mmacs);
	free(hmacs);
	free(macs);
}

int
main(int argc, char *argv[])
{
	uint64_t t0 = bench_now_ns();
	long rounds = BENCH_ROUNDS;
	struct fdb *big;
	size_t rss0, rss1;

	if (argc > 2 || (argc == 2 &&
			 util_parse_long(argv[1], 1, BENCH_MAX_ROUNDS,
					 &rounds))) {
		fprintf(stderr, "usage: %s [ROUNDS]   (1-%d, default %d)\n",
			argv[0], BENCH_MAX_ROUNDS, BENCH_ROUNDS);
		return EXIT_FAILURE;
	}
	bench_size(1u << 10, "1K", (int)rounds);
	bench_size(1u << 16, "64K", (int)rounds);
	bench_size(1u << 20, "1M", (int)rounds);

	/* An empty table at the default capacity costs address space only. */
	rss0 = bench_rss_bytes();
	big = fdb_create(0, 1);
	rss1 = bench_rss_bytes();
	printf("fdb empty table at default capacity (%u): %.1f KiB RSS\n",
	       FDB_DEFAULT_MAX_ENTRIES,
	       (double)(rss1 > rss0 ? rss1 - rss0 : 0) / 1024);
	fdb_destroy(big);

	printf("bench_fdb: total %.1f s\n",
	       (double)(bench_now_ns() - t0) / 1e9);
	return 0;
}
