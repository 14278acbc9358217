/*
 * trace-text.c - frame specs and trace text (see trace-text.h).
 */
#include "trace-text.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eth.h"
#include "util.h"

static bool
parse_num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return *s && !*end && !errno && *v <= max && s[0] != '-';
}

static int
hex_frame(const char *s, uint8_t *buf, char **errp)
{
	const char *start = s;
	int n = 0, half = -1;

	for (; *s; s++) {
		int d;

		if (*s == ':' || *s == '.')
			continue;
		/* Only printable ASCII is quoted: the message must stay UTF-8
		 * whatever the input was (a reply, a log line). */
		if (!isxdigit((unsigned char)*s)) {
			if (*s > ' ' && *s < 0x7f)
				*errp = xasprintf("hex: '%c' (character %td) "
						  "is not a hex digit", *s,
						  s - start + 1);
			else
				*errp = xasprintf("hex: character %td is not "
						  "a hex digit", s - start + 1);
			return -1;
		}
		d = isdigit((unsigned char)*s) ? *s - '0'
		    : tolower((unsigned char)*s) - 'a' + 10;
		if (half < 0) {
			half = d;
			continue;
		}
		if (n == TRACE_FRAME_MAX) {
			*errp = xasprintf("hex: longer than %d bytes",
					  TRACE_FRAME_MAX);
			return -1;
		}
		buf[n++] = (uint8_t)(half << 4 | d);
		half = -1;
	}
	if (half >= 0) {
		*errp = xasprintf("hex: odd number of digits");
		return -1;
	}
	return n;
}

int
trace_frame_build(int argc, char **argv, uint8_t *buf, char **errp)
{
	struct eth_addr src, dst;
	bool have_src = false, have_dst = false;
	uint16_t tpid[8], tci[8];
	unsigned long type = 0x88b5, len = 60, v;
	int ntags = 0, off;

	if (argc == 2 && !strcmp(argv[0], "hex"))
		return hex_frame(argv[1], buf, errp);
	for (int i = 0; i < argc; i += 2) {
		const char *w = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (!a) {
			*errp = xasprintf("%s: missing value", w);
			return -1;
		}
		if (!strcmp(w, "src") || !strcmp(w, "dst")) {
			struct eth_addr *m = w[0] == 's' ? &src : &dst;

			if (eth_addr_parse(a, m)) {
				*errp = xasprintf("%s: bad MAC '%s'", w, a);
				return -1;
			}
			*(w[0] == 's' ? &have_src : &have_dst) = true;
		} else if (!strcmp(w, "vlan") || !strcmp(w, "svlan")) {
			if (ntags == 8 || !parse_num(a, 4095, &v)) {
				*errp = xasprintf("%s: bad VID '%s' (0-4095, "
						  "at most 8 tags)", w, a);
				return -1;
			}
			tpid[ntags] = w[0] == 's' ? ETH_TYPE_QINQ
						  : ETH_TYPE_VLAN;
			tci[ntags++] = (uint16_t)v;
		} else if (!strcmp(w, "pcp")) {
			if (!ntags || !parse_num(a, 7, &v)) {
				*errp = xasprintf("pcp: bad '%s' (0-7, after "
						  "a vlan)", a);
				return -1;
			}
			tci[ntags - 1] = (uint16_t)(tci[ntags - 1] | v << 13);
		} else if (!strcmp(w, "type")) {
			if (!parse_num(a, 0xffff, &type)) {
				*errp = xasprintf("type: bad EtherType '%s'",
						  a);
				return -1;
			}
		} else if (!strcmp(w, "len")) {
			if (!parse_num(a, TRACE_FRAME_MAX, &len)) {
				*errp = xasprintf("len: bad length '%s'", a);
				return -1;
			}
		} else {
			*errp = xasprintf("unknown frame word '%s' (src, "
					  "dst, vlan, svlan, pcp, type, len, "
					  "hex)", w);
			return -1;
		}
	}
	if (!have_src || !have_dst) {
		*errp = xasprintf("a frame needs src MAC and dst MAC "
				  "(or hex HEX)");
		return -1;
	}
	if (len < (unsigned long)(ETH_HDR_LEN + 4 * ntags)) {
		*errp = xasprintf("len: %lu is shorter than the header", len);
		return -1;
	}
	memset(buf, 0, len);
	memcpy(buf, &dst, 6);
	memcpy(buf + 6, &src, 6);
	off = 12;
	for (int t = 0; t < ntags; t++, off += 4) {
		eth_put_be16(buf + off, tpid[t]);
		eth_put_be16(buf + off + 2, tci[t]);
	}
	eth_put_be16(buf + off, (uint16_t)type);
	return (int)len;
}

