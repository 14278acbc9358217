/*
 * guest.c - the VMM's freestanding test guest.
 *
 * Entered in 64-bit mode by the VMM (like a kernel, with boot_params), it
 * checks what a Linux guest would rely on and prints one line per finding
 * on COM1; the tests match these lines.  In order:
 *   - "guest: ready", the command line and the e820 map from boot_params;
 *   - PCI enumeration through 0xcf8/0xcfc: IDs, class and BAR sizes;
 *   - the virtio-net device: vendor capabilities, the virtio 1.x
 *     initialisation (reset, ACKNOWLEDGE, DRIVER, features with VERSION_1,
 *     FEATURES_OK, queues, DRIVER_OK), its config space;
 *   - MSI-X: table programming, a transmit kick whose used buffer raises
 *     the TX vector, and a masked vector that sets its PBA bit and fires
 *     on unmask;
 * then "guest: all tests passed" (or "guest: FAIL ...") and a reset
 * through the i8042, which ends the VMM with status 0.
 * Command-line words: "hold" spins after the tests instead of resetting
 * (for the benchmark); "triplefault" crashes on purpose; "echo" reads a
 * line from the serial port and prints it back.
 *
 * Network modes (a virtio-net driver with 256-entry rings, after the
 * tests above; the guest then runs until the VMM is stopped):
 *   ip=A.B.C.D      answer ARP requests and ICMP echo requests for A.B.C.D
 *                   (receive interrupts, hlt while idle);
 *   ping=E.F.G.H    (with ip=) resolve E.F.G.H by ARP and send an echo
 *                   request every 200 ms, printing each reply;
 *   tx=MAC          send 64-byte frames (EtherType 0x88b5) to MAC as fast
 *                   as the ring allows;
 *   count           count received frames;
 * with tx= or count the guest polls (no interrupts) and prints
 * "guest: tx N rx M frames/s" every second.
 * Link changes (configuration interrupts) are printed as "guest: link up"
 * or "guest: link down".
 */
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COM1            0x3f8
#define LAPIC_BASE      0xfee00000UL
#define LAPIC_TPR       0x080
#define LAPIC_EOI       0x0b0
#define LAPIC_SVR       0x0f0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TMICT     0x380
#define LAPIC_TDCR      0x3e0
#define VEC_TX          0x40
#define VEC_CONFIG      0x41
#define VEC_RX          0x42
#define VEC_TIMER       0x43
#define VEC_SPURIOUS    0xff
#define QSIZE_TEST      16      /* ring size for the device tests */
#define QSIZE           256     /* ring size in the network modes */
#define RX_BUF_LEN      2048
#define TX_BUF_LEN      1536
#define NET_HDR_LEN     12
#define TX_BATCH        32      /* frames per kick in tx= mode */
#define VIRTIO_PCI_VENDOR_ID_GUEST 0x1af4u

void guest_main(const uint8_t *boot_params);
void guest_exception(uint64_t vec, uint64_t w0, uint64_t w1);
void guest_interrupt(uint64_t vec);
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* ---- basics ------------------------------------------------------------- */

static inline void outb(uint16_t port, uint8_t v)
{ __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{ uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outl(uint16_t port, uint32_t v)
{ __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint32_t inl(uint16_t port)
{ uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}
static inline uint64_t rdtsc(void)
{ uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return (uint64_t)hi << 32 | lo; }

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO16(a) (*(volatile uint16_t *)(uintptr_t)(a))
#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))

void *memset(void *s, int c, size_t n)
{
	uint8_t *p = s;

	while (n--)
		*p++ = (uint8_t)c;
	return s;
}

static int memcmp_(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

static void put_str(const char *s)
{
	while (*s) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
	}
}

static void put_num(uint64_t v, unsigned base, int width)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width)
		buf[n++] = '0';
	while (n)
		serial_putc(buf[--n]);
}

/* printf subset: %s %c %d %u %x %lx %llx with optional zero width. */
static void gprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int width = 0, longs = 0;

		if (*fmt != '%') {
			if (*fmt == '\n')
				serial_putc('\r');
			serial_putc(*fmt);
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's': put_str(va_arg(ap, const char *)); break;
		case 'c': serial_putc((char)va_arg(ap, int)); break;
		case 'd': {
			long long v = longs ? va_arg(ap, long long)
					    : va_arg(ap, int);
			if (v < 0) {
				serial_putc('-');
				v = -v;
			}
			put_num((uint64_t)v, 10, width);
			break;
		}
		case 'u':
			put_num(longs ? va_arg(ap, unsigned long long)
				      : va_arg(ap, unsigned), 10, width);
			break;
		case 'x':
			put_num(longs ? va_arg(ap, unsigned long long)
				      : va_arg(ap, unsigned), 16, width);
			break;
		default: serial_putc(*fmt); break;
		}
	}
	va_end(ap);
}

