/* POSIX I/O calls over the fd table: the only place that sets errno for
 * them. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "libc-shim/file.h"

ssize_t read(int fd, void *buf, size_t len)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return syscall_result(-EBADF);
	ssize_t r = f->ops->read ? f->ops->read(f, buf, len) : -EINVAL;
	file_put(f);
	return syscall_result(r);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return syscall_result(-EBADF);
	/* EBADF without a write op, as Linux for read-only files */
	ssize_t r = f->ops->write ? f->ops->write(f, buf, len) : -EBADF;
	file_put(f);
	return syscall_result(r);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	struct file *f = fd_get(fd);
	if (!f)
		return syscall_result(-EBADF);
	if (off < 0)
		return syscall_result(-EINVAL);
	if (!f->ops->pread)
		return syscall_result(-ESPIPE);
	return syscall_result(f->ops->pread(f, buf, len, off));
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	struct file *f = fd_get(fd);
	if (!f)
		return syscall_result(-EBADF);
	if (off < 0)
		return syscall_result(-EINVAL);
	if (!f->ops->pwrite)
		return syscall_result(f->ops->write ? -ESPIPE : -EBADF);
	return syscall_result(f->ops->pwrite(f, buf, len, off));
}

int ftruncate(int fd, off_t size)
{
	struct file *f = fd_get(fd);
	if (!f)
		return (int)syscall_result(-EBADF);
	if (size < 0)
		return (int)syscall_result(-EINVAL);
	return (int)syscall_result(f->ops->truncate ? f->ops->truncate(f, size) : -EINVAL);
}

static int sync_file(int fd, bool data_only)
{
	struct file *f = fd_hold(fd);
	if (!f)
		return (int)syscall_result(-EBADF);
	int err = mman_write_back_file(f);
	if (!err)
		err = f->ops->fsync ? f->ops->fsync(f, data_only) : -EINVAL;
	file_put(f);
	return (int)syscall_result(err);
}

int fsync(int fd) { return sync_file(fd, false); }
int fdatasync(int fd) { return sync_file(fd, true); }

off_t lseek(int fd, off_t off, int whence)
{
	struct file *f = fd_get(fd);
	if (!f)
		return syscall_result(-EBADF);
	if (!f->ops->seek)
		return syscall_result(-ESPIPE);
	return syscall_result(f->ops->seek(f, off, whence));
}

int close(int fd)
{
	return (int)syscall_result(fd_close(fd));
}

int fstat(int fd, struct stat *st)
{
	struct file *f = fd_get(fd);
	if (!f)
		return (int)syscall_result(-EBADF);
	if (!f->ops->stat)
		return (int)syscall_result(-EINVAL);
	return (int)syscall_result(f->ops->stat(f, st));
}

int isatty(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return 0;
	if (!S_ISCHR(st.st_mode)) {
		errno = ENOTTY;
		return 0;
	}
	return 1;
}

int dup(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return (int)syscall_result(-EBADF);
	int to = fd_install(f, 0);
	if (to >= 0)
		f->refs++;
	return (int)syscall_result(to);
}

int dup2(int from, int to)
{
	return (int)syscall_result(fd_dup_to(from, to));
}

/* Record locks: one process holds every lock there is, so each request
 * is granted at once and F_GETLK finds no other holder (as Linux answers
 * a process about its own locks). */
static int record_lock(int cmd, struct flock *l)
{
	if (!l)
		return -EFAULT;
	if (l->l_type != F_RDLCK && l->l_type != F_WRLCK && l->l_type != F_UNLCK)
		return -EINVAL;
	if (cmd == F_GETLK)
		l->l_type = F_UNLCK;
	return 0;
}

/* flock: the same, whole-file: granted at once. */
int flock(int fd, int op)
{
	int kind = op & ~LOCK_NB;
	if (!fd_get(fd))
		return (int)syscall_result(-EBADF);
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return (int)syscall_result(-EINVAL);
	return 0;
}

int dup3(int from, int to, int flags)
{
	/* O_CLOEXEC is accepted and means nothing: there is no exec. */
	if (from == to || (flags & ~O_CLOEXEC))
		return (int)syscall_result(-EINVAL);
	return dup2(from, to);
}

int fcntl(int fd, int cmd, ...)
{
	struct file *f = fd_get(fd);
	if (!f)
		return (int)syscall_result(-EBADF);
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	switch (cmd) {
	case F_GETFL:
		return f->flags;
	case F_SETFL: {
		int flags = (f->flags & O_ACCMODE) | ((int)arg & ~O_ACCMODE);
		int err = f->ops->set_flags ? f->ops->set_flags(f, flags) : 0;
		if (!err)
			f->flags = flags;
		return (int)syscall_result(err);
	}
	case F_GETFD:
	case F_SETFD:
		return 0;       /* no exec, so close-on-exec means nothing */
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		int to = fd_install(f, (int)arg);
		if (to >= 0)
			f->refs++;
		return (int)syscall_result(to);
	}
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		return (int)syscall_result(record_lock(cmd, (struct flock *)arg));
	default:
		return (int)syscall_result(-EINVAL);
	}
}

