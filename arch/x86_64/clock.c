/* Monotonic time from the TSC, and the timer interrupt for sleeps.
 *
 * The TSC frequency comes from CPUID (leaf 0x15, or the hypervisor timing
 * leaf 0x40000010) when offered, else from the PIT: channel 0 counts at
 * 1.193182 MHz and its count can be latched and read at any time, which
 * works on -M microvm too (no speaker port, no HPET, no ACPI PM timer).
 * The PIT is started at entry and read again by the first call that needs
 * time (calibration is lazy), so the boot itself is the measuring window
 * and programs that never ask for time do not wait for it.
 *
 * The timer is the local APIC's one-shot timer (its rate measured against
 * the TSC), or PIT channel 0 through the 8259 PIC where there is no APIC.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"

#define PIT_HZ 1193182ull
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define NS_PER_S 1000000000ull

static uint64_t tsc_hz;
static uint64_t tsc_at_boot;
static uint64_t ns_per_cycle_q32;       /* nanoseconds per cycle, 32.32 fixed */
static uint64_t apic_timer_hz;
static const char *clock_source = "uncalibrated";
static char clock_text[64];

uint64_t arch_cycles(void) { return rdtsc(); }

/* A PIT count dated by the TSC. The latch command takes the count at the
 * moment it is written, so only that write lies between the two TSC reads:
 * `slack` (half their distance) bounds the dating error, and the count's
 * two bytes are read afterwards. The best of a few tries is kept, since a
 * busy host can deschedule QEMU between them. */
struct pit_sample {
	uint64_t tsc, slack;
	uint16_t count;
};

static struct pit_sample pit_sample(void)
{
	struct pit_sample best = { 0, UINT64_MAX, 0 };
	for (int i = 0; i < 3; i++) {
		uint64_t before = rdtsc();
		outb(PIT_CMD, 0x00);            /* latch channel 0 */
		uint64_t after = rdtsc();
		uint8_t lo = inb(PIT_CH0);
		uint8_t hi = inb(PIT_CH0);
		if ((after - before) / 2 < best.slack)
			best = (struct pit_sample){ before + (after - before) / 2, (after - before) / 2,
						    (uint16_t)(lo | (hi << 8)) };
	}
	return best;
}

/* The PIT counts down: ticks from a to b, modulo its 65536-tick period. */
static uint32_t pit_ticks(const struct pit_sample *a, const struct pit_sample *b)
{
	return (uint16_t)(a->count - b->count);
}

static struct pit_sample pit_at_boot;

static void pit_start(void)
{
	outb(PIT_CMD, 0x34);                    /* channel 0, lo/hi, rate generator */
	outb(PIT_CH0, 0x00);                    /* reload 0 = 65536: the longest period */
	outb(PIT_CH0, 0x00);
	pit_at_boot = pit_sample();
}

/* Whether a rough rate from `ticks` PIT ticks over first..last counts the
 * PIT's wraps since boot without doubt: its worst error (a tick of the
 * count's granularity and both ends' dating, in ticks) carried over the
 * time since boot must stay under a quarter of the 65536-tick period. */
static bool counts_wraps(const struct pit_sample *first, const struct pit_sample *last, uint64_t ticks)
{
	uint64_t window = last->tsc - first->tsc;
	if (ticks < 20 || window == 0)
		return false;
	uint64_t error_ticks = 1 + (first->slack + last->slack) * ticks / window;
	uint64_t boot_ticks = (first->tsc - pit_at_boot.tsc) * ticks / window;
	return error_ticks * boot_ticks < 16384 * ticks;
}

/* TSC cycles per second, measured against the PIT from pit_start (early in
 * boot) to now, so the time the boot took counts towards the measurement
 * instead of a dedicated wait. The PIT wraps every 55 ms: a short measure
 * estimates the rate well enough to count the wraps since boot. It is as
 * short as that allows (20 ticks, 17 us, after a boot of a few ms), else
 * 200 ticks with both ends dated to 1% unless that takes half a period.
 * Sampling then goes on until the dating error of the two ends is under
 * 0.05% of the interval (or 50 ms have passed). Returns 0 if the PIT does
 * not count. */
static uint64_t pit_tsc_hz(void)
{
	struct pit_sample first = pit_sample(), last = first;
	uint64_t ticks = 0;
	for (uint64_t spins = 0;
	     !counts_wraps(&first, &last, ticks) &&
	     (ticks < 200 || ((first.slack + last.slack) * 100 > last.tsc - first.tsc && ticks < 32768));
	     spins++) {
		last = pit_sample();
		ticks = pit_ticks(&first, &last);
		if (spins > 10000000)
			return 0;
	}
	uint64_t rough_hz = (last.tsc - first.tsc) * PIT_HZ / ticks;
	struct pit_sample from = first;
	uint64_t boot_ticks = (first.tsc - pit_at_boot.tsc) * PIT_HZ / rough_hz;
	/* Under 0.8 s the rough rate (about 1%) cannot miscount a wrap; a boot
	 * sample dated worse than 100 us is not worth waiting for. */
	if (boot_ticks < 1000000 && pit_at_boot.slack < rough_hz / 10000) {
		int64_t beyond = (int64_t)boot_ticks - pit_ticks(&pit_at_boot, &first);
		uint64_t wraps = beyond > 0 ? ((uint64_t)beyond + 32768) / 65536 : 0;
		ticks += pit_ticks(&pit_at_boot, &first) + wraps * 65536;
		from = pit_at_boot;
	}
	uint64_t give_up = last.tsc + rough_hz / 20;
	while ((from.slack + last.slack) * 2000 > last.tsc - from.tsc && last.tsc < give_up) {
		struct pit_sample next = pit_sample();
		ticks += pit_ticks(&last, &next);
		last = next;
	}
	return (last.tsc - from.tsc) * PIT_HZ / ticks;
}

