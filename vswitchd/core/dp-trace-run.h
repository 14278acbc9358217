/*
 * dp-trace-run.h - explain a frame (dp-trace.h says how): run a trace
 * from an ingress port, through every bridge its frame crosses.
 */
#ifndef VSWITCHD_DP_TRACE_RUN_H
#define VSWITCHD_DP_TRACE_RUN_H

#include <stdbool.h>
#include <stdint.h>

struct json_object;
struct port;

/* Traces 'len' bytes of 'frame' received on 'in' (a port of a bridge, or
 * a bridge's host port: sent by the bridge device) and returns the result
 * object (the caller puts it), or NULL with '*errp' (xmalloc'd) saying
 * why (frame too short or long, port in no bridge, no free packet). */
struct json_object *dp_trace_frame(struct port *in, const uint8_t *frame,
				   uint32_t len, bool learn, char **errp);

/* The ingress port a trace request names: port 'name' (of bridge
 * 'brname' if not NULL), or, when 'name' is a bridge's name, that bridge's
 * device (its host port).  NULL with '*errp' (xmalloc'd) if none. */
struct port *dp_trace_find_port(const char *brname, const char *name,
				char **errp);

#endif /* VSWITCHD_DP_TRACE_RUN_H */
