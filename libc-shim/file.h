/* File objects and the one fd table (libc-shim owns both).
 *
 * Everything a descriptor can name (the console, an initrd file, a
 * directory, later sockets) is a struct file with an ops table; read/write
 * and friends dispatch through it, so poll/select can later be written once
 * over all of them. Ops return a count or a negative errno; only the POSIX
 * wrappers in io.c turn that into -1 and errno. A missing op means the
 * operation does not apply to that kind of file.
 */
#ifndef SKIFF_LIBC_FILE_H
#define SKIFF_LIBC_FILE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#define FD_MAX 1024            /* = FD_SETSIZE (Makefile), as on Linux */

struct file;

struct file_ops {
	ssize_t (*read)(struct file *f, void *buf, size_t len);
	ssize_t (*write)(struct file *f, const void *buf, size_t len);
	ssize_t (*pread)(struct file *f, void *buf, size_t len, off_t off);
	ssize_t (*pwrite)(struct file *f, const void *buf, size_t len, off_t off);
	int (*truncate)(struct file *f, off_t size);
	/* fsync, or fdatasync with `data_only` (fs/vnode.h's fsync). */
	int (*fsync)(struct file *f, bool data_only);
	/* readv/writev in one call, for kinds where that differs from a call
	 * per buffer (a datagram is one message; a stream sends one segment
	 * instead of several). Without them io.c calls read/write per buffer. */
	ssize_t (*readv)(struct file *f, const struct iovec *iov, int count);
	ssize_t (*writev)(struct file *f, const struct iovec *iov, int count);
	off_t (*seek)(struct file *f, off_t off, int whence);
	int (*stat)(struct file *f, struct stat *st);
	void (*release)(struct file *f);        /* last reference dropped */
	/* F_SETFL: the kind applies `flags` (O_NONBLOCK...) before they are
	 * stored in f->flags; sockets keep O_NONBLOCK for their blocking calls. */
	int (*set_flags)(struct file *f, int flags);
	/* ioctl requests the kind understands; others are -ENOTTY. */
	int (*ioctl)(struct file *f, unsigned long request, void *arg);
	/* Readiness now, for poll/select: the revents among `events` (and
	 * POLLERR/POLLHUP). Without it a file is always ready for the
	 * operations it has (read: POLLIN, write: POLLOUT). A kind whose
	 * readiness changes calls file_poll_wake() when it does. */
	short (*poll)(struct file *f, short events);
};

struct file {
	const struct file_ops *ops;
	int refs;
	int flags;              /* O_* given to open (O_APPEND, O_NONBLOCK...) */
	off_t pos;
	void *priv;             /* the kind's own state */
};

/* A new file with one reference, or NULL when out of memory. */
struct file *file_new(const struct file_ops *ops, void *priv, int flags);
void file_put(struct file *f);

/* Installs `f` (taking its reference) at the lowest free fd >= `min`;
 * returns the fd or -EMFILE. */
int fd_install(struct file *f, int min);
/* The file at `fd` (no new reference), or NULL when `fd` is not open. */
struct file *fd_get(int fd);
/* fd_get and a new reference, which the caller drops with file_put: a
 * call that may block holds one, so a close() by another thread meanwhile
 * only takes the fd away and the file lives until the call returns. */
struct file *fd_hold(int fd);
int fd_close(int fd);
/* dup2: makes `to` name the file at `from`. */
int fd_dup_to(int from, int to);

/* fds 0, 1 and 2 on the serial console. */
void fd_init_console(void);

/* Wakes every poll()/select() waiting, to look again (poll.c): called
 * when a file's readiness may have changed. */
void file_poll_wake(void);

/* The shared mappings of the file `f` opens written back to it (mman.c),
 * for fsync: 0 or the first error. */
int mman_write_back_file(struct file *f);

/* Stores a negative errno in errno and returns -1; else returns `ret`. */
long syscall_result(long ret);

#endif
