/*
 * guest-fault.h - surviving a front-end that shrinks guest memory.
 *
 * A vhost-user front-end hands us file descriptors for its memory and we
 * map them.  If it later truncates such a file, any access to the lost
 * pages raises SIGBUS, which would kill vswitchd and every bridge in it:
 * a hostile or buggy guest must not be able to do that (DESIGN principle
 * 4).  Mappings are registered here; a SIGBUS inside one of them replaces
 * the rest of that mapping with anonymous zero pages (so the faulting
 * access completes, reading zeros or writing into the void), sets the
 * registrant's flag, and returns.  The owner sees the flag at its next
 * turn of the loop and drops the connection.  A SIGBUS anywhere else is a
 * bug of ours: the default action (core dump) happens as without us.
 *
 * The table is changed only on the thread that touches guest memory (the
 * main loop), never while it does, so the handler reads it without locks.
 */
#ifndef VSWITCHD_GUEST_FAULT_H
#define VSWITCHD_GUEST_FAULT_H

#include <signal.h>
#include <stddef.h>

/* Watches ['map', 'map' + 'len'); a SIGBUS there sets '*flag' to 1.
 * Installs the handler the first time.  Returns 0 or -errno. */
int guest_fault_watch(void *map, size_t len, volatile sig_atomic_t *flag);

/* Stops watching the mapping that starts at 'map' (before munmap). */
void guest_fault_unwatch(void *map);

#endif /* VSWITCHD_GUEST_FAULT_H */
