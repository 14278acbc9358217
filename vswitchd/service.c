/*
 * service.c - --detach and readiness notification (see service.h).
 */
#include "service.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define MOD "main"

static int ready_fd = -1;	/* --detach: the pipe to the parent */

/* The parent of --detach: waits for a byte from the child (ready) or for
 * the pipe to close without one (the child failed), and exits. */
static void
wait_for_child(int fd, pid_t child)
{
	char c;
	ssize_t n;
	int status;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(0);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		_exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
	fprintf(stderr, "vswitchd: the detached daemon died before it was "
		"ready (signal %d)\n", WIFSIGNALED(status) ? WTERMSIG(status)
							   : 0);
	_exit(1);
}

int
service_detach(void)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		return -err;
	}
	if (pid > 0) {
		close(fds[1]);
		wait_for_child(fds[0], pid);
	}
	close(fds[0]);
	ready_fd = fds[1];
	if (setsid() < 0)
		log_warn(MOD, "setsid: %s", strerror(errno));
	return 0;
}

/* Points stdin, stdout and stderr at /dev/null: nobody reads the
 * terminal of a detached daemon, and a closed one must not kill it. */
static void
release_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		log_warn(MOD, "/dev/null: %s", strerror(errno));
		return;
	}
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

void
service_ready(void)
{
	bool detached = ready_fd >= 0;
	char state[64];
	int rc;

	if (detached) {
		fflush(NULL);
		release_stdio();
		if (write(ready_fd, "R", 1) != 1)
			log_warn(MOD, "telling the parent we are ready: %s",
				 strerror(errno));
		close(ready_fd);
		ready_fd = -1;
	}
	snprintf(state, sizeof state, "READY=1\nMAINPID=%d", (int)getpid());
	rc = service_notify(state);
	if (rc < 0)
		log_warn(MOD, "NOTIFY_SOCKET %s: %s", getenv("NOTIFY_SOCKET"),
			 strerror(-rc));
	log_info(MOD, "ready%s%s", detached ? ", --detach parent released" : "",
		 rc > 0 ? ", service manager notified" : "");
}

void
service_stopping(void)
{
	service_notify("STOPPING=1");
}

int
service_notify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len, state_len = strlen(state);
	socklen_t addr_len;
	ssize_t n;
	int fd, err = 0;

	if (!name || !*name)
		return 0;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len >= sizeof sun.sun_path)
		return -EINVAL;
	memcpy(sun.sun_path, name, len);
	if (name[0] == '@')
		sun.sun_path[0] = '\0';	/* an abstract name, not NUL-ended */
	addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
			       (name[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	n = sendto(fd, state, state_len, MSG_NOSIGNAL,
		   (struct sockaddr *)&sun, addr_len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != state_len)
		err = -EMSGSIZE;
	close(fd);
	return err ? err : 1;
}
