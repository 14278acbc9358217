/*
 * bridge.h - a bridge: its ports, its FDB, its options, its counters.
 *
 * This is the glue between the control plane (script commands, the control
 * server) and the datapath (dp.c).  All functions here run on the control
 * path except bridge_port_input(), which port watchers call.
 *
 * Option semantics and ranges follow the Linux bridge
 * (shared/reference/linux-bridge.md): ageing in centiseconds on the wire of
 * the API, group_fwd_mask refusing bits 0-2, port numbers reused lowest
 * first, port MACs and the bridge MAC as local FDB entries at VID 0 and at
 * every VLAN of the port, VLAN 1 PVID untagged on every new port.
 */
#ifndef VSWITCHD_BRIDGE_H
#define VSWITCHD_BRIDGE_H

#include "bridge-types.h"

/* True if 'name' can name a bridge or port: 1..15 printable characters,
 * no '/', ':' or white space, not "." or ".." (the kernel's rules for
 * interface names). */
bool bridge_name_is_valid(const char *name);

/* Fills 'opt' with the Linux defaults (the BRIDGE_OPTIONS table's). */
void bridge_options_default(struct bridge_options *opt);

/* Creates bridge 'name' with options 'opt' (NULL: defaults), whose ports
 * are watched on 'loop' (NULL: never watched, as in a replay or a unit
 * test, where the caller feeds frames itself), with a datapath context of
 * its own (dp.h).  Its FDB hash gets a fresh random seed (getrandom(2)), so
 * two bridges never share bucket positions, even with the same name.
 * Returns 0 and stores it in '*brp', -EEXIST if a bridge or port of that
 * name exists, -EINVAL for a bad name, or the -errno of getrandom(2) (and
 * of /dev/urandom) when no random seed can be drawn (logged). */
int bridge_create(const char *name, const struct bridge_options *opt,
		  struct ev_loop *loop, struct bridge **brp);

/* Removes every port (closing it) and frees the bridge.  NULL is fine.
 * Monitors see the bridge's deletion (a link "del" event), not that of
 * its ports and their FDB entries. */
void bridge_destroy(struct bridge *br);

/* Global registry (one process, several bridges). */
struct bridge *bridge_lookup(const char *name);
struct bridge *bridge_first(void);	/* sorted by name; ->next walks */
void bridge_destroy_all(void);

/* Finds a port by name on any bridge (or NULL); '*brp' gets its bridge. */
struct port *bridge_find_port(const char *name, struct bridge **brp);

/* Makes 'host' the bridge device's own port (a TAP named like the
 * bridge): frames delivered "to host" are sent to it, frames read from it
 * enter the pipeline as sent by the bridge device.  Takes ownership.
 * Returns 0 or -EBUSY if the bridge has one already. */
int bridge_set_host_port(struct bridge *br, struct port *host);

/* Attaches 'port' to 'br': assigns the lowest free port number, adds the
 * local FDB entries for its MAC, gives it the default PVID VLAN, recomputes
 * the bridge MAC, and enables it if possible.  The bridge takes ownership
 * of 'port' on success.  Returns 0, -EEXIST (name in use), -EXFULL (1023
 * ports), -EBUSY (already attached). */
int bridge_port_add(struct bridge *br, struct port *port);

/* As bridge_port_add(), with port number 'port_no' (1..1023), or the lowest
 * free one if 'port_no' is 0 (restoring a saved configuration).  Returns
 * -EBUSY also when 'port_no' is taken, -ERANGE when it is out of range.
 * Both record a link "add" event for monitors (bridge-event.h). */
int bridge_port_add_at(struct bridge *br, struct port *port,
		       unsigned port_no);

/* Detaches 'port', flushes all its FDB entries and closes it; records a
 * link "del" event. */
void bridge_port_del(struct bridge *br, struct port *port);

/* Moves 'port' from its bridge to 'to' without closing it ("ip link set
 * DEV master BR2" on a port of another bridge): it leaves the old bridge as
 * with bridge_port_del() and joins 'to' as a new port number 'port_no'
 * (0: the lowest free one), with default port settings and VLANs.  0 when
 * it already is a port of 'to'; on failure (-EXFULL, or -EBUSY when
 * 'port_no' is taken) it stays where it was (with default settings and the
 * lowest free number).  -EINVAL for a detached port or a bridge device.
 * It records no add or del event: the caller reports the change with
 * bridge_settings_changed(). */
int bridge_port_move(struct bridge *to, struct port *port, unsigned port_no);

/* Records one link "set" event for monitors: a request changed settings
 * of 'port' of 'br' (NULL: of the bridge itself).  Called once per
 * request, after all its changes, however many settings it changed (the
 * kernel sends one RTM_NEWLINK per request, too). */
