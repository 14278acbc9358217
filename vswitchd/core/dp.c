/*
 * dp.c - the burst forwarding pipeline (see dp.h for the order of steps).
 *
 * Frames travel in an internal form: when VLAN filtering is on, the outer
 * bridge-protocol tag is removed at ingress and the classified VID and
 * PCP/DEI ride in the packet metadata; the tag is pushed again, per egress
 * port, right before that port's transmit if the port sends the VLAN tagged.
 * With filtering off frames are never edited.  A packet may borrow its
 * data from the ingress port (a guest's TX buffer, see pkt.h): every
 * in-place edit or parse beyond the MAC addresses is preceded by
 * pkt_make_writable(), except the egress MTU check's read of the EtherType,
 * where data changing under us only changes that frame's own fate.
 */
#include "dp.h"

#include <stdlib.h>
#include <string.h>

#include "bridge-types.h"
#include "bridge-event.h"
#include "clock.h"
#include "dp-trace.h"
#include "fdb.h"
#include "pkt.h"
#include "pkt-offload.h"
#include "port-provider.h"
#include "stp-glue.h"
#include "util.h"

/* Frames queued for one port during one input burst: each input frame at
 * most once, so a burst's worth is enough. */
struct dp_txq {
	unsigned n;
	struct pkt *pkts[PKT_BURST];
};

struct dp {
	struct pkt_pool *pool;
	/* Ports queued to in the running burst, flushed at its end. */
	unsigned n_dirty;
	struct port *dirty[BRIDGE_MAX_PORTS];
	/* By port number; [0] is the bridge device's (its port_no is 0). */
	struct dp_txq txq[BRIDGE_MAX_PORTS];
	/* Set only while a traced frame runs (dp-trace.h); else NULL. */
	struct dp_trace *trace;
};

struct dp *
dp_create(unsigned pool_size)
{
	/* About 270 KB, mostly queues of port numbers never used: calloc
	 * takes it from fresh zero pages, which cost nothing until touched. */
	struct dp *dp = xcalloc(1, sizeof *dp);

	dp->pool = pkt_pool_create(pool_size);
	return dp;
}

void
dp_destroy(struct dp *dp)
{
	if (!dp)
		return;
	pkt_pool_destroy(dp->pool);
	free(dp);
}

struct pkt_pool *
dp_pool(struct dp *dp)
{
	return dp->pool;
}

void
dp_set_trace(struct dp *dp, struct dp_trace *tr)
{
	dp->trace = tr;
}

static inline void
drop(struct port *port, enum port_drop_reason reason)
{
	port->stats.drops[reason]++;
	if (unlikely(port->br->dp->trace))
		dp_trace_drop(port->br->dp->trace, port, reason);
}

static inline void
enqueue(struct dp *dp, struct port *q, struct pkt *p)
{
	struct dp_txq *txq = &dp->txq[q->port_no];

	if (txq->n == 0)
		dp->dirty[dp->n_dirty++] = q;
	DASSERT(txq->n < PKT_BURST);
	txq->pkts[txq->n++] = p;
}

/* Linux should_deliver(): not back out of the ingress port unless hairpin,
 * egress forwarding, VLAN member, not isolated-to-isolated. */
static inline enum dp_deliver
should_deliver(const struct bridge *br, const struct port *in,
	       const struct port *q, const struct pkt *p)
{
	if (q == in && !(q->flags & PORT_F_HAIRPIN))
		return DP_DELIVER_SAME_PORT;
	if (q->state != PORT_FORWARDING)
		return DP_DELIVER_STATE;
	if (br->opt.vlan_filtering && !vlan_egress_allowed(&q->vlans, p->vid))
		return DP_DELIVER_VLAN;
	if (in && (in->flags & q->flags & PORT_F_ISOLATED))
		return DP_DELIVER_ISOLATED;
	return DP_DELIVER_OK;
}

static void
deliver_to_host(struct bridge *br, struct dp *dp, struct pkt *p)
{
	if (br->opt.vlan_filtering &&
	    !vlan_egress_allowed(&br->self_vlans, p->vid)) {
		if (unlikely(dp->trace))
			dp_trace_step(dp->trace, "host", NULL, "skip",
				      "bridge device not in VLAN %u", p->vid);
		return;
	}
	if (unlikely(dp->trace))
		dp_trace_step(dp->trace, "host", NULL,
			      br->host ? "deliver" : "skip",
			      br->host ? NULL : "no bridge device");
	br->stats.to_host++;
	if (br->host)
		enqueue(dp, br->host, p);
}

