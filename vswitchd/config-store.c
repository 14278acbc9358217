/*
 * config-store.c - the durable configuration: snapshot of the live state,
 * atomic save, and replay at start-up.
 *
 * File format (version 1):
 *
 *   { "format": "vswitchd-config", "version": 1,
 *     "bridges": [ { "name": "br0",
 *                    "options": { bridge.add options, "up": bool },
 *                    "vlans": [ {"vid": 1, "pvid": true, "untagged": true} ],
 *                    "fdb": [ {"mac", "dev", "vlan", "state", "sticky"} ],
 *                    "ports": [ { "name", "type", "args": {...},
 *                                 "settings": { port.set params: the
 *                                               PORT_OPTIONS table, up },
 *                                 "vlans": [...] } ] } ] }
 *
 * Ports are listed by port number so a restart hands out the same
 * numbers when there were no holes.
 */
#include "config-store.h"

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
#include "ctl-methods.h"
#include "ctl-query.h"
#include "ctl-server.h"
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
	/* Every table option, as the port.set parameter that restores it;
	 * automatic values stay out so they follow the link after a
	 * restart. */
	for (int opt = 0; opt < PORT_OPT_N; opt++) {
		const struct port_opt_info *info = &port_opt_info[opt];
		uint32_t v;

		if (!bridge_port_get_option(p, opt, &v))
			continue;
		json_object_object_add(s, info->name, info->is_flag
				       ? json_object_new_boolean(v)
				       : json_object_new_int64(v));
	}
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

/* Calls 'method' with 'params' (ownership taken); on error sets '*why'. */
static int
replay(const char *method, struct json_object *params, const char *what,
       char **why)
{
	struct ctl_reply r = { 0 };
	int rc = ctl_method_call(method, params, &r);

	if (rc)
		*why = xasprintf("%s: %s", what,
				 r.message ? r.message : "refused");
	ctl_reply_uninit(&r);
	json_object_put(params);
	return rc ? -EINVAL : 0;
}

static struct json_object *
member(struct json_object *o, const char *key, enum json_type type)
{
	struct json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* Makes the VLAN set of 'port' (NULL: the bridge device) exactly 'vlans'. */
static int
restore_vlans(struct bridge *br, struct port *port, struct json_object *vlans,
	      const char *what, char **why)
{
	const struct vlan_port *vp = port ? &port->vlans : &br->self_vlans;
	bool want[VLAN_N_VID] = { false };
	size_t n;

	if (!vlans) {
		*why = xasprintf("%s: 'vlans' missing or not an array", what);
		return -EINVAL;
	}
	n = json_object_array_length(vlans);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(vlans, i);
		struct json_object *vid = member(v, "vid", json_type_int);
		struct json_object *pv = member(v, "pvid", json_type_boolean);
		struct json_object *ut = member(v, "untagged",
						json_type_boolean);
		int64_t id = vid ? json_object_get_int64(vid) : -1;

		if (id < VLAN_VID_MIN || id > VLAN_VID_MAX || !pv || !ut) {
			*why = xasprintf("%s: vlans[%zu] is not {vid 1..4094, "
					 "pvid, untagged}", what, i);
			return -EINVAL;
		}
		want[id] = true;
		bridge_vlan_add(br, port, (uint16_t)id,
				json_object_get_boolean(pv),
				json_object_get_boolean(ut));
	}
	for (uint16_t v = vlan_port_next(vp, 0); v; v = vlan_port_next(vp, v))
		if (!want[v])
			bridge_vlan_del(br, port, v);
	return 0;
}

static int
restore_port(struct bridge *br, struct json_object *p, size_t idx, char **why)
{
	struct json_object *name = member(p, "name", json_type_string);
	struct json_object *type = member(p, "type", json_type_string);
	struct json_object *args = member(p, "args", json_type_object);
	struct json_object *settings = member(p, "settings", json_type_object);
	struct json_object *params, *no;
	struct port *port;
	char *what;
	int err;

	if (!name || !type || !args || !settings) {
		*why = xasprintf("bridge %s: ports[%zu]: needs name, type, args "
				 "and settings", br->name, idx);
		return -EINVAL;
	}
	what = xasprintf("bridge %s: port %s", br->name,
			 json_object_get_string(name));
	params = json_object_new_object();
	json_object_object_add(params, "bridge",
			       json_object_new_string(br->name));
	json_object_object_add(params, "name", json_object_get(name));
	json_object_object_add(params, "type", json_object_get(type));
	json_object_object_add(params, "args", json_object_get(args));
	/* The saved number back (port.add checks it like any request). */
	if ((no = member(p, "port_no", json_type_int)))
		json_object_object_add(params, "port_no", json_object_get(no));
	err = replay("port.add", params, what, why);
	if (!err) {
		params = NULL;
		json_object_deep_copy(settings, &params, NULL);
		json_object_object_add(params, "name", json_object_get(name));
		err = replay("port.set", params, what, why);
	}
	if (!err) {
		port = bridge_port_lookup(br, json_object_get_string(name));
		err = restore_vlans(br, port, member(p, "vlans",
						      json_type_array),
				    what, why);
	}
	free(what);
	return err;
}

