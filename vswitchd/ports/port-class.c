/*
 * port-class.c - the port-class registry (see port-provider.h): the list
 * of port types and their lookup by name.  The creation arguments are
 * checked and parsed by port-args.c.
 */
#include "port-provider.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

/* Every port class, in the order listings show them.  A new class is one
 * X(NAME) line here for its 'port_NAME_class'; every line ends with a
 * backslash, so adding one changes no other. */
#define PORT_CLASSES(X)							\
	X(pcap)								\
	X(tap)								\
	X(vhost)							\
	X(null)								\
	X(patch)							\
	X(vxlan)							\
	/* end of PORT_CLASSES */

#define PORT_CLASS_DECLARE(name) extern const struct port_class port_##name##_class;
PORT_CLASSES(PORT_CLASS_DECLARE)
#undef PORT_CLASS_DECLARE

static const struct port_class *const port_classes[] = {
#define PORT_CLASS_ENTRY(name) &port_##name##_class,
	PORT_CLASSES(PORT_CLASS_ENTRY)
#undef PORT_CLASS_ENTRY
};

/* NULL, or the only types port_class_lookup() finds. */
static const char *const *allowed_types;

void
port_class_allow_only(const char *const *types)
{
	allowed_types = types;
}

static bool
is_allowed(const char *type)
{
	if (!allowed_types)
		return true;
	for (const char *const *t = allowed_types; *t; t++)
		if (!strcmp(*t, type))
			return true;
	return false;
}

const struct port_class *
port_class_lookup(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(port_classes); i++)
		if (!strcmp(port_classes[i]->type, type))
			return is_allowed(type) ? port_classes[i] : NULL;
	return NULL;
}

const struct port_class *
port_class_at(size_t i)
{
	return i < ARRAY_SIZE(port_classes) ? port_classes[i] : NULL;
}

char *
port_class_names(bool replay_only)
{
	char *list = xstrdup("");

	for (size_t i = 0; i < ARRAY_SIZE(port_classes); i++) {
		char *old = list;

		if (replay_only && !port_classes[i]->replay_ok)
			continue;
		list = xasprintf("%s%s%s", old, *old ? ", " : "",
				 port_classes[i]->type);
		free(old);
	}
	return list;
}

int
port_class_open(const struct port_class *class, const char *name,
		struct json_object *args, const struct port_open_env *env,
		struct port **portp, char **msgp)
{
	static const struct port_open_env no_env;
	int err = port_class_check_args(class, args, msgp);

	if (err)
		return err;
	return class->open(name, args, env ? env : &no_env, portp, msgp);
}

