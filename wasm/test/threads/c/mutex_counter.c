/* mutex_counter.c - 8 pthreads add 1 to a shared counter 100,000 times each under a
 * pthread mutex; exit 0 iff the total is exact (a lost update means the mutex, or the
 * atomics and wait/notify under it, failed). */
#include <pthread.h>
#include <stdio.h>

#define THREADS 8
#define ADDS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *work(void *arg)
{
    (void)arg;
    for (int i = 0; i < ADDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, work, NULL))
            return 3;
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("counter %ld\n", counter);
    return counter == (long)THREADS * ADDS ? 0 : 1;
}
