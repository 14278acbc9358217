/*
 * check_vmm_boot.c - the VMM's x86 loaders and MP table, checked against
 * the rules of the Linux boot protocol (Documentation/arch/x86/boot.rst)
 * and the MP specification, with a real Debian bzImage and synthetic ELF
 * files.  Needs no /dev/kvm.
 *
 * VMM_TEST_BZIMAGE names the Debian kernel (fetched by 'make check-vmm');
 * if it is missing the bzImage tests fail.
 */
#include <asm/bootparam.h>
#include <check.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "util.h"
#include "x86/boot.h"
#include "x86/mptable.h"

#ifndef VMM_TEST_BZIMAGE
#define VMM_TEST_BZIMAGE "build/debian-kernel/vmlinuz"
#endif

static uint8_t *bz;
static size_t bz_size;
static struct guest_mem mem;
static char err[256];

static void
load_bzimage_file(void)
{
	const char *path = getenv("VMM_TEST_BZIMAGE");
	struct stat st;
	FILE *f;

	if (!path)
		path = VMM_TEST_BZIMAGE;
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "Debian bzImage %s missing: run make "
		      "check-vmm (apt-get download) first", path);
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	bz_size = (size_t)st.st_size;
	bz = malloc(bz_size);
	ck_assert_ptr_nonnull(bz);
	ck_assert_uint_eq(fread(bz, 1, bz_size, f), bz_size);
	fclose(f);
}

static void
setup_mem(uint64_t size)
{
	ck_assert_int_eq(guest_mem_create(&mem, size, NULL), 0);
}

static void
teardown(void)
{
	guest_mem_destroy(&mem);
	free(bz);
	bz = NULL;
}

static struct boot_params *
zero_page(void)
{
	return guest_mem_ptr(&mem, BOOT_PARAMS_ADDR, sizeof(struct boot_params));
}

static const struct setup_header *
image_hdr(void)
{
	return (const struct setup_header *)(bz + 0x1f1);
}

/* ---- bzImage ---------------------------------------------------------- */

START_TEST(bz_identify)
{
	load_bzimage_file();
	ck_assert_int_eq(boot_identify(bz, bz_size), BOOT_BZIMAGE);
	ck_assert_uint_ge(image_hdr()->version, 0x020c);
	ck_assert(image_hdr()->xloadflags & XLF_KERNEL_64);
}
END_TEST

START_TEST(bz_boot_params)
{
	const char *cmd = "console=ttyS0 root=/dev/vda1 panic=1";
	const struct setup_header *ih;
	struct boot_params *bp;
	struct boot_info info;
	size_t setup_size;
	uint64_t load;

	load_bzimage_file();
	setup_mem(256ULL << 20);
	ih = image_hdr();
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, NULL, 0, cmd, &info,
				   err, sizeof err), 0);
	bp = zero_page();

	/* The setup header is the image's, with the loader's fields set. */
	ck_assert_uint_eq(bp->hdr.boot_flag, 0xaa55);
	ck_assert_uint_eq(bp->hdr.header, 0x53726448);
	ck_assert_uint_eq(bp->hdr.version, ih->version);
	ck_assert_uint_eq(bp->hdr.setup_sects, ih->setup_sects);
	ck_assert_uint_eq(bp->hdr.init_size, ih->init_size);
	ck_assert_uint_eq(bp->hdr.xloadflags, ih->xloadflags);
	ck_assert_uint_eq(bp->hdr.cmdline_size, ih->cmdline_size);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert(bp->hdr.loadflags & LOADED_HIGH);
	ck_assert_uint_eq(info.protocol, ih->version);
	ck_assert_uint_eq(info.boot_params, BOOT_PARAMS_ADDR);

	/* Loaded at its preferred, aligned address; the 64-bit entry is
	 * 0x200 past it; the protected-mode code is copied verbatim. */
	load = ih->pref_address;
	ck_assert_uint_eq(load % ih->kernel_alignment, 0);
	ck_assert_uint_eq(info.kernel_start, load);
	ck_assert_uint_eq(info.entry, load + 0x200);
	ck_assert_uint_ge(info.kernel_end, load + ih->init_size);
	ck_assert_uint_eq(bp->hdr.code32_start, load);
	setup_size = ((size_t)(ih->setup_sects ? ih->setup_sects : 4) + 1) * 512;
	ck_assert(memcmp(guest_mem_ptr(&mem, load, bz_size - setup_size),
			 bz + setup_size, bz_size - setup_size) == 0);

	/* Command line: where cmd_line_ptr says, NUL-terminated, in the
	 * limit, below the kernel. */
	ck_assert_uint_eq(bp->hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	ck_assert_str_eq(guest_mem_ptr(&mem, bp->hdr.cmd_line_ptr,
				       strlen(cmd) + 1), cmd);
	ck_assert_uint_le(strlen(cmd), bp->hdr.cmdline_size);
	ck_assert_uint_lt(bp->hdr.cmd_line_ptr + strlen(cmd) + 1, load);
	ck_assert_uint_eq(bp->ext_cmd_line_ptr, 0);

	/* No initrd. */
	ck_assert_uint_eq(bp->hdr.ramdisk_image, 0);
	ck_assert_uint_eq(bp->hdr.ramdisk_size, 0);
}
END_TEST

