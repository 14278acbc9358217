/*
 * check_vmm_serial.c - the VMM's legacy PC devices as Linux drives them:
 * the 16550A (registers, loopback, input and the Ctrl-A escape, overrun,
 * and its interrupt semantics: THR-empty on IER enable, IIR priority and
 * clear-on-read, an edge per transmitted byte), the i8042 controller
 * probe and reset line, and the CMOS RTC.
 *
 * kvm_irq_line() is replaced by a recorder (this file's definition is
 * linked before libvmm.a's), so interrupt levels and rising edges can be
 * checked without /dev/kvm.
 */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i8042.h"
#include "kvm.h"
#include "rtc.h"
#include "serial.h"

/* ---- interrupt line recorder ------------------------------------------- */

#define NR_LINES 16

static struct kvm fake_kvm;
static int line_level[NR_LINES];
static unsigned line_edges[NR_LINES];  /* rising edges seen */

int
kvm_irq_line(struct kvm *kvm, unsigned irq, int level)
{
	ck_assert_ptr_eq(kvm, &fake_kvm);
	ck_assert_uint_lt(irq, NR_LINES);
	if (level && !line_level[irq])
		line_edges[irq]++;
	line_level[irq] = level;
	return 0;
}

static void
lines_reset(void)
{
	memset(line_level, 0, sizeof line_level);
	memset(line_edges, 0, sizeof line_edges);
}

/* ---- 16550A --------------------------------------------------------------- */

enum { RBR = 0, IER = 1, IIR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6 };
enum { FCR = 2, THR = 0 };

#define IER_RDI   0x01
#define IER_THRI  0x02
#define IER_RLSI  0x04
#define IIR_NONE  0x01
#define IIR_THRI  0x02
#define IIR_RDI   0x04
#define IIR_RLSI  0x06
#define LSR_DR    0x01
#define LSR_OE    0x02
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define MCR_LOOP  0x10

static struct serial *uart;
static int out_pipe[2], in_pipe[2];

/* A UART as the VMM makes it: interrupts to the recorder, input from a
 * pipe (the terminal), output to a pipe, the Ctrl-A escape on. */
static void
uart_setup(void)
{
	lines_reset();
	ck_assert_int_eq(pipe2(out_pipe, O_NONBLOCK), 0);
	ck_assert_int_eq(pipe2(in_pipe, O_NONBLOCK), 0);
	uart = serial_create(&fake_kvm, 4, in_pipe[0], out_pipe[1], true, NULL,
			     NULL);
}

static void
uart_teardown(void)
{
	serial_destroy(uart);
	close(out_pipe[0]);
	close(out_pipe[1]);
	close(in_pipe[0]);
	close(in_pipe[1]);
}

static uint8_t
urd(unsigned reg)
{
	uint8_t v = 0xee;

	serial_io(uart, reg, &v, 1, false);
	return v;
}

static void
uwr(unsigned reg, uint8_t v)
{
	serial_io(uart, reg, &v, 1, true);
}

/* IIR without the FIFO bits. */
static uint8_t
uiir(void)
{
	return urd(IIR) & 0x0f;
}

START_TEST(uart_transmit)
{
	char buf[8] = { 0 };

	ck_assert_uint_eq(urd(5) & 0x60, 0x60);  /* THRE | TEMT */
	uwr(0, 'o');
	uwr(0, 'k');
	ck_assert_int_eq(read(out_pipe[0], buf, sizeof buf), 2);
	ck_assert_str_eq(buf, "ok");
}
END_TEST

START_TEST(uart_probe_registers)
{
	uwr(7, 0x5a);                    /* scratch */
	ck_assert_uint_eq(urd(7), 0x5a);
	uwr(1, 0xff);                    /* IER keeps 4 bits */
	ck_assert_uint_eq(urd(1), 0x0f);
	uwr(3, 0x80);                    /* DLAB: divisor latch */
	uwr(0, 0x01);
	uwr(1, 0x00);
	ck_assert_uint_eq(urd(0), 0x01);
	ck_assert_uint_eq(urd(1), 0x00);
	uwr(3, 0x03);
	ck_assert_uint_eq(urd(1), 0x0f);
	uwr(2, 0x01);                    /* FIFO on: IIR bits 7:6 */
	ck_assert_uint_eq(urd(2) & 0xc0, 0xc0);
	/* Loopback: modem outputs mirrored on MSR, THR to RBR. */
	uwr(4, 0x10 | 0x0a);
	ck_assert_uint_eq(urd(6) & 0xf0, 0x90);
	uwr(0, 'z');
	ck_assert_uint_eq(urd(5) & 1, 1);
	ck_assert_uint_eq(urd(0), 'z');
	ck_assert_uint_eq(urd(5) & 1, 0);
}
END_TEST

