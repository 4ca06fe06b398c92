/* Buffers from chunks of pages, given back when unused (see rxpool.h). */
#include <errno.h>
#include <stdbool.h>

#include "kernel/arch.h"
#include "kernel/mm.h"
#include "lwip-port/rxpool.h"

/* Before each buffer: its chunk, and its link while free. */
struct rxpool_slot {
	struct rxpool_slot *next_free;
	uint32_t chunk;
} __attribute__((aligned(16)));

#define BITS 64

static void *user_part(struct rxpool_slot *s) { return s + 1; }
static struct rxpool_slot *slot_of(void *buf) { return (struct rxpool_slot *)buf - 1; }

static void mark(struct rxpool *p, size_t i, int has_free)
{
	if (has_free)
		p->has_free[i / BITS] |= 1ull << (i % BITS);
	else
		p->has_free[i / BITS] &= ~(1ull << (i % BITS));
}

int rxpool_init(struct rxpool *p, size_t user_bytes, size_t budget_pages)
{
	p->slot_size = sizeof(struct rxpool_slot) + ((user_bytes + 15) & ~(size_t)15);
	p->per_chunk = RXPOOL_CHUNK_PAGES * PAGE_SIZE / p->slot_size;
	if (user_bytes > RXPOOL_CHUNK_PAGES * PAGE_SIZE || p->per_chunk == 0)
		return -EINVAL;
	p->max_chunks = budget_pages / RXPOOL_CHUNK_PAGES;
	if (p->max_chunks == 0)
		p->max_chunks = 1;
	size_t words = (p->max_chunks + BITS - 1) / BITS;
	size_t bytes = p->max_chunks * sizeof(struct rxpool_chunk) + words * sizeof(uint64_t);
	p->table_page_count = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t table = page_alloc(p->table_page_count);
	if (table == 0)
		return -ENOMEM;
	/* Fresh pages are not zeroed: every entry is set here. */
	p->chunks = (struct rxpool_chunk *)(uintptr_t)table;
	p->has_free = (uint64_t *)(p->chunks + p->max_chunks);
	for (size_t i = 0; i < p->max_chunks; i++)
		p->chunks[i] = (struct rxpool_chunk){ 0, NULL, 0 };
	for (size_t w = 0; w < words; w++)
		p->has_free[w] = 0;
	p->free_buffers = p->chunk_count = 0;
	return 0;
}

/* Takes a chunk of pages into the lowest unused entry; false when the
 * budget is spent or memory is out. */
static bool grow(struct rxpool *p)
{
	if (p->chunk_count == p->max_chunks)
		return false;
	uint64_t pages = page_alloc(RXPOOL_CHUNK_PAGES);
	if (pages == 0)
		return false;
	size_t i = 0;
	while (p->chunks[i].pages != 0)
		i++;
	struct rxpool_chunk *c = &p->chunks[i];
	c->pages = pages;
	c->free = NULL;
	c->in_use = 0;
	for (size_t k = p->per_chunk; k-- > 0;) {
		struct rxpool_slot *s = (struct rxpool_slot *)(uintptr_t)(pages + k * p->slot_size);
		s->chunk = (uint32_t)i;
		s->next_free = c->free;
		c->free = s;
	}
	mark(p, i, 1);
	p->chunk_count++;
	p->free_buffers += p->per_chunk;
	return true;
}

void *rxpool_take(struct rxpool *p)
{
	if (p->free_buffers == 0 && !grow(p))
		return NULL;
	size_t w = 0;
	while (p->has_free[w] == 0)
		w++;                /* free_buffers > 0: some bit is set */
	size_t i = w * BITS + (size_t)__builtin_ctzll(p->has_free[w]);
	struct rxpool_chunk *c = &p->chunks[i];
	struct rxpool_slot *s = c->free;
	c->free = s->next_free;
	c->in_use++;
	if (c->free == NULL)
		mark(p, i, 0);
	p->free_buffers--;
	return user_part(s);
}

void rxpool_give(struct rxpool *p, void *buf)
{
	struct rxpool_slot *s = slot_of(buf);
	size_t i = s->chunk;
	struct rxpool_chunk *c = &p->chunks[i];
	s->next_free = c->free;
	c->free = s;
	c->in_use--;
	mark(p, i, 1);
	p->free_buffers++;
	if (c->in_use == 0 && p->free_buffers - p->per_chunk >= p->per_chunk) {
		page_free(c->pages, RXPOOL_CHUNK_PAGES);
		mark(p, i, 0);
		*c = (struct rxpool_chunk){ 0, NULL, 0 };
		p->chunk_count--;
		p->free_buffers -= p->per_chunk;
	}
}

size_t rxpool_buffers(const struct rxpool *p) { return p->chunk_count * p->per_chunk; }
