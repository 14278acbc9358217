/*
 * netdev-frame.c - received AF_PACKET frames back to their wire form (see
 * netdev-frame.h).
 */
#include "netdev-frame.h"

#include <linux/if_packet.h>

#include "eth.h"
#include "pkt.h"

enum netdev_rx_verdict
netdev_frame_check(const struct netdev_rx_meta *meta)
{
	uint32_t tag = (meta->status & TP_STATUS_VLAN_VALID)
		       ? ETH_VLAN_HDR_LEN : 0;

	if (meta->len < ETH_HDR_LEN)
		return NETDEV_RX_RUNT;
	/* Oversize before truncated: a frame we could never hold is the
	 * more useful thing to count, and it was cut short for that very
	 * reason. */
	if (meta->len > PKT_DATA_MAX - tag)
		return NETDEV_RX_OVERSIZE;
	if (meta->snaplen < meta->len)
		return NETDEV_RX_TRUNCATED;
	return NETDEV_RX_OK;
}

bool
netdev_frame_vlan(const struct netdev_rx_meta *meta, uint16_t *tpidp,
		  uint16_t *tcip)
{
	if (!(meta->status & TP_STATUS_VLAN_VALID))
		return false;
	*tpidp = (meta->status & TP_STATUS_VLAN_TPID_VALID) && meta->vlan_tpid
		 ? meta->vlan_tpid : ETH_TYPE_VLAN;
	*tcip = meta->vlan_tci;
	return true;
}

bool
netdev_frame_restore_vlan(struct pkt *p, const struct netdev_rx_meta *meta)
{
	uint16_t tpid, tci;

	if (!netdev_frame_vlan(meta, &tpid, &tci))
		return false;
	pkt_push_vlan(p, tpid, tci);
	return true;
}

/* One's-complement sum of 'n' bytes at 'p' as big-endian 16-bit words (an
 * odd last byte padded with zero), added to 'sum' (RFC 1071). */
static uint64_t
csum_add(uint64_t sum, const uint8_t *p, uint32_t n)
{
	for (; n >= 2; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

bool
netdev_frame_complete_csum(uint8_t *frame, uint32_t len)
{
	uint32_t l3 = 2 * ETH_ADDR_LEN, l4, l4len, field;
	uint64_t sum = 0;
	uint16_t type, csum;
	uint8_t proto;

	if (len < ETH_HDR_LEN)
		return false;
	type = eth_get_be16(frame + l3);
	for (int tags = 0; tags < 2 && (type == ETH_TYPE_VLAN ||
					type == ETH_TYPE_QINQ); tags++) {
		l3 += ETH_VLAN_HDR_LEN;
		if (len < l3 + 2)
			return false;
		type = eth_get_be16(frame + l3);
	}
	l3 += 2;
	if (type == ETH_TYPE_IPV4) {
		uint32_t ihl, total;

		if (len < l3 + 20 || frame[l3] >> 4 != 4)
			return false;
		ihl = (frame[l3] & 0x0fu) * 4;
		total = eth_get_be16(frame + l3 + 2);
		/* MF or an offset: a fragment has no whole segment. */
		if (ihl < 20 || total < ihl || len < l3 + total ||
		    (eth_get_be16(frame + l3 + 6) & 0x3fff))
			return false;
		proto = frame[l3 + 9];
		l4 = l3 + ihl;
		l4len = total - ihl;
		sum = csum_add(sum, frame + l3 + 12, 8);	/* SA, DA */
	} else if (type == ETH_TYPE_IPV6) {
		if (len < l3 + 40 || frame[l3] >> 4 != 6)
			return false;
		l4len = eth_get_be16(frame + l3 + 4);
		proto = frame[l3 + 6];
		l4 = l3 + 40;
		if (len < l4 + l4len)
			return false;
		sum = csum_add(sum, frame + l3 + 8, 32);	/* SA, DA */
	} else {
		return false;
	}
	if (proto == 6)			/* TCP */
		field = 16;
	else if (proto == 17)		/* UDP */
		field = 6;
	else
		return false;
	if (l4len < field + 2)
		return false;
	sum += proto;
	sum += l4len;
	frame[l4 + field] = frame[l4 + field + 1] = 0;
	sum = csum_add(sum, frame + l4, l4len);
	csum = csum_fold(sum);
	/* UDP: an all-zero checksum means "none" (RFC 768). */
	if (proto == 17 && !csum)
		csum = 0xffff;
	eth_put_be16(frame + l4 + field, csum);
	return true;
}
