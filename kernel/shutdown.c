/* Hooks run at the app's exit (see shutdown.h). */
#include <errno.h>

#include "kernel/arch.h"
#include "kernel/shutdown.h"

static struct {
	void (*fn)(void *ctx, uint64_t deadline_ns);
	void *ctx;
} hooks[SHUTDOWN_HOOKS];
static int hook_count;
static void (*sync_step)(void);

void shutdown_set_sync(void (*fn)(void)) { sync_step = fn; }

int shutdown_add_hook(void (*fn)(void *ctx, uint64_t deadline_ns), void *ctx)
{
	if (hook_count == SHUTDOWN_HOOKS)
		return -ENOSPC;
	hooks[hook_count].fn = fn;
	hooks[hook_count].ctx = ctx;
	hook_count++;
	return 0;
}

void shutdown_run_hooks(void)
{
	if (sync_step)
		sync_step();
	if (hook_count == 0)
		return;                 /* nor read the clock, which may calibrate */
	uint64_t deadline = arch_monotonic_ns() + SHUTDOWN_WAIT_NS;
	for (int i = 0; i < hook_count; i++)
		hooks[i].fn(hooks[i].ctx, deadline);
}
