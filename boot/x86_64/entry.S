/* Multiboot v1 entry for x86_64: the loader leaves us in 32-bit protected
 * mode with paging off (EAX = magic, EBX = multiboot info). We zero .bss,
 * identity-map the first 1 GiB with 2 MiB pages, enter long mode, enable SSE
 * (picolibc and apps use it) and call x86_boot_main(magic, info) in C.
 * The final page tables with per-section permissions are built later in C.
 */
#define MB_MAGIC 0x1BADB002
/* bit 0: page-align modules; bit 1: memory map; bit 16: the address fields
 * below are valid. QEMU's -kernel only accepts an ELF64 multiboot image when
 * bit 16 is set: it then loads the file as a flat image at load_addr. */
#define MB_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))

#define CR0_PE (1 << 0)
#define CR0_MP (1 << 1)
#define CR0_EM (1 << 2)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define PTE_P 1
#define PTE_W 2
#define PTE_PS 0x80

	.section .multiboot, "a"
	.balign 4
multiboot_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long multiboot_header          /* header_addr */
	.long __image_start             /* load_addr */
	.long __data_end                /* load_end_addr: file bytes to load */
	.long __image_end               /* bss_end_addr: zeroed up to here */
	.long _start                    /* entry_addr */

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	mov %eax, boot_magic            /* keep magic and info for C (.data) */
	mov %ebx, boot_info
	rdtsc                           /* entry timestamp, before anything */
	mov %eax, boot_entry_cycles
	mov %edx, boot_entry_cycles + 4

	/* No need to zero .bss: with the address fields (flag 16) the loader
	 * zeroes up to bss_end_addr (multiboot spec 3.1.3). */

	/* Boot page tables: PML4[0] -> PDPT[0] -> PD of 512 x 2 MiB pages. */
	mov $boot_pdpt, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pml4
	mov $boot_pd, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pdpt
	mov $boot_pd, %edi
	mov $(PTE_P | PTE_W | PTE_PS), %eax
	mov $512, %ecx
1:	mov %eax, (%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 1b

	mov %cr4, %eax
	or $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3

	/* Long mode, and no-execute when the CPU has it (CPUID 0x80000001
	 * EDX bit 20); paging.c only sets NX bits when EFER.NXE is on. */
	mov $0x80000001, %eax
	cpuid
	mov $EFER_LME, %ebx
	bt $20, %edx
	jnc 2f
	or $EFER_NXE, %ebx
2:	mov $MSR_EFER, %ecx
	rdmsr
	or %ebx, %eax
	wrmsr

	mov %cr0, %eax
	and $~CR0_EM, %eax
	or $(CR0_PE | CR0_MP | CR0_WP | CR0_PG), %eax
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode

	.code64
long_mode:
	xor %eax, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov $boot_stack_top, %rsp
	xor %ebp, %ebp                  /* terminates backtraces */
	mov boot_magic, %edi
	mov boot_info, %esi
	call x86_boot_main
3:	hlt
	jmp 3b

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code, ring 0 */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_ptr:
	.word boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt

	.data
	.balign 8
	.globl boot_entry_cycles
boot_entry_cycles:
	.quad 0
boot_magic:
	.long 0
boot_info:
	.long 0

	.bss
	.balign 4096
boot_pml4:
	.space 4096
boot_pdpt:
	.space 4096
boot_pd:
	.space 4096
	.globl boot_stack_top
	.globl boot_stack
boot_stack:
	.space 16384
boot_stack_top:
