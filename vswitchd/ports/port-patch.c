/*
 * port-patch.c - the "patch" port class: one end of a wire inside
 * vswitchd.  Two patch ports that name each other as 'peer' are joined:
 * what the pipeline sends on one is received on the other, on the same
 * bridge or another, with nothing in between -- no kernel bridge that
 * would swallow BPDUs, LLDP or LACP, so every link-local frame crosses, as
 * over a cable (Open vSwitch's patch ports, a lab's wires).  Create
 * both ends with 'peer' naming the other; the first waits, without
 * carrier, for the second.
 *
 * A frame sent on A is copied into B's receive ring (the pipeline lends
 * packets only for the call, port-provider.h) and B is woken on the loop:
 * B's frames enter B's bridge on a later loop turn, never from inside A's
 * transmit, so a looped wire cannot recurse and each bridge's datapath
 * context stays its own.  A full ring drops what does not fit, counted as
 * A's tx errors (the pipeline's) and in B's ring_full.  In a replay there
 * is no loop: the replay drains the rings itself (replay.c).
 *
 * The carrier of an end is the admin state of the other: 'ip link set A
 * down' is seen by B as a cable pulled, and an end whose peer does not
 * exist yet (created first, or deleted) has no carrier.  Both ends learn
 * of a change at once (bridge_port_update_link()), so STP reacts on both
 * sides, as with a real link failure.  'carrier off' on an end (port.set
 * carrier, a simulated cable pull) takes the carrier from both ends too.
 *
 * Impairments (port options delay, loss, rate, seed; struct port_impair)
 * act on the frames an end SENDS, as a wire that is worse in one
 * direction; a lab sets both ends for a symmetric link.  In order: loss
 * drops the k-th frame sent since the seed (or the loss) was set when
 * draw k of splitmix64(seed) falls below the percentage (tbucket.h), so
 * two runs with the same seed lose the same frames; rate paces the frames
 * (a token bucket one frame deep: a frame arrives when the wire has
 * clocked out its bits at the rate after those before it) and those
 * that find the peer's ring full wait nowhere and are dropped; delay adds
 * its milliseconds to the arrival.  Frames keep their order.  Dropped
 * frames are the wire's, not the port's: the pipeline counts them sent,
 * and this end's impair_loss / impair_rate_drop say why they never came.
 * Arrival times are kept per ring slot and the receiving end is woken by
 * a timer when the first is due.  A replay (no loop) applies loss but
 * no delay or pacing: its frames arrive at once, in order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>
#include <json-c/json.h>

#include "bridge.h"
#include "clock.h"
#include "log.h"
#include "pkt.h"
#include "port-patch.h"
#include "port-provider.h"
#include "util.h"

#define MOD "patch"

#define PATCH_RING 256		/* frames in flight per direction */
#define PATCH_HDR_ROOM 26	/* beyond the MTU: Ethernet, two tags, FCS room */

struct patch_slot {
	uint64_t due_ns;	/* arrival time on the switch clock */
	uint32_t len;
	uint8_t *data;		/* 'slot_size' bytes */
};

struct port_patch {
	struct port up;
	char peer_name[IFNAMSIZ];
	struct port_patch *peer;	/* NULL while the other end is missing */
	bool admin;			/* our admin state, as the peer sees it */
	/* Frames sent to us by the peer, oldest at 'head'. */
	struct patch_slot ring[PATCH_RING];
	uint8_t *slab;
	uint32_t slot_size;
	uint32_t head, tail;		/* free-running */
	struct ev_loop *loop;		/* non-NULL while watched */
	ev_idle wake;			/* active while a frame is due */
	ev_timer later;			/* active while the first is not */
	uint64_t wire_free_ns;		/* rate: when the wire is free again */
	uint64_t rx_frames, tx_frames, ring_full, oversize;
	uint64_t impair_loss, impair_rate_drop;	/* of frames we sent */
	struct port_patch *next;	/* all patch ports, by creation */
};

const struct port_class port_patch_class;

/* Every patch port, so an end finds the other by name.  Control path only:
 * the datapath follows 'peer'. */
static struct port_patch *all_patches;