int ioctl(int fd, unsigned long request, ...)
{
	struct file *f = fd_get(fd);
	if (!f)
		return (int)syscall_result(-EBADF);
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (f->ops->ioctl) {
		f->refs++;
		int r = f->ops->ioctl(f, request, arg);
		file_put(f);
		return (int)syscall_result(r);
	}
	if (request != FIONBIO)
		return (int)syscall_result(-ENOTTY);
	int flags = *(const int *)arg ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags);
}

/* readv/writev (offset < 0) and preadv/pwritev as a transfer per buffer,
 * stopping at the first short one; an error after some bytes moved
 * reports the bytes. */
static ssize_t each_iov(int fd, const struct iovec *iov, int count, off_t offset, bool writing)
{
	ssize_t total = 0;
	for (int i = 0; i < count; i++) {
		void *buf = iov[i].iov_base;
		size_t len = iov[i].iov_len;
		ssize_t n = offset < 0 ? (writing ? write(fd, buf, len) : read(fd, buf, len)) :
			    (writing ? pwrite(fd, buf, len, offset + total) : pread(fd, buf, len, offset + total));
		if (n < 0)
			return total ? total : -1;
		total += n;
		if ((size_t)n < len)
			break;
	}
	return total;
}

#define IOV_LIMIT 1024          /* IOV_MAX, as on Linux */

/* The file's own readv/writev op: -ENOSYS if it has none. A readv of no
 * bytes is 0 at once, as on Linux (a socket would wait for data). */
static ssize_t whole_iov(int fd, const struct iovec *iov, int count, bool writing)
{
	if (count < 0 || count > IOV_LIMIT)
		return fd_get(fd) ? -EINVAL : -EBADF;
	size_t total = 0;
	for (int i = 0; i < count; i++)
		total += iov[i].iov_len;
	if (!writing && total == 0)
		return fd_get(fd) ? 0 : -EBADF;
	struct file *f = fd_hold(fd);
	if (!f)
		return -EBADF;
	ssize_t (*op)(struct file *, const struct iovec *, int) = writing ? f->ops->writev : f->ops->readv;
	ssize_t r = op ? op(f, iov, count) : -ENOSYS;
	file_put(f);
	return r;
}

ssize_t readv(int fd, const struct iovec *iov, int count)
{
	ssize_t r = whole_iov(fd, iov, count, false);
	return r == -ENOSYS ? each_iov(fd, iov, count, -1, false) : syscall_result(r);
}

ssize_t writev(int fd, const struct iovec *iov, int count)
{
	ssize_t r = whole_iov(fd, iov, count, true);
	return r == -ENOSYS ? each_iov(fd, iov, count, -1, true) : syscall_result(r);
}

/* preadv/pwritev: a pread/pwrite per buffer at advancing offsets. */
static ssize_t each_iov_at(int fd, const struct iovec *iov, int count, off_t offset, bool writing)
{
	if (count < 0 || count > IOV_LIMIT || offset < 0)
		return syscall_result(fd_get(fd) ? -EINVAL : -EBADF);
	return each_iov(fd, iov, count, offset, writing);
}

ssize_t preadv(int fd, const struct iovec *iov, int count, off_t offset)
{
	return each_iov_at(fd, iov, count, offset, false);
}

ssize_t pwritev(int fd, const struct iovec *iov, int count, off_t offset)
{
	return each_iov_at(fd, iov, count, offset, true);
}

/* posix_fallocate: the file reaches offset+len, the new part written as
 * zeroes so that its blocks are taken now (ENOSPC now, not at a later
 * write); a range inside the file is left as it is. Returns an error
 * number, as POSIX says, without touching errno. */
int posix_fallocate(int fd, off_t offset, off_t len)
{
	if (offset < 0 || len <= 0)
		return EINVAL;
	struct file *f = fd_hold(fd);
	if (!f)
		return EBADF;
	struct stat st;
	int err = 0;
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		err = -EBADF;
	else if (!f->ops->pwrite || !f->ops->stat)
		err = -ENODEV;
	else
		err = f->ops->stat(f, &st);
	if (!err && !S_ISREG(st.st_mode))
		err = -ENODEV;
	static const char zeroes[4096];
	for (off_t at = err ? 0 : st.st_size; !err && at < offset + len;) {
		size_t n = offset + len - at < (off_t)sizeof(zeroes) ? (size_t)(offset + len - at) : sizeof(zeroes);
		ssize_t w = f->ops->pwrite(f, zeroes, n, at);
		err = w < 0 ? (int)w : w == 0 ? -EIO : 0;
		at += w > 0 ? w : 0;
	}
	file_put(f);
	return -err;
}
