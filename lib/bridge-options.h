/*
 * bridge-options.h - the bridge-wide settings a user may change, in one
 * table.
 *
 * Every front-end reads this table instead of keeping its own list: the
 * setup language (vswitchd/script.c, 'bridge add|set NAME OPTION VALUE'),
 * the bridge.add and bridge.set methods and the bridge views of the
 * control server (vswitchd/ctl/ctl-methods.c, ctl-query.c), the durable
 * configuration (vswitchd/ctl/config-doc.c saves the view's options,
 * config-apply.c replays them through bridge.add), and bridgectl's
 * 'link add|set ... type bridge' with its help (ctl/iplink.c).  Adding a
 * line here is all it takes for a new option to reach all of them; the
 * daemon needs only the struct bridge_options member and the
 * bridge_set_MEMBER() setter that the line names.  brctl's set* commands
 * keep bridge-utils' fixed grammar and only take their keys from here.
 *
 * The file is shared by the daemon and bridgectl, which cannot see the
 * daemon's headers; the MEMBER column is a bare token that only the
 * daemon's X() functions (vswitchd/core/bridge.c) expand.
 *
 * BRIDGE_OPTIONS(X) calls, in the order of the kernel's br_changelink(),
 * which is the order a request applies them and the views list them:
 *
 *   X(ID, NAME, ALIAS, TYPE, MIN, MAX, REFUSE, DEF, UNIT, MEMBER, HELP)
 *
 * ID makes the enumerator BRIDGE_OPT_ID.  NAME is the keyword as iproute2
 * spells it (ip-link(8) 'type bridge'); it is also the bridge.add/set
 * parameter, the JSON key of the views and of the saved configuration.
 * ALIAS is another spelling every front-end accepts on input (NULL: none),
 * kept because some front-end used it before the table existed.
 *
 * TYPE says how a value is written, and so what a front-end refuses as
 * malformed before asking the bridge: BRIDGE_OPT_BOOL (0 or 1),
 * BRIDGE_OPT_U16, BRIDGE_OPT_U32, BRIDGE_OPT_VID (0..4094) and
 * BRIDGE_OPT_TPID (the words 802.1Q and 802.1ad, kept as the TPID).
 * MIN..MAX is the range the bridge accepts (-ERANGE outside), REFUSE a
 * mask of bits it never accepts (-EINVAL; 0: none).  A well-formed value
 * outside the range is thus a refusal by the bridge, as in Linux, not a
 * usage error.  A setter may check more (the forward delay has STP's range
 * only while STP is on).  DEF is the value of a new bridge, UNIT "cs" for
 * times in centiseconds (as ip-link) or "" for none.
 */
#ifndef BRIDGE_OPTIONS_H
#define BRIDGE_OPTIONS_H 1

#include <stdbool.h>
#include <stdint.h>

