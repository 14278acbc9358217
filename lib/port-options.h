/*
 * port-options.h - the per-port settings a user may change, in one table.
 *
 * Every front-end reads this table instead of keeping its own list: the
 * setup language (vswitchd/script.c, 'link set dev P NAME VALUE'), the
 * port.set method and the port views of the control server
 * (vswitchd/ctl/ctl-methods.c, ctl-query.c), the durable configuration
 * (vswitchd/ctl/config-doc.c saves them as port.set parameters,
 * config-apply.c replays them through port.set) and bridgectl's 'port
 * set' with its help (ctl/own.c).  Adding a line here is all it takes for
 * a new option to reach all of them; the daemon needs only the PORT_F_ bit
 * or the struct port member and its bridge_port_set_*() setter that the
 * line names.
 *
 * The file is shared by the daemon and bridgectl, which cannot see the
 * daemon's headers.  That is why the bit, member and setter columns are
 * bare tokens: they are expanded only by the daemon's X() functions
 * (vswitchd/core/bridge.c); bridgectl's expansions ignore them.
 *
 * PORT_OPTIONS(FLAG, NUM) calls, in the order the views list them:
 *
 *   FLAG(ID, NAME, BIT, DEF, HELP)
 *     an on/off option kept as PORT_F_BIT in port->flags (vswitchd/ports/port.h);
 *     DEF is 1 if a new port has it on.
 *   NUM(ID, NAME, MEMBER, SETTER, MIN, MAX, REFUSE, WHY, DEF, DEC, HELP)
 *     an integer kept in port->MEMBER and changed only through
 *     bridge_port_set_SETTER(); MIN..MAX is what every front-end accepts;
 *     REFUSE is a mask of bits never accepted (0: none), WHY says why in
 *     error messages; DEF is the value of a new port, or PORT_OPT_AUTO when
 *     the daemon derives it (the path cost, from the link speed) until a
 *     user sets it.  DEC is the number of decimal places a user writes
 *     (loss 0.5 is kept as 500 with DEC 3): the front-ends read and show
 *     the value through port_opt_parse() and port_opt_json(); MIN, MAX
 *     and DEF are in the kept units.
 *
 * ID makes the enumerator PORT_OPT_ID; NAME is the keyword in every
 * front-end, the port.set parameter and the JSON key.  The options stay
 * brport names (Linux ip-link(8) bridge_slave), so a command line reads the
 * same as with iproute2.
 */
#ifndef PORT_OPTIONS_H
#define PORT_OPTIONS_H 1

#include <stdbool.h>
#include <stdint.h>

#define PORT_OPTIONS(FLAG, NUM)						\
	FLAG(LEARNING, "learning", LEARNING, 1,				\
	     "learn source MAC addresses arriving on the port")		\
	FLAG(FLOOD, "flood", FLOOD, 1,					\
	     "send unknown unicast out of the port")			\
	FLAG(MCAST_FLOOD, "mcast_flood", MCAST_FLOOD, 1,		\
	     "send unknown multicast out of the port")			\
	FLAG(BCAST_FLOOD, "bcast_flood", BCAST_FLOOD, 1,		\
	     "send broadcast out of the port")				\
	FLAG(HAIRPIN, "hairpin", HAIRPIN, 0,				\
	     "frames may go back out of the port they came in on")	\
	FLAG(ISOLATED, "isolated", ISOLATED, 0,				\
	     "no forwarding to other isolated ports")			\
	FLAG(BPDU_GUARD, "bpdu_guard", BPDU_GUARD, 0,			\
	     "a received BPDU disables the port")			\
	FLAG(ROOT_BLOCK, "root_block", ROOT_BLOCK, 0,			\
	     "the port may never become the STP root port")		\
	NUM(GROUP_FWD_MASK, "group_fwd_mask", group_fwd_mask,		\
	    group_fwd_mask, 0, 65535, 0x0002, "pause frames", 0, 0,	\
	    "forward link-local 01:80:c2:00:00:0X when bit X is set")	\
	NUM(COST, "cost", path_cost, path_cost, 1, 65535, 0, "",	\
	    PORT_OPT_AUTO, 0,						\
	    "STP path cost (default from the link speed)")		\
	NUM(PRIORITY, "priority", stp_priority, priority, 0, 63, 0, "",	\
	    32, 0, "STP port priority")					\
	NUM(MTU, "mtu", mtu, mtu, 68, 65535, 0, "", 1500, 0,		\
	    "largest L3 payload sent out of the port")			\
	NUM(STORM_LIMIT, "storm_limit", storm.pps, storm_limit,		\
	    0, 100000000, 0, "", 0, 0,					\
	    "flooded frames received per second beyond which they are "	\
	    "dropped (0: no limit)")					\
	NUM(DELAY, "delay", impair.delay_ms, impair_delay,		\
	    0, 60000, 0, "", 0, 0,					\
	    "patch ports: milliseconds each frame sent takes to arrive")	\
	NUM(LOSS, "loss", impair.loss_mpct, impair_loss,		\
	    0, 100000, 0, "", 0, 3,					\
	    "patch ports: percentage of frames sent that are lost")	\
	NUM(RATE, "rate", impair.rate_kbit, impair_rate,		\
	    0, 100000000, 0, "", 0, 0,					\
	    "patch ports: kbit/s the wire carries (0: no limit)")	\
	NUM(SEED, "seed", impair.seed, impair_seed,			\
	    0, UINT32_MAX, 0, "", 0, 0,					\
	    "patch ports: seed of the loss draws (restarts them)")

