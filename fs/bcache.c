/* The block cache (bcache.h).
 *
 * Blocks live in a hash table by block number and on one LRU list (most
 * recent first); dirty ones are also on a dirty list. A block's memory is
 * allocated once and reused: eviction takes the least recently used clean
 * block. Blocks handed to a request are not on the LRU list while it runs,
 * so nothing evicts them (one thread at a time, but the request sleeps).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fs/bcache.h"

#define MIN_BLOCKS 64

struct cblock {
	uint64_t index;
	uint8_t *data;
	bool dirty;
	struct cblock *hash_next;
	struct cblock *lru_prev, *lru_next;
	struct cblock *dirty_next, *dirty_prev;
};

struct bcache {
	struct blkdev *dev;
	uint64_t disk_bytes;
	size_t max_blocks, nblocks;
	struct cblock **hash;
	size_t hash_mask;
	struct cblock *lru_head, *lru_tail;     /* head: most recently used */
	struct cblock *dirty_head;
	size_t ndirty;
	uint64_t next_sequential;               /* block after the last miss's run */
	unsigned readahead;                     /* blocks, grows while sequential */
	struct bcache_stats stats;
};

/* --- lists ------------------------------------------------------------- */

static size_t hash_of(const struct bcache *c, uint64_t index)
{
	return (size_t)((index * 0x9E3779B97F4A7C15ull) >> 20) & c->hash_mask;
}

static struct cblock *lookup(struct bcache *c, uint64_t index)
{
	for (struct cblock *b = c->hash[hash_of(c, index)]; b; b = b->hash_next)
		if (b->index == index)
			return b;
	return NULL;
}

static void hash_insert(struct bcache *c, struct cblock *b)
{
	struct cblock **slot = &c->hash[hash_of(c, b->index)];
	b->hash_next = *slot;
	*slot = b;
}

static void hash_remove(struct bcache *c, struct cblock *b)
{
	for (struct cblock **p = &c->hash[hash_of(c, b->index)]; *p; p = &(*p)->hash_next)
		if (*p == b) {
			*p = b->hash_next;
			return;
		}
}

static void lru_unlink(struct bcache *c, struct cblock *b)
{
	if (b->lru_prev)
		b->lru_prev->lru_next = b->lru_next;
	else
		c->lru_head = b->lru_next;
	if (b->lru_next)
		b->lru_next->lru_prev = b->lru_prev;
	else
		c->lru_tail = b->lru_prev;
	b->lru_prev = b->lru_next = NULL;
}

static void lru_push_front(struct bcache *c, struct cblock *b)
{
	b->lru_prev = NULL;
	b->lru_next = c->lru_head;
	if (c->lru_head)
		c->lru_head->lru_prev = b;
	else
		c->lru_tail = b;
	c->lru_head = b;
}

static void touch(struct bcache *c, struct cblock *b)
{
	if (c->lru_head != b) {
		lru_unlink(c, b);
		lru_push_front(c, b);
	}
}

static void mark_dirty(struct bcache *c, struct cblock *b)
{
	if (b->dirty)
		return;
	b->dirty = true;
	b->dirty_prev = NULL;
	b->dirty_next = c->dirty_head;
	if (c->dirty_head)
		c->dirty_head->dirty_prev = b;
	c->dirty_head = b;
	c->ndirty++;
}

static void mark_clean(struct bcache *c, struct cblock *b)
{
	if (!b->dirty)
		return;
	b->dirty = false;
	if (b->dirty_prev)
		b->dirty_prev->dirty_next = b->dirty_next;
	else
		c->dirty_head = b->dirty_next;
	if (b->dirty_next)
		b->dirty_next->dirty_prev = b->dirty_prev;
	b->dirty_next = b->dirty_prev = NULL;
	c->ndirty--;
}

/* --- the disk ---------------------------------------------------------- */

