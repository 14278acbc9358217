/*
 * vxlan-fdb.c - the remote table of a VXLAN port (see vxlan-fdb.h).
 *
 * A chained hash over a preallocated slot array: buckets hold the index of
 * their first slot, slots link by index, free slots form one list.  No
 * pointers into the array escape except the const entry lookup returns,
 * which the caller uses before the next change (one thread).
 */
#include "vxlan-fdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NIL UINT32_MAX

struct slot {
	struct vxlan_fdb_entry e;
	uint32_t next;		/* next in the bucket or the free list */
	bool used;
};

struct vxlan_fdb {
	uint32_t seed;
	uint64_t ageing_ms;
	unsigned capacity, n_used;
	uint32_t mask;		/* n_buckets - 1 */
	uint32_t *buckets;
	uint32_t free_head;
	struct slot *slots;
};

static uint32_t
mac_hash(const struct vxlan_fdb *fdb, const struct eth_addr *mac)
{
	uint32_t h = fdb->seed;

	for (int i = 0; i < ETH_ADDR_LEN; i++) {
		h ^= mac->ea[i];
		h *= 0x01000193u;	/* FNV-1a prime */
	}
	h ^= h >> 16;
	return h & fdb->mask;
}

static bool
is_expired(const struct vxlan_fdb *fdb, const struct vxlan_fdb_entry *e,
	   uint64_t now_ms)
{
	return !e->is_static && fdb->ageing_ms &&
	       now_ms - e->updated_ms >= fdb->ageing_ms;
}

struct vxlan_fdb *
vxlan_fdb_create(unsigned capacity, uint32_t seed, uint64_t ageing_ms)
{
	struct vxlan_fdb *fdb = xcalloc(1, sizeof *fdb);
	uint32_t n = 1;

	ASSERT(capacity >= 1);
	while (n < capacity)
		n <<= 1;
	fdb->seed = seed;
	fdb->ageing_ms = ageing_ms;
	fdb->capacity = capacity;
	fdb->mask = n - 1;
	fdb->buckets = xmalloc(n * sizeof *fdb->buckets);
	for (uint32_t i = 0; i < n; i++)
		fdb->buckets[i] = NIL;
	fdb->slots = xcalloc(capacity, sizeof *fdb->slots);
	for (unsigned i = 0; i < capacity; i++)
		fdb->slots[i].next = i + 1 < capacity ? i + 1 : NIL;
	fdb->free_head = 0;
	return fdb;
}

void
vxlan_fdb_destroy(struct vxlan_fdb *fdb)
{
	if (!fdb)
		return;
	free(fdb->buckets);
	free(fdb->slots);
	free(fdb);
}

/* The slot index of 'mac', or NIL; expired entries are still found
 * (callers decide). */
static uint32_t
find(const struct vxlan_fdb *fdb, const struct eth_addr *mac)
{
	for (uint32_t i = fdb->buckets[mac_hash(fdb, mac)]; i != NIL;
	     i = fdb->slots[i].next)
		if (eth_addr_equals(&fdb->slots[i].e.mac, mac))
			return i;
	return NIL;
}

/* Takes a free slot for 'mac' and links it into its bucket; NIL if full. */
static uint32_t
insert(struct vxlan_fdb *fdb, const struct eth_addr *mac)
{
	uint32_t i = fdb->free_head, b = mac_hash(fdb, mac);
	struct slot *s;

	if (i == NIL)
		return NIL;
	s = &fdb->slots[i];
	fdb->free_head = s->next;
	memset(&s->e, 0, sizeof s->e);
	s->e.mac = *mac;
	s->used = true;
	s->next = fdb->buckets[b];
	fdb->buckets[b] = i;
	fdb->n_used++;
	return i;
}

static void
unlink_slot(struct vxlan_fdb *fdb, uint32_t idx)
{
	struct slot *s = &fdb->slots[idx];
	uint32_t *pp = &fdb->buckets[mac_hash(fdb, &s->e.mac)];

	while (*pp != idx)
		pp = &fdb->slots[*pp].next;
	*pp = s->next;
	s->used = false;
	s->next = fdb->free_head;
	fdb->free_head = idx;
	fdb->n_used--;
}

