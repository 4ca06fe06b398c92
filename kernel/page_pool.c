/* Bitmap page allocator (see page_pool.h). */
#include <errno.h>
#include <string.h>

#include "kernel/page_pool.h"

#define PAGE 4096u
#define BITS 64u

static int is_used(const struct page_pool *p, size_t i)
{
	return (p->used[i / BITS] >> (i % BITS)) & 1;
}

static void set_range(struct page_pool *p, size_t first, size_t count, int used)
{
	for (size_t i = first; i < first + count; i++) {
		uint64_t bit = 1ull << (i % BITS);
		if (used && !(p->used[i / BITS] & bit)) {
			p->used[i / BITS] |= bit;
			p->free--;
		} else if (!used && (p->used[i / BITS] & bit)) {
			p->used[i / BITS] &= ~bit;
			p->free++;
		}
	}
}

size_t page_pool_bitmap_bytes(size_t pages)
{
	return (pages + BITS - 1) / BITS * sizeof(uint64_t);
}

void page_pool_init(struct page_pool *p, uint64_t base, size_t pages, uint64_t *bitmap)
{
	p->base = base;
	p->pages = pages;
	p->used = bitmap;
	p->free = 0;
	p->hint = 0;
	memset(bitmap, 0xFF, page_pool_bitmap_bytes(pages));
}

/* Whole pages of [addr, addr+bytes) inside the span, rounding inward when
 * `inward` (release: never free a partial page) and outward otherwise. */
static int page_span(const struct page_pool *p, uint64_t addr, uint64_t bytes,
		     int inward, size_t *first, size_t *count)
{
	uint64_t end = addr + bytes < addr ? UINT64_MAX : addr + bytes;
	uint64_t lo = inward ? (addr + PAGE - 1) / PAGE * PAGE : addr / PAGE * PAGE;
	uint64_t hi = inward ? end / PAGE * PAGE : (end + PAGE - 1) / PAGE * PAGE;
	uint64_t span_end = p->base + (uint64_t)p->pages * PAGE;
	if (lo < p->base)
		lo = p->base;
	if (hi > span_end)
		hi = span_end;
	if (hi <= lo)
		return 0;
	*first = (lo - p->base) / PAGE;
	*count = (hi - lo) / PAGE;
	return 1;
}

void page_pool_release(struct page_pool *p, uint64_t addr, uint64_t bytes)
{
	size_t first, count;
	if (page_span(p, addr, bytes, 1, &first, &count))
		set_range(p, first, count, 0);
}

void page_pool_reserve(struct page_pool *p, uint64_t addr, uint64_t bytes)
{
	size_t first, count;
	if (page_span(p, addr, bytes, 0, &first, &count))
		set_range(p, first, count, 1);
}

static size_t find_run(const struct page_pool *p, size_t from, size_t count)
{
	size_t run = 0;
	for (size_t i = from; i < p->pages; i++) {
		/* Skip whole used words quickly. */
		if (i % BITS == 0 && p->used[i / BITS] == UINT64_MAX && i + BITS <= p->pages) {
			run = 0;
			i += BITS - 1;
			continue;
		}
		run = is_used(p, i) ? 0 : run + 1;
		if (run == count)
			return i + 1 - count;
	}
	return SIZE_MAX;
}

uint64_t page_pool_alloc(struct page_pool *p, size_t count)
{
	if (count == 0 || count > p->free)
		return 0;
	size_t first = find_run(p, p->hint * BITS, count);
	if (first == SIZE_MAX && p->hint != 0)
		first = find_run(p, 0, count);
	if (first == SIZE_MAX)
		return 0;
	set_range(p, first, count, 1);
	p->hint = (first + count) / BITS;
	return p->base + (uint64_t)first * PAGE;
}

int page_pool_free(struct page_pool *p, uint64_t addr, size_t count)
{
	if (addr % PAGE || addr < p->base)
		return -EINVAL;
	size_t first = (addr - p->base) / PAGE;
	if (first > p->pages || count > p->pages - first)
		return -EINVAL;
	for (size_t i = first; i < first + count; i++)
		if (!is_used(p, i))
			return -EINVAL;
	set_range(p, first, count, 0);
	if (first / BITS < p->hint)
		p->hint = first / BITS;
	return 0;
}
