/*
 * fdb.c - the forwarding database: a fixed-capacity hash table of
 * (MAC, VID) -> port_no with Linux bridge learning and ageing rules.
 *
 * Storage.  Slots are an array indexed from 1; index 0 (FDB_NIL) means "no
 * entry", so the zero-filled bucket array is already all-empty without being
 * written.  New slots are handed out first from the free list (linked
 * through 'e.link'), then by raising 'hwm', so a slot is only touched when
 * it is first used and unused slots cost no resident memory (the bucket
 * array, two 4-byte heads per unit of capacity so that a full table's
 * chains average half a slot, is touched at random and becomes resident
 * quickly).  A slot is the 32-byte struct fdb_entry (key, port,
 * flags, the chain link in what would be its padding, two timestamps); its
 * two ageing links live in a parallel array, so that a lookup, which never
 * needs them, reads one cache line per slot.  Nothing else is stored: the
 * hash is recomputed (one multiply) where a removal needs the bucket.
 *
 * Arrays of 64 KiB or more are mmap()ed, aligned, and from 2 MiB on advised
 * MADV_HUGEPAGE: at 1 M entries the 32 MiB of slots, 8 MiB of ageing links
 * and 8 MiB of buckets span 12,000 small pages, far beyond the TLB, so with
 * small pages nearly every lookup pays two page walks on top of its two
 * cache misses.  Anonymous memory is zero until touched either way.
 *
 * Buckets.  A power of two >= twice the capacity, so the load factor never
 * exceeds 1/2: a miss inspects on average at most half an entry and a hit
 * at most 1.25.  A bucket head costs 4 bytes against 40 for a slot and its
 * links: the second head per entry costs 10% more memory (48 B/entry,
 * issue 15's budget) and, at 1M entries, took a burst lookup from 26-32 to
 * 23-25 ns and a miss from 24-28 to 19-20 (bench_fdb, quiet machine).
 *
 * Hash.  The key packs VID and MAC into 64 bits; multiply-shift with a
 * secret odd multiplier (Dietzfelbinger et al., "A reliable randomized
 * algorithm for the closest-pair problem", 1997) keeps the top bits.  For
 * any two distinct keys chosen without knowledge of the multiplier, the
 * probability that they share a bucket is at most 2/n_buckets.  The key is
 * the 8 bytes of MAC and VID as they lie in struct fdb_entry, so a chain
 * step compares one 64-bit word.
 *
 * Bursts.  fdb_lookup_burst() hashes all keys and prefetches their buckets,
 * then reads the heads and prefetches the first slots, then walks the
 * chains side by side, one step per round, prefetching each unresolved
 * key's next slot: the dependent cache misses of each lookup overlap with
 * those of the other keys instead of adding up.
 *
 * Ageing.  Dynamic entries sit in a doubly linked list (by index) ordered by
 * 'updated_ms': new and refreshed entries go to the tail, so fdb_age() only
 * looks at the head and stops at the first entry that has not expired.
 */
#include "fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

#define FDB_NIL 0			/* "no slot" in every index field */
#define FDB_FREE_VID 0xffff		/* 'vid' of a slot not in use */
#define FDB_MIN_BUCKET_BITS 4
#define FDB_ALL_FLAGS (FDB_F_LOCAL | FDB_F_STATIC | FDB_F_STICKY | FDB_F_USER)

#define FDB_MAP_BYTES (64u << 10)	/* arrays this big are mmap()ed */
#define FDB_HUGE_BYTES (2u << 20)	/* and these get MADV_HUGEPAGE */
#define FDB_BURST_STEP 32		/* keys per prefetch round */
#define FDB_BUCKETS_PER_ENTRY 2		/* chain heads per slot of capacity */

struct fdb_node {
	struct fdb_entry e;		/* .link: chain or free list */
};

/* Ageing list links of a slot, dynamic entries only, kept apart so that a
 * slot is 32 bytes and, in an array aligned to 64, never crosses a cache
 * line: a lookup reads one line. */
struct fdb_age_links {
	uint32_t prev;
	uint32_t next;
};

/* The chain step reads the key (MAC and VID, one 64-bit word) and 'link'.
 * Growing the node breaks the one-line lookup, fdb_entry_footprint() and
 * the 48-byte budget of issue 15: revisit all three. */
_Static_assert(sizeof(struct fdb_node) == 32, "fdb_node is 32 bytes");
_Static_assert(offsetof(struct fdb_entry, vid) == 6 &&
	       offsetof(struct fdb_entry, link) + 4 <= 16,
	       "fdb key is 8 packed bytes, and the chain link follows");

