/*
 * serial.c - 16550A UART model.
 */
#include "serial.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvm.h"
#include "log.h"
#include "util.h"

/* Register offsets (DLAB = 0 unless noted). */
enum {
	UART_RX_TX = 0,         /* RBR / THR; DLL with DLAB */
	UART_IER = 1,           /* DLM with DLAB */
	UART_IIR_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
	UART_MSR = 6,
	UART_SCR = 7,
};

#define UART_IER_RDI    0x01
#define UART_IER_THRI   0x02
#define UART_IER_RLSI   0x04
#define UART_IIR_NO_INT 0x01
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_FIFO   0xc0
#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLR_RX 0x02
#define UART_LCR_DLAB   0x80
#define UART_MCR_LOOP   0x10
#define UART_LSR_DR     0x01
#define UART_LSR_OE     0x02
#define UART_LSR_THRE   0x20
#define UART_LSR_TEMT   0x40
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_DCD    0x80

#define SERIAL_FIFO_SIZE 1024
#define SERIAL_ESCAPE    0x01   /* Ctrl-A */

struct serial {
	pthread_mutex_t lock;
	struct kvm *kvm;
	struct loop *loop;
	unsigned irq;
	int in_fd, out_fd;
	bool escape, in_escape;
	serial_quit_fn *quit;
	void *quit_arg;

	uint8_t ier, lcr, mcr, lsr, scr, fcr, dll, dlm;
	bool thri_pending;
	int irq_level;

	uint8_t fifo[SERIAL_FIFO_SIZE];
	unsigned head, count;
	uint64_t rx_dropped;
};

struct serial *
serial_create(struct kvm *kvm, unsigned irq, int in_fd, int out_fd,
	      bool escape, serial_quit_fn *quit, void *quit_arg)
{
	struct serial *s = xcalloc(1, sizeof *s);

	pthread_mutex_init(&s->lock, NULL);
	s->kvm = kvm;
	s->irq = irq;
	s->in_fd = in_fd;
	s->out_fd = out_fd;
	s->escape = escape;
	s->quit = quit;
	s->quit_arg = quit_arg;
	s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	s->dll = 12;            /* 9600 baud, as after reset */
	return s;
}

void
serial_destroy(struct serial *serial)
{
	if (!serial)
		return;
	pthread_mutex_destroy(&serial->lock);
	free(serial);
}

void
serial_set_loop(struct serial *serial, struct loop *loop)
{
	serial->loop = loop;
}

/* Returns the IIR identification of the highest-priority pending source
 * (16550A: receiver line status, then received data, then THR empty; modem
 * status changes are not modelled). */
static uint8_t
serial_iir(const struct serial *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_OE))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->count)
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thri_pending)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

/* Brings the interrupt line in line with the pending sources. */
static void
serial_update_irq(struct serial *s)
{
	int level = serial_iir(s) != UART_IIR_NO_INT;

	if (s->mcr & UART_MCR_LOOP)
		level = 0;
	if (level != s->irq_level && s->kvm) {
		kvm_irq_line(s->kvm, s->irq, level);
		s->irq_level = level;
	}
}

static void
serial_rx_push(struct serial *s, uint8_t c)
{
	if (s->count == SERIAL_FIFO_SIZE) {
		s->lsr |= UART_LSR_OE;
		s->rx_dropped++;
		return;
	}
	s->fifo[(s->head + s->count++) % SERIAL_FIFO_SIZE] = c;
	s->lsr |= UART_LSR_DR;
}

/* A THR write: the write clears a pending THR-empty interrupt (the line
 * drops), the byte leaves at once, and THR empty raises it again.  The
 * drop matters: ISA interrupts are edge-triggered at the IOAPIC, and a line
 * that stayed high across the write would give the guest no new edge, so
 * a THR-empty interrupt the driver waits for would be lost. */
