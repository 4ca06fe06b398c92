/* Attributes of files: chmod, chown (kept and reported by stat, not
 * enforced: one process, one user) and utimensat/futimens. Over fs/vnode.h's setattr. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fs/mount.h"
#include "libc-shim/vfile.h"

static int set(struct vnode *v, const struct vattr *a, unsigned mask)
{
	int err = vfs_writable(v);
	if (!err)
		err = v->ops->setattr ? v->ops->setattr(v, a, mask) : -EPERM;
	return err;
}

static int set_at(int dirfd, const char *path, int flags, const struct vattr *a, unsigned mask)
{
	struct vnode *v;
	int err = (flags & ~AT_SYMLINK_NOFOLLOW) ? -EINVAL :
		  vfile_walk_at(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? VFS_NOFOLLOW : 0, &v);
	if (!err) {
		err = set(v, a, mask);
		vnode_put(v);
	}
	return (int)syscall_result(err);
}

static int set_fd(int fd, const struct vattr *a, unsigned mask)
{
	struct file *f = fd_get(fd);
	if (!f)
		return (int)syscall_result(-EBADF);
	if (f->ops != &vfile_ops)
		return (int)syscall_result(-EINVAL);
	return (int)syscall_result(set(vfile_vnode(f), a, mask));
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	struct vattr a = { .mode = mode };
	return set_at(dirfd, path, flags, &a, VATTR_MODE);
}

int chmod(const char *path, mode_t mode) { return fchmodat(AT_FDCWD, path, mode, 0); }

int fchmod(int fd, mode_t mode)
{
	struct vattr a = { .mode = mode };
	return set_fd(fd, &a, VATTR_MODE);
}

/* -1 leaves an id as it is, as chown(2) has it. */
static unsigned owner_mask(uid_t uid, gid_t gid)
{
	return (uid != (uid_t)-1 ? VATTR_UID : 0) | (gid != (gid_t)-1 ? VATTR_GID : 0);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	struct vattr a = { .uid = uid, .gid = gid };
	return set_at(dirfd, path, flags, &a, owner_mask(uid, gid));
}

int chown(const char *path, uid_t uid, gid_t gid) { return fchownat(AT_FDCWD, path, uid, gid, 0); }

int lchown(const char *path, uid_t uid, gid_t gid)
{
	return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	struct vattr a = { .uid = uid, .gid = gid };
	return set_fd(fd, &a, owner_mask(uid, gid));
}

/* One of utimensat's two times: UTIME_NOW, UTIME_OMIT, or a value. */
static int pick_time(const struct timespec *t, int64_t *out, unsigned bit, unsigned *mask)
{
	struct timespec now;
	if (!t || t->tv_nsec == UTIME_NOW) {
		clock_gettime(CLOCK_REALTIME, &now);
		t = &now;
	} else if (t->tv_nsec == UTIME_OMIT) {
		return 0;
	} else if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000) {
		return -EINVAL;
	}
	*out = (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
	*mask |= bit;
	return 0;
}

static int times_attr(const struct timespec times[2], struct vattr *a, unsigned *mask)
{
	*mask = 0;
	int err = pick_time(times ? &times[0] : NULL, &a->atime_ns, VATTR_ATIME, mask);
	return err ? err : pick_time(times ? &times[1] : NULL, &a->mtime_ns, VATTR_MTIME, mask);
}

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flags)
{
	struct vattr a = { 0 };
	unsigned mask;
	int err = times_attr(times, &a, &mask);
	return err ? (int)syscall_result(err) : set_at(dirfd, path, flags, &a, mask);
}

int futimens(int fd, const struct timespec times[2])
{
	struct vattr a = { 0 };
	unsigned mask;
	int err = times_attr(times, &a, &mask);
	return err ? (int)syscall_result(err) : set_fd(fd, &a, mask);
}