struct fdb {
	struct fdb_node *nodes;		/* slot i is nodes[i - 1] */
	struct fdb_age_links *ages;	/* its links are ages[i - 1] */
	uint32_t *buckets;		/* chain heads, FDB_NIL if empty */
	size_t nodes_bytes;		/* as allocated (fdb_array_alloc) */
	size_t ages_bytes;
	size_t buckets_bytes;
	uint64_t hash_mul;		/* secret odd multiplier */
	uint64_t seed;			/* what 'hash_mul' came from */
	uint32_t capacity;
	uint32_t n_buckets;
	unsigned int bucket_shift;	/* hash >> shift = bucket */
	uint32_t hwm;			/* slots 1..hwm have been used */
	uint32_t free_head;		/* free list of slots <= hwm */
	uint32_t n_entries;
	uint32_t n_learned;
	uint32_t max_learned;		/* 0 = unlimited */
	uint32_t age_head;		/* oldest dynamic entry */
	uint32_t age_tail;		/* newest dynamic entry */
	uint64_t ageing_ms;
	uint64_t tc_hold_ms;		/* 0 = no topology change */
};

/* Slot 'idx' (1..capacity) and its ageing links.  Index 0 is FDB_NIL, so
 * slot i lives at [i - 1]: an array of exactly 'capacity' slots, which a
 * full table touches to its last byte and no further (with huge pages, an
 * extra slot 0 would cost a 2 MiB page for 32 bytes). */
static inline struct fdb_node *
fdb_node_at(const struct fdb *fdb, uint32_t idx)
{
	return &fdb->nodes[idx - 1];
}

static inline struct fdb_entry *
fdb_slot(const struct fdb *fdb, uint32_t idx)
{
	return &fdb_node_at(fdb, idx)->e;
}

static inline struct fdb_age_links *
fdb_links(const struct fdb *fdb, uint32_t idx)
{
	return &fdb->ages[idx - 1];
}

static uint64_t fdb_splitmix64(uint64_t *state);
static void *fdb_array_alloc(size_t *bytes);
static void fdb_array_free(void *, size_t bytes);
static inline uint64_t fdb_key(const struct eth_addr *, uint16_t vid);
static inline uint64_t fdb_entry_key(const struct fdb_entry *);
static inline uint32_t fdb_hash_key(const struct fdb *, uint64_t key);
static inline uint32_t fdb_hash(const struct fdb *, const struct eth_addr *,
				uint16_t vid);
static inline uint32_t fdb_bucket(const struct fdb *, uint32_t hash);
static inline uint32_t fdb_find_from(const struct fdb *, uint32_t idx,
				     uint64_t key);
static inline uint32_t fdb_find(const struct fdb *, const struct eth_addr *,
				uint16_t vid, uint32_t hash);
static inline bool fdb_flags_are_dynamic(uint8_t flags);
static inline bool fdb_flags_are_learned(uint8_t flags);
static uint32_t fdb_insert(struct fdb *, const struct eth_addr *,
			   uint16_t vid, uint32_t hash, uint16_t port_no,
			   uint8_t flags, uint64_t now_ms);
static void fdb_remove(struct fdb *, uint32_t idx);
static void fdb_age_append(struct fdb *, uint32_t idx);
static void fdb_age_unlink(struct fdb *, uint32_t idx);
static bool fdb_is_expired(uint64_t updated_ms, uint64_t hold_ms,
			   uint64_t now_ms);

struct fdb *
fdb_create(uint32_t max_entries, uint64_t seed)
{
	unsigned int bits = FDB_MIN_BUCKET_BITS;
	uint64_t state = seed;
	struct fdb *fdb;

	if (!max_entries)
		max_entries = FDB_DEFAULT_MAX_ENTRIES;
	if (max_entries > FDB_MAX_MAX_ENTRIES)
		return NULL;
	while ((1ull << bits) < 2ull * max_entries)
		bits++;

	fdb = xcalloc(1, sizeof *fdb);
	fdb->capacity = max_entries;
	fdb->n_buckets = 1u << bits;
	fdb->bucket_shift = 32 - bits;
	fdb->nodes_bytes = (size_t)max_entries * sizeof *fdb->nodes;
	fdb->nodes = fdb_array_alloc(&fdb->nodes_bytes);
	fdb->ages_bytes = (size_t)max_entries * sizeof *fdb->ages;
	fdb->ages = fdb_array_alloc(&fdb->ages_bytes);
	fdb->buckets_bytes = (size_t)fdb->n_buckets * sizeof *fdb->buckets;
	fdb->buckets = fdb_array_alloc(&fdb->buckets_bytes);
	fdb->hash_mul = fdb_splitmix64(&state) | 1;
	fdb->seed = seed;
	fdb->ageing_ms = FDB_DEFAULT_AGEING_MS;
	return fdb;
}

