/*
 * config-store.c - the durable configuration: snapshot of the live state,
 * atomic save, and load at start-up (config-apply.c rebuilds the bridges
 * from the document).
 *
 * File format (version 1):
 *
 *   { "format": "vswitchd-config", "version": 1,
 *     "bridges": [ { "name": "br0",
 *                    "options": { bridge.add options, "up": bool },
 *                    "vlans": [ {"vid": 1, "pvid": true, "untagged": true} ],
 *                    "fdb": [ {"mac", "dev", "vlan", "state", "sticky"} ],
 *                    "ports": [ { "name", "type", "args": {...},
 *                                 "settings": { port.set params },
 *                                 "vlans": [...] } ] } ] }
 *
 * Ports are listed by port number so a restart hands out the same
 * numbers when there were no holes.
 */
#include "config-store.h"
#include "config-apply.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bridge.h"
#include "ctl-query.h"
#include "fdb.h"
#include "log.h"
#include "port-provider.h"

#define MOD "config"
#define CONFIG_MAX_SIZE (256 * 1024 * 1024)

struct noted_port {
	char *name;
	char *type;
	struct json_object *args;
	struct noted_port *next;
};

static char *store_path;
static struct noted_port *noted;

/* --- port creation arguments ------------------------------------------- */

static struct noted_port **
find_noted(const char *name)
{
	struct noted_port **pp;

	for (pp = &noted; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name))
			break;
	return pp;
}

void
config_store_note_port(const char *name, const char *type,
		       struct json_object *args)
{
	struct noted_port *np;

	config_store_forget_port(name);
	np = xcalloc(1, sizeof *np);
	np->name = xstrdup(name);
	np->type = xstrdup(type);
	np->args = NULL;
	if (args)
		json_object_deep_copy(args, &np->args, NULL);
	np->next = noted;
	noted = np;
}

void
config_store_forget_port(const char *name)
{
	struct noted_port **pp = find_noted(name), *np = *pp;

	if (!np)
		return;
	*pp = np->next;
	free(np->name);
	free(np->type);
	json_object_put(np->args);
	free(np);
}

/* --- snapshot ------------------------------------------------------------ */

static struct json_object *
vlans_json(const struct vlan_port *vp)
{
	struct json_object *list = json_object_new_array();

	for (uint16_t v = vlan_port_next(vp, 0); v; v = vlan_port_next(vp, v)) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "vid", json_object_new_int(v));
		json_object_object_add(o, "pvid",
				       json_object_new_boolean(vp->pvid == v));
		json_object_object_add(o, "untagged", json_object_new_boolean(
					       vlan_port_is_untagged(vp, v)));
		json_object_array_add(list, o);
	}
	return list;
}

static struct json_object *
port_json(const struct port *p)
{
	static const struct { const char *key; uint32_t flag; } flags[] = {
		{ "learning", PORT_F_LEARNING }, { "flood", PORT_F_FLOOD },
		{ "mcast_flood", PORT_F_MCAST_FLOOD },
		{ "bcast_flood", PORT_F_BCAST_FLOOD },
		{ "hairpin", PORT_F_HAIRPIN }, { "isolated", PORT_F_ISOLATED },
		{ "bpdu_guard", PORT_F_BPDU_GUARD },
		{ "root_block", PORT_F_ROOT_BLOCK },
	};
	struct json_object *o = json_object_new_object();
	struct json_object *s = json_object_new_object();
	struct noted_port *np = *find_noted(p->name);
	struct json_object *args = NULL;

	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "port_no", json_object_new_int(p->port_no));
	json_object_object_add(o, "type", json_object_new_string(
				       np ? np->type : p->class->type));
	if (np && np->args)
		json_object_deep_copy(np->args, &args, NULL);
	json_object_object_add(o, "args", args ? args
			       : json_object_new_object());
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		json_object_object_add(s, flags[i].key, json_object_new_boolean(
					       p->flags & flags[i].flag));
	json_object_object_add(s, "group_fwd_mask",
			       json_object_new_int(p->group_fwd_mask));
	json_object_object_add(s, "priority",
			       json_object_new_int(p->stp_priority));
	if (p->path_cost_set)
		json_object_object_add(s, "cost",
				       json_object_new_int((int)p->path_cost));
	json_object_object_add(s, "mtu", json_object_new_int((int)p->mtu));
	json_object_object_add(s, "up", json_object_new_boolean(p->admin_up));
	json_object_object_add(o, "settings", s);
	json_object_object_add(o, "vlans", vlans_json(&p->vlans));
	return o;
}

