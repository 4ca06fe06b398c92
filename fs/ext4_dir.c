/* ext2/3/4 (ext4_fs.h): names. Directories are libext2fs's (linear or
 * hashed, with checksums); what it lacks and is written here: readdir's
 * cookies, an empty-directory test, rename that replaces a name in place,
 * and the link counts of directories' parents. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/ext4_err.h"
#include "fs/ext4_fs.h"

#define LINK_MAX_ 65000         /* ext4's EXT4_LINK_MAX */
#define WALK_UP_MAX 4096        /* ".." steps before a directory loop is called damage */

/* A name as libext2fs wants it: NUL-terminated. */
static int cname(char *buf, const char *name, size_t len)
{
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return 0;
}

static int file_type(uint32_t mode)
{
	switch (mode & VFS_IFMT) {
	case VFS_IFREG: return EXT2_FT_REG_FILE;
	case VFS_IFDIR: return EXT2_FT_DIR;
	case VFS_IFLNK: return EXT2_FT_SYMLINK;
	case LINUX_S_IFCHR: return EXT2_FT_CHRDEV;
	case LINUX_S_IFBLK: return EXT2_FT_BLKDEV;
	case LINUX_S_IFIFO: return EXT2_FT_FIFO;
	case LINUX_S_IFSOCK: return EXT2_FT_SOCK;
	default: return EXT2_FT_UNKNOWN;
	}
}

static uint32_t vfs_type(int ft)
{
	static const uint32_t types[] = {
		[EXT2_FT_REG_FILE] = VFS_IFREG, [EXT2_FT_DIR] = VFS_IFDIR, [EXT2_FT_SYMLINK] = VFS_IFLNK,
		[EXT2_FT_CHRDEV] = LINUX_S_IFCHR, [EXT2_FT_BLKDEV] = LINUX_S_IFBLK,
		[EXT2_FT_FIFO] = LINUX_S_IFIFO, [EXT2_FT_SOCK] = LINUX_S_IFSOCK,
	};
	return ft > 0 && ft < (int)(sizeof(types) / sizeof(types[0])) ? types[ft] : 0;
}

static int find(struct ext4fs *x, ext2_ino_t dir, const char *name, size_t len, ext2_ino_t *ino)
{
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	return ext4_errno(ext2fs_lookup(x->fs, dir, name, (int)len, NULL, ino));
}

/* Adds the name, growing the directory by a block when it is full. */
static int add_name(struct ext4fs *x, ext2_ino_t dir, const char *name, ext2_ino_t ino, int ft)
{
	errcode_t e = ext2fs_link(x->fs, dir, name, ino, ft);
	if (e == EXT2_ET_DIR_NO_SPACE) {
		e = ext2fs_expand_dir(x->fs, dir);
		if (!e)
			e = ext2fs_link(x->fs, dir, name, ino, ft);
	}
	return ext4_errno(e);
}

/* Changes a directory's link count by `delta` (its subdirectories' ".."),
 * as ext4 counts them: past LINK_MAX_ the count stays at 1 (dir_nlink). */
static int dir_links(struct ext4fs *x, ext2_ino_t dir, int delta, bool touch)
{
	struct ext2_inode_large in;
	int err = ext4_read_inode(x, dir, &in);
	if (err)
		return err;
	if (delta > 0 && in.i_links_count >= 2)
		in.i_links_count = in.i_links_count + 1 >= LINK_MAX_ ? 1 : in.i_links_count + 1;
	else if (delta < 0 && in.i_links_count > 2)
		in.i_links_count--;
	if (touch)
		ext4_touch(x, &in, "mc");
	return ext4_write_inode(x, dir, &in);
}

static int touch_dir(struct ext4fs *x, ext2_ino_t dir) { return dir_links(x, dir, 0, true); }

/* Checks shared by the calls that add a name to `dir`. */
static int can_add(struct enode *d, const char *name, size_t len, char *buf)
{
	struct ext2_inode_large in;
	ext2_ino_t ino;
	if (d->x->read_only)
		return -EROFS;
	int err = cname(buf, name, len);
	if (!err)
		err = ext4_read_inode(d->x, d->ino, &in);
	if (!err && in.i_links_count == 0)
		return -ENOENT;         /* a removed directory takes no new names */
	if (!err)
		err = find(d->x, d->ino, name, len, &ino);
	return err == -ENOENT ? 0 : err ? err : -EEXIST;
}

