/* storage_mount (storage.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "fs/bcache.h"
#include "fs/fstype.h"
#include "fs/storage.h"

/* The type of the file system on `disk`, from its first bytes. */
static const struct fs_type *guess_type(struct blkdev *disk, char *why, size_t why_size)
{
	uint8_t *head = malloc(BCACHE_BLOCK);
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
	free(head);
	return t;
}

int storage_mount(const struct mount_spec *m, struct vnode **root, const char **type, bool *read_only,
		  char *why, size_t why_size)
{
	/* The types every image that mounts carries (fstype.h). */
	FS_TYPE_REQUIRE(ninep_fs_type);
	const struct fs_type *t = m->type[0] ? fs_type_find(m->type) : NULL;
	struct blkdev *disk = blkdev_find(m->source);
	if (m->type[0] && !t) {
		char types[64];
		fs_type_list(types, sizeof(types));
		snprintf(why, why_size, "this image has no file system of type '%s' (it has: tmpfs%s%s)", m->type,
			 types[0] ? " " : "", types);
		return -ENODEV;
	}
	if (!t && !disk) {
		snprintf(why, why_size, "no disk named '%s' (%d disk%s found)", m->source, blkdev_count(),
			 blkdev_count() == 1 ? "" : "s");
		return -ENODEV;
	}
	if (t && t->on_disk && !disk) {
		snprintf(why, why_size, "no disk named '%s' (%d disk%s found)", m->source, blkdev_count(),
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
