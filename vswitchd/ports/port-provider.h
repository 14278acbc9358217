/*
 * port-provider.h - what a port type implements (Open vSwitch's
 * netdev-provider, trimmed).
 *
 * A provider allocates its own struct that embeds 'struct port' (usually as
 * 'up'), calls port_init() on it, and returns &x->up from its 'open' op
 * (a provider may also export a typed constructor, e.g. port_pcap_open(),
 * for callers inside the daemon).  The bridge then calls the ops below.
 *
 * The registry.  Every class is listed once, in PORT_CLASSES in
 * port-class.c; front-ends (the setup language, the port.add RPC and so
 * the saved configuration, bridgectl through port.types, the port and
 * stats views) find a class by name with port_class_lookup() and never
 * switch on type names.  Adding a port type is one port-NAME.c that
 * defines 'const struct port_class port_NAME_class' and one X(NAME) line.
 *
 * Creation arguments have one form for every front-end: a JSON object of
 * key/values, e.g. {"socket": "/run/vm0.sock", "mode": "server"}.  Each
 * class lists the keys it accepts in 'args' (struct port_arg), and the
 * registry checks an object against that list before 'open' sees it, so
 * 'open' may trust key names and value types.  Front-ends that take words
 * (the setup language here, bridgectl from the port.types listing) turn
 * "KEY VALUE" pairs into that object by the same list: a PORT_ARG_FLAG is
 * a bare word (true), a PORT_ARG_CHOICE value may also be given alone
 * ("server" for "mode server"), and 'alias' is another word for the key
 * ("path" for "socket", the setup language's older spelling).
 */
#ifndef VSWITCHD_PORT_PROVIDER_H
#define VSWITCHD_PORT_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include "port.h"

struct json_object;

/* How a creation argument is written. */
enum port_arg_kind {
	PORT_ARG_STRING,	/* any JSON string */
	PORT_ARG_FLAG,		/* JSON boolean (or 0/1); a bare word */
	PORT_ARG_MAC,		/* a unicast, non-zero MAC as a string */
	PORT_ARG_CHOICE,	/* one of 'choices' as a string */
	PORT_ARG_UINT,		/* a decimal number in the range 'choices'
				 * ("MIN-MAX"), as a string or a JSON integer */
	PORT_ARG_IP,		/* an IPv4 or IPv6 address as a string */
	PORT_ARG_IP_LIST,	/* ','-separated IPv4/IPv6 addresses */
};

/* One creation argument of a class.  A class's list ends with a zeroed
 * entry (name NULL). */
struct port_arg {
	const char *name;	/* JSON key and word */
	enum port_arg_kind kind;
	bool required;
	const char *alias;	/* another word for 'name', or NULL */
	const char *choices;	/* PORT_ARG_CHOICE: "server|client";
				 * PORT_ARG_UINT: the range, "1-65535" */
	const char *help;	/* one line, for usage and port.types */
};

/* Where a port is being opened from.  All-zero over the control socket;
 * the setup language sets 'default_files' so a file-based class (pcap)
 * may look for IN_DIR/in-PORT.pcap and write OUT_DIR/out-PORT.pcap when
 * no file is named. */
struct port_open_env {
	bool default_files;
	const char *in_dir;	/* NULL: the current directory */
	const char *out_dir;	/* NULL: no default output file */
};

/* How fdb_self_add() adds a destination (bridge fdb add, append,
 * replace). */
enum port_fdb_op {
	PORT_FDB_ADD,		/* a new entry: -EEXIST if the MAC has one */
	PORT_FDB_APPEND,	/* one more destination of the MAC */
	PORT_FDB_REPLACE,	/* the MAC's only destination from now on */
};

struct port_class {
	/* Type name as shown to users: "pcap", "tap", "vhost-user", ... */
	const char *type;

	/* The creation arguments 'open' accepts, ending with a zeroed entry.
	 * Must not be NULL (an empty list is one zeroed entry). */
	const struct port_arg *args;

	/* True if the class can run in a deterministic replay (vswitchd
	 * --replay): it has no fds to watch and touches no host device. */
	bool replay_ok;

	/* True if the class applies the impairment options (delay, loss,
	 * rate, seed; struct port_impair); the bridge refuses non-zero ones
	 * on other classes with -EOPNOTSUPP. */
	bool impair_ok;

