/*
 * i8042.c - keyboard controller reset line.
 */
#include "i8042.h"

void
i8042_data_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
	      bool is_write)
{
	(void)dev;
	(void)offset;
	if (!is_write && len == 1)
		data[0] = 0;
}

void
i8042_cmd_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
	     bool is_write)
{
	struct i8042 *kbc = dev;

	(void)offset;
	if (len != 1)
		return;
	if (!is_write)
		data[0] = 0;    /* no output data, input buffer empty */
	else if (data[0] == I8042_CMD_RESET && kbc->reset)
		kbc->reset(kbc->arg);
}
