/*
 * vxlan-gso.c - UDP GSO runs and software GRO for VXLAN ports (see
 * vxlan-gso.h).
 *
 * Checksums are summed over the bytes as they lie in memory and stored
 * with memcpy (pkt-offload.c says why); header fields go through
 * eth_get/put_be16/32.
 */
#include "vxlan-gso.h"

#include <string.h>

#include "eth.h"

#define IPPROTO_TCP_	6
#define IPV4_HDR_LEN	20
#define IPV6_HDR_LEN	40
#define TCP_FLAG_PSH	0x08
#define TCP_FLAG_ACK	0x10
#define IP_TOTAL_MAX	65535

size_t
vxlan_gso_pack_run(const struct pkt *p, uint32_t vni, uint32_t *offp,
		   size_t room, struct vxlan_gso_run *r)
{
	uint32_t mss = p->ol.gso_size, payload = p->len - p->ol.hdr_len;
	uint32_t seg = vxlan_gso_seg_size(p), hdr = p->ol.hdr_len;

	r->n_iov = r->n_segs = 0;
	r->len = 0;
	if (VXLAN_HDR_LEN + hdr > VXLAN_GSO_HDR_ROOM)
		return 0;
	if (room > VXLAN_GSO_MAX_BYTES)
		room = VXLAN_GSO_MAX_BYTES;
	/* Room for a full payload each time: only the frame's last one is
	 * shorter, and it ends the run anyway. */
	while (*offp < payload && r->n_segs < VXLAN_GSO_MAX_SEGS &&
	       r->len + seg <= room) {
		uint8_t *h = r->hdr[r->n_segs];
		uint32_t len;

		vxlan_hdr_encode(h, vni);
		len = pkt_gso_build_hdr(p, mss, *offp, h + VXLAN_HDR_LEN);
		r->iov[r->n_iov].iov_base = h;
		r->iov[r->n_iov++].iov_len = VXLAN_HDR_LEN + hdr;
		/* The iovec does not write through: the cast only drops
		 * const for struct iovec's sake. */
		r->iov[r->n_iov].iov_base = (uint8_t *)(uintptr_t)
					    (p->data + hdr + *offp);
		r->iov[r->n_iov++].iov_len = len - hdr;
		r->len += VXLAN_HDR_LEN + len;
		r->n_segs++;
		*offp += mss;
	}
	return r->len;
}

void
vxlan_gso_run_flatten(const struct vxlan_gso_run *r, uint8_t *buf)
{
	for (unsigned i = 0; i < r->n_iov; i++) {
		memcpy(buf, r->iov[i].iov_base, r->iov[i].iov_len);
		buf += r->iov[i].iov_len;
	}
}

size_t
vxlan_gso_pack(const struct pkt *p, uint32_t vni, uint32_t *offp,
	       uint8_t *buf, size_t room, unsigned *n_segs)
{
	static __thread struct vxlan_gso_run r;

	vxlan_gso_pack_run(p, vni, offp, room, &r);
	vxlan_gso_run_flatten(&r, buf);
	*n_segs = r.n_segs;
	return r.len;
}

/* True if frame 'f' ('len' bytes) is a TCP segment GRO may merge (see
 * the top of vxlan-gso.h): its headers into '*ol' and '*type'. */
static bool
gro_candidate(const uint8_t *f, uint32_t len, struct pkt_offload *ol,
	      uint8_t *type)
{
	const uint8_t *ip, *th;
	uint32_t l4_len;

	memset(ol, 0, sizeof *ol);
	if (len > PKT_DATA_MAX)
		return false;
	if (pkt_offload_parse(f, len, VIRTIO_NET_HDR_GSO_TCPV4, ol))
		*type = VIRTIO_NET_HDR_GSO_TCPV4;
	else if (pkt_offload_parse(f, len, VIRTIO_NET_HDR_GSO_TCPV6, ol))
		*type = VIRTIO_NET_HDR_GSO_TCPV6;
	else
		return false;
	ip = f + ol->l3_off;
	/* The IP length must be the frame's: no Ethernet padding, which
	 * would otherwise be merged as payload. */
	if (*type == VIRTIO_NET_HDR_GSO_TCPV4) {
		if (ip[0] != 0x45 || eth_get_be16(ip + 2) != len - ol->l3_off ||
		    csum_fold(csum_add(0, ip, IPV4_HDR_LEN)) != 0)
			return false;
	} else if (eth_get_be16(ip + 4) != len - ol->l3_off - IPV6_HDR_LEN) {
		return false;
	}
	th = f + ol->l4_off;
	if ((th[12] & 0x0f) || (th[13] & ~TCP_FLAG_PSH) != TCP_FLAG_ACK)
		return false;
	l4_len = len - ol->l4_off;
	return csum_fold(csum_add(pkt_pseudo_sum(ip, l4_len, IPPROTO_TCP_), th,
				  l4_len)) == 0;
}

