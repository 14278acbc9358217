/*
 * fuzz_config.c - libFuzzer target: the configuration loader.  The input
 * is written as the configuration file and loaded with
 * config_store_open(), as vswitchd does at start: read, strict UTF-8 and
 * JSON checks, the document checks (config-doc.c) and the replay of every
 * bridge, port, VLAN and FDB entry through the control methods.  Then the
 * store is closed and the bridges destroyed for the next input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-store.h"
#include "ctl-methods.h"
#include "fuzz-daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char *path;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_daemon_init();

	(void)argc; (void)argv;
	path = malloc(strlen(dir) + 16);
	sprintf(path, "%s/config.json", dir);
	/* As main() does: the store hears of the ports loading creates. */
	ctl_methods_observe(&config_store_observer);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write_file(path, data, size);
	config_store_open(path);
	config_store_close();
	fuzz_daemon_reset();
	return 0;
}
