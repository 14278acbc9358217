/*
 * daemon.h - the process-wide part of vswitchd: its event loop.
 *
 * One libev loop per process; the control socket, the timers and (for
 * now) the datapath run on it.  Only the top of the daemon (main.c, the
 * control-plane front-ends that create bridges) asks for it: a bridge is
 * given the loop its ports are watched on when it is created, and keeps
 * everything its datapath writes in its own context (core/dp.h).
 */
#ifndef VSWITCHD_DAEMON_H
#define VSWITCHD_DAEMON_H

struct ev_loop;

#define DAEMON_TICK_MS   100	/* period of the bridge_run() tick */

/* The process's event loop (valid after daemon_init()). */
struct ev_loop *daemon_loop(void);

/* Sets up the loop ('loop' NULL: a new default loop) and the clock. */
void daemon_init(struct ev_loop *loop);
void daemon_uninit(void);

#endif /* VSWITCHD_DAEMON_H */
