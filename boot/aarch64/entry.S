/* aarch64 entry from QEMU's -kernel (an ELF, "bare-metal" boot on -M virt):
 * MMU off, at EL1, or at EL2 with virtualization=on, or with x0 holding the
 * device tree's address when a loader follows the Linux convention.
 *
 * 1. Record the counter, drop from EL2 to EL1 if needed.
 * 2. Enable FP/SIMD (picolibc and apps use it), point VBAR at the vectors.
 * 3. Turn the MMU on with a boot identity map of 1 GiB blocks (the first
 *    GiB as device memory, the next three as normal memory): C code needs
 *    normal memory for unaligned accesses and the caches. arch_init later
 *    replaces it with 4 KiB-page W^X tables (paging.c).
 * 4. Zero .bss, set the exception stack (SP_EL1) and the boot stack (SP_EL0):
 *    code runs on SP_EL0 so that an exception always switches to SP_EL1,
 *    and a thread's stack overflow can still be reported.
 * 5. Call aarch64_boot_main(x0 at entry, counter at entry, CurrentEL).
 */
#define SCTLR_RES1 0x30d00800           /* ARMv8.0 RES1 bits of SCTLR_EL1 */
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_SA (1 << 3)
#define SCTLR_I (1 << 12)
#define MAIR_VALUE 0x04ff00             /* attr0 device nGnRnE, attr1 normal WB, attr2 device nGnRE */
#define TCR_T0SZ_48 16
#define TCR_IRGN0_WBWA (1 << 8)
#define TCR_ORGN0_WBWA (1 << 10)
#define TCR_SH0_INNER (3 << 12)
#define TCR_EPD1 (1 << 23)              /* no TTBR1 walks: one address space */
#define BLOCK_DEVICE 0x0060000000000401 /* block, attr0, AF, UXN|PXN */
#define BLOCK_NORMAL 0x0000000000000705 /* block, attr1, inner shareable, AF */
#define TABLE 0x3

/* The arm64 Linux Image header (the kernel's Documentation/arm64/booting):
 * the same image, copied flat into build/aarch64/APP.img, is then a kernel
 * QEMU boots the Linux way. Only that way does QEMU load an -initrd and
 * name it in the device tree (hw/arm/boot.c ignores -initrd for an ELF),
 * and it passes the tree's address in x0. As an ELF the entry is _start,
 * past the header. */
	.section .text.head, "ax"
	b _start                        /* code0: where a Linux loader jumps */
	.long 0                         /* code1 */
	.quad 0x200000                  /* text_offset: 2 MiB into RAM, as linked */
	.quad __image_size              /* bytes the image needs, .bss included */
	.quad 0x2                       /* flags: little-endian, 4 KiB pages */
	.quad 0, 0, 0
	.ascii "ARM\x64"                /* magic */
	.long 0

	.section .text.boot, "ax"
	.globl _start
_start:
	mov x19, #0                     /* boot_fault: no semihosting attempt yet */
	mov x20, x0                     /* the device tree, if a loader passed it */
	mrs x21, cntvct_el0             /* entry timestamp */
	mrs x22, CurrentEL              /* for the boot log */

	mrs x0, CurrentEL
	cmp x0, #(2 << 2)
	b.ne at_el1
	/* EL2 -> EL1. The counter EL1 will read has no virtual offset: move
	 * the entry stamp by the one it was read with. EL1 is AArch64
	 * (HCR.RW), may read both counters, and uses FP/SIMD and (GICv3) the
	 * GIC's system registers without trapping to EL2, which has no
	 * handler. Return to at_el1 in EL1h with DAIF masked. */
	mrs x0, cntvoff_el2
	add x21, x21, x0
	msr cntvoff_el2, xzr
	mov x0, #(1 << 31)
	msr hcr_el2, x0
	mov x0, #3
	msr cnthctl_el2, x0
	mov x0, #0x33ff                 /* CPTR_EL2: RES1 bits, no TFP */
	msr cptr_el2, x0
	msr hstr_el2, xzr
	mrs x0, id_aa64pfr0_el1
	ubfx x0, x0, #24, #4            /* GIC system registers implemented? */
	cbz x0, 1f
	mrs x0, S3_4_C12_C9_5           /* ICC_SRE_EL2: SRE, and Enable for EL1 */
	mov x1, #0x9
	orr x0, x0, x1
	msr S3_4_C12_C9_5, x0
	isb
1:	mov x0, #0x3c5
	msr spsr_el2, x0
	adr x0, at_el1
	msr elr_el2, x0
	eret

	/* The boot vectors' one live entry (see boot_fault): VBAR_EL1 points
	 * at the image's start, 2 MiB-aligned, until .bss is clear, and a
	 * synchronous exception at EL1 on SP_EL1 lands 0x200 past it, here
	 * (.text.boot starts 0x40 in, after the Image header). No other
	 * vector can be taken that early: interrupts are masked and the code
	 * runs at EL1h. A full table would cost 2 KiB and its alignment. */
	.org 0x200 - 0x40
	b boot_fault

at_el1:
	msr daifset, #0xf
	ldr x0, =SCTLR_RES1             /* MMU and caches off, little-endian, */
	msr sctlr_el1, x0               /* whatever a loader left */
	mov x0, #(3 << 20)              /* CPACR_EL1.FPEN: no FP/SIMD traps */
	msr cpacr_el1, x0
	adrp x0, __image_start          /* until .bss is clear: see boot_fault */
	msr vbar_el1, x0
	isb

	/* Boot map: L0[0] -> L1, L1[0] device, L1[1..3] normal. Written with
	 * the MMU off, so uncached: zeroed first, and their cache lines
	 * invalidated after, so that no stale line hides them from the
	 * (cached) table walks. */
	adrp x0, boot_l0
	adrp x1, boot_l1
	mov x3, x0
	add x4, x1, #4096
