/*
 * pkt.c - preallocated packet pool and in-place VLAN tag edits.
 */
#include "pkt.h"

#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "eth.h"
#include "util.h"

struct pkt_pool {
	struct pkt *free;	/* packets handed out before and freed */
	unsigned n_free;	/* on 'free' plus never handed out */
	unsigned n_total;
	unsigned next_new;	/* mem[next_new..] never handed out */
	struct pkt *mem;
};

struct pkt_pool *
pkt_pool_create(unsigned n)
{
	struct pkt_pool *pool = xcalloc(1, sizeof *pool);

	/* Nothing of the packets is touched here: each header is cleared
	 * when the packet is first handed out, and a buffer is written
	 * before it is read.  So the pages of a packet never used are never
	 * faulted in (a bridge's pool is 32 MiB; clearing every header
	 * faulted in 512 pages, ~3 ms of each bridge.add, and a calloc()
	 * under ASan clears it all). */
	pool->mem = xmalloc(n * sizeof *pool->mem);
	pool->n_total = n;
	pool->n_free = n;
	return pool;
}

void
pkt_pool_destroy(struct pkt_pool *pool)
{
	if (!pool)
		return;
	ASSERT(pool->n_free == pool->n_total);
	free(pool->mem);
	free(pool);
}

struct pkt *
pkt_alloc(struct pkt_pool *pool)
{
	struct pkt *p = pool->free;

	if (p) {
		pool->free = p->next_free;
	} else if (pool->next_new < pool->n_total) {
		/* In order, as the free list once handed them out. */
		p = &pool->mem[pool->next_new++];
		memset(p, 0, offsetof(struct pkt, buf));
	} else {
		return NULL;
	}
	pool->n_free--;
	p->next_free = NULL;
	p->data = p->buf + PKT_HEADROOM;
	p->len = 0;
	p->in_port = 0;
	p->vid = 0;
	p->tci = 0;
	p->tagged = false;
	p->ts_ns = 0;
	memset(&p->ol, 0, sizeof p->ol);
	p->release = NULL;
	return p;
}

void
pkt_free(struct pkt_pool *pool, struct pkt *p)
{
	if (!p)
		return;
	DASSERT(p >= pool->mem && p < pool->mem + pool->n_total);
	if (p->release) {
		void (*release)(struct pkt *) = p->release;

		p->release = NULL;
		release(p);
	}
	p->next_free = pool->free;
	pool->free = p;
	pool->n_free++;
}

unsigned
pkt_pool_avail(const struct pkt_pool *pool)
{
	return pool->n_free;
}

void
pkt_set_borrowed(struct pkt *p, uint8_t *data, uint32_t len,
		 void (*release)(struct pkt *), void *arg, uint32_t id)
{
	DASSERT(release && len <= PKT_DATA_MAX && !p->release);
	p->data = data;
	p->len = len;
	p->release = release;
	p->release_arg = arg;
	p->release_id = id;
}

void
pkt_make_writable(struct pkt *p)
{
	void (*release)(struct pkt *) = p->release;

	if (!release)
		return;
	/* 'len' was fixed when the packet was made, so the copy is bounded
	 * whatever the owner does to the bytes meanwhile. */
	memcpy(p->buf + PKT_HEADROOM, p->data, p->len);
	p->data = p->buf + PKT_HEADROOM;
	p->release = NULL;
	release(p);
}

/* The headers behind the MAC addresses moved by 'delta' bytes: so do the
 * offload offsets, which all point past them. */
static void
shift_offload(struct pkt_offload *ol, int delta)
{
	if (ol->flags)
		ol->csum_start = (uint16_t)(ol->csum_start + delta);
	if (ol->gso_type) {
		ol->l3_off = (uint16_t)(ol->l3_off + delta);
		ol->l4_off = (uint16_t)(ol->l4_off + delta);
		ol->hdr_len = (uint16_t)(ol->hdr_len + delta);
	}
}

void
pkt_push_vlan(struct pkt *p, uint16_t tpid, uint16_t tci)
{
	ASSERT(!p->release);
	ASSERT(p->data - p->buf >= ETH_VLAN_HDR_LEN);
	memmove(p->data - ETH_VLAN_HDR_LEN, p->data, 2 * ETH_ADDR_LEN);
	p->data -= ETH_VLAN_HDR_LEN;
	p->len += ETH_VLAN_HDR_LEN;
	eth_put_be16(p->data + 12, tpid);
	eth_put_be16(p->data + 14, tci);
	shift_offload(&p->ol, ETH_VLAN_HDR_LEN);
}

void
pkt_pop_vlan(struct pkt *p)
{
	DASSERT(p->len >= ETH_HDR_LEN + ETH_VLAN_HDR_LEN && !p->release);
	memmove(p->data + ETH_VLAN_HDR_LEN, p->data, 2 * ETH_ADDR_LEN);
	p->data += ETH_VLAN_HDR_LEN;
	p->len -= ETH_VLAN_HDR_LEN;
	shift_offload(&p->ol, -ETH_VLAN_HDR_LEN);
}
