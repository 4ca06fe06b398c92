/* prodcons.c - a producer thread hands 1..20,000 to the main thread through a bounded
 * queue guarded by a mutex and two condition variables; exit 0 iff the consumer's sum
 * is n(n+1)/2 (a lost wake-up hangs, a race loses or repeats a value). */
#include <pthread.h>
#include <stdio.h>

#define N 20000
#define CAP 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static int queue[CAP], head, count;

static void *produce(void *arg)
{
    (void)arg;
    for (int v = 1; v <= N; v++) {
        pthread_mutex_lock(&lock);
        while (count == CAP)
            pthread_cond_wait(&not_full, &lock);
        queue[(head + count++) % CAP] = v;
        pthread_cond_signal(&not_empty);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(void)
{
    pthread_t t;
    long long sum = 0;
    if (pthread_create(&t, NULL, produce, NULL))
        return 3;
    for (int k = 0; k < N; k++) {
        pthread_mutex_lock(&lock);
        while (count == 0)
            pthread_cond_wait(&not_empty, &lock);
        sum += queue[head];
        head = (head + 1) % CAP;
        count--;
        pthread_cond_signal(&not_full);
        pthread_mutex_unlock(&lock);
    }
    pthread_join(t, NULL);
    printf("sum %lld\n", sum);
    return sum == (long long)N * (N + 1) / 2 ? 0 : 1;
}
