/* PCI: bus scan, configuration space helpers, BARs and capabilities, over
 * the arch's configuration access (machine_pci_config_read/write). */
#ifndef SKIFF_PCI_PCI_H
#define SKIFF_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/machine.h"

#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_SUBSYSTEM_ID 0x2E
#define PCI_CAPABILITIES 0x34
#define PCI_INTERRUPT_LINE 0x3C
#define PCI_INTERRUPT_PIN 0x3D
#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_STATUS_CAPABILITIES (1u << 4)
#define PCI_CAP_MSIX 0x11
#define PCI_CAP_VENDOR 0x09

struct pci_function {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

uint8_t pci_read8(const struct pci_function *f, unsigned offset);
uint16_t pci_read16(const struct pci_function *f, unsigned offset);
uint32_t pci_read32(const struct pci_function *f, unsigned offset);
void pci_write16(const struct pci_function *f, unsigned offset, uint16_t v);
void pci_write32(const struct pci_function *f, unsigned offset, uint32_t v);

/* Calls fn for every function on every bus reachable from bus 0. */
void pci_scan(void (*fn)(const struct pci_function *f, void *ctx), void *ctx);

/* Offset of the first capability with `id` after `from` (0 = from the
 * start), or 0 when there is none. */
unsigned pci_find_capability(const struct pci_function *f, uint8_t id, unsigned from);

/* BAR `index`: its address and whether it is in I/O space; 0 when unset. */
uint64_t pci_bar_address(const struct pci_function *f, unsigned index, bool *io);

/* The machine_irq_attach_line number of the function's INTx pin (through the
 * bridges between it and the host bridge), or -ENODEV. */
int pci_intx_line(const struct pci_function *f);

/* Turns on MSI-X with one vector for the whole function (table entry 0
 * raises fn); false when the function has no MSI-X or it cannot be set. */
bool pci_msix_enable_single(const struct pci_function *f, void (*fn)(void *), void *ctx);

#endif
