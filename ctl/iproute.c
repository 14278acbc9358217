/*
 * iproute.c - iproute2-style "fdb" and "vlan" commands (bridge fdb /
 * bridge vlan), with iproute2's keywords, text layout and JSON key names.
 * "link" (ip link) is in iplink.c.
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

/* --- fdb ------------------------------------------------------------------- */

static void
fdb_usage(FILE *f)
{
	fprintf(f,
"Usage: bridgectl fdb {add | append | replace | del} MAC dev DEV [master | self]\n"
"                 [local | permanent | static | dynamic] [sticky] [vlan VID]\n"
"       bridgectl fdb {add | append | replace | del} MAC dev VXLANPORT dst IP [self]\n"
"                 (the port's remote table; 00:00:00:00:00:00 with several\n"
"                 'append's is the head-end replication list)\n"
"       bridgectl fdb show [br BRIDGE] [brport DEV | dev DEV] [vlan VID]\n"
"                 [state STATE] [dynamic]\n"
"       bridgectl fdb flush [br BRIDGE] [dev DEV] [vlan VID] [dynamic | static]\n"
"Without a state word an entry is permanent (local), as in iproute2.\n");
}

static int
parse_vid(const char *cmd, const char *s, uint64_t *vid)
{
	if (ctl_parse_u64(s, 4094, vid))
		return ctl_usage_error(cmd, "invalid VLAN id '%s' (0..4094)", s);
	return 0;
}

static int
fdb_modify(const char *op, int argc, char **argv)
{
	struct json_object *p = json_object_new_object();
	const char *mac = NULL, *dev = NULL;
	bool del = ctl_matches(op, "del") || ctl_matches(op, "delete");
	struct rpc_error err;
	uint64_t vid;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (ctl_matches(w, "dev") || ctl_matches(w, "vlan") ||
		    !strcmp(w, "dst")) {
			if (i + 1 == argc) {
				rc = ctl_usage_error("fdb", "'%s' needs a value",
						     w);
				goto out_put;
			}
			if (ctl_matches(w, "dev")) {
				dev = argv[++i];
				continue;
			}
			if (!strcmp(w, "dst")) {
				json_object_object_add(p, "dst",
					json_object_new_string(argv[++i]));
				continue;
			}
			rc = parse_vid("fdb", argv[++i], &vid);
			if (rc)
				goto out_put;
			json_object_object_add(p, "vlan",
					       json_object_new_int((int)vid));
		} else if (ctl_matches(w, "master")) {
			json_object_object_add(p, "master",
					       json_object_new_boolean(true));
		} else if (ctl_matches(w, "self")) {
			/* A vxlan port's remote table; on the bridge device
			 * its local entries, on other ports ignored. */
			json_object_object_add(p, "self",
					       json_object_new_boolean(true));
		} else if (!del && (ctl_matches(w, "local") ||
				    ctl_matches(w, "permanent") ||
				    ctl_matches(w, "static") ||
				    ctl_matches(w, "dynamic"))) {
			json_object_object_add(p, "state",
					       json_object_new_string(w));
		} else if (!del && ctl_matches(w, "sticky")) {
			json_object_object_add(p, "sticky",
					       json_object_new_boolean(true));
		} else if (!mac && w[0] != '-') {
			mac = w;
		} else {
			rc = ctl_usage_error("fdb", "unknown argument '%s'", w);
			goto out_put;
		}
	}
	if (!mac || !dev) {
		rc = ctl_usage_error("fdb", "fdb %s: %s is missing", op,
				     !mac ? "MAC" : "dev DEV");
		goto out_put;
	}
	json_object_object_add(p, "mac", json_object_new_string(mac));
	json_object_object_add(p, "dev", json_object_new_string(dev));
	if (ctl_matches(op, "replace"))
		json_object_object_add(p, "replace",
				       json_object_new_boolean(true));
	if (ctl_matches(op, "append"))
		json_object_object_add(p, "append",
				       json_object_new_boolean(true));
	if (rpc_call(del ? "fdb.del" : "fdb.add", p, NULL, &err))
		return ctl_fail(&err);
	return 0;

