/* The block cache: what file systems on disks (ext4) read and write
 * through, at byte offsets, over one struct blkdev.
 *
 * It keeps up to a bounded number of bytes of the disk in blocks of
 * BCACHE_BLOCK bytes, least recently used first out. Writes are
 * write-back: they dirty cached blocks and reach the disk at
 * bcache_sync(), or earlier when dirty blocks fill the cache (then the
 * oldest are written, never flushed). Reads that miss fetch the blocks
 * missing in the range, and when the reads look sequential the blocks
 * that follow (read-ahead), as few requests as the device takes; write-back
 * sends runs of adjacent dirty blocks as one request each, in ascending
 * order, many in flight.
 *
 * Errors: a read error is returned to the caller (-EIO) and nothing is
 * cached; a failed write-back leaves its blocks dirty and is returned by
 * the bcache_sync() that tried it (and by every later one until a retry
 * succeeds), so a durable write is never reported when it was not made.
 * One thread at a time (file systems serialise their calls).
 */
#ifndef SKIFF_FS_BCACHE_H
#define SKIFF_FS_BCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "drivers/block/blkdev.h"

#define BCACHE_BLOCK 4096u
#define BCACHE_DEFAULT_BYTES (8u << 20)
#define BCACHE_READAHEAD_MAX 32 /* blocks read ahead of a sequential reader */

struct bcache;

struct bcache_stats {
	uint64_t hits, misses, readahead, writebacks, flushes;
	size_t cached_blocks, dirty_blocks;
};

/* A cache over `dev` of at most `max_bytes` (at least 64 blocks; 0 for
 * BCACHE_DEFAULT_BYTES). NULL when out of memory. */
struct bcache *bcache_create(struct blkdev *dev, size_t max_bytes);
/* Frees the cache; dirty blocks are lost (sync first). */
void bcache_destroy(struct bcache *c);
struct blkdev *bcache_device(const struct bcache *c);

/* `len` bytes at byte `offset` of the disk. -EINVAL past its end, -EIO,
 * -ENOMEM; a write to a read-only disk is -EROFS. */
int bcache_read(struct bcache *c, uint64_t offset, void *buf, size_t len);
int bcache_write(struct bcache *c, uint64_t offset, const void *buf, size_t len);
/* Zeroes a range (libext2fs's zeroout, fallocate). */
int bcache_zero(struct bcache *c, uint64_t offset, uint64_t len);
/* Writes every dirty block, then FLUSHes the disk when it caches writes:
 * when it returns 0 everything written before the call is durable. */
int bcache_sync(struct bcache *c);
/* Writes every dirty block without the FLUSH. */
int bcache_writeback(struct bcache *c);
void bcache_get_stats(const struct bcache *c, struct bcache_stats *out);

#endif
