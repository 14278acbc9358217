/*
 * boot.c - bzImage and ELF loaders for the 64-bit Linux boot protocol.
 */
#include "boot.h"

#include <asm/bootparam.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "util.h"

#define SETUP_HDR_OFFSET    0x1f1
#define SETUP_BOOT_FLAG     0xaa55
#define SETUP_HDRS_MAGIC    0x53726448   /* "HdrS" */
#define SETUP_MIN_PROTOCOL  0x020c       /* xloadflags appear in 2.12 */
#define LOADER_TYPE_UNKNOWN 0xff
#define E820_TYPE_RAM       1
#define E820_TYPE_RESERVED  2
#define PAGE_SIZE_4K        0x1000ULL

_Static_assert(sizeof(struct boot_params) == 4096, "zero page is 4 KiB");
_Static_assert(offsetof(struct boot_params, hdr) == SETUP_HDR_OFFSET,
	       "setup header at 0x1f1");

static int UTIL_PRINTF(4, 5)
boot_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

int
boot_identify(const uint8_t *image, size_t size)
{
	uint32_t hdrs;
	uint16_t flag;

	if (size >= SELFMAG && !memcmp(image, ELFMAG, SELFMAG))
		return BOOT_ELF;
	if (size >= 0x206) {
		memcpy(&flag, image + 0x1fe, 2);
		memcpy(&hdrs, image + 0x202, 4);
		if (flag == SETUP_BOOT_FLAG && hdrs == SETUP_HDRS_MAGIC)
			return BOOT_BZIMAGE;
	}
	return -ENOEXEC;
}

/* Identity-maps 0-4 GiB with 2 MiB pages and writes a GDT holding the
 * boot protocol's __BOOT_CS (0x10, 64-bit code) and __BOOT_DS (0x18). */
static int
boot_write_tables(struct guest_mem *mem)
{
	uint64_t *pml4 = guest_mem_ptr(mem, BOOT_PML4_ADDR, PAGE_SIZE_4K);
	uint64_t *pdpt = guest_mem_ptr(mem, BOOT_PDPT_ADDR, PAGE_SIZE_4K);
	uint64_t *pd = guest_mem_ptr(mem, BOOT_PD_ADDR, 4 * PAGE_SIZE_4K);
	uint64_t *gdt = guest_mem_ptr(mem, BOOT_GDT_ADDR, 4 * 8);

	if (!pml4 || !pdpt || !pd || !gdt)
		return -ENOMEM;
	memset(pml4, 0, PAGE_SIZE_4K);
	memset(pdpt, 0, PAGE_SIZE_4K);
	pml4[0] = BOOT_PDPT_ADDR | 0x3;                 /* present, RW */
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD_ADDR + i * PAGE_SIZE_4K) | 0x3;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83;               /* PS, RW, present */

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffULL;                 /* 0x10: code, L=1 */
	gdt[3] = 0x00cf93000000ffffULL;                 /* 0x18: data */
	return 0;
}

static void
boot_add_e820(struct boot_params *bp, uint64_t addr, uint64_t size,
	      uint32_t type)
{
	struct boot_e820_entry *e;

	if (!size || bp->e820_entries >= E820_MAX_ENTRIES_ZEROPAGE)
		return;
	e = &bp->e820_table[bp->e820_entries++];
	e->addr = addr;
	e->size = size;
	e->type = type;
}

/* RAM below the EBDA, the EBDA/VGA/BIOS area reserved, RAM from 1 MiB to
 * the PCI hole, and RAM above 4 GiB. */
static void
boot_fill_e820(struct boot_params *bp, const struct guest_mem *mem)
{
	bp->e820_entries = 0;
	boot_add_e820(bp, 0, BOOT_EBDA_ADDR, E820_TYPE_RAM);
	boot_add_e820(bp, BOOT_EBDA_ADDR, BOOT_HIMEM_ADDR - BOOT_EBDA_ADDR,
		      E820_TYPE_RESERVED);
	boot_add_e820(bp, BOOT_HIMEM_ADDR,
		      guest_mem_low_end(mem) - BOOT_HIMEM_ADDR, E820_TYPE_RAM);
	if (mem->n_regions > 1)
		boot_add_e820(bp, mem->regions[1].gpa, mem->regions[1].size,
			      E820_TYPE_RAM);
}

