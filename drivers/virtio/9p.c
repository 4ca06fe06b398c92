/* virtio-9p (virtio 1.x section 5.11; QEMU's virtio-9p-pci and
 * virtio-9p-device): one request queue carrying 9P messages. Each request
 * is two buffers, the T-message (device-readable) and room for the
 * R-message (device-writable), from one of a few slots allocated at probe,
 * so several requests can be in flight, one per slot. The device's answer
 * is found by the virtqueue's cookie, never by anything it wrote; the
 * length it reports is checked by the ring against the room given.
 *
 * Threads wait on their slot's semaphore; the interrupt handler (which
 * runs only while the scheduler idles, never inside a thread's virtqueue
 * call) takes completions from the ring and wakes their owners. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/9p/p9dev.h"
#include "drivers/virtio/virtio.h"
#include "kernel/device.h"
#include "kernel/log.h"
#include "kernel/machine.h"
#include "kernel/mm.h"
#include "kernel/sync.h"
#include "kernel/thread.h"

#define V9P_F_MOUNT_TAG 0
#define V9P_CONFIG_TAG_LEN 0
#define V9P_CONFIG_TAG 2

/* QEMU's queue has 128 entries; a legacy device's cannot be shrunk. */
#define QUEUE_MAX 256
#define SLOTS 4
/* Each slot's buffers, each way: 9P's msize. 64 KiB keeps a large read to
 * few round trips for 512 KiB of memory per share. */
#define MSG_SIZE (64 * 1024)
#define MSG_PAGES (MSG_SIZE / PAGE_SIZE)

struct vslot {
	struct p9_slot s;       /* first: the p9dev's view of it */
	struct semaphore done;
	bool in_use, finished;
};

struct v9p {
	struct virtio_device *dev;
	struct p9dev pd;
	struct virtqueue q;
	struct vslot slots[SLOTS];
	unsigned nslots;
	struct semaphore free_slots;
	bool dead;
};

static uint64_t dma(const void *p) { return (uintptr_t)p; }     /* identity-mapped pages */

static struct p9_slot *get_slot(struct p9dev *pd)
{
	struct v9p *v = pd->driver;
	sem_down_until(&v->free_slots, DEADLINE_NONE);
	for (unsigned i = 0; i < v->nslots; i++) {
		if (!v->slots[i].in_use) {
			v->slots[i].in_use = true;
			return &v->slots[i].s;
		}
	}
	return NULL;            /* not reached: the semaphore counts free slots */
}

static void put_slot(struct p9dev *pd, struct p9_slot *s)
{
	struct v9p *v = pd->driver;
	((struct vslot *)s)->in_use = false;
	sem_up(&v->free_slots);
}

/* A broken ring (the device wrote an id or length that cannot be) ends the
 * device: every waiter is woken to see it dead. */
static void check_broken(struct v9p *v)
{
	if (!v->q.broken || v->dead)
		return;
	v->dead = true;
	log_err("skiff: %s: queue broken: %s\n", v->pd.driver_name, v->q.broken_reason);
	virtio_fail(v->dev, "misbehaving device");
	for (unsigned i = 0; i < v->nslots; i++)
		if (v->slots[i].in_use)
			sem_up(&v->slots[i].done);
}

static void complete_all(struct v9p *v)
{
	uint32_t len;
	void *cookie;
	do {
		while ((cookie = virtq_get_used(&v->q, &len))) {
			struct vslot *vs = cookie;
			vs->s.r_len = len;      /* <= MSG_SIZE: the ring checked it */
			vs->finished = true;
			sem_up(&vs->done);
		}
	} while (virtq_enable_interrupts(&v->q));       /* a completion raced in */
	check_broken(v);
}

static int rpc(struct p9dev *pd, struct p9_slot *s, size_t t_len)
{
	struct v9p *v = pd->driver;
	struct vslot *vs = (struct vslot *)s;
	if (v->dead)
		return -EIO;
	if (t_len > MSG_SIZE)
		return -EMSGSIZE;
	struct virtq_buf parts[2] = { { dma(s->t), (uint32_t)t_len }, { dma(s->r), MSG_SIZE } };
	vs->finished = false;
	s->r_len = 0;
	/* Never -ENOSPC: there are at most half as many slots as entries. */
	int err = virtq_add(&v->q, parts, 1, 1, vs);
	if (err)
		return err == -ENOSPC ? -EIO : err;
	virtio_kick(v->dev, &v->q);
	while (!vs->finished && !v->dead)
		sem_down_until(&vs->done, DEADLINE_NONE);
	return vs->finished ? 0 : -EIO;
}

