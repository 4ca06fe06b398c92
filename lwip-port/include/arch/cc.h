/* lwIP's compiler and platform glue for skiff: picolibc supplies the C
 * types, errno and struct timeval; assertions and diagnostics go to the
 * kernel's panic and log. */
#ifndef SKIFF_LWIP_ARCH_CC_H
#define SKIFF_LWIP_ARCH_CC_H

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/time.h>

#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/panic.h"
#include "kernel/random.h"

#define LWIP_NO_INTTYPES_H 0
#define LWIP_ERRNO_INCLUDE <errno.h>
#define LWIP_TIMEVAL_PRIVATE 0          /* picolibc's struct timeval */
#define LWIP_RAND() ((u32_t)random64())

#define LWIP_PLATFORM_DIAG(x) do { kprintf x; } while (0)
#define LWIP_PLATFORM_ASSERT(message) PANIC("lwIP assertion: %s", message)

/* picolibc's <machine/endian.h> may have said so already. */
#include <machine/endian.h>
#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

/* picolibc has ssize_t but no SSIZE_MAX, and lwIP's arch.h would then
 * define its own ssize_t. */
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

#endif
