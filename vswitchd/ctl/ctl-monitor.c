/*
 * ctl-monitor.c - bridge events and frame captures streamed to control
 * peers (see ctl-monitor.h).
 */
#include "ctl-monitor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ev.h>
#include <json-c/json.h>

#include "bridge.h"
#include "bridge-event.h"
#include "ctl-query.h"
#include "ctl-server.h"
#include "fdb.h"
#include "log.h"
#include "pkt.h"

#define MOD "ctl"

/* Stop handing frames to a peer whose output queue is longer than this;
 * they wait in the session's ring (and are dropped when it is full). */
#define CAPTURE_MAX_PENDING (4 * 1024 * 1024)

struct capture_frame {
	uint64_t ts_ns;		/* CLOCK_REALTIME: pcap wants wall time */
	uint32_t len;		/* on the wire */
	uint32_t caplen;	/* kept in 'data' */
	bool tx;
	uint8_t *data;		/* CTL_CAPTURE_SNAPLEN bytes of the slab */
};

struct capture_session {
	struct ctl_conn *conn;
	struct port *port;		/* compared, dereferenced only after
					 * checking it still exists */
	char name[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	struct capture_frame ring[CTL_CAPTURE_RING];
	uint8_t *slab;			/* RING * SNAPLEN, touched lazily */
	uint32_t head, tail;		/* free-running */
	uint64_t dropped;		/* frames lost to a full ring */
	uint64_t dropped_sent;		/* as last reported */
	struct capture_session *next;
};

static struct capture_session *sessions;
static unsigned n_sessions;
static struct ev_loop *monitor_loop;	/* NULL while closed */
static ev_prepare monitor_prepare;	/* streams events and captures */

/* --- capture: the datapath side --------------------------------------- */

static void
capture_hook(struct port *port, const struct pkt *p, bool tx)
{
	for (struct capture_session *s = sessions; s; s = s->next) {
		struct capture_frame *f;
		struct timespec ts;

		if (s->port != port)
			continue;
		if (s->tail - s->head >= CTL_CAPTURE_RING) {
			s->dropped++;
			continue;
		}
		f = &s->ring[s->tail % CTL_CAPTURE_RING];
		clock_gettime(CLOCK_REALTIME, &ts);
		f->ts_ns = (uint64_t)ts.tv_sec * 1000000000ull +
			   (uint64_t)ts.tv_nsec;
		f->len = p->len;
		f->caplen = MIN(p->len, (uint32_t)CTL_CAPTURE_SNAPLEN);
		f->tx = tx;
		memcpy(f->data, p->data, f->caplen);
		s->tail++;
	}
}

/* --- capture: sessions ------------------------------------------------- */

/* True if another session captures 'port'. */
static bool
port_has_other_session(const struct port *port,
		       const struct capture_session *except)
{
	for (struct capture_session *s = sessions; s; s = s->next)
		if (s != except && s->port == port)
			return true;
	return false;
}

/* The port 's' captures if it still exists (same name, same object). */
static struct port *
session_port(const struct capture_session *s)
{
	struct bridge *br;
	struct port *port;

	if (s->name[0] && !strcmp(s->name, s->bridge)) {
		br = bridge_lookup(s->bridge);
		return br && br->host == s->port ? br->host : NULL;
	}
	port = bridge_find_port(s->name, &br);
	return port == s->port ? port : NULL;
}

static void
session_destroy(struct capture_session *s)
{
	struct capture_session **pp;
	struct port *port = session_port(s);

	for (pp = &sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	if (port && !port_has_other_session(port, NULL))
		port->capture = NULL;
	n_sessions--;
	free(s->slab);
	free(s);
}

void
ctl_monitor_conn_closed(struct ctl_conn *c)
{
	struct capture_session *s, *next;

	for (s = sessions; s; s = next) {
		next = s->next;
		if (s->conn == c)
			session_destroy(s);
	}
	/* Bridges record events only while some peer is subscribed. */
	bridge_events_enabled = ctl_server_has_subscribers();
}

int
ctl_m_monitor_subscribe(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "topics", NULL };
	struct json_object *topics = NULL;
	unsigned mask = 0;

	if (ctl_params_check_known(params, known, r))
		return r->code;
	if (params)
		json_object_object_get_ex(params, "topics", &topics);
	if (!topics) {
		mask = CTL_TOPIC_FDB | CTL_TOPIC_STP | CTL_TOPIC_LINK;
	} else if (!json_object_is_type(topics, json_type_array)) {
		return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS, 0,
				       "params.topics: must be an array");
	} else {
		for (size_t i = 0; i < json_object_array_length(topics); i++) {
			struct json_object *t =
				json_object_array_get_idx(topics, i);
			const char *s = json_object_get_string(t);

			if (!json_object_is_type(t, json_type_string))
				s = "";
			if (!strcmp(s, "fdb"))
				mask |= CTL_TOPIC_FDB;
			else if (!strcmp(s, "stp"))
				mask |= CTL_TOPIC_STP;
			else if (!strcmp(s, "link"))
				mask |= CTL_TOPIC_LINK;
			else
				return ctl_reply_error(r, CTL_ERR_INVALID_PARAMS,
						       0, "params.topics[%zu]: "
						       "not fdb, stp or link", i);
		}
	}
	if (ctl_server_subscribe(r, mask))
		return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
				       "monitor needs a connection");
	bridge_events_enabled = true;
	r->result = json_object_new_object();
	return 0;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Encodes 'n' bytes of 'in' as base64 (RFC 4648, padded) into 'out', which
 * holds 4 * ((n + 2) / 3) + 1 bytes. */