static void interrupt(void *ctx)
{
	struct v9p *v = ctx;
	if (v->dev->ops->ack_interrupt(v->dev))
		complete_all(v);
}

/* The mount tag (config: le16 tag_len, then the tag, not NUL-terminated),
 * checked: a length past our room or a NUL inside is refused. */
static int read_tag(struct v9p *v)
{
	struct virtio_device *d = v->dev;
	if (!virtio_has(d, V9P_F_MOUNT_TAG)) {
		log_err("skiff: %s: the device offers no mount tag; not used\n", d->name);
		return -EINVAL;
	}
	uint16_t len;
	d->ops->read_config(d, V9P_CONFIG_TAG_LEN, &len, 2);
	if (len == 0 || len > P9DEV_TAG_MAX) {
		log_err("skiff: %s: mount tag of %u bytes (1..%d expected); not used\n", d->name, len,
			P9DEV_TAG_MAX);
		return -EINVAL;
	}
	d->ops->read_config(d, V9P_CONFIG_TAG, v->pd.tag, len);
	v->pd.tag[len] = '\0';
	if (strlen(v->pd.tag) != len) {
		log_err("skiff: %s: mount tag holds a NUL byte; not used\n", d->name);
		return -EINVAL;
	}
	return 0;
}

static int setup_slots(struct v9p *v)
{
	v->nslots = v->q.size / 2 < SLOTS ? v->q.size / 2 : SLOTS;
	if (v->nslots == 0)
		return -ENODEV;
	for (unsigned i = 0; i < v->nslots; i++) {
		struct vslot *vs = &v->slots[i];
		vs->s.t = (uint8_t *)(uintptr_t)page_alloc(MSG_PAGES);
		vs->s.r = (uint8_t *)(uintptr_t)page_alloc(MSG_PAGES);
		vs->s.index = (uint16_t)i;
		if (!vs->s.t || !vs->s.r)
			return -ENOMEM;
	}
	v->free_slots.count = v->nslots;
	return 0;
}

/* Undoes a probe that got as far as its queue: the device stops first,
 * so it no longer writes into what is freed. */
static void unwind(struct v9p *v)
{
	virtio_reset(v->dev);
	machine_irq_detach(interrupt, v);
	for (unsigned i = 0; i < SLOTS; i++) {
		if (v->slots[i].s.t)
			page_free((uintptr_t)v->slots[i].s.t, MSG_PAGES);
		if (v->slots[i].s.r)
			page_free((uintptr_t)v->slots[i].s.r, MSG_PAGES);
	}
	virtio_queue_destroy(&v->q);
	free(v);
}

static int probe(void *device)
{
	struct virtio_device *d = device;
	if (p9dev_count() == P9DEV_MAX) {
		log_err("skiff: %s: a 9p share past the %dth is not used\n", d->name, P9DEV_MAX);
		return -ENOSPC;
	}
	struct v9p *v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->dev = d;
	int err = virtio_negotiate(d, (1ull << V9P_F_MOUNT_TAG) | (1ull << VIRTIO_F_EVENT_IDX));
	if (!err)
		err = read_tag(v);
	if (err) {
		virtio_reset(d);
		free(v);
		return err;
	}
	memcpy(v->pd.driver_name, d->name, sizeof(v->pd.driver_name));
	v->pd.msg_size = MSG_SIZE;
	v->pd.get_slot = get_slot;
	v->pd.put_slot = put_slot;
	v->pd.rpc = rpc;
	v->pd.driver = v;
	err = d->ops->attach_interrupt(d, interrupt, v);
	if (!err)
		err = virtio_queue_create(d, 0, QUEUE_MAX, &v->q);
	if (!err)
		err = setup_slots(v);
	if (!err && p9dev_find(v->pd.tag)) {
		log_err("skiff: %s: mount tag '%s' is taken by an earlier device; not used\n", d->name,
			v->pd.tag);
		err = -EEXIST;
	}
	if (err) {
		unwind(v);
		return err;
	}
	sched_add_interrupt_source();
	virtio_ready(d);
	p9dev_register(&v->pd);         /* room and tag checked above: probes run one at a time */
	log_debug("skiff: %s: 9p share '%s', %u requests in flight, %s\n", d->name, v->pd.tag, v->nslots,
		  d->modern ? "virtio 1.x" : "legacy");
	return 0;
}

/* Linked when the 9p file system names it (fs/9p.c, in libfs.a with the
 * rest of the file system: an app that uses no file carries neither). */
const struct driver virtio_9p_driver = { "virtio-9p", BUS_VIRTIO, VIRTIO_ID_9P, probe };
DRIVER_REGISTER(virtio_9p_driver);