static void reset_machine(void)
{
	outb(0x64, 0xfe);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static unsigned failures;

static void fail(const char *what)
{
	gprintf("guest: FAIL %s\n", what);
	failures++;
}

/* ---- interrupts ------------------------------------------------------------ */

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static volatile unsigned irq_count[256];

#define DECL(n) extern char guest_exc_##n[];
DECL(0) DECL(1) DECL(2) DECL(3) DECL(4) DECL(5) DECL(6) DECL(7) DECL(8)
DECL(9) DECL(10) DECL(11) DECL(12) DECL(13) DECL(14) DECL(15) DECL(16)
DECL(17) DECL(18) DECL(19) DECL(20) DECL(21) DECL(22) DECL(23) DECL(24)
DECL(25) DECL(26) DECL(27) DECL(28) DECL(29) DECL(30) DECL(31)
extern char guest_irq_0x40[], guest_irq_0x41[], guest_irq_0x42[];
extern char guest_irq_0x43[];
extern char guest_irq_0xff[];

static void set_gate(unsigned vec, void *handler)
{
	uint64_t a = (uint64_t)(uintptr_t)handler;

	idt[vec] = (struct idt_entry) {
		.off_lo = (uint16_t)a, .sel = 0x10, .type = 0x8e,
		.off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
	};
}

static void load_idt(uint16_t limit)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) d = { limit, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(d));
}

static void setup_idt(void)
{
	void *exc[32] = {
		guest_exc_0, guest_exc_1, guest_exc_2, guest_exc_3,
		guest_exc_4, guest_exc_5, guest_exc_6, guest_exc_7,
		guest_exc_8, guest_exc_9, guest_exc_10, guest_exc_11,
		guest_exc_12, guest_exc_13, guest_exc_14, guest_exc_15,
		guest_exc_16, guest_exc_17, guest_exc_18, guest_exc_19,
		guest_exc_20, guest_exc_21, guest_exc_22, guest_exc_23,
		guest_exc_24, guest_exc_25, guest_exc_26, guest_exc_27,
		guest_exc_28, guest_exc_29, guest_exc_30, guest_exc_31,
	};

	for (unsigned i = 0; i < 32; i++)
		set_gate(i, exc[i]);
	set_gate(VEC_TX, guest_irq_0x40);
	set_gate(VEC_CONFIG, guest_irq_0x41);
	set_gate(VEC_RX, guest_irq_0x42);
	set_gate(VEC_TIMER, guest_irq_0x43);
	set_gate(VEC_SPURIOUS, guest_irq_0xff);
	load_idt(sizeof idt - 1);
}

void guest_exception(uint64_t vec, uint64_t w0, uint64_t w1)
{
	gprintf("guest: FAIL exception %u (stack %lx %lx)\n", (unsigned)vec,
		w0, w1);
	reset_machine();
}

void guest_interrupt(uint64_t vec)
{
	irq_count[vec & 0xff]++;
	if (vec != VEC_SPURIOUS)
		MMIO32(LAPIC_BASE + LAPIC_EOI) = 0;
}

/* Waits with interrupts on until irq_count[vec] exceeds 'before', for
 * about 'ms' (TSC assumed at most 4 GHz, so possibly longer). */
static bool wait_irq(unsigned vec, unsigned before, unsigned ms)
{
	uint64_t end = rdtsc() + (uint64_t)ms * 4000000ULL;

	__asm__ volatile("sti");
	while (irq_count[vec] == before && rdtsc() < end)
		__asm__ volatile("pause");
	__asm__ volatile("cli");
	return irq_count[vec] != before;
}

/* ---- PCI ------------------------------------------------------------------- */

static uint32_t pci_addr(unsigned slot, unsigned reg)
{
	return 0x80000000u | (slot << 11) | (reg & 0xfc);
}

static uint32_t pci_read32(unsigned slot, unsigned reg)
{
	outl(0xcf8, pci_addr(slot, reg));
	return inl(0xcfc);
}

static void pci_write32(unsigned slot, unsigned reg, uint32_t v)
{
	outl(0xcf8, pci_addr(slot, reg));
	outl(0xcfc, v);
}

static uint8_t pci_read8(unsigned slot, unsigned reg)
{
	return (uint8_t)(pci_read32(slot, reg) >> (8 * (reg & 3)));
}

static uint16_t pci_read16(unsigned slot, unsigned reg)
{
	return (uint16_t)(pci_read32(slot, reg) >> (8 * (reg & 2)));
}

static void pci_write16(unsigned slot, unsigned reg, uint16_t v)
{
	outl(0xcf8, pci_addr(slot, reg));
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"((uint16_t)(0xcfc +
							       (reg & 2))));
}

/* Lists bus 0; returns the slot of the virtio-net device or -1. */
static int pci_scan(void)
{
	int found = -1;

	for (unsigned slot = 0; slot < 32; slot++) {
		uint32_t id = pci_read32(slot, PCI_VENDOR_ID);
		uint32_t class = pci_read32(slot, PCI_CLASS_REVISION) >> 8;

		if ((id & 0xffff) == 0xffff)
			continue;
		gprintf("pci: 00:%02x.0 %04x:%04x class %06x\n", slot,
			id & 0xffff, id >> 16, class);
		for (unsigned b = 0; b < 6; b++) {
			unsigned reg = PCI_BASE_ADDRESS_0 + 4 * b;
			uint32_t orig = pci_read32(slot, reg), size;

			pci_write32(slot, reg, 0xffffffffu);
			size = pci_read32(slot, reg);
			pci_write32(slot, reg, orig);
			if (!size)
				continue;
			size = ~(size & ~0xfu) + 1;
			gprintf("pci: 00:%02x.0 bar%u 0x%08x size 0x%x\n",
				slot, b, orig & ~0xfu, size);
		}
		if (id == (VIRTIO_PCI_VENDOR_ID_GUEST | (0x1040u +
							VIRTIO_ID_NET) << 16))
			found = (int)slot;
	}
	return found;
}

