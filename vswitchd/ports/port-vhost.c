/*
 * port-vhost.c - the "vhost-user" port class.  See port-vhost.h.
 */
#include "port-vhost.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <ev.h>
#include <json-c/json.h>

#include "bridge.h"
#include "clock.h"
#include "log.h"
#include "pkt.h"
#include "pkt-offload.h"
#include "port-provider.h"
#include "util.h"

#define MOD "vhost"

struct port_vhost {
	struct port up;
	struct vhost_sock sock;
	struct vhost_dev dev;
	struct ev_loop *loop;		/* non-NULL while watched */
	ev_io kick_w[VHOST_MAX_VRINGS];	/* guest TX rings only */
	ev_idle poll_w;			/* active while polling */
	ev_prepare flush_w;		/* writes pending calls */
	uint32_t call_pending;		/* bit i: vring i wants a call */
	uint32_t publish_pending;	/* bit i: vring i has used elements
					 * to publish */
	bool polling;
	unsigned idle_polls;		/* empty poll turns in a row */
	bool carrier;
	bool need_sync;			/* a ring broke: re-derive carrier */
	unsigned rr;			/* next TX queue pair to serve */
	uint64_t kicks, polls, calls, tx_no_ring, lent_total;
	uint64_t tx_bad_offload;	/* frames with offload work the guest
					 * did not negotiate: not sent */
	struct vhost_poll_group *group;	/* while watched */
	struct port_vhost *next_in_group;
};

/* The vhost-user ports watched on one event loop, so that in busy polling
 * (port_vhost_set_busy_poll()) one idle callback serves all of them for
 * several rounds per loop turn.  A group belongs to its loop, not to the
 * process: a datapath thread with a loop of its own polls only its ports.
 * Created with the loop's first watched port, freed with its last. */
struct vhost_poll_group {
	struct ev_loop *loop;
	struct port_vhost *ports;
	struct vhost_poll_group *next;
};

static bool vhost_busy_poll;
static struct vhost_poll_group *poll_groups;	/* one per loop in use */

const struct port_class port_vhost_class;

static void vhost_port_sync(struct port_vhost *);
static void vhost_port_stop_kicks(struct port_vhost *);

static struct port_vhost *
port_vhost_cast(const struct port *port)
{
	return container_of(port, struct port_vhost, up);
}

bool
port_is_vhost(const struct port *port)
{
	return port && port->class == &port_vhost_class;
}

/* Guest TX frames lent to packets now, over all rings. */
static unsigned
lent_now(const struct port_vhost *pv)
{
	unsigned n = 0;

	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		n += pv->dev.vrings[i].vr.lent;
	return n;
}

/* True if both rings of queue pair 'pair' may carry traffic. */
static bool
pair_is_live(const struct port_vhost *pv, unsigned pair)
{
	return vhost_dev_vring_is_live(&pv->dev, 2 * pair) &&
	       vhost_dev_vring_is_live(&pv->dev, 2 * pair + 1);
}

/*
 * Data path.
 */

/* Counts a frame the guest sent but that could not be stored. */
static void
count_rx_drop(struct port *port, int err)
{
	port->stats.rx_packets++;
	if (err == -EMSGSIZE)
		port->stats.drops[PORT_DROP_OVERSIZE]++;
	else if (err == -ENODATA)
		port->stats.drops[PORT_DROP_RUNT]++;
	/* Descriptor errors are counted by the ring (port_vhost_stats). */
}

/* Takes the offload work a guest's virtio-net header asks for (features
 * 'f' negotiated) into p->ol: a partial checksum needs CSUM, a TCP
 * super-frame HOST_TSO4/6; everything else, and any header that does not
 * match the frame (pkt_offload_from_vnet()), is refused: -EINVAL. */
