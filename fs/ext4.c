/* The ext2/ext3/ext4 file-system types (fs/fstype.h) over libext2fs:
 * mounting a disk, the table of vnodes (ext4_fs.h), their release, and
 * the sync ops. Names are fs/ext4_dir.c's, contents fs/ext4_file.c's.
 *
 * The journal: libext2fs writes no journal transactions, and neither do
 * we, so a file system with a journal is mounted read-write only when the
 * journal is empty (no recovery pending); it then stays empty and clean,
 * and every change goes straight to its place, made durable by fsync and
 * sync as on ext2. A journal that needs recovery is left for e2fsck (or
 * Linux) to replay: the file system mounts read-only, with one line that
 * says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "fs/ext4_err.h"
#include "fs/ext4_fs.h"
#include "fs/ext4_io.h"
#include "fs/fstype.h"
#include "fs/storage.h"
#include "kernel/log.h"

#define EXT4_MAGIC_OFFSET 1080  /* the superblock (at 1024) + s_magic (56) */

/* Disks with a mounted file system: two libext2fs instances writing one
 * disk would each overwrite the other's bitmaps. */
static struct bcache *in_use[BLKDEV_MAX];

static bool claim_disk(struct bcache *c)
{
	for (int i = 0; i < BLKDEV_MAX; i++)
		if (in_use[i] == c)
			return false;
	for (int i = 0; i < BLKDEV_MAX; i++)
		if (!in_use[i]) {
			in_use[i] = c;
			return true;
		}
	return false;
}

static void release_disk(struct bcache *c)
{
	for (int i = 0; i < BLKDEV_MAX; i++)
		if (in_use[i] == c)
			in_use[i] = NULL;
}

void ext4_lock(struct ext4fs *x) { mutex_lock(&x->lock); }
void ext4_unlock(struct ext4fs *x) { mutex_unlock(&x->lock); }

static struct enode **bucket(struct ext4fs *x, ext2_ino_t ino) { return &x->buckets[ino % EXT4_NODE_BUCKETS]; }

struct enode *ext4_node_find(struct ext4fs *x, ext2_ino_t ino)
{
	for (struct enode *n = *bucket(x, ino); n; n = n->next)
		if (n->ino == ino)
			return n;
	return NULL;
}

int ext4_node_get(struct ext4fs *x, ext2_ino_t ino, struct vnode **out)
{
	struct enode *n = ext4_node_find(x, ino);
	if (n) {
		*out = vnode_get(&n->v);
		return 0;
	}
	struct ext2_inode_large in;
	int err = ext4_read_inode(x, ino, &in);
	if (err)
		return err;
	/* A name that leads to a free inode: the image is damaged. */
	if (in.i_links_count == 0 && in.i_mode == 0)
		return -EIO;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->v.ops = &ext4_vnode_ops;
	n->v.type = in.i_mode & VFS_IFMT;
	n->x = x;
	n->ino = ino;
	n->next = *bucket(x, ino);
	*bucket(x, ino) = n;
	x->live++;
	*out = vnode_get(&n->v);
	return 0;
}

int ext4_drop_link(struct ext4fs *x, ext2_ino_t ino, bool whole_dir)
{
	struct ext2_inode_large in;
	int err = ext4_read_inode(x, ino, &in);
	if (err)
		return err;
	if (whole_dir || in.i_links_count <= 1)
		in.i_links_count = 0;
	else
		in.i_links_count--;
	ext4_touch(x, &in, "c");
	if (in.i_links_count == 0 && ext4_node_find(x, ino))
		return ext4_orphan_add(x, ino, &in);   /* freed at the vnode's release */
	err = ext4_write_inode(x, ino, &in);
	if (!err && in.i_links_count == 0)
		err = ext4_free_inode(x, ino);
	return err;
}

/* Writes back everything libext2fs holds in memory (superblock, group
 * descriptors, bitmaps), then the cache and the disk's FLUSH. When there
 * is such metadata, ext2fs_flush2 does it all: it syncs the channel (our
 * cache, then FLUSH) before writing the superblock and again after, so the
 * superblock never describes blocks that are not on the disk yet. */
static int sync_all(struct ext4fs *x)
{
	if (x->read_only)
		return 0;
	if (x->fs->flags & (EXT2_FLAG_DIRTY | EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY))
		return ext4_errno(ext2fs_flush2(x->fs, 0));
	return bcache_sync(x->cache);
}

