/* Common virtio device initialisation (see virtio.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arch_barrier.h>

#include "drivers/virtio/virtio.h"
#include "kernel/device.h"
#include "kernel/log.h"
#include "kernel/mm.h"

void virtio_fail(struct virtio_device *d, const char *why)
{
	log_err("skiff: %s: %s; device disabled\n", d->name, why);
	d->ops->set_status(d, d->ops->get_status(d) | VIRTIO_STATUS_FAILED);
}

extern const struct bus *const virtio_bus_entry;

int virtio_negotiate(struct virtio_device *d, uint64_t wanted)
{
	BUS_USE(virtio_bus);    /* every driver negotiates: the bus comes with the first */
	d->ops->set_status(d, 0);                                       /* 1. reset */
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);               /* 2. */
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER); /* 3. */
	uint64_t offered = d->ops->get_features(d);                    /* 4. */
	if (d->modern)
		wanted |= 1ull << VIRTIO_F_VERSION_1;
	d->features = offered & wanted;
	d->ops->set_features(d, d->features);
	if (!d->modern)
		return 0;       /* legacy devices have no FEATURES_OK handshake */
	d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				      VIRTIO_STATUS_FEATURES_OK);          /* 5. */
	if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {    /* 6. */
		virtio_fail(d, "device did not accept our features");
		return -EIO;
	}
	return 0;
}

static size_t ring_pages(uint16_t size)
{
	return (virtq_ring_bytes(size) + PAGE_SIZE - 1) / PAGE_SIZE;
}

int virtio_queue_create(struct virtio_device *d, unsigned index, uint16_t max_size,
			struct virtqueue *q)
{
	uint16_t size = d->ops->queue_max(d, index);
	if (size == 0)
		return -ENODEV;
	while (size > max_size)
		size /= 2;      /* sizes are powers of two */
	uint64_t ring = page_alloc(ring_pages(size));   /* identity-mapped: DMA-able */
	struct virtq_state *state = calloc(size, sizeof(*state));
	if (!ring || !state) {
		if (ring)
			page_free(ring, ring_pages(size));
		free(state);
		return -ENOMEM;
	}
	int err = virtq_init(q, (uint16_t)index, size, (void *)(uintptr_t)ring, state,
			     virtio_has(d, VIRTIO_F_EVENT_IDX));
	if (err) {
		page_free(ring, ring_pages(size));
		free(state);
		return err;
	}
	dma_mb();                       /* the zeroed ring before its address */
	return d->ops->queue_enable(d, q, ring);
}

void virtio_ready(struct virtio_device *d)
{
	/* The rings and buffers (normal memory) must be visible before the
	 * device (uncached registers) is told it may use them: the two kinds
	 * of access are not ordered with each other on arm. */
	dma_mb();
	d->ops->set_status(d, d->ops->get_status(d) | VIRTIO_STATUS_DRIVER_OK);
}

void virtio_kick(struct virtio_device *d, struct virtqueue *q)
{
	if (virtq_kick_prepare(q))
		d->ops->notify(d, q);
}

void virtio_device_found(struct virtio_device *d)
{
	device_offer(BUS_VIRTIO, d->device_id, d, d->name);
}

void virtio_reset(struct virtio_device *d)
{
	d->ops->set_status(d, 0);
}

void virtio_queue_destroy(struct virtqueue *q)
{
	if (!q->size)
		return;
	page_free((uintptr_t)q->desc, ring_pages(q->size));
	free(q->state);
	memset(q, 0, sizeof(*q));
}

/* The virtio bus: both transports, PCI first (the order NICs have always
 * been numbered in). Linked with the first virtio driver. */
static void virtio_scan(void)
{
	virtio_pci_scan();
	virtio_mmio_scan();
}

static const struct bus virtio_bus = { "virtio", virtio_scan };
BUS_REGISTER(virtio_bus);
