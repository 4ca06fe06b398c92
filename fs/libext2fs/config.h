/* config.h for libext2fs as skiff builds it (fs/libext2fs/SOURCES), in
 * place of the one e2fsprogs's configure writes: the same file serves the
 * guest (picolibc + libc-shim, freestanding) and the host tests (glibc), so
 * it names only what both have. What is left undefined is left out on
 * purpose:
 *  - HAVE_PTHREAD, HAVE_SEM_INIT: one file system call runs at a time
 *    (fs/ext4.c serialises), so no locks;
 *  - CONFIG_MMP: multi-mount protection is for disks shared between hosts;
 *    a file system with the mmp feature is refused (fs/ext4.c);
 *  - CONFIG_TDB, the undo I/O manager: no undo files;
 *  - the mounted-device probes (mntent, ioctls, sysconf...): the guest has
 *    no /proc and the host tests use image files;
 *  - WORDS_BIGENDIAN: both targets are little-endian.
 */
#ifndef SKIFF_LIBEXT2FS_CONFIG_H
#define SKIFF_LIBEXT2FS_CONFIG_H

#define HAVE_ERRNO_H 1
#define HAVE_STDLIB_H 1
#define HAVE_UNISTD_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_STRDUP 1
#define HAVE_STRNLEN 1
#define HAVE_VPRINTF 1
#define HAVE_POSIX_MEMALIGN 1
#define HAVE_TYPE_SSIZE_T 1
/* The bitmap back end's statistics (ext2fs_print_bmap_statistics) print
 * to stderr at free time when asked through the environment: not wanted. */
#undef ENABLE_BMAP_STATS

/* bmap64.h uses struct timeval having included only <sys/types.h> and
 * <time.h>, which declare it on glibc but not on picolibc. */
#include <sys/time.h>

#endif
