/* Unit tests of the bitmap page allocator (kernel/page_pool.c). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "kernel/page_pool.h"

#define PAGE 4096u
#define BASE 0x100000u          /* span starts at 1 MiB */

static struct page_pool pool;
static uint64_t bitmap[64];

static void fresh(size_t pages)
{
	page_pool_init(&pool, BASE, pages, bitmap);
}

static void test_starts_used(void)
{
	fresh(100);
	CHECK_INT(pool.free, 0);
	CHECK_INT(page_pool_alloc(&pool, 1), 0);
}

static void test_release_rounds_inward(void)
{
	fresh(100);
	/* A region that starts mid-page and ends mid-page frees only the
	 * whole pages inside it. */
	page_pool_release(&pool, BASE + 100, 3 * PAGE);
	CHECK_INT(pool.free, 2);
	CHECK_INT(page_pool_alloc(&pool, 1), BASE + PAGE);
	CHECK_INT(page_pool_alloc(&pool, 1), BASE + 2 * PAGE);
	CHECK_INT(page_pool_alloc(&pool, 1), 0);
}

static void test_release_clips_to_span(void)
{
	fresh(10);
	page_pool_release(&pool, 0, UINT64_MAX);        /* far beyond both ends */
	CHECK_INT(pool.free, 10);
	page_pool_release(&pool, BASE + 20 * PAGE, PAGE); /* outside: ignored */
	CHECK_INT(pool.free, 10);
}

static void test_reserve_rounds_outward(void)
{
	fresh(10);
	page_pool_release(&pool, BASE, 10 * PAGE);
	page_pool_reserve(&pool, BASE + PAGE + 1, 2);   /* touches page 1 only */
	CHECK_INT(pool.free, 9);
	page_pool_reserve(&pool, BASE + 3 * PAGE - 1, 2); /* straddles pages 2 and 3 */
	CHECK_INT(pool.free, 7);
	CHECK_INT(page_pool_alloc(&pool, 1), BASE);
	CHECK_INT(page_pool_alloc(&pool, 1), BASE + 4 * PAGE);
}

static void test_contiguous_first_fit(void)
{
	fresh(200);
	page_pool_release(&pool, BASE, 200 * PAGE);
	page_pool_reserve(&pool, BASE + 3 * PAGE, PAGE);  /* hole breaks the first run */
	CHECK_INT(page_pool_alloc(&pool, 4), BASE + 4 * PAGE);
	CHECK_INT(page_pool_alloc(&pool, 3), BASE);
	/* A run across a 64-page bitmap word boundary. */
	uint64_t big = page_pool_alloc(&pool, 100);
	CHECK_INT(big, BASE + 8 * PAGE);
	CHECK_INT(pool.free, 200 - 1 - 4 - 3 - 100);
	CHECK_INT(page_pool_alloc(&pool, 200), 0);      /* more than is free */
	CHECK_INT(page_pool_alloc(&pool, 0), 0);
}

static void test_free_and_reuse(void)
{
	fresh(128);
	page_pool_release(&pool, BASE, 128 * PAGE);
	uint64_t a = page_pool_alloc(&pool, 64);
	uint64_t b = page_pool_alloc(&pool, 64);
	CHECK(a && b && a != b);
	CHECK_INT(page_pool_alloc(&pool, 1), 0);
	CHECK_INT(page_pool_free(&pool, a, 64), 0);
	CHECK_INT(page_pool_alloc(&pool, 64), a);       /* the hint goes back down */
	CHECK_INT(pool.free, 0);
}

static void test_bad_frees(void)
{
	fresh(16);
	page_pool_release(&pool, BASE, 16 * PAGE);
	uint64_t a = page_pool_alloc(&pool, 2);
	CHECK_INT(page_pool_free(&pool, a + 1, 1), -EINVAL);        /* unaligned */
	CHECK_INT(page_pool_free(&pool, BASE - PAGE, 1), -EINVAL);  /* below span */
	CHECK_INT(page_pool_free(&pool, BASE + 15 * PAGE, 2), -EINVAL); /* past end */
	CHECK_INT(page_pool_free(&pool, a, 3), -EINVAL);    /* third page is free */
	CHECK_INT(pool.free, 14);                           /* nothing changed */
	CHECK_INT(page_pool_free(&pool, a, 2), 0);
	CHECK_INT(page_pool_free(&pool, a, 2), -EINVAL);    /* double free */
	CHECK_INT(pool.free, 16);
}

static void test_exhaust_every_page(void)
{
	fresh(1000);
	page_pool_release(&pool, BASE, 1000 * PAGE);
	int got = 0;
	uint64_t last = 0;
	for (uint64_t p; (p = page_pool_alloc(&pool, 1)); got++) {
		CHECK(p > last || got == 0);
		last = p;
	}
	CHECK_INT(got, 1000);
	CHECK_INT(pool.free, 0);
}

/* Random allocations and frees against a shadow map: no page is ever
 * handed out twice, runs are contiguous and free, and the count is exact. */
static void test_random_against_shadow(void)
{
	enum { PAGES = 700 };
	static unsigned char owner[PAGES];     /* 0 = free, else run id */
	static uint64_t where[4000];
	static size_t len[4000];
	int live = 0, bad = 0;
	unsigned seed = 12345;
	fresh(PAGES);
	page_pool_release(&pool, BASE, PAGES * PAGE);
	page_pool_reserve(&pool, BASE + 100 * PAGE, 37 * PAGE);   /* a hole */
	for (size_t i = 100; i < 137; i++)
		owner[i] = 255;
	for (int step = 0; step < 4000; step++) {
		seed = seed * 1103515245u + 12345u;
		if (live > 0 && (seed >> 16) % 3 == 0) {
			int k = (int)((seed >> 8) % (unsigned)live);
			size_t first = (size_t)(where[k] - BASE) / PAGE;
			for (size_t i = first; i < first + len[k]; i++)
				owner[i] = 0;
			bad += page_pool_free(&pool, where[k], len[k]) != 0;
			where[k] = where[live - 1];
			len[k] = len[live - 1];
			live--;
			continue;
		}
		size_t want = 1 + (seed >> 20) % 9;
		uint64_t at = page_pool_alloc(&pool, want);
		if (!at)
			continue;
		size_t first = (size_t)(at - BASE) / PAGE;
		for (size_t i = first; i < first + want; i++) {
			bad += owner[i] != 0;
			owner[i] = 1;
		}
		where[live] = at;
		len[live] = want;
		live++;
	}
	size_t shadow_free = 0;
	for (size_t i = 0; i < PAGES; i++)
		shadow_free += owner[i] == 0;
	CHECK_INT(bad, 0);
	CHECK_INT(pool.free, shadow_free);
}

int main(void)
{
	test_random_against_shadow();
	test_starts_used();
	test_release_rounds_inward();
	test_release_clips_to_span();
	test_reserve_rounds_outward();
	test_contiguous_first_fit();
	test_free_and_reuse();
	test_bad_frees();
	test_exhaust_every_page();
	return check_report();
}