int
vxlan_fdb_append(struct vxlan_fdb *fdb, const struct eth_addr *mac,
		 const struct vxlan_addr *dst)
{
	struct vxlan_fdb_entry *e;
	uint32_t i;

	if (vxlan_addr_is_any(dst) || vxlan_addr_is_multicast(dst))
		return -EINVAL;
	i = find(fdb, mac);
	if (i == NIL && (i = insert(fdb, mac)) == NIL)
		return -ENOSPC;
	e = &fdb->slots[i].e;
	if (!e->is_static) {
		/* A learned entry gives way to the administrator's. */
		e->is_static = true;
		e->n_dst = 0;
	}
	for (unsigned d = 0; d < e->n_dst; d++)
		if (vxlan_addr_equal(&e->dst[d], dst))
			return -EEXIST;
	if (e->n_dst == VXLAN_FDB_MAX_DSTS)
		return -ENOSPC;
	e->dst[e->n_dst++] = *dst;
	return 0;
}

int
vxlan_fdb_del(struct vxlan_fdb *fdb, const struct eth_addr *mac,
	      const struct vxlan_addr *dst)
{
	uint32_t i = find(fdb, mac);
	struct vxlan_fdb_entry *e;

	if (i == NIL)
		return -ENOENT;
	e = &fdb->slots[i].e;
	if (dst) {
		unsigned d;

		for (d = 0; d < e->n_dst; d++)
			if (vxlan_addr_equal(&e->dst[d], dst))
				break;
		if (d == e->n_dst)
			return -ENOENT;
		memmove(&e->dst[d], &e->dst[d + 1],
			(e->n_dst - d - 1) * sizeof e->dst[0]);
		if (--e->n_dst)
			return 0;
	}
	unlink_slot(fdb, i);
	return 0;
}

enum vxlan_learn_result
vxlan_fdb_learn(struct vxlan_fdb *fdb, const struct eth_addr *mac,
		const struct vxlan_addr *src, uint64_t now_ms)
{
	struct vxlan_fdb_entry *e;
	uint32_t i;

	if (eth_addr_is_multicast(mac) || eth_addr_is_zero(mac))
		return VXLAN_LEARN_INVALID;
	i = find(fdb, mac);
	if (i != NIL) {
		e = &fdb->slots[i].e;
		if (e->is_static)
			return VXLAN_LEARN_STATIC;
		if (vxlan_addr_equal(&e->dst[0], src) &&
		    !is_expired(fdb, e, now_ms)) {
			/* Write only when it changed (STYLE: an FDB hit
			 * rewrites its timestamp only when needed). */
			if (e->updated_ms != now_ms)
				e->updated_ms = now_ms;
			return VXLAN_LEARN_REFRESHED;
		}
		e->dst[0] = *src;
		e->updated_ms = now_ms;
		return VXLAN_LEARN_MOVED;
	}
	if ((i = insert(fdb, mac)) == NIL)
		return VXLAN_LEARN_FULL;
	e = &fdb->slots[i].e;
	e->n_dst = 1;
	e->dst[0] = *src;
	e->updated_ms = now_ms;
	return VXLAN_LEARN_NEW;
}

const struct vxlan_fdb_entry *
vxlan_fdb_lookup(const struct vxlan_fdb *fdb, const struct eth_addr *mac,
		 uint64_t now_ms)
{
	uint32_t i = find(fdb, mac);

	if (i == NIL || is_expired(fdb, &fdb->slots[i].e, now_ms))
		return NULL;
	return &fdb->slots[i].e;
}

size_t
vxlan_fdb_age(struct vxlan_fdb *fdb, uint64_t now_ms)
{
	size_t n = 0;

	for (unsigned i = 0; i < fdb->capacity; i++)
		if (fdb->slots[i].used &&
		    is_expired(fdb, &fdb->slots[i].e, now_ms)) {
			unlink_slot(fdb, i);
			n++;
		}
	return n;
}

size_t
vxlan_fdb_flush_learned(struct vxlan_fdb *fdb)
{
	size_t n = 0;

	for (unsigned i = 0; i < fdb->capacity; i++)
		if (fdb->slots[i].used && !fdb->slots[i].e.is_static) {
			unlink_slot(fdb, i);
			n++;
		}
	return n;
}

size_t
vxlan_fdb_count(const struct vxlan_fdb *fdb)
{
	return fdb->n_used;
}

void
vxlan_fdb_foreach(const struct vxlan_fdb *fdb, uint64_t now_ms,
		  vxlan_fdb_visit_fn *cb, void *aux)
{
	for (unsigned i = 0; i < fdb->capacity; i++)
		if (fdb->slots[i].used &&
		    !is_expired(fdb, &fdb->slots[i].e, now_ms))
			cb(&fdb->slots[i].e, aux);
}
