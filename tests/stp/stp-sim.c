/*
 * stp-sim.c - runs spanning-tree scenarios written in a small text language
 * against vswitchd/stp, with many bridges wired together over simulated LAN
 * segments and a virtual clock.  Links only libstp and libcommon.
 *
 * Usage: stp-sim [-v] FILE.stp...
 *
 * Each file is one scenario; it prints "PASS name" or "FAIL name" with the
 * failed checks, and the run ends with "N passed, N failed" (scenarios).
 * Exit status is 1 if any scenario failed.
 *
 * The language, one statement per line ('#' starts a comment):
 *
 *   bridge NAME PRIORITY [MAC]      a bridge, STP on, up (MAC defaults to
 *                                   02:00:00:00:00:<n>, n counting from 1)
 *   port NAME PORTNO LAN [cost C] [priority P]
 *                                   a port attached to segment LAN (made on
 *                                   first use), link up; cost defaults to 100
 *   link NAME:PORT NAME:PORT [cost C]
 *                                   two ports on a new point-to-point segment
 *   run SECONDS                     advance time in 100 ms steps, delivering
 *                                   every queued BPDU to the segment's other
 *                                   ports after each step
 *   down NAME PORT | up NAME PORT   a port loses / regains its link
 *   cut LAN | mend LAN              every port on LAN loses / regains link
 *   fail NAME | revive NAME         a bridge stops dead (its peers keep their
 *                                   links and must age its information out) /
 *                                   restarts from scratch
 *   set NAME priority N             bridge priority
 *   set NAME port P priority N      port priority (0..63)
 *   set NAME port P cost N          port path cost
 *   set NAME stp on|off
 *   set NAME hello|max-age|forward-delay SECONDS
 *   check root NAME                 NAME is root and every live bridge in its
 *                                   part of the network agrees
 *   check root-port NAME PORT|none
 *   check cost NAME N               root path cost
 *   check state NAME PORT STATE     disabled|listening|learning|forwarding|
 *                                   blocking
 *   check role NAME PORT ROLE       root|designated|blocked|disabled
 *   check states NAME S...          every port in port order: F B Li Le D
 *   check tc NAME on|off            topology change flag
 *   check ageing NAME MS            FDB hold-time override (0 = none)
 *   check loop-free                 no cycle through forwarding ports
 *   check tree                      loop-free, and bridges linked physically
 *                                   are linked through forwarding ports
 *   check stable                    no port listening or learning
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eth.h"
#include "stp.h"
#include "stp-bpdu.h"
#include "util.h"

#define SIM_MAX_BRIDGES 32
#define SIM_MAX_PORTS   16	/* per bridge */
#define SIM_MAX_LANS    64
#define SIM_MAX_MEMBERS 32	/* ports per LAN */
#define SIM_STEP_MS     100
#define SIM_NAME_LEN    32

struct sim_port {
	uint16_t port_no;
	int lan;
	bool link_up;
	uint32_t cost;			/* kept to rebuild on "revive" */
	long priority;			/* -1: default */
};

struct sim_bridge {
	char name[SIM_NAME_LEN];
	struct stp *stp;
	struct eth_addr mac;
	uint16_t priority;
	bool alive;
	struct sim_port ports[SIM_MAX_PORTS];
	size_t n_ports;
};

struct sim_member {
	int bridge;
	uint16_t port_no;
};

struct sim_lan {
	char name[SIM_NAME_LEN * 2 + 2];
	struct sim_member members[SIM_MAX_MEMBERS];
	size_t n_members;
};

struct sim {
	const char *file;
	int line;
	bool verbose;
	uint64_t now_ms;
	struct sim_bridge bridges[SIM_MAX_BRIDGES];
	size_t n_bridges;
	struct sim_lan lans[SIM_MAX_LANS];
	size_t n_lans;
	int checks, failed_checks;
	bool error;			/* a syntax or setup error */
};

static void sim_error(struct sim *sim, const char *fmt, ...)
	UTIL_PRINTF(2, 3);
