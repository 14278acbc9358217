/*
 * port-patch.h - what others need of the patch port class (port-patch.c).
 */
#ifndef VSWITCHD_PORT_PATCH_H
#define VSWITCHD_PORT_PATCH_H

#include <stdbool.h>

struct port;

/* True if 'port' is a patch port. */
bool port_is_patch(const struct port *port);

#endif /* VSWITCHD_PORT_PATCH_H */
