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

/* Bits set in v (no libgcc: the freestanding kernel does not link it). */
static unsigned ones(uint64_t v)
{
	v = v - ((v >> 1) & 0x5555555555555555ull);
	v = (v & 0x3333333333333333ull) + ((v >> 2) & 0x3333333333333333ull);
	v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0Full;
	return (unsigned)((v * 0x0101010101010101ull) >> 56);
}

/* Marks `count` pages from `first` used or free, a bitmap word at a time
 * (boot releases all of RAM through here: bit by bit it would cost tens of
 * thousands of loop turns). Keeps p->free exact. */
static void set_range(struct page_pool *p, size_t first, size_t count, int used)
{
	size_t i = first, end = first + count;
	while (i < end) {
		size_t bit = i % BITS, n = BITS - bit;
		if (n > end - i)
			n = end - i;
		uint64_t mask = (n == BITS ? UINT64_MAX : ((1ull << n) - 1)) << bit;
		uint64_t *word = &p->used[i / BITS];
		uint64_t changing = used ? (~*word & mask) : (*word & mask);
		size_t flips = ones(changing);
		if (used) {
			*word |= mask;
			p->free -= flips;
		} else {
			*word &= ~mask;
			p->free += flips;
		}
		i += n;
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
		uint64_t word = p->used[i / BITS];
		if (word == UINT64_MAX) {
			run = 0;                /* the rest of the word is used */
			i = (i / BITS + 1) * BITS - 1;
			continue;
		}
		if (run == 0 && word != UINT64_MAX) {
			/* Jump to the next free page of this word. */
			uint64_t free_bits = ~word & (UINT64_MAX << (i % BITS));
			if (!free_bits) {
				i = (i / BITS + 1) * BITS - 1;
				continue;
			}
			i = i / BITS * BITS + (size_t)__builtin_ctzll(free_bits);
			if (i >= p->pages)
				break;
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
