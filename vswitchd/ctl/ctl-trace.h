/*
 * ctl-trace.h - the bridge.trace control method (ctl-trace.c).
 */
#ifndef VSWITCHD_CTL_TRACE_H
#define VSWITCHD_CTL_TRACE_H

struct ctl_reply;
struct json_object;

/* bridge.trace {port, frame (hex), bridge?, learn?} -> the trace result
 * (dp-trace.h).  A dry run unless 'learn'. */
int ctl_m_bridge_trace(struct json_object *params, struct ctl_reply *r);

#endif /* VSWITCHD_CTL_TRACE_H */
