/*
 * fdb.h - the forwarding database: (MAC, VID) -> port_no.
 *
 * PURE module: no clock, no I/O.  Time arrives as 'now_ms' arguments from
 * the caller's virtual or monotonic clock.  Semantics follow the Linux
 * bridge (shared/reference/linux-bridge.md §1-2):
 *
 *   - Key (MAC, VID); VID is 0 when VLAN filtering is off.
 *   - Entry kinds: learned dynamic, user dynamic, static (no ageing, roams
 *     unless sticky), local/permanent (delivered to the host, never ages,
 *     never roams).  FDB_F_STICKY pins any non-local entry to its port.
 *   - Learning refreshes 'updated' (only when it changed) and moves a
 *     non-local, non-sticky entry to the new port (static ones too).  A
 *     source address equal to a local entry is never learned.
 *   - Ageing time 0 disables learning and expires every dynamic entry.
 *   - The hold time is the ageing time, or the topology-change hold time
 *     (forward delay) while the caller sets one.  As in Linux (hold_time()
 *     == 0 in br_fdb_update), learning is off exactly when the hold time is
 *     0, so a non-zero TC hold time with ageing 0 still learns.
 *
 * Port numbers: 1..1023 are bridge ports; FDB_PORT_BRIDGE (0) is the bridge
 * device itself (its own local entries).
 *
 * Capacity: the table holds at most 'max_entries' entries in all (fixed at
 * creation; memory is reserved lazily, so an unused capacity costs address
 * space, not RSS).  When full, learning a new address fails with
 * FDB_LEARN_FULL (the caller floods the frame as unknown and counts it) and
 * fdb_add() returns -ENOSPC; existing entries are never evicted to make room,
 * so a MAC flood cannot push out static or long-lived entries.  Separately,
 * 'max_learned' (Linux fdb_max_learned, 0 = unlimited) caps learned entries.
 *
 * Lookup is O(1) (hash on MAC and VID keyed with a per-table secret seed),
 * never allocates, and is safe on the datapath.  Learning is O(1) and never
 * allocates either.  Ageing is O(expired entries): dynamic entries are kept
 * in a list ordered by 'updated'.
 *
 * Layout (fdb.c): entries live in one array of 32-byte slots (struct
 * fdb_entry, whose 'link' chains a bucket), with their ageing-list links
 * (8 bytes) in a parallel array, reused through an index-based free list;
 * a power-of-two array of 32-bit bucket heads chains them by index.
 * Arrays of 64 KiB or more are mapped aligned, so that no slot crosses a
 * cache line, and from 2 MiB on so that the kernel may back them with huge
 * pages (fewer TLB misses at 1 M entries).  All are zero pages until
 * touched: slots are used in order, so they cost 40 bytes per entry present
 * (in 2 MiB steps where huge pages back them), but bucket heads are written
 * at random, so a table soon makes its whole bucket array resident (4 bytes
 * per unit of capacity, 4 MiB at the default).  A full table costs
 * fdb_entry_footprint() (44) bytes per entry.  The hash is
 * multiply-shift with a
 * secret odd multiplier derived from the seed, which is universal: keys
 * chosen without knowledge of the seed collide with probability about
 * 2/n_buckets, so a sender cannot build long chains by choosing MACs.
 *
 * 'now_ms' must not go backwards.  If it does, an entry refreshed with an
 * older time expires no earlier than it should, only later.
 *
 * Not thread-safe: one thread owns a table.
 */
#ifndef VSWITCHD_FDB_H
#define VSWITCHD_FDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eth.h"

#define FDB_PORT_BRIDGE 0
#define FDB_PORT_ANY    0xffff
#define FDB_VID_ANY     0xffff
#define FDB_DEFAULT_AGEING_MS   300000
/* A build may choose another default table size: the fuzz build makes it
 * small, as each bridge allocates its table whole at creation. */
#ifndef FDB_DEFAULT_MAX_ENTRIES
#define FDB_DEFAULT_MAX_ENTRIES (1u << 20)
#endif
#define FDB_MAX_MAX_ENTRIES     (1u << 28)	/* largest accepted capacity */

