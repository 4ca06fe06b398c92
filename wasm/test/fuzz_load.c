/* fuzz_load.c - libFuzzer target: decode + validate + translate, then instantiate and
 * call every exported function with zero arguments under a fuel budget and small
 * limits.  Any crash, sanitizer report or leak is a bug; rejection is fine. */
#include <stdint.h>
#include <stdlib.h>

#include "skiffwasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    wasm_load_options opt = {1, 0};
    wasm_module *m = wasm_module_load(data, size, &opt, err, sizeof err);
    if (!m)
        return 0;
    wasm_limits lim = {.max_memory_pages = 64, .max_table_size = 10000, .max_call_depth = 200, .stack_slots = 1u << 16};
    wasm_store *s = wasm_store_new(&lim);
    wasm_linker *l = wasm_linker_new();
    wasm_store_set_fuel(s, 20000);
    wasm_instance *inst = wasm_instantiate(s, m, l);
    if (inst) {
        for (uint32_t i = 0; i < wasm_instance_export_count(inst); i++) {
            wasm_extern e;
            if (wasm_instance_export(inst, wasm_instance_export_name(inst, i), &e) || e.kind != WASM_EXTERN_FUNC)
                continue;
            const wasm_functype *t = wasm_func_type(e.ptr);
            uint32_t n = wasm_functype_slots(t);
            uint64_t *slots = calloc(n ? n : 1, sizeof *slots);
            wasm_store_set_fuel(s, 20000);
            wasm_call(s, e.ptr, slots);
            free(slots);
        }
    }
    wasm_linker_free(l);
    wasm_store_free(s);
    wasm_module_free(m);
    return 0;
}
