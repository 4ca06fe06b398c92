/* arch_hw_random64: RDRAND, when CPUID offers it (QEMU's -cpu max or
 * +rdrand under TCG, -cpu host under KVM, nearly every host CPU). */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

/* RDRAND can come back empty when the generator is drained; Intel's
 * guidance is that ten tries in a row failing means it is broken. */
#define RDRAND_TRIES 10

static int has_rdrand = -1;

bool arch_hw_random64(uint64_t *out)
{
	if (has_rdrand < 0) {
		uint32_t r[4];
		cpuid(1, 0, r);
		has_rdrand = (r[2] >> 30) & 1;
	}
	for (int tries = 0; has_rdrand && tries < RDRAND_TRIES; tries++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}
