/* decode.c - the module binary format: sections, module-level validation rules, and
 * the hand-off of each function body to the translator (compile.c).
 *
 * Every read is bounds-checked by the reader; every error leaves through wasm__fail,
 * which longjmps back to wasm_module_load, which frees the partial module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct dec {
    struct rd r;
    wasm_module *m;
};

static void *xcalloc(struct rd *r, size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p)
        wasm__fail(r, "out of memory");
    return p;
}

/* A count of items each taking at least one byte cannot exceed the bytes left: this
 * rejects absurd counts before allocating for them. */
static uint32_t count(struct rd *r)
{
    uint32_t n = wasm__u32(r);
    if (n > (size_t)(r->end - r->p))
        wasm__fail(r, "length out of bounds");
    return n;
}

static bool utf8_ok(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t len, cp;
        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
        else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
        else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
        else return false;
        if (n - i < len)
            return false;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        /* overlong forms, surrogates and values past U+10FFFF are malformed */
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static char *name(struct rd *r, uint32_t *len)
{
    uint32_t n = count(r);
    if (len)
        *len = n;
    if (!utf8_ok(r->p, n))
        wasm__fail(r, "malformed UTF-8 encoding");
    char *s = xcalloc(r, n + 1, 1);
    memcpy(s, r->p, n);
    r->p += n;
    return s;
}

static uint8_t valtype(struct rd *r)
{
    uint8_t t = wasm__u8(r);
    switch (t) {
    case WASM_I32: case WASM_I64: case WASM_F32: case WASM_F64:
    case WASM_FUNCREF: case WASM_EXTERNREF: case WASM_V128:
        return t;
    default:
        wasm__fail(r, "malformed value type 0x%02x", t);
    }
}

static uint8_t reftype(struct rd *r)
{
    uint8_t t = wasm__u8(r);
    if (t != WASM_FUNCREF && t != WASM_EXTERNREF)
        wasm__fail(r, "malformed reference type 0x%02x", t);
    return t;
}

/* a memory64 limit: sizes past 32 bits cannot be allocated anyway, so they saturate */
static uint32_t limit64(struct rd *r)
{
    uint64_t v = wasm__u64(r);
    return v >= NOIDX ? NOIDX - 1 : (uint32_t)v;
}

static struct wlimits limits(struct dec *d, uint32_t cap, const char *what)
{
    struct rd *r = &d->r;
    struct wlimits l;
    uint8_t flag = wasm__u8(r);
    /* memories only: bit 1 shared (threads), bit 2 i64 addresses (memory64) */
    uint8_t allowed = !cap ? 1 : 1 | (d->m->off & WASM_FEATURE_THREADS ? 0 : 2) | (d->m->off & WASM_FEATURE_MEMORY64 ? 0 : 4);
    if (flag & ~allowed)
        wasm__fail(r, "malformed limits flags (integer too large)");
    l.shared = flag & 2;
    l.is64 = flag & 4;
    if (l.is64)
        d->m->features |= WASM_FEATURE_MEMORY64;
    flag &= 1;
    l.min = l.is64 ? limit64(r) : wasm__u32(r);
    l.max = !flag ? NOIDX : l.is64 ? limit64(r) : wasm__u32(r);
    if (l.shared && !flag)
        wasm__fail(r, "shared memory must have maximum");
    if (l.is64)
        cap = 0; /* 2^48 pages: a u32 count never exceeds it */
    if (cap && l.min > cap)
        wasm__fail(r, "%s size must be at most %u pages", what, cap);
    if (flag && cap && l.max > cap)
        wasm__fail(r, "%s size must be at most %u pages", what, cap);
    if (flag && l.max < l.min)
        wasm__fail(r, "size minimum must not be greater than maximum");
    return l;
}

/* a second memory: the multi-memory proposal */
static void more_memories(struct dec *d)
{
    if (d->m->off & WASM_FEATURE_MULTI_MEMORY)
        wasm__fail(&d->r, "multiple memories are not allowed");
    d->m->features |= WASM_FEATURE_MULTI_MEMORY;
}

static struct wtabletype tabletype(struct dec *d)
{
    struct rd *r = &d->r;
    struct wtabletype t;
    t.elem = reftype(r);
    t.lim = limits(d, 0, "table");
    return t;
}

static struct wglobaltype globaltype(struct rd *r)
{
    struct wglobaltype g;
    g.t = valtype(r);
    uint8_t mut = wasm__u8(r);
    if (mut > 1)
        wasm__fail(r, "malformed mutability");
    g.mut = mut;
    return g;
}

static void sec_type(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    m->ntypes = count(r);
    m->types = xcalloc(r, m->ntypes, sizeof *m->types);
    for (uint32_t i = 0; i < m->ntypes; i++) {
        if (wasm__u8(r) != 0x60)
            wasm__fail(r, "malformed function type (expected 0x60)");
        uint32_t np = count(r);
        const uint8_t *ps = r->p;
        for (uint32_t k = 0; k < np; k++) valtype(r);
        uint32_t nr = count(r);
        const uint8_t *rs = r->p;
        for (uint32_t k = 0; k < nr; k++) valtype(r);
        wasm_functype *t = &m->types[i];
        t->np = np;
        t->nr = nr;
        t->t = xcalloc(r, np + nr, 1);
        memcpy(t->t, ps, np);
        memcpy(t->t + np, rs, nr);
        wasm__functype_slots(t);
    }
}

static void sec_import(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    m->nimports = count(r);
    m->imports = xcalloc(r, m->nimports, sizeof *m->imports);
    for (uint32_t i = 0; i < m->nimports; i++) {
        struct wimport *im = &m->imports[i];
        im->module = name(r, &im->modlen);
        im->name = name(r, &im->namelen);
        im->kind = wasm__u8(r);
        switch (im->kind) {
        case WASM_EXTERN_FUNC:
            im->type = wasm__u32(r);
            if (im->type >= m->ntypes) wasm__fail(r, "unknown type %u", im->type);
            m->nfuncimports++;
            break;
        case WASM_EXTERN_TABLE: im->table = tabletype(d); m->ntableimports++; break;
        case WASM_EXTERN_MEMORY:
            im->mem = limits(d, WASM_MAX_PAGES, "memory");
            if (++m->nmemimports > 1)
                more_memories(d);
            break;
        case WASM_EXTERN_GLOBAL: im->global = globaltype(r); m->nglobalimports++; break;
        default: wasm__fail(r, "malformed import kind %u", im->kind);
        }
    }
}

/* Index spaces start with the imports; the function, table, memory and global
 * sections then append the module's own definitions. */
static void imports_done(struct dec *d)
{
    wasm_module *m = d->m;
    struct rd *r = &d->r;
    m->nfuncs = m->nfuncimports;
    m->functype = xcalloc(r, m->nfuncs, sizeof *m->functype);
    m->declared = xcalloc(r, m->nfuncs, 1);
    m->ntables = m->ntableimports;
    m->tables = xcalloc(r, m->ntables, sizeof *m->tables);
    m->nmems = m->nmemimports;
    m->mems = xcalloc(r, m->nmems, sizeof *m->mems);
    m->nglobals = m->nglobalimports;
    m->globals = xcalloc(r, m->nglobals, sizeof *m->globals);
    uint32_t f = 0, t = 0, me = 0, g = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        struct wimport *im = &m->imports[i];
        switch (im->kind) {
        case WASM_EXTERN_FUNC: m->functype[f++] = im->type; break;
        case WASM_EXTERN_TABLE: m->tables[t++] = im->table; break;
        case WASM_EXTERN_MEMORY: m->mems[me++] = im->mem; break;
        case WASM_EXTERN_GLOBAL: m->globals[g++] = im->global; break;
        }
    }
}