static int
rx_offload(struct pkt *p, const struct virtio_net_hdr *vh, uint64_t f)
{
	uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !(f & VIRTIO_BIT(VIRTIO_NET_F_CSUM)))
		return -EINVAL;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE &&
	    !(gso == VIRTIO_NET_HDR_GSO_TCPV4 &&
	      vh->gso_type == gso &&
	      (f & VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4))) &&
	    !(gso == VIRTIO_NET_HDR_GSO_TCPV6 &&
	      vh->gso_type == gso &&
	      (f & VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO6))))
		return -EINVAL;
	return pkt_offload_from_vnet(p, vh);
}

/* The PKT_OL_* work a front-end that negotiated 'f' takes in the frames
 * it receives (port.h's tx_offloads): partial checksums with GUEST_CSUM,
 * TCP super-frames with GUEST_TSO4/6 (which need GUEST_CSUM, virtio 1.2
 * §5.1.3.1: without it, none).  The datapath segments and checksums
 * everything else before it reaches us. */
static unsigned
vhost_tx_offloads(uint64_t f)
{
	unsigned ol = 0;

	if (!(f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	ol |= PKT_OL_CSUM;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO4))
		ol |= PKT_OL_TSO4;
	if (f & VIRTIO_BIT(VIRTIO_NET_F_GUEST_TSO6))
		ol |= PKT_OL_TSO6;
	return ol;
}

/* Publishes what ring 'i' consumed and notes whether to call the guest. */
static void
ring_complete(struct port_vhost *pv, unsigned i)
{
	struct vhost_vring *vr = &pv->dev.vrings[i].vr;

	vhost_vring_publish(vr);
	if (pv->dev.vrings[i].call_fd >= 0 && vhost_vring_should_notify(vr))
		pv->call_pending |= 1u << i;
}

/* Publishes the guest TX rings that returned chains since the last call:
 * once per input burst, after the pipeline freed (released) its packets. */
static void
vhost_port_publish(struct port_vhost *pv)
{
	while (pv->publish_pending) {
		unsigned i = (unsigned)__builtin_ctz(pv->publish_pending);

		pv->publish_pending &= pv->publish_pending - 1;
		ring_complete(pv, i);
	}
}

/* Release hook of a packet that borrowed a guest TX buffer: the chain
 * goes back to the guest (published after the burst). */
static void
vhost_pkt_release(struct pkt *p)
{
	struct port_vhost *pv = p->release_arg;
	unsigned i = p->release_id >> 16;

	vhost_vring_complete(&pv->dev.vrings[i].vr,
			     (uint16_t)(p->release_id & 0xffff));
	pv->publish_pending |= 1u << i;
}

/* What vhost_vring_prefetch() asks for of each frame: a short frame's
 * bytes (longer ones are copied at the speed of the copy, not of a miss). */
#define SHORT_FRAME_LEN 64

/* Drains guest TX ring 'i' into 'pkts' (from 'n' up to 'max').  A frame
 * in one contiguous guest buffer is not copied: its packet borrows the
 * buffer until the pipeline frees it (one copy per frame between two
 * guests: straight into the egress guest's RX buffer).  Returns the new
 * count. */
static int
rx_ring(struct port_vhost *pv, unsigned i, struct pkt_pool *pool,
	struct pkt **pkts, int n, int max)
{
	struct vhost_vring *vr = &pv->dev.vrings[i].vr;
	struct port *port = &pv->up;
	bool consumed = false;
	struct pkt *p = NULL;
	uint64_t now_ns = clock_now_ms() * 1000000;
	uint64_t ol = pv->dev.features & VHOST_DEV_RX_OFFLOADS;
	struct virtio_net_hdr vh;