/* Entry flags. */
enum {
	FDB_F_LOCAL  = 1 << 0,	/* local/permanent: deliver to host */
	FDB_F_STATIC = 1 << 1,	/* never ages */
	FDB_F_STICKY = 1 << 2,	/* never moves to another port */
	FDB_F_USER   = 1 << 3,	/* added by the user (added_by_user) */
};

/* 'mac' and 'vid' come first and together (8 bytes, no padding): the table
 * compares a key with one 64-bit load.  'link' fills what would be padding
 * and belongs to the table (its bucket chain); callers never read it, and a
 * copy of an entry carries a meaningless value there. */
struct fdb_entry {
	struct eth_addr mac;
	uint16_t vid;
	uint16_t port_no;
	uint8_t flags;		/* FDB_F_* */
	uint32_t link;		/* the table's: next in its bucket */
	uint64_t updated_ms;	/* last learned/refreshed */
	uint64_t used_ms;	/* last forwarded to */
};

enum fdb_learn_result {
	FDB_LEARN_NEW,		/* a new dynamic entry was created */
	FDB_LEARN_REFRESHED,	/* existing entry, same port, timestamp kept fresh */
	FDB_LEARN_MOVED,	/* existing entry moved to 'port_no' */
	FDB_LEARN_STICKY,	/* sticky entry on another port: not moved */
	FDB_LEARN_LOCAL,	/* address is local: not learned */
	FDB_LEARN_DISABLED,	/* ageing time 0: learning is off */
	FDB_LEARN_FULL,		/* table or max_learned limit reached */
};

/* Filter for fdb_flush(): an entry is removed if it matches all fields.
 * Local entries need not carry FDB_F_STATIC, so "every non-static entry"
 * (sysfs bridge/flush, brport/flush) is flags_mask = FDB_F_LOCAL |
 * FDB_F_STATIC, flags_value = 0; learned only is FDB_F_USER, 0. */
struct fdb_flush_filter {
	uint16_t port_no;	/* FDB_PORT_ANY matches every port */
	uint16_t vid;		/* FDB_VID_ANY matches every VID */
	uint8_t flags_mask;	/* entry flags & flags_mask must == flags_value */
	uint8_t flags_value;
};

struct fdb;

/* Creates a table for up to 'max_entries' entries (0 = default) using
 * 'seed' to key its hash.  The module does no I/O, so the caller draws the
 * seed: a secret random value (the bridge uses getrandom(2)), never one a
 * sender could derive such as a hash of the bridge name, or the bucket of
 * every MAC can be predicted and chains built at will.  Tests pass fixed
 * seeds for repeatable layouts.  Ageing starts at FDB_DEFAULT_AGEING_MS, no
 * TC hold time, no max_learned.  Returns NULL if 'max_entries' exceeds
 * FDB_MAX_MAX_ENTRIES; aborts on out-of-memory (xcalloc).  The caller owns
 * the table and frees it with fdb_destroy(), which accepts NULL. */
struct fdb *fdb_create(uint32_t max_entries, uint64_t seed);
void fdb_destroy(struct fdb *);

/* Returns the seed 'fdb' was created with.  For tests and debugging only:
 * it is the secret that keeps bucket positions unpredictable, so it must
 * never reach a peer (no "show" command prints it). */
uint64_t fdb_get_seed(const struct fdb *);

/* Returns the index (0..n_buckets-1) of the bucket that ('mac', 'vid')
 * hashes to, whether or not the table holds it.  For tests that check
 * chosen keys against a known seed; pure query, O(1). */
uint32_t fdb_bucket_index(const struct fdb *, const struct eth_addr *mac,
			  uint16_t vid);

/* Sets the ageing time; 0 turns learning off and expires dynamic entries on
 * the next fdb_age().  The caller should re-read fdb_next_expiry_ms(), which
 * moves with the hold time.  Control path. */
void fdb_set_ageing_ms(struct fdb *, uint64_t ageing_ms);
uint64_t fdb_get_ageing_ms(const struct fdb *);

/* While 'hold_ms' is non-zero it replaces the ageing time as the hold time
 * (802.1D §8.3.5 fast ageing during a topology change).  0 ends it. */
void fdb_set_tc_hold_ms(struct fdb *, uint64_t hold_ms);

/* Returns the hold time in force: the TC hold time if set, else the ageing
 * time.  Dynamic entries expire when updated_ms + this <= now. */