static void *grow(struct rd *r, void *p, size_t n, size_t sz)
{
    void *q = realloc(p, (n ? n : 1) * sz);
    if (!q)
        wasm__fail(r, "out of memory");
    return q;
}

static void sec_function(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = count(r), base = m->nfuncs;
    m->functype = grow(r, m->functype, base + n, sizeof *m->functype);
    m->declared = grow(r, m->declared, base + n, 1);
    memset(m->declared + base, 0, n);
    m->nfuncs = base + n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = wasm__u32(r);
        if (t >= m->ntypes)
            wasm__fail(r, "unknown type %u", t);
        m->functype[base + i] = t;
    }
}

static void sec_table(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = count(r);
    m->tables = grow(r, m->tables, m->ntables + n, sizeof *m->tables);
    for (uint32_t i = 0; i < n; i++)
        m->tables[m->ntables++] = tabletype(d);
}

static void sec_memory(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = count(r);
    if (n + m->nmems > 1)
        more_memories(d);
    m->mems = grow(r, m->mems, m->nmems + n, sizeof *m->mems);
    for (uint32_t i = 0; i < n; i++)
        m->mems[m->nmems++] = limits(d, WASM_MAX_PAGES, "memory");
}

static void sec_global(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = count(r);
    m->globals = grow(r, m->globals, m->nglobals + n, sizeof *m->globals);
    m->globalinit = xcalloc(r, n, sizeof *m->globalinit);
    for (uint32_t i = 0; i < n; i++) {
        struct wglobaltype g = globaltype(r);
        m->globalinit[i] = wasm__constexpr(&d->r, d->m, g.t);
        m->globals[m->nglobals++] = g;
    }
}