static void check_result(struct sim *sim, bool ok, const char *fmt, ...)
	UTIL_PRINTF(3, 4);

static void
sim_error(struct sim *sim, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "  ERROR %s:%d: ", sim->file, sim->line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	sim->error = true;
}

static void
check_result(struct sim *sim, bool ok, const char *fmt, ...)
{
	va_list ap;

	sim->checks++;
	if (ok && !sim->verbose) {
		return;
	}
	if (!ok) {
		sim->failed_checks++;
	}
	fprintf(stdout, "  %s %s:%d (t=%.1fs): ", ok ? "ok" : "FAILED",
		sim->file, sim->line, sim->now_ms / 1000.0);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* ---------------------------------------------------------------------- */
/* Topology. */

static struct sim_bridge *
find_bridge(struct sim *sim, const char *name)
{
	size_t i;

	for (i = 0; i < sim->n_bridges; i++) {
		if (!strcmp(sim->bridges[i].name, name)) {
			return &sim->bridges[i];
		}
	}
	sim_error(sim, "no bridge '%s'", name);
	return NULL;
}

static struct sim_port *
find_port(struct sim *sim, struct sim_bridge *b, const char *s)
{
	long no;
	size_t i;

	if (util_parse_long(s, 1, STP_PORT_NO_MAX, &no)) {
		sim_error(sim, "bad port number '%s'", s);
		return NULL;
	}
	for (i = 0; i < b->n_ports; i++) {
		if (b->ports[i].port_no == no) {
			return &b->ports[i];
		}
	}
	sim_error(sim, "bridge %s has no port %ld", b->name, no);
	return NULL;
}

static int
find_lan(struct sim *sim, const char *name, bool create)
{
	size_t i;

	for (i = 0; i < sim->n_lans; i++) {
		if (!strcmp(sim->lans[i].name, name)) {
			return (int)i;
		}
	}
	if (!create) {
		sim_error(sim, "no LAN '%s'", name);
		return -1;
	}
	if (sim->n_lans == SIM_MAX_LANS ||
	    !util_strlcpy(sim->lans[sim->n_lans].name, name,
			  sizeof(sim->lans[0].name))) {
		sim_error(sim, "too many LANs or name too long");
		return -1;
	}
	return (int)sim->n_lans++;
}

static void
port_mac(const struct sim_bridge *b, size_t bridge_idx, uint16_t port_no,
	 struct eth_addr *mac)
{
	(void)b;
	mac->ea[0] = 0x02;
	mac->ea[1] = 0xff;
	mac->ea[2] = (uint8_t)bridge_idx;
	mac->ea[3] = 0;
	mac->ea[4] = (uint8_t)(port_no >> 8);
	mac->ea[5] = (uint8_t)port_no;
}

static void
add_port(struct sim *sim, struct sim_bridge *b, long port_no, int lan,
	 long cost, long prio)
{
	size_t bi = (size_t)(b - sim->bridges);
	struct sim_lan *l = &sim->lans[lan];
	struct sim_port *p;
	struct eth_addr mac;
	int err;

	if (b->n_ports == SIM_MAX_PORTS || l->n_members == SIM_MAX_MEMBERS) {
		sim_error(sim, "too many ports");
		return;
	}
	port_mac(b, bi, (uint16_t)port_no, &mac);
	err = stp_port_add(b->stp, (uint16_t)port_no, &mac, (uint32_t)cost);
	if (!err && prio >= 0) {
		err = stp_set_port_priority(b->stp, (uint16_t)port_no,
					    (uint8_t)prio, sim->now_ms);
	}
	if (err) {
		sim_error(sim, "adding port %ld to %s: %s", port_no, b->name,
			  strerror(-err));
		return;
	}
	p = &b->ports[b->n_ports++];
	p->port_no = (uint16_t)port_no;
	p->lan = lan;
	p->link_up = true;
	p->cost = (uint32_t)cost;
	p->priority = prio;
	l->members[l->n_members].bridge = (int)bi;
	l->members[l->n_members].port_no = (uint16_t)port_no;
	l->n_members++;
	stp_port_enable(b->stp, p->port_no, sim->now_ms);
}

/* Sets the link of one port, as both its own bridge and the wire see it. */
static void
set_link(struct sim *sim, struct sim_bridge *b, struct sim_port *p, bool up)
{
	p->link_up = up;
	if (!b->alive) {
		return;
	}
	if (up) {
		stp_port_enable(b->stp, p->port_no, sim->now_ms);
	} else {
		stp_port_disable(b->stp, p->port_no, sim->now_ms);
	}
}

/* ---------------------------------------------------------------------- */
/* Time and delivery. */

static void
report_changes(struct sim *sim)
{
	size_t i;

	for (i = 0; i < sim->n_bridges; i++) {
		struct sim_bridge *b = &sim->bridges[i];
		uint16_t pn;

		while (stp_get_changed_port(b->stp, &pn)) {
			if (sim->verbose) {
				printf("    %8.3f %s port %u: %s\n",
				       sim->now_ms / 1000.0, b->name, pn,
				       stp_state_name(
					       stp_port_get_state(b->stp, pn)));
			}
		}
		while (stp_get_flush_port(b->stp, &pn)) {
			continue;
		}
	}
}

static struct sim_port *
bridge_port(struct sim_bridge *b, uint16_t port_no)
{
	size_t i;

	for (i = 0; i < b->n_ports; i++) {
		if (b->ports[i].port_no == port_no) {
			return &b->ports[i];
		}
	}
	return NULL;
}

/* Delivers queued frames until every outbox is empty (each frame goes to
 * every other port on the segment whose bridge is alive and link up). */
static void
deliver(struct sim *sim)
{
	int rounds;

	for (rounds = 0; rounds < 1000; rounds++) {
		bool moved = false;
		size_t i;

		for (i = 0; i < sim->n_bridges; i++) {
			struct sim_bridge *b = &sim->bridges[i];
			uint8_t frame[STP_FRAME_MAX];
			uint16_t pn;
			size_t len;

			while (stp_outbox_pop(b->stp, &pn, frame, &len)) {
				struct sim_port *p = bridge_port(b, pn);
				struct sim_lan *l;
				size_t m;

				moved = true;
				if (!b->alive || !p || !p->link_up) {
					continue;
				}
				l = &sim->lans[p->lan];
				for (m = 0; m < l->n_members; m++) {
					struct sim_member *mb = &l->members[m];
					struct sim_bridge *peer =
						&sim->bridges[mb->bridge];
					struct sim_port *pp =
						bridge_port(peer, mb->port_no);

					if ((peer == b && pp == p) ||
					    !peer->alive || !pp->link_up) {
						continue;
					}
					stp_rx_bpdu(peer->stp, pp->port_no,
						    frame, len, sim->now_ms);
				}
			}
		}
		report_changes(sim);
		if (!moved) {
			return;
		}
	}
	sim_error(sim, "BPDUs still flowing after 1000 delivery rounds");
}

static void
run(struct sim *sim, uint64_t ms)
{
	uint64_t end = sim->now_ms + ms;

	while (sim->now_ms < end) {
		size_t i;

		sim->now_ms += SIM_STEP_MS;
		for (i = 0; i < sim->n_bridges; i++) {
			if (sim->bridges[i].alive) {
				stp_tick(sim->bridges[i].stp, sim->now_ms);
			}
		}
		deliver(sim);
	}
}

/* ---------------------------------------------------------------------- */
/* Checks. */

static int
uf_find(int *parent, int x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* Joins the sets of 'a' and 'b'; false if they were already one set. */
static bool
uf_union(int *parent, int a, int b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a == b) {
		return false;
	}
	parent[a] = b;
	return true;
}

/* Nodes are bridges then LANs.  Joins, over live bridges' ports with link
 * up (and, if 'forwarding', only forwarding ones); returns false if a
 * forwarding edge closes a cycle. */
static bool
build_graph(struct sim *sim, int *parent, bool forwarding, char *why,
	    size_t why_size)
{
	bool acyclic = true;
	size_t i, j;

	for (i = 0; i < SIM_MAX_BRIDGES + SIM_MAX_LANS; i++) {
		parent[i] = (int)i;
	}
	for (i = 0; i < sim->n_bridges; i++) {
		struct sim_bridge *b = &sim->bridges[i];

		if (!b->alive) {
			continue;
		}
		for (j = 0; j < b->n_ports; j++) {
			struct sim_port *p = &b->ports[j];

			if (!p->link_up || (forwarding &&
			    stp_port_get_state(b->stp, p->port_no) !=
			    STP_FORWARDING)) {
				continue;
			}
			if (!uf_union(parent, (int)i,
				      SIM_MAX_BRIDGES + p->lan) &&
			    forwarding && acyclic) {
				acyclic = false;
				snprintf(why, why_size,
					 "forwarding loop closed by %s port %u"
					 " on LAN %s", b->name, p->port_no,
					 sim->lans[p->lan].name);
			}
		}
	}
	return acyclic;
}

static void
check_loop_free(struct sim *sim, bool tree)
{
	int phys[SIM_MAX_BRIDGES + SIM_MAX_LANS];
	int fwd[SIM_MAX_BRIDGES + SIM_MAX_LANS];
	char why[160] = "";
	size_t i, j;

	if (!build_graph(sim, fwd, true, why, sizeof(why))) {
		check_result(sim, false, "loop-free: %s", why);
		return;
	}
	if (!tree) {
		check_result(sim, true, "loop-free");
		return;
	}
	build_graph(sim, phys, false, why, sizeof(why));
	for (i = 0; i < sim->n_bridges; i++) {
		for (j = i + 1; j < sim->n_bridges; j++) {
			if (!sim->bridges[i].alive || !sim->bridges[j].alive ||
			    uf_find(phys, (int)i) != uf_find(phys, (int)j) ||
			    uf_find(fwd, (int)i) == uf_find(fwd, (int)j)) {
				continue;
			}
			check_result(sim, false, "tree: %s and %s are linked"
				     " but not through forwarding ports",
				     sim->bridges[i].name,
				     sim->bridges[j].name);
			return;
		}
	}
	check_result(sim, true, "tree");
}

static bool
parse_state(const char *s, enum stp_state *state)
{
	static const struct {
		const char *name;
		enum stp_state state;
	} names[] = {
		{ "disabled", STP_DISABLED }, { "D", STP_DISABLED },
		{ "listening", STP_LISTENING }, { "Li", STP_LISTENING },
		{ "learning", STP_LEARNING }, { "Le", STP_LEARNING },
		{ "forwarding", STP_FORWARDING }, { "F", STP_FORWARDING },
		{ "blocking", STP_BLOCKING }, { "B", STP_BLOCKING },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i].name)) {
			*state = names[i].state;
			return true;
		}
	}
	return false;
}

