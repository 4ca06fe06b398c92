/* The architecture contract: what generic code (kernel/, drivers/, libc-shim/)
 * may ask of the CPU and platform. Each arch/<arch>/ implements every function
 * here; nothing outside arch/ and boot/ names a CPU. A port that lacks a piece
 * fails to link, never falls back silently.
 *
 * Unless a comment says otherwise, these functions do not block and may be
 * called with interrupts disabled.
 */
#ifndef SKIFF_KERNEL_ARCH_H
#define SKIFF_KERNEL_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12

struct bootinfo;

/* --- early platform --------------------------------------------------- */

/* CPU tables and traps, so that faults during early boot are reported. */
void arch_early_init(const struct bootinfo *bi);

/* The final page tables and interrupt controllers; after it the kernel image has
 * its W^X permissions and page 0 faults. Needs the page allocator. */
void arch_init(const struct bootinfo *bi);

/* Writes raw bytes to the boot console (serial port), exactly as given
 * (kernel/console.c frames them and adds CRs); never blocks on anything but
 * the UART itself, so panics can use it. */
void arch_console_write(const char *buf, size_t len);

/* Ends the VM so that the host sees `status` (docs/ARCHITECTURE.md, "Conventions"). */
__attribute__((noreturn)) void arch_exit(int status);

/* --- interrupts ------------------------------------------------------- */

typedef unsigned long irqflags_t;
irqflags_t arch_irq_save(void);            /* disable, return previous state */
void arch_irq_restore(irqflags_t flags);

/* Waits with interrupts enabled until one arrives, then returns with them
 * disabled: the idle loop's only way to spend time. */
void arch_wait_for_interrupt(void);

/* --- time ------------------------------------------------------------- */

/* A free-running cycle counter (TSC, CNTVCT) for cheap timestamps. */
uint64_t arch_cycles(void);
/* Nanoseconds since boot, monotonic. The first call may calibrate. */
uint64_t arch_monotonic_ns(void);
/* An arch_cycles() difference in nanoseconds (may calibrate). */
uint64_t arch_cycles_to_ns(uint64_t cycles);
/* Wall-clock seconds since the epoch at boot, from the platform RTC
 * (0 when there is none). */
uint64_t arch_boot_epoch_seconds(void);
/* Requests one timer interrupt at or after `deadline_ns` (monotonic); a later
 * call replaces the request. UINT64_MAX cancels. The interrupt only wakes
 * arch_wait_for_interrupt. */
void arch_timer_arm(uint64_t deadline_ns);
/* How the clock was calibrated, for the boot log ("tsc 2.90 GHz via pit"). */
const char *arch_clock_describe(void);

/* --- memory ----------------------------------------------------------- */

enum map_flags {
	MAP_READ = 0,            /* every mapping is readable */
	MAP_WRITE = 1 << 0,
	MAP_EXEC = 1 << 1,
	MAP_DEVICE = 1 << 2,     /* uncached device memory */
};

/* Maps one 4 KiB page at virtual `va` to physical `pa`. Returns 0 or -ENOMEM
 * (no page for a page table) or -EEXIST (va already mapped). */
int arch_map_page(uintptr_t va, uint64_t pa, unsigned flags);
/* Makes `va` fault again; returns the physical page it had, or 0. */
uint64_t arch_unmap_page(uintptr_t va);
/* Identity-maps device registers [pa, pa+size) uncached; returns the
 * virtual address to use, or 0 when out of page-table memory. */
void *arch_map_device(uint64_t pa, size_t size);

/* --- threads ---------------------------------------------------------- */

/* Saved callee-saved state of a thread that is not running; its layout is the
 * arch's business (arch/<arch>/context.h). */
struct arch_context;

/* Saves the current thread's state into *from and resumes *to. */
void arch_context_switch(struct arch_context *from, struct arch_context *to);
/* Prepares *ctx so that switching to it calls entry(arg) on a fresh stack
 * [stack_lo, stack_hi) with the given thread-pointer value (TLS). */
void arch_context_init(struct arch_context *ctx, uintptr_t stack_lo,
		       uintptr_t stack_hi, uintptr_t tls,
		       void (*entry)(void *), void *arg);
/* Gives the running thread, whose context is *ctx, the thread pointer tp
 * (TLS base), now and whenever it is switched back in. */
void arch_set_thread_pointer(struct arch_context *ctx, uintptr_t tp);
/* A thread's TLS block: its size and alignment, and arch_tls_init, which
 * fills it from the image's TLS template and returns the thread pointer. */
size_t arch_tls_block_size(void);
size_t arch_tls_block_align(void);
uintptr_t arch_tls_init(void *block);

/* 64 bits from the CPU's random number generator into *out; false when
 * the CPU has none (or it stayed empty after retries). kernel/random.h is
 * what the rest of the system uses. */
bool arch_hw_random64(uint64_t *out);

/* --- diagnostics ------------------------------------------------------ */

/* Every port builds with frame pointers whose frame records are [previous
 * frame pointer][return address] at the frame pointer (x86_64 with
 * -fno-omit-frame-pointer, AAPCS64); kernel/panic.c walks them. */
uintptr_t arch_frame_pointer(void);

#endif
