/* simd_exec.c - what each non-memory SIMD instruction computes.  The interpreter's
 * handler for such an instruction (interp_simd.h) calls its function here with the
 * frame and the instruction's words (layouts in simd_ops.h), then moves on.
 *
 * (The plain lane arithmetic and lane moves are in the loop itself: interp_simd.h.)
 * Every function reads its operands into locals before writing its result (a result may
 * reuse an operand's slot).  Vector-extension code is used where the lane rule is the
 * hardware's; the rest loops over lanes (the compiler vectorises what it can). */
#include "numeric.h"
#include "ops.h"
#include "simd_exec.h"
#include "simd_lanes.h"

#define I32(x) ((uint32_t)fp[x])
#define SET32(x, v) (fp[x] = (uint32_t)(v))
#define FN(name) void wasm__simd_##name(uint64_t *fp, const uint32_t *ip)

/* v128 -> v128 (d a), v128 v128 -> v128 (d a b), v128 i32 -> v128 (d a sh), v128 -> i32 */
#define V1(name, body) FN(name) { v128 a = vget(fp + ip[2]), r; body; vput(fp + ip[1], r); }
#define V2(name, body) FN(name) { v128 a = vget(fp + ip[2]), b = vget(fp + ip[3]), r; body; vput(fp + ip[1], r); }
#define VSH(name, body) FN(name) { v128 a = vget(fp + ip[2]), r; uint32_t sh = I32(ip[3]); body; vput(fp + ip[1], r); }
#define VT(name, body) FN(name) { v128 a = vget(fp + ip[2]); uint32_t r = 0; body; SET32(ip[1], r); }
#define LANES(n, e) for (int i = 0; i < (int)(n); i++) { e; }

/* ---- constants, shuffles, lanes ---- */
/* lane indices were checked (< 32) at load: index a and b laid end to end */
FN(I8X16_SHUFFLE)
{
    uint8_t ab[32];
    v128 r;
    memcpy(ab, fp + ip[2], 16);
    memcpy(ab + 16, fp + ip[3], 16);
    const uint8_t *l = (const uint8_t *)(ip + 4);
    LANES(16, r.u8[i] = ab[l[i]])
    vput(fp + ip[1], r);
}
V2(I8X16_SWIZZLE, LANES(16, r.u8[i] = b.u8[i] < 16 ? a.u8[b.u8[i]] : 0))
#define VSPLAT(name, T, F) \
    FN(name) { T x_ = (T)fp[ip[2]]; v128 r; LANES(16 / sizeof(T), r.F[i] = x_) vput(fp + ip[1], r); }
VSPLAT(I8X16_SPLAT, uint8_t, u8)
VSPLAT(I16X8_SPLAT, uint16_t, u16)
VSPLAT(I64X2_SPLAT, uint64_t, u64)
VSPLAT(F64X2_SPLAT, uint64_t, u64)
#define VEXTRACT(name, expr) FN(name) { v128 a = vget(fp + ip[2]); fp[ip[1]] = (expr); }
VEXTRACT(I8X16_EXTRACT_LANE_S, (uint32_t)(int32_t)a.s8[ip[3]])
VEXTRACT(I8X16_EXTRACT_LANE_U, a.u8[ip[3]])
VEXTRACT(I16X8_EXTRACT_LANE_S, (uint32_t)(int32_t)a.s16[ip[3]])
VEXTRACT(I16X8_EXTRACT_LANE_U, a.u16[ip[3]])
VEXTRACT(I64X2_EXTRACT_LANE, a.u64[ip[3]])
VEXTRACT(F64X2_EXTRACT_LANE, a.u64[ip[3]])
#define VREPLACE(name, T, F) \
    FN(name) { v128 a = vget(fp + ip[2]); a.F[ip[4]] = (T)fp[ip[3]]; vput(fp + ip[1], a); }
VREPLACE(I8X16_REPLACE_LANE, uint8_t, u8)
VREPLACE(I16X8_REPLACE_LANE, uint16_t, u16)
VREPLACE(I64X2_REPLACE_LANE, uint64_t, u64)
VREPLACE(F64X2_REPLACE_LANE, uint64_t, u64)