static void
check_root(struct sim *sim, struct sim_bridge *r)
{
	int phys[SIM_MAX_BRIDGES + SIM_MAX_LANS];
	struct stp_bridge_status st, rst;
	char why[160], a[STP_BRIDGE_ID_STRLEN], b[STP_BRIDGE_ID_STRLEN];
	size_t ri = (size_t)(r - sim->bridges), i;

	stp_get_status(r->stp, &rst);
	if (!r->alive || !rst.is_root) {
		check_result(sim, false, "root %s: %s is not root (root %s)",
			     r->name, r->name,
			     stp_bridge_id_format(rst.designated_root, a));
		return;
	}
	build_graph(sim, phys, false, why, sizeof(why));
	for (i = 0; i < sim->n_bridges; i++) {
		struct sim_bridge *x = &sim->bridges[i];

		if (!x->alive ||
		    uf_find(phys, (int)i) != uf_find(phys, (int)ri)) {
			continue;
		}
		stp_get_status(x->stp, &st);
		if (st.designated_root != rst.bridge_id) {
			check_result(sim, false, "root %s: %s thinks the root"
				     " is %s, not %s", r->name, x->name,
				     stp_bridge_id_format(st.designated_root,
							  a),
				     stp_bridge_id_format(rst.bridge_id, b));
			return;
		}
	}
	check_result(sim, true, "root %s", r->name);
}