	/* Opens a port named 'name' from creation arguments 'args' (an
	 * object already checked against 'args' by port_class_open(); keys
	 * may be absent, never mistyped).  On success stores a new,
	 * unattached port in '*portp' and returns 0; the caller owns it
	 * (port_close() frees it, bridge_port_add() takes it).  On failure
	 * returns -errno and may store in '*msgp' a malloc'd message that
	 * names the port and the cause (the caller frees it).  Control path
	 * only.  Must not be NULL. */
	int (*open)(const char *name, struct json_object *args,
		    const struct port_open_env *env, struct port **portp,
		    char **msgp);

	/* Returns a new JSON object of the class's own counters (beyond
	 * struct port_stats), each a number, for stats.get; the caller owns
	 * it.  NULL: the class counts nothing of its own. */
	struct json_object *(*get_stats)(const struct port *port);

	/* The stats.get key of get_stats' object; NULL means 'type'. */
	const char *stats_key;

	/* Returns a new JSON object describing how the port was opened (the
	 * creation arguments that matter for a listing), for port.show; the
	 * caller owns it.  NULL: nothing to show. */
	struct json_object *(*describe)(const struct port *port);

	/* Returns a new JSON array of the port's own forwarding entries --
	 * what iproute2 shows as "self" entries, e.g. a vxlan port's remote
	 * table --, each an object in the form of bridge -j fdb show
	 * ({"mac", "dst", "state"}; fdb.show adds "ifname" and "flags").
	 * The caller owns it.  NULL: the class keeps no such entries. */
	struct json_object *(*fdb_show)(const struct port *port);

	/* Change those entries, as "bridge fdb add|append|replace|del MAC
	 * dev PORT dst IP self" does for a Linux vxlan device: 'dst' is the
	 * destination as text (NULL for a whole entry in fdb_self_del).
	 * Return 0, or -errno with '*msgp' a malloc'd message naming the
	 * entry and the cause.  Control path.  Both NULL when fdb_show is. */
	int (*fdb_self_add)(struct port *port, enum port_fdb_op op,
			    const struct eth_addr *mac, const char *dst,
			    char **msgp);
	int (*fdb_self_del)(struct port *port, const struct eth_addr *mac,
			    const char *dst, char **msgp);

	/* Frees the port and releases its fds and memory.  Called after the
	 * port was removed from its bridge (or was never added).  Must not
	 * be NULL. */
	void (*close)(struct port *port);

	/* Receives up to 'max' (<= PKT_BURST) frames into packets taken from
	 * 'pool'.  Returns how many were stored in 'pkts' (the caller now
	 * owns them), 0 when nothing is pending, or -errno on a port error
	 * (the caller stops receiving from the port).  Frames that cannot be
	 * stored (pool empty, oversize) are counted in port->stats.drops and
	 * not returned; a runt may be returned, and the pipeline counts it.
	 * Called from the datapath; must not block.  Must not be NULL. */
	int (*rx_burst)(struct port *port, struct pkt_pool *pool,
			struct pkt **pkts, int max);

	/* Transmits 'n' frames.  The port BORROWS the packets: it copies
	 * what it needs (write(2) to a TAP, a copy into guest memory, a
	 * pcap record) before returning and never keeps a pointer, so the
	 * pipeline can send one packet to several ports and free it after.
	 * Returns the number sent; the pipeline counts the rest as
	 * TX_ERROR drops.  Must not block.  Must not be NULL. */
	int (*tx_burst)(struct port *port, struct pkt **pkts, int n);

	/* Returns the physical link state (carrier).  NULL means always up. */
	bool (*get_carrier)(const struct port *port);

	/* Makes the far end see the cable pulled ('on' false) or plugged
	 * back: a TAP's netdev loses its carrier (TUNSETCARRIER), a patch
	 * port's peer its carrier, a VM its virtio-net link.  port->
	 * carrier_off is already set.  Returns 0 or -errno.  NULL: only this
	 * side sees it. */
	int (*set_carrier)(struct port *port, bool on);

	/* Applies an administrative up/down to the underlying device (e.g.
	 * IFF_UP on a TAP).  Returns 0 or -errno.  NULL: nothing to do. */
	int (*set_admin_up)(struct port *port, bool up);

	/* Sets the MAC address of the underlying device: for the bridge's
	 * host port, the bridge device's MAC (so the host stack answers to
	 * the address the FDB delivers locally).  Returns 0 or -errno.  NULL:
	 * only recorded in port->mac. */
	int (*set_mac)(struct port *port, const struct eth_addr *mac);

