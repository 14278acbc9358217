/*
 * sandbox.h - the VMM's least-privilege step (docs/security.md).
 *
 * After start-up has opened everything it needs (/dev/kvm, the VM and
 * vCPU fds, guest memory, the vhost-user socket, the serial sink), and
 * before the vCPU threads start, the VMM
 *   1. drops to --user USER (its uid, gid and supplementary groups) when
 *      given,
 *   2. sets no_new_privs,
 *   3. installs a seccomp-bpf allow-list (libseccomp) of the system calls
 *      its run loop and shutdown make; any other call kills the whole
 *      process with SIGSYS.
 * The vCPU threads are created afterwards and inherit the filter.
 */
#ifndef VMM_SANDBOX_H
#define VMM_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

struct sandbox_user {
	const char *name;       /* NULL: stay who we are */
	uid_t uid;
	gid_t gid;
};

/* Looks up 'name' (a user name or a numeric uid) into 'u'.  Returns 0 or
 * -errno (-ENOENT: no such user) after logging why. */
int sandbox_user_lookup(const char *name, struct sandbox_user *u);

/* Becomes 'u' (if u->name) for good: supplementary groups, gid, uid.
 * Returns 0 or -errno after logging why. */
int sandbox_drop_user(const struct sandbox_user *u);

/* Sets no_new_privs: no exec can gain privileges (setuid files, file
 * capabilities).  Returns 0 or -errno after logging why. */
int sandbox_no_new_privs(void);

/* Loads the allow-list (needs no_new_privs, or CAP_SYS_ADMIN).  Returns 0 or -errno after
 * logging why. */
int sandbox_seccomp(void);

/* How many system calls the allow-list holds (for the log and tests). */
unsigned sandbox_n_syscalls(void);

#endif
