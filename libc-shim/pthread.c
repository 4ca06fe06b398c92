/* pthreads over the kernel's threads and sync objects. pthread functions
 * return an error number rather than setting errno (POSIX). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

_Static_assert(sizeof(struct mutex) <= sizeof(((pthread_mutex_t *)0)->_kernel), "mutex fits");
_Static_assert(sizeof(struct cond) <= sizeof(((pthread_cond_t *)0)->_kernel), "cond fits");

#define NS_PER_S 1000000000ll

struct start {
	void *(*fn)(void *);
	void *arg;
};

/* Per-thread libc state, created when a thread first sets a key. */
struct specific {
	const void *values[PTHREAD_KEYS_MAX];
};

static struct {
	int used;
	void (*destructor)(void *);
} keys[PTHREAD_KEYS_MAX];

static struct mutex *kmutex(pthread_mutex_t *m) { return (struct mutex *)m->_kernel; }
static struct cond *kcond(pthread_cond_t *c) { return (struct cond *)c->_kernel; }
static struct thread *kthread(pthread_t t) { return (struct thread *)t; }

/* Monotonic deadline for an absolute time on `clock`. */
static uint64_t deadline_of(clockid_t clock, const struct timespec *abstime)
{
	int64_t target = (int64_t)abstime->tv_sec * NS_PER_S + abstime->tv_nsec;
	struct timespec now_on_clock;
	clock_gettime(clock, &now_on_clock);
	int64_t now = (int64_t)now_on_clock.tv_sec * NS_PER_S + now_on_clock.tv_nsec;
	int64_t mono = (int64_t)arch_monotonic_ns() + (target - now);
	return mono < 0 ? 0 : (uint64_t)mono;
}

static int bad_time(const struct timespec *t)
{
	return !t || t->tv_nsec < 0 || t->tv_nsec >= NS_PER_S;
}

/* --- threads ---------------------------------------------------------- */

static void run_destructors(void)
{
	struct specific *s = thread_current()->libc_data;
	for (int round = 0; s && round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		int called = 0;
		for (int k = 0; k < PTHREAD_KEYS_MAX; k++) {
			void *v = (void *)s->values[k];
			if (v && keys[k].used && keys[k].destructor) {
				s->values[k] = 0;
				keys[k].destructor(v);
				called = 1;
			}
		}
		if (!called)
			break;
	}
	free(s);
	thread_current()->libc_data = 0;
}

static void start_thread(void *arg)
{
	struct start st = *(struct start *)arg;
	free(arg);
	pthread_exit(st.fn(st.arg));
}

void pthread_exit(void *value)
{
	run_destructors();
	thread_exit(value);
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	size_t stack = attr && attr->stacksize ? attr->stacksize : THREAD_STACK_DEFAULT;
	if (stack > THREAD_STACK_MAX)
		return EINVAL;
	struct start *st = malloc(sizeof(*st));
	if (!st)
		return EAGAIN;
	st->fn = fn;
	st->arg = arg;
	struct thread *t = thread_create("pthread", start_thread, st, stack);
	if (!t) {
		free(st);
		return EAGAIN;
	}
	if (attr && attr->detachstate == PTHREAD_CREATE_DETACHED)
		thread_detach(t);
	*out = (pthread_t)t;
	return 0;
}

int pthread_join(pthread_t t, void **value)
{
	if (kthread(t) == thread_current())
		return EDEADLK;
	return -thread_join(kthread(t), value);
}

int pthread_detach(pthread_t t) { return -thread_detach(kthread(t)); }
pthread_t pthread_self(void) { return (pthread_t)thread_current(); }
int pthread_equal(pthread_t a, pthread_t b) { return a == b; }

int pthread_setname_np(pthread_t t, const char *name)
{
	if (strlen(name) >= THREAD_NAME_MAX)
		return ERANGE;
	thread_set_name(kthread(t), name);
	return 0;
}

int pthread_getname_np(pthread_t t, char *name, size_t len)
{
	if (strlen(kthread(t)->name) >= len)
		return ERANGE;
	strcpy(name, kthread(t)->name);
	return 0;
}

int pthread_setcancelstate(int state, int *old)
{
	(void)state;
	if (old)
		*old = PTHREAD_CANCEL_ENABLE;
	return 0;       /* no cancellation: nothing to enable or disable */
}

int pthread_attr_init(pthread_attr_t *a)
{
	a->stacksize = THREAD_STACK_DEFAULT;
	a->detachstate = PTHREAD_CREATE_JOINABLE;
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a) { (void)a; return 0; }

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < PTHREAD_STACK_MIN || size > THREAD_STACK_MAX)
		return EINVAL;
	a->stacksize = size;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = a->stacksize;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->detachstate = state;
	return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	*state = a->detachstate;
	return 0;
}

/* --- mutexes ---------------------------------------------------------- */

int pthread_mutexattr_init(pthread_mutexattr_t *a) { a->type = PTHREAD_MUTEX_DEFAULT; return 0; }
int pthread_mutexattr_destroy(pthread_mutexattr_t *a) { (void)a; return 0; }

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type < PTHREAD_MUTEX_NORMAL || type > PTHREAD_MUTEX_RECURSIVE)
		return EINVAL;
	a->type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = a->type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	memset(m, 0, sizeof(*m));
	m->type = a ? a->type : PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return kmutex(m)->owner ? EBUSY : 0;
}

