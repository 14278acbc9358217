/*
 * config-store.c - the durable configuration: the document form of the
 * live state, the atomic save (skipped when the file holds the document
 * already), load at start-up, and the checkpoint and commit that make a
 * change and its save all or nothing.  Making the live state match a
 * document, at start-up or to undo a change, is config-apply.c.
 *
 * File format (version 1):
 *
 *   { "format": "vswitchd-config", "version": 1,
 *     "bridges": [ { "name": "br0",
 *                    "options": { bridge.add options: the
 *                                 BRIDGE_OPTIONS table, "address" if
 *                                 pinned, "up": bool },
 *                    "vlans": [ {"vid": 1, "pvid": true, "untagged": true} ],
 *                    "fdb": [ {"mac", "dev", "vlan", "state", "sticky"} ],
 *                    "ports": [ { "name", "type", "args": {...},
 *                                 "settings": { port.set params: the
 *                                               PORT_OPTIONS table, up },
 *                                 "vlans": [...] } ] } ] }
 *
 * Ports are listed by port number so a restart hands out the same
 * numbers when there were no holes.  A checkpoint adds to each port
 * "runtime": {"state", "cost"}, never written to the file.
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
#include "ctl-methods.h"
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
static char *saved_text;	/* what the file holds, as written or loaded
				 * here; NULL when not known */
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

struct json_object *
config_store_port_json(const struct port *p, bool runtime)
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
	if (runtime) {
		struct json_object *rt = json_object_new_object();

		json_object_object_add(rt, "state", json_object_new_string(
					       port_state_name(p->state)));
		json_object_object_add(rt, "cost",
				       json_object_new_int((int)p->path_cost));
		json_object_object_add(o, "runtime", rt);
	}
	return o;
}

struct fdb_snap {
	const struct bridge *br;
	const struct port *without;	/* leave its entries out, or NULL */
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
	if ((e->port_no && !p) || (p && p == s->without))
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

int
config_store_compare_fdb(const void *a, const void *b)
{
	struct json_object *const *x = a, *const *y = b;

	return strcmp(json_object_to_json_string(*x),
		      json_object_to_json_string(*y));
}

struct json_object *
config_store_options_json(const struct bridge *br)
{
	struct json_object *view = ctl_json_bridge(br);
	struct json_object *opts = NULL;

	json_object_object_get_ex(view, "options", &opts);
	json_object_object_add(opts, "up",
			       json_object_new_boolean(br->admin_up));
	json_object_get(opts);
	json_object_put(view);
	return opts;
}

/* The user's static and permanent entries of 'br', but those of port
 * 'without' (if not NULL), sorted. */
static struct json_object *
fdb_list(const struct bridge *br, const struct port *without)
{
	struct fdb_snap fs = { br, without, json_object_new_array() };

	fdb_foreach(br->fdb, fdb_snap_cb, &fs);
	json_object_array_sort(fs.list, config_store_compare_fdb);
	return fs.list;
}

struct json_object *
config_store_fdb_json(const struct bridge *br)
{
	return fdb_list(br, NULL);
}

/* The configuration document, without bridge 'skip_br' (if not NULL) or
 * only without its port 'skip_port' (if not NULL) and that port's
 * entries.  With 'runtime', each port also carries what only a rollback
 * needs (config_store_port_json()). */
static struct json_object *
snapshot_doc(bool runtime, const struct bridge *skip_br,
	     const struct port *skip_port)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *bridges = json_object_new_array();

	json_object_object_add(doc, "format",
			       json_object_new_string("vswitchd-config"));
	json_object_object_add(doc, "version",
			       json_object_new_int(CONFIG_STORE_FORMAT_VERSION));
	for (struct bridge *br = bridge_first(); br; br = br->next) {
		struct json_object *b, *ports;

		if (br == skip_br && !skip_port)
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "name",
				       json_object_new_string(br->name));
		json_object_object_add(b, "options",
				       config_store_options_json(br));
		json_object_object_add(b, "vlans", vlans_json(&br->self_vlans));
		json_object_object_add(b, "fdb", fdb_list(br, br == skip_br ?
							  skip_port : NULL));
		ports = json_object_new_array();
		for (unsigned i = 1; i < BRIDGE_MAX_PORTS; i++)
			if (br->ports[i] && br->ports[i] != skip_port)
				json_object_array_add(ports,
					config_store_port_json(br->ports[i],
							       runtime));
		json_object_object_add(b, "ports", ports);
		json_object_array_add(bridges, b);
	}
	json_object_object_add(doc, "bridges", bridges);
	return doc;
}

