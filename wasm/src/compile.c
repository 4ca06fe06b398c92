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

#include "compile.h"

/* ---- instruction groups ---- */

static bool fold_f64_load(struct cc *c, int o, struct sv a, struct sv b, struct sv d);

static void unop(struct cc *c, int o, uint8_t in, uint8_t out)
{
    struct sv a = wc_popt(c, in);
    struct sv d = wc_push(c, out);
    if (!live(c))
        return;
    uint32_t start = c->len;
    wc_op(c, o);
    wc_w(c, d.slot);
    wc_produced(c, c->len - 1);
    wc_w(c, a.slot);
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

static void binop(struct cc *c, int o, uint8_t in, uint8_t out)
{
    struct sv b = wc_popt(c, in);
    struct sv a = wc_popt(c, in);
    struct sv d = wc_push(c, out);
    if (!live(c) || fold_f64_load(c, o, a, b, d))
        return;
    /* right operand is the constant just emitted into its own temp: fold it */
    bool bk = c->kend == c->len && b.slot == c->kslot && b.slot == tslot(c, c->h) && a.slot != b.slot;
    uint32_t imm;
    int oi = bk ? wc_imm_form(o, c->kval, &imm) : -1;
    if (oi >= 0) {
        c->len = c->kpos;
        c->kend = NOIDX;
        uint32_t start = c->len;
        wc_op(c, oi);
        wc_w(c, d.slot);
        wc_produced(c, c->len - 1);
        wc_w(c, a.slot);
        wc_w(c, imm);
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
    wc_op(c, o);
    wc_w(c, d.slot);
    wc_produced(c, c->len - 1);
    wc_w(c, a.slot);
    wc_w(c, b.slot);
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

static void load(struct cc *c, int o, uint32_t natural, uint8_t t)
{
    struct memarg ma;
    wc_memarg(c, natural, false, &ma);
    uint32_t off = (uint32_t)ma.off;
    struct sv a = wc_popt(c, ma.is64 ? WASM_I64 : WASM_I32);
    struct sv d = wc_push(c, t);
    if (!live(c))
        return;
    if (wc_mem_slow(&ma)) { /* another memory or memory64: no address folding */
        wc_mem_pre(c, &ma, a.slot);
        wc_op(c, o); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, a.slot); wc_w(c, off);
        wc_mem_post(c, &ma);
        return;
    }
    if (c->kend == c->len && a.slot == c->kslot && a.slot == tslot(c, c->h - 1)) {
        /* the address is the constant just emitted: load from a fixed address */
        uint32_t addr = (uint32_t)c->kval;
        c->len = c->kpos;
        c->kend = NOIDX;
        wc_op(c, OP_LD32K + (o - OP_LD32));
        wc_w(c, d.slot);
        wc_produced(c, c->len - 1);
        wc_w(c, addr);
        wc_w(c, off);
        return;
    }
    bool folded = c->aend == c->len && a.slot == c->adst && a.slot == tslot(c, c->h - 1);
    uint32_t base = folded ? c->abase : a.slot, imm = folded ? c->aimm : 0;
    if (folded) /* the address is "base + imm" computed just before: fold it into the load */
        c->len = c->apos;
    c->aend = NOIDX;
    uint32_t start = c->len;
    wc_op(c, folded ? OP_LD32A + (o - OP_LD32) : o);
    wc_w(c, d.slot);
    wc_produced(c, c->len - 1);
    wc_w(c, base);
    if (folded)
        wc_w(c, imm);
    wc_w(c, off);
    if (t == WASM_F64) { /* f64 arithmetic right after may take this load as its operand */
        c->lpos = start;
        c->lend = c->len;
        c->ldst = d.slot;
        c->lbase = base;
        c->limm = imm;
        c->loff = off;
    }
}

/* "f64.load; f64.add/sub/mul/div" with the loaded value as the right operand: one
 * instruction that reads memory itself (d a base imm off), as numeric loops do */
static bool fold_f64_load(struct cc *c, int o, struct sv a, struct sv b, struct sv d)
{
    if (o < OP_F64_ADD || o > OP_F64_DIV || c->lend != c->len || b.slot != c->ldst ||
        b.slot != tslot(c, c->h) || a.slot == b.slot)
        return false;
    c->len = c->lpos;
    c->lend = NOIDX;
    wc_op(c, OP_F64_ADDM + (o - OP_F64_ADD));
    wc_w(c, d.slot);
    wc_produced(c, c->len - 1);
    wc_w(c, a.slot);
    wc_w(c, c->lbase);
    wc_w(c, c->limm);
    wc_w(c, c->loff);
    return true;
}

static void store(struct cc *c, int o, uint32_t natural, uint8_t t)
{
    struct memarg ma;
    wc_memarg(c, natural, false, &ma);
    uint32_t off = (uint32_t)ma.off;
    struct sv v = wc_popt(c, t);
    struct sv a = wc_popt(c, ma.is64 ? WASM_I64 : WASM_I32);
    if (!live(c))
        return;
    if (wc_mem_slow(&ma)) {
        wc_mem_pre(c, &ma, a.slot);
        wc_op(c, o); wc_w(c, a.slot); wc_w(c, v.slot); wc_w(c, off);
        wc_mem_post(c, &ma);
        return;
    }
    if (c->aend == c->len && a.slot == c->adst && a.slot == tslot(c, c->h) && v.slot != a.slot) {
        c->len = c->apos;
        c->aend = NOIDX;
        wc_op(c, OP_ST32A + (o - OP_ST32));
        wc_w(c, c->abase);
        wc_w(c, v.slot);
        wc_w(c, c->aimm);
        wc_w(c, off);
        return;
    }
    wc_op(c, o);
    wc_w(c, a.slot);
    wc_w(c, v.slot);
    wc_w(c, off);
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

/* call, call_indirect, and the tail-call forms (o = OP_RETURN_CALL..), which replace
 * the caller's frame: their callee must return exactly the caller's result types */
static void emit_call(struct cc *c, const wasm_functype *t, int o, uint32_t a1, uint32_t a2, bool indirect)
{
    bool tail = o == OP_RETURN_CALL || o == OP_RETURN_CALL_INDIRECT;
    wc_flush(c);
    struct sv idx = {0, 0, 0};
    if (indirect)
        idx = wc_popt(c, WASM_I32);
    wc_popn(c, t->np, t->t);
    uint32_t argslot = tslot(c, c->h);
    if (tail) {
        const wasm_functype *self = &c->m->types[c->m->functype[c->cs[0].pc]];
        if (self->nr != t->nr || memcmp(self->t + self->np, t->t + t->np, t->nr))
            FAIL("type mismatch: tail call result types differ from the function's");
    }
    if (live(c)) {
        wc_op(c, o);
        wc_w(c, a1);
        if (indirect) {
            wc_w(c, a2);
            wc_w(c, idx.slot);
        }
        wc_w(c, argslot);
    }
    if (tail) {
        wc_set_unreachable(c);
        return;
    }
    wc_pushn(c, t->nr, t->t + t->np);
    wc_label(c);
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
    case 8: case 10: case 11: /* memory.init, memory.copy, memory.fill */
        wc_memory_bulk(c, sub);
        return;
    case 9: { /* data.drop */
        uint32_t seg = wasm__u32(c->r);
        if (!m->has_datacount)
            FAIL("data count section required");
        if (seg >= m->datacount)
            FAIL("unknown data segment %u", seg);
        if (live(c)) { wc_op(c, OP_DATA_DROP); wc_w(c, seg); }
        return;
    }
    case 12: { /* table.init elem table */
        uint32_t e = elem_idx(c), t = table_idx(c);
        if (m->elems[e].type != m->tables[t].elem)
            FAIL("type mismatch: table.init element type");
        n = wc_popt(c, WASM_I32); b = wc_popt(c, WASM_I32); a = wc_popt(c, WASM_I32);
        if (live(c)) { wc_op(c, OP_TABLE_INIT); wc_w(c, t); wc_w(c, e); wc_w(c, a.slot); wc_w(c, b.slot); wc_w(c, n.slot); }
        return;
    }
    case 13: { /* elem.drop */
        uint32_t e = elem_idx(c);
        if (live(c)) { wc_op(c, OP_ELEM_DROP); wc_w(c, e); }
        return;
    }
    case 14: { /* table.copy dst src */
        uint32_t td = table_idx(c), ts = table_idx(c);
        if (m->tables[td].elem != m->tables[ts].elem)
            FAIL("type mismatch: table.copy element types");
        n = wc_popt(c, WASM_I32); b = wc_popt(c, WASM_I32); a = wc_popt(c, WASM_I32);
        if (live(c)) { wc_op(c, OP_TABLE_COPY); wc_w(c, td); wc_w(c, ts); wc_w(c, a.slot); wc_w(c, b.slot); wc_w(c, n.slot); }
        return;
    }
    case 15: { /* table.grow */
        uint32_t t = table_idx(c);
        n = wc_popt(c, WASM_I32); a = wc_popt(c, m->tables[t].elem);
        d = wc_push(c, WASM_I32);
        if (live(c)) { wc_op(c, OP_TABLE_GROW); wc_w(c, d.slot); wc_w(c, t); wc_w(c, a.slot); wc_w(c, n.slot); }
        return;
    }
    case 16: { /* table.size */
        uint32_t t = table_idx(c);
        d = wc_push(c, WASM_I32);
        if (live(c)) { wc_op(c, OP_TABLE_SIZE); wc_w(c, d.slot); wc_w(c, t); }
        return;
    }
    case 17: { /* table.fill */
        uint32_t t = table_idx(c);
        n = wc_popt(c, WASM_I32); b = wc_popt(c, m->tables[t].elem); a = wc_popt(c, WASM_I32);
        if (live(c)) { wc_op(c, OP_TABLE_FILL); wc_w(c, t); wc_w(c, a.slot); wc_w(c, b.slot); wc_w(c, n.slot); }
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
    uint32_t xs = c->ls[x];
    struct sv v = wc_popt(c, c->lt[x]);
    if (live(c) && c->zero_live && c->zero[x] && !tee && c->kend == c->len && v.slot == c->kslot &&
        v.slot == tslot(c, c->h) && c->kval == 0) {
        /* "const 0; local.set x" before any loop, x untouched since ENTER zeroed it */
        c->len = c->kpos;
        c->kend = c->lastend = NOIDX;
        return;
    }
    c->zero[x] = false;
    if (live(c) && v.slot != xs) {
        bool moved = wc_flush_local(c, xs);
        /* retarget the producer if it wrote exactly this temp and nothing came between */
        if (!moved && c->lastend == c->len && v.slot == tslot(c, c->h) && c->code[c->lastdst] == v.slot)
            c->code[c->lastdst] = xs;
        else
            wc_copy(c, c->lt[x], xs, v.slot);
        c->lastend = NOIDX;
    }
    if (tee) {
        wc_push(c, c->lt[x]);
        c->st[c->h - 1].slot = xs;
    }
}

static void end_block(struct cc *c)
{
    struct ctl *f = top(c);
    if (f->kind == K_IF) {
        if (f->np != f->nr || (f->np && memcmp(f->pt, f->rt, f->np)))
            FAIL("type mismatch: if without else must have matching param and result types");
    }
    wc_popn(c, f->nr, f->rt);
    if (c->h != f->h)
        FAIL("type mismatch: values remaining on the stack at end of block");
    c->h += f->nr; /* values are in place: reuse their entries */
    wc_flush(c);
    c->h -= f->nr;
    wc_label(c);
    wc_resolve(c, f->patch, c->len);
    wc_resolve(c, f->elsepatch, c->len);
    uint32_t nr = f->nr;
    const uint8_t *rt = f->rt;
    c->nc--;
    wc_pushn(c, nr, rt);
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
            if (live(c)) wc_op(c, OP_UNREACHABLE);
            wc_set_unreachable(c);
            break;
        case 0x01: break;
        case 0x02: case 0x03: { /* block, loop */
            uint32_t np, nr;
            const uint8_t *pt, *rt;
            wc_blocktype(c, &np, &pt, &nr, &rt);
            wc_flush(c);
            wc_peekn(c, np, pt);
            wc_label(c);
            wc_push_ctl(c, o == 0x02 ? K_BLOCK : K_LOOP, np, pt, nr, rt);
            top(c)->pc = c->len;
            if (o == 0x03)
                c->zero_live = false; /* a back edge may bring locals changed later */
            if (o == 0x03 && m->fuel && live(c))
                wc_op(c, OP_FUEL);
            break;
        }
        case 0x04: { /* if */
            uint32_t np, nr;
            const uint8_t *pt, *rt;
            wc_blocktype(c, &np, &pt, &nr, &rt);
            a = wc_popt(c, WASM_I32);
            wc_flush(c);
            wc_peekn(c, np, pt);
            bool was_live = live(c);
            wc_push_ctl(c, K_IF, np, pt, nr, rt);
            if (was_live) {
                uint32_t hh = c->h;
                c->h = top(c)->h + np; /* the condition's height, for fuse_branch */
                bool fused = wc_fuse_branch(c, a.slot, true);
                c->h = hh;
                if (!fused) {
                    wc_op(c, OP_BR_UNLESS);
                    wc_w(c, a.slot);
                }
                wc_w(c, NOIDX);
                top(c)->elsepatch = c->len - 1;
            }
            wc_label(c);
            break;
        }
        case 0x05: { /* else */
            struct ctl *f = top(c);
            if (f->kind != K_IF)
                FAIL("else without matching if");
            wc_popn(c, f->nr, f->rt);
            if (c->h != f->h)
                FAIL("type mismatch: values remaining on the stack at else");
            c->h += f->nr;
            wc_flush(c);
            if (live(c)) {
                wc_op(c, OP_BR);
                wc_w(c, f->patch);
                f->patch = c->len - 1;
            }
            c->h = f->h;
            wc_label(c);
            wc_resolve(c, f->elsepatch, c->len);
            f->elsepatch = NOIDX;
            f->kind = K_ELSE;
            f->unreach = false;
            wc_pushn(c, f->np, f->pt);
            break;
        }
        case 0x0b: /* end */
            if (c->nc == 1) {
                struct ctl *f = top(c);
                wc_popn(c, f->nr, f->rt);
                if (c->h != f->h)
                    FAIL("type mismatch: values remaining on the stack at end of function");
                c->h += f->nr;
                if (live(c))
                    wc_emit_return_x(c, true);
                c->nc = 0;
                return;
            }
            end_block(c);
            break;
        case 0x0c: { /* br */
            struct ctl *l = wc_label_of(c, wasm__u32(r));
            wc_flush(c);
            wc_peekn(c, larity(l), ltypes(l));
            if (live(c))
                wc_emit_jump(c, l);
            wc_set_unreachable(c);
            break;
        }
        case 0x0d: { /* br_if */
            struct ctl *l = wc_label_of(c, wasm__u32(r));
            a = wc_popt(c, WASM_I32);
            wc_flush(c);
            wc_peekn(c, larity(l), ltypes(l));
            if (!live(c))
                break;
            if (!wc_needs_move(c, l)) {
                bool fused = wc_fuse_branch(c, a.slot, false); /* c->h is the condition's height */
                if (!fused) {
                    wc_op(c, OP_BR_IF);
                    wc_w(c, a.slot);
                }
                if (l->kind == K_LOOP) {
                    wc_w(c, l->pc);
                } else {
                    wc_w(c, l->patch);
                    l->patch = c->len - 1;
                }
            } else {
                wc_op(c, OP_BR_UNLESS);
                wc_w(c, a.slot);
                uint32_t skip = c->len;
                wc_w(c, NOIDX);
                wc_emit_jump(c, l);
                c->code[skip] = c->len;
            }
            wc_label(c);
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
            wc_flush(c);
            /* validate: every label needs the default's arity and the stack's types */
            a = wc_popt(c, WASM_I32);
            struct ctl *def = NULL;
            for (uint32_t i = 0; i <= n; i++) {
                if (ds[i] >= c->nc) {
                    FAIL("unknown label %u", ds[i]);
                }
            }
            def = wc_label_of(c, ds[n]);
            uint32_t ar = larity(def);
            for (uint32_t i = 0; i <= n; i++) {
                struct ctl *l = wc_label_of(c, ds[i]);
                if (larity(l) != ar) {
                    FAIL("type mismatch: br_table labels differ in arity");
                }
                /* pop-and-push each label's types against the stack */
                uint32_t h0 = c->h;
                for (uint32_t k = ar; k-- > 0;) {
                    struct sv v = wc_pop(c);
                    uint8_t want = ltypes(l)[k];
                    if (v.t != want && v.t != UNKNOWN) {
                        FAIL("type mismatch in br_table");
                    }
                }
                c->h = h0; /* entries were only read (unknowns do not change the stack) */
            }
            if (live(c)) {
                wc_op(c, OP_BR_TABLE);
                wc_w(c, a.slot);
                wc_w(c, n);
                uint32_t tab = c->len;
                for (uint32_t i = 0; i <= n; i++)
                    wc_w(c, NOIDX);
                for (uint32_t i = 0; i <= n; i++) {
                    struct ctl *l = wc_label_of(c, ds[i]);
                    if (wc_needs_move(c, l)) {
                        c->code[tab + i] = c->len;
                        wc_emit_jump(c, l);
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
            wc_set_unreachable(c);
            break;
        }
        case 0x0f: { /* return */
            struct ctl *f = &c->cs[0];
            wc_flush(c);
            wc_peekn(c, f->nr, f->rt);
            if (live(c))
                wc_emit_return_x(c, true);
            wc_set_unreachable(c);
            break;
        }
        case 0x10: { /* call */
            uint32_t f = wasm__u32(r);
            if (f >= m->nfuncs)
                FAIL("unknown function %u", f);
            emit_call(c, &m->types[m->functype[f]], OP_CALL, f, 0, false);
            break;
        }
        case 0x12: { /* return_call (tail-call proposal) */
            uint32_t f = wasm__u32(r);
            if (f >= m->nfuncs)
                FAIL("unknown function %u", f);
            m->features |= WASM_FEATURE_TAIL_CALL;
            emit_call(c, &m->types[m->functype[f]], OP_RETURN_CALL, f, 0, false);
            break;
        }
        case 0x11: case 0x13: { /* call_indirect, return_call_indirect */
            bool tail = o == 0x13;
            uint32_t t = wasm__u32(r);
            uint32_t tab = wasm__u32(r);
            if (tab >= m->ntables)
                FAIL("unknown table %u", tab);
            if (t >= m->ntypes)
                FAIL("unknown type %u", t);
            if (m->tables[tab].elem != WASM_FUNCREF)
                FAIL("type mismatch: call_indirect on a non-funcref table");
            if (tail)
                m->features |= WASM_FEATURE_TAIL_CALL;
            emit_call(c, &m->types[t], tail ? OP_RETURN_CALL_INDIRECT : OP_CALL_INDIRECT, t, tab, true);
            break;
        }
        case 0x1a: wc_pop(c); break; /* drop */
        case 0x1b: case 0x1c: { /* select */
            uint8_t t = UNKNOWN;
            if (o == 0x1c) {
                uint32_t n = wasm__u32(r);
                if (n != 1)
                    FAIL("invalid result arity for select");
                uint8_t vt = wasm__u8(r);
                bool ok = false;
                for (unsigned i = 0; i < sizeof wc_vt_one; i++)
                    ok |= vt == wc_vt_one[i];
                if (!ok)
                    FAIL("malformed value type 0x%02x", vt);
                t = vt;
            }
            struct sv cnd = wc_popt(c, WASM_I32);
            if (o == 0x1c) {
                b = wc_popt(c, t);
                a = wc_popt(c, t);
            } else {
                b = wc_pop(c);
                a = wc_pop(c);
                if (isref(a.t) || isref(b.t))
                    FAIL("type mismatch: select without type on references");
                if (a.t != b.t && a.t != UNKNOWN && b.t != UNKNOWN)
                    FAIL("type mismatch in select");
                t = a.t != UNKNOWN ? a.t : b.t;
            }
            d = wc_push(c, t);
            if (live(c)) {
                wc_op(c, t == WASM_V128 ? OP_SELECT2 : OP_SELECT);
                wc_w(c, d.slot);
                wc_produced(c, c->len - 1);
                wc_w(c, a.slot);
                wc_w(c, b.slot);
                wc_w(c, cnd.slot);
            }
            break;
        }
        case 0x20: { /* local.get: deferred, no code */
            uint32_t x = wasm__u32(r);
            if (x >= c->nlocals)
                FAIL("unknown local %u", x);
            wc_push(c, c->lt[x]);
            c->st[c->h - 1].slot = c->ls[x];
            break;
        }
        case 0x21: local_set(c, wasm__u32(r), false); break;
        case 0x22: local_set(c, wasm__u32(r), true); break;
        case 0x23: {
            uint32_t g = wasm__u32(r);
            if (g >= m->nglobals)
                FAIL("unknown global %u", g);
            d = wc_push(c, m->globals[g].t);
            if (live(c)) { wc_op(c, d.t == WASM_V128 ? OP_GLOBAL_GET2 : OP_GLOBAL_GET); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, g); }
            break;
        }
        case 0x24: {
            uint32_t g = wasm__u32(r);
            if (g >= m->nglobals)
                FAIL("unknown global %u", g);
            if (!m->globals[g].mut)
                FAIL("global is immutable");
            a = wc_popt(c, m->globals[g].t);
            if (live(c)) { wc_op(c, m->globals[g].t == WASM_V128 ? OP_GLOBAL_SET2 : OP_GLOBAL_SET); wc_w(c, g); wc_w(c, a.slot); }
            break;
        }
        case 0x25: { /* table.get */
            uint32_t t = table_idx(c);
            a = wc_popt(c, WASM_I32);
            d = wc_push(c, m->tables[t].elem);
            if (live(c)) { wc_op(c, OP_TABLE_GET); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, t); wc_w(c, a.slot); }
            break;
        }
        case 0x26: { /* table.set */
            uint32_t t = table_idx(c);
            b = wc_popt(c, m->tables[t].elem);
            a = wc_popt(c, WASM_I32);
            if (live(c)) { wc_op(c, OP_TABLE_SET); wc_w(c, t); wc_w(c, a.slot); wc_w(c, b.slot); }
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
        case 0x3f: wc_memory_size(c); break;
        case 0x40: wc_memory_grow(c); break;
        case 0x41: {
            uint32_t v = (uint32_t)wasm__s32(r);
            d = wc_push(c, WASM_I32);
            if (live(c)) {
                c->kpos = c->len;
                wc_op(c, OP_CONST32); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, v);
                c->kend = c->len;
                c->kslot = d.slot;
                c->kval = v;
            }
            break;
        }
        case 0x42: {
            uint64_t v = (uint64_t)wasm__s64(r);
            d = wc_push(c, WASM_I64);
            if (live(c)) {
                c->kpos = c->len;
                wc_op(c, OP_CONST64); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, (uint32_t)v); wc_w(c, (uint32_t)(v >> 32));
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
            d = wc_push(c, WASM_F32);
            if (live(c)) { wc_op(c, OP_CONST32); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, v); }
            break;
        }
        case 0x44: {
            if (r->end - r->p < 8) FAIL("unexpected end");
            uint64_t v;
            memcpy(&v, r->p, 8);
            r->p += 8;
            d = wc_push(c, WASM_F64);
            if (live(c)) { wc_op(c, OP_CONST64); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, (uint32_t)v); wc_w(c, (uint32_t)(v >> 32)); }
            break;
        }
        case 0xbc: case 0xbd: case 0xbe: case 0xbf: { /* reinterpret: same bits, new type */
            static const uint8_t from[4] = {WASM_F32, WASM_F64, WASM_I32, WASM_I64};
            static const uint8_t to[4] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64};
            a = wc_popt(c, from[o - 0xbc]);
            wc_push(c, to[o - 0xbc]);
            c->st[c->h - 1].slot = a.t == UNKNOWN ? tslot(c, c->h - 1) : a.slot;
            break;
        }
        case 0xd0: {
            uint8_t t = wasm__u8(r);
            if (t != WASM_FUNCREF && t != WASM_EXTERNREF)
                FAIL("malformed reference type 0x%02x", t);
            d = wc_push(c, t);
            if (live(c)) { wc_op(c, OP_CONST32); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, 0); }
            break;
        }
        case 0xd1:
            a = wc_pop(c);
            if (a.t != UNKNOWN && !isref(a.t))
                FAIL("type mismatch: ref.is_null on a number");
            d = wc_push(c, WASM_I32);
            if (live(c)) { wc_op(c, OP_REF_IS_NULL); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, a.slot); }
            break;
        case 0xd2: {
            uint32_t f = wasm__u32(r);
            if (f >= m->nfuncs)
                FAIL("unknown function %u", f);
            if (!m->declared[f])
                FAIL("undeclared function reference %u", f);
            d = wc_push(c, WASM_FUNCREF);
            if (live(c)) { wc_op(c, OP_REF_FUNC); wc_w(c, d.slot); wc_produced(c, c->len - 1); wc_w(c, f); }
            break;
        }
        case 0xfc: prefixed(c); break;
        case 0xfd: wc_simd(c); break;
        case 0xfe: wc_atomic(c); break;
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
    c->lastend = c->kend = c->cmpend = c->aend = c->lend = c->copyend = NOIDX;
    const wasm_functype *ft = &m->types[m->functype[fidx]];

    /* locals: params, then the declared groups */
    jmp_buf jb, *outer = r->jb;
    r->jb = &jb;
    if (setjmp(jb)) {
        free(c->lt);
        free(c->ls);
        free(c->zero);
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
        wc_local_type(c);
    }
    c->nlocals = (uint32_t)total;
    c->lt = malloc(total ? total : 1);
    c->ls = malloc((total ? total : 1) * sizeof *c->ls);
    c->zero = calloc(total ? total : 1, 1);
    if (!c->lt || !c->ls || !c->zero)
        FAIL("out of memory");
    for (uint64_t i = ft->np; i < total; i++)
        c->zero[i] = true; /* ENTER zeroes declared locals */
    c->zero_live = true;
    memcpy(c->lt, ft->t, ft->np);
    r->p = save;
    for (uint32_t i = 0, k = ft->np; i < ngroups; i++) {
        uint32_t n = wasm__u32(r);
        memset(c->lt + k, wc_local_type(c), n);
        k += n;
    }
    for (uint32_t i = 0; i < c->nlocals; i++) {
        c->ls[i] = c->nlslots;
        c->nlslots += wasm__width(c->lt[i]);
        if (c->lt[i] == WASM_V128)
            m->features |= WASM_FEATURE_SIMD;
    }
    c->smax = c->nlslots;

    wc_op(c, OP_ENTER);
    wc_w(c, ft->ps);
    wc_w(c, c->nlslots);
    uint32_t fsz = c->len;
    wc_w(c, 0);
    if (m->fuel)
        wc_op(c, OP_FUEL);
    wc_push_ctl(c, K_FUNC, 0, NULL, ft->nr, ft->t + ft->np);
    c->cs[0].pc = fidx; /* the function frame's pc field holds its index (emit_return) */
    c->cs[0].h = 0;
    body(c);
    if (r->p != r->end)
        FAIL("section size mismatch: code after the function's final end");
    /* host-call scratch: a call's results may exceed its arguments; keep a spare v128 */
    c->code[fsz] = c->smax + 2;
    out->framesize = c->code[fsz];
    out->code = c->code;
    out->len = c->len;
    free(c->lt);
    free(c->ls);
    free(c->zero);
    free(c->st);
    free(c->cs);
    r->jb = outer;
}