static int
boot_put_cmdline(struct guest_mem *mem, struct boot_params *bp,
		 const char *cmdline, size_t max, char *err, size_t errlen)
{
	size_t len = cmdline ? strlen(cmdline) : 0;
	char *dst;

	if (len > max || len + 1 > BOOT_CMDLINE_MAX)
		return boot_fail(err, errlen, -E2BIG,
				 "command line is %zu bytes, the kernel takes "
				 "at most %zu", len, max);
	dst = guest_mem_ptr(mem, BOOT_CMDLINE_ADDR, len + 1);
	if (!dst)
		return boot_fail(err, errlen, -ENOMEM, "no room for the "
				 "command line");
	memcpy(dst, cmdline ? cmdline : "", len + 1);
	bp->hdr.cmd_line_ptr = (uint32_t)BOOT_CMDLINE_ADDR;
	bp->ext_cmd_line_ptr = 0;
	return 0;
}

/* Puts the initrd as high as 'addr_max' (its last byte) and RAM allow,
 * page aligned, above 'floor'. */
static int
boot_put_initrd(struct guest_mem *mem, struct boot_params *bp,
		const uint8_t *initrd, size_t size, uint64_t addr_max,
		uint64_t floor, struct boot_info *info, char *err,
		size_t errlen)
{
	uint64_t top = MIN(addr_max + 1, guest_mem_low_end(mem));
	uint64_t addr;
	void *dst;

	if (!initrd)
		return 0;
	if (size > top || ((top - size) & ~(PAGE_SIZE_4K - 1)) < floor)
		return boot_fail(err, errlen, -ENOMEM, "initrd of %zu bytes "
				 "does not fit between the kernel end 0x%llx "
				 "and 0x%llx (raise --mem)", size,
				 (unsigned long long)floor,
				 (unsigned long long)top);
	addr = (top - size) & ~(PAGE_SIZE_4K - 1);
	dst = guest_mem_ptr(mem, addr, size);
	if (!dst)
		return boot_fail(err, errlen, -ENOMEM, "initrd outside RAM");
	memcpy(dst, initrd, size);
	bp->hdr.ramdisk_image = (uint32_t)addr;
	bp->hdr.ramdisk_size = (uint32_t)size;
	info->initrd_start = addr;
	info->initrd_size = size;
	return 0;
}