static void
do_check(struct sim *sim, char **tok, int n)
{
	struct sim_bridge *b = NULL;
	struct sim_port *p = NULL;
	struct stp_bridge_status st;
	struct stp_port_status ps;
	enum stp_state state;
	long v;

	if (n >= 2 && !strcmp(tok[1], "loop-free")) {
		check_loop_free(sim, false);
		return;
	}
	if (n >= 2 && !strcmp(tok[1], "tree")) {
		check_loop_free(sim, true);
		return;
	}
	if (n >= 2 && !strcmp(tok[1], "stable")) {
		size_t i, j;

		for (i = 0; i < sim->n_bridges; i++) {
			struct sim_bridge *x = &sim->bridges[i];

			for (j = 0; x->alive && j < x->n_ports; j++) {
				state = stp_port_get_state(x->stp,
							   x->ports[j].port_no);
				if (state == STP_LISTENING ||
				    state == STP_LEARNING) {
					check_result(sim, false, "stable: %s"
						     " port %u is %s", x->name,
						     x->ports[j].port_no,
						     stp_state_name(state));
					return;
				}
			}
		}
		check_result(sim, true, "stable");
		return;
	}
	if (n < 3 || !(b = find_bridge(sim, tok[2]))) {
		sim_error(sim, "bad check");
		return;
	}
	stp_get_status(b->stp, &st);

	if (!strcmp(tok[1], "root") && n == 3) {
		check_root(sim, b);
	} else if (!strcmp(tok[1], "root-port") && n == 4) {
		if (!strcmp(tok[3], "none")) {
			v = 0;
		} else if (util_parse_long(tok[3], 1, STP_PORT_NO_MAX, &v)) {
			sim_error(sim, "bad port '%s'", tok[3]);
			return;
		}
		check_result(sim, st.root_port == v,
			     "root-port %s: expected %s, got %u", b->name,
			     tok[3], st.root_port);
	} else if (!strcmp(tok[1], "cost") && n == 4) {
		if (util_parse_long(tok[3], 0, UINT32_MAX, &v)) {
			sim_error(sim, "bad cost");
			return;
		}
		check_result(sim, st.root_path_cost == v,
			     "cost %s: expected %ld, got %u", b->name, v,
			     st.root_path_cost);
	} else if (!strcmp(tok[1], "tc") && n == 4) {
		bool want = !strcmp(tok[3], "on");

		check_result(sim, st.topology_change == want,
			     "tc %s: expected %s", b->name, tok[3]);
	} else if (!strcmp(tok[1], "ageing") && n == 4) {
		uint32_t got = stp_get_ageing_override_ms(b->stp);

		if (util_parse_long(tok[3], 0, UINT32_MAX, &v)) {
			sim_error(sim, "bad ageing");
			return;
		}
		check_result(sim, got == v, "ageing %s: expected %ld, got %u",
			     b->name, v, got);
	} else if (!strcmp(tok[1], "state") && n == 5) {
		if (!(p = find_port(sim, b, tok[3]))) {
			return;
		}
		if (!parse_state(tok[4], &state)) {
			sim_error(sim, "bad state '%s'", tok[4]);
			return;
		}
		stp_port_get_status(b->stp, p->port_no, &ps);
		check_result(sim, ps.state == state,
			     "state %s port %u: expected %s, got %s", b->name,
			     p->port_no, stp_state_name(state),
			     stp_state_name(ps.state));
	} else if (!strcmp(tok[1], "role") && n == 5) {
		if (!(p = find_port(sim, b, tok[3]))) {
			return;
		}
		stp_port_get_status(b->stp, p->port_no, &ps);
		check_result(sim, !strcmp(stp_role_name(ps.role), tok[4]),
			     "role %s port %u: expected %s, got %s", b->name,
			     p->port_no, tok[4], stp_role_name(ps.role));
	} else if (!strcmp(tok[1], "states")) {
		char got[256] = "";
		bool ok = (size_t)(n - 3) == b->n_ports;
		int i;

		for (i = 3; i < n && (size_t)(i - 3) < b->n_ports; i++) {
			uint16_t pn = b->ports[i - 3].port_no;
			enum stp_state s = stp_port_get_state(b->stp, pn);

			if (!parse_state(tok[i], &state)) {
				sim_error(sim, "bad state '%s'", tok[i]);
				return;
			}
			ok = ok && s == state;
		}
		for (i = 0; (size_t)i < b->n_ports; i++) {
			size_t len = strlen(got);

			snprintf(got + len, sizeof(got) - len, " %u:%s",
				 b->ports[i].port_no,
				 stp_state_name(stp_port_get_state(
					 b->stp, b->ports[i].port_no)));
		}
		check_result(sim, ok, "states %s: got%s", b->name, got);
	} else {
		sim_error(sim, "unknown check '%s'", tok[1]);
	}
}

