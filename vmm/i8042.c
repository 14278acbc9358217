/*
 * i8042.c - keyboard controller with nothing plugged in, and its reset line.
 */
#include "i8042.h"

#include <string.h>

#include "kvm.h"

/* Controller commands (port 0x64 writes). */
enum {
	I8042_READ_CTR = 0x20,          /* 0x20-0x3f read RAM, 0x20 = CTR */
	I8042_WRITE_CTR = 0x60,         /* 0x60-0x7f write RAM, 0x60 = CTR */
	I8042_AUX_DISABLE = 0xa7,
	I8042_AUX_ENABLE = 0xa8,
	I8042_AUX_TEST = 0xa9,
	I8042_SELF_TEST = 0xaa,
	I8042_KBD_TEST = 0xab,
	I8042_KBD_DISABLE = 0xad,
	I8042_KBD_ENABLE = 0xae,
	I8042_READ_INPORT = 0xc0,
	I8042_READ_OUTPORT = 0xd0,
	I8042_WRITE_OUTPORT = 0xd1,
	I8042_KBD_LOOP = 0xd2,
	I8042_AUX_LOOP = 0xd3,
	I8042_AUX_SEND = 0xd4,
};

#define I8042_SELF_TEST_OK   0x55
#define I8042_IF_TEST_OK     0x00
#define I8042_DEV_NO_ANSWER  0xfe
/* After the power-on self test: keyboard interrupt on, system flag,
 * scan-code translation on, both ports enabled. */
#define I8042_CTR_DEFAULT    (I8042_CTR_KBDINT | I8042_CTR_SYS | \
			      I8042_CTR_XLATE)
#define I8042_OUTPORT_RESET  0x01       /* active low */
#define I8042_OUTPORT_A20    0x02
#define I8042_OUTPORT_DEFAULT (I8042_OUTPORT_RESET | I8042_OUTPORT_A20)

static void
i8042_set_defaults(struct i8042 *kbc)
{
	kbc->ctr = I8042_CTR_DEFAULT;
	kbc->outport = I8042_OUTPORT_DEFAULT;
	kbc->pending_cmd = 0;
	kbc->last_was_cmd = false;
	kbc->last_data = 0;
	kbc->head = kbc->count = 0;
	kbc->kbd_level = kbc->aux_level = 0;
	kbc->ready = true;
}

void
i8042_init(struct i8042 *kbc, struct kvm *kvm, i8042_reset_fn *reset,
	   void *arg)
{
	memset(kbc, 0, sizeof *kbc);
	pthread_mutex_init(&kbc->lock, NULL);
	kbc->kvm = kvm;
	kbc->reset = reset;
	kbc->arg = arg;
	i8042_set_defaults(kbc);
}

/* Queues a byte for the guest to read from port 0x60.  A full queue drops
 * the byte: only a guest that never reads can fill it. */
static void
i8042_push(struct i8042 *kbc, uint8_t data, uint8_t status)
{
	struct i8042_byte *b;

	if (kbc->count == I8042_QUEUE_SIZE)
		return;
	b = &kbc->queue[(kbc->head + kbc->count++) % I8042_QUEUE_SIZE];
	b->data = data;
	b->status = status;
}

static uint8_t
i8042_status(const struct i8042 *kbc)
{
	uint8_t st = I8042_STR_KEYLOCK;

	if (kbc->ctr & I8042_CTR_SYS)
		st |= I8042_STR_SYS;
	if (kbc->last_was_cmd)
		st |= I8042_STR_CMD;
	if (kbc->count)
		st |= I8042_STR_OBF | kbc->queue[kbc->head].status;
	return st;
}

/* Brings IRQ 1 and IRQ 12 in line with the byte at the head of the queue
 * and the interrupt enables in the command byte. */
static void
i8042_update_irq(struct i8042 *kbc)
{
	int kbd = 0, aux = 0;

	if (kbc->count) {
		if (kbc->queue[kbc->head].status & I8042_STR_AUXDATA)
			aux = !!(kbc->ctr & I8042_CTR_AUXINT);
		else
			kbd = !!(kbc->ctr & I8042_CTR_KBDINT);
	}
	if (!kbc->kvm)
		return;
	if (kbd != kbc->kbd_level) {
		kvm_irq_line(kbc->kvm, I8042_KBD_IRQ, kbd);
		kbc->kbd_level = kbd;
	}
	if (aux != kbc->aux_level) {
		kvm_irq_line(kbc->kvm, I8042_AUX_IRQ, aux);
		kbc->aux_level = aux;
	}
}