void
fdb_destroy(struct fdb *fdb)
{
	if (!fdb)
		return;
	fdb_array_free(fdb->buckets, fdb->buckets_bytes);
	fdb_array_free(fdb->ages, fdb->ages_bytes);
	fdb_array_free(fdb->nodes, fdb->nodes_bytes);
	free(fdb);
}

uint64_t
fdb_get_seed(const struct fdb *fdb)
{
	return fdb->seed;
}

uint32_t
fdb_bucket_index(const struct fdb *fdb, const struct eth_addr *mac,
		 uint16_t vid)
{
	return fdb_bucket(fdb, fdb_hash(fdb, mac, vid));
}

void
fdb_set_ageing_ms(struct fdb *fdb, uint64_t ageing_ms)
{
	fdb->ageing_ms = ageing_ms;
}

uint64_t
fdb_get_ageing_ms(const struct fdb *fdb)
{
	return fdb->ageing_ms;
}

void
fdb_set_tc_hold_ms(struct fdb *fdb, uint64_t hold_ms)
{
	fdb->tc_hold_ms = hold_ms;
}

uint64_t
fdb_get_hold_ms(const struct fdb *fdb)
{
	return fdb->tc_hold_ms ? fdb->tc_hold_ms : fdb->ageing_ms;
}

void
fdb_set_max_learned(struct fdb *fdb, uint32_t max_learned)
{
	fdb->max_learned = max_learned;
}

uint32_t
fdb_get_max_learned(const struct fdb *fdb)
{
	return fdb->max_learned;
}

/* What fdb_learn() does for ('mac', 'vid') on 'port_no', without doing
 * it: the one statement of the §2.1 rules, shared by fdb_learn() and
 * fdb_learn_preview().  '*idxp' is the existing entry's slot or FDB_NIL. */
static inline enum fdb_learn_result
learn_decide(const struct fdb *fdb, const struct eth_addr *mac, uint16_t vid,
	     uint16_t port_no, uint32_t hash, uint32_t *idxp)
{
	const struct fdb_entry *e;
	uint32_t idx;

	DASSERT(!eth_addr_is_multicast(mac) && !eth_addr_is_zero(mac));
	DASSERT(vid < VLAN_N_VID && port_no != FDB_PORT_ANY);

	/* "Some users want to always flood" (br_fdb_update). */
	if (!fdb_get_hold_ms(fdb))
		return FDB_LEARN_DISABLED;
	idx = *idxp = fdb_find(fdb, mac, vid, hash);
	if (idx == FDB_NIL)
		return fdb->n_entries >= fdb->capacity ||
		       (fdb->max_learned &&
			fdb->n_learned >= fdb->max_learned) ?
		       FDB_LEARN_FULL : FDB_LEARN_NEW;
	e = fdb_slot(fdb, idx);
	if (e->flags & FDB_F_LOCAL)
		return FDB_LEARN_LOCAL;
	if (e->port_no == port_no)
		return FDB_LEARN_REFRESHED;
	if (e->flags & FDB_F_STICKY)
		return FDB_LEARN_STICKY;
	return FDB_LEARN_MOVED;
}

enum fdb_learn_result
fdb_learn(struct fdb *fdb, const struct eth_addr *mac, uint16_t vid,
	  uint16_t port_no, uint64_t now_ms)
{
	uint32_t hash = fdb_hash(fdb, mac, vid), idx;
	enum fdb_learn_result r = learn_decide(fdb, mac, vid, port_no, hash,
					       &idx);
	struct fdb_entry *e;

	if (r == FDB_LEARN_NEW)
		fdb_insert(fdb, mac, vid, hash, port_no, 0, now_ms);
	if (r != FDB_LEARN_REFRESHED && r != FDB_LEARN_STICKY &&
	    r != FDB_LEARN_MOVED)
		return r;
	e = fdb_slot(fdb, idx);
	if (e->updated_ms != now_ms) {
		e->updated_ms = now_ms;
		if (fdb_flags_are_dynamic(e->flags) && idx != fdb->age_tail) {
			fdb_age_unlink(fdb, idx);
			fdb_age_append(fdb, idx);
		}
	}
	if (r == FDB_LEARN_MOVED)
		e->port_no = port_no;
	return r;
}

