/* interp.c - the interpreter loop over the translated code of compile.c.
 *
 * Dispatch: under GCC/Clang each instruction's first word is the offset of its handler
 * from a base label, so dispatch is one load and one indirect jump (direct threading
 * with labels-as-values).  Other compilers (or -DSKIFFWASM_SWITCH_DISPATCH) get a
 * switch over op numbers.
 *
 * Calls do not recurse in C: the interpreter keeps its own frame array in the store, so
 * wasm call depth is bounded by a limit, not by the C stack.  Registers: ip (next word),
 * cb (code base of the running function, for branch targets), fp (frame slots), inst
 * and the memory base/size, reloaded after anything that can change them. */
#include <math.h>
#include <string.h>

#include "internal.h"
#include "ops.h"
#include "numeric.h"
#include "simd_exec.h"
#include "simd_lanes.h"

#if defined(__GNUC__) && !defined(SKIFFWASM_SWITCH_DISPATCH)
#define THREADED 1
#endif

/* ---- value access ---- */
#define I32(x) ((uint32_t)fp[x])
#define S32(x) ((int32_t)(uint32_t)fp[x])
#define I64(x) (fp[x])
#define S64(x) ((int64_t)fp[x])
#define SET32(x, v) (fp[x] = (uint32_t)(v))
#define SET64(x, v) (fp[x] = (uint64_t)(v))

static inline float F32(const uint64_t *p)
{
    float f;
    memcpy(&f, p, 4);
    return f;
}
static inline double F64(const uint64_t *p)
{
    double d;
    memcpy(&d, p, 8);
    return d;
}
static inline void PUTF32(uint64_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    *p = u;
}
static inline void PUTF64(uint64_t *p, double d) { memcpy(p, &d, 8); }

static inline uint32_t rotl32(uint32_t x, uint32_t n) { n &= 31; return n ? (x << n) | (x >> (32 - n)) : x; }
static inline uint32_t rotr32(uint32_t x, uint32_t n) { n &= 31; return n ? (x >> n) | (x << (32 - n)) : x; }
static inline uint64_t rotl64(uint64_t x, uint64_t n) { n &= 63; return n ? (x << n) | (x >> (64 - n)) : x; }
static inline uint64_t rotr64(uint64_t x, uint64_t n) { n &= 63; return n ? (x >> n) | (x << (64 - n)) : x; }

