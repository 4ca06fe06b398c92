/* The QEMU floor for bench/boot on aarch64 -M virt: the least an ELF
 * kernel can do. It writes one line to the PL011 and exits through
 * semihosting (SYS_EXIT, status 0), so QEMU's own start-up and shutdown are
 * all that is measured. Linked where skiff's images are (0x40200000). */
	.text
	.globl _start
_start:
	mov x1, #0x09000000             /* QEMU virt's PL011 data register */
	mov w2, #'.'
	str w2, [x1]
	mov w2, #'\n'
	str w2, [x1]
	adr x1, exit_block
	mov x0, #0x18                   /* SYS_EXIT */
	hlt #0xf000
1:	wfi
	b 1b
	.balign 8
exit_block:
	.quad 0x20026, 0                /* ADP_Stopped_ApplicationExit, status 0 */
