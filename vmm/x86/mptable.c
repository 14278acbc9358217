/*
 * mptable.c - MP floating pointer and configuration table.
 */
#include "mptable.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "boot.h"
#include "mem.h"

#define MP_SPEC_REV       4             /* version 1.4 */
#define MP_APIC_VERSION   0x14
#define MP_IOAPIC_VERSION 0x11
#define MP_CPU_EN         0x1
#define MP_CPU_BP         0x2
#define MP_BUS_PCI        0
#define MP_BUS_ISA        1
#define MP_AREA_SIZE      (0x400 + 0x1000) /* EBDA plus reserved room above */

struct mpf_intel {
	char signature[4];              /* "_MP_" */
	uint32_t physptr;               /* configuration table address */
	uint8_t length;                 /* in 16-byte units: 1 */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];             /* 0: a table follows; no IMCR */
} __attribute__((packed));
_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer");

struct mpc_table {
	char signature[4];              /* "PCMP" */
	uint16_t length;                /* header plus entries */
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_ptr;
	uint16_t oem_size;
	uint16_t entry_count;
	uint32_t lapic_addr;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_table) == 44, "MP config table header");

struct mpc_cpu {
	uint8_t type;                   /* 0 */
	uint8_t apic_id;
	uint8_t apic_ver;
	uint8_t flags;
	uint32_t signature;
	uint32_t features;
	uint32_t reserved[2];
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry");

struct mpc_bus {
	uint8_t type;                   /* 1 */
	uint8_t bus_id;
	char bus_type[6];
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_bus) == 8, "MP bus entry");

struct mpc_ioapic {
	uint8_t type;                   /* 2 */
	uint8_t apic_id;
	uint8_t apic_ver;
	uint8_t flags;
	uint32_t addr;
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_ioapic) == 8, "MP IOAPIC entry");

struct mpc_intsrc {
	uint8_t type;                   /* 3: I/O, 4: local */
	uint8_t irq_type;               /* 0 INT, 1 NMI, 3 ExtINT */
	uint16_t flags;                 /* 0: conforms to the bus */
	uint8_t src_bus;
	uint8_t src_irq;
	uint8_t dst_apic;
	uint8_t dst_pin;
} __attribute__((packed));
_Static_assert(sizeof(struct mpc_intsrc) == 8, "MP interrupt entry");

static uint8_t
mp_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

int
mptable_write(struct guest_mem *mem, unsigned ncpus)
{
	uint8_t *base = guest_mem_ptr(mem, BOOT_EBDA_ADDR, MP_AREA_SIZE);
	uint16_t *bda_ebda = guest_mem_ptr(mem, 0x40e, 2);
	struct mpf_intel *mpf;
	struct mpc_table *mpc;
	uint8_t *p;
	uint16_t count = 0;
	uint8_t ioapic_id = (uint8_t)ncpus;

	if (!ncpus || ncpus > MPTABLE_MAX_CPUS)
		return -EINVAL;
	if (!base || !bda_ebda)
		return -ENOMEM;
	memset(base, 0, MP_AREA_SIZE);
	*bda_ebda = (uint16_t)(BOOT_EBDA_ADDR >> 4);

	mpf = (struct mpf_intel *)base;
	mpc = (struct mpc_table *)(base + sizeof *mpf);
	p = (uint8_t *)(mpc + 1);

	for (unsigned i = 0; i < ncpus; i++) {
		struct mpc_cpu cpu = {
			.type = 0, .apic_id = (uint8_t)i,
			.apic_ver = MP_APIC_VERSION,
			.flags = MP_CPU_EN | (i == 0 ? MP_CPU_BP : 0),
			.signature = 0x600, .features = 0x201, /* FPU, APIC */
		};
		memcpy(p, &cpu, sizeof cpu);
		p += sizeof cpu;
		count++;
	}
	{
		struct mpc_bus pci = { .type = 1, .bus_id = MP_BUS_PCI };
		struct mpc_bus isa = { .type = 1, .bus_id = MP_BUS_ISA };
		struct mpc_ioapic io = {
			.type = 2, .apic_id = ioapic_id,
			.apic_ver = MP_IOAPIC_VERSION, .flags = 1,
			.addr = MPTABLE_IOAPIC_ADDR,
		};

		memcpy(pci.bus_type, "PCI   ", 6);
		memcpy(isa.bus_type, "ISA   ", 6);
		memcpy(p, &pci, sizeof pci);
		p += sizeof pci;
		memcpy(p, &isa, sizeof isa);
		p += sizeof isa;
		memcpy(p, &io, sizeof io);
		p += sizeof io;
		count += 3;
	}
	for (uint8_t irq = 0; irq < 16; irq++) {
		struct mpc_intsrc src = {
			.type = 3, .irq_type = 0, .flags = 0,
			.src_bus = MP_BUS_ISA, .src_irq = irq,
			.dst_apic = ioapic_id, .dst_pin = irq,
		};

		if (irq == 2)   /* the cascade; the PIT is on pin 0 */
			continue;
		memcpy(p, &src, sizeof src);
		p += sizeof src;
		count++;
	}
	{
		struct mpc_intsrc extint = {
			.type = 4, .irq_type = 3, .src_bus = MP_BUS_ISA,
			.dst_apic = 0xff, .dst_pin = 0,
		};
		struct mpc_intsrc nmi = {
			.type = 4, .irq_type = 1, .src_bus = MP_BUS_ISA,
			.dst_apic = 0xff, .dst_pin = 1,
		};

		memcpy(p, &extint, sizeof extint);
		p += sizeof extint;
		memcpy(p, &nmi, sizeof nmi);
		p += sizeof nmi;
		count += 2;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec_rev = MP_SPEC_REV;
	memcpy(mpc->oem, "VMM     ", 8);
	memcpy(mpc->product, "VMM-X86-64  ", 12);
	mpc->entry_count = count;
	mpc->lapic_addr = MPTABLE_LAPIC_ADDR;
	mpc->checksum = mp_checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)(BOOT_EBDA_ADDR + sizeof *mpf);
	mpf->length = 1;
	mpf->spec_rev = MP_SPEC_REV;
	mpf->checksum = mp_checksum(mpf, sizeof *mpf);
	return 0;
}
