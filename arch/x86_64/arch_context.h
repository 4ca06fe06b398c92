/* x86_64 saved thread state (the arch_context of kernel/arch.h). Only the
 * stack pointer is stored here; context.S pushes the callee-saved registers,
 * MXCSR and the x87 control word onto the thread's own stack. */
#ifndef SKIFF_ARCH_CONTEXT_H
#define SKIFF_ARCH_CONTEXT_H

#include <stdint.h>

struct arch_context {
	uint64_t rsp;
	uint64_t fs_base;       /* thread pointer (TLS variant II) */
};

#endif