/* Bytes of block `index` that lie on the disk (the last may be short). */
static uint32_t block_len(const struct bcache *c, uint64_t index)
{
	uint64_t start = index * BCACHE_BLOCK;
	uint64_t left = c->disk_bytes - start;
	return left < BCACHE_BLOCK ? (uint32_t)left : BCACHE_BLOCK;
}

/* Blocks one request may carry. */
static unsigned run_limit(const struct bcache *c)
{
	unsigned by_size = c->dev->max_transfer / BCACHE_BLOCK;
	unsigned n = c->dev->max_segs < by_size ? c->dev->max_segs : by_size;
	return n ? n : 1;
}

static void fill_request(const struct bcache *c, struct blk_request *r, enum blk_op op, struct cblock **blocks,
			 unsigned n)
{
	memset(r, 0, sizeof(*r));
	r->op = op;
	r->sector = blocks[0]->index * (BCACHE_BLOCK / BLK_SECTOR);
	r->nsegs = n;
	for (unsigned i = 0; i < n; i++)
		r->segs[i] = (struct blk_seg){ blocks[i]->data, block_len(c, blocks[i]->index) };
}

static int compare_index(const void *a, const void *b)
{
	uint64_t x = (*(struct cblock *const *)a)->index, y = (*(struct cblock *const *)b)->index;
	return x < y ? -1 : x > y;
}

/* Writes list[0..n) (sorted, dirty) as runs of adjacent blocks, one
 * request each, up to WRITE_BATCH requests in flight. Only what the
 * device confirmed becomes clean: a failed run stays dirty and is tried
 * again by the next write-back. */
#define WRITE_BATCH 64
static int write_sorted(struct bcache *c, struct cblock **list, size_t n)
{
	struct blk_request *reqs = malloc(WRITE_BATCH * sizeof(*reqs));
	if (!reqs)
		return -ENOMEM;
	unsigned limit = run_limit(c);
	size_t first[WRITE_BATCH];
	int err = 0;
	for (size_t i = 0; i < n;) {
		unsigned nreqs = 0;
		while (i < n && nreqs < WRITE_BATCH) {
			unsigned len = 1;
			while (i + len < n && len < limit && list[i + len]->index == list[i]->index + len)
				len++;
			first[nreqs] = i;
			fill_request(c, &reqs[nreqs++], BLK_WRITE, &list[i], len);
			i += len;
		}
		int e = blkdev_run(c->dev, reqs, nreqs);
		if (e && !err)
			err = e;
		for (unsigned r = 0; r < nreqs; r++) {
			if (reqs[r].result)
				continue;
			for (unsigned k = 0; k < reqs[r].nsegs; k++)
				mark_clean(c, list[first[r] + k]);
			c->stats.writebacks += reqs[r].nsegs;
		}
	}
	free(reqs);
	return err;
}

