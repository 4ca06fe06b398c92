/* ext4_io_manager (ext4_io.h): libext2fs's block I/O as byte ranges of the
 * block cache. Errors come back from the cache as -errno; libext2fs takes
 * errno values as error codes (its Unix manager returns them too), so they
 * go up positive and fs/ext4_err.c maps them back. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/ext4_io.h"

#define NAME_PREFIX "bcache:"

struct chan {
	struct bcache *cache;
	struct struct_io_stats stats;
};

static struct bcache *cache_of(io_channel ch) { return ((struct chan *)ch->private_data)->cache; }

void ext4_io_name(struct bcache *cache, char *buf, size_t size)
{
	snprintf(buf, size, NAME_PREFIX "%" PRIxPTR, (uintptr_t)cache);
}

/* The name is only ever one ext4_io_name made (fs/ext4.c is this
 * manager's only user), so the pointer in it is one we gave. */
static errcode_t io_open(const char *name, int flags, io_channel *out)
{
	(void)flags;
	if (!name || strncmp(name, NAME_PREFIX, strlen(NAME_PREFIX)) != 0)
		return EXT2_ET_BAD_DEVICE_NAME;
	uintptr_t p = (uintptr_t)strtoull(name + strlen(NAME_PREFIX), NULL, 16);
	if (!p)
		return EXT2_ET_BAD_DEVICE_NAME;
	io_channel ch = calloc(1, sizeof(*ch));
	struct chan *c = calloc(1, sizeof(*c));
	char *copy = strdup(name);
	if (!ch || !c || !copy) {
		free(ch);
		free(c);
		free(copy);
		return EXT2_ET_NO_MEMORY;
	}
	c->cache = (struct bcache *)p;
	c->stats.num_fields = 2;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = ext4_io_manager;
	ch->name = copy;
	ch->block_size = 1024;  /* libext2fs sets the real one once it knows */
	ch->refcount = 1;
	ch->flags = CHANNEL_FLAGS_BLOCK_DEVICE;
	ch->private_data = c;
	*out = ch;
	return 0;
}

static errcode_t io_close(io_channel ch)
{
	if (--ch->refcount > 0)
		return 0;
	free(ch->private_data);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t io_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0)
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

/* A request's bytes: `count` blocks, or -count bytes when negative (how
 * libext2fs reads the superblock and other odd-sized pieces). */
static errcode_t span(io_channel ch, unsigned long long block, int count, uint64_t *off, size_t *len)
{
	uint64_t bs = (uint64_t)ch->block_size;
	if (block > UINT64_MAX / bs)
		return EXT2_ET_LLSEEK_FAILED;
	*off = block * bs;
	*len = count < 0 ? (size_t)-(int64_t)count : (size_t)count * bs;
	return 0;
}

static errcode_t io_read64(io_channel ch, unsigned long long block, int count, void *data)
{
	uint64_t off;
	size_t len;
	errcode_t e = span(ch, block, count, &off, &len);
	if (e)
		return e;
	int err = bcache_read(cache_of(ch), off, data, len);
	if (err == -EINVAL)
		return EXT2_ET_SHORT_READ;      /* past the end of the disk */
	if (err)
		return (errcode_t)-err;
	((struct chan *)ch->private_data)->stats.bytes_read += len;
	return 0;
}

static errcode_t io_write64(io_channel ch, unsigned long long block, int count, const void *data)
{
	uint64_t off;
	size_t len;
	errcode_t e = span(ch, block, count, &off, &len);
	if (e)
		return e;
	int err = bcache_write(cache_of(ch), off, data, len);
	if (err == -EINVAL)
		return EXT2_ET_SHORT_WRITE;
	if (err)
		return (errcode_t)-err;
	((struct chan *)ch->private_data)->stats.bytes_written += len;
	return 0;
}

static errcode_t io_read(io_channel ch, unsigned long block, int count, void *data)
{
	return io_read64(ch, block, count, data);
}

static errcode_t io_write(io_channel ch, unsigned long block, int count, const void *data)
{
	return io_write64(ch, block, count, data);
}

/* The superblock, written a few changed bytes at a time. */
static errcode_t io_write_byte(io_channel ch, unsigned long offset, int count, const void *data)
{
	if (count < 0)
		return EXT2_ET_INVALID_ARGUMENT;
	int err = bcache_write(cache_of(ch), offset, data, (size_t)count);
	return err == -EINVAL ? EXT2_ET_SHORT_WRITE : (errcode_t)-err;
}

static errcode_t io_flush(io_channel ch)
{
	return (errcode_t)-bcache_sync(cache_of(ch));
}

static errcode_t io_zeroout(io_channel ch, unsigned long long block, unsigned long long count)
{
	uint64_t bs = (uint64_t)ch->block_size;
	if (block > UINT64_MAX / bs || count > (UINT64_MAX - block * bs) / bs)
		return EXT2_ET_INVALID_ARGUMENT;
	return (errcode_t)-bcache_zero(cache_of(ch), block * bs, count * bs);
}

/* Discard is a hint (mke2fs and e2fsck use it, never the file calls):
 * nothing to do, and the channel does not claim that it zeroes. */
static errcode_t io_discard(io_channel ch, unsigned long long block, unsigned long long count)
{
	(void)ch;
	(void)block;
	(void)count;
	return 0;
}

static errcode_t io_get_stats(io_channel ch, io_stats *out)
{
	*out = &((struct chan *)ch->private_data)->stats;
	return 0;
}

static struct struct_io_manager manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "skiff block cache",
	.open = io_open,
	.close = io_close,
	.set_blksize = io_set_blksize,
	.read_blk = io_read,
	.write_blk = io_write,
	.flush = io_flush,
	.write_byte = io_write_byte,
	.get_stats = io_get_stats,
	.read_blk64 = io_read64,
	.write_blk64 = io_write64,
	.discard = io_discard,
	.zeroout = io_zeroout,
};

io_manager ext4_io_manager = &manager;
