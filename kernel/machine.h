/* The machine's contract: what a board offers devices, apart from the CPU
 * (kernel/arch.h). Interrupt routing (IOAPIC inputs, GIC lines, MSI), the
 * PCI host bridge (configuration space, address windows, INTx routing, the
 * I/O space) and the virtio-mmio slots of microvm or of the device tree.
 * arch/<arch>/ implements it for the machines QEMU offers that CPU (x86_64:
 * pc, q35, microvm; aarch64: virt); drivers/ and kernel/device.c use it.
 * Errors are 0 or a negative errno.
 */
#ifndef SKIFF_KERNEL_MACHINE_H
#define SKIFF_KERNEL_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

/* An interrupt handler: runs with interrupts off while the scheduler idles;
 * it acknowledges its device and wakes threads, nothing more. */
typedef void (*irq_handler_t)(void *ctx);

/* Stops calling `fn` with `ctx` for any line or message attached with
 * them, and masks what only they used: a driver whose probe fails after
 * attaching its interrupt undoes that before freeing `ctx`. The vectors
 * stay reserved. */
void machine_irq_detach(irq_handler_t fn, void *ctx);

/* Routes interrupt line `line` of the platform's interrupt controller
 * (an IOAPIC input / GSI on x86_64) to `fn`. Returns 0, -ENODEV when there
 * is no such line, -ENOSPC when out of vectors. */
int machine_irq_attach_line(unsigned line, bool level, bool active_low, irq_handler_t fn, void *ctx);
/* Reserves a vector for a message-signalled interrupt (MSI/MSI-X) and
 * gives the address and data the device must write to raise it. */
int machine_irq_attach_msi(irq_handler_t fn, void *ctx, uint64_t *address, uint32_t *data);

/* PCI configuration space of bus/device/function, 32-bit aligned reads and
 * writes; all ones when nothing answers. */
uint32_t machine_pci_config_read(unsigned bus, unsigned dev, unsigned fn, unsigned offset);
void machine_pci_config_write(unsigned bus, unsigned dev, unsigned fn, unsigned offset, uint32_t value);
/* Address windows the PCI host bridge decodes, for platforms whose BARs no
 * firmware has assigned (aarch64 -M virt: the device tree's "ranges"); the
 * generic bus scan then assigns them. x86_64's firmware assigns BARs
 * itself and reports no windows. A BAR holds a PCI address; the CPU
 * reaches memory BARs at the same address (identity windows only). */
enum pci_window_kind { PCI_WINDOW_IO, PCI_WINDOW_MEM32, PCI_WINDOW_MEM64 };
struct pci_window {
	uint64_t base, size;    /* PCI addresses */
	enum pci_window_kind kind;
};
int machine_pci_windows(struct pci_window *out, int max);
/* The machine_irq_attach_line number that INTx pin `pin` (1 = INTA) of
 * bus/dev/fn raises, or -ENODEV when none is routed. */
int machine_pci_intx_line(unsigned bus, unsigned dev, unsigned fn, unsigned pin);
/* The PCI I/O space (legacy virtio-pci BARs): port I/O on x86_64, a memory
 * window on aarch64. */
uint32_t machine_pio_read(uint64_t port, unsigned width);
void machine_pio_write(uint64_t port, unsigned width, uint32_t value);

/* Memory-mapped devices the platform knows without a bus scan (virtio-mmio
 * slots on microvm, device-tree nodes elsewhere). */
struct platform_mmio {
	uint64_t base, size;
	unsigned line;          /* machine_irq_attach_line number */
};
/* Fills up to `max` candidate virtio-mmio windows and returns how many
 * the machine has, which may be more than `max` (the caller reports the
 * ones it has no room for). */
int machine_virtio_mmio_windows(struct platform_mmio *out, int max);

#endif
