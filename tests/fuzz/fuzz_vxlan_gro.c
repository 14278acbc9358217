/*
 * fuzz_vxlan_gro.c - libFuzzer target: the software GRO of VXLAN ports
 * (vswitchd/ports/vxlan-gso.c) on decapsulated frames as any VTEP may
 * send them.  Whatever it merges must be a super-frame the rest of the
 * switch can trust: its offload state survives the trip through a
 * virtio-net header (what a TAP writes and pkt_offload_from_vnet()
 * checks), and cut again, every segment is one the GRO itself would have
 * taken (headers parse, IP and TCP checksums right).
 *
 * Input: frames, each a 2-byte big-endian length and that many bytes; the
 * first starts a super-frame, the others are offered to it in turn.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "pkt.h"
#include "pkt-offload.h"
#include "vxlan-gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkt_pool *pool;
	struct vxlan_gro g, gs;
	struct virtio_net_hdr h;
	struct pkt *p, *q, *segs[8];
	uint32_t off = 0, total;
	size_t pos = 0;
	bool first = true;

	if (!pool)
		pool = pkt_pool_create(10);
	p = pkt_alloc(pool);
	while (pos + 2 <= size) {
		uint32_t len = eth_get_be16(data + pos);

		pos += 2;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		if (first) {
			if (len > PKT_DATA_MAX || !len)
				break;
			memcpy(p->data, data + pos, len);
			p->len = len;
			if (!vxlan_gro_start(&g, p))
				break;
			first = false;
		} else {
			(void)vxlan_gro_merge(&g, data + pos, len);
		}
		pos += len;
	}
	if (first || !pkt_is_gso(p))
		goto out;

	/* Through a virtio-net header, as a TAP writes it. */
	q = pkt_alloc(pool);
	memcpy(q->data, p->data, p->len);
	q->len = p->len;
	pkt_offload_to_vnet(p, &h);
	if (pkt_offload_from_vnet(q, &h) || !pkt_is_gso(q) ||
	    memcmp(&q->ol, &p->ol, sizeof q->ol))
		abort();
	pkt_free(pool, q);

	/* Cut again: each segment a GRO candidate, the payload whole. */
	total = 0;
	while (off < p->len - p->ol.hdr_len) {
		int n = pkt_gso_segment(p, p->ol.gso_size, pool, segs, 8, &off);

		if (n <= 0)
			abort();
		for (int i = 0; i < n; i++) {
			if (!vxlan_gro_start(&gs, segs[i]) ||
			    segs[i]->len - gs.ol.hdr_len > p->ol.gso_size)
				abort();
			total += segs[i]->len - gs.ol.hdr_len;
			pkt_free(pool, segs[i]);
		}
	}
	if (total != p->len - p->ol.hdr_len)
		abort();
out:
	pkt_free(pool, p);
	return 0;
}
