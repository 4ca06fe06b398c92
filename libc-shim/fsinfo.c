/* Calls about whole file systems: statvfs/fstatvfs, and sync/syncfs, which
 * write every file system (or the one of a file) back to its disk and
 * flush the disk. Over fs/vnode.h's statfs and syncfs. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fs/mount.h"
#include "fs/vfs.h"
#include "libc-shim/vfile.h"

static int fill(struct vnode *v, struct statvfs *buf)
{
	struct vstatfs s = { 0 };
	int err = v->ops->statfs ? v->ops->statfs(v, &s) : 0;
	if (err)
		return err;
	memset(buf, 0, sizeof(*buf));
	buf->f_bsize = buf->f_frsize = s.bsize ? s.bsize : 4096;
	buf->f_blocks = s.blocks;
	buf->f_bfree = s.bfree;
	buf->f_bavail = s.bavail;
	buf->f_files = s.files;
	buf->f_ffree = buf->f_favail = s.ffree;
	buf->f_fsid = (unsigned long)s.fsid;
	buf->f_namemax = s.namemax ? s.namemax : VFS_NAME_MAX;
	buf->f_flag = vfs_writable(v) ? ST_RDONLY : 0;
	return 0;
}

int statvfs(const char *path, struct statvfs *buf)
{
	struct vnode *v;
	int err = vfile_walk(path, 0, &v);
	if (err)
		return (int)syscall_result(err);
	err = fill(v, buf);
	vnode_put(v);
	return (int)syscall_result(err);
}

/* The vnode behind `fd` (a new reference via the file held), or -EBADF /
 * -EINVAL for a descriptor that is not a file of a file system. */
static int held_vnode(int fd, struct file **f, struct vnode **v)
{
	*f = fd_hold(fd);
	if (!*f)
		return -EBADF;
	if ((*f)->ops != &vfile_ops) {
		file_put(*f);
		return -EINVAL;
	}
	*v = vfile_vnode(*f);
	return 0;
}

int fstatvfs(int fd, struct statvfs *buf)
{
	struct file *f;
	struct vnode *v;
	int err = held_vnode(fd, &f, &v);
	if (err)
		return (int)syscall_result(err);
	err = fill(v, buf);
	file_put(f);
	return (int)syscall_result(err);
}

int syncfs(int fd)
{
	struct file *f;
	struct vnode *v;
	int err = held_vnode(fd, &f, &v);
	if (err)
		return (int)syscall_result(err);
	err = v->ops->syncfs ? v->ops->syncfs(v) : 0;
	file_put(f);
	return (int)syscall_result(err);
}

/* sync(2) reports nothing; a disk's error shows at the next fsync. */
void sync(void)
{
	vnode_put(vfs_cwd());   /* builds the root on first use, like every path call */
	vfs_sync_all();
}
