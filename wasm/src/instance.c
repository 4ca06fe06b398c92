/* instance.c - stores, runtime objects, linking and instantiation (spec 4.5.4), and
 * calls from the embedder into wasm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *wasm_trap_name(wasm_trap_kind k)
{
    static const char *const n[WASM_TRAP_COUNT] = {
        "ok", "unreachable", "out of bounds memory access", "out of bounds table access",
        "integer divide by zero", "integer overflow", "invalid conversion to integer",
        "call stack exhausted", "indirect call type mismatch", "uninitialized element",
        "out of fuel", "host function failed", "exit", "unknown import or incompatible import type",
        "out of memory", "unaligned atomic", "expected shared memory"};
    return (unsigned)k < WASM_TRAP_COUNT ? n[k] : "unknown trap";
}

wasm_trap_kind wasm__trap(wasm_store *s, wasm_trap_kind k, const char *msg)
{
    s->trap.kind = k;
    s->trap.nframes = 0;
    s->trap.func_index = 0;
    const char *m = msg ? msg : wasm_trap_name(k);
    size_t i = 0;
    for (; m[i] && i + 1 < sizeof s->trap.msg; i++)
        s->trap.msg[i] = m[i];
    s->trap.msg[i] = 0;
    return k;
}

/* ---- modules ---- */

void wasm_module_free(wasm_module *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->ntypes && m->types; i++)
        free(m->types[i].t);
    free(m->types);
    for (uint32_t i = 0; i < m->nimports && m->imports; i++) {
        free(m->imports[i].module);
        free(m->imports[i].name);
    }
    free(m->imports);
    free(m->functype);
    if (m->code)
        for (uint32_t i = 0; i < m->nfuncs - m->nfuncimports; i++)
            free(m->code[i].code);
    free(m->code);
    free(m->tables);
    free(m->mems);
    free(m->globals);
    for (uint32_t i = 0; m->globalinit && i < m->nglobals - m->nglobalimports; i++)
        wasm__const_free(&m->globalinit[i]);
    free(m->globalinit);
    for (uint32_t i = 0; i < m->nexports && m->exports; i++)
        free(m->exports[i].name);
    free(m->exports);
    for (uint32_t i = 0; i < m->nelems && m->elems; i++) {
        wasm__const_free(&m->elems[i].offset);
        for (uint32_t k = 0; m->elems[i].items && k < m->elems[i].n; k++)
            wasm__const_free(&m->elems[i].items[k]);
        free(m->elems[i].items);
    }
    free(m->elems);
    for (uint32_t i = 0; i < m->ndatas && m->datas; i++) {
        wasm__const_free(&m->datas[i].offset);
        free(m->datas[i].bytes);
    }
    free(m->datas);
    if (m->funcnames)
        for (uint32_t i = 0; i < m->nfuncs; i++)
            free(m->funcnames[i]);
    free(m->funcnames);
    free(m->declared);
    free(m);
}

uint32_t wasm_module_import_count(const wasm_module *m) { return m->nimports; }

void wasm_module_import(const wasm_module *m, uint32_t i, const char **module, const char **name, int *kind)
{
    *module = m->imports[i].module;
    *name = m->imports[i].name;
    *kind = m->imports[i].kind;
}

const wasm_functype *wasm_module_import_functype(const wasm_module *m, uint32_t i)
{
    return m->imports[i].kind == WASM_EXTERN_FUNC ? &m->types[m->imports[i].type] : NULL;
}

int wasm_module_import_memory(const wasm_module *m, uint32_t i, uint32_t *min, uint32_t *max, int *shared)
{
    const struct wimport *im = &m->imports[i];
    if (im->kind != WASM_EXTERN_MEMORY)
        return -1;
    *min = im->mem.min;
    *max = im->mem.max;
    *shared = im->mem.shared;
    return 0;
}

const char *wasm_module_func_name(const wasm_module *m, uint32_t f)
{
    return m->funcnames && f < m->nfuncs ? m->funcnames[f] : NULL;
}

