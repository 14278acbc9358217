/*
 * daemon.c - the process-wide loop and packet pool.
 */
#include "daemon.h"

#include <ev.h>

#include "pkt.h"
#include "util.h"

static struct ev_loop *the_loop;
static struct pkt_pool *the_pool;

struct ev_loop *
daemon_loop(void)
{
	return the_loop;
}

struct pkt_pool *
daemon_pool(void)
{
	return the_pool;
}

void
daemon_init(struct ev_loop *loop)
{
	the_loop = loop ? loop : ev_default_loop(EVFLAG_AUTO);
	if (!the_loop)
		die("cannot initialise libev (bad $LIBEV_FLAGS?)");
	the_pool = pkt_pool_create(DAEMON_POOL_SIZE);
	clock_update();
}

void
daemon_uninit(void)
{
	pkt_pool_destroy(the_pool);
	the_pool = NULL;
}
