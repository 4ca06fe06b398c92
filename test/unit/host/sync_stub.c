/* Host unit tests: kernel/sync.h's semaphore for code whose completions
 * arrive synchronously (a fake disk answers inside submit): a wait finds
 * its count already raised, and one that would block is a test failure.
 * Request buffers (drivers/block/blkdev.h) come from malloc here. */
#include <stdio.h>
#include <stdlib.h>

#include "drivers/block/blkdev.h"
#include "kernel/sync.h"

void *blk_buffer_alloc(size_t bytes) { return malloc(bytes ? bytes : 1); }
void blk_buffer_free(void *p, size_t bytes)
{
	(void)bytes;
	free(p);
}

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