static const char *
jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	       json_object_get_string(v) : "";
}

static struct json_object *
jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

static void
print_frame(FILE *f, struct json_object *fr)
{
	struct json_object *tags = jget(fr, "tags");

	if (!*jstr(fr, "src")) {
		fprintf(f, "  frame: %s bytes (runt)\n", jstr(fr, "len"));
		return;
	}
	fprintf(f, "  frame: %s > %s", jstr(fr, "src"), jstr(fr, "dst"));
	for (size_t i = 0; tags && i < json_object_array_length(tags); i++)
		fprintf(f, ", tag %s", json_object_get_string(
				json_object_array_get_idx(tags, i)));
	if (*jstr(fr, "type"))
		fprintf(f, ", type %s", jstr(fr, "type"));
	fprintf(f, ", %s bytes\n", jstr(fr, "len"));
}

static void
print_list(FILE *f, struct json_object *a)
{
	size_t n = a ? json_object_array_length(a) : 0;

	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", json_object_get_string(
				json_object_array_get_idx(a, i)));
	if (!n)
		fputs(" nothing", f);
	fputc('\n', f);
}

void
trace_text_print(FILE *f, struct json_object *res)
{
	struct json_object *hops = jget(res, "hops"), *leaves;
	size_t nh = hops ? json_object_array_length(hops) : 0, nl;

	for (size_t h = 0; h < nh; h++) {
		struct json_object *hop = json_object_array_get_idx(hops, h);
		struct json_object *steps = jget(hop, "steps");
		size_t ns = steps ? json_object_array_length(steps) : 0;

		fprintf(f, "hop %zu: bridge %s, in %s\n", h + 1,
			jstr(hop, "bridge"), jstr(hop, "in_port"));
		print_frame(f, jget(hop, "frame"));
		for (size_t i = 0; i < ns; i++) {
			struct json_object *s = json_object_array_get_idx(
				steps, i);

			fprintf(f, "  %s%s%s: %s", jstr(s, "step"),
				*jstr(s, "port") ? " " : "", jstr(s, "port"),
				jstr(s, "verdict"));
			if (*jstr(s, "detail"))
				fprintf(f, " - %s", jstr(s, "detail"));
			fputc('\n', f);
		}
		fputs("  => out:", f);
		print_list(f, jget(hop, "out"));
	}
	leaves = jget(res, "leaves");
	nl = leaves ? json_object_array_length(leaves) : 0;
	if (json_object_get_boolean(jget(res, "truncated")))
		fprintf(f, "stopped after %zu hops (a loop?)\n", nh);
	if (!nl) {
		fputs("result: dropped (leaves nowhere)\n", f);
	} else {
		fputs("result: leaves at", f);
		for (size_t i = 0; i < nl; i++) {
			struct json_object *l = json_object_array_get_idx(
				leaves, i);

			fprintf(f, " %s/%s", jstr(l, "bridge"),
				jstr(l, "port"));
		}
		fputc('\n', f);
	}
	fputs(json_object_get_boolean(jget(res, "dry_run")) ?
	      "dry run: nothing learned, sent or counted\n" :
	      "learning applied; nothing sent or counted\n", f);
}
