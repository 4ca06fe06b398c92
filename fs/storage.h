/* Mounting what is not tmpfs: disks (through fs/fstype.h's types and the
 * disks drivers/block registered) and 9p shares. fs/vfs.c hands it each
 * mount= that names another source. */
#ifndef SKIFF_FS_STORAGE_H
#define SKIFF_FS_STORAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "fs/mountspec.h"
#include "fs/vnode.h"

/* Mounts the file system `m` names: 0 with *root referenced, *type the
 * type's name and *read_only whether it is read-only (asked for, or
 * forced by the disk); or -errno with a clause in why. */
int storage_mount(const struct mount_spec *m, struct vnode **root, const char **type, bool *read_only,
		  char *why, size_t why_size);

#endif