START_TEST(bz_e820)
{
	struct boot_params *bp;
	struct boot_info info;
	uint64_t ram = 0, prev_end = 0;

	load_bzimage_file();
	setup_mem(256ULL << 20);
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, NULL, 0, "", &info, err,
				   sizeof err), 0);
	bp = zero_page();
	ck_assert_uint_eq(bp->e820_entries, 3);
	for (unsigned i = 0; i < bp->e820_entries; i++) {
		const struct boot_e820_entry *e = &bp->e820_table[i];

		ck_assert_uint_ge(e->addr, prev_end);   /* sorted, disjoint */
		ck_assert_uint_gt(e->size, 0);
		prev_end = e->addr + e->size;
		if (e->type == 1)
			ram += e->size;
		/* Everything the kernel, zero page and command line use
		 * is RAM. */
		if (e->type != 1) {
			ck_assert(prev_end <= BOOT_PARAMS_ADDR ||
				  e->addr >= BOOT_CMDLINE_ADDR + 0x1000);
			ck_assert(prev_end <= info.kernel_start ||
				  e->addr >= info.kernel_end);
		}
	}
	ck_assert_uint_eq(bp->e820_table[0].addr, 0);
	ck_assert_uint_eq(bp->e820_table[0].type, 1);
	ck_assert_uint_eq(bp->e820_table[1].addr, BOOT_EBDA_ADDR);
	ck_assert_uint_eq(bp->e820_table[1].type, 2);
	ck_assert_uint_eq(bp->e820_table[2].addr, 0x100000);
	ck_assert_uint_eq(prev_end, 256ULL << 20);
	ck_assert_uint_eq(ram, (256ULL << 20) - (0x100000 - BOOT_EBDA_ADDR));
}
END_TEST

START_TEST(bz_e820_above_4g)
{
	struct boot_params *bp;
	struct boot_info info;

	load_bzimage_file();
	setup_mem(4ULL << 30);          /* sparse memfd: cheap */
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, NULL, 0, "", &info, err,
				   sizeof err), 0);
	bp = zero_page();
	ck_assert_uint_eq(bp->e820_entries, 4);
	ck_assert_uint_eq(bp->e820_table[2].addr + bp->e820_table[2].size,
			  MEM_PCI_HOLE);
	ck_assert_uint_eq(bp->e820_table[3].addr, MEM_4G);
	ck_assert_uint_eq(bp->e820_table[3].size, (4ULL << 30) - MEM_PCI_HOLE);
	ck_assert_uint_eq(bp->e820_table[3].type, 1);
}
END_TEST

