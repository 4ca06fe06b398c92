/* Fatal errors. A panic prints its message, the current thread and a
 * symbolized backtrace on the console, then ends the VM with PANIC_STATUS,
 * which `skiff run` reports like any exit status. */
#ifndef SKIFF_KERNEL_PANIC_H
#define SKIFF_KERNEL_PANIC_H

#include <stdbool.h>
#include <stdint.h>

/* The exit status of every panic (kernel bug, CPU exception, out of memory).
 * Apps should avoid it for their own purposes. */
#define PANIC_STATUS 125

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#define PANIC(...) panic(__FILE__ ":" PANIC_STR(__LINE__) ": " __VA_ARGS__)
#define PANIC_STR(x) PANIC_STR2(x)
#define PANIC_STR2(x) #x

/* Always on, whatever NDEBUG says; `cond` must have no side effects. */
#define ASSERT(cond) \
	do { \
		if (!(cond)) \
			PANIC("assertion failed: %s", #cond); \
	} while (0)

/* For trap handlers that print their own report before the common tail:
 * panic_enter() is false when a panic is already under way (a fault while
 * reporting a fault), in which case the caller goes straight to panic_exit. */
bool panic_enter(void);

/* One line of a fatal report saying what a memory fault at `addr` most
 * likely means: a thread's stack overflowing into its guard page, a null
 * pointer, or else what the CPU said (`cause`). `access` is "read",
 * "write" or "execute". */
enum fault_cause { FAULT_PROTECTION, FAULT_UNMAPPED, FAULT_OTHER };
void panic_explain_fault(uintptr_t addr, const char *access, enum fault_cause cause);
/* Prints "backtrace:" and one symbolized line per frame, starting with `pc`
 * and then walking frame pointers from `fp` within the current stack. */
void panic_backtrace(uintptr_t pc, uintptr_t fp);
__attribute__((noreturn)) void panic_exit(void);

/* "name+0x1c" for a code address, or NULL outside the image's text. */
const char *ksym_lookup(uintptr_t pc, uintptr_t *offset);

#endif
