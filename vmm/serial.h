/*
 * serial.h - an 8250/16550A UART (the PC's COM1 at 0x3f8, IRQ 4).
 *
 * Transmitted bytes go straight to an output fd (the terminal or a file);
 * bytes read from an input fd (the terminal) fill a receive FIFO.  Enough
 * of the 16550A is modelled for Linux's 8250 driver to probe it (scratch,
 * FIFO, loopback with modem-status mirroring) and to run it interrupt
 * driven (RDI and THRI).  The interrupt is a level on an ISA line, raised
 * and lowered through KVM_IRQ_LINE.
 */
#ifndef VMM_SERIAL_H
#define VMM_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "io.h"
#include "loop.h"

struct kvm;
struct serial;

#define SERIAL_COM1_BASE 0x3f8
#define SERIAL_COM1_IRQ  4
#define SERIAL_NR_REGS   8

/* Called when the user types the escape sequence Ctrl-A x. */
typedef void serial_quit_fn(void *arg);

/* Creates a UART raising 'irq' through 'kvm' (NULL: no interrupts, for
 * tests), writing to 'out_fd' and, if 'in_fd' >= 0, reading from it when
 * serial_on_input() runs.  'escape' enables Ctrl-A x, which calls 'quit'.
 * The fds stay owned by the caller. */
struct serial *serial_create(struct kvm *kvm, unsigned irq, int in_fd,
			     int out_fd, bool escape, serial_quit_fn *quit,
			     void *quit_arg);

/* Frees 'serial' (NULL is fine). */
void serial_destroy(struct serial *serial);

/* Port I/O handler for the 8 registers (io_handler_fn). */
void serial_io(void *serial, uint64_t offset, uint8_t *data, unsigned len,
	       bool is_write);

/* Loop callback for the input fd (loop_fn): reads what fits in the FIFO.
 * On end of file it stops watching the fd. */
void serial_on_input(void *serial, int fd, uint32_t events);

/* The loop serial_on_input() should remove the fd from on EOF. */
void serial_set_loop(struct serial *serial, struct loop *loop);

#endif /* VMM_SERIAL_H */