struct json_object *
config_store_snapshot(void)
{
	return snapshot_doc(false, NULL, NULL);
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

/* The text of 'doc' as the file holds it (without the final newline). */
static const char *
doc_text(struct json_object *doc)
{
	return json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Writes 'doc' atomically unless the file holds it already (a change of
 * runtime state only, such as a port state set with STP off, leaves the
 * document as it was and needs no write, so it cannot fail for want of
 * space).  Returns 0 or -errno with the previous file in place; once the
 * new file is renamed into place the change counts as saved, and a failed
 * fsync of the directory after that is only logged. */
static int
save_doc(struct json_object *doc)
{
	const char *text;
	char *tmp;
	int fd, err;

	text = doc_text(doc);
	if (saved_text && !strcmp(saved_text, text))
		return 0;
	err = util_mkdir_parents(store_path, NULL);
	if (err)
		return err;
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
	free(saved_text);
	saved_text = xstrdup(text);
	err = fsync_dir_of(store_path);
	if (err)
		log_err(MOD, "%s: saved, but syncing its directory failed: %s",
			store_path, strerror(-err));
	err = 0;
	goto out_free;

out_unlink:
	unlink(tmp);
out_free:
	if (err)
		log_err(MOD, "%s: cannot save: %s", store_path, strerror(-err));
	free(tmp);
	return err;
}

int
config_store_save(void)
{
	struct json_object *doc;
	int err;

	if (!store_path)
		return 0;
	doc = snapshot_doc(false, NULL, NULL);
	err = save_doc(doc);
	json_object_put(doc);
	return err;
}

int
config_store_save_without(const struct bridge *br, const struct port *port)
{
	struct json_object *doc;
	int err;

	if (!store_path)
		return 0;
	doc = snapshot_doc(false, br, port);
	err = save_doc(doc);
	json_object_put(doc);
	return err;
}

struct json_object *
config_store_checkpoint(void)
{
	return store_path ? snapshot_doc(true, NULL, NULL) : NULL;
}

int
config_store_commit(struct json_object *checkpoint, char **undo_error)
{
	int err;

	*undo_error = NULL;
	err = config_store_save();
	if (!err || !checkpoint)
		return err;
	if (config_apply_revert(checkpoint, undo_error))
		log_err(MOD, "a change the configuration could not hold was "
			"not fully undone: %s", *undo_error);
	else
		log_warn(MOD, "change undone: the configuration could not be "
			 "saved");
	return err;
}

/* --- the change observer ------------------------------------------------ */

/* Saves a change a request applied; one the file cannot hold is undone
 * and refused with why. */
static int
observe_commit(struct json_object *checkpoint, char **why)
{
	char *undo_error = NULL;
	int err = config_store_commit(checkpoint, &undo_error);

	if (!err)
		return 0;
	if (undo_error)
		*why = xasprintf("the configuration could not be saved (%s), "
				 "and undoing the change failed: %s; the "
				 "running state differs from %s", strerror(-err),
				 undo_error, config_store_path());
	else
		*why = xasprintf("change refused and undone: the configuration "
				 "could not be saved to %s: %s",
				 config_store_path(), strerror(-err));
	free(undo_error);
	return err;
}

/* A deletion cannot be undone: the file is written without what it
 * deletes first, and the deletion happens only if that worked. */
static int
observe_may_delete(const struct bridge *br, const struct port *port,
		   char **why)
{
	int err = config_store_save_without(br, port);

	if (err)
		*why = xasprintf("the configuration could not be saved to %s: "
				 "%s", config_store_path(), strerror(-err));
	return err;
}

const struct ctl_change_observer config_store_observer = {
	.checkpoint = config_store_checkpoint,
	.commit = observe_commit,
	.may_delete = observe_may_delete,
	.port_created = config_store_note_port,
	.port_deleted = config_store_forget_port,
};

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
	/* The file holds what was just restored, so a change that leaves
	 * the document as it is needs no write. */
	doc = snapshot_doc(false, NULL, NULL);
	saved_text = xstrdup(doc_text(doc));
	json_object_put(doc);
	log_info(MOD, "%s: configuration restored", path);
	return 0;
}

void
config_store_close(void)
{
	free(store_path);
	store_path = NULL;
	free(saved_text);
	saved_text = NULL;
	while (noted)
		config_store_forget_port(noted->name);
}

const char *
config_store_path(void)
{
	return store_path;
}
