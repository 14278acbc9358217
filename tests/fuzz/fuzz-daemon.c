/*
 * fuzz-daemon.c - shared set-up of the control-plane fuzz targets (see
 * fuzz-daemon.h).
 */
#include "fuzz-daemon.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "clock.h"
#include "ctl-devices.h"
#include "daemon.h"
#include "log.h"
#include "port-provider.h"

static char scratch[] = "/tmp/hdfuzz-XXXXXX";
/* Ports that live inside the process: discarding, and wires between
 * two ports (patch). */
static const char *const safe_classes[] = { "null", "patch", NULL };

/* Removes the scratch directory and what the targets left in it (flat:
 * the targets make no subdirectories). */
static void
remove_scratch(void)
{
	char cmd[64];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
	if (system(cmd))
		fprintf(stderr, "fuzz: could not remove %s\n", scratch);
}

const char *
fuzz_daemon_init(void)
{
	static int done;

	if (done++)
		return scratch;
	log_init("fuzz", LOG_DEST_STDERR);
	log_set_test_mode(true);
	log_set_level(NULL, LOG_LVL_ERR);
	daemon_init(NULL);
	port_class_allow_only(safe_classes);
	if (!mkdtemp(scratch)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(remove_scratch);
	return scratch;
}

void
fuzz_daemon_reset(void)
{
	bridge_destroy_all();
	ctl_devices_reset(NULL);	/* standalone devices (link.add) */
	clock_resume();
}

void
fuzz_write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror(path);
		abort();
	}
	close(fd);
}