START_TEST(bz_initrd_placement)
{
	size_t isize = 3 * 1024 * 1024 + 123;   /* not page-sized */
	uint8_t *initrd = malloc(isize);
	const struct setup_header *ih;
	struct boot_params *bp;
	struct boot_info info;
	uint64_t start, end;

	load_bzimage_file();
	ih = image_hdr();
	for (size_t i = 0; i < isize; i++)
		initrd[i] = (uint8_t)(i * 7);
	setup_mem(512ULL << 20);
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, initrd, isize, "x",
				   &info, err, sizeof err), 0);
	bp = zero_page();
	start = bp->hdr.ramdisk_image;
	end = start + bp->hdr.ramdisk_size;
	ck_assert_uint_eq(bp->hdr.ramdisk_size, isize);
	ck_assert_uint_eq(start % 4096, 0);             /* page aligned */
	ck_assert_uint_ge(start, info.kernel_start + ih->init_size);
	ck_assert_uint_le(end - 1, ih->initrd_addr_max);
	ck_assert_uint_le(end, guest_mem_low_end(&mem));
	/* As high as it goes: within a page of the top of RAM. */
	ck_assert_uint_gt(start + isize + 4096,
			  MIN(guest_mem_low_end(&mem),
			      (uint64_t)ih->initrd_addr_max + 1));
	ck_assert(memcmp(guest_mem_ptr(&mem, start, isize), initrd, isize)
		  == 0);
	ck_assert_uint_eq(info.initrd_start, start);
	free(initrd);
}
END_TEST

START_TEST(bz_cmdline_limit)
{
	struct boot_info info;
	size_t max;
	char *cmd;

	load_bzimage_file();
	setup_mem(256ULL << 20);
	max = image_hdr()->cmdline_size;
	cmd = malloc(max + 2);
	memset(cmd, 'a', max + 1);
	cmd[max] = '\0';                /* exactly cmdline_size: fits */
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, NULL, 0, cmd, &info, err,
				   sizeof err), 0);
	cmd[max] = 'a';
	cmd[max + 1] = '\0';            /* one more: refused */
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, NULL, 0, cmd, &info, err,
				   sizeof err), -E2BIG);
	ck_assert_ptr_nonnull(strstr(err, "command line"));
	free(cmd);
}
END_TEST

START_TEST(bz_bad_images)
{
	struct boot_info info;
	uint8_t *copy;

	load_bzimage_file();
	setup_mem(256ULL << 20);
	copy = malloc(bz_size);

	/* Truncated: the header's syssize says more than there is. */
	ck_assert_int_eq(boot_load(&mem, bz, bz_size / 2, NULL, 0, "", &info,
				   err, sizeof err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));
	ck_assert_int_eq(boot_load(&mem, bz, 0x300, NULL, 0, "", &info, err,
				   sizeof err), -EINVAL);
	/* Wrong magic. */
	memcpy(copy, bz, bz_size);
	copy[0x202] = 'X';
	ck_assert_int_eq(boot_load(&mem, copy, bz_size, NULL, 0, "", &info,
				   err, sizeof err), -ENOEXEC);
	/* No 64-bit entry point. */
	memcpy(copy, bz, bz_size);
	((struct setup_header *)(copy + 0x1f1))->xloadflags &=
		(uint16_t)~XLF_KERNEL_64;
	ck_assert_int_eq(boot_load(&mem, copy, bz_size, NULL, 0, "", &info,
				   err, sizeof err), -EINVAL);
	/* Protocol before 2.12. */
	memcpy(copy, bz, bz_size);
	((struct setup_header *)(copy + 0x1f1))->version = 0x0208;
	ck_assert_int_eq(boot_load(&mem, copy, bz_size, NULL, 0, "", &info,
				   err, sizeof err), -EINVAL);
	free(copy);
}
END_TEST

START_TEST(bz_too_small_memory)
{
	struct boot_info info;
	uint8_t small_initrd[4096] = { 0 };

	load_bzimage_file();
	setup_mem(32ULL << 20);         /* below pref_address + init_size */
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, NULL, 0, "", &info, err,
				   sizeof err), -ENOMEM);
	ck_assert_ptr_nonnull(strstr(err, "raise --mem"));
	guest_mem_destroy(&mem);
	/* Room for the kernel, not for its initrd. */
	setup_mem(80ULL << 20);
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, bz, bz_size, "", &info,
				   err, sizeof err), -ENOMEM);
	ck_assert_int_eq(boot_load(&mem, bz, bz_size, small_initrd,
				   sizeof small_initrd, "", &info, err,
				   sizeof err), 0);
}
END_TEST

