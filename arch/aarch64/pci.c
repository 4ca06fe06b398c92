/* The PCI host bridge of -M virt ("pci-host-ecam-generic"), from the device
 * tree: configuration space through ECAM (one 4 KiB page per function at
 * base + bus << 20 | dev << 15 | fn << 12), the address windows its
 * "ranges" route (I/O, 32- and 64-bit memory) for the generic scan to
 * assign BARs from, the I/O window as the port space legacy devices use,
 * and INTx routing through "interrupt-map". Without a bridge every
 * configuration read answers like an empty slot.
 */
#include <errno.h>

#include "arch/aarch64/cpu.h"
#include "arch/aarch64/platform.h"
#include "kernel/arch.h"
#include "kernel/machine.h"
#include "kernel/log.h"

#define ECAM_BUS_SIZE (1u << 20)
#define MAX_BUSES 256
#define SPACE_IO 1              /* phys.hi bits 24-25 of a PCI address */
#define SPACE_MEM32 2
#define SPACE_MEM64 3
#define FDT_IRQ_SPI 0
#define INTID_FIRST_SPI 32u

static struct {
	int node;               /* -1: not looked for yet; -ENOENT: none */
	uint64_t ecam, ecam_size;
	uint8_t first_bus, last_bus;
	uintptr_t bus_regs[MAX_BUSES];  /* mapped ECAM slice per bus, 0 = not yet */
	uint64_t io_cpu, io_size;       /* I/O space: PCI port 0 is at io_cpu */
	volatile uint8_t *io;
} host = { .node = -1 };

static bool find_host(void)
{
	if (host.node != -1)
		return host.node >= 0;
	host.node = -ENOENT;
	if (!aarch64_fdt.blob)
		return false;
	int node = fdt_next_compatible(&aarch64_fdt, -1, "pci-host-ecam-generic");
	if (node < 0 || !fdt_is_enabled(&aarch64_fdt, node) ||
	    fdt_reg(&aarch64_fdt, node, 0, &host.ecam, &host.ecam_size) < 0)
		return false;
	uint32_t len;
	const uint8_t *range = fdt_prop(&aarch64_fdt, node, "bus-range", &len);
	host.first_bus = range && len == 8 ? (uint8_t)fdt_cells(range, 1) : 0;
	host.last_bus = range && len == 8 ? (uint8_t)fdt_cells(range + 4, 1) : 255;
	host.node = node;
	return true;
}

/* Each bus's slice of ECAM is mapped on its first use: all 256 at once
 * would cost 65536 page-table entries. */
static uintptr_t config_address(unsigned bus, unsigned dev, unsigned fn, unsigned offset)
{
	if (!find_host() || bus < host.first_bus || bus > host.last_bus || dev > 31 || fn > 7 ||
	    offset > 4092)
		return 0;
	uint64_t slice = (uint64_t)(bus - host.first_bus) * ECAM_BUS_SIZE;
	if (slice + ECAM_BUS_SIZE > host.ecam_size)
		return 0;
	if (!host.bus_regs[bus]) {
		void *regs = arch_map_device(host.ecam + slice, ECAM_BUS_SIZE);
		if (!regs)
			return 0;
		host.bus_regs[bus] = (uintptr_t)regs;
	}
	return host.bus_regs[bus] + (dev << 15 | fn << 12 | (offset & ~3u));
}

uint32_t machine_pci_config_read(unsigned bus, unsigned dev, unsigned fn, unsigned offset)
{
	uintptr_t at = config_address(bus, dev, fn, offset);
	return at ? mmio_read32(at) : 0xFFFFFFFFu;
}

void machine_pci_config_write(unsigned bus, unsigned dev, unsigned fn, unsigned offset, uint32_t value)
{
	uintptr_t at = config_address(bus, dev, fn, offset);
	if (at)
		mmio_write32(at, value);
}