int ext4_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct enode *d = en(dir);
	ext2_ino_t ino;
	if (dir->type != VFS_IFDIR)
		return -ENOTDIR;
	ext4_lock(d->x);
	int err = find(d->x, d->ino, name, len, &ino);
	if (!err)
		err = ext4_node_get(d->x, ino, out);
	ext4_unlock(d->x);
	return err;
}

static int new_file(struct enode *d, const char *name, uint32_t mode, ext2_ino_t *ino)
{
	ext2_filsys fs = d->x->fs;
	int err = ext4_errno(ext2fs_new_inode(fs, d->ino, LINUX_S_IFREG | 0600, NULL, ino));
	if (!err)
		err = add_name(d->x, d->ino, name, *ino, EXT2_FT_REG_FILE);
	if (err)
		return err;
	ext2fs_inode_alloc_stats2(fs, *ino, +1, 0);
	struct ext2_inode_large in;
	memset(&in, 0, sizeof(in));
	in.i_mode = (uint16_t)(LINUX_S_IFREG | (mode & 07777));
	in.i_links_count = 1;
	if (ext2fs_has_feature_extents(fs->super)) {
		/* An empty extent tree in i_block, as Linux makes it. */
		ext2_extent_handle_t h;
		err = ext4_errno(ext2fs_extent_open2(fs, *ino, (struct ext2_inode *)&in, &h));
		if (err)
			return err;
		ext2fs_extent_free(h);
	}
	/* write_new_inode clears the whole on-disk inode and sizes its extra
	 * part; then the times go in with their nanoseconds. */
	err = ext4_errno(ext2fs_write_new_inode(fs, *ino, (struct ext2_inode *)&in));
	if (!err)
		err = ext4_read_inode(d->x, *ino, &in);
	if (!err) {
		ext4_touch(d->x, &in, "amc");
		err = ext4_write_inode(d->x, *ino, &in);
	}
	return err;
}

/* ext2fs_mkdir and ext2fs_symlink make the inode and its name; this
 * finishes it: the mode asked for, times to the nanosecond. */
static int finish_new(struct ext4fs *x, ext2_ino_t dir, const char *name, uint32_t mode, ext2_ino_t *ino)
{
	struct ext2_inode_large in;
	int err = find(x, dir, name, strlen(name), ino);
	if (!err)
		err = ext4_read_inode(x, *ino, &in);
	if (err)
		return err;
	if (mode)
		in.i_mode = (uint16_t)((in.i_mode & VFS_IFMT) | (mode & 07777));
	ext4_touch(x, &in, "amc");
	return ext4_write_inode(x, *ino, &in);
}

static int new_dir(struct enode *d, const char *name, uint32_t mode, ext2_ino_t *ino)
{
	errcode_t e = ext2fs_mkdir(d->x->fs, d->ino, 0, name);
	if (e == EXT2_ET_DIR_NO_SPACE) {
		e = ext2fs_expand_dir(d->x->fs, d->ino);
		if (!e)
			e = ext2fs_mkdir(d->x->fs, d->ino, 0, name);
	}
	int err = ext4_errno(e);
	return err ? err : finish_new(d->x, d->ino, name, mode, ino);
}

int ext4_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, struct vnode **out)
{
	struct enode *d = en(dir);
	char buf[EXT2_NAME_LEN + 1];
	ext2_ino_t ino;
	uint32_t type = mode & VFS_IFMT;
	if (type != VFS_IFREG && type != VFS_IFDIR)
		return -EINVAL;
	ext4_lock(d->x);
	int err = can_add(d, name, len, buf);
	if (!err)
		err = type == VFS_IFDIR ? new_dir(d, buf, mode, &ino) : new_file(d, buf, mode, &ino);
	if (!err)
		err = touch_dir(d->x, d->ino);
	if (!err)
		err = ext4_node_get(d->x, ino, out);
	ext4_unlock(d->x);
	return err;
}