static uint64_t cpuid_tsc_hz(const char **how)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid(0x15, 0, r);
		if (r[0] && r[1] && r[2]) {
			*how = "cpuid 0x15";
			return (uint64_t)r[2] * r[1] / r[0];
		}
	}
	cpuid(1, 0, r);
	if (r[2] & (1u << 31)) {                /* running under a hypervisor */
		cpuid(0x40000000, 0, r);
		if (r[0] >= 0x40000010) {
			cpuid(0x40000010, 0, r);
			if (r[0]) {
				*how = "hypervisor leaf";
				return (uint64_t)r[0] * 1000;
			}
		}
	}
	return 0;
}

static void calibrate(void)
{
	const char *how = "pit";
	tsc_hz = cpuid_tsc_hz(&how);
	if (!tsc_hz)
		tsc_hz = pit_tsc_hz();
	if (tsc_hz < 10000000ull || tsc_hz > 20000000000ull)
		PANIC("TSC calibration failed (measured %lu Hz); no usable clock", (unsigned long)tsc_hz);
	clock_source = how;
	ns_per_cycle_q32 = (NS_PER_S << 32) / tsc_hz;
	if (log_threshold >= LOG_DEBUG)
		log_debug("clock: %s\n", arch_clock_describe());
}

/* Formatted when asked for, not at calibration: a quiet boot never formats
 * a message, and the formatter's first run is costly under TCG (log.h). */
const char *arch_clock_describe(void)
{
	if (!tsc_hz)
		calibrate();
	if (!clock_text[0])
		ksnprintf(clock_text, sizeof(clock_text), "tsc %lu.%03lu MHz via %s",
			  (unsigned long)(tsc_hz / 1000000), (unsigned long)(tsc_hz / 1000 % 1000),
			  clock_source);
	return clock_text;
}

void x86_clock_init(uint64_t entry_cycles)
{
	tsc_at_boot = entry_cycles;
	pit_start();
}

uint64_t arch_cycles_to_ns(uint64_t cycles)
{
	if (!tsc_hz)
		calibrate();
	return (uint64_t)(((unsigned __int128)cycles * ns_per_cycle_q32) >> 32);
}

uint64_t arch_monotonic_ns(void)
{
	return arch_cycles_to_ns(rdtsc() - tsc_at_boot);
}

static void calibrate_apic_timer(void)
{
	uint64_t window = tsc_hz / 20000;       /* 50 us: 50k ticks of a 1 GHz APIC */
	lapic_timer_oneshot(0xFFFFFFFFu);
	uint64_t t0 = rdtsc();
	uint32_t c0 = lapic_timer_current();
	while (rdtsc() - t0 < window)
		cpu_relax();
	uint32_t c1 = lapic_timer_current();
	uint64_t t1 = rdtsc();
	lapic_timer_oneshot(0);
	apic_timer_hz = (uint64_t)(c0 - c1) * tsc_hz / (t1 - t0);
	if (apic_timer_hz == 0)
		PANIC("local APIC timer does not count");
}

static uint64_t ticks_for(uint64_t delta_ns, uint64_t hz, uint64_t max)
{
	/* hz/1e9 in 40.24 fixed point: a multiply, no 128-bit division
	 * (which would need libgcc, built with a red zone). */
	uint64_t ticks_per_ns_q24 = (hz << 24) / NS_PER_S;
	uint64_t t = (uint64_t)(((unsigned __int128)delta_ns * ticks_per_ns_q24) >> 24);
	if (t == 0)
		t = 1;
	return t > max ? max : t;       /* too far: fire early, idle re-arms */
}

bool x86_timer_setup(void);

void arch_timer_arm(uint64_t deadline_ns)
{
	static int timer_ready;
	if (!timer_ready) {
		x86_timer_setup();
		timer_ready = 1;
	}
	uint64_t now = arch_monotonic_ns();
	uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
	if (lapic_present()) {
		if (!apic_timer_hz)
			calibrate_apic_timer();
		lapic_timer_oneshot(deadline_ns == UINT64_MAX ? 0 :
				    (uint32_t)ticks_for(delta, apic_timer_hz, 0xFFFFFFFFu));
		return;
	}
	if (deadline_ns == UINT64_MAX)
		return;                         /* a stray PIT tick only wakes idle */
	uint64_t count = ticks_for(delta, PIT_HZ, 0xFFFF);
	outb(PIT_CMD, 0x30);                    /* channel 0, lo/hi, one-shot */
	outb(PIT_CH0, (uint8_t)count);
	outb(PIT_CH0, (uint8_t)(count >> 8));
}
