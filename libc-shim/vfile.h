/* libc-shim's side of the VFS, shared by files.c (file objects, open and
 * the path calls), names.c (mkdir, unlink, rename...) and dirs.c
 * (directory streams, the current directory). */
#ifndef SKIFF_LIBC_VFILE_H
#define SKIFF_LIBC_VFILE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "fs/vnode.h"
#include "libc-shim/file.h"

extern const struct file_ops vfile_ops;

/* The vnode behind a file of vfile_ops (no new reference). */
struct vnode *vfile_vnode(struct file *f);
void vfile_fill_stat(struct vnode *v, struct stat *st);
/* vfs_walk / vfs_walk_parent from the current directory; -EFAULT for NULL. */
int vfile_walk(const char *path, unsigned flags, struct vnode **out);
int vfile_parent(const char *path, struct vnode **dir, const char **name, size_t *len, bool *must_dir);
/* The *at calls' forms: from the directory `dirfd` names (AT_FDCWD: the
 * current one; an absolute path ignores it); -EBADF, -ENOTDIR for a dirfd
 * that is not an open directory. */
int vfile_base(int dirfd, struct vnode **base);
int vfile_walk_at(int dirfd, const char *path, unsigned flags, struct vnode **out);
int vfile_parent_at(int dirfd, const char *path, struct vnode **dir, const char **name, size_t *len,
		    bool *must_dir);

#endif
