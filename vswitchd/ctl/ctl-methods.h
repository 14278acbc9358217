/*
 * ctl-methods.h - the methods layer of the control plane: the control
 * methods (docs/rpc.md) translate JSON parameters into bridge API calls.
 *
 * Each method takes its params object and fills a struct ctl_reply.  The
 * handlers check every parameter before changing anything and undo their
 * partial work on failure, so a method is applied fully or not at all.
 * The handlers live one file per object: bridges, ports, the daemon and
 * the table here (ctl-methods.c), ctl-fdb.c, ctl-vlan.c, ctl-stats.c,
 * ctl-monitor.c; the views they share in ctl-query.c.
 *
 * Layers: the transport (ctl-server.h) dispatches requests through
 * 'ctl_methods' and knows nothing else of them; the methods call the
 * bridge API (bridge.h), which records the events monitors see.  Whoever
 * must hear of changes -- the config store, which saves each one --
 * registers a change observer at start-up (ctl_methods_observe()); the
 * methods never name it.  A request to a method that changes something
 * runs as
 *
 *   cp = observer->checkpoint();     before the change
 *   ... the method applies it ...
 *   err = observer->commit(cp, &why);
 *
 * and a change the observer cannot commit (it undoes it) is refused with
 * its reason, so the change is all or nothing.  The config store replays
 * its file through ctl_method_call(), which runs a method without
 * checkpoint or commit, so a saved configuration is checked exactly like
 * a request.
 */
#ifndef VSWITCHD_CTL_METHODS_H
#define VSWITCHD_CTL_METHODS_H

#include <stdbool.h>

struct bridge;
struct ctl_reply;
struct json_object;
struct port;

/* Hears of every change a request makes.  Each member is called on the
 * loop, never from the datapath. */
struct ctl_change_observer {
	/* Before a request to a method that changes something.  Returns
	 * what commit() needs to undo the change (owned by the caller,
	 * freed with json_object_put()), or NULL. */
	struct json_object *(*checkpoint)(void);

	/* After the method applied its change (not when it failed or
	 * changed nothing saved).  Returns 0, or -errno when the change
	 * cannot be kept; it is then undone as far as possible and '*why'
	 * (xmalloc'd) is the whole message the request is refused with. */
	int (*commit)(struct json_object *checkpoint, char **why);

	/* Before deleting bridge 'br' (when 'port' is NULL) or 'port' of
	 * 'br', which cannot be undone once done.  Returns 0, or -errno to
	 * refuse with '*why' (xmalloc'd) saying why. */
	int (*may_delete)(const struct bridge *br, const struct port *port,
			  char **why);

	/* Port 'name' was created as 'type' with creation arguments 'args'
	 * (borrowed, may be NULL), or was deleted. */
	void (*port_created)(const char *name, const char *type,
			     struct json_object *args);
	void (*port_deleted)(const char *name);
};

/* Every method, for the transport (ctl_server_open()); ends with a NULL
 * name.  A method that changes something runs through the observer. */
extern const struct ctl_method *const ctl_methods;

/* Makes 'obs' (borrowed, for the life of the process; NULL: none) the
 * change observer.  Called once at start-up, before the stored
 * configuration is loaded, since loading creates ports. */
void ctl_methods_observe(const struct ctl_change_observer *obs);

/* Calls method 'name' with 'params' (borrowed; NULL means {}) without
 * checkpoint or commit (replaying a configuration, undoing a change).
 * Returns 0 or the error code recorded in 'r'. */
int ctl_method_call(const char *name, struct json_object *params,
		    struct ctl_reply *r);

/* Start time and paths shown by daemon.info. */
void ctl_methods_set_info(const char *config_path, const char *socket_path);

/* The handlers of the other method files (docs/rpc.md), for the table. */
int ctl_m_vlan_add(struct json_object *params, struct ctl_reply *r);
int ctl_m_vlan_del(struct json_object *params, struct ctl_reply *r);
int ctl_m_vlan_show(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_show(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_add(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_del(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_flush(struct json_object *params, struct ctl_reply *r);

#endif /* VSWITCHD_CTL_METHODS_H */
