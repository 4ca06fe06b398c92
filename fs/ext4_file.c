/* ext2/3/4 (ext4_fs.h): inodes, file contents and attributes. Contents go
 * through libext2fs's file I/O (extents or block maps, holes, inline data),
 * opened for the length of one call, so nothing stays buffered between
 * calls: what a write returned is in the block cache.
 *
 * Times are kept to the nanosecond where the inode has room (extra_isize,
 * every ext4 and 256-byte-inode ext2 made by mke2fs). Reads never update
 * the access time (as Linux's noatime): a read costs no write.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "fs/ext4_err.h"
#include "fs/ext4_fs.h"

#define IO_CHUNK (1u << 30)     /* libext2fs counts a call's bytes in an unsigned int */

int64_t ext4_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int ext4_read_inode(struct ext4fs *x, ext2_ino_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	return ext4_errno(ext2fs_read_inode_full(x->fs, ino, (struct ext2_inode *)in, sizeof(*in)));
}

int ext4_write_inode(struct ext4fs *x, ext2_ino_t ino, struct ext2_inode_large *in)
{
	if (x->read_only)
		return -EROFS;
	return ext4_errno(ext2fs_write_inode_full(x->fs, ino, (struct ext2_inode *)in, sizeof(*in)));
}

/* Whether the inode's extra part holds the field ending at `end`. */
static bool has_extra(const struct ext2_inode_large *in, size_t end)
{
	return EXT2_GOOD_OLD_INODE_SIZE + (size_t)in->i_extra_isize >= end;
}

#define EXTRA_END(field) (offsetof(struct ext2_inode_large, field) + sizeof(uint32_t))

/* ext4's time: 32 signed bits of seconds, and in the extra word two more
 * bits of seconds (past 2038) and 30 of nanoseconds. */
static int64_t get_time(uint32_t lo, const uint32_t *extra)
{
	int64_t sec = (int32_t)lo, ns = 0;
	if (extra) {
		sec += (int64_t)(*extra & EXT4_EPOCH_MASK) << 32;
		ns = *extra >> EXT4_EPOCH_BITS;
		ns = ns > 999999999 ? 999999999 : ns;
	}
	/* ext4 counts to the year 2446; nanoseconds in 64 bits, to 2262. */
	if (sec >= INT64_MAX / 1000000000)
		return INT64_MAX;
	return sec * 1000000000 + ns;
}

static void set_time(uint32_t *lo, uint32_t *extra, int64_t ns)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		sec--;
		frac += 1000000000;
	}
	*lo = (uint32_t)sec;
	if (extra)
		*extra = (uint32_t)(((sec - (int32_t)*lo) >> 32) & EXT4_EPOCH_MASK) |
			 (uint32_t)frac << EXT4_EPOCH_BITS;
}

#define TIME_EXTRA(in, field) (has_extra(in, EXTRA_END(field##_extra)) ? &(in)->field##_extra : NULL)

static void set_times(struct ext2_inode_large *in, char which, int64_t ns)
{
	if (which == 'a')
		set_time(&in->i_atime, TIME_EXTRA(in, i_atime), ns);
	else if (which == 'm')
		set_time(&in->i_mtime, TIME_EXTRA(in, i_mtime), ns);
	else if (which == 'c')
		set_time(&in->i_ctime, TIME_EXTRA(in, i_ctime), ns);
}

void ext4_touch(struct ext4fs *x, struct ext2_inode_large *in, const char *which)
{
	(void)x;
	int64_t now = ext4_now_ns();
	for (; *which; which++)
		set_times(in, *which, now);
}

int ext4_free_inode(struct ext4fs *x, ext2_ino_t ino)
{
	struct ext2_inode_large in;
	int err = ext4_read_inode(x, ino, &in);
	if (err)
		return err;
	struct ext2_inode *small = (struct ext2_inode *)&in;
	ext2fs_set_dtime(x->fs, small);
	errcode_t e = ext2fs_free_ext_attr(x->fs, ino, &in);
	if (!e && ext2fs_inode_has_valid_blocks2(x->fs, small))
		e = ext2fs_punch(x->fs, ino, small, NULL, 0, ~0ULL);
	if (e)
		return ext4_errno(e);
	ext2fs_inode_alloc_stats2(x->fs, ino, -1, LINUX_S_ISDIR(in.i_mode));
	return ext4_write_inode(x, ino, &in);
}

int ext4_getattr(struct vnode *v, struct vattr *out)
{
	struct enode *n = en(v);
	struct ext2_inode_large in;
	ext4_lock(n->x);
	int err = ext4_read_inode(n->x, n->ino, &in);
	if (!err) {
		out->mode = in.i_mode;
		out->nlink = in.i_links_count;
		out->ino = n->ino;
		out->size = EXT2_I_SIZE(&in);
		out->blocks = ext2fs_get_stat_i_blocks(n->x->fs, (struct ext2_inode *)&in);
		out->atime_ns = get_time(in.i_atime, TIME_EXTRA(&in, i_atime));
		out->mtime_ns = get_time(in.i_mtime, TIME_EXTRA(&in, i_mtime));
		out->ctime_ns = get_time(in.i_ctime, TIME_EXTRA(&in, i_ctime));
		out->uid = inode_uid(in);
		out->gid = inode_gid(in);
	}
	ext4_unlock(n->x);
	return err;
}