/* ---- ELF ---------------------------------------------------------------- */

struct fake_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t code[64];
};

static void
make_elf(struct fake_elf *f, uint64_t paddr, uint64_t vaddr, uint64_t entry)
{
	memset(f, 0, sizeof *f);
	memcpy(f->eh.e_ident, ELFMAG, SELFMAG);
	f->eh.e_ident[EI_CLASS] = ELFCLASS64;
	f->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f->eh.e_ident[EI_VERSION] = EV_CURRENT;
	f->eh.e_type = ET_EXEC;
	f->eh.e_machine = EM_X86_64;
	f->eh.e_version = EV_CURRENT;
	f->eh.e_entry = entry;
	f->eh.e_phoff = offsetof(struct fake_elf, ph);
	f->eh.e_ehsize = sizeof f->eh;
	f->eh.e_phentsize = sizeof f->ph;
	f->eh.e_phnum = 1;
	f->ph.p_type = PT_LOAD;
	f->ph.p_offset = offsetof(struct fake_elf, code);
	f->ph.p_paddr = paddr;
	f->ph.p_vaddr = vaddr;
	f->ph.p_filesz = sizeof f->code;
	f->ph.p_memsz = 0x2000;         /* with bss */
	for (size_t i = 0; i < sizeof f->code; i++)
		f->code[i] = (uint8_t)(0x90 + i);
}

START_TEST(elf_load)
{
	struct fake_elf f;
	struct boot_info info;
	struct boot_params *bp;
	uint8_t *p;

	setup_mem(64ULL << 20);
	make_elf(&f, 0x200000, 0x200000, 0x200010);
	p = guest_mem_ptr(&mem, 0x200000, 0x2000);
	memset(p, 0xcc, 0x2000);        /* bss must come back zeroed */
	ck_assert_int_eq(boot_identify((uint8_t *)&f, sizeof f), BOOT_ELF);
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0,
				   "hello", &info, err, sizeof err), 0);
	ck_assert_uint_eq(info.kind, BOOT_ELF);
	ck_assert_uint_eq(info.entry, 0x200010);
	ck_assert_uint_eq(info.kernel_start, 0x200000);
	ck_assert_uint_eq(info.kernel_end, 0x202000);
	ck_assert(memcmp(p, f.code, sizeof f.code) == 0);
	ck_assert_uint_eq(p[sizeof f.code], 0);
	ck_assert_uint_eq(p[0x1fff], 0);
	bp = zero_page();
	ck_assert_uint_eq(bp->hdr.boot_flag, 0xaa55);
	ck_assert_uint_eq(bp->hdr.header, 0x53726448);
	ck_assert_uint_eq(bp->hdr.type_of_loader, 0xff);
	ck_assert_str_eq(guest_mem_ptr(&mem, bp->hdr.cmd_line_ptr, 6),
			 "hello");
	ck_assert_uint_eq(bp->e820_entries, 3);
}
END_TEST

START_TEST(elf_virtual_entry)
{
	struct fake_elf f;
	struct boot_info info;

	/* vmlinux style: linked high, loaded at its physical address. */
	setup_mem(64ULL << 20);
	make_elf(&f, 0x1000000, 0xffffffff81000000ULL, 0xffffffff81000040ULL);
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0, "",
				   &info, err, sizeof err), 0);
	ck_assert_uint_eq(info.entry, 0x1000040);
}
END_TEST

