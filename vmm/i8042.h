/*
 * i8042.h - the part of the PC keyboard controller a VM needs: the CPU
 * reset line.  Writing command 0xfe to port 0x64 pulses reset, which is
 * how Linux reboots with reboot=k; the VMM treats it as the guest asking
 * to stop (it does not restart the guest).  Status reads say "no data,
 * input buffer empty", so drivers see an idle controller.
 */
#ifndef VMM_I8042_H
#define VMM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT    0x60
#define I8042_CMD_PORT     0x64
#define I8042_CMD_RESET    0xfe

/* Called when the guest pulses the reset line. */
typedef void i8042_reset_fn(void *arg);

struct i8042 {
	i8042_reset_fn *reset;
	void *arg;
};

/* Port I/O handlers (io_handler_fn) for the data port 0x60 and the
 * command/status port 0x64, each registered as a one-byte range; 'dev' is
 * a struct i8042. */
void i8042_data_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
		   bool is_write);
void i8042_cmd_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
		  bool is_write);

#endif /* VMM_I8042_H */
