/* Files of the VFS (fs/vfs.h, fs/mount.h): the file object over a vnode,
 * open and the calls that take a path (stat, mkdir, unlink, rename...).
 * Directory streams and the current directory are in dirs.c. Every call
 * walks paths from the current directory; a file system's errors pass
 * through as they are (Linux's values). */
#define _GNU_SOURCE             /* AT_EMPTY_PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/vfs.h"
#include "libc-shim/file.h"
#include "libc-shim/vfile.h"

struct vnode *vfile_vnode(struct file *f) { return f->priv; }

void vfile_fill_stat(struct vnode *v, struct stat *st)
{
	struct vattr a = { 0 };
	v->ops->getattr(v, &a);
	memset(st, 0, sizeof(*st));
	st->st_mode = a.mode;
	st->st_nlink = a.nlink;
	st->st_ino = a.ino;
	st->st_size = (off_t)a.size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)a.blocks;
	st->st_uid = a.uid;
	st->st_gid = a.gid;
	st->st_atim.tv_sec = a.atime_ns / 1000000000;
	st->st_atim.tv_nsec = a.atime_ns % 1000000000;
	st->st_mtim.tv_sec = a.mtime_ns / 1000000000;
	st->st_mtim.tv_nsec = a.mtime_ns % 1000000000;
	st->st_ctim.tv_sec = a.ctime_ns / 1000000000;
	st->st_ctim.tv_nsec = a.ctime_ns % 1000000000;
}