void bridge_settings_changed(struct bridge *br, struct port *port);

struct port *bridge_port_lookup(const struct bridge *br, const char *name);

/* Bridge options (the BRIDGE_OPTIONS table, lib/bridge-options.h): what
 * every front-end calls, so each option is checked, set and undone the
 * same way.
 *
 * bridge_set_option() sets 'opt' of 'br' to 'value' (a flag: 0 or 1; the
 * VLAN protocol: its TPID) after checking the table's range (-ERANGE) and
 * refused bits (-EINVAL); the option's own setter then checks the rest
 * (-EPERM for the default PVID while filtering, -ERANGE for a forward
 * delay outside STP's range while STP is on).  Returns 0 or -errno, and on
 * error the option is unchanged.  Not for the datapath.
 *
 * bridge_get_option() returns the current value, in the same units.
 *
 * bridge_restore_option() puts back a value bridge_get_option() read, to
 * undo a request that failed half-way; restored in the reverse order of
 * the changes it cannot fail, and a failure is logged. */
int bridge_set_option(struct bridge *br, enum bridge_opt opt,
		      uint32_t value);
/* The checks of bridge_set_option() that need no bridge: 0, -EINVAL (no
 * such option, a refused bit) or -ERANGE.  A front-end runs them over a
 * whole request first, so that only the checks that depend on the bridge
 * can fail part-way (none after the default PVID, whose undo could not
 * tell the VLANs it moved from those a user had given the same way). */
int bridge_check_option(enum bridge_opt opt, uint32_t value);
uint32_t bridge_get_option(const struct bridge *br, enum bridge_opt opt);
void bridge_restore_option(struct bridge *br, enum bridge_opt opt,
			   uint32_t value);

/* Everything a bridge.set request or a 'bridge set' line can change: the
 * table options, the MAC and whether it is pinned, and the admin state. */
struct bridge_saved {
	uint32_t val[BRIDGE_OPT_N];
	struct eth_addr mac;
	bool mac_set;
	bool admin_up;
};

/* bridge_save() records the settings of 'br' in 's'; bridge_restore()
 * puts back every one that differs, to undo a request that failed
 * half-way: the table options in reverse table order (so stp_state goes
 * back before the forward delay it may have clamped, and vlan_filtering
 * after the default PVID it guards), then the MAC, then the admin state.
 * A setting that did not change is not touched, so nothing it implies
 * (an FDB ageing pass, an STP reconfiguration) happens.  Cannot fail for
 * values that were in effect; a failure is logged. */
void bridge_save(const struct bridge *br, struct bridge_saved *s);
void bridge_restore(struct bridge *br, const struct bridge_saved *s);

/* One request to change a bridge's settings, as every front-end (the
 * setup language's 'bridge add|set', bridge.add/bridge.set over the control
 * socket, configuration replay) hands it over: the table options given,
 * the MAC, the admin state. */
struct bridge_change {
	bool given[BRIDGE_OPT_N];
	uint32_t val[BRIDGE_OPT_N];	/* units of bridge_set_option() */
	bool has_mac;
	struct eth_addr mac;
	bool has_up;
	bool up;
};

/* Index of the address in bridge_change_apply()'s '*failed'. */
#define BRIDGE_CHANGE_MAC BRIDGE_OPT_N

/* Applies 'c' to 'br' whole or not at all.  Every table value is checked
 * first (bridge_check_option()), then the options are set in table order
 * -- the kernel's br_changelink() order, whatever order the request wrote
 * them in, so that every front-end gives a combined request one meaning --
 * then the MAC, then the admin state (which cannot fail).  On a refusal
 * every setting that changed is put back (bridge_restore()), '*failed'
 * gets the option that was refused (BRIDGE_CHANGE_MAC for the address) and
 * -errno is returned.  Records no event: a caller changing an existing
 * bridge reports it with bridge_settings_changed(). */
int bridge_change_apply(struct bridge *br, const struct bridge_change *c,
			int *failed);

/* Option setters, one per table line: 0 or -errno (-EINVAL/-ERANGE with
 * Linux's rules).  Front-ends call bridge_set_option() instead. */
int bridge_set_ageing_time_cs(struct bridge *br, uint32_t cs);
int bridge_set_vlan_filtering(struct bridge *br, bool on);
int bridge_set_vlan_protocol(struct bridge *br, uint16_t tpid);
int bridge_set_default_pvid(struct bridge *br, uint16_t pvid);
int bridge_set_group_fwd_mask(struct bridge *br, uint16_t mask);
int bridge_set_no_linklocal_learn(struct bridge *br, bool on);
int bridge_set_fdb_max_learned(struct bridge *br, uint32_t n);
int bridge_set_stp_state(struct bridge *br, uint8_t state);
int bridge_set_priority(struct bridge *br, uint16_t prio);
int bridge_set_hello_time_cs(struct bridge *br, uint32_t cs);
int bridge_set_max_age_cs(struct bridge *br, uint32_t cs);
int bridge_set_forward_delay_cs(struct bridge *br, uint32_t cs);
/* -EBUSY while STP is on; bridge_set_stp_state() refuses STP (-EBUSY)
 * while it is on. */
