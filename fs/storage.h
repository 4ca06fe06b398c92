/* Mounting what is not tmpfs: disks (through fs/fstype.h's types and the
 * disks drivers/block registered) and 9p shares. fs/vfs.c hands it each
 * mount= that names another source. */
#ifndef SKIFF_FS_STORAGE_H
#define SKIFF_FS_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

struct blkdev;

#include "fs/mountspec.h"
#include "fs/vnode.h"

/* Mounts the file system `m` names: 0 with *root referenced, *type the
 * type's name and *read_only whether it is read-only (asked for, or
 * forced by the disk); or -errno with a clause in why. */
int storage_mount(const struct mount_spec *m, struct vnode **root, const char **type, bool *read_only,
		  char *why, size_t why_size);

/* The one block cache of `disk` (made on first use; NULL when out of
 * memory): file systems on the disk and /dev/vdX share it. */
struct bcache *storage_disk_cache(struct blkdev *disk);
/* Writes back every disk's cache and flushes the disk: the first error. */
int storage_sync_disks(void);
/* Mounts /dev (fs/devfs.h) when the machine has disks. */
void storage_mount_dev(void);

#endif
