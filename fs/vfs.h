/* The file namespace. For now one read-only root: the initrd (a CPIO newc
 * archive, or any other image as the single file /initrd), or an empty
 * directory when there is none. libc-shim resolves paths through here. */
#ifndef SKIFF_FS_VFS_H
#define SKIFF_FS_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "fs/ramfs.h"

/* Makes the initrd at [base, base+size) the root; size 0 = no initrd. The
 * tree is built at the first path lookup; a corrupt archive is reported on
 * the console then and leaves an empty root. */
void fs_init(uint64_t base, size_t size);

/* The root tree; never NULL after fs_init. */
const struct ramfs *vfs_root(void);

#endif