enum fdb_learn_result
fdb_learn_preview(const struct fdb *fdb, const struct eth_addr *mac,
		  uint16_t vid, uint16_t port_no)
{
	uint32_t idx;

	return learn_decide(fdb, mac, vid, port_no, fdb_hash(fdb, mac, vid),
			    &idx);
}

struct fdb_entry *
fdb_lookup(const struct fdb *fdb, const struct eth_addr *mac, uint16_t vid)
{
	uint32_t idx = fdb_find(fdb, mac, vid, fdb_hash(fdb, mac, vid));

	return idx == FDB_NIL ? NULL : fdb_slot(fdb, idx);
}

/* Prefetches entry 'e', which the caller reads (key, port, flags) and may
 * write (timestamps): one line in a large table, whose slots are 32 bytes
 * in an array aligned to its pages. */
static inline void
fdb_prefetch_entry(const struct fdb_entry *e)
{
	__builtin_prefetch(e);
}

/* Steps 1 and 2 of a burst of at most FDB_BURST_STEP keys: hashes each
 * key into 'keys' and 'heads' (first slot of its chain), prefetching the
 * buckets, then the first slots. */
static inline void
fdb_prefetch_step(const struct fdb *fdb, size_t n,
		  const struct eth_addr *const macs[], const uint16_t vids[],
		  uint64_t keys[], uint32_t heads[])
{
	size_t i;

	for (i = 0; i < n; i++) {
		keys[i] = fdb_key(macs[i], vids[i]);
		heads[i] = fdb_bucket(fdb, fdb_hash_key(fdb, keys[i]));
		__builtin_prefetch(&fdb->buckets[heads[i]]);
	}
	for (i = 0; i < n; i++) {
		heads[i] = fdb->buckets[heads[i]];
		if (heads[i] != FDB_NIL)
			fdb_prefetch_entry(fdb_slot(fdb, heads[i]));
	}
}

/* One step of a burst's chain walk at slot '*cur' (or none, FDB_NIL):
 * returns the entry if it holds 'key'; otherwise NULL, with '*cur' set to
 * the next slot to try (prefetched) or FDB_NIL when the chain ends. */
static inline struct fdb_entry *
fdb_chain_step(const struct fdb *fdb, uint64_t key, uint32_t *cur)
{
	static const struct fdb_entry nil_entry;	/* link FDB_NIL */
	const struct fdb_entry *e;
	uint32_t next;
	bool hit;

	/* Selects rather than branches: whether a key's entry comes first
	 * is a coin toss the branch predictor loses a third of the time. */
	e = *cur != FDB_NIL ? fdb_slot(fdb, *cur) : &nil_entry;
	hit = (*cur != FDB_NIL) & (fdb_entry_key(e) == key);
	next = hit ? FDB_NIL : e->link;
	*cur = next;
	fdb_prefetch_entry(next != FDB_NIL ? fdb_slot(fdb, next) : &nil_entry);
	return hit ? (struct fdb_entry *)e : NULL;
}

void
fdb_lookup_burst(const struct fdb *fdb, size_t n,
		 const struct eth_addr *const macs[], const uint16_t vids[],
		 struct fdb_entry *out[])
{
	uint64_t keys[FDB_BURST_STEP];
	uint32_t cur[FDB_BURST_STEP];
	uint8_t todo[FDB_BURST_STEP];

	while (n) {
		size_t m = MIN(n, (size_t)FDB_BURST_STEP), n_todo = 0, i;

		fdb_prefetch_step(fdb, m, macs, vids, keys, cur);
		/* First step of every chain; a key whose entry is not first
		 * prefetches the next slot and waits for the next round, so
		 * that its second miss overlaps with the others' instead of
		 * stalling the burst. */
		for (i = 0; i < m; i++)
			out[i] = fdb_chain_step(fdb, keys[i], &cur[i]);
		for (i = 0; i < m; i++) {
			todo[n_todo] = (uint8_t)i;
			n_todo += cur[i] != FDB_NIL;
		}
		while (n_todo) {
			size_t kept = 0;

			for (i = 0; i < n_todo; i++) {
				size_t k = todo[i];

				out[k] = fdb_chain_step(fdb, keys[k], &cur[k]);
				if (cur[k] != FDB_NIL)
					todo[kept++] = (uint8_t)k;
			}
			n_todo = kept;
		}
		macs += m;
		vids += m;
		out += m;
		n -= m;
	}
}

