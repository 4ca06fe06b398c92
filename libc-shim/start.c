/* Starting and ending the program: main() on its own thread with a guarded
 * stack, argv and environ from the command line, constructors, and exit
 * statuses to the host. */
#include <stdlib.h>
#include <unistd.h>

#include "kernel/app.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/shutdown.h"
#include "kernel/thread.h"
#include "libc-shim/file.h"

extern int main(int argc, char **argv, char **envp);
extern char **environ;
extern void __libc_init_array(void);

static struct cmdline *args;
static uint64_t main_cycles;            /* arch_cycles() when main() was called */

static void run_main(void *unused)
{
	(void)unused;
	__libc_init_array();            /* constructors, as crt0 would */
	main_cycles = arch_cycles();
	exit(main(args->argc, args->argv, args->envp));
}

void app_start(struct cmdline *cl)
{
	args = cl;
	environ = cl->envp;
	fd_init_console();
	if (!thread_create("main", run_main, 0, THREAD_STACK_MAIN))
		PANIC("out of memory starting main()");
	/* The boot thread has nothing left to do; it must not end, because
	 * its stack is the one the kernel started on. */
	struct waitq forever = WAITQ_INIT;
	for (;;)
		waitq_wait(&forever, DEADLINE_NONE);
}

void _exit(int status)
{
	/* For bench/boot: guest time from the first instruction to main(),
	 * measured then, converted now (so calibration never delays boot). */
	if (log_threshold >= LOG_DEBUG && main_cycles) {
		uint64_t ns = arch_cycles_to_ns(main_cycles - kernel_entry_cycles);
		log_debug("skiff: entry to main: %lu.%03lu us (%s)\n", (unsigned long)(ns / 1000),
			  (unsigned long)(ns % 1000), arch_clock_describe());
	}
	shutdown_run_hooks();           /* files reach their disks, frames a NIC holds its device */
	arch_exit(status);
}
