/*
 * lab-parse.c - the lab file: YAML (libyaml's document loader) into a
 * validated struct lab.  Every key is known, every value checked, every
 * cross-reference resolved before anything is created; the first mistake
 * ends the parse with one line "FILE:LINE: KEY: what" (docs/labs.md).
 *
 * Pure: reads nothing but the text it is given (lab_load() reads the file).
 */
#include "lab.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "util.h"

#define LAB_MAX_NODES 256

_Static_assert(offsetof(struct lab_switch, name) == 0 &&
	       offsetof(struct lab_host, name) == 0 &&
	       offsetof(struct lab_vm, name) == 0,
	       "find_node() reads a node's name at its start");
#define LAB_MAX_LINKS 1024
#define LAB_MAX_CHECKS 256

struct ps {
	const char *file;
	yaml_document_t *doc;
	char *err;
	const char *prefix;	/* overrides the file's */
	struct lab *lab;
};

static const char *prefix_override;

void
lab_set_prefix(const char *prefix)
{
	prefix_override = prefix && *prefix ? prefix : NULL;
}

typedef yaml_node_t node_t;

static int
line_of(const node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

static int __attribute__((format(printf, 4, 5)))
fail(struct ps *ps, const node_t *n, const char *key, const char *fmt, ...)
{
	char msg[300], line[LAB_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "%.100s:%d: %.80s: %s", ps->file,
		 line_of(n), key, msg);
	/* One line whatever the file holds: control characters (of a key
	 * or value quoted in the message) are written as escapes. */
	ps->err[0] = 0;
	for (size_t i = 0, o = 0; line[i] && o + 5 < LAB_ERR_MAX; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\n')
			o += (size_t)snprintf(ps->err + o, 3, "\\n");
		else if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(ps->err + o, 5, "\\x%02x", c);
		else
			ps->err[o++] = (char)c, ps->err[o] = 0;
	}
	return -1;
}

static node_t *
node(struct ps *ps, int id)
{
	return yaml_document_get_node(ps->doc, id);
}

static const char *
scalar(const node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
						: NULL;
}

/* An empty value ("sw1:" or "sw1: ~") stands for an empty mapping. */
static bool
is_null(const node_t *n)
{
	const char *s = scalar(n);

	return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*s || !strcmp(s, "~") || !strcmp(s, "null"));
}

static const char *
kind_word(const node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static int
want(struct ps *ps, const node_t *n, yaml_node_type_t t, const char *key)
{
	static const char *const words[] = {
		[YAML_SCALAR_NODE] = "a value", [YAML_SEQUENCE_NODE] = "a list",
		[YAML_MAPPING_NODE] = "a mapping",
	};

	if (n->type == t)
		return 0;
	return fail(ps, n, key, "must be %s, not %s", words[t], kind_word(n));
}

static int
get_string(struct ps *ps, const node_t *n, const char *key, const char **out)
{
	if (want(ps, n, YAML_SCALAR_NODE, key))
		return -1;
	*out = scalar(n);
	if (!**out)
		return fail(ps, n, key, "must not be empty");
	return 0;
}

static int
get_bool(struct ps *ps, const node_t *n, const char *key, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	const char *s;

	if (want(ps, n, YAML_SCALAR_NODE, key))
		return -1;
	s = scalar(n);
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(s, no[i]))
			return *out = false, 0;
	}
	return fail(ps, n, key, "'%s' is not a boolean (true or false)", s);
}