static int
restore_bridge(struct json_object *b, size_t idx, char **why)
{
	struct json_object *name = member(b, "name", json_type_string);
	struct json_object *opts = member(b, "options", json_type_object);
	struct json_object *ports = member(b, "ports", json_type_array);
	struct json_object *fdb = member(b, "fdb", json_type_array);
	struct json_object *params, *filtering = NULL, *o;
	struct bridge *br;
	char *what;
	int err;

	if (!name || !opts || !ports || !fdb) {
		*why = xasprintf("bridges[%zu]: needs name, options, ports and "
				 "fdb", idx);
		return -EINVAL;
	}
	what = xasprintf("bridge %s", json_object_get_string(name));

	/* VLAN filtering goes on last: the default PVID cannot change while
	 * it is on. */
	params = json_object_new_object();
	json_object_object_add(params, "name", json_object_get(name));
	o = NULL;
	json_object_deep_copy(opts, &o, NULL);
	if (json_object_object_get_ex(o, "vlan_filtering", &filtering)) {
		filtering = json_object_get(filtering);
		json_object_object_del(o, "vlan_filtering");
	}
	json_object_object_add(params, "options", o);
	err = replay("bridge.add", params, what, why);
	br = bridge_lookup(json_object_get_string(name));
	for (size_t i = 0; !err && i < json_object_array_length(ports); i++) {
		struct json_object *p = json_object_array_get_idx(ports, i);

		err = restore_port(br, p, i, why);
	}
	if (!err)
		err = restore_vlans(br, NULL, member(b, "vlans",
						     json_type_array),
				    what, why);
	for (size_t i = 0; !err && i < json_object_array_length(fdb); i++) {
		params = NULL;
		if (json_object_deep_copy(json_object_array_get_idx(fdb, i),
					  &params, NULL) ||
		    !json_object_is_type(params, json_type_object)) {
			json_object_put(params);
			*why = xasprintf("%s: fdb[%zu] is not an object", what,
					 i);
			err = -EINVAL;
			break;
		}
		json_object_object_add(params, "replace",
				       json_object_new_boolean(true));
		err = replay("fdb.add", params, what, why);
	}
	if (!err && filtering) {
		params = json_object_new_object();
		o = json_object_new_object();
		json_object_object_add(params, "name", json_object_get(name));
		json_object_object_add(o, "vlan_filtering",
				       json_object_get(filtering));
		json_object_object_add(params, "options", o);
		err = replay("bridge.set", params, what, why);
	}
	json_object_put(filtering);
	free(what);
	return err;
}

static int
restore(struct json_object *doc, char **why)
{
	struct json_object *fmt = member(doc, "format", json_type_string);
	struct json_object *ver = member(doc, "version", json_type_int);
	struct json_object *bridges = member(doc, "bridges", json_type_array);

	if (!fmt || strcmp(json_object_get_string(fmt), "vswitchd-config")) {
		*why = xasprintf("not a vswitchd configuration (\"format\" is "
				 "not \"vswitchd-config\")");
		return -EINVAL;
	}
	if (!ver || json_object_get_int64(ver) != CONFIG_STORE_FORMAT_VERSION) {
		*why = xasprintf("unsupported version (expected %d)",
				 CONFIG_STORE_FORMAT_VERSION);
		return -EINVAL;
	}
	if (!bridges) {
		*why = xasprintf("\"bridges\" missing or not an array");
		return -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(bridges); i++) {
		int err = restore_bridge(json_object_array_get_idx(bridges, i),
					 i, why);

		if (err)
			return err;
	}
	return 0;
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
		err = restore(doc, &why);
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
