/* skiffwasm.h - the embedding contract of skiff's WebAssembly engine.
 *
 * Ownership: a wasm_module is immutable compiled code, independent of any store and
 * shareable between stores.  A wasm_store owns every runtime object (instances,
 * functions, memories, tables, globals) and the execution stack; freeing the store
 * frees them all.  Stores share nothing, so several can run at once (one thread per
 * store).  The engine keeps no global mutable state and makes no OS calls.
 *
 * Values cross the API as raw 64-bit slots: i32 zero-extended, i64 as is, f32/f64 as
 * their IEEE bit patterns (f32 in the low 32 bits), funcref as a wasm_func pointer,
 * externref as an opaque pointer-sized value.  A null reference is 0.  A v128 takes two
 * consecutive slots, the low 64 bits (lanes 0..) first, so a function's arguments and
 * results take one slot per value except two per v128.
 *
 * Errors: loading returns NULL and writes a message naming the section, offset and
 * rule.  Running returns a wasm_trap_kind (0 = success); details via wasm_store_trap().
 * No call blocks except inside host functions the embedder supplies.
 */
#ifndef SKIFFWASM_H
#define SKIFFWASM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasm_module wasm_module;
typedef struct wasm_store wasm_store;
typedef struct wasm_instance wasm_instance;
typedef struct wasm_func wasm_func;
typedef struct wasm_memory wasm_memory;
typedef struct wasm_table wasm_table;
typedef struct wasm_global wasm_global;
typedef struct wasm_functype wasm_functype;

/* Value types use their binary-format codes. */
enum {
    WASM_I32 = 0x7f, WASM_I64 = 0x7e, WASM_F32 = 0x7d, WASM_F64 = 0x7c,
    WASM_V128 = 0x7b, WASM_FUNCREF = 0x70, WASM_EXTERNREF = 0x6f
};

/* Extern kinds, also binary-format codes. */
enum { WASM_EXTERN_FUNC = 0, WASM_EXTERN_TABLE = 1, WASM_EXTERN_MEMORY = 2, WASM_EXTERN_GLOBAL = 3 };

typedef enum wasm_trap_kind {
    WASM_OK = 0,
    WASM_TRAP_UNREACHABLE,
    WASM_TRAP_MEMORY_OOB,        /* out of bounds memory access */
    WASM_TRAP_TABLE_OOB,         /* out of bounds table access / undefined element */
    WASM_TRAP_DIV_ZERO,          /* integer divide by zero */
    WASM_TRAP_INT_OVERFLOW,      /* integer overflow */
    WASM_TRAP_BAD_CONVERSION,    /* invalid conversion to integer */
    WASM_TRAP_STACK_EXHAUSTED,   /* call stack exhausted */
    WASM_TRAP_INDIRECT_MISMATCH, /* indirect call type mismatch */
    WASM_TRAP_NULL_FUNC,         /* uninitialized element / null function reference */
    WASM_TRAP_OUT_OF_FUEL,       /* instruction budget exhausted */
    WASM_TRAP_HOST,              /* a host function failed */
    WASM_TRAP_EXIT,              /* a host function asked to end the program (proc_exit) */
    WASM_TRAP_LINK,              /* instantiation: unresolved or mismatched import */
    WASM_TRAP_NOMEM,             /* the engine could not allocate */
    WASM_TRAP_UNALIGNED_ATOMIC,  /* an atomic access at an address not a multiple of its size */
    WASM_TRAP_UNSHARED_WAIT,     /* memory.atomic.wait on a memory that is not shared */
    WASM_TRAP_COUNT
} wasm_trap_kind;

const char *wasm_trap_name(wasm_trap_kind k);

#define WASM_BACKTRACE_MAX 16
typedef struct wasm_trap {
    wasm_trap_kind kind;
    uint32_t func_index;               /* function index where it happened (in its module) */
    int exit_code;                     /* for WASM_TRAP_EXIT */
    uint32_t nframes;                  /* backtrace, innermost first */
    uint32_t frames[WASM_BACKTRACE_MAX];
    const wasm_module *frame_module[WASM_BACKTRACE_MAX];
    char msg[160];
} wasm_trap;

/* ---- proposals beyond WebAssembly 2.0 (and SIMD, part of 2.0 but separable) ----
 * A module records which it uses; a store refuses to instantiate a module that uses
 * one turned off there (all are on in a new store). */
enum {
    WASM_FEATURE_SIMD = 1 << 0,
    WASM_FEATURE_THREADS = 1 << 1,
    WASM_FEATURE_TAIL_CALL = 1 << 2,
    WASM_FEATURE_EXTENDED_CONST = 1 << 3,
    WASM_FEATURE_MULTI_MEMORY = 1 << 4,
    WASM_FEATURE_MEMORY64 = 1 << 5,
    WASM_FEATURE_ALL = (1 << 6) - 1
};
const char *wasm_feature_name(uint32_t feature_bit); /* "simd", "threads", ... */