static int
boot_load_bzimage(struct guest_mem *mem, const uint8_t *image, size_t size,
		  struct boot_params *bp, struct boot_info *info, char *err,
		  size_t errlen)
{
	const struct setup_header *hdr;
	struct setup_header h;
	size_t setup_size, hdr_len;
	uint64_t load, need;
	void *dst;

	if (size < 0x260 + 4)
		return boot_fail(err, errlen, -EINVAL, "bzImage truncated "
				 "(%zu bytes, no full setup header)", size);
	memcpy(&h, image + SETUP_HDR_OFFSET, sizeof h);
	hdr = &h;
	if (hdr->version < SETUP_MIN_PROTOCOL)
		return boot_fail(err, errlen, -EINVAL, "bzImage boot protocol "
				 "%u.%02u is too old (need 2.12)",
				 hdr->version >> 8, hdr->version & 0xff);
	if (!(hdr->loadflags & LOADED_HIGH))
		return boot_fail(err, errlen, -EINVAL, "zImage (not loaded "
				 "high) is not supported");
	if (!(hdr->xloadflags & XLF_KERNEL_64))
		return boot_fail(err, errlen, -EINVAL, "bzImage has no 64-bit "
				 "entry point (xloadflags 0x%x)",
				 hdr->xloadflags);
	setup_size = ((size_t)(hdr->setup_sects ? hdr->setup_sects : 4) + 1)
		     * 512;
	if (setup_size + (size_t)hdr->syssize * 16 > size)
		return boot_fail(err, errlen, -EINVAL, "bzImage truncated: "
				 "header says %zu bytes, file has %zu",
				 setup_size + (size_t)hdr->syssize * 16, size);

	/* Relocatable kernels state where they like to run; the 64-bit
	 * entry accepts any kernel_alignment-aligned address. */
	load = hdr->pref_address ? hdr->pref_address : BOOT_HIMEM_ADDR;
	if (hdr->kernel_alignment && (load % hdr->kernel_alignment))
		load = (load + hdr->kernel_alignment - 1) /
		       hdr->kernel_alignment * hdr->kernel_alignment;
	need = MAX((uint64_t)hdr->init_size, (uint64_t)(size - setup_size));
	if (load < BOOT_HIMEM_ADDR || load + need > guest_mem_low_end(mem))
		return boot_fail(err, errlen, -ENOMEM, "kernel needs 0x%llx-"
				 "0x%llx, guest RAM below 4 GiB ends at 0x%llx "
				 "(raise --mem)", (unsigned long long)load,
				 (unsigned long long)(load + need),
				 (unsigned long long)guest_mem_low_end(mem));
	dst = guest_mem_ptr(mem, load, size - setup_size);
	if (!dst)
		return boot_fail(err, errlen, -ENOMEM, "kernel outside RAM");
	memcpy(dst, image + setup_size, size - setup_size);

	/* The header runs from 0x1f1 to 0x202 + the byte at 0x201. */
	hdr_len = 0x202 + image[0x201] - SETUP_HDR_OFFSET;
	hdr_len = MIN(hdr_len, sizeof bp->hdr);
	memcpy(&bp->hdr, image + SETUP_HDR_OFFSET, hdr_len);
	bp->hdr.type_of_loader = LOADER_TYPE_UNKNOWN;
	bp->hdr.loadflags &= (uint8_t)~(KEEP_SEGMENTS | QUIET_FLAG);
	bp->hdr.code32_start = (uint32_t)load;
	bp->hdr.vid_mode = 0xffff;                      /* "normal" */

	info->kind = BOOT_BZIMAGE;
	info->protocol = hdr->version;
	info->kernel_start = load;
	info->kernel_end = load + need;
	info->entry = load + 0x200;
	return 0;
}

static int
boot_load_elf(struct guest_mem *mem, const uint8_t *image, size_t size,
	      struct boot_params *bp, struct boot_info *info, char *err,
	      size_t errlen)
{
	Elf64_Ehdr eh;
	uint64_t lo = UINT64_MAX, hi = 0, entry = 0;
	bool entry_found = false;

	if (size < sizeof eh)
		return boot_fail(err, errlen, -EINVAL, "ELF truncated "
				 "(%zu bytes)", size);
	memcpy(&eh, image, sizeof eh);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
		return boot_fail(err, errlen, -EINVAL, "not an x86-64 ELF64 "
				 "little-endian file");
	if (eh.e_type != ET_EXEC)
		return boot_fail(err, errlen, -EINVAL, "ELF is not an "
				 "executable (e_type %u)", eh.e_type);
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum ||
	    eh.e_phoff > size ||
	    (size - eh.e_phoff) / sizeof(Elf64_Phdr) < eh.e_phnum)
		return boot_fail(err, errlen, -EINVAL, "ELF program headers "
				 "truncated or malformed");

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		memcpy(&ph, image + eh.e_phoff + i * sizeof ph, sizeof ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > size ||
		    ph.p_filesz > size - ph.p_offset)
			return boot_fail(err, errlen, -EINVAL, "ELF segment %u "
					 "truncated", i);
		if (ph.p_paddr < BOOT_HIMEM_ADDR)
			return boot_fail(err, errlen, -EINVAL, "ELF segment %u "
					 "at 0x%llx is below 1 MiB", i,
					 (unsigned long long)ph.p_paddr);
		dst = guest_mem_ptr(mem, ph.p_paddr, ph.p_memsz);
		if (!dst || ph.p_paddr + ph.p_memsz > guest_mem_low_end(mem))
			return boot_fail(err, errlen, -ENOMEM, "ELF segment %u "
					 "(0x%llx, %llu bytes) outside guest "
					 "RAM (raise --mem)", i,
					 (unsigned long long)ph.p_paddr,
					 (unsigned long long)ph.p_memsz);
		memcpy(dst, image + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		lo = MIN(lo, ph.p_paddr);
		hi = MAX(hi, ph.p_paddr + ph.p_memsz);
		/* vmlinux's e_entry is physical; other kernels may give
		 * a virtual one, translated through its segment. */
		if (!entry_found && eh.e_entry >= ph.p_vaddr &&
		    eh.e_entry - ph.p_vaddr < ph.p_memsz) {
			entry = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
			entry_found = true;
		} else if (!entry_found && eh.e_entry >= ph.p_paddr &&
			   eh.e_entry - ph.p_paddr < ph.p_memsz) {
			entry = eh.e_entry;
			entry_found = true;
		}
	}
	if (hi == 0)
		return boot_fail(err, errlen, -EINVAL, "ELF has no loadable "
				 "segment");
	if (!entry_found)
		return boot_fail(err, errlen, -EINVAL, "ELF entry 0x%llx is "
				 "outside its segments",
				 (unsigned long long)eh.e_entry);

	bp->hdr.boot_flag = SETUP_BOOT_FLAG;
	bp->hdr.header = SETUP_HDRS_MAGIC;
	bp->hdr.version = 0x020f;
	bp->hdr.type_of_loader = LOADER_TYPE_UNKNOWN;
	bp->hdr.loadflags = LOADED_HIGH;
	bp->hdr.kernel_alignment = 0x1000000;
	bp->hdr.cmdline_size = BOOT_ELF_CMDLINE_MAX - 1;
	bp->hdr.initrd_addr_max = (uint32_t)BOOT_INITRD_ADDR_MAX_DEFAULT;
	info->kind = BOOT_ELF;
	info->protocol = 0;
	info->kernel_start = lo;
	info->kernel_end = hi;
	info->entry = entry;
	return 0;
}

