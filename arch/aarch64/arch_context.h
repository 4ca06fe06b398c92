/* aarch64 saved thread state (the arch_context of kernel/arch.h): what the
 * AAPCS64 says a callee preserves (x19-x28, frame pointer, link register,
 * sp, the low halves of v8-v15), the FP control and status registers, and
 * the thread pointer. context.S owns the layout. */
#ifndef SKIFF_ARCH_CONTEXT_H
#define SKIFF_ARCH_CONTEXT_H

#include <stdint.h>

struct arch_context {
	uint64_t x19_x28[10];
	uint64_t fp, lr, sp;
	uint64_t d8_d15[8];
	uint64_t fpcr, fpsr;
	uint64_t tpidr;
};

#endif
