/* Unit tests of the VFS's mount table and path walk (fs/path.c) over
 * tmpfs (fs/tmpfs.c): paths absolute and relative, ".", "..", symlinks and
 * their loops, mounts (entering and leaving them), and tmpfs's own
 * semantics (rename's replace, readdir while entries go, nlink, limits).
 * ASan's leak check at exit shows every node was freed. */
#include "fs/mount.h"
#include "fs/tmpfs.h"

#include "check.h"

#include <errno.h>
#include <stdlib.h>

static int64_t clock_ns;
static int64_t fake_now(void) { return clock_ns += 1000; }

static struct vnode *root;

static int mkobj(struct vnode *cwd, const char *path, uint32_t mode, struct vnode **out)
{
	struct vnode *dir, *v = NULL;
	const char *name;
	size_t len;
	bool must_dir;
	int err = vfs_walk_parent(cwd, path, &dir, &name, &len, &must_dir);
	if (err)
		return err;
	err = dir->ops->create(dir, name, len, mode, &v);
	vnode_put(dir);
	if (out)
		*out = v;
	else if (v)
		vnode_put(v);
	return err;
}

static int mksym(const char *path, const char *target)
{
	struct vnode *dir;
	const char *name;
	size_t len;
	bool must_dir;
	int err = vfs_walk_parent(NULL, path, &dir, &name, &len, &must_dir);
	if (!err) {
		err = dir->ops->symlink(dir, name, len, target);
		vnode_put(dir);
	}
	return err;
}

static int walk_ino(struct vnode *cwd, const char *path, unsigned flags, uint64_t *ino)
{
	struct vnode *v;
	int err = vfs_walk(cwd, path, flags, &v);
	if (err)
		return err;
	struct vattr a;
	v->ops->getattr(v, &a);
	*ino = a.ino;
	vnode_put(v);
	return 0;
}

static uint64_t ino_of(const char *path)
{
	uint64_t ino = 0;
	CHECK_INT(walk_ino(NULL, path, 0, &ino), 0);
	return ino;
}

static void test_walk(void)
{
	CHECK_INT(mkobj(NULL, "/a", VFS_IFDIR | 0755, NULL), 0);
	CHECK_INT(mkobj(NULL, "/a/b", VFS_IFDIR | 0755, NULL), 0);
	CHECK_INT(mkobj(NULL, "/a/b/f", VFS_IFREG | 0644, NULL), 0);
	CHECK_INT(mkobj(NULL, "/a/b/f", VFS_IFREG | 0644, NULL), -EEXIST);
	CHECK_INT(mkobj(NULL, "/nope/f", VFS_IFREG | 0644, NULL), -ENOENT);
	uint64_t f = ino_of("/a/b/f");
	CHECK(f != 0);
	CHECK(ino_of("//a///b/./f") == f);
	CHECK(ino_of("/a/b/../b/f") == f);
	CHECK(ino_of("/../../a/b/f") == f);             /* never above / */
	struct vnode *a;
	CHECK_INT(vfs_walk(NULL, "/a", 0, &a), 0);
	uint64_t ino;
	CHECK_INT(walk_ino(a, "b/f", 0, &ino), 0);      /* relative to a cwd */
	CHECK(ino == f);
	CHECK_INT(walk_ino(a, "./b/../b/f", 0, &ino), 0);
	CHECK(ino == f);
	CHECK_INT(walk_ino(a, "..", 0, &ino), 0);
	CHECK(ino == ino_of("/"));
	vnode_put(a);
	CHECK_INT(walk_ino(NULL, "", 0, &ino), -ENOENT);
	CHECK_INT(walk_ino(NULL, "/a/b/f/", 0, &ino), -ENOTDIR);
	CHECK_INT(walk_ino(NULL, "/a/b/f/x", 0, &ino), -ENOTDIR);
	CHECK_INT(walk_ino(NULL, "/a/b/f", VFS_DIRECTORY, &ino), -ENOTDIR);
	CHECK_INT(walk_ino(NULL, "/a/missing", 0, &ino), -ENOENT);
	char longname[300];
	memset(longname, 'x', sizeof longname - 1);
	longname[0] = '/';
	longname[sizeof longname - 1] = '\0';
	CHECK_INT(walk_ino(NULL, longname, 0, &ino), -ENAMETOOLONG);
}