void
fdb_prefetch_burst(const struct fdb *fdb, size_t n,
		   const struct eth_addr *const macs[], const uint16_t vids[])
{
	uint64_t keys[FDB_BURST_STEP];
	uint32_t heads[FDB_BURST_STEP];

	while (n) {
		size_t m = MIN(n, (size_t)FDB_BURST_STEP);

		fdb_prefetch_step(fdb, m, macs, vids, keys, heads);
		macs += m;
		vids += m;
		n -= m;
	}
}

int
fdb_add(struct fdb *fdb, const struct eth_addr *mac, uint16_t vid,
	uint16_t port_no, uint8_t flags, uint64_t now_ms)
{
	struct fdb_entry *e;
	uint32_t hash, idx;
	bool was_dynamic;

	if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac) ||
	    vid >= VLAN_N_VID || port_no == FDB_PORT_ANY ||
	    (flags & ~FDB_ALL_FLAGS) ||
	    ((flags & FDB_F_LOCAL) && (flags & FDB_F_STICKY)))
		return -EINVAL;

	hash = fdb_hash(fdb, mac, vid);
	idx = fdb_find(fdb, mac, vid, hash);
	if (idx == FDB_NIL) {
		if (fdb->n_entries >= fdb->capacity)
			return -ENOSPC;
		fdb_insert(fdb, mac, vid, hash, port_no, flags, now_ms);
		return 0;
	}

	/* Replace: the entry becomes a user entry with the new port and
	 * kind, and is (re)queued for ageing if it is now dynamic. */
	e = fdb_slot(fdb, idx);
	was_dynamic = fdb_flags_are_dynamic(e->flags);
	if (was_dynamic)
		fdb_age_unlink(fdb, idx);
	if (fdb_flags_are_learned(e->flags))
		fdb->n_learned--;
	e->port_no = port_no;
	e->flags = flags;
	e->updated_ms = now_ms;
	if (fdb_flags_are_dynamic(flags))
		fdb_age_append(fdb, idx);
	return 0;
}

int
fdb_del(struct fdb *fdb, const struct eth_addr *mac, uint16_t vid,
	uint16_t port_no)
{
	uint32_t idx;

	if (vid >= VLAN_N_VID)
		return -ENOENT;
	idx = fdb_find(fdb, mac, vid, fdb_hash(fdb, mac, vid));
	if (idx == FDB_NIL ||
	    (port_no != FDB_PORT_ANY && fdb_slot(fdb, idx)->port_no != port_no))
		return -ENOENT;
	fdb_remove(fdb, idx);
	return 0;
}

size_t
fdb_flush(struct fdb *fdb, const struct fdb_flush_filter *filter)
{
	size_t n = 0;
	uint32_t idx;

	/* Removing only pushes slots on the free list, so the scan is safe. */
	for (idx = 1; idx <= fdb->hwm; idx++) {
		const struct fdb_entry *e = fdb_slot(fdb, idx);

		if (e->vid != FDB_FREE_VID &&
		    fdb_flush_should_remove(filter, e)) {
			fdb_remove(fdb, idx);
			n++;
		}
	}
	return n;
}

bool
fdb_flush_should_remove(const struct fdb_flush_filter *f,
			const struct fdb_entry *e)
{
	return (f->port_no == FDB_PORT_ANY || e->port_no == f->port_no) &&
	       (f->vid == FDB_VID_ANY || e->vid == f->vid) &&
	       (e->flags & f->flags_mask) == f->flags_value;
}

size_t
fdb_flush_port_dynamic(struct fdb *fdb, uint16_t port_no)
{
	struct fdb_flush_filter f = {
		.port_no = port_no,
		.vid = FDB_VID_ANY,
		.flags_mask = FDB_F_LOCAL | FDB_F_STATIC,
		.flags_value = 0,
	};

	return fdb_flush(fdb, &f);
}

size_t
fdb_flush_port(struct fdb *fdb, uint16_t port_no)
{
	struct fdb_flush_filter f = {
		.port_no = port_no,
		.vid = FDB_VID_ANY,
	};

	return fdb_flush(fdb, &f);
}

size_t
fdb_age(struct fdb *fdb, uint64_t now_ms)
{
	uint64_t hold_ms = fdb_get_hold_ms(fdb);
	size_t n = 0;

	while (fdb->age_head != FDB_NIL &&
	       fdb_is_expired(fdb_slot(fdb, fdb->age_head)->updated_ms,
			      hold_ms, now_ms)) {
		fdb_remove(fdb, fdb->age_head);
		n++;
	}
	return n;
}