/* ---------------------------------------------------------------------- */
/* Statements. */

static void
new_bridge(struct sim *sim, char **tok, int n)
{
	struct sim_bridge *b;
	long prio;

	if (n < 3 || n > 4 || util_parse_long(tok[2], 0, 65535, &prio)) {
		sim_error(sim, "usage: bridge NAME PRIORITY [MAC]");
		return;
	}
	if (sim->n_bridges == SIM_MAX_BRIDGES) {
		sim_error(sim, "too many bridges");
		return;
	}
	b = &sim->bridges[sim->n_bridges];
	memset(b, 0, sizeof(*b));
	if (!util_strlcpy(b->name, tok[1], sizeof(b->name))) {
		sim_error(sim, "name too long");
		return;
	}
	b->mac.ea[0] = 0x02;
	b->mac.ea[5] = (uint8_t)(sim->n_bridges + 1);
	if (n == 4 && eth_addr_parse(tok[3], &b->mac)) {
		sim_error(sim, "bad MAC '%s'", tok[3]);
		return;
	}
	b->priority = (uint16_t)prio;
	b->stp = stp_create(b->name, &b->mac, b->priority);
	b->alive = true;
	stp_set_enabled(b->stp, true, sim->now_ms);
	sim->n_bridges++;
}

/* Parses trailing "cost C" / "priority P" options from tok[i]. */
static bool
port_options(struct sim *sim, char **tok, int i, int n, long *cost,
	     long *prio)
{
	for (; i + 1 < n; i += 2) {
		if (!strcmp(tok[i], "cost")) {
			if (util_parse_long(tok[i + 1], 1, 65535, cost)) {
				break;
			}
		} else if (!strcmp(tok[i], "priority")) {
			if (util_parse_long(tok[i + 1], 0, 63, prio)) {
				break;
			}
		} else {
			break;
		}
	}
	if (i != n) {
		sim_error(sim, "bad port options");
		return false;
	}
	return true;
}

