/*
 * pkt-offload.c - checking virtio-net headers, finishing checksums and
 * cutting GSO super-frames (see pkt-offload.h).
 *
 * Checksums are summed in host byte order over the bytes as they lie in
 * memory (RFC 1071 §2(B): the one's complement sum is independent of byte
 * order), so the folded value is stored back with memcpy, never swapped.
 * Header fields the segmenter rewrites (lengths, IP id, TCP sequence
 * number) are big-endian and go through eth_get/put_be16/32.
 */
#include "pkt-offload.h"

#include <errno.h>
#include <string.h>

#include "eth.h"

#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPV6_HDR_LEN 40
#define UDP_HDR_LEN 8
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_CWR 0x80

/* Two 64-bit lanes (SSE2 on x86-64, NEON on arm64; plain code where
 * there is no vector unit). */
typedef uint64_t csum_v2u64 __attribute__((vector_size(16)));

uint64_t
csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *d = data;
	/* Modulo 0xffff, 2^16, 2^32 and 2^64 are all 1: a 64-bit word is the
	 * sum of its four 16-bit words, and of its two 32-bit halves.  So the
	 * bulk goes 32 bytes a turn as 32-bit halves into four 64-bit vector
	 * lanes (no carries to track; independent adds), the rest as 64-bit
	 * words into a 128-bit sum (the compiler adds with carry), and the
	 * result folds to the value 16-bit words give.  The sum is zero only
	 * if 'sum' and every byte are, as with 16-bit words, so the folded
	 * value is bit for bit the same (0xffff and 0 do not swap). */
	__extension__ unsigned __int128 s = sum;
	uint64_t lo, hi;

	while (len >= 32) {
		const csum_v2u64 low32 = { 0xffffffffu, 0xffffffffu };
		csum_v2u64 a = { 0, 0 }, b = { 0, 0 };
		/* Each lane gains under 2^34 a turn: 2^20 turns cannot
		 * overflow it. */
		size_t turns = len / 32 < (1u << 20) ? len / 32 : (1u << 20);

		for (size_t i = 0; i < turns; i++) {
			csum_v2u64 x, y;

			memcpy(&x, d, 16);
			memcpy(&y, d + 16, 16);
			a += (x & low32) + (y & low32);
			b += (x >> 32) + (y >> 32);
			d += 32;
		}
		len -= turns * 32;
		s += a[0];
		s += a[1];
		s += b[0];
		s += b[1];
	}
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, d, 8);
		s += w;
		d += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;

		memcpy(&w, d, 4);
		s += w;
		d += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, d, 2);
		s += w;
		d += 2;
		len -= 2;
	}
	if (len) {
		/* The odd byte is the first of a 16-bit word padded with a
		 * zero: in memory order, that is the word { d[0], 0 }. */
		uint8_t w[2] = { d[0], 0 };
		uint16_t v;

		memcpy(&v, w, 2);
		s += v;
	}
	/* Fold the high half in with an end-around carry: nonzero stays
	 * nonzero. */
	lo = (uint64_t)s;
	hi = (uint64_t)(s >> 64);
	lo += hi;
	return lo + (lo < hi);
}

static void
put_csum(uint8_t *at, uint16_t csum)
{
	memcpy(at, &csum, 2);
}

/* Parses the headers of a GSO frame of type 'type' (ECN bit clear) into
 * 'ol' (l3_off, l4_off, hdr_len).  Returns false if they do not parse. */
static bool
parse_gso_headers(const uint8_t *d, uint32_t len, unsigned type,
		  struct pkt_offload *ol)
{
	uint32_t off = 2 * ETH_ADDR_LEN, l4;
	uint16_t ethertype;
	unsigned proto;

