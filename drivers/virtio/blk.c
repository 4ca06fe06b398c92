/* virtio-blk (virtio 1.x section 5.2): one request queue, as many requests
 * in flight as its descriptors hold, read, write, flush and get-id, on
 * either transport. Disks register with drivers/block in probe order (vda,
 * vdb...).
 *
 * A request is a chain: the 16-byte header (device-readable), the data
 * segments (readable for a write, writable for a read), the status byte
 * (writable). Completions are reaped in the interrupt handler, which calls
 * each request's done() (blkdev.h: done only records and wakes). Threads
 * run with interrupts off (kernel/thread.h), so the handler never meets a
 * half-made chain. Requests queued by one thread are told to the device
 * together when it gives up the CPU (a switch hook), usually in
 * blkdev_run's wait.
 *
 * What the device writes is untrusted: the used ring is checked by
 * virtqueue.c, the status byte must be one of the three the spec defines,
 * and a successful read must report its whole length.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/block/blkdev.h"
#include "drivers/virtio/virtio.h"
#include "kernel/arch.h"
#include "kernel/device.h"
#include "kernel/log.h"
#include "kernel/machine.h"
#include "kernel/thread.h"

#define BLK_F_SIZE_MAX 1
#define BLK_F_SEG_MAX 2
#define BLK_F_RO 5
#define BLK_F_BLK_SIZE 6
#define BLK_F_FLUSH 9

#define CONFIG_CAPACITY 0
#define CONFIG_SIZE_MAX 8
#define CONFIG_SEG_MAX 12
#define CONFIG_BLK_SIZE 20

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2
#define ID_BYTES 20

#define QUEUE_MAX 256
#define GET_ID_WAIT_NS (1000ull * 1000000ull)

struct blk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Per request in flight: what the device reads and writes around the data
 * (in page memory, which the device can reach). */
struct slot {
	struct blk_header header;
	uint8_t status;
	char id[ID_BYTES];              /* get-id's answer (the probe's slot) */
	bool internal_done;             /* for the probe's own get-id */
	uint32_t data_len;              /* bytes the device should write (reads) */
	struct blk_request *req;        /* NULL for an internal request */
};

struct vblk {
	struct virtio_device *dev;
	struct blkdev bd;
	struct virtqueue q;
	struct slot *slots;
	uint16_t *free_slots;
	unsigned free_count, nslots;
	bool unkicked;
	bool dead;
};

static uint64_t dma(const void *p) { return (uintptr_t)p; }     /* identity-mapped */

/* The status the device left, as 0 or -errno; a value the spec does not
 * define, or a read that came back short, is a device error. */
static int slot_result(const struct slot *s, uint32_t written)
{
	if (written < 1)
		return -EIO;
	switch (s->status) {
	case S_OK:
		return s->header.type == T_IN && written != s->data_len + 1 ? -EIO : 0;
	case S_UNSUPP:
		return -EOPNOTSUPP;
	default:
		return -EIO;
	}
}

static void complete(struct vblk *b, unsigned index, int result)
{
	struct slot *s = &b->slots[index];
	struct blk_request *r = s->req;
	b->free_slots[b->free_count++] = (uint16_t)index;
	if (!r) {
		s->internal_done = true;
		return;
	}
	s->req = NULL;
	if (result)
		b->bd.errors++;
	r->result = result;
	r->done(r);
}

/* A device that broke its queue answers nothing more: every request still
 * in flight fails, so no thread waits for ever. */
static void fail_all(struct vblk *b, const char *why)
{
	if (b->dead)
		return;
	b->dead = true;
	log_err("skiff: %s (%s): %s; disk disabled\n", b->bd.name, b->dev->name, why);
	virtio_fail(b->dev, "misbehaving device");
	for (unsigned i = 0; i < b->nslots; i++)
		if (b->slots[i].req)
			complete(b, i, -EIO);
}

static void reap(struct vblk *b)
{
	uint32_t len;
	void *cookie;
	while ((cookie = virtq_get_used(&b->q, &len))) {
		unsigned index = (unsigned)((uintptr_t)cookie - 1);
		complete(b, index, slot_result(&b->slots[index], len));
	}
	if (b->q.broken)
		fail_all(b, b->q.broken_reason);
}

static void interrupt(void *ctx)
{
	struct vblk *b = ctx;
	if (b->dev->ops->ack_interrupt(b->dev))
		reap(b);
}

static void kick(struct vblk *b)
{
	b->unkicked = false;
	virtio_kick(b->dev, &b->q);
}

static void kick_at_switch(void *ctx)
{
	struct vblk *b = ctx;
	if (b->unkicked)
		kick(b);
}

