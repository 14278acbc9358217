/*
 * pidfile.c - the daemon's pidfile (see pidfile.h).
 */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define MOD "main"

static char *pidfile_path;	/* created by this process */

pid_t
pidfile_read(const char *path)
{
	char buf[32];
	long pid;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (util_parse_long(buf, 1, INT_MAX, &pid))
		return -EINVAL;
	return (pid_t)pid;
}

/* True when 'pid' is a live process running vswitchd (its command name,
 * /proc/PID/comm, as this process's own). */
static bool
is_live_vswitchd(pid_t pid)
{
	char path[64], comm[64], own[64];
	FILE *f;
	bool same;

	if (pid == getpid() || (kill(pid, 0) && errno != EPERM))
		return false;
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return true;	/* alive, cannot tell what it is: not ours */
	if (!fgets(comm, sizeof comm, f))
		comm[0] = '\0';
	fclose(f);
	f = fopen("/proc/self/comm", "re");
	if (!f || !fgets(own, sizeof own, f))
		snprintf(own, sizeof own, "vswitchd\n");
	if (f)
		fclose(f);
	same = !strcmp(comm, own);
	return same;
}

/* Writes "PID\n" to a new temporary file beside 'path' and syncs it.
 * Returns its name (the caller frees it) or NULL with errno set. */
static char *
write_temp(const char *path)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	char text[32];
	int n = snprintf(text, sizeof text, "%d\n", (int)getpid());
	int fd, err = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out_free;
	if (write(fd, text, (size_t)n) != n || fsync(fd))
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	if (!err)
		return tmp;
	unlink(tmp);
	errno = err;
out_free:
	err = errno;
	free(tmp);
	errno = err;
	return NULL;
}

int
pidfile_create(const char *path, pid_t *holder)
{
	char *tmp, *dir = NULL;
	int err;

	/* As for the socket: /run/vswitchd need not exist yet (a tmpfs
	 * /run is empty at boot). */
	err = util_mkdir_parents(path, &dir);
	if (err) {
		log_err(MOD, "pidfile %s: cannot create %s: %s", path, dir,
			strerror(-err));
		free(dir);
		return err;
	}
	tmp = write_temp(path);
	if (!tmp) {
		err = -errno;
		log_err(MOD, "pidfile %s: %s", path, strerror(-err));
		return err;
	}
	for (int tries = 0; tries < 3; tries++) {
		pid_t old;

		if (!link(tmp, path))
			goto out_done;
		if (errno != EEXIST) {
			err = -errno;
			log_err(MOD, "pidfile %s: %s", path, strerror(-err));
			goto out_unlink;
		}
		old = pidfile_read(path);
		if (old > 0 && is_live_vswitchd(old)) {
			*holder = old;
			err = -EEXIST;
			goto out_unlink;
		}
		/* Stale: replace it atomically, then check that the file
		 * is ours (another daemon may have replaced it too). */
		log_warn(MOD, "pidfile %s: replacing a stale one (%s)", path,
			 old > 0 ? "its process is gone" : "no pid in it");
		if (rename(tmp, path)) {
			err = -errno;
			log_err(MOD, "pidfile %s: %s", path, strerror(-err));
			goto out_unlink;
		}
		free(tmp);
		tmp = NULL;
		if (pidfile_read(path) == getpid())
			goto out_done;
		tmp = write_temp(path);
		if (!tmp)
			return -errno;
	}
	err = -EAGAIN;
	log_err(MOD, "pidfile %s: others keep replacing it", path);
	goto out_unlink;

out_done:
	pidfile_path = xstrdup(path);
	err = 0;
out_unlink:
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return err;
}

void
pidfile_remove(void)
{
	if (!pidfile_path)
		return;
	if (pidfile_read(pidfile_path) == getpid())
		unlink(pidfile_path);
	free(pidfile_path);
	pidfile_path = NULL;
}
