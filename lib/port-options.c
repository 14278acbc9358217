/*
 * port-options.c - the data behind port-options.h, for the daemon and
 * bridgectl alike.
 */
#include "port-options.h"

#include <string.h>

#define INFO_FLAG(id, name, bit, def, help)				\
	[PORT_OPT_##id] = { name, true, 0, 1, 0, "", def, help },
#define INFO_NUM(id, name, member, setter, min, max, refuse, why, def,	\
		 help)							\
	[PORT_OPT_##id] = { name, false, min, max, refuse, why, def, help },

const struct port_opt_info port_opt_info[PORT_OPT_N] = {
	PORT_OPTIONS(INFO_FLAG, INFO_NUM)
};

int
port_opt_lookup(const char *name)
{
	for (int i = 0; i < PORT_OPT_N; i++)
		if (!strcmp(name, port_opt_info[i].name))
			return i;
	return -1;
}

int
port_opt_refused_bit(enum port_opt opt, uint32_t value)
{
	uint32_t bad = value & port_opt_info[opt].refuse;

	return bad ? __builtin_ctz(bad) : -1;
}