int
boot_load(struct guest_mem *mem, const uint8_t *image, size_t size,
	  const uint8_t *initrd, size_t initrd_size, const char *cmdline,
	  struct boot_info *info, char *err, size_t errlen)
{
	struct boot_params *bp;
	uint64_t initrd_max;
	size_t cmdline_max;
	int kind, r;

	memset(info, 0, sizeof *info);
	if (err && errlen)
		err[0] = '\0';
	kind = boot_identify(image, size);
	if (kind < 0)
		return boot_fail(err, errlen, -ENOEXEC, "kernel is neither a "
				 "bzImage nor an ELF file");
	if (guest_mem_low_end(mem) < 2 * BOOT_HIMEM_ADDR)
		return boot_fail(err, errlen, -ENOMEM, "guest RAM too small");

	bp = guest_mem_ptr(mem, BOOT_PARAMS_ADDR, sizeof *bp);
	if (!bp)
		return boot_fail(err, errlen, -ENOMEM, "no room for "
				 "boot_params");
	memset(bp, 0, sizeof *bp);
	if (kind == BOOT_BZIMAGE)
		r = boot_load_bzimage(mem, image, size, bp, info, err, errlen);
	else
		r = boot_load_elf(mem, image, size, bp, info, err, errlen);
	if (r)
		return r;

	/* Protocol 2.06+ states the longest command line it takes. */
	if (kind == BOOT_BZIMAGE)
		cmdline_max = info->protocol >= 0x0206 ? bp->hdr.cmdline_size
						       : 255;
	else
		cmdline_max = BOOT_ELF_CMDLINE_MAX - 1;
	r = boot_put_cmdline(mem, bp, cmdline, cmdline_max, err, errlen);
	if (r)
		return r;

	initrd_max = bp->hdr.initrd_addr_max ? bp->hdr.initrd_addr_max
					     : BOOT_INITRD_ADDR_MAX_DEFAULT;
	r = boot_put_initrd(mem, bp, initrd, initrd_size, initrd_max,
			    (info->kernel_end + PAGE_SIZE_4K - 1) &
			    ~(PAGE_SIZE_4K - 1), info, err, errlen);
	if (r)
		return r;

	boot_fill_e820(bp, mem);
	r = boot_write_tables(mem);
	if (r)
		return boot_fail(err, errlen, r, "no room for page tables");
	info->boot_params = BOOT_PARAMS_ADDR;
	return 0;
}
