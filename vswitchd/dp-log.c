/*
 * dp-log.c - the datapath's counters, explained in debug lines (see
 * dp-log.h).
 */
#include "dp-log.h"

#include <inttypes.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "log.h"
#include "port-provider.h"
#include "util.h"

/* The counters of one port, or with 'port' empty of one bridge, as the
 * last tick saw them. */
struct dp_log_entry {
	char br[IFNAMSIZ];
	char port[IFNAMSIZ];
	uint64_t drops[PORT_DROP_N];
	uint64_t learned, moved, learn_full;
};

static struct dp_log_entry *snap;
static size_t n_snap;
static bool have_snap;

static const struct dp_log_entry *
snap_find(const char *br, const char *port)
{
	for (size_t i = 0; i < n_snap; i++)
		if (!strcmp(snap[i].br, br) && !strcmp(snap[i].port, port))
			return &snap[i];
	return NULL;
}

/* Counts what a new snapshot needs: one entry per bridge and port. */
static size_t
count_entries(void)
{
	size_t n = 0;

	for (struct bridge *br = bridge_first(); br; br = br->next)
		n += 1 + br->n_ports;
	return n;
}

/* What a counter grew by since 'was'; one that went back (a port deleted
 * and added again under its name restarts its counters) from zero. */
static uint64_t
delta(uint64_t now, uint64_t was)
{
	return now >= was ? now - was : now;
}

static void
log_port(const struct dp_log_entry *now, const struct dp_log_entry *old)
{
	for (int r = 0; r < PORT_DROP_N; r++) {
		uint64_t d = delta(now->drops[r], old ? old->drops[r] : 0);

		if (!d)
			continue;
		log_msg_rl(DP_LOG_MODULE, LOG_LVL_DEBUG,
			   "%s: %s: dropped %" PRIu64 " frame%s: %s (%" PRIu64
			   " in all)", now->br, now->port, d, d == 1 ? "" : "s",
			   port_drop_reason_name(r), now->drops[r]);
	}
}

static void
log_bridge(const struct dp_log_entry *now, const struct dp_log_entry *old)
{
	uint64_t learned = delta(now->learned, old ? old->learned : 0);
	uint64_t moved = delta(now->moved, old ? old->moved : 0);
	uint64_t full = delta(now->learn_full, old ? old->learn_full : 0);

	if (learned || moved)
		log_msg_rl(DP_LOG_MODULE, LOG_LVL_DEBUG,
			   "%s: learned %" PRIu64 " address%s, %" PRIu64
			   " moved to another port ('bridgectl monitor fdb' "
			   "names them)", now->br, learned,
			   learned == 1 ? "" : "es", moved);
	if (full)
		log_msg_rl(DP_LOG_MODULE, LOG_LVL_DEBUG,
			   "%s: %" PRIu64 " address%s not learned: FDB full",
			   now->br, full, full == 1 ? "" : "es");
}

void
dp_log_run(void)
{
	struct dp_log_entry *next;
	size_t n = 0;

	if (!log_is_enabled(DP_LOG_MODULE, LOG_LVL_DEBUG)) {
		have_snap = false;
		return;
	}
	next = xcalloc(count_entries() + 1, sizeof *next);
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		struct dp_log_entry *b = &next[n++];

		util_strlcpy(b->br, br->name, sizeof b->br);
		b->learned = br->stats.learned;
		b->moved = br->stats.moved;
		b->learn_full = br->stats.learn_full;
		if (have_snap)
			log_bridge(b, snap_find(b->br, ""));
		for (unsigned i = 1; i <= br->max_port_no; i++) {
			const struct port *p = br->ports[i];
			struct dp_log_entry *e;

			if (!p)
				continue;
			e = &next[n++];
			util_strlcpy(e->br, br->name, sizeof e->br);
			util_strlcpy(e->port, p->name, sizeof e->port);
			memcpy(e->drops, p->stats.drops, sizeof e->drops);
			if (have_snap)
				log_port(e, snap_find(e->br, e->port));
		}
	}
	free(snap);
	snap = next;
	n_snap = n;
	have_snap = true;
}

void
dp_log_uninit(void)
{
	free(snap);
	snap = NULL;
	n_snap = 0;
	have_snap = false;
}
