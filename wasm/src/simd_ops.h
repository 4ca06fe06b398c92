/* simd_ops.h - the fixed-width SIMD instructions (0xfd prefix), one list used by the
 * translator (simd.c: validation shape per opcode), the op enum and word counts (ops.h,
 * emit.c) and the interpreter's handlers (interp_simd.h).
 *
 * S(name, opcode, kind, arg).  The kind fixes both the operand types checked by
 * validation and the layout of the translated instruction (slots: d written, a/b/c
 * read; every v128 slot is the first of two):
 *   SK_LOAD   d a_addr offset            arg = bytes read (alignment limit)
 *   SK_STORE  a_addr v offset            arg = bytes written
 *   SK_LLANE  d a_addr v offset lane     arg = lane bytes
 *   SK_SLANE  a_addr v offset lane       arg = lane bytes
 *   SK_CONST  d imm0..imm3
 *   SK_SHUF   d a b lanes0..lanes3       (16 lane bytes packed four to a word)
 *   SK_SPLAT  d s_scalar                 arg = shape (below)
 *   SK_EXTR   d a lane                   arg = shape
 *   SK_REPL   d a s_scalar lane          arg = shape
 *   SK_UN     d a          v128 -> v128
 *   SK_BIN    d a b        v128 v128 -> v128
 *   SK_TERN   d a b c      v128 v128 v128 -> v128
 *   SK_TEST   d a          v128 -> i32
 *   SK_SHIFT  d a s_i32    v128 i32 -> v128
 * Shapes: 0 i8x16, 1 i16x8, 2 i32x4, 3 i64x2, 4 f32x4, 5 f64x2.
 * A kind ending in _I is the same shape, but the op is one of the few whose handler is
 * written inside the interpreter loop (interp_simd.h) rather than called: the plain
 * lane arithmetic and lane moves that auto-vectorised loops use most. */
#ifndef SKIFFWASM_SIMD_OPS_H
#define SKIFFWASM_SIMD_OPS_H

#define SK_LOAD_W 4
#define SK_STORE_W 4
#define SK_LLANE_W 6
#define SK_SLANE_W 5
#define SK_CONST_W 6
#define SK_SHUF_W 8
#define SK_SPLAT_W 3
#define SK_EXTR_W 4
#define SK_REPL_W 5
#define SK_UN_W 3
#define SK_BIN_W 4
#define SK_TERN_W 5
#define SK_TEST_W 3
#define SK_SHIFT_W 4
#define SK_CONST_I_W SK_CONST_W
#define SK_SPLAT_I_W SK_SPLAT_W
#define SK_EXTR_I_W SK_EXTR_W
#define SK_REPL_I_W SK_REPL_W
#define SK_BIN_I_W SK_BIN_W

