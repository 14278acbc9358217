/*
 * bridge-options.c - the data behind bridge-options.h, for the daemon and
 * bridgectl alike.
 */
#include "bridge-options.h"

#include <string.h>

#include "util.h"

#define INFO(id, name, alias, type, min, max, refuse, def, unit, member, \
	     help)							\
	[BRIDGE_OPT_##id] = { name, alias, type, min, max, refuse, def,	\
			      unit, help },

const struct bridge_opt_info bridge_opt_info[BRIDGE_OPT_N] = {
	BRIDGE_OPTIONS(INFO)
};

int
bridge_opt_lookup(const char *name)
{
	for (int i = 0; i < BRIDGE_OPT_N; i++)
		if (!strcmp(name, bridge_opt_info[i].name) ||
		    (bridge_opt_info[i].alias &&
		     !strcmp(name, bridge_opt_info[i].alias)))
			return i;
	return -1;
}

uint32_t
bridge_opt_type_limit(enum bridge_opt_type type)
{
	switch (type) {
	case BRIDGE_OPT_BOOL:
		return 1;
	case BRIDGE_OPT_U16:
	case BRIDGE_OPT_TPID:
		return UINT16_MAX;
	case BRIDGE_OPT_U32:
		return UINT32_MAX;
	case BRIDGE_OPT_VID:
		return 4094;	/* VLAN_VID_MAX, which lib/ cannot see */
	}
	ASSERT(!"bridge option type");
	return 0;
}

int
bridge_opt_refused_bit(enum bridge_opt opt, uint32_t value)
{
	uint32_t bad = value & bridge_opt_info[opt].refuse;

	return bad ? __builtin_ctz(bad) : -1;
}