int ext4_setattr(struct vnode *v, const struct vattr *a, unsigned mask)
{
	struct enode *n = en(v);
	struct ext2_inode_large in;
	ext4_lock(n->x);
	int err = n->x->read_only ? -EROFS : ext4_read_inode(n->x, n->ino, &in);
	if (!err) {
		if (mask & VATTR_MODE)
			in.i_mode = (uint16_t)((in.i_mode & VFS_IFMT) | (a->mode & 07777));
		if (mask & VATTR_UID) {
			in.i_uid = (uint16_t)a->uid;
			in.osd2.linux2.l_i_uid_high = (uint16_t)(a->uid >> 16);
		}
		if (mask & VATTR_GID) {
			in.i_gid = (uint16_t)a->gid;
			in.osd2.linux2.l_i_gid_high = (uint16_t)(a->gid >> 16);
		}
		if (mask & VATTR_ATIME)
			set_times(&in, 'a', a->atime_ns);
		if (mask & VATTR_MTIME)
			set_times(&in, 'm', a->mtime_ns);
		ext4_touch(n->x, &in, "c");
		err = ext4_write_inode(n->x, n->ino, &in);
	}
	ext4_unlock(n->x);
	return err;
}

/* The file `n`, open for one call. */
static int open_file(struct enode *n, int flags, ext2_file_t *f)
{
	if (n->v.type == VFS_IFDIR)
		return -EISDIR;
	if ((flags & EXT2_FILE_WRITE) && n->x->read_only)
		return -EROFS;
	return ext4_errno(ext2fs_file_open(n->x->fs, n->ino, flags, f));
}

/* Closes `f` (writing its last block back); the first error wins. */
static int close_file(ext2_file_t f, int err)
{
	int close_err = ext4_errno(ext2fs_file_close(f));
	return err ? err : close_err;
}

static int touch_inode(struct enode *n, const char *which)
{
	struct ext2_inode_large in;
	int err = ext4_read_inode(n->x, n->ino, &in);
	if (!err) {
		ext4_touch(n->x, &in, which);
		err = ext4_write_inode(n->x, n->ino, &in);
	}
	return err;
}

ssize_t ext4_read(struct vnode *v, void *buf, size_t len, uint64_t offset)
{
	struct enode *n = en(v);
	ext2_file_t f;
	size_t done = 0;
	ext4_lock(n->x);
	int err = open_file(n, 0, &f);
	if (!err) {
		err = ext4_errno(ext2fs_file_llseek(f, offset, EXT2_SEEK_SET, NULL));
		while (!err && done < len) {
			unsigned int want = len - done > IO_CHUNK ? IO_CHUNK : (unsigned int)(len - done), got = 0;
			err = ext4_errno(ext2fs_file_read(f, (char *)buf + done, want, &got));
			done += got;
			if (got == 0)
				break;
		}
		err = close_file(f, err);
	}
	ext4_unlock(n->x);
	return done ? (ssize_t)done : err;
}

ssize_t ext4_write(struct vnode *v, const void *buf, size_t len, uint64_t offset)
{
	struct enode *n = en(v);
	ext2_file_t f;
	size_t done = 0;
	if (offset + len < offset || offset + len > (uint64_t)INT64_MAX)
		return -EFBIG;
	ext4_lock(n->x);
	int err = open_file(n, EXT2_FILE_WRITE, &f);
	if (!err) {
		err = ext4_errno(ext2fs_file_llseek(f, offset, EXT2_SEEK_SET, NULL));
		while (!err && done < len) {
			unsigned int want = len - done > IO_CHUNK ? IO_CHUNK : (unsigned int)(len - done), put = 0;
			err = ext4_errno(ext2fs_file_write(f, (const char *)buf + done, want, &put));
			done += put;
			if (put == 0 && !err)
				err = -EIO;
		}
		err = close_file(f, err);
		if (done)
			touch_inode(n, "mc");
	}
	ext4_unlock(n->x);
	return done ? (ssize_t)done : err;
}

int ext4_truncate(struct vnode *v, uint64_t size)
{
	struct enode *n = en(v);
	ext2_file_t f;
	if (v->type != VFS_IFREG && v->type != VFS_IFDIR)
		return -EINVAL;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	ext4_lock(n->x);
	int err = open_file(n, EXT2_FILE_WRITE, &f);
	if (!err) {
		err = close_file(f, ext4_errno(ext2fs_file_set_size2(f, size)));
		if (!err)
			err = touch_inode(n, "mc");
	}
	ext4_unlock(n->x);
	return err;
}

ssize_t ext4_readlink(struct vnode *v, char *buf, size_t size)
{
	struct enode *n = en(v);
	struct ext2_inode_large in;
	if (v->type != VFS_IFLNK)
		return -EINVAL;
	ext4_lock(n->x);
	ssize_t ret = ext4_read_inode(n->x, n->ino, &in);
	uint64_t len = EXT2_I_SIZE(&in);
	if (!ret && len > VFS_PATH_MAX)
		ret = -EIO;             /* no symlink is that long: a damaged inode */
	if (!ret && len > size)
		len = size;
	if (!ret && ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
		memcpy(buf, (const char *)in.i_block, len < sizeof(in.i_block) ? len : sizeof(in.i_block));
		ret = len < sizeof(in.i_block) ? (ssize_t)len : (ssize_t)sizeof(in.i_block);
	} else if (!ret) {
		/* A slow symlink (or an inline one): its target is its data. */
		ext2_file_t f;
		unsigned int got = 0;
		ret = ext4_errno(ext2fs_file_open(n->x->fs, n->ino, 0, &f));
		if (!ret) {
			ret = close_file(f, ext4_errno(ext2fs_file_read(f, buf, (unsigned int)len, &got)));
			if (!ret)
				ret = got;
		}
	}
	ext4_unlock(n->x);
	return ret;
}
