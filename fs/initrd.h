/* The initrd as a writable root: its tree (fs/ramfs.c reads the CPIO
 * archives, with their rules for names, replacement and hard links) is
 * copied into a tmpfs whose files read their bytes from the image in place
 * until first written, as Linux's initramfs is writable. */
#ifndef SKIFF_FS_INITRD_H
#define SKIFF_FS_INITRD_H

#include <stddef.h>

#include "fs/vnode.h"

/* Fills the tmpfs directory `root` from `image` (size 0: nothing). Returns
 * 0, or a negative errno with a one-line message in msg (a corrupt archive
 * leaves what was copied before the error: nothing, as ramfs checks the
 * whole image first). */
int initrd_unpack(struct vnode *root, const void *image, size_t size, char *msg, size_t msg_size);

#endif