START_TEST(uart_receive_and_iir)
{
	ck_assert_int_eq(write(in_pipe[1], "ab", 2), 2);
	serial_on_input(uart, in_pipe[0], 0);
	ck_assert_uint_eq(urd(2) & 0x0f, 0x01);  /* IER off: no interrupt */
	uwr(1, 0x01);                            /* RDI */
	ck_assert_uint_eq(urd(2) & 0x0f, 0x04);
	ck_assert_uint_eq(urd(0), 'a');
	ck_assert_uint_eq(urd(0), 'b');
	ck_assert_uint_eq(urd(2) & 0x0f, 0x01);
	uwr(1, 0x02);                            /* THRI pending once */
	ck_assert_uint_eq(urd(2) & 0x0f, 0x02);
	ck_assert_uint_eq(urd(2) & 0x0f, 0x01);  /* cleared by reading */
	uwr(0, 'x');
	ck_assert_uint_eq(urd(2) & 0x0f, 0x02);  /* again after a byte */
}
END_TEST

START_TEST(uart_escape_and_overrun)
{
	char big[1500];

	/* Ctrl-A Ctrl-A sends one Ctrl-A; other bytes pass. */
	ck_assert_int_eq(write(in_pipe[1], "\x01\x01q", 3), 3);
	serial_on_input(uart, in_pipe[0], 0);
	ck_assert_uint_eq(urd(0), 0x01);
	ck_assert_uint_eq(urd(0), 'q');
	/* More than the FIFO holds: overrun flagged once, no crash. */
	memset(big, 'b', sizeof big);
	ck_assert_int_eq(write(in_pipe[1], big, sizeof big), sizeof big);
	for (int i = 0; i < 8; i++)
		serial_on_input(uart, in_pipe[0], 0);
	ck_assert_uint_eq(urd(5) & 0x02, 0x02);
	ck_assert_uint_eq(urd(5) & 0x02, 0x00);
	/* Accesses of a wrong width or offset are ignored. */
	{
		uint8_t w[4] = { 1, 2, 3, 4 };

		serial_io(uart, 0, w, 4, true);
		serial_io(uart, 9, w, 1, true);
	}
}
END_TEST

/* Linux's UART_BUG_THRE test: enabling THRI with THR empty must raise it,
 * reading IIR clears it, and disabling and re-enabling raises it again. */
START_TEST(uart_thri_on_ier_enable)
{
	uwr(IER, IER_THRI);
	ck_assert_int_eq(line_level[4], 1);
	ck_assert_uint_eq(uiir(), IIR_THRI);
	ck_assert_int_eq(line_level[4], 0);
	ck_assert_uint_eq(uiir(), IIR_NONE);
	uwr(IER, 0);
	uwr(IER, IER_THRI);
	ck_assert_uint_eq(uiir(), IIR_THRI);
	ck_assert_uint_eq(line_edges[4], 2);

	/* Disabling THRI forgets it; RDI alone reports nothing. */
	uwr(IER, IER_THRI);
	uwr(IER, IER_RDI);
	ck_assert_uint_eq(uiir(), IIR_NONE);
	ck_assert_int_eq(line_level[4], 0);
}
END_TEST

/* Interrupt-driven transmission: every THR write clears THRI and THR empty
 * raises it again, so each write is a new edge even when the guest did
 * not read IIR in between (an edge-triggered IOAPIC pin would otherwise
 * miss it and the driver would wait for ever). */
START_TEST(uart_thr_write_edges)
{
	char buf[8];

	uwr(IER, IER_THRI);
	ck_assert_uint_eq(uiir(), IIR_THRI);
	for (int i = 0; i < 5; i++)
		uwr(THR, (uint8_t)('a' + i));
	ck_assert_uint_eq(line_edges[4], 1 + 5);
	ck_assert_int_eq(line_level[4], 1);
	ck_assert_uint_eq(uiir(), IIR_THRI);
	ck_assert_int_eq(line_level[4], 0);
	ck_assert_int_eq(read(out_pipe[0], buf, sizeof buf), 5);
	ck_assert_int_eq(memcmp(buf, "abcde", 5), 0);

	/* With THRI off, writes raise nothing. */
	uwr(IER, 0);
	uwr(THR, 'x');
	ck_assert_int_eq(line_level[4], 0);
	ck_assert_uint_eq(uiir(), IIR_NONE);
}
END_TEST