static struct port_patch *
port_patch_cast(const struct port *port)
{
	ASSERT(port->class == &port_patch_class);
	return container_of(port, struct port_patch, up);
}

static struct port_patch *
find_patch(const char *name)
{
	for (struct port_patch *pp = all_patches; pp; pp = pp->next)
		if (!strcmp(pp->up.name, name))
			return pp;
	return NULL;
}

/* (Re)sizes the receive ring for MTU 'mtu'; frames still in it are lost.
 * Control path. */
static void
patch_ring_alloc(struct port_patch *pp, uint32_t mtu)
{
	free(pp->slab);
	pp->slot_size = mtu + PATCH_HDR_ROOM;
	pp->slab = xmalloc((size_t)pp->slot_size * PATCH_RING);
	for (unsigned i = 0; i < PATCH_RING; i++)
		pp->ring[i].data = pp->slab + (size_t)i * pp->slot_size;
	pp->head = pp->tail = 0;
}

/* Tells the bridge of 'pp', if it has one, that its carrier may have
 * changed. */
static void
patch_link_changed(struct port_patch *pp)
{
	if (pp->up.br)
		bridge_port_update_link(pp->up.br, &pp->up);
}

static uint64_t
now_ns(void)
{
	return clock_now_ms() * 1000000;
}

/* Wakes 'pp' on its loop when its first frame is due: at once (idle),
 * later (timer), or not at all (empty ring, no bridge). */
static void
patch_schedule(struct port_patch *pp)
{
	uint64_t due, now = now_ns();

	if (!pp->loop)
		return;
	if (pp->head == pp->tail || !pp->up.br) {
		ev_idle_stop(pp->loop, &pp->wake);
		ev_timer_stop(pp->loop, &pp->later);
		return;
	}
	due = pp->ring[pp->head % PATCH_RING].due_ns;
	if (due <= now) {
		ev_timer_stop(pp->loop, &pp->later);
		ev_idle_start(pp->loop, &pp->wake);
		return;
	}
	ev_idle_stop(pp->loop, &pp->wake);
	if (!ev_is_active(&pp->later)) {
		/* Whole milliseconds, at least one: the switch clock's. */
		ev_timer_set(&pp->later,
			     (double)((due - now + 999999) / 1000000) / 1e3, 0.);
		ev_timer_start(pp->loop, &pp->later);
	}
}

static void
patch_on_wake(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct port_patch *pp = container_of(w, struct port_patch, wake);

	(void)loop;
	(void)revents;
	if (pp->up.br)
		bridge_port_input(pp->up.br, &pp->up);
	patch_schedule(pp);
}

static void
patch_on_later(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct port_patch *pp = container_of(w, struct port_patch, later);

	(void)loop;
	(void)revents;
	clock_update();
	patch_schedule(pp);
}

static int
patch_open(const char *name, struct json_object *args,
	   const struct port_open_env *env, struct port **portp, char **msgp)
{
	const char *peer = port_class_arg_string(args, "peer", NULL);
	struct port_patch *pp, *other;
	struct eth_addr mac;

	(void)env;
	if (!peer || !peer[0] || strlen(peer) >= IFNAMSIZ) {
		*msgp = xasprintf("%s: peer: a port name is required", name);
		return -EINVAL;
	}
	if (!strcmp(peer, name)) {
		*msgp = xasprintf("%s: peer: a patch port cannot be its own "
				  "peer", name);
		return -EINVAL;
	}
	if (find_patch(name)) {
		*msgp = xasprintf("%s: a patch port of that name exists",
				  name);
		return -EEXIST;
	}
	other = find_patch(peer);
	if (other && strcmp(other->peer_name, name)) {
		*msgp = xasprintf("%s: peer %s is patched to %s", name, peer,
				  other->peer_name);
		return -EBUSY;
	}

	pp = xcalloc(1, sizeof *pp);
	port_init(&pp->up, &port_patch_class, name);
	util_strlcpy(pp->peer_name, peer, sizeof pp->peer_name);
	if (port_class_arg_mac(args, "mac", &mac))
		pp->up.mac = mac;
	else
		eth_addr_from_seed(name, &pp->up.mac);
	pp->admin = pp->up.admin_up;
	patch_ring_alloc(pp, pp->up.mtu);
	ev_idle_init(&pp->wake, patch_on_wake);
	ev_timer_init(&pp->later, patch_on_later, 0., 0.);
	pp->next = all_patches;
	all_patches = pp;
	if (other) {
		pp->peer = other;
		other->peer = pp;
		patch_link_changed(other);
		log_info(MOD, "%s: joined to %s", name, peer);
	} else {
		log_info(MOD, "%s: waiting for its peer %s", name, peer);
	}
	*portp = &pp->up;
	return 0;
}

