/* Device interrupts on x86_64: vectors, IOAPIC lines and MSI messages.
 * IOAPIC 0 at 0xFEC00000 serves lines 0-23 on every PC machine; microvm
 * adds a second one at 0xFEC10000 for lines 24-47 (its virtio-mmio slots).
 * Both deliver to the local APIC, which must be on (lapic_init). */
#include <errno.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/trap.h"
#include "kernel/arch.h"
#include "kernel/machine.h"
#include "kernel/log.h"

#define FIRST_DEVICE_VECTOR 0x30
#define LAST_DEVICE_VECTOR 0xEF
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_VERSION 0x01
#define IOAPIC_REDIRECT(pin) (0x10 + 2 * (pin))
#define REDIRECT_ACTIVE_LOW (1u << 13)
#define REDIRECT_LEVEL (1u << 15)
#define REDIRECT_MASKED (1u << 16)
#define MSI_ADDRESS_BASE 0xFEE00000u

static const struct {
	uint64_t base;
	unsigned first_line;
} ioapic_at[] = { { 0xFEC00000u, 0 }, { 0xFEC10000u, 24 } };

static unsigned next_vector = FIRST_DEVICE_VECTOR;

/* The IOAPIC input each line-attached vector came through, so that a
 * detach can mask it (vectors are handed out once: none is reused). */
static struct {
	volatile uint32_t *regs;
	unsigned pin;
} line_of_vector[LAST_DEVICE_VECTOR + 1];

static int take_vector(irq_handler_t fn, void *ctx)
{
	if (next_vector > LAST_DEVICE_VECTOR)
		return -ENOSPC;
	unsigned v = next_vector++;
	x86_irq_register(v, fn, ctx);
	return (int)v;
}

static uint32_t ioapic_read(volatile uint32_t *regs, unsigned reg)
{
	regs[IOAPIC_REGSEL / 4] = reg;
	return regs[IOAPIC_WINDOW / 4];
}

static void ioapic_write(volatile uint32_t *regs, unsigned reg, uint32_t v)
{
	regs[IOAPIC_REGSEL / 4] = reg;
	regs[IOAPIC_WINDOW / 4] = v;
}

/* The IOAPIC serving `line` and the pin on it, or NULL. */
static volatile uint32_t *ioapic_for(unsigned line, unsigned *pin)
{
	for (unsigned i = 0; i < sizeof(ioapic_at) / sizeof(ioapic_at[0]); i++) {
		if (line < ioapic_at[i].first_line)
			continue;
		volatile uint32_t *regs = arch_map_device(ioapic_at[i].base, PAGE_SIZE);
		if (!regs)
			return 0;
		uint32_t version = ioapic_read(regs, IOAPIC_VERSION);
		unsigned pins = ((version >> 16) & 0xFF) + 1;
		if (version == 0 || version == 0xFFFFFFFFu || (version & 0xFF) < 0x10)
			continue;       /* nothing there on this machine */
		if (line - ioapic_at[i].first_line < pins) {
			*pin = line - ioapic_at[i].first_line;
			return regs;
		}
	}
	return 0;
}

int machine_irq_attach_line(unsigned line, bool level, bool active_low, irq_handler_t fn, void *ctx)
{
	if (!lapic_init())
		return -ENODEV;
	unsigned pin;
	volatile uint32_t *regs = ioapic_for(line, &pin);
	if (!regs)
		return -ENODEV;
	int vector = take_vector(fn, ctx);
	if (vector < 0)
		return vector;
	uint32_t low = (uint32_t)vector | (level ? REDIRECT_LEVEL : 0) |
		       (active_low ? REDIRECT_ACTIVE_LOW : 0);
	ioapic_write(regs, IOAPIC_REDIRECT(pin) + 1, lapic_id() << 24);
	ioapic_write(regs, IOAPIC_REDIRECT(pin), low);
	line_of_vector[vector].regs = regs;
	line_of_vector[vector].pin = pin;
	log_debug("skiff: irq line %u -> vector 0x%x (%s)\n", line, vector, level ? "level" : "edge");
	return 0;
}

