/* ext2, ext3 and ext4 over libext2fs: what fs/ext4.c (mounts, vnodes'
 * lifetime, sync), fs/ext4_dir.c (names) and fs/ext4_file.c (contents and
 * attributes) share. Not a contract for anyone else: the VFS sees only
 * the fs types and the vnode ops.
 *
 * One vnode per inode at a time: a mounted file system keeps a table of the
 * inodes that have one, so hard links and open files agree on one object.
 * A vnode holds no copy of its inode: every op reads it (libext2fs keeps a
 * small cache) and writes it back, so there is nothing to keep coherent.
 * Every op takes the file system's lock: an op may wait for its disk, and
 * the scheduler may run another thread's call meanwhile, which libext2fs
 * must not see half-way.
 */
#ifndef SKIFF_FS_EXT4_FS_H
#define SKIFF_FS_EXT4_FS_H

#include <stdbool.h>
#include <stdint.h>

#include <ext2fs/ext2fs.h>

#include "fs/bcache.h"
#include "fs/vnode.h"
#include "kernel/sync.h"

#define EXT4_NODE_BUCKETS 64

struct enode;

struct ext4fs {
	ext2_filsys fs;
	struct bcache *cache;
	bool read_only;
	struct mutex lock;
	unsigned live;                  /* vnodes in the table; at 0 it unmounts */
	struct enode *buckets[EXT4_NODE_BUCKETS];
};

struct enode {
	struct vnode v;
	struct ext4fs *x;
	ext2_ino_t ino;
	struct enode *next;             /* in its bucket */
};

static inline struct enode *en(struct vnode *v) { return (struct enode *)v; }

extern const struct vnode_ops ext4_vnode_ops;

/* ext4.c: the vnode of inode `ino` (a new reference): the table's, or a
 * new one. -errno when the inode cannot be read or is not in use. */
int ext4_node_get(struct ext4fs *x, ext2_ino_t ino, struct vnode **out);
/* The vnode of `ino` if one exists (no reference taken), else NULL. */
struct enode *ext4_node_find(struct ext4fs *x, ext2_ino_t ino);
/* Drops a name's link count of `ino` (the caller has removed the name);
 * frees the inode when no link and no vnode remain. */
int ext4_drop_link(struct ext4fs *x, ext2_ino_t ino, bool whole_dir);
void ext4_lock(struct ext4fs *x);
void ext4_unlock(struct ext4fs *x);

/* ext4_orphan.c: an inode that lost its last link while a vnode holds it
 * joins the orphan list (its updated inode `in` is written), and leaves
 * it just before it is freed; a mount read-write frees what a crash left. */
int ext4_orphan_add(struct ext4fs *x, ext2_ino_t ino, struct ext2_inode_large *in);
int ext4_orphan_remove(struct ext4fs *x, ext2_ino_t ino);
void ext4_orphan_cleanup(struct ext4fs *x);

/* ext4_check.c: 0 when the superblock's geometry fits a disk of
 * `disk_bytes` and the group descriptors are sound, else -errno and a
 * clause in why. */
int ext4_check(ext2_filsys fs, uint64_t disk_bytes, char *why, size_t why_size);

/* ext4_file.c: inodes in and out, in their large form (extra fields,
 * nanosecond times), and the clock. */
int ext4_read_inode(struct ext4fs *x, ext2_ino_t ino, struct ext2_inode_large *in);
int ext4_write_inode(struct ext4fs *x, ext2_ino_t ino, struct ext2_inode_large *in);
/* Sets the times `which` names ('a', 'm', 'c' in any order) to now. */
void ext4_touch(struct ext4fs *x, struct ext2_inode_large *in, const char *which);
int64_t ext4_now_ns(void);
/* Frees every block of `ino` and the inode itself (links and vnodes gone). */
int ext4_free_inode(struct ext4fs *x, ext2_ino_t ino);

/* The vnode ops, by file. */
int ext4_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out);
int ext4_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct vnode **out);
int ext4_symlink(struct vnode *dir, const char *name, size_t len, const char *target);
int ext4_link(struct vnode *dir, const char *name, size_t len, struct vnode *file);
int ext4_unlink(struct vnode *dir, const char *name, size_t len, bool want_dir);
int ext4_rename(struct vnode *from_dir, const char *from, size_t from_len, struct vnode *to_dir,
		const char *to, size_t to_len);
int ext4_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out);
ssize_t ext4_readlink(struct vnode *v, char *buf, size_t size);
int ext4_getattr(struct vnode *v, struct vattr *out);
int ext4_truncate(struct vnode *v, uint64_t size);
int ext4_setattr(struct vnode *v, const struct vattr *a, unsigned mask);
ssize_t ext4_read(struct vnode *v, void *buf, size_t len, uint64_t offset);
ssize_t ext4_write(struct vnode *v, const void *buf, size_t len, uint64_t offset);

#endif
