/*
 * unixmsg.h - file descriptors received over unix sockets (SCM_RIGHTS).
 */
#ifndef LIB_UNIXMSG_H
#define LIB_UNIXMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Takes the fds of every SCM_RIGHTS message in 'mh' (as recvmsg() filled
 * it): the first 'max' are stored in 'fds', the others are closed.
 * Returns how many were stored.  Sets '*lost' (if not NULL) when some
 * were closed or the kernel truncated the control data (MSG_CTRUNC); it
 * never clears it. */
size_t unixmsg_take_fds(struct msghdr *mh, int *fds, size_t max, bool *lost);

#endif /* LIB_UNIXMSG_H */