/* ---- function types ---- */

uint32_t wasm_functype_params(const wasm_functype *t) { return t->np; }
uint32_t wasm_functype_results(const wasm_functype *t) { return t->nr; }
uint8_t wasm_functype_param(const wasm_functype *t, uint32_t i) { return t->t[i]; }
uint8_t wasm_functype_result(const wasm_functype *t, uint32_t i) { return t->t[t->np + i]; }
uint32_t wasm_functype_slots(const wasm_functype *t) { return t->ps > t->rs ? t->ps : t->rs; }

void wasm__functype_slots(wasm_functype *t)
{
    t->ps = t->rs = 0;
    for (uint32_t i = 0; i < t->np; i++)
        t->ps += wasm__width(t->t[i]);
    for (uint32_t i = 0; i < t->nr; i++)
        t->rs += wasm__width(t->t[t->np + i]);
}

int wasm__functype_eq(const wasm_functype *a, const wasm_functype *b)
{
    return a->np == b->np && a->nr == b->nr && !memcmp(a->t, b->t, a->np + a->nr);
}

/* ---- stores ---- */

wasm_store *wasm_store_new(const wasm_limits *lim)
{
    wasm_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (lim)
        s->lim = *lim;
    if (!s->lim.max_memory_pages || s->lim.max_memory_pages > WASM_MAX_PAGES)
        s->lim.max_memory_pages = WASM_MAX_PAGES;
    if (!s->lim.max_table_size)
        s->lim.max_table_size = 10000000;
    if (!s->lim.max_call_depth)
        s->lim.max_call_depth = 20000;
    if (!s->lim.stack_slots)
        s->lim.stack_slots = 1u << 20;
    s->features = WASM_FEATURE_ALL;
    s->stack = malloc((size_t)s->lim.stack_slots * sizeof(uint64_t));
    s->frames = malloc(((size_t)s->lim.max_call_depth + 1) * sizeof *s->frames);
    if (!s->stack || !s->frames) {
        free(s->stack);
        free(s->frames);
        free(s);
        return NULL;
    }
    s->stack_end = s->stack + s->lim.stack_slots;
    s->fuel = UINT64_MAX;
    return s;
}

/* Objects are tagged by a small header (internal.h) so the store can free their buffers. */

void *wasm__store_obj(wasm_store *s, size_t n, int kind)
{
    if (s->nobjs == s->capobjs) {
        uint32_t cap = s->capobjs ? s->capobjs * 2 : 64;
        void **o = realloc(s->objs, cap * sizeof *o);
        if (!o)
            return NULL;
        s->objs = o;
        s->capobjs = cap;
    }
    struct objhdr *h = calloc(1, sizeof *h + (n ? n : 1));
    if (!h)
        return NULL;
    h->kind = kind;
    s->objs[s->nobjs++] = h;
    return h + 1;
}

void *wasm__store_alloc(wasm_store *s, size_t n) { return wasm__store_obj(s, n, WASM__OBJ_PLAIN); }

void wasm_store_free(wasm_store *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->nobjs; i++) {
        struct objhdr *h = s->objs[i];
        if (h->kind == WASM__OBJ_MEMORY)
            free(((wasm_memory *)(h + 1))->data);
        else if (h->kind == WASM__OBJ_TABLE)
            free(((wasm_table *)(h + 1))->e);
        free(h);
    }
    free(s->objs);
    free(s->stack);
    free(s->frames);
    free(s);
}

void wasm_store_set_fuel(wasm_store *s, uint64_t fuel) { s->fuel = fuel; }
uint64_t wasm_store_fuel(const wasm_store *s) { return s->fuel; }
const wasm_trap *wasm_store_trap(const wasm_store *s) { return &s->trap; }
void wasm_store_set_features(wasm_store *s, uint32_t f) { s->features = f & WASM_FEATURE_ALL; }
uint32_t wasm_store_features(const wasm_store *s) { return s->features; }
uint32_t wasm_module_features(const wasm_module *m) { return m->features; }

