/* What the aarch64 arch files share: the device tree QEMU passed (kept by
 * boot/aarch64 in kernel memory) and the interrupt controller and timer
 * entry points the exception vectors and arch.c call. Arch-internal. */
#ifndef SKIFF_ARCH_AARCH64_PLATFORM_H
#define SKIFF_ARCH_AARCH64_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/fdt.h"
#include "kernel/machine.h"

/* The device tree, valid from arch_early_init on (boot/aarch64 copies it
 * out of the way of the page allocator first). */
extern struct fdt aarch64_fdt;

/* Interrupt controller (gic.c): GICv2 ("arm,cortex-a15-gic", "arm,gic-400")
 * or GICv3 ("arm,gic-v3") as the device tree says; maps its registers with
 * arch_map_device. Returns 0, or -ENODEV with a message when there is none. */
int gic_init(void);
/* Enables interrupt `intid` (16..31 PPI, 32.. SPI) to this CPU; `level`
 * says level- or edge-triggered (SPIs only). */
void gic_enable(unsigned intid, bool level);
void gic_disable(unsigned intid);
/* Acknowledges the highest-priority pending interrupt and returns its
 * INTID (1020..1023: spurious, nothing to do, no EOI). */
unsigned gic_acknowledge(void);
void gic_end(unsigned intid);

/* Called by the IRQ exception vector with interrupts masked: acknowledges,
 * runs the handler registered for the INTID (irq.c), ends the interrupt. */
void aarch64_irq_dispatch(void);
/* Registers a handler by INTID (irq.c); the timer uses it for its PPI. */
void aarch64_irq_register(unsigned intid, void (*fn)(void *), void *ctx);

/* The GIC, then the timer's interrupt: once, by the first arch_timer_arm,
 * machine_irq_attach_line or machine_irq_attach_msi (arch.c). */
void aarch64_interrupts_init(void);

/* Generic timer (timer.c): reads CNTFRQ_EL0; finds the virtual timer's PPI
 * from the "arm,armv8-timer" node (default 27). */
void timer_init(void);

#endif