static bool readable(struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static bool writable(struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

static ssize_t v_pread(struct file *f, void *buf, size_t len, off_t off)
{
	struct vnode *v = vfile_vnode(f);
	if (!readable(f))
		return -EBADF;
	return v->type == VFS_IFDIR ? -EISDIR : v->ops->read(v, buf, len, (uint64_t)off);
}

static ssize_t v_pwrite(struct file *f, const void *buf, size_t len, off_t off)
{
	struct vnode *v = vfile_vnode(f);
	if (!writable(f))
		return -EBADF;
	ssize_t n = v->ops->write ? v->ops->write(v, buf, len, (uint64_t)off) : -EINVAL;
	/* O_SYNC / O_DSYNC (one flag in picolibc): the write returns once it
	 * is on the disk, as fsync would make it. */
	if (n > 0 && (f->flags & O_SYNC) && v->ops->fsync) {
		int err = v->ops->fsync(v, false);
		if (err)
			return err;
	}
	return n;
}

static ssize_t v_read(struct file *f, void *buf, size_t len)
{
	ssize_t n = v_pread(f, buf, len, f->pos);
	if (n > 0)
		f->pos += n;
	return n;
}

static ssize_t v_write(struct file *f, const void *buf, size_t len)
{
	if (f->flags & O_APPEND) {
		struct stat st;
		vfile_fill_stat(vfile_vnode(f), &st);
		f->pos = st.st_size;
	}
	ssize_t n = v_pwrite(f, buf, len, f->pos);
	if (n > 0)
		f->pos += n;
	return n;
}

static off_t v_seek(struct file *f, off_t off, int whence)
{
	struct stat st;
	vfile_fill_stat(vfile_vnode(f), &st);
	off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos :
		     whence == SEEK_END ? st.st_size : -1;
	if (base < 0 || (off < 0 && -off > base))
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

static int v_stat(struct file *f, struct stat *st)
{
	vfile_fill_stat(vfile_vnode(f), st);
	return 0;
}

static int v_truncate(struct file *f, off_t size)
{
	struct vnode *v = vfile_vnode(f);
	if (!writable(f))
		return -EINVAL;         /* Linux: EINVAL for a read-only fd */
	int err = vfs_writable(v);
	return err ? err : v->ops->truncate ? v->ops->truncate(v, (uint64_t)size) : -EINVAL;
}

static int v_fsync(struct file *f, bool data_only)
{
	struct vnode *v = vfile_vnode(f);
	return v->ops->fsync ? v->ops->fsync(v, data_only) : 0;
}

static void v_release(struct file *f) { vnode_put(vfile_vnode(f)); }

const struct file_ops vfile_ops = {
	.read = v_read, .write = v_write, .pread = v_pread, .pwrite = v_pwrite,
	.seek = v_seek, .stat = v_stat, .truncate = v_truncate, .fsync = v_fsync,
	.release = v_release,
};

int vfile_base(int dirfd, struct vnode **base)
{
	if (dirfd == AT_FDCWD) {
		*base = vfs_cwd();
		return 0;
	}
	struct file *f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (f->ops != &vfile_ops || vfile_vnode(f)->type != VFS_IFDIR)
		return -ENOTDIR;
	*base = vnode_get(vfile_vnode(f));
	return 0;
}

/* Where a path of an *at call starts: an absolute one ignores dirfd. */
static int path_base(int dirfd, const char *path, struct vnode **base)
{
	if (!path)
		return -EFAULT;
	return vfile_base(path[0] == '/' ? AT_FDCWD : dirfd, base);
}

int vfile_walk_at(int dirfd, const char *path, unsigned flags, struct vnode **out)
{
	struct vnode *base;
	int err = path_base(dirfd, path, &base);
	if (err)
		return err;
	err = vfs_walk(base, path, flags, out);
	vnode_put(base);
	return err;
}

int vfile_parent_at(int dirfd, const char *path, struct vnode **dir, const char **name, size_t *len,
		    bool *must_dir)
{
	struct vnode *base;
	int err = path_base(dirfd, path, &base);
	if (err)
		return err;
	err = vfs_walk_parent(base, path, dir, name, len, must_dir);
	vnode_put(base);
	return err;
}

int vfile_walk(const char *path, unsigned flags, struct vnode **out)
{
	return vfile_walk_at(AT_FDCWD, path, flags, out);
}

int vfile_parent(const char *path, struct vnode **dir, const char **name, size_t *len, bool *must_dir)
{
	return vfile_parent_at(AT_FDCWD, path, dir, name, len, must_dir);
}

/* O_CREAT: the file at `path`, made when missing (-EEXIST with O_EXCL). */
static int open_create(int dirfd, const char *path, int flags, mode_t mode, struct vnode **out)
{
	struct vnode *dir;
	const char *name;
	size_t len;
	bool must_dir;
	int err = vfile_parent_at(dirfd, path, &dir, &name, &len, &must_dir);
	if (err)
		return err == -EEXIST ? -EISDIR : err;
	err = must_dir ? -EISDIR : dir->ops->lookup(dir, name, len, out);
	if (err == -ENOENT) {
		err = vfs_writable(dir);
		if (!err)
			err = dir->ops->create ? dir->ops->create(dir, name, len, VFS_IFREG | (mode & 07777), out) :
						 -EROFS;
		vnode_put(dir);
		return err;
	}
	vnode_put(dir);
	if (!err && (flags & O_EXCL)) {
		vnode_put(*out);
		return -EEXIST;
	}
	if (!err && (*out)->type == VFS_IFLNK) {        /* follow it, as open does */
		vnode_put(*out);
		return (flags & O_NOFOLLOW) ? -ELOOP : vfile_walk_at(dirfd, path, 0, out);
	}
	return err;
}

static int open_vnode(int dirfd, const char *path, int flags, mode_t mode, struct vnode **out)
{
	int err = (flags & O_CREAT) ? open_create(dirfd, path, flags, mode, out) :
		  vfile_walk_at(dirfd, path, (flags & O_NOFOLLOW) ? VFS_NOFOLLOW : 0, out);
	if (err)
		return err;
	struct vnode *v = *out;
	bool wants_write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if (v->type == VFS_IFLNK)
		err = -ELOOP;                   /* O_NOFOLLOW on a link */
	else if ((flags & O_DIRECTORY) && v->type != VFS_IFDIR)
		err = -ENOTDIR;
	else if (v->type == VFS_IFDIR && wants_write)
		err = -EISDIR;
	else if (wants_write)
		err = vfs_writable(v);
	if (!err && (flags & O_TRUNC) && v->type == VFS_IFREG)
		err = v->ops->truncate ? v->ops->truncate(v, 0) : -EROFS;
	if (err)
		vnode_put(v);
	return err;
}

static int open_at(int dirfd, const char *path, int flags, mode_t mode)
{
	struct vnode *v;
	int err = open_vnode(dirfd, path, flags, mode, &v);
	if (err)
		return (int)syscall_result(err);
	struct file *f = file_new(&vfile_ops, v, flags);
	if (!f) {
		vnode_put(v);
		return (int)syscall_result(-ENOMEM);
	}
	int fd = fd_install(f, 0);
	if (fd < 0)
		file_put(f);
	return (int)syscall_result(fd);
}

/* open's third argument, there only with O_CREAT. */
#define MODE_ARG(flags, last, mode) do {                \
		va_list ap_;                            \
		va_start(ap_, last);                    \
		mode = (flags & O_CREAT) ? (mode_t)va_arg(ap_, int) : 0; \
		va_end(ap_);                            \
	} while (0)

int open(const char *path, int flags, ...)
{
	mode_t mode;
	MODE_ARG(flags, flags, mode);
	return open_at(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;
	MODE_ARG(flags, flags, mode);
	return open_at(dirfd, path, flags, mode);
}

int creat(const char *path, mode_t mode) { return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode); }

static int stat_path(int dirfd, const char *path, unsigned flags, struct stat *st)
{
	struct vnode *v;
	int err = vfile_walk_at(dirfd, path, flags, &v);
	if (!err) {
		vfile_fill_stat(v, st);
		vnode_put(v);
	}
	return (int)syscall_result(err);
}

int stat(const char *path, struct stat *st) { return stat_path(AT_FDCWD, path, 0, st); }
int lstat(const char *path, struct stat *st) { return stat_path(AT_FDCWD, path, VFS_NOFOLLOW, st); }

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return (int)syscall_result(-EINVAL);
	if (path && !*path && (flags & AT_EMPTY_PATH))
		return fstat(dirfd, st);
	return stat_path(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? VFS_NOFOLLOW : 0, st);
}

ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	struct vnode *v;
	int err = vfile_walk_at(dirfd, path, VFS_NOFOLLOW, &v);
	if (err)
		return syscall_result(err);
	ssize_t n = v->type != VFS_IFLNK ? -EINVAL : v->ops->readlink(v, buf, len);
	vnode_put(v);
	return syscall_result(n);
}

ssize_t readlink(const char *path, char *buf, size_t len) { return readlinkat(AT_FDCWD, path, buf, len); }

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct vnode *v;
	int err = (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS)) ? -EINVAL :
		  vfile_walk_at(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? VFS_NOFOLLOW : 0, &v);
	if (!err) {
		if (mode & W_OK)
			err = vfs_writable(v);
		vnode_put(v);
	}
	return (int)syscall_result(err);
}

int access(const char *path, int mode) { return faccessat(AT_FDCWD, path, mode, 0); }

int truncate(const char *path, off_t size)
{
	struct vnode *v;
	int err = size < 0 ? -EINVAL : vfile_walk(path, 0, &v);
	if (!err) {
		err = v->type == VFS_IFDIR ? -EISDIR : vfs_writable(v);
		if (!err)
			err = v->ops->truncate ? v->ops->truncate(v, (uint64_t)size) : -EINVAL;
		vnode_put(v);
	}
	return (int)syscall_result(err);
}
