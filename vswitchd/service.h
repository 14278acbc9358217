/*
 * service.h - how vswitchd tells whoever started it that it is ready:
 * the parent of --detach, and systemd (Type=notify).
 *
 * "Ready" means the control socket listens, so a client started right
 * after 'vswitchd --detach' returns, or after 'systemctl start vswitchd'
 * returns, reaches the daemon.  Readiness goes
 *   - to the waiting parent of --detach, over a pipe: the parent exits 0
 *     when the child is ready, or with the child's status when the child
 *     exits first (a bad configuration, a pidfile held by another
 *     daemon), so errors of start-up still reach the terminal;
 *   - to the service manager when $NOTIFY_SOCKET is set, as a "READY=1"
 *     datagram on that unix socket (a path, or an abstract name written
 *     with a leading '@'), per sd_notify(3); written here directly, so no
 *     libsystemd is needed.
 */
#ifndef VSWITCHD_SERVICE_H
#define VSWITCHD_SERVICE_H

/* --detach: forks; the parent waits for service_ready() and never returns.
 * The child starts a new session (setsid) and returns 0; the caller
 * chdir()s to / once it has made its paths absolute.  Call before the event
 * loop exists.  Returns -errno when fork or pipe fails. */
int service_detach(void);

/* The daemon is ready: releases the --detach parent (the child's stdin,
 * stdout and stderr go to /dev/null then) and notifies the service
 * manager.  Call once. */
void service_ready(void);

/* Tells the service manager the daemon is stopping ("STOPPING=1"). */
void service_stopping(void);

/* Sends 'state' (newline-separated VAR=VALUE assignments) to the socket
 * named by $NOTIFY_SOCKET.  Returns 1 when sent, 0 when $NOTIFY_SOCKET is
 * unset or empty, -errno on failure. */
int service_notify(const char *state);

#endif /* VSWITCHD_SERVICE_H */