START_TEST(elf_bad)
{
	struct fake_elf f;
	struct boot_info info;

	setup_mem(64ULL << 20);
	make_elf(&f, 0x200000, 0x200000, 0x200000);
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, 40, NULL, 0, "",
				   &info, err, sizeof err), -EINVAL);
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f.eh + 8, NULL,
				   0, "", &info, err, sizeof err), -EINVAL);
	f.eh.e_machine = EM_386;
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0, "",
				   &info, err, sizeof err), -EINVAL);
	make_elf(&f, 0x200000, 0x200000, 0x200000);
	f.ph.p_filesz = 4096;           /* beyond the file */
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0, "",
				   &info, err, sizeof err), -EINVAL);
	make_elf(&f, 0x200000, 0x200000, 0x900000);     /* entry outside */
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0, "",
				   &info, err, sizeof err), -EINVAL);
	make_elf(&f, 0x7000, 0x7000, 0x7000);           /* below 1 MiB */
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0, "",
				   &info, err, sizeof err), -EINVAL);
	make_elf(&f, 63ULL << 20, 63ULL << 20, 63ULL << 20); /* past RAM */
	f.ph.p_memsz = 2ULL << 20;
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0, "",
				   &info, err, sizeof err), -ENOMEM);
}
END_TEST

/* ---- page tables, GDT, MP table ------------------------------------------ */

START_TEST(tables_identity_map)
{
	struct fake_elf f;
	struct boot_info info;
	uint64_t *pml4, *pdpt, *pd, *gdt;

	setup_mem(64ULL << 20);
	make_elf(&f, 0x200000, 0x200000, 0x200000);
	ck_assert_int_eq(boot_load(&mem, (uint8_t *)&f, sizeof f, NULL, 0, "",
				   &info, err, sizeof err), 0);
	pml4 = guest_mem_ptr(&mem, BOOT_PML4_ADDR, 4096);
	pdpt = guest_mem_ptr(&mem, BOOT_PDPT_ADDR, 4096);
	ck_assert_uint_eq(pml4[0] & ~0xfffULL, BOOT_PDPT_ADDR);
	ck_assert(pml4[0] & 1);
	for (uint64_t gib = 0; gib < 4; gib++) {
		ck_assert_uint_eq(pdpt[gib] & ~0xfffULL,
				  BOOT_PD_ADDR + gib * 4096);
		pd = guest_mem_ptr(&mem, pdpt[gib] & ~0xfffULL, 4096);
		for (uint64_t i = 0; i < 512; i += 97) {
			uint64_t va = (gib << 30) | (i << 21);

			ck_assert_uint_eq(pd[i] & ~0x1fffffULL, va);
			ck_assert_uint_eq(pd[i] & 0x83, 0x83);  /* PS|RW|P */
		}
	}
	gdt = guest_mem_ptr(&mem, BOOT_GDT_ADDR, 32);
	ck_assert(gdt[BOOT_CS_SELECTOR / 8] & (1ULL << 53));   /* L */
	ck_assert(gdt[BOOT_CS_SELECTOR / 8] & (1ULL << 47));   /* P */
	ck_assert(gdt[BOOT_DS_SELECTOR / 8] & (1ULL << 47));
	ck_assert_uint_eq((gdt[BOOT_DS_SELECTOR / 8] >> 43) & 1, 0); /* data */
}
END_TEST