	vhost_vring_prefetch(vr, &pv->dev.mem, (unsigned)(max - n),
			     vr->hdr_len, SHORT_FRAME_LEN, false);
	while (n < max) {
		bool want_ol;
		uint8_t *ref;
		uint16_t head;
		uint32_t len;
		int r;

		if (!p && !(p = pkt_alloc(pool)))
			break;		/* frames stay in the ring */
		r = vhost_vring_dequeue_ref(vr, &pv->dev.mem, p->data,
					    PKT_DATA_MAX, &len, &ref, &head,
					    ol ? &vh : NULL);
		if (r == -EAGAIN)
			break;
		if (r == -EIO) {
			log_warn_rl(MOD, "%s: vring %u corrupt; stopped until "
				    "the front-end resets it", port->name, i);
			pv->need_sync = true;
			break;
		}
		consumed = true;
		if (r < 0) {
			count_rx_drop(port, r);
			continue;
		}
		want_ol = ol && (vh.flags || vh.gso_type);
		if (ref && want_ol) {
			/* Offsets are checked once, so the frame must not
			 * change after: our own copy, the chain goes back. */
			memcpy(p->data, ref, len);
			vhost_vring_complete(vr, head);
			ref = NULL;
		}
		if (ref) {
			pkt_set_borrowed(p, ref, len, vhost_pkt_release, pv,
					 i << 16 | head);
			pv->lent_total++;
		}
		if (len < PKT_MIN_LEN) {
			count_rx_drop(port, -ENODATA);
			if (ref) {
				/* Gives the chain back; 'p' is reset by
				 * pkt_alloc() before its next use. */
				pkt_free(pool, p);
				p = NULL;
			}
			continue;
		}
		p->len = len;
		if (want_ol && rx_offload(p, &vh, pv->dev.features)) {
			port->stats.rx_packets++;
			port->stats.drops[PORT_DROP_BAD_OFFLOAD]++;
			continue;	/* 'p' (our own buffer) is reused */
		}
		p->ts_ns = now_ns;
		pkts[n++] = p;
		p = NULL;
	}
	pkt_free(pool, p);
	if (consumed)
		pv->publish_pending |= 1u << i;
	return n;
}

static int
vhost_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
	       int max)
{
	struct port_vhost *pv = port_vhost_cast(port);
	int n = 0;

	for (unsigned k = 0; k < VHOST_MAX_QUEUE_PAIRS && n < max; k++) {
		unsigned i = 2 * ((pv->rr + k) % VHOST_MAX_QUEUE_PAIRS) + 1;

		if (vhost_dev_vring_is_live(&pv->dev, i))
			n = rx_ring(pv, i, pool, pkts, n, max);
	}
	pv->rr++;
	return n;
}

static int
vhost_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct port_vhost *pv = port_vhost_cast(port);
	struct vhost_vring *vr = NULL;
	int sent = 0, i, ring = -1;

	for (unsigned q = 0; q < VHOST_MAX_QUEUE_PAIRS; q++) {
		if (vhost_dev_vring_is_live(&pv->dev, 2 * q)) {
			ring = (int)(2 * q);
			vr = &pv->dev.vrings[ring].vr;
			break;
		}
	}
	if (!vr) {
		pv->tx_no_ring++;
		return 0;
	}
	vhost_vring_prefetch(vr, &pv->dev.mem, (unsigned)n, 0,
			     vr->hdr_len + SHORT_FRAME_LEN, true);
	for (i = 0; i < n; i++) {
		struct pkt *p = pkts[i];
		struct virtio_net_hdr vh, *vhp = NULL;
		int r;

		if (unlikely(pkt_offload_pending(p))) {
			/* The datapath finished what the guest did not
			 * negotiate (tx_offloads); anything else left is a
			 * bug or a renegotiation race: never hand it on. */
			if (pkt_offload_needs(p) &
			    ~vhost_tx_offloads(pv->dev.features)) {
				pv->tx_bad_offload++;
				continue;
			}
			pkt_offload_to_vnet(p, &vh);
			vhp = &vh;
		}
		r = vhost_vring_enqueue_hdr(vr, &pv->dev.mem, p->data, p->len,
					    vhp);

		if (r == -EIO) {
			log_warn_rl(MOD, "%s: vring %d corrupt; stopped until "
				    "the front-end resets it", port->name, ring);
			pv->need_sync = true;
			break;
		}
		if (r == -ENOBUFS)
			break;		/* guest RX ring full */
		if (!r)
			sent++;
	}
	if (i) {
		/* Keep the guest from kicking us for RX refills: we only
		 * look at its RX ring when we have frames for it. */
		vhost_vring_set_kick_wanted(vr, false);
		ring_complete(pv, (unsigned)ring);
	}
	return sent;
}

