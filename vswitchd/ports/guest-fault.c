/*
 * guest-fault.c - SIGBUS in guest memory becomes a flag (guest-fault.h).
 */
#include "guest-fault.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

struct watched {
	uintptr_t start, end;
	volatile sig_atomic_t *flag;
};

static struct watched *table;
static size_t n_table, cap_table;
static bool installed;
static uintptr_t page_mask;	/* read in the handler: set before it runs */

static void
guest_fault_handler(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	uintptr_t page = a & page_mask;

	(void)uctx;
	for (size_t i = 0; i < n_table; i++) {
		const struct watched *w = &table[i];

		if (a < w->start || a >= w->end)
			continue;
		if (page < w->start)
			page = w->start;
		if (mmap((void *)page, w->end - page, PROT_READ | PROT_WRITE,
			 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
		    MAP_FAILED)
			break;
		*w->flag = 1;
		return;
	}
	/* Not guest memory (or no way to patch it): die as without us. */
	signal(sig, SIG_DFL);
}

int
guest_fault_watch(void *map, size_t len, volatile sig_atomic_t *flag)
{
	if (!installed) {
		struct sigaction sa;

		page_mask = ~((uintptr_t)sysconf(_SC_PAGESIZE) - 1);
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = guest_fault_handler;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGBUS, &sa, NULL) < 0)
			return -errno;
		installed = true;
	}
	if (n_table == cap_table) {
		cap_table = cap_table ? cap_table * 2 : 16;
		table = xrealloc(table, cap_table * sizeof *table);
	}
	table[n_table++] = (struct watched) {
		.start = (uintptr_t)map, .end = (uintptr_t)map + len,
		.flag = flag,
	};
	return 0;
}

void
guest_fault_unwatch(void *map)
{
	for (size_t i = 0; i < n_table; i++) {
		if (table[i].start == (uintptr_t)map) {
			table[i] = table[--n_table];
			return;
		}
	}
}