const char *wasm_feature_name(uint32_t bit)
{
    static const char *const n[] = {"simd", "threads", "tail-call", "extended-const", "multi-memory", "memory64"};
    for (unsigned i = 0; i < sizeof n / sizeof n[0]; i++)
        if (bit == 1u << i)
            return n[i];
    return "unknown";
}

/* a module using a proposal the store has turned off is refused, naming it */
static bool features_allowed(wasm_store *s, const wasm_module *m)
{
    uint32_t off = m->features & ~s->features;
    if (!off)
        return true;
    wasm__trap(s, WASM_TRAP_LINK, NULL);
    snprintf(s->trap.msg, sizeof s->trap.msg, "module uses the %s proposal, turned off in this store",
             wasm_feature_name(off & -off));
    return false;
}
const wasm_limits *wasm_store_limits(const wasm_store *s) { return &s->lim; }

/* ---- host objects ---- */

wasm_functype *wasm_functype_new(wasm_store *s, uint32_t np, const uint8_t *params, uint32_t nr,
                                 const uint8_t *results)
{
    wasm_functype *t = wasm__store_alloc(s, sizeof *t);
    uint8_t *b = wasm__store_alloc(s, np + nr);
    if (!t || !b)
        return NULL;
    memcpy(b, params, np);
    memcpy(b + np, results, nr);
    t->np = np;
    t->nr = nr;
    t->t = b;
    wasm__functype_slots(t);
    return t;
}

wasm_func *wasm_func_new_host(wasm_store *s, const wasm_functype *t, wasm_host_fn fn, void *env)
{
    wasm_func *f = wasm__store_alloc(s, sizeof *f);
    if (!f)
        return NULL;
    f->type = t;
    f->host = fn;
    f->env = env;
    return f;
}

wasm_memory *wasm_caller_memory(wasm_caller *c) { return c->inst ? c->inst->mem : NULL; }
wasm_store *wasm_caller_store(wasm_caller *c) { return c->store; }

wasm_trap_kind wasm_host_exit(wasm_caller *c, int code)
{
    c->store->trap.exit_code = code;
    wasm__trap(c->store, WASM_TRAP_EXIT, "exit");
    return WASM_TRAP_EXIT;
}

wasm_trap_kind wasm_host_fail(wasm_caller *c, const char *msg)
{
    wasm__trap(c->store, WASM_TRAP_HOST, msg);
    return WASM_TRAP_HOST;
}

wasm_memory *wasm_memory_new(wasm_store *s, uint32_t min, uint32_t max)
{
    if (min > s->lim.max_memory_pages || (max != NOIDX && max < min))
        return NULL;
    wasm_memory *m = wasm__store_obj(s, sizeof *m, WASM__OBJ_MEMORY);
    if (!m)
        return NULL;
    m->data = calloc(min ? (size_t)min * WASM_PAGE : 1, 1);
    if (!m->data)
        return NULL;
    m->pages = min;
    m->size = (uint64_t)min * WASM_PAGE;
    m->max = max;
    m->cap = max != NOIDX && max < s->lim.max_memory_pages ? max : s->lim.max_memory_pages;
    return m;
}

wasm_memory *wasm_memory_new64(wasm_store *s, uint32_t min, uint32_t max)
{
    wasm_memory *m = wasm_memory_new(s, min, max);
    if (m)
        m->is64 = true;
    return m;
}

wasm_table *wasm_table_new(wasm_store *s, uint8_t elem, uint32_t min, uint32_t max)
{
    if (min > s->lim.max_table_size)
        return NULL;
    wasm_table *t = wasm__store_obj(s, sizeof *t, WASM__OBJ_TABLE);
    if (!t)
        return NULL;
    t->e = calloc(min ? min : 1, sizeof(void *));
    if (!t->e)
        return NULL;
    t->elem = elem;
    t->size = min;
    t->max = max;
    t->cap = max != NOIDX && max < s->lim.max_table_size ? max : s->lim.max_table_size;
    return t;
}