static int lock_until(pthread_mutex_t *m, uint64_t deadline, int try)
{
	struct mutex *km = kmutex(m);
	if (km->owner == thread_current()) {
		if (m->type == PTHREAD_MUTEX_RECURSIVE) {
			m->count++;
			return 0;
		}
		return try ? EBUSY : EDEADLK;
	}
	int err = try ? mutex_trylock(km) : mutex_lock_until(km, deadline);
	if (err == 0)
		m->count = 1;
	return -err;
}

int pthread_mutex_lock(pthread_mutex_t *m) { return lock_until(m, DEADLINE_NONE, 0); }
int pthread_mutex_trylock(pthread_mutex_t *m) { return lock_until(m, 0, 1); }

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	if (bad_time(abstime))
		return EINVAL;
	return lock_until(m, deadline_of(CLOCK_REALTIME, abstime), 0);
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	struct mutex *km = kmutex(m);
	if (km->owner != thread_current())
		return EPERM;
	if (--m->count > 0)
		return 0;
	return -mutex_unlock(km);
}

/* --- condition variables ---------------------------------------------- */

int pthread_condattr_init(pthread_condattr_t *a) { a->clock = CLOCK_REALTIME; return 0; }
int pthread_condattr_destroy(pthread_condattr_t *a) { (void)a; return 0; }

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	a->clock = clock;
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock)
{
	*clock = a->clock;
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	memset(c, 0, sizeof(*c));
	c->clock = a ? a->clock : CLOCK_REALTIME;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	return kcond(c)->waiters.head ? EBUSY : 0;
}

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline)
{
	if (kmutex(m)->owner != thread_current())
		return EPERM;
	unsigned depth = m->count;      /* a recursive mutex is released whole */
	int err = cond_wait_until(kcond(c), kmutex(m), deadline);
	m->count = depth;
	return -err;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return cond_wait(c, m, DEADLINE_NONE);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	if (bad_time(abstime))
		return EINVAL;
	return cond_wait(c, m, deadline_of(c->clock ? c->clock : CLOCK_REALTIME, abstime));
}

int pthread_cond_signal(pthread_cond_t *c) { cond_signal(kcond(c)); return 0; }
int pthread_cond_broadcast(pthread_cond_t *c) { cond_broadcast(kcond(c)); return 0; }

/* --- once and keys ----------------------------------------------------- */

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	/* 0 = not run, 1 = running (others wait by yielding), 2 = done. */
	while (once->done == 1)
		thread_yield();
	if (once->done == 0) {
		once->done = 1;
		fn();
		once->done = 2;
	}
	return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++)
		if (!keys[k].used) {
			keys[k].used = 1;
			keys[k].destructor = destructor;
			*key = k;
			return 0;
		}
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
	if (key >= PTHREAD_KEYS_MAX || !keys[key].used)
		return EINVAL;
	keys[key].used = 0;
	return 0;
}

void *pthread_getspecific(pthread_key_t key)
{
	struct specific *s = thread_current()->libc_data;
	return s && key < PTHREAD_KEYS_MAX ? (void *)s->values[key] : 0;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	if (key >= PTHREAD_KEYS_MAX || !keys[key].used)
		return EINVAL;
	struct thread *self = thread_current();
	if (!self->libc_data && !(self->libc_data = calloc(1, sizeof(struct specific))))
		return ENOMEM;
	((struct specific *)self->libc_data)->values[key] = value;
	return 0;
}

/* --- read-write locks (writers are not preferred) ------------------------ */

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *a)
{
	(void)a;
	memset(rw, 0, sizeof(*rw));
	rw->changed.clock = CLOCK_REALTIME;
	return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	return rw->readers || rw->writer ? EBUSY : 0;
}

static int rw_acquire(pthread_rwlock_t *rw, int write, int try)
{
	pthread_mutex_lock(&rw->lock);
	while (rw->writer || (write && rw->readers)) {
		if (try) {
			pthread_mutex_unlock(&rw->lock);
			return EBUSY;
		}
		pthread_cond_wait(&rw->changed, &rw->lock);
	}
	if (write)
		rw->writer = 1;
	else
		rw->readers++;
	pthread_mutex_unlock(&rw->lock);
	return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw) { return rw_acquire(rw, 0, 0); }
int pthread_rwlock_wrlock(pthread_rwlock_t *rw) { return rw_acquire(rw, 1, 0); }
int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw) { return rw_acquire(rw, 0, 1); }
int pthread_rwlock_trywrlock(pthread_rwlock_t *rw) { return rw_acquire(rw, 1, 1); }

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	pthread_mutex_lock(&rw->lock);
	if (rw->writer)
		rw->writer = 0;
	else if (rw->readers > 0)
		rw->readers--;
	pthread_cond_broadcast(&rw->changed);
	pthread_mutex_unlock(&rw->lock);
	return 0;
}