/* serial8250_console_write(): save IER, clear it, poll LSR and write,
 * restore IER.  The restore must bring THRI back so that a pending
 * interrupt-driven transmission continues. */
START_TEST(uart_console_write_restores_thri)
{
	uint8_t saved;

	uwr(IER, IER_THRI | IER_RDI);
	ck_assert_uint_eq(uiir(), IIR_THRI);
	saved = urd(IER);
	ck_assert_uint_eq(saved, IER_THRI | IER_RDI);
	uwr(IER, 0);
	for (const char *p = "console\n"; *p; p++) {
		ck_assert_uint_eq(urd(LSR) & LSR_THRE, LSR_THRE);
		uwr(THR, (uint8_t)*p);
	}
	ck_assert_uint_eq(urd(LSR) & (LSR_THRE | LSR_TEMT),
			  LSR_THRE | LSR_TEMT);
	ck_assert_int_eq(line_level[4], 0);
	uwr(IER, saved);
	ck_assert_int_eq(line_level[4], 1);
	ck_assert_uint_eq(uiir(), IIR_THRI);
}
END_TEST

/* IIR priority (16550A): line status, then received data, then THRI;
 * reading LSR clears the overrun and with it the line-status interrupt. */
START_TEST(uart_iir_priority)
{
	uwr(MCR, MCR_LOOP);
	uwr(IER, IER_RDI | IER_THRI | IER_RLSI);
	ck_assert_uint_eq(uiir(), IIR_THRI);
	uwr(THR, 'q');                  /* loops back into the receiver */
	ck_assert_uint_eq(urd(LSR) & LSR_DR, LSR_DR);
	ck_assert_uint_eq(uiir(), IIR_RDI);
	ck_assert_uint_eq(uiir(), IIR_RDI);     /* RDI is not cleared by IIR */
	ck_assert_uint_eq(urd(RBR), 'q');
	ck_assert_uint_eq(urd(LSR) & LSR_DR, 0);
	ck_assert_uint_eq(uiir(), IIR_THRI);    /* THRI from the THR write */
	ck_assert_uint_eq(uiir(), IIR_NONE);

	/* Fill the receive FIFO past its end: overrun. */
	for (int i = 0; i < 1100; i++)
		uwr(THR, 'o');
	ck_assert_uint_eq(uiir(), IIR_RLSI);
	ck_assert_uint_eq(urd(LSR) & (LSR_OE | LSR_DR), LSR_OE | LSR_DR);
	ck_assert_uint_eq(urd(LSR) & LSR_OE, 0);
	ck_assert_uint_eq(uiir(), IIR_RDI);
	/* Loopback keeps the line low whatever is pending. */
	ck_assert_int_eq(line_level[4], 0);
}
END_TEST

/* ---- i8042 ------------------------------------------------------------------ */

static struct i8042 kbc;
static int resets;

static void
on_reset(void *arg)
{
	ck_assert_ptr_eq(arg, &kbc);
	resets++;
}

static void
kbc_setup(void)
{
	lines_reset();
	resets = 0;
	i8042_init(&kbc, &fake_kvm, on_reset, &kbc);
}

static uint8_t
kstatus(void)
{
	uint8_t v = 0xee;

	i8042_cmd_io(&kbc, 0, &v, 1, false);
	return v;
}

static uint8_t
kdata(void)
{
	uint8_t v = 0xee;

	i8042_data_io(&kbc, 0, &v, 1, false);
	return v;
}

static void
kcmd(uint8_t c)
{
	i8042_cmd_io(&kbc, 0, &c, 1, true);
}

static void
kwrite(uint8_t c)
{
	i8042_data_io(&kbc, 0, &c, 1, true);
}

/* i8042_command() of Linux: wait for IBF clear, write, wait for OBF. */
static uint8_t
kcommand_read(uint8_t c)
{
	ck_assert_uint_eq(kstatus() & I8042_STR_IBF, 0);
	kcmd(c);
	ck_assert_uint_eq(kstatus() & I8042_STR_OBF, I8042_STR_OBF);
	return kdata();
}

