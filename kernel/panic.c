/* panic() and the common tail of every fatal report. */
#include <stdarg.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/thread.h"

#define BACKTRACE_DEPTH 16

static int panicking;

bool panic_enter(void)
{
	arch_irq_save();
	return panicking++ == 0;
}

static void print_frame(uintptr_t pc, void *ctx)
{
	int *depth = ctx;
	uintptr_t offset;
	/* A return address points after its call: look up the byte before it,
	 * so a call that ends a function is not named after the next one. */
	uintptr_t probe = *depth > 0 ? pc - 1 : pc;
	const char *name = ksym_lookup(probe, &offset);
	if (name)
		kprintf("  #%d %p %s+0x%lx\n", (*depth)++, (void *)pc, name, offset + (pc - probe));
	else
		kprintf("  #%d %p ?\n", (*depth)++, (void *)pc);
}

/* Frame records are [previous fp][return address] (kernel/arch.h); each
 * must lie inside the stack and above the last, or the walk stops (no
 * chasing garbage). */
static void walk_frames(uintptr_t fp, uintptr_t lo, uintptr_t hi, int *depth)
{
	for (int n = 0; n < BACKTRACE_DEPTH; n++) {
		if (fp < lo || fp + 16 > hi || (fp & 7))
			return;
		const uintptr_t *frame = (const uintptr_t *)fp;
		if (frame[1] == 0)
			return;
		print_frame(frame[1], depth);
		if (frame[0] <= fp)
			return;
		fp = frame[0];
	}
}

void panic_explain_fault(uintptr_t addr, const char *access, enum fault_cause cause)
{
	struct thread *victim = thread_guard_owner(addr);
	if (victim)
		kprintf("stack overflow in thread '%s': %s at %p hit the guard page below its "
			"%zu KiB stack\n", victim->name, access, (void *)addr,
			(size_t)(victim->stack_hi - victim->stack_lo) / 1024);
	else if (addr < PAGE_SIZE)
		kprintf("null pointer dereference: %s at address %p\n", access, (void *)addr);
	else if (cause == FAULT_PROTECTION)
		kprintf("protection violation: %s at %p is not allowed there\n", access, (void *)addr);
	else if (cause == FAULT_UNMAPPED)
		kprintf("invalid memory access: %s at unmapped address %p\n", access, (void *)addr);
	else
		kprintf("memory fault: %s at %p\n", access, (void *)addr);
}

void panic_backtrace(uintptr_t pc, uintptr_t fp)
{
	uintptr_t lo, hi;
	int depth = 0;
	thread_current_stack(&lo, &hi);
	kprintf("backtrace (thread '%s'):\n", thread_current_name());
	print_frame(pc, &depth);
	walk_frames(fp, lo, hi, &depth);
}

void panic_exit(void)
{
	kprintf("skiff: halted by panic (exit status %d)\n", PANIC_STATUS);
	arch_exit(PANIC_STATUS);
}

void panic(const char *fmt, ...)
{
	if (!panic_enter())
		panic_exit();
	char message[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	kprintf("\nskiff: panic: %s\n", message);
	/* Start at panic's caller: its return address, then the frames above
	 * it (the saved frame pointer is the first word of every frame). */
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	panic_backtrace(caller, *(const uintptr_t *)arch_frame_pointer());
	panic_exit();
}
