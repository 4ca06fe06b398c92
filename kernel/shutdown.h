/* Work done before the machine stops at the app's exit. A NIC registers
 * some: frames it has queued are handed to the device and waited for, so
 * that what an app sent just before exiting is not lost with the VM (QEMU
 * takes sent frames from the ring in its own thread, which the exit would
 * otherwise cut short). The hooks share one deadline, SHUTDOWN_WAIT_NS
 * after the exit began: a device that never completes delays the exit by
 * that much, no more. A panic runs none of them, nor the sync step. */
#ifndef SKIFF_KERNEL_SHUTDOWN_H
#define SKIFF_KERNEL_SHUTDOWN_H

#include <stdint.h>

#define SHUTDOWN_HOOKS 8
#define SHUTDOWN_WAIT_NS (100ull * 1000000ull)

/* Returns 0, or -ENOSPC when all SHUTDOWN_HOOKS are taken. */
int shutdown_add_hook(void (*fn)(void *ctx, uint64_t deadline_ns), void *ctx);

/* Work that must finish however long it takes, run before the hooks:
 * the file systems written back to their disks (fs/vfs.c sets it when it
 * is first used, so an app without files links none of it). */
void shutdown_set_sync(void (*fn)(void));

/* Runs the sync step, then the hooks in the order they were added (libc-shim's _exit). */
void shutdown_run_hooks(void);

#endif