/* What Linux's i8042 probe does, in order: flush, read the command byte
 * twice, write it back, self test, interface tests. */
START_TEST(kbc_linux_probe)
{
	uint8_t ctr, st;

	st = kstatus();
	ck_assert_uint_eq(st & (I8042_STR_OBF | I8042_STR_IBF), 0);
	ck_assert_uint_eq(st & I8042_STR_KEYLOCK, I8042_STR_KEYLOCK);
	ck_assert_uint_eq(st & I8042_STR_SYS, I8042_STR_SYS);

	ctr = kcommand_read(0x20);
	ck_assert_uint_eq(kcommand_read(0x20), ctr);
	ck_assert_uint_eq(ctr & I8042_CTR_XLATE, I8042_CTR_XLATE);
	ck_assert_uint_eq(kstatus() & I8042_STR_OBF, 0);

	kcmd(0x60);
	ck_assert_uint_eq(kstatus() & I8042_STR_CMD, I8042_STR_CMD);
	kwrite((uint8_t)((ctr | I8042_CTR_KBDDIS) & ~I8042_CTR_KBDINT));
	ck_assert_uint_eq(kstatus() & I8042_STR_CMD, 0);
	ck_assert_uint_eq(kcommand_read(0x20),
			  (ctr | I8042_CTR_KBDDIS) & ~I8042_CTR_KBDINT);
	/* That data byte went to the command, not to the keyboard. */
	ck_assert_uint_eq(kstatus() & I8042_STR_OBF, 0);

	ck_assert_uint_eq(kcommand_read(0xaa), 0x55);
	ck_assert_uint_eq(kcommand_read(0xab), 0x00);
	ck_assert_uint_eq(kcommand_read(0xa9), 0x00);

	kcmd(0xa7);
	ck_assert_uint_eq(kcommand_read(0x20) & I8042_CTR_AUXDIS,
			  I8042_CTR_AUXDIS);
	kcmd(0xa8);
	ck_assert_uint_eq(kcommand_read(0x20) & I8042_CTR_AUXDIS, 0);
	kcmd(0xad);
	ck_assert_uint_eq(kcommand_read(0x20) & I8042_CTR_KBDDIS,
			  I8042_CTR_KBDDIS);
	kcmd(0xae);
	ck_assert_uint_eq(kcommand_read(0x20) & I8042_CTR_KBDDIS, 0);
	ck_assert_int_eq(resets, 0);
}
END_TEST

/* Linux's AUX detection: the loop-back byte comes back from the mouse
 * side, and with AUXINT set it raises IRQ 12 until it is read; the MUX
 * probe's third byte comes back unchanged (no active multiplexer). */
START_TEST(kbc_aux_loop_and_irq)
{
	kcmd(0xd3);
	kwrite(0x5a);
	ck_assert_uint_eq(kstatus() & (I8042_STR_OBF | I8042_STR_AUXDATA),
			  I8042_STR_OBF | I8042_STR_AUXDATA);
	ck_assert_int_eq(line_level[12], 0);    /* AUXINT is off */
	ck_assert_uint_eq(kdata(), 0x5a);

	kcmd(0x60);
	kwrite(I8042_CTR_AUXINT | I8042_CTR_KBDINT | I8042_CTR_SYS);
	kcmd(0xd3);
	kwrite(0xa5);
	ck_assert_int_eq(line_level[12], 1);
	ck_assert_int_eq(line_level[1], 0);
	ck_assert_uint_eq(kdata(), 0xa5);
	ck_assert_int_eq(line_level[12], 0);
	ck_assert_uint_eq(kstatus() & I8042_STR_OBF, 0);

	/* Keyboard-side loop-back raises IRQ 1. */
	kcmd(0xd2);
	kwrite(0x11);
	ck_assert_int_eq(line_level[1], 1);
	ck_assert_uint_eq(kstatus() & I8042_STR_AUXDATA, 0);
	ck_assert_uint_eq(kdata(), 0x11);
	ck_assert_int_eq(line_level[1], 0);
}
END_TEST

/* Nothing is plugged in: bytes for the keyboard or the mouse come back as
 * 0xfe with the TIMEOUT status bit, on the right side. */