uint64_t fdb_get_hold_ms(const struct fdb *);

/* Caps learned (non-user, non-local) entries; 0 = unlimited.  Lowering it
 * below the current count removes nothing; learning new addresses stops
 * until enough learned entries age out or are flushed. */
void fdb_set_max_learned(struct fdb *, uint32_t max_learned);
uint32_t fdb_get_max_learned(const struct fdb *);

/* Learns 'mac' on 'port_no' in 'vid' at 'now_ms' (§2.1 rules).  The caller
 * has already rejected multicast and zero source addresses, a VID above
 * 4095 and FDB_PORT_ANY.  In order: hold time 0 -> FDB_LEARN_DISABLED; a
 * local entry -> FDB_LEARN_LOCAL (untouched); any other existing entry has
 * 'updated_ms' refreshed, then REFRESHED (same port), STICKY (sticky, other
 * port, not moved) or MOVED (flags kept: a static entry stays static); a new
 * address -> NEW, or FULL when the table or max_learned is full (nothing is
 * evicted).  O(1), never allocates.  Datapath-safe. */
enum fdb_learn_result fdb_learn(struct fdb *, const struct eth_addr *mac,
				uint16_t vid, uint16_t port_no,
				uint64_t now_ms);

/* What fdb_learn() would return for the same arguments, changing nothing
 * (the same rules, one implementation): for a dry-run trace.  Pure. */
enum fdb_learn_result fdb_learn_preview(const struct fdb *,
					const struct eth_addr *mac,
					uint16_t vid, uint16_t port_no);

/* Returns the entry for ('mac', 'vid') or NULL.  Does not check expiry
 * (like Linux, correctness relies on fdb_age running on time).  The pointer
 * is valid until the next call that modifies the table.  Datapath-safe. */
struct fdb_entry *fdb_lookup(const struct fdb *, const struct eth_addr *mac,
			     uint16_t vid);

/* Bulk lookups, for a burst of frames: fills 'out[i]' with the entry for
 * ('macs[i]', 'vids[i]') or NULL, for i < 'n' (any n).  The same answers as
 * 'n' calls of fdb_lookup(), but it first hashes every key and prefetches
 * every bucket, then prefetches every first entry, and only then compares,
 * walking the chains of all keys side by side (a round per step, each
 * prefetching the next), so the cache misses of a whole burst overlap
 * instead of following one another.  Datapath-safe; never allocates. */
void fdb_lookup_burst(const struct fdb *, size_t n,
		      const struct eth_addr *const macs[],
		      const uint16_t vids[], struct fdb_entry *out[]);

/* The first two steps of fdb_lookup_burst() alone: asks the CPU to bring in
 * the buckets and first entries of the 'n' keys, so that fdb_lookup() and
 * fdb_learn() calls that follow soon find them in cache.  Only a hint: it
 * changes nothing and has no visible effect but speed.  For a caller that
 * must look up and learn frame by frame, in order (the datapath: a frame's
 * learning is seen by the next frame's lookup). */
void fdb_prefetch_burst(const struct fdb *, size_t n,
			const struct eth_addr *const macs[],
			const uint16_t vids[]);

/* True if 'fdb' holds enough entries (FDB_PREFETCH_MIN_ENTRIES) that they
 * no longer stay in the CPU's caches, so that fdb_prefetch_burst() pays for
 * its hashing; below that it costs a few percent of a datapath's time for
 * nothing.  O(1), datapath-safe. */
#define FDB_PREFETCH_MIN_ENTRIES 16384
bool fdb_prefetch_pays(const struct fdb *);

/* Marks 'e' as used at 'now_ms' (writes only when the value changes). */
static inline void
fdb_entry_use(struct fdb_entry *e, uint64_t now_ms)
{
	if (e->used_ms != now_ms)
		e->used_ms = now_ms;
}

