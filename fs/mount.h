/* The VFS's namespace: a mount table and one path walk over file systems
 * behind fs/vnode.h's ops (fs/path.c).
 *
 * The walk takes absolute and relative paths (from a directory vnode, the
 * caller's current directory), skips "." and repeated slashes, goes up with
 * ".." (across a mount, to the directory it covers, and never above /),
 * enters a mounted file system where its root covers a directory, and
 * follows symbolic links (absolute ones from /) up to VFS_SYMLOOP_MAX in
 * one walk, then -ELOOP; a final link only without VFS_NOFOLLOW or with a
 * trailing slash. A trailing slash also requires a directory. Errors:
 * -ENOENT, -ENOTDIR, -ENAMETOOLONG, -ELOOP, -ENOMEM, or a file system's.
 * Every vnode handed out carries a reference the caller drops (vnode_put).
 * One thread at a time (the kernel's threads are cooperative and these
 * calls do not block, except in a file system's own I/O).
 */
#ifndef SKIFF_FS_MOUNT_H
#define SKIFF_FS_MOUNT_H

#include "fs/vnode.h"

#define VFS_MOUNTS 16
#define MNT_RDONLY 1u

#define VFS_NOFOLLOW 1u         /* a final symlink is the result itself */
#define VFS_DIRECTORY 2u        /* the result must be a directory */

struct mount {
	struct vnode *root;     /* the mounted file system's root */
	struct vnode *covered;  /* the directory it hides; NULL for / */
	unsigned flags;         /* MNT_* */
	char type[16];          /* "tmpfs", "ext4"... for messages */
};

/* Makes `root` (of a file system of `type`) the namespace's root. */
int vfs_mount_root(struct vnode *root, unsigned flags, const char *type);
/* Mounts `root` over the directory `path` (walked from `cwd`): -ENOTDIR,
 * -EBUSY when something is mounted there already, -ENOSPC past VFS_MOUNTS. */
int vfs_mount(struct vnode *cwd, const char *path, struct vnode *root, unsigned flags, const char *type);
/* The root directory (a new reference), NULL before vfs_mount_root. */
struct vnode *vfs_root_dir(void);
/* Forgets every mount, dropping their references (tests; shutdown). */
void vfs_unmount_all(void);

int vfs_walk(struct vnode *cwd, const char *path, unsigned flags, struct vnode **out);
/* Walks all of `path` but its last name: *dir (referenced) and the name,
 * which points into `path`. *must_dir is set when the name had a trailing
 * slash. A path without a last name ("/", "a/..") gives -EEXIST with *dir
 * set to NULL; "" gives -ENOENT. */
int vfs_walk_parent(struct vnode *cwd, const char *path, struct vnode **dir, const char **name,
		    size_t *len, bool *must_dir);
/* syncfs on every mounted file system (sync(2), exit): the first error. */
int vfs_sync_all(void);
/* -EROFS when `v` is on a read-only mount, else 0. */
int vfs_writable(const struct vnode *v);

#endif
