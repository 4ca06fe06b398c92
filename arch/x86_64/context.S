/* void arch_context_switch(struct arch_context *from, struct arch_context *to)
 * Cooperative switch: only what the SysV ABI says a callee preserves is
 * saved (rbx, rbp, r12-r15, MXCSR, x87 control word), plus FS base. */
#define MSR_FS_BASE 0xC0000100

	.text
	.globl arch_context_switch
arch_context_switch:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	sub $16, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	mov %rsp, 0(%rdi)
	mov 0(%rsi), %rsp
	mov 8(%rsi), %rax
	cmp 8(%rdi), %rax               /* same TLS: skip the (slow) wrmsr */
	je 1f
	mov %rax, %rdx
	shr $32, %rdx
	mov $MSR_FS_BASE, %ecx
	wrmsr
1:	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	add $16, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* First code of a new thread: arch_context_init left entry in r12 and its
 * argument in r13. A zero frame pointer ends backtraces here. */
	.globl x86_thread_start
x86_thread_start:
	xor %ebp, %ebp
	mov %r13, %rdi
	call *%r12
	ud2                             /* entry never returns */
