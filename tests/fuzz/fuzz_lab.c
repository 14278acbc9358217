/*
 * fuzz_lab.c - libFuzzer target: the lab file parser (ctl/lab/lab-parse.c),
 * as "bridgectl lab up" reads a file: YAML through libyaml, then every key,
 * value and cross-reference checked.  Every input either parses into a lab
 * (whose plan is printed to /dev/null, walking the whole model) or gives
 * one error line; nothing may crash, leak or overrun.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../ctl/lab/lab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[LAB_ERR_MAX];
	struct lab *lab;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	lab = lab_parse("fuzz.yml", (const char *)data, size, err);
	if (lab) {
		lab_plan_print(lab, devnull);
		lab_destroy(lab);
	} else if (!err[0] || strchr(err, '\n')) {
		__builtin_trap();	/* the error must be one line */
	}
	return 0;
}
