/*
 * fuzz_offload.c - libFuzzer target: virtio-net headers and frames as a
 * TAP's kernel or a guest hands them over (lib/pkt-offload.c).  A header
 * that pkt_offload_from_vnet() accepts must be safe for everything after
 * it: finishing the checksum, VLAN tag pushes and pops moving the
 * offsets, and cutting the frame into segments, each within the length
 * pkt_gso_seg_frame_len() promised; one it refuses must leave the packet
 * without offload state.
 *
 * Input: a 12-byte struct virtio_net_hdr, one byte of options (bit 0: push
 * a VLAN tag first; bits 1-7: an MSS cap for the segmenter, 0 = none),
 * then the frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "pkt.h"
#include "pkt-offload.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkt_pool *pool;
	struct virtio_net_hdr h;
	struct pkt *p, *segs[8];
	uint8_t opt;

	if (!pool)
		pool = pkt_pool_create(9);
	if (size < sizeof h + 1 || size - sizeof h - 1 > PKT_DATA_MAX)
		return 0;
	memcpy(&h, data, sizeof h);
	opt = data[sizeof h];
	p = pkt_alloc(pool);
	p->len = (uint32_t)(size - sizeof h - 1);
	memcpy(p->data, data + sizeof h + 1, p->len);
	if (pkt_offload_from_vnet(p, &h)) {
		if (pkt_offload_pending(p))
			abort();
		pkt_free(pool, p);
		return 0;
	}
	(void)pkt_offload_needs(p);
	pkt_offload_to_vnet(p, &h);
	if ((opt & 1) && p->len >= ETH_HDR_LEN)
		pkt_push_vlan(p, 0x8100, 5);
	if (!pkt_is_gso(p)) {
		pkt_csum_finish(p);
	} else {
		uint32_t mss = p->ol.gso_size, off = 0, max;
		uint32_t payload = p->len - p->ol.hdr_len;

		if ((opt >> 1) && (opt >> 1) < mss &&
		    (p->ol.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) !=
		    VIRTIO_NET_HDR_GSO_UDP_L4)
			mss = opt >> 1;
		max = pkt_gso_seg_frame_len(p, mss);
		/* Bounded work per input: at most 64 segments. */
		while (off < payload && off / mss < 64) {
			int n = pkt_gso_segment(p, mss, pool, segs, 8, &off);

			if (n <= 0)
				abort();
			for (int i = 0; i < n; i++) {
				if (segs[i]->len > max)
					abort();
				pkt_free(pool, segs[i]);
			}
		}
	}
	if ((opt & 1) && p->len >= ETH_HDR_LEN + 4)
		pkt_pop_vlan(p);
	pkt_free(pool, p);
	return 0;
}
