/* The register frame trap_entry.S builds, and the x86_64 trap plumbing. */
#ifndef SKIFF_ARCH_X86_64_TRAP_H
#define SKIFF_ARCH_X86_64_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch.h"
#include "kernel/machine.h"            /* irq_handler_t */

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

_Static_assert(sizeof(struct trap_frame) == 22 * 8, "matches trap_entry.S");

#define VECTOR_PAGE_FAULT 14
#define VECTOR_FIRST_IRQ 32
#define VECTOR_SPURIOUS 0xFF

/* Interrupt stack table slots (gdt.c owns the stacks). */
#define IST_EXCEPTION 1  /* all CPU exceptions: a stack overflow still reports */
#define IST_CRITICAL 2   /* NMI, double fault, machine check */

void x86_gdt_init(void);
void x86_idt_init(void);

void x86_irq_register(unsigned vector, irq_handler_t fn, void *ctx);
/* Whether `vector` is routed to exactly `fn` with `ctx`. */
bool x86_irq_registered(unsigned vector, irq_handler_t fn, void *ctx);

void x86_trap(struct trap_frame *f);

#endif
