/* Thread lifecycle: creation with a guarded stack and a TLS block, exit,
 * join, detach and reaping. Scheduling itself is in sched.c. */
#include <errno.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/sched_private.h"

#define NO_SLOT ~0u

static struct thread boot_thread;
static struct thread *all_threads;
static struct thread *to_reap;          /* exited and detached: freed off its stack */
static uint64_t slots_used[VM_STACK_SLOTS / 64];
static int next_id = 1;

/* A thread's struct and TLS block share pages straight from the page
 * allocator: no malloc on the way to main(), and one allocation to undo. */
static size_t thread_pages(void)
{
	size_t bytes = sizeof(struct thread) + arch_tls_block_align() + arch_tls_block_size();
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

static uintptr_t tls_in(struct thread *t)
{
	size_t align = arch_tls_block_align();
	uintptr_t block = ((uintptr_t)(t + 1) + align - 1) & ~(align - 1);
	return arch_tls_init((void *)block);
}

void sched_init(uintptr_t boot_stack_lo, uintptr_t boot_stack_hi)
{
	struct thread *t = &boot_thread;
	t->state = THREAD_RUNNING;
	t->id = 0;
	thread_set_name(t, "boot");
	t->stack_lo = boot_stack_lo;
	t->stack_hi = boot_stack_hi;
	t->stack_slot = NO_SLOT;
	t->wake_at = DEADLINE_NONE;
	all_threads = t;
	sched_current = t;
	/* TLS before any libc call: picolibc keeps errno there. The block
	 * comes from a page because malloc itself may set errno. */
	void *block = (void *)(uintptr_t)page_alloc((arch_tls_block_size() + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!block)
		PANIC("out of memory for the boot thread's TLS");
	arch_set_thread_pointer(&t->ctx, arch_tls_init(block));
}

struct thread *thread_current(void) { return sched_current; }
const char *thread_current_name(void) { return sched_current ? sched_current->name : "boot"; }

void thread_current_stack(uintptr_t *lo, uintptr_t *hi)
{
	*lo = sched_current ? sched_current->stack_lo : 0;
	*hi = sched_current ? sched_current->stack_hi : 0;
}

void thread_set_name(struct thread *t, const char *name)
{
	size_t i = 0;
	for (; name[i] && i < THREAD_NAME_MAX - 1; i++)
		t->name[i] = name[i];
	t->name[i] = '\0';
}

static unsigned slot_take(void)
{
	for (unsigned i = 0; i < VM_STACK_SLOTS; i++)
		if (!(slots_used[i / 64] & (1ull << (i % 64)))) {
			slots_used[i / 64] |= 1ull << (i % 64);
			return i;
		}
	return NO_SLOT;
}

static void slot_give(unsigned i) { slots_used[i / 64] &= ~(1ull << (i % 64)); }

static uintptr_t slot_top(unsigned slot) { return VM_STACKS_BASE + (uintptr_t)(slot + 1) * VM_STACK_SLOT; }

static void thread_start(void *arg)
{
	struct thread *t = arg;
	sched_thread_finished_switch();
	t->entry(t->arg);
	thread_exit(0);
}

static void unlink_thread(struct thread *t)
{
	for (struct thread **at = &all_threads; *at; at = &(*at)->all_next)
		if (*at == t) {
			*at = t->all_next;
			break;
		}
}

static void free_thread(struct thread *t)
{
	if (t->stack_slot != NO_SLOT) {
		vm_unmap_free(t->stack_lo, (t->stack_hi - t->stack_lo) / PAGE_SIZE);
		slot_give(t->stack_slot);
	}
	unlink_thread(t);
	if (t != &boot_thread)
		page_free((uintptr_t)t, thread_pages());
}

struct thread *thread_create(const char *name, void (*entry)(void *), void *arg, size_t stack_size)
{
	if (stack_size == 0)
		stack_size = THREAD_STACK_DEFAULT;
	stack_size = (stack_size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (stack_size > THREAD_STACK_MAX)
		return 0;
	struct thread *t = (struct thread *)(uintptr_t)page_alloc(thread_pages());
	if (!t)
		return 0;
	memset(t, 0, sizeof(*t));
	t->stack_slot = slot_take();
	if (t->stack_slot == NO_SLOT)
		goto err_thread;
	t->stack_hi = slot_top(t->stack_slot);
	t->stack_lo = t->stack_hi - stack_size; /* the page below stays unmapped */
	if (vm_map_fresh(t->stack_lo, stack_size / PAGE_SIZE, MAP_WRITE) != 0)
		goto err_slot;
	uintptr_t tp = tls_in(t);
	t->id = next_id++;
	thread_set_name(t, name);
	t->wake_at = DEADLINE_NONE;
	t->entry = entry;
	t->arg = arg;
	arch_context_init(&t->ctx, t->stack_lo, t->stack_hi, tp, thread_start, t);
	t->all_next = all_threads;
	all_threads = t;
	sched_enqueue_new(t);
	return t;

err_slot:
	slot_give(t->stack_slot);
err_thread:
	page_free((uintptr_t)t, thread_pages());
	return 0;
}

/* Runs on the new thread's stack right after every switch: a detached
 * thread that just exited can now lose its stack. */
void sched_thread_finished_switch(void)
{
	if (to_reap && to_reap != sched_current) {
		struct thread *t = to_reap;
		to_reap = 0;
		free_thread(t);
	}
}

void thread_exit(void *value)
{
	struct thread *self = sched_current;
	arch_irq_save();
	self->exit_value = value;
	self->state = THREAD_EXITED;
	if (self->detached)
		to_reap = self;
	waitq_wake_all(&self->joiners);
	sched_exit_current();
}

int thread_join(struct thread *t, void **value)
{
	if (t == sched_current || t->detached)
		return -EINVAL;
	while (t->state != THREAD_EXITED)
		waitq_wait(&t->joiners, DEADLINE_NONE);
	if (value)
		*value = t->exit_value;
	free_thread(t);
	return 0;
}

int thread_detach(struct thread *t)
{
	if (t->detached)
		return -EINVAL;
	t->detached = true;
	if (t->state == THREAD_EXITED)
		free_thread(t);
	return 0;
}

struct thread *thread_guard_owner(uintptr_t addr)
{
	for (struct thread *t = all_threads; t; t = t->all_next) {
		if (t->stack_slot == NO_SLOT)
			continue;
		/* The whole unmapped part of the slot below the stack guards it. */
		uintptr_t slot_base = slot_top(t->stack_slot) - VM_STACK_SLOT;
		if (addr >= slot_base && addr < t->stack_lo)
			return t;
	}
	return 0;
}

void sched_report_threads(void)
{
	static const char *const states[] = { "runnable", "running", "blocked", "exited" };
	for (struct thread *t = all_threads; t; t = t->all_next)
		kprintf("  thread %d '%s': %s%s\n", t->id, t->name, states[t->state],
			t->waiting_on ? " (waiting)" : "");
}
