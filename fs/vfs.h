/* The file namespace as libc-shim sees it: a root built at the first use
 * (a tmpfs holding the initrd's tree, writable, as Linux's initramfs; an
 * empty one without an initrd) and the current directory. Paths are
 * walked by fs/mount.h's vfs_walk from vfs_cwd(). */
#ifndef SKIFF_FS_VFS_H
#define SKIFF_FS_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "fs/mount.h"

/* Records the initrd at [base, base+size) (size 0: none). The tree is
 * built at the first vfs_cwd(); a corrupt archive is reported on the
 * console then and leaves an empty root. */
void fs_init(uint64_t base, size_t size);

/* The current directory (a new reference); "/" until vfs_set_cwd. */
struct vnode *vfs_cwd(void);
/* Makes `dir` (a directory) the current directory. */
void vfs_set_cwd(struct vnode *dir);

#endif
