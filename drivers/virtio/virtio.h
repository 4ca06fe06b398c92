/* Virtio devices: the transport interface (PCI or MMIO, one ops table) and
 * the device initialisation steps every driver shares (virtio 1.x section
 * 3.1.1). Device drivers (net.c, later blk.c) use only this and
 * virtqueue.h; they never touch a transport's registers.
 *
 * Errors are 0 or a negative errno. A device that misbehaves (refuses our
 * features, breaks a queue) is reported on the console and left alone.
 */
#ifndef SKIFF_VIRTIO_VIRTIO_H
#define SKIFF_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/virtio/virtqueue.h"
#include "kernel/arch.h"
#include "kernel/machine.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_9P 9

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_MAX_QUEUES 4

struct virtio_device;

struct virtio_transport_ops {
	uint64_t (*get_features)(struct virtio_device *d);
	void (*set_features)(struct virtio_device *d, uint64_t features);
	uint8_t (*get_status)(struct virtio_device *d);
	void (*set_status)(struct virtio_device *d, uint8_t status);
	/* Device-specific configuration, little-endian, at byte `offset`. */
	void (*read_config)(struct virtio_device *d, unsigned offset, void *buf, unsigned len);
	/* Largest size of queue `index`, 0 when the queue does not exist. */
	uint16_t (*queue_max)(struct virtio_device *d, unsigned index);
	/* Tells the device where queue q (already virtq_init'ed over ring
	 * memory at physical `ring`) lives, and enables it. */
	int (*queue_enable)(struct virtio_device *d, struct virtqueue *q, uint64_t ring);
	void (*notify)(struct virtio_device *d, struct virtqueue *q);
	/* Routes the device's interrupts (all queues and config changes) to
	 * fn; MSI-X where the transport offers it. */
	int (*attach_interrupt)(struct virtio_device *d, irq_handler_t fn, void *ctx);
	/* In the interrupt handler: acknowledges it; returns whether it was
	 * (possibly) this device's. */
	bool (*ack_interrupt)(struct virtio_device *d);
};

struct virtio_device {
	const struct virtio_transport_ops *ops;
	void *transport;                /* the transport's own state */
	uint32_t device_id;
	bool modern;                    /* virtio 1.x (else legacy 0.9.5) */
	uint64_t features;              /* negotiated */
	char name[24];                  /* for messages: "virtio-net@pci0:3.0" */
};

/* Found by a transport's scan: hands the device to its driver
 * (kernel/device.h; the virtio bus registers itself in virtio.c). */
void virtio_device_found(struct virtio_device *d);
/* Stops the device (status 0): it no longer touches its queues or raises
 * interrupts. A failed probe resets before it frees what the device used. */
void virtio_reset(struct virtio_device *d);
/* Frees what virtio_queue_create allocated (nothing for a zeroed q). */
void virtio_queue_destroy(struct virtqueue *q);

/* Steps 1-6: reset, ACKNOWLEDGE, DRIVER, features (wanted & offered, plus
 * VERSION_1 for modern devices), FEATURES_OK and its re-read. */
int virtio_negotiate(struct virtio_device *d, uint64_t wanted);
/* Step 7 helper: ring memory, virtq_init and queue_enable for `index`,
 * at most `max_size` entries. */
int virtio_queue_create(struct virtio_device *d, unsigned index, uint16_t max_size,
			struct virtqueue *q);
/* Step 8: DRIVER_OK. */
void virtio_ready(struct virtio_device *d);
/* Marks the device FAILED with a message naming it. */
void virtio_fail(struct virtio_device *d, const char *why);
static inline bool virtio_has(const struct virtio_device *d, unsigned feature)
{
	return (d->features >> feature) & 1;
}

/* Notifies the device about new buffers on q, if it wants to know. */
void virtio_kick(struct virtio_device *d, struct virtqueue *q);

/* Transports. */
void virtio_pci_scan(void);
void virtio_mmio_scan(void);

#endif