/* "ranges": <PCI address (3 cells), CPU address (parent's cells), size (2)>. */
int machine_pci_windows(struct pci_window *out, int max)
{
	if (!find_host())
		return 0;
	uint32_t len;
	const uint8_t *p = fdt_prop(&aarch64_fdt, host.node, "ranges", &len);
	int cpu_cells = fdt_address_cells(&aarch64_fdt, host.node);
	uint32_t entry = 4 * (3 + (uint32_t)cpu_cells + 2);
	int n = 0;
	for (uint32_t at = 0; p && cpu_cells > 0 && cpu_cells <= 2 && at + entry <= len && n < max; at += entry) {
		unsigned space = (unsigned)(fdt_cells(p + at, 1) >> 24) & 3;
		uint64_t pci = fdt_cells(p + at + 4, 2);
		uint64_t cpu = fdt_cells(p + at + 12, cpu_cells);
		uint64_t size = fdt_cells(p + at + 12 + 4 * (uint32_t)cpu_cells, 2);
		if (space == SPACE_IO) {
			/* Port numbers are PCI I/O addresses; the CPU reaches
			 * them through this window. */
			host.io_cpu = cpu - pci;
			host.io_size = pci + size;
			out[n++] = (struct pci_window){ pci, size, PCI_WINDOW_IO };
		} else if ((space == SPACE_MEM32 || space == SPACE_MEM64) && pci == cpu) {
			out[n++] = (struct pci_window){ pci, size,
							space == SPACE_MEM64 ? PCI_WINDOW_MEM64 : PCI_WINDOW_MEM32 };
		}
	}
	return n;
}

/* interrupt-map entries: <child address (3) child pin (1) parent phandle
 * parent address (its #address-cells) parent interrupt (its
 * #interrupt-cells)>, matched after interrupt-map-mask. */
int machine_pci_intx_line(unsigned bus, unsigned dev, unsigned fn, unsigned pin)
{
	if (!find_host() || pin < 1 || pin > 4)
		return -ENODEV;
	uint32_t len, mask_len;
	const uint8_t *map = fdt_prop(&aarch64_fdt, host.node, "interrupt-map", &len);
	const uint8_t *mask = fdt_prop(&aarch64_fdt, host.node, "interrupt-map-mask", &mask_len);
	if (!map || !mask || mask_len != 16)
		return -ENODEV;
	uint32_t want_hi = (uint32_t)(bus << 16 | dev << 11 | fn << 8) & (uint32_t)fdt_cells(mask, 1);
	uint32_t want_pin = pin & (uint32_t)fdt_cells(mask + 12, 1);
	/* Entries name their parent by phandle, in practice all the same one
	 * (the GIC): it is looked up, a walk of the tree, only when it changes. */
	uint32_t phandle = 0, addr_cells = 0, irq_cells = 0;
	for (uint32_t at = 0; at + 20 <= len;) {
		uint32_t entry_phandle = (uint32_t)fdt_cells(map + at + 16, 1);
		if (at == 0 || entry_phandle != phandle) {
			int parent = fdt_find_phandle(&aarch64_fdt, entry_phandle);
			addr_cells = 0;
			if (parent < 0 || !fdt_prop_u32(&aarch64_fdt, parent, "#interrupt-cells", &irq_cells))
				return -ENODEV;
			fdt_prop_u32(&aarch64_fdt, parent, "#address-cells", &addr_cells);
			phandle = entry_phandle;
		}
		uint32_t entry = 20 + 4 * (addr_cells + irq_cells);
		if (irq_cells != 3 || addr_cells > 3 || at + entry > len)
			return -ENODEV;
		const uint8_t *irq = map + at + 20 + 4 * addr_cells;
		if ((uint32_t)fdt_cells(map + at, 1) == want_hi && (uint32_t)fdt_cells(map + at + 12, 1) == want_pin)
			return fdt_cells(irq, 1) == FDT_IRQ_SPI ? (int)(INTID_FIRST_SPI + fdt_cells(irq + 4, 1))
								: -ENODEV;
		at += entry;
	}
	return -ENODEV;
}

/* Legacy devices' I/O BARs: ports are offsets into the I/O window. */
static volatile uint8_t *io_port(uint64_t port, unsigned width)
{
	if (!host.io_size || port + width > host.io_size)
		return 0;
	if (!host.io && !(host.io = arch_map_device(host.io_cpu, host.io_size)))
		return 0;
	return host.io + port;
}

uint32_t machine_pio_read(uint64_t port, unsigned width)
{
	volatile uint8_t *at = io_port(port, width);
	if (!at)
		return width >= 4 ? 0xFFFFFFFFu : (1u << (width * 8)) - 1;
	return width == 1 ? *at : width == 2 ? *(volatile uint16_t *)at : *(volatile uint32_t *)at;
}

void machine_pio_write(uint64_t port, unsigned width, uint32_t value)
{
	volatile uint8_t *at = io_port(port, width);
	if (!at)
		return;
	if (width == 1)
		*at = (uint8_t)value;
	else if (width == 2)
		*(volatile uint16_t *)at = (uint16_t)value;
	else
		*(volatile uint32_t *)at = value;
}
