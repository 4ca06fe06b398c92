/* A bitmap allocator of 4 KiB physical pages over one address span.
 * Pure logic (no I/O, storage from the caller) so host tests drive it.
 * Every page starts out used; the owner releases the RAM it may hand out. */
#ifndef SKIFF_KERNEL_PAGE_POOL_H
#define SKIFF_KERNEL_PAGE_POOL_H

#include <stddef.h>
#include <stdint.h>

struct page_pool {
	uint64_t base;          /* physical address of page 0 of the span */
	size_t pages;           /* pages in the span */
	uint64_t *used;         /* one bit per page, 1 = not available */
	size_t free;            /* pages available */
	size_t hint;            /* word index where the last search succeeded */
};

/* Bytes of bitmap storage a span of `pages` pages needs. */
size_t page_pool_bitmap_bytes(size_t pages);
void page_pool_init(struct page_pool *p, uint64_t base, size_t pages, uint64_t *bitmap);
/* Marks [addr, addr+bytes) available / used, clipped to the span and to
 * whole pages inside it (a partial page stays used). */
void page_pool_release(struct page_pool *p, uint64_t addr, uint64_t bytes);
void page_pool_reserve(struct page_pool *p, uint64_t addr, uint64_t bytes);
/* First fit of `count` contiguous pages; returns the address or 0. */
uint64_t page_pool_alloc(struct page_pool *p, size_t count);
/* Returns pages from page_pool_alloc. Freeing a free page is a bug: returns
 * -EINVAL and changes nothing. */
int page_pool_free(struct page_pool *p, uint64_t addr, size_t count);

#endif