/* Floods 'p' to every port whose flood flag 'flag' is set (PORT_F_ALL:
 * to every port, as a hub).  Frames the bridge device originates ('in'
 * NULL) ignore mcast/bcast_flood (§3.1). */
static void
flood(struct bridge *br, struct dp *dp, struct port *in, struct pkt *p,
      uint32_t flag)
{
	bool local_orig = in == NULL;

	br->stats.flooded++;
	for (unsigned i = 1; i <= br->max_port_no; i++) {
		struct port *q = br->ports[i];
		enum dp_deliver why;

		if (!q)
			continue;
		if (!(q->flags & flag) && !(local_orig && flag != PORT_F_FLOOD)
		    && flag != PORT_F_ALL) {
			if (unlikely(dp->trace))
				dp_trace_step(dp->trace, "egress", q, "skip",
					      "%s off", flag == PORT_F_FLOOD ?
					      "flood" : flag == PORT_F_MCAST_FLOOD ?
					      "mcast_flood" : "bcast_flood");
			continue;
		}
		why = should_deliver(br, in, q, p);
		if (unlikely(dp->trace))
			dp_trace_deliver(dp->trace, q, why);
		if (why == DP_DELIVER_OK)
			enqueue(dp, q, p);
	}
}

/* storm_limit: false if 'in' has used up this second's flooded frames
 * (then counted as a storm drop). */
static inline bool
storm_allow(struct dp *dp, struct port *in)
{
	bool ok;

	if (!in || likely(!in->storm.pps))
		return true;
	if (unlikely(dp->trace)) {
		/* A dry run asks a copy of the bucket: the same verdict,
		 * no token taken. */
		struct tbucket tb = in->storm.tb;

		ok = tbucket_take(&tb, clock_now_ms(), 1);
		dp_trace_step(dp->trace, "storm", in, ok ? "pass" : "drop",
			      "storm_limit %u/s", (unsigned)in->storm.pps);
	} else {
		ok = tbucket_take(&in->storm.tb, clock_now_ms(), 1);
	}
	if (!ok)
		drop(in, PORT_DROP_STORM);
	return ok;
}

/* Queues 'p' for its egress ports ('in' NULL for the bridge device):
 * broadcast and multicast are flooded and, from a port, also delivered to
 * the bridge device; unknown unicast is flooded; known unicast goes to the
 * bridge device (a local entry, from a port only) or to its port if
 * should_deliver() allows, else it is counted as a no_egress drop on 'in'.
 * A hub floods every frame to every port that may take it (flood flags
 * and the FDB unused) and to the bridge device.  Every flooded frame from
 * a port first passes its storm_limit.  A frame queued nowhere is simply
 * freed with the burst. */
static void
forward(struct bridge *br, struct dp *dp, struct port *in,
	struct pkt *p)
{
	const struct eth_addr *dst = eth_dst(p->data);

	if (unlikely(br->opt.hub)) {
		if (unlikely(dp->trace))
			dp_trace_step(dp->trace, "lookup", NULL, "hub",
				      "flood to every port");
		if (!storm_allow(dp, in))
			return;
		flood(br, dp, in, p, PORT_F_ALL);
		if (in)
			deliver_to_host(br, dp, p);
		return;
	}
	if (eth_addr_is_multicast(dst)) {
		bool bcast = eth_addr_is_broadcast(dst);

		if (unlikely(dp->trace))
			dp_trace_step(dp->trace, "lookup", NULL,
				      bcast ? "broadcast" : "multicast",
				      "flood");
		if (!storm_allow(dp, in))
			return;
		flood(br, dp, in, p,
		      bcast ? PORT_F_BCAST_FLOOD : PORT_F_MCAST_FLOOD);
		if (in)
			deliver_to_host(br, dp, p);
		return;
	}

	struct fdb_entry *e = fdb_lookup(br->fdb, dst, p->vid);

