/*
 * bench_fdb.c - learn and lookup rates of vswitchd/fdb, and its memory cost.
 *
 * For tables of 1K, 64K and 1M random (MAC, VID) keys this measures, in
 * ns/op: learning new addresses into a fresh table (page faults of the
 * lazily reserved memory included), re-learning known addresses (the common
 * datapath case), and lookups that hit and that miss, in random order.  The
 * same lookups run against a baseline in the same process: a sorted array of
 * packed keys searched with bsearch(), which is what a simple implementation
 * would do; the ratio fdb/baseline is printed (below 1 = fdb faster).
 * Memory is reported as the slot footprint and as the RSS growth while the
 * table fills (from /proc/self/statm).
 *
 * Benchmarks are not pure modules: this reads CLOCK_MONOTONIC.
 */
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

static void
bench_size(uint32_t n, const char *label)
{
	struct eth_addr *macs = xcalloc(n, sizeof *macs);
	struct eth_addr *qmacs = xcalloc(N_QUERIES, sizeof *qmacs);
	uint16_t *qvids = xcalloc(N_QUERIES, sizeof *qvids);
	uint16_t *qports = xcalloc(N_QUERIES, sizeof *qports);
	struct bench_key *keys = xcalloc(n, sizeof *keys);
	uint64_t seed = 0x853c49e6748fea9bull ^ n, t0, sum;
	double learn_ns, refresh_ns, same_ns, hit_ns, miss_ns;
	double bhit_ns, bmiss_ns;
	size_t rss0, rss1, n_keys;
	struct fdb_stats st;
	struct fdb *fdb;
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t x = bench_rnd(&seed);

		memcpy(macs[i].ea, &x, ETH_ADDR_LEN);
		macs[i].ea[0] = 0x02;		/* hits use 02:, misses 06: */
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

	/* Random query order over the learned keys. */
	for (i = 0; i < N_QUERIES; i++) {
		uint32_t k = (uint32_t)(bench_rnd(&seed) % n);

		qmacs[i] = macs[k];
		qvids[i] = k & 3;
		qports[i] = (uint16_t)(k % 1023 + 1);
	}

	/* Re-learn known addresses on their own port (the steady state),
	 * with the clock advancing one millisecond per 1024 frames: nearly
	 * every call changes 'updated' and moves the entry to the tail of
	 * the ageing list.  Then again within the same millisecond, when
	 * nothing is written. */
	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++)
		fdb_learn(fdb, &qmacs[i], qvids[i], qports[i], 2 + i / 1024);
	refresh_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
	for (i = 0; i < n; i++)
		fdb_learn(fdb, &macs[i], i & 3, (uint16_t)(i % 1023 + 1),
			  N_QUERIES);
	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++)
		fdb_learn(fdb, &qmacs[i], qvids[i], qports[i], N_QUERIES);
	same_ns = (double)(bench_now_ns() - t0) / N_QUERIES;

	sum = 0;
	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++) {
		const struct fdb_entry *e = fdb_lookup(fdb, &qmacs[i],
						       qvids[i]);

		sum += e ? e->port_no : 0xffff;
	}
	hit_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
	sink += sum;

	/* Baseline over the same keys. */
	for (i = 0; i < n; i++) {
		keys[i].key = bench_pack(&macs[i], i & 3);
		keys[i].port_no = (uint16_t)(i % 1023 + 1);
	}
	qsort(keys, n, sizeof *keys, bench_key_cmp);
	for (i = 1, n_keys = n ? 1 : 0; i < n; i++)
		if (keys[i].key != keys[n_keys - 1].key)
			keys[n_keys++] = keys[i];

	{
		uint64_t bsum = 0;

		t0 = bench_now_ns();
		for (i = 0; i < N_QUERIES; i++)
			bsum += (uint64_t)bench_baseline_lookup(keys, n_keys,
								&qmacs[i],
								qvids[i]);
		bhit_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
		sink += bsum;
		if (bsum != sum) {
			fprintf(stderr, "bench_fdb: fdb and baseline disagree "
				"(%llu != %llu)\n", (unsigned long long)sum,
				(unsigned long long)bsum);
			exit(EXIT_FAILURE);
		}
	}

	/* Misses: fresh random addresses in the same VIDs, interleaved
	 * with the learned ones in key order (so bsearch walks as deep as
	 * for a hit).  A random key may exist by chance: both tables must
	 * then agree. */
	for (i = 0; i < N_QUERIES; i++) {
		uint64_t x = bench_rnd(&seed);

		memcpy(qmacs[i].ea, &x, ETH_ADDR_LEN);
		qmacs[i].ea[0] = 0x02;
	}
	sum = 0;
	t0 = bench_now_ns();
	for (i = 0; i < N_QUERIES; i++)
		sum += fdb_lookup(fdb, &qmacs[i], qvids[i]) != NULL;
	miss_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
	sink += sum;
	{
		uint64_t bsum = 0;

		t0 = bench_now_ns();
		for (i = 0; i < N_QUERIES; i++)
			bsum += bench_baseline_lookup(keys, n_keys,
						      &qmacs[i],
						      qvids[i]) >= 0;
		bmiss_ns = (double)(bench_now_ns() - t0) / N_QUERIES;
		sink += bsum;
		if (bsum != sum) {
			fprintf(stderr, "bench_fdb: miss counts disagree "
				"(%llu != %llu)\n", (unsigned long long)sum,
				(unsigned long long)bsum);
			exit(EXIT_FAILURE);
		}
	}

	printf("fdb learn new     %-4s entries: %7.1f ns/op\n", label,
	       learn_ns);
	printf("fdb learn refresh %-4s entries: %7.1f ns/op new ms "
	       "(moves in ageing list), %.1f ns/op same ms\n", label,
	       refresh_ns, same_ns);
	printf("fdb lookup hit    %-4s entries: %7.1f ns/op  "
	       "(bsearch baseline %7.1f ns/op, ratio %.2f)\n", label, hit_ns,
	       bhit_ns, hit_ns / bhit_ns);
	printf("fdb lookup miss   %-4s entries: %7.1f ns/op  "
	       "(bsearch baseline %7.1f ns/op, ratio %.2f)\n", label, miss_ns,
	       bmiss_ns, miss_ns / bmiss_ns);
	printf("fdb memory        %-4s entries: %zu B/entry footprint, "
	       "%.1f B/entry RSS growth, %.1f MiB reserved, "
	       "longest chain %u\n", label, fdb_entry_footprint(),
	       (double)(rss1 > rss0 ? rss1 - rss0 : 0) / n,
	       (double)st.reserved_bytes / (1 << 20), st.longest_chain);

	fdb_destroy(fdb);
	free(keys);
	free(qports);
	free(qvids);
	free(qmacs);
	free(macs);
}

int
main(void)
{
	uint64_t t0 = bench_now_ns();
	struct fdb *big;
	size_t rss0, rss1;

	bench_size(1u << 10, "1K");
	bench_size(1u << 16, "64K");
	bench_size(1u << 20, "1M");

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
