/* PCI bus scan and configuration helpers (see pci.h). */
#include <errno.h>

#include "drivers/pci/pci.h"
#include "kernel/arch.h"
#include "kernel/log.h"


uint32_t pci_read32(const struct pci_function *f, unsigned off)
{
	return machine_pci_config_read(f->bus, f->dev, f->fn, off & ~3u);
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
	machine_pci_config_write(f->bus, f->dev, f->fn, off & ~3u, v);
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
		/* Above 4 GiB only what a bridge's prefetchable window can pass:
		 * 64-bit prefetchable BARs (the other window of a bridge is
		 * 32-bit). */
		bool prefetchable = !io && (low & 8);
		enum pci_window_kind kind = io ? PCI_WINDOW_IO :
					    wide && prefetchable ? PCI_WINDOW_MEM64 : PCI_WINDOW_MEM32;
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

/* Bridges, when no firmware has set them up (the same condition as BAR
 * assignment): each gets the next bus number, and windows that cover what
 * is assigned behind it. Window granularity is 4 KiB for I/O and 1 MiB for
 * memory, so the allocators are aligned to it around the bridge's subtree.
 * The bus a bridge leads to remembers the bridge, for INTx swizzling. */
#define PCI_BUS_NUMBERS 0x18            /* primary, secondary, subordinate */
#define PCI_IO_BASE 0x1C                /* I/O base and limit, 4 KiB units */
#define PCI_MEMORY_BASE 0x20            /* memory base and limit, 1 MiB units */
#define PCI_PREF_MEMORY_BASE 0x24       /* prefetchable, 64-bit with the next two */
#define PCI_PREF_BASE_UPPER 0x28
#define PCI_PREF_LIMIT_UPPER 0x2C

static unsigned last_bus;
static struct {
	uint8_t bus, dev;
} bridge_of[256];

static int window_of(enum pci_window_kind kind)
{
	for (int i = 0; i < windows.count; i++)
		if (windows.w[i].kind == kind)
			return i;
	return -1;
}

/* Aligns window `kind`'s allocator up to `align`; returns where it is now
 * (0 when there is no such window). */
static uint64_t window_mark(enum pci_window_kind kind, uint64_t align)
{
	int i = window_of(kind);
	if (i < 0)
		return 0;
	windows.next[i] = (windows.next[i] + align - 1) & ~(align - 1);
	return windows.next[i];
}

static void scan_bus(unsigned bus, void (*fn)(const struct pci_function *, void *), void *ctx,
		     int depth);

static void setup_bridge(const struct pci_function *f, int depth)
{
	if (last_bus >= 255)
		return;
	unsigned secondary = ++last_bus;
	bridge_of[secondary].bus = f->bus;
	bridge_of[secondary].dev = f->dev;
	uint32_t numbers = pci_read32(f, PCI_BUS_NUMBERS) & 0xFF000000u;
	pci_write32(f, PCI_BUS_NUMBERS, numbers | 0xFFu << 16 | secondary << 8 | f->bus);
	uint64_t io = window_mark(PCI_WINDOW_IO, 4096), mem = window_mark(PCI_WINDOW_MEM32, 1 << 20),
		 pref = window_mark(PCI_WINDOW_MEM64, 1 << 20);
	scan_bus(secondary, 0, 0, depth + 1);
	pci_write32(f, PCI_BUS_NUMBERS, numbers | last_bus << 16 | secondary << 8 | f->bus);
	uint64_t io_end = window_mark(PCI_WINDOW_IO, 4096), mem_end = window_mark(PCI_WINDOW_MEM32, 1 << 20),
		 pref_end = window_mark(PCI_WINDOW_MEM64, 1 << 20);
	/* An empty window has its base above its limit: closed. */
	uint32_t io_word = io_end > io ? (uint32_t)((io >> 8) & 0xF0) | (uint32_t)(((io_end - 1) >> 8) & 0xF0) << 8
				       : 0x00F0;
	pci_write16(f, PCI_IO_BASE, (uint16_t)io_word);
	pci_write32(f, PCI_MEMORY_BASE, mem_end > mem ? (uint32_t)((mem >> 16) & 0xFFF0) |
							(uint32_t)(((mem_end - 1) >> 16) & 0xFFF0) << 16
						      : 0x0000FFF0u);
	if (pref_end > pref) {
		pci_write32(f, PCI_PREF_MEMORY_BASE, (uint32_t)((pref >> 16) & 0xFFF0) | 1u |
						     ((uint32_t)(((pref_end - 1) >> 16) & 0xFFF0) | 1u) << 16);
		pci_write32(f, PCI_PREF_BASE_UPPER, (uint32_t)(pref >> 32));
		pci_write32(f, PCI_PREF_LIMIT_UPPER, (uint32_t)((pref_end - 1) >> 32));
	} else {
		pci_write32(f, PCI_PREF_MEMORY_BASE, 0x0000FFF0u);
		pci_write32(f, PCI_PREF_BASE_UPPER, 0);
		pci_write32(f, PCI_PREF_LIMIT_UPPER, 0);
	}
	pci_write16(f, PCI_COMMAND, pci_read16(f, PCI_COMMAND) | PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
					    PCI_COMMAND_MASTER);
}

int pci_intx_line(const struct pci_function *f)
{
	unsigned pin = pci_read8(f, PCI_INTERRUPT_PIN), bus = f->bus, dev = f->dev, fn = f->fn;
	if (pin < 1 || pin > 4)
		return -ENODEV;
	/* Behind bridges we numbered, the pin a device raises reaches the root
	 * bus rotated by its slot at each bridge (the PCI-to-PCI bridge
	 * specification's swizzle). */
	for (int hops = 0; windows.count && bus != 0 && hops < 256; hops++) {
		pin = (pin - 1 + dev) % 4 + 1;
		dev = bridge_of[bus].dev;
		fn = 0;
		bus = bridge_of[bus].bus;
	}
	return machine_pci_intx_line(bus, dev, fn, pin);
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
				if (!fn) {
					setup_bridge(&f, depth);
				} else {
					unsigned secondary = (pci_read32(&f, PCI_BUS_NUMBERS) >> 8) & 0xFF;
					if (secondary > bus)
						scan_bus(secondary, fn, ctx, depth + 1);
				}
			} else if (!fn) {
				if ((header & 0x7F) == 0)
					assign_bars(&f);
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
	if ((machine_pci_config_read(0, 0, 0, 0) & 0xFFFF) == 0xFFFF)
		return;         /* no PCI on this machine (microvm) */
	windows.count = machine_pci_windows(windows.w, MAX_WINDOWS);
	last_bus = 0;
	for (int i = 0; i < windows.count; i++)     /* port and address 0 look unset */
		windows.next[i] = windows.w[i].base ? windows.w[i].base : 0x1000;
	/* Without firmware, the whole tree is numbered and given addresses
	 * first (fn == NULL), so no driver touches a device before the
	 * bridges above it pass its addresses. */
	if (windows.count)
		scan_bus(0, 0, 0, 0);
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
	if (!entry || machine_irq_attach_msi(fn, ctx, &address, &data) != 0)
		return false;
	entry[0] = (uint32_t)address;
	entry[1] = (uint32_t)(address >> 32);
	entry[2] = data;
	entry[3] = 0;                                   /* unmasked */
	uint16_t control = pci_read16(f, cap + MSIX_CONTROL);
	pci_write16(f, cap + MSIX_CONTROL, (uint16_t)((control | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK));
	return true;
}