/* The last vnode went: the mount is gone. Everything is written back; a
 * failure can only be reported in the log, as nobody is left to tell. */
static void unmount(struct ext4fs *x)
{
	int err = sync_all(x);
	errcode_t e = ext2fs_close2(x->fs, 0);
	if (e)
		ext2fs_free(x->fs);     /* close2 frees only on success */
	if (err || e)
		log_err("ext4: %s: writing back at unmount failed (error %d)\n", bcache_device(x->cache)->name,
			err ? err : ext4_errno(e));
	release_disk(x->cache);
	free(x);                /* the cache is the disk's (storage.h), kept for the next user */
}

/* The last reference to a vnode went: it leaves the table, and an inode
 * that lost its last name while the vnode was open is freed now. */
static void ext4_release(struct vnode *v)
{
	struct enode *n = en(v), **p;
	struct ext4fs *x = n->x;
	ext4_lock(x);
	for (p = bucket(x, n->ino); *p != n; p = &(*p)->next)
		;
	*p = n->next;
	struct ext2_inode_large in;
	if (!x->read_only && ext4_read_inode(x, n->ino, &in) == 0 && in.i_links_count == 0 &&
	    n->ino != EXT2_ROOT_INO && ext4_orphan_remove(x, n->ino) == 0)
		ext4_free_inode(x, n->ino);
	free(n);
	bool last = --x->live == 0;
	ext4_unlock(x);
	if (last)
		unmount(x);
}

static int ext4_fsync(struct vnode *v, bool data_only)
{
	(void)data_only;        /* the inode is written with the data anyway */
	struct ext4fs *x = en(v)->x;
	ext4_lock(x);
	int err = sync_all(x);
	ext4_unlock(x);
	return err;
}

static int ext4_syncfs(struct vnode *v) { return ext4_fsync(v, false); }

static int ext4_statfs(struct vnode *v, struct vstatfs *out)
{
	struct ext4fs *x = en(v)->x;
	ext4_lock(x);
	struct ext2_super_block *sb = x->fs->super;
	uint64_t free_blocks = ext2fs_free_blocks_count(sb), reserved = ext2fs_r_blocks_count(sb);
	out->bsize = x->fs->blocksize;
	out->blocks = ext2fs_blocks_count(sb);
	out->bfree = free_blocks;
	out->bavail = free_blocks > reserved ? free_blocks - reserved : 0;
	out->files = sb->s_inodes_count;
	out->ffree = sb->s_free_inodes_count;
	out->namemax = EXT2_NAME_LEN;
	uint64_t fsid = 0;
	for (int i = 0; i < 16; i++)
		fsid = fsid * 131 + sb->s_uuid[i];
	out->fsid = fsid;
	ext4_unlock(x);
	return 0;
}

const struct vnode_ops ext4_vnode_ops = {
	.lookup = ext4_lookup,
	.create = ext4_create,
	.symlink = ext4_symlink,
	.link = ext4_link,
	.unlink = ext4_unlink,
	.rename = ext4_rename,
	.readlink = ext4_readlink,
	.getattr = ext4_getattr,
	.truncate = ext4_truncate,
	.setattr = ext4_setattr,
	.read = ext4_read,
	.write = ext4_write,
	.readdir = ext4_readdir,
	.fsync = ext4_fsync,
	.statfs = ext4_statfs,
	.syncfs = ext4_syncfs,
	.release = ext4_release,
};

/* ---- mounting ------------------------------------------------------------------------------ */

static bool ext4_recognise(const uint8_t *head, size_t len)
{
	return len > EXT4_MAGIC_OFFSET + 1 && head[EXT4_MAGIC_OFFSET] == (EXT2_SUPER_MAGIC & 0xff) &&
	       head[EXT4_MAGIC_OFFSET + 1] == (EXT2_SUPER_MAGIC >> 8);
}

static errcode_t open_fs(struct bcache *cache, bool rw, ext2_filsys *fs)
{
	char name[32];
	ext4_io_name(cache, name, sizeof(name));
	int flags = EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0);
	return ext2fs_open2(name, NULL, flags, 0, 0, ext4_io_manager, fs);
}

/* Opens the file system on the cache's disk, read-write if it may: -errno
 * with a->why set. Falls back to read-only (saying why) when the journal
 * needs recovery or a feature is understood for reading only. */