START_TEST(kbc_no_devices)
{
	kwrite(0xf2);                   /* keyboard GET ID */
	ck_assert_uint_eq(kstatus() & (I8042_STR_OBF | I8042_STR_TIMEOUT |
				       I8042_STR_AUXDATA),
			  I8042_STR_OBF | I8042_STR_TIMEOUT);
	ck_assert_int_eq(line_level[1], 1);
	ck_assert_uint_eq(kdata(), 0xfe);
	ck_assert_uint_eq(kstatus() & (I8042_STR_OBF | I8042_STR_TIMEOUT), 0);

	kcmd(0xd4);
	kwrite(0xff);                   /* mouse RESET */
	ck_assert_uint_eq(kstatus() & (I8042_STR_OBF | I8042_STR_TIMEOUT |
				       I8042_STR_AUXDATA),
			  I8042_STR_OBF | I8042_STR_TIMEOUT |
			  I8042_STR_AUXDATA);
	ck_assert_uint_eq(kdata(), 0xfe);
	/* Reading an empty buffer repeats the last byte, as the chip does. */
	ck_assert_uint_eq(kdata(), 0xfe);
	ck_assert_int_eq(line_level[12], 0);    /* AUXINT off by default */
}
END_TEST

START_TEST(kbc_reset_line)
{
	kcmd(0xd1);
	kwrite(0x03);                   /* reset line high: nothing */
	ck_assert_int_eq(resets, 0);
	ck_assert_uint_eq(kcommand_read(0xd0), 0x03);
	kcmd(0xfe);
	ck_assert_int_eq(resets, 1);
	kcmd(0xd1);
	kwrite(0x02);                   /* bit 0 low: reset */
	ck_assert_int_eq(resets, 2);
	/* Linux's kb_wait() before 0xfe: the input buffer is never full. */
	ck_assert_uint_eq(kstatus() & I8042_STR_IBF, 0);
}
END_TEST

/* A static controller with only 'reset' and 'arg' filled in (how the VMM
 * declared it before i8042_init() existed) works, without interrupts. */
START_TEST(kbc_zeroed_struct)
{
	static struct i8042 z;

	z.reset = on_reset;
	z.arg = &kbc;
	{
		uint8_t v = 0x20, st = 0;

		i8042_cmd_io(&z, 0, &v, 1, true);
		i8042_cmd_io(&z, 0, &st, 1, false);
		ck_assert_uint_eq(st & I8042_STR_OBF, I8042_STR_OBF);
		i8042_data_io(&z, 0, &v, 1, false);
		ck_assert_uint_eq(v & I8042_CTR_SYS, I8042_CTR_SYS);
		v = 0xfe;
		i8042_cmd_io(&z, 0, &v, 1, true);
	}
	ck_assert_int_eq(resets, 1);
	ck_assert_uint_eq(line_edges[1] + line_edges[12], 0);
}
END_TEST

/* ---- RTC -------------------------------------------------------------------- */

static struct rtc rtc;

static void
rtc_setup(void)
{
	rtc_init(&rtc);
}

static void
rtc_teardown(void)
{
	rtc_uninit(&rtc);
}

static uint8_t
cmos_rd(uint8_t reg)
{
	uint8_t v = reg | 0x80;         /* NMI masked, as Linux does */

	rtc_io(&rtc, 0, &v, 1, true);
	v = 0xee;
	rtc_io(&rtc, 1, &v, 1, false);
	return v;
}

static void
cmos_wr(uint8_t reg, uint8_t val)
{
	rtc_io(&rtc, 0, &reg, 1, true);
	rtc_io(&rtc, 1, &val, 1, true);
}

static unsigned
bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

/* Reads the clock as Linux's mc146818_get_time() does, in BCD 24-hour. */
static time_t
cmos_time_bcd(void)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_sec = (int)bcd(cmos_rd(0x00));
	tm.tm_min = (int)bcd(cmos_rd(0x02));
	tm.tm_hour = (int)bcd(cmos_rd(0x04));
	tm.tm_mday = (int)bcd(cmos_rd(0x07));
	tm.tm_mon = (int)bcd(cmos_rd(0x08)) - 1;
	tm.tm_year = (int)(bcd(cmos_rd(0x32)) * 100 + bcd(cmos_rd(0x09))) -
		     1900;
	return timegm(&tm);
}

/* Power-on state: valid RAM and time, no update in progress, BCD and 24
 * hours, and the host's UTC time. */