static void
new_port(struct sim *sim, char **tok, int n)
{
	struct sim_bridge *b;
	long no, cost = 100, prio = -1;
	int lan;

	if (n < 4 || !(b = find_bridge(sim, tok[1])) ||
	    util_parse_long(tok[2], 1, STP_PORT_NO_MAX, &no) ||
	    !port_options(sim, tok, 4, n, &cost, &prio) ||
	    (lan = find_lan(sim, tok[3], true)) < 0) {
		sim_error(sim, "usage: port NAME PORTNO LAN [cost C] "
			  "[priority P]");
		return;
	}
	add_port(sim, b, no, lan, cost, prio);
}

static void
new_link(struct sim *sim, char **tok, int n)
{
	struct sim_bridge *b[2];
	long no[2], cost = 100, prio = -1;
	char lan_name[SIM_NAME_LEN * 2 + 2];
	int i, lan;

	if (n < 3 || !port_options(sim, tok, 3, n, &cost, &prio)) {
		sim_error(sim, "usage: link NAME:PORT NAME:PORT [cost C]");
		return;
	}
	for (i = 0; i < 2; i++) {
		char name[SIM_NAME_LEN], *colon;

		if (!util_strlcpy(name, tok[1 + i], sizeof(name)) ||
		    !(colon = strchr(name, ':'))) {
			sim_error(sim, "bad endpoint '%s'", tok[1 + i]);
			return;
		}
		*colon = '\0';
		if (!(b[i] = find_bridge(sim, name)) ||
		    util_parse_long(colon + 1, 1, STP_PORT_NO_MAX, &no[i])) {
			sim_error(sim, "bad endpoint '%s'", tok[1 + i]);
			return;
		}
	}
	snprintf(lan_name, sizeof(lan_name), "%s-%s", tok[1], tok[2]);
	if ((lan = find_lan(sim, lan_name, true)) < 0) {
		return;
	}
	add_port(sim, b[0], no[0], lan, cost, prio);
	add_port(sim, b[1], no[1], lan, cost, prio);
}

