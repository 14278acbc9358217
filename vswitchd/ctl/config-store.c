/*
 * config-store.c - the durable configuration: the atomic save (skipped
 * when the file holds the document already), load at start-up, and the
 * checkpoint and commit that make a change and its save all or nothing.
 *
 * The document form (what bridges, ports and entries look like in the
 * file, and its format version) is config-doc.c; the store adds the one
 * thing the live state does not hold, how each port was created (its
 * "noted" type and creation arguments).  Making the live state match a
 * document, at start-up or to undo a change, is config-apply.c.
 */
#include "config-store.h"
#include "config-apply.h"
#include "config-doc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bridge.h"
#include "ctl-methods.h"
#include "log.h"
#include "utf8.h"

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

static void forget_gone_ports(void);
static void noted_port_free(struct noted_port *np);

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

/* The observer's port_deleted: port 'name' is gone. */
static void
config_store_forget_port(const char *name)
{
	struct noted_port **pp = find_noted(name), *np = *pp;

	if (!np)
		return;
	*pp = np->next;
	noted_port_free(np);
}

/* Remembers how port 'name' was created ('type', creation arguments
 * 'args', borrowed, may be NULL), so the store can recreate it: the
 * observer's port_created. */
static void
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

/* Forgets how every port that no longer exists was created.  A revert
 * (config_apply_revert()) deletes the ports a refused change created
 * directly, not through port.del, so the change observer does not hear
 * of it; this sweep after it keeps the noted ports those that exist. */
static void
forget_gone_ports(void)
{
	struct noted_port **pp = &noted;

	while (*pp) {
		struct noted_port *np = *pp;

		if (bridge_find_port(np->name, NULL)) {
			pp = &np->next;
			continue;
		}
		*pp = np->next;
		noted_port_free(np);
	}
}

static void
noted_port_free(struct noted_port *np)
{
	free(np->name);
	free(np->type);
	json_object_put(np->args);
	free(np);
}

/* --- snapshot ------------------------------------------------------------ */

/* The document's question of how port 'name' was created
 * (config_doc_origin_fn): as noted, if it was. */
static bool
noted_origin(const char *name, const char **type, struct json_object **args)
{
	struct noted_port *np = *find_noted(name);

	if (!np)
		return false;
	*type = np->type;
	*args = np->args;
	return true;
}

static struct json_object *
snapshot_doc(bool runtime, const struct bridge *skip_br,
	     const struct port *skip_port)
{
	return config_doc_snapshot(noted_origin, runtime, skip_br, skip_port);
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
	forget_gone_ports();
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

	/* What the file names is echoed in replies: held to the same
	 * strict UTF-8 as a request. */
	if (!utf8_is_valid(buf, len, &end)) {
		*why = xasprintf("invalid UTF-8 at byte %zu", end);
		doc = NULL;
		goto out;
	}
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
