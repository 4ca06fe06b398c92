/* Disks as file systems see them, whatever the driver (virtio-blk today; a
 * test's fake disk on the host). A driver fills a struct blkdev and
 * registers it; disks are named vda, vdb... in the order they register
 * (the order of QEMU's -drive/-device options on one bus).
 *
 * Requests are asynchronous: submit() queues one and returns; the driver
 * calls its done() exactly once when the device answered, possibly from an
 * interrupt handler, so done() may only record the result and wake a
 * thread (sem_up). blkdev_run() is the synchronous way in: it keeps as
 * many requests in flight as the device takes and waits for all.
 *
 * Buffers are what a device can reach: memory from blk_buffer_alloc (or
 * the page allocator), never the malloc heap or a stack, which are mapped
 * page by page elsewhere (kernel/mm.h). Lengths are multiples of
 * BLK_SECTOR.
 */
#ifndef SKIFF_BLOCK_BLKDEV_H
#define SKIFF_BLOCK_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/sync.h"

#define BLKDEV_MAX 8
#define BLK_SECTOR 512u
#define BLK_SEGS_MAX 32         /* buffers of one request */

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

struct blk_seg {
	void *buf;
	uint32_t len;
};

struct blk_request {
	enum blk_op op;
	uint64_t sector;                /* 512-byte units; unused by FLUSH */
	unsigned nsegs;                 /* 0 for FLUSH */
	struct blk_seg segs[BLK_SEGS_MAX];
	int result;                     /* 0 or -errno, set before done() */
	void (*done)(struct blk_request *r);
	void *ctx;                      /* the submitter's */
};

struct blkdev {
	char name[8];                   /* "vda": set by blkdev_register */
	char serial[24];                /* the device's id, "" when it has none */
	char driver_name[24];           /* for messages: "virtio-blk@pci0:4.0" */
	uint64_t sectors;               /* capacity in BLK_SECTOR units */
	uint32_t block_size;            /* smallest write the device does whole */
	bool read_only;                 /* writes fail with -EROFS */
	bool volatile_cache;            /* a write is durable only after FLUSH */
	unsigned max_segs;              /* <= BLK_SEGS_MAX */
	uint32_t max_transfer;          /* bytes of one request */
	/* Queues r: 0 (done() follows), -EBUSY when the device's queue is full
	 * (retry after a completion), -EROFS, -EINVAL for a request outside
	 * the disk or malformed, -EIO when the device is dead. done() is not
	 * called when submit fails. */
	int (*submit)(struct blkdev *d, struct blk_request *r);
	void *driver;
	/* Counters, for loglevel=debug and tests. */
	uint64_t reads, writes, flushes, errors;
	/* blkdev_run's: threads waiting for a free place in the device's
	 * queue that requests of other threads fill. */
	struct semaphore room;
	unsigned room_waiters;
};

/* Memory for request buffers: `bytes` rounded up to whole pages, which
 * are contiguous; NULL when there is none. */
void *blk_buffer_alloc(size_t bytes);
void blk_buffer_free(void *p, size_t bytes);

/* Names the disk (vda, vdb...) and lists it: its index, or -ENOSPC. */
int blkdev_register(struct blkdev *d);
int blkdev_count(void);
struct blkdev *blkdev_get(int index);
/* The disk named `name` ("vda"), or NULL. */
struct blkdev *blkdev_find(const char *name);
/* Forgets every disk (host tests). */
void blkdev_reset_registry(void);

/* Runs `count` requests (their done and ctx are blkdev_run's), as many at
 * once as the device takes, and waits for all of them. Returns 0 or the
 * first error. Blocks the calling thread only. */
int blkdev_run(struct blkdev *d, struct blk_request *reqs, unsigned count);
/* Reads or writes `len` bytes at byte `offset` (both BLK_SECTOR-aligned)
 * from one buffer of blk_buffer_alloc, split as the device requires. */
int blkdev_rw(struct blkdev *d, enum blk_op op, uint64_t offset, void *buf, size_t len);
/* Makes every completed write durable: FLUSH when the device caches
 * writes, nothing otherwise. */
int blkdev_flush(struct blkdev *d);

#endif
