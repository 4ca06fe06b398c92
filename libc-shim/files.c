/* Files and directories of the root file system (fs/vfs.h): open, stat,
 * readlink, access, cwd, and the directory stream calls. The root is
 * read-only, so anything that would write fails with EROFS. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/vfs.h"
#include "libc-shim/file.h"

struct skiff_dir {
	int fd;
	struct dirent entry;
};

static const struct ramfs_node *node_of(struct file *f) { return f->priv; }

static void fill_stat(const struct ramfs_node *n, struct stat *st)
{
	struct ramfs_stat rs;
	ramfs_stat(n, &rs);
	memset(st, 0, sizeof(*st));
	st->st_mode = rs.mode;          /* CPIO_S_IF* are the S_IF* values */
	st->st_nlink = rs.nlink;
	st->st_ino = rs.ino;
	st->st_size = (off_t)rs.size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((rs.size + 511) / 512);
	st->st_mtim.tv_sec = rs.mtime;
	st->st_atim = st->st_ctim = st->st_mtim;
}

static ssize_t file_pread(struct file *f, void *buf, size_t len, off_t off)
{
	return ramfs_read(node_of(f), buf, len, (uint64_t)off);
}

static ssize_t file_read(struct file *f, void *buf, size_t len)
{
	ssize_t n = file_pread(f, buf, len, f->pos);
	if (n > 0)
		f->pos += n;
	return n;
}

static off_t file_seek(struct file *f, off_t off, int whence)
{
	struct ramfs_stat rs;
	ramfs_stat(node_of(f), &rs);
	off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->pos :
		     whence == SEEK_END ? (off_t)rs.size : -1;
	if (base < 0 || (off < 0 && -off > base))
		return -EINVAL;
	f->pos = base + off;
	return f->pos;
}

static int file_stat(struct file *f, struct stat *st)
{
	fill_stat(node_of(f), st);
	return 0;
}

static const struct file_ops ramfs_file_ops = {
	.read = file_read,
	.pread = file_pread,
	.seek = file_seek,
	.stat = file_stat,
};

/* Paths are resolved from the root; the cwd is always "/". */
static int lookup(const char *path, int flags, const struct ramfs_node **out)
{
	if (!path)
		return -EFAULT;
	if (!*path)
		return -ENOENT;
	return ramfs_lookup(vfs_root(), path, flags, out);
}

int open(const char *path, int flags, ...)
{
	const struct ramfs_node *n;
	int err = lookup(path, (flags & O_NOFOLLOW) ? RAMFS_NOFOLLOW : 0, &n);
	if (err == -ENOENT && (flags & O_CREAT))
		return (int)syscall_result(-EROFS);
	if (err)
		return (int)syscall_result(err);
	struct ramfs_stat rs;
	ramfs_stat(n, &rs);
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return (int)syscall_result(S_ISDIR(rs.mode) ? -EISDIR : -EROFS);
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return (int)syscall_result(-EEXIST);
	if ((flags & O_DIRECTORY) && !S_ISDIR(rs.mode))
		return (int)syscall_result(-ENOTDIR);
	if (S_ISLNK(rs.mode))
		return (int)syscall_result(-ELOOP);     /* O_NOFOLLOW on a link */
	struct file *f = file_new(&ramfs_file_ops, (void *)n, flags);
	if (!f)
		return (int)syscall_result(-ENOMEM);
	int fd = fd_install(f, 0);
	if (fd < 0)
		file_put(f);
	return (int)syscall_result(fd);
}

int stat(const char *path, struct stat *st)
{
	const struct ramfs_node *n;
	int err = lookup(path, 0, &n);
	if (!err)
		fill_stat(n, st);
	return (int)syscall_result(err);
}

int lstat(const char *path, struct stat *st)
{
	const struct ramfs_node *n;
	int err = lookup(path, RAMFS_NOFOLLOW, &n);
	if (!err)
		fill_stat(n, st);
	return (int)syscall_result(err);
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	const struct ramfs_node *n;
	int err = lookup(path, RAMFS_NOFOLLOW, &n);
	if (err)
		return syscall_result(err);
	return syscall_result(ramfs_readlink(n, buf, len));
}

