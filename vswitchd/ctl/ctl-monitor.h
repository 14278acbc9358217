/*
 * ctl-monitor.h - what the control server streams to its peers: bridge
 * events (monitor.subscribe) and captured frames (capture.start).
 *
 * Both are produced on the datapath and consumed on the loop.  Events are
 * recorded in each bridge's ring (bridge-event.h); frames are copied by the
 * capture hook (dp.h) into a fixed ring per capture session.  Neither
 * blocks nor allocates on the datapath; a full ring drops and counts.  A
 * prepare watcher calls ctl_monitor_run() before the loop sleeps, which
 * turns what is queued into JSON-RPC notifications: "event" (docs/rpc.md
 * monitor.subscribe) and "capture.frame" {ts_ns, len, data_b64, dir}.  A
 * peer whose output queue is long gets its frames later (they wait in the
 * ring), so a slow reader loses frames, never the connection.
 */
#ifndef VSWITCHD_CTL_MONITOR_H
#define VSWITCHD_CTL_MONITOR_H

struct ctl_conn;
struct ctl_reply;
struct ev_loop;
struct json_object;

#define CTL_CAPTURE_RING    256		/* frames queued per session */
#define CTL_CAPTURE_SNAPLEN 65536	/* bytes kept of a frame */
#define CTL_CAPTURE_MAX_SESSIONS 64	/* over all peers */

/* Installs the datapath capture hook and the prepare watcher on 'loop'
 * that runs ctl_monitor_run().  Called once at start-up. */
void ctl_monitor_open(struct ev_loop *loop);

/* Ends every capture session, removes the hook and the watcher.  Safe
 * when not open. */
void ctl_monitor_close(void);

/* Sends queued events to subscribed peers and captured frames to their
 * sessions.  Called from the loop (a prepare watcher), never from the
 * datapath. */
void ctl_monitor_run(void);

/* Ends the capture sessions of 'c' (it is closing) and stops recording
 * events when no peer is left subscribed.  The server's
 * ctl_conn_closed_fn. */
void ctl_monitor_conn_closed(struct ctl_conn *c);

/* monitor.subscribe {[topics]}: see docs/rpc.md. */
int ctl_m_monitor_subscribe(struct json_object *params, struct ctl_reply *r);

/* capture.start {dev, [bridge]}: see docs/rpc.md. */
int ctl_m_capture_start(struct json_object *params, struct ctl_reply *r);

#endif /* VSWITCHD_CTL_MONITOR_H */