/* comparisons of one integer shape, in opcode order */
#define SIMD_ICMP(S, P, base) \
    S(P##_EQ, base, SK_BIN, 0) S(P##_NE, base + 1, SK_BIN, 0) S(P##_LT_S, base + 2, SK_BIN, 0) \
    S(P##_LT_U, base + 3, SK_BIN, 0) S(P##_GT_S, base + 4, SK_BIN, 0) S(P##_GT_U, base + 5, SK_BIN, 0) \
    S(P##_LE_S, base + 6, SK_BIN, 0) S(P##_LE_U, base + 7, SK_BIN, 0) S(P##_GE_S, base + 8, SK_BIN, 0) \
    S(P##_GE_U, base + 9, SK_BIN, 0)
#define SIMD_FCMP(S, P, base) \
    S(P##_EQ, base, SK_BIN, 0) S(P##_NE, base + 1, SK_BIN, 0) S(P##_LT, base + 2, SK_BIN, 0) \
    S(P##_GT, base + 3, SK_BIN, 0) S(P##_LE, base + 4, SK_BIN, 0) S(P##_GE, base + 5, SK_BIN, 0)
/* the float arithmetic block shared by f32x4 (0xe0) and f64x2 (0xec) */
#define SIMD_FARITH(S, P, base) \
    S(P##_ABS, base, SK_UN, 0) S(P##_NEG, base + 1, SK_UN, 0) S(P##_SQRT, base + 3, SK_UN, 0) \
    S(P##_ADD, base + 4, SK_BIN_I, 0) S(P##_SUB, base + 5, SK_BIN_I, 0) S(P##_MUL, base + 6, SK_BIN_I, 0) \
    S(P##_DIV, base + 7, SK_BIN_I, 0) S(P##_MIN, base + 8, SK_BIN, 0) S(P##_MAX, base + 9, SK_BIN, 0) \
    S(P##_PMIN, base + 10, SK_BIN, 0) S(P##_PMAX, base + 11, SK_BIN, 0)

#define WASM_SIMD_OPS(S) \
    S(V128_LOAD, 0x00, SK_LOAD, 16) \
    S(V128_LOAD8X8_S, 0x01, SK_LOAD, 8) S(V128_LOAD8X8_U, 0x02, SK_LOAD, 8) \
    S(V128_LOAD16X4_S, 0x03, SK_LOAD, 8) S(V128_LOAD16X4_U, 0x04, SK_LOAD, 8) \
    S(V128_LOAD32X2_S, 0x05, SK_LOAD, 8) S(V128_LOAD32X2_U, 0x06, SK_LOAD, 8) \
    S(V128_LOAD8_SPLAT, 0x07, SK_LOAD, 1) S(V128_LOAD16_SPLAT, 0x08, SK_LOAD, 2) \
    S(V128_LOAD32_SPLAT, 0x09, SK_LOAD, 4) S(V128_LOAD64_SPLAT, 0x0a, SK_LOAD, 8) \
    S(V128_STORE, 0x0b, SK_STORE, 16) \
    S(V128_CONST, 0x0c, SK_CONST_I, 0) \
    S(I8X16_SHUFFLE, 0x0d, SK_SHUF, 0) \
    S(I8X16_SWIZZLE, 0x0e, SK_BIN, 0) \
    S(I8X16_SPLAT, 0x0f, SK_SPLAT, 0) S(I16X8_SPLAT, 0x10, SK_SPLAT, 1) S(I32X4_SPLAT, 0x11, SK_SPLAT_I, 2) \
    S(I64X2_SPLAT, 0x12, SK_SPLAT, 3) S(F32X4_SPLAT, 0x13, SK_SPLAT_I, 4) S(F64X2_SPLAT, 0x14, SK_SPLAT, 5) \
    S(I8X16_EXTRACT_LANE_S, 0x15, SK_EXTR, 0) S(I8X16_EXTRACT_LANE_U, 0x16, SK_EXTR, 0) \
    S(I8X16_REPLACE_LANE, 0x17, SK_REPL, 0) \
    S(I16X8_EXTRACT_LANE_S, 0x18, SK_EXTR, 1) S(I16X8_EXTRACT_LANE_U, 0x19, SK_EXTR, 1) \
    S(I16X8_REPLACE_LANE, 0x1a, SK_REPL, 1) \
    S(I32X4_EXTRACT_LANE, 0x1b, SK_EXTR_I, 2) S(I32X4_REPLACE_LANE, 0x1c, SK_REPL_I, 2) \
    S(I64X2_EXTRACT_LANE, 0x1d, SK_EXTR, 3) S(I64X2_REPLACE_LANE, 0x1e, SK_REPL, 3) \
    S(F32X4_EXTRACT_LANE, 0x1f, SK_EXTR_I, 4) S(F32X4_REPLACE_LANE, 0x20, SK_REPL_I, 4) \
    S(F64X2_EXTRACT_LANE, 0x21, SK_EXTR, 5) S(F64X2_REPLACE_LANE, 0x22, SK_REPL, 5) \
    SIMD_ICMP(S, I8X16, 0x23) SIMD_ICMP(S, I16X8, 0x2d) SIMD_ICMP(S, I32X4, 0x37) \
    SIMD_FCMP(S, F32X4, 0x41) SIMD_FCMP(S, F64X2, 0x47) \
    S(V128_NOT, 0x4d, SK_UN, 0) S(V128_AND, 0x4e, SK_BIN_I, 0) S(V128_ANDNOT, 0x4f, SK_BIN_I, 0) \
    S(V128_OR, 0x50, SK_BIN_I, 0) S(V128_XOR, 0x51, SK_BIN_I, 0) S(V128_BITSELECT, 0x52, SK_TERN, 0) \
    S(V128_ANY_TRUE, 0x53, SK_TEST, 0) \
    S(V128_LOAD8_LANE, 0x54, SK_LLANE, 1) S(V128_LOAD16_LANE, 0x55, SK_LLANE, 2) \
    S(V128_LOAD32_LANE, 0x56, SK_LLANE, 4) S(V128_LOAD64_LANE, 0x57, SK_LLANE, 8) \
    S(V128_STORE8_LANE, 0x58, SK_SLANE, 1) S(V128_STORE16_LANE, 0x59, SK_SLANE, 2) \
    S(V128_STORE32_LANE, 0x5a, SK_SLANE, 4) S(V128_STORE64_LANE, 0x5b, SK_SLANE, 8) \
    S(V128_LOAD32_ZERO, 0x5c, SK_LOAD, 4) S(V128_LOAD64_ZERO, 0x5d, SK_LOAD, 8) \
    S(F32X4_DEMOTE_F64X2_ZERO, 0x5e, SK_UN, 0) S(F64X2_PROMOTE_LOW_F32X4, 0x5f, SK_UN, 0) \
    S(I8X16_ABS, 0x60, SK_UN, 0) S(I8X16_NEG, 0x61, SK_UN, 0) S(I8X16_POPCNT, 0x62, SK_UN, 0) \
    S(I8X16_ALL_TRUE, 0x63, SK_TEST, 0) S(I8X16_BITMASK, 0x64, SK_TEST, 0) \
    S(I8X16_NARROW_I16X8_S, 0x65, SK_BIN, 0) S(I8X16_NARROW_I16X8_U, 0x66, SK_BIN, 0) \
    S(F32X4_CEIL, 0x67, SK_UN, 0) S(F32X4_FLOOR, 0x68, SK_UN, 0) S(F32X4_TRUNC, 0x69, SK_UN, 0) \
    S(F32X4_NEAREST, 0x6a, SK_UN, 0) \
    S(I8X16_SHL, 0x6b, SK_SHIFT, 0) S(I8X16_SHR_S, 0x6c, SK_SHIFT, 0) S(I8X16_SHR_U, 0x6d, SK_SHIFT, 0) \
    S(I8X16_ADD, 0x6e, SK_BIN_I, 0) S(I8X16_ADD_SAT_S, 0x6f, SK_BIN, 0) S(I8X16_ADD_SAT_U, 0x70, SK_BIN, 0) \
    S(I8X16_SUB, 0x71, SK_BIN_I, 0) S(I8X16_SUB_SAT_S, 0x72, SK_BIN, 0) S(I8X16_SUB_SAT_U, 0x73, SK_BIN, 0) \
    S(F64X2_CEIL, 0x74, SK_UN, 0) S(F64X2_FLOOR, 0x75, SK_UN, 0) \
    S(I8X16_MIN_S, 0x76, SK_BIN, 0) S(I8X16_MIN_U, 0x77, SK_BIN, 0) S(I8X16_MAX_S, 0x78, SK_BIN, 0) \
    S(I8X16_MAX_U, 0x79, SK_BIN, 0) S(F64X2_TRUNC, 0x7a, SK_UN, 0) S(I8X16_AVGR_U, 0x7b, SK_BIN, 0) \
    S(I16X8_EXTADD_PAIRWISE_I8X16_S, 0x7c, SK_UN, 0) S(I16X8_EXTADD_PAIRWISE_I8X16_U, 0x7d, SK_UN, 0) \
    S(I32X4_EXTADD_PAIRWISE_I16X8_S, 0x7e, SK_UN, 0) S(I32X4_EXTADD_PAIRWISE_I16X8_U, 0x7f, SK_UN, 0) \
    S(I16X8_ABS, 0x80, SK_UN, 0) S(I16X8_NEG, 0x81, SK_UN, 0) S(I16X8_Q15MULR_SAT_S, 0x82, SK_BIN, 0) \
    S(I16X8_ALL_TRUE, 0x83, SK_TEST, 0) S(I16X8_BITMASK, 0x84, SK_TEST, 0) \
    S(I16X8_NARROW_I32X4_S, 0x85, SK_BIN, 0) S(I16X8_NARROW_I32X4_U, 0x86, SK_BIN, 0) \
    S(I16X8_EXTEND_LOW_I8X16_S, 0x87, SK_UN, 0) S(I16X8_EXTEND_HIGH_I8X16_S, 0x88, SK_UN, 0) \
    S(I16X8_EXTEND_LOW_I8X16_U, 0x89, SK_UN, 0) S(I16X8_EXTEND_HIGH_I8X16_U, 0x8a, SK_UN, 0) \
    S(I16X8_SHL, 0x8b, SK_SHIFT, 0) S(I16X8_SHR_S, 0x8c, SK_SHIFT, 0) S(I16X8_SHR_U, 0x8d, SK_SHIFT, 0) \
    S(I16X8_ADD, 0x8e, SK_BIN_I, 0) S(I16X8_ADD_SAT_S, 0x8f, SK_BIN, 0) S(I16X8_ADD_SAT_U, 0x90, SK_BIN, 0) \
    S(I16X8_SUB, 0x91, SK_BIN_I, 0) S(I16X8_SUB_SAT_S, 0x92, SK_BIN, 0) S(I16X8_SUB_SAT_U, 0x93, SK_BIN, 0) \
    S(F64X2_NEAREST, 0x94, SK_UN, 0) S(I16X8_MUL, 0x95, SK_BIN_I, 0) \
    S(I16X8_MIN_S, 0x96, SK_BIN, 0) S(I16X8_MIN_U, 0x97, SK_BIN, 0) S(I16X8_MAX_S, 0x98, SK_BIN, 0) \
    S(I16X8_MAX_U, 0x99, SK_BIN, 0) S(I16X8_AVGR_U, 0x9b, SK_BIN, 0) \
    S(I16X8_EXTMUL_LOW_I8X16_S, 0x9c, SK_BIN, 0) S(I16X8_EXTMUL_HIGH_I8X16_S, 0x9d, SK_BIN, 0) \
    S(I16X8_EXTMUL_LOW_I8X16_U, 0x9e, SK_BIN, 0) S(I16X8_EXTMUL_HIGH_I8X16_U, 0x9f, SK_BIN, 0) \
    S(I32X4_ABS, 0xa0, SK_UN, 0) S(I32X4_NEG, 0xa1, SK_UN, 0) \
    S(I32X4_ALL_TRUE, 0xa3, SK_TEST, 0) S(I32X4_BITMASK, 0xa4, SK_TEST, 0) \
    S(I32X4_EXTEND_LOW_I16X8_S, 0xa7, SK_UN, 0) S(I32X4_EXTEND_HIGH_I16X8_S, 0xa8, SK_UN, 0) \
    S(I32X4_EXTEND_LOW_I16X8_U, 0xa9, SK_UN, 0) S(I32X4_EXTEND_HIGH_I16X8_U, 0xaa, SK_UN, 0) \
    S(I32X4_SHL, 0xab, SK_SHIFT, 0) S(I32X4_SHR_S, 0xac, SK_SHIFT, 0) S(I32X4_SHR_U, 0xad, SK_SHIFT, 0) \
    S(I32X4_ADD, 0xae, SK_BIN_I, 0) S(I32X4_SUB, 0xb1, SK_BIN_I, 0) S(I32X4_MUL, 0xb5, SK_BIN_I, 0) \
    S(I32X4_MIN_S, 0xb6, SK_BIN, 0) S(I32X4_MIN_U, 0xb7, SK_BIN, 0) S(I32X4_MAX_S, 0xb8, SK_BIN, 0) \
    S(I32X4_MAX_U, 0xb9, SK_BIN, 0) S(I32X4_DOT_I16X8_S, 0xba, SK_BIN, 0) \
    S(I32X4_EXTMUL_LOW_I16X8_S, 0xbc, SK_BIN, 0) S(I32X4_EXTMUL_HIGH_I16X8_S, 0xbd, SK_BIN, 0) \
    S(I32X4_EXTMUL_LOW_I16X8_U, 0xbe, SK_BIN, 0) S(I32X4_EXTMUL_HIGH_I16X8_U, 0xbf, SK_BIN, 0) \
    S(I64X2_ABS, 0xc0, SK_UN, 0) S(I64X2_NEG, 0xc1, SK_UN, 0) \
    S(I64X2_ALL_TRUE, 0xc3, SK_TEST, 0) S(I64X2_BITMASK, 0xc4, SK_TEST, 0) \
    S(I64X2_EXTEND_LOW_I32X4_S, 0xc7, SK_UN, 0) S(I64X2_EXTEND_HIGH_I32X4_S, 0xc8, SK_UN, 0) \
    S(I64X2_EXTEND_LOW_I32X4_U, 0xc9, SK_UN, 0) S(I64X2_EXTEND_HIGH_I32X4_U, 0xca, SK_UN, 0) \
    S(I64X2_SHL, 0xcb, SK_SHIFT, 0) S(I64X2_SHR_S, 0xcc, SK_SHIFT, 0) S(I64X2_SHR_U, 0xcd, SK_SHIFT, 0) \
    S(I64X2_ADD, 0xce, SK_BIN_I, 0) S(I64X2_SUB, 0xd1, SK_BIN_I, 0) S(I64X2_MUL, 0xd5, SK_BIN, 0) \
    S(I64X2_EQ, 0xd6, SK_BIN, 0) S(I64X2_NE, 0xd7, SK_BIN, 0) S(I64X2_LT_S, 0xd8, SK_BIN, 0) \
    S(I64X2_GT_S, 0xd9, SK_BIN, 0) S(I64X2_LE_S, 0xda, SK_BIN, 0) S(I64X2_GE_S, 0xdb, SK_BIN, 0) \
    S(I64X2_EXTMUL_LOW_I32X4_S, 0xdc, SK_BIN, 0) S(I64X2_EXTMUL_HIGH_I32X4_S, 0xdd, SK_BIN, 0) \
    S(I64X2_EXTMUL_LOW_I32X4_U, 0xde, SK_BIN, 0) S(I64X2_EXTMUL_HIGH_I32X4_U, 0xdf, SK_BIN, 0) \
    SIMD_FARITH(S, F32X4, 0xe0) SIMD_FARITH(S, F64X2, 0xec) \
    S(I32X4_TRUNC_SAT_F32X4_S, 0xf8, SK_UN, 0) S(I32X4_TRUNC_SAT_F32X4_U, 0xf9, SK_UN, 0) \
    S(F32X4_CONVERT_I32X4_S, 0xfa, SK_UN, 0) S(F32X4_CONVERT_I32X4_U, 0xfb, SK_UN, 0) \
    S(I32X4_TRUNC_SAT_F64X2_S_ZERO, 0xfc, SK_UN, 0) S(I32X4_TRUNC_SAT_F64X2_U_ZERO, 0xfd, SK_UN, 0) \
    S(F64X2_CONVERT_LOW_I32X4_S, 0xfe, SK_UN, 0) S(F64X2_CONVERT_LOW_I32X4_U, 0xff, SK_UN, 0)

#endif
