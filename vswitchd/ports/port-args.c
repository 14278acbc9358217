/*
 * port-args.c - creation arguments of port classes (see port-provider.h):
 * the one checker of an argument object and the one parser of argument
 * words that every front-end shares, and the JSON form of a class's list.
 * Kept apart from the registry so a test can link one class alone.
 */
#include "port-provider.h"

#include <arpa/inet.h>
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
	[PORT_ARG_UINT] = "number",
	[PORT_ARG_IP] = "ip",
	[PORT_ARG_IP_LIST] = "ip-list",
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

/* The range "MIN-MAX" of a PORT_ARG_UINT. */
static void
uint_range(const struct port_arg *a, unsigned long *min, unsigned long *max)
{
	char *end;

	*min = strtoul(a->choices, &end, 10);
	*max = strtoul(end + 1, NULL, 10);
}

/* Parses 's' as a plain decimal number: digits only, so "042" is 42 and
 * not octal, and no sign, space or 0x prefix slips through. */
static bool
parse_decimal(const char *s, unsigned long *v)
{
	size_t len = strlen(s);

	if (!len || len > 10 || strspn(s, "0123456789") != len)
		return false;
	*v = strtoul(s, NULL, 10);
	return true;
}

/* Checks the number 's' against the range of 'a'; 0 or -EINVAL with a
 * message naming 'word' (the key or the word the user typed). */
static int
check_uint(const struct port_arg *a, const char *word, const char *s,
	   char **msgp)
{
	unsigned long min, max, v;

	uint_range(a, &min, &max);
	if (!parse_decimal(s, &v) || v < min || v > max) {
		*msgp = xasprintf("%s: '%s' is not a number from %lu to %lu",
				  word, s, min, max);
		return -EINVAL;
	}
	return 0;
}

/* True if 's' is one IPv4 (dotted quad) or IPv6 address. */
static bool
is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

/* Checks an address, or a ','-separated list of them for a
 * PORT_ARG_IP_LIST; 0 or -EINVAL with a message naming 'word'. */
static int
check_ip(const struct port_arg *a, const char *word, const char *s,
	 char **msgp)
{
	char *copy = xstrdup(s), *save = NULL, *one;
	int err = 0;

	if (a->kind == PORT_ARG_IP) {
		if (!is_ip(s))
			err = -EINVAL;
	} else if (!*s || s[strlen(s) - 1] == ',' || strstr(s, ",,") ||
		   *s == ',') {
		err = -EINVAL;
	} else {
		for (one = strtok_r(copy, ",", &save); one && !err;
		     one = strtok_r(NULL, ",", &save))
			if (!is_ip(one))
				err = -EINVAL;
	}
	free(copy);
	if (err)
		*msgp = xasprintf("%s: '%s' is not %s", word, s,
				  a->kind == PORT_ARG_IP ? "an IP address"
				  : "a list of IP addresses (A,B,...)");
	return err;
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
	if (a->kind == PORT_ARG_UINT && json_object_is_type(v, json_type_int)) {
		unsigned long min, max;
		int64_t n = json_object_get_int64(v);

		uint_range(a, &min, &max);
		if (n < 0 || (uint64_t)n < min || (uint64_t)n > max) {
			*msgp = xasprintf("%s: %lld is not a number from %lu "
					  "to %lu", a->name, (long long)n, min,
					  max);
			return -EINVAL;
		}
		return 0;
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
	if (a->kind == PORT_ARG_UINT)
		return check_uint(a, a->name, s, msgp);
	if (a->kind == PORT_ARG_IP || a->kind == PORT_ARG_IP_LIST)
		return check_ip(a, a->name, s, msgp);
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
	if (a->kind == PORT_ARG_UINT && check_uint(a, words[0], words[1], msgp))
		return -EINVAL;
	if ((a->kind == PORT_ARG_IP || a->kind == PORT_ARG_IP_LIST) &&
	    check_ip(a, words[0], words[1], msgp))
		return -EINVAL;
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
		/* A range goes under its own key, so no front-end takes
		 * it for a bare choice word. */
		if (a->choices)
			json_object_object_add(j, a->kind == PORT_ARG_UINT
					       ? "range" : "choices",
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

unsigned long
port_class_arg_uint(struct json_object *args, const char *key,
		    unsigned long def)
{
	struct json_object *v;
	unsigned long n;

	if (!args || !json_object_object_get_ex(args, key, &v) || !v)
		return def;
	if (json_object_is_type(v, json_type_int))
		return (unsigned long)json_object_get_int64(v);
	if (json_object_is_type(v, json_type_string) &&
	    parse_decimal(json_object_get_string(v), &n))
		return n;
	return def;
}