#define BRIDGE_OPTIONS(X)						\
	X(FORWARD_DELAY, "forward_delay", NULL, BRIDGE_OPT_U32,		\
	  0, UINT32_MAX, 0, 1500, "cs", forward_delay_cs,		\
	  "STP listening and learning time (200..3000 with STP on)")	\
	X(HELLO_TIME, "hello_time", NULL, BRIDGE_OPT_U32,		\
	  100, 1000, 0, 200, "cs", hello_time_cs,			\
	  "STP interval between configuration BPDUs")			\
	X(MAX_AGE, "max_age", NULL, BRIDGE_OPT_U32,			\
	  600, 4000, 0, 2000, "cs", max_age_cs,				\
	  "STP lifetime of received protocol information")		\
	X(AGEING_TIME, "ageing_time", NULL, BRIDGE_OPT_U32,		\
	  0, UINT32_MAX, 0, 30000, "cs", ageing_time_cs,		\
	  "lifetime of learned FDB entries (0: no learning)")		\
	X(STP_STATE, "stp_state", NULL, BRIDGE_OPT_BOOL,		\
	  0, 1, 0, 0, "", stp_state,					\
	  "run the 802.1D spanning tree protocol")			\
	X(TRANSPARENT, "transparent", NULL, BRIDGE_OPT_BOOL,		\
	  0, 1, 0, 0, "", transparent,					\
	  "forward every link-local frame but PAUSE (not with STP)")	\
	X(PRIORITY, "priority", NULL, BRIDGE_OPT_U16,			\
	  0, 65535, 0, 32768, "", priority,				\
	  "STP bridge priority")					\
	X(VLAN_FILTERING, "vlan_filtering", NULL, BRIDGE_OPT_BOOL,	\
	  0, 1, 0, 0, "", vlan_filtering,				\
	  "classify and filter frames by VLAN")				\
	X(VLAN_PROTOCOL, "vlan_protocol", NULL, BRIDGE_OPT_TPID,	\
	  0, 65535, 0, 0x8100, "", vlan_protocol,			\
	  "VLAN tag filtered and added (802.1ad: QinQ)")		\
	X(VLAN_DEFAULT_PVID, "vlan_default_pvid", "default_pvid",	\
	  BRIDGE_OPT_VID, 0, 4094, 0, 1, "", default_pvid,		\
	  "PVID, untagged, of new ports (0: none; not while filtering)") \
	X(GROUP_FWD_MASK, "group_fwd_mask", NULL, BRIDGE_OPT_U16,	\
	  0, 65535, 0x0007, 0, "", group_fwd_mask,			\
	  "forward link-local 01:80:c2:00:00:0X when bit X is set")	\
	X(NO_LINKLOCAL_LEARN, "no_linklocal_learn", NULL,		\
	  BRIDGE_OPT_BOOL, 0, 1, 0, 0, "", no_linklocal_learn,		\
	  "learn no source address from link-local frames")		\
	X(FDB_MAX_LEARNED, "fdb_max_learned", NULL, BRIDGE_OPT_U32,	\
	  0, UINT32_MAX, 0, 0, "", fdb_max_learned,			\
	  "most learned FDB entries (0: no limit)")			\
	X(HUB, "hub", NULL, BRIDGE_OPT_BOOL, 0, 1, 0, 0, "", hub,	\
	  "flood every frame to every port, learn nothing")

enum bridge_opt {
#define BRIDGE_OPT_ENUM(id, ...) BRIDGE_OPT_##id,
	BRIDGE_OPTIONS(BRIDGE_OPT_ENUM)
#undef BRIDGE_OPT_ENUM
	BRIDGE_OPT_N
};

/* How a value is written (see above). */
enum bridge_opt_type {
	BRIDGE_OPT_BOOL,
	BRIDGE_OPT_U16,
	BRIDGE_OPT_U32,
	BRIDGE_OPT_VID,
	BRIDGE_OPT_TPID,
};

/* What the front-ends need of one option, without the daemon's column. */
struct bridge_opt_info {
	const char *name;
	const char *alias;	/* NULL: none */
	enum bridge_opt_type type;
	uint32_t min, max;	/* the range the bridge accepts */
	uint32_t refuse;	/* bits never accepted, 0 for none */
	uint32_t def;		/* value of a new bridge */
	const char *unit;	/* "cs" or "" */
	const char *help;	/* one line, for --help and the docs */
};

/* Indexed by enum bridge_opt. */
extern const struct bridge_opt_info bridge_opt_info[BRIDGE_OPT_N];

/* Returns the option called 'name' (its name or its alias), or -1. */
int bridge_opt_lookup(const char *name);

/* The largest value an option of type 'type' can be written with (for
 * BRIDGE_OPT_TPID, the largest TPID): a larger one is malformed. */
uint32_t bridge_opt_type_limit(enum bridge_opt_type type);

/* Returns the lowest bit of 'value' that option 'opt' refuses, or -1 if
 * there is none.  The range is the caller's to check. */
int bridge_opt_refused_bit(enum bridge_opt opt, uint32_t value);

#endif /* bridge-options.h */
