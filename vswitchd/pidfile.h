/*
 * pidfile.h - vswitchd's --pidfile: the file that names the running
 * daemon, for init scripts, monitoring and "is it running?".
 *
 * The file holds the pid in decimal and a newline.  It is created
 * atomically and exclusively: the text is written and synced to a
 * temporary file beside it, which is then hard-linked to the final name
 * (link(2) fails when the name exists, so two daemons starting together
 * cannot both win) -- readers never see a partial file.  A file left by a
 * daemon that died (no such process, or a process that is not vswitchd)
 * is stale and replaced; one naming a live vswitchd makes the new daemon
 * refuse to start.  The file is removed on a clean exit, and only if it
 * still names this process.
 */
#ifndef VSWITCHD_PIDFILE_H
#define VSWITCHD_PIDFILE_H

#include <sys/types.h>

/* Writes this process's pid to 'path' (kept for pidfile_remove()).
 * Returns 0; -EEXIST with '*holder' set when a live vswitchd holds the
 * file; another -errno when it cannot be written (logged). */
int pidfile_create(const char *path, pid_t *holder);

/* Removes the pidfile created by pidfile_create() if it still names this
 * process.  Safe to call when none was created. */
void pidfile_remove(void);

/* Reads the pid in 'path'.  Returns it, or -errno (-EINVAL for a file
 * that does not hold a pid). */
pid_t pidfile_read(const char *path);

#endif /* VSWITCHD_PIDFILE_H */
