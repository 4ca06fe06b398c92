/* picolibc's <sys/stat.h> declares utimensat and futimens but defines
 * their special times only for Cygwin and RTEMS; these are Linux's
 * values, which libc-shim/attrs.c takes. */
#ifndef SKIFF_LIBC_SYS_STAT_H
#define SKIFF_LIBC_SYS_STAT_H
#include_next <sys/stat.h>

#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

#endif