	/* Sets the MTU of the underlying device.  NULL: only recorded. */
	int (*set_mtu)(struct port *port, uint32_t mtu);

	/* Registers the port's fd watchers on 'loop' (NULL 'loop':
	 * unregister).  The watcher callback calls bridge_port_input().
	 * NULL for ports that are polled (pcap replay). */
	void (*watch)(struct port *port, struct ev_loop *loop);

	/* For a port that is one end of a wire inside vswitchd (patch):
	 * the port a frame of 'len' bytes sent on 'port' arrives at, or NULL
	 * with '*why' saying why it would not.  Changes nothing (the trace
	 * follows frames across wires with it).  NULL: the port leads out of
	 * vswitchd. */
	struct port *(*wire_peer)(const struct port *port, uint32_t len,
				  const char **why);
};

/* The rx_burst of a class that never receives (null, a missing port). */
int port_rx_burst_none(struct port *port, struct pkt_pool *pool,
		       struct pkt **pkts, int max);

/* For classes with a readable fd (port-io.c).  What the fd watcher of a
 * port (tap, netdev) does: reads a burst into the port's bridge.  A port
 * no longer on a bridge, or whose receive fails (logged, rate-limited),
 * stops watching 'w'. */
struct ev_io;
void port_on_readable(struct port *port, struct ev_loop *loop,
		      struct ev_io *w);

/* The registry (port-class.c). */

/* Returns the class named 'type', or NULL.  A pure query. */
const struct port_class *port_class_lookup(const char *type);

/* Makes port_class_lookup() find only the classes named in 'types' (a
 * NULL-terminated list, borrowed for as long as it is in force; NULL
 * makes every class findable again).  For fuzz targets and tests whose
 * input must not create TAPs, sockets or files on the host, whatever it
 * asks for. */
void port_class_allow_only(const char *const *types);

/* Returns the 'i'th registered class (0-based, registration order), or
 * NULL past the end.  For listings. */
const struct port_class *port_class_at(size_t i);

/* Returns a malloc'd ", "-separated list of the registered type names
 * (only those usable in a replay if 'replay_only'). */
char *port_class_names(bool replay_only);

/* Checks 'args' (an object, or NULL for none) against the argument list
 * of 'class'.  Returns 0, or -EINVAL and a malloc'd message in '*msgp' of
 * the form "KEY: what is wrong" (a control-socket front-end prefixes
 * "params.args."). */
int port_class_check_args(const struct port_class *class,
			  struct json_object *args, char **msgp);

/* Checks 'args' as port_class_check_args() and calls class->open.
 * Returns 0 or -errno with '*msgp' as described there (a check failure
 * returns -EINVAL with a "KEY: ..." message; '*msgp' may stay NULL for an
 * open failure). */
int port_class_open(const struct port_class *class, const char *name,
		    struct json_object *args, const struct port_open_env *env,
		    struct port **portp, char **msgp);

/* Parses one creation argument of 'class' from the words 'words[0..n-1]'
 * ("KEY VALUE", a bare flag, or a bare choice value; see above) into
 * 'args'.  Returns how many words it took (1 or 2), 0 if 'words[0]' is no
 * argument of 'class' (the caller may know it), or -EINVAL with a malloc'd
 * message in '*msgp' ("KEY: missing value", a bad MAC or choice). */
int port_class_parse_word(const struct port_class *class,
			  const char *const *words,
			  int n, struct json_object *args, char **msgp);

/* The argument list of 'class' as JSON, for port.types and usage. */
struct json_object *port_class_json(const struct port_class *class);

/* Parses the PORT_ARG_MAC argument 'key' of 'args' into '*mac'.  Returns
 * true if present (checked already by port_class_check_args()). */
bool port_class_arg_mac(struct json_object *args, const char *key,
			struct eth_addr *mac);

/* Returns string argument 'key' of 'args', or 'def' if absent. */
const char *port_class_arg_string(struct json_object *args, const char *key,
				  const char *def);

/* Returns flag argument 'key' of 'args' (false if absent). */
bool port_class_arg_flag(struct json_object *args, const char *key);

/* Returns PORT_ARG_UINT argument 'key' of 'args' (checked already, so in
 * its range), or 'def' if absent. */
unsigned long port_class_arg_uint(struct json_object *args, const char *key,
				  unsigned long def);

#endif /* VSWITCHD_PORT_PROVIDER_H */
