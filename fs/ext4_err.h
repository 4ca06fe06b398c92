/* libext2fs's error codes (errcode_t: EXT2_ET_* from its error table, or
 * an errno value that came up from the I/O manager) as the -errno the VFS
 * speaks, in one place. */
#ifndef SKIFF_FS_EXT4_ERR_H
#define SKIFF_FS_EXT4_ERR_H

#include <ext2fs/ext2fs.h>

/* 0 for 0, else a negative errno (Linux's meaning). */
int ext4_errno(errcode_t e);

#endif
