/*
 * lab-watch.c - "bridgectl lab watch [NAME]": the lab's spanning tree and
 * MAC learning as they change (#17), in the lab's own names.
 *
 * One snapshot at the start (stp.show and port.show of every switch of
 * the lab), then only the daemon's events (monitor.subscribe, docs/rpc.md):
 * an STP port state, a topology-change flag, an FDB entry learned, moved or
 * deleted, a port's link.  Events carry no STP role, so after a burst of
 * STP events the switches they named are asked again (stp.show, port.show)
 * and a role, root or root port that changed becomes an event of its own;
 * nothing is polled while nothing happens.  Bridge and port names become
 * the lab's ("lw-sw1-p1" is "sw1:p1", shown with its link's other end),
 * and a MAC of a lab host its host name.
 *
 * On a terminal the screen is redrawn (ANSI escapes, the alternate screen):
 * each switch, root or not, each of its ports' state, role and carrier,
 * and the latest events.  Otherwise one line per event, timestamped,
 * flushed at once, so "lab watch | grep" and tests read it as it happens;
 * with -j one JSON object per line.
 *
 * Exit status: 0 after SIGINT or SIGTERM, or when the lab went down (its
 * bridges were deleted); 1 when it could not start (no such lab, vswitchd
 * unreachable); 2 for a usage error; 3 when vswitchd went away while
 * watching (it is said on stderr).
 */
#include "lab.h"
#include "../ctl.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util.h"

#define WATCH_EXIT_GONE 3	/* vswitchd went away while watching */
#define WATCH_LOG       256	/* latest event lines kept for the screen */
#define WATCH_BURST     64	/* events of a burst between refreshes */
#define WATCH_LABEL     (2 * LAB_NAME_MAX + 2)

struct watch_port {
	char ifname[LAB_IFNAMSIZ];
	char label[WATCH_LABEL];	/* "sw1:p1" */
	char peer[WATCH_LABEL];		/* its link's other end: "h1:eth0" */
	size_t sw;			/* index into watch.sws */
	char state[16];			/* STP state, "missing" if none */
	char role[16];
	bool carrier;
};

struct watch_switch {
	const char *name;		/* lab name: "sw1" */
	char br[LAB_IFNAMSIZ];		/* its bridge */
	bool present, stp, root, tc;
	char bridge_id[32];
	char root_port[WATCH_LABEL];	/* label, "" if none */
	bool dirty;			/* to ask again after this burst */
};

struct watch {
	struct lab *lab;
	struct watch_switch *sws;
	size_t n_sws;
	struct watch_port *ports;
	size_t n_ports;
	char (*host_mac)[32];		/* by host index; "" if unknown */
	bool tty;
	char *log[WATCH_LOG];		/* ring of screen lines */
	size_t n_log;			/* lines ever logged */
};

static volatile sig_atomic_t watch_resized;

static void
watch_on_signal(int sig)
{
	if (sig == SIGWINCH)
		watch_resized = 1;
	else
		ctl_interrupted = 1;
}

static void
watch_usage(FILE *f)
{
	fprintf(f,
"Usage: bridgectl [-j] lab watch [NAME]\n"
"Shows the lab's STP port states and roles, the root bridge, FDB changes\n"
"and topology changes as they happen, in the lab's names (sw1:p1, h1).\n"
"On a terminal: a screen redrawn at each change; otherwise one line per\n"
"event (-j: one JSON object per line).  Ends on Ctrl-C or SIGTERM (0), when\n"
"the lab goes down (0), or when vswitchd goes away (3).\n");
}

/* ---- model ------------------------------------------------------------ */

static struct watch_port *
watch_find_port(struct watch *w, const char *ifname)
{
	for (size_t i = 0; i < w->n_ports; i++)
		if (!strcmp(w->ports[i].ifname, ifname))
			return &w->ports[i];
	return NULL;
}

static struct watch_switch *
watch_find_switch(struct watch *w, const char *br)
{
	for (size_t i = 0; i < w->n_sws; i++)
		if (!strcmp(w->sws[i].br, br))
			return &w->sws[i];
	return NULL;
}

/* The lab host whose MAC is 'mac', or NULL. */
static const char *
watch_host_of(const struct watch *w, const char *mac)
{
	for (size_t i = 0; i < w->lab->n_hosts; i++)
		if (w->host_mac[i][0] && !strcasecmp(w->host_mac[i], mac))
			return w->lab->hosts[i].name;
	return NULL;
}

