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

/* Options iproute2 names otherwise than the table. */
static const struct {
	enum port_opt opt;
	const char *name;
} iproute2_names[] = {
	{ PORT_OPT_BPDU_GUARD, "guard" },
};

int
port_opt_lookup_word(const char *word)
{
	for (size_t i = 0; i < sizeof iproute2_names / sizeof *iproute2_names;
	     i++)
		if (!strcmp(word, iproute2_names[i].name))
			return iproute2_names[i].opt;
	return port_opt_lookup(word);
}

const char *
port_opt_iproute2_name(enum port_opt opt)
{
	for (size_t i = 0; i < sizeof iproute2_names / sizeof *iproute2_names;
	     i++)
		if (iproute2_names[i].opt == opt)
			return iproute2_names[i].name;
	return port_opt_info[opt].name;
}

int
port_opt_refused_bit(enum port_opt opt, uint32_t value)
{
	uint32_t bad = value & port_opt_info[opt].refuse;

	return bad ? __builtin_ctz(bad) : -1;
}
