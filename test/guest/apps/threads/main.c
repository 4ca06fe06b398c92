/* Guest test of the scheduler through pthreads: create/join with values,
 * mutual exclusion across yields, a producer/consumer on a condition
 * variable, timed waits, sleep ordering, keys, once, detach.
 * Prints one "ok <what>" line per check and exits 0 only if all pass. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, what)                                                     \
	do {                                                                  \
		if (cond)                                                     \
			printf("ok %s\n", what);                              \
		else {                                                        \
			printf("FAIL %s (%s:%d)\n", what, __FILE__, __LINE__); \
			failures++;                                           \
		}                                                             \
	} while (0)

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *square(void *arg)
{
	intptr_t v = (intptr_t)arg;
	return (void *)(v * v);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *add_with_yields(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&lock);
		long seen = counter;
		sched_yield();          /* others run here, and must block on the lock */
		counter = seen + 1;
		pthread_mutex_unlock(&lock);
	}
	return 0;
}

static pthread_cond_t ready = PTHREAD_COND_INITIALIZER;
static int queue[16], head, tail;

static void *producer(void *arg)
{
	(void)arg;
	for (int i = 1; i <= 100; i++) {
		pthread_mutex_lock(&lock);
		while (tail - head == 16)
			pthread_cond_wait(&ready, &lock);
		queue[tail++ % 16] = i;
		pthread_cond_broadcast(&ready);
		pthread_mutex_unlock(&lock);
	}
	return 0;
}

static char order[8];
static int order_len;

static void *sleeper(void *arg)
{
	intptr_t ms = (intptr_t)arg;
	usleep((useconds_t)(ms * 1000));
	order[order_len++] = (char)('0' + ms / 10);
	return 0;
}

static pthread_key_t key;
static int destructed;
static void destructor(void *v) { destructed += (int)(intptr_t)v; }

static void *use_key(void *arg)
{
	pthread_setspecific(key, arg);
	return pthread_getspecific(key);
}

static int once_runs;
static void once_fn(void) { once_runs++; }

static void test_join(void)
{
	pthread_t t[4];
	for (intptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], 0, square, (void *)(i + 2));
	intptr_t sum = 0;
	for (int i = 0; i < 4; i++) {
		void *v;
		pthread_join(t[i], &v);
		sum += (intptr_t)v;
	}
	CHECK(sum == 4 + 9 + 16 + 25, "create/join returns values");
}

static void test_mutex(void)
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], 0, add_with_yields, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], 0);
	CHECK(counter == 3000, "mutex excludes across yields");
	CHECK(pthread_mutex_trylock(&lock) == 0 && pthread_mutex_trylock(&lock) == EBUSY,
	      "trylock");
	pthread_mutex_unlock(&lock);
}

static void test_cond(void)
{
	pthread_t p;
	head = tail = 0;
	pthread_create(&p, 0, producer, 0);
	long sum = 0;
	for (int got = 0; got < 100; got++) {
		pthread_mutex_lock(&lock);
		while (tail == head)
			pthread_cond_wait(&ready, &lock);
		sum += queue[head++ % 16];
		pthread_cond_broadcast(&ready);
		pthread_mutex_unlock(&lock);
	}
	pthread_join(p, 0);
	CHECK(sum == 5050, "condition variable producer/consumer");
}

static void test_timedwait(void)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 50 * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	int64_t start = now_ms();
	pthread_mutex_lock(&lock);
	int err = pthread_cond_timedwait(&ready, &lock, &deadline);
	pthread_mutex_unlock(&lock);
	int64_t waited = now_ms() - start;
	CHECK(err == ETIMEDOUT && waited >= 45 && waited < 1000, "cond timedwait times out after ~50 ms");
}

static void test_sleep_order(void)
{
	pthread_t t[3];
	intptr_t delays[3] = { 30, 10, 20 };
	int64_t start = now_ms();
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], 0, sleeper, (void *)delays[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], 0);
	int64_t took = now_ms() - start;
	order[order_len] = '\0';
	printf("sleep order %s in %lld ms\n", order, (long long)took);
	CHECK(strcmp(order, "123") == 0, "sleepers wake in deadline order");
	CHECK(took >= 30 && took < 1000, "sleeps overlap (about 30 ms in all)");
}

static void test_keys_once_detach(void)
{
	pthread_key_create(&key, destructor);
	pthread_t t;
	void *v;
	pthread_create(&t, 0, use_key, (void *)7);
	pthread_join(t, &v);
	CHECK((intptr_t)v == 7 && destructed == 7 && pthread_getspecific(key) == 0,
	      "thread-specific data and destructor");
	pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, once_fn);
	pthread_once(&once, once_fn);
	CHECK(once_runs == 1, "pthread_once runs once");
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < 50; i++)
		pthread_create(&t, &attr, square, (void *)1);
	usleep(1000);           /* let them run and be reaped */
	CHECK(pthread_create(&t, 0, square, (void *)3) == 0 && pthread_join(t, &v) == 0 &&
	      (intptr_t)v == 9, "detached threads are reaped and slots reused");
}

static void *fail_a_call(void *arg)
{
	(void)arg;
	close(12345);           /* EBADF, in this thread's errno only */
	return (void *)(intptr_t)errno;
}

static void test_errno_per_thread(void)
{
	errno = 0;
	pthread_t t;
	void *v;
	pthread_create(&t, 0, fail_a_call, 0);
	pthread_join(t, &v);
	CHECK((intptr_t)v == EBADF && errno == 0, "errno is per thread (TLS)");
}

int main(void)
{
	test_join();
	test_mutex();
	test_cond();
	test_timedwait();
	test_sleep_order();
	test_keys_once_detach();
	test_errno_per_thread();
	printf("threads: %d failures\n", failures);
	return failures ? 1 : 0;
}
