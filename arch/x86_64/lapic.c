/* Local APIC (memory-mapped xAPIC) and the legacy PIC we silence. */
#include <stdbool.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/trap.h"
#include "kernel/arch.h"

#define APIC_BASE_ENABLE (1u << 11)
#define APIC_EOI 0x0B0
#define APIC_SVR 0x0F0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3E0
#define SVR_ENABLE 0x100
#define LVT_MASKED (1u << 16)
#define DIVIDE_BY_1 0xB

static volatile uint32_t *apic;
static bool legacy_pic_timer;

static uint32_t apic_read(unsigned reg) { return apic[reg / 4]; }
static void apic_write(unsigned reg, uint32_t v) { apic[reg / 4] = v; }

bool lapic_present(void) { return apic != 0; }

bool lapic_init(void)
{
	if (apic)
		return true;
	uint32_t r[4];
	cpuid(1, 0, r);
	if (!(r[3] & (1u << 9)))
		return false;
	uint64_t base_msr = rdmsr(MSR_APIC_BASE);
	uint64_t base = base_msr & 0xFFFFF000ull;
	wrmsr(MSR_APIC_BASE, base_msr | APIC_BASE_ENABLE);
	apic = arch_map_device(base, PAGE_SIZE);
	if (!apic)
		return false;
	apic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
	apic_write(APIC_TIMER_DIVIDE, DIVIDE_BY_1);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	return true;
}

uint32_t lapic_id(void)
{
	return apic ? apic_read(0x020) >> 24 : 0;
}

void lapic_eoi(void)
{
	if (legacy_pic_timer)
		pic_eoi();
	if (apic)
		apic_write(APIC_EOI, 0);
}

void lapic_timer_oneshot(uint32_t ticks)
{
	apic_write(APIC_LVT_TIMER, (ticks ? 0 : LVT_MASKED) | VECTOR_TIMER);
	apic_write(APIC_TIMER_INITIAL, ticks);
}

uint32_t lapic_timer_current(void) { return apic_read(APIC_TIMER_CURRENT); }

/* --- 8259 PIC --------------------------------------------------------- */

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20

void pic_init(bool unmask_timer)
{
	/* ICW1-4: cascade, vectors 0x20-0x2F, 8086 mode. */
	outb(PIC1_CMD, 0x11);
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, VECTOR_FIRST_IRQ);
	outb(PIC2_DATA, VECTOR_FIRST_IRQ + 8);
	outb(PIC1_DATA, 4);
	outb(PIC2_DATA, 2);
	outb(PIC1_DATA, 1);
	outb(PIC2_DATA, 1);
	outb(PIC1_DATA, unmask_timer ? 0xFE : 0xFF);
	outb(PIC2_DATA, 0xFF);
	legacy_pic_timer = unmask_timer;
}

void pic_eoi(void)
{
	outb(PIC1_CMD, PIC_EOI);
}
