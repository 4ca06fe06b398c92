/* The contract between the VFS (fs/path.c: mounts and the path walk) and a
 * file system (tmpfs today; the initrd, ext4 and 9p behind the same ops).
 *
 * A vnode is one file of one mounted file system. The file system owns its
 * vnodes and keeps them alive while `refs` > 0 or the file has links; the
 * VFS takes a reference for every vnode it hands out (vnode_get) and drops
 * it with vnode_put, which calls `release` at zero so the file system can
 * free an unlinked file. Names are (pointer, length) pairs, never
 * NUL-terminated, at most VFS_NAME_MAX bytes, never "", "." or ".." except
 * that `lookup` must answer ".." (the parent; the root's own for the root).
 * Every op returns 0 (or a count) or a negative errno, Linux's values: an
 * op a file system lacks is NULL and the VFS answers -EPERM, -EINVAL or
 * -ENOTDIR as Linux would. No op blocks except on its own device.
 */
#ifndef SKIFF_FS_VNODE_H
#define SKIFF_FS_VNODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VFS_NAME_MAX 255
#define VFS_PATH_MAX 4096
#define VFS_SYMLOOP_MAX 40      /* symlinks followed in one walk, as Linux */

/* File types, as S_IFMT's values (Linux's and CPIO's). */
#define VFS_IFMT 0170000u
#define VFS_IFDIR 0040000u
#define VFS_IFREG 0100000u
#define VFS_IFLNK 0120000u
#define VFS_IFBLK 0060000u      /* a disk, in /dev (fs/devfs.c) */

struct vnode;
struct mount;

struct vattr {
	uint32_t mode;          /* type | permission bits */
	uint32_t nlink;
	uint64_t ino;
	uint64_t size;          /* bytes; a symlink's target length */
	uint64_t blocks;        /* 512-byte units in use */
	int64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t uid, gid;
};

#define VATTR_MODE 1u            /* permission bits of mode */
#define VATTR_UID 2u
#define VATTR_GID 4u
#define VATTR_ATIME 8u
#define VATTR_MTIME 16u

/* statvfs's figures (a file system without a statfs op reports tmpfs-like
 * zeros: the VFS fills bsize and namemax). */
struct vstatfs {
	uint32_t bsize;         /* preferred I/O size and the unit of blocks */
	uint64_t blocks, bfree, bavail;
	uint64_t files, ffree;
	uint32_t namemax;
	uint64_t fsid;
};

struct vdirent {
	uint64_t ino;
	uint32_t type;          /* VFS_IF* */
	char name[VFS_NAME_MAX + 1];
};

struct vnode_ops {
	int (*lookup)(struct vnode *dir, const char *name, size_t len, struct vnode **out);
	/* A new regular file or directory (mode's type bits say which). */
	int (*create)(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct vnode **out);
	int (*symlink)(struct vnode *dir, const char *name, size_t len, const char *target);
	int (*link)(struct vnode *dir, const char *name, size_t len, struct vnode *file);
	/* Removes a name: a directory only with `want_dir` (rmdir, -ENOTEMPTY when
	 * it has entries), anything else only without (-EISDIR). */
	int (*unlink)(struct vnode *dir, const char *name, size_t len, bool want_dir);
	/* Atomic: `to` is replaced if it exists (a directory only by an empty
	 * directory); both directories are of this file system. */
	int (*rename)(struct vnode *from_dir, const char *from, size_t from_len,
		      struct vnode *to_dir, const char *to, size_t to_len);
	ssize_t (*readlink)(struct vnode *v, char *buf, size_t size);
	int (*getattr)(struct vnode *v, struct vattr *out);
	int (*truncate)(struct vnode *v, uint64_t size);
	/* Changes the attributes `mask` (VATTR_*) names to those in `a`; the
	 * mode's type bits stay. The change time becomes now. */
	int (*setattr)(struct vnode *v, const struct vattr *a, unsigned mask);
	ssize_t (*read)(struct vnode *v, void *buf, size_t len, uint64_t offset);
	ssize_t (*write)(struct vnode *v, const void *buf, size_t len, uint64_t offset);
	/* The entry at *cookie (0 first) and the cookie of the next; returns 1
	 * with an entry, 0 at the end. */
	int (*readdir)(struct vnode *dir, uint64_t *cookie, struct vdirent *out);
	/* fsync: the file's data and metadata on the disk, then the disk's
	 * FLUSH; `data_only` (fdatasync) may skip metadata that reading the
	 * data back does not need (times). */
	int (*fsync)(struct vnode *v, bool data_only);
	/* For any vnode of the file system: its figures / write back all of
	 * it and flush its disk (syncfs, sync, exit). */
	int (*statfs)(struct vnode *v, struct vstatfs *out);
	int (*syncfs)(struct vnode *v);
	/* The last reference went (refs is 0): free an unlinked file. */
	void (*release)(struct vnode *v);
};

struct vnode {
	const struct vnode_ops *ops;
	struct mount *mnt;      /* set by the VFS for the vnodes it hands out */
	uint32_t type;          /* VFS_IF* */
	int refs;
};

static inline struct vnode *vnode_get(struct vnode *v)
{
	v->refs++;
	return v;
}

static inline void vnode_put(struct vnode *v)
{
	if (v && --v->refs == 0 && v->ops->release)
		v->ops->release(v);
}

#endif
