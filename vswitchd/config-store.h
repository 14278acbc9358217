/*
 * config-store.h - the durable configuration of vswitchd.
 *
 * One JSON file (default /var/lib/vswitchd/config.json) holds every
 * bridge with its options, every port with its type and creation
 * arguments and settings, every VLAN and every static or permanent FDB
 * entry a user added.  It is rewritten from the live state after each
 * change the control server accepts, before the reply goes out:
 *
 *   write PATH.tmp in the same directory, fsync it, keep the previous
 *   file as PATH.bak (hard link), rename PATH.tmp over PATH, fsync the
 *   directory,
 *
 * so after a crash at any point PATH is either the old or the new
 * complete file.  At start-up config_store_open() replays the file through
 * the same control methods a client would call, so a stored configuration
 * is checked exactly like a request.  A file that cannot be read or
 * parsed, or whose content is refused, stops the start-up with a message;
 * the file is never modified in that case.
 */
#ifndef VSWITCHD_CONFIG_STORE_H
#define VSWITCHD_CONFIG_STORE_H

struct json_object;

#define CONFIG_STORE_DEFAULT_PATH "/var/lib/vswitchd/config.json"
#define CONFIG_STORE_FORMAT_VERSION 1

/* Uses 'path' as the store: loads it if it exists and rebuilds every
 * bridge, port, VLAN and user FDB entry.  A missing file is an empty
 * configuration.  Returns 0, or -errno after printing why to stderr (the
 * caller refuses to start). */
int config_store_open(const char *path);

/* Forgets the store and the remembered port arguments (bridges stay).
 * Later saves do nothing. */
void config_store_close(void);

/* The path in use, or NULL when running without a store. */
const char *config_store_path(void);

/* Writes the live configuration atomically.  Returns 0 (also without a
 * store) or -errno, leaving the previous file in place. */
int config_store_save(void);

/* Remembers how port 'name' was created ('type', creation arguments
 * 'args', borrowed, may be NULL), so the store can recreate it. */
void config_store_note_port(const char *name, const char *type,
			    struct json_object *args);
void config_store_forget_port(const char *name);

/* Builds the document that config_store_save() writes (for tests and
 * 'show'); the caller owns it. */
struct json_object *config_store_snapshot(void);

#endif /* VSWITCHD_CONFIG_STORE_H */
