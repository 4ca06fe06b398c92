/* Device interrupts on aarch64: one handler per GIC INTID, the virtio-mmio
 * windows of the device tree, MSIs through a GICv2m frame. PCI itself is in
 * pci.c. An interrupt "line" of the arch contract is
 * the GIC INTID itself: 32 + n for the device tree's SPI n. */
#include <errno.h>

#include "arch/aarch64/platform.h"
#include "kernel/arch.h"
#include "kernel/machine.h"
#include "kernel/log.h"

#define INTID_FIRST_PPI 16u
#define INTID_FIRST_SPI 32u
#define INTID_SPECIAL 1020u             /* 1020-1023: nothing to handle */
#define FDT_IRQ_SPI 0                   /* <type num flags>: the GIC binding */
#define FDT_IRQ_PPI 1

static struct {
	irq_handler_t fn;
	void *ctx;
} handlers[INTID_SPECIAL];

void aarch64_irq_register(unsigned intid, void (*fn)(void *), void *ctx)
{
	if (intid >= INTID_SPECIAL)
		return;
	handlers[intid].ctx = ctx;
	handlers[intid].fn = fn;
}

/* Several interrupts may be pending: taking them all here saves an
 * exception return and re-entry each. Only enabled INTIDs are delivered
 * and each got a handler first, so a missing one is a bug worth a word. */
void aarch64_irq_dispatch(void)
{
	for (;;) {
		unsigned intid = gic_acknowledge();
		if (intid >= INTID_SPECIAL)
			return;
		if (handlers[intid].fn)
			handlers[intid].fn(handlers[intid].ctx);
		else
			log_warn("skiff: interrupt %u without a handler\n", intid);
		gic_end(intid);
	}
}

void machine_irq_detach(irq_handler_t fn, void *ctx)
{
	for (unsigned intid = INTID_FIRST_SPI; intid < INTID_SPECIAL; intid++) {
		if (handlers[intid].fn != fn || handlers[intid].ctx != ctx)
			continue;
		gic_disable(intid);
		handlers[intid].fn = 0;
		handlers[intid].ctx = 0;
	}
}

/* The GIC has no polarity setting: SPIs are level-high or rising-edge, and
 * an active-low source is inverted before it (its device tree flags say
 * so, not the line), so `active_low` has nothing to program. */
int machine_irq_attach_line(unsigned line, bool level, bool active_low, irq_handler_t fn, void *ctx)
{
	(void)active_low;
	if (line < INTID_FIRST_PPI || line >= INTID_SPECIAL)
		return -ENODEV;
	aarch64_interrupts_init();
	aarch64_irq_register(line, fn, ctx);
	gic_enable(line, level);
	log_debug("skiff: irq INTID %u (%s)\n", line, level ? "level" : "edge");
	return 0;
}

/* MSIs through a GICv2m frame ("arm,gic-v2m-frame", what -M virt has with
 * GICv2): a device's write of an SPI's INTID to the frame's SETSPI register
 * raises that SPI, edge-triggered. The frame's TYPER names the SPIs it
 * owns; each MSI takes the next. Without a frame (GICv3 has an ITS
 * instead, not driven here) virtio-pci falls back to its INTx line. */
#define V2M_TYPER 0x008
#define V2M_SETSPI_NS 0x040

int machine_irq_attach_msi(irq_handler_t fn, void *ctx, uint64_t *address, uint32_t *data)
{
	static uint64_t frame;
	static unsigned next_spi, end_spi;
	aarch64_interrupts_init();
	if (!frame) {
		uint64_t base, size;
		int node = fdt_next_compatible(&aarch64_fdt, -1, "arm,gic-v2m-frame");
		if (node < 0 || fdt_reg(&aarch64_fdt, node, 0, &base, &size) < 0)
			return -ENODEV;
		volatile uint8_t *regs = arch_map_device(base, PAGE_SIZE);
		if (!regs)
			return -ENOMEM;
		uint32_t typer = *(volatile uint32_t *)(regs + V2M_TYPER);
		next_spi = (typer >> 16) & 0x3FF;
		end_spi = next_spi + (typer & 0x3FF);
		frame = base;
	}
	if (next_spi >= end_spi || next_spi >= INTID_SPECIAL)
		return -ENOSPC;
	unsigned intid = next_spi++;
	aarch64_irq_register(intid, fn, ctx);
	gic_enable(intid, false);
	*address = frame + V2M_SETSPI_NS;
	*data = intid;
	log_debug("skiff: msi -> INTID %u (GICv2m)\n", intid);
	return 0;
}

/* A device-tree "interrupts" triple as a GIC INTID, or 0 when it is not
 * one of the GIC's (type, number) pairs. */
static unsigned intid_of(int node)
{
	uint32_t len;
	const uint8_t *p = fdt_prop(&aarch64_fdt, node, "interrupts", &len);
	if (!p || len < 12)
		return 0;
	uint64_t type = fdt_cells(p, 1), num = fdt_cells(p + 4, 1);
	if (type == FDT_IRQ_SPI && num < INTID_SPECIAL - INTID_FIRST_SPI)
		return INTID_FIRST_SPI + (unsigned)num;
	if (type == FDT_IRQ_PPI && num < INTID_FIRST_SPI - INTID_FIRST_PPI)
		return INTID_FIRST_PPI + (unsigned)num;
	return 0;
}

/* Every enabled "virtio,mmio" node, by ascending base: QEMU virt fills its
 * transports from the highest address down, and the transport probes from
 * the last window. With more nodes than `max`, the highest ones are kept. */
int machine_virtio_mmio_windows(struct platform_mmio *out, int max)
{
	int n = 0, total = 0;
	if (!aarch64_fdt.blob || max <= 0)
		return 0;
	for (int node = -1; (node = fdt_next_compatible(&aarch64_fdt, node, "virtio,mmio")) >= 0;) {
		struct platform_mmio w;
		if (!fdt_is_enabled(&aarch64_fdt, node) ||
		    fdt_reg(&aarch64_fdt, node, 0, &w.base, &w.size) < 0 || !(w.line = intid_of(node)))
			continue;
		total++;
		int i = n;
		if (n == max) {                 /* full: drop the lowest, if lower */
			if (w.base < out[0].base)
				continue;
			for (int j = 1; j < n; j++)
				out[j - 1] = out[j];
			i = --n;
		}
		for (; i > 0 && out[i - 1].base > w.base; i--)
			out[i] = out[i - 1];
		out[i] = w;
		n++;
	}
	return total;            /* all of them, even past max (the contract) */
}
