/* Kernel messages on the boot console. The formatter is our own (a subset of
 * printf: %c %s %d %i %u %x %p %% with l/ll/z and width/zero-pad) so that it
 * touches no FP state and needs no libc: traps and panics can use it. */
#ifndef SKIFF_KERNEL_LOG_H
#define SKIFF_KERNEL_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "kernel/cmdline.h"     /* enum log_level */

/* Messages above this level are dropped (set from `loglevel=` / `quiet`). */
extern int log_threshold;

__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void klog(int level, const char *fmt, ...);
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int ksnprintf(char *buf, size_t size, const char *fmt, ...);

/* A short name (a device's) built piece by piece, always terminated and cut
 * at `size`. Names are made on every boot, quiet ones too, whose messages
 * are never formatted: under TCG the formatter's first run costs some 60
 * blocks to translate (bench/http/blocks), these two about twenty. */
struct kname {
	char *buf;
	size_t size, len;
};
void kname_text(struct kname *n, const char *s);
void kname_number(struct kname *n, unsigned long v, unsigned base);

#define log_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) klog(LOG_INFO, __VA_ARGS__)
#define log_warn(...) klog(LOG_WARNING, __VA_ARGS__)
#define log_err(...) klog(LOG_ERR, __VA_ARGS__)

#endif
