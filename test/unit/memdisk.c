/* A disk in memory for host tests (memdisk.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/bcache.h"

#include "memdisk.h"

static int submit(struct blkdev *bd, struct blk_request *r)
{
	struct memdisk *d = (struct memdisk *)bd;
	uint64_t off = r->sector * BLK_SECTOR;
	int result = 0;
	if (r->op == BLK_FLUSH) {
		d->flushes++;
	} else if (r->op == BLK_WRITE && bd->read_only) {
		return -EROFS;
	} else {
		for (unsigned i = 0; i < r->nsegs; i++) {
			if (off > d->size || r->segs[i].len > d->size - off)
				return -EINVAL;
			if (r->op == BLK_READ)
				memcpy(r->segs[i].buf, d->data + off, r->segs[i].len);
			else
				memcpy(d->data + off, r->segs[i].buf, r->segs[i].len);
			off += r->segs[i].len;
		}
	}
	r->result = result;
	r->done(r);
	return 0;
}

struct memdisk *memdisk_new(const void *image, size_t size, int read_only)
{
	struct memdisk *d = calloc(1, sizeof(*d));
	if (!d || !(d->data = malloc(size ? size : 1))) {
		free(d);
		return NULL;
	}
	memcpy(d->data, image, size);
	d->size = size;
	d->dev.sectors = size / BLK_SECTOR;
	d->dev.block_size = BLK_SECTOR;
	d->dev.read_only = read_only;
	d->dev.volatile_cache = 1;
	d->dev.max_segs = BLK_SEGS_MAX;
	d->dev.max_transfer = 1u << 20;
	d->dev.submit = submit;
	snprintf(d->dev.driver_name, sizeof(d->dev.driver_name), "memdisk");
	return d;
}

struct memdisk *memdisk_load(const char *path, int read_only)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(size > 0 ? (size_t)size : 1);
	struct memdisk *d = NULL;
	if (buf && fread(buf, 1, (size_t)size, f) == (size_t)size)
		d = memdisk_new(buf, (size_t)size, read_only);
	free(buf);
	fclose(f);
	return d;
}

int memdisk_save(const struct memdisk *d, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(d->data, 1, d->size, f) == d->size;
	return fclose(f) == 0 && ok ? 0 : -1;
}

struct bcache *storage_disk_cache(struct blkdev *disk)
{
	struct memdisk *d = (struct memdisk *)disk;
	if (!d->cache)
		d->cache = bcache_create(disk, 0);
	return d->cache;
}

void memdisk_free(struct memdisk *d)
{
	if (d) {
		if (d->cache)
			bcache_destroy(d->cache);
		free(d->data);
	}
	free(d);
}
