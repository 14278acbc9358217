/*
 * vcpu.h - vCPU threads.
 *
 * Each vCPU runs KVM_RUN on its own thread and serves its port-I/O and
 * MMIO exits itself through the VMM's buses.  Only the boot CPU gets the
 * long-mode entry state; the others wait in KVM's in-kernel LAPIC for
 * INIT/SIPI, as on real hardware.  vcpu_kick() sets immediate_exit and
 * signals the thread, so a stop is never lost between checks.
 */
#ifndef VMM_VCPU_H
#define VMM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct kvm_run;
struct vmm;

/* Exit counts (vmm run --timing): what a guest makes the VMM do. */
#define VCPU_EXIT_REASONS 64
struct vcpu_exit_stats {
	uint64_t reason[VCPU_EXIT_REASONS];	/* by KVM_EXIT_* */
	uint32_t pio[65536];			/* port I/O exits by port */
};

struct vcpu {
	struct vmm *vmm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool running;
	struct vcpu_exit_stats *stats;	/* NULL unless --timing */
	void *ring;			/* coalesced ring, NULL if none */
};

/* Creates vCPU 'id' of 'vmm': fd, kvm_run mapping, CPUID and MSRs, and the
 * boot state if 'id' is 0.  Returns 0 or -errno. */
int vcpu_create(struct vmm *vmm, struct vcpu *vcpu, unsigned id);

/* Starts the vCPU's thread.  Returns 0 or -errno. */
int vcpu_start(struct vcpu *vcpu);

/* Makes the vCPU leave KVM_RUN and its thread end; then joins it. */
void vcpu_stop(struct vcpu *vcpu);

/* Unmaps and closes what vcpu_create() made; adds the vCPU's exit counts
 * (if kept) to 'total' (may be NULL). */
void vcpu_destroy(struct vcpu *vcpu, struct vcpu_exit_stats *total);

/* Prints 'st': exits by reason and the busiest I/O ports. */
void vcpu_print_exit_stats(FILE *f, const struct vcpu_exit_stats *st);

/* Installs the (empty) signal handler vcpu_stop() uses.  Call once. */
void vcpu_init_signals(void);

#endif /* VMM_VCPU_H */
