/* picolibc's <fcntl.h> lacks posix_fallocate, which POSIX and Linux's
 * glibc declare there; libc-shim/io.c defines it. */
#ifndef SKIFF_LIBC_FCNTL_H
#define SKIFF_LIBC_FCNTL_H
#include_next <fcntl.h>

int posix_fallocate(int fd, off_t offset, off_t len);

#endif