static void
base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | in[i + 1] << 8 | in[i + 2];

		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = b64[(v >> 6) & 63];
		*out++ = b64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= in[i + 1] << 8;
		*out++ = b64[v >> 18];
		*out++ = b64[(v >> 12) & 63];
		*out++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

/* Sends what 's' has queued while its peer keeps up.  Returns false when
 * the session ended (its port is gone). */
static bool
session_run(struct capture_session *s, char *text)
{
	if (!session_port(s)) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "reason", json_object_new_string(
					       "the port was removed"));
		ctl_conn_notify(s->conn, "capture.end", p);
		session_destroy(s);
		return false;
	}
	while (s->head != s->tail &&
	       ctl_conn_pending(s->conn) < CAPTURE_MAX_PENDING) {
		struct capture_frame *f = &s->ring[s->head % CTL_CAPTURE_RING];
		struct json_object *p = json_object_new_object();

		base64_encode(f->data, f->caplen, text);
		json_object_object_add(p, "ts_ns", ctl_json_u64(f->ts_ns));
		json_object_object_add(p, "len", json_object_new_int64(f->len));
		json_object_object_add(p, "dir", json_object_new_string(
					       f->tx ? "tx" : "rx"));
		json_object_object_add(p, "data_b64",
				       json_object_new_string(text));
		if (s->dropped != s->dropped_sent) {
			json_object_object_add(p, "dropped",
					       ctl_json_u64(s->dropped));
			s->dropped_sent = s->dropped;
		}
		s->head++;
		ctl_conn_notify(s->conn, "capture.frame", p);
	}
	return true;
}

