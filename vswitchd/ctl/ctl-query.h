/*
 * ctl-query.h - what the control methods share (ctl-query.c): JSON views
 * of bridges and ports, strict JSON value readers, device lookups, port
 * constructors by type.  Read-only: nothing here changes a bridge.  Used
 * by the methods (ctl-methods.c, ctl-fdb.c, ctl-vlan.c, ctl-stats.c,
 * ctl-monitor.c) and by the config store, which saves these views.
 */
#ifndef VSWITCHD_CTL_QUERY_H
#define VSWITCHD_CTL_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bridge;
struct eth_addr;
struct ctl_reply;
struct fdb_entry;
struct json_object;
struct port;

/* Reads a boolean (true/false, or 0/1) from 'v'.  0 or -EINVAL. */
int ctl_json_bool(struct json_object *v, bool *out);

/* Reads an integer in [min, max] from 'v'.  0, -EINVAL (not an integer)
 * or -ERANGE. */
int ctl_json_uint(struct json_object *v, uint64_t min, uint64_t max,
		  uint64_t *out);

/* Records the -32602 error for a failed ctl_json_uint() of parameter
 * "params.'what'" and returns CTL_ERR_INVALID_PARAMS. */
int ctl_json_uint_error(struct ctl_reply *r, const char *what,
			struct json_object *v, uint64_t min, uint64_t max);

/* The bridge object of bridge.list, and its ports sorted by name. */
struct json_object *ctl_json_bridge(const struct bridge *br);
struct json_object *ctl_json_ports(const struct bridge *br);
struct json_object *ctl_json_port(const struct port *port);

/* True if 'e' of 'br' was added by a user (FDB_F_USER: not learned, not
 * one of the local entries the bridge keeps for its ports' and its own
 * addresses). */
bool ctl_fdb_entry_is_user(const struct bridge *br, const struct fdb_entry *e);

/* The 802.1D port id of 'port': priority in the top 6 bits, port number
 * in the low 10 (as the Linux bridge). */
uint16_t ctl_port_id(const struct port *port);

/* An unsigned JSON integer. */
struct json_object *ctl_json_u64(uint64_t v);

/* A MAC address as a JSON string "xx:xx:xx:xx:xx:xx". */
struct json_object *ctl_json_mac(const struct eth_addr *mac);

/* Fills 'out' (BRIDGE_MAX_PORTS slots) with the ports of 'br' sorted by
 * name; returns how many. */
size_t ctl_sorted_ports(const struct bridge *br, struct port **out);

/* Resolves device 'name' (a port, or a bridge itself) to its bridge and
 * port (NULL for the bridge device).  Returns 0, or records ENODEV in 'r'
 * and returns its code. */
int ctl_lookup_dev(const char *name, struct bridge **brp,
		   struct port **portp, struct ctl_reply *r);

/* Resolves the optional "bridge" and "dev" filters of a listing: '*brp'
 * gets the named bridge, or the bridge of 'dev' (which must then belong to
 * it), or NULL for all bridges; '*portp' the port of 'dev' (NULL for a
 * bridge device or no 'dev').  Returns 0, or the error recorded in 'r'. */
int ctl_lookup_filter(const char *brname, const char *dev,
		      struct bridge **brp, struct port **portp,
		      struct ctl_reply *r);

/* Formats the 802.1D bridge id "pppp.mmmmmmmmmmmm" of 'br'. */
void ctl_format_bridge_id(const struct bridge *br, char buf[18]);

/* Methods of ctl-stats.c (see docs/rpc.md). */
int ctl_m_stp_show(struct json_object *params, struct ctl_reply *r);
int ctl_m_stats_get(struct json_object *params, struct ctl_reply *r);

#endif /* VSWITCHD_CTL_QUERY_H */
