/* The fd table, and the console behind fds 0, 1 and 2. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/arch.h"
#include "kernel/console.h"
#include "libc-shim/file.h"

static struct file *table[FD_MAX];

struct file *file_new(const struct file_ops *ops, void *priv, int flags)
{
	struct file *f = calloc(1, sizeof(*f));
	if (f) {
		f->ops = ops;
		f->priv = priv;
		f->flags = flags;
		f->refs = 1;
	}
	return f;
}

void file_put(struct file *f)
{
	if (--f->refs > 0)
		return;
	if (f->ops->release)
		f->ops->release(f);
	free(f);
}

int fd_install(struct file *f, int min)
{
	for (int fd = min < 0 ? 0 : min; fd < FD_MAX; fd++)
		if (!table[fd]) {
			table[fd] = f;
			return fd;
		}
	return -EMFILE;
}

struct file *fd_get(int fd)
{
	return fd >= 0 && fd < FD_MAX ? table[fd] : 0;
}

struct file *fd_hold(int fd)
{
	struct file *f = fd_get(fd);
	if (f)
		f->refs++;
	return f;
}

int fd_close(int fd)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	table[fd] = 0;
	file_put(f);
	return 0;
}

int fd_dup_to(int from, int to)
{
	struct file *f = fd_get(from);
	if (!f || to < 0 || to >= FD_MAX)
		return -EBADF;
	if (from == to)
		return to;
	f->refs++;
	if (table[to])
		file_put(table[to]);
	table[to] = f;
	return to;
}

long syscall_result(long ret)
{
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* --- console ---------------------------------------------------------- */

/* The stream (console.h) rides in priv: stdout and stderr are two files,
 * so `skiff run` can show them apart, and dup2 keeps each one's stream. */
static ssize_t console_file_write(struct file *f, const void *buf, size_t len)
{
	console_write((enum console_stream)(uintptr_t)f->priv, buf, len);
	return (ssize_t)len;
}

static ssize_t console_read(struct file *f, void *buf, size_t len)
{
	(void)f, (void)buf, (void)len;
	return 0;       /* no console input yet: end of file */
}

static int console_stat(struct file *f, struct stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0620;
	st->st_blksize = 1024;
	return 0;
}

static const struct file_ops console_ops = {
	.read = console_read,
	.write = console_file_write,
	.stat = console_stat,
};

/* Static, and one reference more than the fds hold: never freed. stdin
 * shares stdout's file (reads see end of file). */
static struct file console_out = {
	.ops = &console_ops, .refs = 3, .flags = O_RDWR, .priv = (void *)(uintptr_t)CONSOLE_STDOUT,
};
static struct file console_err = {
	.ops = &console_ops, .refs = 2, .flags = O_RDWR, .priv = (void *)(uintptr_t)CONSOLE_STDERR,
};

void fd_init_console(void)
{
	table[0] = table[1] = &console_out;
	table[2] = &console_err;
}