int
ctl_m_capture_start(struct json_object *params, struct ctl_reply *r)
{
	static const char *const known[] = { "dev", "bridge", NULL };
	const char *dev, *brname = NULL;
	struct capture_session *s;
	struct bridge *br;
	struct port *port;

	if (ctl_params_check_known(params, known, r) ||
	    ctl_param_string(params, "dev", true, &dev, r) < 0 ||
	    ctl_param_string(params, "bridge", false, &brname, r) < 0)
		return r->code;
	if (brname && !bridge_lookup(brname))
		return ctl_reply_error(r, CTL_ERR_APP, ENODEV,
				       "bridge %s does not exist", brname);
	if (ctl_lookup_dev(dev, &br, &port, r))
		return r->code;
	if (brname && strcmp(brname, br->name))
		return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
				       "device %s is not a port of %s", dev,
				       brname);
	if (!port && !(port = br->host))
		return ctl_reply_error(r, CTL_ERR_APP, EOPNOTSUPP,
				       "bridge %s has no bridge device to "
				       "capture on", dev);
	if (!r->conn)
		return ctl_reply_error(r, CTL_ERR_APP, EINVAL,
				       "capture needs a connection");
	if (n_sessions >= CTL_CAPTURE_MAX_SESSIONS)
		return ctl_reply_error(r, CTL_ERR_APP, EBUSY,
				       "too many captures running (%d)",
				       CTL_CAPTURE_MAX_SESSIONS);
	s = xcalloc(1, sizeof *s);
	s->slab = xcalloc(CTL_CAPTURE_RING, CTL_CAPTURE_SNAPLEN);
	for (unsigned i = 0; i < CTL_CAPTURE_RING; i++)
		s->ring[i].data = s->slab + (size_t)i * CTL_CAPTURE_SNAPLEN;
	s->conn = r->conn;
	ctl_conn_keep(s->conn);
	s->port = port;
	util_strlcpy(s->name, port->is_host ? br->name : port->name,
		     sizeof s->name);
	util_strlcpy(s->bridge, br->name, sizeof s->bridge);
	s->next = sessions;
	sessions = s;
	n_sessions++;
	port->capture = capture_hook;
	log_info(MOD, "capture on %s (bridge %s) started", s->name, br->name);

	r->result = json_object_new_object();
	json_object_object_add(r->result, "dev", json_object_new_string(s->name));
	json_object_object_add(r->result, "bridge",
			       json_object_new_string(br->name));
	json_object_object_add(r->result, "port_no",
			       json_object_new_int(port->port_no));
	json_object_object_add(r->result, "linktype", json_object_new_int(1));
	json_object_object_add(r->result, "snaplen",
			       json_object_new_int(CTL_CAPTURE_SNAPLEN));
	return 0;
}

/* --- events ------------------------------------------------------------ */

static const char *
fdb_state(uint8_t flags)
{
	return flags & FDB_F_LOCAL ? "permanent"
	       : flags & FDB_F_STATIC ? "static" : "";
}

static const char *const dev_actions[] = {
	[BRIDGE_EV_DEV_ADD] = "add",
	[BRIDGE_EV_DEV_DEL] = "del",
	[BRIDGE_EV_DEV_SET] = "set",
};

