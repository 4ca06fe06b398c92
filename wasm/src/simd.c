/* simd.c - validation and translation of the fixed-width SIMD instructions (0xfd prefix).
 *
 * Every instruction of simd_ops.h belongs to one of a few shapes (operand types and
 * immediates), so one table indexed by opcode drives both: the shape decides what is
 * popped and pushed and which words follow the handler.  Immediates (offsets, lane
 * indices, constants, shuffle masks) are checked here and stored as plain words, so
 * the interpreter decodes nothing at run time. */
#include "compile.h"

enum { SK_LOAD, SK_STORE, SK_LLANE, SK_SLANE, SK_CONST, SK_SHUF, SK_SPLAT, SK_EXTR, SK_REPL,
       SK_UN, SK_BIN, SK_TERN, SK_TEST, SK_SHIFT,
       /* the same shapes, handled inside the interpreter loop (simd_ops.h) */
       SK_CONST_I, SK_SPLAT_I, SK_EXTR_I, SK_REPL_I, SK_BIN_I };

struct sdesc {
    uint16_t op; /* 0: no such instruction */
    uint8_t kind, arg;
};

/* the shape of an inline kind is its plain kind's */
static uint8_t shape_kind(uint8_t k)
{
    static const uint8_t plain[] = {[SK_CONST_I] = SK_CONST, [SK_SPLAT_I] = SK_SPLAT, [SK_EXTR_I] = SK_EXTR,
                                    [SK_REPL_I] = SK_REPL, [SK_BIN_I] = SK_BIN};
    return k >= SK_CONST_I ? plain[k] : k;
}

static const struct sdesc desc[256] = {
#define S(n, sub, kind, arg) [sub] = {OP_##n, kind, arg},
    WASM_SIMD_OPS(S)
#undef S
};

/* per shape (i8x16, i16x8, i32x4, i64x2, f32x4, f64x2): lane count, scalar type */
static const uint8_t shape_lanes[6] = {16, 8, 4, 2, 4, 2};
static const uint8_t shape_type[6] = {WASM_I32, WASM_I32, WASM_I32, WASM_I64, WASM_F32, WASM_F64};

static uint8_t lane_idx(struct cc *c, uint32_t lanes)
{
    uint8_t l = wasm__u8(c->r);
    if (l >= lanes)
        FAIL("invalid lane index %u", l);
    return l;
}

/* 16 immediate bytes as four code words */
static void imm16(struct cc *c, uint32_t w[4])
{
    struct rd *r = c->r;
    if (r->end - r->p < 16)
        FAIL("unexpected end");
    memcpy(w, r->p, 16);
    r->p += 16;
}

static void emit_words(struct cc *c, const uint32_t *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        wc_w(c, w[i]);
}

/* [i32] -> [v128] loads and [i32 v128] -> [] stores */
static void mem_op(struct cc *c, const struct sdesc *s)
{
    struct memarg ma;
    wc_memarg(c, s->arg, false, &ma);
    uint32_t off = (uint32_t)ma.off;
    uint8_t at = ma.is64 ? WASM_I64 : WASM_I32;
    struct sv v = {0, 0, 0}, a, d = {0, 0, 0};
    if (s->kind == SK_STORE)
        v = wc_popt(c, WASM_V128);
    a = wc_popt(c, at);
    if (s->kind != SK_STORE)
        d = wc_push(c, WASM_V128);
    if (!live(c))
        return;
    wc_mem_pre(c, &ma, a.slot);
    if (s->kind == SK_STORE) {
        wc_op(c, s->op); wc_w(c, a.slot); wc_w(c, v.slot); wc_w(c, off);
    } else {
        wc_op(c, s->op); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, a.slot); wc_w(c, off);
    }
    wc_mem_post(c, &ma);
}

/* load_lane [i32 v128] -> [v128], store_lane [i32 v128] -> [] */
static void lane_mem_op(struct cc *c, const struct sdesc *s)
{
    struct memarg ma;
    wc_memarg(c, s->arg, false, &ma);
    uint32_t off = (uint32_t)ma.off;
    uint8_t lane = lane_idx(c, 16u / s->arg);
    struct sv v = wc_popt(c, WASM_V128), a = wc_popt(c, ma.is64 ? WASM_I64 : WASM_I32), d = {0, 0, 0};
    if (s->kind != SK_SLANE)
        d = wc_push(c, WASM_V128);
    if (!live(c))
        return;
    wc_mem_pre(c, &ma, a.slot);
    if (s->kind == SK_SLANE) {
        wc_op(c, s->op); wc_w(c, a.slot); wc_w(c, v.slot); wc_w(c, off); wc_w(c, lane);
    } else {
        wc_op(c, s->op); wc_w(c, d.slot); wc_produced(c, c->len - 1);
        wc_w(c, a.slot); wc_w(c, v.slot); wc_w(c, off); wc_w(c, lane);
    }
    wc_mem_post(c, &ma);
}

