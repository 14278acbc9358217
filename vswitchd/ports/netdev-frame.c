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