/* ---- modules ---- */
typedef struct wasm_load_options {
    int fuel_metering;   /* compile fuel checks at function entries and loop headers */
    uint32_t features_off; /* WASM_FEATURE_* bits to refuse at load: their syntax is then
                              malformed or invalid as in the spec without them (0: all on) */
} wasm_load_options;

/* Decode, validate and translate.  bytes may be freed afterwards.  On error returns NULL
 * and writes "section S, offset 0xN: rule" into err. */
wasm_module *wasm_module_load(const uint8_t *bytes, size_t len, const wasm_load_options *opt,
                              char *err, size_t errlen);
void wasm_module_free(wasm_module *m);

uint32_t wasm_module_import_count(const wasm_module *m);
/* Describe import i: module name, field name, kind. Names are NUL-terminated copies. */
void wasm_module_import(const wasm_module *m, uint32_t i, const char **module, const char **name,
                        int *kind);
/* Type of function import i (NULL if import i is not a function). */
const wasm_functype *wasm_module_import_functype(const wasm_module *m, uint32_t i);
/* Limits of memory import i (max UINT32_MAX if none); returns -1 if i is not a memory. */
int wasm_module_import_memory(const wasm_module *m, uint32_t i, uint32_t *min, uint32_t *max, int *shared);
/* WASM_FEATURE_* bits of the proposals m uses. */
uint32_t wasm_module_features(const wasm_module *m);
/* Name of function index from the name section, or NULL. */
const char *wasm_module_func_name(const wasm_module *m, uint32_t funcidx);

/* ---- function types ---- */
uint32_t wasm_functype_params(const wasm_functype *t);
uint32_t wasm_functype_results(const wasm_functype *t);
uint8_t wasm_functype_param(const wasm_functype *t, uint32_t i);
uint8_t wasm_functype_result(const wasm_functype *t, uint32_t i);
/* slots a call needs: max(param slots, result slots), a v128 counting two */
uint32_t wasm_functype_slots(const wasm_functype *t);

/* ---- stores ---- */
typedef struct wasm_limits {
    uint32_t max_memory_pages;  /* cap on any memory's size (64 KiB pages); 0 = 65536 */
    uint32_t max_table_size;    /* cap on table growth; 0 = 10,000,000 */
    uint32_t max_call_depth;    /* 0 = 20000 */
    uint32_t stack_slots;       /* value stack, 8-byte slots; 0 = 1 Mi slots */
} wasm_limits;

wasm_store *wasm_store_new(const wasm_limits *lim);
void wasm_store_free(wasm_store *s);
/* Execution budget for modules loaded with fuel_metering: one unit is charged per
 * function entry and per loop iteration (the only ways code can run unboundedly), so
 * any budget bounds run time.  Exhaustion traps with WASM_TRAP_OUT_OF_FUEL.
 * UINT64_MAX (the default) = unlimited. */
void wasm_store_set_fuel(wasm_store *s, uint64_t fuel);
/* Proposals modules may use in this store (WASM_FEATURE_* bits; default all). */
void wasm_store_set_features(wasm_store *s, uint32_t features);
uint32_t wasm_store_features(const wasm_store *s);
uint64_t wasm_store_fuel(const wasm_store *s);
const wasm_trap *wasm_store_trap(const wasm_store *s);
/* the limits in force (defaults filled in), e.g. for a store of another thread */
const wasm_limits *wasm_store_limits(const wasm_store *s);

/* ---- host functions ----
 * slots[0..nparams) hold the arguments; the function writes results to slots[0..nresults).
 * It returns WASM_OK or a trap kind; use wasm_host_exit / wasm_host_fail for details. */
typedef struct wasm_caller wasm_caller;
typedef wasm_trap_kind (*wasm_host_fn)(wasm_caller *caller, void *env, uint64_t *slots);

wasm_functype *wasm_functype_new(wasm_store *s, uint32_t np, const uint8_t *params, uint32_t nr,
                                 const uint8_t *results);
wasm_func *wasm_func_new_host(wasm_store *s, const wasm_functype *t, wasm_host_fn fn, void *env);
/* The memory of the calling instance (its memory 0), or NULL. */
wasm_memory *wasm_caller_memory(wasm_caller *c);
wasm_store *wasm_caller_store(wasm_caller *c);
wasm_trap_kind wasm_host_exit(wasm_caller *c, int code);
wasm_trap_kind wasm_host_fail(wasm_caller *c, const char *msg);

/* ---- other host-created externs ---- */
wasm_memory *wasm_memory_new(wasm_store *s, uint32_t min_pages, uint32_t max_pages /* UINT32_MAX = none */);
wasm_table *wasm_table_new(wasm_store *s, uint8_t elemtype, uint32_t min, uint32_t max /* UINT32_MAX = none */);
wasm_global *wasm_global_new(wasm_store *s, uint8_t type, int mutable_, uint64_t value);

