/*
 * ctl-socket.h - where vswitchd's control socket is, for the daemon and
 * for its clients (bridgectl, the VMM's --net BRIDGE).
 */
#ifndef LIB_CTL_SOCKET_H
#define LIB_CTL_SOCKET_H

#include <stdlib.h>

#define VSWITCHD_DEFAULT_SOCKET "/run/vswitchd/vswitchd.sock"

/* $VSWITCHD_SOCKET when set and not empty, else the default path. */
static inline const char *
vswitchd_socket_default(void)
{
	const char *env = getenv("VSWITCHD_SOCKET");

	return env && *env ? env : VSWITCHD_DEFAULT_SOCKET;
}

#endif /* LIB_CTL_SOCKET_H */
