/* aarch64 bring-up (arch_early_init, arch_init) and the small arch
 * contract functions: interrupt masking, idle, random numbers. */
#include <stdint.h>

#include "arch/aarch64/cpu.h"
#include "arch/aarch64/platform.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#define DAIF_I (1ul << 7)

void aarch64_paging_init(const struct bootinfo *bi, uint64_t uart_base);
uint64_t aarch64_console_base(void);

void aarch64_exit_init(void);

void arch_early_init(const struct bootinfo *bi)
{
	(void)bi;       /* vectors and the console are set up by boot/aarch64 */
	aarch64_exit_init();            /* semihosting or not, asked once */
}

void arch_init(const struct bootinfo *bi)
{
	aarch64_paging_init(bi, aarch64_console_base());   /* W^X, guard page */
	/* The GIC and the timer interrupt are set up by their first user
	 * (aarch64_interrupts_init), as on x86_64: programs that never sleep
	 * or use a device do not pay for them at boot. */
}

void aarch64_interrupts_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	if (gic_init() != 0)
		PANIC("no usable interrupt controller in the device tree");
	timer_init();
}

irqflags_t arch_irq_save(void)
{
	irqflags_t daif = read_sysreg(daif);
	__asm__ volatile("msr daifset, #2" : : : "memory");
	return daif & DAIF_I;
}

void arch_irq_restore(irqflags_t flags)
{
	if (!(flags & DAIF_I))
		__asm__ volatile("msr daifclr, #2" : : : "memory");
}

/* Out of line on purpose: interrupts are taken only here, where no
 * FP/SIMD register is live (the IRQ path saves none). */
__attribute__((noinline)) void arch_wait_for_interrupt(void)
{
	/* WFI wakes on a pending interrupt even while it is masked, so there is
	 * no window where a wake-up is lost; unmasking then takes it. */
	__asm__ volatile("dsb sy; wfi; msr daifclr, #2; isb; msr daifset, #2" : : : "memory");
}

/* RNDR (FEAT_RNG, ID_AA64ISAR0_EL1 bits 63:60), offered by QEMU's -cpu max
 * but not by cortex-a72. Named by encoding: the assembler knows "rndr" only
 * with -march=armv8.5-a+rng, which the rest of the image must not use. */
#define RNDR_TRIES 10

static int has_rndr = -1;

bool arch_hw_random64(uint64_t *out)
{
	if (has_rndr < 0)
		has_rndr = (read_sysreg(id_aa64isar0_el1) >> 60) != 0;
	for (int tries = 0; has_rndr && tries < RNDR_TRIES; tries++) {
		uint64_t failed;
		/* NZCV is 0000 with a value, 0100 (Z) when none came. */
		__asm__ volatile("mrs %0, s3_3_c2_c4_0; cset %1, eq" : "=r"(*out), "=r"(failed) : : "cc");
		if (!failed)
			return true;
	}
	return false;
}