/* Runs bursts until the guest TX rings are empty or the budget is spent,
 * then chooses between polling and waiting for kicks.  Returns true if
 * frames were received. */
static bool
vhost_port_service(struct port_vhost *pv)
{
	struct port *port = &pv->up;
	bool pending = false, got = false;

	if (!port->br)
		return false;
	for (int b = 0; b < VHOST_PORT_BUDGET; b++) {
		int r = bridge_port_input(port->br, port);

		/* Every packet was freed: lent chains are back. */
		vhost_port_publish(pv);
		if (r <= 0)
			break;
		pv->idle_polls = 0;
		got = true;
	}
	if (pv->need_sync) {
		vhost_port_sync(pv);	/* calls us again if still live */
		return got;
	}
	for (int pass = 0; pass < 2; pass++) {
		/* Traffic seen: poll for a while instead of taking a kick
		 * per frame. */
		pending = got;
		for (unsigned i = 1; i < VHOST_MAX_VRINGS; i += 2) {
			struct vhost_dev_vring *dv = &pv->dev.vrings[i];

			if (!vhost_dev_vring_is_live(&pv->dev, i))
				continue;
			if (dv->kick_nofd || vhost_vring_avail_count(&dv->vr) > 0)
				pending = true;
		}
		if (pending || !pv->polling)
			break;
		/* Busy polling: never go back to kicks while connected. */
		if (vhost_busy_poll && pv->carrier) {
			pending = true;
			break;
		}
		/* Keep polling a few empty turns: a busy guest refills
		 * before that, and then never has to kick. */
		if (++pv->idle_polls < VHOST_PORT_IDLE_POLLS) {
			pending = true;
			break;
		}
		/* Going idle: ask for kicks again, then re-check so buffers
		 * added in between are not missed (virtio 1.2 §2.7.10). */
		for (unsigned i = 1; i < VHOST_MAX_VRINGS; i += 2)
			if (vhost_dev_vring_is_live(&pv->dev, i))
				vhost_vring_set_kick_wanted(
					&pv->dev.vrings[i].vr, true);
		pv->polling = false;
	}
	if (pending && !pv->polling) {
		pv->idle_polls = 0;
		for (unsigned i = 1; i < VHOST_MAX_VRINGS; i += 2)
			if (vhost_dev_vring_is_live(&pv->dev, i))
				vhost_vring_set_kick_wanted(
					&pv->dev.vrings[i].vr, false);
		pv->polling = true;
	}
	if (pv->loop) {
		if (pending)
			ev_idle_start(pv->loop, &pv->poll_w);
		else
			ev_idle_stop(pv->loop, &pv->poll_w);
	}
	return got;
}

/* A guest kicked one of its TX rings.  The watcher's data is the port
 * (watchers in an array cannot be recovered with container_of). */
static void
vhost_on_kick(struct ev_loop *loop, ev_io *w, int revents)
{
	struct port_vhost *pv = w->data;
	eventfd_t v;

	(void)loop; (void)revents;
	pv->kicks++;
	if (eventfd_read(w->fd, &v) < 0 && errno != EAGAIN)
		log_warn_rl(MOD, "%s: kick fd: %s", pv->up.name,
			    strerror(errno));
	vhost_port_service(pv);
}

static void
vhost_on_poll(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct port_vhost *pv = container_of(w, struct port_vhost, poll_w);

	(void)loop; (void)revents;
	pv->polls++;
	if (!vhost_busy_poll) {
		vhost_port_service(pv);
		return;
	}
	/* Up to VHOST_BUSY_POLL_ROUNDS rounds over every port per loop
	 * turn while there is work: the loop's own epoll_wait (zero timeout
	 * while idle watchers run) is then paid once per that many rounds.
	 * A round without frames goes back to the loop at once (spinning
	 * on the guests' avail indexes only slows the guests writing
	 * them).  The list cannot change under us: ports are added and
	 * removed only from the control path. */
	for (int r = 0; r < VHOST_BUSY_POLL_ROUNDS; r++) {
		bool got = false;

		for (struct port_vhost *q = pv->group->ports; q;
		     q = q->next_in_group)
			if (q->carrier || q == pv)
				got |= vhost_port_service(q);
		if (!got)
			break;
	}
}