	for (int tags = 0;; tags++) {
		if (off + 2 > len)
			return false;
		ethertype = eth_get_be16(d + off);
		off += 2;
		if (ethertype != ETH_TYPE_VLAN && ethertype != ETH_TYPE_QINQ)
			break;
		if (tags == 2)
			return false;
		off += 2;	/* the TCI */
	}
	if (ethertype == ETH_TYPE_IPV4) {
		uint32_t ihl;

		if (type == VIRTIO_NET_HDR_GSO_TCPV6 || off + 20 > len ||
		    d[off] >> 4 != 4)
			return false;
		ihl = (d[off] & 0xfu) * 4;
		/* No fragment of a datagram is segmented. */
		if (ihl < 20 || off + ihl > len ||
		    (eth_get_be16(d + off + 6) & 0x3fff))
			return false;
		proto = d[off + 9];
		l4 = off + ihl;
	} else if (ethertype == ETH_TYPE_IPV6) {
		if (type == VIRTIO_NET_HDR_GSO_TCPV4 ||
		    off + IPV6_HDR_LEN > len || d[off] >> 4 != 6)
			return false;
		proto = d[off + 6];
		l4 = off + IPV6_HDR_LEN;
	} else {
		return false;
	}
	ol->l3_off = (uint16_t)off;
	ol->l4_off = (uint16_t)l4;
	if (type == VIRTIO_NET_HDR_GSO_UDP_L4) {
		if (proto != IPPROTO_UDP_)
			return false;
		ol->hdr_len = (uint16_t)(l4 + UDP_HDR_LEN);
	} else {
		uint32_t doff;

		if (proto != IPPROTO_TCP_ || l4 + 20 > len)
			return false;
		doff = (uint32_t)(d[l4 + 12] >> 4) * 4;
		if (doff < 20)
			return false;
		ol->hdr_len = (uint16_t)(l4 + doff);
	}
	/* Headers and at least one payload byte. */
	return ol->hdr_len < len;
}

int
pkt_offload_from_vnet(struct pkt *p, const struct virtio_net_hdr *h)
{
	struct pkt_offload ol;
	unsigned type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	memset(&p->ol, 0, sizeof p->ol);
	if (h->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM |
			 VIRTIO_NET_HDR_F_DATA_VALID))
		return -EINVAL;
	memset(&ol, 0, sizeof ol);
	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (h->csum_start < ETH_HDR_LEN ||
		    (uint32_t)h->csum_start + h->csum_offset + 2 > p->len)
			return -EINVAL;
		ol.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		ol.csum_start = h->csum_start;
		ol.csum_offset = h->csum_offset;
	}
	if (type == VIRTIO_NET_HDR_GSO_NONE) {
		if (h->gso_type & VIRTIO_NET_HDR_GSO_ECN)
			return -EINVAL;
		p->ol = ol;
		return 0;
	}
	if (type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    type != VIRTIO_NET_HDR_GSO_TCPV6 &&
	    type != VIRTIO_NET_HDR_GSO_UDP_L4)
		return -EINVAL;
	if (h->gso_size == 0 || h->hdr_len > p->len ||
	    ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	     type == VIRTIO_NET_HDR_GSO_UDP_L4) ||
	    !parse_gso_headers(p->data, p->len, type, &ol))
		return -EINVAL;
	/* Virtio 1.2 §5.1.6.2.1: a GSO frame also asks for its L4 checksum,
	 * and it must be the one the segments get. */
	if (!ol.flags || ol.csum_start != ol.l4_off ||
	    ol.csum_offset != (type == VIRTIO_NET_HDR_GSO_UDP_L4 ? 6 : 16))
		return -EINVAL;
	if (p->len - ol.hdr_len <= h->gso_size) {
		/* One segment: the frame as it is, its checksum finished the
		 * ordinary way (the header already says where). */
		ol.l3_off = ol.l4_off = ol.hdr_len = 0;
		p->ol = ol;
		return 0;
	}
	ol.gso_type = h->gso_type;
	ol.gso_size = h->gso_size;
	p->ol = ol;
	return 0;
}

unsigned
pkt_offload_needs(const struct pkt *p)
{
	unsigned type = p->ol.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	unsigned need = p->ol.flags ? PKT_OL_CSUM : 0;

	if (p->ol.gso_type & VIRTIO_NET_HDR_GSO_ECN)
		need |= PKT_OL_ECN;
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return need | PKT_OL_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return need | PKT_OL_TSO6;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return need | PKT_OL_USO;
	default:
		return need;
	}
}

void
pkt_offload_to_vnet(const struct pkt *p, struct virtio_net_hdr *h)
{
	memset(h, 0, sizeof *h);
	h->flags = p->ol.flags;
	if (p->ol.flags) {
		h->csum_start = p->ol.csum_start;
		h->csum_offset = p->ol.csum_offset;
	}
	if (p->ol.gso_type) {
		h->gso_type = p->ol.gso_type;
		h->gso_size = p->ol.gso_size;
		h->hdr_len = p->ol.hdr_len;
	}
}

void
pkt_csum_finish(struct pkt *p)
{
	uint32_t start = p->ol.csum_start;
	uint16_t csum;

	if (!p->ol.flags)
		return;
	/* The field holds the pseudo-header sum: it is summed with the
	 * rest, which is what the device would add (Linux's
	 * skb_checksum_help(), 0 sent as 0xffff as there). */
	csum = csum_fold(csum_add(0, p->data + start, p->len - start));
	put_csum(p->data + start + p->ol.csum_offset, csum ? csum : 0xffff);
	p->ol.flags = 0;
}

