/*
 * loop.c - a minimal epoll loop with a fixed table of watchers.
 */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util.h"

#define LOOP_MAX_WATCHERS 64

struct loop_watcher {
	int fd;                 /* -1: free slot */
	loop_fn *fn;
	void *arg;
};

struct loop {
	int epfd;
	int stop_fd;            /* eventfd written by loop_stop() */
	volatile int stopping;
	struct loop_watcher w[LOOP_MAX_WATCHERS];
};

struct loop *
loop_create(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
	struct loop *loop = xcalloc(1, sizeof *loop);

	for (int i = 0; i < LOOP_MAX_WATCHERS; i++)
		loop->w[i].fd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto out_free;
	loop->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->stop_fd < 0)
		goto out_close_epfd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->stop_fd, &ev) < 0)
		goto out_close_stop;
	return loop;

out_close_stop:
	close(loop->stop_fd);
out_close_epfd:
	close(loop->epfd);
out_free:
	free(loop);
	return NULL;
}

void
loop_destroy(struct loop *loop)
{
	if (!loop)
		return;
	close(loop->stop_fd);
	close(loop->epfd);
	free(loop);
}

int
loop_add(struct loop *loop, int fd, loop_fn *fn, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (uint32_t i = 0; i < LOOP_MAX_WATCHERS; i++) {
		if (loop->w[i].fd >= 0)
			continue;
		ev.data.u32 = i;
		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -errno;
		loop->w[i] = (struct loop_watcher) {
			.fd = fd, .fn = fn, .arg = arg,
		};
		return 0;
	}
	return -ENOSPC;
}

void
loop_del(struct loop *loop, int fd)
{
	for (int i = 0; i < LOOP_MAX_WATCHERS; i++) {
		if (loop->w[i].fd == fd) {
			epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
			loop->w[i].fd = -1;
		}
	}
}

int
loop_run(struct loop *loop)
{
	struct epoll_event evs[16];

	while (!loop->stopping) {
		int n = epoll_wait(loop->epfd, evs, ARRAY_SIZE(evs), -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !loop->stopping; i++) {
			uint32_t slot = evs[i].data.u32;
			struct loop_watcher *w;

			if (slot == UINT32_MAX)
				continue;
			w = &loop->w[slot];
			if (w->fd >= 0)
				w->fn(w->arg, w->fd, evs[i].events);
		}
	}
	return 0;
}

void
loop_stop(struct loop *loop)
{
	uint64_t one = 1;
	ssize_t r;

	loop->stopping = 1;
	r = write(loop->stop_fd, &one, sizeof one);
	(void)r;
}