void
port_vhost_set_busy_poll(bool on)
{
	vhost_busy_poll = on;
}

/* Writes the call eventfds of the rings that completed work during this
 * loop iteration: at most one syscall per ring per iteration. */
static void
vhost_on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct port_vhost *pv = container_of(w, struct port_vhost, flush_w);

	(void)loop; (void)revents;
	if (pv->dev.mem_fault) {
		/* The front-end truncated the file behind its memory while
		 * we had it mapped (guest-fault.h): nothing it shares can be
		 * trusted any more.  The server waits for the next front-end,
		 * the client reconnects. */
		pv->dev.stats.mem_faults++;
		log_warn(MOD, "%s: the front-end's memory shrank under our "
			 "mapping (SIGBUS caught): dropping the connection",
			 pv->up.name);
		vhost_sock_disconnect(&pv->sock);
		return;
	}
	if (pv->need_sync)
		vhost_port_sync(pv);
	vhost_port_publish(pv);
	while (pv->call_pending) {
		unsigned i = (unsigned)__builtin_ctz(pv->call_pending);
		int fd = pv->dev.vrings[i].call_fd;

		pv->call_pending &= pv->call_pending - 1;
		if (fd >= 0 && eventfd_write(fd, 1) == 0)
			pv->calls++;
	}
}

/*
 * Control path: messages, connection state, ring watchers.
 */

static void
vhost_port_stop_kicks(struct port_vhost *pv)
{
	if (!pv->loop)
		return;
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		ev_io_stop(pv->loop, &pv->kick_w[i]);
	ev_idle_stop(pv->loop, &pv->poll_w);
}

/* Re-derives watchers and carrier from the device state after a message
 * or a connection change. */
static void
vhost_port_sync(struct port_vhost *pv)
{
	struct port *port = &pv->up;
	bool carrier = false;

	vhost_port_stop_kicks(pv);
	pv->polling = false;
	pv->need_sync = false;
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		struct vhost_dev_vring *dv = &pv->dev.vrings[i];

		if (!vhost_dev_vring_is_live(&pv->dev, i))
			continue;
		if (!(i & 1)) {
			vhost_vring_set_kick_wanted(&dv->vr, false);
			continue;
		}
		vhost_vring_set_kick_wanted(&dv->vr, true);
		if (pv->loop && dv->kick_fd >= 0) {
			ev_io_set(&pv->kick_w[i], dv->kick_fd, EV_READ);
			ev_io_start(pv->loop, &pv->kick_w[i]);
		}
	}
	for (unsigned q = 0; q < VHOST_MAX_QUEUE_PAIRS; q++)
		carrier |= pair_is_live(pv, q);
	port->tx_offloads = vhost_tx_offloads(pv->dev.features);
	if (carrier != pv->carrier) {
		pv->carrier = carrier;
		log_info(MOD, "%s: carrier %s", port->name,
			 carrier ? "on" : "off");
		if (port->br)
			bridge_port_update_link(port->br, port);
	}
	/* Frames may already be waiting (reconnect, NOFD rings). */
	if (carrier && pv->loop)
		vhost_port_service(pv);
}

static void
vhost_on_msg(struct vhost_sock *sock, const struct vhost_user_hdr *hdr,
	     const union vhost_user_payload *payload, int *fds, unsigned nfds)
{
	struct port_vhost *pv = container_of(sock, struct port_vhost, sock);
	union vhost_user_payload rp;
	struct vhost_user_hdr rh;

	/* Lent buffers come back within one input burst, so none is
	 * outstanding when the memory table or a ring may change. */
	ASSERT(lent_now(pv) == 0);
	vhost_port_publish(pv);
	/* Handlers may close kick fds: stop watching them first. */
	vhost_port_stop_kicks(pv);
	if (vhost_dev_handle(&pv->dev, hdr, payload, fds, nfds, &rh, &rp) &&
	    vhost_sock_send(sock, &rh, &rp))
		return;		/* disconnected: state already reset */
	pv->dev.changed = 0;
	vhost_port_sync(pv);
}

