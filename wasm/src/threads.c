/* threads.c - shared memories and memory.atomic.wait/notify (threads proposal).
 *
 * A shared memory is allocated at its growth limit up front: other threads hold its
 * data pointer while they run, so growth may only publish a larger size, never move
 * the data.  Waiting needs a lock and a sleep, which the engine does not have (no OS
 * calls): the memory's waiter, supplied by the embedder, does both. */
#include <stdlib.h>

#include "internal.h"

wasm_memory *wasm_memory_new_shared(wasm_store *s, uint32_t min, uint32_t max)
{
    if (min > s->lim.max_memory_pages || max == NOIDX || max < min)
        return NULL;
    wasm_memory *m = wasm__store_obj(s, sizeof *m, WASM__OBJ_MEMORY);
    if (!m)
        return NULL;
    m->cap = max < s->lim.max_memory_pages ? max : s->lim.max_memory_pages;
    /* calloc of a large block maps zero pages lazily on hosts with virtual memory */
    m->data = calloc(m->cap ? (size_t)m->cap * WASM_PAGE : 1, 1);
    if (!m->data)
        return NULL;
    m->pages = min;
    m->size = (uint64_t)min * WASM_PAGE;
    m->max = max;
    m->shared = true;
    return m;
}

void wasm_memory_set_waiter(wasm_memory *m, const wasm_waiter *w) { m->waiter = *w; }
int wasm_memory_is_shared(const wasm_memory *m) { return m->shared; }

/* several threads may grow at once: claim the new page count with a compare-exchange,
 * then publish the size (readers that see an old size re-read it before trapping) */
int64_t wasm__grow_shared(wasm_memory *m, uint32_t delta)
{
    uint32_t old = __atomic_load_n(&m->pages, __ATOMIC_SEQ_CST);
    for (;;) {
        uint64_t np = (uint64_t)old + delta;
        if (np > m->cap)
            return -1;
        if (__atomic_compare_exchange_n(&m->pages, &old, (uint32_t)np, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            uint64_t sz = np * WASM_PAGE, cur = __atomic_load_n(&m->size, __ATOMIC_SEQ_CST);
            while (cur < sz && !__atomic_compare_exchange_n(&m->size, &cur, sz, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
                ;
            return old;
        }
    }
}

static uint64_t load_width(const void *p, int width)
{
    if (width == 4)
        return __atomic_load_n((const uint32_t *)p, __ATOMIC_SEQ_CST);
    return __atomic_load_n((const uint64_t *)p, __ATOMIC_SEQ_CST);
}

int64_t wasm__wait(wasm_store *s, wasm_memory *m, const void *p, uint64_t expected, int width, int64_t timeout)
{
    if (!m->shared) {
        wasm__trap(s, WASM_TRAP_UNSHARED_WAIT, NULL);
        return -1;
    }
    if (m->waiter.wait)
        return m->waiter.wait(m->waiter.ctx, p, expected, width, timeout);
    if (load_width(p, width) != expected)
        return 1;
    if (timeout < 0) {
        wasm__trap(s, WASM_TRAP_HOST, "memory.atomic.wait without timeout and no waiter: would hang");
        return -1;
    }
    return 2;
}

uint32_t wasm__notify(wasm_memory *m, const void *p, uint32_t count)
{
    return m->shared && m->waiter.notify ? m->waiter.notify(m->waiter.ctx, p, count) : 0;
}
