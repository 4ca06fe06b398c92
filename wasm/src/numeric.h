/* numeric.h - scalar rules of wasm arithmetic that C does not give directly, shared by
 * the scalar handlers (interp.c) and the SIMD lanes (simd_exec.c). */
#ifndef SKIFFWASM_NUMERIC_H
#define SKIFFWASM_NUMERIC_H

#include <math.h>
#include <stdint.h>

/* quiet a NaN result: libm may hand a signalling NaN back unchanged */
static inline float q32(float x) { return x != x ? x + x : x; }
static inline double q64(double x) { return x != x ? x + x : x; }

/* wasm min/max: NaN if either is NaN, and -0 < +0 */
static inline float fmin32(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline float fmax32(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
}
static inline double fmin64(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline double fmax64(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
}

/* saturating truncations (NaN -> 0, clamp) */
static inline int32_t sat_s32(double x) { return x != x ? 0 : x <= -2147483648.0 ? INT32_MIN : x >= 2147483647.0 ? INT32_MAX : (int32_t)x; }
static inline uint32_t sat_u32(double x) { return x != x || x <= 0 ? 0 : x >= 4294967295.0 ? UINT32_MAX : (uint32_t)x; }
static inline int64_t sat_s64(double x) { return x != x ? 0 : x < -9223372036854775808.0 ? INT64_MIN : x >= 9223372036854775808.0 ? INT64_MAX : (int64_t)x; }
static inline uint64_t sat_u64(double x) { return x != x || x <= 0 ? 0 : x >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)x; }

#endif