out_put:
	json_object_put(p);
	return rc;
}

static void
print_fdb_entry(struct json_object *e, bool with_dev)
{
	struct json_object *flags;

	printf("%s ", ctl_jstr(e, "mac"));
	if (with_dev)
		printf("dev %s ", ctl_jstr(e, "ifname"));
	if (*ctl_jstr(e, "dst"))
		printf("dst %s ", ctl_jstr(e, "dst"));
	if (ctl_jint(e, "vlan"))
		printf("vlan %d ", (int)ctl_jint(e, "vlan"));
	if (ctl_opts.stats)
		printf("used %lld/%lld ", (long long)ctl_jint(e, "used"),
		       (long long)ctl_jint(e, "updated"));
	if (json_object_object_get_ex(e, "flags", &flags))
		for (size_t i = 0; i < json_object_array_length(flags); i++)
			printf("%s ", json_object_get_string(
				       json_object_array_get_idx(flags, i)));
	/* A port's own ("self") entry has no master. */
	if (*ctl_jstr(e, "master"))
		printf("master %s ", ctl_jstr(e, "master"));
	printf("%s\n", ctl_jstr(e, "state"));
}

/* The iproute2 JSON view of an entry: its keys only, in its order. */
static struct json_object *
fdb_entry_iproute(struct json_object *e, bool with_dev)
{
	static const char *const keys[] = { "mac", "ifname", "dst", "vlan",
					    "used",
					    "updated", "flags", "master",
					    "state" };
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct json_object *v;

		if (!json_object_object_get_ex(e, keys[i], &v))
			continue;
		if (!with_dev && !strcmp(keys[i], "ifname"))
			continue;
		if (!ctl_opts.stats && (!strcmp(keys[i], "used") ||
					!strcmp(keys[i], "updated")))
			continue;
		json_object_object_add(o, keys[i], json_object_get(v));
	}
	return o;
}

static int
fdb_show(int argc, char **argv)
{
	struct json_object *p = json_object_new_object(), *list, *out;
	const char *state = NULL;
	bool dynamic = false, with_dev = true;
	struct rpc_error err;
	uint64_t vid;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (ctl_matches(w, "dynamic")) {
			dynamic = true;
			continue;
		}
		if (i + 1 == argc) {
			rc = ctl_usage_error("fdb", "'%s' needs a value", w);
			goto out_put;
		}
		if (ctl_matches(w, "br")) {
			json_object_object_add(p, "br",
					       json_object_new_string(argv[++i]));
		} else if (ctl_matches(w, "brport") || ctl_matches(w, "dev")) {
			json_object_object_add(p, "dev",
					       json_object_new_string(argv[++i]));
			with_dev = false;
		} else if (ctl_matches(w, "vlan")) {
			rc = parse_vid("fdb", argv[++i], &vid);
			if (rc)
				goto out_put;
			json_object_object_add(p, "vlan",
					       json_object_new_int((int)vid));
		} else if (ctl_matches(w, "state")) {
			state = argv[++i];
			if (strcmp(state, "permanent") && strcmp(state, "static")
			    && strcmp(state, "reachable") &&
			    strcmp(state, "dynamic")) {
				rc = ctl_usage_error("fdb", "unknown state "
						     "'%s'", state);
				goto out_put;
			}
		} else {
			rc = ctl_usage_error("fdb", "unknown argument '%s'", w);
			goto out_put;
		}
	}
	if (rpc_call("fdb.show", p, &list, &err))
		return ctl_fail(&err);
	out = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *st = ctl_jstr(e, "state");

		if (dynamic && !strcmp(st, "permanent"))
			continue;
		if (state && (!strcmp(state, "reachable") ||
			      !strcmp(state, "dynamic") ? *st != '\0'
			      : strcmp(state, st)))
			continue;
		if (ctl_opts.json)
			json_object_array_add(out, fdb_entry_iproute(e,
								     with_dev));
		else
			print_fdb_entry(e, with_dev);
	}
	if (ctl_opts.json)
		ctl_print_json(out);
	json_object_put(out);
	json_object_put(list);
	return 0;

