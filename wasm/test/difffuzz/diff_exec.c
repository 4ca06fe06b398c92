/* diff_exec.c - run a module the way binaryen's `wasm-opt --fuzz-exec-before` does, and
 * print what happens in its format, so the two can be compared line by line
 * (difffuzz.py normalises what may legitimately differ: NaN bits, trap messages).
 *
 *   skiffwasm-diff MODULE.wasm
 *
 * Every exported function is called in export order with zero arguments, each after the
 * module's "hangLimitInitializer" export (binaryen's fuzzer resets the global that bounds
 * loops and recursion before every call, silently): "[fuzz-exec]
 * calling NAME", the values passed to the fuzzing-support log-* imports, then
 * "[fuzz-exec] note result: NAME => VALUE" or "[trap ...]".  Integers print signed, floats
 * as doubles with 17 significant digits (binaryen prints the shortest form; both parse
 * back to the same double). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skiffwasm.h"

static void print_value(uint8_t t, const uint64_t *v)
{
    float f;
    double d;
    switch (t) {
    case WASM_I32: printf("%" PRId32, (int32_t)(uint32_t)v[0]); break;
    case WASM_I64: printf("%" PRId64, (int64_t)v[0]); break;
    case WASM_F32: memcpy(&f, v, 4); printf(f != f ? "nan" : "%.17g", (double)f); break;
    case WASM_F64: memcpy(&d, v, 8); printf(d != d ? "nan" : "%.17g", d); break;
    case WASM_V128: printf("i32x4 0x%08x 0x%08x 0x%08x 0x%08x", (uint32_t)v[0], (uint32_t)(v[0] >> 32),
                           (uint32_t)v[1], (uint32_t)(v[1] >> 32)); break;
    default: printf(v[0] ? "ref" : "null"); break;
    }
}

/* binaryen logs an i64 as its two 32-bit halves, low first */
static wasm_trap_kind log_value(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    uint8_t t = *(const uint8_t *)env;
    printf("[LoggingExternalInterface logging ");
    if (t == WASM_I64)
        printf("%" PRId32 " %" PRId32, (int32_t)(uint32_t)slots[0], (int32_t)(uint32_t)(slots[0] >> 32));
    else
        print_value(t, slots);
    printf("]\n");
    return WASM_OK;
}

static void define_logging(wasm_store *s, wasm_linker *l)
{
    static const struct { const char *name; uint8_t t; } logs[] = {
        {"log-i32", WASM_I32}, {"log-i64", WASM_I64}, {"log-f32", WASM_F32}, {"log-f64", WASM_F64},
        {"log-v128", WASM_V128}};
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        wasm_functype *t = wasm_functype_new(s, 1, &logs[i].t, 0, NULL);
        wasm_linker_define(l, "fuzzing-support", logs[i].name,
                           (wasm_extern){WASM_EXTERN_FUNC, wasm_func_new_host(s, t, log_value, (void *)&logs[i].t)});
    }
}

static void call_export(wasm_store *s, wasm_instance *inst, const char *name, wasm_func *f)
{
    const wasm_functype *t = wasm_func_type(f);
    uint64_t *slots = calloc(wasm_functype_slots(t) + 1, sizeof *slots);
    wasm_extern hl;
    printf("[fuzz-exec] calling %s\n", name);
    if (!wasm_instance_export(inst, "hangLimitInitializer", &hl) && hl.kind == WASM_EXTERN_FUNC)
        wasm_call(s, hl.ptr, slots);
    if (wasm_call(s, f, slots) != WASM_OK) {
        printf("[trap %s]\n", wasm_store_trap(s)->msg);
    } else if (wasm_functype_results(t) > 0) {
        /* several results print as a tuple: "(a, b)" */
        uint32_t n = wasm_functype_results(t), k = 0;
        printf("[fuzz-exec] note result: %s => %s", name, n > 1 ? "(" : "");
        for (uint32_t i = 0; i < n; i++) {
            uint8_t rt = wasm_functype_result(t, i);
            printf(i ? ", " : "");
            print_value(rt, slots + k);
            k += rt == WASM_V128 ? 2 : 1;
        }
        printf("%s\n", n > 1 ? ")" : "");
    }
    free(slots);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: skiffwasm-diff MODULE.wasm\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "rb");
    if (!fp)
        return 2;
    static uint8_t buf[1 << 22];
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    char err[256];
    wasm_module *m = wasm_module_load(buf, len, NULL, err, sizeof err);
    if (!m) {
        printf("[invalid module: %s]\n", err);
        return 1;
    }
    wasm_store *s = wasm_store_new(NULL);
    wasm_linker *l = wasm_linker_new();
    define_logging(s, l);
    wasm_instance *inst = wasm_instantiate(s, m, l);
    if (!inst) {
        printf("[trap %s]\n", wasm_store_trap(s)->msg);
    } else {
        for (uint32_t i = 0; i < wasm_instance_export_count(inst); i++) {
            const char *name = wasm_instance_export_name(inst, i);
            wasm_extern e;
            if (!wasm_instance_export(inst, name, &e) && e.kind == WASM_EXTERN_FUNC)
                call_export(s, inst, name, e.ptr);
        }
    }
    wasm_linker_free(l);
    wasm_store_free(s);
    wasm_module_free(m);
    return 0;
}
