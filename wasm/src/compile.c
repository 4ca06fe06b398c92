/* compile.c - validate one function body and translate it, in the same pass, into the
 * slot-addressed instruction set of ops.h.
 *
 * Every operand-stack position has a fixed frame slot (locals first, then one slot per
 * stack height), because validation makes the height at each instruction static.  So
 * instructions name their operand and result slots directly and need no run-time stack
 * pointer.  local.get emits nothing: the stack entry simply refers to the local's slot
 * until something could change that local or control flow merges, at which point the
 * entry is copied to its own slot ("flush").  A local.set right after the producing
 * instruction retargets that instruction's result instead of copying.
 *
 * Validation follows the algorithm of the spec's appendix (operand and control stacks,
 * stack-polymorphic unreachable code).  Code that validation proves unreachable is not
 * emitted. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ops.h"

#define UNKNOWN 0 /* the bottom type of unreachable code */

struct sv {
    uint8_t t;
    uint32_t slot;
};

enum { K_BLOCK, K_LOOP, K_IF, K_ELSE, K_FUNC };

struct ctl {
    uint8_t kind;
    bool unreach, dead;
    uint32_t np, nr;
    const uint8_t *pt, *rt;
    uint32_t h;        /* operand height at entry, below the params */
    uint32_t pc;       /* loop: start */
    uint32_t patch;    /* chain of forward branch words to resolve at end */
    uint32_t elsepatch; /* if: the BR_UNLESS target word */
};

struct cc {
    struct rd *r;
    wasm_module *m;
    const int32_t *H;
    uint32_t nlocals;
    uint8_t *lt;
    struct sv *st;
    uint32_t h, hcap, hmax;
    struct ctl *cs;
    uint32_t nc, ccap;
    uint32_t *code;
    uint32_t len, cap;
    uint32_t lastdst, lastend; /* result word of the last producer, and code length after it */
    uint32_t opstart;          /* start of the instruction being emitted */
    int lastop;
    uint32_t *brtab;           /* br_table scratch, freed on any exit */
    /* peephole state: the last constant and the last i32 comparison emitted */
    uint32_t kpos, kend, kslot;
    uint64_t kval;
    uint32_t cmpstart, cmpend, cmpdst, cmpa, cmpb, cmpimm;
    int cmpop; /* OP_I32_EQ.. or -1; cmpb is NOIDX when the right side is cmpimm */
    uint32_t apos, aend, adst, abase, aimm; /* the last I32_ADDI, for address folding */
};

static const uint8_t vt_one[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_FUNCREF, WASM_EXTERNREF};

#define FAIL(...) wasm__fail(c->r, __VA_ARGS__)

static void *regrow(struct cc *c, void *p, uint32_t *cap, size_t sz)
{
    uint32_t n = *cap ? *cap * 2 : 64;
    void *q = realloc(p, (size_t)n * sz);
    if (!q)
        FAIL("out of memory");
    *cap = n;
    return q;
}

/* ---- emission ---- */

static struct ctl *top(struct cc *c) { return &c->cs[c->nc - 1]; }
static bool live(struct cc *c) { return !top(c)->unreach && !top(c)->dead; }

static void w(struct cc *c, uint32_t v)
{
    if (c->len == c->cap)
        c->code = regrow(c, c->code, &c->cap, sizeof *c->code);
    c->code[c->len++] = v;
}

static const uint8_t op_words[] = {
#define X(n, words) words,
    WASM_OPS(X)
#undef X
};

static void op(struct cc *c, int o)
{
    c->opstart = c->len;
    c->lastop = o;
    w(c, (uint32_t)c->H[o]);
}

/* mark word dstpos of the instruction being emitted as its result slot; lastend is
 * where that instruction ends (it may still be receiving operand words) */
static void produced(struct cc *c, uint32_t dstpos)
{
    c->lastdst = dstpos;
    c->lastend = c->opstart + op_words[c->lastop];
}

/* a label (branch target) at the current position: no retargeting across it */
static void label(struct cc *c)
{
    c->lastend = NOIDX;
    c->kend = NOIDX;
    c->cmpend = NOIDX;
    c->aend = NOIDX;
}

static void resolve(struct cc *c, uint32_t chain, uint32_t target)
{
    while (chain != NOIDX) {
        uint32_t next = c->code[chain];
        c->code[chain] = target;
        chain = next;
    }
}

/* ---- operand stack ---- */

static uint32_t tslot(struct cc *c, uint32_t height) { return c->nlocals + height; }

static struct sv push(struct cc *c, uint8_t t)
{
    if (c->h == c->hcap)
        c->st = regrow(c, c->st, &c->hcap, sizeof *c->st);
    struct sv v = {t, tslot(c, c->h)};
    c->st[c->h++] = v;
    if (c->h > c->hmax)
        c->hmax = c->h;
    if (c->nlocals + c->hmax > 0x3fffffff)
        FAIL("function too large (operand stack)");
    return v;
}

static struct sv pop(struct cc *c)
{
    struct ctl *f = top(c);
    if (c->h == f->h) {
        if (f->unreach)
            return (struct sv){UNKNOWN, 0};
        FAIL("type mismatch: operand stack underflow");
    }
    return c->st[--c->h];
}

static struct sv popt(struct cc *c, uint8_t t)
{
    struct sv v = pop(c);
    if (v.t != t && v.t != UNKNOWN && t != UNKNOWN)
        FAIL("type mismatch: expected 0x%02x, got 0x%02x", t, v.t);
    return v;
}

static bool isref(uint8_t t) { return t == WASM_FUNCREF || t == WASM_EXTERNREF; }

/* copy deferred local references into their own slots (before control flow or calls) */
static void flush(struct cc *c)
{
    if (!live(c))
        return;
    for (uint32_t i = 0; i < c->h; i++) {
        if (c->st[i].slot != tslot(c, i)) {
            op(c, OP_COPY);
            w(c, tslot(c, i));
            w(c, c->st[i].slot);
            c->st[i].slot = tslot(c, i);
        }
    }
}