static void sec_export(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    m->nexports = count(r);
    m->exports = xcalloc(r, m->nexports, sizeof *m->exports);
    for (uint32_t i = 0; i < m->nexports; i++) {
        struct wexport *e = &m->exports[i];
        e->name = name(r, &e->namelen);
        e->kind = wasm__u8(r);
        e->idx = wasm__u32(r);
        uint32_t lim;
        switch (e->kind) {
        case WASM_EXTERN_FUNC: lim = m->nfuncs; break;
        case WASM_EXTERN_TABLE: lim = m->ntables; break;
        case WASM_EXTERN_MEMORY: lim = m->nmems; break;
        case WASM_EXTERN_GLOBAL: lim = m->nglobals; break;
        default: wasm__fail(r, "malformed export kind %u", e->kind);
        }
        if (e->idx >= lim)
            wasm__fail(r, "unknown %s %u in export", e->kind == 0 ? "function" : e->kind == 1 ? "table" : e->kind == 2 ? "memory" : "global", e->idx);
        if (e->kind == WASM_EXTERN_FUNC)
            m->declared[e->idx] = true;
        for (uint32_t k = 0; k < i; k++)
            if (m->exports[k].namelen == e->namelen && !memcmp(m->exports[k].name, e->name, e->namelen))
                wasm__fail(r, "duplicate export name \"%s\"", e->name);
    }
}

static void sec_elem(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    m->nelems = count(r);
    m->elems = xcalloc(r, m->nelems, sizeof *m->elems);
    for (uint32_t i = 0; i < m->nelems; i++) {
        struct welem *e = &m->elems[i];
        uint32_t flags = wasm__u32(r);
        if (flags > 7)
            wasm__fail(r, "malformed elements segment kind %u", flags);
        e->mode = (flags & 1) ? ((flags & 2) ? 2 : 1) : 0;
        e->type = WASM_FUNCREF;
        if (e->mode == 0) {
            e->table = (flags & 2) ? wasm__u32(r) : 0;
            if (e->table >= m->ntables)
                wasm__fail(r, "unknown table %u", e->table);
            e->offset = wasm__constexpr(&d->r, d->m, WASM_I32);
        }
        bool exprs = flags & 4;
        if (flags & 3) { /* explicit elemkind / reftype */
            if (exprs) e->type = reftype(r);
            else if (wasm__u8(r) != 0x00) wasm__fail(r, "malformed element kind");
        }
        e->n = count(r);
        e->items = xcalloc(r, e->n, sizeof *e->items);
        for (uint32_t k = 0; k < e->n; k++) {
            if (exprs) {
                e->items[k] = wasm__constexpr(&d->r, d->m, e->type);
            } else {
                uint32_t f = wasm__u32(r);
                if (f >= m->nfuncs) wasm__fail(r, "unknown function %u", f);
                m->declared[f] = true;
                e->items[k].op = 0xd2;
                e->items[k].idx = f;
            }
        }
        if (e->mode == 0 && m->tables[e->table].elem != e->type)
            wasm__fail(r, "type mismatch: element segment type differs from table's");
    }
}