int bridge_set_transparent(struct bridge *br, bool on);
int bridge_set_hub(struct bridge *br, bool on);
int bridge_set_mac(struct bridge *br, const struct eth_addr *mac);
int bridge_set_admin_up(struct bridge *br, bool up);

/* Forgets a MAC pinned with bridge_set_mac(): its local entries go and the
 * bridge MAC follows the lowest port MAC again.  Linux has no way to do
 * this; it exists to roll back a refused change (config-store.h). */
void bridge_unpin_mac(struct bridge *br);

/* Port options (the PORT_OPTIONS table, lib/port-options.h): what every
 * front-end calls, so each option is set, read and undone the same way.
 *
 * bridge_port_set_option() sets 'opt' of 'port' to 'value' (a flag: 0 or 1)
 * after checking the table's range (-ERANGE) and refused bits (-EINVAL);
 * the option's own setter then checks the rest.  Returns 0 or -errno, and
 * on error the option is unchanged.  Not for the datapath.
 *
 * bridge_port_get_option() stores the current value in '*value' and
 * returns false if it is automatic: an option whose table default is
 * PORT_OPT_AUTO that no user has set (the path cost follows the link speed
 * until then), which the durable configuration therefore leaves out.
 *
 * bridge_port_restore_option() puts back a value and automatic-ness that
 * bridge_port_get_option() read, to undo a request that failed half-way;
 * it cannot fail for a value that was in effect. */
int bridge_port_set_option(struct bridge *br, struct port *port,
			   enum port_opt opt, uint32_t value);
bool bridge_port_get_option(const struct port *port, enum port_opt opt,
			    uint32_t *value);
void bridge_port_restore_option(struct bridge *br, struct port *port,
				enum port_opt opt, uint32_t value,
				bool was_set);

/* Everything a port.set request or a 'link set dev' line can change,
 * short of its bridge: the table options with their automatic-ness, the
 * admin state and the port state. */
struct bridge_port_saved {
	uint32_t val[PORT_OPT_N];
	bool set[PORT_OPT_N];
	bool admin_up;
	enum port_state state;
};

/* bridge_port_save() records the settings of 'port' in 's';
 * bridge_port_restore() puts back every one that differs, to undo a
 * request that failed half-way: the options in reverse table order, then
 * the admin state, then the port state (with STP off; with STP on the
 * state is STP's and follows by itself).  Dynamic FDB entries that a
 * change of the admin state flushed stay gone, as the kernel's would;
 * front-ends check what they can before changing anything (see
 * bridge_port_check_state()).  A failure is logged. */
void bridge_port_save(const struct port *port, struct bridge_port_saved *s);
void bridge_port_restore(struct bridge *br, struct port *port,
			 const struct bridge_port_saved *s);

/* Whether bridge_port_set_state() would accept 'state' for 'port' of 'br'
 * if the port's admin state were 'admin_up': 0, -EINVAL (no such state),
 * -EBUSY (STP is on) or -ENETDOWN (the port or the bridge is down and
 * 'state' is not PORT_DISABLED).  Lets a request that sets both check the
 * state before changing the admin state. */
int bridge_port_check_state(const struct bridge *br, const struct port *port,
			    enum port_state state, bool admin_up);

/* One request to change a port's settings, as every front-end ('link set
 * dev' in the setup language, port.set over the control socket, the
 * configuration replay) hands it over: the table options given, the admin
 * state, the port state.  (A new master is the front-end's step before:
 * bridge_port_move().) */
struct bridge_port_change {
	bool given[PORT_OPT_N];
	uint32_t val[PORT_OPT_N];
	bool has_up;
	bool up;
	bool has_state;
	enum port_state state;
	bool has_carrier;	/* a simulated cable pull (false) or plug */
	bool carrier;
};

/* What bridge_port_change_apply()'s '*failed' names besides an option. */
#define BRIDGE_PORT_CHANGE_UP    PORT_OPT_N
#define BRIDGE_PORT_CHANGE_STATE (PORT_OPT_N + 1)
#define BRIDGE_PORT_CHANGE_CARRIER (PORT_OPT_N + 2)

/* Applies 'c' to 'port' of 'br' whole or not at all.  First every check
 * that needs no change: each option's range and refused bits, and the
 * state against the admin state the request leaves (so a refused state
 * never costs the port its learned entries by a down and up).  Then the
 * options in table order, whatever order the request wrote them in, then
 * the admin state, then the port state; a refusal puts back every setting
 * of the port (bridge_port_restore()).  On failure '*failed' names what
 * was refused and -errno is returned.  Records no event: the caller
 * reports the change with bridge_settings_changed(). */
