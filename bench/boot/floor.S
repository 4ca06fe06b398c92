/* The QEMU floor for bench/boot: the least a multiboot kernel can do.
 * It writes one byte to the serial port and exits through isa-debug-exit,
 * so QEMU's own start-up and shutdown are all that is measured. Built as a
 * 32-bit ELF with the multiboot address fields, like skiff's images. */
	.set MAGIC, 0x1BADB002
	.set FLAGS, (1 << 16)
	.section .text
	.code32
	.globl _start
header:
	.long MAGIC, FLAGS, -(MAGIC + FLAGS)
	.long header, header, end, end, _start
_start:
	mov $0x3F8, %dx
	mov $'.', %al
	out %al, %dx
	mov $'\n', %al
	out %al, %dx
	mov $0xF4, %dx
	xor %eax, %eax
	out %eax, %dx
1:	hlt
	jmp 1b
end:
