/* storage_mount (storage.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "fs/bcache.h"
#include "fs/fstype.h"
#include "fs/storage.h"

/* ext2/3/4 are not in the skiff_fstypes section: the linker keeps that
 * section whole, and with it libext2fs, in every image, hello included.
 * Named here instead, they are reached from storage_mount only, and
 * --gc-sections drops them with it from an image that mounts nothing. */
extern const struct fs_type ext4_fs_type, ext3_fs_type, ext2_fs_type;
static const struct fs_type *const disk_types[] = { &ext4_fs_type, &ext3_fs_type, &ext2_fs_type };
#define DISK_TYPES (sizeof(disk_types) / sizeof(disk_types[0]))

static const struct fs_type *find_type(const char *name)
{
	for (size_t i = 0; i < DISK_TYPES; i++)
		if (strcmp(disk_types[i]->name, name) == 0)
			return disk_types[i];
	return fs_type_find(name);
}

static const struct fs_type *recognise(const uint8_t *head, size_t len)
{
	for (size_t i = 0; i < DISK_TYPES; i++)
		if (disk_types[i]->recognise && disk_types[i]->recognise(head, len))
			return disk_types[i];
	return fs_type_recognise(head, len);
}

/* The names of every type, for messages. */
static void list_types(char *buf, size_t size)
{
	char more[64];
	fs_type_list(more, sizeof(more));
	snprintf(buf, size, "%s %s %s%s%s", disk_types[0]->name, disk_types[1]->name, disk_types[2]->name,
		 more[0] ? " " : "", more);
}

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
	} else if (!(t = recognise(head, BCACHE_BLOCK))) {
		/* ext2/3/4 keep their magic at 1080; name what is there. */
		char types[64];
		list_types(types, sizeof(types));
		snprintf(why, why_size, "%s holds no file system this image knows (magic 0x%02x%02x at 1080; "
			 "types here: %s)", disk->name, head[1081], head[1080], types[0] ? types : "none");
	}
	free(head);
	return t;
}

int storage_mount(const struct mount_spec *m, struct vnode **root, const char **type, bool *read_only,
		  char *why, size_t why_size)
{
	const struct fs_type *t = m->type[0] ? find_type(m->type) : NULL;
	struct blkdev *disk = blkdev_find(m->source);
	if (m->type[0] && !t) {
		char types[64];
		list_types(types, sizeof(types));
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
