/* Blocking synchronisation over wait queues: mutex, condition variable,
 * counting semaphore. An all-zero object is a valid unlocked / empty one, so
 * static storage needs no initialiser. Deadlines are monotonic nanoseconds
 * (DEADLINE_NONE waits for ever); timed calls return -ETIMEDOUT. None of
 * these may be called from interrupt handlers except sem_up. */
#ifndef SKIFF_KERNEL_SYNC_H
#define SKIFF_KERNEL_SYNC_H

#include <stdint.h>

#include "kernel/thread.h"

struct mutex {
	struct thread *owner;
	struct waitq waiters;
};

struct cond {
	struct waitq waiters;
};

struct semaphore {
	unsigned long count;
	struct waitq waiters;
};

int mutex_lock_until(struct mutex *m, uint64_t deadline_ns);
static inline void mutex_lock(struct mutex *m) { mutex_lock_until(m, DEADLINE_NONE); }
int mutex_trylock(struct mutex *m);     /* 0 or -EBUSY */
/* Returns -EPERM when the caller does not own `m`. */
int mutex_unlock(struct mutex *m);

/* Releases `m`, waits for a signal, and takes `m` again (also on timeout). */
int cond_wait_until(struct cond *c, struct mutex *m, uint64_t deadline_ns);
void cond_signal(struct cond *c);
void cond_broadcast(struct cond *c);

int sem_down_until(struct semaphore *s, uint64_t deadline_ns);
int sem_trydown(struct semaphore *s);   /* 0 or -EAGAIN */
void sem_up(struct semaphore *s);

#endif