/* ---- virtio-net ----------------------------------------------------------- */

struct vq {
	struct vring_desc desc[QSIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[QSIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		uint16_t flags, idx;
		struct vring_used_elem ring[QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
};

static struct vq queues[2] __attribute__((aligned(4096)));
static uint8_t tx_buf[QSIZE][TX_BUF_LEN] __attribute__((aligned(64)));
static uint8_t rx_buf[QSIZE][RX_BUF_LEN] __attribute__((aligned(64)));
static uint16_t qsize = QSIZE_TEST;

struct vdev {
	unsigned slot;
	uintptr_t common, isr, devcfg, notify;
	uint32_t notify_mult;
	unsigned msix_cap, msix_n;
	uintptr_t msix_table, msix_pba;
	uint16_t notify_off[2];
};

static struct vdev net_dev;             /* the device, once initialised */
static bool net_ready;

static uintptr_t bar_base(unsigned slot, unsigned bar)
{
	return pci_read32(slot, PCI_BASE_ADDRESS_0 + 4 * bar) & ~0xfu;
}

static const char *const cap_names[] = {
	"?", "common", "notify", "isr", "device", "pci-cfg",
};

/* Walks the capability list; returns false if a required one is missing. */
static bool virtio_find_caps(struct vdev *d)
{
	unsigned off = pci_read8(d->slot, PCI_CAPABILITY_LIST);
	unsigned guard = 0;

	if (!(pci_read16(d->slot, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return false;
	while (off && guard++ < 48) {
		unsigned id = pci_read8(d->slot, off);

		if (id == PCI_CAP_ID_VNDR) {
			unsigned type = pci_read8(d->slot, off + 3);
			unsigned bar = pci_read8(d->slot, off + 4);
			uint32_t o = pci_read32(d->slot, off + 8);
			uint32_t len = pci_read32(d->slot, off + 12);
			uintptr_t a = bar_base(d->slot, bar) + o;

			gprintf("virtio: cap %s bar%u+0x%x len 0x%x\n",
				type <= 5 ? cap_names[type] : "?", bar, o, len);
			if (type == VIRTIO_PCI_CAP_COMMON_CFG)
				d->common = a;
			else if (type == VIRTIO_PCI_CAP_ISR_CFG)
				d->isr = a;
			else if (type == VIRTIO_PCI_CAP_DEVICE_CFG)
				d->devcfg = a;
			else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
				d->notify = a;
				d->notify_mult = pci_read32(d->slot, off + 16);
			}
		} else if (id == PCI_CAP_ID_MSIX) {
			uint16_t ctl = pci_read16(d->slot, off + PCI_MSIX_FLAGS);
			uint32_t t = pci_read32(d->slot, off + PCI_MSIX_TABLE);
			uint32_t p = pci_read32(d->slot, off + PCI_MSIX_PBA);

			d->msix_cap = off;
			d->msix_n = (ctl & PCI_MSIX_FLAGS_QSIZE) + 1;
			d->msix_table = bar_base(d->slot, t & 7) + (t & ~7u);
			d->msix_pba = bar_base(d->slot, p & 7) + (p & ~7u);
			gprintf("virtio: cap msix vectors %u table bar%u+0x%x "
				"pba bar%u+0x%x\n", d->msix_n, t & 7, t & ~7u,
				p & 7, p & ~7u);
		}
		off = pci_read8(d->slot, off + 1);
	}
	return d->common && d->isr && d->devcfg && d->notify && d->msix_cap;
}

static void msix_set(struct vdev *d, unsigned i, unsigned vec, bool masked)
{
	uintptr_t e = d->msix_table + 16 * i;

	MMIO32(e + PCI_MSIX_ENTRY_LOWER_ADDR) = 0xfee00000u;  /* APIC 0 */
	MMIO32(e + PCI_MSIX_ENTRY_UPPER_ADDR) = 0;
	MMIO32(e + PCI_MSIX_ENTRY_DATA) = vec;                 /* fixed, edge */
	MMIO32(e + PCI_MSIX_ENTRY_VECTOR_CTRL) = masked;
}

static void set_status(struct vdev *d, uint8_t bits)
{
	uint8_t s = MMIO8(d->common + VIRTIO_PCI_COMMON_STATUS);

	MMIO8(d->common + VIRTIO_PCI_COMMON_STATUS) = s | bits;
}

static bool queue_setup(struct vdev *d, unsigned q, uint16_t vector)
{
	uintptr_t c = d->common;
	uint16_t max;

	MMIO16(c + VIRTIO_PCI_COMMON_Q_SELECT) = (uint16_t)q;
	max = MMIO16(c + VIRTIO_PCI_COMMON_Q_SIZE);
	if (max < qsize)
		return false;
	MMIO16(c + VIRTIO_PCI_COMMON_Q_SIZE) = qsize;
	MMIO32(c + VIRTIO_PCI_COMMON_Q_DESCLO) = (uint32_t)(uintptr_t)queues[q].desc;
	MMIO32(c + VIRTIO_PCI_COMMON_Q_DESCHI) = 0;
	MMIO32(c + VIRTIO_PCI_COMMON_Q_AVAILLO) = (uint32_t)(uintptr_t)&queues[q].avail;
	MMIO32(c + VIRTIO_PCI_COMMON_Q_AVAILHI) = 0;
	MMIO32(c + VIRTIO_PCI_COMMON_Q_USEDLO) = (uint32_t)(uintptr_t)&queues[q].used;
	MMIO32(c + VIRTIO_PCI_COMMON_Q_USEDHI) = 0;
	MMIO16(c + VIRTIO_PCI_COMMON_Q_MSIX) = vector;
	if (MMIO16(c + VIRTIO_PCI_COMMON_Q_MSIX) != vector)
		return false;
	d->notify_off[q] = MMIO16(c + VIRTIO_PCI_COMMON_Q_NOFF);
	MMIO16(c + VIRTIO_PCI_COMMON_Q_ENABLE) = 1;
	gprintf("virtio: queue %u size %u (max %u) msix %u notify_off %u\n",
		q, qsize, max, vector, d->notify_off[q]);
	return MMIO16(c + VIRTIO_PCI_COMMON_Q_ENABLE) == 1;
}

/* Posts one 72-byte frame (12-byte header + 60-byte broadcast) on TX. */
static void tx_post(struct vdev *d, unsigned n)
{
	struct vq *q = &queues[1];
	uint16_t idx = q->avail.idx;
	uint8_t *b = tx_buf[n & 1];

	memset(b, 0, 72);
	memset(b + 12, 0xff, 6);                        /* broadcast */
	b[18] = 0x52; b[19] = 0x54; b[23] = 0x56;       /* source */
	b[24] = 0x88; b[25] = 0xb5;                     /* local experimental */
	q->desc[idx % qsize] = (struct vring_desc) {
		.addr = (uint64_t)(uintptr_t)b, .len = 72, .flags = 0,
	};
	q->avail.ring[idx % qsize] = (uint16_t)(idx % qsize);
	__atomic_store_n(&q->avail.idx, (uint16_t)(idx + 1), __ATOMIC_RELEASE);
	MMIO16(d->notify + d->notify_off[1] * d->notify_mult) = 1;
}

static void virtio_net_test(unsigned slot)
{
	struct vdev d = { .slot = slot };
	uint32_t f_lo, f_hi;
	uint64_t want;
	uint16_t link, cmd;
	unsigned before;
	uint8_t mac[6], isr;

	cmd = pci_read16(slot, PCI_COMMAND);
	pci_write16(slot, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY |
		    PCI_COMMAND_MASTER);
	if (!virtio_find_caps(&d)) {
		fail("virtio capabilities missing");
		return;
	}

	/* §3.1.1 driver initialisation. */
	MMIO8(d.common + VIRTIO_PCI_COMMON_STATUS) = 0;
	if (MMIO8(d.common + VIRTIO_PCI_COMMON_STATUS) != 0)
		fail("reset");
	set_status(&d, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	set_status(&d, VIRTIO_CONFIG_S_DRIVER);
	MMIO32(d.common + VIRTIO_PCI_COMMON_DFSELECT) = 0;
	f_lo = MMIO32(d.common + VIRTIO_PCI_COMMON_DF);
	MMIO32(d.common + VIRTIO_PCI_COMMON_DFSELECT) = 1;
	f_hi = MMIO32(d.common + VIRTIO_PCI_COMMON_DF);
	gprintf("virtio: device features 0x%08x%08x\n", f_hi, f_lo);
	want = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MAC) |
	       (1ULL << VIRTIO_NET_F_STATUS);
	want &= (uint64_t)f_hi << 32 | f_lo;
	if (!(want & (1ULL << VIRTIO_F_VERSION_1)))
		fail("no VERSION_1");
	MMIO32(d.common + VIRTIO_PCI_COMMON_GFSELECT) = 0;
	MMIO32(d.common + VIRTIO_PCI_COMMON_GF) = (uint32_t)want;
	MMIO32(d.common + VIRTIO_PCI_COMMON_GFSELECT) = 1;
	MMIO32(d.common + VIRTIO_PCI_COMMON_GF) = (uint32_t)(want >> 32);
	set_status(&d, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(MMIO8(d.common + VIRTIO_PCI_COMMON_STATUS) &
	      VIRTIO_CONFIG_S_FEATURES_OK)) {
		fail("FEATURES_OK not accepted");
		return;
	}
	gprintf("virtio: features ok 0x%lx\n", (unsigned long)want);

	/* MSI-X: vector 0 config, 1 receiveq, 2 transmitq. */
	if (d.msix_n < 3) {
		fail("too few MSI-X vectors");
		return;
	}
	msix_set(&d, 0, VEC_CONFIG, false);
	msix_set(&d, 1, VEC_RX, false);
	msix_set(&d, 2, VEC_TX, false);
	pci_write16(slot, d.msix_cap + PCI_MSIX_FLAGS,
		    pci_read16(slot, d.msix_cap + PCI_MSIX_FLAGS) |
		    PCI_MSIX_FLAGS_ENABLE);
	MMIO16(d.common + VIRTIO_PCI_COMMON_MSIX) = 0;
	if (MMIO16(d.common + VIRTIO_PCI_COMMON_MSIX) != 0)
		fail("config vector not taken");
	if (MMIO16(d.common + VIRTIO_PCI_COMMON_NUMQ) < 2 ||
	    !queue_setup(&d, 0, 1) || !queue_setup(&d, 1, 2)) {
		fail("queue set-up");
		return;
	}
	set_status(&d, VIRTIO_CONFIG_S_DRIVER_OK);
	if (MMIO8(d.common + VIRTIO_PCI_COMMON_STATUS) &
	    VIRTIO_CONFIG_S_NEEDS_RESET)
		fail("device needs reset after DRIVER_OK");
	gprintf("virtio: status 0x%x driver ok\n",
		MMIO8(d.common + VIRTIO_PCI_COMMON_STATUS));

	for (unsigned i = 0; i < 6; i++)
		mac[i] = MMIO8(d.devcfg + i);
	link = MMIO16(d.devcfg + 6);
	gprintf("virtio-net: mac %02x:%02x:%02x:%02x:%02x:%02x link %s\n",
		mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
		link & VIRTIO_NET_S_LINK_UP ? "up" : "down");

	/* A transmitted frame comes back as a used buffer with an MSI-X
	 * interrupt on the transmitq's vector. */
	before = irq_count[VEC_TX];
	tx_post(&d, 0);
	if (!wait_irq(VEC_TX, before, 2000)) {
		fail("no MSI-X interrupt for the transmitq");
		return;
	}
	isr = MMIO8(d.isr);
	gprintf("virtio-net: msix interrupt vector 0x%x received, used idx "
		"%u, isr 0x%x\n", VEC_TX, queues[1].used.idx, isr);
	if (queues[1].used.idx != 1 || queues[1].used.ring[0].id != 0)
		fail("used ring");

	/* Masked: no interrupt, PBA bit set; unmasking delivers it. */
	MMIO32(d.msix_table + 16 * 2 + PCI_MSIX_ENTRY_VECTOR_CTRL) = 1;
	before = irq_count[VEC_TX];
	tx_post(&d, 1);
	if (wait_irq(VEC_TX, before, 200)) {
		fail("interrupt through a masked vector");
		return;
	}
	if (!(MMIO32(d.msix_pba) & (1u << 2))) {
		fail("PBA bit not set for the masked vector");
		return;
	}
	gprintf("virtio-net: masked vector pending in pba\n");
	MMIO32(d.msix_table + 16 * 2 + PCI_MSIX_ENTRY_VECTOR_CTRL) = 0;
	if (!wait_irq(VEC_TX, before, 2000)) {
		fail("pending interrupt not delivered on unmask");
		return;
	}
	if (MMIO32(d.msix_pba) & (1u << 2))
		fail("PBA bit still set after delivery");
	gprintf("virtio-net: pending interrupt delivered on unmask, used idx "
		"%u\n", queues[1].used.idx);
	net_dev = d;
	net_ready = true;
}

/* Reads one line from COM1 (for about 2 s at most) and prints it back:
 * the test for the VMM's serial input path. */
static void serial_echo(void)
{
	uint64_t end = rdtsc() + 8000000000ULL;
	char line[64];
	unsigned n = 0;

	while (rdtsc() < end && n < sizeof line - 1) {
		char c;

		if (!(inb(COM1 + 5) & 0x01)) {
			__asm__ volatile("pause");
			continue;
		}
		c = (char)inb(COM1);
		if (c == '\n' || c == '\r')
			break;
		line[n++] = c;
	}
	line[n] = '\0';
	gprintf("guest: serial input '%s'\n", line);
}

/* ---- main ------------------------------------------------------------------ */

static bool has_word(const char *s, const char *w)
{
	while (*s) {
		const char *a = s, *b = w;

		while (*b && *a == *b) {
			a++;
			b++;
		}
		if (!*b && (*a == ' ' || !*a))
			return true;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return false;
}

/* ---- network modes ---------------------------------------------------------- */

static struct {
	uint8_t mac[6];
	uint32_t ip;            /* ours, network order bytes in a u32 */
	uint32_t ping_ip;
	uint8_t ping_mac[6];
	bool ping_resolved;
	uint16_t ping_seq;
	uint16_t rx_last;       /* next used entry of the receiveq */
	uint16_t link;
	uint64_t rx_frames, tx_frames, tx_full;
	uint64_t tsc_per_ms;
} net;

/* Value after "key" (e.g. "ip=") in the command line, or NULL. */
static const char *word_value(const char *s, const char *key)
{
	while (s && *s) {
		const char *a = s, *b = key;

		while (*b && *a == *b) {
			a++;
			b++;
		}
		if (!*b)
			return a;
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	return NULL;
}

static bool parse_ip(const char *s, uint32_t *ip)
{
	uint8_t *o = (uint8_t *)ip;

	for (unsigned i = 0; i < 4; i++) {
		unsigned v = 0, n = 0;

		while (*s >= '0' && *s <= '9' && n < 3) {
			v = v * 10 + (unsigned)(*s++ - '0');
			n++;
		}
		if (!n || v > 255 || (i < 3 && *s++ != '.'))
			return false;
		o[i] = (uint8_t)v;
	}
	return !*s || *s == ' ';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	for (unsigned i = 0; i < 6; i++) {
		int h = hexval(s[0]), l = hexval(s[1]);

		if (h < 0 || l < 0 || (i < 5 && s[2] != ':'))
			return false;
		mac[i] = (uint8_t)(h << 4 | l);
		s += 3;
	}
	return true;
}

static void print_ip(const char *pre, uint32_t ip)
{
	const uint8_t *o = (const uint8_t *)&ip;

	gprintf("%s%u.%u.%u.%u", pre, o[0], o[1], o[2], o[3]);
}

static uint16_t csum(const uint8_t *p, unsigned len)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void notify(unsigned q)
{
	struct vq *v = &queues[q];

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&v->used.flags, __ATOMIC_ACQUIRE) &
	      VRING_USED_F_NO_NOTIFY))
		MMIO16(net_dev.notify + net_dev.notify_off[q] *
		       net_dev.notify_mult) = (uint16_t)q;
}

/* Free transmit slots (the device completes in order). */
static unsigned tx_room(void)
{
	struct vq *q = &queues[1];
	uint16_t used = __atomic_load_n(&q->used.idx, __ATOMIC_ACQUIRE);

	return qsize - (uint16_t)(q->avail.idx - used);
}

/* The next transmit buffer (frame starts after the net header), or NULL
 * when the ring is full. */
static uint8_t *tx_slot(void)
{
	struct vq *q = &queues[1];

	if (!tx_room()) {
		net.tx_full++;
		return NULL;
	}
	return tx_buf[q->avail.idx % qsize] + NET_HDR_LEN;
}

/* Queues the frame written into tx_slot(); 'kick' notifies the device. */
static void tx_commit(unsigned len, bool kick)
{
	struct vq *q = &queues[1];
	uint16_t idx = q->avail.idx, slot = idx % qsize;

	memset(tx_buf[slot], 0, NET_HDR_LEN);
	q->desc[slot] = (struct vring_desc) {
		.addr = (uint64_t)(uintptr_t)tx_buf[slot],
		.len = NET_HDR_LEN + (len < 60 ? 60 : len),
	};
	q->avail.ring[slot] = slot;
	__atomic_store_n(&q->avail.idx, (uint16_t)(idx + 1), __ATOMIC_RELEASE);
	net.tx_frames++;
	if (kick)
		notify(1);
}

static void arp_send(uint16_t op, const uint8_t *tha, uint32_t tpa,
		     const uint8_t *dst)
{
	uint8_t *f = tx_slot();

	if (!f)
		return;
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, net.mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, op);
	memcpy(f + 22, net.mac, 6);
	memcpy(f + 28, &net.ip, 4);
	memcpy(f + 32, tha, 6);
	memcpy(f + 38, &tpa, 4);
	tx_commit(42, true);
}

static void ping_send(void)
{
	uint8_t *f = tx_slot(), *ip, *icmp;

	if (!f)
		return;
	memset(f, 0, 98);
	memcpy(f, net.ping_mac, 6);
	memcpy(f + 6, net.mac, 6);
	put16(f + 12, 0x0800);
	ip = f + 14;
	ip[0] = 0x45;
	put16(ip + 2, 84);
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 12, &net.ip, 4);
	memcpy(ip + 16, &net.ping_ip, 4);
	put16(ip + 10, csum(ip, 20));
	icmp = ip + 20;
	icmp[0] = 8;
	put16(icmp + 4, 0x6767);
	put16(icmp + 6, ++net.ping_seq);
	put16(icmp + 2, csum(icmp, 64));
	tx_commit(98, true);
}

/* Answers an echo request 'f' ('len' bytes) in place of a new frame. */
static void echo_reply(const uint8_t *f, unsigned len)
{
	const uint8_t *ip = f + 14;
	unsigned ihl = (ip[0] & 15) * 4u, tot = get16(ip + 2);
	uint8_t *r, *rip, *ricmp;

	if (ihl < 20 || tot < ihl + 8 || 14 + tot > len || 14 + tot > 1514)
		return;
	r = tx_slot();
	if (!r)
		return;
	memcpy(r, f + 6, 6);
	memcpy(r + 6, net.mac, 6);
	memcpy(r + 12, f + 12, 2 + tot);
	rip = r + 14;
	memcpy(rip + 12, ip + 16, 4);
	memcpy(rip + 16, ip + 12, 4);
	rip[8] = 64;
	put16(rip + 10, 0);
	put16(rip + 10, csum(rip, ihl));
	ricmp = rip + ihl;
	ricmp[0] = 0;
	put16(ricmp + 2, 0);
	put16(ricmp + 2, csum(ricmp, tot - ihl));
	tx_commit(14 + tot, true);
}

static void net_input(const uint8_t *f, unsigned len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint16_t type;

	net.rx_frames++;
	if (len < 14 || !net.ip)
		return;
	type = get16(f + 12);
	if (type == 0x0806 && len >= 42 && get16(f + 20) == 1 &&
	    !memcmp_(f + 38, &net.ip, 4)) {
		uint32_t spa;

		memcpy(&spa, f + 28, 4);
		arp_send(2, f + 22, spa, f + 6);
	} else if (type == 0x0806 && len >= 42 && get16(f + 20) == 2 &&
		   net.ping_ip && !memcmp_(f + 28, &net.ping_ip, 4)) {
		if (!net.ping_resolved) {
			memcpy(net.ping_mac, f + 22, 6);
			net.ping_resolved = true;
			print_ip("guest: arp ", net.ping_ip);
			gprintf(" is at %02x:%02x:%02x:%02x:%02x:%02x\n",
				f[22], f[23], f[24], f[25], f[26], f[27]);
		}
	} else if (type == 0x0800 && len >= 34 && f[14 + 9] == 1 &&
		   !memcmp_(f + 30, &net.ip, 4)) {
		const uint8_t *icmp = f + 14 + (f[14] & 15) * 4;

		if (icmp + 8 > f + len)
			return;
		if (icmp[0] == 8) {
			echo_reply(f, len);
		} else if (icmp[0] == 0 && get16(icmp + 4) == 0x6767) {
			print_ip("guest: ping reply from ", *(const uint32_t *)
				 (const void *)(f + 26));
			gprintf(" seq %u\n", get16(icmp + 6));
		}
	}
	(void)bcast;
}

/* Takes every received frame, hands it to 'net_input' unless 'count_only',
 * and gives the buffers back.  Returns the number taken. */
static unsigned rx_poll(bool count_only)
{
	struct vq *q = &queues[0];
	uint16_t used = __atomic_load_n(&q->used.idx, __ATOMIC_ACQUIRE);
	unsigned n = 0;

	while (net.rx_last != used) {
		struct vring_used_elem e = q->used.ring[net.rx_last % qsize];
		uint16_t idx = q->avail.idx;

		net.rx_last++;
		n++;
		if (e.id >= qsize)
			continue;
		if (count_only)
			net.rx_frames++;
		else if (e.len > NET_HDR_LEN && e.len <= RX_BUF_LEN)
			net_input(rx_buf[e.id] + NET_HDR_LEN,
				  e.len - NET_HDR_LEN);
		q->avail.ring[idx % qsize] = (uint16_t)e.id;
		__atomic_store_n(&q->avail.idx, (uint16_t)(idx + 1),
				 __ATOMIC_RELEASE);
	}
	if (n)
		notify(0);
	return n;
}

static void rx_fill(void)
{
	struct vq *q = &queues[0];

	for (unsigned i = 0; i < qsize; i++) {
		q->desc[i] = (struct vring_desc) {
			.addr = (uint64_t)(uintptr_t)rx_buf[i],
			.len = RX_BUF_LEN, .flags = VRING_DESC_F_WRITE,
		};
		q->avail.ring[i] = (uint16_t)i;
	}
	__atomic_store_n(&q->avail.idx, qsize, __ATOMIC_RELEASE);
	notify(0);
}

static uint64_t tsc_per_ms(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0x40000010u), "c"(0));
	return a ? a : 2000000;   /* kHz; a guess when the VMM gives none */
}

