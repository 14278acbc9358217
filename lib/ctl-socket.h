/*
 * ctl-socket.h - where vswitchd's control socket is, for the daemon and
 * for its clients (bridgectl, the VMM's --net BRIDGE), and the words a
 * client uses when nobody answers there.
 */
#ifndef LIB_CTL_SOCKET_H
#define LIB_CTL_SOCKET_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VSWITCHD_DEFAULT_SOCKET "/run/vswitchd/vswitchd.sock"

/* $VSWITCHD_SOCKET when set and not empty, else the default path. */
static inline const char *
vswitchd_socket_default(void)
{
	const char *env = getenv("VSWITCHD_SOCKET");

	return env && *env ? env : VSWITCHD_DEFAULT_SOCKET;
}

/* Writes to 'buf' what a client tells its user when connecting to the
 * control socket at 'path' failed with 'errnum': whether vswitchd runs and
 * how to start it on that path, or how to get the right to use the socket.
 * No trailing newline, no parentheses; cut to 'size'.  Returns 'buf'. */
static inline char *
vswitchd_unreachable_hint(char *buf, size_t size, const char *path,
			  int errnum)
{
	if (errnum == EACCES || errnum == EPERM)
		snprintf(buf, size, "the socket is vswitchd's: run as root "
			 "or as a member of the socket's group");
	else if (!strcmp(path, VSWITCHD_DEFAULT_SOCKET))
		snprintf(buf, size, "is vswitchd running? start it with "
			 "'vswitchd --detach' or 'systemctl start vswitchd'");
	else
		snprintf(buf, size, "is vswitchd running? start it with "
			 "'vswitchd --detach --socket %s', or give the socket "
			 "it listens on with --socket or VSWITCHD_SOCKET",
			 path);
	return buf;
}

#endif /* LIB_CTL_SOCKET_H */