size_t
fdb_age_report(struct fdb *fdb, uint64_t now_ms, struct fdb_entry *removed,
	       size_t max)
{
	uint64_t hold_ms = fdb_get_hold_ms(fdb);
	size_t n = 0;

	while (n < max && fdb->age_head != FDB_NIL &&
	       fdb_is_expired(fdb_slot(fdb, fdb->age_head)->updated_ms,
			      hold_ms, now_ms)) {
		removed[n++] = *fdb_slot(fdb, fdb->age_head);
		fdb_remove(fdb, fdb->age_head);
	}
	return n;
}

uint64_t
fdb_next_expiry_ms(const struct fdb *fdb)
{
	uint64_t hold_ms = fdb_get_hold_ms(fdb);
	uint64_t updated_ms;

	if (fdb->age_head == FDB_NIL)
		return UINT64_MAX;
	updated_ms = fdb_slot(fdb, fdb->age_head)->updated_ms;
	return updated_ms > UINT64_MAX - hold_ms ? UINT64_MAX
						 : updated_ms + hold_ms;
}

bool
fdb_prefetch_pays(const struct fdb *fdb)
{
	return fdb->n_entries >= FDB_PREFETCH_MIN_ENTRIES;
}

size_t
fdb_count(const struct fdb *fdb)
{
	return fdb->n_entries;
}

size_t
fdb_count_learned(const struct fdb *fdb)
{
	return fdb->n_learned;
}

void
fdb_foreach(const struct fdb *fdb, fdb_foreach_fn *cb, void *aux)
{
	uint32_t idx;

	for (idx = 1; idx <= fdb->hwm; idx++)
		if (fdb_slot(fdb, idx)->vid != FDB_FREE_VID)
			cb(fdb_slot(fdb, idx), aux);
}

size_t
fdb_entry_footprint(void)
{
	return sizeof(struct fdb_node) + sizeof(struct fdb_age_links) +
	       FDB_BUCKETS_PER_ENTRY * sizeof(uint32_t);
}

void
fdb_get_stats(const struct fdb *fdb, struct fdb_stats *s)
{
	uint32_t b;

	memset(s, 0, sizeof *s);
	s->capacity = fdb->capacity;
	s->n_buckets = fdb->n_buckets;
	s->n_entries = fdb->n_entries;
	s->n_learned = fdb->n_learned;
	s->reserved_bytes = sizeof *fdb + fdb->nodes_bytes +
			    fdb->ages_bytes + fdb->buckets_bytes;
	for (b = 0; b < fdb->n_buckets; b++) {
		uint32_t len = 0, idx;

		for (idx = fdb->buckets[b]; idx != FDB_NIL;
		     idx = fdb_slot(fdb, idx)->link)
			len++;
		s->longest_chain = MAX(s->longest_chain, len);
	}
}

bool
fdb_is_consistent(const struct fdb *fdb)
{
	uint32_t n_used = 0, n_learned = 0, n_dynamic = 0, n_chained = 0;
	uint32_t n_free = 0, n_aged = 0, idx, prev, b;

	if (fdb->hwm > fdb->capacity || fdb->n_entries > fdb->hwm)
		return false;
	for (idx = 1; idx <= fdb->hwm; idx++) {
		const struct fdb_node *n = fdb_node_at(fdb, idx);

		if (n->e.vid == FDB_FREE_VID)
			continue;
		n_used++;
		if (fdb_flags_are_learned(n->e.flags))
			n_learned++;
		if (fdb_flags_are_dynamic(n->e.flags))
			n_dynamic++;
		if (fdb_find(fdb, &n->e.mac, n->e.vid,
			     fdb_hash(fdb, &n->e.mac, n->e.vid)) != idx)
			return false;
	}
	for (b = 0; b < fdb->n_buckets; b++) {
		for (idx = fdb->buckets[b]; idx != FDB_NIL;
		     idx = fdb_slot(fdb, idx)->link) {
			const struct fdb_entry *e;

			if (idx > fdb->hwm || ++n_chained > n_used)
				return false;
			e = fdb_slot(fdb, idx);
			if (e->vid == FDB_FREE_VID ||
			    fdb_bucket(fdb, fdb_hash(fdb, &e->mac,
						     e->vid)) != b)
				return false;
		}
	}
	for (idx = fdb->free_head; idx != FDB_NIL;
	     idx = fdb_slot(fdb, idx)->link)
		if (idx > fdb->hwm || ++n_free > fdb->hwm ||
		    fdb_slot(fdb, idx)->vid != FDB_FREE_VID)
			return false;
	prev = FDB_NIL;
	for (idx = fdb->age_head; idx != FDB_NIL;
	     idx = fdb_links(fdb, idx)->next) {
		const struct fdb_node *n = fdb_node_at(fdb, idx);

		if (idx > fdb->hwm || ++n_aged > n_dynamic ||
		    n->e.vid == FDB_FREE_VID ||
		    !fdb_flags_are_dynamic(n->e.flags) ||
		    fdb_links(fdb, idx)->prev != prev ||
		    (prev != FDB_NIL &&
		     fdb_slot(fdb, prev)->updated_ms > n->e.updated_ms))
			return false;
		prev = idx;
	}
	return prev == fdb->age_tail && n_used == fdb->n_entries &&
	       n_chained == n_used && n_used + n_free == fdb->hwm &&
	       n_learned == fdb->n_learned && n_aged == n_dynamic;
}

