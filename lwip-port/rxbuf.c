/* Buffers for received frames.
 *
 * A received frame stays in its buffer until the app reads the data, and
 * every connection may hold a whole receive window (TCP_WND) that way: the
 * buffers in use add up to the windows of the connections whose apps are
 * not reading. A fixed pool (lwIP's PBUF_POOL) had to be sized at build
 * time, and 16 connections that stopped reading emptied one of 512 frames:
 * then every other connection lost its frames too. So the buffers come from
 * pages, 16 pages at a time as the traffic needs them, up to a quarter of
 * the memory that was free when the first frame arrived (about 2,000 frames
 * with -m 16M, 9,000 with -m 64M). A buffer freed goes onto a free list and
 * is reused; pages once taken stay with the network.
 *
 * lwIP frees the pbufs through pbuf_custom's free function, from whichever
 * thread drops the last reference, never from an interrupt handler: with
 * the cooperative scheduler the free list needs no lock. */
#include <stddef.h>

#include "kernel/arch.h"
#include "kernel/mm.h"
#include "lwip-port/rxbuf.h"

#define RX_CHUNK_PAGES 16
#define RX_MEMORY_SHARE 4       /* at most 1/4 of the memory free at the start */

struct rxbuf {
	struct pbuf_custom pc;          /* first: lwIP hands us back &pc.pbuf */
	struct rxbuf *next_free;
	u8_t frame[RXBUF_FRAME_MAX] __attribute__((aligned(MEM_ALIGNMENT)));
};

static struct rxbuf *free_list;
static size_t taken, budget;

static void give_back(struct pbuf *p)
{
	struct rxbuf *b = (struct rxbuf *)p;
	b->next_free = free_list;
	free_list = b;
}

/* Takes another chunk of pages and puts its buffers on the free list. */
static bool grow(void)
{
	if (budget == 0)
		budget = page_free_count() / RX_MEMORY_SHARE * PAGE_SIZE / sizeof(struct rxbuf);
	size_t per_chunk = RX_CHUNK_PAGES * PAGE_SIZE / sizeof(struct rxbuf);
	if (taken > 0 && taken + per_chunk > budget)
		return false;       /* the first chunk is always allowed */
	uint64_t pa = page_alloc(RX_CHUNK_PAGES);
	if (pa == 0)
		return false;
	struct rxbuf *chunk = (struct rxbuf *)(uintptr_t)pa;
	for (size_t i = 0; i < per_chunk; i++) {
		chunk[i].pc.custom_free_function = give_back;
		give_back(&chunk[i].pc.pbuf);
	}
	taken += per_chunk;
	return true;
}

struct pbuf *rxbuf_alloc(u16_t len)
{
	if (len > RXBUF_FRAME_MAX || (!free_list && !grow()))
		return NULL;
	struct rxbuf *b = free_list;
	free_list = b->next_free;
	return pbuf_alloced_custom(PBUF_RAW, len, PBUF_POOL, &b->pc, b->frame, RXBUF_FRAME_MAX);
}

size_t rxbuf_count(void) { return taken; }
