/* memops.c - what memory instructions share: the memarg (alignment, offset, and with
 * multi-memory a memory index), the instructions that name a memory (size, grow, init,
 * copy, fill), and the "slow path" around an access to a memory other than memory 0
 * or to a memory64 memory.
 *
 * The interpreter keeps memory 0's base and size in registers; an access to memory k
 * is bracketed by MEMSEL k ... MEMSEL 0, so every load, store, SIMD and atomic handler
 * serves every memory unchanged.  A memory64 address is an i64: CHECK64 traps when
 * its high half is set (no memory here exceeds 4 GiB, so such an access is out of
 * bounds), and the handler then uses the low half as it does for i32 addresses. */
#include "compile.h"

void wc_memarg(struct cc *c, uint32_t natural, bool exact, struct memarg *ma)
{
    uint32_t align = wasm__u32(c->r);
    ma->mem = 0;
    if ((align & 0x40) && !(c->m->off & WASM_FEATURE_MULTI_MEMORY)) {
        align &= ~0x40u; /* bit 6: a memory index follows */
        ma->mem = wasm__u32(c->r);
        if (ma->mem)
            c->m->features |= WASM_FEATURE_MULTI_MEMORY;
    }
    if (ma->mem >= c->m->nmems)
        FAIL("unknown memory %u", ma->mem);
    ma->is64 = c->m->mems[ma->mem].is64;
    ma->off = ma->is64 ? wasm__u64(c->r) : wasm__u32(c->r);
    if (align >= 32 || (1u << align) > natural)
        FAIL("alignment must not be larger than natural");
    if (exact && (1u << align) != natural)
        FAIL("atomic alignment must be natural");
}

bool wc_mem_slow(const struct memarg *ma) { return ma->mem || ma->is64; }

/* before the access: select the memory, check a memory64 address (and an offset past
 * 32 bits, which no memory here can satisfy) */
void wc_mem_pre(struct cc *c, const struct memarg *ma, uint32_t addr)
{
    if (ma->mem) {
        wc_op(c, OP_MEMSEL);
        wc_w(c, ma->mem);
    }
    if (ma->is64) {
        wc_op(c, OP_CHECK64);
        wc_w(c, addr);
    }
    if (ma->off > UINT32_MAX)
        wc_op(c, OP_MEM_OOB);
}

void wc_mem_post(struct cc *c, const struct memarg *ma)
{
    if (ma->mem) {
        wc_op(c, OP_MEMSEL);
        wc_w(c, 0);
    }
}

/* the memory index of memory.size/grow/fill/copy/init: one byte 0 in 2.0 */
static uint32_t memidx(struct cc *c)
{
    uint32_t k = c->m->off & WASM_FEATURE_MULTI_MEMORY ? wasm__u8(c->r) : wasm__u32(c->r);
    if ((c->m->off & WASM_FEATURE_MULTI_MEMORY) && k != 0)
        FAIL("zero byte expected");
    if (k >= c->m->nmems)
        FAIL("unknown memory %u", k);
    if (k)
        c->m->features |= WASM_FEATURE_MULTI_MEMORY;
    return k;
}

static uint8_t addr_type(struct cc *c, uint32_t k) { return c->m->mems[k].is64 ? WASM_I64 : WASM_I32; }

void wc_memory_size(struct cc *c)
{
    uint32_t k = memidx(c);
    struct sv d = wc_push(c, addr_type(c, k));
    if (live(c)) { wc_op(c, OP_MEMORY_SIZE); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, k); }
}

void wc_memory_grow(struct cc *c)
{
    uint32_t k = memidx(c);
    struct sv a = wc_popt(c, addr_type(c, k));
    struct sv d = wc_push(c, addr_type(c, k));
    if (live(c)) { wc_op(c, OP_MEMORY_GROW); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, a.slot); wc_w(c, k); }
}

/* 0xfc 8 memory.init, 10 memory.copy, 11 memory.fill */
void wc_memory_bulk(struct cc *c, uint32_t sub)
{
    wasm_module *m = c->m;
    uint32_t seg = 0, k1, k2 = 0;
    if (sub == 8) {
        seg = wasm__u32(c->r);
        k1 = memidx(c);
        if (!m->has_datacount)
            FAIL("data count section required");
        if (seg >= m->datacount)
            FAIL("unknown data segment %u", seg);
    } else {
        k1 = memidx(c);
        if (sub == 10)
            k2 = memidx(c);
    }
    /* operand types: init [addr i32 i32], copy [addr1 addr2 min(addr1, addr2)], fill [addr i32 addr] */
    uint8_t t1 = addr_type(c, k1), t2 = sub == 10 ? addr_type(c, k2) : WASM_I32;
    uint8_t tn = sub == 8 ? WASM_I32 : sub == 11 ? t1 : (t1 == WASM_I64 && t2 == WASM_I64 ? WASM_I64 : WASM_I32);
    struct sv n = wc_popt(c, tn), b = wc_popt(c, t2), a = wc_popt(c, t1);
    if (!live(c))
        return;
    wc_op(c, sub == 8 ? OP_MEMORY_INIT : sub == 10 ? OP_MEMORY_COPY : OP_MEMORY_FILL);
    if (sub == 8)
        wc_w(c, seg);
    wc_w(c, k1);
    if (sub == 10)
        wc_w(c, k2);
    wc_w(c, a.slot);
    wc_w(c, b.slot);
    wc_w(c, n.slot);
}
