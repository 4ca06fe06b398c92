/* api_test.c - the embedding API: host imports, globals, memory access, several
 * instances at once, trap kinds and function indices, call-depth, memory and fuel
 * limits, multi-value results, v128 values (two slots each) through calls, host
 * functions and globals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiffwasm.h"

static int failures;
#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
            failures++;                                                           \
        }                                                                         \
    } while (0)

static wasm_trap_kind add3(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    (*(int *)env)++;
    slots[0] = (uint32_t)slots[0] + 3;
    return WASM_OK;
}

/* (v128 v, i32 i) -> (i32 i+1, v128 v): slots in [v.lo v.hi i], out [i+1 v.lo v.hi] */
static wasm_trap_kind vswap(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    (void)env;
    uint64_t lo = slots[0], hi = slots[1], i = slots[2];
    slots[0] = (uint32_t)(i + 1);
    slots[1] = lo;
    slots[2] = hi;
    return WASM_OK;
}

static wasm_func *fn(wasm_instance *i, const char *name)
{
    wasm_extern e;
    if (wasm_instance_export(i, name, &e) || e.kind != WASM_EXTERN_FUNC)
        return NULL;
    return e.ptr;
}

static uint64_t call1(wasm_store *s, wasm_instance *i, const char *name, uint64_t a, uint64_t b, wasm_trap_kind *k)
{
    uint64_t slots[4] = {a, b, 0, 0};
    *k = wasm_call(s, fn(i, name), slots);
    return slots[0];
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    static uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);

    char err[256];
    wasm_load_options opt = {1, 0};
    wasm_module *m = wasm_module_load(buf, len, &opt, err, sizeof err);
    CHECK(m != NULL);
    if (!m)
        return 1;

    /* a truncated module is rejected with section and offset in the message */
    CHECK(wasm_module_load(buf, len - 3, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "section") && strstr(err, "offset"));
    /* an unknown SIMD opcode (0xfd 0x9a is unassigned) is rejected by name */
    static const uint8_t badsimd[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
                                      10, 6, 1, 4, 0, 0xfd, 0x9a, 1};
    CHECK(wasm_module_load(badsimd, sizeof badsimd, NULL, err, sizeof err) == NULL && strstr(err, "0xfd 0x9a"));

    wasm_limits lim = {.max_memory_pages = 3, .max_call_depth = 1000};
    wasm_store *s = wasm_store_new(&lim);
    wasm_linker *l = wasm_linker_new();
    int calls = 0;
    uint8_t i32 = WASM_I32;
    wasm_functype *t = wasm_functype_new(s, 1, &i32, 1, &i32);
    wasm_global *counter = wasm_global_new(s, WASM_I32, 1, 40);
    wasm_linker_define(l, "host", "add3", (wasm_extern){WASM_EXTERN_FUNC, wasm_func_new_host(s, t, add3, &calls)});
    wasm_linker_define(l, "host", "counter", (wasm_extern){WASM_EXTERN_GLOBAL, counter});
    static const uint8_t vp[2] = {WASM_V128, WASM_I32}, vr[2] = {WASM_I32, WASM_V128};
    wasm_functype *vt = wasm_functype_new(s, 2, vp, 2, vr);
    wasm_linker_define(l, "host", "vswap", (wasm_extern){WASM_EXTERN_FUNC, wasm_func_new_host(s, vt, vswap, NULL)});

    wasm_instance *a = wasm_instantiate(s, m, l), *b = wasm_instantiate(s, m, l);
    CHECK(a && b);
    if (!a || !b)
        return 1;
    wasm_trap_kind k;
    CHECK(call1(s, a, "twice", 21, 0, &k) == 42 && k == WASM_OK);
    CHECK(call1(s, a, "via_host", 4, 0, &k) == 7 && k == WASM_OK && calls == 1);
    CHECK(wasm_global_get(counter) == 41);

    /* memories are per instance; data segments landed; host writes are visible */
    wasm_memory *ma = wasm_instance_memory(a), *mb = wasm_instance_memory(b);
    CHECK(ma && mb && ma != mb);
    CHECK(memcmp(wasm_memory_ptr(ma, 16, 5), "skiff", 5) == 0);
    call1(s, a, "store", 100, 0x5a, &k);
    CHECK(wasm_memory_data(ma)[100] == 0x5a && wasm_memory_data(mb)[100] == 0);
    wasm_memory_data(mb)[7] = 9;
    CHECK(call1(s, b, "load", 7, 0, &k) == 9);
    CHECK(wasm_memory_ptr(ma, 65536 - 4, 8) == NULL);

    /* traps carry kind and function index; the store recovers */
    call1(s, a, "load", 70000, 0, &k);
    CHECK(k == WASM_TRAP_MEMORY_OOB);
    call1(s, a, "div", 1, 0, &k);
    CHECK(k == WASM_TRAP_DIV_ZERO && wasm_store_trap(s)->func_index == 9); /* imports are functions 0, 1 */
    call1(s, a, "div", 0x80000000u, 0xffffffffu, &k);
    CHECK(k == WASM_TRAP_INT_OVERFLOW);
    CHECK(call1(s, a, "indirect", 5, 0, &k) == 10 && k == WASM_OK);
    call1(s, a, "indirect", 5, 1, &k);
    CHECK(k == WASM_TRAP_NULL_FUNC);
    call1(s, a, "indirect", 5, 2, &k);
    CHECK(k == WASM_TRAP_TABLE_OOB);
    call1(s, a, "recurse", 0, 0, &k);
    CHECK(k == WASM_TRAP_STACK_EXHAUSTED && wasm_store_trap(s)->nframes == WASM_BACKTRACE_MAX);
    CHECK(call1(s, a, "twice", 5, 0, &k) == 10 && k == WASM_OK);

    /* memory growth stops at the store's cap (3 pages) below the declared max (4) */
    CHECK(call1(s, a, "grow", 2, 0, &k) == 1);
    CHECK(call1(s, a, "grow", 1, 0, &k) == 0xffffffffu);
    CHECK(wasm_memory_size(ma) == 3 * 65536);

    /* fuel bounds an infinite loop */
    wasm_store_set_fuel(s, 100000);
    call1(s, a, "spin", 0, 0, &k);
    CHECK(k == WASM_TRAP_OUT_OF_FUEL && wasm_store_fuel(s) == 0);
    wasm_store_set_fuel(s, UINT64_MAX);

    /* multi-value results come back in order */
    double d = 2.5;
    uint64_t slots[2];
    slots[0] = 77;
    memcpy(&slots[1], &d, 8);
    CHECK(wasm_call(s, fn(a, "swap"), slots) == WASM_OK && memcmp(&slots[0], &d, 8) == 0 && slots[1] == 77);

    /* v128: i32x4 lanes {1,2,3,4} + 10 and lane 3 + 100, after an i32 and before an i64 */
    uint64_t vs[4] = {10, 1 | 2ull << 32, 3 | 4ull << 32, 100};
    CHECK(wasm_call(s, fn(a, "vmix"), vs) == WASM_OK);
    CHECK(vs[0] == (11 | 12ull << 32) && vs[1] == (13 | 14ull << 32) && vs[2] == 104);
    uint64_t hv[3] = {0x1111, 0x2222, 41};
    CHECK(wasm_call(s, fn(a, "via_vhost"), hv) == WASM_OK && hv[0] == 42 && hv[1] == 0x1111 && hv[2] == 0x2222);
    wasm_extern gx;
    uint64_t g2[2];
    CHECK(wasm_instance_export(a, "gv", &gx) == 0 && gx.kind == WASM_EXTERN_GLOBAL);
    wasm_global_get_v128(gx.ptr, g2);
    CHECK(g2[0] == (1 | 2ull << 32) && g2[1] == (3 | 4ull << 32));

    /* proposals: the module records what it uses; a store can refuse one */
    CHECK(wasm_module_features(m) == WASM_FEATURE_SIMD);
    wasm_store *nosimd = wasm_store_new(NULL);
    wasm_store_set_features(nosimd, WASM_FEATURE_ALL & ~WASM_FEATURE_SIMD);
    CHECK(wasm_instantiate(nosimd, m, l) == NULL && wasm_store_trap(nosimd)->kind == WASM_TRAP_LINK &&
          strstr(wasm_store_trap(nosimd)->msg, "simd"));
    wasm_store_free(nosimd);

    /* a missing import is a link error naming it */
    wasm_linker *empty = wasm_linker_new();
    CHECK(wasm_instantiate(s, m, empty) == NULL && wasm_store_trap(s)->kind == WASM_TRAP_LINK &&
          strstr(wasm_store_trap(s)->msg, "add3"));
    wasm_linker_free(empty);

    wasm_linker_free(l);
    wasm_store_free(s);
    wasm_module_free(m);
    printf("api_test: %s\n", failures ? "FAILED" : "ok");
    return failures != 0;
}
