/* Long-mode GDT with one TSS whose interrupt stack table gives exceptions
 * stacks of their own: a thread that overflows into its guard page still
 * gets its page fault reported, because the handler does not run on the
 * overflowed stack. */
#include <stdint.h>

#include "arch/x86_64/trap.h"

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS 0x18
#define IST_STACK_SIZE 16384

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct descriptor_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct tss tss;
static uint64_t gdt[5];
static uint8_t exception_stack[IST_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t critical_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

static void set_tss_descriptor(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	gdt[3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
		 (0x89ull << 40) |                      /* present, 64-bit TSS */
		 (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[4] = base >> 32;
}

void x86_gdt_init(void)
{
	gdt[0] = 0;
	gdt[1] = 0x00AF9A000000FFFFull;                 /* 64-bit code, ring 0 */
	gdt[2] = 0x00CF92000000FFFFull;                 /* data */
	tss.ist[IST_EXCEPTION - 1] = (uintptr_t)(exception_stack + IST_STACK_SIZE);
	tss.ist[IST_CRITICAL - 1] = (uintptr_t)(critical_stack + IST_STACK_SIZE);
	tss.iomap_base = sizeof(tss);                   /* no I/O bitmap */
	set_tss_descriptor();

	struct descriptor_pointer p = { sizeof(gdt) - 1, (uintptr_t)gdt };
	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"mov %2, %%ds\n\t"
		"mov %2, %%es\n\t"
		"mov %2, %%ss\n\t"
		"ltr %w3"
		: : "m"(p), "i"(SEL_CODE), "r"(SEL_DATA), "r"(SEL_TSS) : "rax", "memory");
}
