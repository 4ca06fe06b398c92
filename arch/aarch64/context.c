/* Thread contexts, thread pointer, TLS blocks and backtraces on aarch64. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/aarch64/cpu.h"
#include "kernel/arch.h"
#include <arch_context.h>

extern void aarch64_thread_start(void);
extern char __tls_base[], __tls_end[], __tdata_end[], __tls_data_offset[], __tls_align[];

_Static_assert(offsetof(struct arch_context, sp) == 96, "context.S layout");
_Static_assert(offsetof(struct arch_context, d8_d15) == 104, "context.S layout");
_Static_assert(offsetof(struct arch_context, fpcr) == 168, "context.S layout");
_Static_assert(offsetof(struct arch_context, tpidr) == 184, "context.S layout");

void arch_context_init(struct arch_context *ctx, uintptr_t stack_lo,
		       uintptr_t stack_hi, uintptr_t tls,
		       void (*entry)(void *), void *arg)
{
	(void)stack_lo;
	memset(ctx, 0, sizeof(*ctx));
	ctx->x19_x28[0] = (uintptr_t)entry;
	ctx->x19_x28[1] = (uintptr_t)arg;
	ctx->lr = (uintptr_t)aarch64_thread_start;
	ctx->sp = stack_hi & ~15ul;     /* the AAPCS64 wants sp 16-aligned */
	ctx->tpidr = tls;
}

void arch_set_thread_pointer(struct arch_context *ctx, uintptr_t tp)
{
	ctx->tpidr = tp;
	write_sysreg(tpidr_el0, tp);
}

/* TLS variant I: [16-byte control block][padding][.tdata][.tbss], with the
 * thread pointer at the block's start. */
size_t arch_tls_block_size(void)
{
	return (uintptr_t)__tls_data_offset + (size_t)(__tls_end - __tls_base);
}

size_t arch_tls_block_align(void)
{
	size_t a = (uintptr_t)__tls_align;
	return a < 16 ? 16 : a;
}

uintptr_t arch_tls_init(void *block)
{
	memset(block, 0, arch_tls_block_size());
	memcpy((char *)block + (uintptr_t)__tls_data_offset, __tls_base, (size_t)(__tdata_end - __tls_base));
	return (uintptr_t)block;
}

uintptr_t arch_frame_pointer(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}
