/* Fixed-size buffers carved from chunks of pages: taken from free memory as
 * the traffic needs them, up to a budget, and given back to it when the
 * traffic is gone (rxbuf.c keeps received frames in them).
 *
 * A buffer is taken from the lowest-numbered chunk that has one free, so
 * under a light load the buffers in use gather in the first chunks and the
 * others empty. A chunk that empties goes back to free memory if the other
 * chunks hold at least a chunk's worth of free buffers, and stays otherwise:
 * a load that swings around a chunk boundary cannot take and free pages on
 * every frame. So at most one empty chunk is ever kept (a second one to
 * empty finds the first's buffers free, and goes).
 *
 * Pure logic over page_alloc/page_free (kernel/mm.h), which host tests
 * replace; no lock, the caller serialises (the cooperative scheduler). */
#ifndef SKIFF_LWIP_PORT_RXPOOL_H
#define SKIFF_LWIP_PORT_RXPOOL_H

#include <stddef.h>
#include <stdint.h>

#define RXPOOL_CHUNK_PAGES 16

struct rxpool_slot;

struct rxpool_chunk {
	uint64_t pages;                 /* its first page; 0: entry unused */
	struct rxpool_slot *free;       /* its free buffers */
	uint32_t in_use;
};

struct rxpool {
	size_t slot_size;               /* header and user bytes */
	size_t per_chunk;               /* buffers in a chunk */
	size_t max_chunks;              /* the budget, in chunks (at least 1) */
	struct rxpool_chunk *chunks;    /* max_chunks entries, then has_free, */
	uint64_t *has_free;             /* bit i: chunk i has a free buffer, */
	size_t table_page_count;        /* in pages of their own; NULL: no pool */
	size_t free_buffers, chunk_count;
};

/* Sets up a pool of buffers of `user_bytes` (16-byte aligned) that may take
 * up to `budget_pages` of memory in chunks (always at least one chunk).
 * Returns 0, -EINVAL when a buffer would not fit in a chunk, or -ENOMEM
 * when its table's pages cannot be had. */
int rxpool_init(struct rxpool *p, size_t user_bytes, size_t budget_pages);

/* A buffer, or NULL when the budget is spent (or memory is out) and every
 * buffer is in use. */
void *rxpool_take(struct rxpool *p);

/* Gives back a buffer rxpool_take returned. */
void rxpool_give(struct rxpool *p, void *buf);

/* Buffers the pool's chunks hold, in use or free. */
size_t rxpool_buffers(const struct rxpool *p);

#endif
