/*
 * fuzz-input.h - reading a fuzz input as a stream of operation bytes, for
 * the targets that decode one (fuzz_stp.c, fuzz_vmm_pci.c): past the end
 * every byte reads as 0, so any input is a whole sequence.
 */
#ifndef TESTS_FUZZ_INPUT_H
#define TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
	const uint8_t *p;
	size_t n;		/* bytes left */
};

static inline uint8_t
fuzz_u8(struct fuzz_input *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

/* Big-endian. */
static inline uint16_t
fuzz_u16(struct fuzz_input *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

#endif /* TESTS_FUZZ_INPUT_H */