	if (!e) {
		if (unlikely(dp->trace))
			dp_trace_step(dp->trace, "lookup", NULL, "unknown",
				      "vid %u: flood", p->vid);
		if (storm_allow(dp, in))
			flood(br, dp, in, p, PORT_F_FLOOD);
		return;
	}
	if (e->flags & FDB_F_LOCAL) {
		if (unlikely(dp->trace))
			dp_trace_step(dp->trace, "lookup", NULL, "local",
				      "vid %u: for the bridge itself", p->vid);
		if (in)
			deliver_to_host(br, dp, p);
		return;
	}

	struct port *q = br->ports[e->port_no];
	enum dp_deliver why = q ? should_deliver(br, in, q, p)
				: DP_DELIVER_STATE;

	if (unlikely(dp->trace)) {
		dp_trace_step(dp->trace, "lookup", q, "known", "vid %u", p->vid);
		if (q)
			dp_trace_deliver(dp->trace, q, why);
	}
	if (why == DP_DELIVER_OK) {
		if (likely(!dp->trace) || dp->trace->learn)
			fdb_entry_use(e, br->now_ms);
		br->stats.forwarded++;
		enqueue(dp, q, p);
	} else if (in) {
		drop(in, PORT_DROP_NO_EGRESS);
	}
}

/* Learns the source of a frame from 'in' classified to 'vid'. */
static inline void
learn(struct bridge *br, struct port *in, const struct pkt *p)
{
	if (unlikely(br->dp->trace) && !dp_trace_learn(br->dp->trace, br, in, p))
		return;
	switch (fdb_learn(br->fdb, eth_src(p->data), p->vid, in->port_no,
			  br->now_ms)) {
	case FDB_LEARN_NEW:
		br->stats.learned++;
		if (unlikely(bridge_events_enabled))
			bridge_event_fdb(br->events, BRIDGE_EV_FDB_NEW,
					 eth_src(p->data), p->vid, in->port_no,
					 0);
		break;
	case FDB_LEARN_MOVED:
		br->stats.moved++;
		if (unlikely(bridge_events_enabled))
			bridge_event_fdb(br->events, BRIDGE_EV_FDB_MOVED,
					 eth_src(p->data), p->vid, in->port_no,
					 0);
		break;
	case FDB_LEARN_FULL:
		br->stats.learn_full++;
		break;
	default:
		break;
	}
}

/* Classifies 'p' into a VLAN (filtering on) and converts it to the internal
 * untagged form.  Returns false if the ingress filter drops it. */
static inline bool
vlan_classify(const struct bridge *br, const struct vlan_port *vp,
	      struct pkt *p)
{
	struct dp_trace *tr = br->dp->trace;
	struct vlan_class cls;
	enum vlan_verdict v;

	p->vid = 0;
	p->tci = 0;
	p->tagged = false;
	if (!br->opt.vlan_filtering) {
		if (unlikely(tr))
			dp_trace_step(tr, "vlan", NULL, "off",
				      "filtering off: frame untouched, FDB "
				      "at vid 0");
		return true;
	}
	/* The tag is parsed, then popped: both on our own copy. */
	pkt_make_writable(p);
	v = vlan_ingress(vp, br->opt.vlan_protocol, p->data, p->len, &cls);
	if (unlikely(tr))
		dp_trace_vlan(tr, v, &cls);
	if (v != VLAN_ACCEPT)
		return false;
	p->vid = cls.vid;
	p->tci = cls.tci;
	if (cls.had_tag)
		pkt_pop_vlan(p);
	return true;
}

/* Link-local destinations 01:80:C2:00:00:0X (§3.4).  Returns true if the
 * frame continues as data, false if it was trapped or dropped. */