static int
get_uint(struct ps *ps, const node_t *n, const char *key, uint64_t min,
	 uint64_t max, uint64_t *out)
{
	const char *s;
	char *end;
	unsigned long long v;

	if (want(ps, n, YAML_SCALAR_NODE, key))
		return -1;
	s = scalar(n);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *end || s[0] == '-' || errno)
		return fail(ps, n, key, "'%s' is not a number", s);
	if (v < min || v > max)
		return fail(ps, n, key, "%llu out of range %llu..%llu", v,
			    (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

static int
get_u32(struct ps *ps, const node_t *n, const char *key, uint32_t min,
	uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (get_uint(ps, n, key, min, max, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
get_double(struct ps *ps, const node_t *n, const char *key, double min,
	   double max, double *out)
{
	const char *s;
	char *end;
	double v;

	if (want(ps, n, YAML_SCALAR_NODE, key))
		return -1;
	s = scalar(n);
	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || v != v)
		return fail(ps, n, key, "'%s' is not a number", s);
	if (v < min || v > max)
		return fail(ps, n, key, "%s out of range %g..%g", s, min, max);
	*out = v;
	return 0;
}

/* Seconds (may have a fraction: 0.5) to centiseconds, in [min, max] s. */
static int
get_seconds(struct ps *ps, const node_t *n, const char *key, double min,
	    double max, uint32_t *cs)
{
	double v;

	if (get_double(ps, n, key, min, max, &v))
		return -1;
	*cs = (uint32_t)(v * 100 + 0.5);
	return 0;
}

/* Node and port names: a letter, then letters, digits, '_'; <= 15. */
static int
check_name(struct ps *ps, const node_t *n, const char *key, const char *s,
	   bool ifname)
{
	size_t len = strlen(s);

	if (!len || len > LAB_NAME_MAX)
		return fail(ps, n, key, "'%s' must be 1 to %d characters", s,
			    LAB_NAME_MAX);
	if (!isalpha((unsigned char)s[0]))
		return fail(ps, n, key, "'%s' must start with a letter", s);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '_' && !(ifname && c == '-'))
			return fail(ps, n, key, "'%s' may hold only letters, "
				    "digits and '_'%s", s,
				    ifname ? " and '-'" : "");
	}
	return 0;
}

/* Iterates the pairs of mapping 'm'; 'k' and 'v' are the key's text and
 * node, 'kn' the key node. */
#define FOR_PAIRS(ps, m, kn, k, v)					\
	for (yaml_node_pair_t *p_##kn = (m)->data.mapping.pairs.start;	\
	     p_##kn < (m)->data.mapping.pairs.top &&			\
	     ((kn) = node(ps, p_##kn->key),				\
	      (v) = node(ps, p_##kn->value),				\
	      (k) = scalar(kn) ? scalar(kn) : "", 1);			\
	     p_##kn++)

#define FOR_ITEMS(ps, s, v)						\
	for (yaml_node_item_t *i_ = (s)->data.sequence.items.start;	\
	     i_ < (s)->data.sequence.items.top && ((v) = node(ps, *i_), 1); \
	     i_++)

static size_t
n_items(const node_t *s)
{
	return (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
}

static int
unknown_key(struct ps *ps, const node_t *kn, const char *where,
	    const char *k, const char *known)
{
	char key[160];

	snprintf(key, sizeof key, "%.80s%s%.60s", where, *where ? "." : "", k);
	return fail(ps, kn, key, "unknown key (known: %s)", known);
}

/* A mapping's keys must be scalars and unique. */
static int
check_mapping(struct ps *ps, const node_t *m, const char *key)
{
	node_t *kn, *v, *kn2;
	const char *k, *k2;

	if (want(ps, m, YAML_MAPPING_NODE, key))
		return -1;
	FOR_PAIRS(ps, m, kn, k, v) {
		if (kn->type != YAML_SCALAR_NODE)
			return fail(ps, kn, key, "a key must be a name, not %s",
				    kind_word(kn));
		(void)v;
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start;
		     q < p_kn; q++) {
			kn2 = node(ps, q->key);
			k2 = scalar(kn2);
			if (k2 && !strcmp(k, k2))
				return fail(ps, kn, *key ? key : k,
					    "'%s' given twice (first on "
					    "line %d)", k, line_of(kn2));
		}
	}
	return 0;
}

static int
node_name_taken(struct ps *ps, const node_t *kn, const char *key,
		const char *name)
{
	const struct lab *lab = ps->lab;

	if (lab_find_switch(lab, name) >= 0 || lab_find_host(lab, name) >= 0 ||
	    lab_find_vm(lab, name) >= 0)
		return fail(ps, kn, key, "node name '%s' is used twice", name);
	return 0;
}

static int
parse_switch(struct ps *ps, const node_t *kn, const char *name,
	     const node_t *m)
{
	static const char known[] = "stp, priority, hello_time, "
		"forward_delay, max_age, ageing, vlan_filtering, "
		"group_fwd_mask, hub, transparent, storm_limit";
	struct lab_switch *sw;
	char where[64], key[128];
	node_t *k2n, *v;
	const char *k;

	snprintf(where, sizeof where, "switches.%s", name);
	if (check_name(ps, kn, "switches", name, false) ||
	    node_name_taken(ps, kn, where, name))
		return -1;
	sw = &ps->lab->switches[ps->lab->n_switches++];
	memset(sw, 0, sizeof *sw);
	snprintf(sw->name, sizeof sw->name, "%s", name);
	sw->line = line_of(kn);
	if (is_null(m))
		return 0;
	if (check_mapping(ps, m, where))
		return -1;
	FOR_PAIRS(ps, m, k2n, k, v) {
		int r;

		snprintf(key, sizeof key, "%s.%s", where, k);
		if (!strcmp(k, "stp"))
			r = get_bool(ps, v, key, &sw->stp);
		else if (!strcmp(k, "vlan_filtering"))
			r = get_bool(ps, v, key, &sw->vlan_filtering);
		else if (!strcmp(k, "hub"))
			r = get_bool(ps, v, key, &sw->hub);
		else if (!strcmp(k, "transparent"))
			r = get_bool(ps, v, key, &sw->transparent);
		else if (!strcmp(k, "priority"))
			r = get_u32(ps, v, key, 0, 65535, &sw->priority),
			sw->has_priority = true;
		else if (!strcmp(k, "hello_time"))
			r = get_seconds(ps, v, key, 1, 10, &sw->hello_cs),
			sw->has_hello = true;
		else if (!strcmp(k, "forward_delay"))
			r = get_seconds(ps, v, key, 2, 30, &sw->fwd_cs),
			sw->has_fwd = true;
		else if (!strcmp(k, "max_age"))
			r = get_seconds(ps, v, key, 6, 40, &sw->maxage_cs),
			sw->has_maxage = true;
		else if (!strcmp(k, "ageing"))
			r = get_seconds(ps, v, key, 0, 1000000, &sw->ageing_cs),
			sw->has_ageing = true;
		else if (!strcmp(k, "group_fwd_mask")) {
			r = get_u32(ps, v, key, 0, 65535, &sw->group_fwd_mask);
			sw->has_gfm = true;
			if (!r && (sw->group_fwd_mask & 7))
				r = fail(ps, v, key, "bits 0-2 (STP, pause, "
					 "LACP) cannot be forwarded by the "
					 "mask; use transparent: true");
		} else if (!strcmp(k, "storm_limit"))
			r = get_u32(ps, v, key, 1, 100000000, &sw->storm_limit),
			sw->has_storm = true;
		else
			return unknown_key(ps, k2n, where, k, known);
		if (r)
			return -1;
	}
	if (sw->transparent && sw->stp)
		return fail(ps, kn, where, "transparent needs stp off (a "
			    "transparent switch forwards BPDUs, it does not "
			    "run STP)");
	if (sw->hub && sw->vlan_filtering)
		return fail(ps, kn, where, "a hub has no VLANs "
			    "(vlan_filtering must be off)");
	return 0;
}

static bool
is_ifname(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > LAB_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.')
			return false;
	}
	return true;
}

/* "10.0.0.1/24", "fd00::1/64". */
static int
check_cidr(struct ps *ps, const node_t *n, const char *key, const char *s)
{
	char ip[64];
	const char *slash = strchr(s, '/');
	unsigned char buf[16];
	bool v6;
	uint64_t len;
	char *end;

	if (!slash || (size_t)(slash - s) >= sizeof ip)
		return fail(ps, n, key, "'%s' is not ADDRESS/PREFIXLEN", s);
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = 0;
	v6 = strchr(ip, ':');
	if (inet_pton(v6 ? AF_INET6 : AF_INET, ip, buf) != 1)
		return fail(ps, n, key, "'%s' is not an IPv%d address", ip,
			    v6 ? 6 : 4);
	errno = 0;
	len = strtoull(slash + 1, &end, 10);
	if (!slash[1] || *end || errno || len > (v6 ? 128u : 32u))
		return fail(ps, n, key, "'%s': prefix length must be 0..%d",
			    s, v6 ? 128 : 32);
	return 0;
}

static bool
is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

static int
string_list(struct ps *ps, const node_t *v, const char *key, char **out,
	    size_t *n)
{
	node_t *it;

	if (want(ps, v, YAML_SEQUENCE_NODE, key))
		return -1;
	if (n_items(v) > LAB_MAX_LIST)
		return fail(ps, v, key, "more than %d entries", LAB_MAX_LIST);
	FOR_ITEMS(ps, v, it) {
		const char *s;

		if (get_string(ps, it, key, &s))
			return -1;
		out[(*n)++] = xstrdup(s);
	}
	return 0;
}

static int
add_addr(struct ps *ps, struct lab_host *h, const node_t *n, const char *key,
	 const char *ifname, const char *cidr)
{
	if (h->n_addrs == LAB_MAX_LIST)
		return fail(ps, n, key, "more than %d addresses", LAB_MAX_LIST);
	if (check_cidr(ps, n, key, cidr))
		return -1;
	for (size_t i = 0; i < h->n_addrs; i++)
		if (!strcmp(h->addrs[i].cidr, cidr))
			return fail(ps, n, key, "address %s given twice", cidr);
	snprintf(h->addrs[h->n_addrs].ifname, LAB_IFNAMSIZ, "%s", ifname);
	snprintf(h->addrs[h->n_addrs].cidr, sizeof h->addrs[0].cidr, "%s", cidr);
	h->n_addrs++;
	return 0;
}

static int
parse_route(struct ps *ps, const node_t *n, const char *key, const char *r)
{
	char dest[64], word[16], arg[64], extra[2];
	int k = sscanf(r, "%63s %15s %63s %1s", dest, word, arg, extra);

	if (k != 3 || (strcmp(word, "via") && strcmp(word, "dev")))
		return fail(ps, n, key, "'%s' is not 'DEST via GATEWAY' or "
			    "'DEST dev IFNAME'", r);
	if (strcmp(dest, "default") && check_cidr(ps, n, key, dest))
		return -1;
	if (!strcmp(word, "via") && !is_ip(arg))
		return fail(ps, n, key, "gateway '%s' is not an IP address",
			    arg);
	if (!strcmp(word, "dev") && !is_ifname(arg))
		return fail(ps, n, key, "'%s' is not an interface name", arg);
	return 0;
}

static int
parse_host(struct ps *ps, const node_t *kn, const char *name, const node_t *m)
{
	static const char known[] = "addresses, vlans, routes, exec, "
		"forwarding";
	struct lab_host *h;
	char where[64], key[128];
	node_t *k2n, *v, *it, *an, *av;
	const char *k, *ak;

	snprintf(where, sizeof where, "hosts.%s", name);
	if (check_name(ps, kn, "hosts", name, false) ||
	    node_name_taken(ps, kn, where, name))
		return -1;
	h = &ps->lab->hosts[ps->lab->n_hosts++];
	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "%s", name);
	h->line = line_of(kn);
	if (is_null(m))
		return 0;
	if (check_mapping(ps, m, where))
		return -1;
	FOR_PAIRS(ps, m, k2n, k, v) {
		snprintf(key, sizeof key, "%s.%s", where, k);
		if (!strcmp(k, "addresses")) {
			if (check_mapping(ps, v, key))
				return -1;
			FOR_PAIRS(ps, v, an, ak, av) {
				char akey[160];

				snprintf(akey, sizeof akey, "%s.%s", key, ak);
				if (!is_ifname(ak))
					return fail(ps, an, akey, "'%s' is not "
						    "an interface name", ak);
				if (av->type == YAML_SCALAR_NODE) {
					if (add_addr(ps, h, av, akey, ak,
						     scalar(av)))
						return -1;
					continue;
				}
				if (want(ps, av, YAML_SEQUENCE_NODE, akey))
					return -1;
				FOR_ITEMS(ps, av, it) {
					if (want(ps, it, YAML_SCALAR_NODE, akey) ||
					    add_addr(ps, h, it, akey, ak,
						     scalar(it)))
						return -1;
				}
			}
		} else if (!strcmp(k, "vlans")) {
			if (want(ps, v, YAML_SEQUENCE_NODE, key))
				return -1;
			FOR_ITEMS(ps, v, it) {
				struct lab_vlanif *vi;
				const char *s, *dot;
				uint64_t vid;
				char *end;

				if (get_string(ps, it, key, &s))
					return -1;
				dot = strrchr(s, '.');
				if (!is_ifname(s) || !dot || dot == s)
					return fail(ps, it, key, "'%s' is not "
						    "PARENT.VID (eth0.10)", s);
				vid = strtoull(dot + 1, &end, 10);
				if (!dot[1] || *end || vid < 1 || vid > 4094)
					return fail(ps, it, key, "'%s': VID "
						    "must be 1..4094", s);
				if (h->n_vlans == LAB_MAX_LIST)
					return fail(ps, it, key, "too many");
				for (size_t i = 0; i < h->n_vlans; i++)
					if (!strcmp(h->vlans[i].name, s))
						return fail(ps, it, key,
							    "'%s' given twice",
							    s);
				vi = &h->vlans[h->n_vlans++];
				snprintf(vi->name, sizeof vi->name, "%s", s);
				snprintf(vi->parent, sizeof vi->parent, "%.*s",
					 (int)(dot - s), s);
				vi->vid = (uint16_t)vid;
				vi->line = line_of(it);
			}
		} else if (!strcmp(k, "routes")) {
			if (string_list(ps, v, key, h->routes, &h->n_routes))
				return -1;
			for (size_t i = 0; i < h->n_routes; i++)
				if (parse_route(ps, node(ps, v->data.sequence.items.start[i]),
						key, h->routes[i]))
					return -1;
		} else if (!strcmp(k, "exec")) {
			if (string_list(ps, v, key, h->exec, &h->n_exec))
				return -1;
		} else if (!strcmp(k, "forwarding")) {
			if (get_bool(ps, v, key, &h->forwarding))
				return -1;
		} else {
			return unknown_key(ps, k2n, where, k, known);
		}
	}
	return 0;
}

static int
parse_vm(struct ps *ps, const node_t *kn, const char *name, const node_t *m)
{
	static const char known[] = "kernel, initrd, cmdline, mem";
	struct lab_vm *vm;
	char where[64], key[128];
	node_t *k2n, *v;
	const char *k, *s;

	snprintf(where, sizeof where, "vms.%s", name);
	if (check_name(ps, kn, "vms", name, false) ||
	    node_name_taken(ps, kn, where, name))
		return -1;
	vm = &ps->lab->vms[ps->lab->n_vms++];
	memset(vm, 0, sizeof *vm);
	snprintf(vm->name, sizeof vm->name, "%s", name);
	vm->line = line_of(kn);
	vm->mem_mib = 64;
	if (is_null(m))
		return 0;
	if (check_mapping(ps, m, where))
		return -1;
	FOR_PAIRS(ps, m, k2n, k, v) {
		snprintf(key, sizeof key, "%s.%s", where, k);
		if (!strcmp(k, "mem")) {
			if (get_u32(ps, v, key, 16, 65536, &vm->mem_mib))
				return -1;
			continue;
		}
		if (strcmp(k, "kernel") && strcmp(k, "initrd") &&
		    strcmp(k, "cmdline"))
			return unknown_key(ps, k2n, where, k, known);
		if (get_string(ps, v, key, &s))
			return -1;
		*(!strcmp(k, "kernel") ? &vm->kernel :
		  !strcmp(k, "initrd") ? &vm->initrd : &vm->cmdline) = xstrdup(s);
	}
	if (vm->initrd && !vm->kernel)
		return fail(ps, kn, where, "an initrd needs a kernel");
	return 0;
}

static int
parse_nodes(struct ps *ps, const node_t *m, const char *key,
	    int (*one)(struct ps *, const node_t *, const char *,
		       const node_t *))
{
	node_t *kn, *v;
	const char *k;

	if (is_null(m))
		return 0;
	if (check_mapping(ps, m, key))
		return -1;
	FOR_PAIRS(ps, m, kn, k, v) {
		if (ps->lab->n_switches + ps->lab->n_hosts + ps->lab->n_vms ==
		    LAB_MAX_NODES)
			return fail(ps, kn, key, "more than %d nodes",
				    LAB_MAX_NODES);
		if (one(ps, kn, k, v))
			return -1;
	}
	return 0;
}

/* "node:port" into 'e', resolving the node. */
static int
parse_endpoint(struct ps *ps, const node_t *n, const char *key,
	       struct lab_end *e)
{
	const char *s, *colon;
	int i;

	if (get_string(ps, n, key, &s))
		return -1;
	colon = strchr(s, ':');
	if (!colon || colon == s || !colon[1] || strchr(colon + 1, ':'))
		return fail(ps, n, key, "'%s' is not NODE:PORT", s);
	if ((size_t)(colon - s) > LAB_NAME_MAX)
		return fail(ps, n, key, "'%s': node name too long", s);
	memset(e, 0, sizeof *e);
	snprintf(e->node, sizeof e->node, "%.*s", (int)(colon - s), s);
	if ((i = lab_find_switch(ps->lab, e->node)) >= 0)
		e->kind = LAB_SWITCH;
	else if ((i = lab_find_host(ps->lab, e->node)) >= 0)
		e->kind = LAB_HOST;
	else if ((i = lab_find_vm(ps->lab, e->node)) >= 0)
		e->kind = LAB_VM;
	else
		return fail(ps, n, key, "no node '%s' (not a switch, host "
			    "or vm of this lab)", e->node);
	e->idx = (size_t)i;
	if (check_name(ps, n, key, colon + 1, e->kind == LAB_HOST))
		return -1;
	snprintf(e->port, sizeof e->port, "%s", colon + 1);
	return 0;
}

static void
trunk_set(struct lab_end *e, unsigned vid)
{
	e->trunk[vid / 8] |= (uint8_t)(1u << (vid % 8));
}

static int
parse_vid(struct ps *ps, const node_t *n, const char *key, uint16_t *vid)
{
	uint32_t v;

	if (get_u32(ps, n, key, 1, 4094, &v))
		return -1;
	*vid = (uint16_t)v;
	return 0;
}

static int
parse_end_vlans(struct ps *ps, const node_t *m, const char *key,
		struct lab_end *e)
{
	node_t *kn, *v, *it;
	const char *k;
	char vkey[200];

	if (e->kind != LAB_SWITCH)
		return fail(ps, m, key, "VLAN settings belong to the switch "
			    "end of a link (a host uses vlans: [eth0.10])");
	if (!ps->lab->switches[e->idx].vlan_filtering)
		return fail(ps, m, key, "switch %s needs vlan_filtering: true "
			    "for VLAN settings", e->node);
	if (check_mapping(ps, m, key))
		return -1;
	FOR_PAIRS(ps, m, kn, k, v) {
		snprintf(vkey, sizeof vkey, "%s.%s", key, k);
		if (!strcmp(k, "access")) {
			if (parse_vid(ps, v, vkey, &e->access))
				return -1;
			e->has_access = true;
		} else if (!strcmp(k, "pvid")) {
			if (parse_vid(ps, v, vkey, &e->pvid))
				return -1;
			e->has_pvid = true;
		} else if (!strcmp(k, "trunk")) {
			if (want(ps, v, YAML_SEQUENCE_NODE, vkey))
				return -1;
			if (!n_items(v))
				return fail(ps, v, vkey, "an empty trunk "
					    "carries nothing");
			FOR_ITEMS(ps, v, it) {
				const char *s;
				unsigned lo, hi;
				char c;

				if (get_string(ps, it, vkey, &s))
					return -1;
				if (sscanf(s, "%u-%u%c", &lo, &hi, &c) == 2) {
					if (lo < 1 || hi > 4094 || lo > hi)
						return fail(ps, it, vkey,
							    "'%s' is not a "
							    "range in "
							    "1..4094", s);
				} else {
					uint16_t vid;

					if (parse_vid(ps, it, vkey, &vid))
						return -1;
					lo = hi = vid;
				}
				for (unsigned vid = lo; vid <= hi; vid++)
					trunk_set(e, vid);
			}
			e->has_trunk = true;
		} else {
			return unknown_key(ps, kn, key, k, "access, trunk, pvid");
		}
	}
	if (e->has_access && (e->has_trunk || e->has_pvid))
		return fail(ps, m, key, "access excludes trunk and pvid");
	if (!e->has_access && !e->has_trunk)
		return fail(ps, m, key, "needs access: VID or trunk: [VIDs]");
	return 0;
}

static bool
same_end(const struct lab_end *a, const struct lab_end *b)
{
	return !strcmp(a->node, b->node) && !strcmp(a->port, b->port);
}

static int
parse_link(struct ps *ps, const node_t *n, size_t idx)
{
	struct lab_link *l = &ps->lab->links[idx];
	const node_t *eps = NULL;
	char where[64], key[160];
	node_t *kn, *v;
	const char *k;

	snprintf(where, sizeof where, "links[%zu]", idx);
	memset(l, 0, sizeof *l);
	l->line = line_of(n);
	if (n->type == YAML_SEQUENCE_NODE) {
		eps = n;
	} else if (n->type == YAML_MAPPING_NODE) {
		if (check_mapping(ps, n, where))
			return -1;
		FOR_PAIRS(ps, n, kn, k, v)
			if (!strcmp(k, "endpoints"))
				eps = v;
		if (!eps)
			return fail(ps, n, where, "needs endpoints: [A:PORT, "
				    "B:PORT]");
	} else {
		return fail(ps, n, where, "must be [A:PORT, B:PORT] or a "
			    "mapping with endpoints");
	}
	snprintf(key, sizeof key, "%s.endpoints", where);
	if (want(ps, eps, YAML_SEQUENCE_NODE, key))
		return -1;
	if (n_items(eps) != 2)
		return fail(ps, eps, key, "a link has exactly 2 ends, not %zu",
			    n_items(eps));
	for (int i = 0; i < 2; i++)
		if (parse_endpoint(ps, node(ps, eps->data.sequence.items.start[i]),
				   key, &l->end[i]))
			return -1;
	if (same_end(&l->end[0], &l->end[1]))
		return fail(ps, eps, key, "both ends are %s:%s", l->end[0].node,
			    l->end[0].port);
	if (l->end[0].kind != LAB_SWITCH && l->end[1].kind != LAB_SWITCH)
		return fail(ps, eps, key, "a link needs a switch at one end "
			    "(%s and %s are not switches)", l->end[0].node,
			    l->end[1].node);
	for (size_t j = 0; j < idx; j++)
		for (int a = 0; a < 2; a++)
			for (int b = 0; b < 2; b++)
				if (same_end(&l->end[a],
					     &ps->lab->links[j].end[b]))
					return fail(ps, eps, key, "port %s:%s "
						    "is used twice (also by "
						    "the link on line %d)",
						    l->end[a].node,
						    l->end[a].port,
						    ps->lab->links[j].line);
	for (int a = 0; a < 2; a++) {
		if (l->end[a].kind != LAB_VM)
			continue;
		for (size_t j = 0; j < idx; j++)
			for (int b = 0; b < 2; b++)
				if (!strcmp(ps->lab->links[j].end[b].node,
					    l->end[a].node))
					return fail(ps, eps, key, "vm %s has a "
						    "link already (line %d); "
						    "a vm has one NIC",
						    l->end[a].node,
						    ps->lab->links[j].line);
	}
	if (n->type != YAML_MAPPING_NODE)
		return 0;
	FOR_PAIRS(ps, n, kn, k, v) {
		int r = 0;

		snprintf(key, sizeof key, "%s.%s", where, k);
		if (!strcmp(k, "endpoints"))
			continue;
		if (!strcmp(k, "delay"))
			r = get_u32(ps, v, key, 0, 60000, &l->delay_ms),
			l->has_delay = true;
		else if (!strcmp(k, "loss"))
			r = get_double(ps, v, key, 0, 100, &l->loss_pct),
			l->has_loss = true;
		else if (!strcmp(k, "rate"))
			r = get_u32(ps, v, key, 1, 100000000, &l->rate_kbit),
			l->has_rate = true;
		else if (!strcmp(k, "seed"))
			r = get_uint(ps, v, key, 0, UINT32_MAX, &l->seed),
			l->has_seed = true;
		else {
			int e = -1;

			for (int i = 0; i < 2; i++) {
				size_t nl = strlen(l->end[i].node);

				if (!strncmp(k, l->end[i].node, nl) &&
				    k[nl] == ':' &&
				    !strcmp(k + nl + 1, l->end[i].port))
					e = i;
			}
			if (e < 0)
				return unknown_key(ps, kn, where, k,
						   "endpoints, delay, loss, "
						   "rate, seed, or an endpoint "
						   "with its VLAN settings");
			r = parse_end_vlans(ps, v, key, &l->end[e]);
		}
		if (r)
			return -1;
		if ((l->has_delay || l->has_loss || l->has_rate ||
		     l->has_seed) &&
		    (l->end[0].kind != LAB_SWITCH ||
		     l->end[1].kind != LAB_SWITCH))
			return fail(ps, kn, key, "impairments are applied on "
				    "switch-to-switch links only");
	}
	return 0;
}

/* A list of entries, each read by 'one' into element i of a new array of
 * 'size'-byte elements (*arrp); '*n' counts those read. */
static int
parse_list(struct ps *ps, const node_t *s, const char *key, size_t max,
	   void **arrp, size_t size, size_t *n,
	   int (*one)(struct ps *, const node_t *, size_t))
{
	node_t *it;
	size_t i = 0;

	if (is_null(s))
		return 0;
	if (want(ps, s, YAML_SEQUENCE_NODE, key))
		return -1;
	if (n_items(s) > max)
		return fail(ps, s, key, "more than %zu entries", max);
	*arrp = xcalloc(n_items(s) + 1, size);
	FOR_ITEMS(ps, s, it) {
		if (one(ps, it, i))
			return -1;
		*n = ++i;
	}
	return 0;
}

/* A host's interfaces are its link ends and its VLAN sub-interfaces. */
static bool
host_has_if(const struct lab *lab, size_t h, const char *ifname)
{
	const struct lab_host *host = &lab->hosts[h];

	if (!strcmp(ifname, "lo"))
		return true;
	for (size_t i = 0; i < lab->n_links; i++)
		for (int e = 0; e < 2; e++)
			if (lab->links[i].end[e].kind == LAB_HOST &&
			    lab->links[i].end[e].idx == h &&
			    !strcmp(lab->links[i].end[e].port, ifname))
				return true;
	for (size_t i = 0; i < host->n_vlans; i++)
		if (!strcmp(host->vlans[i].name, ifname))
			return true;
	return false;
}

static int
check_hosts(struct ps *ps, const node_t *hosts)
{
	struct lab *lab = ps->lab;

	for (size_t h = 0; h < lab->n_hosts; h++) {
		struct lab_host *host = &lab->hosts[h];
		/* The node of this host's settings, for line numbers. */
		const node_t *hn = NULL;
		node_t *kn, *v;
		const char *k;
		char key[160];

		FOR_PAIRS(ps, hosts, kn, k, v)
			if (!strcmp(k, host->name))
				hn = v;
		for (size_t i = 0; i < host->n_vlans; i++) {
			struct lab_vlanif *vi = &host->vlans[i];

			if (!host_has_if(lab, h, vi->parent) ||
			    strchr(vi->parent, '.')) {
				snprintf(key, sizeof key, "hosts.%s.vlans",
					 host->name);
				snprintf(ps->err, LAB_ERR_MAX, "%s:%d: %s: %s: "
					 "no link ends at %s:%s", ps->file,
					 vi->line, key, vi->name, host->name,
					 vi->parent);
				return -1;
			}
		}
		for (size_t i = 0; i < host->n_addrs; i++) {
			if (host_has_if(lab, h, host->addrs[i].ifname))
				continue;
			snprintf(key, sizeof key, "hosts.%s.addresses.%s",
				 host->name, host->addrs[i].ifname);
			return fail(ps, hn, key, "host %s has no interface "
				    "%s (no link ends at %s:%s)", host->name,
				    host->addrs[i].ifname, host->name,
				    host->addrs[i].ifname);
		}
	}
	return 0;
}

/* A host name or an IP address. */
static int
check_target(struct ps *ps, const node_t *n, const char *key, const char *s)
{
	if (is_ip(s))
		return 0;
	if (lab_find_host(ps->lab, s) < 0)
		return fail(ps, n, key, "'%s' is neither a host of this lab "
			    "nor an IP address", s);
	if (!ps->lab->hosts[lab_find_host(ps->lab, s)].n_addrs)
		return fail(ps, n, key, "host %s has no address to ping", s);
	return 0;
}

/* "sw:port" naming a port of a switch that some link uses. */
static int
check_switch_port(struct ps *ps, const node_t *n, const char *key,
		  const char *s, struct lab_check *c)
{
	const char *colon = strchr(s, ':');

	if (!colon || (size_t)(colon - s) > LAB_NAME_MAX ||
	    strlen(colon + 1) > LAB_NAME_MAX)
		return fail(ps, n, key, "'%s' is not SWITCH:PORT", s);
	snprintf(c->a, sizeof c->a, "%.*s", (int)(colon - s), s);
	snprintf(c->b, sizeof c->b, "%s", colon + 1);
	if (lab_find_switch(ps->lab, c->a) < 0)
		return fail(ps, n, key, "no switch '%s'", c->a);
	if (lab_find_link(ps->lab, c->a, c->b, NULL) < 0)
		return fail(ps, n, key, "no link ends at %s", s);
	return 0;
}

static int
parse_check(struct ps *ps, const node_t *n, size_t idx)
{
	static const char known[] = "ping, no_ping, isolated, root, blocking, "
		"forwarding, listening, learning, disabled, learned, not_learned, "
		"dropped";
	struct lab_check *c = &ps->lab->checks[idx];
	char where[64], key[128];
	node_t *kn, *v;
	const char *k, *s;

	snprintf(where, sizeof where, "checks[%zu]", idx);
	memset(c, 0, sizeof *c);
	c->line = line_of(n);
	if (check_mapping(ps, n, where))
		return -1;
	if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
		return fail(ps, n, where, "one check per list entry "
			    "(- ping: [h1, h2])");
	FOR_PAIRS(ps, n, kn, k, v) {
		snprintf(key, sizeof key, "%s.%s", where, k);
		if (!strcmp(k, "ping") || !strcmp(k, "no_ping") ||
		    !strcmp(k, "isolated") || !strcmp(k, "learned") ||
		    !strcmp(k, "not_learned") || !strcmp(k, "dropped")) {
			const node_t *a, *b;
			const char *sa, *sb;

			if (want(ps, v, YAML_SEQUENCE_NODE, key))
				return -1;
			if (n_items(v) != 2)
				return fail(ps, v, key, "needs two entries, "
					    "not %zu", n_items(v));
			a = node(ps, v->data.sequence.items.start[0]);
			b = node(ps, v->data.sequence.items.start[1]);
			if (get_string(ps, a, key, &sa) ||
			    get_string(ps, b, key, &sb))
				return -1;
			if (!strcmp(k, "dropped")) {
				c->kind = LAB_CHECK_DROPPED;
				/* SW:PORT, SW (all its ports) or "*" (every
				 * port of the lab). */
				if (!strcmp(sa, "*") ||
				    (!strchr(sa, ':') &&
				     lab_find_switch(ps->lab, sa) >= 0))
					snprintf(c->a, sizeof c->a, "%s", sa);
				else if (check_switch_port(ps, a, key, sa, c))
					return -1;
				if (strlen(sb) >= sizeof c->c ||
				    strspn(sb, "abcdefghijklmnopqrstuvwxyz_") !=
				    strlen(sb))
					return fail(ps, b, key, "'%s' is not a "
						    "drop reason (storm_drop, "
						    "port_state, ...)", sb);
				snprintf(c->c, sizeof c->c, "%s", sb);
				continue;
			}
			if (!strcmp(k, "learned") || !strcmp(k, "not_learned")) {
				c->kind = !strcmp(k, "learned") ?
					  LAB_CHECK_LEARNED :
					  LAB_CHECK_NOT_LEARNED;
				if (check_switch_port(ps, a, key, sa, c))
					return -1;
				if (lab_find_host(ps->lab, sb) < 0)
					return fail(ps, b, key, "no host '%s'",
						    sb);
				snprintf(c->c, sizeof c->c, "%s", sb);
				continue;
			}
			c->kind = !strcmp(k, "ping") ? LAB_CHECK_PING :
				  !strcmp(k, "no_ping") ? LAB_CHECK_NO_PING :
				  LAB_CHECK_ISOLATED;
			if (lab_find_host(ps->lab, sa) < 0)
				return fail(ps, a, key, "no host '%s'", sa);
			if (check_target(ps, b, key, sb))
				return -1;
			if (c->kind == LAB_CHECK_ISOLATED &&
			    (lab_find_host(ps->lab, sb) < 0 ||
			     !ps->lab->hosts[lab_find_host(ps->lab, sa)].n_addrs))
				return fail(ps, b, key, "isolated needs two "
					    "hosts with addresses");
			snprintf(c->a, sizeof c->a, "%s", sa);
			snprintf(c->b, sizeof c->b, "%s", sb);
		} else if (!strcmp(k, "root")) {
			c->kind = LAB_CHECK_ROOT;
			if (get_string(ps, v, key, &s))
				return -1;
			if (lab_find_switch(ps->lab, s) < 0)
				return fail(ps, v, key, "no switch '%s'", s);
			snprintf(c->a, sizeof c->a, "%s", s);
		} else if (!strcmp(k, "blocking") || !strcmp(k, "forwarding") ||
			   !strcmp(k, "listening") || !strcmp(k, "learning") ||
			   !strcmp(k, "disabled")) {
			c->kind = LAB_CHECK_STATE;
			if (get_string(ps, v, key, &s) ||
			    check_switch_port(ps, v, key, s, c))
				return -1;
			snprintf(c->c, sizeof c->c, "%s", k);
		} else {
			return unknown_key(ps, kn, where, k, known);
		}
	}
	return 0;
}

/* Every generated device name fits IFNAMSIZ and is unique. */
static int
check_names(struct ps *ps, const node_t *root)
{
	const struct lab *lab = ps->lab;
	char a[LAB_IFNAMSIZ + 64];

	for (size_t i = 0; i < lab->n_switches; i++) {
		if (strlen(lab->prefix) + strlen(lab->switches[i].name) >
		    LAB_NAME_MAX)
			return fail(ps, root, "prefix", "bridge name '%s%s' "
				    "would be longer than %d characters "
				    "(shorten the name or set a shorter "
				    "prefix)", lab->prefix,
				    lab->switches[i].name, LAB_NAME_MAX);
	}
	for (size_t i = 0; i < lab->n_links; i++)
		for (int e = 0; e < 2; e++) {
			const struct lab_end *end = &lab->links[i].end[e];

			if (end->kind == LAB_HOST)
				continue;
			snprintf(a, sizeof a, "%s%s-%s", lab->prefix, end->node,
				 end->port);
			if (strlen(a) > LAB_NAME_MAX) {
				snprintf(ps->err, LAB_ERR_MAX, "%s:%d: "
					 "links[%zu].endpoints: port name "
					 "'%s' would be longer than %d "
					 "characters (shorten the names or "
					 "the prefix)", ps->file,
					 lab->links[i].line, i, a,
					 LAB_NAME_MAX);
				return -1;
			}
		}
	return 0;
}

static int
parse_top(struct ps *ps, const node_t *root)
{
	static const char known[] = "name, prefix, description, switches, "
		"hosts, vms, links, checks";
	const node_t *sw = NULL, *hosts = NULL, *vms = NULL, *links = NULL,
		     *checks = NULL;
	struct lab *lab = ps->lab;
	node_t *kn, *v;
	const char *k, *s;
	bool has_prefix = false;

	if (!root)
		return fail(ps, NULL, "name", "the file is empty");
	if (check_mapping(ps, root, ""))
		return -1;
	FOR_PAIRS(ps, root, kn, k, v) {
		if (!strcmp(k, "name")) {
			if (get_string(ps, v, k, &s) ||
			    check_name(ps, v, k, s, true))
				return -1;
			if (strlen(s) >= sizeof lab->name)
				return fail(ps, v, k, "too long");
			snprintf(lab->name, sizeof lab->name, "%s", s);
		} else if (!strcmp(k, "prefix")) {
			if (get_string(ps, v, k, &s))
				return -1;
			if (strlen(s) > 10 || !is_ifname(s))
				return fail(ps, v, k, "'%s' must be 1 to 10 "
					    "letters, digits, '_', '-', '.'",
					    s);
			snprintf(lab->prefix, sizeof lab->prefix, "%s", s);
			has_prefix = true;
		} else if (!strcmp(k, "description")) {
			if (want(ps, v, YAML_SCALAR_NODE, k))
				return -1;
		} else if (!strcmp(k, "switches")) {
			sw = v;
		} else if (!strcmp(k, "hosts")) {
			hosts = v;
		} else if (!strcmp(k, "vms")) {
			vms = v;
		} else if (!strcmp(k, "links")) {
			links = v;
		} else if (!strcmp(k, "checks")) {
			checks = v;
		} else {
			return unknown_key(ps, kn, "", k, known);
		}
	}
	if (!lab->name[0])
		return fail(ps, root, "name", "missing (every lab has a name)");
	if (ps->prefix && (strlen(ps->prefix) > 10 || !is_ifname(ps->prefix)))
		return fail(ps, root, "BRIDGECTL_LAB_PREFIX", "'%s' must be 1 "
			    "to 10 letters, digits, '_', '-', '.'", ps->prefix);
	if (ps->prefix)
		snprintf(lab->prefix, sizeof lab->prefix, "%s", ps->prefix);
	else if (!has_prefix)
		snprintf(lab->prefix, sizeof lab->prefix, "%.14s-", lab->name);
	lab->switches = xcalloc(LAB_MAX_NODES, sizeof *lab->switches);
	lab->hosts = xcalloc(LAB_MAX_NODES, sizeof *lab->hosts);
	lab->vms = xcalloc(LAB_MAX_NODES, sizeof *lab->vms);
	if ((sw && parse_nodes(ps, sw, "switches", parse_switch)) ||
	    (hosts && parse_nodes(ps, hosts, "hosts", parse_host)) ||
	    (vms && parse_nodes(ps, vms, "vms", parse_vm)))
		return -1;
	if (!lab->n_switches)
		return fail(ps, sw ? sw : root, "switches", "a lab needs at "
			    "least one switch");
	if ((links && parse_list(ps, links, "links", LAB_MAX_LINKS,
				 (void **)&lab->links, sizeof *lab->links,
				 &lab->n_links, parse_link)) ||
	    (hosts && !is_null(hosts) && check_hosts(ps, hosts)) ||
	    (checks && parse_list(ps, checks, "checks", LAB_MAX_CHECKS,
				  (void **)&lab->checks, sizeof *lab->checks,
				  &lab->n_checks, parse_check)))
		return -1;
	return check_names(ps, root);
}

struct lab *
lab_parse(const char *file, const char *text, size_t len,
	  char err[LAB_ERR_MAX])
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ps ps = { .file = file, .doc = &doc, .err = err,
			 .prefix = prefix_override };
	struct lab *lab;
	int r;

	err[0] = 0;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, LAB_ERR_MAX, "%s: out of memory", file);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, LAB_ERR_MAX, "%s:%zu: YAML: %s%s%s", file,
			 parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "syntax error",
			 parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return NULL;
	}
	lab = xcalloc(1, sizeof *lab);
	lab->file = xstrdup(file);
	ps.lab = lab;
	r = parse_top(&ps, yaml_document_get_root_node(&doc));
	if (!r) {
		/* Exactly one document per file. */
		yaml_document_t next;

		if (yaml_parser_load(&parser, &next)) {
			if (yaml_document_get_root_node(&next))
				r = fail(&ps, yaml_document_get_root_node(&next),
					 "---", "one lab per file (a second "
					 "YAML document follows)");
			yaml_document_delete(&next);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r) {
		lab_destroy(lab);
		return NULL;
	}
	return lab;
}

struct lab *
lab_load(const char *path, char err[LAB_ERR_MAX])
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	struct lab *lab;

	if (!f) {
		snprintf(err, LAB_ERR_MAX, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 24)) {
				snprintf(err, LAB_ERR_MAX, "%s: larger than "
					 "16 MiB", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		snprintf(err, LAB_ERR_MAX, "%s: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	lab = lab_parse(path, buf, len, err);
	free(buf);
	return lab;
}

void
lab_destroy(struct lab *lab)
{
	if (!lab)
		return;
	for (size_t i = 0; i < lab->n_hosts; i++) {
		for (size_t j = 0; j < lab->hosts[i].n_routes; j++)
			free(lab->hosts[i].routes[j]);
		for (size_t j = 0; j < lab->hosts[i].n_exec; j++)
			free(lab->hosts[i].exec[j]);
	}
	for (size_t i = 0; i < lab->n_vms; i++) {
		free(lab->vms[i].kernel);
		free(lab->vms[i].initrd);
		free(lab->vms[i].cmdline);
	}
	free(lab->switches);
	free(lab->hosts);
	free(lab->vms);
	free(lab->links);
	free(lab->checks);
	free(lab->file);
	free(lab);
}

/* Index of the node called 'name' in array 'nodes' of 'n' elements of
 * 'size' bytes, each starting with its name (lab_switch, lab_host,
 * lab_vm), or -1. */
static int
find_node(const void *nodes, size_t n, size_t size, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp((const char *)nodes + i * size, name))
			return (int)i;
	return -1;
}

int
lab_find_switch(const struct lab *lab, const char *name)
{
	return find_node(lab->switches, lab->n_switches,
			 sizeof *lab->switches, name);
}

int
lab_find_host(const struct lab *lab, const char *name)
{
	return find_node(lab->hosts, lab->n_hosts, sizeof *lab->hosts, name);
}

int
lab_find_vm(const struct lab *lab, const char *name)
{
	return find_node(lab->vms, lab->n_vms, sizeof *lab->vms, name);
}

int
lab_find_link(const struct lab *lab, const char *node, const char *port,
	      int *this_end)
{
	for (size_t i = 0; i < lab->n_links; i++)
		for (int e = 0; e < 2; e++) {
			const struct lab_end *end = &lab->links[i].end[e];

			if (strcmp(end->node, node) ||
			    (port && strcmp(end->port, port)))
				continue;
			if (this_end)
				*this_end = e;
			return (int)i;
		}
	return -1;
}

const char *
lab_host_ip(const struct lab_host *h, char buf[64])
{
	char *slash;

	if (!h->n_addrs)
		return NULL;
	snprintf(buf, 64, "%s", h->addrs[0].cidr);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	return buf;
}

void
lab_bridge_name(const struct lab *lab, const char *sw, char out[LAB_IFNAMSIZ])
{
	snprintf(out, LAB_IFNAMSIZ, "%s%s", lab->prefix, sw);
}

void
lab_port_name(const struct lab *lab, const char *sw, const char *port,
	      char out[LAB_IFNAMSIZ])
{
	char buf[64];

	snprintf(buf, sizeof buf, "%s%s-%s", lab->prefix, sw, port);
	memcpy(out, buf, LAB_IFNAMSIZ - 1);	/* fits: check_names() */
	out[LAB_IFNAMSIZ - 1] = 0;
}

void
lab_netns_name(const struct lab *lab, const char *host, char out[64])
{
	snprintf(out, 64, "%s%s", lab->prefix, host);
}