/* Queues a chain for slot `index`: header, segments, status. */
static int add_chain(struct vblk *b, unsigned index, uint32_t type, uint64_t sector, const struct blk_seg *segs,
		     unsigned nsegs, bool device_writes_data)
{
	struct slot *s = &b->slots[index];
	struct virtq_buf bufs[BLK_SEGS_MAX + 2];
	s->header = (struct blk_header){ type, 0, sector };
	s->status = 0xFF;
	s->data_len = 0;
	bufs[0] = (struct virtq_buf){ dma(&s->header), sizeof(s->header) };
	for (unsigned i = 0; i < nsegs; i++) {
		bufs[1 + i] = (struct virtq_buf){ dma(segs[i].buf), segs[i].len };
		s->data_len += segs[i].len;
	}
	bufs[1 + nsegs] = (struct virtq_buf){ dma(&s->status), 1 };
	unsigned out = device_writes_data ? 1 : 1 + nsegs;
	int err = virtq_add(&b->q, bufs, out, 2 + nsegs - out, (void *)(uintptr_t)(index + 1));
	return err == -ENOSPC ? -EBUSY : err;
}

static int check_request(const struct vblk *b, const struct blk_request *r)
{
	if (r->op == BLK_FLUSH)
		return 0;
	if ((r->op != BLK_READ && r->op != BLK_WRITE) || r->nsegs == 0 || r->nsegs > b->bd.max_segs)
		return -EINVAL;
	uint64_t len = 0;
	for (unsigned i = 0; i < r->nsegs; i++)
		len += r->segs[i].len;
	if (len % BLK_SECTOR || len > b->bd.max_transfer || r->sector > b->bd.sectors ||
	    len / BLK_SECTOR > b->bd.sectors - r->sector)
		return -EINVAL;
	if (r->op == BLK_WRITE && b->bd.read_only)
		return -EROFS;
	return 0;
}

static int submit(struct blkdev *bd, struct blk_request *r)
{
	struct vblk *b = bd->driver;
	int err = check_request(b, r);
	if (err)
		return err;
	if (b->dead)
		return -EIO;
	if (r->op == BLK_FLUSH && !virtio_has(b->dev, BLK_F_FLUSH)) {
		r->result = 0;          /* a write-through device: nothing to flush */
		bd->flushes++;
		r->done(r);
		return 0;
	}
	if (b->free_count == 0) {
		kick(b);
		return -EBUSY;
	}
	unsigned index = b->free_slots[b->free_count - 1];
	uint32_t type = r->op == BLK_READ ? T_IN : r->op == BLK_WRITE ? T_OUT : T_FLUSH;
	err = add_chain(b, index, type, r->op == BLK_FLUSH ? 0 : r->sector, r->segs, r->nsegs, r->op == BLK_READ);
	if (err) {
		if (err == -EBUSY)
			kick(b);        /* what is queued must reach the device to free room */
		return err;
	}
	b->free_count--;
	b->slots[index].req = r;
	if (r->op == BLK_READ)
		bd->reads++;
	else if (r->op == BLK_WRITE)
		bd->writes++;
	else
		bd->flushes++;
	b->unkicked = true;
	return 0;
}

/* The serial number (get-id), polled at probe with a bounded wait: the
 * probe runs before the scheduler has threads to wait in. */
static void read_id(struct vblk *b)
{
	unsigned index = b->free_slots[--b->free_count];
	struct slot *s = &b->slots[index];
	s->req = NULL;
	s->internal_done = false;
	struct blk_seg seg = { s->id, ID_BYTES };
	if (add_chain(b, index, T_GET_ID, 0, &seg, 1, true)) {
		b->free_slots[b->free_count++] = (uint16_t)index;
		return;
	}
	kick(b);
	uint64_t deadline = arch_monotonic_ns() + GET_ID_WAIT_NS;
	irqflags_t flags = arch_irq_save();
	while (!s->internal_done && !b->dead && arch_monotonic_ns() < deadline)
		reap(b);
	arch_irq_restore(flags);
	if (!s->internal_done || s->status != S_OK)
		return;                 /* no id (a late answer lands in the slot, harmlessly) */
	/* NUL-padded, not terminated when 20 bytes long; serial holds 23. */
	memcpy(b->bd.serial, s->id, ID_BYTES);
	b->bd.serial[ID_BYTES] = '\0';
}

