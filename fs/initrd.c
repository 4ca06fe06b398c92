/* initrd_unpack (initrd.h): ramfs's tree, node by node, into tmpfs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/initrd.h"
#include "fs/ramfs.h"
#include "fs/tmpfs.h"

/* Hard links: the first node of an inode number becomes the file, later
 * ones links to it. */
struct seen {
	uint64_t ino;
	struct vnode *file;
};

struct unpack {
	struct seen *seen;
	size_t count, cap;
};

static struct vnode *seen_file(struct unpack *u, uint64_t ino)
{
	for (size_t i = 0; i < u->count; i++)
		if (u->seen[i].ino == ino)
			return u->seen[i].file;
	return NULL;
}

static int remember(struct unpack *u, uint64_t ino, struct vnode *file)
{
	if (u->count == u->cap) {
		size_t cap = u->cap ? 2 * u->cap : 16;
		struct seen *s = realloc(u->seen, cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		u->seen = s;
		u->cap = cap;
	}
	u->seen[u->count].ino = ino;
	u->seen[u->count++].file = vnode_get(file);
	return 0;
}

static int copy_dir(struct unpack *u, const struct ramfs_node *from, struct vnode *to);

static int copy_file(struct unpack *u, const struct ramfs_node *n, struct ramfs_stat *st, struct vnode *dir,
		     const char *name, size_t len)
{
	struct vnode *file = seen_file(u, st->ino);
	if (file)
		return dir->ops->link(dir, name, len, file);
	int err = dir->ops->create(dir, name, len, st->mode, &file);
	if (err)
		return err;
	size_t size;
	const void *data = ramfs_data(n, &size);
	err = tmpfs_borrow(file, data, size);
	tmpfs_set_times(file, st->mtime * 1000000000ll);
	if (!err && st->nlink > 1)
		err = remember(u, st->ino, file);
	vnode_put(file);
	return err;
}

static int copy_node(struct unpack *u, const struct ramfs_node *n, struct vnode *dir)
{
	struct ramfs_stat st;
	ramfs_stat(n, &st);
	const char *name = ramfs_name(n);
	size_t len = strlen(name);
	uint32_t type = st.mode & VFS_IFMT;
	if (type == VFS_IFREG)
		return copy_file(u, n, &st, dir, name, len);
	if (type == VFS_IFLNK) {
		char target[VFS_PATH_MAX];
		ptrdiff_t tlen = ramfs_readlink(n, target, sizeof(target) - 1);
		if (tlen < 0)
			return (int)tlen;
		target[tlen] = '\0';
		return dir->ops->symlink(dir, name, len, target);
	}
	struct vnode *sub;
	int err = dir->ops->create(dir, name, len, st.mode, &sub);
	if (err)
		return err;
	err = copy_dir(u, n, sub);
	tmpfs_set_times(sub, st.mtime * 1000000000ll);
	vnode_put(sub);
	return err;
}

static int copy_dir(struct unpack *u, const struct ramfs_node *from, struct vnode *to)
{
	const struct ramfs_node *child;
	for (size_t i = 0; (child = ramfs_child(from, i)) != NULL; i++) {
		int err = copy_node(u, child, to);
		if (err)
			return err;
	}
	return 0;
}

int initrd_unpack(struct vnode *root, const void *image, size_t size, char *msg, size_t msg_size)
{
	if (size == 0)
		return 0;
	struct ramfs *tree;
	int err = ramfs_load(&tree, image, size, msg, msg_size);
	if (err)
		return err;
	struct unpack u = { 0 };
	err = copy_dir(&u, ramfs_root(tree), root);
	if (err && msg_size)
		strncpy(msg, "initrd: cannot copy the tree into memory", msg_size - 1), msg[msg_size - 1] = '\0';
	for (size_t i = 0; i < u.count; i++)
		vnode_put(u.seen[i].file);
	free(u.seen);
	ramfs_free(tree);
	return err;
}
