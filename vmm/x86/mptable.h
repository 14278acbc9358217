/*
 * mptable.h - Intel MultiProcessor Specification 1.4 tables.
 *
 * Without ACPI, a Linux guest (X86_MPPARSE=y, as in Debian's generic
 * kernel) learns its CPUs, the IOAPIC and the ISA interrupt wiring from
 * these tables.  They go into the EBDA (0x9fc00), whose segment is also
 * stored in the BIOS data area word at 0x40e, where Linux looks first.
 */
#ifndef VMM_X86_MPTABLE_H
#define VMM_X86_MPTABLE_H

struct guest_mem;

#define MPTABLE_MAX_CPUS  64
#define MPTABLE_IOAPIC_ADDR 0xfec00000u
#define MPTABLE_LAPIC_ADDR  0xfee00000u

/* Writes the floating pointer and the configuration table for 'ncpus'
 * CPUs (APIC IDs 0..ncpus-1, CPU 0 the boot CPU) and one IOAPIC with ID
 * 'ncpus' whose pins 0-15 carry ISA IRQs 0-15.  Returns 0, -EINVAL for a
 * bad 'ncpus', or -ENOMEM if the EBDA is not RAM. */
int mptable_write(struct guest_mem *mem, unsigned ncpus);

#endif /* VMM_X86_MPTABLE_H */
