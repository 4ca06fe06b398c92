/* Threads and the cooperative scheduler.
 *
 * A thread runs until it blocks, sleeps, yields or exits; nothing preempts
 * it. Threads run with interrupts disabled: interrupts are taken only while
 * the scheduler idles (arch_wait_for_interrupt), where handlers acknowledge
 * devices and make threads runnable (waitq_wake_*). With nothing to preempt
 * there is nothing an interrupt could do sooner, and no code - not libgcc's,
 * built with a red zone, nor an app's - is ever interrupted mid-function.
 * When nothing is runnable the scheduler arms the timer for the earliest
 * sleeper and halts the CPU: idle never spins.
 *
 * Every thread stack sits in its own slot of a reserved virtual range with an
 * unmapped guard page below it, so an overflow faults and is reported as a
 * stack overflow (thread_guard_owner) instead of corrupting a neighbour.
 */
#ifndef SKIFF_KERNEL_THREAD_H
#define SKIFF_KERNEL_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <arch_context.h>

#define THREAD_NAME_MAX 16
#define THREAD_STACK_DEFAULT (64 * 1024)
#define THREAD_STACK_MAIN (256 * 1024)
#define THREAD_STACK_MAX (1024 * 1024 - 4096)   /* slot size less the guard */
#define DEADLINE_NONE UINT64_MAX

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_BLOCKED, THREAD_EXITED };

struct thread {
	struct arch_context ctx;
	enum thread_state state;
	int id;
	char name[THREAD_NAME_MAX];
	struct thread *next;            /* run queue or one wait queue */
	struct waitq *waiting_on;       /* while blocked on a queue */
	struct thread *sleep_next;      /* sleep list, sorted by wake_at */
	uint64_t wake_at;               /* DEADLINE_NONE when not sleeping */
	bool timed_out;
	uintptr_t stack_lo, stack_hi;   /* mapped stack; guard page just below */
	unsigned stack_slot;
	void (*entry)(void *);
	void *arg;
	void *exit_value;
	bool detached;
	struct thread *all_next;        /* every live thread, for reports */
	void *libc_data;                /* libc-shim's per-thread state */
	struct waitq {
		struct thread *head, *tail;
	} joiners;                      /* woken when this thread exits */
};

#define WAITQ_INIT { 0, 0 }

/* The boot path becomes thread 0, running on the boot stack [lo, hi). */
void sched_init(uintptr_t boot_stack_lo, uintptr_t boot_stack_hi);
/* A device that can raise interrupts exists: with none, and no sleeper,
 * every thread blocked means deadlock and the scheduler says so instead of
 * halting forever. */
void sched_add_interrupt_source(void);
/* Runs `fn(ctx)`, with interrupts off, whenever the running thread gives up
 * the CPU: it blocks, sleeps, yields or exits. Drivers hand the requests a
 * thread queued in one go to their device there, with one notification
 * instead of one each. Returns -ENOSPC past SCHED_SWITCH_HOOKS. */
#define SCHED_SWITCH_HOOKS 8
int sched_add_switch_hook(void (*fn)(void *ctx), void *ctx);
/* Removes a hook added with the same fn and ctx (a failed probe's undo). */
void sched_remove_switch_hook(void (*fn)(void *ctx), void *ctx);

/* Creates a runnable thread; returns NULL when out of memory or stack slots.
 * `stack_size` 0 means THREAD_STACK_DEFAULT. */
struct thread *thread_create(const char *name, void (*entry)(void *), void *arg,
			     size_t stack_size);
struct thread *thread_current(void);
const char *thread_current_name(void);
void thread_current_stack(uintptr_t *lo, uintptr_t *hi);
void thread_set_name(struct thread *t, const char *name);

/* Ends the calling thread; joiners see `value`. */
__attribute__((noreturn)) void thread_exit(void *value);
/* Waits for `t` to exit, takes its value and frees it. Returns 0, or -EINVAL
 * when `t` is detached or is the caller. */
int thread_join(struct thread *t, void **value);
/* The thread frees itself on exit; returns -EINVAL if already detached. */
int thread_detach(struct thread *t);

void thread_yield(void);
/* Sleeps until monotonic time `deadline_ns`. */
void thread_sleep_until(uint64_t deadline_ns);

/* Blocks the calling thread on `q` until woken or until `deadline_ns`
 * (DEADLINE_NONE: no limit). Returns 0 when woken, -ETIMEDOUT otherwise.
 * Callers recheck their condition: a wake-up is a hint, not a promise. */
int waitq_wait(struct waitq *q, uint64_t deadline_ns);
/* Safe from interrupt handlers. Return how many threads were woken. */
int waitq_wake_one(struct waitq *q);
int waitq_wake_all(struct waitq *q);

/* The thread whose guard page holds `addr`, or NULL (for fault reports). */
struct thread *thread_guard_owner(uintptr_t addr);


#endif
