/* Buffers for received frames.
 *
 * A received frame stays in its buffer until the app reads the data, and
 * every connection may hold a whole receive window (TCP_WND) that way: the
 * buffers in use add up to the windows of the connections whose apps are
 * not reading. A fixed pool (lwIP's PBUF_POOL) had to be sized at build
 * time, and 16 connections that stopped reading emptied one of 512 frames:
 * then every other connection lost its frames too. So the buffers come from
 * pages (rxpool.c), 16 pages at a time as the traffic needs them, up to a
 * quarter of the memory that was free when the first frame arrived (about
 * 2,000 frames with -m 16M, 9,000 with -m 64M), and the pages go back to
 * free memory when the frames in them have been read.
 *
 * lwIP frees the pbufs through pbuf_custom's free function, from whichever
 * thread drops the last reference, never from an interrupt handler: with
 * the cooperative scheduler the pool needs no lock. */
#include <stddef.h>

#include "kernel/arch.h"
#include "kernel/mm.h"
#include "lwip-port/rxbuf.h"
#include "lwip-port/rxpool.h"

#define RX_MEMORY_SHARE 4       /* at most 1/4 of the memory free at the start */

struct rxbuf {
	struct pbuf_custom pc;          /* first: lwIP hands us back &pc.pbuf */
	u8_t frame[RXBUF_FRAME_MAX] __attribute__((aligned(MEM_ALIGNMENT)));
};

static struct rxpool pool;     /* set up at the first frame: chunks NULL till then */

static void give_back(struct pbuf *p)
{
	rxpool_give(&pool, p);
}

struct pbuf *rxbuf_alloc(u16_t len)
{
	if (len > RXBUF_FRAME_MAX)
		return NULL;
	if (pool.chunks == NULL &&
	    rxpool_init(&pool, sizeof(struct rxbuf), page_free_count() / RX_MEMORY_SHARE) != 0)
		return NULL;
	struct rxbuf *b = rxpool_take(&pool);
	if (b == NULL)
		return NULL;
	b->pc.custom_free_function = give_back;
	struct pbuf *p = pbuf_alloced_custom(PBUF_RAW, len, PBUF_POOL, &b->pc, b->frame, RXBUF_FRAME_MAX);
	if (p == NULL)
		rxpool_give(&pool, b);  /* cannot happen for a raw frame this size */
	return p;
}

size_t rxbuf_count(void) { return pool.chunks ? rxpool_buffers(&pool) : 0; }
