/* The boundary between the kernel and the layer above it (libc-shim). The
 * kernel calls app_start once, on the boot thread, after every subsystem is
 * up; it starts the program and never returns. */
#ifndef SKIFF_KERNEL_APP_H
#define SKIFF_KERNEL_APP_H

struct cmdline;

__attribute__((noreturn)) void app_start(struct cmdline *cl);

/* The network stack, when the app links it (it uses sockets): started by
 * kernel_main just before the app. A weak reference, so apps without
 * sockets carry none of it. */
void net_start(const struct cmdline *cl) __attribute__((weak));

/* Guest-side timestamps for bench/boot: cycles at the first instruction. */
extern unsigned long long kernel_entry_cycles;

#endif
