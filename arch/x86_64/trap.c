/* CPU exceptions and interrupt dispatch.
 *
 * An exception is fatal: its report names the vector, error code, faulting
 * address and what it most likely means (null pointer, stack overflow into a
 * guard page, write to read-only memory...), then dumps the registers and a
 * symbolized backtrace and ends the VM with PANIC_STATUS. Interrupts go to
 * the handler registered for their vector, then the local APIC gets its EOI.
 */
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/trap.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/thread.h"

#define PF_PRESENT (1u << 0)
#define PF_WRITE (1u << 1)
#define PF_FETCH (1u << 4)

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
	"invalid opcode", "device not available", "double fault",
	"coprocessor segment overrun", "invalid TSS", "segment not present",
	"stack-segment fault", "general protection fault", "page fault",
	"reserved", "x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point error", "virtualization", "control protection",
	[28] = "hypervisor injection", [29] = "VMM communication", [30] = "security",
};

static struct {
	irq_handler_t fn;
	void *ctx;
} handlers[256];

void x86_irq_register(unsigned vector, irq_handler_t fn, void *ctx)
{
	handlers[vector & 255].fn = fn;
	handlers[vector & 255].ctx = ctx;
}

bool x86_irq_registered(unsigned vector, irq_handler_t fn, void *ctx)
{
	return handlers[vector & 255].fn == fn && handlers[vector & 255].ctx == ctx;
}

static void explain_page_fault(const struct trap_frame *f, uintptr_t addr)
{
	const char *access = (f->error & PF_FETCH) ? "execute" :
			     (f->error & PF_WRITE) ? "write" : "read";
	panic_explain_fault(addr, access, (f->error & PF_PRESENT) ? FAULT_PROTECTION : FAULT_UNMAPPED);
}

/* A call to a bad address faults before the callee has a frame: the return
 * address on top of the stack is the only trace of the caller. */
static void report_bad_call(const struct trap_frame *f)
{
	uintptr_t lo, hi, offset;
	thread_current_stack(&lo, &hi);
	if (f->rsp < lo || f->rsp + 8 > hi)
		return;
	uintptr_t ret = *(const uintptr_t *)f->rsp;
	const char *sym = ksym_lookup(ret - 1, &offset);
	if (sym)
		kprintf("called from %p %s+0x%lx\n", (void *)ret, sym, offset + 1);
}

static void dump_registers(const struct trap_frame *f)
{
	kprintf("  rip %016lx  rsp %016lx  rflags %016lx\n", f->rip, f->rsp, f->rflags);
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", f->rax, f->rbx, f->rcx);
	kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", f->rdx, f->rsi, f->rdi);
	kprintf("  rbp %016lx  r8  %016lx  r9  %016lx\n", f->rbp, f->r8, f->r9);
	kprintf("  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r10, f->r11, f->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r13, f->r14, f->r15);
	kprintf("  cr2 %016lx  cr3 %016lx  cs %lx ss %lx\n", read_cr2(), read_cr3(), f->cs, f->ss);
}

static void fatal_exception(const struct trap_frame *f)
{
	uintptr_t fault_addr = read_cr2();
	if (!panic_enter())
		panic_exit();
	const char *name = exception_names[f->vector & 31];
	kprintf("\nskiff: fatal exception %lu (%s) in thread '%s', error code 0x%lx\n",
		f->vector, name ? name : "reserved", thread_current_name(), f->error);
	if (f->vector == VECTOR_PAGE_FAULT)
		explain_page_fault(f, fault_addr);
	else if (f->vector == 0)
		kprintf("integer division by zero (or quotient overflow)\n");
	uintptr_t offset;
	const char *sym = ksym_lookup(f->rip, &offset);
	kprintf("at %p %s+0x%lx\n", (void *)f->rip, sym ? sym : "?", sym ? offset : 0);
	if (f->vector == VECTOR_PAGE_FAULT && (f->error & PF_FETCH) && f->rip == fault_addr)
		report_bad_call(f);
	dump_registers(f);
	panic_backtrace(f->rip, f->rbp);
	panic_exit();
}

void x86_trap(struct trap_frame *f)
{
	if (f->vector < VECTOR_FIRST_IRQ)
		fatal_exception(f);
	if (f->vector == VECTOR_SPURIOUS)
		return;         /* the APIC wants no EOI for these */
	if (handlers[f->vector].fn)
		handlers[f->vector].fn(handlers[f->vector].ctx);
	lapic_eoi();
}