/* The switches of the lab and their ports, in the order of the file. */
static void
watch_build(struct watch *w)
{
	const struct lab *lab = w->lab;

	w->n_sws = lab->n_switches;
	w->sws = xcalloc(w->n_sws ? w->n_sws : 1, sizeof *w->sws);
	w->ports = xcalloc(2 * lab->n_links + 1, sizeof *w->ports);
	for (size_t i = 0; i < lab->n_switches; i++) {
		struct watch_switch *s = &w->sws[i];

		s->name = lab->switches[i].name;
		lab_bridge_name(lab, s->name, s->br);
		for (size_t l = 0; l < lab->n_links; l++)
			for (int e = 0; e < 2; e++) {
				const struct lab_end *me = &lab->links[l].end[e];
				const struct lab_end *to = &lab->links[l].end[!e];
				struct watch_port *p = &w->ports[w->n_ports];

				if (me->kind != LAB_SWITCH ||
				    strcmp(me->node, s->name))
					continue;
				lab_port_name(lab, me->node, me->port, p->ifname);
				snprintf(p->label, sizeof p->label, "%s:%s",
					 me->node, me->port);
				snprintf(p->peer, sizeof p->peer, "%s:%s",
					 to->node, to->port);
				p->sw = i;
				w->n_ports++;
			}
	}
	w->host_mac = xcalloc(lab->n_hosts + 1, sizeof *w->host_mac);
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (lab_host_mac(lab, lab->hosts[i].name, w->host_mac[i]))
			w->host_mac[i][0] = 0;
}

static void
watch_free(struct watch *w)
{
	for (size_t i = 0; i < WATCH_LOG; i++)
		free(w->log[i]);
	free(w->sws);
	free(w->ports);
	free(w->host_mac);
	lab_destroy(w->lab);
}

/* ---- output ----------------------------------------------------------- */

/* Wall-clock time as "HH:MM:SS.mmm" and as seconds. */
static double
watch_now(char buf[16])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	snprintf(buf, 16, "%02u:%02u:%02u.%03u", (unsigned)tm.tm_hour % 24,
		 (unsigned)tm.tm_min % 60, (unsigned)tm.tm_sec % 61,
		 (unsigned)(ts.tv_nsec / 1000000) % 1000);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One event of kind 'kind': 'o' its JSON members (taken), the text after
 * the kind from 'fmt'.  -j: a JSON line; a terminal: a line of the
 * screen's log; else a text line, flushed. */
static void __attribute__((format(printf, 4, 5)))
watch_emit(struct watch *w, const char *kind, struct json_object *o,
	   const char *fmt, ...)
{
	char tbuf[16], *text, *line;
	double t = watch_now(tbuf);
	va_list ap;

	if (ctl_opts.json) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "time", json_object_new_string(tbuf));
		json_object_object_add(j, "ts", json_object_new_double(t));
		json_object_object_add(j, "event", json_object_new_string(kind));
		json_object_object_add(j, "lab",
				       json_object_new_string(w->lab->name));
		json_object_object_foreach(o, k, v)
			json_object_object_add(j, k, json_object_get(v));
		ctl_print_json(j);
		fflush(stdout);
		json_object_put(j);
		json_object_put(o);
		return;
	}
	json_object_put(o);
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		abort();
	va_end(ap);
	line = xasprintf("%s %-5s %s", tbuf, kind, text);
	free(text);
	if (w->tty) {
		free(w->log[w->n_log % WATCH_LOG]);
		w->log[w->n_log++ % WATCH_LOG] = line;
		return;
	}
	printf("%s\n", line);
	fflush(stdout);
	free(line);
}

/* JSON members naming port 'p' (and more "s" key/value pairs after it,
 * NULL-terminated). */
static struct json_object * __attribute__((sentinel))
watch_port_json(const struct watch *w, const struct watch_port *p, ...)
{
	struct json_object *o = json_object_new_object();
	const char *k;
	va_list ap;

	json_object_object_add(o, "switch",
			       json_object_new_string(w->sws[p->sw].name));
	json_object_object_add(o, "port", json_object_new_string(p->label));
	json_object_object_add(o, "peer", json_object_new_string(p->peer));
	json_object_object_add(o, "ifname", json_object_new_string(p->ifname));
	va_start(ap, p);
	while ((k = va_arg(ap, const char *)))
		json_object_object_add(o, k, json_object_new_string(
					       va_arg(ap, const char *)));
	va_end(ap);
	return o;
}

