/* Split virtqueues (virtio 1.x section 2.7); the contract is virtqueue.h.
 *
 * Descriptor chains are carved from a free list threaded through desc[].next,
 * so a chain taken from the list is already linked in order and giving it
 * back only needs its tail. Each head's state entry remembers the chain's
 * length and its device-writable byte count, which is all that is needed to
 * check and undo a completion without trusting anything the device wrote.
 */
#include <errno.h>
#include <string.h>

#include <arch_barrier.h>

#include "drivers/virtio/virtqueue.h"

/* Virtio 1.x rings are little-endian and legacy rings use the guest's own
 * order; both agree only on a little-endian CPU, the only kind we target. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "virtqueue.c assumes a little-endian CPU (no byte swapping)"
#endif

/* The device reads and writes these fields concurrently: volatile accesses
 * make the compiler do each one exactly once, where written, in one piece.
 * Ordering against other accesses comes from the dma_*() barriers. */
static inline uint16_t ring_load16(const uint16_t *p)
{
	return *(const volatile uint16_t *)p;
}

static inline uint32_t ring_load32(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

static inline void ring_store16(uint16_t *p, uint16_t v)
{
	*(volatile uint16_t *)p = v;
}

/* The two event-index words live just past the rings (spec 2.7.10). */
static inline uint16_t *used_event(struct virtqueue *q)
{
	return &q->avail->ring[q->size];
}

static inline uint16_t *avail_event(struct virtqueue *q)
{
	return (uint16_t *)&q->used->ring[q->size];
}

static void *mark_broken(struct virtqueue *q, const char *reason)
{
	if (!q->broken) {       /* keep the first reason: it is the cause */
		q->broken = true;
		q->broken_reason = reason;
	}
	return NULL;
}

size_t virtq_avail_offset(uint16_t size)
{
	return sizeof(struct virtq_desc) * size;
}

size_t virtq_used_offset(uint16_t size)
{
	/* flags, idx, ring[size], used_event; then pad to the alignment */
	size_t end = virtq_avail_offset(size) + sizeof(uint16_t) * (3 + (size_t)size);

	return (end + VIRTQ_ALIGN - 1) & ~(size_t)(VIRTQ_ALIGN - 1);
}

size_t virtq_ring_bytes(uint16_t size)
{
	/* flags, idx, ring[size], avail_event */
	return virtq_used_offset(size) + sizeof(uint16_t) * 3 +
	       sizeof(struct virtq_used_elem) * size;
}

int virtq_init(struct virtqueue *q, uint16_t index, uint16_t size, void *ring,
	       struct virtq_state *state, bool event_idx)
{
	/* A uint16_t power of two is at most 32768, the spec's limit. */
	if (size == 0 || (size & (size - 1)) != 0 || ring == NULL || state == NULL)
		return -EINVAL;

	memset(ring, 0, virtq_ring_bytes(size));
	memset(state, 0, sizeof(*state) * size);
	memset(q, 0, sizeof(*q));
	q->size = size;
	q->index = index;
	q->desc = ring;
	q->avail = (struct virtq_avail *)((char *)ring + virtq_avail_offset(size));
	q->used = (struct virtq_used *)((char *)ring + virtq_used_offset(size));
	q->state = state;
	q->event_idx = event_idx;

	/* Every descriptor free, linked in order. The last link is never
	 * followed: num_free says when the list is empty. */
	for (uint16_t i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)((i + 1) & (size - 1));
	q->free_head = 0;
	q->num_free = size;
	return 0;
}

/* Sum of the device-writable lengths, or -EINVAL if it does not fit the
 * 32 bits the device reports a used length in. */
static int writable_bytes(const struct virtq_buf *in, unsigned n, uint32_t *sum)
{
	uint32_t total = 0;

	for (unsigned i = 0; i < n; i++) {
		if (in[i].len > UINT32_MAX - total)
			return -EINVAL;
		total += in[i].len;
	}
	*sum = total;
	return 0;
}

/* Exposes one more chain to the device: the ring entry and the descriptors
 * must be visible before the index that tells the device to look. */
static void publish(struct virtqueue *q, uint16_t head)
{
	ring_store16(&q->avail->ring[q->avail_idx & (q->size - 1)], head);
	dma_wmb();
	q->avail_idx++;
	ring_store16(&q->avail->idx, q->avail_idx);
	/* Saturate: kick_prepare then notifies unconditionally rather than
	 * compare against an old index that has wrapped. */
	if (q->added_since_kick != UINT16_MAX)
		q->added_since_kick++;
}

int virtq_add(struct virtqueue *q, const struct virtq_buf *bufs, unsigned out,
	      unsigned in, void *cookie)
{
	uint32_t writable;

	if (q->broken)
		return -EIO;
	/* A chain longer than the queue could never fit: -EINVAL, not a
	 * -ENOSPC the caller would wait on forever. */
	if (cookie == NULL || bufs == NULL || out + (uint64_t)in == 0 ||
	    out + (uint64_t)in > q->size)
		return -EINVAL;
	if (writable_bytes(bufs + out, in, &writable) != 0)
		return -EINVAL;
	unsigned n = out + in;
	if (n > q->num_free)
		return -ENOSPC;

	uint16_t mask = q->size - 1;
	uint16_t head = q->free_head;
	uint16_t i = head;
	for (unsigned k = 0; k < n; k++) {
		struct virtq_desc *d = &q->desc[i];

		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((k >= out ? VIRTQ_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		/* d->next already links to the next free descriptor, which
		 * is the chain's next one; masked so that even a scribbled
		 * table cannot send us out of range. */
		i = d->next & mask;
	}
	q->free_head = i;
	q->num_free = (uint16_t)(q->num_free - n);
	q->state[head] = (struct virtq_state){
		.cookie = cookie, .chain_len = (uint16_t)n, .writable_len = writable,
	};
	publish(q, head);
	return 0;
}

/* Spec 2.7.10: has the other side's index moved past `event` in the step
 * from old to new? All arithmetic wraps at 16 bits. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_kick_prepare(struct virtqueue *q)
{
	uint16_t added = q->added_since_kick;

	if (added == 0)
		return false;
	q->added_since_kick = 0;
	/* Our avail->idx store must be visible before we read the device's
	 * suppression state; otherwise the device may decide to sleep on
	 * the old index while we decide it is awake, and nobody notifies. */
	dma_mb();
	if (added == UINT16_MAX)
		return true;
	if (q->event_idx)
		return need_event(ring_load16(avail_event(q)), q->avail_idx,
				  (uint16_t)(q->avail_idx - added));
	return !(ring_load16(&q->used->flags) & VIRTQ_USED_F_NO_NOTIFY);
}

/* Gives a completed chain back to the free list. The walk follows the links
 * we wrote at add time, bounded by the chain length we recorded, never by
 * the device's flags. */
static void free_chain(struct virtqueue *q, uint16_t head)
{
	struct virtq_state *st = &q->state[head];
	uint16_t mask = q->size - 1;
	uint16_t tail = head;

	for (uint16_t k = 1; k < st->chain_len; k++)
		tail = q->desc[tail].next & mask;
	q->desc[tail].next = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + st->chain_len);
	*st = (struct virtq_state){ 0 };
}

void *virtq_get_used(struct virtqueue *q, uint32_t *len)
{
	if (q->broken)
		return NULL;
	uint16_t pending = (uint16_t)(ring_load16(&q->used->idx) - q->last_used);
	if (pending == 0)
		return NULL;
	if (pending > q->size)
		return mark_broken(q, "used idx ran ahead");
	/* The entry was written before the index we just read. */
	dma_rmb();

	/* Read id and length once: the checks below must hold for the values
	 * we use, whatever the device writes meanwhile. */
	const struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
	uint32_t id = ring_load32(&e->id);
	uint32_t n = ring_load32(&e->len);
	if (id >= q->size)
		return mark_broken(q, "used id out of range");
	struct virtq_state *st = &q->state[id];
	void *cookie = st->cookie;
	if (cookie == NULL)
		return mark_broken(q, "used id not in flight");
	if (n > st->writable_len)
		return mark_broken(q, "used len too long");

	free_chain(q, (uint16_t)id);
	q->last_used++;
	if (len != NULL)
		*len = n;
	/* With interrupts on, ask for one at the next completion, and make
	 * the request visible before the next look at used->idx, or a
	 * completion landing in between would raise no interrupt. */
	if (q->event_idx && !q->interrupts_off) {
		ring_store16(used_event(q), q->last_used);
		dma_mb();
	}
	return cookie;
}

bool virtq_has_used(const struct virtqueue *q)
{
	return !q->broken && ring_load16(&q->used->idx) != q->last_used;
}

void virtq_disable_interrupts(struct virtqueue *q)
{
	if (q->interrupts_off)
		return;
	q->interrupts_off = true;
	/* With event_idx the device ignores avail->flags (and the spec wants
	 * it 0): aim used_event at the index just behind us instead, which
	 * the device, never more than `size` ahead, cannot cross. Only a
	 * spurious interrupt results if we consume ~64K entries meanwhile. */
	if (q->event_idx)
		ring_store16(used_event(q), (uint16_t)(q->last_used - 1));
	else
		ring_store16(&q->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
}

bool virtq_enable_interrupts(struct virtqueue *q)
{
	q->interrupts_off = false;
	if (q->event_idx)
		ring_store16(used_event(q), q->last_used);
	else
		ring_store16(&q->avail->flags, 0);
	/* The request must be visible before we look for completions that
	 * raced it: either we see them here or the device sees the request. */
	dma_mb();
	return virtq_has_used(q);
}
