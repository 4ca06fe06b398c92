/* storage_mount (storage.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "fs/bcache.h"
#include "fs/devfs.h"
#include "fs/fstype.h"
#include "fs/mount.h"
#include "fs/storage.h"
#include "kernel/device.h"
#include "kernel/log.h"
#include "kernel/arch.h"
#include "kernel/mm.h"

/* Disks come from virtio-blk, file systems on them and shares from the
 * types named here: an image that uses files can mount them all. */
DRIVER_REQUIRE(virtio_blk_driver);
/* ext2/3/4 (fs/ext4.c over libext2fs): named here, so that they and the
 * library are in an image exactly when it uses files. */
FS_TYPE_REQUIRE(ext4_fs_type);
FS_TYPE_REQUIRE(ninep_fs_type);

static struct bcache *caches[BLKDEV_MAX];

/* A disk's cache: BCACHE_DEFAULT_BYTES, or an eighth of the free memory
 * when that is less (a 32 MiB guest keeps most of its memory). */
static size_t cache_bytes(void)
{
	size_t eighth = page_free_count() / 8 * PAGE_SIZE;
	return eighth < BCACHE_DEFAULT_BYTES ? eighth : BCACHE_DEFAULT_BYTES;
}

struct bcache *storage_disk_cache(struct blkdev *disk)
{
	for (int i = 0; i < blkdev_count(); i++) {
		if (blkdev_get(i) != disk)
			continue;
		if (!caches[i])
			caches[i] = bcache_create(disk, cache_bytes());
		return caches[i];
	}
	return NULL;
}

int storage_sync_disks(void)
{
	int first = 0;
	for (int i = 0; i < BLKDEV_MAX; i++) {
		int err = caches[i] ? bcache_sync(caches[i]) : 0;
		if (err && !first)
			first = err;
	}
	return first;
}

void storage_mount_dev(void)
{
	if (!blkdev_count())
		return;
	struct vnode *dev = devfs_root(), *dir = NULL, *root = vfs_root_dir();
	int err = vfs_walk(NULL, "/dev", VFS_DIRECTORY, &dir);
	if (err == -ENOENT)
		err = root->ops->create(root, "dev", 3, VFS_IFDIR | 0755, &dir);
	vnode_put(dir);
	vnode_put(root);
	if (!err)
		err = vfs_mount(NULL, "/dev", dev, 0, "devfs");
	vnode_put(dev);
	if (err)
		log_err("skiff: cannot mount /dev for the disks (error %d)\n", err);
}

/* The type of the file system on `disk`, from its first bytes. */
static const struct fs_type *guess_type(struct blkdev *disk, char *why, size_t why_size)
{
	uint8_t *head = blk_buffer_alloc(BCACHE_BLOCK);
	if (!head) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	const struct fs_type *t = NULL;
	int err = disk->sectors * BLK_SECTOR >= BCACHE_BLOCK ? blkdev_rw(disk, BLK_READ, 0, head, BCACHE_BLOCK) : -EINVAL;
	if (err) {
		snprintf(why, why_size, "%s cannot be read (error %d)", disk->name, err);
	} else if (!(t = fs_type_recognise(head, BCACHE_BLOCK))) {
		/* ext2/3/4 keep their magic at 1080; name what is there. */
		char types[64];
		fs_type_list(types, sizeof(types));
		snprintf(why, why_size, "%s holds no file system this image knows (magic 0x%02x%02x at 1080; "
			 "types here: %s)", disk->name, head[1081], head[1080], types[0] ? types : "none");
	}
	blk_buffer_free(head, BCACHE_BLOCK);
	return t;
}

int storage_mount(const struct mount_spec *m, struct vnode **root, const char **type, bool *read_only,
		  char *why, size_t why_size)
{
	const struct fs_type *t = m->type[0] ? fs_type_find(m->type) : NULL;
	struct blkdev *disk = blkdev_find(m->source);
	bool disk_name = m->source[0] == 'v' && m->source[1] == 'd' && m->source[2] >= 'a' && m->source[2] <= 'z' &&
			 !m->source[3];
	if (!disk && (disk_name || (t && t->on_disk))) {
		snprintf(why, why_size, "no disk named '%s' (%d disk%s found)", m->source, blkdev_count(),
			 blkdev_count() == 1 ? "" : "s");
		return -ENODEV;
	}
	if (m->type[0] && !t) {
		char types[64];
		fs_type_list(types, sizeof(types));
		snprintf(why, why_size, "this image has no file system of type '%s' (it has: tmpfs%s%s)", m->type,
			 types[0] ? " " : "", types);
		return -ENODEV;
	}
	if (!t && !disk) {
		snprintf(why, why_size, "no disk or share named '%s' (%d disk%s found)", m->source, blkdev_count(),
			 blkdev_count() == 1 ? "" : "s");
		return -ENODEV;
	}
	if (!t && !(t = guess_type(disk, why, why_size)))
		return -EINVAL;
	struct fs_mount_args a = { .source = m->source, .options = m->options, .read_only = m->read_only };
	int err = t->mount(&a, root);
	if (err) {
		snprintf(why, why_size, "%s", a.why[0] ? a.why : "the file system refused it");
		return err;
	}
	*type = t->name;
	*read_only = m->read_only || a.forced_read_only;
	return 0;
}
