/* Unit tests of lwip-port/rxpool.c over fake pages: buffers are distinct
 * and whole, the budget holds, the lowest chunks are used first, empty
 * chunks go back to free memory once a chunk's worth of slack is left
 * elsewhere, and a load swinging around a chunk boundary does not take
 * and free pages on every buffer. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "kernel/arch.h"
#include "kernel/mm.h"
#include "lwip-port/rxpool.h"

/* Fake page allocator: page_alloc counts what is out, and can be told to
 * fail; fresh pages are filled with junk as real ones may be. */
static long pages_out;
static int allocs, frees, fail_allocs;

uint64_t page_alloc(size_t count)
{
	if (fail_allocs)
		return 0;
	void *p = aligned_alloc(PAGE_SIZE, count * PAGE_SIZE);
	memset(p, 0x5A, count * PAGE_SIZE);
	pages_out += (long)count;
	allocs++;
	return (uint64_t)(uintptr_t)p;
}

void page_free(uint64_t pa, size_t count)
{
	memset((void *)(uintptr_t)pa, 0xDD, count * PAGE_SIZE);
	free((void *)(uintptr_t)pa);
	pages_out -= (long)count;
	frees++;
}

/* The pool never ends in the kernel; a test hands back what it kept. */
static void drop_pool(struct rxpool *p)
{
	for (size_t i = 0; i < p->max_chunks; i++)
		if (p->chunks[i].pages)
			page_free(p->chunks[i].pages, RXPOOL_CHUNK_PAGES);
	page_free((uint64_t)(uintptr_t)p->chunks, p->table_page_count);
}

#define USER 1600
#define BUDGET_CHUNKS 4

static void *taken[BUDGET_CHUNKS * 64];

static void test_budget_and_distinct_buffers(void)
{
	struct rxpool p;
	CHECK_INT(rxpool_init(&p, USER, BUDGET_CHUNKS * RXPOOL_CHUNK_PAGES), 0);
	long table = pages_out;
	size_t per_chunk = p.per_chunk;
	CHECK(per_chunk >= 30 && per_chunk <= 64);
	size_t n = 0;
	void *b;
	while ((b = rxpool_take(&p)) != NULL) {
		CHECK((uintptr_t)b % 16 == 0);
		memset(b, (int)n, USER);       /* ASan: the whole buffer is ours */
		taken[n++] = b;
	}
	CHECK_INT(n, BUDGET_CHUNKS * per_chunk);
	CHECK_INT(pages_out - table, BUDGET_CHUNKS * RXPOOL_CHUNK_PAGES);
	CHECK_INT(rxpool_buffers(&p), n);
	/* Nothing written into one buffer shows in another. */
	int intact = 1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < USER; k += 97)
			intact &= ((unsigned char *)taken[i])[k] == (unsigned char)i;
	CHECK(intact);

	/* All back: every chunk but one returns to free memory. */
	for (size_t i = 0; i < n; i++)
		rxpool_give(&p, taken[i]);
	CHECK_INT(pages_out - table, RXPOOL_CHUNK_PAGES);
	CHECK_INT(rxpool_buffers(&p), per_chunk);
	/* And the pool still works, from the chunk it kept. */
	int before = allocs;
	for (size_t i = 0; i < per_chunk; i++)
		taken[i] = rxpool_take(&p);
	CHECK_INT(allocs, before);
	for (size_t i = 0; i < per_chunk; i++)
		rxpool_give(&p, taken[i]);
	drop_pool(&p);
}

static void test_lowest_chunks_first(void)
{
	struct rxpool p;
	CHECK_INT(rxpool_init(&p, USER, BUDGET_CHUNKS * RXPOOL_CHUNK_PAGES), 0);
	size_t per = p.per_chunk, n = 3 * per;
	for (size_t i = 0; i < n; i++)
		taken[i] = rxpool_take(&p);
	/* Free half of chunk 0 and all of chunk 2 but one buffer: new takes
	 * refill chunk 0 before touching chunk 2. */
	for (size_t i = 0; i < per / 2; i++)
		rxpool_give(&p, taken[i]);
	for (size_t i = 2 * per; i < 3 * per - 1; i++)
		rxpool_give(&p, taken[i]);
	for (size_t i = 0; i < per / 2; i++) {
		void *b = rxpool_take(&p);
		CHECK((uintptr_t)b >= p.chunks[0].pages &&
		      (uintptr_t)b < p.chunks[0].pages + RXPOOL_CHUNK_PAGES * PAGE_SIZE);
		taken[i] = b;
	}
	/* Chunk 2's last buffer back: chunk 2 is empty, but nothing else is
	 * free, so it stays (the slack rule). */
	long out = pages_out;
	rxpool_give(&p, taken[3 * per - 1]);
	CHECK_INT(pages_out, out);
	CHECK_INT(rxpool_buffers(&p), 3 * per);
	/* Chunk 1 empties too, and with chunk 2's free buffers as slack it
	 * goes: one empty chunk is kept, never two. */
	for (size_t i = per; i < 2 * per - 1; i++)
		rxpool_give(&p, taken[i]);
	CHECK_INT(pages_out, out);      /* chunk 1 still holds one */
	rxpool_give(&p, taken[2 * per - 1]);
	CHECK_INT(pages_out, out - RXPOOL_CHUNK_PAGES);
	CHECK_INT(rxpool_buffers(&p), 2 * per);
	CHECK(p.chunks[1].pages == 0 && p.chunks[2].pages != 0);
	/* Its entry is the lowest unused one: the next chunk taken goes there. */
	for (size_t i = per / 2; i < per; i++)
		rxpool_give(&p, taken[i]);      /* chunk 0: half free again */
	for (size_t i = 0; i < per - per / 2 + per; i++)
		taken[per / 2 + i] = rxpool_take(&p);   /* chunk 0, then all of chunk 2 */
	CHECK(p.chunks[1].pages == 0);
	taken[2 * per] = rxpool_take(&p);
	CHECK(p.chunks[1].pages != 0);
	CHECK((uintptr_t)taken[2 * per] >= p.chunks[1].pages &&
	      (uintptr_t)taken[2 * per] < p.chunks[1].pages + RXPOOL_CHUNK_PAGES * PAGE_SIZE);
	for (size_t i = per; i <= 2 * per; i++)
		rxpool_give(&p, taken[i]);
	for (size_t i = 0; i < per; i++)
		rxpool_give(&p, taken[i]);
	CHECK_INT(rxpool_buffers(&p), per);
	drop_pool(&p);
}