/* Adds or replaces the entry for ('mac', 'vid') with 'port_no' and 'flags',
 * as "bridge fdb replace".  'updated_ms' becomes 'now_ms'.  The caller says
 * who added it: entries a user asked for carry FDB_F_USER (the bridge glue
 * adds it in bridge_fdb_add()), the local entries the bridge keeps for its
 * ports' and its own addresses do not.  Without FDB_F_STATIC or FDB_F_LOCAL
 * the entry ages; with FDB_F_USER it does not count against max_learned
 * (local entries never do).  Replacing a learned entry with FDB_F_USER
 * turns it into a user entry.  Returns 0; -EINVAL for a
 * multicast or zero MAC, FDB_F_LOCAL with FDB_F_STICKY, unknown flag bits,
 * a VID above 4095 or FDB_PORT_ANY; or -ENOSPC when the table is full (the
 * max_learned cap does not apply).  Control path (never allocates, though). */
int fdb_add(struct fdb *, const struct eth_addr *mac, uint16_t vid,
	    uint16_t port_no, uint8_t flags, uint64_t now_ms);

/* Deletes the entry for ('mac', 'vid'); if 'port_no' is not FDB_PORT_ANY the
 * entry must point to it.  Returns 0 or -ENOENT. */
int fdb_del(struct fdb *, const struct eth_addr *mac, uint16_t vid,
	    uint16_t port_no);

/* Removes every entry matching 'filter'.  Returns the number removed. */
size_t fdb_flush(struct fdb *, const struct fdb_flush_filter *filter);

/* True if fdb_flush() with 'filter' removes entry 'e': the one definition
 * of a match, for callers that report what a flush removes (the bridge's
 * event ring).  Pure; safe on the datapath. */
bool fdb_flush_should_remove(const struct fdb_flush_filter *filter,
			     const struct fdb_entry *e);

/* Removes the dynamic (non-static, non-local) entries of 'port_no', as when
 * a port becomes disabled.  Returns the number removed. */
size_t fdb_flush_port_dynamic(struct fdb *, uint16_t port_no);

/* Removes every entry of 'port_no', static and local included, as when the
 * port leaves the bridge.  Returns the number removed. */
size_t fdb_flush_port(struct fdb *, uint16_t port_no);

/* Removes dynamic entries whose updated_ms + hold time <= 'now_ms'.
 * Returns the number removed. */
size_t fdb_age(struct fdb *, uint64_t now_ms);

/* As fdb_age(), but removes at most 'max' entries and copies each removed
 * entry to 'removed' (for event reporting; the module stays free of
 * callbacks).  Returns the number removed; when it is 'max', more may be
 * due, so the caller calls again.  O(removed), never allocates. */
size_t fdb_age_report(struct fdb *, uint64_t now_ms,
		      struct fdb_entry *removed, size_t max);

/* Returns when the next dynamic entry expires, or UINT64_MAX if none. */
uint64_t fdb_next_expiry_ms(const struct fdb *);

/* Counts. */
size_t fdb_count(const struct fdb *);
size_t fdb_count_learned(const struct fdb *);

/* Calls 'cb' for every entry in unspecified order.  'cb' must not modify
 * the table.  O(highest slot ever used), control path. */
typedef void fdb_foreach_fn(const struct fdb_entry *, void *aux);
void fdb_foreach(const struct fdb *, fdb_foreach_fn *cb, void *aux);

/* True if 'e' is dynamic (ages): neither static nor local. */
static inline bool
fdb_entry_is_dynamic(const struct fdb_entry *e)
{
	return !(e->flags & (FDB_F_LOCAL | FDB_F_STATIC));
}

/* Bytes of memory the table uses per entry slot (for benchmarks): one slot
 * plus one bucket head, exact for a power-of-two capacity (a capacity just
 * above a power of two gets up to two bucket heads per slot). */
size_t fdb_entry_footprint(void);

/* Shape of a table, for benchmarks, tests and "show" commands. */
struct fdb_stats {
	uint32_t capacity;	/* max_entries */
	uint32_t n_buckets;
	uint32_t n_entries;	/* fdb_count() */
	uint32_t n_learned;	/* fdb_count_learned() */
	uint32_t longest_chain;	/* entries in the fullest bucket */
	size_t reserved_bytes;	/* memory reserved (touched lazily) */
};

/* Fills 's' for 'fdb'.  O(buckets + entries), control path only. */
void fdb_get_stats(const struct fdb *, struct fdb_stats *s);

/* Checks every internal invariant (chains, free list, ageing order,
 * counts).  For tests; O(capacity). */
bool fdb_is_consistent(const struct fdb *);

#endif /* VSWITCHD_FDB_H */
