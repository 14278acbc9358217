/*
 * pci.c - type-1 configuration access, BAR assignment and BAR routing.
 */
#include "pci.h"

#include <errno.h>
#include <linux/pci_regs.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define PCI_CFG_ENABLE  0x80000000u
#define PCI_CLASS_HOST_BRIDGE 0x060000u      /* bridge, host, prog-if 0 */

struct pci_bus {
	pthread_mutex_t lock;
	uint32_t config_addr;           /* the 0xcf8 latch */
	struct pci_dev host;            /* 00:00.0 */
	struct pci_dev *slots[PCI_MAX_SLOTS];
	uint64_t next_mmio;             /* BAR allocation cursor */
};

static void
pci_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
pci_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct pci_bus *
pci_bus_create(void)
{
	struct pci_bus *bus = xcalloc(1, sizeof *bus);

	pthread_mutex_init(&bus->lock, NULL);
	bus->next_mmio = PCI_MMIO_BASE;
	pci_dev_init(&bus->host, PCI_HOST_VENDOR_ID, PCI_HOST_DEVICE_ID,
		     PCI_CLASS_HOST_BRIDGE, 0, 0, 0, NULL, NULL);
	bus->host.slot = 0;
	bus->slots[0] = &bus->host;
	return bus;
}

void
pci_bus_destroy(struct pci_bus *bus)
{
	if (!bus)
		return;
	pthread_mutex_destroy(&bus->lock);
	free(bus);
}

void
pci_dev_init(struct pci_dev *dev, uint16_t vendor, uint16_t device,
	     uint32_t class, uint8_t revision, uint16_t subsys_vendor,
	     uint16_t subsys_id, const struct pci_dev_ops *ops, void *priv)
{
	memset(dev, 0, sizeof *dev);
	pci_put16(&dev->cfg[PCI_VENDOR_ID], vendor);
	pci_put16(&dev->cfg[PCI_DEVICE_ID], device);
	dev->cfg[PCI_REVISION_ID] = revision;
	dev->cfg[PCI_CLASS_PROG] = (uint8_t)class;
	pci_put16(&dev->cfg[PCI_CLASS_DEVICE], (uint16_t)(class >> 8));
	dev->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	pci_put16(&dev->cfg[PCI_SUBSYSTEM_VENDOR_ID], subsys_vendor);
	pci_put16(&dev->cfg[PCI_SUBSYSTEM_ID], subsys_id);
	/* The guest may switch I/O and memory decoding, bus mastering and
	 * INTx masking, and use the interrupt line as scratch. */
	pci_put16(&dev->wmask[PCI_COMMAND], PCI_COMMAND_IO | PCI_COMMAND_MEMORY
		  | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	dev->ops = ops;
	dev->priv = priv;
}

int
pci_dev_add_bar(struct pci_dev *dev, unsigned bar, uint32_t size)
{
	if (bar >= PCI_NUM_BARS || size < 4096 || (size & (size - 1)))
		return -EINVAL;
	dev->bars[bar].size = size;
	/* 32-bit, non-prefetchable memory BAR: type bits 0, address bits
	 * below the size read as zero. */
	pci_put32(&dev->wmask[PCI_BASE_ADDRESS_0 + 4 * bar], ~(size - 1));
	return 0;
}

int
pci_dev_add_cap(struct pci_dev *dev, const void *cap, unsigned len,
		const uint8_t *wmask)
{
	unsigned off = dev->cap_end ? dev->cap_end : 0x40;

	if (len < 2 || off + len > PCI_CFG_SIZE)
		return -ENOSPC;
	memcpy(&dev->cfg[off], cap, len);
	if (wmask)
		memcpy(&dev->wmask[off], wmask, len);
	dev->cfg[off + 1] = 0;          /* end of list */
	dev->wmask[off] = dev->wmask[off + 1] = 0;
	if (dev->last_cap)
		dev->cfg[dev->last_cap + 1] = (uint8_t)off;
	else
		dev->cfg[PCI_CAPABILITY_LIST] = (uint8_t)off;
	pci_put16(&dev->cfg[PCI_STATUS],
		  pci_cfg_read16(dev, PCI_STATUS) | PCI_STATUS_CAP_LIST);
	dev->last_cap = (uint8_t)off;
	dev->cap_end = (off + len + 3) & ~3u;
	return (int)off;
}

int
pci_bus_add(struct pci_bus *bus, struct pci_dev *dev)
{
	int slot = -ENOSPC;

	pthread_mutex_lock(&bus->lock);
	for (unsigned i = 1; i < PCI_MAX_SLOTS; i++) {
		if (!bus->slots[i]) {
			slot = (int)i;
			break;
		}
	}
	if (slot < 0)
		goto out_unlock;
	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		struct pci_bar *bar = &dev->bars[b];
		uint64_t addr;

		if (!bar->size)
			continue;
		addr = (bus->next_mmio + bar->size - 1) & ~(uint64_t)(bar->size
								       - 1);
		if (addr + bar->size > PCI_MMIO_BASE + PCI_MMIO_SIZE) {
			slot = -ENOSPC;
			goto out_unlock;
		}
		bus->next_mmio = addr + bar->size;
		bar->addr = addr;
		pci_put32(&dev->cfg[PCI_BASE_ADDRESS_0 + 4 * b],
			  (uint32_t)addr);
	}
	dev->slot = (unsigned)slot;
	bus->slots[slot] = dev;
out_unlock:
	pthread_mutex_unlock(&bus->lock);
	return slot;
}