static struct json_object *
watch_switch_json(const struct watch_switch *s)
{
	return ctl_params("s", "switch", s->name, "s", "bridge", s->br, NULL);
}

/* "root bridge", "root port sw2:p1" or "stp off" for switch 's'. */
static const char *
watch_switch_text(const struct watch_switch *s, char *buf, size_t size)
{
	if (!s->present)
		snprintf(buf, size, "missing");
	else if (!s->stp)
		snprintf(buf, size, "stp off");
	else if (s->root)
		snprintf(buf, size, "root bridge (id %s)", s->bridge_id);
	else
		snprintf(buf, size, "not root, root port %s", *s->root_port
			 ? s->root_port : "none");
	return buf;
}

/* ---- state from the daemon -------------------------------------------- */

/* Port 'p''s carrier (with its admin state) is now 'up'. */
static void
watch_carrier(struct watch *w, struct watch_port *p, bool up)
{
	p->carrier = up;
	watch_emit(w, "link", watch_port_json(w, p, "link", up ? "up" : "down",
					      NULL),
		   "%s (to %s) %s", p->label, p->peer, up ? "up" : "down");
}

/* Asks switch 'i' for its STP and port state.  'initial': takes all of it;
 * else what events do not say (roles, root, root port) and the carrier
 * (a wire's two ends report theirs one after the other), and says what
 * changed; port states come from events only. */
static void
watch_refresh(struct watch *w, size_t i, bool initial)
{
	struct watch_switch *s = &w->sws[i];
	struct json_object *stp = NULL, *ports = NULL, *sp = NULL;
	char old_rp[WATCH_LABEL], buf[96];
	struct rpc_error err;
	bool was_root = s->root;

	s->dirty = false;
	snprintf(old_rp, sizeof old_rp, "%s", s->root_port);
	s->present = !rpc_call("stp.show", ctl_params("s", "bridge", s->br,
						      NULL), &stp, &err);
	if (s->present && rpc_call("port.show", ctl_params("s", "bridge", s->br,
							   NULL), &ports, &err))
		ports = NULL;
	s->stp = s->present && ctl_jint(stp, "stp_state");
	s->root = s->stp && !strcmp(ctl_jstr(stp, "designated_root"),
				    ctl_jstr(stp, "bridge_id"));
	snprintf(s->bridge_id, sizeof s->bridge_id, "%s",
		 s->present ? ctl_jstr(stp, "bridge_id") : "");
	s->root_port[0] = 0;
	if (s->stp)
		json_object_object_get_ex(stp, "ports", &sp);
	for (size_t k = 0; sp && k < json_object_array_length(sp); k++) {
		struct json_object *q = json_object_array_get_idx(sp, k);
		struct watch_port *p;

		if (ctl_jint(q, "port_no") == ctl_jint(stp, "root_port") &&
		    (p = watch_find_port(w, ctl_jstr(q, "name"))))
			snprintf(s->root_port, sizeof s->root_port, "%s",
				 p->label);
	}
	if (initial)
		s->tc = s->stp && ctl_jint(stp, "topology_change");
	for (size_t k = 0; k < w->n_ports; k++) {
		struct watch_port *p = &w->ports[k];
		const char *role;

		if (p->sw != i)
			continue;
		if (initial) {
			snprintf(p->state, sizeof p->state, "missing");
			p->carrier = false;
		}
		for (size_t j = 0; ports && j < json_object_array_length(ports);
		     j++) {
			struct json_object *q = json_object_array_get_idx(ports, j);
			bool up = ctl_jint(q, "carrier") && ctl_jint(q, "up");

			if (strcmp(ctl_jstr(q, "name"), p->ifname))
				continue;
			/* A link event of one end of a wire may precede the
			 * other end's: the carrier is read again here. */
			if (!initial && up != p->carrier)
				watch_carrier(w, p, up);
			p->carrier = up;
			if (initial)
				snprintf(p->state, sizeof p->state, "%s",
					 ctl_jstr(q, "state"));
		}
		role = lab_stp_role(stp, p->ifname, p->state);
		if (!initial && s->present && strcmp(role, p->role))
			watch_emit(w, "role", watch_port_json(w, p, "role", role,
							      "was", p->role,
							      NULL),
				   "%s (to %s) %s -> %s", p->label, p->peer,
				   p->role, role);
		snprintf(p->role, sizeof p->role, "%s", role);
	}
	if (!initial && s->stp && was_root != s->root)
		watch_emit(w, "root", watch_switch_json(s), "%s %s",
			   s->name, s->root ? "is the root bridge now"
					    : "is no longer the root bridge");
	if (!initial && s->stp && !s->root && strcmp(old_rp, s->root_port))
		watch_emit(w, "root", watch_switch_json(s),
			   "%s root port %s -> %s", s->name,
			   *old_rp ? old_rp : "none",
			   *s->root_port ? s->root_port : "none");
	if (initial) {
		struct json_object *o = watch_switch_json(s);

		json_object_object_add(o, "root",
				       json_object_new_boolean(s->root));
		json_object_object_add(o, "stp", json_object_new_boolean(s->stp));
		json_object_object_add(o, "root_port",
				       json_object_new_string(s->root_port));
		json_object_object_add(o, "topology_change",
				       json_object_new_boolean(s->tc));
		watch_emit(w, "now", o, "%s %s%s", s->name,
			   watch_switch_text(s, buf, sizeof buf),
			   s->tc ? ", topology change" : "");
	}
	for (size_t k = 0; initial && k < w->n_ports; k++) {
		struct watch_port *p = &w->ports[k];
		struct json_object *o;

		if (p->sw != i)
			continue;
		o = watch_port_json(w, p, "state", p->state, "role", p->role,
				    NULL);
		json_object_object_add(o, "carrier",
				       json_object_new_boolean(p->carrier));
		watch_emit(w, "now", o, "%s (to %s) %s %s carrier %s", p->label,
			   p->peer, p->state, p->role, p->carrier ? "on" : "off");
	}
	json_object_put(stp);
	json_object_put(ports);
}

