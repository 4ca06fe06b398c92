/* The file namespace as libc-shim sees it: a root built at the first use
 * (a tmpfs holding the initrd's tree, writable, as Linux's initramfs; an
 * empty one without an initrd) and the current directory. Paths are
 * walked by fs/mount.h's vfs_walk from vfs_cwd(). */
#ifndef SKIFF_FS_VFS_H
#define SKIFF_FS_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "fs/mount.h"

/* Records the initrd at [base, base+size) (size 0: none) and the command
 * line's mount= options (which must outlive the VFS). The root is built,
 * and the mounts made in order, at the first vfs_cwd(): a program that
 * calls no file function links none of the VFS and pays nothing at boot.
 * A corrupt archive or a bad mount= is reported then (the mount skipped). */
void fs_init(uint64_t base, size_t size, const char *const *mounts, int mount_count);
extern uint64_t fs_initrd_base;
extern size_t fs_initrd_size;
extern const char *const *fs_mounts;
extern int fs_mount_count;

/* At the app's exit (kernel/shutdown.h's sync step, set when the root is
 * built): every mounted file system written back and its disk flushed. */
void fs_sync_at_exit(void);

/* The current directory (a new reference); "/" until vfs_set_cwd. */
struct vnode *vfs_cwd(void);
/* Makes `dir` (a directory) the current directory. */
void vfs_set_cwd(struct vnode *dir);

#endif
