/* arch_random64: RDRAND when CPUID offers it (QEMU's -cpu max and most
 * hosts), else a splitmix64 stream seeded and stirred by the TSC. */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

static int has_rdrand = -1;
static uint64_t mix_state;

static uint64_t splitmix64(void)
{
	uint64_t z = (mix_state += 0x9E3779B97F4A7C15ull) ^ rdtsc();
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

uint64_t arch_random64(void)
{
	if (has_rdrand < 0) {
		uint32_t r[4];
		cpuid(1, 0, r);
		has_rdrand = (r[2] >> 30) & 1;
	}
	for (int tries = 0; has_rdrand && tries < 10; tries++) {
		uint64_t v;
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
		if (ok)
			return v;
	}
	return splitmix64();
}