/* An FDB event on switch 's'. */
static void
watch_fdb(struct watch *w, struct watch_switch *s, struct json_object *p)
{
	const char *action = ctl_jstr(p, "action"), *mac = ctl_jstr(p, "mac");
	const char *state = ctl_jstr(p, "state"), *host = watch_host_of(w, mac);
	const struct watch_port *wp = watch_find_port(w, ctl_jstr(p, "ifname"));
	const char *what = !strcmp(action, "del") ? "deleted"
			   : !strcmp(action, "move") ? "learned (moved)"
			   : *state ? "added" : "learned";
	char where[2 * WATCH_LABEL + 8], vlan[16] = "";
	struct json_object *o;

	if (wp) {
		snprintf(where, sizeof where, "%s (to %s)", wp->label, wp->peer);
		o = watch_port_json(w, wp, NULL);
	} else {
		snprintf(where, sizeof where, "%s (%s)", s->name,
			 ctl_jstr(p, "ifname"));
		o = watch_switch_json(s);
	}
	json_object_object_add(o, "action", json_object_new_string(action));
	json_object_object_add(o, "mac", json_object_new_string(mac));
	if (host)
		json_object_object_add(o, "host", json_object_new_string(host));
	if (ctl_jint(p, "vlan")) {
		json_object_object_add(o, "vlan",
				       json_object_new_int64(ctl_jint(p, "vlan")));
		snprintf(vlan, sizeof vlan, " vlan %lld", ctl_jint(p, "vlan"));
	}
	if (*state)
		json_object_object_add(o, "state", json_object_new_string(state));
	watch_emit(w, "fdb", o, "%s %s %s%s%s%s%s%s%s", where, what, mac,
		   host ? " (" : "", host ? host : "", host ? ")" : "", vlan,
		   *state ? " " : "", state);
}

/* A link event: a port's carrier or admin state, a port or the bridge
 * added or deleted.  True when every switch of the lab is gone. */
