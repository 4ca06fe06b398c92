/* constexpr.c - constant expressions: global initialisers and segment offsets.
 *
 * WebAssembly 2.0 allows exactly one instruction (a constant, ref.null, ref.func, or
 * global.get of an immutable imported global), kept decoded in struct wconst.  The
 * extended-const proposal adds i32/i64 add, sub and mul, so an expression may be a
 * sequence: it is validated here with a small type stack, its bytes are kept, and
 * instantiation evaluates them with a value stack (they cannot trap or loop). */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CONST_DEPTH 1024 /* values an expression may stack: far beyond real use */
#define OP_EXTENDED 0xff /* struct wconst.op of a kept sequence */

static uint8_t reftype(struct rd *r)
{
    uint8_t t = wasm__u8(r);
    if (t != WASM_FUNCREF && t != WASM_EXTERNREF)
        wasm__fail(r, "malformed reference type 0x%02x", t);
    return t;
}

static void need(struct rd *r, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        wasm__fail(r, "unexpected end");
}

/* one instruction of a constant expression into c; returns the type it pushes, or
 * 0 for add/sub/mul (which the caller checks against the stack) */
static uint8_t instr(struct rd *r, wasm_module *m, struct wconst *c)
{
    c->op = wasm__u8(r);
    switch (c->op) {
    case 0x41: c->val = (uint32_t)wasm__s32(r); return WASM_I32;
    case 0x42: c->val = (uint64_t)wasm__s64(r); return WASM_I64;
    case 0x43: need(r, 4); c->val = 0; memcpy(&c->val, r->p, 4); r->p += 4; return WASM_F32;
    case 0x44: need(r, 8); memcpy(&c->val, r->p, 8); r->p += 8; return WASM_F64;
    case 0xfd: /* v128.const: the only SIMD instruction allowed here */
        if (wasm__u32(r) != 0x0c)
            wasm__fail(r, "constant expression required (SIMD)");
        need(r, 16);
        memcpy(&c->val, r->p, 8);
        memcpy(&c->hi, r->p + 8, 8);
        r->p += 16;
        m->features |= WASM_FEATURE_SIMD;
        return WASM_V128;
    case 0xd0: return reftype(r);
    case 0xd2:
        c->idx = wasm__u32(r);
        if (c->idx >= m->nfuncs) wasm__fail(r, "unknown function %u", c->idx);
        m->declared[c->idx] = true;
        return WASM_FUNCREF;
    case 0x23:
        c->idx = wasm__u32(r);
        if (c->idx >= m->nglobalimports) wasm__fail(r, "unknown global %u in constant expression", c->idx);
        if (m->globals[c->idx].mut) wasm__fail(r, "constant expression required (mutable global)");
        return m->globals[c->idx].t;
    case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: return 0;
    case 0x0b: wasm__fail(r, "type mismatch: empty constant expression");
    default: wasm__fail(r, "constant expression required (opcode 0x%02x)", c->op);
    }
}

struct wconst wasm__constexpr(struct rd *r, wasm_module *m, uint8_t t)
{
    struct wconst c = {0}, k;
    uint8_t st[CONST_DEPTH];
    uint32_t n = 0, count = 0;
    const uint8_t *start = r->p;
    while (r->p < r->end && *r->p != 0x0b) {
        memset(&k, 0, sizeof k);
        uint8_t got = instr(r, m, &k);
        if (!count++)
            c = k;
        if (got) {
            if (n == CONST_DEPTH)
                wasm__fail(r, "constant expression too deep");
            st[n++] = got;
            continue;
        }
        uint8_t want = k.op < 0x7c ? WASM_I32 : WASM_I64; /* binary arithmetic: [t t] -> [t] */
        if (n < 2 || st[n - 1] != want || st[n - 2] != want)
            wasm__fail(r, "type mismatch in constant expression");
        n--;
        m->features |= WASM_FEATURE_EXTENDED_CONST;
    }
    if (wasm__u8(r) != 0x0b || !count)
        wasm__fail(r, "type mismatch: empty constant expression");
    if (n != 1 || st[0] != t)
        wasm__fail(r, n > 1 ? "type mismatch: constant expression leaves more than one value"
                            : "type mismatch in constant expression");
    if (count > 1) {
        c.op = OP_EXTENDED;
        c.exprlen = (uint32_t)(r->p - start);
        c.expr = malloc(c.exprlen);
        if (!c.expr)
            wasm__fail(r, "out of memory");
        memcpy(c.expr, start, c.exprlen);
    }
    return c;
}

void wasm__const_free(struct wconst *c) { free(c->expr); }

static uint64_t value_of(const wasm_instance *inst, const struct wconst *c, uint64_t *hi)
{
    *hi = c->hi;
    switch (c->op) {
    case 0x23: *hi = inst->globals[c->idx]->hi; return inst->globals[c->idx]->v;
    case 0xd2: return (uintptr_t)inst->funcs[c->idx];
    case 0xd0: return 0;
    default: return c->val;
    }
}

/* a validated sequence: only constants, global.get and i32/i64 arithmetic produce the
 * integer result, so one stack of 64-bit values suffices */
static uint64_t eval_sequence(const wasm_instance *inst, const struct wconst *c)
{
    uint64_t v[CONST_DEPTH], hi;
    uint32_t n = 0;
    jmp_buf jb;
    struct rd r = {c->expr, c->expr, c->expr + c->exprlen, "const", NULL, 0, &jb};
    if (setjmp(jb))
        return 0; /* unreachable: the bytes were validated at load */
    while (*r.p != 0x0b) {
        struct wconst k = {0};
        uint8_t op = *r.p;
        if (op == 0x6a || op == 0x6b || op == 0x6c || op == 0x7c || op == 0x7d || op == 0x7e) {
            r.p++;
            uint64_t b = v[--n], a = v[n - 1];
            uint64_t x = op == 0x6a || op == 0x7c ? a + b : op == 0x6b || op == 0x7d ? a - b : a * b;
            v[n - 1] = op < 0x7c ? (uint32_t)x : x;
            continue;
        }
        /* operands only: re-read the instruction without the module's checks */
        k.op = wasm__u8(&r);
        if (k.op == 0x41) k.val = (uint32_t)wasm__s32(&r);
        else if (k.op == 0x42) k.val = (uint64_t)wasm__s64(&r);
        else k.idx = wasm__u32(&r); /* global.get: the only other one that can feed arithmetic */
        v[n++] = value_of(inst, &k, &hi);
    }
    return v[0];
}

uint64_t wasm__eval_const(const wasm_instance *inst, const struct wconst *c, uint64_t *hi)
{
    if (c->op != OP_EXTENDED)
        return value_of(inst, c, hi);
    *hi = 0;
    return eval_sequence(inst, c);
}