/* flush only entries that refer to local x (before x changes); returns whether any did */
static bool flush_local(struct cc *c, uint32_t x)
{
    bool any = false;
    for (uint32_t i = 0; i < c->h; i++) {
        if (c->st[i].slot == x) {
            op(c, OP_COPY);
            w(c, tslot(c, i));
            w(c, x);
            c->st[i].slot = tslot(c, i);
            any = true;
        }
    }
    return any;
}

/* pop n values of types ts (checking) */
static void popn(struct cc *c, uint32_t n, const uint8_t *ts)
{
    for (uint32_t i = n; i-- > 0;)
        popt(c, ts[i]);
}

static void pushn(struct cc *c, uint32_t n, const uint8_t *ts)
{
    for (uint32_t i = 0; i < n; i++)
        push(c, ts[i]);
}

/* check that the top n values have types ts, leaving them (and their slots) in place;
 * in unreachable code missing values are materialised as the expected types */
static void peekn(struct cc *c, uint32_t n, const uint8_t *ts)
{
    uint32_t h0 = c->h;
    popn(c, n, ts);
    if (h0 - c->h == n) {
        c->h = h0;
        for (uint32_t i = 0; i < n; i++)
            c->st[h0 - n + i].t = ts[i];
    } else {
        pushn(c, n, ts);
    }
}

/* move the top n values into slots starting at dst (ascending; dst <= sources) */
static void move_top(struct cc *c, uint32_t n, uint32_t dst)
{
    uint32_t src = c->h - n;
    if (n == 0 || c->st[src].slot == dst)
        return;
    if (n == 1) {
        op(c, OP_COPY);
        w(c, dst);
        w(c, c->st[src].slot);
    } else {
        op(c, OP_COPYN);
        w(c, dst);
        w(c, c->st[src].slot);
        w(c, n);
    }
}

/* ---- control ---- */