int ext4_symlink(struct vnode *dir, const char *name, size_t len, const char *target)
{
	struct enode *d = en(dir);
	char buf[EXT2_NAME_LEN + 1];
	ext2_ino_t ino;
	if (strlen(target) >= d->x->fs->blocksize || strlen(target) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	ext4_lock(d->x);
	int err = can_add(d, name, len, buf);
	if (!err) {
		errcode_t e = ext2fs_symlink(d->x->fs, d->ino, 0, buf, target);
		if (e == EXT2_ET_DIR_NO_SPACE) {
			e = ext2fs_expand_dir(d->x->fs, d->ino);
			if (!e)
				e = ext2fs_symlink(d->x->fs, d->ino, 0, buf, target);
		}
		err = ext4_errno(e);
	}
	if (!err)
		err = finish_new(d->x, d->ino, buf, 0, &ino);
	if (!err)
		err = touch_dir(d->x, d->ino);
	ext4_unlock(d->x);
	return err;
}

int ext4_link(struct vnode *dir, const char *name, size_t len, struct vnode *file)
{
	struct enode *d = en(dir), *f = en(file);
	char buf[EXT2_NAME_LEN + 1];
	struct ext2_inode_large in;
	if (file->type == VFS_IFDIR)
		return -EPERM;
	if (file->ops != dir->ops || f->x != d->x)
		return -EXDEV;
	ext4_lock(d->x);
	int err = can_add(d, name, len, buf);
	if (!err)
		err = ext4_read_inode(d->x, f->ino, &in);
	if (!err && in.i_links_count == 0)
		err = -ENOENT;          /* an unlinked open file gets no new name */
	if (!err && in.i_links_count >= LINK_MAX_)
		err = -EMLINK;
	if (!err)
		err = add_name(d->x, d->ino, buf, f->ino, file_type(in.i_mode));
	if (!err) {
		in.i_links_count++;
		ext4_touch(d->x, &in, "c");
		err = ext4_write_inode(d->x, f->ino, &in);
	}
	if (!err)
		err = touch_dir(d->x, d->ino);
	ext4_unlock(d->x);
	return err;
}

static int count_entry(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset, int blocksize,
		       char *buf, void *priv)
{
	(void)dir;
	(void)entry;
	(void)offset;
	(void)blocksize;
	(void)buf;
	int len = ext2fs_dirent_name_len(de);
	if (de->inode == 0 || (len == 1 && de->name[0] == '.') ||
	    (len == 2 && de->name[0] == '.' && de->name[1] == '.'))
		return 0;
	*(bool *)priv = false;
	return DIRENT_ABORT;
}

static int empty_dir(struct ext4fs *x, ext2_ino_t dir)
{
	bool empty = true;
	int err = ext4_errno(ext2fs_dir_iterate2(x->fs, dir, 0, NULL, count_entry, &empty));
	return err ? err : empty ? 0 : -ENOTEMPTY;
}

int ext4_unlink(struct vnode *dir, const char *name, size_t len, bool want_dir)
{
	struct enode *d = en(dir);
	char buf[EXT2_NAME_LEN + 1];
	struct ext2_inode_large in = { 0 };
	ext2_ino_t ino;
	ext4_lock(d->x);
	int err = d->x->read_only ? -EROFS : cname(buf, name, len);
	if (!err)
		err = find(d->x, d->ino, name, len, &ino);
	if (!err)
		err = ext4_read_inode(d->x, ino, &in);
	bool is_dir = LINUX_S_ISDIR(in.i_mode);
	if (!err && want_dir != is_dir)
		err = is_dir ? -EISDIR : -ENOTDIR;
	if (!err && is_dir)
		err = empty_dir(d->x, ino);
	if (!err)
		err = ext4_errno(ext2fs_unlink(d->x->fs, d->ino, buf, ino, 0));
	if (!err)
		err = ext4_drop_link(d->x, ino, is_dir);
	if (!err)
		err = dir_links(d->x, d->ino, is_dir ? -1 : 0, true);
	ext4_unlock(d->x);
	return err;
}

/* ---- rename ---------------------------------------------------------------------------------- */

struct set_entry {
	const char *name;
	int len;
	ext2_ino_t ino;
	int ft;
	bool done;
};

static int set_entry_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset, int blocksize,
			char *buf, void *priv)
{
	(void)dir;
	(void)entry;
	(void)offset;
	(void)blocksize;
	(void)buf;
	struct set_entry *s = priv;
	if (de->inode == 0 || ext2fs_dirent_name_len(de) != s->len || memcmp(de->name, s->name, (size_t)s->len))
		return 0;
	de->inode = s->ino;
	if (s->ft >= 0)
		ext2fs_dirent_set_file_type(de, s->ft);
	s->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

/* Points the existing entry `name` of `dir` at `ino`, in place: the name
 * never goes missing, on the disk either. */
static int set_entry(struct ext4fs *x, ext2_ino_t dir, const char *name, ext2_ino_t ino, int ft)
{
	struct set_entry s = {
		.name = name, .len = (int)strlen(name), .ino = ino,
		.ft = ext2fs_has_feature_filetype(x->fs->super) ? ft : -1,
	};
	int err = ext4_errno(ext2fs_dir_iterate2(x->fs, dir, 0, NULL, set_entry_cb, &s));
	return err ? err : s.done ? 0 : -EIO;
}

/* -EINVAL when `dir` is `ino` or lies below it (a directory moved into
 * itself), found by walking up the ".." entries. */
static int check_not_below(struct ext4fs *x, ext2_ino_t dir, ext2_ino_t ino)
{
	for (int steps = 0; steps < WALK_UP_MAX; steps++) {
		if (dir == ino)
			return -EINVAL;
		if (dir == EXT2_ROOT_INO)
			return 0;
		int err = find(x, dir, "..", 2, &dir);
		if (err)
			return err;
	}
	return -EIO;
}

struct rename_op {
	ext2_ino_t fd, td, src, dst;    /* dst 0: the name is new */
	bool src_dir, dst_dir;
	int ft;
};

static int rename_checks(struct ext4fs *x, struct rename_op *r)
{
	struct ext2_inode_large in;
	int err = ext4_read_inode(x, r->src, &in);
	if (err)
		return err;
	r->src_dir = LINUX_S_ISDIR(in.i_mode);
	r->ft = file_type(in.i_mode);
	if (r->src_dir && (err = check_not_below(x, r->td, r->src)))
		return err;
	if (!r->dst)
		return 0;
	if ((err = ext4_read_inode(x, r->dst, &in)))
		return err;
	r->dst_dir = LINUX_S_ISDIR(in.i_mode);
	if (r->dst_dir && !r->src_dir)
		return -EISDIR;
	if (!r->dst_dir && r->src_dir)
		return -ENOTDIR;
	return r->dst_dir ? empty_dir(x, r->dst) : 0;
}

/* The new name first (replacing in place, or added), then the old one
 * goes; then a moved directory's ".." and the link counts. */
static int rename_apply(struct ext4fs *x, struct rename_op *r, const char *from, const char *to)
{
	int err = r->dst ? set_entry(x, r->td, to, r->src, r->ft) : add_name(x, r->td, to, r->src, r->ft);
	if (!err)
		err = ext4_errno(ext2fs_unlink(x->fs, r->fd, from, r->src, 0));
	if (!err && r->src_dir && r->fd != r->td)
		err = set_entry(x, r->src, "..", r->td, EXT2_FT_DIR);
	if (!err && r->dst)
		err = ext4_drop_link(x, r->dst, r->dst_dir);
	/* Parents' counts: the source's ".." moves from fd to td; a replaced
	 * directory's ".." leaves td. */
	int fd_delta = r->src_dir ? -1 : 0, td_delta = (r->src_dir ? 1 : 0) - (r->dst_dir ? 1 : 0);
	if (r->fd == r->td)
		td_delta += fd_delta;
	if (!err && r->fd != r->td)
		err = dir_links(x, r->fd, fd_delta, true);
	if (!err)
		err = dir_links(x, r->td, td_delta, true);
	if (!err) {
		struct ext2_inode_large in;
		err = ext4_read_inode(x, r->src, &in);
		if (!err) {
			ext4_touch(x, &in, "c");
			err = ext4_write_inode(x, r->src, &in);
		}
	}
	return err;
}

int ext4_rename(struct vnode *from_dir, const char *from, size_t from_len, struct vnode *to_dir, const char *to,
		size_t to_len)
{
	struct enode *fd = en(from_dir), *td = en(to_dir);
	struct ext4fs *x = fd->x;
	char fbuf[EXT2_NAME_LEN + 1], tbuf[EXT2_NAME_LEN + 1];
	if (to_dir->ops != from_dir->ops || td->x != x)
		return -EXDEV;
	struct rename_op r = { .fd = fd->ino, .td = td->ino };
	ext4_lock(x);
	int err = x->read_only ? -EROFS : cname(fbuf, from, from_len);
	if (!err)
		err = cname(tbuf, to, to_len);
	if (!err)
		err = find(x, r.fd, from, from_len, &r.src);
	if (!err) {
		err = find(x, r.td, to, to_len, &r.dst);
		if (err == -ENOENT) {
			r.dst = 0;
			err = 0;
		}
	}
	if (!err && r.dst == r.src) {
		ext4_unlock(x);
		return 0;               /* two names of one file: nothing to do */
	}
	if (!err)
		err = rename_checks(x, &r);
	if (!err)
		err = rename_apply(x, &r, fbuf, tbuf);
	ext4_unlock(x);
	return err;
}

/* ---- readdir ----------------------------------------------------------------------------------- */

/* A cookie is an entry's position + 1: the number of its directory block
 * in the file << 32 | its offset in the block. Removing or adding names
 * leaves the others where they are (libext2fs merges a removed entry into
 * its neighbour, and a block's first record stays), so a listing resumes
 * correctly while entries come and go; a call skips the blocks before its
 * cookie without reading them. Inline-data directories (which Debian's
 * mke2fs does not make) have no blocks: there the position counts the
 * regions libext2fs's iterator reports, and each call walks them all. */
struct readdir_state {
	struct ext4fs *x;
	ext2_ino_t dir;
	uint64_t cookie;
	struct vdirent *out;
	bool found;
	errcode_t err;
	char *buf;              /* one directory block */
	uint64_t region;        /* inline directories: the current region */
	int last_offset;
};

/* The entry at `pos`, if it is the first one at or after the cookie. */
static bool take(struct readdir_state *s, const struct ext2_dir_entry *de, uint64_t pos)
{
	if (pos < s->cookie || de->inode == 0)
		return false;
	int len = ext2fs_dirent_name_len(de);
	s->out->ino = de->inode;
	s->out->type = ext2fs_has_feature_filetype(s->x->fs->super) ? vfs_type(ext2fs_dirent_file_type(de)) : 0;
	memcpy(s->out->name, de->name, (size_t)len);
	s->out->name[len] = '\0';
	s->cookie = pos + 1;
	s->found = true;
	return true;
}

/* One directory block, checked as libext2fs's own iterator checks it. */
static int block_cb(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk, int ref_offset,
		    void *priv)
{
	(void)ref_blk;
	(void)ref_offset;
	struct readdir_state *s = priv;
	if (blockcnt < 0 || ((uint64_t)blockcnt + 1) << 32 <= s->cookie)
		return 0;       /* wholly before the cookie */
	s->err = ext2fs_read_dir_block4(fs, *blocknr, s->buf, 0, s->dir);
	if (s->err)
		return BLOCK_ABORT;
	unsigned int offset = 0, rec_len;
	while (offset < fs->blocksize - 8) {
		struct ext2_dir_entry *de = (struct ext2_dir_entry *)(s->buf + offset);
		if (ext2fs_get_rec_len(fs, de, &rec_len) || offset + rec_len > fs->blocksize || rec_len < 8 ||
		    rec_len % 4 || (unsigned int)ext2fs_dirent_name_len(de) + 8 > rec_len) {
			s->err = EXT2_ET_DIR_CORRUPTED;
			return BLOCK_ABORT;
		}
		if (take(s, de, (uint64_t)blockcnt << 32 | offset))
			return BLOCK_ABORT;
		offset += rec_len;
	}
	return 0;
}

static int inline_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset, int blocksize, char *buf,
		     void *priv)
{
	(void)dir;
	(void)entry;
	(void)blocksize;
	(void)buf;
	struct readdir_state *s = priv;
	if (s->last_offset >= 0 && offset <= s->last_offset)
		s->region++;    /* the next region starts over at offset 0 */
	s->last_offset = offset;
	return take(s, de, s->region << 32 | (uint32_t)offset) ? DIRENT_ABORT : 0;
}

