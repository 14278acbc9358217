/*
 * vcpu.c - vCPU threads and KVM_RUN exit dispatch.
 */
#include "vcpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "vmm.h"
#include "x86/cpu.h"

#define VCPU_KICK_SIGNAL SIGUSR1

static void
vcpu_kick_handler(int sig)
{
	(void)sig;
}

void
vcpu_init_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = vcpu_kick_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

int
vcpu_create(struct vmm *vmm, struct vcpu *vcpu, unsigned id)
{
	int err;

	memset(vcpu, 0, sizeof *vcpu);
	vcpu->vmm = vmm;
	vcpu->id = id;
	vcpu->fd = ioctl(vmm->kvm.vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0) {
		err = -errno;
		vcpu->fd = -1;
		return err;
	}
	vcpu->run = mmap(NULL, (size_t)vmm->kvm.vcpu_mmap_size,
			 PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		err = -errno;
		vcpu->run = NULL;
		goto out_close_fd;
	}
	vcpu->ring = kvm_ring_in(&vmm->kvm, vcpu->run);
	if (vmm->cfg.timing)
		vcpu->stats = xcalloc(1, sizeof *vcpu->stats);
	err = cpu_set_cpuid(&vmm->kvm, vcpu->fd, id, vmm->cfg.cpus);
	if (err)
		goto out_unmap;
	err = cpu_set_msrs(vcpu->fd);
	if (err)
		goto out_unmap;
	if (id == 0) {
		err = cpu_set_boot_regs(vcpu->fd, &vmm->boot);
		if (err)
			goto out_unmap;
	}
	return 0;

out_unmap:
	munmap(vcpu->run, (size_t)vmm->kvm.vcpu_mmap_size);
	vcpu->run = NULL;
out_close_fd:
	close(vcpu->fd);
	vcpu->fd = -1;
	free(vcpu->stats);
	vcpu->stats = NULL;
	return err;
}

static void
vcpu_note_first_exit(struct vmm *vmm)
{
	uint64_t zero = 0;

	if (!atomic_load_explicit(&vmm->first_exit_ns, memory_order_relaxed))
		atomic_compare_exchange_strong(&vmm->first_exit_ns, &zero,
					       vmm_now_ns());
}

static void
vcpu_handle_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

	for (uint32_t i = 0; i < run->io.count; i++) {
		if (!io_bus_access(&vcpu->vmm->pio, run->io.port, data,
				   run->io.size, is_write))
			log_debug("vcpu", "cpu%u: unhandled port %s 0x%x",
				  vcpu->id, is_write ? "write" : "read",
				  run->io.port);
		data += run->io.size;
	}
}

static void
vcpu_handle_mmio(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	if (run->mmio.len > sizeof run->mmio.data)
		return;
	if (!io_bus_access(&vcpu->vmm->mmio, run->mmio.phys_addr,
			   run->mmio.data, run->mmio.len, run->mmio.is_write))
		log_debug("vcpu", "cpu%u: unhandled MMIO %s 0x%llx",
			  vcpu->id, run->mmio.is_write ? "write" : "read",
			  (unsigned long long)run->mmio.phys_addr);
}

/* Replays one write KVM queued in the coalesced ring. */
static void
vcpu_replay_write(void *opaque, bool pio, uint64_t addr, uint8_t *data,
		  unsigned len)
{
	struct vmm *vmm = opaque;

	io_bus_access(pio ? &vmm->pio : &vmm->mmio, addr, data, len, true);
}

/* Handles one exit.  Returns false when the vCPU must stop. */
static bool
vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vmm *vmm = vcpu->vmm;

	/* Writes queued without an exit happened before this access. */
	if (vcpu->ring)
		kvm_ring_drain(&vmm->kvm, vcpu->ring, vcpu_replay_write, vmm);
	if (vcpu->stats) {
		vcpu->stats->reason[run->exit_reason % VCPU_EXIT_REASONS]++;
		if (run->exit_reason == KVM_EXIT_IO)
			vcpu->stats->pio[run->io.port]++;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vcpu_handle_io(vcpu);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_handle_mmio(vcpu);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_HLT:
		vmm_request_stop(vmm, VMM_EXIT_GUEST_OFF, "guest halted");
		return false;
	case KVM_EXIT_SHUTDOWN:
		vmm_request_stop(vmm, VMM_EXIT_GUEST_CRASH,
				 "guest triple fault (shutdown exit)");
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_CRASH)
			vmm_request_stop(vmm, VMM_EXIT_GUEST_CRASH,
					 "guest crash event");
		else
			vmm_request_stop(vmm, VMM_EXIT_GUEST_OFF,
					 "guest reset or power-off event");
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		log_err("vcpu", "cpu%u: KVM internal error, suberror %u",
			vcpu->id, run->internal.suberror);
		vmm_request_stop(vmm, VMM_EXIT_GUEST_CRASH,
				 "KVM internal error");
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		log_err("vcpu", "cpu%u: entry failed, reason 0x%llx", vcpu->id,
			(unsigned long long)
			run->fail_entry.hardware_entry_failure_reason);
		vmm_request_stop(vmm, VMM_EXIT_GUEST_CRASH, "vCPU entry failed");
		return false;
	default:
		log_err("vcpu", "cpu%u: unexpected exit reason %u", vcpu->id,
			run->exit_reason);
		vmm_request_stop(vmm, VMM_EXIT_GUEST_CRASH, "unexpected exit");
		return false;
	}
}

