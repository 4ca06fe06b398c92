/* The IDT: one gate per vector pointing at trap_entry.S's stubs. */
#include <stdint.h>

#include "arch/x86_64/trap.h"

#define SEL_CODE 0x08
#define GATE_INTERRUPT 0x8E     /* present, ring 0, interrupts off on entry */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const uint64_t x86_vector_table[256];
static struct idt_gate idt[256];

static unsigned ist_for(unsigned vector)
{
	if (vector == 2 || vector == 8 || vector == 18) /* NMI, #DF, #MC */
		return IST_CRITICAL;
	if (vector < VECTOR_FIRST_IRQ)
		return IST_EXCEPTION;
	return 0;       /* device interrupts run on the current stack */
}

void x86_idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t at = x86_vector_table[v];
		idt[v] = (struct idt_gate){
			.offset_low = at & 0xFFFF,
			.selector = SEL_CODE,
			.ist = (uint8_t)ist_for(v),
			.type = GATE_INTERRUPT,
			.offset_mid = (at >> 16) & 0xFFFF,
			.offset_high = (uint32_t)(at >> 32),
		};
	}
	struct descriptor_pointer p = { sizeof(idt) - 1, (uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(p));
}
