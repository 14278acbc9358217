/*
 * port-vhost.c - the "vhost-user" port class.  See port-vhost.h.
 */
#include "port-vhost.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include <ev.h>

#include "bridge.h"
#include "daemon.h"
#include "log.h"
#include "pkt.h"
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
	bool polling;
	unsigned idle_polls;		/* empty poll turns in a row */
	bool carrier;
	bool need_sync;			/* a ring broke: re-derive carrier */
	unsigned rr;			/* next TX queue pair to serve */
	uint64_t kicks, polls, calls, tx_no_ring;
};

static const struct port_class port_vhost_class;

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

/* Publishes what ring 'i' consumed and notes whether to call the guest. */
static void
ring_complete(struct port_vhost *pv, unsigned i)
{
	struct vhost_vring *vr = &pv->dev.vrings[i].vr;

	vhost_vring_publish(vr);
	if (pv->dev.vrings[i].call_fd >= 0 && vhost_vring_should_notify(vr))
		pv->call_pending |= 1u << i;
}

/* Drains guest TX ring 'i' into 'pkts' (from 'n' up to 'max').  Returns
 * the new count. */
static int
rx_ring(struct port_vhost *pv, unsigned i, struct pkt_pool *pool,
	struct pkt **pkts, int n, int max)
{
	struct vhost_vring *vr = &pv->dev.vrings[i].vr;
	struct port *port = &pv->up;
	bool consumed = false;
	struct pkt *p = NULL;

	while (n < max) {
		uint32_t len;
		int r;

		if (!p && !(p = pkt_alloc(pool)))
			break;		/* frames stay in the ring */
		r = vhost_vring_dequeue(vr, &pv->dev.mem, p->data,
					PKT_DATA_MAX, &len);
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
		if (len < PKT_MIN_LEN) {
			count_rx_drop(port, -ENODATA);
			continue;
		}
		p->len = len;
		p->ts_ns = clock_now_ms() * 1000000;
		pkts[n++] = p;
		p = NULL;
	}
	pkt_free(pool, p);
	if (consumed)
		ring_complete(pv, i);
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
	for (i = 0; i < n; i++) {
		int r = vhost_vring_enqueue(vr, &pv->dev.mem, pkts[i]->data,
					    pkts[i]->len);

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
 * then chooses between polling and waiting for kicks. */
static void
vhost_port_service(struct port_vhost *pv)
{
	struct port *port = &pv->up;
	bool pending = false, got = false;

	if (!port->br)
		return;
	for (int b = 0; b < VHOST_PORT_BUDGET; b++) {
		int r = bridge_port_input(port->br, port);

		if (r <= 0)
			break;
		pv->idle_polls = 0;
		got = true;
	}
	if (pv->need_sync) {
		vhost_port_sync(pv);	/* calls us again if still live */
		return;
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
	vhost_port_service(pv);
}

/* Writes the call eventfds of the rings that completed work during this
 * loop iteration: at most one syscall per ring per iteration. */
static void
vhost_on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct port_vhost *pv = container_of(w, struct port_vhost, flush_w);

	(void)loop; (void)revents;
	if (pv->need_sync)
		vhost_port_sync(pv);
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
		 " polls=%" PRIu64 " calls=%" PRIu64 " proto_errors=%" PRIu64,
		 pv->up.name, why, s.msg.msgs, s.msg.bad_msg,
		 s.msg.unknown_msg, s.ring.bad_desc, s.ring.bad_chain,
		 s.ring.broken, s.ring.oversize, s.ring.runt,
		 s.ring.no_buffers, s.kicks, s.polls, s.calls,
		 s.sock.proto_errors);
}

static void
vhost_on_state(struct vhost_sock *sock, bool connected)
{
	struct port_vhost *pv = container_of(sock, struct port_vhost, sock);

	if (connected)
		return;
	vhost_log_counters(pv, "disconnected");
	vhost_port_stop_kicks(pv);
	vhost_dev_reset(&pv->dev);
	pv->dev.changed = 0;
	vhost_port_sync(pv);
}

/*
 * Port class.
 */

static void
vhost_watch(struct port *port, struct ev_loop *loop)
{
	struct port_vhost *pv = port_vhost_cast(port);

	if (pv->loop) {
		vhost_port_stop_kicks(pv);
		ev_ref(pv->loop);
		ev_prepare_stop(pv->loop, &pv->flush_w);
		vhost_sock_watch(&pv->sock, NULL);
		pv->loop = NULL;
	}
	if (!loop)
		return;
	pv->loop = loop;
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

static const struct port_class port_vhost_class = {
	.type = "vhost-user",
	.close = vhost_close,
	.rx_burst = vhost_rx_burst,
	.tx_burst = vhost_tx_burst,
	.get_carrier = vhost_get_carrier,
	.watch = vhost_watch,
};

/* A random unicast, locally administered MAC. */
static void
vhost_random_mac(struct eth_addr *mac)
{
	if (getrandom(mac->ea, sizeof mac->ea, 0) != sizeof mac->ea)
		for (unsigned i = 0; i < ETH_ADDR_LEN; i++)
			mac->ea[i] = (uint8_t)random();
	mac->ea[0] = (uint8_t)((mac->ea[0] & 0xfe) | 0x02);
}

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
	vhost_random_mac(&pv->up.mac);
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
