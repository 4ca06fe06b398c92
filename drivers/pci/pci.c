/* PCI bus scan and configuration helpers (see pci.h). */
#include <errno.h>

#include "drivers/pci/pci.h"
#include "kernel/arch.h"
#include "kernel/log.h"


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
	/* The status register shares the command's word and clears the error
	 * bits written as one: writing the command must not touch them. */
	if (off == PCI_COMMAND)
		word &= 0xFFFFu;
	pci_write32(f, off, word);
}

/* BAR assignment, for platforms without firmware to do it (the arch
 * reports the host bridge's windows): each BAR is sized the standard way
 * (write all ones, read back the mask) and given the next naturally aligned
 * range of a window of its kind; 64-bit BARs prefer the 64-bit window. */
#define MAX_WINDOWS 4

static struct {
	struct pci_window w[MAX_WINDOWS];
	uint64_t next[MAX_WINDOWS];
	int count;
} windows;

static int pick_window(enum pci_window_kind kind, uint64_t size, uint64_t *at)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < windows.count; i++) {
			if (windows.w[i].kind != kind)
				continue;
			uint64_t start = (windows.next[i] + size - 1) & ~(size - 1);
			if (start + size <= windows.w[i].base + windows.w[i].size && start + size > start) {
				windows.next[i] = start + size;
				*at = start;
				return 0;
			}
		}
		if (kind != PCI_WINDOW_MEM64)
			break;
		kind = PCI_WINDOW_MEM32;        /* no room above 4 GiB: below */
	}
	return -ENOSPC;
}

static void assign_bars(const struct pci_function *f)
{
	uint16_t command = pci_read16(f, PCI_COMMAND);
	pci_write16(f, PCI_COMMAND, command & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY)); /* no decoding while sizing */
	for (unsigned i = 0; i < 6; i++) {
		unsigned off = PCI_BAR0 + 4 * i;
		pci_write32(f, off, 0xFFFFFFFFu);
		uint32_t low = pci_read32(f, off);
		if (low == 0)
			continue;                       /* not implemented */
		bool io = low & 1, wide = !io && ((low >> 1) & 3) == 2 && i < 5;
		uint64_t mask = io ? (low & ~3u) | 0xFFFF0000u : low & ~15u;
		if (wide) {
			pci_write32(f, off + 4, 0xFFFFFFFFu);
			mask |= (uint64_t)pci_read32(f, off + 4) << 32;
		} else {
			mask |= 0xFFFFFFFF00000000ull;
		}
		uint64_t size = ~mask + 1, at;
		enum pci_window_kind kind = io ? PCI_WINDOW_IO : wide ? PCI_WINDOW_MEM64 : PCI_WINDOW_MEM32;
		if (size == 0 || pick_window(kind, size, &at) != 0) {
			log_warn("skiff: pci %u:%u.%u: no room for BAR %u (%llu bytes)\n", f->bus, f->dev, f->fn,
				 i, (unsigned long long)size);
			at = 0;
		}
		pci_write32(f, off, (uint32_t)at | (low & (io ? 3u : 15u)));
		if (wide)
			pci_write32(f, off + 4, (uint32_t)(at >> 32));
		i += wide;
	}
	pci_write16(f, PCI_COMMAND, command);
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
				if (windows.count && (header & 0x7F) == 0)
					assign_bars(&f);
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
	windows.count = arch_pci_windows(windows.w, MAX_WINDOWS);
	for (int i = 0; i < windows.count; i++)     /* port and address 0 look unset */
		windows.next[i] = windows.w[i].base ? windows.w[i].base : 0x1000;
	scan_bus(0, fn, ctx, 0);
}

unsigned pci_find_capability(const struct pci_function *f, uint8_t id, unsigned from)
{
	if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAPABILITIES))
		return 0;
	/* The list comes from the device: walk it from its head each time and
	 * visit every offset at most once, so that a loop ends here and in
	 * callers that continue from a capability (`from`). */
	uint64_t seen = 0;
	bool after = from == 0;
	for (unsigned at = pci_read8(f, PCI_CAPABILITIES) & ~3u; at >= 0x40;
	     at = pci_read8(f, at + 1) & ~3u) {
		uint64_t bit = 1ull << (at / 4 - 16);   /* 0x40..0xFC -> 0..47 */
		if (seen & bit)
			break;
		seen |= bit;
		if (after && pci_read8(f, at) == id)
			return at;
		after = after || at == from;
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
