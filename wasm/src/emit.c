/* emit.c - writing translated code: instruction words, labels and forward-branch
 * chains, flushing deferred operands, moves for branches and returns, and the
 * peepholes (result retargeting, constant operands, compare-and-branch). */
#include "compile.h"

static const uint8_t op_words[] = {
#define X(n, words) words,
#define S(n, sub, kind, arg) kind##_W,
    WASM_OPS(X) WASM_SIMD_OPS(S)
#undef X
#undef S
};

void wc_w(struct cc *c, uint32_t v)
{
    if (c->len == c->cap)
        c->code = wc_regrow(c, c->code, &c->cap, sizeof *c->code);
    c->code[c->len++] = v;
}

void wc_op(struct cc *c, int o)
{
    c->opstart = c->len;
    c->lastop = o;
    wc_w(c, (uint32_t)c->H[o]);
}

/* mark word dstpos of the instruction being emitted as its result slot; lastend is
 * where that instruction ends (it may still be receiving operand words) */
void wc_produced(struct cc *c, uint32_t dstpos)
{
    c->lastdst = dstpos;
    c->lastend = c->opstart + op_words[c->lastop];
}

/* a label (branch target) at the current position: no retargeting across it */
void wc_label(struct cc *c)
{
    c->lastend = NOIDX;
    c->kend = NOIDX;
    c->cmpend = NOIDX;
    c->aend = NOIDX;
    c->lend = NOIDX;
    c->copyend = NOIDX;
}

void wc_resolve(struct cc *c, uint32_t chain, uint32_t target)
{
    while (chain != NOIDX) {
        uint32_t next = c->code[chain];
        c->code[chain] = target;
        chain = next;
    }
}

/* copy one value of type t (one slot, or two for a v128).  Copies in a row (the
 * register rotation of an unrolled hash round: "local.get b; local.set a; local.get c;
 * local.set b ...") become one COPYS, done in order, so one dispatch serves them all. */
void wc_copy(struct cc *c, uint8_t t, uint32_t dst, uint32_t src)
{
    if (wasm__width(t) == 1 && c->copyend == c->len) {
        uint32_t *p = c->code + c->copypos;
        if (p[0] == (uint32_t)c->H[OP_COPY]) { /* H d s -> H 1 d s, then append */
            wc_w(c, 0);
            p = c->code + c->copypos;
            p[3] = p[2];
            p[2] = p[1];
            p[1] = 1;
            p[0] = (uint32_t)c->H[OP_COPYS];
        }
        p[1]++;
        wc_w(c, dst);
        wc_w(c, src);
        c->copyend = c->len;
        return;
    }
    wc_op(c, wasm__width(t) == 2 ? OP_COPY2 : OP_COPY);
    wc_w(c, dst);
    wc_w(c, src);
    if (wasm__width(t) == 1) {
        c->copypos = c->opstart;
        c->copyend = c->len;
    }
}

/* copy deferred local references into their own slots (before control flow or calls) */
void wc_flush(struct cc *c)
{
    if (!live(c))
        return;
    for (uint32_t i = 0; i < c->h; i++) {
        if (c->st[i].slot != c->st[i].home) {
            wc_copy(c, c->st[i].t, c->st[i].home, c->st[i].slot);
            c->st[i].slot = c->st[i].home;
        }
    }
}

/* flush only entries that refer to local x (before x changes); returns whether any did */
bool wc_flush_local(struct cc *c, uint32_t x)
{
    bool any = false;
    for (uint32_t i = 0; i < c->h; i++) {
        if (c->st[i].slot == x) {
            wc_copy(c, c->st[i].t, c->st[i].home, x);
            c->st[i].slot = c->st[i].home;
            any = true;
        }
    }
    return any;
}

/* move the top n (flushed) values into slots starting at dst (ascending; dst <= sources) */
void wc_move_top(struct cc *c, uint32_t n, uint32_t dst)
{
    uint32_t src = c->h - n;
    if (n == 0 || c->st[src].slot == dst)
        return;
    uint32_t slots = tslot(c, c->h) - c->st[src].home;
    if (slots <= 2) {
        wc_op(c, slots == 2 ? OP_COPY2 : OP_COPY);
        wc_w(c, dst);
        wc_w(c, c->st[src].slot);
    } else {
        wc_op(c, OP_COPYN);
        wc_w(c, dst);
        wc_w(c, c->st[src].slot);
        wc_w(c, slots);
    }
}