static void
patch_watch(struct port *port, struct ev_loop *loop)
{
	struct port_patch *pp = port_patch_cast(port);

	if (pp->loop) {
		ev_idle_stop(pp->loop, &pp->wake);
		ev_timer_stop(pp->loop, &pp->later);
	}
	pp->loop = loop;
	patch_schedule(pp);
}

static void
patch_close(struct port *port)
{
	struct port_patch *pp, **p;

	if (!port)
		return;
	pp = port_patch_cast(port);
	patch_watch(port, NULL);
	for (p = &all_patches; *p != pp; p = &(*p)->next)
		continue;
	*p = pp->next;
	if (pp->peer) {
		struct port_patch *other = pp->peer;

		other->peer = NULL;
		other->head = other->tail;	/* in flight from a gone end */
		patch_link_changed(other);
		log_info(MOD, "%s: %s left, no carrier", other->up.name,
			 pp->up.name);
	}
	free(pp->slab);
	free(pp);
}

static int
patch_rx_burst(struct port *port, struct pkt_pool *pool, struct pkt **pkts,
	       int max)
{
	struct port_patch *pp = port_patch_cast(port);
	int n = 0;

	uint64_t now = now_ns();

	while (n < max && pp->head != pp->tail) {
		struct patch_slot *s = &pp->ring[pp->head % PATCH_RING];
		struct pkt *p;

		/* Not yet arrived (a replay has no loop to wait on). */
		if (pp->loop && s->due_ns > now)
			break;
		p = pkt_alloc(pool);

		if (!p) {
			port->stats.rx_packets++;
			port->stats.drops[PORT_DROP_NO_BUFFER]++;
		} else {
			memcpy(p->data, s->data, s->len);
			p->len = s->len;
			p->ts_ns = clock_now_ms() * 1000000;
			pkts[n++] = p;
			pp->rx_frames++;
		}
		pp->head++;
	}
	return n;
}

/* Copies into the peer's ring and wakes it.  Without a peer (or with the
 * peer down: no carrier on our side either, so the pipeline sends
 * nothing) the frames are refused and the pipeline counts tx errors. */
static int
patch_tx_burst(struct port *port, struct pkt **pkts, int n)
{
	struct port_patch *pp = port_patch_cast(port), *peer = pp->peer;
	struct port_impair *im = &port->impair;
	uint64_t now = now_ns();
	int sent = 0, queued = 0;

	if (!peer || !peer->admin || port->carrier_off ||
	    peer->up.carrier_off)
		return 0;
	for (int i = 0; i < n; i++) {
		const struct pkt *p = pkts[i];
		struct patch_slot *s;
		uint64_t due = now;

		if (p->len > peer->slot_size) {
			peer->oversize++;
			continue;
		}
		if (im->loss_mpct &&
		    splitmix64_below(im->seed, im->draws++, im->loss_mpct,
				     100000)) {
			pp->impair_loss++;
			sent++;
			continue;
		}
		if (peer->tail - peer->head >= PATCH_RING) {
			if (im->rate_kbit) {
				pp->impair_rate_drop++;
				sent++;
			} else {
				peer->ring_full++;
			}
			continue;
		}
		if (im->rate_kbit) {
			/* kbit/s is bits per ms: 1e6 / kbit ns per bit. */
			uint64_t start = pp->wire_free_ns > now
					 ? pp->wire_free_ns : now;

			pp->wire_free_ns = start + (uint64_t)p->len * 8 *
					   1000000 / im->rate_kbit;
			due = pp->wire_free_ns;
		}
		s = &peer->ring[peer->tail % PATCH_RING];
		memcpy(s->data, p->data, p->len);
		s->len = p->len;
		s->due_ns = due + (uint64_t)im->delay_ms * 1000000;
		peer->tail++;
		pp->tx_frames++;
		sent++;
		queued++;
	}
	if (queued)
		patch_schedule(peer);
	return sent;
}