/* More chunks than one word of the bitmap holds: buffers from chunk 70
 * are found, and given back in any order all but one chunk goes. */
static void test_many_chunks(void)
{
	enum { CHUNKS = 70 };
	struct rxpool p;
	CHECK_INT(rxpool_init(&p, USER, CHUNKS * RXPOOL_CHUNK_PAGES), 0);
	long table = pages_out;
	size_t n = CHUNKS * p.per_chunk;
	void **all = calloc(n, sizeof *all);
	size_t got = 0;
	while (got < n && (all[got] = rxpool_take(&p)) != NULL)
		got++;
	CHECK_INT(got, n);
	CHECK(rxpool_take(&p) == NULL);
	/* Every other buffer back, then take them again: all are found. */
	for (size_t i = 0; i < n; i += 2)
		rxpool_give(&p, all[i]);
	for (size_t i = 0; i < n; i += 2)
		CHECK((all[i] = rxpool_take(&p)) != NULL);
	for (size_t i = n; i-- > 0;)
		rxpool_give(&p, all[i]);
	CHECK_INT(pages_out - table, RXPOOL_CHUNK_PAGES);
	free(all);
	drop_pool(&p);
}

static void test_no_churn_at_a_boundary(void)
{
	struct rxpool p;
	CHECK_INT(rxpool_init(&p, USER, BUDGET_CHUNKS * RXPOOL_CHUNK_PAGES), 0);
	size_t per = p.per_chunk;
	for (size_t i = 0; i < per; i++)
		taken[i] = rxpool_take(&p);
	int a = allocs, f = frees;
	for (int round = 0; round < 100; round++) {
		void *b = rxpool_take(&p);      /* the first buffer of chunk 1 */
		rxpool_give(&p, b);
	}
	CHECK_INT(allocs - a, 1);
	CHECK_INT(frees - f, 0);
	for (size_t i = 0; i < per; i++)
		rxpool_give(&p, taken[i]);
	CHECK_INT(frees - f, 1);
	drop_pool(&p);
}

static void test_out_of_memory(void)
{
	struct rxpool p;
	fail_allocs = 1;
	CHECK_INT(rxpool_init(&p, USER, RXPOOL_CHUNK_PAGES), -ENOMEM);
	fail_allocs = 0;
	CHECK_INT(rxpool_init(&p, RXPOOL_CHUNK_PAGES * PAGE_SIZE, 4), -EINVAL);
	CHECK_INT(rxpool_init(&p, USER, 0), 0);    /* a budget under a chunk: one chunk */
	CHECK_INT(p.max_chunks, 1);
	drop_pool(&p);
	/* Within the budget but out of memory: the buffers there are, then NULL,
	 * and more once memory is back. */
	CHECK_INT(rxpool_init(&p, USER, 2 * RXPOOL_CHUNK_PAGES), 0);
	void *b = rxpool_take(&p);
	CHECK(b != NULL);
	fail_allocs = 1;
	size_t got = 1;
	while (rxpool_take(&p) != NULL)
		got++;
	CHECK_INT(got, p.per_chunk);
	fail_allocs = 0;
	CHECK(rxpool_take(&p) != NULL);
	CHECK_INT(rxpool_buffers(&p), 2 * p.per_chunk);
	drop_pool(&p);
	CHECK_INT(pages_out, 0);
}

int main(void)
{
	test_budget_and_distinct_buffers();
	test_lowest_chunks_first();
	test_no_churn_at_a_boundary();
	test_many_chunks();
	test_out_of_memory();
	return check_report();
}
