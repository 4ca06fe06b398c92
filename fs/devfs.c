/* /dev with a node per disk (devfs.h). Its vnodes are static: there is
 * nothing to free, so no release op. */
#include <errno.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "fs/bcache.h"
#include "fs/devfs.h"
#include "fs/storage.h"

struct devnode {
	struct vnode v;
	int index;              /* the disk's; -1 for the directory */
};

static const struct vnode_ops dir_ops, disk_ops;
static struct devnode root = { { &dir_ops, NULL, VFS_IFDIR, 1 }, -1 };
static struct devnode nodes[BLKDEV_MAX];

static struct blkdev *disk_of(struct vnode *v) { return blkdev_get(((struct devnode *)v)->index); }

static uint64_t disk_bytes(struct vnode *v) { return disk_of(v)->sectors * BLK_SECTOR; }

static int d_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (len == 2 && memcmp(name, "..", 2) == 0) {
		*out = vnode_get(dir);
		return 0;
	}
	for (int i = 0; i < blkdev_count(); i++) {
		const char *n = blkdev_get(i)->name;
		if (strlen(n) == len && memcmp(n, name, len) == 0) {
			nodes[i] = (struct devnode){ { &disk_ops, NULL, VFS_IFBLK, nodes[i].v.refs }, i };
			*out = vnode_get(&nodes[i].v);
			return 0;
		}
	}
	return -ENOENT;
}

static int d_readdir(struct vnode *dir, uint64_t *cookie, struct vdirent *out)
{
	(void)dir;
	struct blkdev *d = *cookie < BLKDEV_MAX ? blkdev_get((int)*cookie) : NULL;
	if (!d)
		return 0;
	out->ino = 2 + *cookie;
	out->type = VFS_IFBLK;
	strcpy(out->name, d->name);
	(*cookie)++;
	return 1;
}

static int getattr(struct vnode *v, struct vattr *out)
{
	memset(out, 0, sizeof(*out));
	out->nlink = 1;
	if (v->type == VFS_IFDIR) {
		out->mode = VFS_IFDIR | 0755;
		out->ino = 1;
		out->nlink = 2;
		return 0;
	}
	out->mode = VFS_IFBLK | 0660;
	out->ino = 2 + (uint64_t)((struct devnode *)v)->index;
	out->size = disk_bytes(v);
	return 0;
}

static struct bcache *cache_of(struct vnode *v, int *err)
{
	struct bcache *c = storage_disk_cache(disk_of(v));
	*err = c ? 0 : -ENOMEM;
	return c;
}

static ssize_t b_read(struct vnode *v, void *buf, size_t len, uint64_t offset)
{
	uint64_t size = disk_bytes(v);
	if (offset >= size)
		return 0;
	if (len > size - offset)
		len = (size_t)(size - offset);
	int err;
	struct bcache *c = cache_of(v, &err);
	if (c)
		err = bcache_read(c, offset, buf, len);
	return err ? err : (ssize_t)len;
}

static ssize_t b_write(struct vnode *v, const void *buf, size_t len, uint64_t offset)
{
	uint64_t size = disk_bytes(v);
	if (disk_of(v)->read_only)
		return -EROFS;
	if (len && offset >= size)
		return -ENOSPC;         /* Linux, past the end of a block device */
	if (len > size - offset)
		len = (size_t)(size - offset);
	int err;
	struct bcache *c = cache_of(v, &err);
	if (c)
		err = bcache_write(c, offset, buf, len);
	return err ? err : (ssize_t)len;
}

static int b_fsync(struct vnode *v, bool data_only)
{
	(void)data_only;
	int err;
	struct bcache *c = cache_of(v, &err);
	return c ? bcache_sync(c) : err;
}

static int d_syncfs(struct vnode *v)
{
	(void)v;
	return storage_sync_disks();
}

static const struct vnode_ops dir_ops = {
	.lookup = d_lookup, .getattr = getattr, .readdir = d_readdir, .syncfs = d_syncfs,
};
static const struct vnode_ops disk_ops = {
	.getattr = getattr, .read = b_read, .write = b_write, .fsync = b_fsync, .syncfs = d_syncfs,
};

struct vnode *devfs_root(void) { return vnode_get(&root.v); }