/* Expands the seed into well-mixed 64-bit values (SplitMix64,
 * Steele, Lea and Flood, OOPSLA 2014). */
static uint64_t
fdb_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Returns 'bytes' of zeroed memory that costs no RSS until touched.  An
 * array of FDB_MAP_BYTES or more is mmap()ed, aligned to a huge page and
 * rounded up to whole huge pages ('bytes' is written back), and from
 * FDB_HUGE_BYTES on advised MADV_HUGEPAGE; a smaller one, which stays in
 * cache anyway, comes from xcalloc(), where ASan watches its bounds.
 * Aborts on failure, as xcalloc() does. */
static void *
fdb_array_alloc(size_t *bytes)
{
	size_t len = (*bytes + FDB_HUGE_BYTES - 1) &
		     ~(size_t)(FDB_HUGE_BYTES - 1);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), slack;
	uint8_t *map, *p;

	if (*bytes < FDB_MAP_BYTES)
		return xcalloc(1, *bytes);
	/* Over-map, then trim to a range aligned for huge pages. */
	slack = FDB_HUGE_BYTES - page;
	map = mmap(NULL, len + slack, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		die("fdb: out of memory mapping %zu bytes", len + slack);
	p = (uint8_t *)(((uintptr_t)map + FDB_HUGE_BYTES - 1) &
			~(uintptr_t)(FDB_HUGE_BYTES - 1));
	if (p > map)
		munmap(map, (size_t)(p - map));
	if (slack > (size_t)(p - map))
		munmap(p + len, slack - (size_t)(p - map));
	/* Only advice: a kernel without transparent huge pages refuses it,
	 * and small pages work the same, only slower. */
	if (*bytes >= FDB_HUGE_BYTES)
		(void)madvise(p, len, MADV_HUGEPAGE);
	*bytes = len;
	return p;
}

static void
fdb_array_free(void *p, size_t bytes)
{
	if (bytes < FDB_MAP_BYTES)
		free(p);
	else
		munmap(p, bytes);
}

/* The key: MAC and VID packed as they lie in struct fdb_entry, built in a
 * register.  Not with byte copies into a stack word: the 8-byte reload of
 * three smaller stores cannot be forwarded from the store buffer, so it
 * waits until they retire, that is until every earlier lookup's cache
 * misses are over, and a stream of lookups runs one miss at a time
 * (measured: 4x slower at 1 M entries). */
static inline uint64_t
fdb_key(const struct eth_addr *mac, uint16_t vid)
{
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, mac->ea, sizeof lo);
	memcpy(&hi, mac->ea + sizeof lo, sizeof hi);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint64_t)lo | (uint64_t)hi << 32 | (uint64_t)vid << 48;
#else
	return (uint64_t)lo << 32 | (uint64_t)hi << 16 | vid;
#endif
}

static inline uint64_t
fdb_entry_key(const struct fdb_entry *e)
{
	uint64_t key;

	memcpy(&key, e, sizeof key);
	return key;
}

static inline uint32_t
fdb_hash_key(const struct fdb *fdb, uint64_t key)
{
	return (uint32_t)((key * fdb->hash_mul) >> 32);
}

static inline uint32_t
fdb_hash(const struct fdb *fdb, const struct eth_addr *mac, uint16_t vid)
{
	return fdb_hash_key(fdb, fdb_key(mac, vid));
}

static inline uint32_t
fdb_bucket(const struct fdb *fdb, uint32_t hash)
{
	return hash >> fdb->bucket_shift;
}

/* Returns the slot holding 'key' in the chain that starts at 'idx', or
 * FDB_NIL.  A free slot's key never matches: its VID is FDB_FREE_VID. */
