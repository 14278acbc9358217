/*
 * cpu.h - x86 vCPU set-up: CPUID, boot MSRs, and the long-mode register
 * state the 64-bit boot protocol enters with.
 */
#ifndef VMM_X86_CPU_H
#define VMM_X86_CPU_H

#include <stdint.h>

struct boot_info;
struct kvm;

/* Gives vCPU 'id' of 'ncpus' the host's KVM_GET_SUPPORTED_CPUID with its
 * APIC ID and topology patched, the hypervisor bit set, and the KVM
 * hypervisor leaves including the timing leaf 0x40000010 (TSC and local
 * APIC bus frequency in kHz) that guests use instead of calibrating.
 * Returns 0 or -errno. */
int cpu_set_cpuid(struct kvm *kvm, int vcpu_fd, unsigned id, unsigned ncpus);

/* Sets the MSRs Linux expects zeroed at boot and fast strings on.
 * Returns 0 or -errno; an MSR KVM refuses is logged, not fatal. */
int cpu_set_msrs(int vcpu_fd);

/* Puts the boot vCPU in 64-bit mode at 'info'->entry with the GDT and
 * page tables boot.c wrote, %rsi = boot_params, interrupts off, and a
 * clean FPU.  Returns 0 or -errno. */
int cpu_set_boot_regs(int vcpu_fd, const struct boot_info *info);

#endif /* VMM_X86_CPU_H */
