/*
 * io.h - dispatch of guest port I/O and MMIO exits to device handlers.
 *
 * A bus is a small table of address ranges, filled at start-up before any
 * vCPU runs and read-only afterwards, so lookups take no lock.  Handlers
 * run on vCPU threads and lock their own device state.  Ranges that move at
 * run time (PCI BARs) are one fixed range handled by pci.c.
 */
#ifndef VMM_IO_H
#define VMM_IO_H

#include <stdbool.h>
#include <stdint.h>

/* Handles an access of 'len' bytes (1, 2, 4 or 8) at 'offset' into the
 * range.  For a write 'data' holds the bytes, for a read the handler
 * fills them (it is preset to all-ones). */
typedef void io_handler_fn(void *opaque, uint64_t offset, uint8_t *data,
			   unsigned len, bool is_write);

#define IO_BUS_MAX 32

struct io_range {
	uint64_t base;
	uint64_t len;
	io_handler_fn *fn;
	void *opaque;
};

struct io_bus {
	const char *name;
	unsigned n;
	struct io_range ranges[IO_BUS_MAX];
};

/* Adds ['base', 'base' + 'len') to 'bus'.  Returns 0, -EEXIST if it
 * overlaps a range already there, or -ENOSPC. */
int io_bus_add(struct io_bus *bus, uint64_t base, uint64_t len,
	       io_handler_fn *fn, void *opaque);

/* Dispatches one access.  Returns false if no range covers 'addr' (reads
 * then see all-ones, writes are dropped by the caller). */
bool io_bus_access(const struct io_bus *bus, uint64_t addr, uint8_t *data,
		   unsigned len, bool is_write);

#endif /* VMM_IO_H */