/* LAPIC timer ticks of a ping wait: 2 ms at KVM's 1 GHz APIC clock. */
#define LAPIC_WAKE_TICKS 2000000u

/* Arms the LAPIC timer once (divide by 1): VEC_TIMER in 'ticks'. */
static void lapic_oneshot(uint32_t ticks)
{
	MMIO32(LAPIC_BASE + LAPIC_TDCR) = 0xb;
	MMIO32(LAPIC_BASE + LAPIC_LVT_TIMER) = VEC_TIMER;
	MMIO32(LAPIC_BASE + LAPIC_TMICT) = ticks;
}

/* Prints link changes: after a configuration interrupt, or on every call
 * with 'poll' (when interrupts are off). */
static void check_link(unsigned *seen, bool poll)
{
	uint16_t link;

	if (irq_count[VEC_CONFIG] == *seen && !poll)
		return;
	*seen = irq_count[VEC_CONFIG];
	link = MMIO16(net_dev.devcfg + 6) & VIRTIO_NET_S_LINK_UP;
	if (link != net.link)
		gprintf("guest: link %s\n", link ? "up" : "down");
	net.link = link;
}

static void net_run(const char *cmdline)
{
	const char *ip = word_value(cmdline, "ip=");
	const char *ping = word_value(cmdline, "ping=");
	const char *tx = word_value(cmdline, "tx=");
	bool count = has_word(cmdline, "count");
	uint8_t dst[6];
	uint64_t next, period;
	unsigned cfg_seen = irq_count[VEC_CONFIG];
	uint64_t last_frames = 0, last_rx = 0;
	unsigned turn = 0;

	for (unsigned i = 0; i < 6; i++)
		net.mac[i] = MMIO8(net_dev.devcfg + i);
	net.link = MMIO16(net_dev.devcfg + 6) & VIRTIO_NET_S_LINK_UP;
	net.tsc_per_ms = tsc_per_ms();
	if ((ip && !parse_ip(ip, &net.ip)) ||
	    (ping && (!net.ip || !parse_ip(ping, &net.ping_ip))) ||
	    (tx && !parse_mac(tx, dst))) {
		fail("network mode arguments (ip=A.B.C.D, ping=IP with ip=, "
		     "tx=MAC, count)");
		return;
	}
	/* The device tests left two frames on the transmitq, completed. */
	net.rx_last = queues[0].used.idx;
	rx_fill();
	if (net.ip)
		print_ip("guest: net ip ", net.ip);
	gprintf("%sguest: net mode%s%s%s%s (tsc %u kHz)\n", net.ip ? "\n" : "",
		net.ip ? " responder" : "", ping ? " ping" : "",
		tx ? " tx" : "", count ? " count" : "",
		(unsigned)net.tsc_per_ms);
	period = net.tsc_per_ms * (tx || count ? 1000 : 200);
	next = rdtsc() + period;

	if (tx || count) {
		/* Traffic: poll, no interrupts. */
		queues[0].avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
		queues[1].avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
		for (;;) {
			if (tx) {
				unsigned k = 0;
				uint8_t *f;

				while (k < TX_BATCH && (f = tx_slot())) {
					memcpy(f, dst, 6);
					memcpy(f + 6, net.mac, 6);
					put16(f + 12, 0x88b5);
					memset(f + 14, 0x5a, 46);
					tx_commit(60, false);
					k++;
				}
				if (k)
					notify(1);
			}
			rx_poll(true);
			/* rdtsc may exit on some hypervisors: not every turn. */
			if (!(++turn & 255) && rdtsc() >= next) {
				check_link(&cfg_seen, true);
				gprintf("guest: tx %u rx %u frames/s\n",
					(unsigned)(net.tx_frames - last_frames),
					(unsigned)(net.rx_frames - last_rx));
				last_frames = net.tx_frames;
				last_rx = net.rx_frames;
				next += period;
			}
		}
	}

	for (;;) {
		__asm__ volatile("cli");
		check_link(&cfg_seen, false);
		if (rx_poll(false))
			continue;
		if (ping && rdtsc() >= next) {
			next = rdtsc() + period;
			if (net.ping_resolved)
				ping_send();
			else
				arp_send(1, (const uint8_t[6]){ 0 },
					 net.ping_ip, (const uint8_t[6]){
					 0xff, 0xff, 0xff, 0xff, 0xff, 0xff });
		}
		/* The pinger wakes for its next ping on the LAPIC timer.  Not
		 * a spin with "sti; pause": interrupts are then on for one
		 * instruction boundary per turn, and a hypervisor that only
		 * injects at an exit taken with interrupts on (the
		 * paravirtual KVM of these machines, the nested outer host)
		 * held a configuration interrupt back for seconds. */
		if (ping)
			lapic_oneshot(LAPIC_WAKE_TICKS);
		__asm__ volatile("sti; hlt");
	}
}

