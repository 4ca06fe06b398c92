/* The checks of fsrw, one file per area. */
#ifndef FSRW_H
#define FSRW_H

/* Prints "ok NAME", or "FAIL NAME: why" and counts a failure. */
void check(int ok, const char *name, const char *why);

void mappings(void);    /* mapping.c: mmap, mprotect, msync, munmap */
void fs_info(void);     /* mapping.c: statvfs, syncfs, O_SYNC */

#endif
