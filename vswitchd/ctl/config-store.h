/*
 * config-store.h - the durable configuration of vswitchd.
 *
 * One JSON file (default /var/lib/vswitchd/config.json) holds every
 * bridge with its options, every port with its type and creation
 * arguments and settings, every VLAN and every static or permanent FDB
 * entry a user added (the document form: config-doc.h).  The store
 * learns of changes as the control methods' change observer
 * ('config_store_observer', registered at start-up with
 * ctl_methods_observe()); the transport does not know it.
 * The file is rewritten from the live state after each change a request
 * applies, before the reply goes out:
 *
 *   write PATH.tmp in the same directory, fsync it, keep the previous
 *   file as PATH.bak (hard link), rename PATH.tmp over PATH, fsync the
 *   directory,
 *
 * so after a crash at any point PATH is either the old or the new
 * complete file.  A change whose file cannot be written is undone
 * (config_store_commit()), so the running state is always what the next
 * start loads.  At start-up config_store_open() replays the file through
 * the same control methods a client would call, so a stored configuration
 * is checked exactly like a request.  A file that cannot be read or
 * parsed, or whose content is refused, stops the start-up with a message;
 * the file is never modified in that case.
 */
#ifndef VSWITCHD_CONFIG_STORE_H
#define VSWITCHD_CONFIG_STORE_H

struct bridge;
struct ctl_change_observer;
struct json_object;
struct port;

#define CONFIG_STORE_DEFAULT_PATH "/var/lib/vswitchd/config.json"

/* Uses 'path' as the store: loads it if it exists and rebuilds every
 * bridge, port, VLAN and user FDB entry.  A missing file is an empty
 * configuration.  Returns 0, or -errno after printing why to stderr (the
 * caller refuses to start). */
int config_store_open(const char *path);

/* The store as the control methods' change observer (ctl-methods.h):
 * checkpoint and commit (config_store_checkpoint/commit()) around each
 * request that changes something, save-first for deletions
 * (config_store_save_without()), and the port arguments to remember
 * (config_store_note/forget_port()). */
extern const struct ctl_change_observer config_store_observer;

/* Forgets the store and the remembered port arguments (bridges stay).
 * Later saves do nothing. */
void config_store_close(void);

/* The path in use, or NULL when running without a store. */
const char *config_store_path(void);

/* Writes the live configuration atomically, unless the file holds it
 * already.  Returns 0 (also without a store) or -errno, leaving the
 * previous file in place. */
int config_store_save(void);

/* Saves the live configuration without bridge 'br' (when 'port' is NULL)
 * or without 'port' of 'br' and its FDB entries: what the file will hold
 * once they are deleted.  Deletions save first and apply only when that
 * worked, as closing a port cannot be undone without reopening it.
 * Returns 0 (also without a store) or -errno. */
int config_store_save_without(const struct bridge *br,
			      const struct port *port);

/* Builds the document that config_store_save() writes (for tests and
 * 'show'); the caller owns it. */
struct json_object *config_store_snapshot(void);

/* All or nothing.  A change the file cannot record is undone, so the
 * running state never drifts from what the next start will load:
 *
 *   cp = config_store_checkpoint();    before the change
 *   ... apply the change ...
 *   err = config_store_commit(cp, &why);
 *
 * The checkpoint is the document plus what only a rollback needs (each
 * port's state and automatic path cost); NULL without a store.  The
 * caller owns it.
 *
 * config_store_commit() saves the live configuration (nothing to write
 * when the document did not change).  If that fails, it brings the live
 * state back to 'checkpoint' (config_apply_revert(): only what differs,
 * so ports stay open and learned addresses stay) and returns the save's
 * -errno; '*undo_error' (xmalloc'd, else NULL) says what could not be
 * undone, if anything.  Returns 0 when saved. */
struct json_object *config_store_checkpoint(void);
int config_store_commit(struct json_object *checkpoint, char **undo_error);

#endif /* VSWITCHD_CONFIG_STORE_H */