struct fdb_snap {
	const struct bridge *br;
	struct json_object *list;
};

static void
fdb_snap_cb(const struct fdb_entry *e, void *aux)
{
	struct fdb_snap *s = aux;
	const struct port *p;
	struct json_object *o;
	char mac[ETH_ADDR_STRLEN];

	if (!ctl_fdb_entry_is_user(s->br, e) ||
	    !(e->flags & (FDB_F_LOCAL | FDB_F_STATIC)))
		return;
	p = e->port_no ? s->br->ports[e->port_no] : NULL;
	if (e->port_no && !p)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "mac", json_object_new_string(
				       eth_addr_format(&e->mac, mac)));
	json_object_object_add(o, "dev", json_object_new_string(
				       p ? p->name : s->br->name));
	json_object_object_add(o, "vlan", json_object_new_int(e->vid));
	json_object_object_add(o, "state", json_object_new_string(
				       e->flags & FDB_F_LOCAL ? "permanent"
							      : "static"));
	if (e->flags & FDB_F_STICKY)
		json_object_object_add(o, "sticky",
				       json_object_new_boolean(true));
	json_object_array_add(s->list, o);
}

static int
compare_fdb_json(const void *a, const void *b)
{
	struct json_object *const *x = a, *const *y = b;

	return strcmp(json_object_to_json_string(*x),
		      json_object_to_json_string(*y));
}

struct json_object *
config_store_snapshot(void)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *bridges = json_object_new_array();

	json_object_object_add(doc, "format",
			       json_object_new_string("vswitchd-config"));
	json_object_object_add(doc, "version",
			       json_object_new_int(CONFIG_STORE_FORMAT_VERSION));
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		struct json_object *b = json_object_new_object();
		struct json_object *view = ctl_json_bridge(br);
		struct json_object *opts = NULL, *ports;
		struct fdb_snap fs = { br, json_object_new_array() };

		json_object_object_get_ex(view, "options", &opts);
		json_object_object_add(opts, "up",
				       json_object_new_boolean(br->admin_up));
		json_object_object_add(b, "name",
				       json_object_new_string(br->name));
		json_object_object_add(b, "options", json_object_get(opts));
		json_object_put(view);
		json_object_object_add(b, "vlans", vlans_json(&br->self_vlans));
		fdb_foreach(br->fdb, fdb_snap_cb, &fs);
		json_object_array_sort(fs.list, compare_fdb_json);
		json_object_object_add(b, "fdb", fs.list);
		ports = json_object_new_array();
		for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
			if (br->ports[i])
				json_object_array_add(ports,
						      port_json(br->ports[i]));
		json_object_object_add(b, "ports", ports);
		json_object_array_add(bridges, b);
	}
	json_object_object_add(doc, "bridges", bridges);
	return doc;
}

/* --- save ------------------------------------------------------------------ */

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fsync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd, err = 0;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd))
		err = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return err;
}

/* Makes PATH.bak a copy of the current PATH (a hard link when possible). */
static int
keep_backup(const char *path)
{
	char *bak = xasprintf("%s.bak", path);
	int err = 0;

	if (unlink(bak) && errno != ENOENT)
		err = -errno;
	else if (link(path, bak) && errno != ENOENT)
		err = -errno;
	free(bak);
	return err;
}