static void push_ctl(struct cc *c, uint8_t kind, uint32_t np, const uint8_t *pt, uint32_t nr, const uint8_t *rt)
{
    if (c->nc == c->ccap)
        c->cs = regrow(c, c->cs, &c->ccap, sizeof *c->cs);
    bool dead = c->nc ? (top(c)->unreach || top(c)->dead) : false;
    struct ctl *f = &c->cs[c->nc++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->dead = dead;
    f->np = np;
    f->pt = pt;
    f->nr = nr;
    f->rt = rt;
    f->h = c->h - np;
    f->patch = NOIDX;
    f->elsepatch = NOIDX;
}

static void set_unreachable(struct cc *c)
{
    struct ctl *f = top(c);
    c->h = f->h;
    f->unreach = true;
}

/* A single value about to be moved and then abandoned (unconditional jump or return):
 * if the instruction just emitted produced it, make that instruction write it to dst. */
static bool retarget_top(struct cc *c, uint32_t dst)
{
    uint32_t src = c->st[c->h - 1].slot;
    if (c->lastend != c->len || src != tslot(c, c->h - 1) || c->code[c->lastdst] != src)
        return false;
    c->code[c->lastdst] = dst;
    c->lastend = NOIDX;
    return true;
}

static void emit_return_x(struct cc *c, bool uncond)
{
    const wasm_functype *t = &c->m->types[c->m->functype[c->cs[0].pc]];
    flush(c);
    if (!(uncond && t->nr == 1 && retarget_top(c, 0)))
        move_top(c, t->nr, 0);
    op(c, OP_RETURN);
}

static void emit_return(struct cc *c) { emit_return_x(c, false); }

/* label arity and types for branch depth d */
static struct ctl *label_of(struct cc *c, uint32_t d)
{
    if (d >= c->nc)
        FAIL("unknown label %u", d);
    return &c->cs[c->nc - 1 - d];
}

static uint32_t larity(struct ctl *l) { return l->kind == K_LOOP ? l->np : l->nr; }
static const uint8_t *ltypes(struct ctl *l) { return l->kind == K_LOOP ? l->pt : l->rt; }

/* emit a jump to label l whose values are on top of the (flushed) stack */
static void emit_jump(struct cc *c, struct ctl *l)
{
    if (l->kind == K_FUNC) {
        emit_return(c);
        return;
    }
    move_top(c, larity(l), tslot(c, l->h));
    op(c, OP_BR);
    if (l->kind == K_LOOP) {
        w(c, l->pc);
    } else {
        w(c, l->patch);
        l->patch = c->len - 1;
    }
}

static bool needs_move(struct cc *c, struct ctl *l)
{
    uint32_t n = larity(l);
    if (l->kind == K_FUNC)
        return true;
    return n && c->st[c->h - n].slot != tslot(c, l->h);
}

static void blocktype(struct cc *c, uint32_t *np, const uint8_t **pt, uint32_t *nr, const uint8_t **rt)
{
    struct rd *r = c->r;
    if (r->p >= r->end)
        FAIL("unexpected end");
    uint8_t b = *r->p;
    *np = 0;
    *pt = NULL;
    if (b == 0x40) {
        r->p++;
        *nr = 0;
        *rt = NULL;
        return;
    }
    for (unsigned i = 0; i < sizeof vt_one; i++) {
        if (b == vt_one[i]) {
            r->p++;
            *nr = 1;
            *rt = &vt_one[i];
            return;
        }
    }
    if (b == WASM_V128)
        FAIL("SIMD (v128) is not supported by this engine");
    int64_t x = wasm__s33(r);
    if (x < 0 || x >= c->m->ntypes)
        FAIL("unknown type %lld", (long long)x);
    const wasm_functype *t = &c->m->types[x];
    *np = t->np;
    *pt = t->t;
    *nr = t->nr;
    *rt = t->t + t->np;
}

/* ---- instruction groups ---- */

static void unop(struct cc *c, int o, uint8_t in, uint8_t out)
{
    struct sv a = popt(c, in);
    struct sv d = push(c, out);
    if (!live(c))
        return;
    uint32_t start = c->len;
    op(c, o);
    w(c, d.slot);
    produced(c, c->len - 1);
    w(c, a.slot);
    if (o == OP_I32_EQZ) { /* a == 0 */
        c->cmpop = OP_I32_EQ;
        c->cmpstart = start;
        c->cmpend = c->len;
        c->cmpdst = d.slot;
        c->cmpa = a.slot;
        c->cmpb = NOIDX;
        c->cmpimm = 0;
    }
}

/* the immediate form of o when its right operand is constant v, or -1 */
static int imm_form(int o, uint64_t v, uint32_t *imm)
{
    int fits = (int64_t)v == (int64_t)(int32_t)(uint32_t)v;
    *imm = (uint32_t)v;
    switch (o) {
    case OP_I32_ADD: return OP_I32_ADDI;
    case OP_I32_SUB: *imm = (uint32_t)-(uint32_t)v; return OP_I32_ADDI;
    case OP_I32_AND: return OP_I32_ANDI;
    case OP_I32_OR: return OP_I32_ORI;
    case OP_I32_XOR: return OP_I32_XORI;
    case OP_I32_SHL: return OP_I32_SHLI;
    case OP_I32_SHR_U: return OP_I32_SHR_UI;
    case OP_I32_SHR_S: return OP_I32_SHR_SI;
    case OP_I32_MUL: return OP_I32_MULI;
    case OP_I32_ROTL: return OP_I32_ROTLI;
    case OP_I32_ROTR: return OP_I32_ROTRI;
    case OP_I64_ADD: return fits ? OP_I64_ADDI : -1;
    case OP_I64_SUB: *imm = (uint32_t)-(uint32_t)v; return fits && (int64_t)v != INT32_MIN ? OP_I64_ADDI : -1;
    case OP_I64_AND: return fits ? OP_I64_ANDI : -1;
    case OP_I64_SHL: return OP_I64_SHLI;
    case OP_I64_SHR_U: return OP_I64_SHR_UI;
    default: return -1;
    }
}

static void binop(struct cc *c, int o, uint8_t in, uint8_t out)
{
    struct sv b = popt(c, in);
    struct sv a = popt(c, in);
    struct sv d = push(c, out);
    if (!live(c))
        return;
    /* right operand is the constant just emitted into its own temp: fold it */
    bool bk = c->kend == c->len && b.slot == c->kslot && b.slot == tslot(c, c->h) && a.slot != b.slot;
    uint32_t imm;
    int oi = bk ? imm_form(o, c->kval, &imm) : -1;
    if (oi >= 0) {
        c->len = c->kpos;
        c->kend = NOIDX;
        uint32_t start = c->len;
        op(c, oi);
        w(c, d.slot);
        produced(c, c->len - 1);
        w(c, a.slot);
        w(c, imm);
        if (oi == OP_I32_ADDI) {
            c->apos = start;
            c->aend = c->len;
            c->adst = d.slot;
            c->abase = a.slot;
            c->aimm = imm;
        }
        return;
    }
    uint32_t start = bk ? c->kpos : c->len;
    op(c, o);
    w(c, d.slot);
    produced(c, c->len - 1);
    w(c, a.slot);
    w(c, b.slot);
    if (o >= OP_I32_EQ && o <= OP_I32_GE_U) {
        c->cmpop = o;
        c->cmpstart = start;
        c->cmpend = c->len;
        c->cmpdst = d.slot;
        c->cmpa = a.slot;
        c->cmpb = bk ? NOIDX : b.slot;
        c->cmpimm = bk ? (uint32_t)c->kval : 0;
    }
}

/* Fuse "compare; br_if/if" into one compare-and-branch when the condition in slot
 * cond was produced by the instruction just emitted.  negate: branch when false. */
static bool fuse_branch(struct cc *c, uint32_t cond, bool negate)
{
    if (c->cmpend != c->len || cond != c->cmpdst || cond != tslot(c, c->h))
        return false;
    static const int inv[] = {OP_I32_NE, OP_I32_EQ, OP_I32_GE_S, OP_I32_GE_U, OP_I32_LE_S,
                              OP_I32_LE_U, OP_I32_GT_S, OP_I32_GT_U, OP_I32_LT_S, OP_I32_LT_U};
    int o = negate ? inv[c->cmpop - OP_I32_EQ] : c->cmpop;
    c->len = c->cmpstart;
    c->cmpend = c->kend = c->lastend = NOIDX;
    if (c->cmpb == NOIDX) {
        op(c, OP_BR_I32_EQI + (o - OP_I32_EQ));
        w(c, c->cmpa);
        w(c, c->cmpimm);
    } else {
        op(c, OP_BR_I32_EQ + (o - OP_I32_EQ));
        w(c, c->cmpa);
        w(c, c->cmpb);
    }
    return true;
}

static uint32_t memarg(struct cc *c, uint32_t natural)
{
    uint32_t align = wasm__u32(c->r);
    uint32_t off = wasm__u32(c->r);
    if (c->m->nmems == 0)
        FAIL("unknown memory 0");
    if (align >= 32 || (1u << align) > natural)
        FAIL("alignment must not be larger than natural");
    return off;
}

static void load(struct cc *c, int o, uint32_t natural, uint8_t t)
{
    uint32_t off = memarg(c, natural);
    struct sv a = popt(c, WASM_I32);
    struct sv d = push(c, t);
    if (!live(c))
        return;
    if (c->kend == c->len && a.slot == c->kslot && a.slot == tslot(c, c->h - 1)) {
        /* the address is the constant just emitted: load from a fixed address */
        uint32_t addr = (uint32_t)c->kval;
        c->len = c->kpos;
        c->kend = NOIDX;
        op(c, OP_LD32K + (o - OP_LD32));
        w(c, d.slot);
        produced(c, c->len - 1);
        w(c, addr);
        w(c, off);
        return;
    }
    if (c->aend == c->len && a.slot == c->adst && a.slot == tslot(c, c->h - 1)) {
        /* the address is "base + imm" computed just before: fold it into the load */
        c->len = c->apos;
        c->aend = NOIDX;
        op(c, OP_LD32A + (o - OP_LD32));
        w(c, d.slot);
        produced(c, c->len - 1);
        w(c, c->abase);
        w(c, c->aimm);
        w(c, off);
        return;
    }
    op(c, o);
    w(c, d.slot);
    produced(c, c->len - 1);
    w(c, a.slot);
    w(c, off);
}

static void store(struct cc *c, int o, uint32_t natural, uint8_t t)
{
    uint32_t off = memarg(c, natural);
    struct sv v = popt(c, t);
    struct sv a = popt(c, WASM_I32);
    if (!live(c))
        return;
    if (c->aend == c->len && a.slot == c->adst && a.slot == tslot(c, c->h) && v.slot != a.slot) {
        c->len = c->apos;
        c->aend = NOIDX;
        op(c, OP_ST32A + (o - OP_ST32));
        w(c, c->abase);
        w(c, v.slot);
        w(c, c->aimm);
        w(c, off);
        return;
    }
    op(c, o);
    w(c, a.slot);
    w(c, v.slot);
    w(c, off);
}

static void need_mem(struct cc *c)
{
    if (c->m->nmems == 0)
        FAIL("unknown memory 0");
}

static uint32_t table_idx(struct cc *c)
{
    uint32_t t = wasm__u32(c->r);
    if (t >= c->m->ntables)
        FAIL("unknown table %u", t);
    return t;
}

static uint32_t elem_idx(struct cc *c)
{
    uint32_t e = wasm__u32(c->r);
    if (e >= c->m->nelems)
        FAIL("unknown elem segment %u", e);
    return e;
}

static void zero_byte(struct cc *c)
{
    if (wasm__u8(c->r) != 0)
        FAIL("zero byte expected");
}

static void emit_call(struct cc *c, const wasm_functype *t, int o, uint32_t a1, uint32_t a2, bool indirect)
{
    flush(c);
    struct sv idx = {0, 0};
    if (indirect)
        idx = popt(c, WASM_I32);
    popn(c, t->np, t->t);
    uint32_t argslot = tslot(c, c->h);
    if (live(c)) {
        op(c, o);
        w(c, a1);
        if (indirect) {
            w(c, a2);
            w(c, idx.slot);
        }
        w(c, argslot);
    }
    pushn(c, t->nr, t->t + t->np);
    label(c);
}

/* 0xFC-prefixed instructions */
static void prefixed(struct cc *c)
{
    wasm_module *m = c->m;
    uint32_t sub = wasm__u32(c->r);
    if (sub <= 7) {
        static const uint8_t in[8] = {WASM_F32, WASM_F32, WASM_F64, WASM_F64, WASM_F32, WASM_F32, WASM_F64, WASM_F64};
        unop(c, OP_I32_TRUNC_SAT_F32_S + (int)sub, in[sub], sub < 4 ? WASM_I32 : WASM_I64);
        return;
    }
    struct sv a, b, d, n;
    switch (sub) {
    case 8: { /* memory.init */
        uint32_t seg = wasm__u32(c->r);
        zero_byte(c);
        need_mem(c);
        if (!m->has_datacount)
            FAIL("data count section required");
        if (seg >= m->datacount)
            FAIL("unknown data segment %u", seg);
        n = popt(c, WASM_I32); b = popt(c, WASM_I32); a = popt(c, WASM_I32);
        if (live(c)) { op(c, OP_MEMORY_INIT); w(c, seg); w(c, a.slot); w(c, b.slot); w(c, n.slot); }
        return;
    }
    case 9: { /* data.drop */
        uint32_t seg = wasm__u32(c->r);
        if (!m->has_datacount)
            FAIL("data count section required");
        if (seg >= m->datacount)
            FAIL("unknown data segment %u", seg);
        if (live(c)) { op(c, OP_DATA_DROP); w(c, seg); }
        return;
    }
    case 10: /* memory.copy */
        zero_byte(c); zero_byte(c); need_mem(c);
        n = popt(c, WASM_I32); b = popt(c, WASM_I32); a = popt(c, WASM_I32);
        if (live(c)) { op(c, OP_MEMORY_COPY); w(c, a.slot); w(c, b.slot); w(c, n.slot); }
        return;
    case 11: /* memory.fill */
        zero_byte(c); need_mem(c);
        n = popt(c, WASM_I32); b = popt(c, WASM_I32); a = popt(c, WASM_I32);
        if (live(c)) { op(c, OP_MEMORY_FILL); w(c, a.slot); w(c, b.slot); w(c, n.slot); }
        return;
    case 12: { /* table.init elem table */
        uint32_t e = elem_idx(c), t = table_idx(c);
        if (m->elems[e].type != m->tables[t].elem)
            FAIL("type mismatch: table.init element type");
        n = popt(c, WASM_I32); b = popt(c, WASM_I32); a = popt(c, WASM_I32);
        if (live(c)) { op(c, OP_TABLE_INIT); w(c, t); w(c, e); w(c, a.slot); w(c, b.slot); w(c, n.slot); }
        return;
    }
    case 13: { /* elem.drop */
        uint32_t e = elem_idx(c);
        if (live(c)) { op(c, OP_ELEM_DROP); w(c, e); }
        return;
    }
    case 14: { /* table.copy dst src */
        uint32_t td = table_idx(c), ts = table_idx(c);
        if (m->tables[td].elem != m->tables[ts].elem)
            FAIL("type mismatch: table.copy element types");
        n = popt(c, WASM_I32); b = popt(c, WASM_I32); a = popt(c, WASM_I32);
        if (live(c)) { op(c, OP_TABLE_COPY); w(c, td); w(c, ts); w(c, a.slot); w(c, b.slot); w(c, n.slot); }
        return;
    }
    case 15: { /* table.grow */
        uint32_t t = table_idx(c);
        n = popt(c, WASM_I32); a = popt(c, m->tables[t].elem);
        d = push(c, WASM_I32);
        if (live(c)) { op(c, OP_TABLE_GROW); w(c, d.slot); w(c, t); w(c, a.slot); w(c, n.slot); }
        return;
    }
    case 16: { /* table.size */
        uint32_t t = table_idx(c);
        d = push(c, WASM_I32);
        if (live(c)) { op(c, OP_TABLE_SIZE); w(c, d.slot); w(c, t); }
        return;
    }
    case 17: { /* table.fill */
        uint32_t t = table_idx(c);
        n = popt(c, WASM_I32); b = popt(c, m->tables[t].elem); a = popt(c, WASM_I32);
        if (live(c)) { op(c, OP_TABLE_FILL); w(c, t); w(c, a.slot); w(c, b.slot); w(c, n.slot); }
        return;
    }
    default:
        FAIL("illegal opcode 0xfc 0x%x", sub);
    }
}

static void local_set(struct cc *c, uint32_t x, bool tee)
{
    if (x >= c->nlocals)
        FAIL("unknown local %u", x);
    struct sv v = popt(c, c->lt[x]);
    if (live(c) && v.slot != x) {
        bool moved = flush_local(c, x);
        /* retarget the producer if it wrote exactly this temp and nothing came between */
        if (!moved && c->lastend == c->len && v.slot == tslot(c, c->h) && c->code[c->lastdst] == v.slot) {
            c->code[c->lastdst] = x;
        } else {
            op(c, OP_COPY);
            w(c, x);
            w(c, v.slot);
        }
        c->lastend = NOIDX;
    }
    if (tee) {
        push(c, c->lt[x]);
        c->st[c->h - 1].slot = x;
    }
}

static void end_block(struct cc *c)
{
    struct ctl *f = top(c);
    if (f->kind == K_IF) {
        if (f->np != f->nr || (f->np && memcmp(f->pt, f->rt, f->np)))
            FAIL("type mismatch: if without else must have matching param and result types");
    }
    popn(c, f->nr, f->rt);
    if (c->h != f->h)
        FAIL("type mismatch: values remaining on the stack at end of block");
    c->h += f->nr; /* values are in place: reuse their entries */
    flush(c);
    c->h -= f->nr;
    label(c);
    resolve(c, f->patch, c->len);
    resolve(c, f->elsepatch, c->len);
    uint32_t nr = f->nr;
    const uint8_t *rt = f->rt;
    c->nc--;
    pushn(c, nr, rt);
}

static uint8_t local_type(struct cc *c)
{
    uint8_t vt = wasm__u8(c->r);
    if (vt == WASM_V128)
        FAIL("SIMD (v128) is not supported by this engine");
    for (unsigned j = 0; j < sizeof vt_one; j++)
        if (vt == vt_one[j])
            return vt;
    FAIL("malformed value type 0x%02x", vt);
}

static void body(struct cc *c)
{
    struct rd *r = c->r;
    wasm_module *m = c->m;
    for (;;) {
        uint8_t o = wasm__u8(r);
        struct sv a, b, d;
        switch (o) {
        case 0x00:
            if (live(c)) op(c, OP_UNREACHABLE);
            set_unreachable(c);
            break;
        case 0x01: break;
        case 0x02: case 0x03: { /* block, loop */
            uint32_t np, nr;
            const uint8_t *pt, *rt;
            blocktype(c, &np, &pt, &nr, &rt);
            flush(c);
            peekn(c, np, pt);
            label(c);
            push_ctl(c, o == 0x02 ? K_BLOCK : K_LOOP, np, pt, nr, rt);
            top(c)->pc = c->len;
            if (o == 0x03 && m->fuel && live(c))
                op(c, OP_FUEL);
            break;
        }
        case 0x04: { /* if */
            uint32_t np, nr;
            const uint8_t *pt, *rt;
            blocktype(c, &np, &pt, &nr, &rt);
            a = popt(c, WASM_I32);
            flush(c);
            peekn(c, np, pt);
            bool was_live = live(c);
            push_ctl(c, K_IF, np, pt, nr, rt);
            if (was_live) {
                uint32_t hh = c->h;
                c->h = top(c)->h + np; /* the condition's height, for fuse_branch */
                bool fused = fuse_branch(c, a.slot, true);
                c->h = hh;
                if (!fused) {
                    op(c, OP_BR_UNLESS);
                    w(c, a.slot);
                }
                w(c, NOIDX);
                top(c)->elsepatch = c->len - 1;
            }
            label(c);
            break;
        }
        case 0x05: { /* else */
            struct ctl *f = top(c);
            if (f->kind != K_IF)
                FAIL("else without matching if");
            popn(c, f->nr, f->rt);
            if (c->h != f->h)
                FAIL("type mismatch: values remaining on the stack at else");
            c->h += f->nr;
            flush(c);
            if (live(c)) {
                op(c, OP_BR);
                w(c, f->patch);
                f->patch = c->len - 1;
            }
            c->h = f->h;
            label(c);
            resolve(c, f->elsepatch, c->len);
            f->elsepatch = NOIDX;
            f->kind = K_ELSE;
            f->unreach = false;
            pushn(c, f->np, f->pt);
            break;
        }
        case 0x0b: /* end */
            if (c->nc == 1) {
                struct ctl *f = top(c);
                popn(c, f->nr, f->rt);
                if (c->h != f->h)
                    FAIL("type mismatch: values remaining on the stack at end of function");
                c->h += f->nr;
                if (live(c))
                    emit_return_x(c, true);
                c->nc = 0;
                return;
            }
            end_block(c);
            break;
        case 0x0c: { /* br */
            struct ctl *l = label_of(c, wasm__u32(r));
            flush(c);
            peekn(c, larity(l), ltypes(l));
            if (live(c))
                emit_jump(c, l);
            set_unreachable(c);
            break;
        }
        case 0x0d: { /* br_if */
            struct ctl *l = label_of(c, wasm__u32(r));
            a = popt(c, WASM_I32);
            flush(c);
            peekn(c, larity(l), ltypes(l));
            if (!live(c))
                break;
            if (!needs_move(c, l)) {
                bool fused = fuse_branch(c, a.slot, false); /* c->h is the condition's height */
                if (!fused) {
                    op(c, OP_BR_IF);
                    w(c, a.slot);
                }
                if (l->kind == K_LOOP) {
                    w(c, l->pc);
                } else {
                    w(c, l->patch);
                    l->patch = c->len - 1;
                }
            } else {
                op(c, OP_BR_UNLESS);
                w(c, a.slot);
                uint32_t skip = c->len;
                w(c, NOIDX);
                emit_jump(c, l);
                c->code[skip] = c->len;
            }
            label(c);
            break;
        }
        case 0x0e: { /* br_table */
            uint32_t n = wasm__u32(r);
            if (n > (size_t)(r->end - r->p))
                FAIL("unexpected end");
            uint32_t *ds = c->brtab = malloc(((size_t)n + 1) * sizeof *ds);
            if (!ds)
                FAIL("out of memory");
            for (uint32_t i = 0; i <= n; i++)
                ds[i] = wasm__u32(r);
            flush(c);
            /* validate: every label needs the default's arity and the stack's types */
            a = popt(c, WASM_I32);
            struct ctl *def = NULL;
            for (uint32_t i = 0; i <= n; i++) {
                if (ds[i] >= c->nc) {
                    FAIL("unknown label %u", ds[i]);
                }
            }
            def = label_of(c, ds[n]);
            uint32_t ar = larity(def);
            for (uint32_t i = 0; i <= n; i++) {
                struct ctl *l = label_of(c, ds[i]);
                if (larity(l) != ar) {
                    FAIL("type mismatch: br_table labels differ in arity");
                }
                /* pop-and-push each label's types against the stack */
                uint32_t h0 = c->h;
                for (uint32_t k = ar; k-- > 0;) {
                    struct sv v = pop(c);
                    uint8_t want = ltypes(l)[k];
                    if (v.t != want && v.t != UNKNOWN) {
                        FAIL("type mismatch in br_table");
                    }
                }
                c->h = h0; /* entries were only read (unknowns do not change the stack) */
            }
            if (live(c)) {
                op(c, OP_BR_TABLE);
                w(c, a.slot);
                w(c, n);
                uint32_t tab = c->len;
                for (uint32_t i = 0; i <= n; i++)
                    w(c, NOIDX);
                for (uint32_t i = 0; i <= n; i++) {
                    struct ctl *l = label_of(c, ds[i]);
                    if (needs_move(c, l)) {
                        c->code[tab + i] = c->len;
                        emit_jump(c, l);
                    } else if (l->kind == K_LOOP) {
                        c->code[tab + i] = l->pc;
                    } else {
                        c->code[tab + i] = l->patch;
                        l->patch = tab + i;
                    }
                }
            }
            free(ds);
            c->brtab = NULL;
            set_unreachable(c);
            break;
        }
        case 0x0f: { /* return */
            struct ctl *f = &c->cs[0];
            flush(c);
            peekn(c, f->nr, f->rt);
            if (live(c))
                emit_return_x(c, true);
            set_unreachable(c);
            break;
        }
        case 0x10: { /* call */
            uint32_t f = wasm__u32(r);
            if (f >= m->nfuncs)
                FAIL("unknown function %u", f);
            emit_call(c, &m->types[m->functype[f]], OP_CALL, f, 0, false);
            break;
        }
        case 0x11: { /* call_indirect */
            uint32_t t = wasm__u32(r);
            uint32_t tab = wasm__u32(r);
            if (tab >= m->ntables)
                FAIL("unknown table %u", tab);
            if (t >= m->ntypes)
                FAIL("unknown type %u", t);
            if (m->tables[tab].elem != WASM_FUNCREF)
                FAIL("type mismatch: call_indirect on a non-funcref table");
            emit_call(c, &m->types[t], OP_CALL_INDIRECT, t, tab, true);
            break;
        }
        case 0x1a: pop(c); break; /* drop */
        case 0x1b: case 0x1c: { /* select */
            uint8_t t = UNKNOWN;
            if (o == 0x1c) {
                uint32_t n = wasm__u32(r);
                if (n != 1)
                    FAIL("invalid result arity for select");
                uint8_t vt = wasm__u8(r);
                if (vt == WASM_V128)
                    FAIL("SIMD (v128) is not supported by this engine");
                bool ok = false;
                for (unsigned i = 0; i < sizeof vt_one; i++)
                    ok |= vt == vt_one[i];
                if (!ok)
                    FAIL("malformed value type 0x%02x", vt);
                t = vt;
            }
            struct sv cnd = popt(c, WASM_I32);
            if (o == 0x1c) {
                b = popt(c, t);
                a = popt(c, t);
            } else {
                b = pop(c);
                a = pop(c);
                if (isref(a.t) || isref(b.t))
                    FAIL("type mismatch: select without type on references");
                if (a.t != b.t && a.t != UNKNOWN && b.t != UNKNOWN)
                    FAIL("type mismatch in select");
                t = a.t != UNKNOWN ? a.t : b.t;
            }
            d = push(c, t);
            if (live(c)) {
                op(c, OP_SELECT);
                w(c, d.slot);
                produced(c, c->len - 1);
                w(c, a.slot);
                w(c, b.slot);
                w(c, cnd.slot);
            }
            break;
        }
        case 0x20: { /* local.get: deferred, no code */
            uint32_t x = wasm__u32(r);
            if (x >= c->nlocals)
                FAIL("unknown local %u", x);
            push(c, c->lt[x]);
            c->st[c->h - 1].slot = x;
            break;
        }
        case 0x21: local_set(c, wasm__u32(r), false); break;
        case 0x22: local_set(c, wasm__u32(r), true); break;
        case 0x23: {
            uint32_t g = wasm__u32(r);
            if (g >= m->nglobals)
                FAIL("unknown global %u", g);
            d = push(c, m->globals[g].t);
            if (live(c)) { op(c, OP_GLOBAL_GET); w(c, d.slot); produced(c, c->len - 1); w(c, g); }
            break;
        }
        case 0x24: {
            uint32_t g = wasm__u32(r);
            if (g >= m->nglobals)
                FAIL("unknown global %u", g);
            if (!m->globals[g].mut)
                FAIL("global is immutable");
            a = popt(c, m->globals[g].t);
            if (live(c)) { op(c, OP_GLOBAL_SET); w(c, g); w(c, a.slot); }
            break;
        }
        case 0x25: { /* table.get */
            uint32_t t = table_idx(c);
            a = popt(c, WASM_I32);
            d = push(c, m->tables[t].elem);
            if (live(c)) { op(c, OP_TABLE_GET); w(c, d.slot); produced(c, c->len - 1); w(c, t); w(c, a.slot); }
            break;
        }
        case 0x26: { /* table.set */
            uint32_t t = table_idx(c);
            b = popt(c, m->tables[t].elem);
            a = popt(c, WASM_I32);
            if (live(c)) { op(c, OP_TABLE_SET); w(c, t); w(c, a.slot); w(c, b.slot); }
            break;
        }
        case 0x28: load(c, OP_LD32, 4, WASM_I32); break;
        case 0x29: load(c, OP_LD64, 8, WASM_I64); break;
        case 0x2a: load(c, OP_LD32, 4, WASM_F32); break;
        case 0x2b: load(c, OP_LD64, 8, WASM_F64); break;
        case 0x2c: load(c, OP_LD8S32, 1, WASM_I32); break;
        case 0x2d: load(c, OP_LD8U, 1, WASM_I32); break;
        case 0x2e: load(c, OP_LD16S32, 2, WASM_I32); break;
        case 0x2f: load(c, OP_LD16U, 2, WASM_I32); break;
        case 0x30: load(c, OP_LD8S64, 1, WASM_I64); break;
        case 0x31: load(c, OP_LD8U, 1, WASM_I64); break;
        case 0x32: load(c, OP_LD16S64, 2, WASM_I64); break;
        case 0x33: load(c, OP_LD16U, 2, WASM_I64); break;
        case 0x34: load(c, OP_LD32S64, 4, WASM_I64); break;
        case 0x35: load(c, OP_LD32U64, 4, WASM_I64); break;
        case 0x36: store(c, OP_ST32, 4, WASM_I32); break;
        case 0x37: store(c, OP_ST64, 8, WASM_I64); break;
        case 0x38: store(c, OP_ST32, 4, WASM_F32); break;
        case 0x39: store(c, OP_ST64, 8, WASM_F64); break;
        case 0x3a: store(c, OP_ST8, 1, WASM_I32); break;
        case 0x3b: store(c, OP_ST16, 2, WASM_I32); break;
        case 0x3c: store(c, OP_ST8, 1, WASM_I64); break;
        case 0x3d: store(c, OP_ST16, 2, WASM_I64); break;
        case 0x3e: store(c, OP_ST32, 4, WASM_I64); break;
        case 0x3f:
            zero_byte(c);
            need_mem(c);
            d = push(c, WASM_I32);
            if (live(c)) { op(c, OP_MEMORY_SIZE); w(c, d.slot); produced(c, c->len - 1); }
            break;
        case 0x40:
            zero_byte(c);
            need_mem(c);
            a = popt(c, WASM_I32);
            d = push(c, WASM_I32);
            if (live(c)) { op(c, OP_MEMORY_GROW); w(c, d.slot); produced(c, c->len - 1); w(c, a.slot); }
            break;
        case 0x41: {
            uint32_t v = (uint32_t)wasm__s32(r);
            d = push(c, WASM_I32);
            if (live(c)) {
                c->kpos = c->len;
                op(c, OP_CONST32); w(c, d.slot); produced(c, c->len - 1); w(c, v);
                c->kend = c->len;
                c->kslot = d.slot;
                c->kval = v;
            }
            break;
        }
        case 0x42: {
            uint64_t v = (uint64_t)wasm__s64(r);
            d = push(c, WASM_I64);
            if (live(c)) {
                c->kpos = c->len;
                op(c, OP_CONST64); w(c, d.slot); produced(c, c->len - 1); w(c, (uint32_t)v); w(c, (uint32_t)(v >> 32));
                c->kend = c->len;
                c->kslot = d.slot;
                c->kval = v;
            }
            break;
        }
        case 0x43: {
            if (r->end - r->p < 4) FAIL("unexpected end");
            uint32_t v;
            memcpy(&v, r->p, 4);
            r->p += 4;
            d = push(c, WASM_F32);
            if (live(c)) { op(c, OP_CONST32); w(c, d.slot); produced(c, c->len - 1); w(c, v); }
            break;
        }
        case 0x44: {
            if (r->end - r->p < 8) FAIL("unexpected end");
            uint64_t v;
            memcpy(&v, r->p, 8);
            r->p += 8;
            d = push(c, WASM_F64);
            if (live(c)) { op(c, OP_CONST64); w(c, d.slot); produced(c, c->len - 1); w(c, (uint32_t)v); w(c, (uint32_t)(v >> 32)); }
            break;
        }
        case 0xbc: case 0xbd: case 0xbe: case 0xbf: { /* reinterpret: same bits, new type */
            static const uint8_t from[4] = {WASM_F32, WASM_F64, WASM_I32, WASM_I64};
            static const uint8_t to[4] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64};
            a = popt(c, from[o - 0xbc]);
            push(c, to[o - 0xbc]);
            c->st[c->h - 1].slot = a.t == UNKNOWN ? tslot(c, c->h - 1) : a.slot;
            break;
        }
        case 0xd0: {
            uint8_t t = wasm__u8(r);
            if (t != WASM_FUNCREF && t != WASM_EXTERNREF)
                FAIL("malformed reference type 0x%02x", t);
            d = push(c, t);
            if (live(c)) { op(c, OP_CONST32); w(c, d.slot); produced(c, c->len - 1); w(c, 0); }
            break;
        }
        case 0xd1:
            a = pop(c);
            if (a.t != UNKNOWN && !isref(a.t))
                FAIL("type mismatch: ref.is_null on a number");
            d = push(c, WASM_I32);
            if (live(c)) { op(c, OP_REF_IS_NULL); w(c, d.slot); produced(c, c->len - 1); w(c, a.slot); }
            break;
        case 0xd2: {
            uint32_t f = wasm__u32(r);
            if (f >= m->nfuncs)
                FAIL("unknown function %u", f);
            if (!m->declared[f])
                FAIL("undeclared function reference %u", f);
            d = push(c, WASM_FUNCREF);
            if (live(c)) { op(c, OP_REF_FUNC); w(c, d.slot); produced(c, c->len - 1); w(c, f); }
            break;
        }
        case 0xfc: prefixed(c); break;
        case 0xfd: FAIL("SIMD instructions (0xfd prefix) are not supported by this engine");
        default:
            if (o >= 0x45 && o <= 0xc4) {
                static const uint8_t I = WASM_I32, L = WASM_I64, F = WASM_F32, D = WASM_F64;
                uint8_t in, out;
                bool bin;
                int x = OP_I32_EQZ + (o - 0x45);
                if (o == 0x45) { in = I; out = I; bin = false; }
                else if (o <= 0x4f) { in = I; out = I; bin = true; }
                else if (o == 0x50) { in = L; out = I; bin = false; }
                else if (o <= 0x5a) { in = L; out = I; bin = true; }
                else if (o <= 0x60) { in = F; out = I; bin = true; }
                else if (o <= 0x66) { in = D; out = I; bin = true; }
                else if (o <= 0x69) { in = I; out = I; bin = false; }
                else if (o <= 0x78) { in = I; out = I; bin = true; }
                else if (o <= 0x7b) { in = L; out = L; bin = false; }
                else if (o <= 0x8a) { in = L; out = L; bin = true; }
                else if (o <= 0x91) { in = F; out = F; bin = false; }
                else if (o <= 0x98) { in = F; out = F; bin = true; }
                else if (o <= 0x9f) { in = D; out = D; bin = false; }
                else if (o <= 0xa6) { in = D; out = D; bin = true; }
                else {
                    /* conversions 0xa7..0xc4: [in] -> [out] */
                    static const uint8_t cin[] = {L, F, F, D, D, I, I, F, F, D, D, I, I, L, L, D, I, I, L, L, F,
                                                  F, D, I, L, I, I, L, L, L};
                    static const uint8_t cout[] = {I, I, I, I, I, L, L, L, L, L, L, F, F, F, F, F, D, D, D, D, D,
                                                   I, L, F, D, I, I, L, L, L};
                    in = cin[o - 0xa7];
                    out = cout[o - 0xa7];
                    bin = false;
                }
                if (bin)
                    binop(c, x, in, out);
                else
                    unop(c, x, in, out);
                break;
            }
            FAIL("illegal opcode 0x%02x", o);
        }
    }
}

