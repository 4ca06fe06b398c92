/* Host tests: a disk in memory (a struct blkdev whose requests complete
 * inside submit), loaded from and saved to an image file, so that the host's
 * own tools (mke2fs, e2fsck, debugfs) make and check what the guest code
 * reads and writes. */
#ifndef SKIFF_TEST_MEMDISK_H
#define SKIFF_TEST_MEMDISK_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/block/blkdev.h"

struct bcache;

struct memdisk {
	struct blkdev dev;      /* first: storage_disk_cache finds the memdisk from it */
	struct bcache *cache;   /* the disk's one cache, as fs/storage.c keeps them */
	uint8_t *data;
	size_t size;
	unsigned flushes;
};

/* Copies `size` bytes (a multiple of BLK_SECTOR) into a new disk. */
struct memdisk *memdisk_new(const void *image, size_t size, int read_only);
/* The disk holding the file `path`, or NULL (with a message). */
struct memdisk *memdisk_load(const char *path, int read_only);
/* Writes the disk back to `path`: 0 or -1. */
int memdisk_save(const struct memdisk *d, const char *path);
/* Frees the disk and its cache (unsynced writes are lost). */
void memdisk_free(struct memdisk *d);

/* fs/storage.h's storage_disk_cache for host tests: a memdisk's cache,
 * made on first use. */
struct bcache *storage_disk_cache(struct blkdev *disk);

#endif
