/* Split virtqueues (virtio 1.x, section 2.7), the bottom layer of the
 * virtio stack: no I/O instructions, no device knowledge, no allocation.
 *
 * The driver owns the descriptor table and the available ring; the device
 * writes the used ring. Everything read from the used ring is untrusted: an
 * id that is out of range or names a descriptor chain the driver did not
 * make available, or a length larger than the chain's device-writable
 * buffers, marks the queue broken (q->broken, with a reason) and is never
 * used to index memory. A broken queue accepts no more buffers and returns
 * nothing; its owner reports it and stops using the device.
 *
 * Memory ordering uses the three barriers of <arch_barrier.h> where Linux's
 * virtio_ring.c does: write barrier before publishing avail->idx, full
 * barrier before reading the device's notification suppression, read
 * barrier after seeing a new used->idx.
 *
 * Not thread-safe: the owner serialises calls (interrupts off or one
 * thread). Buffers are given as physical (DMA) addresses.
 */
#ifndef SKIFF_VIRTIO_VIRTQUEUE_H
#define SKIFF_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1
#define VIRTQ_ALIGN 4096        /* used ring alignment (legacy layout) */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];        /* then uint16_t used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];  /* then uint16_t avail_event */
};

/* One buffer of a request. */
struct virtq_buf {
	uint64_t addr;          /* physical */
	uint32_t len;
};

struct virtqueue {
	uint16_t size;                  /* entries, a power of two <= 32768 */
	uint16_t index;                 /* queue number on its device */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t free_head;             /* first free descriptor */
	uint16_t num_free;
	uint16_t avail_idx;             /* our copy of avail->idx */
	uint16_t last_used;             /* next used->ring entry to read */
	uint16_t added_since_kick;
	bool event_idx;                 /* VIRTIO_F_EVENT_IDX negotiated */
	bool interrupts_off;            /* virtq_disable_interrupts in force */
	bool broken;
	const char *broken_reason;
	struct virtq_state {            /* per head descriptor */
		void *cookie;           /* NULL = head not in flight */
		uint16_t chain_len;
		uint32_t writable_len;  /* sum of device-writable buffer lengths */
	} *state;
};

/* Bytes of ring memory for `size` entries in the legacy contiguous layout:
 * descriptors, then the available ring, then (at VIRTQ_ALIGN) the used
 * ring. Modern devices accept the same layout at three addresses. */
size_t virtq_ring_bytes(uint16_t size);

/* Sets up `q` over virtq_ring_bytes(size) bytes of ring memory `ring`
 * (VIRTQ_ALIGN-aligned; zeroed here) and `state` storage of `size`
 * entries. Returns 0 or -EINVAL for a size that is not a power of two in
 * 1..32768. */
int virtq_init(struct virtqueue *q, uint16_t index, uint16_t size, void *ring,
	       struct virtq_state *state, bool event_idx);

/* Makes a chain of `out` device-readable buffers followed by `in`
 * device-writable ones available, with a non-NULL `cookie` returned by
 * virtq_get_used when the device is done. Returns 0, -ENOSPC when there
 * are not enough free descriptors now, -EINVAL for an empty chain, a chain
 * longer than the queue (it could never fit), device-writable lengths
 * summing past 4 GiB, or a NULL cookie, -EIO when the queue is broken. */
int virtq_add(struct virtqueue *q, const struct virtq_buf *bufs, unsigned out,
	      unsigned in, void *cookie);

/* After adding: whether the device wants a notification now (honours
 * VIRTQ_USED_F_NO_NOTIFY, or avail_event with event_idx). False when
 * nothing was added since the last call. */
bool virtq_kick_prepare(struct virtqueue *q);

/* The next completed request's cookie and the number of bytes the device
 * wrote into it (`len` may be NULL), or NULL when there is none (or the
 * queue is broken). */
void *virtq_get_used(struct virtqueue *q, uint32_t *len);
bool virtq_has_used(const struct virtqueue *q);

/* Asks the device not to / again to interrupt on completions. enable
 * returns true when completions arrived meanwhile (the caller must poll
 * again, or it could wait for an interrupt that never comes). */
void virtq_disable_interrupts(struct virtqueue *q);
bool virtq_enable_interrupts(struct virtqueue *q);

/* Byte offsets of the available and used rings inside the ring memory
 * (the descriptor table is at offset 0). */
size_t virtq_avail_offset(uint16_t size);
size_t virtq_used_offset(uint16_t size);

#endif