static void test_symlinks(void)
{
	CHECK_INT(mksym("/rel", "a/b"), 0);
	CHECK_INT(mksym("/a/abs", "/a/b/f"), 0);
	CHECK_INT(mksym("/a/b/up", "../../a/b"), 0);
	CHECK_INT(mksym("/loop1", "loop2"), 0);
	CHECK_INT(mksym("/loop2", "/loop1"), 0);
	CHECK_INT(mksym("/dangling", "nowhere"), 0);
	uint64_t f = ino_of("/a/b/f"), ino;
	CHECK(ino_of("/rel/f") == f);
	CHECK(ino_of("/a/abs") == f);
	CHECK(ino_of("/a/b/up/up/up/f") == f);
	CHECK_INT(walk_ino(NULL, "/loop1", 0, &ino), -ELOOP);
	CHECK_INT(walk_ino(NULL, "/dangling", 0, &ino), -ENOENT);
	/* A final link itself with NOFOLLOW, unless a slash follows it. */
	struct vnode *v;
	CHECK_INT(vfs_walk(NULL, "/rel", VFS_NOFOLLOW, &v), 0);
	CHECK_INT(v->type, VFS_IFLNK);
	char buf[16];
	CHECK_INT(v->ops->readlink(v, buf, sizeof buf), 3);
	CHECK(memcmp(buf, "a/b", 3) == 0);
	vnode_put(v);
	CHECK_INT(vfs_walk(NULL, "/rel/", VFS_NOFOLLOW, &v), 0);
	CHECK_INT(v->type, VFS_IFDIR);
	vnode_put(v);
	CHECK_INT(walk_ino(NULL, "/loop1", VFS_NOFOLLOW, &ino), 0);
	/* 40 links in a row resolve, 41 do not. */
	char name[16], target[16];
	for (int i = 0; i < 41; i++) {
		snprintf(name, sizeof name, "/c%d", i);
		snprintf(target, sizeof target, i == 40 ? "/a" : "/c%d", i + 1);
		CHECK_INT(mksym(name, target), 0);
	}
	CHECK_INT(walk_ino(NULL, "/c1", 0, &ino), 0);
	CHECK_INT(walk_ino(NULL, "/c0", 0, &ino), -ELOOP);
}

static void test_mounts(void)
{
	struct tmpfs_options opt = { .now_ns = fake_now };
	struct vnode *tmp = tmpfs_new(&opt);
	CHECK(tmp != NULL);
	CHECK_INT(mkobj(NULL, "/mnt", VFS_IFDIR | 0755, NULL), 0);
	CHECK_INT(mkobj(NULL, "/mnt/hidden", VFS_IFREG | 0644, NULL), 0);
	uint64_t mnt_dir = ino_of("/mnt"), ino;
	CHECK_INT(vfs_mount(NULL, "/a/b/f", tmp, 0, "tmpfs"), -ENOTDIR);
	CHECK_INT(vfs_mount(NULL, "/mnt", tmp, MNT_RDONLY, "tmpfs"), 0);
	CHECK_INT(vfs_mount(NULL, "/mnt", tmp, 0, "tmpfs"), -EBUSY);
	CHECK_INT(vfs_mount(NULL, "/", tmp, 0, "tmpfs"), -EBUSY);
	vnode_put(tmp);                                 /* the mount holds it */
	CHECK_INT(walk_ino(NULL, "/mnt/hidden", 0, &ino), -ENOENT);
	CHECK(ino_of("/mnt") != mnt_dir);               /* the mounted root */
	CHECK_INT(mkobj(NULL, "/mnt/new", VFS_IFDIR | 0755, NULL), 0);
	CHECK(ino_of("/mnt/new/..") == ino_of("/mnt"));
	CHECK(ino_of("/mnt/..") == ino_of("/"));        /* out of the mount */
	CHECK(ino_of("/mnt/../a/b/f") == ino_of("/a/b/f"));
	CHECK_INT(mksym("/mnt/back", "../a"), 0);
	CHECK(ino_of("/mnt/back/b/f") == ino_of("/a/b/f"));
	struct vnode *v;
	CHECK_INT(vfs_walk(NULL, "/mnt/new", 0, &v), 0);
	CHECK_INT(vfs_writable(v), -EROFS);
	vnode_put(v);
	CHECK_INT(vfs_walk(NULL, "/a", 0, &v), 0);
	CHECK_INT(vfs_writable(v), 0);
	vnode_put(v);
}