static bool
watch_link(struct watch *w, struct watch_switch *s, struct json_object *p)
{
	const char *action = ctl_jstr(p, "action"), *ifname = ctl_jstr(p, "ifname");
	bool up = !strcmp(ctl_jstr(p, "operstate"), "UP");
	struct watch_port *wp;

	if (!strcmp(ifname, s->br)) {
		if (!strcmp(action, "del") && s->present) {
			s->present = false;
			watch_emit(w, "link", watch_switch_json(s),
				   "%s removed", s->name);
		} else if (!strcmp(action, "add") && !s->present) {
			s->present = true;
			s->dirty = true;
			watch_emit(w, "link", watch_switch_json(s),
				   "%s added", s->name);
		}
		for (size_t i = 0; i < w->n_sws; i++)
			if (w->sws[i].present)
				return false;
		return true;
	}
	if (!(wp = watch_find_port(w, ifname)))
		return false;
	if (!strcmp(action, "del")) {
		snprintf(wp->state, sizeof wp->state, "missing");
		wp->carrier = false;
		watch_emit(w, "link", watch_port_json(w, wp, "action", "del",
						      NULL),
			   "%s (to %s) removed", wp->label, wp->peer);
	} else if (up != wp->carrier || !strcmp(action, "add")) {
		watch_carrier(w, wp, up);
	}
	s->dirty = true;
	return false;
}

/* Handles one monitor event.  True when the lab is gone. */
static bool
watch_event(struct watch *w, struct json_object *p)
{
	const char *topic = ctl_jstr(p, "topic"), *action = ctl_jstr(p, "action");
	const char *master = ctl_jstr(p, "master");
	struct watch_switch *s;
	struct watch_port *wp;

	/* A bridge's own add/del event names it in 'ifname' only. */
	s = watch_find_switch(w, *master ? master : ctl_jstr(p, "ifname"));

	if (!s)
		return false;	/* not a switch of this lab */
	if (!strcmp(topic, "fdb")) {
		watch_fdb(w, s, p);
	} else if (!strcmp(topic, "stp") && !strcmp(action, "state")) {
		const char *st = ctl_jstr(p, "state");

		if (!(wp = watch_find_port(w, ctl_jstr(p, "ifname"))))
			return false;
		watch_emit(w, "stp", watch_port_json(w, wp, "state", st, "was",
						     wp->state, NULL),
			   "%s (to %s) %s -> %s", wp->label, wp->peer,
			   wp->state, st);
		snprintf(wp->state, sizeof wp->state, "%s", st);
		s->dirty = true;
	} else if (!strcmp(topic, "stp")) {
		bool on = ctl_jint(p, "active");
		struct json_object *o = watch_switch_json(s);

		json_object_object_add(o, "active", json_object_new_boolean(on));
		s->tc = on;
		watch_emit(w, "tc", o, "%s topology change %s", s->name,
			   on ? "detected" : "over");
		s->dirty = true;
	} else if (!strcmp(topic, "link")) {
		return watch_link(w, s, p);
	}
	return false;
}

/* ---- the screen ------------------------------------------------------- */

static const char *
watch_state_colour(const char *state)
{
	if (!strcmp(state, "forwarding"))
		return "\033[32m";
	if (!strcmp(state, "blocking") || !strcmp(state, "missing"))
		return "\033[31m";
	if (!strcmp(state, "listening") || !strcmp(state, "learning"))
		return "\033[33m";
	return "\033[2m";
}

/* Redraws the whole screen from the model and the latest log lines. */
static void
watch_draw(struct watch *w)
{
	struct winsize ws = { 0 };
	size_t rows = 24, cols = 80, used = 2, n_ev;
	char *buf = NULL, tbuf[16], line[128];
	size_t len = 0;
	FILE *f;

	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		rows = ws.ws_row;
		cols = ws.ws_col;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return;
	watch_now(tbuf);
	fprintf(f, "\033[H\033[7m lab %s: bridgectl lab watch  %.8s  "
		"(Ctrl-C ends)\033[K\033[0m\r\n", w->lab->name, tbuf);
	for (size_t i = 0; i < w->n_sws; i++) {
		struct watch_switch *s = &w->sws[i];

		fprintf(f, "\033[1m%-6s\033[0m %.*s%s\033[K\r\n", s->name,
			(int)(cols > 30 ? cols - 30 : 10),
			watch_switch_text(s, line, sizeof line),
			s->tc ? "  \033[33mTOPOLOGY CHANGE\033[0m" : "");
		used++;
		for (size_t k = 0; k < w->n_ports; k++) {
			struct watch_port *p = &w->ports[k];

			if (p->sw != i)
				continue;
			fprintf(f, "  %-10s to %-10s %s%-10s\033[0m %-10s "
				"carrier %s\033[K\r\n", p->label, p->peer,
				watch_state_colour(p->state), p->state, p->role,
				p->carrier ? "on" : "\033[31moff\033[0m");
			used++;
		}
	}
	fprintf(f, "\033[K\r\n\033[1mlatest events\033[0m\033[K\r\n");
	used += 2;
	n_ev = rows > used + 3 ? rows - used : 3;
	if (n_ev > w->n_log)
		n_ev = w->n_log;
	if (n_ev > WATCH_LOG)
		n_ev = WATCH_LOG;
	for (size_t k = w->n_log - n_ev; k < w->n_log; k++)
		fprintf(f, "%.*s\033[K\r\n", (int)(cols - 1),
			w->log[k % WATCH_LOG]);
	fprintf(f, "\033[J");
	fclose(f);
	if (write(STDOUT_FILENO, buf, len) < 0)
		ctl_interrupted = 1;	/* the terminal is gone */
	free(buf);
}

