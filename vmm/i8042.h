/*
 * i8042.h - the PC keyboard controller (Intel 8042 and its PS/2
 * successors) at ports 0x60 (data) and 0x64 (status / command), with no
 * keyboard and no mouse plugged in.
 *
 * What a VM needs from it is the CPU reset line: command 0xfe pulses
 * reset, which is how Linux reboots with reboot=k; the VMM treats that as
 * the guest asking to stop (it does not restart the guest).  Writing the
 * output port (command 0xd1) with bit 0 clear pulses reset too.
 *
 * The controller itself answers like a real one so that Linux's i8042
 * driver finishes its probe at once instead of waiting out its timeouts
 * (half a second per unanswered command, seconds in all): reading and
 * writing the command byte (0x20 / 0x60), controller and interface self
 * tests (0xaa -> 0x55, 0xab / 0xa9 -> 0x00), port enable / disable
 * (0xad / 0xae / 0xa7 / 0xa8, reflected in the command byte), the
 * loop-back commands 0xd2 / 0xd3 (the byte comes back from the keyboard /
 * mouse side: Linux's AUX detection and its interrupt test use 0xd3), and
 * the output port (0xd0 / 0xd1).  Bytes for the devices (0x60 writes, and
 * 0xd4 for the mouse) find nobody: the controller answers 0xfe with the
 * status TIMEOUT bit, as a real one does when the device does not clock,
 * so PS/2 drivers fail their probes at once.
 *
 * Interrupts: IRQ 1 while a keyboard-side byte waits and the command byte
 * enables keyboard interrupts, IRQ 12 likewise for the mouse side; levels
 * through KVM_IRQ_LINE ('kvm' NULL: none, for tests).
 */
#ifndef VMM_I8042_H
#define VMM_I8042_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct kvm;

#define I8042_DATA_PORT    0x60
#define I8042_CMD_PORT     0x64
#define I8042_CMD_RESET    0xfe
#define I8042_KBD_IRQ      1
#define I8042_AUX_IRQ      12
#define I8042_QUEUE_SIZE   16

/* Status register (port 0x64 read) bits. */
#define I8042_STR_OBF      0x01 /* output buffer full: read port 0x60 */
#define I8042_STR_IBF      0x02 /* input buffer full: controller busy */
#define I8042_STR_SYS      0x04 /* system flag (self test passed) */
#define I8042_STR_CMD      0x08 /* last write was to port 0x64 */
#define I8042_STR_KEYLOCK  0x10 /* 1: keyboard not inhibited */
#define I8042_STR_AUXDATA  0x20 /* the byte came from the mouse side */
#define I8042_STR_TIMEOUT  0x40 /* the device did not answer */

/* Command byte ("CTR") bits. */
#define I8042_CTR_KBDINT   0x01
#define I8042_CTR_AUXINT   0x02
#define I8042_CTR_SYS      0x04
#define I8042_CTR_KBDDIS   0x10
#define I8042_CTR_AUXDIS   0x20
#define I8042_CTR_XLATE    0x40

/* Called when the guest pulses the reset line. */
typedef void i8042_reset_fn(void *arg);

/* One byte waiting in the output buffer, with the status bits it brings. */
struct i8042_byte {
	uint8_t data;
	uint8_t status;         /* I8042_STR_AUXDATA, I8042_STR_TIMEOUT */
};

struct i8042 {
	i8042_reset_fn *reset;
	void *arg;
	struct kvm *kvm;        /* NULL: no interrupts */

	/* The rest is the controller's state, set by i8042_init().  An
	 * all-zero struct (a static one that only had 'reset' and 'arg'
	 * filled in) is set up on first access. */
	pthread_mutex_t lock;
	bool ready;
	uint8_t ctr;            /* command byte */
	uint8_t outport;        /* output port: bit 0 reset (active low), 1 A20 */
	uint8_t pending_cmd;    /* command waiting for its data byte, or 0 */
	bool last_was_cmd;
	uint8_t last_data;      /* what port 0x60 reads when nothing waits */
	struct i8042_byte queue[I8042_QUEUE_SIZE];
	unsigned head, count;
	int kbd_level, aux_level;
};

/* Sets up 'kbc' (embedded, nothing allocated): controller after its
 * power-on self test; 'reset' (may be NULL) is called with 'arg' when the
 * guest pulses reset; interrupts go to 'kvm' (NULL: none). */
void i8042_init(struct i8042 *kbc, struct kvm *kvm, i8042_reset_fn *reset,
		void *arg);

/* Port I/O handlers (io_handler_fn) for the data port 0x60 and the
 * command/status port 0x64, each registered as a one-byte range; 'dev' is
 * a struct i8042.  Safe from any vCPU thread. */
void i8042_data_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
		   bool is_write);
void i8042_cmd_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
		  bool is_write);

#endif /* VMM_I8042_H */
