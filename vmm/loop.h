/*
 * loop.h - the VMM's event loop: one epoll set run by the main thread.
 *
 * It serves everything that is not a vCPU: terminal input for the serial
 * port, virtqueue kicks (ioeventfds) for devices served in the VMM,
 * signals (signalfd) and the stop request.  Watchers are added and removed
 * only on the loop thread, or before it runs.
 */
#ifndef VMM_LOOP_H
#define VMM_LOOP_H

#include <stdint.h>

struct loop;

/* Called when 'fd' is ready; 'events' are the epoll events. */
typedef void loop_fn(void *arg, int fd, uint32_t events);

/* Returns a new loop or NULL with errno set. */
struct loop *loop_create(void);

/* Frees 'loop' (NULL is fine).  Does not close watched fds. */
void loop_destroy(struct loop *loop);

/* Watches 'fd' for input.  Returns 0 or -errno. */
int loop_add(struct loop *loop, int fd, loop_fn *fn, void *arg);

/* Stops watching 'fd'.  Safe inside a callback, also for its own fd. */
void loop_del(struct loop *loop, int fd);

/* Runs until loop_stop().  Returns 0 or -errno from epoll_wait. */
int loop_run(struct loop *loop);

/* Makes loop_run() return.  Safe from any thread and signal handlers. */
void loop_stop(struct loop *loop);

#endif /* VMM_LOOP_H */
