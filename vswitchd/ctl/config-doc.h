/*
 * config-doc.h - the document form of the configuration: how the live
 * bridges, their options, VLANs, ports and user FDB entries look in the
 * configuration file, and its format version.
 *
 * Both the store (config-store.c, which writes the document and takes it as
 * a checkpoint) and config-apply.c (which makes the bridges match a
 * document, and compares live objects with a checkpoint) use it; it knows
 * neither, so the layers point one way: store -> apply -> doc.
 *
 * One thing the live state does not hold is how a port was created (its
 * class's type and creation arguments): the store remembers it.  The
 * document asks for it through a function the caller passes
 * (config_doc_origin_fn), so this module keeps no state of its own.
 *
 * File format (version 1):
 *
 *   { "format": "vswitchd-config", "version": 1,
 *     "bridges": [ { "name": "br0",
 *                    "options": { bridge.add options: the
 *                                 BRIDGE_OPTIONS table, "address" if
 *                                 pinned, "up": bool },
 *                    "vlans": [ {"vid": 1, "pvid": true, "untagged": true} ],
 *                    "fdb": [ {"mac", "dev", "vlan", "state", "sticky"} ],
 *                    "ports": [ { "name", "port_no", "type", "args": {...},
 *                                 "settings": { port.set params: the
 *                                               PORT_OPTIONS table, up },
 *                                 "vlans": [...],
 *                                 "fdb": [ {"mac", "dst"} ] (classes
 *                                   with their own table: vxlan) } ] } ],
 *     "devices": [ { "name", "type", "args", "up" } ] }   (standalone
 *                  devices, ctl-devices.h; absent in older files)
 *
 * Ports are listed by port number so a restart hands out the same
 * numbers when there were no holes.  A checkpoint adds to each port
 * "runtime": {"state", "cost"}, never written to the file.
 */
#ifndef VSWITCHD_CONFIG_DOC_H
#define VSWITCHD_CONFIG_DOC_H

#include <stdbool.h>

struct bridge;
struct json_object;
struct port;

#define CONFIG_DOC_FORMAT "vswitchd-config"
#define CONFIG_DOC_VERSION 1

/* How port 'name' was created, as the caller remembers it: sets '*type'
 * and '*args' (both borrowed; '*args' may be NULL for none) and returns
 * true, or returns false when it does not know (the document then gives
 * the port's class type and empty arguments). */
typedef bool config_doc_origin_fn(const char *name, const char **type,
				  struct json_object **args);

/* The configuration document of the live bridges, without bridge
 * 'skip_br' (if not NULL) or, when 'skip_port' is not NULL, only without
 * that port of 'skip_br' and its FDB entries: what the file holds once
 * they are deleted.  With 'runtime', each port also carries "runtime":
 * {state, cost} (its state and its path cost even when not pinned), which
 * a rollback needs and the file does not keep.  'origin' says how each
 * port was created.  Returns a new object the caller owns. */
struct json_object *config_doc_snapshot(config_doc_origin_fn *origin,
					bool runtime,
					const struct bridge *skip_br,
					const struct port *skip_port);

/* The "settings" of port 'p' as the document holds them: every table
 * option that is pinned, as the port.set parameter that restores it, and
 * "up".  Returns a new object the caller owns. */
struct json_object *config_doc_port_settings_json(const struct port *p);

/* The "fdb" of port 'p', whose class keeps its own entries (fdb_show):
 * the permanent ones as {"mac", "dst"}, in fdb_show's order (so the
 * destinations of one MAC keep theirs).  Returns a new array the caller
 * owns. */
struct json_object *config_doc_self_fdb_json(const struct port *p);

/* The "options" of bridge 'br': bridge.add's options plus "up".  Returns
 * a new object the caller owns. */
struct json_object *config_doc_options_json(const struct bridge *br);

/* The "fdb" of bridge 'br': the user's static and permanent entries,
 * sorted with config_doc_compare_fdb().  Returns a new array the caller
 * owns. */
struct json_object *config_doc_fdb_json(const struct bridge *br);

/* Orders two FDB entries of the document (a qsort comparator over
 * pointers to 'struct json_object *'), as config_doc_fdb_json() sorts
 * them. */
int config_doc_compare_fdb(const void *a, const void *b);

#endif /* VSWITCHD_CONFIG_DOC_H */
