/* /dev: the disks as block devices (/dev/vda...), for programs that use
 * a disk without a file system (a database on a raw device, dd), and for
 * tests of the disk stack itself. Reads and writes go through the disk's
 * block cache (storage_disk_cache), the one a file system mounted from the
 * same disk uses, so both views agree; fsync writes the cache back and
 * flushes the disk. Mounted at /dev when the machine has disks. */
#ifndef SKIFF_FS_DEVFS_H
#define SKIFF_FS_DEVFS_H

#include "fs/vnode.h"

/* The root of /dev (a new reference), listing every disk registered. */
struct vnode *devfs_root(void);

#endif
