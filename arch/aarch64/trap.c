/* Synchronous exceptions, IRQ entry and fatal reports on aarch64.
 *
 * An IRQ goes to the interrupt controller's dispatch. A synchronous
 * exception is fatal, except the one exit.c provokes on purpose, once at
 * boot, to learn whether QEMU has semihosting (aarch64_trap_expected). The report names
 * the exception class from ESR_EL1 and what it most likely means (null
 * pointer, stack overflow into a guard page, write to read-only memory,
 * execute of no-execute memory), then the registers and a symbolized
 * backtrace, and ends the VM with PANIC_STATUS.
 */
#include <stdint.h>

#include "arch/aarch64/cpu.h"
#include "arch/aarch64/platform.h"
#include "arch/aarch64/trap.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/thread.h"

#define EC_UNKNOWN 0x00
#define EC_SVC64 0x15
#define EC_INSN_ABORT_LOWER 0x20
#define EC_INSN_ABORT 0x21
#define EC_PC_ALIGN 0x22
#define EC_DATA_ABORT_LOWER 0x24
#define EC_DATA_ABORT 0x25
#define EC_SP_ALIGN 0x26
#define EC_BRK 0x3C
#define ISS_WNR (1u << 6)

/* Set by exit.c to the address of an instruction that may be undefined: a
 * trap there skips the instruction and clears this instead of being fatal. */
volatile uintptr_t aarch64_trap_expected;

static const char *class_name(unsigned ec)
{
	switch (ec) {
	case EC_UNKNOWN: return "undefined instruction";
	case EC_SVC64: return "supervisor call";
	case EC_INSN_ABORT: case EC_INSN_ABORT_LOWER: return "instruction abort";
	case EC_PC_ALIGN: return "PC alignment fault";
	case EC_DATA_ABORT: case EC_DATA_ABORT_LOWER: return "data abort";
	case EC_SP_ALIGN: return "SP alignment fault";
	case EC_BRK: return "breakpoint (brk)";
	default: return "exception";
	}
}

static void explain_abort(const struct trap_frame *f, unsigned ec)
{
	uintptr_t addr = f->far;
	unsigned status = f->esr & 0x3F;               /* DFSC/IFSC */
	bool fetch = ec == EC_INSN_ABORT;
	const char *access = fetch ? "execute" : (f->esr & ISS_WNR) ? "write" : "read";
	enum fault_cause cause = (status & 0x3C) == 0x0C ? FAULT_PROTECTION :   /* permission, any level */
				 (status & 0x3C) == 0x04 ? FAULT_UNMAPPED : FAULT_OTHER;    /* translation */
	if (cause == FAULT_OTHER)
		kprintf("fault status code 0x%x\n", status);
	panic_explain_fault(addr, access, cause);
}

static void dump_registers(const struct trap_frame *f)
{
	for (int i = 0; i < 30; i += 3) {
		/* kprintf has no field widths for %d: pad the names by hand. */
		kprintf("  x%d%s %016lx  x%d%s %016lx  x%d%s %016lx\n", i, i < 10 ? " " : "", f->x[i],
			i + 1, i + 1 < 10 ? " " : "", f->x[i + 1], i + 2, i + 2 < 10 ? " " : "", f->x[i + 2]);
	}
	kprintf("  x30 %016lx  sp  %016lx  pc  %016lx\n", f->x[30], f->sp, f->elr);
	kprintf("  esr %016lx  far %016lx  spsr %08lx\n", f->esr, f->far, f->spsr);
}

static void fatal(const struct trap_frame *f, unsigned long kind)
{
	if (!panic_enter())
		panic_exit();
	unsigned ec = (unsigned)(f->esr >> 26) & 0x3F;
	const char *where = kind == TRAP_SYNC_SP0 ? "" : " (in the exception handler)";
	kprintf("\nskiff: fatal exception 0x%x (%s)%s in thread '%s', esr 0x%lx\n", ec, class_name(ec),
		where, thread_current_name(), f->esr);
	if (kind >= TRAP_SERROR_SP0 && kind != TRAP_SYNC_SPX)
		kprintf("unexpected exception kind %lu (SError, FIQ or from EL0)\n", kind);
	else if (ec == EC_DATA_ABORT || ec == EC_INSN_ABORT)
		explain_abort(f, ec);
	uintptr_t offset;
	const char *sym = ksym_lookup(f->elr, &offset);
	kprintf("at %p %s+0x%lx\n", (void *)f->elr, sym ? sym : "?", sym ? offset : 0);
	if (ec == EC_INSN_ABORT && f->elr == f->far) {
		/* A call to a bad address: the link register names the caller. */
		sym = ksym_lookup(f->x[30] - 4, &offset);
		if (sym)
			kprintf("called from %p %s+0x%lx\n", (void *)f->x[30], sym, offset + 4);
	}
	dump_registers(f);
	panic_backtrace(f->elr, f->x[29]);
	panic_exit();
}

void aarch64_exception(struct trap_frame *f, unsigned long kind)
{
	if (kind == TRAP_IRQ_SP0) {
		aarch64_irq_dispatch();
		return;
	}
	if (kind == TRAP_SYNC_SP0 && aarch64_trap_expected && f->elr == aarch64_trap_expected &&
	    ((f->esr >> 26) & 0x3F) == EC_UNKNOWN) {
		aarch64_trap_expected = 0;
		f->elr += 4;
		return;
	}
	fatal(f, kind);
}