/* A single value about to be moved and then abandoned (unconditional jump or return):
 * if the instruction just emitted produced it, make that instruction write it to dst. */
bool wc_retarget_top(struct cc *c, uint32_t dst)
{
    uint32_t src = c->st[c->h - 1].slot;
    if (c->lastend != c->len || src != tslot(c, c->h - 1) || c->code[c->lastdst] != src)
        return false;
    c->code[c->lastdst] = dst;
    c->lastend = NOIDX;
    return true;
}

void wc_emit_return_x(struct cc *c, bool uncond)
{
    const wasm_functype *t = &c->m->types[c->m->functype[c->cs[0].pc]];
    wc_flush(c);
    if (!(uncond && t->nr == 1 && wc_retarget_top(c, 0)))
        wc_move_top(c, t->nr, 0);
    wc_op(c, OP_RETURN);
}

void wc_emit_return(struct cc *c) { wc_emit_return_x(c, false); }

/* emit a jump to label l whose values are on top of the (flushed) stack */
void wc_emit_jump(struct cc *c, struct ctl *l)
{
    if (l->kind == K_FUNC) {
        wc_emit_return(c);
        return;
    }
    wc_move_top(c, larity(l), tslot(c, l->h));
    wc_op(c, OP_BR);
    if (l->kind == K_LOOP) {
        wc_w(c, l->pc);
    } else {
        wc_w(c, l->patch);
        l->patch = c->len - 1;
    }
}

bool wc_needs_move(struct cc *c, struct ctl *l)
{
    uint32_t n = larity(l);
    if (l->kind == K_FUNC)
        return true;
    return n && c->st[c->h - n].slot != tslot(c, l->h);
}

/* the immediate form of o when its right operand is constant v, or -1 */
int wc_imm_form(int o, uint64_t v, uint32_t *imm)
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
    case OP_I32_DIV_U: return (uint32_t)v ? OP_I32_DIV_UI : -1; /* by 0 keeps its trap */
    case OP_I32_REM_U: return (uint32_t)v ? OP_I32_REM_UI : -1;
    case OP_I64_ADD: return fits ? OP_I64_ADDI : -1;
    case OP_I64_SUB: *imm = (uint32_t)-(uint32_t)v; return fits && (int64_t)v != INT32_MIN ? OP_I64_ADDI : -1;
    case OP_I64_AND: return fits ? OP_I64_ANDI : -1;
    case OP_I64_SHL: return OP_I64_SHLI;
    case OP_I64_SHR_U: return OP_I64_SHR_UI;
    default: return -1;
    }
}

/* Fuse "compare; br_if/if" into one compare-and-branch when the condition in slot
 * cond was produced by the instruction just emitted.  negate: branch when false. */
bool wc_fuse_branch(struct cc *c, uint32_t cond, bool negate)
{
    if (c->cmpend != c->len || cond != c->cmpdst || cond != tslot(c, c->h))
        return false;
    static const int inv[] = {OP_I32_NE, OP_I32_EQ, OP_I32_GE_S, OP_I32_GE_U, OP_I32_LE_S,
                              OP_I32_LE_U, OP_I32_GT_S, OP_I32_GT_U, OP_I32_LT_S, OP_I32_LT_U};
    int o = negate ? inv[c->cmpop - OP_I32_EQ] : c->cmpop;
    c->len = c->cmpstart;
    c->cmpend = c->kend = c->lastend = NOIDX;
    if (c->cmpb == NOIDX) {
        wc_op(c, OP_BR_I32_EQI + (o - OP_I32_EQ));
        wc_w(c, c->cmpa);
        wc_w(c, c->cmpimm);
    } else {
        wc_op(c, OP_BR_I32_EQ + (o - OP_I32_EQ));
        wc_w(c, c->cmpa);
        wc_w(c, c->cmpb);
    }
    return true;
}
