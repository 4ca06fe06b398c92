/* Directory streams (opendir, readdir... over a vnode's readdir cookies,
 * kept in the file's position) and the current directory (chdir, fchdir,
 * getcwd, which finds each name by looking for the child in its parent). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/vfs.h"
#include "libc-shim/vfile.h"

struct skiff_dir {
	int fd;
	struct dirent entry;
};

DIR *fdopendir(int fd)
{
	struct file *f = fd_get(fd);
	if (!f || f->ops != &vfile_ops) {
		syscall_result(-EBADF);
		return 0;
	}
	if (vfile_vnode(f)->type != VFS_IFDIR) {
		syscall_result(-ENOTDIR);
		return 0;
	}
	DIR *d = calloc(1, sizeof(*d));
	if (!d) {
		syscall_result(-ENOMEM);
		return 0;
	}
	d->fd = fd;
	f->pos = 0;             /* the vnode's readdir cookie */
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

static unsigned char dirent_type(uint32_t type)
{
	return type == VFS_IFDIR ? DT_DIR : type == VFS_IFLNK ? DT_LNK : type == VFS_IFREG ? DT_REG : DT_UNKNOWN;
}

struct dirent *readdir(DIR *d)
{
	struct file *f = fd_get(d->fd);
	if (!f || f->ops != &vfile_ops) {
		syscall_result(-EBADF);
		return 0;
	}
	struct vnode *dir = vfile_vnode(f);
	struct vdirent e;
	uint64_t cookie = (uint64_t)f->pos;
	int r = dir->ops->readdir ? dir->ops->readdir(dir, &cookie, &e) : -ENOTDIR;
	if (r <= 0) {
		if (r < 0)
			syscall_result(r);
		return 0;       /* end: errno unchanged */
	}
	f->pos = (off_t)cookie;
	d->entry.d_ino = e.ino;
	d->entry.d_off = (off_t)cookie;
	d->entry.d_reclen = sizeof(d->entry);
	d->entry.d_type = dirent_type(e.type);
	strncpy(d->entry.d_name, e.name, NAME_MAX);
	d->entry.d_name[NAME_MAX] = '\0';
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

/* --- the current directory --------------------------------------------- */

int chdir(const char *path)
{
	struct vnode *v;
	int err = vfile_walk(path, VFS_DIRECTORY, &v);
	if (!err) {
		vfs_set_cwd(v);
		vnode_put(v);
	}
	return (int)syscall_result(err);
}

int fchdir(int fd)
{
	struct file *f = fd_get(fd);
	if (!f || f->ops != &vfile_ops)
		return (int)syscall_result(-EBADF);
	if (vfile_vnode(f)->type != VFS_IFDIR)
		return (int)syscall_result(-ENOTDIR);
	vfs_set_cwd(vfile_vnode(f));
	return 0;
}

/* The name `child` has in `parent`: the entry whose walk comes back to the
 * same vnode (so a mounted directory is found by its mount point's name). */
static int name_in(struct vnode *parent, struct vnode *child, char *out)
{
	struct vdirent e;
	uint64_t cookie = 0;
	while (parent->ops->readdir(parent, &cookie, &e) == 1) {
		if (strcmp(e.name, ".") == 0 || strcmp(e.name, "..") == 0)
			continue;
		struct vnode *v;
		if (vfs_walk(parent, e.name, VFS_NOFOLLOW, &v) == 0) {
			bool same = v == child;
			vnode_put(v);
			if (same) {
				strcpy(out, e.name);
				return 0;
			}
		}
	}
	return -ENOENT;         /* the directory was removed */
}

/* Prepends "/name" to the path being built backwards in buf[0..*at). */
static int prepend(char *buf, size_t *at, const char *name)
{
	size_t len = strlen(name);
	if (len + 1 > *at)
		return -ERANGE;
	*at -= len;
	memcpy(buf + *at, name, len);
	buf[--*at] = '/';
	return 0;
}

static int build_cwd(char *buf, size_t size)
{
	struct vnode *root = vfs_root_dir(), *cur = vfs_cwd(), *parent;
	char *name = malloc(VFS_NAME_MAX + 1), *tmp = malloc(VFS_PATH_MAX);
	size_t at = VFS_PATH_MAX - 1;
	int err = name && tmp ? 0 : -ENOMEM;
	if (tmp)
		tmp[at] = '\0';
	while (!err && cur != root) {
		err = vfs_walk(cur, "..", 0, &parent);
		if (!err) {
			err = name_in(parent, cur, name);
			if (!err)
				err = prepend(tmp, &at, name);
			vnode_put(cur);
			cur = parent;
		}
	}
	if (!err && at == VFS_PATH_MAX - 1)
		tmp[--at] = '/';
	if (!err && VFS_PATH_MAX - at > size)
		err = -ERANGE;
	if (!err)
		memcpy(buf, tmp + at, VFS_PATH_MAX - at);
	vnode_put(cur);
	vnode_put(root);
	free(name);
	free(tmp);
	return err;
}

char *getcwd(char *buf, size_t size)
{
	int err = buf && size ? build_cwd(buf, size) : -EINVAL;
	if (err) {
		syscall_result(err);
		return 0;
	}
	return buf;
}