START_TEST(rtc_power_on)
{
	time_t t;

	ck_assert_uint_eq(cmos_rd(0x0d), 0x80);
	ck_assert_uint_eq(cmos_rd(0x0a) & 0x80, 0);
	ck_assert_uint_eq(cmos_rd(0x0a), 0x26);
	ck_assert_uint_eq(cmos_rd(0x0b), 0x02);
	ck_assert_uint_eq(cmos_rd(0x0c), 0x00);
	t = cmos_time_bcd();
	ck_assert_int_le(labs((long)(t - time(NULL))), 2);
	ck_assert_int_le(labs((long)(rtc_guest_time(&rtc) - time(NULL))), 2);
	/* Index port: write-only. */
	{
		uint8_t v = 0;

		rtc_io(&rtc, 0, &v, 1, false);
		ck_assert_uint_eq(v, 0xff);
	}
}
END_TEST

/* Setting the clock the chip's way: SET, write the fields, clear SET. */
START_TEST(rtc_set_time)
{
	time_t want, got;

	cmos_wr(0x0b, 0x82);
	cmos_wr(0x00, 0x30);            /* 1999-12-31 23:59:30 UTC */
	cmos_wr(0x02, 0x59);
	cmos_wr(0x04, 0x23);
	cmos_wr(0x07, 0x31);
	cmos_wr(0x08, 0x12);
	cmos_wr(0x09, 0x99);
	cmos_wr(0x32, 0x19);
	/* Frozen while SET. */
	ck_assert_uint_eq(cmos_rd(0x00), 0x30);
	cmos_wr(0x0b, 0x02);
	want = 946684770;
	got = cmos_time_bcd();
	ck_assert_int_le(labs((long)(got - want)), 2);
	ck_assert_int_le(labs((long)(rtc_guest_time(&rtc) - want)), 2);

	/* Binary, 12-hour: 23h is 11 PM. */
	cmos_wr(0x0b, 0x04);
	ck_assert_uint_eq(cmos_rd(0x04), 0x80 | 11);
	ck_assert_uint_eq(cmos_rd(0x09), 99);
	/* Registers C and D are read-only, A's UIP bit too. */
	cmos_wr(0x0d, 0x00);
	ck_assert_uint_eq(cmos_rd(0x0d), 0x80);
	cmos_wr(0x0a, 0xa6);
	ck_assert_uint_eq(cmos_rd(0x0a), 0x26);
	/* Plain CMOS RAM keeps what is written. */
	cmos_wr(0x40, 0x5c);
	ck_assert_uint_eq(cmos_rd(0x40), 0x5c);
	/* Bad accesses are ignored. */
	{
		uint8_t w[2] = { 1, 2 };

		rtc_io(&rtc, 1, w, 2, true);
		rtc_io(&rtc, 5, w, 1, true);
	}
	ck_assert_uint_eq(cmos_rd(0x40), 0x5c);
}
END_TEST

static Suite *
vmm_legacy_suite(void)
{
	Suite *s = suite_create("vmm_legacy");
	TCase *tc;

	tc = tcase_create("uart");
	tcase_add_checked_fixture(tc, uart_setup, uart_teardown);
	tcase_add_test(tc, uart_transmit);
	tcase_add_test(tc, uart_probe_registers);
	tcase_add_test(tc, uart_receive_and_iir);
	tcase_add_test(tc, uart_escape_and_overrun);
	tcase_add_test(tc, uart_thri_on_ier_enable);
	tcase_add_test(tc, uart_thr_write_edges);
	tcase_add_test(tc, uart_console_write_restores_thri);
	tcase_add_test(tc, uart_iir_priority);
	suite_add_tcase(s, tc);

	tc = tcase_create("i8042");
	tcase_add_checked_fixture(tc, kbc_setup, NULL);
	tcase_add_test(tc, kbc_linux_probe);
	tcase_add_test(tc, kbc_aux_loop_and_irq);
	tcase_add_test(tc, kbc_no_devices);
	tcase_add_test(tc, kbc_reset_line);
	tcase_add_test(tc, kbc_zeroed_struct);
	suite_add_tcase(s, tc);

	tc = tcase_create("rtc");
	tcase_add_checked_fixture(tc, rtc_setup, rtc_teardown);
	tcase_add_test(tc, rtc_power_on);
	tcase_add_test(tc, rtc_set_time);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vmm_legacy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
