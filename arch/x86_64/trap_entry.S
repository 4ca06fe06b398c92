/* Interrupt and exception entry stubs. Every vector pushes an error code
 * (a zero one where the CPU does not) and its number, so x86_trap sees one
 * frame layout (struct trap_frame in trap.h). No FP/SIMD state is touched:
 * all code reached from here is built with -mgeneral-regs-only. */

	.altmacro                       /* %expr in .rept loops below */
	.macro VECTOR num, has_error
x86_vector_\num:
	.if \has_error == 0
	pushq $0
	.endif
	pushq $\num
	jmp trap_common
	.endm

	.text
	/* Exceptions 8, 10-14, 17, 21, 29, 30 push an error code. */
	VECTOR 0, 0
	VECTOR 1, 0
	VECTOR 2, 0
	VECTOR 3, 0
	VECTOR 4, 0
	VECTOR 5, 0
	VECTOR 6, 0
	VECTOR 7, 0
	VECTOR 8, 1
	VECTOR 9, 0
	VECTOR 10, 1
	VECTOR 11, 1
	VECTOR 12, 1
	VECTOR 13, 1
	VECTOR 14, 1
	VECTOR 15, 0
	VECTOR 16, 0
	VECTOR 17, 1
	VECTOR 18, 0
	VECTOR 19, 0
	VECTOR 20, 0
	VECTOR 21, 1
	VECTOR 22, 0
	VECTOR 23, 0
	VECTOR 24, 0
	VECTOR 25, 0
	VECTOR 26, 0
	VECTOR 27, 0
	VECTOR 28, 0
	VECTOR 29, 1
	VECTOR 30, 1
	VECTOR 31, 0
	.set vec, 32
	.rept 224
	VECTOR %vec, 0
	.set vec, vec + 1
	.endr

trap_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi          /* 15 registers + 7 words: still 16-aligned */
	cld
	call x86_trap
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp           /* vector and error code */
	iretq

	.macro VECTOR_ADDRESS num
	.quad x86_vector_\num
	.endm

	/* Table of the stubs' addresses, for idt.c. */
	.section .rodata
	.balign 8
	.globl x86_vector_table
x86_vector_table:
	.set vec, 0
	.rept 256
	VECTOR_ADDRESS %vec
	.set vec, vec + 1
	.endr
