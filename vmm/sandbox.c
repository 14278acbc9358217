/*
 * sandbox.c - --user, no_new_privs and the seccomp allow-list (sandbox.h).
 *
 * The allow-list was found by running the VMM under strace -f through the
 * VM suites (vmm-boot, vm-ping, vm-reconnect, vm-vlan: serial on stdio, a
 * file and a terminal, no NIC, --net null, --net BRIDGE, vhost-user client
 * and server, the back-end killed and restarted, SIGTERM, Ctrl-A x, guest
 * reset and triple fault) and keeping every call made after the first vCPU
 * thread was created, plus the few the shutdown and reconnect paths make
 * that those runs happen not to reach (named below).
 */
#include <errno.h>
#include <grp.h>
#include <linux/kvm.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "util.h"

/* Calls allowed with any arguments. */
static const int sandbox_plain[] = {
	/* vCPU threads: KVM_RUN is an ioctl (below); start and end */
	SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq), SCMP_SYS(futex), SCMP_SYS(tgkill), SCMP_SYS(exit),
	SCMP_SYS(exit_group), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigaction),
	SCMP_SYS(restart_syscall), SCMP_SYS(sched_yield),
	/* the event loop, eventfds, irqfds, the reconnect timer */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(eventfd2), SCMP_SYS(timerfd_settime), SCMP_SYS(poll),
	SCMP_SYS(ppoll), SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv),
	SCMP_SYS(writev), SCMP_SYS(close), SCMP_SYS(fstat),
	SCMP_SYS(newfstatat), SCMP_SYS(lseek), SCMP_SYS(fcntl),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	/* the vhost-user front-end (reconnecting) and vswitchd's control
	 * socket (port.del on exit); unlink: a server socket on exit */
	SCMP_SYS(connect), SCMP_SYS(accept4), SCMP_SYS(sendmsg),
	SCMP_SYS(recvmsg), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(shutdown),
	SCMP_SYS(unlink),
	/* malloc */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise), SCMP_SYS(mremap),
#ifdef __SANITIZE_ADDRESS__
	/* ASan/UBSan/LSan's runtime (SANITIZE=1 builds only): reports,
	 * /proc/self/maps, and LeakSanitizer's stop-the-world thread,
	 * which ptraces the others at exit. */
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(readlink),
	SCMP_SYS(getdents64),
	SCMP_SYS(prctl), SCMP_SYS(ptrace), SCMP_SYS(wait4),
	SCMP_SYS(sigaltstack), SCMP_SYS(getppid),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(pipe2), SCMP_SYS(kill),
	SCMP_SYS(uname), SCMP_SYS(getrlimit), SCMP_SYS(prlimit64),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(access),
#endif
};

/* ioctl(): KVM's (type 0xAE: KVM_RUN, irqfds, ioeventfds, GSI routing)
 * and the terminal's, to restore the serial console's settings. */
static const unsigned long sandbox_tty_ioctls[] = {
	TCGETS, TCSETS, TCSETSW, TCSETSF,
};

int
sandbox_user_lookup(const char *name, struct sandbox_user *u)
{
	struct passwd *pw;
	long id;

	errno = 0;
	pw = getpwnam(name);
	if (!pw && !util_parse_long(name, 0, INT32_MAX, &id))
		pw = getpwuid((uid_t)id);
	if (!pw) {
		log_err("vmm", "--user %s: %s", name,
			errno ? strerror(errno) : "no such user");
		return errno ? -errno : -ENOENT;
	}
	u->name = name;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	/* The supplementary groups are set now, while /etc is readable
	 * (as root they change nothing yet). */
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 && geteuid() == 0) {
		log_err("vmm", "--user %s: groups: %s", name, strerror(errno));
		return -errno;
	}
	return 0;
}

int
sandbox_drop_user(const struct sandbox_user *u)
{
	if (!u->name)
		return 0;
	if (setgid(u->gid) < 0 || setuid(u->uid) < 0) {
		int err = -errno;

		log_err("vmm", "--user %s: %s", u->name, strerror(-err));
		return err;
	}
	/* For good: no way back. */
	if (u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		log_err("vmm", "--user %s: could become root again", u->name);
		return -EPERM;
	}
	log_info("vmm", "running as uid %u gid %u", (unsigned)u->uid,
		 (unsigned)u->gid);
	return 0;
}

unsigned
sandbox_n_syscalls(void)
{
	/* + ioctl, mmap, mprotect, socket, socketpair (with argument
	 * checks) */
	return (unsigned)ARRAY_SIZE(sandbox_plain) + 5;
}

static int
sandbox_rules(scmp_filter_ctx ctx)
{
	int rc = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sandbox_plain) && !rc; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sandbox_plain[i], 0);
	/* Memory for threads and malloc, never executable. */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC,
					      0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect),
				      1, SCMP_A2(SCMP_CMP_MASKED_EQ,
						 PROT_EXEC, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00,
					      KVMIO << 8));
	for (size_t i = 0; i < ARRAY_SIZE(sandbox_tty_ioctls) && !rc; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ,
					      sandbox_tty_ioctls[i], 0));
	/* Unix sockets only: the vhost-user back-end and vswitchd; a
	 * socketpair is the back-end channel made on each (re)connect
	 * (vhost-front.c). */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
				      SCMP_SYS(socketpair), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0));
	return rc;
}

int
sandbox_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		int err = -errno;

		log_err("vmm", "no_new_privs: %s", strerror(-err));
		return err;
	}
	return 0;
}

int
sandbox_seccomp(void)
{
	scmp_filter_ctx ctx;
	int rc;

	/* Anything else ends the process: SIGSYS, core dump, exit 128+31. */
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		log_err("vmm", "seccomp_init failed");
		return -ENOMEM;
	}
	rc = sandbox_rules(ctx);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc) {
		log_err("vmm", "seccomp filter: %s", strerror(-rc));
		return rc;
	}
	log_info("vmm", "seccomp filter on: %u system calls allowed",
		 sandbox_n_syscalls());
	return 0;
}
