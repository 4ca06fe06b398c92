/* lwIP's sys_arch over the kernel (see include/arch/sys_arch.h). lwIP's
 * err_t is produced here and nowhere else in the port. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "lwip/err.h"
#include "lwip/sys.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"
#include "kernel/arch.h"
#include "kernel/thread.h"

#define NS_PER_MS 1000000ull

static uint64_t deadline_after(u32_t timeout_ms)
{
	return timeout_ms ? arch_monotonic_ns() + timeout_ms * NS_PER_MS : DEADLINE_NONE;
}

/* lwIP wants the time waited in ms, or SYS_ARCH_TIMEOUT. */
static u32_t waited_since(uint64_t start, int err)
{
	if (err)
		return SYS_ARCH_TIMEOUT;
	u32_t ms = (u32_t)((arch_monotonic_ns() - start) / NS_PER_MS);
	return ms == SYS_ARCH_TIMEOUT ? ms - 1 : ms;
}

void sys_init(void) {}

u32_t sys_now(void) { return (u32_t)(arch_monotonic_ns() / NS_PER_MS); }

sys_prot_t sys_arch_protect(void) { return arch_irq_save(); }
void sys_arch_unprotect(sys_prot_t flags) { arch_irq_restore(flags); }

err_t sys_sem_new(sys_sem_t *s, u8_t count)
{
	*s = (sys_sem_t){ .sem = { .count = count }, .valid = true };
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *s) { s->valid = false; }
void sys_sem_signal(sys_sem_t *s) { sem_up(&s->sem); }

u32_t sys_arch_sem_wait(sys_sem_t *s, u32_t timeout_ms)
{
	uint64_t start = arch_monotonic_ns();
	return waited_since(start, sem_down_until(&s->sem, deadline_after(timeout_ms)));
}

err_t sys_mutex_new(sys_mutex_t *m)
{
	*m = (sys_mutex_t){ .valid = true };
	return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *m) { m->valid = false; }
void sys_mutex_lock(sys_mutex_t *m) { mutex_lock(&m->mutex); }
/* lwIP's thread sleeps in sys_arch_mbox_fetch until its next timeout is
 * due. Other threads holding the core lock add timeouts too (the TCP
 * timer when the NIC's thread takes a connection or a socket connects, a
 * DHCP retransmission), and one may be due sooner; lwIP does not tell its
 * thread, which would sleep on, up to a second late. So each release of
 * the core lock checks and cuts that sleep short. */
#define CUT_SLACK_MS 2
static struct {
	sys_mbox_t *mbox;       /* the mailbox lwIP's thread sleeps on, or NULL */
	uint64_t until;
	bool cut;
} sleeper;

void sys_arch_core_unlocking(void)
{
	if (!sleeper.mbox || sleeper.cut)
		return;
	u32_t left = sys_timeouts_sleeptime();
	/* (lwIP counts whole ms: an earlier deadline within the slack is
	 * rounding, and waking for it would only cost a switch.) */
	if (left != SYS_TIMEOUTS_SLEEPTIME_INFINITE &&
	    arch_monotonic_ns() + (uint64_t)(left + CUT_SLACK_MS) * NS_PER_MS < sleeper.until) {
		sleeper.cut = true;
		waitq_wake_all(&sleeper.mbox->items.waiters);
	}
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	if (m == &lock_tcpip_core)
		sys_arch_core_unlocking();
	mutex_unlock(&m->mutex);
}

err_t sys_mbox_new(sys_mbox_t *b, int size)
{
	unsigned capacity = size > 0 ? (unsigned)size : 128;
	*b = (sys_mbox_t){ .capacity = capacity, .spaces = { .count = capacity } };
	b->slots = calloc(capacity, sizeof(void *));
	if (!b->slots)
		return ERR_MEM;
	b->valid = true;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *b)
{
	free(b->slots);
	b->slots = NULL;
	b->valid = false;
}

static void put(sys_mbox_t *b, void *msg)
{
	b->slots[(b->head + b->count) % b->capacity] = msg;
	b->count++;
	sem_up(&b->items);
}

void sys_mbox_post(sys_mbox_t *b, void *msg)
{
	sem_down_until(&b->spaces, DEADLINE_NONE);
	put(b, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *b, void *msg)
{
	if (sem_trydown(&b->spaces) != 0)
		return ERR_MEM;
	put(b, msg);
	return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *b, void *msg)
{
	return sys_mbox_trypost(b, msg);
}

static void *take(sys_mbox_t *b)
{
	void *msg = b->slots[b->head];
	b->head = (b->head + 1) % b->capacity;
	b->count--;
	sem_up(&b->spaces);
	return msg;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *b, void **msg, u32_t timeout_ms)
{
	/* The tcpip thread lives in this call. With a cooperative scheduler a
	 * mailbox that never runs dry would keep it from ever giving up the
	 * CPU: the apps could not drain their sockets, windows would stay
	 * shut, and two ends of a loopback connection can then ACK each other
	 * forever. Yielding first keeps every thread moving. */
	uint64_t start = arch_monotonic_ns(), deadline = deadline_after(timeout_ms);
	int err = 0;
	/* Armed before the yield, when the other threads run. Not for a wait
	 * without limit: lwIP then takes no answer but a message (it never
	 * waits so today, its ARP and DNS timers always run). */
	if (timeout_ms)
		sleeper = (typeof(sleeper)){ b, deadline, false };
	thread_yield();
	while (sem_trydown(&b->items) != 0) {
		if (sleeper.cut || (err = waitq_wait(&b->items.waiters, deadline)) != 0) {
			err = -ETIMEDOUT;       /* lwIP then runs its timeouts */
			break;
		}
	}
	sleeper.mbox = NULL;
	if (!err) {
		void *m = take(b);
		if (msg)
			*msg = m;
	}
	return waited_since(start, err);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *b, void **msg)
{
	if (sem_trydown(&b->items) != 0)
		return SYS_MBOX_EMPTY;
	void *m = take(b);
	if (msg)
		*msg = m;
	return 0;
}

struct thread_start {
	lwip_thread_fn fn;
	void *arg;
};

static void start(void *p)
{
	struct thread_start s = *(struct thread_start *)p;
	free(p);
	s.fn(s.arg);
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
	(void)prio;     /* cooperative: no priorities */
	struct thread_start *s = malloc(sizeof(*s));
	if (!s)
		PANIC("out of memory starting lwIP thread %s", name);
	s->fn = fn;
	s->arg = arg;
	struct thread *t = thread_create(name, start, s, stacksize > 0 ? (size_t)stacksize : 0);
	if (!t)
		PANIC("cannot start lwIP thread %s", name);
	return t;
}
