/* atomic.c - validation and translation of the threads proposal's instructions (0xfe
 * prefix): atomic loads, stores, read-modify-writes, compare-exchange, wait, notify
 * and fence.
 *
 * Opcodes 0x10..0x4e come in nine groups of seven (load, store, add, sub, and, or, xor,
 * xchg, cmpxchg), each group in the same order of value type and access width.  An
 * i32 and an i64 form of the same width do the same thing to memory and zero-extend
 * alike, so both map to one internal op per width (ops.h: ALD8.., AADD8..). */
#include "compile.h"

enum { G_LOAD, G_STORE, G_ADD, G_SUB, G_AND, G_OR, G_XOR, G_XCHG, G_CMPXCHG };

/* within a group: value type and access bytes */
static const uint8_t g_type[7] = {WASM_I32, WASM_I64, WASM_I32, WASM_I32, WASM_I64, WASM_I64, WASM_I64};
static const uint8_t g_bytes[7] = {4, 8, 1, 2, 1, 2, 4};
static const int g_op[9] = {OP_ALD8, OP_AST8, OP_AADD8, OP_ASUB8, OP_AAND8, OP_AOR8, OP_AXOR8, OP_AXCHG8, OP_ACMPXCHG8};

static int log2_bytes(uint32_t n) { return n == 1 ? 0 : n == 2 ? 1 : n == 4 ? 2 : 3; }

static void emit(struct cc *c, int op, const uint32_t *w, unsigned n, bool produces)
{
    wc_op(c, op);
    for (unsigned i = 0; i < n; i++) {
        wc_w(c, w[i]);
        if (produces && i == 0)
            wc_produced(c, c->len - 1);
    }
}

/* notify [i32 i32] -> [i32], wait32 [i32 i32 i64] -> [i32], wait64 [i32 i64 i64] -> [i32] */
static void wait_notify(struct cc *c, uint32_t sub)
{
    struct memarg ma;
    wc_memarg(c, sub == 2 ? 8 : 4, true, &ma);
    uint32_t off = (uint32_t)ma.off;
    struct sv t = {0, 0, 0};
    if (sub != 0)
        t = wc_popt(c, WASM_I64);
    struct sv v = wc_popt(c, sub == 2 ? WASM_I64 : WASM_I32);
    struct sv a = wc_popt(c, ma.is64 ? WASM_I64 : WASM_I32);
    struct sv d = wc_push(c, WASM_I32);
    if (!live(c))
        return;
    wc_mem_pre(c, &ma, a.slot);
    if (sub == 0)
        emit(c, OP_ATOMIC_NOTIFY, (uint32_t[]){d.slot, a.slot, v.slot, off}, 4, true);
    else
        emit(c, sub == 1 ? OP_ATOMIC_WAIT32 : OP_ATOMIC_WAIT64, (uint32_t[]){d.slot, a.slot, v.slot, t.slot, off}, 5,
             true);
    wc_mem_post(c, &ma);
}

static void access(struct cc *c, uint32_t sub)
{
    unsigned g = (sub - 0x10) / 7, k = (sub - 0x10) % 7;
    uint8_t t = g_type[k];
    struct memarg ma;
    wc_memarg(c, g_bytes[k], true, &ma);
    uint32_t off = (uint32_t)ma.off;
    int op = g_op[g] + log2_bytes(g_bytes[k]);
    struct sv r = {0, 0, 0}, v = {0, 0, 0}, a, d;
    if (g == G_CMPXCHG)
        r = wc_popt(c, t);
    if (g != G_LOAD)
        v = wc_popt(c, t);
    a = wc_popt(c, ma.is64 ? WASM_I64 : WASM_I32);
    d = g == G_STORE ? v : wc_push(c, t);
    if (!live(c))
        return;
    wc_mem_pre(c, &ma, a.slot);
    if (g == G_STORE)
        emit(c, op, (uint32_t[]){a.slot, v.slot, off}, 3, false);
    else if (g == G_LOAD)
        emit(c, op, (uint32_t[]){d.slot, a.slot, off}, 3, true);
    else if (g == G_CMPXCHG)
        emit(c, op, (uint32_t[]){d.slot, a.slot, v.slot, r.slot, off}, 5, true);
    else
        emit(c, op, (uint32_t[]){d.slot, a.slot, v.slot, off}, 4, true);
    wc_mem_post(c, &ma);
}

void wc_atomic(struct cc *c)
{
    uint32_t sub = wasm__u32(c->r);
    c->m->features |= WASM_FEATURE_THREADS;
    if (sub <= 2) {
        wait_notify(c, sub);
    } else if (sub == 3) { /* atomic.fence: one reserved zero byte */
        if (wasm__u8(c->r) != 0)
            FAIL("zero byte expected");
        if (live(c))
            wc_op(c, OP_ATOMIC_FENCE);
    } else if (sub >= 0x10 && sub <= 0x4e) {
        access(c, sub);
    } else {
        FAIL("illegal opcode 0xfe 0x%x", sub);
    }
}