int bcache_writeback(struct bcache *c)
{
	if (!c->ndirty)
		return 0;
	size_t n = c->ndirty, i = 0;
	struct cblock **list = malloc(n * sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (struct cblock *b = c->dirty_head; b; b = b->dirty_next)
		list[i++] = b;
	qsort(list, n, sizeof(*list), compare_index);
	int err = write_sorted(c, list, n);
	free(list);
	return err;
}

int bcache_sync(struct bcache *c)
{
	int err = bcache_writeback(c);
	if (err)
		return err;
	if (!c->dev->volatile_cache)
		return 0;
	c->stats.flushes++;
	return blkdev_flush(c->dev);
}

/* --- blocks ------------------------------------------------------------ */

/* A block's memory for `index`, not yet in the table: a new one while the
 * cache has room, else the least recently used clean one (writing dirty
 * blocks back first when every block is dirty). NULL with *err set. */
static struct cblock *take_block(struct bcache *c, uint64_t index, int *err)
{
	struct cblock *b = NULL;
	if (c->nblocks < c->max_blocks) {
		b = calloc(1, sizeof(*b));
		uint8_t *data = b ? blk_buffer_alloc(BCACHE_BLOCK) : NULL;
		if (b && data) {
			b->data = data;
			c->nblocks++;
		} else {
			free(b);
			b = NULL;
		}
	}
	if (!b && c->ndirty >= c->max_blocks * 3 / 4) {
		/* Mostly dirty: write back now rather than search the LRU for
		 * the few clean blocks at every miss. */
		*err = bcache_writeback(c);
		if (*err)
			return NULL;
	}
	if (!b) {
		for (struct cblock *v = c->lru_tail; v && !b; v = v->lru_prev)
			if (!v->dirty)
				b = v;
		if (!b) {
			*err = bcache_writeback(c);
			if (*err)
				return NULL;
			b = c->lru_tail;
		}
		if (!b) {
			*err = -ENOMEM;
			return NULL;
		}
		lru_unlink(c, b);
		hash_remove(c, b);
	}
	b->index = index;
	b->dirty = false;
	return b;
}

static void insert_block(struct bcache *c, struct cblock *b)
{
	hash_insert(c, b);
	lru_push_front(c, b);
}

/* Gives taken blocks back unused (a failed read). */
static void drop_blocks(struct bcache *c, struct cblock **blocks, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		blocks[i]->index = UINT64_MAX;
		/* Out of the table, at the LRU tail: the first to be reused. */
		blocks[i]->lru_next = NULL;
		blocks[i]->lru_prev = c->lru_tail;
		if (c->lru_tail)
			c->lru_tail->lru_next = blocks[i];
		else
			c->lru_head = blocks[i];
		c->lru_tail = blocks[i];
	}
}

/* Reads block `index` and, when `ahead`, the blocks after it that are
 * missing (up to `want` in all), in one request. */
static int fill(struct bcache *c, uint64_t index, unsigned want)
{
	uint64_t nblocks_disk = (c->disk_bytes + BCACHE_BLOCK - 1) / BCACHE_BLOCK;
	unsigned limit = run_limit(c), n = 0;
	if (want > limit)
		want = limit;
	if (want > c->max_blocks / 2)
		want = (unsigned)(c->max_blocks / 2);
	struct cblock *blocks[BLK_SEGS_MAX];
	int err = 0;
	while (n < want && index + n < nblocks_disk && (n == 0 || !lookup(c, index + n))) {
		struct cblock *b = take_block(c, index + n, &err);
		if (!b)
			break;
		blocks[n++] = b;
	}
	if (!n)
		return err ? err : -ENOMEM;
	struct blk_request r;
	fill_request(c, &r, BLK_READ, blocks, n);
	err = blkdev_run(c->dev, &r, 1);
	if (err) {
		drop_blocks(c, blocks, n);
		return err;
	}
	for (unsigned i = 0; i < n; i++)
		insert_block(c, blocks[i]);
	c->stats.misses++;
	c->stats.readahead += n - 1;
	return 0;
}

/* The cached block `index`, read on a miss (with read-ahead when the
 * misses are sequential and `read_ahead` is asked for). */
static struct cblock *get_block(struct bcache *c, uint64_t index, bool read_ahead, int *err)
{
	struct cblock *b = lookup(c, index);
	if (b) {
		c->stats.hits++;
		touch(c, b);
		return b;
	}
	unsigned want = 1;
	if (read_ahead) {
		if (index == c->next_sequential && c->readahead) {
			c->readahead = c->readahead * 2 > BCACHE_READAHEAD_MAX ? BCACHE_READAHEAD_MAX : c->readahead * 2;
		} else {
			c->readahead = index == c->next_sequential ? 4 : 0;
		}
		want = 1 + c->readahead;
	}
	*err = fill(c, index, want);
	if (*err)
		return NULL;
	b = lookup(c, index);
	for (uint64_t i = index; lookup(c, i) && i < index + want; i++)
		c->next_sequential = i + 1;
	return b;
}

