/* Exception vectors (VBAR_EL1). Code runs at EL1 on SP_EL0, so exceptions
 * come in through the "current EL with SP0" group and run on SP_EL1, the
 * exception stack: a thread that overflowed its stack still gets a report.
 * Every entry saves the full register file as a struct trap_frame (trap.h)
 * and calls aarch64_exception(frame, kind); IRQs and recoverable traps
 * return through the same path. */
#include "arch/aarch64/trap.h"

.macro vector kind
	.balign 0x80
	sub sp, sp, #TRAP_FRAME_SIZE
	stp x0, x1, [sp, #0]
	mov x1, #\kind
	b exception_common
.endm

/* An exception in the exception handler is always fatal, and its stack
 * may be what failed (it overflowed into its guard page): start again
 * from the top of the exception stack, with x0 kept in TPIDR_EL1 meanwhile,
 * so the report can be made instead of faulting for ever. */
.macro vector_spx kind
	.balign 0x80
	msr tpidr_el1, x0
	adrp x0, exception_stack_top
	add x0, x0, :lo12:exception_stack_top
	mov sp, x0
	mrs x0, tpidr_el1
	sub sp, sp, #TRAP_FRAME_SIZE
	stp x0, x1, [sp, #0]
	mov x1, #\kind
	b exception_common
.endm

	.text
	.balign 2048
	.globl aarch64_vectors
aarch64_vectors:
	vector TRAP_SYNC_SP0
	vector TRAP_IRQ_SP0
	vector TRAP_FIQ_SP0
	vector TRAP_SERROR_SP0
	vector_spx TRAP_SYNC_SPX
	vector_spx TRAP_IRQ_SPX
	vector_spx TRAP_FIQ_SPX
	vector_spx TRAP_SERROR_SPX
	vector TRAP_LOWER
	vector TRAP_LOWER
	vector TRAP_LOWER
	vector TRAP_LOWER
	vector TRAP_LOWER
	vector TRAP_LOWER
	vector TRAP_LOWER
	vector TRAP_LOWER

exception_common:
	stp x2, x3, [sp, #16]
	stp x4, x5, [sp, #32]
	stp x6, x7, [sp, #48]
	stp x8, x9, [sp, #64]
	stp x10, x11, [sp, #80]
	stp x12, x13, [sp, #96]
	stp x14, x15, [sp, #112]
	stp x16, x17, [sp, #128]
	stp x18, x19, [sp, #144]
	stp x20, x21, [sp, #160]
	stp x22, x23, [sp, #176]
	stp x24, x25, [sp, #192]
	stp x26, x27, [sp, #208]
	stp x28, x29, [sp, #224]
	mrs x2, sp_el0
	stp x30, x2, [sp, #240]
	mrs x2, elr_el1
	mrs x3, spsr_el1
	stp x2, x3, [sp, #256]
	mrs x2, esr_el1
	mrs x3, far_el1
	stp x2, x3, [sp, #272]
	mov x0, sp
	bl aarch64_exception
	ldp x2, x3, [sp, #256]          /* the handler may have moved elr */
	msr elr_el1, x2
	msr spsr_el1, x3
	ldp x30, x2, [sp, #240]
	msr sp_el0, x2
	ldp x2, x3, [sp, #16]
	ldp x4, x5, [sp, #32]
	ldp x6, x7, [sp, #48]
	ldp x8, x9, [sp, #64]
	ldp x10, x11, [sp, #80]
	ldp x12, x13, [sp, #96]
	ldp x14, x15, [sp, #112]
	ldp x16, x17, [sp, #128]
	ldp x18, x19, [sp, #144]
	ldp x20, x21, [sp, #160]
	ldp x22, x23, [sp, #176]
	ldp x24, x25, [sp, #192]
	ldp x26, x27, [sp, #208]
	ldp x28, x29, [sp, #224]
	ldp x0, x1, [sp, #0]
	add sp, sp, #TRAP_FRAME_SIZE
	eret
