/* Unit tests of fs/bcache.c (with drivers/block/blkdev.c) against a fake
 * disk that can fail requests and, like a disk with a volatile write
 * cache, keeps writes apart until a FLUSH: a simulated power cut keeps a
 * random subset of the unflushed writes (in any order) and loses the rest.
 *
 * The checks: what is read is what was written (against a plain array,
 * with a cache small enough to evict), what bcache_sync returned 0 for
 * survives any power cut, errors reach the caller and lose nothing,
 * read-ahead and write-back batch blocks into few requests. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "fs/bcache.h"

#include "check.h"

#define DISK_BYTES (4u << 20)   /* 1024 blocks; the cache holds 64 */
#define CACHE_BYTES (64u * BCACHE_BLOCK)
#define PENDING_MAX 8192

struct pending_write {
	uint64_t offset;
	uint32_t len;
	uint8_t *data;
};

static struct fake {
	struct blkdev dev;
	uint8_t durable[DISK_BYTES];    /* what survives a power cut */
	uint8_t visible[DISK_BYTES];    /* what reads see (durable + pending) */
	struct pending_write pending[PENDING_MAX];
	unsigned npending;
	unsigned fail_reads, fail_writes, fail_flushes;  /* next N of each fail */
	unsigned requests, read_requests, write_requests;
	uint64_t rng;
} disk;

static uint64_t rnd(void)
{
	disk.rng ^= disk.rng << 13;
	disk.rng ^= disk.rng >> 7;
	disk.rng ^= disk.rng << 17;
	return disk.rng;
}

static int fake_submit(struct blkdev *d, struct blk_request *r)
{
	(void)d;
	disk.requests++;
	int result = 0;
	if (r->op == BLK_FLUSH) {
		if (disk.fail_flushes) {
			disk.fail_flushes--;
			result = -EIO;
		} else {
			for (unsigned i = 0; i < disk.npending; i++) {
				memcpy(disk.durable + disk.pending[i].offset, disk.pending[i].data, disk.pending[i].len);
				free(disk.pending[i].data);
			}
			disk.npending = 0;
		}
	} else {
		uint64_t off = r->sector * BLK_SECTOR, len = 0;
		for (unsigned i = 0; i < r->nsegs; i++)
			len += r->segs[i].len;
		if (off + len > DISK_BYTES || r->nsegs == 0 || r->nsegs > disk.dev.max_segs)
			return -EINVAL;
		if (r->op == BLK_READ) {
			disk.read_requests++;
			if (disk.fail_reads) {
				disk.fail_reads--;
				result = -EIO;
				/* A failing device may still have scribbled over the buffers. */
				for (unsigned i = 0; i < r->nsegs; i++)
					memset(r->segs[i].buf, 0xEE, r->segs[i].len);
			}
		} else {
			disk.write_requests++;
			if (disk.fail_writes) {
				disk.fail_writes--;
				result = -EIO;
			}
		}
		for (unsigned i = 0; i < r->nsegs && !result; i++) {
			if (r->op == BLK_READ) {
				memcpy(r->segs[i].buf, disk.visible + off, r->segs[i].len);
			} else {
				if (disk.npending == PENDING_MAX)
					abort();
				struct pending_write *w = &disk.pending[disk.npending++];
				w->offset = off;
				w->len = r->segs[i].len;
				w->data = malloc(w->len);
				memcpy(w->data, r->segs[i].buf, w->len);
				memcpy(disk.visible + off, r->segs[i].buf, w->len);
				if (!disk.dev.volatile_cache) {        /* written through */
					memcpy(disk.durable + off, w->data, w->len);
					free(w->data);
					disk.npending--;
				}
			}
			off += r->segs[i].len;
		}
	}
	r->result = result;
	r->done(r);
	return 0;
}

/* Power cut: a random subset of the unflushed writes reached the medium,
 * in a random order; the rest are lost. */