static inline uint32_t
fdb_find_from(const struct fdb *fdb, uint32_t idx, uint64_t key)
{
	while (idx != FDB_NIL) {
		const struct fdb_entry *e = fdb_slot(fdb, idx);

		if (fdb_entry_key(e) == key)
			return idx;
		idx = e->link;
	}
	return FDB_NIL;
}

/* Returns the slot of ('mac', 'vid'), whose hash is 'hash', or FDB_NIL. */
static inline uint32_t
fdb_find(const struct fdb *fdb, const struct eth_addr *mac, uint16_t vid,
	 uint32_t hash)
{
	return fdb_find_from(fdb, fdb->buckets[fdb_bucket(fdb, hash)],
			     fdb_key(mac, vid));
}

/* Dynamic entries age: neither static nor local. */
static inline bool
fdb_flags_are_dynamic(uint8_t flags)
{
	return !(flags & (FDB_F_LOCAL | FDB_F_STATIC));
}

/* Learned entries count against max_learned: not added by the user (local
 * entries are always added by the user). */
static inline bool
fdb_flags_are_learned(uint8_t flags)
{
	return !(flags & (FDB_F_USER | FDB_F_LOCAL));
}

/* Puts a new entry in a free slot and returns the slot.  The caller has
 * checked that the table is not full. */
static uint32_t
fdb_insert(struct fdb *fdb, const struct eth_addr *mac, uint16_t vid,
	   uint32_t hash, uint16_t port_no, uint8_t flags, uint64_t now_ms)
{
	struct fdb_node *n;
	uint32_t idx, b;

	ASSERT(fdb->n_entries < fdb->capacity);
	if (fdb->free_head != FDB_NIL) {
		idx = fdb->free_head;
		fdb->free_head = fdb_slot(fdb, idx)->link;
	} else {
		idx = ++fdb->hwm;
	}

	n = fdb_node_at(fdb, idx);
	n->e.mac = *mac;
	n->e.vid = vid;
	n->e.port_no = port_no;
	n->e.flags = flags;
	n->e.updated_ms = now_ms;
	n->e.used_ms = now_ms;

	b = fdb_bucket(fdb, hash);
	n->e.link = fdb->buckets[b];
	fdb->buckets[b] = idx;

	fdb->n_entries++;
	if (fdb_flags_are_learned(flags))
		fdb->n_learned++;
	if (fdb_flags_are_dynamic(flags))
		fdb_age_append(fdb, idx);
	return idx;
}

/* Unlinks slot 'idx' from its chain and the ageing list and frees it. */
static void
fdb_remove(struct fdb *fdb, uint32_t idx)
{
	struct fdb_node *n = fdb_node_at(fdb, idx);
	uint32_t *link = &fdb->buckets[fdb_bucket(fdb, fdb_hash(fdb, &n->e.mac,
								 n->e.vid))];

	while (*link != idx) {
		ASSERT(*link != FDB_NIL);
		link = &fdb_slot(fdb, *link)->link;
	}
	*link = n->e.link;

	if (fdb_flags_are_dynamic(n->e.flags))
		fdb_age_unlink(fdb, idx);
	if (fdb_flags_are_learned(n->e.flags))
		fdb->n_learned--;
	fdb->n_entries--;

	n->e.vid = FDB_FREE_VID;
	n->e.link = fdb->free_head;
	fdb->free_head = idx;
}

static void
fdb_age_append(struct fdb *fdb, uint32_t idx)
{
	struct fdb_age_links *a = fdb_links(fdb, idx);

	a->prev = fdb->age_tail;
	a->next = FDB_NIL;
	if (fdb->age_tail != FDB_NIL)
		fdb_links(fdb, fdb->age_tail)->next = idx;
	else
		fdb->age_head = idx;
	fdb->age_tail = idx;
}

static void
fdb_age_unlink(struct fdb *fdb, uint32_t idx)
{
	struct fdb_age_links *a = fdb_links(fdb, idx);

	if (a->prev != FDB_NIL)
		fdb_links(fdb, a->prev)->next = a->next;
	else
		fdb->age_head = a->next;
	if (a->next != FDB_NIL)
		fdb_links(fdb, a->next)->prev = a->prev;
	else
		fdb->age_tail = a->prev;
	a->prev = a->next = FDB_NIL;
}

/* True if an entry last updated at 'updated_ms' has expired at 'now_ms':
 * updated_ms + hold_ms <= now_ms, computed without overflow. */
static bool
fdb_is_expired(uint64_t updated_ms, uint64_t hold_ms, uint64_t now_ms)
{
	return now_ms >= hold_ms && updated_ms <= now_ms - hold_ms;
}