void
pci_bus_del(struct pci_bus *bus, struct pci_dev *dev)
{
	if (!bus || !dev)
		return;
	pthread_mutex_lock(&bus->lock);
	if (dev->slot && dev->slot < PCI_MAX_SLOTS &&
	    bus->slots[dev->slot] == dev)
		bus->slots[dev->slot] = NULL;
	pthread_mutex_unlock(&bus->lock);
}

/* Recomputes where each BAR decodes after a write to the command register
 * or a BAR, and tells the device about changes. */
static void
pci_update_bars(struct pci_dev *dev)
{
	bool mem_on = pci_cfg_read16(dev, PCI_COMMAND) & PCI_COMMAND_MEMORY;

	for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
		struct pci_bar *bar = &dev->bars[b];
		uint64_t addr;
		bool enabled;

		if (!bar->size)
			continue;
		addr = pci_cfg_read32(dev, PCI_BASE_ADDRESS_0 + 4 * b) &
		       ~(uint64_t)(bar->size - 1);
		/* While being sized the BAR holds all-ones: not a place. */
		enabled = mem_on && addr && addr + bar->size <= MEM_4G &&
			  addr != (uint32_t)~(bar->size - 1);
		if (enabled == bar->enabled && (!enabled || addr == bar->addr))
			continue;
		bar->addr = addr;
		bar->enabled = enabled;
		if (dev->ops && dev->ops->bar_remap)
			dev->ops->bar_remap(dev, b, addr, enabled);
	}
}

static struct pci_dev *
pci_lookup(struct pci_bus *bus, uint32_t addr)
{
	unsigned bus_no = (addr >> 16) & 0xff;
	unsigned slot = (addr >> 11) & 0x1f;
	unsigned fn = (addr >> 8) & 0x7;

	if (!(addr & PCI_CFG_ENABLE) || bus_no != 0 || fn != 0)
		return NULL;
	return bus->slots[slot];
}

static void
pci_config_data(struct pci_bus *bus, unsigned byte, uint8_t *data,
		unsigned len, bool is_write)
{
	struct pci_dev *dev = pci_lookup(bus, bus->config_addr);
	unsigned reg = (bus->config_addr & 0xfc) + byte;
	bool touched_bars = false;

	if (!dev || reg + len > PCI_CFG_SIZE)
		return;                         /* reads stay all-ones */
	if (!is_write) {
		if (dev->ops && dev->ops->config_reading)
			dev->ops->config_reading(dev, reg, len);
		memcpy(data, &dev->cfg[reg], len);
		return;
	}
	for (unsigned i = 0; i < len; i++) {
		unsigned r = reg + i;

		dev->cfg[r] = (uint8_t)((dev->cfg[r] & ~dev->wmask[r]) |
					(data[i] & dev->wmask[r]));
		if (r == PCI_COMMAND || (r >= PCI_BASE_ADDRESS_0 &&
					 r < PCI_BASE_ADDRESS_5 + 4))
			touched_bars = true;
	}
	if (touched_bars)
		pci_update_bars(dev);
	if (dev->ops && dev->ops->config_written)
		dev->ops->config_written(dev, reg, len);
}

void
pci_config_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len,
	      bool is_write)
{
	struct pci_bus *bus = opaque;

	if (!is_write)
		memset(data, 0xff, len);        /* absent function, open bus */
	pthread_mutex_lock(&bus->lock);
	if (offset < 4) {
		/* Only whole-dword accesses reach the address latch; Linux's
		 * type-1 probe writes a byte to 0xcfb and expects the latch
		 * untouched. */
		if (offset == 0 && len == 4) {
			if (is_write)
				bus->config_addr = (uint32_t)data[0] |
					(uint32_t)data[1] << 8 |
					(uint32_t)data[2] << 16 |
					(uint32_t)data[3] << 24;
			else
				pci_put32(data, bus->config_addr);
		}
	} else if (offset - 4 + len <= 4) {
		pci_config_data(bus, (unsigned)(offset - 4), data, len,
				is_write);
	}
	pthread_mutex_unlock(&bus->lock);
}

void
pci_mmio_io(void *opaque, uint64_t offset, uint8_t *data, unsigned len,
	    bool is_write)
{
	struct pci_bus *bus = opaque;
	uint64_t addr = PCI_MMIO_BASE + offset;
	struct pci_dev *hit = NULL;
	unsigned hit_bar = 0;
	uint64_t hit_off = 0;

	pthread_mutex_lock(&bus->lock);
	for (unsigned s = 1; s < PCI_MAX_SLOTS && !hit; s++) {
		struct pci_dev *dev = bus->slots[s];

		if (!dev)
			continue;
		for (unsigned b = 0; b < PCI_NUM_BARS; b++) {
			const struct pci_bar *bar = &dev->bars[b];

			if (bar->enabled && addr >= bar->addr &&
			    addr + len <= bar->addr + bar->size) {
				hit = dev;
				hit_bar = b;
				hit_off = addr - bar->addr;
				break;
			}
		}
	}
	pthread_mutex_unlock(&bus->lock);
	if (hit && hit->ops && hit->ops->bar_access)
		hit->ops->bar_access(hit, hit_bar, hit_off, data, len, is_write);
	else
		log_debug("pci", "MMIO %s at 0x%llx hits no BAR",
			  is_write ? "write" : "read",
			  (unsigned long long)addr);
}
