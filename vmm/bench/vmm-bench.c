/*
 * vmm-bench.c - start-up time and memory overhead of the VMM.
 *
 *   vmm-bench VMM GUEST [RUNS]
 *
 * For each run it starts 'VMM run --kernel GUEST --mem 64M --net null
 * --cmdline hold --timing' and measures, from just before fork():
 *   - first guest instruction: the test guest's first instruction is a
 *     port write, so the VMM's first KVM exit marks it; the VMM prints
 *     that time (--timing) relative to VMM_T0_NS, which we set;
 *   - "ready": when the guest's "guest: ready" line arrives on the pipe;
 *   - RSS overhead: once the guest says "holding", VmRSS - RssShmem from
 *     /proc/PID/status.  Guest RAM is a memfd, so every guest page the
 *     VMM or the guest touched is shared memory (RssShmem); the rest of
 *     the resident set - binary, libc, heap, thread stacks - is the VMM's
 *     own overhead.  (KVM's kernel-side memory is not in RSS.)
 * then SIGTERM, expecting exit status 143.
 *
 * Baseline, same method: this program re-executed as a minimal KVM user
 * (open /dev/kvm, KVM_CREATE_VM, 64 KiB of RAM, one vCPU in real mode
 * running "out %al, $0x80") timed to its first exit.
 *
 * Prints medians and the targets (<= 5 ms to first instruction, <= 3 MiB
 * overhead); exits 1 if a median misses its target.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 50
#define TARGET_FIRST_MS 5.0
#define TARGET_RSS_KIB  3072

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The baseline child: the least a KVM user must do to run one guest
 * instruction.  Prints the time of its first exit since VMM_T0_NS. */
static int
baseline_child(void)
{
	static const uint8_t code[] = { 0xe6, 0x80, 0xf4 };  /* out; hlt */
	uint64_t t0 = strtoull(getenv("VMM_T0_NS"), NULL, 10);
	struct kvm_userspace_memory_region r;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int kvm, vm, vcpu, sz;
	uint8_t *ram;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return 1;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || ram == MAP_FAILED)
		return 1;
	memcpy(ram + 0x1000, code, sizeof code);
	r = (struct kvm_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = 0, .memory_size = 0x10000,
		.userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return 1;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
		   0);
	if (vcpu < 0 || run == MAP_FAILED)
		return 1;
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	memset(&regs, 0, sizeof regs);
	regs.rip = 0x1000;
	regs.rflags = 2;
	ioctl(vcpu, KVM_SET_REGS, &regs);
	if (ioctl(vcpu, KVM_RUN, 0) < 0 || run->exit_reason != KVM_EXIT_IO)
		return 1;
	printf("%.3f\n", (double)(now_ns() - t0) / 1e6);
	return 0;
}