static void
serial_tx(struct serial *s, uint8_t c)
{
	s->thri_pending = false;
	serial_update_irq(s);
	if (s->mcr & UART_MCR_LOOP) {
		serial_rx_push(s, c);
	} else if (s->out_fd >= 0) {
		ssize_t r;

		do
			r = write(s->out_fd, &c, 1);
		while (r < 0 && errno == EINTR);
	}
	s->thri_pending = true;
}

static uint8_t
serial_read(struct serial *s, unsigned reg)
{
	uint8_t v = 0;

	switch (reg) {
	case UART_RX_TX:
		if (s->lcr & UART_LCR_DLAB)
			return s->dll;
		if (s->count) {
			v = s->fifo[s->head];
			s->head = (s->head + 1) % SERIAL_FIFO_SIZE;
			if (!--s->count)
				s->lsr &= ~UART_LSR_DR;
		}
		return v;
	case UART_IER:
		return s->lcr & UART_LCR_DLAB ? s->dlm : s->ier;
	case UART_IIR_FCR:
		v = serial_iir(s);
		if (v == UART_IIR_THRI)
			s->thri_pending = false;
		return v | (s->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		v = s->lsr;
		s->lsr &= ~UART_LSR_OE;
		return v;
	case UART_MSR:
		if (s->mcr & UART_MCR_LOOP)
			return (uint8_t)(((s->mcr & 0x0c) << 4) |
					 ((s->mcr & 0x02) << 3) |
					 ((s->mcr & 0x01) << 5));
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	default:
		return s->scr;
	}
}

static void
serial_write(struct serial *s, unsigned reg, uint8_t v)
{
	switch (reg) {
	case UART_RX_TX:
		if (s->lcr & UART_LCR_DLAB)
			s->dll = v;
		else
			serial_tx(s, v);
		break;
	case UART_IER:
		if (s->lcr & UART_LCR_DLAB) {
			s->dlm = v;
		} else {
			/* Enabling THRI while THR is empty (it always is)
			 * raises it at once, as on real 16550s: Linux's
			 * start_tx relies on it, and its UART_BUG_THRE test
			 * checks it.  Disabling it forgets it. */
			if (!(v & UART_IER_THRI))
				s->thri_pending = false;
			else if (!(s->ier & UART_IER_THRI))
				s->thri_pending = true;
			s->ier = v & 0x0f;
		}
		break;
	case UART_IIR_FCR:
		s->fcr = v & 0xc9;
		if (v & UART_FCR_CLR_RX) {
			s->head = s->count = 0;
			s->lsr &= ~UART_LSR_DR;
		}
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:                /* LSR and MSR are read-only */
		break;
	}
}

void
serial_io(void *serial, uint64_t offset, uint8_t *data, unsigned len,
	  bool is_write)
{
	struct serial *s = serial;

	if (len != 1 || offset >= SERIAL_NR_REGS)
		return;
	pthread_mutex_lock(&s->lock);
	if (is_write)
		serial_write(s, (unsigned)offset, data[0]);
	else
		data[0] = serial_read(s, (unsigned)offset);
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

void
serial_on_input(void *serial, int fd, uint32_t events)
{
	struct serial *s = serial;
	uint8_t buf[256];
	bool quit = false;
	ssize_t n;

	(void)events;
	n = read(fd, buf, sizeof buf);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			if (s->loop)
				loop_del(s->loop, fd);
		}
		return;
	}
	pthread_mutex_lock(&s->lock);
	for (ssize_t i = 0; i < n; i++) {
		if (s->escape && s->in_escape) {
			s->in_escape = false;
			if (buf[i] == 'x') {
				quit = true;
				break;
			}
			if (buf[i] != SERIAL_ESCAPE)
				serial_rx_push(s, SERIAL_ESCAPE);
		} else if (s->escape && buf[i] == SERIAL_ESCAPE) {
			s->in_escape = true;
			continue;
		}
		serial_rx_push(s, buf[i]);
	}
	serial_update_irq(s);
	pthread_mutex_unlock(&s->lock);
	if (quit && s->quit)
		s->quit(s->quit_arg);
}
