/* The cooperative scheduler: run queue, sleep list, wait queues, idle.
 * All queue manipulation happens with interrupts off, because interrupt
 * handlers may wake threads (waitq_wake_*) at any moment. */
#include <errno.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/sched_private.h"

struct thread *sched_current;
static struct thread *run_head, *run_tail;
static struct thread *sleepers;         /* sorted by wake_at */
static int interrupt_sources;
static struct {
	void (*fn)(void *ctx);
	void *ctx;
} switch_hooks[SCHED_SWITCH_HOOKS];
static int switch_hook_count;

void sched_add_interrupt_source(void) { interrupt_sources++; }

int sched_add_switch_hook(void (*fn)(void *ctx), void *ctx)
{
	if (switch_hook_count == SCHED_SWITCH_HOOKS)
		return -ENOSPC;
	switch_hooks[switch_hook_count].fn = fn;
	switch_hooks[switch_hook_count].ctx = ctx;
	switch_hook_count++;
	return 0;
}

void sched_remove_switch_hook(void (*fn)(void *ctx), void *ctx)
{
	for (int i = 0; i < switch_hook_count; i++) {
		if (switch_hooks[i].fn == fn && switch_hooks[i].ctx == ctx) {
			switch_hooks[i] = switch_hooks[--switch_hook_count];
			return;
		}
	}
}

static void run_switch_hooks(void)
{
	for (int i = 0; i < switch_hook_count; i++)
		switch_hooks[i].fn(switch_hooks[i].ctx);
}

static void runq_push(struct thread *t)
{
	t->state = THREAD_RUNNABLE;
	t->next = 0;
	if (run_tail)
		run_tail->next = t;
	else
		run_head = t;
	run_tail = t;
}

static struct thread *runq_pop(void)
{
	struct thread *t = run_head;
	if (t) {
		run_head = t->next;
		if (!run_head)
			run_tail = 0;
		t->next = 0;
	}
	return t;
}

static void sleep_insert(struct thread *t, uint64_t deadline)
{
	t->wake_at = deadline;
	struct thread **at = &sleepers;
	while (*at && (*at)->wake_at <= deadline)
		at = &(*at)->sleep_next;
	t->sleep_next = *at;
	*at = t;
}

static void sleep_remove(struct thread *t)
{
	if (t->wake_at == DEADLINE_NONE)
		return;
	for (struct thread **at = &sleepers; *at; at = &(*at)->sleep_next)
		if (*at == t) {
			*at = t->sleep_next;
			break;
		}
	t->wake_at = DEADLINE_NONE;
	t->sleep_next = 0;
}

static void waitq_remove(struct waitq *q, struct thread *t)
{
	struct thread *prev = 0;
	for (struct thread *at = q->head; at; prev = at, at = at->next) {
		if (at != t)
			continue;
		if (prev)
			prev->next = t->next;
		else
			q->head = t->next;
		if (q->tail == t)
			q->tail = prev;
		t->next = 0;
		return;
	}
}

/* Makes a blocked thread runnable, off whatever queue and list held it. */
static void make_runnable(struct thread *t)
{
	sleep_remove(t);
	if (t->waiting_on) {
		waitq_remove(t->waiting_on, t);
		t->waiting_on = 0;
	}
	runq_push(t);
}

static void wake_expired(void)
{
	if (!sleepers)
		return;         /* no clock read (nor calibration) needed */
	uint64_t now = arch_monotonic_ns();
	while (sleepers && sleepers->wake_at <= now) {
		struct thread *t = sleepers;
		t->timed_out = t->waiting_on != 0;
		make_runnable(t);
	}
}

static void idle(void)
{
	if (!sleepers && interrupt_sources == 0) {
		kprintf("\nskiff: deadlock: every thread is blocked and nothing can wake one\n");
		sched_report_threads();
		PANIC("deadlock");
	}
	arch_timer_arm(sleepers ? sleepers->wake_at : DEADLINE_NONE);
	arch_wait_for_interrupt();
}

/* Switches to the next runnable thread; the caller has already queued or
 * blocked the current one. Interrupts are off. */
static void schedule(void)
{
	struct thread *prev = sched_current, *next;
	run_switch_hooks();
	for (;;) {
		wake_expired();
		next = runq_pop();
		if (next)
			break;
		idle();
	}
	next->state = THREAD_RUNNING;
	if (next == prev)
		return;
	sched_current = next;
	arch_context_switch(&prev->ctx, &next->ctx);
	sched_thread_finished_switch();
}

void sched_enqueue_new(struct thread *t)
{
	irqflags_t f = arch_irq_save();
	runq_push(t);
	arch_irq_restore(f);
}

/* Leaves the current (exited) thread for good. */
__attribute__((noreturn)) void sched_exit_current(void)
{
	arch_irq_save();
	schedule();
	PANIC("an exited thread was scheduled again");
}

void thread_yield(void)
{
	irqflags_t f = arch_irq_save();
	wake_expired();
	if (run_head) {
		runq_push(sched_current);
		schedule();             /* runs the switch hooks */
	} else {
		run_switch_hooks();     /* a yield gives up the CPU even when it comes back */
	}
	arch_irq_restore(f);
}

void thread_sleep_until(uint64_t deadline_ns)
{
	irqflags_t f = arch_irq_save();
	struct thread *self = sched_current;
	self->state = THREAD_BLOCKED;
	self->waiting_on = 0;
	sleep_insert(self, deadline_ns);
	schedule();
	arch_irq_restore(f);
}

int waitq_wait(struct waitq *q, uint64_t deadline_ns)
{
	irqflags_t f = arch_irq_save();
	struct thread *self = sched_current;
	self->state = THREAD_BLOCKED;
	self->timed_out = false;
	self->waiting_on = q;
	self->next = 0;
	if (q->tail)
		q->tail->next = self;
	else
		q->head = self;
	q->tail = self;
	if (deadline_ns != DEADLINE_NONE)
		sleep_insert(self, deadline_ns);
	schedule();
	bool timed_out = self->timed_out;
	arch_irq_restore(f);
	return timed_out ? -ETIMEDOUT : 0;
}

int waitq_wake_one(struct waitq *q)
{
	irqflags_t f = arch_irq_save();
	struct thread *t = q->head;
	if (t)
		make_runnable(t);
	arch_irq_restore(f);
	return t != 0;
}

int waitq_wake_all(struct waitq *q)
{
	int n = 0;
	irqflags_t f = arch_irq_save();
	while (q->head) {
		make_runnable(q->head);
		n++;
	}
	arch_irq_restore(f);
	return n;
}