/* ---- threads ----
 * A shared memory (threads proposal) is allocated at its full size limit up front, so
 * its data never moves and several stores on several threads may use it at once (each
 * store still runs on one thread).  Modules are immutable and may be shared too; every
 * other object belongs to one store and so to one thread at a time.  The memory must
 * outlive every store that imports it (create it in a store that is freed last).
 *
 * memory.atomic.wait/notify go through the memory's waiter, which the embedder supplies
 * (the engine makes no OS calls).  wait blocks while the `width`-byte value at p equals
 * expected - compared under the lock notify takes - until notified or timeout_ns passes
 * (negative: no timeout); it returns 0 (woken), 1 (not equal) or 2 (timed out).  notify
 * wakes up to count waiters on p and returns how many.  Without a waiter, notify wakes
 * nobody and wait returns 1 or, if the value matches, 2 at once: nothing could wake it
 * (a wait without timeout then traps WASM_TRAP_HOST instead of hanging). */
typedef struct wasm_waiter {
    int (*wait)(void *ctx, const void *p, uint64_t expected, int width, int64_t timeout_ns);
    uint32_t (*notify)(void *ctx, const void *p, uint32_t count);
    void *ctx;
} wasm_waiter;
wasm_memory *wasm_memory_new_shared(wasm_store *s, uint32_t min_pages, uint32_t max_pages);
/* a memory indexed by i64 addresses (memory64 proposal) */
wasm_memory *wasm_memory_new64(wasm_store *s, uint32_t min_pages, uint32_t max_pages);
void wasm_memory_set_waiter(wasm_memory *m, const wasm_waiter *w);
int wasm_memory_is_shared(const wasm_memory *m);

/* ---- linking ----
 * A linker maps (module, name) to externs; instantiate resolves imports through it. */
typedef struct wasm_extern {
    int kind;
    void *ptr; /* wasm_func*, wasm_table*, wasm_memory*, wasm_global* per kind */
} wasm_extern;
typedef struct wasm_linker wasm_linker;
wasm_linker *wasm_linker_new(void);
void wasm_linker_free(wasm_linker *l);
int wasm_linker_define(wasm_linker *l, const char *module, const char *name, wasm_extern ext);
/* Names may contain NUL bytes: the _n forms take explicit lengths. */
int wasm_linker_define_n(wasm_linker *l, const char *module, size_t modlen, const char *name, size_t namelen,
                         wasm_extern ext);
/* Define every export of inst under module name. */
int wasm_linker_define_instance(wasm_linker *l, const char *module, wasm_instance *inst);

/* Instantiate: resolve imports, allocate, run segment initialisation and the start
 * function.  Returns NULL and a trap (LINK for an unlinkable module, otherwise the trap
 * of the failing initialisation or start call) via wasm_store_trap(). */
wasm_instance *wasm_instantiate(wasm_store *s, const wasm_module *m, const wasm_linker *l);

int wasm_instance_export(const wasm_instance *inst, const char *name, wasm_extern *out);
int wasm_instance_export_n(const wasm_instance *inst, const char *name, size_t len, wasm_extern *out);
uint32_t wasm_instance_export_count(const wasm_instance *inst);
const char *wasm_instance_export_name(const wasm_instance *inst, uint32_t i);
wasm_memory *wasm_instance_memory(const wasm_instance *inst); /* memory 0 or NULL */

/* ---- running ----
 * slots must have room for max(params, results) slots (two per v128). */
const wasm_functype *wasm_func_type(const wasm_func *f);
wasm_trap_kind wasm_call(wasm_store *s, wasm_func *f, uint64_t *slots);

/* ---- memory, tables, globals ---- */
uint8_t *wasm_memory_data(wasm_memory *m);
uint64_t wasm_memory_size(const wasm_memory *m); /* bytes */
/* Bounds-checked pointer to [off, off+len) or NULL. Invalidated by memory growth. */
void *wasm_memory_ptr(wasm_memory *m, uint64_t off, uint64_t len);
int64_t wasm_memory_grow(wasm_memory *m, uint32_t delta_pages, const wasm_store *s); /* old pages or -1 */

uint32_t wasm_table_size(const wasm_table *t);
uint64_t wasm_table_get(const wasm_table *t, uint32_t i);
uint8_t wasm_global_type(const wasm_global *g);
uint64_t wasm_global_get(const wasm_global *g);
void wasm_global_set(wasm_global *g, uint64_t v);
/* both halves of a v128 global (get/set above see the low half only) */
void wasm_global_get_v128(const wasm_global *g, uint64_t out[2]);
void wasm_global_set_v128(wasm_global *g, const uint64_t v[2]);

#ifdef __cplusplus
}
#endif
#endif