static void test_parent(void)
{
	struct vnode *dir;
	const char *name;
	size_t len;
	bool must_dir;
	CHECK_INT(vfs_walk_parent(NULL, "/a/b/new/", &dir, &name, &len, &must_dir), 0);
	CHECK(len == 3 && memcmp(name, "new", 3) == 0 && must_dir);
	vnode_put(dir);
	CHECK_INT(vfs_walk_parent(NULL, "/", &dir, &name, &len, &must_dir), -EEXIST);
	CHECK(dir == NULL);
	CHECK_INT(vfs_walk_parent(NULL, "/a/..", &dir, &name, &len, &must_dir), -EEXIST);
	CHECK_INT(vfs_walk_parent(NULL, "", &dir, &name, &len, &must_dir), -ENOENT);
	CHECK_INT(vfs_walk_parent(NULL, "/a/b/f/x", &dir, &name, &len, &must_dir), -ENOTDIR);
}

static struct vnode *get(const char *path)
{
	struct vnode *v = NULL;
	CHECK_INT(vfs_walk(NULL, path, VFS_NOFOLLOW, &v), 0);
	return v;
}

static void test_files(void)
{
	struct vnode *f;
	CHECK_INT(mkobj(NULL, "/file", VFS_IFREG | 0600, &f), 0);
	CHECK_INT(f->ops->write(f, "hello", 5, 0), 5);
	CHECK_INT(f->ops->write(f, "!", 1, 10), 1);     /* a hole reads as zeros */
	char buf[32] = { 0 };
	CHECK_INT(f->ops->read(f, buf, sizeof buf, 0), 11);
	CHECK(memcmp(buf, "hello\0\0\0\0\0!", 11) == 0);
	CHECK_INT(f->ops->truncate(f, 2), 0);
	CHECK_INT(f->ops->truncate(f, 6), 0);
	CHECK_INT(f->ops->read(f, buf, sizeof buf, 0), 6);
	CHECK(memcmp(buf, "he\0\0\0\0", 6) == 0);
	/* Unlinked while open: the data stays until the last reference. */
	struct vnode *root_dir = vfs_root_dir();
	CHECK_INT(root_dir->ops->unlink(root_dir, "file", 4, false), 0);
	CHECK_INT(root_dir->ops->unlink(root_dir, "file", 4, false), -ENOENT);
	CHECK_INT(f->ops->read(f, buf, 2, 0), 2);
	struct vattr a;
	f->ops->getattr(f, &a);
	CHECK_INT(a.nlink, 0);
	vnode_put(f);
	/* Links. */
	struct vnode *g;
	CHECK_INT(mkobj(NULL, "/g", VFS_IFREG | 0600, &g), 0);
	CHECK_INT(root_dir->ops->link(root_dir, "g2", 2, g), 0);
	g->ops->getattr(g, &a);
	CHECK_INT(a.nlink, 2);
	CHECK_INT(root_dir->ops->unlink(root_dir, "g", 1, false), 0);
	g->ops->getattr(g, &a);
	CHECK_INT(a.nlink, 1);
	vnode_put(g);
	CHECK_INT(root_dir->ops->unlink(root_dir, "a", 1, false), -EISDIR);
	CHECK_INT(root_dir->ops->unlink(root_dir, "a", 1, true), -ENOTEMPTY);
	CHECK_INT(root_dir->ops->unlink(root_dir, "g2", 2, true), -ENOTDIR);
	vnode_put(root_dir);
}