static void
vhost_log_counters(const struct port_vhost *pv, const char *why)
{
	struct port_vhost_stats s;

	port_vhost_get_stats(&pv->up, &s);
	log_info(MOD, "%s: %s: msgs=%" PRIu64 " bad_msg=%" PRIu64
		 " unknown_msg=%" PRIu64 " bad_desc=%" PRIu64
		 " bad_chain=%" PRIu64 " broken=%" PRIu64 " oversize=%" PRIu64
		 " runt=%" PRIu64 " no_buffers=%" PRIu64 " kicks=%" PRIu64
		 " polls=%" PRIu64 " calls=%" PRIu64 " lent=%" PRIu64
		 " proto_errors=%" PRIu64 " mem_faults=%" PRIu64
		 " config_reads=%" PRIu64 " config_changes=%" PRIu64
		 " backend_errors=%" PRIu64,
		 pv->up.name, why, s.msg.msgs, s.msg.bad_msg,
		 s.msg.unknown_msg, s.ring.bad_desc, s.ring.bad_chain,
		 s.ring.broken, s.ring.oversize, s.ring.runt,
		 s.ring.no_buffers, s.kicks, s.polls, s.calls, s.lent,
		 s.sock.proto_errors, s.msg.mem_faults, s.msg.config_reads,
		 s.msg.config_notes, s.msg.backend_errors);
}

static void
vhost_on_state(struct vhost_sock *sock, bool connected)
{
	struct port_vhost *pv = container_of(sock, struct port_vhost, sock);

	if (connected)
		return;
	ASSERT(lent_now(pv) == 0);
	vhost_log_counters(pv, "disconnected");
	vhost_port_stop_kicks(pv);
	vhost_dev_reset(&pv->dev);
	pv->dev.changed = 0;
	vhost_port_sync(pv);
}

/*
 * Port class.
 */

/* Puts 'pv' in the poll group of 'loop', creating the group. */
static void
poll_group_join(struct port_vhost *pv, struct ev_loop *loop)
{
	struct vhost_poll_group *g;

	for (g = poll_groups; g && g->loop != loop; g = g->next)
		continue;
	if (!g) {
		g = xcalloc(1, sizeof *g);
		g->loop = loop;
		g->next = poll_groups;
		poll_groups = g;
	}
	pv->group = g;
	pv->next_in_group = g->ports;
	g->ports = pv;
}

/* Takes 'pv' out of its poll group, freeing the group if it was last. */
static void
poll_group_leave(struct port_vhost *pv)
{
	struct vhost_poll_group *g = pv->group, **gp;
	struct port_vhost **pp = &g->ports;

	while (*pp != pv)
		pp = &(*pp)->next_in_group;
	*pp = pv->next_in_group;
	pv->next_in_group = NULL;
	pv->group = NULL;
	if (g->ports)
		return;
	for (gp = &poll_groups; *gp != g; gp = &(*gp)->next)
		continue;
	*gp = g->next;
	free(g);
}

static void
vhost_watch(struct port *port, struct ev_loop *loop)
{
	struct port_vhost *pv = port_vhost_cast(port);

	if (pv->loop) {
		poll_group_leave(pv);
		vhost_port_stop_kicks(pv);
		ev_ref(pv->loop);
		ev_prepare_stop(pv->loop, &pv->flush_w);
		vhost_sock_watch(&pv->sock, NULL);
		pv->loop = NULL;
	}
	if (!loop)
		return;
	pv->loop = loop;
	poll_group_join(pv, loop);
	ev_prepare_start(loop, &pv->flush_w);
	ev_unref(loop);		/* the flush watcher keeps nothing alive */
	vhost_sock_watch(&pv->sock, loop);
	vhost_port_sync(pv);
}

