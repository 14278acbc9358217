/*
 * fuzz_script.c - libFuzzer target: the setup language of --script and
 * the replay tests (vswitchd/script.c).  Each line of the input is run
 * with script_run_line() in replay mode (as 'vswitchd --replay' does, so
 * 'at' and 'end' are allowed and no bridge device is created), going on
 * after a failing line to reach more commands; then the deferred 'at'
 * commands run, all of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-daemon.h"
#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_LINES 64	/* keeps one input's run short */

static const char *dir;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	dir = fuzz_daemon_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script_ctx ctx = { .in_dir = dir, .out_dir = dir,
				  .replay = true, .file = "fuzz" };
	char *text = malloc(size + 1), *line, *save = NULL;
	unsigned n = 0;

	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line && n < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save), n++) {
		ctx.line = n + 1;
		script_run_line(&ctx, line);
	}
	script_run_due(&ctx, UINT64_MAX);
	script_ctx_uninit(&ctx);
	free(text);
	fuzz_daemon_reset();
	return 0;
}