/* ---- comparisons: all-ones lanes where true ---- */
#define VCMP(name, CAST, op) V2(name, r.v = (u8x16)(CAST(a) op CAST(b)))
#define VICMP(P, S_, U_) \
    VCMP(P##_EQ, U_, ==) VCMP(P##_NE, U_, !=) VCMP(P##_LT_S, S_, <) VCMP(P##_LT_U, U_, <) \
    VCMP(P##_GT_S, S_, >) VCMP(P##_GT_U, U_, >) VCMP(P##_LE_S, S_, <=) VCMP(P##_LE_U, U_, <=) \
    VCMP(P##_GE_S, S_, >=) VCMP(P##_GE_U, U_, >=)
VICMP(I8X16, VS8, VU8)
VICMP(I16X8, VS16, VU16)
VICMP(I32X4, VS32, VU32)
VCMP(I64X2_EQ, VU64, ==) VCMP(I64X2_NE, VU64, !=) VCMP(I64X2_LT_S, VS64, <)
VCMP(I64X2_GT_S, VS64, >) VCMP(I64X2_LE_S, VS64, <=) VCMP(I64X2_GE_S, VS64, >=)
#define VFCMP(P, F_) \
    VCMP(P##_EQ, F_, ==) VCMP(P##_NE, F_, !=) VCMP(P##_LT, F_, <) VCMP(P##_GT, F_, >) \
    VCMP(P##_LE, F_, <=) VCMP(P##_GE, F_, >=)
VFCMP(F32X4, VF32)
VFCMP(F64X2, VF64)

/* ---- bitwise ---- */
V1(V128_NOT, r.v = ~a.v)
FN(V128_BITSELECT)
{
    v128 a = vget(fp + ip[2]), b = vget(fp + ip[3]), m = vget(fp + ip[4]), r;
    r.v = vsel(m.v, a.v, b.v);
    vput(fp + ip[1], r);
}
VT(V128_ANY_TRUE, r = (a.u64[0] | a.u64[1]) != 0)
#define VALLTRUE(name, n, F) VT(name, r = 1; LANES(n, r &= a.F[i] != 0))
#define VBITMASK(name, n, F) VT(name, LANES(n, r |= (uint32_t)(a.F[i] < 0) << i))
VALLTRUE(I8X16_ALL_TRUE, 16, u8) VBITMASK(I8X16_BITMASK, 16, s8)
VALLTRUE(I16X8_ALL_TRUE, 8, u16) VBITMASK(I16X8_BITMASK, 8, s16)
VALLTRUE(I32X4_ALL_TRUE, 4, u32) VBITMASK(I32X4_BITMASK, 4, s32)
VALLTRUE(I64X2_ALL_TRUE, 2, u64) VBITMASK(I64X2_BITMASK, 2, s64)

/* ---- integer arithmetic (unsigned lanes: wrap-around is defined) ---- */
#define VINT(P, U_, S_, T, ST, n, F, SF, bits) \
    V1(P##_ABS, LANES(n, r.F[i] = a.SF[i] < 0 ? (T)(0 - a.F[i]) : a.F[i])) \
    V1(P##_NEG, r.v = (u8x16)(-U_(a))) \
    VSH(P##_SHL, r.v = (u8x16)(U_(a) << (sh & (bits - 1)))) \
    VSH(P##_SHR_S, r.v = (u8x16)(S_(a) >> (sh & (bits - 1)))) \
    VSH(P##_SHR_U, r.v = (u8x16)(U_(a) >> (sh & (bits - 1))))
VINT(I8X16, VU8, VS8, uint8_t, int8_t, 16, u8, s8, 8)
VINT(I16X8, VU16, VS16, uint16_t, int16_t, 8, u16, s16, 16)
VINT(I32X4, VU32, VS32, uint32_t, int32_t, 4, u32, s32, 32)
VINT(I64X2, VU64, VS64, uint64_t, int64_t, 2, u64, s64, 64)
V2(I64X2_MUL, r.v = (u8x16)(VU64(a) * VU64(b)))
#define VMINMAX(P, S_, U_) \
    V2(P##_MIN_S, r.v = vsel((u8x16)(S_(a) < S_(b)), a.v, b.v)) \
    V2(P##_MIN_U, r.v = vsel((u8x16)(U_(a) < U_(b)), a.v, b.v)) \
    V2(P##_MAX_S, r.v = vsel((u8x16)(S_(a) > S_(b)), a.v, b.v)) \
    V2(P##_MAX_U, r.v = vsel((u8x16)(U_(a) > U_(b)), a.v, b.v))
VMINMAX(I8X16, VS8, VU8)
VMINMAX(I16X8, VS16, VU16)
VMINMAX(I32X4, VS32, VU32)
/* saturating add/sub and rounding average, through a wider int */
#define VSAT(P, n, F, SF, lo, hi, ulo, uhi) \
    V2(P##_ADD_SAT_S, LANES(n, r.SF[i] = clamp_s(a.SF[i] + b.SF[i], lo, hi))) \
    V2(P##_ADD_SAT_U, LANES(n, r.F[i] = clamp_s(a.F[i] + b.F[i], ulo, uhi))) \
    V2(P##_SUB_SAT_S, LANES(n, r.SF[i] = clamp_s(a.SF[i] - b.SF[i], lo, hi))) \
    V2(P##_SUB_SAT_U, LANES(n, r.F[i] = clamp_s(a.F[i] - b.F[i], ulo, uhi))) \
    V2(P##_AVGR_U, LANES(n, r.F[i] = (a.F[i] + b.F[i] + 1) >> 1))
VSAT(I8X16, 16, u8, s8, INT8_MIN, INT8_MAX, 0, UINT8_MAX)
VSAT(I16X8, 8, u16, s16, INT16_MIN, INT16_MAX, 0, UINT16_MAX)
V1(I8X16_POPCNT, LANES(16, r.u8[i] = (uint8_t)__builtin_popcount(a.u8[i])))
V2(I8X16_NARROW_I16X8_S, LANES(8, r.s8[i] = clamp_s(a.s16[i], INT8_MIN, INT8_MAX); r.s8[i + 8] = clamp_s(b.s16[i], INT8_MIN, INT8_MAX)))
V2(I8X16_NARROW_I16X8_U, LANES(8, r.u8[i] = clamp_s(a.s16[i], 0, UINT8_MAX); r.u8[i + 8] = clamp_s(b.s16[i], 0, UINT8_MAX)))
V2(I16X8_NARROW_I32X4_S, LANES(4, r.s16[i] = clamp_s(a.s32[i], INT16_MIN, INT16_MAX); r.s16[i + 4] = clamp_s(b.s32[i], INT16_MIN, INT16_MAX)))
V2(I16X8_NARROW_I32X4_U, LANES(4, r.u16[i] = clamp_s(a.s32[i], 0, UINT16_MAX); r.u16[i + 4] = clamp_s(b.s32[i], 0, UINT16_MAX)))
V2(I16X8_Q15MULR_SAT_S, LANES(8, r.s16[i] = q15mulr(a.s16[i], b.s16[i])))
V2(I32X4_DOT_I16X8_S, LANES(4, r.u32[i] = (uint32_t)((int32_t)a.s16[2 * i] * b.s16[2 * i]) +
                                        (uint32_t)((int32_t)a.s16[2 * i + 1] * b.s16[2 * i + 1])))
/* widening: extend and multiply the low or high half, pairwise add */
#define VEXT(name, n, WF, NF, WT, off) V1(name, LANES(n, r.WF[i] = (WT)a.NF[i + (off)]))
#define VEXTMUL(name, n, WF, NF, WT, off) V2(name, LANES(n, r.WF[i] = (WT)((WT)a.NF[i + (off)] * (WT)b.NF[i + (off)])))
#define VEXTALL(P, N, n, WF, NFS, NFU, WTS, WTU) \
    VEXT(P##_EXTEND_LOW_##N##_S, n, WF, NFS, WTS, 0) VEXT(P##_EXTEND_HIGH_##N##_S, n, WF, NFS, WTS, n) \
    VEXT(P##_EXTEND_LOW_##N##_U, n, WF, NFU, WTU, 0) VEXT(P##_EXTEND_HIGH_##N##_U, n, WF, NFU, WTU, n) \
    VEXTMUL(P##_EXTMUL_LOW_##N##_S, n, WF, NFS, WTS, 0) VEXTMUL(P##_EXTMUL_HIGH_##N##_S, n, WF, NFS, WTS, n) \
    VEXTMUL(P##_EXTMUL_LOW_##N##_U, n, WF, NFU, WTU, 0) VEXTMUL(P##_EXTMUL_HIGH_##N##_U, n, WF, NFU, WTU, n)
VEXTALL(I16X8, I8X16, 8, s16, s8, u8, int16_t, uint16_t)
VEXTALL(I32X4, I16X8, 4, s32, s16, u16, int32_t, uint32_t)
VEXTALL(I64X2, I32X4, 2, s64, s32, u32, int64_t, uint64_t)
V1(I16X8_EXTADD_PAIRWISE_I8X16_S, LANES(8, r.s16[i] = (int16_t)(a.s8[2 * i] + a.s8[2 * i + 1])))
V1(I16X8_EXTADD_PAIRWISE_I8X16_U, LANES(8, r.u16[i] = (uint16_t)(a.u8[2 * i] + a.u8[2 * i + 1])))
V1(I32X4_EXTADD_PAIRWISE_I16X8_S, LANES(4, r.s32[i] = (int32_t)a.s16[2 * i] + a.s16[2 * i + 1]))
V1(I32X4_EXTADD_PAIRWISE_I16X8_U, LANES(4, r.u32[i] = (uint32_t)a.u16[2 * i] + a.u16[2 * i + 1]))

/* ---- floating point: IEEE lanes as the hardware computes them; sign ops on bits ---- */
#define VFLOAT(P, n, F, UF, VF_, SIGN, fmin, fmax, pmin, pmax, q, sqrtf_, ceilf_, floorf_, truncf_, nearf_) \
    V1(P##_ABS, r.v = (u8x16)(UF(a) & ~(SIGN))) \
    V1(P##_NEG, r.v = (u8x16)(UF(a) ^ (SIGN))) \
    V1(P##_SQRT, LANES(n, r.F[i] = sqrtf_(a.F[i]))) \
    V2(P##_MIN, LANES(n, r.F[i] = fmin(a.F[i], b.F[i]))) \
    V2(P##_MAX, LANES(n, r.F[i] = fmax(a.F[i], b.F[i]))) \
    V2(P##_PMIN, LANES(n, r.F[i] = pmin(a.F[i], b.F[i]))) \
    V2(P##_PMAX, LANES(n, r.F[i] = pmax(a.F[i], b.F[i]))) \
    V1(P##_CEIL, LANES(n, r.F[i] = q(ceilf_(a.F[i])))) \
    V1(P##_FLOOR, LANES(n, r.F[i] = q(floorf_(a.F[i])))) \
    V1(P##_TRUNC, LANES(n, r.F[i] = q(truncf_(a.F[i])))) \
    V1(P##_NEAREST, LANES(n, r.F[i] = q(nearf_(a.F[i]))))
VFLOAT(F32X4, 4, f32, VU32, VF32, 0x80000000u, fmin32, fmax32, pmin32, pmax32, q32, sqrtf, ceilf, floorf,
       truncf, nearbyintf)
VFLOAT(F64X2, 2, f64, VU64, VF64, 0x8000000000000000ull, fmin64, fmax64, pmin64, pmax64, q64, sqrt, ceil,
       floor, trunc, nearbyint)

/* ---- conversions ---- */
V1(I32X4_TRUNC_SAT_F32X4_S, LANES(4, r.s32[i] = sat_s32(a.f32[i])))
V1(I32X4_TRUNC_SAT_F32X4_U, LANES(4, r.u32[i] = sat_u32(a.f32[i])))
V1(F32X4_CONVERT_I32X4_S, LANES(4, r.f32[i] = (float)a.s32[i]))
V1(F32X4_CONVERT_I32X4_U, LANES(4, r.f32[i] = (float)a.u32[i]))
V1(I32X4_TRUNC_SAT_F64X2_S_ZERO, LANES(2, r.s32[i] = sat_s32(a.f64[i])) r.u64[1] = 0)
V1(I32X4_TRUNC_SAT_F64X2_U_ZERO, LANES(2, r.u32[i] = sat_u32(a.f64[i])) r.u64[1] = 0)
V1(F64X2_CONVERT_LOW_I32X4_S, LANES(2, r.f64[i] = (double)a.s32[i]))
V1(F64X2_CONVERT_LOW_I32X4_U, LANES(2, r.f64[i] = (double)a.u32[i]))
V1(F32X4_DEMOTE_F64X2_ZERO, LANES(2, r.f32[i] = (float)a.f64[i]) r.u64[1] = 0)
V1(F64X2_PROMOTE_LOW_F32X4, LANES(2, r.f64[i] = (double)a.f32[i]))
