/*
 * ctl-monitor.h - what the control server streams to its peers: bridge
 * events (monitor.subscribe) and captured frames (capture.start).
 *
 * Both are produced on the datapath and consumed on the loop.  Events are
 * recorded in each bridge's ring (bridge-event.h); frames are copied by the
 * capture hook (dp.h) into a fixed ring per capture session.  Neither
 * blocks nor allocates on the datapath; a full ring drops and counts.  The
 * server calls ctl_monitor_run() before the loop sleeps, which turns what
 * is queued into JSON-RPC notifications: "event" (docs/rpc.md
 * monitor.subscribe) and "capture.frame" {ts_ns, len, data_b64, dir}.  A
 * peer whose output queue is long gets its frames later (they wait in the
 * ring), so a slow reader loses frames, never the connection.
 */
#ifndef VSWITCHD_CTL_MONITOR_H
#define VSWITCHD_CTL_MONITOR_H

struct ctl_conn;
struct ctl_reply;
struct json_object;

#define CTL_CAPTURE_RING    256		/* frames queued per session */
#define CTL_CAPTURE_SNAPLEN 65536	/* bytes kept of a frame */
#define CTL_CAPTURE_MAX_SESSIONS 64	/* over all peers */

/* Installs the datapath capture hook.  Called once by ctl_server_open(). */
void ctl_monitor_init(void);

/* Ends every capture session and removes the hook. */
void ctl_monitor_uninit(void);

/* Sends queued events to subscribed peers and captured frames to their
 * sessions.  Called from the loop (a prepare watcher), never from the
 * datapath. */
void ctl_monitor_run(void);

/* Ends the capture sessions of 'c' (it is closing). */
void ctl_monitor_conn_closed(struct ctl_conn *c);

/* capture.start {dev, [bridge]}: see docs/rpc.md. */
int ctl_m_capture_start(struct json_object *params, struct ctl_reply *r);

#endif /* VSWITCHD_CTL_MONITOR_H */
