/*
 * io.c - port I/O and MMIO range tables.
 */
#include "io.h"

#include <errno.h>
#include <string.h>

int
io_bus_add(struct io_bus *bus, uint64_t base, uint64_t len,
	   io_handler_fn *fn, void *opaque)
{
	if (!len || base + len < base)
		return -EINVAL;
	for (unsigned i = 0; i < bus->n; i++) {
		const struct io_range *r = &bus->ranges[i];

		if (base < r->base + r->len && r->base < base + len)
			return -EEXIST;
	}
	if (bus->n >= IO_BUS_MAX)
		return -ENOSPC;
	bus->ranges[bus->n++] = (struct io_range) {
		.base = base, .len = len, .fn = fn, .opaque = opaque,
	};
	return 0;
}

bool
io_bus_access(const struct io_bus *bus, uint64_t addr, uint8_t *data,
	      unsigned len, bool is_write)
{
	if (!is_write)
		memset(data, 0xff, len);
	for (unsigned i = 0; i < bus->n; i++) {
		const struct io_range *r = &bus->ranges[i];

		if (addr >= r->base && addr - r->base < r->len) {
			r->fn(r->opaque, addr - r->base, data, len, is_write);
			return true;
		}
	}
	return false;
}