wasm_global *wasm_global_new(wasm_store *s, uint8_t type, int mut, uint64_t v)
{
    wasm_global *g = wasm__store_alloc(s, sizeof *g);
    if (!g)
        return NULL;
    g->t = type;
    g->mut = mut != 0;
    g->v = v;
    return g;
}

uint8_t *wasm_memory_data(wasm_memory *m) { return m->data; }
uint64_t wasm_memory_size(const wasm_memory *m) { return m->size; }

void *wasm_memory_ptr(wasm_memory *m, uint64_t off, uint64_t len)
{
    if (off > m->size || len > m->size - off)
        return NULL;
    return m->data + off;
}

int64_t wasm_memory_grow(wasm_memory *m, uint32_t delta, const wasm_store *s)
{
    (void)s;
    if (m->shared)
        return wasm__grow_shared(m, delta);
    uint32_t old = m->pages;
    uint64_t np = (uint64_t)old + delta;
    if (np > m->cap)
        return -1;
    if (!delta)
        return old;
    uint8_t *d = realloc(m->data, (size_t)np * WASM_PAGE);
    if (!d)
        return -1;
    memset(d + m->size, 0, (size_t)delta * WASM_PAGE);
    m->data = d;
    m->pages = (uint32_t)np;
    m->size = np * WASM_PAGE;
    return old;
}

int64_t wasm__table_grow(wasm_table *t, uint32_t n, void *init, const wasm_store *s)
{
    (void)s;
    uint32_t old = t->size;
    uint64_t ns = (uint64_t)old + n;
    if (ns > t->cap)
        return -1;
    if (n) {
        void **e = realloc(t->e, (size_t)ns * sizeof *e);
        if (!e)
            return -1;
        for (uint64_t i = old; i < ns; i++)
            e[i] = init;
        t->e = e;
        t->size = (uint32_t)ns;
    }
    return old;
}

uint32_t wasm_table_size(const wasm_table *t) { return t->size; }
uint64_t wasm_table_get(const wasm_table *t, uint32_t i) { return i < t->size ? (uintptr_t)t->e[i] : 0; }
uint8_t wasm_global_type(const wasm_global *g) { return g->t; }
uint64_t wasm_global_get(const wasm_global *g) { return g->v; }
void wasm_global_set(wasm_global *g, uint64_t v) { g->v = v; }
void wasm_global_get_v128(const wasm_global *g, uint64_t out[2])
{
    out[0] = g->v;
    out[1] = g->hi;
}
void wasm_global_set_v128(wasm_global *g, const uint64_t v[2])
{
    g->v = v[0];
    g->hi = v[1];
}
const wasm_functype *wasm_func_type(const wasm_func *f) { return f->type; }

/* ---- linker ---- */

struct ldef {
    char *module, *name;
    size_t modlen, namelen;
    wasm_extern ext;
};

struct wasm_linker {
    struct ldef *d;
    uint32_t n, cap;
};

wasm_linker *wasm_linker_new(void) { return calloc(1, sizeof(wasm_linker)); }

void wasm_linker_free(wasm_linker *l)
{
    if (!l)
        return;
    for (uint32_t i = 0; i < l->n; i++) {
        free(l->d[i].module);
        free(l->d[i].name);
    }
    free(l->d);
    free(l);
}

static char *dup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

int wasm_linker_define(wasm_linker *l, const char *module, const char *name, wasm_extern ext)
{
    return wasm_linker_define_n(l, module, strlen(module), name, strlen(name), ext);
}

