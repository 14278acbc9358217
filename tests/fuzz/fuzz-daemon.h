/*
 * fuzz-daemon.h - what the fuzz targets that drive the daemon's control
 * plane share (fuzz-daemon.c): a daemon set up once per process, in a
 * sandbox, and a fixed starting state rebuilt for every input.
 *
 * libFuzzer runs every input in one process, so whatever an input changes
 * would otherwise leak into the next and make a crash depend on the
 * inputs before it.  Each target calls fuzz_daemon_reset() after an
 * input: every bridge is destroyed and the clock runs again.
 *
 * The sandbox: port_class_allow_only() lets inputs create only "null"
 * and "patch" ports (both live inside the process), so no input can make
 * a TAP, a vhost-user socket, a VXLAN socket or a pcap file anywhere on
 * the host (the fuzzers may run as root).  Scratch files go
 * to one directory under /tmp named hdfuzz-*, removed at exit.
 */
#ifndef TESTS_FUZZ_DAEMON_H
#define TESTS_FUZZ_DAEMON_H

#include <stddef.h>

/* Sets up logging (errors only), the daemon's loop and pool, and the
 * sandbox.  Idempotent.  Returns the scratch directory. */
const char *fuzz_daemon_init(void);

/* Back to no bridges and a running clock. */
void fuzz_daemon_reset(void);

/* Writes 'size' bytes of 'data' to 'path' (truncating).  Aborts on
 * failure: the target cannot go on without its file. */
void fuzz_write_file(const char *path, const void *data, size_t size);

#endif /* TESTS_FUZZ_DAEMON_H */