uint64_t
pkt_pseudo_sum(const uint8_t *ip, uint32_t l4_len, unsigned proto)
{
	uint8_t pseudo[8] = { 0 };
	uint64_t sum;

	if (ip[0] >> 4 == 4) {
		sum = csum_add(0, ip + 12, 8);		/* addresses */
		eth_put_be16(pseudo + 2, (uint16_t)proto);
		eth_put_be16(pseudo + 6, (uint16_t)l4_len);
	} else {
		sum = csum_add(0, ip + 8, 32);
		eth_put_be32(pseudo, l4_len);
		pseudo[7] = (uint8_t)proto;
	}
	return csum_add(sum, pseudo, sizeof pseudo);
}

uint32_t
pkt_gso_build_hdr(const struct pkt *p, uint32_t mss, uint32_t off,
		  uint8_t *out)
{
	const struct pkt_offload *ol = &p->ol;
	uint32_t hdr = ol->hdr_len, payload = p->len - hdr;
	uint32_t n = payload - off < mss ? payload - off : mss;
	uint32_t len = hdr + n;
	uint8_t *ip = out + ol->l3_off, *l4 = out + ol->l4_off;
	bool udp = (ol->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
		   VIRTIO_NET_HDR_GSO_UDP_L4;
	unsigned proto = udp ? IPPROTO_UDP_ : IPPROTO_TCP_;
	uint8_t *csum_at = l4 + (udp ? 6 : 16);
	uint64_t sum;
	uint16_t csum;

	memcpy(out, p->data, hdr);
	if (ip[0] >> 4 == 4) {
		uint32_t ihl = (ip[0] & 0xfu) * 4;

		/* Linux's inet_gso_segment(): ids count up per segment. */
		eth_put_be16(ip + 2, (uint16_t)(len - ol->l3_off));
		eth_put_be16(ip + 4, (uint16_t)(eth_get_be16(ip + 4) +
						off / mss));
		memset(ip + 10, 0, 2);
		put_csum(ip + 10, csum_fold(csum_add(0, ip, ihl)));
	} else {
		eth_put_be16(ip + 4, (uint16_t)(len - ol->l3_off -
						IPV6_HDR_LEN));
	}
	if (udp) {
		eth_put_be16(l4 + 4, (uint16_t)(len - ol->l4_off));
	} else {
		/* tcp_gso_segment(): sequence numbers advance with the
		 * payload; CWR only on the first segment, FIN and PSH only on
		 * the last. */
		eth_put_be32(l4 + 4, eth_get_be32(l4 + 4) + off);
		if (off)
			l4[13] &= (uint8_t)~TCP_FLAG_CWR;
		if (off + n < payload)
			l4[13] &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
	}
	/* The L4 checksum over the pseudo-header, the L4 header here and
	 * the payload where it lies in 'p' (the L4 header's length is even,
	 * so the two sums chain). */
	memset(csum_at, 0, 2);
	sum = pkt_pseudo_sum(ip, len - ol->l4_off, proto);
	sum = csum_add(sum, l4, hdr - ol->l4_off);
	csum = csum_fold(csum_add(sum, p->data + hdr + off, n));
	put_csum(csum_at, udp && !csum ? 0xffff : csum);
	return len;
}

uint32_t
pkt_gso_build(const struct pkt *p, uint32_t mss, uint32_t off, uint8_t *out)
{
	uint32_t len = pkt_gso_build_hdr(p, mss, off, out);
	uint32_t hdr = p->ol.hdr_len;

	memcpy(out + hdr, p->data + hdr + off, len - hdr);
	return len;
}

int
pkt_gso_segment(const struct pkt *p, uint32_t mss, struct pkt_pool *pool,
		struct pkt **segs, int max, uint32_t *offp)
{
	uint32_t payload = p->len - p->ol.hdr_len;
	int n = 0;

	while (n < max && *offp < payload) {
		struct pkt *s = pkt_alloc(pool);

		if (!s)
			break;
		s->len = pkt_gso_build(p, mss, *offp, s->data);
		s->in_port = p->in_port;
		s->vid = p->vid;
		s->tci = p->tci;
		s->tagged = p->tagged;
		s->ts_ns = p->ts_ns;
		segs[n++] = s;
		*offp += mss;
	}
	return n;
}

bool
pkt_offload_parse(const uint8_t *d, uint32_t len, unsigned type,
		  struct pkt_offload *ol)
{
	return parse_gso_headers(d, len, type, ol);
}
