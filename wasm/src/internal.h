/* internal.h - structures shared by the decoder, translator, interpreter and runtime.
 * Nothing here is visible to embedders. */
#ifndef SKIFFWASM_INTERNAL_H
#define SKIFFWASM_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiffwasm.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "skiffwasm stores wasm values in host order and assumes a little-endian host"
#endif

#define WASM_PAGE 65536u
#define WASM_MAX_PAGES 65536u
#define NOIDX 0xffffffffu

struct wasm_functype {
    uint32_t np, nr;
    uint8_t *t;      /* np params, then nr results */
    uint32_t ps, rs; /* frame slots the params and the results take (a v128 takes two) */
};

/* frame slots a value of type t takes: values live in 64-bit slots, a v128 in two
 * consecutive ones (low half first) */
static inline uint32_t wasm__width(uint8_t t) { return t == WASM_V128 ? 2 : 1; }
void wasm__functype_slots(wasm_functype *t);

struct wlimits {
    uint32_t min, max; /* max = NOIDX when absent */
    bool shared;       /* memories only (threads proposal) */
    bool is64;         /* memories only (memory64: i64 addresses) */
};

struct wtabletype {
    uint8_t elem;
    struct wlimits lim;
};

struct wglobaltype {
    uint8_t t;
    bool mut;
};

/* A constant expression: one producing instruction in WebAssembly 2.0, or (extended
 * constants) a sequence kept as bytes, op 0xff (constexpr.c). */
struct wconst {
    uint8_t op; /* 0x41 i32, 0x42 i64, 0x43 f32, 0x44 f64, 0xfd v128, 0xd0 ref.null, 0xd2 ref.func, 0x23 global.get */
    uint32_t idx;
    uint64_t val, hi; /* hi: upper half of a v128.const */
    uint8_t *expr;    /* a sequence's bytes, with its end */
    uint32_t exprlen;
};

struct wimport {
    char *module, *name; /* NUL-terminated copies; names may contain NUL, so lengths too */
    uint32_t modlen, namelen;
    uint8_t kind;
    uint32_t type; /* func: type index */
    struct wtabletype table;
    struct wlimits mem;
    struct wglobaltype global;
};

struct wexport {
    char *name;
    uint32_t namelen;
    uint8_t kind;
    uint32_t idx;
};

struct welem {
    uint8_t mode; /* 0 active, 1 passive, 2 declarative */
    uint8_t type;
    uint32_t table;
    struct wconst offset;
    uint32_t n;
    struct wconst *items;
};

struct wdata {
    uint8_t mode; /* 0 active, 1 passive */
    uint32_t mem; /* active: the memory it initialises */
    struct wconst offset;
    uint32_t len;
    uint8_t *bytes;
};

/* A defined function after translation. */
struct wcode {
    uint32_t *code;
    uint32_t len;
    uint32_t framesize; /* slots: locals + operand stack */
};

struct wasm_module {
    uint32_t ntypes;
    wasm_functype *types;
    uint32_t nimports;
    struct wimport *imports;
    uint32_t nfuncs, nfuncimports; /* nfuncs counts imports too */
    uint32_t *functype;            /* per function index: type index */
    struct wcode *code;            /* per defined function */
    uint32_t ntables, ntableimports;
    struct wtabletype *tables;
    uint32_t nmems, nmemimports;
    struct wlimits *mems;
    uint32_t nglobals, nglobalimports;
    struct wglobaltype *globals;
    struct wconst *globalinit; /* per defined global */
    uint32_t nexports;
    struct wexport *exports;
    uint32_t start; /* NOIDX if none */
    uint32_t nelems;
    struct welem *elems;
    uint32_t ndatas;
    struct wdata *datas;
    bool has_datacount;
    uint32_t datacount;
    char **funcnames; /* from the name section, may be NULL */
    bool *declared;   /* function indices that ref.func may name */
    bool fuel;
    uint32_t features; /* WASM_FEATURE_* bits of the proposals the module uses */
    uint32_t off;      /* WASM_FEATURE_* bits refused while loading */
};

struct wasm_func {
    const wasm_functype *type;
    wasm_instance *inst; /* NULL for host functions */
    uint32_t idx;        /* index in inst's module */
    const struct wcode *code;
    wasm_host_fn host;
    void *env;
};

