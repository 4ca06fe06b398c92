/* Mutex, condition variable and semaphore (see sync.h). With cooperative
 * scheduling, a check and the wait that follows it cannot be separated by
 * another thread, so no lost wake-ups are possible between them; interrupt
 * handlers only ever call sem_up, which runs with interrupts off. */
#include <errno.h>

#include "kernel/arch.h"
#include "kernel/sync.h"

int mutex_lock_until(struct mutex *m, uint64_t deadline_ns)
{
	struct thread *self = thread_current();
	if (m->owner == self)
		return -EDEADLK;
	while (m->owner)
		if (waitq_wait(&m->waiters, deadline_ns) == -ETIMEDOUT && m->owner)
			return -ETIMEDOUT;
	m->owner = self;
	return 0;
}

int mutex_trylock(struct mutex *m)
{
	if (m->owner)
		return -EBUSY;
	m->owner = thread_current();
	return 0;
}

int mutex_unlock(struct mutex *m)
{
	if (m->owner != thread_current())
		return -EPERM;
	m->owner = 0;
	waitq_wake_one(&m->waiters);
	return 0;
}

int cond_wait_until(struct cond *c, struct mutex *m, uint64_t deadline_ns)
{
	mutex_unlock(m);
	int err = waitq_wait(&c->waiters, deadline_ns);
	mutex_lock(m);
	return err;
}

void cond_signal(struct cond *c) { waitq_wake_one(&c->waiters); }
void cond_broadcast(struct cond *c) { waitq_wake_all(&c->waiters); }

int sem_down_until(struct semaphore *s, uint64_t deadline_ns)
{
	irqflags_t f = arch_irq_save();
	int err = 0;
	while (s->count == 0 && err == 0)
		err = waitq_wait(&s->waiters, deadline_ns);
	if (s->count > 0) {
		s->count--;
		err = 0;
	}
	arch_irq_restore(f);
	return err;
}

int sem_trydown(struct semaphore *s)
{
	irqflags_t f = arch_irq_save();
	int err = s->count > 0 ? 0 : -EAGAIN;
	if (!err)
		s->count--;
	arch_irq_restore(f);
	return err;
}

void sem_up(struct semaphore *s)
{
	irqflags_t f = arch_irq_save();
	s->count++;
	waitq_wake_one(&s->waiters);
	arch_irq_restore(f);
}
