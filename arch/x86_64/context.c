/* Thread contexts, thread pointer and backtraces on x86_64. */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"
#include <arch_context.h>

#define MXCSR_DEFAULT 0x1F80    /* all exceptions masked, round to nearest */
#define FCW_DEFAULT 0x037F

extern void x86_thread_start(void);

void arch_context_init(struct arch_context *ctx, uintptr_t stack_lo,
		       uintptr_t stack_hi, uintptr_t tls,
		       void (*entry)(void *), void *arg)
{
	(void)stack_lo;
	/* Mirror what arch_context_switch pops: FP control, r15..r12, rbx,
	 * rbp, then the return address. The top is 16-aligned, so after the
	 * `ret` into x86_thread_start rsp is 16-aligned at its `call`, as the
	 * ABI wants. */
	uint64_t *sp = (uint64_t *)(stack_hi & ~15ul);
	*--sp = (uintptr_t)x86_thread_start;     /* return address */
	*--sp = 0;                               /* rbp */
	*--sp = 0;                               /* rbx */
	*--sp = (uintptr_t)entry;                /* r12 */
	*--sp = (uintptr_t)arg;                  /* r13 */
	*--sp = 0;                               /* r14 */
	*--sp = 0;                               /* r15 */
	*--sp = 0;                               /* padding */
	*--sp = MXCSR_DEFAULT | ((uint64_t)FCW_DEFAULT << 32);
	ctx->rsp = (uintptr_t)sp;
	ctx->fs_base = tls;
}

void arch_set_thread_pointer(struct arch_context *ctx, uintptr_t tp)
{
	ctx->fs_base = tp;
	wrmsr(MSR_FS_BASE, tp);
}

uintptr_t arch_frame_pointer(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}
