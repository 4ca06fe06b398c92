/* The list of disks and the synchronous way to use them (blkdev.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "kernel/sync.h"

static struct blkdev *disks[BLKDEV_MAX];
static int count;

int blkdev_register(struct blkdev *d)
{
	if (count == BLKDEV_MAX)
		return -ENOSPC;
	d->name[0] = 'v';
	d->name[1] = 'd';
	d->name[2] = (char)('a' + count);
	d->name[3] = '\0';
	if (d->max_segs == 0 || d->max_segs > BLK_SEGS_MAX)
		d->max_segs = BLK_SEGS_MAX;
	if (d->max_transfer < BLK_SECTOR)
		d->max_transfer = BLK_SECTOR;
	disks[count] = d;
	return count++;
}

int blkdev_count(void) { return count; }

struct blkdev *blkdev_get(int index)
{
	return index >= 0 && index < count ? disks[index] : NULL;
}

struct blkdev *blkdev_find(const char *name)
{
	for (int i = 0; i < count; i++)
		if (strcmp(disks[i]->name, name) == 0)
			return disks[i];
	return NULL;
}

void blkdev_reset_registry(void)
{
	memset(disks, 0, sizeof(disks));
	count = 0;
}

/* One blkdev_run: completions counted by a semaphore, which done() may
 * raise from an interrupt handler. */
struct batch {
	struct semaphore completed;
	int error;
	struct blkdev *dev;
};

static void batch_done(struct blk_request *r)
{
	struct batch *b = r->ctx;
	if (r->result && !b->error)
		b->error = r->result;
	sem_up(&b->completed);
	if (b->dev->room_waiters) {
		b->dev->room_waiters--;
		sem_up(&b->dev->room);
	}
}

int blkdev_run(struct blkdev *d, struct blk_request *reqs, unsigned n)
{
	struct batch b = { .error = 0, .dev = d };
	unsigned in_flight = 0;
	int err = 0;
	for (unsigned i = 0; i < n && !err;) {
		reqs[i].done = batch_done;
		reqs[i].ctx = &b;
		reqs[i].result = 0;
		int e = d->submit(d, &reqs[i]);
		if (e == -EBUSY && in_flight) {
			sem_down_until(&b.completed, DEADLINE_NONE);
			in_flight--;
			continue;
		}
		if (e == -EBUSY) {
			/* Full of other threads' requests: wait for one of them
			 * (a dead device fails them all, so this ends). */
			d->room_waiters++;
			sem_down_until(&d->room, DEADLINE_NONE);
			continue;
		}
		if (e) {
			err = e;
			break;
		}
		in_flight++;
		i++;
	}
	while (in_flight--)
		sem_down_until(&b.completed, DEADLINE_NONE);
	if (err || b.error)
		d->errors++;
	return err ? err : b.error;
}

int blkdev_rw(struct blkdev *d, enum blk_op op, uint64_t offset, void *buf, size_t len)
{
	if (offset % BLK_SECTOR || len % BLK_SECTOR)
		return -EINVAL;
	/* Up to 16 requests per round, each one segment of max_transfer. */
	enum { ROUND = 16 };
	struct blk_request *reqs = calloc(ROUND, sizeof(*reqs));
	if (!reqs)
		return -ENOMEM;
	uint8_t *p = buf;
	int err = 0;
	while (len && !err) {
		unsigned n = 0;
		while (len && n < ROUND) {
			uint32_t chunk = len < d->max_transfer ? (uint32_t)len : d->max_transfer / BLK_SECTOR * BLK_SECTOR;
			reqs[n] = (struct blk_request){ .op = op, .sector = offset / BLK_SECTOR, .nsegs = 1 };
			reqs[n].segs[0] = (struct blk_seg){ p, chunk };
			p += chunk;
			offset += chunk;
			len -= chunk;
			n++;
		}
		err = blkdev_run(d, reqs, n);
	}
	free(reqs);
	return err;
}

int blkdev_flush(struct blkdev *d)
{
	if (!d->volatile_cache)
		return 0;
	struct blk_request r = { .op = BLK_FLUSH };
	return blkdev_run(d, &r, 1);
}