static void
do_set(struct sim *sim, char **tok, int n)
{
	struct sim_bridge *b;
	struct sim_port *p;
	long v;
	int err = 0;

	if (n < 4 || !(b = find_bridge(sim, tok[1]))) {
		sim_error(sim, "bad set");
		return;
	}
	if (!strcmp(tok[2], "port") && n == 6) {
		if (!(p = find_port(sim, b, tok[3])) ||
		    util_parse_long(tok[5], 0, 65535, &v)) {
			sim_error(sim, "bad set port");
			return;
		}
		if (!strcmp(tok[4], "priority")) {
			err = v > 255 ? -ERANGE
			      : stp_set_port_priority(b->stp, p->port_no,
						      (uint8_t)v, sim->now_ms);
			p->priority = err ? p->priority : v;
		} else if (!strcmp(tok[4], "cost")) {
			err = stp_set_path_cost(b->stp, p->port_no,
						(uint32_t)v, sim->now_ms);
			p->cost = err ? p->cost : (uint32_t)v;
		} else {
			sim_error(sim, "bad set port");
			return;
		}
	} else if (n == 4 && !strcmp(tok[2], "stp")) {
		stp_set_enabled(b->stp, !strcmp(tok[3], "on"), sim->now_ms);
	} else if (n == 4 && !strcmp(tok[2], "priority") &&
		   !util_parse_long(tok[3], 0, 65535, &v)) {
		stp_set_priority(b->stp, (uint16_t)v, sim->now_ms);
		b->priority = (uint16_t)v;
	} else if (n == 4 && !util_parse_long(tok[3], 0, 100, &v)) {
		if (!strcmp(tok[2], "hello")) {
			err = stp_set_hello_time_ms(b->stp, (uint32_t)v * 1000);
		} else if (!strcmp(tok[2], "max-age")) {
			err = stp_set_max_age_ms(b->stp, (uint32_t)v * 1000);
		} else if (!strcmp(tok[2], "forward-delay")) {
			err = stp_set_forward_delay_ms(b->stp,
						       (uint32_t)v * 1000);
		} else {
			sim_error(sim, "bad set '%s'", tok[2]);
			return;
		}
	} else {
		sim_error(sim, "bad set");
		return;
	}
	if (err) {
		sim_error(sim, "set failed: %s", strerror(-err));
	}
}

static void
do_fail(struct sim *sim, struct sim_bridge *b, bool revive)
{
	size_t i;

	if (!revive) {
		b->alive = false;
		return;
	}
	/* Restart: a fresh instance with the same configuration. */
	stp_destroy(b->stp);
	b->stp = stp_create(b->name, &b->mac, b->priority);
	stp_set_enabled(b->stp, true, sim->now_ms);
	for (i = 0; i < b->n_ports; i++) {
		struct eth_addr mac;

		port_mac(b, (size_t)(b - sim->bridges), b->ports[i].port_no,
			 &mac);
		stp_port_add(b->stp, b->ports[i].port_no, &mac,
			     b->ports[i].cost);
		if (b->ports[i].priority >= 0) {
			stp_set_port_priority(b->stp, b->ports[i].port_no,
					      (uint8_t)b->ports[i].priority,
					      sim->now_ms);
		}
		if (b->ports[i].link_up) {
			stp_port_enable(b->stp, b->ports[i].port_no,
					sim->now_ms);
		}
	}
	b->alive = true;
}

