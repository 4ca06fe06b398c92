/* simd_exec.h - the functions of simd_exec.c: one per non-memory SIMD instruction,
 * called by the interpreter with the frame and the instruction's words. */
#ifndef SKIFFWASM_SIMD_EXEC_H
#define SKIFFWASM_SIMD_EXEC_H

#include <stdint.h>

#include "simd_ops.h"

/* declared for every SIMD op; the memory ones are handled in the interpreter and have none */
#define S(n, sub, kind, arg) void wasm__simd_##n(uint64_t *fp, const uint32_t *ip);
WASM_SIMD_OPS(S)
#undef S

#endif