int bridge_port_change_apply(struct bridge *br, struct port *port,
			     const struct bridge_port_change *c, int *failed);

/* Port setters, one per option and for the rest of a port's state. */
int bridge_port_set_flag(struct bridge *br, struct port *port,
			 uint32_t flag, bool on);
int bridge_port_set_group_fwd_mask(struct bridge *br, struct port *port,
				   uint16_t mask);
int bridge_port_set_mtu(struct bridge *br, struct port *port, uint32_t mtu);
int bridge_port_set_admin_up(struct bridge *br, struct port *port, bool up);
int bridge_port_set_state(struct bridge *br, struct port *port,
			  enum port_state state);
int bridge_port_set_path_cost(struct bridge *br, struct port *port,
			      uint32_t cost);
int bridge_port_set_priority(struct bridge *br, struct port *port,
			     uint32_t prio);
/* storm_limit: a fresh, full bucket of 'pps' tokens. */
int bridge_port_set_storm_limit(struct bridge *br, struct port *port,
				uint32_t pps);
/* Impairments: -EOPNOTSUPP for a non-zero value on a class without
 * impair_ok.  Setting the seed or the loss restarts the draws. */
int bridge_port_set_impair_delay(struct bridge *br, struct port *port,
				 uint32_t ms);
int bridge_port_set_impair_loss(struct bridge *br, struct port *port,
				uint32_t mpct);
int bridge_port_set_impair_rate(struct bridge *br, struct port *port,
				uint32_t kbit);
int bridge_port_set_impair_seed(struct bridge *br, struct port *port,
				uint32_t seed);

/* A simulated cable pull ('on' false) or plug: the port gets no carrier
 * whatever its device says, the far end is told (the class's set_carrier:
 * TAP carrier, patch peer, VM link), and STP on both sides reacts through
 * bridge_port_update_link().  Not saved in the configuration: a restart
 * plugs every cable back.  0 or the class's -errno (then unchanged). */
int bridge_port_set_carrier(struct bridge *br, struct port *port, bool on);

/* Gives 'port' path cost 'cost' as its automatic one, not pinned by the
 * administrator: what bridge_port_set_path_cost() replaced, restored when
 * a refused change is rolled back (config-store.h).  0 or -ERANGE. */
int bridge_port_set_auto_path_cost(struct bridge *br, struct port *port,
				   uint32_t cost);

/* Re-evaluates 'port' after a carrier or admin change: enabled ports go to
 * FORWARDING (STP off), disabled ones to DISABLED with their dynamic FDB
 * entries flushed. */
void bridge_port_update_link(struct bridge *br, struct port *port);

/* VLAN membership changes (Linux 'bridge vlan add/del'); 'port' NULL means
 * the bridge device itself ("self").  Removing a VID flushes every FDB
 * entry of the device in that VID: dynamic, static and permanent, user
 * entries and the device's own local one (Linux keeps static and user
 * permanent entries, unusable and impossible to add back; see
 * bridge_vlan_del()), so every entry left can be restored from the
 * configuration. */
int bridge_vlan_add(struct bridge *br, struct port *port, uint16_t vid,
		    bool pvid, bool untagged);
int bridge_vlan_del(struct bridge *br, struct port *port, uint16_t vid);

/* User FDB changes ("bridge fdb add/del ... master"); added entries carry
 * FDB_F_USER (added_by_user).  'port' NULL means the bridge device.  'vid'
 * FDB_VID_ANY (no 'vlan' given) means VID 0 and every VLAN of the port, as
 * the kernel does.  Each that succeeds records one user add or del event,
 * with 'vid' as given. */
int bridge_fdb_add(struct bridge *br, struct port *port,
		   const struct eth_addr *mac, uint16_t vid, uint8_t flags);
int bridge_fdb_del(struct bridge *br, struct port *port,
		   const struct eth_addr *mac, uint16_t vid);

/* Removes the FDB entries of 'br' matching 'filter' ("bridge fdb flush",
 * sysfs flush), recording a removal event for each.  Returns how many. */
size_t bridge_fdb_flush(struct bridge *br,
			const struct fdb_flush_filter *filter);

/* Advances the bridge's clock to 'now_ms': ages the FDB, ticks STP. */
void bridge_run(struct bridge *br, uint64_t now_ms);

/* Reads a burst from 'port' and runs it through the pipeline.  Returns the
 * number of frames read, or -errno from the port. */
int bridge_port_input(struct bridge *br, struct port *port);

#endif /* VSWITCHD_BRIDGE_H */