static void
statement(struct sim *sim, char **tok, int n)
{
	struct sim_bridge *b;
	struct sim_port *p;
	long v;
	int lan;

	if (!strcmp(tok[0], "bridge")) {
		new_bridge(sim, tok, n);
	} else if (!strcmp(tok[0], "port")) {
		new_port(sim, tok, n);
	} else if (!strcmp(tok[0], "link")) {
		new_link(sim, tok, n);
	} else if (!strcmp(tok[0], "run") && n == 2 &&
		   !util_parse_long(tok[1], 0, 100000, &v)) {
		run(sim, (uint64_t)v * 1000);
	} else if ((!strcmp(tok[0], "down") || !strcmp(tok[0], "up")) &&
		   n == 3) {
		if ((b = find_bridge(sim, tok[1])) &&
		    (p = find_port(sim, b, tok[2]))) {
			set_link(sim, b, p, !strcmp(tok[0], "up"));
		}
	} else if ((!strcmp(tok[0], "cut") || !strcmp(tok[0], "mend")) &&
		   n == 2) {
		size_t m;

		if ((lan = find_lan(sim, tok[1], false)) < 0) {
			return;
		}
		for (m = 0; m < sim->lans[lan].n_members; m++) {
			struct sim_member *mb = &sim->lans[lan].members[m];

			b = &sim->bridges[mb->bridge];
			set_link(sim, b, bridge_port(b, mb->port_no),
				 !strcmp(tok[0], "mend"));
		}
	} else if ((!strcmp(tok[0], "fail") || !strcmp(tok[0], "revive")) &&
		   n == 2) {
		if ((b = find_bridge(sim, tok[1]))) {
			do_fail(sim, b, !strcmp(tok[0], "revive"));
		}
	} else if (!strcmp(tok[0], "set")) {
		do_set(sim, tok, n);
	} else if (!strcmp(tok[0], "check")) {
		do_check(sim, tok, n);
	} else {
		sim_error(sim, "unknown statement '%s'", tok[0]);
	}
	deliver(sim);
}

/* Runs scenario 'file'; returns true if it passed. */
static bool
run_file(const char *file, bool verbose)
{
	struct sim *sim = xcalloc(1, sizeof(*sim));
	char line[512];
	const char *name;
	bool ok;
	FILE *f;
	size_t i;

	sim->file = file;
	sim->verbose = verbose;
	name = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	f = fopen(file, "r");
	if (!f) {
		printf("FAIL %s: %s\n", name, strerror(errno));
		free(sim);
		return false;
	}
	while (!sim->error && fgets(line, sizeof(line), f)) {
		char *tok[24], *save = NULL, *t;
		int n = 0;

		sim->line++;
		if ((t = strchr(line, '#'))) {
			*t = '\0';
		}
		for (t = strtok_r(line, " \t\r\n", &save); t && n < 24;
		     t = strtok_r(NULL, " \t\r\n", &save)) {
			tok[n++] = t;
		}
		if (n > 0) {
			statement(sim, tok, n);
		}
	}
	fclose(f);

	ok = !sim->error && sim->failed_checks == 0 && sim->checks > 0;
	if (ok) {
		printf("PASS %s (%d checks)\n", name, sim->checks);
	} else if (sim->error) {
		printf("FAIL %s: scenario error\n", name);
	} else {
		printf("FAIL %s (%d of %d checks failed)\n", name,
		       sim->failed_checks, sim->checks);
	}
	for (i = 0; i < sim->n_bridges; i++) {
		stp_destroy(sim->bridges[i].stp);
	}
	free(sim);
	return ok;
}

int
main(int argc, char *argv[])
{
	bool verbose = false;
	int i, passed = 0, failed = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (run_file(argv[i], verbose)) {
			passed++;
		} else {
			failed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed || passed == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