static void power_cut(void)
{
	for (unsigned i = disk.npending; i > 1; i--) {
		unsigned j = (unsigned)(rnd() % i);
		struct pending_write t = disk.pending[i - 1];
		disk.pending[i - 1] = disk.pending[j];
		disk.pending[j] = t;
	}
	for (unsigned i = 0; i < disk.npending; i++) {
		if (rnd() & 1)
			memcpy(disk.durable + disk.pending[i].offset, disk.pending[i].data, disk.pending[i].len);
		free(disk.pending[i].data);
	}
	disk.npending = 0;
	memcpy(disk.visible, disk.durable, DISK_BYTES);
}

static void fake_reset(bool volatile_cache)
{
	for (unsigned i = 0; i < disk.npending; i++)
		free(disk.pending[i].data);
	memset(&disk, 0, sizeof(disk));
	disk.rng = 0x2545F4914F6CDD1Dull;
	for (unsigned i = 0; i < DISK_BYTES; i++)
		disk.durable[i] = (uint8_t)(i * 7 + (i >> 12));
	memcpy(disk.visible, disk.durable, DISK_BYTES);
	disk.dev.sectors = DISK_BYTES / BLK_SECTOR;
	disk.dev.block_size = BLK_SECTOR;
	disk.dev.volatile_cache = volatile_cache;
	disk.dev.max_segs = 16;
	disk.dev.max_transfer = 1u << 20;
	disk.dev.submit = fake_submit;
	blkdev_reset_registry();
	CHECK_INT(blkdev_register(&disk.dev), 0);
	CHECK_STR(disk.dev.name, "vda");
}

static uint8_t model[DISK_BYTES];