static void test_rename(void)
{
	struct vnode *r = vfs_root_dir(), *x, *y;
	struct vattr a;
	CHECK_INT(mkobj(NULL, "/x", VFS_IFREG | 0644, &x), 0);
	CHECK_INT(mkobj(NULL, "/y", VFS_IFREG | 0644, &y), 0);
	x->ops->write(x, "X", 1, 0);
	CHECK_INT(r->ops->rename(r, "x", 1, r, "y", 1), 0);     /* replaces y */
	CHECK(ino_of("/y") != 0);
	uint64_t ino;
	CHECK_INT(walk_ino(NULL, "/x", 0, &ino), -ENOENT);
	y->ops->getattr(y, &a);
	CHECK_INT(a.nlink, 0);                                  /* the old y */
	vnode_put(y);
	vnode_put(x);
	/* Directories: nlink of both parents, ".." follows, no move into itself. */
	CHECK_INT(mkobj(NULL, "/d1", VFS_IFDIR | 0755, NULL), 0);
	CHECK_INT(mkobj(NULL, "/d1/sub", VFS_IFDIR | 0755, NULL), 0);
	CHECK_INT(mkobj(NULL, "/d2", VFS_IFDIR | 0755, NULL), 0);
	struct vnode *d1 = get("/d1"), *d2 = get("/d2");
	CHECK_INT(d1->ops->rename(d1, "sub", 3, d2, "moved", 5), 0);
	d1->ops->getattr(d1, &a);
	CHECK_INT(a.nlink, 2);
	d2->ops->getattr(d2, &a);
	CHECK_INT(a.nlink, 3);
	CHECK(ino_of("/d2/moved/..") == ino_of("/d2"));
	CHECK_INT(r->ops->rename(r, "d2", 2, d2, "inside", 6), -EINVAL);
	CHECK_INT(r->ops->rename(r, "d1", 2, r, "y", 1), -ENOTDIR);
	CHECK_INT(r->ops->rename(r, "y", 1, r, "d1", 2), -EISDIR);
	CHECK_INT(r->ops->rename(r, "d1", 2, r, "d2", 2), -ENOTEMPTY);
	CHECK_INT(d2->ops->rename(d2, "moved", 5, r, "d1", 2), 0);   /* over an empty dir */
	d2->ops->getattr(d2, &a);
	CHECK_INT(a.nlink, 2);
	vnode_put(d1);
	vnode_put(d2);
	vnode_put(r);
}

static void test_readdir(void)
{
	CHECK_INT(mkobj(NULL, "/list", VFS_IFDIR | 0755, NULL), 0);
	for (int i = 0; i < 5; i++) {
		char path[16];
		snprintf(path, sizeof path, "/list/e%d", i);
		CHECK_INT(mkobj(NULL, path, VFS_IFREG | 0644, NULL), 0);
	}
	struct vnode *d = get("/list");
	struct vdirent e;
	uint64_t cookie = 0;
	char seen[64] = "";
	CHECK_INT(d->ops->readdir(d, &cookie, &e), 1);
	CHECK_STR(e.name, ".");
	CHECK_INT(d->ops->readdir(d, &cookie, &e), 1);
	CHECK_STR(e.name, "..");
	CHECK_INT(d->ops->readdir(d, &cookie, &e), 1);
	strcat(seen, e.name);
	/* e1 goes and e5 comes during the listing: the rest is still right. */
	CHECK_INT(d->ops->unlink(d, "e1", 2, false), 0);
	CHECK_INT(mkobj(NULL, "/list/e5", VFS_IFREG | 0644, NULL), 0);
	while (d->ops->readdir(d, &cookie, &e) == 1)
		strcat(seen, e.name);
	CHECK_STR(seen, "e0e2e3e4e5");
	vnode_put(d);
}

static void test_limits(void)
{
	struct tmpfs_options opt = { 0 };
	CHECK_INT(tmpfs_parse_options("size=8M,mode=1777,rw", &opt), 0);
	CHECK(opt.size_limit == 8u << 20 && opt.root_mode == 01777);
	CHECK_INT(tmpfs_parse_options("size=12x", &opt), -EINVAL);
	CHECK_INT(tmpfs_parse_options("bogus", &opt), -EINVAL);
	CHECK_INT(tmpfs_parse_options("mode=9", &opt), -EINVAL);
	opt = (struct tmpfs_options){ .size_limit = 4096 };
	struct vnode *small = tmpfs_new(&opt), *f;
	CHECK_INT(small->ops->create(small, "f", 1, VFS_IFREG | 0644, &f), 0);
	static char big[8192];
	CHECK_INT(f->ops->write(f, big, 4000, 0), 4000);
	CHECK_INT(f->ops->write(f, big, 8192, 0), -ENOSPC);
	CHECK_INT(f->ops->truncate(f, 0), 0);
	vnode_put(f);
	CHECK_INT(small->ops->unlink(small, "f", 1, false), 0);
	vnode_put(small);                       /* frees the whole file system */
}

int main(void)
{
	struct tmpfs_options opt = { .now_ns = fake_now };
	root = tmpfs_new(&opt);
	CHECK_INT(vfs_mount_root(root, 0, "tmpfs"), 0);
	CHECK_INT(vfs_mount_root(root, 0, "tmpfs"), -EBUSY);
	vnode_put(root);
	test_walk();
	test_symlinks();
	test_mounts();
	test_parent();
	test_files();
	test_rename();
	test_readdir();
	test_limits();
	vfs_unmount_all();                      /* the last references: all freed */
	return check_report();
}