static void
watch_screen(bool on)
{
	const char *s = on ? "\033[?1049h\033[?25l\033[2J" : "\033[?25h\033[?1049l";

	if (write(STDOUT_FILENO, s, strlen(s)) < 0)
		ctl_interrupted = 1;
}

/* ---- the command ------------------------------------------------------ */

/* After a burst of events: asks the switches they touched again, then
 * redraws. */
static void
watch_settle(struct watch *w)
{
	for (size_t i = 0; i < w->n_sws; i++)
		if (w->sws[i].dirty)
			watch_refresh(w, i, false);
	if (w->tty)
		watch_draw(w);
}

int
lab_watch(int argc, char **argv)
{
	struct watch w = { 0 };
	struct sigaction sa;
	struct rpc_error err;
	struct json_object *res, *ev, *params;
	const char *end = NULL;
	int status = 0, why, burst = 0;

	if (ctl_wants_help(argc, argv)) {
		watch_usage(stdout);
		return 0;
	}
	if (argc > 1)
		return ctl_usage_error("lab", "lab watch [NAME]: unexpected "
				       "argument '%s'", argv[1]);
	if (!(w.lab = lab_open(argc ? argv[0] : NULL)))
		return CTL_EXIT_FAIL;
	/* Subscribed before the snapshot: no change falls between them. */
	if (rpc_call("monitor.subscribe", NULL, &res, &err)) {
		fprintf(stderr, "bridgectl: lab watch: %s\n", err.message);
		lab_destroy(w.lab);
		return CTL_EXIT_FAIL;
	}
	json_object_put(res);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = watch_on_signal;	/* no SA_RESTART: waits end */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	w.tty = !ctl_opts.json && isatty(STDOUT_FILENO);
	watch_build(&w);
	watch_emit(&w, "watch", ctl_params("s", "prefix", w.lab->prefix, NULL),
		   "lab %s: %zu switches, %zu switch ports (Ctrl-C ends)",
		   w.lab->name, w.n_sws, w.n_ports);
	for (size_t i = 0; i < w.n_sws; i++)
		watch_refresh(&w, i, true);
	if (w.tty) {
		watch_screen(true);
		watch_draw(&w);
	}
	while (!end) {
		ev = rpc_wait_notification(burst ? 0 : -1, &why);
		if (ev) {
			if (json_object_object_get_ex(ev, "params", &params) &&
			    watch_event(&w, params))
				end = "the lab went down";
			json_object_put(ev);
			if (++burst < WATCH_BURST)
				continue;	/* more may be queued */
		} else if (why == EINTR) {
			if (ctl_interrupted)
				end = "interrupted";
			else if (watch_resized && w.tty)
				watch_draw(&w);
			watch_resized = 0;
			continue;
		} else if (why != ETIMEDOUT) {
			end = "vswitchd went away";
			status = WATCH_EXIT_GONE;
			break;
		}
		watch_settle(&w);
		burst = 0;
	}
	if (w.tty)
		watch_screen(false);
	w.tty = false;	/* the last line goes to the terminal itself */
	watch_emit(&w, "end", ctl_params("s", "reason", end, NULL), "%s", end);
	if (status == WATCH_EXIT_GONE)
		fprintf(stderr, "bridgectl: lab watch: vswitchd closed the "
			"connection (stopped or restarted?)\n");
	rpc_close();
	watch_free(&w);
	return status;
}
