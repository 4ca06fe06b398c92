/* compile.h - the translator's shared state: the operand and control stacks used for
 * validation (validate.c), code emission with its peepholes (emit.c), and the
 * per-instruction translation (compile.c).  Internal to the engine. */
#ifndef SKIFFWASM_COMPILE_H
#define SKIFFWASM_COMPILE_H

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ops.h"

#define UNKNOWN 0 /* the bottom type of unreachable code */

struct sv {
    uint8_t t;
    uint32_t slot; /* where the value is now (a local's slot while deferred) */
    uint32_t home; /* its own slot at this height: the slots below plus their widths */
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
    uint32_t nlocals, nlslots; /* locals, and the slots they take (a v128 takes two) */
    uint8_t *lt;
    uint32_t *ls;                /* each local's first slot */
    struct sv *st;
    uint32_t h, hcap, smax; /* operand height, capacity, highest slot used + 1 */
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
    uint32_t lpos, lend, ldst, lbase, limm, loff; /* the last f64 load, for folding into f64 arithmetic */
    uint32_t copypos, copyend; /* the last COPY/COPYS, which the next copy may join */
    bool *zero;     /* declared locals still holding their initial zero (until the first loop) */
    bool zero_live; /* no loop header yet: a back edge could not have changed them */
};

extern const uint8_t wc_vt_one[7]; /* the value types that fit in one byte */

#define FAIL(...) wasm__fail(c->r, __VA_ARGS__)

static inline struct ctl *top(struct cc *c) { return &c->cs[c->nc - 1]; }
static inline bool live(struct cc *c) { return !top(c)->unreach && !top(c)->dead; }
/* the home slot of operand height `height` (height <= c->h): values are laid out in
 * push order above the locals, so every path reaching a height agrees on it */
static inline uint32_t tslot(struct cc *c, uint32_t height)
{
    return height ? c->st[height - 1].home + wasm__width(c->st[height - 1].t) : c->nlslots;
}
static inline bool isref(uint8_t t) { return t == WASM_FUNCREF || t == WASM_EXTERNREF; }
static inline uint32_t larity(struct ctl *l) { return l->kind == K_LOOP ? l->np : l->nr; }
static inline const uint8_t *ltypes(struct ctl *l) { return l->kind == K_LOOP ? l->pt : l->rt; }

void *wc_regrow(struct cc *c, void *p, uint32_t *cap, size_t sz);
struct sv wc_push(struct cc *c, uint8_t t);
struct sv wc_pop(struct cc *c);
struct sv wc_popt(struct cc *c, uint8_t t);
void wc_popn(struct cc *c, uint32_t n, const uint8_t *ts);
void wc_pushn(struct cc *c, uint32_t n, const uint8_t *ts);
void wc_peekn(struct cc *c, uint32_t n, const uint8_t *ts);
void wc_push_ctl(struct cc *c, uint8_t kind, uint32_t np, const uint8_t *pt, uint32_t nr, const uint8_t *rt);
void wc_set_unreachable(struct cc *c);
struct ctl *wc_label_of(struct cc *c, uint32_t d);
void wc_blocktype(struct cc *c, uint32_t *np, const uint8_t **pt, uint32_t *nr, const uint8_t **rt);
uint8_t wc_local_type(struct cc *c);
void wc_w(struct cc *c, uint32_t v);
void wc_op(struct cc *c, int o);
void wc_produced(struct cc *c, uint32_t dstpos);
void wc_label(struct cc *c);
void wc_resolve(struct cc *c, uint32_t chain, uint32_t target);
void wc_flush(struct cc *c);
bool wc_flush_local(struct cc *c, uint32_t x);
void wc_copy(struct cc *c, uint8_t t, uint32_t dst, uint32_t src);
void wc_move_top(struct cc *c, uint32_t n, uint32_t dst);
bool wc_retarget_top(struct cc *c, uint32_t dst);
void wc_emit_return_x(struct cc *c, bool uncond);
void wc_emit_return(struct cc *c);
void wc_emit_jump(struct cc *c, struct ctl *l);
bool wc_needs_move(struct cc *c, struct ctl *l);
int wc_imm_form(int o, uint64_t v, uint32_t *imm);
bool wc_fuse_branch(struct cc *c, uint32_t cond, bool negate);
/* simd.c: one 0xfd-prefixed instruction; atomic.c: one 0xfe-prefixed instruction */
void wc_simd(struct cc *c);
void wc_atomic(struct cc *c);
/* memops.c: a memarg (exact: atomics need the natural alignment), the code around an
 * access to memory k > 0 or a memory64 memory, and the instructions naming a memory */
struct memarg {
    uint64_t off;
    uint32_t mem;
    bool is64;
};
void wc_memarg(struct cc *c, uint32_t natural, bool exact, struct memarg *ma);
bool wc_mem_slow(const struct memarg *ma);
void wc_mem_pre(struct cc *c, const struct memarg *ma, uint32_t addr_slot);
void wc_mem_post(struct cc *c, const struct memarg *ma);
void wc_memory_size(struct cc *c);
void wc_memory_grow(struct cc *c);
void wc_memory_bulk(struct cc *c, uint32_t sub);

#endif
