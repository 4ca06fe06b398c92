/* Time on aarch64: the generic timer's virtual counter (CNTVCT_EL0) for
 * the clock, its compare value (CNTV_CVAL_EL0) for the timer interrupt,
 * and the PL031 real-time clock for the wall-clock time at boot.
 *
 * CNTFRQ_EL0 gives the counter's rate (set by firmware, or by QEMU), so
 * nothing is calibrated. The counter runs from machine reset and is not
 * reset by us: "since boot" means since kernel_entry_cycles, the count
 * boot/aarch64 read at its first instruction. */
#include "arch/aarch64/cpu.h"
#include "arch/aarch64/platform.h"
#include "kernel/app.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#define NS_PER_S 1000000000ull
#define CNTV_CTL_ENABLE (1u << 0)
#define CNTV_CTL_IMASK (1u << 1)
#define VIRTUAL_TIMER_PPI 11u           /* INTID 27, the usual wiring */
#define FDT_IRQ_PPI 1
#define MAX_DELTA_NS (3600 * NS_PER_S)  /* farther: fire early, idle re-arms */

static uint64_t cntfrq;
static uint64_t ns_per_cycle_q32;       /* 32.32 fixed point, rounded down */
static uint64_t cycles_per_ns_q32;      /* 32.32 fixed point, rounded up */
static char clock_text[40];

/* Lazy, because the clock may be read before timer_init. */
static void clock_setup(void)
{
	cntfrq = read_sysreg(cntfrq_el0) & 0xFFFFFFFF;  /* upper half RES0 */
	if (cntfrq < 1000000)
		PANIC("CNTFRQ_EL0 is %lu Hz; firmware did not set the counter frequency",
		      (unsigned long)cntfrq);
	ns_per_cycle_q32 = (NS_PER_S << 32) / cntfrq;
	cycles_per_ns_q32 = ((cntfrq << 32) + NS_PER_S - 1) / NS_PER_S;
}

uint64_t arch_cycles(void)
{
	/* The counter may be read speculatively, ahead of earlier instructions
	 * (ARM ARM, the Generic Timer chapter); the ISB keeps the read where
	 * the program has it. */
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t arch_cycles_to_ns(uint64_t cycles)
{
	if (!cntfrq)
		clock_setup();
	/* A 64x64 multiply into 128 bits (mul, umulh): no libgcc division, no
	 * overflow for 2^64 cycles at any rate of at least 1 Hz. */
	return (uint64_t)(((unsigned __int128)cycles * ns_per_cycle_q32) >> 32);
}

uint64_t arch_monotonic_ns(void)
{
	return arch_cycles_to_ns(arch_cycles() - kernel_entry_cycles);
}

const char *arch_clock_describe(void)
{
	if (!cntfrq)
		clock_setup();
	/* Formatted when asked for: a quiet boot never formats a message, and
	 * the formatter's first run is costly under TCG (kernel/log.h). */
	if (!clock_text[0])
		ksnprintf(clock_text, sizeof(clock_text), "cntvct %lu.%03lu MHz",
			  (unsigned long)(cntfrq / 1000000), (unsigned long)(cntfrq / 1000 % 1000));
	return clock_text;
}

/* The timer raises its PPI while CNTVCT >= CVAL, enabled and unmasked
 * (ARM ARM, the Generic Timer's timer conditions): a level that only
 * masking, disabling or a later CVAL lowers. */
void arch_timer_arm(uint64_t deadline_ns)
{
	aarch64_interrupts_init();
	if (deadline_ns == UINT64_MAX) {
		write_sysreg(cntv_ctl_el0, 0);
		isb();
		return;
	}
	uint64_t now = arch_cycles();
	uint64_t now_ns = arch_cycles_to_ns(now - kernel_entry_cycles);
	uint64_t delta = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
	if (delta > MAX_DELTA_NS)
		delta = MAX_DELTA_NS;
	/* Rounded up, plus one cycle: never before the deadline. */
	uint64_t cycles = (uint64_t)(((unsigned __int128)delta * cycles_per_ns_q32) >> 32) + 1;
	write_sysreg(cntv_cval_el0, now + cycles);
	isb();          /* the new compare value before the enable sees the old */
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE);
	isb();
}

/* Masks the timer so that its level-triggered PPI drops before the EOI;
 * the next arch_timer_arm unmasks it. Waking the idle loop is all the
 * interrupt is for. */
static void timer_interrupt(void *ctx)
{
	(void)ctx;
	write_sysreg(cntv_ctl_el0, CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
	isb();
}

/* The virtual timer's PPI: the third <type num flags> triple of the
 * "arm,armv8-timer" node (secure, non-secure physical, virtual, hyp). */
static unsigned virtual_timer_intid(void)
{
	int node = fdt_next_compatible(&aarch64_fdt, -1, "arm,armv8-timer");
	if (node < 0)
		node = fdt_next_compatible(&aarch64_fdt, -1, "arm,armv7-timer");
	uint32_t len = 0;
	const uint8_t *p = node < 0 ? 0 : fdt_prop(&aarch64_fdt, node, "interrupts", &len);
	if (!p || len < 3 * 12)
		return 16 + VIRTUAL_TIMER_PPI;
	uint64_t type = fdt_cells(p + 2 * 12, 1), num = fdt_cells(p + 2 * 12 + 4, 1);
	if (type != FDT_IRQ_PPI || num >= 16)
		return 16 + VIRTUAL_TIMER_PPI;
	return 16 + (unsigned)num;
}

void timer_init(void)
{
	if (!cntfrq)
		clock_setup();
	write_sysreg(cntv_ctl_el0, 0);  /* whatever firmware left, off */
	isb();
	unsigned intid = aarch64_fdt.blob ? virtual_timer_intid() : 16 + VIRTUAL_TIMER_PPI;
	aarch64_irq_register(intid, timer_interrupt, 0);
	gic_enable(intid, true);
	if (log_threshold >= LOG_DEBUG)
		log_debug("skiff: timer: %s, virtual timer INTID %u\n", arch_clock_describe(), intid);
}

/* --- wall clock ---------------------------------------------------------- */

#define PL031_DR 0x000                  /* seconds since the epoch, 32 bits */

uint64_t arch_boot_epoch_seconds(void)
{
	static uint64_t epoch;
	static bool known;
	if (known)
		return epoch;
	known = true;
	uint64_t base, size;
	int node = aarch64_fdt.blob ? fdt_next_compatible(&aarch64_fdt, -1, "arm,pl031") : -1;
	if (node < 0 || !fdt_is_enabled(&aarch64_fdt, node) ||
	    fdt_reg(&aarch64_fdt, node, 0, &base, &size) < 0)
		return 0;
	void *regs = arch_map_device(base, PAGE_SIZE);
	if (!regs)
		return 0;
	uint64_t now = mmio_read32((uintptr_t)regs + PL031_DR);
	/* The epoch value at boot: subtract the time already run. */
	uint64_t up = arch_monotonic_ns() / NS_PER_S;
	epoch = now > up ? now - up : 0;
	return epoch;
}