2:	stp xzr, xzr, [x3], #16
	cmp x3, x4
	b.lo 2b
	orr x2, x1, #TABLE
	str x2, [x0]
	ldr x2, =BLOCK_DEVICE
	str x2, [x1]
	ldr x2, =BLOCK_NORMAL
	mov x3, #(1 << 30)
	mov x6, x3
	mov x4, #1
3:	orr x5, x2, x3
	str x5, [x1, x4, lsl #3]
	add x3, x3, x6
	add x4, x4, #1
	cmp x4, #4
	b.lo 3b
	dsb sy
	mrs x3, ctr_el0                 /* smallest data cache line: 4 << DminLine */
	ubfx x3, x3, #16, #4
	mov x4, #4
	lsl x3, x4, x3
	mov x4, x0
	add x5, x1, #4096
4:	dc ivac, x4
	add x4, x4, x3
	cmp x4, x5
	b.lo 4b
	dsb sy

	ldr x1, =MAIR_VALUE
	msr mair_el1, x1
	mrs x1, id_aa64mmfr0_el1        /* physical address size -> TCR.IPS */
	and x1, x1, #7
	lsl x1, x1, #32
	ldr x2, =(TCR_T0SZ_48 | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_EPD1)
	orr x1, x1, x2
	msr tcr_el1, x1
	msr ttbr0_el1, x0
	isb
	tlbi vmalle1
	dsb ish
	isb
	ldr x1, =(SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I)
	msr sctlr_el1, x1
	isb

	/* .bss, with the caches on, around the live boot tables: 64 bytes a
	 * turn (under TCG the cost of a boot is its instruction count). */
	adrp x0, __bss_start
	add x0, x0, :lo12:__bss_start
	adrp x1, boot_l0
	bl zero_range
	adrp x0, boot_l1
	add x0, x0, #4096
	adrp x1, __image_end
	add x1, x1, :lo12:__image_end
	bl zero_range
	adr x0, aarch64_vectors         /* the kernel's own vectors from here on */
	msr vbar_el1, x0
	isb

	msr spsel, #1
	adrp x0, exception_stack_top
	add x0, x0, :lo12:exception_stack_top
	mov sp, x0
	msr spsel, #0
	adrp x0, boot_stack_top
	add x0, x0, :lo12:boot_stack_top
	mov sp, x0

	mov x29, #0                     /* terminates backtraces */
	mov x30, #0
	mov x0, x20
	mov x1, x21
	lsr x2, x22, #2
	bl aarch64_boot_main
5:	wfi
	b 5b

/* Until .bss is clear there is no stack and no console: an exception then
 * (a data abort because the image's .bss runs past the end of the VM's RAM,
 * the usual one: -m too small) says so on virt's PL011, whose address the
 * boot map already covers, and ends the VM with the panic status 125, as
 * kernel/panic.c would: through semihosting when QEMU has it (x19 marks the
 * attempt: without it the HLT traps back here), else PSCI SYSTEM_OFF. */
boot_fault:
	cbnz x19, 4f
	mov x1, #0x09000000             /* virt's UART0 data register */
	mrs x3, esr_el1
	lsr x3, x3, #26
	adr x2, boot_oom_text
	cmp x3, #0x25                   /* a data abort at EL1 */
	b.eq 1f
	adr x2, boot_fault_text
1:	ldrb w3, [x2], #1
	cbz w3, 2f
	str w3, [x1]
	b 1b
2:	mov x19, #1
	mov x0, #0x04                   /* SYS_WRITE0 */
	adr x1, boot_exit_text
	hlt #0xf000
	mov x0, #0x18                   /* SYS_EXIT */
	adr x1, boot_exit_block
	hlt #0xf000
4:	ldr x0, =0x84000008             /* PSCI SYSTEM_OFF */
	hvc #0
5:	wfi
	b 5b

boot_oom_text:
	.asciz "\r\nskiff: panic: out of memory: the image does not fit in the VM's RAM (give it more memory, e.g. QEMU's -m)\r\nskiff: halted by panic (exit status 125)\r\n"
boot_fault_text:
	.asciz "\r\nskiff: panic: exception during early boot\r\nskiff: halted by panic (exit status 125)\r\n"
boot_exit_text:
	.asciz "skiff-exit 125\n"
	.balign 8
boot_exit_block:
	.quad 0x20026, 125              /* ADP_Stopped_ApplicationExit, status */

/* Zeroes [x0, x1), both 64-byte aligned; no stack. */
zero_range:
	cmp x0, x1
	b.hs 6f
	stp xzr, xzr, [x0]
	stp xzr, xzr, [x0, #16]
	stp xzr, xzr, [x0, #32]
	stp xzr, xzr, [x0, #48]
	add x0, x0, #64
	b zero_range
6:	ret

	.bss
	.balign 4096
	.globl boot_l0
boot_l0:
	.space 4096
boot_l1:                                /* unused after arch_init: the boot stack's guard page */
	.space 4096
	.globl boot_stack
	.globl boot_stack_top
boot_stack:
	.space 16384
boot_stack_top:
	.balign 4096
exception_guard:                        /* left unmapped by paging.c */
	.space 4096
	.globl exception_stack
exception_stack:
	.space 16384
	.globl exception_stack_top
exception_stack_top:
