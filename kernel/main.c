/* kernel_main: the whole init order, one line per subsystem. */
#include "kernel/app.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/device.h"
#include "kernel/console.h"
#include "fs/vfs.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/thread.h"

unsigned long long kernel_entry_cycles;
static struct cmdline cmdline;

static void apply_cmdline(struct bootinfo *bi)
{
	cmdline_parse(bi->cmdline, &cmdline);
	console_set_tagged(cmdline.console_tagged);
	log_threshold = cmdline.loglevel;
	for (int i = 0; i < cmdline.warning_count && i < CMDLINE_MAX_WARNINGS; i++)
		log_warn("skiff: warning: %s '%s' ignored\n",
			 cmdline_problem_text(cmdline.warnings[i].problem), cmdline.warnings[i].word);
	if (cmdline.warning_count > CMDLINE_MAX_WARNINGS)
		log_warn("skiff: warning: %d more command-line problems\n",
			 cmdline.warning_count - CMDLINE_MAX_WARNINGS);
	if (bi->cmdline_truncated)
		log_warn("skiff: warning: command line longer than %d bytes was cut\n",
			 BOOTINFO_CMDLINE_MAX - 1);
}

void kernel_main(struct bootinfo *bi)
{
	kernel_entry_cycles = bi->entry_cycles;
	arch_early_init(bi);                    /* traps, so early faults report */
	apply_cmdline(bi);                      /* log level first; environ, argv */
	mm_init(bi);                            /* physical pages from the memory map */
	arch_init(bi);                          /* page tables, interrupt controller, timer */
	sched_init(bi->boot_stack_lo, bi->boot_stack_hi); /* boot path = thread 0, TLS */
	device_probe_all();                     /* buses scanned once; drivers take their devices */
	log_debug("skiff: %zu KiB free, loader %s\n", page_free_count() * 4, bi->loader);
	fs_init(bi->initrd_base, bi->initrd_size, /* the initrd and mount=, for the root */
		cmdline.mounts, cmdline.mount_count);   /* built at the first file call */
	if (net_start)
		net_start(&cmdline);            /* NICs, lwIP, addresses (if linked) */
	app_start(&cmdline);                    /* main() on its own thread */
}