/* A block about to be overwritten whole: no read needed. */
static struct cblock *block_for_overwrite(struct bcache *c, uint64_t index, int *err)
{
	struct cblock *b = lookup(c, index);
	if (b) {
		touch(c, b);
		return b;
	}
	b = take_block(c, index, err);
	if (b)
		insert_block(c, b);
	return b;
}

/* --- the interface ------------------------------------------------------ */

struct bcache *bcache_create(struct blkdev *dev, size_t max_bytes)
{
	struct bcache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->dev = dev;
	c->disk_bytes = dev->sectors * BLK_SECTOR;
	c->max_blocks = (max_bytes ? max_bytes : BCACHE_DEFAULT_BYTES) / BCACHE_BLOCK;
	if (c->max_blocks < MIN_BLOCKS)
		c->max_blocks = MIN_BLOCKS;
	size_t buckets = 1;
	while (buckets < c->max_blocks * 2)
		buckets <<= 1;
	c->hash = calloc(buckets, sizeof(*c->hash));
	if (!c->hash) {
		free(c);
		return NULL;
	}
	c->hash_mask = buckets - 1;
	c->next_sequential = UINT64_MAX;
	return c;
}

void bcache_destroy(struct bcache *c)
{
	if (!c)
		return;
	struct cblock *b = c->lru_head;
	while (b) {
		struct cblock *next = b->lru_next;
		blk_buffer_free(b->data, BCACHE_BLOCK);
		free(b);
		b = next;
	}
	free(c->hash);
	free(c);
}

struct blkdev *bcache_device(const struct bcache *c) { return c->dev; }

static int check_range(const struct bcache *c, uint64_t offset, uint64_t len)
{
	return offset > c->disk_bytes || len > c->disk_bytes - offset ? -EINVAL : 0;
}

int bcache_read(struct bcache *c, uint64_t offset, void *buf, size_t len)
{
	int err = check_range(c, offset, len);
	uint8_t *out = buf;
	while (!err && len) {
		uint64_t index = offset / BCACHE_BLOCK;
		size_t at = offset % BCACHE_BLOCK, n = BCACHE_BLOCK - at;
		if (n > len)
			n = len;
		struct cblock *b = get_block(c, index, true, &err);
		if (!b)
			break;
		memcpy(out, b->data + at, n);
		out += n;
		offset += n;
		len -= n;
	}
	return err;
}

/* Writes `len` bytes of `buf`, or zeroes when buf is NULL. */
static int write_range(struct bcache *c, uint64_t offset, const uint8_t *buf, uint64_t len)
{
	if (c->dev->read_only)
		return -EROFS;
	int err = check_range(c, offset, len);
	while (!err && len) {
		uint64_t index = offset / BCACHE_BLOCK;
		size_t at = offset % BCACHE_BLOCK, n = BCACHE_BLOCK - at;
		if (n > len)
			n = (size_t)len;
		bool whole = at == 0 && n >= block_len(c, index);
		struct cblock *b = whole ? block_for_overwrite(c, index, &err) : get_block(c, index, false, &err);
		if (!b)
			break;
		if (buf)
			memcpy(b->data + at, buf, n);
		else
			memset(b->data + at, 0, n);
		mark_dirty(c, b);
		if (buf)
			buf += n;
		offset += n;
		len -= n;
	}
	return err;
}

int bcache_write(struct bcache *c, uint64_t offset, const void *buf, size_t len)
{
	return write_range(c, offset, buf, len);
}

int bcache_zero(struct bcache *c, uint64_t offset, uint64_t len)
{
	return write_range(c, offset, NULL, len);
}

void bcache_get_stats(const struct bcache *c, struct bcache_stats *out)
{
	*out = c->stats;
	out->cached_blocks = c->nblocks;
	out->dirty_blocks = c->ndirty;
}