static bool
link_local(struct bridge *br, struct port *in, struct pkt *p)
{
	unsigned x = p->data[5];
	uint16_t mask = in->group_fwd_mask;
	struct dp_trace *tr = br->dp->trace;

	/* PAUSE is never forwarded, transparent or not: it is addressed to
	 * the link partner's MAC and would stall a real NIC behind a port. */
	if (x == 0x01) {
		if (unlikely(tr))
			dp_trace_step(tr, "link-local", NULL, "pause",
				      "01:80:c2:00:00:01 is always dropped");
		drop(in, PORT_DROP_PAUSE);
		return false;
	}
	if (br->opt.transparent)
		return true;	/* data, however the masks say */
	if (br->opt.vlan_filtering && br->opt.vlan_protocol == ETH_TYPE_QINQ)
		mask |= 0xb801;	/* provider bridge: customer addresses are data */
	if (x != 0x00)
		mask |= br->opt.group_fwd_mask;
	if (unlikely(tr))
		dp_trace_link_local(tr, x, mask, br->opt.stp_state);
	if (x == 0x00) {
		if (!br->opt.stp_state || (mask & 1))
			return true;
	} else if (mask & (1u << x)) {
		return true;
	}

	/* Trapped: learned from (unless no_linklocal_learn), handed to the
	 * port's own stack (STP for the bridge group address), never
	 * forwarded.  Parsed from our own copy. */
	pkt_make_writable(p);
	if ((in->state == PORT_LEARNING || in->state == PORT_FORWARDING) &&
	    (in->flags & PORT_F_LEARNING) && !br->opt.no_linklocal_learn &&
	    !br->opt.hub &&
	    vlan_classify(br, &in->vlans, p))
		learn(br, in, p);
	if (x == 0x00) {
		if (likely(!tr))
			stp_glue_rx_bpdu(br, in, p);
		else
			dp_trace_step(tr, "stp", in, "not run",
				      "a trace never hands a BPDU to STP");
		drop(in, PORT_DROP_STP);
	} else {
		drop(in, PORT_DROP_LINK_LOCAL);
	}
	return false;
}

/* Frame length as the egress MTU check sees it: the outermost VLAN tag
 * travels out of band in Linux (is_skb_forwardable); a GSO frame is
 * judged by its longest segment ('len'). */
static inline bool
exceeds_mtu(const struct port *q, const struct pkt *p, uint32_t len)
{
	if (len >= ETH_HDR_LEN + ETH_VLAN_HDR_LEN) {
		uint16_t type = eth_get_be16(p->data + 12);

		if (type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ)
			len -= ETH_VLAN_HDR_LEN;
	}
	return len > q->mtu + ETH_HDR_LEN + ETH_VLAN_HDR_LEN;
}

/* Puts 'p' in the form port 'q' sends (tagged or not) for its VLAN. */
static inline void
egress_vlan(const struct bridge *br, const struct vlan_port *vp,
	    struct pkt *p)
{
	bool want_tag = !vlan_egress_untagged(vp, p->vid);

	if (want_tag != p->tagged)
		pkt_make_writable(p);
	if (want_tag && !p->tagged) {
		pkt_push_vlan(p, br->opt.vlan_protocol, p->tci | p->vid);
		p->tagged = true;
	} else if (!want_tag && p->tagged) {
		pkt_pop_vlan(p);
		p->tagged = false;
	}
}

/* Sends 'm' frames on 'q' and counts them. */
static void
transmit(struct dp *dp, struct port *q, struct pkt **pkts, int m)
{
	int sent;

	if (!m)
		return;
	/* A trace sends nothing: it says what would go. */
	if (unlikely(dp->trace)) {
		dp_trace_tx(dp->trace, q, pkts, m);
		return;
	}
	sent = port_tx_burst(q, pkts, m);
	if (sent < 0)
		sent = 0;
	if (unlikely(q->capture))
		for (int j = 0; j < sent; j++)
			q->capture(q, pkts[j], true);
	for (int j = 0; j < sent; j++)
		q->stats.tx_bytes += pkts[j]->len;
	q->stats.tx_packets += (uint64_t)sent;
	q->stats.drops[PORT_DROP_TX_ERROR] += (uint64_t)(m - sent);
}

/* Cuts GSO frame 'p' into segments of 'mss' payload bytes for 'q' (which
 * does not take it whole, or not at its MTU) and sends them, a burst at a
 * time, from the bridge's pool.  Segments the pool cannot hold are counted
 * as no_buffer drops. */
static void
transmit_segmented(struct bridge *br, struct port *q, struct pkt *p,
		   uint32_t mss)
{
	uint32_t off = 0, payload = p->len - p->ol.hdr_len;
	struct pkt *segs[PKT_BURST];

	q->stats.tx_sw_gso++;
	while (off < payload) {
		int n = pkt_gso_segment(p, mss, br->pool, segs, PKT_BURST,
					&off);

		if (!n) {
			q->stats.drops[PORT_DROP_NO_BUFFER] +=
				(payload - off + mss - 1) / mss;
			return;
		}
		q->stats.tx_sw_segs += (uint64_t)n;
		transmit(br->dp, q, segs, n);
		for (int j = 0; j < n; j++)
			pkt_free(br->pool, segs[j]);
	}
}