static void *
vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vmm *vmm = vcpu->vmm;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!atomic_load(&vmm->stopping)) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_err("vcpu", "cpu%u: KVM_RUN: %m", vcpu->id);
			vmm_request_stop(vmm, VMM_EXIT_ERROR, "KVM_RUN failed");
			break;
		}
		vcpu_note_first_exit(vmm);
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	return NULL;
}

int
vcpu_start(struct vcpu *vcpu)
{
	int err = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);

	if (err)
		return -err;
	vcpu->running = true;
	return 0;
}

void
vcpu_stop(struct vcpu *vcpu)
{
	if (!vcpu->running)
		return;
	vcpu->run->immediate_exit = 1;
	pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
	pthread_join(vcpu->thread, NULL);
	vcpu->running = false;
}

void
vcpu_destroy(struct vcpu *vcpu, struct vcpu_exit_stats *total)
{
	if (vcpu->run)
		munmap(vcpu->run, (size_t)vcpu->vmm->kvm.vcpu_mmap_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = NULL;
	vcpu->fd = -1;
	if (vcpu->stats && total) {
		for (size_t i = 0; i < VCPU_EXIT_REASONS; i++)
			total->reason[i] += vcpu->stats->reason[i];
		for (size_t i = 0; i < ARRAY_SIZE(total->pio); i++)
			total->pio[i] += vcpu->stats->pio[i];
	}
	free(vcpu->stats);
	vcpu->stats = NULL;
}

static const char *
vcpu_exit_name(unsigned reason)
{
	switch (reason) {
	case KVM_EXIT_IO:		return "io";
	case KVM_EXIT_MMIO:		return "mmio";
	case KVM_EXIT_HLT:		return "hlt";
	case KVM_EXIT_INTR:		return "intr";
	case KVM_EXIT_SHUTDOWN:		return "shutdown";
	case KVM_EXIT_SYSTEM_EVENT:	return "system-event";
	case KVM_EXIT_INTERNAL_ERROR:	return "internal-error";
	case KVM_EXIT_FAIL_ENTRY:	return "fail-entry";
	default:			return NULL;
	}
}

void
vcpu_print_exit_stats(FILE *f, const struct vcpu_exit_stats *st)
{
	enum { TOP = 8 };
	unsigned top[TOP];
	size_t n_top = 0;
	uint64_t total = 0;

	for (unsigned i = 0; i < VCPU_EXIT_REASONS; i++)
		total += st->reason[i];
	fprintf(f, "vmm: exits: %llu:", (unsigned long long)total);
	for (unsigned i = 0; i < VCPU_EXIT_REASONS; i++) {
		const char *name = vcpu_exit_name(i);

		if (!st->reason[i])
			continue;
		if (name)
			fprintf(f, " %s %llu", name,
				(unsigned long long)st->reason[i]);
		else
			fprintf(f, " reason-%u %llu", i,
				(unsigned long long)st->reason[i]);
	}
	fputc('\n', f);

	/* The busiest ports, by insertion into a small sorted array. */
	for (unsigned port = 0; port < ARRAY_SIZE(st->pio); port++) {
		size_t j;

		if (!st->pio[port])
			continue;
		if (n_top == TOP && st->pio[port] <= st->pio[top[TOP - 1]])
			continue;
		j = n_top < TOP ? n_top++ : TOP - 1;
		while (j > 0 && st->pio[top[j - 1]] < st->pio[port]) {
			top[j] = top[j - 1];
			j--;
		}
		top[j] = port;
	}
	if (!n_top)
		return;
	fprintf(f, "vmm: exits: busiest I/O ports:");
	for (size_t i = 0; i < n_top; i++)
		fprintf(f, " 0x%x %u", top[i], st->pio[top[i]]);
	fputc('\n', f);
}