/* Turns one bridge event into an "event" notification. */
static void
send_event(const struct bridge_event *ev)
{
	struct json_object *p = json_object_new_object();
	char ifname[IFNAMSIZ + 1], master[IFNAMSIZ + 1];
	bool has_master = true;
	unsigned topic;

	memcpy(ifname, ev->ifname, IFNAMSIZ);
	ifname[IFNAMSIZ] = '\0';
	memcpy(master, ev->master, IFNAMSIZ);
	master[IFNAMSIZ] = '\0';
	switch ((enum bridge_event_type)ev->type) {
	case BRIDGE_EV_FDB_NEW:
	case BRIDGE_EV_FDB_MOVED:
	case BRIDGE_EV_FDB_DEL: {
		char mac[ETH_ADDR_STRLEN];

		topic = CTL_TOPIC_FDB;
		json_object_object_add(p, "topic", json_object_new_string("fdb"));
		json_object_object_add(p, "action", json_object_new_string(
			ev->type == BRIDGE_EV_FDB_DEL ? "del"
			: ev->type == BRIDGE_EV_FDB_MOVED ? "move" : "add"));
		json_object_object_add(p, "mac", json_object_new_string(
					       eth_addr_format(&ev->mac, mac)));
		json_object_object_add(p, "ifname",
				       json_object_new_string(ifname));
		if (ev->vid)
			json_object_object_add(p, "vlan",
					       json_object_new_int(ev->vid));
		json_object_object_add(p, "state", json_object_new_string(
					       fdb_state(ev->fdb_flags)));
		json_object_object_add(p, "learned", json_object_new_boolean(
			!(ev->fdb_flags & (FDB_F_USER | FDB_F_LOCAL))));
		break;
	}
	case BRIDGE_EV_FDB_USER_ADD:
	case BRIDGE_EV_FDB_USER_DEL: {
		/* As the kernel reports a user's change: the key as given (no
		 * vlan: every VLAN), no "learned", no state when deleted. */
		bool add = ev->type == BRIDGE_EV_FDB_USER_ADD;
		char mac[ETH_ADDR_STRLEN];

		topic = CTL_TOPIC_FDB;
		json_object_object_add(p, "topic", json_object_new_string("fdb"));
		json_object_object_add(p, "action", json_object_new_string(
					       add ? "add" : "del"));
		json_object_object_add(p, "mac", json_object_new_string(
					       eth_addr_format(&ev->mac, mac)));
		json_object_object_add(p, "ifname",
				       json_object_new_string(ifname));
		if (ev->vid != FDB_VID_ANY)
			json_object_object_add(p, "vlan",
					       json_object_new_int(ev->vid));
		if (add)
			json_object_object_add(p, "state", json_object_new_string(
						       fdb_state(ev->fdb_flags)));
		break;
	}
	case BRIDGE_EV_DEV:
		topic = CTL_TOPIC_LINK;
		json_object_object_add(p, "topic",
				       json_object_new_string("link"));
		json_object_object_add(p, "action", json_object_new_string(
			ev->state < ARRAY_SIZE(dev_actions)
			? dev_actions[ev->state] : "set"));
		json_object_object_add(p, "ifname",
				       json_object_new_string(ifname));
		has_master = ev->port_no != 0;	/* a bridge has none */
		break;
	case BRIDGE_EV_PORT_STATE:
		topic = CTL_TOPIC_STP;
		json_object_object_add(p, "topic", json_object_new_string("stp"));
		json_object_object_add(p, "action",
				       json_object_new_string("state"));
		json_object_object_add(p, "ifname",
				       json_object_new_string(ifname));
		json_object_object_add(p, "port_no",
				       json_object_new_int(ev->port_no));
		json_object_object_add(p, "state", json_object_new_string(
				port_state_name((enum port_state)ev->state)));
		break;
	case BRIDGE_EV_TOPOLOGY:
		topic = CTL_TOPIC_STP;
		json_object_object_add(p, "topic", json_object_new_string("stp"));
		json_object_object_add(p, "action", json_object_new_string(
					       "topology_change"));
		json_object_object_add(p, "active",
				       json_object_new_boolean(ev->state));
		break;
	case BRIDGE_EV_LINK:
	default:
		topic = CTL_TOPIC_LINK;
		json_object_object_add(p, "topic",
				       json_object_new_string("link"));
		json_object_object_add(p, "action", json_object_new_string("set"));
		json_object_object_add(p, "ifname",
				       json_object_new_string(ifname));
		json_object_object_add(p, "operstate", json_object_new_string(
					       ev->state ? "UP" : "DOWN"));
		break;
	}
	if (has_master)
		json_object_object_add(p, "master",
				       json_object_new_string(master));
	ctl_server_notify(topic, "event", p);
}

void
ctl_monitor_run(void)
{
	struct capture_session *s, *next;
	char *text = NULL;

	struct bridge_event ev;

	/* Deleted bridges first: their events are older than any bridge
	 * created since. */
	while (bridge_event_pop(NULL, &ev))
		send_event(&ev);
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		while (bridge_event_pop(br->events, &ev))
			send_event(&ev);
		if (br->events && br->events->dropped) {
			log_warn_rl(MOD, "%s: %llu events lost (monitor too "
				    "slow)", br->name,
				    (unsigned long long)br->events->dropped);
			br->events->dropped = 0;
		}
	}
	for (s = sessions; s; s = next) {
		next = s->next;
		if (!text && s->head != s->tail)
			text = xmalloc(4 * ((CTL_CAPTURE_SNAPLEN + 2) / 3) + 1);
		session_run(s, text ? text : (char[1]){ 0 });
	}
	free(text);
}

/* Before the loop sleeps: what the datapath queued goes to the peers. */
static void
monitor_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop; (void)w; (void)revents;
	ctl_monitor_run();
}

void
ctl_monitor_open(struct ev_loop *loop)
{
	monitor_loop = loop;
	ev_prepare_init(&monitor_prepare, monitor_prepare_cb);
	ev_prepare_start(loop, &monitor_prepare);
	ev_unref(loop);		/* it keeps nothing alive */
}

void
ctl_monitor_close(void)
{
	if (!monitor_loop)
		return;
	while (sessions)
		session_destroy(sessions);
	ev_ref(monitor_loop);
	ev_prepare_stop(monitor_loop, &monitor_prepare);
	monitor_loop = NULL;
}