/* Offload work for 'p' on its way out of 'q' (pkt-offload.h).  Returns 0
 * if 'p' goes out as it is now, 1 if it was sent here (segmented), or -1
 * if it is dropped for the MTU. */
static int
egress_offload(struct bridge *br, struct port *q, struct pkt *p)
{
	bool can = (pkt_offload_needs(p) & ~q->tx_offloads) == 0;

	if (!pkt_is_gso(p)) {
		if (!can) {
			pkt_make_writable(p);
			pkt_csum_finish(p);
			q->stats.tx_sw_csum++;
		}
		return !q->is_host && exceeds_mtu(q, p, p->len) ? -1 : 0;
	}
	/* A super-frame is judged by its segments (Linux's
	 * skb_gso_validate_network_len()). */
	uint32_t mss = p->ol.gso_size;

	if (!q->is_host &&
	    exceeds_mtu(q, p, pkt_gso_seg_frame_len(p, mss))) {
		/* TCP may be cut finer for a smaller MTU; UDP datagrams
		 * keep their size. */
		uint32_t room = q->mtu + ETH_HDR_LEN + ETH_VLAN_HDR_LEN;
		uint32_t hdr = p->ol.hdr_len;

		if (eth_get_be16(p->data + 12) == ETH_TYPE_VLAN ||
		    eth_get_be16(p->data + 12) == ETH_TYPE_QINQ)
			room += ETH_VLAN_HDR_LEN;
		if ((p->ol.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
		    VIRTIO_NET_HDR_GSO_UDP_L4 || room <= hdr + 8)
			return -1;
		mss = room - hdr;
		can = false;
	}
	if (can)
		return 0;
	transmit_segmented(br, q, p, mss);
	return 1;
}

/* Transmits every port's queue once, then frees the burst.  Frames keep
 * their order per port: a frame segmented here goes out after the frames
 * queued before it. */
static void
flush(struct bridge *br, struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_dirty; i++) {
		struct port *q = dp->dirty[i];
		struct dp_txq *txq = &dp->txq[q->port_no];
		const struct vlan_port *vp = q->is_host ? &br->self_vlans
							: &q->vlans;
		struct pkt *ok[PKT_BURST];
		int m = 0;

		for (unsigned j = 0; j < txq->n; j++) {
			struct pkt *p = txq->pkts[j];
			int r = 0;

			if (br->opt.vlan_filtering)
				egress_vlan(br, vp, p);
			if (unlikely(pkt_offload_pending(p))) {
				if (pkt_is_gso(p) && m) {
					transmit(dp, q, ok, m);
					m = 0;
				}
				r = egress_offload(br, q, p);
			} else if (!q->is_host && exceeds_mtu(q, p, p->len)) {
				r = -1;
			}
			if (r < 0)
				drop(q, PORT_DROP_MTU);
			else if (r == 0)
				ok[m++] = p;
		}
		txq->n = 0;
		transmit(dp, q, ok, m);
	}
	dp->n_dirty = 0;
}

static void
free_burst(struct bridge *br, struct pkt **pkts, int n)
{
	for (int i = 0; i < n; i++)
		pkt_free(br->pool, pkts[i]);
}

/* Looks a burst ahead: reads every frame's addresses once and asks the CPU
 * for the FDB buckets and first entries of its source (learning) and
 * unicast destination (lookup), so that the frame-by-frame loop, which must
 * keep its order (a frame's learning is seen by the next frame's lookup),
 * finds them in cache instead of waiting for each miss in turn.  A hint
 * only: nothing is decided here.  With VLAN filtering on, a frame's VID is
 * known only after classification, and a small table stays in cache, so
 * then nothing is prefetched. */
