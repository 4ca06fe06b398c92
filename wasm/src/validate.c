/* validate.c - the operand and control stacks of function-body validation (the
 * algorithm of the spec's validation appendix), with each operand's frame slot. */
#include "compile.h"

const uint8_t wc_vt_one[7] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_FUNCREF, WASM_EXTERNREF, WASM_V128};

void *wc_regrow(struct cc *c, void *p, uint32_t *cap, size_t sz)
{
    uint32_t n = *cap ? *cap * 2 : 64;
    void *q = realloc(p, (size_t)n * sz);
    if (!q)
        FAIL("out of memory");
    *cap = n;
    return q;
}

struct sv wc_push(struct cc *c, uint8_t t)
{
    if (c->h == c->hcap)
        c->st = wc_regrow(c, c->st, &c->hcap, sizeof *c->st);
    uint32_t home = tslot(c, c->h);
    struct sv v = {t, home, home};
    c->st[c->h++] = v;
    if (home + wasm__width(t) > c->smax)
        c->smax = home + wasm__width(t);
    if (c->smax > 0x3fffffff)
        FAIL("function too large (operand stack)");
    return v;
}

struct sv wc_pop(struct cc *c)
{
    struct ctl *f = top(c);
    if (c->h == f->h) {
        if (f->unreach)
            return (struct sv){UNKNOWN, 0, 0};
        FAIL("type mismatch: operand stack underflow");
    }
    return c->st[--c->h];
}

struct sv wc_popt(struct cc *c, uint8_t t)
{
    struct sv v = wc_pop(c);
    if (v.t != t && v.t != UNKNOWN && t != UNKNOWN)
        FAIL("type mismatch: expected 0x%02x, got 0x%02x", t, v.t);
    return v;
}

/* pop n values of types ts (checking) */
void wc_popn(struct cc *c, uint32_t n, const uint8_t *ts)
{
    for (uint32_t i = n; i-- > 0;)
        wc_popt(c, ts[i]);
}

void wc_pushn(struct cc *c, uint32_t n, const uint8_t *ts)
{
    for (uint32_t i = 0; i < n; i++)
        wc_push(c, ts[i]);
}

/* check that the top n values have types ts, leaving them (and their slots) in place;
 * in unreachable code missing values are materialised as the expected types */
void wc_peekn(struct cc *c, uint32_t n, const uint8_t *ts)
{
    uint32_t h0 = c->h;
    wc_popn(c, n, ts);
    if (h0 - c->h == n) {
        c->h = h0;
        for (uint32_t i = 0; i < n; i++)
            c->st[h0 - n + i].t = ts[i];
    } else {
        wc_pushn(c, n, ts);
    }
}

void wc_push_ctl(struct cc *c, uint8_t kind, uint32_t np, const uint8_t *pt, uint32_t nr, const uint8_t *rt)
{
    if (c->nc == c->ccap)
        c->cs = wc_regrow(c, c->cs, &c->ccap, sizeof *c->cs);
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

void wc_set_unreachable(struct cc *c)
{
    struct ctl *f = top(c);
    c->h = f->h;
    f->unreach = true;
}

/* label arity and types for branch depth d */
struct ctl *wc_label_of(struct cc *c, uint32_t d)
{
    if (d >= c->nc)
        FAIL("unknown label %u", d);
    return &c->cs[c->nc - 1 - d];
}

void wc_blocktype(struct cc *c, uint32_t *np, const uint8_t **pt, uint32_t *nr, const uint8_t **rt)
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
    for (unsigned i = 0; i < sizeof wc_vt_one; i++) {
        if (b == wc_vt_one[i]) {
            r->p++;
            *nr = 1;
            *rt = &wc_vt_one[i];
            return;
        }
    }
    int64_t x = wasm__s33(r);
    if (x < 0 || x >= c->m->ntypes)
        FAIL("unknown type %lld", (long long)x);
    const wasm_functype *t = &c->m->types[x];
    *np = t->np;
    *pt = t->t;
    *nr = t->nr;
    *rt = t->t + t->np;
}

uint8_t wc_local_type(struct cc *c)
{
    uint8_t vt = wasm__u8(c->r);
    for (unsigned j = 0; j < sizeof wc_vt_one; j++)
        if (vt == wc_vt_one[j])
            return vt;
    FAIL("malformed value type 0x%02x", vt);
}
