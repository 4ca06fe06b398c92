/* exit_thread.c - a second thread calls exit(7) while the main thread waits on a
 * condition nobody signals: the whole program must end with status 7. */
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *leave(void *arg)
{
    (void)arg;
    exit(7);
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, leave, NULL))
        return 3;
    pthread_mutex_lock(&lock);
    for (;;)
        pthread_cond_wait(&never, &lock);
}
