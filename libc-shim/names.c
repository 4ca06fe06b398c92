/* The calls that make and remove names: mkdir, rmdir, unlink, rename,
 * link, symlink (over fs/vnode.h's ops, Linux's errors). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/mount.h"
#include "libc-shim/vfile.h"

/* The directory a new or removed name of `path` lives in, writable. */
static int parent_for_change(int dirfd, const char *path, struct vnode **dir, const char **name, size_t *len,
			     bool *must_dir)
{
	int err = vfile_parent_at(dirfd, path, dir, name, len, must_dir);
	if (!err && (err = vfs_writable(*dir)) != 0)
		vnode_put(*dir);
	return err;
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	struct vnode *dir, *made;
	const char *name;
	size_t len;
	bool must_dir;
	int err = parent_for_change(dirfd, path, &dir, &name, &len, &must_dir);
	if (err)
		return (int)syscall_result(err);
	err = dir->ops->create ? dir->ops->create(dir, name, len, VFS_IFDIR | (mode & 07777), &made) : -EPERM;
	if (!err)
		vnode_put(made);
	vnode_put(dir);
	return (int)syscall_result(err);
}

int mkdir(const char *path, mode_t mode) { return mkdirat(AT_FDCWD, path, mode); }

static int remove_name(int dirfd, const char *path, bool want_dir)
{
	struct vnode *dir, *v;
	const char *name;
	size_t len;
	bool must_dir;
	int err = parent_for_change(dirfd, path, &dir, &name, &len, &must_dir);
	if (err)
		return err == -EEXIST ? (want_dir ? -EBUSY : -EISDIR) : err;
	if (must_dir && !want_dir) {
		err = dir->ops->lookup(dir, name, len, &v);
		if (!err) {
			err = v->type == VFS_IFDIR ? -EISDIR : -ENOTDIR;
			vnode_put(v);
		}
	} else {
		/* A mount point is busy: the walk would enter it. */
		err = dir->ops->lookup(dir, name, len, &v);
		if (!err) {
			struct vnode *entered;
			if (vfile_walk_at(dirfd, path, VFS_NOFOLLOW, &entered) == 0) {
				if (entered != v && entered->type == VFS_IFDIR)
					err = -EBUSY;
				vnode_put(entered);
			}
			vnode_put(v);
		}
		if (!err)
			err = dir->ops->unlink ? dir->ops->unlink(dir, name, len, want_dir) : -EPERM;
	}
	vnode_put(dir);
	return err;
}

int unlinkat(int dirfd, const char *path, int flags)
{
	if (flags & ~AT_REMOVEDIR)
		return (int)syscall_result(-EINVAL);
	return (int)syscall_result(remove_name(dirfd, path, flags & AT_REMOVEDIR));
}

int unlink(const char *path) { return unlinkat(AT_FDCWD, path, 0); }
int rmdir(const char *path) { return unlinkat(AT_FDCWD, path, AT_REMOVEDIR); }

int remove(const char *path)
{
	int err = remove_name(AT_FDCWD, path, false);
	if (err == -EISDIR)
		err = remove_name(AT_FDCWD, path, true);
	return (int)syscall_result(err);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	struct vnode *fdir, *tdir;
	const char *fname, *tname;
	size_t flen, tlen;
	bool fslash, tslash;
	int err = parent_for_change(fromfd, from, &fdir, &fname, &flen, &fslash);
	if (err)
		return (int)syscall_result(err == -EEXIST ? -EBUSY : err);
	err = parent_for_change(tofd, to, &tdir, &tname, &tlen, &tslash);
	if (err) {
		vnode_put(fdir);
		return (int)syscall_result(err == -EEXIST ? -EBUSY : err);
	}
	if (fdir->mnt != tdir->mnt || fdir->ops != tdir->ops)
		err = -EXDEV;
	else
		err = fdir->ops->rename ? fdir->ops->rename(fdir, fname, flen, tdir, tname, tlen) : -EPERM;
	vnode_put(fdir);
	vnode_put(tdir);
	return (int)syscall_result(err);
}

int rename(const char *from, const char *to) { return renameat(AT_FDCWD, from, AT_FDCWD, to); }

int linkat(int fromfd, const char *existing, int tofd, const char *path, int flags)
{
	struct vnode *v, *dir;
	const char *name;
	size_t len;
	bool must_dir;
	int err = (flags & ~AT_SYMLINK_FOLLOW) ? -EINVAL :
		  vfile_walk_at(fromfd, existing, (flags & AT_SYMLINK_FOLLOW) ? 0 : VFS_NOFOLLOW, &v);
	if (err)
		return (int)syscall_result(err);
	err = parent_for_change(tofd, path, &dir, &name, &len, &must_dir);
	if (!err) {
		err = dir->mnt != v->mnt ? -EXDEV : dir->ops->link ? dir->ops->link(dir, name, len, v) : -EPERM;
		vnode_put(dir);
	}
	vnode_put(v);
	return (int)syscall_result(err);
}

int link(const char *existing, const char *path) { return linkat(AT_FDCWD, existing, AT_FDCWD, path, 0); }

int symlinkat(const char *target, int dirfd, const char *path)
{
	struct vnode *dir;
	const char *name;
	size_t len;
	bool must_dir;
	if (!target)
		return (int)syscall_result(-EFAULT);
	int err = parent_for_change(dirfd, path, &dir, &name, &len, &must_dir);
	if (!err) {
		err = dir->ops->symlink ? dir->ops->symlink(dir, name, len, target) : -EPERM;
		vnode_put(dir);
	}
	return (int)syscall_result(err);
}

int symlink(const char *target, const char *path) { return symlinkat(target, AT_FDCWD, path); }