void wasm__compile(struct rd *r, wasm_module *m, uint32_t fidx, struct wcode *out)
{
    struct cc cc, *c = &cc;
    memset(c, 0, sizeof *c);
    c->r = r;
    c->m = m;
    c->H = wasm__handlers();
    c->lastend = c->kend = c->cmpend = c->aend = NOIDX;
    const wasm_functype *ft = &m->types[m->functype[fidx]];

    /* locals: params, then the declared groups */
    jmp_buf jb, *outer = r->jb;
    r->jb = &jb;
    if (setjmp(jb)) {
        free(c->lt);
        free(c->st);
        free(c->cs);
        free(c->code);
        free(c->brtab);
        r->jb = outer;
        longjmp(*outer, 1);
    }
    /* two passes over the local groups: count (rejecting absurd totals before
     * allocating), then fill in the types */
    uint32_t ngroups = wasm__u32(r);
    uint64_t total = ft->np;
    const uint8_t *save = r->p;
    for (uint32_t i = 0; i < ngroups; i++) {
        total += wasm__u32(r);
        if (total > 50000)
            FAIL("too many locals");
        local_type(c);
    }
    c->nlocals = (uint32_t)total;
    c->lt = malloc(total ? total : 1);
    if (!c->lt)
        FAIL("out of memory");
    memcpy(c->lt, ft->t, ft->np);
    r->p = save;
    for (uint32_t i = 0, k = ft->np; i < ngroups; i++) {
        uint32_t n = wasm__u32(r);
        memset(c->lt + k, local_type(c), n);
        k += n;
    }

    op(c, OP_ENTER);
    w(c, ft->np);
    w(c, c->nlocals);
    uint32_t fsz = c->len;
    w(c, 0);
    if (m->fuel)
        op(c, OP_FUEL);
    push_ctl(c, K_FUNC, 0, NULL, ft->nr, ft->t + ft->np);
    c->cs[0].pc = fidx; /* the function frame's pc field holds its index (emit_return) */
    c->cs[0].h = 0;
    body(c);
    if (r->p != r->end)
        FAIL("section size mismatch: code after the function's final end");
    /* host-call scratch: a call's results may exceed its arguments; keep one spare */
    c->code[fsz] = c->nlocals + c->hmax + 1;
    out->framesize = c->code[fsz];
    out->code = c->code;
    out->len = c->len;
    free(c->lt);
    free(c->st);
    free(c->cs);
    r->jb = outer;
}