int wasm_linker_define_n(wasm_linker *l, const char *module, size_t modlen, const char *name, size_t namelen,
                         wasm_extern ext)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 32;
        struct ldef *d = realloc(l->d, cap * sizeof *d);
        if (!d)
            return -1;
        l->d = d;
        l->cap = cap;
    }
    struct ldef *e = &l->d[l->n];
    e->module = dup(module, modlen);
    e->name = dup(name, namelen);
    e->modlen = modlen;
    e->namelen = namelen;
    if (!e->module || !e->name) {
        free(e->module);
        free(e->name);
        return -1;
    }
    e->ext = ext;
    l->n++;
    return 0;
}

int wasm_linker_define_instance(wasm_linker *l, const char *module, wasm_instance *inst)
{
    for (uint32_t i = 0; i < inst->m->nexports; i++) {
        const struct wexport *x = &inst->m->exports[i];
        wasm_extern e;
        wasm_instance_export_n(inst, x->name, x->namelen, &e);
        if (wasm_linker_define_n(l, module, strlen(module), x->name, x->namelen, e))
            return -1;
    }
    return 0;
}

/* the most recent definition wins, so re-registering a name replaces it */
static const wasm_extern *lookup(const wasm_linker *l, const struct wimport *im)
{
    for (uint32_t i = l ? l->n : 0; i-- > 0;) {
        const struct ldef *d = &l->d[i];
        if (d->modlen == im->modlen && d->namelen == im->namelen && !memcmp(d->module, im->module, im->modlen) &&
            !memcmp(d->name, im->name, im->namelen))
            return &d->ext;
    }
    return NULL;
}

/* ---- exports ---- */

int wasm_instance_export(const wasm_instance *inst, const char *name, wasm_extern *out)
{
    return wasm_instance_export_n(inst, name, strlen(name), out);
}

int wasm_instance_export_n(const wasm_instance *inst, const char *name, size_t len, wasm_extern *out)
{
    const wasm_module *m = inst->m;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const struct wexport *e = &m->exports[i];
        if (e->namelen != len || memcmp(e->name, name, len))
            continue;
        out->kind = e->kind;
        switch (e->kind) {
        case WASM_EXTERN_FUNC: out->ptr = inst->funcs[e->idx]; break;
        case WASM_EXTERN_TABLE: out->ptr = inst->tables[e->idx]; break;
        case WASM_EXTERN_MEMORY: out->ptr = inst->mems[e->idx]; break;
        default: out->ptr = inst->globals[e->idx]; break;
        }
        return 0;
    }
    return -1;
}

uint32_t wasm_instance_export_count(const wasm_instance *inst) { return inst->m->nexports; }
const char *wasm_instance_export_name(const wasm_instance *inst, uint32_t i) { return inst->m->exports[i].name; }
wasm_memory *wasm_instance_memory(const wasm_instance *inst) { return inst->mem; }

/* ---- instantiation ---- */

static bool limits_match(uint32_t have_min, uint32_t have_max, struct wlimits want)
{
    if (have_min < want.min)
        return false;
    if (want.max != NOIDX && (have_max == NOIDX || have_max > want.max))
        return false;
    return true;
}

static wasm_trap_kind link_fail(wasm_store *s, const struct wimport *im, const char *why)
{
    wasm__trap(s, WASM_TRAP_LINK, NULL);
    size_t n = strlen(s->trap.msg);
    const char *parts[] = {": ", im->module, ".", im->name, ": ", why};
    for (unsigned i = 0; i < 6; i++)
        for (const char *p = parts[i]; *p && n + 1 < sizeof s->trap.msg; p++)
            s->trap.msg[n++] = *p;
    s->trap.msg[n] = 0;
    return WASM_TRAP_LINK;
}

