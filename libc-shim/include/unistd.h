/* picolibc's <unistd.h> lacks syncfs, which Linux's glibc declares there
 * (with _GNU_SOURCE); libc-shim/fsinfo.c defines it. */
#ifndef SKIFF_LIBC_UNISTD_H
#define SKIFF_LIBC_UNISTD_H
#include_next <unistd.h>

int syncfs(int fd);

#endif
