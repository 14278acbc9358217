/*
 * cpu.c - CPUID, MSRs and long-mode entry state for x86 vCPUs.
 */
#include "cpu.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "boot.h"
#include "kvm.h"
#include "log.h"
#include "util.h"

#define CPUID_MAX_ENTRIES   256
#define CPUID_HV_BASE       0x40000000u
#define CPUID_HV_TIMING     0x40000010u
#define CPUID_1_ECX_HV      (1u << 31)
#define CPUID_1_EDX_HTT     (1u << 28)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define KVM_APIC_BUS_KHZ    1000000u    /* KVM's local APIC timer: 1 GHz */

#define MSR_IA32_TSC            0x00000010
#define MSR_IA32_SYSENTER_CS    0x00000174
#define MSR_IA32_SYSENTER_ESP   0x00000175
#define MSR_IA32_SYSENTER_EIP   0x00000176
#define MSR_IA32_MISC_ENABLE    0x000001a0
#define MSR_MTRR_DEF_TYPE       0x000002ff
#define MSR_STAR                0xc0000081
#define MSR_LSTAR               0xc0000082
#define MSR_CSTAR               0xc0000083
#define MSR_SYSCALL_MASK        0xc0000084
#define MSR_KERNEL_GS_BASE      0xc0000102
#define MISC_ENABLE_FAST_STRING 0x1
#define MTRR_DEF_ENABLE         0x800   /* MTRRs on */
#define MTRR_TYPE_WB            0x6

#define X86_CR0_PE   0x1ULL
#define X86_CR0_ET   0x10ULL
#define X86_CR0_PG   0x80000000ULL
#define X86_CR4_PAE  0x20ULL
#define X86_EFER_LME 0x100ULL
#define X86_EFER_LMA 0x400ULL

static struct kvm_cpuid2 *
cpu_get_supported(struct kvm *kvm)
{
	struct kvm_cpuid2 *c;

	c = xcalloc(1, sizeof *c + CPUID_MAX_ENTRIES *
		       sizeof(struct kvm_cpuid_entry2));
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

int
cpu_set_cpuid(struct kvm *kvm, int vcpu_fd, unsigned id, unsigned ncpus)
{
	struct kvm_cpuid2 *c = cpu_get_supported(kvm);
	bool have_timing = false, tsc_deadline;
	int tsc_khz, err = 0;

	if (!c)
		return -errno;
	tsc_khz = ioctl(vcpu_fd, KVM_GET_TSC_KHZ, 0);
	/* KVM emulates the local APIC's TSC-deadline mode on every host
	 * (AMD too) but leaves the CPUID bit out of KVM_GET_SUPPORTED_CPUID:
	 * the capability says whether to set it.  Without it Linux
	 * calibrates the APIC timer against the PIT, which under nested
	 * virtualisation often fails its own check ("APIC timer disabled
	 * due to verification failure"), and then every timer event goes
	 * through the emulated PIT. */
	tsc_deadline = ioctl(kvm->sys_fd, KVM_CHECK_EXTENSION,
			     KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x0000ffffu) | (id << 24) |
				 ((ncpus & 0xff) << 16);
			e->ecx |= CPUID_1_ECX_HV;
			if (tsc_deadline)
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			if (ncpus > 1)
				e->edx |= CPUID_1_EDX_HTT;
			break;
		case 0xb:
		case 0x1f:
			e->edx = id;
			break;
		case CPUID_HV_BASE:
			if (e->eax < CPUID_HV_TIMING)
				e->eax = CPUID_HV_TIMING;
			break;
		case CPUID_HV_TIMING:
			have_timing = true;
			break;
		default:
			break;
		}
	}
	if (!have_timing && tsc_khz > 0 && c->nent < CPUID_MAX_ENTRIES) {
		struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

		memset(e, 0, sizeof *e);
		e->function = CPUID_HV_TIMING;
		e->eax = (uint32_t)tsc_khz;
		e->ebx = KVM_APIC_BUS_KHZ;
	}
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		err = -errno;
	free(c);
	return err;
}

int
cpu_set_msrs(int vcpu_fd)
{
	static const struct {
		uint32_t index;
		uint64_t value;
	} boot_msrs[] = {
		{ MSR_IA32_SYSENTER_CS, 0 },
		{ MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 },
		{ MSR_STAR, 0 },
		{ MSR_CSTAR, 0 },
		{ MSR_KERNEL_GS_BASE, 0 },
		{ MSR_SYSCALL_MASK, 0 },
		{ MSR_LSTAR, 0 },
		{ MSR_IA32_TSC, 0 },
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		/* MTRRs on, write-back by default, as firmware leaves them:
		 * Linux turns PAT off when it finds the MTRRs blank ("x86/PAT:
		 * MTRRs disabled, skipping PAT initialization"), and its
		 * drivers lose write-combining. */
		{ MSR_MTRR_DEF_TYPE, MTRR_DEF_ENABLE | MTRR_TYPE_WB },
	};
	union {
		struct kvm_msrs hdr;	/* its entries[] follow it */
		uint8_t room[sizeof(struct kvm_msrs) +
			     sizeof(struct kvm_msr_entry)];
	} one;

	/* One at a time: KVM_SET_MSRS stops at the first MSR it refuses,
	 * and a paravirtual KVM may refuse some that do not matter. */
	for (size_t i = 0; i < ARRAY_SIZE(boot_msrs); i++) {
		int r;

		memset(&one, 0, sizeof one);
		one.hdr.nmsrs = 1;
		one.hdr.entries[0].index = boot_msrs[i].index;
		one.hdr.entries[0].data = boot_msrs[i].value;
		r = ioctl(vcpu_fd, KVM_SET_MSRS, &one);
		if (r < 0)
			return -errno;
		if (r != 1)
			log_debug("cpu", "MSR 0x%x refused",
				  boot_msrs[i].index);
	}
	return 0;
}

int
cpu_set_boot_regs(int vcpu_fd, const struct boot_info *info)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = BOOT_CS_SELECTOR,
		.type = 11, .present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1,
		.g = 1,
	};
	struct kvm_segment data = code;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	data.selector = BOOT_DS_SELECTOR;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.gdt.base = BOOT_GDT_ADDR;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.cr3 = BOOT_PML4_ADDR;
	sregs.cr4 |= X86_CR4_PAE;
	sregs.cr0 |= X86_CR0_PE | X86_CR0_PG | X86_CR0_ET;
	sregs.efer |= X86_EFER_LME | X86_EFER_LMA;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;

	memset(&regs, 0, sizeof regs);
	regs.rflags = 0x2;
	regs.rip = info->entry;
	regs.rsi = info->boot_params;
	regs.rsp = BOOT_STACK_TOP;
	regs.rbp = BOOT_STACK_TOP;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;

	memset(&fpu, 0, sizeof fpu);
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	if (ioctl(vcpu_fd, KVM_SET_FPU, &fpu) < 0)
		return -errno;
	return 0;
}