static int find_next(struct readdir_state *s)
{
	struct ext2_inode_large in;
	int err = ext4_read_inode(s->x, s->dir, &in);
	if (err)
		return err;
	if (in.i_flags & EXT4_INLINE_DATA_FL)
		return ext4_errno(ext2fs_dir_iterate2(s->x->fs, s->dir, DIRENT_FLAG_INCLUDE_EMPTY, NULL, inline_cb, s));
	s->buf = malloc(s->x->fs->blocksize);
	if (!s->buf)
		return -ENOMEM;
	errcode_t e = ext2fs_block_iterate3(s->x->fs, s->dir, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY, NULL,
					    block_cb, s);
	free(s->buf);
	return ext4_errno(e ? e : s->err);
}

int ext4_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out)
{
	struct enode *d = en(dir);
	if (dir->type != VFS_IFDIR)
		return -ENOTDIR;
	struct readdir_state s = { .x = d->x, .dir = d->ino, .cookie = *cookie, .out = out, .last_offset = -1 };
	ext4_lock(d->x);
	int err = find_next(&s);
	if (!err && s.found && !out->type) {
		/* No file type in the entry (ext2 without filetype): the inode's. */
		struct ext2_inode_large in;
		err = ext4_read_inode(d->x, (ext2_ino_t)out->ino, &in);
		out->type = in.i_mode & VFS_IFMT;
	}
	ext4_unlock(d->x);
	if (err)
		return err;
	*cookie = s.cookie;
	return s.found ? 1 : 0;
}
