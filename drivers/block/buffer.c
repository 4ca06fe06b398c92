/* Request buffers from the page allocator (blkdev.h): identity-mapped, so
 * an address is what the device needs. Apart from blkdev.c so that host
 * tests can give their own. */
#include "drivers/block/blkdev.h"
#include "kernel/arch.h"
#include "kernel/mm.h"

static size_t pages_of(size_t bytes) { return (bytes + PAGE_SIZE - 1) / PAGE_SIZE; }

void *blk_buffer_alloc(size_t bytes)
{
	return (void *)(uintptr_t)page_alloc(pages_of(bytes ? bytes : 1));
}

void blk_buffer_free(void *p, size_t bytes)
{
	if (p)
		page_free((uintptr_t)p, pages_of(bytes ? bytes : 1));
}
