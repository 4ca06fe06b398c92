/* Host unit tests: kernel/sync.h's semaphore for code whose completions
 * arrive synchronously (a fake disk answers inside submit): a wait finds
 * its count already raised, and one that would block is a test failure. */
#include <stdio.h>
#include <stdlib.h>

#include "kernel/sync.h"

void sem_up(struct semaphore *s) { s->count++; }

int sem_down_until(struct semaphore *s, uint64_t deadline_ns)
{
	(void)deadline_ns;
	if (s->count == 0) {
		fprintf(stderr, "sync_stub: a wait would block for ever (no completion pending)\n");
		abort();
	}
	s->count--;
	return 0;
}
