/*
 * daemon.c - the process-wide event loop.
 */
#include "daemon.h"

#include <ev.h>

#include "clock.h"
#include "util.h"

static struct ev_loop *the_loop;

struct ev_loop *
daemon_loop(void)
{
	return the_loop;
}

void
daemon_init(struct ev_loop *loop)
{
	the_loop = loop ? loop : ev_default_loop(EVFLAG_AUTO);
	if (!the_loop)
		die("cannot initialise libev (bad $LIBEV_FLAGS?)");
	clock_update();
}

void
daemon_uninit(void)
{
	the_loop = NULL;
}
