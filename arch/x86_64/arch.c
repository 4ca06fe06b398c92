/* x86_64 bring-up (arch_init) and the small arch contract functions. */
#include <string.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/log.h"

void x86_clock_init(uint64_t entry_cycles);

/* Called by the first arch_timer_arm: the local APIC when the CPU has one,
 * else the PIT through the 8259. Lazy, so programs that never sleep do not
 * pay for it at boot. Returns whether the APIC drives the timer. */
bool x86_timer_setup(void)
{
	bool apic = lapic_init();
	if (!apic)
		pic_init(true);
	log_debug("skiff: timer: %s\n", apic ? "local APIC one-shot" : "8254 PIT via 8259 PIC (no local APIC)");
	return apic;
}

static void timer_interrupt(void *ctx)
{
	(void)ctx;      /* waking arch_wait_for_interrupt is all it is for */
}

void arch_early_init(const struct bootinfo *bi)
{
	x86_clock_init(bi->entry_cycles);
	x86_gdt_init();                 /* GDT and TSS with exception stacks */
	x86_idt_init();                 /* every vector to trap_entry.S */
}

void arch_init(const struct bootinfo *bi)
{
	x86_paging_init(bi);            /* W^X image, page 0 and guards absent */
	pic_init(false);                /* 8259 remapped and masked */
	x86_irq_register(VECTOR_TIMER, timer_interrupt, 0);
	/* The timer hardware is set up by the first sleep (x86_timer_setup). */
}

irqflags_t arch_irq_save(void)
{
	irqflags_t flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags & RFLAGS_IF;
}

void arch_irq_restore(irqflags_t flags)
{
	if (flags & RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

void arch_wait_for_interrupt(void)
{
	/* sti takes effect after the next instruction, so an interrupt that is
	 * already pending cannot slip in between and leave us halted. */
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

/* --- TLS (variant II) -------------------------------------------------- */

extern char __tls_base[], __tdata_end[], __tls_tp_offset[], __tls_align[];

size_t arch_tls_block_size(void)
{
	return (uintptr_t)__tls_tp_offset + 16;     /* + TCB: the self-pointer */
}

size_t arch_tls_block_align(void)
{
	size_t a = (uintptr_t)__tls_align;
	return a < 16 ? 16 : a;
}

uintptr_t arch_tls_init(void *block)
{
	memset(block, 0, arch_tls_block_size());
	memcpy(block, __tls_base, (size_t)(__tdata_end - __tls_base));
	uintptr_t tp = (uintptr_t)block + (uintptr_t)__tls_tp_offset;
	*(uintptr_t *)tp = tp;          /* %fs:0 holds the thread pointer */
	return tp;
}
