/*
 * port-patch.h - what others need of the patch port class (port-patch.c).
 */
#ifndef VSWITCHD_PORT_PATCH_H
#define VSWITCHD_PORT_PATCH_H

#include <stdbool.h>
#include <stdint.h>

struct port;

/* True if 'port' is a patch port. */
bool port_is_patch(const struct port *port);

/* The port a frame of 'len' bytes sent on patch port 'port' arrives at,
 * or NULL with '*why' saying why it would not (no peer, peer down, too
 * large for the peer's ring).  Changes nothing: for the trace. */
struct port *port_patch_peer(const struct port *port, uint32_t len,
			     const char **why);

#endif /* VSWITCHD_PORT_PATCH_H */