/* Runs controller command 'cmd'.  Returns true if it pulses reset. */
static bool
i8042_command(struct i8042 *kbc, uint8_t cmd)
{
	switch (cmd) {
	case I8042_READ_CTR:
		i8042_push(kbc, kbc->ctr, 0);
		break;
	case I8042_WRITE_CTR:
	case I8042_WRITE_OUTPORT:
	case I8042_KBD_LOOP:
	case I8042_AUX_LOOP:
	case I8042_AUX_SEND:
		kbc->pending_cmd = cmd;
		break;
	case I8042_AUX_DISABLE:
		kbc->ctr |= I8042_CTR_AUXDIS;
		break;
	case I8042_AUX_ENABLE:
		kbc->ctr &= ~I8042_CTR_AUXDIS;
		break;
	case I8042_AUX_TEST:
	case I8042_KBD_TEST:
		i8042_push(kbc, I8042_IF_TEST_OK, 0);
		break;
	case I8042_SELF_TEST:
		kbc->head = kbc->count = 0;
		kbc->ctr |= I8042_CTR_SYS;
		i8042_push(kbc, I8042_SELF_TEST_OK, 0);
		break;
	case I8042_KBD_DISABLE:
		kbc->ctr |= I8042_CTR_KBDDIS;
		break;
	case I8042_KBD_ENABLE:
		kbc->ctr &= ~I8042_CTR_KBDDIS;
		break;
	case I8042_READ_INPORT:
		i8042_push(kbc, 0x00, 0);
		break;
	case I8042_READ_OUTPORT:
		i8042_push(kbc, kbc->outport, 0);
		break;
	case I8042_CMD_RESET:
		return true;
	default:
		if (cmd > I8042_READ_CTR && cmd < 0x40)
			i8042_push(kbc, 0x00, 0);       /* other RAM bytes */
		else if (cmd > I8042_WRITE_CTR && cmd < 0x80)
			kbc->pending_cmd = cmd;
		/* 0xf0-0xff other than 0xfe pulse output lines we do not
		 * have; the rest are vendor commands: ignored. */
		break;
	}
	return false;
}

/* Takes the data byte of a pending command, or a byte for the keyboard.
 * Returns true if it pulses reset. */
static bool
i8042_data(struct i8042 *kbc, uint8_t v)
{
	uint8_t cmd = kbc->pending_cmd;

	kbc->pending_cmd = 0;
	switch (cmd) {
	case I8042_WRITE_CTR:
		kbc->ctr = v;
		break;
	case I8042_WRITE_OUTPORT:
		kbc->outport = v;
		return !(v & I8042_OUTPORT_RESET);
	case I8042_KBD_LOOP:
		i8042_push(kbc, v, 0);
		break;
	case I8042_AUX_LOOP:
		i8042_push(kbc, v, I8042_STR_AUXDATA);
		break;
	case I8042_AUX_SEND:
		i8042_push(kbc, I8042_DEV_NO_ANSWER,
			   I8042_STR_AUXDATA | I8042_STR_TIMEOUT);
		break;
	case 0:
		/* A byte for the keyboard; sending it enables the port. */
		kbc->ctr &= ~I8042_CTR_KBDDIS;
		i8042_push(kbc, I8042_DEV_NO_ANSWER, I8042_STR_TIMEOUT);
		break;
	default:
		break;                  /* other RAM bytes: not kept */
	}
	return false;
}

static void
i8042_access(struct i8042 *kbc, bool is_cmd_port, uint8_t *data,
	     bool is_write)
{
	bool reset = false;

	pthread_mutex_lock(&kbc->lock);
	if (!kbc->ready)
		i8042_set_defaults(kbc);
	if (!is_write && is_cmd_port) {
		data[0] = i8042_status(kbc);
	} else if (!is_write) {
		if (kbc->count) {
			kbc->last_data = kbc->queue[kbc->head].data;
			kbc->head = (kbc->head + 1) % I8042_QUEUE_SIZE;
			kbc->count--;
		}
		data[0] = kbc->last_data;
	} else if (is_cmd_port) {
		kbc->last_was_cmd = true;
		kbc->pending_cmd = 0;
		reset = i8042_command(kbc, data[0]);
	} else {
		kbc->last_was_cmd = false;
		reset = i8042_data(kbc, data[0]);
	}
	i8042_update_irq(kbc);
	pthread_mutex_unlock(&kbc->lock);
	if (reset && kbc->reset)
		kbc->reset(kbc->arg);
}

void
i8042_data_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
	      bool is_write)
{
	(void)offset;
	if (len == 1)
		i8042_access(dev, false, data, is_write);
}

void
i8042_cmd_io(void *dev, uint64_t offset, uint8_t *data, unsigned len,
	     bool is_write)
{
	(void)offset;
	if (len == 1)
		i8042_access(dev, true, data, is_write);
}
