/* simd_lanes.h - the v128 value as the interpreter sees it, and the lane helpers its
 * SIMD handlers (interp_simd.h) use.  Included by interp.c only.
 *
 * A v128 lives in two consecutive 64-bit frame slots, lane 0 at the lowest address (the
 * host is little-endian, see internal.h).  Handlers copy operands into a union first
 * and write the result last, so a result slot may be an operand's slot.  Whole-vector
 * operations use GCC/Clang vector extensions, which compile to SSE2 on x86_64 and NEON
 * on aarch64; lane-wise rules the hardware does not share (saturation, wasm's NaN and
 * signed-zero rules for min/max, rounding of conversions) are written per lane. */
#ifndef SKIFFWASM_SIMD_LANES_H
#define SKIFFWASM_SIMD_LANES_H

#include <stdint.h>
#include <string.h>

#if !defined(__GNUC__)
#error "the SIMD handlers need GCC/Clang vector extensions"
#endif

typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int8_t i8x16 __attribute__((vector_size(16)));
typedef uint16_t u16x8 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));
typedef int64_t i64x2 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));

typedef union v128 {
    u8x16 v;
    uint8_t u8[16];
    int8_t s8[16];
    uint16_t u16[8];
    int16_t s16[8];
    uint32_t u32[4];
    int32_t s32[4];
    uint64_t u64[2];
    int64_t s64[2];
    float f32[4];
    double f64[2];
} v128;

static inline v128 vget(const uint64_t *p)
{
    v128 v;
    memcpy(&v, p, 16);
    return v;
}

static inline void vput(uint64_t *p, v128 v) { memcpy(p, &v, 16); }

/* reinterpret a union's vector as another lane shape */
#define VU8(x) ((x).v)
#define VS8(x) ((i8x16)(x).v)
#define VU16(x) ((u16x8)(x).v)
#define VS16(x) ((i16x8)(x).v)
#define VU32(x) ((u32x4)(x).v)
#define VS32(x) ((i32x4)(x).v)
#define VU64(x) ((u64x2)(x).v)
#define VS64(x) ((i64x2)(x).v)
#define VF32(x) ((f32x4)(x).v)
#define VF64(x) ((f64x2)(x).v)

/* lanes of m (all-ones or zero) pick a, others b */
static inline u8x16 vsel(u8x16 m, u8x16 a, u8x16 b) { return (a & m) | (b & ~m); }

static inline int32_t clamp_s(int32_t x, int32_t lo, int32_t hi) { return x < lo ? lo : x > hi ? hi : x; }

/* (a * b + 2^14) >> 15, saturated: only -1 * -1 in Q15 overflows */
static inline int16_t q15mulr(int16_t a, int16_t b)
{
    return (int16_t)clamp_s(((int32_t)a * b + 0x4000) >> 15, INT16_MIN, INT16_MAX);
}

/* wasm pmin/pmax are defined by a comparison, so a NaN in b never wins */
static inline float pmin32(float a, float b) { return b < a ? b : a; }
static inline float pmax32(float a, float b) { return a < b ? b : a; }
static inline double pmin64(double a, double b) { return b < a ? b : a; }
static inline double pmax64(double a, double b) { return a < b ? b : a; }

#endif