static void
prefetch_fdb(const struct bridge *br, struct pkt **pkts, int n)
{
	const struct eth_addr *macs[2 * PKT_BURST];
	static const uint16_t vids[2 * PKT_BURST];	/* all VID 0 */
	size_t m = 0;

	if (br->opt.vlan_filtering || br->opt.hub ||
	    !fdb_prefetch_pays(br->fdb))
		return;
	for (int i = 0; i < n && i < PKT_BURST; i++) {
		const struct pkt *p = pkts[i];

		if (p->len < ETH_HDR_LEN)
			continue;
		macs[m++] = eth_src(p->data);
		if (!eth_addr_is_multicast(eth_dst(p->data)))
			macs[m++] = eth_dst(p->data);
	}
	fdb_prefetch_burst(br->fdb, m, macs, vids);
}

void
dp_input(struct bridge *br, struct port *in, struct pkt **pkts, int n)
{
	struct dp *dp = br->dp;

	prefetch_fdb(br, pkts, n);
	for (int i = 0; i < n; i++) {
		struct pkt *p = pkts[i];
		const struct eth_addr *src, *dst;

		in->stats.rx_packets++;
		in->stats.rx_bytes += p->len;
		br->stats.rx_packets++;
		br->stats.rx_bytes += p->len;
		if (unlikely(in->capture) && !dp->trace)
			in->capture(in, p, false);
		p->in_port = in->port_no;
		if (unlikely(p->len < ETH_HDR_LEN)) {
			drop(in, PORT_DROP_RUNT);
			continue;
		}
		src = eth_src(p->data);
		dst = eth_dst(p->data);
		if (eth_addr_is_broadcast(dst))
			in->stats.rx_broadcast++;
		else if (eth_addr_is_multicast(dst))
			in->stats.rx_multicast++;
		else
			in->stats.rx_unicast++;

		/* 1. Source-MAC sanity. */
		if (eth_addr_is_multicast(src) || eth_addr_is_zero(src)) {
			drop(in, PORT_DROP_BAD_SRC);
			continue;
		}
		/* 2. Link-local destinations. */
		if (unlikely(eth_addr_is_link_local(dst))) {
			if (!link_local(br, in, p))
				continue;
		} else if (unlikely(dp->trace)) {
			dp_trace_step(dp->trace, "link-local", NULL, "no",
				      NULL);
		}
		/* 3. Port-state gate. */
		if (unlikely(dp->trace))
			dp_trace_step(dp->trace, "port state", in,
				      port_state_name(in->state), NULL);
		if (in->state != PORT_LEARNING && in->state != PORT_FORWARDING) {
			drop(in, PORT_DROP_PORT_STATE);
			continue;
		}
		/* 4. VLAN ingress. */
		if (!vlan_classify(br, &in->vlans, p)) {
			drop(in, PORT_DROP_VLAN_INGRESS);
			continue;
		}
		/* 6. Learning (a hub learns nothing). */
		if ((in->flags & PORT_F_LEARNING) && !br->opt.hub)
			learn(br, in, p);
		else if (unlikely(dp->trace))
			dp_trace_step(dp->trace, "learn", in, "off",
				      br->opt.hub ? "a hub learns nothing" :
				      "learning off on the port");
		/* 8. A LEARNING port forwards nothing. */
		if (in->state == PORT_LEARNING) {
			drop(in, PORT_DROP_LEARNING_ONLY);
			continue;
		}
		/* 10-11. Decision and per-port delivery. */
		forward(br, dp, in, p);
	}
	/* 12-13. Egress VLAN edit, MTU check, one transmit per port. */
	flush(br, dp);
	free_burst(br, pkts, n);
}

void
dp_host_input(struct bridge *br, struct pkt **pkts, int n)
{
	struct port *host = br->host;
	struct dp *dp = br->dp;

	for (int i = 0; i < n; i++) {
		struct pkt *p = pkts[i];

		host->stats.rx_packets++;
		host->stats.rx_bytes += p->len;
		if (unlikely(host->capture) && !dp->trace)
			host->capture(host, p, false);
		p->in_port = 0;
		if (p->len < ETH_HDR_LEN) {
			drop(host, PORT_DROP_RUNT);
			continue;
		}
		if (!vlan_classify(br, &br->self_vlans, p)) {
			drop(host, PORT_DROP_VLAN_INGRESS);
			continue;
		}
		forward(br, dp, NULL, p);
	}
	flush(br, dp);
	free_burst(br, pkts, n);
}