/* A NUM default the daemon derives instead of a fixed value. */
#define PORT_OPT_AUTO (-1)

enum port_opt {
#define PORT_OPT_ENUM_FLAG(id, ...) PORT_OPT_##id,
#define PORT_OPT_ENUM_NUM(id, ...) PORT_OPT_##id,
	PORT_OPTIONS(PORT_OPT_ENUM_FLAG, PORT_OPT_ENUM_NUM)
#undef PORT_OPT_ENUM_FLAG
#undef PORT_OPT_ENUM_NUM
	PORT_OPT_N
};

/* What the front-ends need of one option, without the daemon's columns. */
struct port_opt_info {
	const char *name;
	bool is_flag;
	uint32_t min, max;	/* flags: 0..1 */
	uint32_t refuse;	/* bits never accepted, 0 for none */
	const char *refuse_why;	/* for messages; "" when refuse is 0 */
	int64_t def;		/* value of a new port, or PORT_OPT_AUTO */
	unsigned decimals;	/* decimal places a user writes (DEC) */
	const char *help;	/* one line, for --help and the docs */
};

/* Indexed by enum port_opt. */
extern const struct port_opt_info port_opt_info[PORT_OPT_N];

/* Returns the option called 'name' (its canonical name only), or -1. */
int port_opt_lookup(const char *name);

/* Returns the option a word typed by a user names: its canonical name or
 * iproute2's name for it ("guard" for bpdu_guard, as 'bridge link set'
 * and the setup language's older files write it), or -1.  Not for JSON
 * keys, which are canonical names only. */
int port_opt_lookup_word(const char *word);

/* The name iproute2 prints for option 'opt' (in bridge_slave data): the
 * canonical name unless iproute2 has its own ("guard"). */
const char *port_opt_iproute2_name(enum port_opt opt);

/* Returns the lowest bit of 'value' that option 'opt' refuses, or -1 if
 * there is none.  The range is the caller's to check. */
int port_opt_refused_bit(enum port_opt opt, uint32_t value);

/* Reads a user's word 's' for numeric option 'opt' into the kept units:
 * a decimal number with at most the option's decimal places.  Returns 0,
 * or -EINVAL if malformed or above what 32 bits keep; the range is the
 * caller's to check. */
int port_opt_parse(enum port_opt opt, const char *s, uint32_t *value);

/* Writes kept value 'value' of numeric option 'opt' as a user writes it
 * ("0.5" for loss 500) into 'buf'; returns 'buf'. */
#define PORT_OPT_STRLEN 24
const char *port_opt_format(enum port_opt opt, uint32_t value,
			    char buf[PORT_OPT_STRLEN]);

/* The JSON form of kept value 'value' of numeric option 'opt': an integer,
 * or a double for an option with decimal places. */
struct json_object;
struct json_object *port_opt_json(enum port_opt opt, uint32_t value);

/* Reads JSON value 'v' (an integer; for an option with decimal places
 * also a double or a string) into kept units.  0 or -EINVAL. */
int port_opt_from_json(enum port_opt opt, struct json_object *v,
		       uint32_t *value);

#endif /* port-options.h */