bool
vxlan_gro_start(struct vxlan_gro *g, struct pkt *p)
{
	const uint8_t *th;
	uint32_t payload;

	memset(g, 0, sizeof *g);
	if (pkt_offload_pending(p) ||
	    !gro_candidate(p->data, p->len, &g->ol, &g->type))
		return false;
	th = p->data + g->ol.l4_off;
	payload = p->len - g->ol.hdr_len;
	g->p = p;
	g->mss = (uint16_t)payload;
	g->seq_next = eth_get_be32(th + 4) + payload;
	if (g->type == VIRTIO_NET_HDR_GSO_TCPV4)
		g->ip_id_next = (uint16_t)(eth_get_be16(p->data + g->ol.l3_off +
							4) + 1);
	g->segs = 1;
	g->closed = (th[13] & TCP_FLAG_PSH) != 0;
	return true;
}

/* True if the headers of 'f' (parsed as 'ol') are g->p's but for what
 * changes from segment to segment. */
static bool
gro_same_flow(const struct vxlan_gro *g, const uint8_t *f,
	      const struct pkt_offload *ol)
{
	const uint8_t *ip = f + ol->l3_off, *th = f + ol->l4_off;
	const uint8_t *pip = g->p->data + ol->l3_off;
	const uint8_t *pth = g->p->data + ol->l4_off;

	if (memcmp(f, g->p->data, ol->l3_off))		/* MACs, tags */
		return false;
	if (g->type == VIRTIO_NET_HDR_GSO_TCPV4) {
		/* Version, TOS; flags, TTL, protocol; addresses. */
		if (memcmp(ip, pip, 2) || memcmp(ip + 6, pip + 6, 4) ||
		    memcmp(ip + 12, pip + 12, 8) ||
		    eth_get_be16(ip + 4) != g->ip_id_next)
			return false;
	} else if (memcmp(ip, pip, 4) || memcmp(ip + 6, pip + 6, 34)) {
		return false;
	}
	/* Ports; ack and data offset; window; urgent pointer and every
	 * option byte (timestamps included, as Linux). */
	return !memcmp(th, pth, 4) && !memcmp(th + 8, pth + 8, 5) &&
	       !memcmp(th + 14, pth + 14, 2) &&
	       !memcmp(th + 18, pth + 18, ol->hdr_len - ol->l4_off - 18) &&
	       eth_get_be32(th + 4) == g->seq_next;
}

bool
vxlan_gro_merge(struct vxlan_gro *g, const uint8_t *f, uint32_t len)
{
	struct pkt *p = g->p;
	struct pkt_offload ol;
	uint8_t type, *pip, *pth;
	uint32_t payload;
	uint16_t pseudo;

	if (!p || g->closed || !gro_candidate(f, len, &ol, &type) ||
	    type != g->type || ol.l3_off != g->ol.l3_off ||
	    ol.l4_off != g->ol.l4_off || ol.hdr_len != g->ol.hdr_len)
		return false;
	payload = len - ol.hdr_len;
	if (payload > g->mss || p->len + payload > PKT_DATA_MAX ||
	    p->len + payload - ol.l3_off > IP_TOTAL_MAX ||
	    !gro_same_flow(g, f, &ol))
		return false;

	memcpy(p->data + p->len, f + ol.hdr_len, payload);
	p->len += payload;
	g->segs++;
	g->seq_next += payload;
	g->ip_id_next++;
	pip = p->data + ol.l3_off;
	pth = p->data + ol.l4_off;
	if (f[ol.l4_off + 13] & TCP_FLAG_PSH) {
		pth[13] |= TCP_FLAG_PSH;
		g->closed = true;
	}
	if (payload < g->mss)
		g->closed = true;
	if (type == VIRTIO_NET_HDR_GSO_TCPV4) {
		uint16_t csum;

		eth_put_be16(pip + 2, (uint16_t)(p->len - ol.l3_off));
		memset(pip + 10, 0, 2);
		csum = csum_fold(csum_add(0, pip, IPV4_HDR_LEN));
		memcpy(pip + 10, &csum, 2);
	} else {
		eth_put_be16(pip + 4, (uint16_t)(p->len - ol.l3_off -
						 IPV6_HDR_LEN));
	}
	/* NEEDS_CSUM: the field holds the pseudo-header sum, folded and
	 * not complemented; the rest is added where the frame lands. */
	pseudo = (uint16_t)~csum_fold(pkt_pseudo_sum(pip, p->len - ol.l4_off,
						     IPPROTO_TCP_));
	memcpy(pth + 16, &pseudo, 2);
	p->ol = ol;
	p->ol.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	p->ol.gso_type = type;
	p->ol.gso_size = g->mss;
	p->ol.csum_start = ol.l4_off;
	p->ol.csum_offset = 16;
	return true;
}