void machine_irq_detach(irq_handler_t fn, void *ctx)
{
	for (unsigned v = FIRST_DEVICE_VECTOR; v < next_vector; v++) {
		if (!x86_irq_registered(v, fn, ctx))
			continue;
		if (line_of_vector[v].regs)
			ioapic_write(line_of_vector[v].regs, IOAPIC_REDIRECT(line_of_vector[v].pin),
				     REDIRECT_MASKED | v);
		line_of_vector[v].regs = 0;
		x86_irq_register(v, 0, 0);
	}
}

int machine_irq_attach_msi(irq_handler_t fn, void *ctx, uint64_t *address, uint32_t *data)
{
	if (!lapic_init())
		return -ENODEV;
	int vector = take_vector(fn, ctx);
	if (vector < 0)
		return vector;
	*address = MSI_ADDRESS_BASE | (lapic_id() << 12);   /* fixed, physical */
	*data = (uint32_t)vector;                            /* edge */
	return 0;
}

/* --- buses --------------------------------------------------------------- */

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC

static uint32_t config_address(unsigned bus, unsigned dev, unsigned fn, unsigned offset)
{
	return 0x80000000u | (bus & 0xFF) << 16 | (dev & 0x1F) << 11 | (fn & 7) << 8 | (offset & 0xFC);
}

uint32_t machine_pci_config_read(unsigned bus, unsigned dev, unsigned fn, unsigned offset)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bus, dev, fn, offset));
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)PCI_CONFIG_DATA));
	return v;
}

void machine_pci_config_write(unsigned bus, unsigned dev, unsigned fn, unsigned offset, uint32_t value)
{
	outl(PCI_CONFIG_ADDRESS, config_address(bus, dev, fn, offset));
	outl(PCI_CONFIG_DATA, value);
}

uint32_t machine_pio_read(uint64_t port, unsigned width)
{
	uint16_t p = (uint16_t)port;
	uint32_t v = 0;
	if (width == 1)
		v = inb(p);
	else if (width == 2)
		__asm__ volatile("inw %1, %w0" : "=a"(v) : "Nd"(p));
	else
		__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p));
	return v;
}

void machine_pio_write(uint64_t port, unsigned width, uint32_t value)
{
	uint16_t p = (uint16_t)port;
	if (width == 1)
		outb(p, (uint8_t)value);
	else if (width == 2)
		outw(p, (uint16_t)value);
	else
		outl(p, value);
}

/* microvm has no PCI; its virtio-mmio slots are 512 bytes apart from
 * 0xFEB00000, wired to lines 24+ of the second IOAPIC (5+ without it).
 * A PC machine with a PCI host bridge has none. */
#define MICROVM_MMIO_BASE 0xFEB00000u
#define MICROVM_MMIO_SLOT 0x200u

int machine_virtio_mmio_windows(struct platform_mmio *out, int max)
{
	if ((machine_pci_config_read(0, 0, 0, 0) & 0xFFFF) != 0xFFFF)
		return 0;
	unsigned pin;
	bool second_ioapic = ioapic_for(24, &pin) != 0;
	int slots = second_ioapic ? 24 : 8;
	for (int i = 0; i < slots && i < max; i++) {
		out[i].base = MICROVM_MMIO_BASE + (uint64_t)i * MICROVM_MMIO_SLOT;
		out[i].size = MICROVM_MMIO_SLOT;
		out[i].line = (second_ioapic ? 24u : 5u) + (unsigned)i;
	}
	return slots;            /* all of them, even past max (the contract) */
}

/* The BIOS (SeaBIOS, or microvm's lack of PCI) assigns BARs itself. */
int machine_pci_windows(struct pci_window *out, int max)
{
	(void)out, (void)max;
	return 0;
}

/* The BIOS routed each pin and wrote the IOAPIC input to Interrupt Line. */
int machine_pci_intx_line(unsigned bus, unsigned dev, unsigned fn, unsigned pin)
{
	if (pin == 0)
		return -ENODEV;
	unsigned line = machine_pci_config_read(bus, dev, fn, 0x3C) & 0xFF;
	return line == 0 || line == 0xFF ? -ENODEV : (int)line;
}