static void read_config(struct vblk *b)
{
	struct virtio_device *d = b->dev;
	uint64_t capacity;
	d->ops->read_config(d, CONFIG_CAPACITY, &capacity, 8);
	b->bd.sectors = capacity;
	b->bd.block_size = BLK_SECTOR;
	if (virtio_has(d, BLK_F_BLK_SIZE)) {
		uint32_t size;
		d->ops->read_config(d, CONFIG_BLK_SIZE, &size, 4);
		if (size >= BLK_SECTOR && size <= 65536 && (size & (size - 1)) == 0)
			b->bd.block_size = size;
	}
	/* Segments: our header and status take two descriptors of a chain. */
	unsigned segs = BLK_SEGS_MAX;
	if ((unsigned)b->q.size - 2 < segs)
		segs = (unsigned)b->q.size - 2;
	if (virtio_has(d, BLK_F_SEG_MAX)) {
		uint32_t seg_max;
		d->ops->read_config(d, CONFIG_SEG_MAX, &seg_max, 4);
		if (seg_max >= 1 && seg_max < segs)
			segs = seg_max;
	}
	b->bd.max_segs = segs;
	b->bd.max_transfer = 1u << 20;
	if (virtio_has(d, BLK_F_SIZE_MAX)) {
		uint32_t size_max;
		d->ops->read_config(d, CONFIG_SIZE_MAX, &size_max, 4);
		/* size_max bounds each segment; ours are at most a page. */
		if (size_max >= BLK_SECTOR && size_max < 4096)
			b->bd.max_transfer = size_max / BLK_SECTOR * BLK_SECTOR;
	}
	b->bd.read_only = virtio_has(d, BLK_F_RO);
	/* Without FLUSH the device promises write-through (5.2.6.3). */
	b->bd.volatile_cache = virtio_has(d, BLK_F_FLUSH);
}

static void unwind(struct vblk *b)
{
	virtio_reset(b->dev);
	machine_irq_detach(interrupt, b);
	virtio_queue_destroy(&b->q);
	blk_buffer_free(b->slots, b->nslots * sizeof(*b->slots));
	free(b->free_slots);
	free(b);
}

static int probe(void *device)
{
	struct virtio_device *d = device;
	if (blkdev_count() == BLKDEV_MAX) {
		log_err("skiff: %s: a disk past the %dth is not used\n", d->name, BLKDEV_MAX);
		return -ENOSPC;
	}
	struct vblk *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->dev = d;
	int err = virtio_negotiate(d, (1ull << BLK_F_SIZE_MAX) | (1ull << BLK_F_SEG_MAX) | (1ull << BLK_F_RO) |
					  (1ull << BLK_F_BLK_SIZE) | (1ull << BLK_F_FLUSH) |
					  (1ull << VIRTIO_F_EVENT_IDX));
	if (err) {
		free(b);
		return err;
	}
	err = d->ops->attach_interrupt(d, interrupt, b);
	if (!err)
		err = virtio_queue_create(d, 0, QUEUE_MAX, &b->q);
	if (!err) {
		/* A chain takes at least three descriptors. */
		b->nslots = b->q.size / 3 ? b->q.size / 3 : 1;
		b->slots = blk_buffer_alloc(b->nslots * sizeof(*b->slots));
		if (b->slots)
			memset(b->slots, 0, b->nslots * sizeof(*b->slots));
		b->free_slots = calloc(b->nslots, sizeof(*b->free_slots));
		if (!b->slots || !b->free_slots)
			err = -ENOMEM;
		else if (b->q.size < 3)
			err = -ENODEV;
	}
	if (!err && sched_add_switch_hook(kick_at_switch, b))
		err = -ENOSPC;
	if (err) {
		unwind(b);
		return err;
	}
	for (unsigned i = 0; i < b->nslots; i++)
		b->free_slots[b->free_count++] = (uint16_t)(b->nslots - 1 - i);
	read_config(b);
	memcpy(b->bd.driver_name, d->name, sizeof(b->bd.driver_name));
	b->bd.submit = submit;
	b->bd.driver = b;
	sched_add_interrupt_source();
	virtio_ready(d);
	read_id(b);
	blkdev_register(&b->bd);        /* room checked above: probes run one at a time */
	log_debug("skiff: %s: %s, %llu sectors, %s%s, serial '%s', %u requests of %u segments\n", b->bd.name,
		  d->name, (unsigned long long)b->bd.sectors, b->bd.read_only ? "read-only" : "read-write",
		  b->bd.volatile_cache ? ", write cache" : "", b->bd.serial, b->nslots, b->bd.max_segs);
	return 0;
}

/* Linked when the storage layer names it (fs/storage.c). */
const struct driver virtio_blk_driver = { "virtio-blk", BUS_VIRTIO, VIRTIO_ID_BLOCK, probe };
DRIVER_REGISTER(virtio_blk_driver);