int access(const char *path, int mode)
{
	const struct ramfs_node *n;
	int err = lookup(path, 0, &n);
	if (!err && (mode & W_OK))
		err = -EROFS;
	return (int)syscall_result(err);
}

int unlink(const char *path)
{
	const struct ramfs_node *n;
	int err = lookup(path, RAMFS_NOFOLLOW, &n);
	return (int)syscall_result(err ? err : -EROFS);
}

char *getcwd(char *buf, size_t size)
{
	if (size < 2) {
		syscall_result(-ERANGE);
		return 0;
	}
	strcpy(buf, "/");
	return buf;
}

int chdir(const char *path)
{
	const struct ramfs_node *n;
	int err = lookup(path, 0, &n);
	if (!err)
		err = n == ramfs_root(vfs_root()) ? 0 : -ENOSYS; /* only "/" for now */
	return (int)syscall_result(err);
}

/* --- directory streams ------------------------------------------------- */

DIR *fdopendir(int fd)
{
	struct file *f = fd_get(fd);
	struct stat st;
	if (!f || f->ops != &ramfs_file_ops) {
		syscall_result(-EBADF);
		return 0;
	}
	fill_stat(node_of(f), &st);
	if (!S_ISDIR(st.st_mode)) {
		syscall_result(-ENOTDIR);
		return 0;
	}
	DIR *d = calloc(1, sizeof(*d));
	if (!d) {
		syscall_result(-ENOMEM);
		return 0;
	}
	d->fd = fd;
	f->pos = 0;             /* 0 ".", 1 "..", 2+i child i */
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 0;
	DIR *d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

static void set_entry(struct dirent *e, const struct ramfs_node *n, const char *name, off_t next)
{
	struct ramfs_stat rs;
	ramfs_stat(n, &rs);
	e->d_ino = rs.ino;
	e->d_off = next;
	e->d_reclen = sizeof(*e);
	e->d_type = S_ISDIR(rs.mode) ? DT_DIR : S_ISLNK(rs.mode) ? DT_LNK :
		    S_ISREG(rs.mode) ? DT_REG : DT_UNKNOWN;
	strncpy(e->d_name, name, NAME_MAX);
	e->d_name[NAME_MAX] = '\0';
}

struct dirent *readdir(DIR *d)
{
	struct file *f = fd_get(d->fd);
	if (!f) {
		syscall_result(-EBADF);
		return 0;
	}
	const struct ramfs_node *dir = node_of(f), *n;
	off_t at = f->pos;
	if (at == 0)
		n = dir;
	else if (at == 1)
		n = ramfs_parent(dir);
	else if (!(n = ramfs_child(dir, (size_t)(at - 2))))
		return 0;       /* end: errno unchanged */
	set_entry(&d->entry, n, at == 0 ? "." : at == 1 ? ".." : ramfs_name(n), at + 1);
	f->pos = at + 1;
	return &d->entry;
}

int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
	int saved = errno;
	errno = 0;
	struct dirent *e = readdir(d);
	int err = errno;
	errno = saved;
	if (e)
		*entry = *e;
	*result = e ? entry : 0;
	return e ? 0 : err;
}

void rewinddir(DIR *d)
{
	struct file *f = fd_get(d->fd);
	if (f)
		f->pos = 0;
}

long telldir(DIR *d)
{
	struct file *f = fd_get(d->fd);
	return f ? (long)f->pos : -1;
}

void seekdir(DIR *d, long pos)
{
	struct file *f = fd_get(d->fd);
	if (f && pos >= 0)
		f->pos = pos;
}

int dirfd(DIR *d) { return d->fd; }

int closedir(DIR *d)
{
	int fd = d->fd;
	free(d);
	return close(fd);
}