static uint8_t
sum_bytes(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

START_TEST(mptable_layout)
{
	unsigned ncpus = (unsigned)_i;
	const uint8_t *mpf, *mpc, *e;
	uint16_t len, count, bda;
	uint32_t physptr;
	unsigned cpus = 0, bsp = 0, ioapics = 0, irqs = 0;

	setup_mem(64ULL << 20);
	ck_assert_int_eq(mptable_write(&mem, ncpus), 0);
	memcpy(&bda, guest_mem_ptr(&mem, 0x40e, 2), 2);
	ck_assert_uint_eq((uint64_t)bda << 4, BOOT_EBDA_ADDR);
	mpf = guest_mem_ptr(&mem, BOOT_EBDA_ADDR, 16);
	ck_assert(memcmp(mpf, "_MP_", 4) == 0);
	ck_assert_uint_eq(sum_bytes(mpf, 16), 0);
	memcpy(&physptr, mpf + 4, 4);
	mpc = guest_mem_ptr(&mem, physptr, 44);
	ck_assert(memcmp(mpc, "PCMP", 4) == 0);
	memcpy(&len, mpc + 4, 2);
	memcpy(&count, mpc + 34, 2);
	ck_assert_uint_eq(sum_bytes(guest_mem_ptr(&mem, physptr, len), len), 0);
	e = mpc + 44;
	for (unsigned i = 0; i < count; i++) {
		switch (e[0]) {
		case 0:
			ck_assert_uint_eq(e[1], cpus);  /* APIC IDs 0.. */
			cpus++;
			bsp += (e[3] & 2) ? 1 : 0;
			e += 20;
			break;
		case 2:
			ck_assert_uint_eq(e[1], ncpus);
			ioapics++;
			e += 8;
			break;
		case 3:
			irqs++;
			e += 8;
			break;
		default:
			e += 8;
			break;
		}
	}
	ck_assert_uint_eq((size_t)(e - mpc), len);
	ck_assert_uint_eq(cpus, ncpus);
	ck_assert_uint_eq(bsp, 1);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(irqs, 15);
}
END_TEST

START_TEST(mptable_bad_count)
{
	setup_mem(64ULL << 20);
	ck_assert_int_eq(mptable_write(&mem, 0), -EINVAL);
	ck_assert_int_eq(mptable_write(&mem, MPTABLE_MAX_CPUS + 1), -EINVAL);
}
END_TEST

START_TEST(mem_layout)
{
	struct mem_opts opts = { .ksm = true };

	ck_assert_int_eq(guest_mem_create(&mem, 8ULL << 20, NULL), -EINVAL);
	ck_assert_int_eq(guest_mem_create(&mem, (64ULL << 20) + 4096, NULL),
			 -EINVAL);
	ck_assert_int_eq(guest_mem_create(&mem, 5ULL << 30, &opts), 0);
	ck_assert_uint_eq(mem.n_regions, 2);
	ck_assert_uint_eq(guest_mem_low_end(&mem), MEM_PCI_HOLE);
	ck_assert_ptr_nonnull(guest_mem_ptr(&mem, MEM_PCI_HOLE - 8, 8));
	ck_assert_ptr_null(guest_mem_ptr(&mem, MEM_PCI_HOLE - 8, 9));
	ck_assert_ptr_null(guest_mem_ptr(&mem, MEM_PCI_HOLE, 1));
	ck_assert_ptr_nonnull(guest_mem_ptr(&mem, MEM_4G, 1));
	ck_assert_ptr_nonnull(guest_mem_ptr(&mem, (5ULL << 30) - MEM_PCI_HOLE
					    + MEM_4G - 1, 1));
	ck_assert_ptr_null(guest_mem_ptr(&mem, (5ULL << 30) - MEM_PCI_HOLE
					 + MEM_4G, 1));
	ck_assert_ptr_null(guest_mem_ptr(&mem, 0, UINT64_MAX));
	/* The two ranges are one memfd, high part after the low one. */
	ck_assert_ptr_eq(guest_mem_ptr(&mem, MEM_4G, 1),
			 (uint8_t *)guest_mem_ptr(&mem, 0, 1) + MEM_PCI_HOLE);
}
END_TEST

static Suite *
vmm_boot_suite(void)
{
	Suite *s = suite_create("vmm_boot");
	TCase *tc;

	tc = tcase_create("bzimage");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, bz_identify);
	tcase_add_test(tc, bz_boot_params);
	tcase_add_test(tc, bz_e820);
	tcase_add_test(tc, bz_e820_above_4g);
	tcase_add_test(tc, bz_initrd_placement);
	tcase_add_test(tc, bz_cmdline_limit);
	tcase_add_test(tc, bz_bad_images);
	tcase_add_test(tc, bz_too_small_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("elf");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, elf_load);
	tcase_add_test(tc, elf_virtual_entry);
	tcase_add_test(tc, elf_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("tables");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, tables_identity_map);
	tcase_add_loop_test(tc, mptable_layout, 1, 9);
	tcase_add_test(tc, mptable_bad_count);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, mem_layout);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vmm_boot_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
