/*
 * fuzz_vmm_boot.c - libFuzzer target: the VMM's kernel loaders
 * (vmm/x86/boot.c): boot_identify() and boot_load() of a bzImage or ELF
 * image the user named, with an initrd and a command line, into 32 MiB of
 * guest RAM.  A user's file is input like any other: a malformed image
 * must be refused with a reason, never read or written out of bounds.
 *
 * Input: [0] the command line (0: none, 1: empty, 2: a usual one, 3: one
 * of 3000 bytes, longer than an ELF kernel takes), [1] initrd size in
 * units of 64 bytes taken from the end of the input (0: none), then the
 * image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "x86/boot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define GUEST_RAM (32ull << 20)

static struct guest_mem mem;
static char long_cmdline[3001];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	if (guest_mem_create(&mem, GUEST_RAM, NULL))
		abort();
	memset(long_cmdline, 'x', sizeof long_cmdline - 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *cmdlines[4] = { NULL, "", "console=ttyS0 quiet",
				    long_cmdline };
	const uint8_t *initrd = NULL;
	size_t initrd_size, image_size;
	struct boot_info info;
	uint8_t *image, *rd = NULL;
	char err[256];

	if (size < 2)
		return 0;
	initrd_size = (size_t)data[1] * 64;
	if (initrd_size > size - 2)
		initrd_size = size - 2;
	image_size = size - 2 - initrd_size;
	if (initrd_size)
		initrd = data + 2 + image_size;
	/* Exact-size copies, so a read past the end is caught. */
	image = malloc(image_size ? image_size : 1);
	memcpy(image, data + 2, image_size);
	if (initrd) {
		rd = malloc(initrd_size);
		memcpy(rd, initrd, initrd_size);
	}
	boot_identify(image, image_size);
	boot_load(&mem, image, image_size, rd, initrd_size,
		  cmdlines[data[0] & 3], &info, err, sizeof err);
	free(image);
	free(rd);
	return 0;
}