static inline uint32_t clz32(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t ctz32(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint64_t clz64(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t ctz64(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }

/* the current size of a memory (a shared one may grow on another thread) */
static inline uint64_t mem_size(const wasm_memory *m) { return m ? __atomic_load_n(&m->size, __ATOMIC_ACQUIRE) : 0; }

/* [d, d + n) within memory m (64-bit operands: i32 ones arrive zero-extended) */
static inline bool mem_range_ok(const wasm_memory *m, uint64_t d, uint64_t n)
{
    uint64_t size = mem_size(m);
    return n <= size && d <= size - n;
}

static wasm_trap_kind run(wasm_store *s, wasm_func *f, uint64_t *sp, const int32_t **table);

const int32_t *wasm__handlers(void)
{
    const int32_t *t = NULL;
    run(NULL, NULL, NULL, &t);
    return t;
}

wasm_trap_kind wasm__run(wasm_store *s, wasm_func *f, uint64_t *sp) { return run(s, f, sp, NULL); }

static void fill_trap(wasm_store *s, wasm_trap_kind k, wasm_func *cur, uint32_t base)
{
    wasm_trap *t = &s->trap;
    t->kind = k;
    t->func_index = cur ? cur->idx : 0;
    if (k != WASM_TRAP_HOST && k != WASM_TRAP_EXIT) {
        /* host traps keep the message the host function left */
        const char *n = wasm_trap_name(k);
        size_t i = 0;
        for (; n[i] && i + 1 < sizeof t->msg; i++)
            t->msg[i] = n[i];
        t->msg[i] = 0;
    }
    t->nframes = 0;
    if (cur && cur->inst) {
        t->frames[t->nframes] = cur->idx;
        t->frame_module[t->nframes++] = cur->inst->m;
    }
    for (uint32_t d = s->depth; d-- > base + 1 && t->nframes < WASM_BACKTRACE_MAX;) {
        wasm_func *fn = s->frames[d].fn;
        if (fn && fn->inst) {
            t->frames[t->nframes] = fn->idx;
            t->frame_module[t->nframes++] = fn->inst->m;
        }
    }
}

static wasm_trap_kind run(wasm_store *s, wasm_func *f, uint64_t *sp, const int32_t **table)
{
#ifdef THREADED
#define X(n, w) (int32_t)((const char *)&&L_##n - (const char *)&&L_UNREACHABLE),
#define S(n, sub, kind, arg) X(n, 0)
    static const int32_t offs[] = {WASM_OPS(X) WASM_SIMD_OPS(S)};
#undef X
#undef S
#define CASE(n) L_##n:
#define NEXT() goto *(const void *)((const char *)&&L_UNREACHABLE + (int32_t)*ip)
#else
#define X(n, w) OP_##n,
#define S(n, sub, kind, arg) OP_##n,
    static const int32_t offs[] = {WASM_OPS(X) WASM_SIMD_OPS(S)};
#undef X
#undef S
#define CASE(n) case OP_##n:
#define NEXT() goto dispatch
#endif
    if (table) {
        *table = offs;
        return WASM_OK;
    }
    wasm_trap_kind trap = WASM_OK;
    uint32_t base = s->depth;
    if (base >= s->lim.max_call_depth)
        return wasm__trap(s, WASM_TRAP_STACK_EXHAUSTED, NULL);

    wasm_func *cur = f;
    wasm_instance *inst = f->inst;
    const uint32_t *cb = f->code->code, *ip = cb;
    uint64_t *fp = sp;
    wasm_memory *cm = inst->mem; /* the memory accesses use: memory 0 except after MEMSEL */
    uint8_t *mb = cm ? cm->data : NULL;
    uint64_t msize = cm ? cm->size : 0;
    s->frames[s->depth++] = (struct wframe){NULL, NULL, NULL};

#define TRAP(k) do { trap = (k); goto trap_out; } while (0)
#define RELOAD_MEM() do { cm = inst->mem; mb = cm ? cm->data : NULL; msize = cm ? cm->size : 0; } while (0)
/* effective address: 33-bit sum of a 32-bit base and offset, checked against the size.
 * Another thread may have grown a shared memory: re-read its size before trapping. */
#define OOB(end) ((end) > msize && (end) > (msize = mem_size(cm)))
#define EA(aslot, off, n) \
    uint64_t ea_ = (uint64_t)I32(aslot) + (off); \
    if (OOB(ea_ + (n))) \
        TRAP(WASM_TRAP_MEMORY_OOB);

#ifdef THREADED
    NEXT();
#else
dispatch:
    switch (*ip) {
#endif

    CASE(UNREACHABLE) TRAP(WASM_TRAP_UNREACHABLE);
    CASE(ENTER) {
        if (fp + ip[3] > s->stack_end)
            TRAP(WASM_TRAP_STACK_EXHAUSTED);
        for (uint32_t i = ip[1]; i < ip[2]; i++)
            fp[i] = 0;
        ip += 4;
        NEXT();
    }
    CASE(FUEL) {
        if (!s->fuel)
            TRAP(WASM_TRAP_OUT_OF_FUEL);
        s->fuel--;
        ip += 1;
        NEXT();
    }
    CASE(BR) { ip = cb + ip[1]; NEXT(); }
    CASE(BR_IF) { ip = I32(ip[1]) ? cb + ip[2] : ip + 3; NEXT(); }
    CASE(BR_UNLESS) { ip = I32(ip[1]) ? ip + 3 : cb + ip[2]; NEXT(); }
    CASE(BR_TABLE) {
        uint32_t i = I32(ip[1]), n = ip[2];
        ip = cb + ip[3 + (i < n ? i : n)];
        NEXT();
    }
    CASE(RETURN) {
    do_return:;
        struct wframe *fr = &s->frames[--s->depth];
        if (!fr->ret)
            return WASM_OK;
        ip = fr->ret;
        fp = fr->fp;
        cur = fr->fn;
        inst = cur->inst;
        cb = cur->code->code;
        RELOAD_MEM();
        NEXT();
    }
    {
        wasm_func *g;
        uint64_t *nfp;
        bool tailc;
    CASE(CALL)
        g = inst->funcs[ip[1]];
        nfp = fp + ip[2];
        ip += 3;
        goto do_call;
    CASE(CALL_INDIRECT)
        tailc = false;
        goto call_indirect;
    CASE(RETURN_CALL_INDIRECT)
        tailc = true; /* two labels in a row would share an address, hence the flag */
    call_indirect: {
        wasm_table *t = inst->tables[ip[2]];
        uint32_t i = I32(ip[3]);
        if (i >= t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        g = t->e[i];
        if (!g)
            TRAP(WASM_TRAP_NULL_FUNC);
        const wasm_functype *want = &inst->m->types[ip[1]];
        if (g->type != want && !wasm__functype_eq(g->type, want))
            TRAP(WASM_TRAP_INDIRECT_MISMATCH);
        nfp = fp + ip[4];
        if (tailc)
            goto do_tail;
        ip += 5;
    }
    do_call:
        if (g->host) {
            struct wasm_caller cl = {s, inst};
            uint32_t n = g->type->ps > g->type->rs ? g->type->ps : g->type->rs;
            uint64_t *saved = s->stack_top;
            s->stack_top = nfp + n;
            trap = g->host(&cl, g->env, nfp);
            s->stack_top = saved;
            if (trap)
                goto trap_out;
            RELOAD_MEM();
            NEXT();
        }
        if (s->depth >= s->lim.max_call_depth)
            TRAP(WASM_TRAP_STACK_EXHAUSTED);
        s->frames[s->depth++] = (struct wframe){ip, fp, cur};
        cur = g;
        fp = nfp;
        if (g->inst != inst) {
            inst = g->inst;
            RELOAD_MEM();
        }
        cb = ip = g->code->code;
        NEXT();
    CASE(RETURN_CALL)
        g = inst->funcs[ip[1]];
        nfp = fp + ip[2];
    do_tail:
        /* the callee reuses this frame: its arguments move down to slot 0, and it
         * returns straight to our caller (constant depth however deep the recursion) */
        memmove(fp, nfp, (size_t)g->type->ps * 8);
        if (g->host) {
            struct wasm_caller cl = {s, inst};
            uint64_t *saved = s->stack_top;
            s->stack_top = fp + (g->type->ps > g->type->rs ? g->type->ps : g->type->rs);
            trap = g->host(&cl, g->env, fp);
            s->stack_top = saved;
            if (trap)
                goto trap_out;
            goto do_return;
        }
        cur = g;
        if (g->inst != inst) {
            inst = g->inst;
            RELOAD_MEM();
        }
        cb = ip = g->code->code;
        NEXT();
    }
    CASE(COPY) { fp[ip[1]] = fp[ip[2]]; ip += 3; NEXT(); }
    CASE(COPYN) { memmove(fp + ip[1], fp + ip[2], (size_t)ip[3] * 8); ip += 4; NEXT(); }
    CASE(COPYS) {
        const uint32_t *p = ip + 2, *end = p + 2 * ip[1];
        for (; p < end; p += 2)
            fp[p[0]] = fp[p[1]];
        ip = end;
        NEXT();
    }
    CASE(COPY2) { uint64_t lo = fp[ip[2]], hi = fp[ip[2] + 1]; fp[ip[1]] = lo; fp[ip[1] + 1] = hi; ip += 3; NEXT(); }
    CASE(CONST32) { fp[ip[1]] = ip[2]; ip += 3; NEXT(); }
    CASE(CONST64) { fp[ip[1]] = (uint64_t)ip[2] | (uint64_t)ip[3] << 32; ip += 4; NEXT(); }
    CASE(SELECT) { fp[ip[1]] = I32(ip[4]) ? fp[ip[2]] : fp[ip[3]]; ip += 5; NEXT(); }
    CASE(SELECT2) { vput(fp + ip[1], vget(fp + (I32(ip[4]) ? ip[2] : ip[3]))); ip += 5; NEXT(); }
    CASE(GLOBAL_GET) { fp[ip[1]] = inst->globals[ip[2]]->v; ip += 3; NEXT(); }
    CASE(GLOBAL_SET) { inst->globals[ip[1]]->v = fp[ip[2]]; ip += 3; NEXT(); }
    CASE(GLOBAL_GET2) {
        const wasm_global *g = inst->globals[ip[2]];
        fp[ip[1]] = g->v;
        fp[ip[1] + 1] = g->hi;
        ip += 3;
        NEXT();
    }
    CASE(GLOBAL_SET2) {
        wasm_global *g = inst->globals[ip[1]];
        g->v = fp[ip[2]];
        g->hi = fp[ip[2] + 1];
        ip += 3;
        NEXT();
    }
    CASE(TABLE_GET) {
        wasm_table *t = inst->tables[ip[2]];
        uint32_t i = I32(ip[3]);
        if (i >= t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        fp[ip[1]] = (uintptr_t)t->e[i];
        ip += 4;
        NEXT();
    }
    CASE(TABLE_SET) {
        wasm_table *t = inst->tables[ip[1]];
        uint32_t i = I32(ip[2]);
        if (i >= t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        t->e[i] = (void *)(uintptr_t)fp[ip[3]];
        ip += 4;
        NEXT();
    }
    CASE(TABLE_SIZE) { SET32(ip[1], inst->tables[ip[2]]->size); ip += 3; NEXT(); }
    CASE(TABLE_GROW) {
        int64_t r = wasm__table_grow(inst->tables[ip[2]], I32(ip[4]), (void *)(uintptr_t)fp[ip[3]], s);
        SET32(ip[1], (uint32_t)r);
        ip += 5;
        NEXT();
    }
    CASE(TABLE_FILL) {
        wasm_table *t = inst->tables[ip[1]];
        uint32_t i = I32(ip[2]), n = I32(ip[4]);
        void *v = (void *)(uintptr_t)fp[ip[3]];
        if ((uint64_t)i + n > t->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        for (uint32_t k = 0; k < n; k++)
            t->e[i + k] = v;
        ip += 5;
        NEXT();
    }
    CASE(TABLE_COPY) {
        wasm_table *td = inst->tables[ip[1]], *ts = inst->tables[ip[2]];
        uint32_t d = I32(ip[3]), sr = I32(ip[4]), n = I32(ip[5]);
        if ((uint64_t)d + n > td->size || (uint64_t)sr + n > ts->size)
            TRAP(WASM_TRAP_TABLE_OOB);
        memmove(td->e + d, ts->e + sr, (size_t)n * sizeof(void *));
        ip += 6;
        NEXT();
    }
    CASE(TABLE_INIT) {
        wasm_table *t = inst->tables[ip[1]];
        uint32_t e = ip[2], d = I32(ip[3]), sr = I32(ip[4]), n = I32(ip[5]);
        if ((uint64_t)d + n > t->size || (uint64_t)sr + n > inst->elemlen[e])
            TRAP(WASM_TRAP_TABLE_OOB);
        if (n)
            memcpy(t->e + d, inst->elems[e] + sr, (size_t)n * sizeof(void *));
        ip += 6;
        NEXT();
    }
    CASE(ELEM_DROP) { inst->elemlen[ip[1]] = 0; ip += 2; NEXT(); }
    CASE(REF_FUNC) { fp[ip[1]] = (uintptr_t)inst->funcs[ip[2]]; ip += 3; NEXT(); }
    CASE(REF_IS_NULL) { SET32(ip[1], fp[ip[2]] == 0); ip += 3; NEXT(); }
    CASE(MEMORY_SIZE) { fp[ip[1]] = __atomic_load_n(&inst->mems[ip[2]]->pages, __ATOMIC_ACQUIRE); ip += 3; NEXT(); }
    CASE(MEMORY_GROW) {
        wasm_memory *m = inst->mems[ip[3]];
        uint64_t delta = fp[ip[2]];
        int64_t r = delta > UINT32_MAX ? -1 : wasm_memory_grow(m, (uint32_t)delta, s);
        fp[ip[1]] = m->is64 ? (uint64_t)r : (uint32_t)r; /* -1 at the address width */
        RELOAD_MEM();
        ip += 4;
        NEXT();
    }
    /* bulk operands are read as 64 bits: i32 slots hold their values zero-extended */
    CASE(MEMORY_INIT) {
        wasm_memory *m = inst->mems[ip[2]];
        uint32_t seg = ip[1];
        uint64_t d = fp[ip[3]], sr = I32(ip[4]), n = I32(ip[5]);
        uint32_t len = inst->datadropped[seg] ? 0 : inst->m->datas[seg].len;
        if (!mem_range_ok(m, d, n) || sr + n > len)
            TRAP(WASM_TRAP_MEMORY_OOB);
        if (n)
            memcpy(m->data + d, inst->m->datas[seg].bytes + sr, n);
        ip += 6;
        NEXT();
    }
    CASE(DATA_DROP) { inst->datadropped[ip[1]] = true; ip += 2; NEXT(); }
    CASE(MEMORY_COPY) {
        wasm_memory *md = inst->mems[ip[1]], *ms = inst->mems[ip[2]];
        uint64_t d = fp[ip[3]], sr = fp[ip[4]], n = fp[ip[5]];
        if (!mem_range_ok(md, d, n) || !mem_range_ok(ms, sr, n))
            TRAP(WASM_TRAP_MEMORY_OOB);
        memmove(md->data + d, ms->data + sr, n);
        ip += 6;
        NEXT();
    }
    CASE(MEMORY_FILL) {
        wasm_memory *m = inst->mems[ip[1]];
        uint64_t d = fp[ip[2]], n = fp[ip[4]];
        if (!mem_range_ok(m, d, n))
            TRAP(WASM_TRAP_MEMORY_OOB);
        memset(m->data + d, (int)(uint8_t)fp[ip[3]], n);
        ip += 5;
        NEXT();
    }
    CASE(MEMSEL) {
        cm = inst->mems[ip[1]];
        mb = cm->data;
        msize = cm->size;
        ip += 2;
        NEXT();
    }
    CASE(CHECK64) {
        if (fp[ip[1]] >> 32)
            TRAP(WASM_TRAP_MEMORY_OOB);
        ip += 2;
        NEXT();
    }
    CASE(MEM_OOB) TRAP(WASM_TRAP_MEMORY_OOB);

    /* loads and stores; memcpy keeps unaligned accesses defined */
#define LOAD(name, T, N, conv) \
    CASE(name) { T v_; EA(ip[2], ip[3], N) memcpy(&v_, mb + ea_, N); fp[ip[1]] = conv; ip += 4; NEXT(); }
    LOAD(LD32, uint32_t, 4, v_)
    LOAD(LD64, uint64_t, 8, v_)
    LOAD(LD8S32, int8_t, 1, (uint32_t)(int32_t)v_)
    LOAD(LD8U, uint8_t, 1, v_)
    LOAD(LD16S32, int16_t, 2, (uint32_t)(int32_t)v_)
    LOAD(LD16U, uint16_t, 2, v_)
    LOAD(LD8S64, int8_t, 1, (uint64_t)(int64_t)v_)
    LOAD(LD16S64, int16_t, 2, (uint64_t)(int64_t)v_)
    LOAD(LD32S64, int32_t, 4, (uint64_t)(int64_t)v_)
    LOAD(LD32U64, uint32_t, 4, v_)
#define EAA(bslot, imm, off, n) \
    uint64_t ea_ = (uint64_t)(uint32_t)(I32(bslot) + (imm)) + (off); \
    if (OOB(ea_ + (n))) \
        TRAP(WASM_TRAP_MEMORY_OOB);
#define LOADA(name, T, N, conv) \
    CASE(name) { T v_; EAA(ip[2], ip[3], ip[4], N) memcpy(&v_, mb + ea_, N); fp[ip[1]] = conv; ip += 5; NEXT(); }
    LOADA(LD32A, uint32_t, 4, v_)
    LOADA(LD64A, uint64_t, 8, v_)
    LOADA(LD8S32A, int8_t, 1, (uint32_t)(int32_t)v_)
    LOADA(LD8UA, uint8_t, 1, v_)
    LOADA(LD16S32A, int16_t, 2, (uint32_t)(int32_t)v_)
    LOADA(LD16UA, uint16_t, 2, v_)
    LOADA(LD8S64A, int8_t, 1, (uint64_t)(int64_t)v_)
    LOADA(LD16S64A, int16_t, 2, (uint64_t)(int64_t)v_)
    LOADA(LD32S64A, int32_t, 4, (uint64_t)(int64_t)v_)
    LOADA(LD32U64A, uint32_t, 4, v_)
#define EAK(addr, off, n) \
    uint64_t ea_ = (uint64_t)(addr) + (off); \
    if (OOB(ea_ + (n))) \
        TRAP(WASM_TRAP_MEMORY_OOB);
#define LOADK(name, T, N, conv) \
    CASE(name) { T v_; EAK(ip[2], ip[3], N) memcpy(&v_, mb + ea_, N); fp[ip[1]] = conv; ip += 4; NEXT(); }
    LOADK(LD32K, uint32_t, 4, v_)
    LOADK(LD64K, uint64_t, 8, v_)
    LOADK(LD8S32K, int8_t, 1, (uint32_t)(int32_t)v_)
    LOADK(LD8UK, uint8_t, 1, v_)
    LOADK(LD16S32K, int16_t, 2, (uint32_t)(int32_t)v_)
    LOADK(LD16UK, uint16_t, 2, v_)
    LOADK(LD8S64K, int8_t, 1, (uint64_t)(int64_t)v_)
    LOADK(LD16S64K, int16_t, 2, (uint64_t)(int64_t)v_)
    LOADK(LD32S64K, int32_t, 4, (uint64_t)(int64_t)v_)
    LOADK(LD32U64K, uint32_t, 4, v_)
#define STOREA(name, T, N) \
    CASE(name) { T v_ = (T)fp[ip[2]]; EAA(ip[1], ip[3], ip[4], N) memcpy(mb + ea_, &v_, N); ip += 5; NEXT(); }
    STOREA(ST32A, uint32_t, 4)
    STOREA(ST64A, uint64_t, 8)
    STOREA(ST8A, uint8_t, 1)
    STOREA(ST16A, uint16_t, 2)
#define STORE(name, T, N) \
    CASE(name) { T v_ = (T)fp[ip[2]]; EA(ip[1], ip[3], N) memcpy(mb + ea_, &v_, N); ip += 4; NEXT(); }
    STORE(ST32, uint32_t, 4)
    STORE(ST64, uint64_t, 8)
    STORE(ST8, uint8_t, 1)
    STORE(ST16, uint16_t, 2)

    /* numeric */
#define U(name, expr) CASE(name) { expr; ip += 3; NEXT(); }
#define B(name, expr) CASE(name) { expr; ip += 4; NEXT(); }
#define D ip[1]
#define A ip[2]
#define BB ip[3]
    U(I32_EQZ, SET32(D, I32(A) == 0))
    B(I32_EQ, SET32(D, I32(A) == I32(BB)))
    B(I32_NE, SET32(D, I32(A) != I32(BB)))
    B(I32_LT_S, SET32(D, S32(A) < S32(BB)))
    B(I32_LT_U, SET32(D, I32(A) < I32(BB)))
    B(I32_GT_S, SET32(D, S32(A) > S32(BB)))
    B(I32_GT_U, SET32(D, I32(A) > I32(BB)))
    B(I32_LE_S, SET32(D, S32(A) <= S32(BB)))
    B(I32_LE_U, SET32(D, I32(A) <= I32(BB)))
    B(I32_GE_S, SET32(D, S32(A) >= S32(BB)))
    B(I32_GE_U, SET32(D, I32(A) >= I32(BB)))
    U(I64_EQZ, SET32(D, I64(A) == 0))
    B(I64_EQ, SET32(D, I64(A) == I64(BB)))
    B(I64_NE, SET32(D, I64(A) != I64(BB)))
    B(I64_LT_S, SET32(D, S64(A) < S64(BB)))
    B(I64_LT_U, SET32(D, I64(A) < I64(BB)))
    B(I64_GT_S, SET32(D, S64(A) > S64(BB)))
    B(I64_GT_U, SET32(D, I64(A) > I64(BB)))
    B(I64_LE_S, SET32(D, S64(A) <= S64(BB)))
    B(I64_LE_U, SET32(D, I64(A) <= I64(BB)))
    B(I64_GE_S, SET32(D, S64(A) >= S64(BB)))
    B(I64_GE_U, SET32(D, I64(A) >= I64(BB)))
    B(F32_EQ, SET32(D, F32(fp + A) == F32(fp + BB)))
    B(F32_NE, SET32(D, F32(fp + A) != F32(fp + BB)))
    B(F32_LT, SET32(D, F32(fp + A) < F32(fp + BB)))
    B(F32_GT, SET32(D, F32(fp + A) > F32(fp + BB)))
    B(F32_LE, SET32(D, F32(fp + A) <= F32(fp + BB)))
    B(F32_GE, SET32(D, F32(fp + A) >= F32(fp + BB)))
    B(F64_EQ, SET32(D, F64(fp + A) == F64(fp + BB)))
    B(F64_NE, SET32(D, F64(fp + A) != F64(fp + BB)))
    B(F64_LT, SET32(D, F64(fp + A) < F64(fp + BB)))
    B(F64_GT, SET32(D, F64(fp + A) > F64(fp + BB)))
    B(F64_LE, SET32(D, F64(fp + A) <= F64(fp + BB)))
    B(F64_GE, SET32(D, F64(fp + A) >= F64(fp + BB)))
    U(I32_CLZ, SET32(D, clz32(I32(A))))
    U(I32_CTZ, SET32(D, ctz32(I32(A))))
    U(I32_POPCNT, SET32(D, __builtin_popcount(I32(A))))
    B(I32_ADD, SET32(D, I32(A) + I32(BB)))
    B(I32_SUB, SET32(D, I32(A) - I32(BB)))
    B(I32_MUL, SET32(D, I32(A) * I32(BB)))
    CASE(I32_DIV_S) {
        int32_t a = S32(A), b = S32(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        if (a == INT32_MIN && b == -1) TRAP(WASM_TRAP_INT_OVERFLOW);
        SET32(D, a / b);
        ip += 4;
        NEXT();
    }
    CASE(I32_DIV_U) {
        uint32_t b = I32(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        SET32(D, I32(A) / b);
        ip += 4;
        NEXT();
    }
    CASE(I32_REM_S) {
        int32_t a = S32(A), b = S32(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        SET32(D, b == -1 ? 0 : a % b);
        ip += 4;
        NEXT();
    }
    CASE(I32_REM_U) {
        uint32_t b = I32(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        SET32(D, I32(A) % b);
        ip += 4;
        NEXT();
    }
    B(I32_AND, SET32(D, I32(A) & I32(BB)))
    B(I32_OR, SET32(D, I32(A) | I32(BB)))
    B(I32_XOR, SET32(D, I32(A) ^ I32(BB)))
    B(I32_SHL, SET32(D, I32(A) << (I32(BB) & 31)))
    B(I32_SHR_S, SET32(D, S32(A) >> (I32(BB) & 31)))
    B(I32_SHR_U, SET32(D, I32(A) >> (I32(BB) & 31)))
    B(I32_ROTL, SET32(D, rotl32(I32(A), I32(BB))))
    B(I32_ROTR, SET32(D, rotr32(I32(A), I32(BB))))
    U(I64_CLZ, SET64(D, clz64(I64(A))))
    U(I64_CTZ, SET64(D, ctz64(I64(A))))
    U(I64_POPCNT, SET64(D, __builtin_popcountll(I64(A))))
    B(I64_ADD, SET64(D, I64(A) + I64(BB)))
    B(I64_SUB, SET64(D, I64(A) - I64(BB)))
    B(I64_MUL, SET64(D, I64(A) * I64(BB)))
    CASE(I64_DIV_S) {
        int64_t a = S64(A), b = S64(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        if (a == INT64_MIN && b == -1) TRAP(WASM_TRAP_INT_OVERFLOW);
        SET64(D, a / b);
        ip += 4;
        NEXT();
    }
    CASE(I64_DIV_U) {
        uint64_t b = I64(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        SET64(D, I64(A) / b);
        ip += 4;
        NEXT();
    }
    CASE(I64_REM_S) {
        int64_t a = S64(A), b = S64(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        SET64(D, b == -1 ? 0 : a % b);
        ip += 4;
        NEXT();
    }
    CASE(I64_REM_U) {
        uint64_t b = I64(BB);
        if (!b) TRAP(WASM_TRAP_DIV_ZERO);
        SET64(D, I64(A) % b);
        ip += 4;
        NEXT();
    }
    B(I64_AND, SET64(D, I64(A) & I64(BB)))
    B(I64_OR, SET64(D, I64(A) | I64(BB)))
    B(I64_XOR, SET64(D, I64(A) ^ I64(BB)))
    B(I64_SHL, SET64(D, I64(A) << (I64(BB) & 63)))
    B(I64_SHR_S, SET64(D, S64(A) >> (I64(BB) & 63)))
    B(I64_SHR_U, SET64(D, I64(A) >> (I64(BB) & 63)))
    B(I64_ROTL, SET64(D, rotl64(I64(A), I64(BB))))
    B(I64_ROTR, SET64(D, rotr64(I64(A), I64(BB))))
    /* sign manipulation works on the bits so NaN payloads survive */
    U(F32_ABS, SET32(D, I32(A) & 0x7fffffffu))
    U(F32_NEG, SET32(D, I32(A) ^ 0x80000000u))
    U(F32_CEIL, PUTF32(fp + D, q32(ceilf(F32(fp + A)))))
    U(F32_FLOOR, PUTF32(fp + D, q32(floorf(F32(fp + A)))))
    U(F32_TRUNC, PUTF32(fp + D, q32(truncf(F32(fp + A)))))
    U(F32_NEAREST, PUTF32(fp + D, q32(nearbyintf(F32(fp + A)))))
    U(F32_SQRT, PUTF32(fp + D, sqrtf(F32(fp + A))))
    B(F32_ADD, PUTF32(fp + D, F32(fp + A) + F32(fp + BB)))
    B(F32_SUB, PUTF32(fp + D, F32(fp + A) - F32(fp + BB)))
    B(F32_MUL, PUTF32(fp + D, F32(fp + A) * F32(fp + BB)))
    B(F32_DIV, PUTF32(fp + D, F32(fp + A) / F32(fp + BB)))
    B(F32_MIN, PUTF32(fp + D, fmin32(F32(fp + A), F32(fp + BB))))
    B(F32_MAX, PUTF32(fp + D, fmax32(F32(fp + A), F32(fp + BB))))
    B(F32_COPYSIGN, SET32(D, (I32(A) & 0x7fffffffu) | (I32(BB) & 0x80000000u)))
    U(F64_ABS, SET64(D, I64(A) & 0x7fffffffffffffffull))
    U(F64_NEG, SET64(D, I64(A) ^ 0x8000000000000000ull))
    U(F64_CEIL, PUTF64(fp + D, q64(ceil(F64(fp + A)))))
    U(F64_FLOOR, PUTF64(fp + D, q64(floor(F64(fp + A)))))
    U(F64_TRUNC, PUTF64(fp + D, q64(trunc(F64(fp + A)))))
    U(F64_NEAREST, PUTF64(fp + D, q64(nearbyint(F64(fp + A)))))
    U(F64_SQRT, PUTF64(fp + D, sqrt(F64(fp + A))))
    B(F64_ADD, PUTF64(fp + D, F64(fp + A) + F64(fp + BB)))
    B(F64_SUB, PUTF64(fp + D, F64(fp + A) - F64(fp + BB)))
    B(F64_MUL, PUTF64(fp + D, F64(fp + A) * F64(fp + BB)))
    B(F64_DIV, PUTF64(fp + D, F64(fp + A) / F64(fp + BB)))
    B(F64_MIN, PUTF64(fp + D, fmin64(F64(fp + A), F64(fp + BB))))
    B(F64_MAX, PUTF64(fp + D, fmax64(F64(fp + A), F64(fp + BB))))
    B(F64_COPYSIGN, SET64(D, (I64(A) & 0x7fffffffffffffffull) | (I64(BB) & 0x8000000000000000ull)))
    U(I32_WRAP_I64, SET32(D, (uint32_t)I64(A)))
    /* trapping truncations: NaN is an invalid conversion, out of range an overflow */
#define TRUNC(name, FT, get, lo_ok, hi_ok, T, set) \
    CASE(name) { \
        FT x = get(fp + A); \
        if (x != x) \
            TRAP(WASM_TRAP_BAD_CONVERSION); \
        if (!(lo_ok) || !(hi_ok)) \
            TRAP(WASM_TRAP_INT_OVERFLOW); \
        set(D, (T)x); \
        ip += 3; \
        NEXT(); \
    }
    TRUNC(I32_TRUNC_F32_S, float, F32, x >= -2147483648.0f, x < 2147483648.0f, int32_t, SET32)
    TRUNC(I32_TRUNC_F32_U, float, F32, x > -1.0f, x < 4294967296.0f, uint32_t, SET32)
    TRUNC(I32_TRUNC_F64_S, double, F64, x > -2147483649.0, x < 2147483648.0, int32_t, SET32)
    TRUNC(I32_TRUNC_F64_U, double, F64, x > -1.0, x < 4294967296.0, uint32_t, SET32)
    U(I64_EXTEND_I32_S, SET64(D, (int64_t)S32(A)))
    U(I64_EXTEND_I32_U, SET64(D, (uint64_t)I32(A)))
    TRUNC(I64_TRUNC_F32_S, float, F32, x >= -9223372036854775808.0f, x < 9223372036854775808.0f, int64_t, SET64)
    TRUNC(I64_TRUNC_F32_U, float, F32, x > -1.0f, x < 18446744073709551616.0f, uint64_t, SET64)
    TRUNC(I64_TRUNC_F64_S, double, F64, x >= -9223372036854775808.0, x < 9223372036854775808.0, int64_t, SET64)
    TRUNC(I64_TRUNC_F64_U, double, F64, x > -1.0, x < 18446744073709551616.0, uint64_t, SET64)
    U(F32_CONVERT_I32_S, PUTF32(fp + D, (float)S32(A)))
    U(F32_CONVERT_I32_U, PUTF32(fp + D, (float)I32(A)))
    U(F32_CONVERT_I64_S, PUTF32(fp + D, (float)S64(A)))
    U(F32_CONVERT_I64_U, PUTF32(fp + D, (float)I64(A)))
    U(F32_DEMOTE_F64, PUTF32(fp + D, (float)F64(fp + A)))
    U(F64_CONVERT_I32_S, PUTF64(fp + D, (double)S32(A)))
    U(F64_CONVERT_I32_U, PUTF64(fp + D, (double)I32(A)))
    U(F64_CONVERT_I64_S, PUTF64(fp + D, (double)S64(A)))
    U(F64_CONVERT_I64_U, PUTF64(fp + D, (double)I64(A)))
    U(F64_PROMOTE_F32, PUTF64(fp + D, (double)F32(fp + A)))
    U(I32_REINTERPRET_F32, SET32(D, I32(A)))
    U(I64_REINTERPRET_F64, SET64(D, I64(A)))
    U(F32_REINTERPRET_I32, SET32(D, I32(A)))
    U(F64_REINTERPRET_I64, SET64(D, I64(A)))
    U(I32_EXTEND8_S, SET32(D, (int32_t)(int8_t)I32(A)))
    U(I32_EXTEND16_S, SET32(D, (int32_t)(int16_t)I32(A)))
    U(I64_EXTEND8_S, SET64(D, (int64_t)(int8_t)I64(A)))
    U(I64_EXTEND16_S, SET64(D, (int64_t)(int16_t)I64(A)))
    U(I64_EXTEND32_S, SET64(D, (int64_t)(int32_t)I64(A)))
    U(I32_TRUNC_SAT_F32_S, SET32(D, sat_s32(F32(fp + A))))
    U(I32_TRUNC_SAT_F32_U, SET32(D, sat_u32(F32(fp + A))))
    U(I32_TRUNC_SAT_F64_S, SET32(D, sat_s32(F64(fp + A))))
    U(I32_TRUNC_SAT_F64_U, SET32(D, sat_u32(F64(fp + A))))
    U(I64_TRUNC_SAT_F32_S, SET64(D, sat_s64(F32(fp + A))))
    U(I64_TRUNC_SAT_F32_U, SET64(D, sat_u64(F32(fp + A))))
    U(I64_TRUNC_SAT_F64_S, SET64(D, sat_s64(F64(fp + A))))
    U(I64_TRUNC_SAT_F64_U, SET64(D, sat_u64(F64(fp + A))))

    /* fused forms: d a imm */
#define IMM ip[3]
    B(I32_ADDI, SET32(D, I32(A) + IMM))
    B(I64_ADDI, SET64(D, I64(A) + (uint64_t)(int64_t)(int32_t)IMM))
    B(I32_ANDI, SET32(D, I32(A) & IMM))
    B(I32_SHLI, SET32(D, I32(A) << (IMM & 31)))
    B(I32_SHR_UI, SET32(D, I32(A) >> (IMM & 31)))
    B(I32_SHR_SI, SET32(D, S32(A) >> (IMM & 31)))
    B(I32_XORI, SET32(D, I32(A) ^ IMM))
    B(I32_ORI, SET32(D, I32(A) | IMM))
    B(I32_MULI, SET32(D, I32(A) * IMM))
    B(I64_SHLI, SET64(D, I64(A) << (IMM & 63)))
    B(I64_SHR_UI, SET64(D, I64(A) >> (IMM & 63)))
    B(I64_ANDI, SET64(D, I64(A) & (uint64_t)(int64_t)(int32_t)IMM))
    B(I32_ROTLI, SET32(D, rotl32(I32(A), IMM)))
    B(I32_ROTRI, SET32(D, rotr32(I32(A), IMM)))
    B(I32_DIV_UI, SET32(D, I32(A) / IMM))
    B(I32_REM_UI, SET32(D, I32(A) % IMM))

    /* f64 arithmetic on a loaded right operand: d a base imm offset */
#define FOPM(name, op) \
    CASE(name) { \
        double x_; \
        EAA(ip[3], ip[4], ip[5], 8) \
        memcpy(&x_, mb + ea_, 8); \
        PUTF64(fp + ip[1], F64(fp + ip[2]) op x_); \
        ip += 6; \
        NEXT(); \
    }
    FOPM(F64_ADDM, +)
    FOPM(F64_SUBM, -)
    FOPM(F64_MULM, *)
    FOPM(F64_DIVM, /)

    /* compare and branch: a b target */
#define CB(name, cond) CASE(name) { ip = (cond) ? cb + ip[3] : ip + 4; NEXT(); }
    CB(BR_I32_EQ, I32(ip[1]) == I32(ip[2]))
    CB(BR_I32_NE, I32(ip[1]) != I32(ip[2]))
    CB(BR_I32_LT_S, S32(ip[1]) < S32(ip[2]))
    CB(BR_I32_LT_U, I32(ip[1]) < I32(ip[2]))
    CB(BR_I32_GT_S, S32(ip[1]) > S32(ip[2]))
    CB(BR_I32_GT_U, I32(ip[1]) > I32(ip[2]))
    CB(BR_I32_LE_S, S32(ip[1]) <= S32(ip[2]))
    CB(BR_I32_LE_U, I32(ip[1]) <= I32(ip[2]))
    CB(BR_I32_GE_S, S32(ip[1]) >= S32(ip[2]))
    CB(BR_I32_GE_U, I32(ip[1]) >= I32(ip[2]))
    CB(BR_I32_EQI, I32(ip[1]) == ip[2])
    CB(BR_I32_NEI, I32(ip[1]) != ip[2])
    CB(BR_I32_LT_SI, S32(ip[1]) < (int32_t)ip[2])
    CB(BR_I32_LT_UI, I32(ip[1]) < ip[2])
    CB(BR_I32_GT_SI, S32(ip[1]) > (int32_t)ip[2])
    CB(BR_I32_GT_UI, I32(ip[1]) > ip[2])
    CB(BR_I32_LE_SI, S32(ip[1]) <= (int32_t)ip[2])
    CB(BR_I32_LE_UI, I32(ip[1]) <= ip[2])
    CB(BR_I32_GE_SI, S32(ip[1]) >= (int32_t)ip[2])
    CB(BR_I32_GE_UI, I32(ip[1]) >= ip[2])

#include "interp_simd.h"
#include "interp_atomic.h"

#ifndef THREADED
    default:
        TRAP(WASM_TRAP_UNREACHABLE);
    }
#endif

trap_out:
    fill_trap(s, trap, cur, base);
    s->depth = base;
    return trap;
}
