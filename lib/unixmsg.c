/*
 * unixmsg.c - file descriptors received over unix sockets.
 */
#include "unixmsg.h"

#include <string.h>
#include <unistd.h>

size_t
unixmsg_take_fds(struct msghdr *mh, int *fds, size_t max, bool *lost)
{
	size_t n = 0;

	if ((mh->msg_flags & MSG_CTRUNC) && lost)
		*lost = true;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c;
	     c = CMSG_NXTHDR(mh, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
			if (n < max) {
				fds[n++] = fd;
			} else {
				close(fd);
				if (lost)
					*lost = true;
			}
		}
	}
	return n;
}