int
config_store_save(void)
{
	struct json_object *doc;
	const char *text;
	char *tmp;
	int fd, err;

	if (!store_path)
		return 0;
	err = util_mkdir_parents(store_path, NULL);
	if (err)
		return err;
	doc = config_store_snapshot();
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	tmp = xasprintf("%s.tmp", store_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		err = -errno;
		goto out_free;
	}
	err = write_all(fd, text, strlen(text));
	if (!err)
		err = write_all(fd, "\n", 1);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (err)
		goto out_unlink;
	err = keep_backup(store_path);
	if (err)
		goto out_unlink;
	if (rename(tmp, store_path)) {
		err = -errno;
		goto out_unlink;
	}
	err = fsync_dir_of(store_path);
	goto out_free;

out_unlink:
	unlink(tmp);
out_free:
	if (err)
		log_err(MOD, "%s: cannot save: %s", store_path, strerror(-err));
	free(tmp);
	json_object_put(doc);
	return err;
}

/* --- load ------------------------------------------------------------------ */

/* Reads the whole of 'path' into a NUL-terminated buffer. */
static int
read_file(const char *path, char **bufp, size_t *lenp)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out_close;
	}
	if (st.st_size > CONFIG_MAX_SIZE) {
		err = -EFBIG;
		goto out_close;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			free(buf);
			goto out_close;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
out_close:
	close(fd);
	return err;
}

/* Parses 'buf' strictly as one JSON object. */
static struct json_object *
parse_doc(const char *buf, size_t len, char **why)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *doc;
	enum json_tokener_error jerr;
	size_t end;

	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	doc = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!doc) {
		*why = xasprintf("JSON %s at byte %zu",
				 jerr == json_tokener_continue
				 ? "text truncated" : json_tokener_error_desc(jerr),
				 json_tokener_get_parse_end(tok));
		goto out;
	}
	for (end = json_tokener_get_parse_end(tok); end < len; end++) {
		if (buf[end] != ' ' && buf[end] != '\n' && buf[end] != '\t' &&
		    buf[end] != '\r') {
			*why = xasprintf("trailing data at byte %zu", end);
			json_object_put(doc);
			doc = NULL;
			goto out;
		}
	}
	if (!json_object_is_type(doc, json_type_object)) {
		*why = xasprintf("top level is not an object");
		json_object_put(doc);
		doc = NULL;
	}
out:
	json_tokener_free(tok);
	return doc;
}

int
config_store_open(const char *path)
{
	struct json_object *doc;
	char *buf = NULL, *why = NULL;
	size_t len = 0;
	int err;

	config_store_close();
	if (!path || !*path) {
		fprintf(stderr, "vswitchd: empty configuration path\n");
		return -EINVAL;
	}
	err = read_file(path, &buf, &len);
	if (err == -ENOENT) {
		char *bak = xasprintf("%s.bak", path);

		if (!access(bak, F_OK))
			log_warn(MOD, "%s is missing but %s exists; starting "
				 "with an empty configuration", path, bak);
		else
			log_info(MOD, "%s does not exist yet; starting with "
				 "an empty configuration", path);
		free(bak);
		store_path = xstrdup(path);
		return 0;
	}
	if (err) {
		fprintf(stderr, "vswitchd: cannot read configuration %s: %s; "
			"refusing to start\n", path, strerror(-err));
		return err;
	}
	doc = parse_doc(buf, len, &why);
	free(buf);
	if (doc) {
		err = config_apply_restore(doc, &why);
		json_object_put(doc);
	} else {
		err = -EINVAL;
	}
	if (err) {
		fprintf(stderr, "vswitchd: configuration %s is unusable: %s; "
			"refusing to start (the file is left untouched; the "
			"previous good one, if any, is %s.bak)\n", path,
			why ? why : strerror(-err), path);
		free(why);
		bridge_destroy_all();
		config_store_close();
		return err;
	}
	store_path = xstrdup(path);
	log_info(MOD, "%s: configuration restored", path);
	return 0;
}

void
config_store_close(void)
{
	free(store_path);
	store_path = NULL;
	while (noted)
		config_store_forget_port(noted->name);
}

const char *
config_store_path(void)
{
	return store_path;
}
