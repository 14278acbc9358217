/*
 * port-args.c - creation arguments of port classes (see port-provider.h):
 * the one checker of an argument object and the one parser of argument
 * words that every front-end shares, and the JSON form of a class's list.
 * Kept apart from the registry so a test can link one class alone.
 */
#include "port-provider.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eth.h"
#include "util.h"

static const char *const kind_names[] = {
	[PORT_ARG_STRING] = "string",
	[PORT_ARG_FLAG] = "flag",
	[PORT_ARG_MAC] = "mac",
	[PORT_ARG_CHOICE] = "choice",
};

static const struct port_arg *
find_arg(const struct port_class *class, const char *key, bool words)
{
	for (const struct port_arg *a = class->args; a->name; a++)
		if (!strcmp(a->name, key) ||
		    (words && a->alias && !strcmp(a->alias, key)))
			return a;
	return NULL;
}

/* True if 'value' is one of the '|'-separated 'choices'. */
static bool
is_choice(const char *choices, const char *value)
{
	size_t len = strlen(value);

	for (const char *c = choices; c; c = strchr(c, '|'), c = c ? c + 1 : c)
		if (!strncmp(c, value, len) && (c[len] == '|' || !c[len]))
			return len > 0;
	return false;
}

/* "server or client" from "server|client"; malloc'd. */
static char *
choices_text(const char *choices)
{
	char *s = xmalloc(strlen(choices) * 4 + 1), *o = s;

	for (const char *c = choices; *c; c++) {
		if (*c == '|') {
			strcpy(o, " or ");
			o += 4;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	return s;
}

static bool
parse_unicast_mac(const char *s, struct eth_addr *mac)
{
	return !eth_addr_parse(s, mac) && !eth_addr_is_multicast(mac) &&
	       !eth_addr_is_zero(mac);
}

static int
check_value(const struct port_arg *a, struct json_object *v, char **msgp)
{
	const char *s;
	struct eth_addr mac;
	char *t;

	if (!v) {
		*msgp = xasprintf("%s: must not be null", a->name);
		return -EINVAL;
	}
	if (a->kind == PORT_ARG_FLAG) {
		if (json_object_is_type(v, json_type_boolean) ||
		    (json_object_is_type(v, json_type_int) &&
		     (json_object_get_int64(v) == 0 ||
		      json_object_get_int64(v) == 1)))
			return 0;
		*msgp = xasprintf("%s: must be a boolean (or 0/1)", a->name);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*msgp = xasprintf("%s: must be a string", a->name);
		return -EINVAL;
	}
	s = json_object_get_string(v);
	if (a->kind == PORT_ARG_MAC && !parse_unicast_mac(s, &mac)) {
		*msgp = xasprintf("%s: '%s' is not a unicast MAC address",
				  a->name, s);
		return -EINVAL;
	}
	if (a->kind == PORT_ARG_CHOICE && !is_choice(a->choices, s)) {
		t = choices_text(a->choices);
		*msgp = xasprintf("%s: '%s' is not %s", a->name, s, t);
		free(t);
		return -EINVAL;
	}
	return 0;
}

int
port_class_check_args(const struct port_class *class,
		      struct json_object *args, char **msgp)
{
	const struct port_arg *a;
	int err;

	*msgp = NULL;
	if (args) {
		json_object_object_foreach(args, key, val) {
			if (!(a = find_arg(class, key, false))) {
				*msgp = xasprintf("%s: unknown parameter", key);
				return -EINVAL;
			}
			if ((err = check_value(a, val, msgp)))
				return err;
		}
	}
	for (a = class->args; a->name; a++)
		if (a->required &&
		    (!args || !json_object_object_get_ex(args, a->name, NULL))) {
			*msgp = xasprintf("%s: missing", a->name);
			return -EINVAL;
		}
	return 0;
}

int
port_class_parse_word(const struct port_class *class,
		      const char *const *words, int n,
		      struct json_object *args, char **msgp)
{
	const struct port_arg *a = find_arg(class, words[0], true);
	struct eth_addr mac;
	char *t;

	*msgp = NULL;
	if (!a) {
		/* A bare choice value: "server" for "mode server". */
		for (a = class->args; a->name; a++)
			if (a->kind == PORT_ARG_CHOICE &&
			    is_choice(a->choices, words[0])) {
				json_object_object_add(args, a->name,
					json_object_new_string(words[0]));
				return 1;
			}
		return 0;
	}
	if (a->kind == PORT_ARG_FLAG) {
		json_object_object_add(args, a->name,
				       json_object_new_boolean(true));
		return 1;
	}
	if (n < 2) {
		*msgp = xasprintf("%s: missing value", words[0]);
		return -EINVAL;
	}
	if (a->kind == PORT_ARG_MAC && !parse_unicast_mac(words[1], &mac)) {
		*msgp = xasprintf("%s: bad unicast MAC '%s'", words[0],
				  words[1]);
		return -EINVAL;
	}
	if (a->kind == PORT_ARG_CHOICE && !is_choice(a->choices, words[1])) {
		t = choices_text(a->choices);
		*msgp = xasprintf("%s: '%s' is not %s", words[0], words[1], t);
		free(t);
		return -EINVAL;
	}
	json_object_object_add(args, a->name, json_object_new_string(words[1]));
	return 2;
}

struct json_object *
port_class_json(const struct port_class *class)
{
	struct json_object *o = json_object_new_object();
	struct json_object *list = json_object_new_array();

	json_object_object_add(o, "type", json_object_new_string(class->type));
	json_object_object_add(o, "replay", json_object_new_boolean(
				       class->replay_ok));
	for (const struct port_arg *a = class->args; a->name; a++) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "name",
				       json_object_new_string(a->name));
		json_object_object_add(j, "kind", json_object_new_string(
					       kind_names[a->kind]));
		json_object_object_add(j, "required",
				       json_object_new_boolean(a->required));
		if (a->alias)
			json_object_object_add(j, "alias",
					       json_object_new_string(a->alias));
		if (a->choices)
			json_object_object_add(j, "choices",
					       json_object_new_string(a->choices));
		json_object_object_add(j, "help",
				       json_object_new_string(a->help));
		json_object_array_add(list, j);
	}
	json_object_object_add(o, "args", list);
	return o;
}

bool
port_class_arg_mac(struct json_object *args, const char *key,
		   struct eth_addr *mac)
{
	const char *s = port_class_arg_string(args, key, NULL);

	return s && parse_unicast_mac(s, mac);
}

const char *
port_class_arg_string(struct json_object *args, const char *key,
		      const char *def)
{
	struct json_object *v;

	if (args && json_object_object_get_ex(args, key, &v) && v &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return def;
}

bool
port_class_arg_flag(struct json_object *args, const char *key)
{
	struct json_object *v;

	return args && json_object_object_get_ex(args, key, &v) && v &&
	       json_object_get_boolean(v);
}
