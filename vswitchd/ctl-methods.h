/*
 * ctl-methods.h - the control methods (docs/rpc.md) behind the control
 * server.
 *
 * Each method takes its params object and fills a struct ctl_reply.  The
 * handlers check every parameter before changing anything and undo their
 * partial work on failure, so a method is applied fully or not at all.  The
 * config store replays its file through the same handlers at start-up, so
 * a saved configuration is checked exactly like a request.
 */
#ifndef VSWITCHD_CTL_METHODS_H
#define VSWITCHD_CTL_METHODS_H

#include <stdbool.h>

struct ctl_reply;
struct json_object;

typedef int ctl_method_fn(struct json_object *params, struct ctl_reply *r);

struct ctl_method {
	const char *name;	/* "bridge.add" */
	ctl_method_fn *fn;	/* returns 0 or the CTL_ERR_* recorded in r */
	bool mutating;		/* success saves the configuration */
};

/* Returns the method called 'name', or NULL. */
const struct ctl_method *ctl_method_lookup(const char *name);

/* Calls method 'name' with 'params' (borrowed; NULL means {}).  Returns 0
 * or the error code recorded in 'r'. */
int ctl_method_call(const char *name, struct json_object *params,
		    struct ctl_reply *r);

/* Frees what 'r' holds and clears it. */
void ctl_reply_uninit(struct ctl_reply *r);

/* The handlers of the other method files (docs/rpc.md), for the table. */
int ctl_m_vlan_add(struct json_object *params, struct ctl_reply *r);
int ctl_m_vlan_del(struct json_object *params, struct ctl_reply *r);
int ctl_m_vlan_show(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_show(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_add(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_del(struct json_object *params, struct ctl_reply *r);
int ctl_m_fdb_flush(struct json_object *params, struct ctl_reply *r);

/* Start time and paths shown by daemon.info. */
void ctl_methods_set_info(const char *config_path, const char *socket_path);

#endif /* VSWITCHD_CTL_METHODS_H */
