/* Host unit tests: kernel/sync.h's mutex and kernel/log.h's klog for code
 * that runs single-threaded there (fs/ext4*.c): a lock is never contended,
 * and a taken lock taken again is a test failure; messages go to stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/log.h"
#include "kernel/sync.h"

int mutex_lock_until(struct mutex *m, uint64_t deadline_ns)
{
	(void)deadline_ns;
	if (m->owner) {
		fprintf(stderr, "kernel_stub: a mutex taken twice would wait for ever\n");
		abort();
	}
	m->owner = (struct thread *)m;  /* any non-NULL owner */
	return 0;
}

int mutex_unlock(struct mutex *m)
{
	if (!m->owner)
		return -EPERM;
	m->owner = NULL;
	return 0;
}

int kernel_stub_quiet;         /* set by the fuzz target: its damage makes noise */

void klog(int level, const char *fmt, ...)
{
	va_list ap;
	if (kernel_stub_quiet)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "klog(%d): ", level);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}
