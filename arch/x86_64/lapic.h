#ifndef SKIFF_ARCH_X86_64_LAPIC_H
#define SKIFF_ARCH_X86_64_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define VECTOR_TIMER 0x20

/* Maps and enables the local APIC once; false when the CPU has none. */
bool lapic_init(void);
uint32_t lapic_id(void);
bool lapic_present(void);
void lapic_eoi(void);
/* One-shot timer interrupt after `ticks` APIC timer ticks (0 stops it). */
void lapic_timer_oneshot(uint32_t ticks);
uint32_t lapic_timer_current(void);

/* The legacy 8259 PICs: remapped out of the exception vectors and masked,
 * except IRQ 0 when the PIT drives the timer (no local APIC). */
void pic_init(bool unmask_timer);
void pic_eoi(void);

#endif