static wasm_trap_kind resolve_imports(wasm_store *s, wasm_instance *inst, const wasm_linker *l)
{
    const wasm_module *m = inst->m;
    uint32_t f = 0, t = 0, g = 0, me = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const struct wimport *im = &m->imports[i];
        const wasm_extern *e = lookup(l, im);
        if (!e)
            return link_fail(s, im, "unknown import");
        if (e->kind != im->kind || !e->ptr)
            return link_fail(s, im, "incompatible import type (kind)");
        switch (im->kind) {
        case WASM_EXTERN_FUNC: {
            wasm_func *fn = e->ptr;
            if (!wasm__functype_eq(fn->type, &m->types[im->type]))
                return link_fail(s, im, "incompatible import type (function signature)");
            inst->funcs[f++] = fn;
            break;
        }
        case WASM_EXTERN_TABLE: {
            wasm_table *tb = e->ptr;
            if (tb->elem != im->table.elem || !limits_match(tb->size, tb->max, im->table.lim))
                return link_fail(s, im, "incompatible import type (table)");
            inst->tables[t++] = tb;
            break;
        }
        case WASM_EXTERN_MEMORY: {
            wasm_memory *mem = e->ptr;
            if (mem->shared != im->mem.shared || mem->is64 != im->mem.is64 ||
                !limits_match(mem->pages, mem->max, im->mem))
                return link_fail(s, im, "incompatible import type (memory)");
            inst->mems[me++] = mem;
            break;
        }
        case WASM_EXTERN_GLOBAL: {
            wasm_global *gl = e->ptr;
            if (gl->t != im->global.t || gl->mut != im->global.mut)
                return link_fail(s, im, "incompatible import type (global)");
            inst->globals[g++] = gl;
            break;
        }
        }
    }
    return WASM_OK;
}

static wasm_trap_kind alloc_defined(wasm_store *s, wasm_instance *inst)
{
    const wasm_module *m = inst->m;
    uint64_t hi;
    for (uint32_t i = m->nfuncimports; i < m->nfuncs; i++) {
        wasm_func *fn = wasm__store_alloc(s, sizeof *fn);
        if (!fn)
            return wasm__trap(s, WASM_TRAP_NOMEM, NULL);
        fn->type = &m->types[m->functype[i]];
        fn->inst = inst;
        fn->idx = i;
        fn->code = &m->code[i - m->nfuncimports];
        inst->funcs[i] = fn;
    }
    for (uint32_t i = m->ntableimports; i < m->ntables; i++) {
        inst->tables[i] = wasm_table_new(s, m->tables[i].elem, m->tables[i].lim.min, m->tables[i].lim.max);
        if (!inst->tables[i])
            return wasm__trap(s, WASM_TRAP_NOMEM, "table too large");
    }
    for (uint32_t i = m->nmemimports; i < m->nmems; i++) {
        const struct wlimits *ml = &m->mems[i];
        inst->mems[i] = ml->shared ? wasm_memory_new_shared(s, ml->min, ml->max)
                        : ml->is64 ? wasm_memory_new64(s, ml->min, ml->max)
                                   : wasm_memory_new(s, ml->min, ml->max);
        if (!inst->mems[i])
            return wasm__trap(s, WASM_TRAP_NOMEM, "memory too large");
        inst->mems[i]->is64 = ml->is64;
    }
    inst->mem = m->nmems ? inst->mems[0] : NULL;
    for (uint32_t i = m->nglobalimports; i < m->nglobals; i++) {
        uint64_t v = wasm__eval_const(inst, &m->globalinit[i - m->nglobalimports], &hi);
        inst->globals[i] = wasm_global_new(s, m->globals[i].t, m->globals[i].mut, v);
        if (!inst->globals[i])
            return wasm__trap(s, WASM_TRAP_NOMEM, NULL);
        inst->globals[i]->hi = hi;
    }
    for (uint32_t i = 0; i < m->nelems; i++) {
        const struct welem *e = &m->elems[i];
        inst->elems[i] = wasm__store_alloc(s, (size_t)e->n * sizeof(void *));
        if (!inst->elems[i])
            return wasm__trap(s, WASM_TRAP_NOMEM, NULL);
        for (uint32_t k = 0; k < e->n; k++)
            inst->elems[i][k] = (void *)(uintptr_t)wasm__eval_const(inst, &e->items[k], &hi);
        inst->elemlen[i] = e->n;
    }
    return WASM_OK;
}

