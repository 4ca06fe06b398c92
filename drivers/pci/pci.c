/* PCI bus scan and configuration helpers (see pci.h). */
#include "drivers/pci/pci.h"
#include "kernel/arch.h"
#include "kernel/log.h"

#define MAX_CAPABILITIES 48     /* a looping list must not hang us */

uint32_t pci_read32(const struct pci_function *f, unsigned off)
{
	return arch_pci_config_read(f->bus, f->dev, f->fn, off & ~3u);
}

uint16_t pci_read16(const struct pci_function *f, unsigned off)
{
	return (uint16_t)(pci_read32(f, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_function *f, unsigned off)
{
	return (uint8_t)(pci_read32(f, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_function *f, unsigned off, uint32_t v)
{
	arch_pci_config_write(f->bus, f->dev, f->fn, off & ~3u, v);
}

void pci_write16(const struct pci_function *f, unsigned off, uint16_t v)
{
	uint32_t word = pci_read32(f, off);
	unsigned shift = (off & 2) * 8;
	word = (word & ~(0xFFFFu << shift)) | ((uint32_t)v << shift);
	pci_write32(f, off, word);
}

static void scan_bus(unsigned bus, void (*fn)(const struct pci_function *, void *), void *ctx,
		     int depth)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned func = 0; func < 8; func++) {
			struct pci_function f = { (uint8_t)bus, (uint8_t)dev, (uint8_t)func, 0, 0 };
			uint32_t id = pci_read32(&f, PCI_VENDOR_ID);
			if ((id & 0xFFFF) == 0xFFFF) {
				if (func == 0)
					break;
				continue;
			}
			f.vendor = (uint16_t)id;
			f.device = (uint16_t)(id >> 16);
			uint8_t header = pci_read8(&f, PCI_HEADER_TYPE);
			uint32_t class = pci_read32(&f, PCI_CLASS_REVISION) >> 16;
			if (class == 0x0604 && depth < 8) {     /* PCI-to-PCI bridge */
				unsigned secondary = (pci_read32(&f, 0x18) >> 8) & 0xFF;
				if (secondary > bus)
					scan_bus(secondary, fn, ctx, depth + 1);
			} else {
				fn(&f, ctx);
			}
			if (func == 0 && !(header & 0x80))
				break;  /* single-function device */
		}
	}
}

void pci_scan(void (*fn)(const struct pci_function *f, void *ctx), void *ctx)
{
	if ((arch_pci_config_read(0, 0, 0, 0) & 0xFFFF) == 0xFFFF)
		return;         /* no PCI on this machine (microvm) */
	scan_bus(0, fn, ctx, 0);
}

unsigned pci_find_capability(const struct pci_function *f, uint8_t id, unsigned from)
{
	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAPABILITIES))
		return 0;
	unsigned at = from ? pci_read8(f, from + 1) : pci_read8(f, PCI_CAPABILITIES);
	for (int n = 0; n < MAX_CAPABILITIES && at >= 0x40; n++) {
		at &= ~3u;
		if (pci_read8(f, at) == id)
			return at;
		at = pci_read8(f, at + 1);
	}
	return 0;
}

uint64_t pci_bar_address(const struct pci_function *f, unsigned index, bool *io)
{
	if (index > 5)
		return 0;
	uint32_t low = pci_read32(f, PCI_BAR0 + 4 * index);
	*io = low & 1;
	if (*io)
		return low & ~3u;
	uint64_t addr = low & ~15u;
	if (((low >> 1) & 3) == 2 && index < 5)         /* 64-bit BAR */
		addr |= (uint64_t)pci_read32(f, PCI_BAR0 + 4 * (index + 1)) << 32;
	return addr;
}

#define MSIX_CONTROL 2
#define MSIX_TABLE 4
#define MSIX_ENABLE (1u << 15)
#define MSIX_FUNCTION_MASK (1u << 14)

bool pci_msix_enable_single(const struct pci_function *f, void (*fn)(void *), void *ctx)
{
	unsigned cap = pci_find_capability(f, PCI_CAP_MSIX, 0);
	if (!cap)
		return false;
	uint32_t table = pci_read32(f, cap + MSIX_TABLE);
	bool io;
	uint64_t bar = pci_bar_address(f, table & 7, &io);
	if (!bar || io)
		return false;
	volatile uint32_t *entry = arch_map_device(bar + (table & ~7u), 16);
	uint64_t address;
	uint32_t data;
	if (!entry || arch_irq_attach_msi(fn, ctx, &address, &data) != 0)
		return false;
	entry[0] = (uint32_t)address;
	entry[1] = (uint32_t)(address >> 32);
	entry[2] = data;
	entry[3] = 0;                                   /* unmasked */
	uint16_t control = pci_read16(f, cap + MSIX_CONTROL);
	pci_write16(f, cap + MSIX_CONTROL, (uint16_t)((control | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK));
	return true;
}