out_put:
	json_object_put(p);
	return rc;
}

static int
fdb_flush(int argc, char **argv)
{
	struct json_object *p = json_object_new_object(), *res;
	struct rpc_error err;
	uint64_t vid;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (ctl_matches(w, "dynamic")) {
			json_object_object_add(p, "dynamic_only",
					       json_object_new_boolean(true));
			continue;
		}
		if (ctl_matches(w, "static") || ctl_matches(w, "nopermanent")) {
			json_object_object_add(p, "dynamic_only",
					       json_object_new_boolean(false));
			continue;
		}
		if (i + 1 == argc) {
			rc = ctl_usage_error("fdb", "'%s' needs a value", w);
			goto out_put;
		}
		if (ctl_matches(w, "br")) {
			json_object_object_add(p, "br",
					       json_object_new_string(argv[++i]));
		} else if (ctl_matches(w, "dev") || ctl_matches(w, "brport")) {
			json_object_object_add(p, "dev",
					       json_object_new_string(argv[++i]));
		} else if (ctl_matches(w, "vlan")) {
			rc = parse_vid("fdb", argv[++i], &vid);
			if (rc)
				goto out_put;
			json_object_object_add(p, "vlan",
					       json_object_new_int((int)vid));
		} else {
			rc = ctl_usage_error("fdb", "unknown argument '%s'", w);
			goto out_put;
		}
	}
	if (rpc_call("fdb.flush", p, &res, &err))
		return ctl_fail(&err);
	json_object_put(res);
	return 0;

out_put:
	json_object_put(p);
	return rc;
}

int
ipr_fdb(int argc, char **argv)
{
	if (argc == 0)
		return fdb_show(0, argv);
	if (ctl_wants_help(argc, argv)) {
		fdb_usage(stdout);
		return 0;
	}
	if (ctl_is_show(argv[0]))
		return fdb_show(argc - 1, argv + 1);
	if (ctl_matches(argv[0], "add") || ctl_matches(argv[0], "append") ||
	    ctl_matches(argv[0], "replace") || ctl_matches(argv[0], "del") ||
	    ctl_matches(argv[0], "delete"))
		return fdb_modify(argv[0], argc - 1, argv + 1);
	if (ctl_matches(argv[0], "flush"))
		return fdb_flush(argc - 1, argv + 1);
	return ctl_usage_error("fdb", "unknown fdb command '%s'", argv[0]);
}

/* --- vlan ------------------------------------------------------------------ */

static void
vlan_usage(FILE *f)
{
	fprintf(f,
"Usage: bridgectl vlan {add | del} dev DEV vid VID[-VID2] [pvid] [untagged]\n"
"                 [self] [master]\n"
"       bridgectl vlan show [dev DEV] [vid VID]\n");
}

static int
vlan_modify(bool add, int argc, char **argv)
{
	struct json_object *p = json_object_new_object();
	const char *dev = NULL, *vids = NULL;
	struct rpc_error err;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (ctl_matches(w, "dev") || ctl_matches(w, "vid")) {
			if (i + 1 == argc) {
				rc = ctl_usage_error("vlan", "'%s' needs a value",
						     w);
				goto out_put;
			}
			if (ctl_matches(w, "dev"))
				dev = argv[++i];
			else
				vids = argv[++i];
		} else if (add && (ctl_matches(w, "pvid") ||
				   ctl_matches(w, "untagged"))) {
			json_object_object_add(p, w,
					       json_object_new_boolean(true));
		} else if (ctl_matches(w, "self") || ctl_matches(w, "master")) {
			json_object_object_add(p, w,
					       json_object_new_boolean(true));
		} else {
			rc = ctl_usage_error("vlan", "unknown argument '%s'", w);
			goto out_put;
		}
	}
	if (!dev || !vids) {
		rc = ctl_usage_error("vlan", "vlan %s: %s is missing",
				     add ? "add" : "del",
				     !dev ? "dev DEV" : "vid VID");
		goto out_put;
	}
	{
		char *copy = xstrdup(vids), *dash = strchr(copy, '-');
		uint64_t v1, v2 = 0;

		if (dash)
			*dash = '\0';
		if (ctl_parse_u64(copy, 4094, &v1) || v1 < 1 ||
		    (dash && (ctl_parse_u64(dash + 1, 4094, &v2) || v2 < v1))) {
			free(copy);
			rc = ctl_usage_error("vlan", "invalid VLAN id or range "
					     "'%s' (1..4094, VID-VID2 "
					     "ascending)", vids);
			goto out_put;
		}
		free(copy);
		json_object_object_add(p, "vid", json_object_new_int((int)v1));
		if (dash)
			json_object_object_add(p, "vid_end",
					       json_object_new_int((int)v2));
	}
	json_object_object_add(p, "dev", json_object_new_string(dev));
	if (rpc_call(add ? "vlan.add" : "vlan.del", p, NULL, &err))
		return ctl_fail(&err);
	return 0;

