/* The boundary between the kernel and the layer above it (libc-shim). The
 * kernel calls app_start once, on the boot thread, after every subsystem is
 * up; it starts the program and never returns. */
#ifndef SKIFF_KERNEL_APP_H
#define SKIFF_KERNEL_APP_H

struct cmdline;

__attribute__((noreturn)) void app_start(struct cmdline *cl);

/* Guest-side timestamps for bench/boot: cycles at the first instruction. */
extern unsigned long long kernel_entry_cycles;

#endif
