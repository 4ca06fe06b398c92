/* ops.h - the internal instruction set the translator emits and the interpreter runs.
 *
 * Code is an array of 32-bit words.  Each instruction starts with its handler word
 * (a label offset under GCC, an op number otherwise) followed by operands: frame slot
 * indices (s = read, d = written), immediates, or absolute code indices (branch targets).
 * Operand layouts are written next to each op; the interpreter and the translator
 * both follow them.
 */
#ifndef SKIFFWASM_OPS_H
#define SKIFFWASM_OPS_H

#include "simd_ops.h"

/* X(name, words) - words counts the handler word too. */
#define WASM_OPS(X)                                                                       \
    X(UNREACHABLE, 1)                                                                     \
    X(ENTER, 4)        /* nparams nlocals framesize: check room, zero declared locals */  \
    X(FUEL, 1)                                                                            \
    X(BR, 2)           /* target */                                                       \
    X(BR_IF, 3)        /* s target */                                                     \
    X(BR_UNLESS, 3)    /* s target */                                                     \
    X(BR_TABLE, 3)     /* s n, then n+1 targets */                                        \
    X(RETURN, 1)                                                                          \
    X(CALL, 3)         /* funcidx argslot */                                              \
    X(CALL_INDIRECT, 5) /* typeidx tableidx s_index argslot */                            \
    X(RETURN_CALL, 3)  /* funcidx argslot: the callee takes over the caller's frame */   \
    X(RETURN_CALL_INDIRECT, 5) /* typeidx tableidx s_index argslot */                     \
    X(COPY, 3)         /* d s */                                                          \
    X(COPYN, 4)        /* d s n (ascending, d < s) */                                     \
    X(COPY2, 3)        /* d s: two slots (a v128) */                                      \
    X(COPYS, 2)        /* n, then n pairs d s copied in order (variable length: emit.c) */ \
    X(SELECT2, 5)      /* d a b cond: v128 */                                             \
    X(GLOBAL_GET2, 3)  /* d idx: v128 */                                                  \
    X(GLOBAL_SET2, 3)  /* idx s: v128 */                                                  \
    X(CONST32, 3)      /* d imm */                                                        \
    X(CONST64, 4)      /* d lo hi */                                                      \
    X(SELECT, 5)       /* d a b cond */                                                   \
    X(GLOBAL_GET, 3)   /* d idx */                                                        \
    X(GLOBAL_SET, 3)   /* idx s */                                                        \
    X(TABLE_GET, 4)    /* d table s_idx */                                                \
    X(TABLE_SET, 4)    /* table s_idx s_val */                                            \
    X(TABLE_SIZE, 3)   /* d table */                                                      \
    X(TABLE_GROW, 5)   /* d table s_val s_n */                                            \
    X(TABLE_FILL, 5)   /* table s_i s_val s_n */                                          \
    X(TABLE_COPY, 6)   /* dtable stable s_d s_s s_n */                                    \
    X(TABLE_INIT, 6)   /* table elem s_d s_s s_n */                                       \
    X(ELEM_DROP, 2)    /* elem */                                                         \
    X(REF_FUNC, 3)     /* d funcidx */                                                    \
    X(REF_IS_NULL, 3)  /* d s */                                                          \
    X(MEMORY_SIZE, 3)  /* d mem */                                                        \
    X(MEMORY_GROW, 4)  /* d s mem */                                                      \
    X(MEMORY_INIT, 6)  /* seg mem s_d s_s s_n */                                          \
    X(DATA_DROP, 2)    /* seg */                                                          \
    X(MEMORY_COPY, 6)  /* dmem smem s_d s_s s_n */                                        \
    X(MEMORY_FILL, 5)  /* mem s_d s_v s_n */                                              \
    X(MEMSEL, 2)       /* mem: the next accesses use memory mem (memops.c) */             \
    X(CHECK64, 2)      /* s: a memory64 address past 4 GiB is out of bounds */            \
    X(MEM_OOB, 1)      /* an offset past 4 GiB: out of bounds */                          \
    /* loads: d s_addr offset */                                                          \
    X(LD32, 4) X(LD64, 4) X(LD8S32, 4) X(LD8U, 4) X(LD16S32, 4) X(LD16U, 4)               \
    X(LD8S64, 4) X(LD16S64, 4) X(LD32S64, 4) X(LD32U64, 4)                                \
    /* stores: s_addr s_val offset */                                                     \
    X(ST32, 4) X(ST64, 4) X(ST8, 4) X(ST16, 4)                                            \
    /* the same with the address computed as (base + imm) mod 2^32 first:                \
       loads d s_base imm offset, stores s_base s_val imm offset */                       \
    X(LD32A, 5) X(LD64A, 5) X(LD8S32A, 5) X(LD8UA, 5) X(LD16S32A, 5) X(LD16UA, 5)         \
    X(LD8S64A, 5) X(LD16S64A, 5) X(LD32S64A, 5) X(LD32U64A, 5)                            \
    X(ST32A, 5) X(ST64A, 5) X(ST8A, 5) X(ST16A, 5)                                        \
    /* loads from a constant address (globals in the data segment): d addr offset */      \
    X(LD32K, 4) X(LD64K, 4) X(LD8S32K, 4) X(LD8UK, 4) X(LD16S32K, 4) X(LD16UK, 4)         \
    X(LD8S64K, 4) X(LD16S64K, 4) X(LD32S64K, 4) X(LD32U64K, 4)                            \
    /* numeric, unary: d s; binary: d a b */                                              \
    X(I32_EQZ, 3) X(I32_EQ, 4) X(I32_NE, 4) X(I32_LT_S, 4) X(I32_LT_U, 4)                 \
    X(I32_GT_S, 4) X(I32_GT_U, 4) X(I32_LE_S, 4) X(I32_LE_U, 4) X(I32_GE_S, 4)            \
    X(I32_GE_U, 4)                                                                        \
    X(I64_EQZ, 3) X(I64_EQ, 4) X(I64_NE, 4) X(I64_LT_S, 4) X(I64_LT_U, 4)                 \
    X(I64_GT_S, 4) X(I64_GT_U, 4) X(I64_LE_S, 4) X(I64_LE_U, 4) X(I64_GE_S, 4)            \
    X(I64_GE_U, 4)                                                                        \
    X(F32_EQ, 4) X(F32_NE, 4) X(F32_LT, 4) X(F32_GT, 4) X(F32_LE, 4) X(F32_GE, 4)         \
    X(F64_EQ, 4) X(F64_NE, 4) X(F64_LT, 4) X(F64_GT, 4) X(F64_LE, 4) X(F64_GE, 4)         \
    X(I32_CLZ, 3) X(I32_CTZ, 3) X(I32_POPCNT, 3) X(I32_ADD, 4) X(I32_SUB, 4)              \
    X(I32_MUL, 4) X(I32_DIV_S, 4) X(I32_DIV_U, 4) X(I32_REM_S, 4) X(I32_REM_U, 4)         \
    X(I32_AND, 4) X(I32_OR, 4) X(I32_XOR, 4) X(I32_SHL, 4) X(I32_SHR_S, 4)                \
    X(I32_SHR_U, 4) X(I32_ROTL, 4) X(I32_ROTR, 4)                                         \
    X(I64_CLZ, 3) X(I64_CTZ, 3) X(I64_POPCNT, 3) X(I64_ADD, 4) X(I64_SUB, 4)              \
    X(I64_MUL, 4) X(I64_DIV_S, 4) X(I64_DIV_U, 4) X(I64_REM_S, 4) X(I64_REM_U, 4)         \
    X(I64_AND, 4) X(I64_OR, 4) X(I64_XOR, 4) X(I64_SHL, 4) X(I64_SHR_S, 4)                \
    X(I64_SHR_U, 4) X(I64_ROTL, 4) X(I64_ROTR, 4)                                         \
    X(F32_ABS, 3) X(F32_NEG, 3) X(F32_CEIL, 3) X(F32_FLOOR, 3) X(F32_TRUNC, 3)            \
    X(F32_NEAREST, 3) X(F32_SQRT, 3) X(F32_ADD, 4) X(F32_SUB, 4) X(F32_MUL, 4)            \
    X(F32_DIV, 4) X(F32_MIN, 4) X(F32_MAX, 4) X(F32_COPYSIGN, 4)                          \
    X(F64_ABS, 3) X(F64_NEG, 3) X(F64_CEIL, 3) X(F64_FLOOR, 3) X(F64_TRUNC, 3)            \
    X(F64_NEAREST, 3) X(F64_SQRT, 3) X(F64_ADD, 4) X(F64_SUB, 4) X(F64_MUL, 4)            \
    X(F64_DIV, 4) X(F64_MIN, 4) X(F64_MAX, 4) X(F64_COPYSIGN, 4)                          \
    X(I32_WRAP_I64, 3) X(I32_TRUNC_F32_S, 3) X(I32_TRUNC_F32_U, 3)                        \
    X(I32_TRUNC_F64_S, 3) X(I32_TRUNC_F64_U, 3) X(I64_EXTEND_I32_S, 3)                    \
    X(I64_EXTEND_I32_U, 3) X(I64_TRUNC_F32_S, 3) X(I64_TRUNC_F32_U, 3)                    \
    X(I64_TRUNC_F64_S, 3) X(I64_TRUNC_F64_U, 3) X(F32_CONVERT_I32_S, 3)                   \
    X(F32_CONVERT_I32_U, 3) X(F32_CONVERT_I64_S, 3) X(F32_CONVERT_I64_U, 3)               \
    X(F32_DEMOTE_F64, 3) X(F64_CONVERT_I32_S, 3) X(F64_CONVERT_I32_U, 3)                  \
    X(F64_CONVERT_I64_S, 3) X(F64_CONVERT_I64_U, 3) X(F64_PROMOTE_F32, 3)                 \
    X(I32_REINTERPRET_F32, 3) X(I64_REINTERPRET_F64, 3) X(F32_REINTERPRET_I32, 3)         \
    X(F64_REINTERPRET_I64, 3) /* reinterprets keep the numbering; the translator only retypes */ \
    X(I32_EXTEND8_S, 3) X(I32_EXTEND16_S, 3) X(I64_EXTEND8_S, 3) X(I64_EXTEND16_S, 3)     \
    X(I64_EXTEND32_S, 3)                                                                  \
    X(I32_TRUNC_SAT_F32_S, 3) X(I32_TRUNC_SAT_F32_U, 3) X(I32_TRUNC_SAT_F64_S, 3)         \
    X(I32_TRUNC_SAT_F64_U, 3) X(I64_TRUNC_SAT_F32_S, 3) X(I64_TRUNC_SAT_F32_U, 3)         \
    X(I64_TRUNC_SAT_F64_S, 3) X(I64_TRUNC_SAT_F64_U, 3)                                   \
    /* fused forms (translator peepholes): d a imm */                                     \
    X(I32_ADDI, 4) X(I64_ADDI, 4) X(I32_ANDI, 4) X(I32_SHLI, 4) X(I32_SHR_UI, 4)          \
    X(I32_SHR_SI, 4) X(I32_XORI, 4) X(I32_ORI, 4) X(I32_MULI, 4) X(I64_SHLI, 4)           \
    X(I64_SHR_UI, 4) X(I64_ANDI, 4) X(I32_ROTLI, 4) X(I32_ROTRI, 4)                       \
    X(I32_DIV_UI, 4) X(I32_REM_UI, 4) /* imm != 0: no trap possible */                   \
    /* f64 arithmetic whose right operand is loaded from (base + imm) mod 2^32 + offset:  \
       d a base imm offset (OP_F64_ADD.. order) */                                        \
    X(F64_ADDM, 6) X(F64_SUBM, 6) X(F64_MULM, 6) X(F64_DIVM, 6)                           \
    /* compare-and-branch: a b target / a imm target */                                   \
    X(BR_I32_EQ, 4) X(BR_I32_NE, 4) X(BR_I32_LT_S, 4) X(BR_I32_LT_U, 4)                   \
    X(BR_I32_GT_S, 4) X(BR_I32_GT_U, 4) X(BR_I32_LE_S, 4) X(BR_I32_LE_U, 4)               \
    X(BR_I32_GE_S, 4) X(BR_I32_GE_U, 4)                                                   \
    X(BR_I32_EQI, 4) X(BR_I32_NEI, 4) X(BR_I32_LT_SI, 4) X(BR_I32_LT_UI, 4)               \
    X(BR_I32_GT_SI, 4) X(BR_I32_GT_UI, 4) X(BR_I32_LE_SI, 4) X(BR_I32_LE_UI, 4)           \
    X(BR_I32_GE_SI, 4) X(BR_I32_GE_UI, 4)                                                \
    /* threads (atomic.c): the address must be a multiple of the access size;           \
       loads d a off, stores a v off, read-modify-write d a v off (old value to d),       \
       cmpxchg d a expected replacement off; narrow forms zero-extend */                  \
    X(ATOMIC_NOTIFY, 5) /* d a count off */                                               \
    X(ATOMIC_WAIT32, 6) X(ATOMIC_WAIT64, 6) /* d a expected timeout off */                \
    X(ATOMIC_FENCE, 1)                                                                    \
    X(ALD8, 4) X(ALD16, 4) X(ALD32, 4) X(ALD64, 4)                                        \
    X(AST8, 4) X(AST16, 4) X(AST32, 4) X(AST64, 4)                                        \
    X(AADD8, 5) X(AADD16, 5) X(AADD32, 5) X(AADD64, 5)                                    \
    X(ASUB8, 5) X(ASUB16, 5) X(ASUB32, 5) X(ASUB64, 5)                                    \
    X(AAND8, 5) X(AAND16, 5) X(AAND32, 5) X(AAND64, 5)                                    \
    X(AOR8, 5) X(AOR16, 5) X(AOR32, 5) X(AOR64, 5)                                        \
    X(AXOR8, 5) X(AXOR16, 5) X(AXOR32, 5) X(AXOR64, 5)                                    \
    X(AXCHG8, 5) X(AXCHG16, 5) X(AXCHG32, 5) X(AXCHG64, 5)                                \
    X(ACMPXCHG8, 6) X(ACMPXCHG16, 6) X(ACMPXCHG32, 6) X(ACMPXCHG64, 6)

/* SIMD ops follow the others (simd_ops.h) */
enum wasm_op {
#define X(n, w) OP_##n,
#define S(n, sub, kind, arg) OP_##n,
    WASM_OPS(X) WASM_SIMD_OPS(S)
#undef X
#undef S
    OP__COUNT
};

#endif