struct wasm_memory {
    uint8_t *data;
    uint64_t size; /* bytes */
    uint32_t pages, max; /* max as declared (NOIDX if none), for import matching */
    uint32_t cap;        /* growth limit: declared max capped by the store's limit */
    bool shared;         /* threads: data never moves (allocated at cap), waits allowed */
    bool is64;           /* memory64: addressed by i64 */
    wasm_waiter waiter;  /* memory.atomic.wait/notify for a shared memory (may be unset) */
};

struct wasm_table {
    uint8_t elem;
    uint32_t size, max; /* max as declared (NOIDX if none) */
    uint32_t cap;
    void **e;
};

struct wasm_global {
    uint8_t t;
    bool mut;
    uint64_t v, hi; /* hi: upper half of a v128 (read and written together with v) */
};

struct wasm_instance {
    wasm_store *store;
    const wasm_module *m;
    wasm_func **funcs;
    wasm_table **tables;
    wasm_memory *mem;    /* memory 0 (the interpreter's fast path), or NULL */
    wasm_memory **mems;  /* every memory (multi-memory) */
    wasm_global **globals;
    uint32_t *elemlen; /* per segment, 0 once dropped */
    void ***elems;
    bool *datadropped;
};

/* One activation record of the interpreter's own call stack. */
struct wframe {
    const uint32_t *ret;
    uint64_t *fp;
    wasm_func *fn;
};

struct wasm_caller {
    wasm_store *store;
    wasm_instance *inst;
};

struct wasm_store {
    wasm_limits lim;
    uint32_t features; /* proposals modules may use here (WASM_FEATURE_*) */
    uint64_t *stack, *stack_end;
    uint64_t *stack_top; /* first free slot for a re-entrant call from a host function */
    struct wframe *frames;
    uint32_t depth;
    uint64_t fuel;
    wasm_trap trap;
    /* everything the store owns, freed together */
    void **objs;
    uint32_t nobjs, capobjs;
};

/* byte reader used by the decoder and the translator; errors longjmp to jb */
struct rd {
    const uint8_t *base, *p, *end;
    const char *section;
    char *err;
    size_t errlen;
    jmp_buf *jb;
};

_Noreturn void wasm__fail(struct rd *r, const char *fmt, ...);
uint8_t wasm__u8(struct rd *r);
uint32_t wasm__u32(struct rd *r);
int32_t wasm__s32(struct rd *r);
int64_t wasm__s64(struct rd *r);
int64_t wasm__s33(struct rd *r);
uint64_t wasm__u64(struct rd *r);

/* constexpr.c: decode and validate one of type t; free; evaluate (*hi: a v128's upper half) */
struct wconst wasm__constexpr(struct rd *r, wasm_module *m, uint8_t t);
void wasm__const_free(struct wconst *c);
uint64_t wasm__eval_const(const wasm_instance *inst, const struct wconst *c, uint64_t *hi);
/* translate one function body [r->p, r->end) of defined function fidx */
void wasm__compile(struct rd *r, wasm_module *m, uint32_t fidx, struct wcode *out);
/* handler words for each op (label offsets under GCC, op numbers otherwise) */
const int32_t *wasm__handlers(void);
/* run f with arguments in sp[0..); results land in sp[0..) */
wasm_trap_kind wasm__run(wasm_store *s, wasm_func *f, uint64_t *sp);
int wasm__functype_eq(const wasm_functype *a, const wasm_functype *b);
void *wasm__store_alloc(wasm_store *s, size_t n);
/* a store-owned object; the kind says which buffer the store frees with it */
enum { WASM__OBJ_PLAIN, WASM__OBJ_MEMORY, WASM__OBJ_TABLE };
struct objhdr {
    int kind;
    uint64_t pad; /* keep the payload 8-byte aligned */
};
void *wasm__store_obj(wasm_store *s, size_t n, int kind);
/* threads.c */
int64_t wasm__grow_shared(wasm_memory *m, uint32_t delta);
/* memory.atomic.wait/notify at host address p (bounds, alignment checked): the result, or
 * -1 for a trap already recorded in s */
int64_t wasm__wait(wasm_store *s, wasm_memory *m, const void *p, uint64_t expected, int width, int64_t timeout);
uint32_t wasm__notify(wasm_memory *m, const void *p, uint32_t count);
int64_t wasm__table_grow(wasm_table *t, uint32_t n, void *init, const wasm_store *s);
wasm_trap_kind wasm__trap(wasm_store *s, wasm_trap_kind k, const char *msg);

#endif