static bool
patch_get_carrier(const struct port *port)
{
	const struct port_patch *pp = port_patch_cast(port);

	/* Our own carrier_off is port_has_carrier()'s. */
	return pp->peer && pp->peer->admin && !pp->peer->up.carrier_off;
}

/* A cable pulled at our end is pulled at the peer's too. */
static int
patch_set_carrier(struct port *port, bool on)
{
	struct port_patch *pp = port_patch_cast(port);

	(void)on;
	if (pp->peer)
		patch_link_changed(pp->peer);
	return 0;
}

static int
patch_set_admin_up(struct port *port, bool up)
{
	struct port_patch *pp = port_patch_cast(port);

	if (pp->admin == up)
		return 0;
	pp->admin = up;
	if (pp->peer)
		patch_link_changed(pp->peer);
	return 0;
}

static int
patch_set_mtu(struct port *port, uint32_t mtu)
{
	patch_ring_alloc(port_patch_cast(port), mtu);
	return 0;
}

static struct json_object *
patch_get_stats(const struct port *port)
{
	const struct port_patch *pp = port_patch_cast(port);
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "rx_frames",
			       json_object_new_uint64(pp->rx_frames));
	json_object_object_add(o, "tx_frames",
			       json_object_new_uint64(pp->tx_frames));
	json_object_object_add(o, "ring_full",
			       json_object_new_uint64(pp->ring_full));
	json_object_object_add(o, "oversize",
			       json_object_new_uint64(pp->oversize));
	json_object_object_add(o, "impair_loss",
			       json_object_new_uint64(pp->impair_loss));
	json_object_object_add(o, "impair_rate_drop",
			       json_object_new_uint64(pp->impair_rate_drop));
	return o;
}

static struct json_object *
patch_describe(const struct port *port)
{
	const struct port_patch *pp = port_patch_cast(port);
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "peer",
			       json_object_new_string(pp->peer_name));
	json_object_object_add(o, "peer_present",
			       json_object_new_boolean(pp->peer != NULL));
	return o;
}

static const struct port_arg patch_args[] = {
	{ "peer", PORT_ARG_STRING, true, NULL, NULL,
	  "the patch port at the other end of the wire" },
	{ "mac", PORT_ARG_MAC, false, NULL, NULL,
	  "the port's MAC address (default: derived from its name)" },
	{ NULL, 0, false, NULL, NULL, NULL },
};

/* The same conditions as patch_tx_burst(), without sending. */
static struct port *
patch_wire_peer(const struct port *port, uint32_t len, const char **why)
{
	const struct port_patch *pp = port_patch_cast(port);

	if (!pp->peer) {
		*why = "no peer";
		return NULL;
	}
	if (!pp->peer->admin) {
		*why = "peer down";
		return NULL;
	}
	if (len > pp->peer->slot_size) {
		*why = "larger than the peer's ring slots";
		return NULL;
	}
	return &pp->peer->up;
}

const struct port_class port_patch_class = {
	.type = "patch",
	.args = patch_args,
	.replay_ok = true,
	.impair_ok = true,
	.open = patch_open,
	.close = patch_close,
	.rx_burst = patch_rx_burst,
	.tx_burst = patch_tx_burst,
	.get_carrier = patch_get_carrier,
	.set_carrier = patch_set_carrier,
	.set_admin_up = patch_set_admin_up,
	.set_mtu = patch_set_mtu,
	.get_stats = patch_get_stats,
	.describe = patch_describe,
	.watch = patch_watch,
	.wire_peer = patch_wire_peer,
};

bool
port_is_patch(const struct port *port)
{
	return port->class == &port_patch_class;
}