static void
vhost_close(struct port *port)
{
	struct port_vhost *pv;

	if (!port)
		return;
	pv = port_vhost_cast(port);
	vhost_watch(port, NULL);
	vhost_sock_close(&pv->sock);
	vhost_log_counters(pv, "closed");
	vhost_dev_reset(&pv->dev);
	free(pv);
}

static bool
vhost_get_carrier(const struct port *port)
{
	return port_vhost_cast(port)->carrier;
}

/* A simulated cable pull: the virtio-net status the front-end reads with
 * GET_CONFIG loses LINK_UP, and a front-end that gave us a back-end
 * channel (BACKEND_REQ + CONFIG) is told at once (CONFIG_CHANGE_MSG; it
 * re-reads and raises the guest's config interrupt).  A front-end without
 * those features (DPDK virtio-user) never learns it: only our forwarding
 * stops (port->carrier_off).  A front-end connecting later reads the
 * current state itself. */
static int
vhost_set_carrier(struct port *port, bool on)
{
	struct port_vhost *pv = port_vhost_cast(port);

	if (vhost_dev_set_link(&pv->dev, on))
		log_info(MOD, "%s: front-end told: link %s", port->name,
			 on ? "up" : "down");
	else if (vhost_sock_is_connected(&pv->sock))
		log_info(MOD, "%s: the front-end has no link notifications "
			 "(protocol features BACKEND_REQ and CONFIG): only "
			 "forwarding %s", port->name, on ? "resumes" : "stops");
	return 0;
}

/* The registry's 'open': port_vhost_open() with args {socket, mode, mac}
 * (the setup language also says "path SOCK" and a bare "server" or
 * "client"); vswitchd listens on the socket unless mode is "client". */
static int
vhost_open_args(const char *name, struct json_object *args,
		const struct port_open_env *env, struct port **portp,
		char **msgp)
{
	const char *path = port_class_arg_string(args, "socket", NULL);
	const char *mode = port_class_arg_string(args, "mode", "server");
	struct eth_addr mac;
	int err;

	(void)env;
	err = port_vhost_open(name, path, !strcmp(mode, "server"), portp);
	if (err) {
		*msgp = xasprintf("cannot open vhost-user port %s on %s: %s",
				  name, path, strerror(-err));
		return err;
	}
	if (port_class_arg_mac(args, "mac", &mac))
		(*portp)->mac = mac;
	return 0;
}

static void
add_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

/* The registry's 'get_stats': connection, protocol, rings,
 * notifications. */
static struct json_object *
vhost_stats_json(const struct port *p)
{
	struct json_object *o = json_object_new_object();
	struct port_vhost_stats v;

	port_vhost_get_stats(p, &v);
	add_u64(o, "connects", v.sock.connects);
	add_u64(o, "disconnects", v.sock.disconnects);
	add_u64(o, "messages", v.msg.msgs);
	add_u64(o, "bad_messages", v.msg.bad_msg);
	add_u64(o, "unknown_messages", v.msg.unknown_msg);
	add_u64(o, "proto_errors", v.sock.proto_errors);
	add_u64(o, "mem_faults", v.msg.mem_faults);
	add_u64(o, "bad_desc", v.ring.bad_desc);
	add_u64(o, "bad_chain", v.ring.bad_chain);
	add_u64(o, "broken_rings", v.ring.broken);
	add_u64(o, "oversize", v.ring.oversize);
	add_u64(o, "runt", v.ring.runt);
	add_u64(o, "no_buffers", v.ring.no_buffers);
	add_u64(o, "kicks", v.kicks);
	add_u64(o, "polls", v.polls);
	add_u64(o, "calls", v.calls);
	add_u64(o, "lent", v.lent);
	add_u64(o, "tx_bad_offload", v.tx_bad_offload);
	add_u64(o, "config_reads", v.msg.config_reads);
	add_u64(o, "config_changes", v.msg.config_notes);
	add_u64(o, "backend_errors", v.msg.backend_errors);
	return o;
}

