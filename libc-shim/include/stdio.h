/* picolibc's <stdio.h> lacks renameat, which POSIX (and Linux's glibc)
 * declare there; libc-shim/names.c defines it. This wrapper adds the
 * declaration, so a program that uses it compiles as on Linux. */
#ifndef SKIFF_LIBC_STDIO_H
#define SKIFF_LIBC_STDIO_H
#include_next <stdio.h>

int renameat(int fromfd, const char *from, int tofd, const char *to);

#endif