out_put:
	json_object_put(p);
	return rc;
}

static int
vlan_show(int argc, char **argv)
{
	struct json_object *p = json_object_new_object(), *list;
	struct rpc_error err;
	uint64_t vid;

	for (int i = 0; i < argc; i++) {
		if (i + 1 == argc || (!ctl_matches(argv[i], "dev") &&
				      !ctl_matches(argv[i], "vid"))) {
			json_object_put(p);
			return ctl_usage_error("vlan", "unknown argument '%s'",
					       argv[i]);
		}
		if (ctl_matches(argv[i], "dev")) {
			json_object_object_add(p, "dev",
					       json_object_new_string(argv[++i]));
		} else {
			if (ctl_parse_u64(argv[++i], 4094, &vid) || !vid) {
				json_object_put(p);
				return ctl_usage_error("vlan", "invalid VLAN id "
						       "'%s' (1..4094)",
						       argv[i]);
			}
			json_object_object_add(p, "vid",
					       json_object_new_int((int)vid));
		}
	}
	if (rpc_call("vlan.show", p, &list, &err))
		return ctl_fail(&err);
	if (ctl_opts.json) {
		/* iproute2 leaves "flags" out when there are none. */
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *vl;

			json_object_object_get_ex(json_object_array_get_idx(
							  list, i), "vlans", &vl);
			for (size_t k = 0; k < json_object_array_length(vl);
			     k++) {
				struct json_object *v =
					json_object_array_get_idx(vl, k), *f;

				if (json_object_object_get_ex(v, "flags", &f) &&
				    !json_object_array_length(f))
					json_object_object_del(v, "flags");
			}
		}
		ctl_print_json(list);
		json_object_put(list);
		return 0;
	}
	printf("%-16s  %-9s\n", "port", "vlan-id");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *d = json_object_array_get_idx(list, i), *vl;

		json_object_object_get_ex(d, "vlans", &vl);
		for (size_t k = 0; k < json_object_array_length(vl); k++) {
			struct json_object *v = json_object_array_get_idx(vl, k);
			struct json_object *f;

			printf("%-16s  %d", k ? "" : ctl_jstr(d, "ifname"),
			       (int)ctl_jint(v, "vlan"));
			if (json_object_object_get_ex(v, "flags", &f))
				for (size_t q = 0; q < json_object_array_length(f);
				     q++)
					printf(" %s", json_object_get_string(
						       json_object_array_get_idx(
							       f, q)));
			printf("\n");
		}
	}
	json_object_put(list);
	return 0;
}

int
ipr_vlan(int argc, char **argv)
{
	if (argc == 0)
		return vlan_show(0, argv);
	if (ctl_wants_help(argc, argv)) {
		vlan_usage(stdout);
		return 0;
	}
	if (ctl_is_show(argv[0]))
		return vlan_show(argc - 1, argv + 1);
	if (ctl_matches(argv[0], "add"))
		return vlan_modify(true, argc - 1, argv + 1);
	if (ctl_matches(argv[0], "del") || ctl_matches(argv[0], "delete"))
		return vlan_modify(false, argc - 1, argv + 1);
	return ctl_usage_error("vlan", "unknown vlan command '%s'", argv[0]);
}
