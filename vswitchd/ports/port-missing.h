/*
 * port-missing.h - the stand-in for a configured port whose device could
 * not be opened at start-up (see port-missing.c).
 */
#ifndef VSWITCHD_PORT_MISSING_H
#define VSWITCHD_PORT_MISSING_H

#include <stdbool.h>

struct port;

/* A new, unattached stand-in for port 'name' of class 'type' that could
 * not be opened because of 'reason' (both copied).  The caller owns it, as
 * after port_class_open(). */
struct port *port_missing_open(const char *name, const char *type,
			       const char *reason);

bool port_is_missing(const struct port *port);

/* The class the port should have had, and why it could not be opened. */
const char *port_missing_type(const struct port *port);
const char *port_missing_reason(const struct port *port);

#endif /* VSWITCHD_PORT_MISSING_H */