static void sec_data(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    m->ndatas = count(r);
    if (m->has_datacount && m->datacount != m->ndatas)
        wasm__fail(r, "data count and data section have inconsistent lengths");
    m->datas = xcalloc(r, m->ndatas, sizeof *m->datas);
    for (uint32_t i = 0; i < m->ndatas; i++) {
        struct wdata *s = &m->datas[i];
        uint32_t flags = wasm__u32(r);
        if (flags > 2)
            wasm__fail(r, "malformed data segment kind %u", flags);
        s->mode = flags == 1;
        if (flags != 1) {
            uint32_t mem = flags == 2 ? wasm__u32(r) : 0;
            if (mem >= m->nmems)
                wasm__fail(r, "unknown memory %u", mem);
            s->mem = mem;
            s->offset = wasm__constexpr(&d->r, d->m, m->mems[mem].is64 ? WASM_I64 : WASM_I32);
        }
        s->len = count(r);
        s->bytes = xcalloc(r, s->len, 1);
        memcpy(s->bytes, r->p, s->len);
        r->p += s->len;
    }
}

static void sec_code(struct dec *d, uint32_t nf)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    uint32_t n = count(r);
    if (n != nf)
        wasm__fail(r, "function and code section have inconsistent lengths");
    m->code = xcalloc(r, n, sizeof *m->code);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t size = wasm__u32(r);
        if (size > (size_t)(r->end - r->p))
            wasm__fail(r, "unexpected end of section or function");
        struct rd body = *r;
        body.end = r->p + size;
        wasm__compile(&body, m, m->nfuncimports + i, &m->code[i]);
        r->p += size;
    }
}

/* Name section: only function names are used (backtraces).  A malformed name section
 * is ignored, as the spec asks of custom sections. */
static void sec_names(struct dec *d, const uint8_t *p, const uint8_t *end)
{
    wasm_module *m = d->m;
    jmp_buf jb, *saved = d->r.jb;
    struct rd r = {d->r.base, p, end, "name", NULL, 0, &jb};
    if (setjmp(jb)) {
        d->r.jb = saved;
        return;
    }
    while (r.p < r.end) {
        uint8_t id = wasm__u8(&r);
        uint32_t sz = wasm__u32(&r);
        if (sz > (size_t)(r.end - r.p)) return;
        const uint8_t *next = r.p + sz;
        if (id == 1 && m->nfuncs && !m->funcnames) {
            m->funcnames = calloc(m->nfuncs, sizeof(char *));
            if (!m->funcnames) return;
            uint32_t n = wasm__u32(&r);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t idx = wasm__u32(&r);
                uint32_t len = wasm__u32(&r);
                if (len > (size_t)(r.end - r.p)) return;
                if (idx < m->nfuncs && !m->funcnames[idx]) {
                    char *s = malloc(len + 1);
                    if (!s) return;
                    memcpy(s, r.p, len);
                    s[len] = 0;
                    m->funcnames[idx] = s;
                }
                r.p += len;
            }
        }
        r.p = next;
    }
}

/* the proposals visible at module level: v128 in a signature or global, shared memory
 * (instructions record theirs as they are translated) */
static void note_features(wasm_module *m)
{
    for (uint32_t i = 0; i < m->ntypes; i++)
        if (memchr(m->types[i].t, WASM_V128, m->types[i].np + m->types[i].nr))
            m->features |= WASM_FEATURE_SIMD;
    for (uint32_t i = 0; i < m->nglobals; i++)
        if (m->globals[i].t == WASM_V128)
            m->features |= WASM_FEATURE_SIMD;
    for (uint32_t i = 0; i < m->nmems; i++)
        if (m->mems[i].shared)
            m->features |= WASM_FEATURE_THREADS;
}