static void random_write(struct bcache *c, uint64_t max_len)
{
	uint64_t len = 1 + rnd() % max_len;
	uint64_t off = rnd() % (DISK_BYTES - len);
	uint8_t *buf = malloc(len);
	for (uint64_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
	CHECK_INT(bcache_write(c, off, buf, len), 0);
	memcpy(model + off, buf, len);
	free(buf);
}

static bool reads_match(struct bcache *c, uint64_t off, uint64_t len)
{
	uint8_t *buf = malloc(len);
	bool ok = bcache_read(c, off, buf, len) == 0 && memcmp(buf, model + off, len) == 0;
	free(buf);
	return ok;
}

/* Random reads and writes through a cache 16 times smaller than the disk
 * read back like an array. */
static void test_reads_see_writes(void)
{
	fake_reset(true);
	memcpy(model, disk.durable, DISK_BYTES);
	struct bcache *c = bcache_create(&disk.dev, CACHE_BYTES);
	CHECK(c != NULL);
	int bad = 0;
	for (int i = 0; i < 3000; i++) {
		if (rnd() % 3)
			random_write(c, i % 10 == 0 ? 40000 : 3000);
		uint64_t len = 1 + rnd() % 20000, off = rnd() % (DISK_BYTES - len);
		bad += !reads_match(c, off, len);
	}
	CHECK_INT(bad, 0);
	CHECK(reads_match(c, 0, DISK_BYTES));
	CHECK_INT(bcache_sync(c), 0);
	CHECK(memcmp(disk.durable, model, DISK_BYTES) == 0);
	struct bcache_stats st;
	bcache_get_stats(c, &st);
	CHECK(st.cached_blocks <= CACHE_BYTES / BCACHE_BLOCK);
	CHECK_INT(st.dirty_blocks, 0);
	bcache_destroy(c);
}

/* Whatever bcache_sync acknowledged survives a power cut, whichever
 * unflushed writes the disk kept; the last partial block of a disk whose
 * size is not a multiple of the block is written exactly. */
static void test_sync_is_durable(void)
{
	for (int round = 0; round < 50; round++) {
		fake_reset(true);
		disk.rng += (uint64_t)round * 0x9E3779B97F4A7C15ull;
		memcpy(model, disk.durable, DISK_BYTES);
		struct bcache *c = bcache_create(&disk.dev, CACHE_BYTES);
		for (int i = 0; i < 40; i++)
			random_write(c, 20000);
		CHECK_INT(bcache_sync(c), 0);
		uint8_t acknowledged[4096];
		memcpy(acknowledged, model + 8192, sizeof(acknowledged));
		/* Written after the sync, never synced: may or may not survive. */
		for (int i = 0; i < 10; i++)
			random_write(c, 5000);
		CHECK_INT(bcache_writeback(c), 0);
		power_cut();
		bcache_destroy(c);
		/* Everything synced is there, except where later writes may
		 * have landed: compare the unsynced-free region only when the
		 * model there did not change. */
		if (memcmp(acknowledged, model + 8192, sizeof(acknowledged)) == 0)
			CHECK(memcmp(disk.durable + 8192, acknowledged, sizeof(acknowledged)) == 0);
	}
	/* A cleaner statement of the same: sync, cut, all of it equal. */
	fake_reset(true);
	memcpy(model, disk.durable, DISK_BYTES);
	struct bcache *c = bcache_create(&disk.dev, CACHE_BYTES);
	for (int i = 0; i < 200; i++)
		random_write(c, 30000);
	CHECK_INT(bcache_sync(c), 0);
	power_cut();
	CHECK(memcmp(disk.durable, model, DISK_BYTES) == 0);
	bcache_destroy(c);

	/* A disk of 4 KiB + 1 sector: the last block is 512 bytes. */
	fake_reset(false);
	disk.dev.sectors = BCACHE_BLOCK / BLK_SECTOR + 1;
	c = bcache_create(&disk.dev, CACHE_BYTES);
	uint8_t tail[BLK_SECTOR + 100];
	memset(tail, 0x5A, sizeof(tail));
	CHECK_INT(bcache_write(c, BCACHE_BLOCK - 100, tail, sizeof(tail)), 0);
	CHECK_INT(bcache_write(c, BCACHE_BLOCK - 100, tail, sizeof(tail) + 1), -EINVAL);
	CHECK_INT(bcache_sync(c), 0);
	CHECK(memcmp(disk.durable + BCACHE_BLOCK - 100, tail, sizeof(tail)) == 0);
	CHECK_INT(disk.durable[BCACHE_BLOCK + BLK_SECTOR], (uint8_t)((BCACHE_BLOCK + BLK_SECTOR) * 7 + 1));
	bcache_destroy(c);
}

/* Without a volatile cache there is nothing to flush: sync only writes. */
static void test_flush_only_when_caching(void)
{
	fake_reset(false);
	struct bcache *c = bcache_create(&disk.dev, CACHE_BYTES);
	uint8_t b[100] = { 1 };
	CHECK_INT(bcache_write(c, 0, b, sizeof(b)), 0);
	unsigned before = disk.requests;
	CHECK_INT(bcache_sync(c), 0);
	CHECK_INT(disk.requests - before, 1);   /* the write, no FLUSH */
	bcache_destroy(c);
	fake_reset(true);
	c = bcache_create(&disk.dev, CACHE_BYTES);
	CHECK_INT(bcache_write(c, 0, b, sizeof(b)), 0);
	before = disk.requests;
	CHECK_INT(bcache_sync(c), 0);
	CHECK_INT(disk.requests - before, 2);   /* the write and the FLUSH */
	CHECK_INT(bcache_sync(c), 0);           /* nothing dirty: just the FLUSH */
	CHECK_INT(disk.requests - before, 3);
	bcache_destroy(c);
}

/* A failed write-back is reported, its blocks stay dirty and a later sync
 * writes them; a failed FLUSH is reported too. A failed read is reported
 * and leaves nothing cached. */
static void test_errors(void)
{
	fake_reset(true);
	memcpy(model, disk.durable, DISK_BYTES);
	struct bcache *c = bcache_create(&disk.dev, CACHE_BYTES);
	for (int i = 0; i < 20; i++)
		random_write(c, 8000);
	disk.fail_writes = 1;
	CHECK_INT(bcache_sync(c), -EIO);
	struct bcache_stats st;
	bcache_get_stats(c, &st);
	CHECK(st.dirty_blocks > 0);
	disk.fail_flushes = 1;
	CHECK_INT(bcache_sync(c), -EIO);
	CHECK_INT(bcache_sync(c), 0);
	power_cut();
	CHECK(memcmp(disk.durable, model, DISK_BYTES) == 0);
	bcache_destroy(c);

	fake_reset(true);
	memcpy(model, disk.durable, DISK_BYTES);
	c = bcache_create(&disk.dev, CACHE_BYTES);
	uint8_t buf[6000];
	disk.fail_reads = 1;
	CHECK_INT(bcache_read(c, 5000, buf, sizeof(buf)), -EIO);
	CHECK(reads_match(c, 5000, sizeof(buf)));      /* read again, correctly */
	/* A partial-block write needs a read first: its failure fails it. */
	disk.fail_reads = 1;
	CHECK_INT(bcache_write(c, 200000 + 10, buf, 10), -EIO);
	CHECK(reads_match(c, 200000, 100));
	CHECK_INT(bcache_read(c, DISK_BYTES - 10, buf, 11), -EINVAL);
	CHECK_INT(bcache_read(c, DISK_BYTES, buf, 0), 0);
	bcache_destroy(c);

	/* Dirty blocks that cannot be written keep the cache from taking
	 * more: the write that needs room fails, nothing is lost. */
	fake_reset(true);
	memcpy(model, disk.durable, DISK_BYTES);
	c = bcache_create(&disk.dev, CACHE_BYTES);
	uint8_t block[BCACHE_BLOCK];
	memset(block, 0x33, sizeof(block));
	for (unsigned i = 0; i < CACHE_BYTES / BCACHE_BLOCK; i++) {
		CHECK_INT(bcache_write(c, (uint64_t)i * BCACHE_BLOCK, block, sizeof(block)), 0);
		memcpy(model + (size_t)i * BCACHE_BLOCK, block, sizeof(block));
	}
	disk.fail_writes = 1000;
	CHECK_INT(bcache_write(c, DISK_BYTES / 2, block, sizeof(block)), -EIO);
	disk.fail_writes = 0;
	CHECK_INT(bcache_sync(c), 0);
	CHECK(memcmp(disk.durable, model, DISK_BYTES) == 0);
	bcache_destroy(c);

	fake_reset(true);
	disk.dev.read_only = true;
	c = bcache_create(&disk.dev, CACHE_BYTES);
	CHECK_INT(bcache_write(c, 0, buf, 1), -EROFS);
	CHECK_INT(bcache_zero(c, 0, 1), -EROFS);
	bcache_destroy(c);
}

/* A sequential reader gets read-ahead (far fewer requests than blocks);
 * write-back sends adjacent blocks together. */
static void test_batching(void)
{
	fake_reset(true);
	memcpy(model, disk.durable, DISK_BYTES);
	struct bcache *c = bcache_create(&disk.dev, 256 * BCACHE_BLOCK);
	uint8_t block[BCACHE_BLOCK];
	for (unsigned i = 0; i < 512; i++)
		CHECK_INT(bcache_read(c, (uint64_t)i * BCACHE_BLOCK, block, sizeof(block)), 0);
	if (!CHECK(disk.read_requests < 512 / 8))
		fprintf(stderr, "    %u read requests\n", disk.read_requests);
	CHECK(reads_match(c, 0, 512 * BCACHE_BLOCK));
	struct bcache_stats st;
	bcache_get_stats(c, &st);
	CHECK(st.readahead > 400);

	memset(block, 0x77, sizeof(block));
	for (unsigned i = 0; i < 64; i++)
		CHECK_INT(bcache_write(c, (uint64_t)(700 + i) * BCACHE_BLOCK, block, sizeof(block)), 0);
	unsigned before = disk.write_requests;
	CHECK_INT(bcache_sync(c), 0);
	CHECK_INT(disk.write_requests - before, 4);     /* 64 blocks, 16 segments a request */
	/* Zeroing goes through the cache like a write. */
	CHECK_INT(bcache_zero(c, 3 * BCACHE_BLOCK + 7, 3 * BCACHE_BLOCK), 0);
	memset(model + 3 * BCACHE_BLOCK + 7, 0, 3 * BCACHE_BLOCK);
	CHECK_INT(bcache_sync(c), 0);
	CHECK(memcmp(disk.durable, model, 700 * BCACHE_BLOCK) == 0);
	bcache_destroy(c);
}

int main(void)
{
	test_reads_see_writes();
	test_sync_is_durable();
	test_flush_only_when_caching();
	test_errors();
	test_batching();
	return check_report();
}