/* The registry's 'describe': the socket and the role. */
static struct json_object *
vhost_describe(const struct port *p)
{
	struct json_object *o = json_object_new_object();
	bool server = false;
	const char *path = port_vhost_socket_path(p, &server);

	json_object_object_add(o, "socket", json_object_new_string(path));
	json_object_object_add(o, "mode", json_object_new_string(
				       server ? "server" : "client"));
	return o;
}

static const struct port_arg vhost_args[] = {
	{ "socket", PORT_ARG_STRING, true, "path", NULL,
	  "unix socket of the vhost-user connection" },
	{ "mode", PORT_ARG_CHOICE, false, NULL, "server|client",
	  "server: vswitchd listens (default); client: it connects" },
	{ "mac", PORT_ARG_MAC, false, NULL, NULL,
	  "the port's MAC (default: random, locally administered)" },
	{ NULL, 0, false, NULL, NULL, NULL },
};

const struct port_class port_vhost_class = {
	.type = "vhost-user",
	.args = vhost_args,
	.open = vhost_open_args,
	.get_stats = vhost_stats_json,
	.stats_key = "vhost",
	.describe = vhost_describe,
	.close = vhost_close,
	.rx_burst = vhost_rx_burst,
	.tx_burst = vhost_tx_burst,
	.get_carrier = vhost_get_carrier,
	.set_carrier = vhost_set_carrier,
	.watch = vhost_watch,
};

int
port_vhost_open(const char *name, const char *socket_path, bool server,
		struct port **portp)
{
	struct port_vhost *pv;
	int err;

	if (!name || !*name || strlen(name) >= IFNAMSIZ || !socket_path ||
	    !*socket_path)
		return -EINVAL;
	pv = xcalloc(1, sizeof *pv);
	port_init(&pv->up, &port_vhost_class, name);
	eth_addr_random(&pv->up.mac);
	vhost_dev_init(&pv->dev, name);
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++) {
		ev_io_init(&pv->kick_w[i], vhost_on_kick, -1, EV_READ);
		pv->kick_w[i].data = pv;
	}
	ev_idle_init(&pv->poll_w, vhost_on_poll);
	ev_prepare_init(&pv->flush_w, vhost_on_prepare);
	err = vhost_sock_open(&pv->sock, name, socket_path, server,
			      vhost_on_msg, vhost_on_state);
	if (err) {
		free(pv);
		return err;
	}
	log_info(MOD, "%s: vhost-user %s on %s", name,
		 server ? "server" : "client", socket_path);
	*portp = &pv->up;
	return 0;
}

static void
add_ring_stats(struct vhost_ring_stats *sum, const struct vhost_ring_stats *s)
{
	sum->bad_desc += s->bad_desc;
	sum->bad_chain += s->bad_chain;
	sum->broken += s->broken;
	sum->oversize += s->oversize;
	sum->runt += s->runt;
	sum->no_buffers += s->no_buffers;
	sum->notify += s->notify;
}

int
port_vhost_get_stats(const struct port *port, struct port_vhost_stats *out)
{
	const struct port_vhost *pv;

	if (!port_is_vhost(port))
		return -EINVAL;
	pv = port_vhost_cast(port);
	memset(out, 0, sizeof *out);
	for (unsigned i = 0; i < VHOST_MAX_VRINGS; i++)
		add_ring_stats(&out->ring, &pv->dev.vrings[i].vr.stats);
	out->msg = pv->dev.stats;
	out->sock = pv->sock.stats;
	out->kicks = pv->kicks;
	out->polls = pv->polls;
	out->calls = pv->calls;
	out->tx_no_ring = pv->tx_no_ring;
	out->tx_bad_offload = pv->tx_bad_offload;
	out->lent = pv->lent_total;
	return 0;
}

const char *
port_vhost_socket_path(const struct port *port, bool *server)
{
	const struct port_vhost *pv;

	if (!port_is_vhost(port))
		return NULL;
	pv = port_vhost_cast(port);
	if (server)
		*server = pv->sock.server;
	return pv->sock.path;
}