void guest_main(const uint8_t *bp)
{
	const char *cmdline = (const char *)(uintptr_t)*(const uint32_t *)(bp + 0x228);
	unsigned n_e820 = bp[0x1e8];
	uint64_t ram = 0;
	int slot;

	outb(COM1 + 1, 0);              /* no UART interrupts */
	outb(COM1 + 3, 0x03);           /* 8N1 */
	gprintf("guest: ready\n");
	gprintf("guest: cmdline '%s'\n", cmdline ? cmdline : "");
	for (unsigned i = 0; i < n_e820 && i < 128; i++) {
		const uint8_t *e = bp + 0x2d0 + 20 * i;
		uint64_t addr = *(const uint64_t *)e;
		uint64_t size = *(const uint64_t *)(e + 8);
		uint32_t type = *(const uint32_t *)(e + 16);

		gprintf("guest: e820 0x%lx-0x%lx type %u\n",
			(unsigned long)addr, (unsigned long)(addr + size - 1),
			type);
		if (type == 1)
			ram += size;
	}
	gprintf("guest: e820 %u entries, %u KiB RAM\n", n_e820,
		(unsigned)(ram >> 10));
	gprintf("guest: mtrr def_type 0x%lx\n", (unsigned long)rdmsr(0x2ff));

	setup_idt();
	MMIO32(LAPIC_BASE + LAPIC_TPR) = 0;
	MMIO32(LAPIC_BASE + LAPIC_SVR) = 0x100 | VEC_SPURIOUS;

	if (cmdline && has_word(cmdline, "triplefault")) {
		gprintf("guest: triple fault now\n");
		load_idt(0);
		__asm__ volatile("ud2");
	}

	if (cmdline && has_word(cmdline, "echo"))
		serial_echo();

	if (cmdline && (word_value(cmdline, "ip=") ||
			word_value(cmdline, "tx=") || has_word(cmdline, "count")))
		qsize = QSIZE;
	slot = pci_scan();
	if (slot < 0)
		gprintf("guest: no virtio-net device\n");
	else
		virtio_net_test((unsigned)slot);

	if (slot >= 0 && net_ready && cmdline &&
	    (word_value(cmdline, "ip=") || word_value(cmdline, "tx=") ||
	     has_word(cmdline, "count")) && !failures)
		net_run(cmdline);
	if (failures)
		gprintf("guest: %u failures\n", failures);
	else
		gprintf("guest: all tests passed\n");
	if (cmdline && has_word(cmdline, "hold")) {
		gprintf("guest: holding\n");
		for (;;)
			__asm__ volatile("pause");
	}
	reset_machine();
}