/* active segments behave like table.init/memory.init followed by a drop, in order */
static wasm_trap_kind init_segments(wasm_store *s, wasm_instance *inst)
{
    const wasm_module *m = inst->m;
    uint64_t hi;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const struct welem *e = &m->elems[i];
        if (e->mode == 0) {
            wasm_table *t = inst->tables[e->table];
            uint32_t off = (uint32_t)wasm__eval_const(inst, &e->offset, &hi);
            if ((uint64_t)off + e->n > t->size)
                return wasm__trap(s, WASM_TRAP_TABLE_OOB, NULL);
            if (e->n)
                memcpy(t->e + off, inst->elems[i], (size_t)e->n * sizeof(void *));
        }
        if (e->mode != 1)
            inst->elemlen[i] = 0;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const struct wdata *d = &m->datas[i];
        if (d->mode != 0)
            continue;
        wasm_memory *mem = inst->mems[d->mem];
        uint64_t off = wasm__eval_const(inst, &d->offset, &hi); /* i32 offsets are zero-extended */
        if (off > mem->size || d->len > mem->size - off)
            return wasm__trap(s, WASM_TRAP_MEMORY_OOB, NULL);
        if (d->len)
            memcpy(mem->data + off, d->bytes, d->len);
        inst->datadropped[i] = true;
    }
    return WASM_OK;
}

wasm_instance *wasm_instantiate(wasm_store *s, const wasm_module *m, const wasm_linker *l)
{
    if (!features_allowed(s, m))
        return NULL;
    wasm_instance *inst = wasm__store_alloc(s, sizeof *inst);
    if (!inst) {
        wasm__trap(s, WASM_TRAP_NOMEM, NULL);
        return NULL;
    }
    inst->store = s;
    inst->m = m;
    inst->funcs = wasm__store_alloc(s, (size_t)m->nfuncs * sizeof(void *));
    inst->tables = wasm__store_alloc(s, (size_t)m->ntables * sizeof(void *));
    inst->globals = wasm__store_alloc(s, (size_t)m->nglobals * sizeof(void *));
    inst->mems = wasm__store_alloc(s, (size_t)m->nmems * sizeof(void *));
    inst->elems = wasm__store_alloc(s, (size_t)m->nelems * sizeof(void *));
    inst->elemlen = wasm__store_alloc(s, (size_t)m->nelems * sizeof(uint32_t));
    inst->datadropped = wasm__store_alloc(s, m->ndatas);
    if (!inst->funcs || !inst->tables || !inst->globals || !inst->mems || !inst->elems || !inst->elemlen || !inst->datadropped) {
        wasm__trap(s, WASM_TRAP_NOMEM, NULL);
        return NULL;
    }
    if (resolve_imports(s, inst, l) || alloc_defined(s, inst) || init_segments(s, inst))
        return NULL;
    if (m->start != NOIDX) {
        uint64_t none[1];
        if (wasm_call(s, inst->funcs[m->start], none))
            return NULL;
    }
    return inst;
}

/* ---- calls ---- */

wasm_trap_kind wasm_call(wasm_store *s, wasm_func *f, uint64_t *slots)
{
    uint32_t np = f->type->ps, nr = f->type->rs, n = np > nr ? np : nr;
    uint64_t *sp = s->depth && s->stack_top ? s->stack_top : s->stack;
    if (sp + n > s->stack_end)
        return wasm__trap(s, WASM_TRAP_STACK_EXHAUSTED, NULL);
    memcpy(sp, slots, (size_t)np * 8);
    wasm_trap_kind k;
    if (f->host) {
        struct wasm_caller c = {s, NULL};
        k = f->host(&c, f->env, sp);
    } else {
        k = wasm__run(s, f, sp);
    }
    if (k == WASM_OK)
        memcpy(slots, sp, (size_t)nr * 8);
    return k;
}