static int open_checked(struct fs_mount_args *a, struct ext4fs *x, const char *disk)
{
	errcode_t e = open_fs(x->cache, !x->read_only, &x->fs);
	const char *ro_why = NULL;
	if (e == EXT2_ET_RO_UNSUPP_FEATURE && !x->read_only)
		ro_why = "it has features this driver can only read";
	else if (e == 0 && !x->read_only && ext2fs_has_feature_journal_needs_recovery(x->fs->super))
		ro_why = "its journal needs recovery (run e2fsck on the image)";
	if (ro_why) {
		if (e == 0)
			ext2fs_close_free(&x->fs);
		x->read_only = a->forced_read_only = true;
		e = open_fs(x->cache, false, &x->fs);
		if (e == 0)
			log_warn("ext4: %s: mounted read-only: %s\n", disk, ro_why);
	}
	if (e) {
		snprintf(a->why, sizeof(a->why), "not a usable ext2/3/4 file system (%s)", error_message(e));
		return ext4_errno(e);
	}
	/* The primary superblock only, as e2fsck does between passes: the
	 * backups' free counts are not read by anyone, and writing every
	 * backup at every fsync would multiply its cost. */
	x->fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	if (!(x->fs->super->s_state & EXT2_VALID_FS) || (x->fs->super->s_state & EXT2_ERROR_FS))
		log_warn("ext4: %s: not cleanly unmounted or has errors; running e2fsck is recommended\n", disk);
	uint64_t disk_bytes = bcache_device(x->cache)->sectors * BLK_SECTOR;
	int err = ext4_check(x->fs, disk_bytes, a->why, sizeof(a->why));
	if (err) {
		ext2fs_free(x->fs);
		return err;
	}
	e = ext2fs_read_bitmaps(x->fs);
	if (e) {
		snprintf(a->why, sizeof(a->why), "cannot read its bitmaps (%s)", error_message(e));
		ext2fs_free(x->fs);
		return ext4_errno(e);
	}
	if (!x->read_only)
		ext4_orphan_cleanup(x);
	return 0;
}

static int ext4_mount(struct fs_mount_args *a, struct vnode **root)
{
	struct blkdev *disk = blkdev_find(a->source);
	if (!disk) {
		snprintf(a->why, sizeof(a->why), "no disk named '%s'", a->source);
		return -ENODEV;
	}
	struct ext4fs *x = calloc(1, sizeof(*x));
	if (!x || !(x->cache = storage_disk_cache(disk))) {
		free(x);
		snprintf(a->why, sizeof(a->why), "out of memory");
		return -ENOMEM;
	}
	if (!claim_disk(x->cache)) {
		free(x);
		snprintf(a->why, sizeof(a->why), "%s is mounted already", disk->name);
		return -EBUSY;
	}
	x->read_only = a->read_only || disk->read_only;
	a->forced_read_only = disk->read_only && !a->read_only;
	int err = open_checked(a, x, disk->name);
	if (err)
		goto err_cache;
	ext4_lock(x);
	err = ext4_node_get(x, EXT2_ROOT_INO, root);
	ext4_unlock(x);
	if (!err && (*root)->type != VFS_IFDIR) {
		vnode_put(*root);       /* unmounts: x is gone */
		snprintf(a->why, sizeof(a->why), "its root is not a directory (a damaged file system)");
		return -EIO;
	}
	if (err) {
		snprintf(a->why, sizeof(a->why), "cannot read its root directory (error %d)", err);
		ext2fs_free(x->fs);
		goto err_cache;
	}
	return 0;
err_cache:
	release_disk(x->cache);
	free(x);
	return err;
}

/* Three names, one driver: libext2fs reads and writes all three formats.
 * Only "ext4" is guessed from the magic, so an unnamed disk says "ext4".
 * fs/storage.c requires ext4_fs_type, which brings this file, and so the
 * other two, into every image that uses files. */
const struct fs_type ext4_fs_type = {
	.name = "ext4", .on_disk = true, .recognise = ext4_recognise, .mount = ext4_mount,
};
const struct fs_type ext3_fs_type = { .name = "ext3", .on_disk = true, .mount = ext4_mount };
const struct fs_type ext2_fs_type = { .name = "ext2", .on_disk = true, .mount = ext4_mount };
FS_TYPE_REGISTER(ext4_fs_type);
FS_TYPE_REGISTER(ext3_fs_type);
FS_TYPE_REGISTER(ext2_fs_type);
