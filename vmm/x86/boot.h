/*
 * boot.h - x86-64 kernel loaders: bzImage (64-bit Linux boot protocol) and
 * ELF (vmlinux, and our freestanding test guest).
 *
 * Both put the kernel in guest RAM, build boot_params ("zero page") with
 * the setup header, an e820 map, the command line and the initrd location,
 * and write the identity-mapping page tables and the GDT that the vCPU
 * set-up (cpu.c) points the boot CPU at.  Entry is in 64-bit mode with
 * %rsi = boot_params, CS = 0x10, DS = 0x18 (Documentation/arch/x86/
 * boot.rst, "64-bit Boot Protocol").  Nothing here needs /dev/kvm, so the
 * unit tests run the loaders on a plain guest_mem.
 *
 * Fixed low-memory layout (all below 1 MiB):
 *   0x00500 GDT                 0x07000 boot_params
 *   0x08ff0 initial stack top   0x09000 PML4, 0x0a000 PDPT,
 *   0x0b000-0x0efff four page directories (identity map of 0-4 GiB, 2 MiB
 *   pages)                      0x20000 command line
 *   0x9fc00 EBDA (MP table)     0xa0000-0xfffff reserved (VGA/BIOS hole)
 */
#ifndef VMM_X86_BOOT_H
#define VMM_X86_BOOT_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem;

#define BOOT_GDT_ADDR       0x500ULL
#define BOOT_PARAMS_ADDR    0x7000ULL
#define BOOT_STACK_TOP      0x8ff0ULL
#define BOOT_PML4_ADDR      0x9000ULL
#define BOOT_PDPT_ADDR      0xa000ULL
#define BOOT_PD_ADDR        0xb000ULL
#define BOOT_CMDLINE_ADDR   0x20000ULL
#define BOOT_CMDLINE_MAX    0x10000ULL  /* room at BOOT_CMDLINE_ADDR */
#define BOOT_EBDA_ADDR      0x9fc00ULL
#define BOOT_HIMEM_ADDR     0x100000ULL
#define BOOT_CS_SELECTOR    0x10
#define BOOT_DS_SELECTOR    0x18

/* Command line limit for ELF kernels (x86 COMMAND_LINE_SIZE). */
#define BOOT_ELF_CMDLINE_MAX 2048
/* Default initrd_addr_max of boot protocols before 2.03. */
#define BOOT_INITRD_ADDR_MAX_DEFAULT 0x37ffffffULL

enum boot_kind {
	BOOT_BZIMAGE,
	BOOT_ELF,
};

/* Where things went; filled by boot_load(). */
struct boot_info {
	enum boot_kind kind;
	uint64_t entry;         /* guest-physical 64-bit entry point */
	uint64_t boot_params;   /* guest-physical address, for %rsi */
	uint64_t kernel_start;  /* guest-physical, first byte */
	uint64_t kernel_end;    /* exclusive; bzImage: load + init_size */
	uint64_t initrd_start;  /* 0 if none */
	uint64_t initrd_size;
	uint16_t protocol;      /* bzImage boot protocol version, else 0 */
};

/* Tells which loader 'image' needs.  Returns BOOT_BZIMAGE, BOOT_ELF or
 * -ENOEXEC when it is neither. */
int boot_identify(const uint8_t *image, size_t size);

/* Loads kernel 'image' ('size' bytes), optional 'initrd' ('initrd_size'
 * bytes, NULL for none) and 'cmdline' (NULL for empty) into 'mem', and
 * writes boot_params, page tables and GDT.  Fills 'info'.  Returns 0 or
 * -errno (-ENOEXEC: unknown format, -EINVAL: malformed or truncated image,
 * -E2BIG: command line too long, -ENOMEM: does not fit in guest RAM), with
 * a human-readable reason in 'err' ('errlen' bytes). */
int boot_load(struct guest_mem *mem, const uint8_t *image, size_t size,
	      const uint8_t *initrd, size_t initrd_size, const char *cmdline,
	      struct boot_info *info, char *err, size_t errlen);

#endif /* VMM_X86_BOOT_H */