static const char *secname(uint8_t id)
{
    static const char *const n[] = {"custom", "type", "import", "function", "table", "memory", "global",
                                    "export", "start", "element", "code", "data", "datacount"};
    return id < 13 ? n[id] : "unknown";
}

/* Sections must appear in this order; datacount sits between element and code. */
static int rank(uint8_t id) { return id == 12 ? 10 : id >= 10 ? id + 1 : id; }

static void module(struct dec *d)
{
    struct rd *r = &d->r;
    wasm_module *m = d->m;
    static const uint8_t hdr[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    if (r->end - r->p < 4 || memcmp(r->p, hdr, 4))
        wasm__fail(r, "magic header not detected");
    if (r->end - r->p < 8 || memcmp(r->p + 4, hdr + 4, 4))
        wasm__fail(r, "unknown binary version");
    r->p += 8;
    int last = 0;
    uint32_t nf = 0;
    bool spaces = false, saw_code = false;
    while (r->p < r->end) {
        r->section = "header";
        uint8_t id = wasm__u8(r);
        uint32_t size = wasm__u32(r);
        if (size > (size_t)(r->end - r->p))
            wasm__fail(r, "section size out of bounds (unexpected end)");
        const uint8_t *send = r->p + size, *outer_end = r->end;
        if (id > 12)
            wasm__fail(r, "malformed section id %u", id);
        r->section = secname(id);
        if (id != 0) {
            if (rank(id) <= last)
                wasm__fail(r, "unexpected content after last section (out of order or duplicate)");
            last = rank(id);
        }
        if (id >= 3 && !spaces) {
            imports_done(d);
            spaces = true;
        }
        r->end = send;
        switch (id) {
        case 0: {
            char *n = name(r, NULL);
            if (!strcmp(n, "name"))
                sec_names(d, r->p, send);
            free(n);
            r->p = send;
            break;
        }
        case 1: sec_type(d); break;
        case 2: sec_import(d); break;
        case 3: sec_function(d); nf = m->nfuncs - m->nfuncimports; break;
        case 4: sec_table(d); break;
        case 5: sec_memory(d); break;
        case 6: sec_global(d); break;
        case 7: sec_export(d); break;
        case 8: {
            m->start = wasm__u32(r);
            if (m->start >= m->nfuncs)
                wasm__fail(r, "unknown function %u", m->start);
            const wasm_functype *t = &m->types[m->functype[m->start]];
            if (t->np || t->nr)
                wasm__fail(r, "start function must have type [] -> []");
            break;
        }
        case 9: sec_elem(d); break;
        case 12:
            m->has_datacount = true;
            m->datacount = wasm__u32(r);
            break;
        case 10: sec_code(d, nf); saw_code = true; break;
        case 11: sec_data(d); break;
        }
        if (r->p != send)
            wasm__fail(r, "section size mismatch");
        r->end = outer_end;
    }
    if (!spaces)
        imports_done(d);
    if (!saw_code && nf)
        wasm__fail(r, "function and code section have inconsistent lengths");
    if (m->has_datacount && m->datacount != m->ndatas)
        wasm__fail(r, "data count and data section have inconsistent lengths");
    note_features(m);
}

wasm_module *wasm_module_load(const uint8_t *bytes, size_t len, const wasm_load_options *opt, char *err,
                              size_t errlen)
{
    jmp_buf jb;
    struct dec d;
    memset(&d, 0, sizeof d);
    d.r.base = d.r.p = bytes;
    d.r.end = bytes + len;
    d.r.err = err;
    d.r.errlen = errlen;
    d.r.jb = &jb;
    d.m = calloc(1, sizeof *d.m);
    if (!d.m) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return NULL;
    }
    d.m->start = NOIDX;
    d.m->fuel = opt && opt->fuel_metering;
    d.m->off = opt ? opt->features_off & WASM_FEATURE_ALL : 0;
    if (setjmp(jb)) {
        wasm_module_free(d.m);
        return NULL;
    }
    module(&d);
    return d.m;
}