static int
run_baseline(const char *self, double *ms)
{
	int fds[2], status;
	char buf[64] = { 0 };
	uint64_t t0;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		char t0s[32];

		snprintf(t0s, sizeof t0s, "%llu", (unsigned long long)t0);
		setenv("VMM_T0_NS", t0s, 1);
		dup2(fds[1], STDOUT_FILENO);
		execl(self, self, "--baseline-child", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (read(fds[0], buf, sizeof buf - 1) <= 0)
		buf[0] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	*ms = strtod(buf, NULL);
	return 0;
}

static long
status_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

struct vmm_result {
	double first_ms, ready_ms;
	long rss_kib, shmem_kib, overhead_kib;
};

static int
run_vmm(const char *vmm, const char *guest, struct vmm_result *res)
{
	int out[2], err[2], status;
	char buf[4096], ebuf[4096];
	size_t len = 0, elen = 0;
	uint64_t t0;
	pid_t pid;
	char *p;

	memset(res, 0, sizeof *res);
	if (pipe(out) < 0 || pipe(err) < 0)
		return -1;
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		char t0s[32];
		int devnull = open("/dev/null", O_RDONLY);

		snprintf(t0s, sizeof t0s, "%llu", (unsigned long long)t0);
		setenv("VMM_T0_NS", t0s, 1);
		dup2(devnull, STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		execl(vmm, vmm, "run", "--kernel", guest, "--mem", "64M",
		      "--net", "null", "--cmdline", "hold", "--timing",
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	while (len < sizeof buf - 1) {
		ssize_t n = read(out[0], buf + len, sizeof buf - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (!res->ready_ms && strstr(buf, "guest: ready"))
			res->ready_ms = (double)(now_ns() - t0) / 1e6;
		if (strstr(buf, "guest: holding"))
			break;
	}
	if (strstr(buf, "guest: holding")) {
		res->rss_kib = status_kib(pid, "VmRSS");
		res->shmem_kib = status_kib(pid, "RssShmem");
		res->overhead_kib = res->rss_kib - res->shmem_kib;
	}
	kill(pid, SIGTERM);
	while (elen < sizeof ebuf - 1) {
		ssize_t n = read(err[0], ebuf + elen, sizeof ebuf - 1 - elen);

		if (n <= 0)
			break;
		elen += (size_t)n;
	}
	ebuf[elen] = '\0';
	close(out[0]);
	close(err[0]);
	waitpid(pid, &status, 0);
	p = strstr(ebuf, "first guest exit ");
	if (p)
		res->first_ms = strtod(p + strlen("first guest exit "), NULL);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 143 || !p ||
	    !res->ready_ms || res->rss_kib <= 0) {
		fprintf(stderr, "vmm-bench: run failed (status 0x%x):\n%s\n",
			status, ebuf);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	double first[MAX_RUNS], ready[MAX_RUNS], base[MAX_RUNS];
	double over[MAX_RUNS], shm[MAX_RUNS], rss[MAX_RUNS];
	double m_first, m_ready, m_base, m_over;
	int runs = 10, ok;

	if (argc == 2 && !strcmp(argv[1], "--baseline-child"))
		return baseline_child();
	if (argc < 3) {
		fprintf(stderr, "usage: vmm-bench VMM GUEST [RUNS]\n");
		return 2;
	}
	if (argc > 3)
		runs = atoi(argv[3]);
	if (runs < 1 || runs > MAX_RUNS)
		runs = 10;

	for (int i = 0; i < runs; i++) {
		struct vmm_result r;

		if (run_baseline("/proc/self/exe", &base[i]) < 0 ||
		    run_vmm(argv[1], argv[2], &r) < 0) {
			fprintf(stderr, "vmm-bench: run %d failed\n", i);
			return 1;
		}
		first[i] = r.first_ms;
		ready[i] = r.ready_ms;
		over[i] = (double)r.overhead_kib;
		shm[i] = (double)r.shmem_kib;
		rss[i] = (double)r.rss_kib;
		/* A line a run: progress to watch, and to the nested outer
		 * host's watchdog (tests/linux/run-nested.sh) a sign of life. */
		printf("  run %d: first instruction %.3f ms, baseline %.3f ms\n",
		       i + 1, first[i], base[i]);
		fflush(stdout);
	}
	m_first = median(first, runs);
	m_ready = median(ready, runs);
	m_base = median(base, runs);
	m_over = median(over, runs);
	printf("vmm-bench: %d runs, guest RAM 64 MiB, 1 vCPU, virtio-net, "
	       "medians\n", runs);
	printf("  start -> first guest instruction  %7.3f ms   (target <= "
	       "%.0f ms)\n", m_first, TARGET_FIRST_MS);
	printf("  baseline: bare KVM program        %7.3f ms   (VMM/baseline "
	       "%.2fx)\n", m_base, m_base > 0 ? m_first / m_base : 0);
	printf("  start -> guest \"ready\" line       %7.3f ms\n", m_ready);
	printf("  VmRSS                             %7.0f KiB\n",
	       median(rss, runs));
	printf("  guest RAM resident (RssShmem)     %7.0f KiB\n",
	       median(shm, runs));
	printf("  VMM overhead (VmRSS - RssShmem)   %7.0f KiB   (target <= "
	       "%d KiB)\n", m_over, TARGET_RSS_KIB);
	/* In the nested outer host of tests/kvm/ every instruction of the
	 * host side is emulated (QEMU TCG): absolute times say nothing
	 * there, the ratio to the baseline does.  Memory is judged alike. */
	if (getenv("VSWITCH_KVM_NESTED")) {
		ok = m_over <= TARGET_RSS_KIB;
		printf("vmm-bench: nested outer host (emulated CPU): the time "
		       "target is not judged, compare the ratio; memory "
		       "target %s\n", ok ? "met" : "MISSED");
		return ok ? 0 : 1;
	}
	ok = m_first <= TARGET_FIRST_MS && m_over <= TARGET_RSS_KIB;
	printf("vmm-bench: targets %s\n", ok ? "met" : "MISSED");
	return ok ? 0 : 1;
}