static void const_op(struct cc *c, const struct sdesc *s)
{
    uint32_t w[4];
    imm16(c, w);
    struct sv d = wc_push(c, WASM_V128);
    if (live(c)) { wc_op(c, s->op); wc_w(c, d.slot); wc_produced(c, c->len - 1); emit_words(c, w, 4); }
}

static void shuffle_op(struct cc *c, const struct sdesc *s)
{
    uint32_t w[4];
    imm16(c, w);
    const uint8_t *lanes = (const uint8_t *)w;
    for (int i = 0; i < 16; i++)
        if (lanes[i] >= 32)
            FAIL("invalid lane index %u", lanes[i]);
    struct sv b = wc_popt(c, WASM_V128), a = wc_popt(c, WASM_V128), d = wc_push(c, WASM_V128);
    if (live(c)) {
        wc_op(c, s->op); wc_w(c, d.slot); wc_produced(c, c->len - 1);
        wc_w(c, a.slot); wc_w(c, b.slot); emit_words(c, w, 4);
    }
}

/* splat, extract_lane, replace_lane: between a vector and one lane's scalar type */
static void lane_op(struct cc *c, const struct sdesc *s)
{
    uint8_t st = shape_type[s->arg];
    uint8_t lane = s->kind == SK_SPLAT ? 0 : lane_idx(c, shape_lanes[s->arg]);
    struct sv a, b = {0, 0, 0}, d;
    if (s->kind == SK_SPLAT) {
        a = wc_popt(c, st);
        d = wc_push(c, WASM_V128);
    } else if (s->kind == SK_EXTR) {
        a = wc_popt(c, WASM_V128);
        d = wc_push(c, st);
    } else {
        b = wc_popt(c, st);
        a = wc_popt(c, WASM_V128);
        d = wc_push(c, WASM_V128);
    }
    if (!live(c))
        return;
    wc_op(c, s->op);
    wc_w(c, d.slot);
    wc_produced(c, c->len - 1);
    wc_w(c, a.slot);
    if (s->kind == SK_REPL)
        wc_w(c, b.slot);
    if (s->kind != SK_SPLAT)
        wc_w(c, lane);
}

/* the plain operators: 1 to 3 operands, the last an i32 for shifts */
static void arith_op(struct cc *c, const struct sdesc *s)
{
    unsigned n = s->kind == SK_TERN ? 3 : s->kind == SK_BIN || s->kind == SK_SHIFT ? 2 : 1;
    struct sv in[3];
    for (unsigned i = n; i-- > 0;)
        in[i] = wc_popt(c, s->kind == SK_SHIFT && i == 1 ? WASM_I32 : WASM_V128);
    struct sv d = wc_push(c, s->kind == SK_TEST ? WASM_I32 : WASM_V128);
    if (!live(c))
        return;
    wc_op(c, s->op);
    wc_w(c, d.slot);
    wc_produced(c, c->len - 1);
    for (unsigned i = 0; i < n; i++)
        wc_w(c, in[i].slot);
}

void wc_simd(struct cc *c)
{
    uint32_t sub = wasm__u32(c->r);
    const struct sdesc *d = sub < 256 ? &desc[sub] : NULL;
    c->m->features |= WASM_FEATURE_SIMD;
    if (!d || !d->op)
        FAIL("illegal opcode 0xfd 0x%x", sub);
    struct sdesc shape = {d->op, shape_kind(d->kind), d->arg};
    const struct sdesc *s = &shape;
    switch (s->kind) {
    case SK_LOAD: case SK_STORE: mem_op(c, s); break;
    case SK_LLANE: case SK_SLANE: lane_mem_op(c, s); break;
    case SK_CONST: const_op(c, s); break;
    case SK_SHUF: shuffle_op(c, s); break;
    case SK_SPLAT: case SK_EXTR: case SK_REPL: lane_op(c, s); break;
    default: arith_op(c, s); break;
    }
}
