/*
 * pci.h - PCI bus 0 behind a type-1 host bridge (configuration mechanism
 * #1: address latch at 0xcf8, data window at 0xcfc-0xcff).
 *
 * The bus has one host bridge at 00:00.0 (class 0x0600, which also passes
 * Linux's type-1 sanity check without pci=conf1) and up to 31 single-
 * function devices.  Each device has a 256-byte configuration space with a
 * per-byte write mask; BARs are 32-bit memory BARs that the VMM assigns
 * in the PCI hole when the device is added (Linux keeps firmware
 * assignments), and that the guest may move or size the usual way.  All
 * BAR MMIO lands in one fixed range of the MMIO bus and is routed here to
 * the device whose enabled BAR covers it.
 *
 * Locking: one bus lock covers configuration space and BAR addresses.
 * Device hooks called from configuration writes run with it held, so they
 * must not call back into the bus; BAR accesses run without it.
 */
#ifndef VMM_PCI_H
#define VMM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"

#define PCI_CONFIG_ADDR_PORT  0xcf8
#define PCI_MMIO_BASE         MEM_PCI_HOLE          /* 0xc0000000 */
#define PCI_MMIO_SIZE         0x20000000ULL         /* 512 MiB */
#define PCI_MAX_SLOTS         32
#define PCI_NUM_BARS          6
#define PCI_CFG_SIZE          256

#define PCI_HOST_VENDOR_ID    0x8086
#define PCI_HOST_DEVICE_ID    0x0d57

struct pci_bus;
struct pci_dev;

/* A device's hooks.  Any member may be NULL. */
struct pci_dev_ops {
	/* Called after the guest wrote 'len' bytes at 'offset' of the
	 * configuration space (already merged into dev->cfg), with the bus
	 * lock held. */
	void (*config_written)(struct pci_dev *dev, unsigned offset,
			       unsigned len);
	/* Called before the guest reads 'len' bytes at 'offset', with the
	 * bus lock held, to refresh dev->cfg where it is computed. */
	void (*config_reading)(struct pci_dev *dev, unsigned offset,
			       unsigned len);
	/* Called when BAR 'bar' starts or stops decoding or moves, with the
	 * bus lock held; 'addr' is the new address, valid if 'enabled'. */
	void (*bar_remap)(struct pci_dev *dev, unsigned bar, uint64_t addr,
			  bool enabled);
	/* Guest access to BAR 'bar' at 'offset' (io_handler_fn style); runs
	 * on a vCPU thread without the bus lock. */
	void (*bar_access)(struct pci_dev *dev, unsigned bar, uint64_t offset,
			   uint8_t *data, unsigned len, bool is_write);
};

struct pci_bar {
	uint32_t size;          /* 0: BAR not implemented */
	uint64_t addr;          /* current address */
	bool enabled;           /* memory decoding on and address valid */
};

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];
	struct pci_bar bars[PCI_NUM_BARS];
	const struct pci_dev_ops *ops;
	void *priv;             /* owner's object */
	unsigned slot;
	uint8_t last_cap;       /* offset of the last capability, 0 if none */
	unsigned cap_end;       /* first free byte after the capabilities */
};

/* Returns a bus holding only the host bridge. */
struct pci_bus *pci_bus_create(void);

/* Frees 'bus' (NULL is fine); devices belong to their owners. */
void pci_bus_destroy(struct pci_bus *bus);

/* Sets up the standard header of 'dev'.  'class' is the 24-bit class code
 * (class, subclass, prog-if). */
void pci_dev_init(struct pci_dev *dev, uint16_t vendor, uint16_t device,
		  uint32_t class, uint8_t revision, uint16_t subsys_vendor,
		  uint16_t subsys_id, const struct pci_dev_ops *ops,
		  void *priv);

/* Declares 32-bit memory BAR 'bar' of 'size' bytes (a power of two, at
 * least 4 KiB).  Returns 0 or -EINVAL. */
int pci_dev_add_bar(struct pci_dev *dev, unsigned bar, uint32_t size);

/* Appends capability 'cap' ('len' bytes, its first byte the ID) to the
 * capability list; bytes from 'wmask' (NULL: none) say what the guest may
 * write.  Returns the capability's offset or -ENOSPC. */
int pci_dev_add_cap(struct pci_dev *dev, const void *cap, unsigned len,
		    const uint8_t *wmask);

/* Puts 'dev' in the next free slot and assigns its BARs in the PCI hole.
 * Returns the slot or -ENOSPC. */
int pci_bus_add(struct pci_bus *bus, struct pci_dev *dev);

/* Takes 'dev' off the bus (NULL bus or dev is fine). */
void pci_bus_del(struct pci_bus *bus, struct pci_dev *dev);

/* Port I/O handler for 0xcf8-0xcff (io_handler_fn). */
void pci_config_io(void *bus, uint64_t offset, uint8_t *data, unsigned len,
		   bool is_write);

/* MMIO handler for the BAR window at PCI_MMIO_BASE (io_handler_fn). */
void pci_mmio_io(void *bus, uint64_t offset, uint8_t *data, unsigned len,
		 bool is_write);

/* Little-endian helpers for configuration space. */
static inline uint32_t
pci_cfg_read32(const struct pci_dev *dev, unsigned off)
{
	return (uint32_t)dev->cfg[off] | (uint32_t)dev->cfg[off + 1] << 8 |
	       (uint32_t)dev->cfg[off + 2] << 16 |
	       (uint32_t)dev->cfg[off + 3] << 24;
}

static inline uint16_t
pci_cfg_read16(const struct pci_dev *dev, unsigned off)
{
	return (uint16_t)(dev->cfg[off] | dev->cfg[off + 1] << 8);
}

#endif /* VMM_PCI_H */
