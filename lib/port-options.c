/*
 * port-options.c - the data behind port-options.h, for the daemon and
 * bridgectl alike.
 */
#include "port-options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

#define INFO_FLAG(id, name, bit, def, help)				\
	[PORT_OPT_##id] = { name, true, 0, 1, 0, "", def, 0, help },
#define INFO_NUM(id, name, member, setter, min, max, refuse, why, def,	\
		 dec, help)						\
	[PORT_OPT_##id] = { name, false, min, max, refuse, why, def, dec, \
			    help },

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

static uint32_t
scale_of(enum port_opt opt)
{
	uint32_t scale = 1;

	for (unsigned i = 0; i < port_opt_info[opt].decimals; i++)
		scale *= 10;
	return scale;
}

int
port_opt_parse(enum port_opt opt, const char *s, uint32_t *value)
{
	unsigned dec = port_opt_info[opt].decimals, places = 0;
	uint64_t v = 0;
	bool digits = false, point = false;

	if (!dec) {
		/* Whole numbers as ever: decimal, 0x hex (masks), octal. */
		unsigned long u;
		int err = util_parse_ulong(s, UINT32_MAX, &u);

		if (!err)
			*value = (uint32_t)u;
		return err;
	}
	for (; *s; s++) {
		if (*s == '.' && dec && !point) {
			point = true;
			continue;
		}
		if (*s < '0' || *s > '9' || (point && places == dec))
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		digits = true;
		places += point;
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	if (!digits)
		return -EINVAL;
	for (; places < dec; places++)
		if ((v *= 10) > UINT32_MAX)
			return -EINVAL;
	*value = (uint32_t)v;
	return 0;
}

const char *
port_opt_format(enum port_opt opt, uint32_t value, char buf[PORT_OPT_STRLEN])
{
	uint32_t scale = scale_of(opt);
	int n;

	n = snprintf(buf, PORT_OPT_STRLEN, "%u", value / scale);
	if (value % scale) {
		/* The fraction without its trailing zeros: 0.5, 0.125. */
		n += snprintf(buf + n, PORT_OPT_STRLEN - (size_t)n, ".%0*u",
			      (int)port_opt_info[opt].decimals, value % scale);
		while (buf[n - 1] == '0')
			buf[--n] = '\0';
	}
	return buf;
}

struct json_object *
port_opt_json(enum port_opt opt, uint32_t value)
{
	if (value % scale_of(opt) == 0)	/* "loss": 2, not 2.0 */
		return json_object_new_int64(value / scale_of(opt));
	return json_object_new_double((double)value / scale_of(opt));
}

int
port_opt_from_json(enum port_opt opt, struct json_object *v, uint32_t *value)
{
	double d, diff;
	uint64_t r;

	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);
		uint64_t scaled = (uint64_t)i * scale_of(opt);

		if (i < 0 || i > UINT32_MAX || scaled > UINT32_MAX)
			return -EINVAL;
		*value = (uint32_t)scaled;
		return 0;
	}
	if (!port_opt_info[opt].decimals)
		return -EINVAL;
	if (json_object_is_type(v, json_type_string))
		return port_opt_parse(opt, json_object_get_string(v), value);
	if (!json_object_is_type(v, json_type_double))
		return -EINVAL;
	d = json_object_get_double(v) * scale_of(opt);
	/* Only as many decimal places as the option keeps. */
	if (!(d >= 0 && d <= UINT32_MAX))
		return -EINVAL;
	r = (uint64_t)(d + 0.5);
	diff = d - (double)r;
	if (diff > 1e-6 || diff < -1e-6)
		return -EINVAL;
	*value = (uint32_t)r;
	return 0;
}
