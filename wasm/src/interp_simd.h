/* interp_simd.h - the interpreter's SIMD handlers, included inside interp.c's run()
 * (threaded dispatch needs every handler label in one function).  Operand layouts are
 * those of simd_ops.h.
 *
 * Memory instructions are handled here, next to the bounds check they share with the
 * scalar loads and stores.  Every other SIMD instruction is one call to its function in
 * simd_exec.c: keeping the lane code out of this one huge function keeps the compiler's
 * work on it (and its register allocation for the scalar handlers) what it was. */

#define LANES(n, e) for (int i = 0; i < (int)(n); i++) { e; }

    /* ---- memory: d a off / a v off; lanes: d a v off lane / a v off lane ---- */
    CASE(V128_LOAD) { EA(ip[2], ip[3], 16) v128 r; memcpy(&r, mb + ea_, 16); vput(fp + ip[1], r); ip += 4; NEXT(); }
#define VLOADX(name, T, WT, F) \
    CASE(name) { EA(ip[2], ip[3], 8) T t_[8 / sizeof(T)]; v128 r; memcpy(t_, mb + ea_, 8); \
                 LANES(8 / sizeof(T), r.F[i] = (WT)t_[i]) vput(fp + ip[1], r); ip += 4; NEXT(); }
    VLOADX(V128_LOAD8X8_S, int8_t, int16_t, s16)
    VLOADX(V128_LOAD8X8_U, uint8_t, uint16_t, u16)
    VLOADX(V128_LOAD16X4_S, int16_t, int32_t, s32)
    VLOADX(V128_LOAD16X4_U, uint16_t, uint32_t, u32)
    VLOADX(V128_LOAD32X2_S, int32_t, int64_t, s64)
    VLOADX(V128_LOAD32X2_U, uint32_t, uint64_t, u64)
#define VLOADSPLAT(name, T, F) \
    CASE(name) { EA(ip[2], ip[3], sizeof(T)) T t_; v128 r; memcpy(&t_, mb + ea_, sizeof(T)); \
                 LANES(16 / sizeof(T), r.F[i] = t_) vput(fp + ip[1], r); ip += 4; NEXT(); }
    VLOADSPLAT(V128_LOAD8_SPLAT, uint8_t, u8)
    VLOADSPLAT(V128_LOAD16_SPLAT, uint16_t, u16)
    VLOADSPLAT(V128_LOAD32_SPLAT, uint32_t, u32)
    VLOADSPLAT(V128_LOAD64_SPLAT, uint64_t, u64)
#define VLOADZERO(name, N) \
    CASE(name) { EA(ip[2], ip[3], N) v128 r; r.u64[0] = r.u64[1] = 0; memcpy(&r, mb + ea_, N); \
                 vput(fp + ip[1], r); ip += 4; NEXT(); }
    VLOADZERO(V128_LOAD32_ZERO, 4)
    VLOADZERO(V128_LOAD64_ZERO, 8)
    CASE(V128_STORE) { v128 v = vget(fp + ip[2]); EA(ip[1], ip[3], 16) memcpy(mb + ea_, &v, 16); ip += 4; NEXT(); }
#define VLOADLANE(name, N) \
    CASE(name) { v128 v = vget(fp + ip[3]); EA(ip[2], ip[4], N) memcpy(v.u8 + ip[5] * (N), mb + ea_, N); \
                 vput(fp + ip[1], v); ip += 6; NEXT(); }
    VLOADLANE(V128_LOAD8_LANE, 1)
    VLOADLANE(V128_LOAD16_LANE, 2)
    VLOADLANE(V128_LOAD32_LANE, 4)
    VLOADLANE(V128_LOAD64_LANE, 8)
#define VSTORELANE(name, N) \
    CASE(name) { v128 v = vget(fp + ip[2]); EA(ip[1], ip[3], N) memcpy(mb + ea_, v.u8 + ip[4] * (N), N); \
                 ip += 5; NEXT(); }
    VSTORELANE(V128_STORE8_LANE, 1)
    VSTORELANE(V128_STORE16_LANE, 2)
    VSTORELANE(V128_STORE32_LANE, 4)
    VSTORELANE(V128_STORE64_LANE, 8)

    /* ---- in the loop: plain lane arithmetic and lane moves (kinds *_I) ---- */
#define VIN2(name, T, expr) \
    CASE(name) { T a_, b_; memcpy(&a_, fp + ip[2], 16); memcpy(&b_, fp + ip[3], 16); a_ = (expr); \
                 memcpy(fp + ip[1], &a_, 16); ip += 4; NEXT(); }
    VIN2(V128_AND, u8x16, a_ & b_) VIN2(V128_ANDNOT, u8x16, a_ & ~b_)
    VIN2(V128_OR, u8x16, a_ | b_) VIN2(V128_XOR, u8x16, a_ ^ b_)
    VIN2(I8X16_ADD, u8x16, a_ + b_) VIN2(I8X16_SUB, u8x16, a_ - b_)
    VIN2(I16X8_ADD, u16x8, a_ + b_) VIN2(I16X8_SUB, u16x8, a_ - b_) VIN2(I16X8_MUL, u16x8, a_ * b_)
    VIN2(I32X4_ADD, u32x4, a_ + b_) VIN2(I32X4_SUB, u32x4, a_ - b_) VIN2(I32X4_MUL, u32x4, a_ * b_)
    VIN2(I64X2_ADD, u64x2, a_ + b_) VIN2(I64X2_SUB, u64x2, a_ - b_)
    VIN2(F32X4_ADD, f32x4, a_ + b_) VIN2(F32X4_SUB, f32x4, a_ - b_)
    VIN2(F32X4_MUL, f32x4, a_ * b_) VIN2(F32X4_DIV, f32x4, a_ / b_)
    VIN2(F64X2_ADD, f64x2, a_ + b_) VIN2(F64X2_SUB, f64x2, a_ - b_)
    VIN2(F64X2_MUL, f64x2, a_ * b_) VIN2(F64X2_DIV, f64x2, a_ / b_)
    CASE(V128_CONST) { memcpy(fp + ip[1], ip + 2, 16); ip += 6; NEXT(); }
/* replace and splat build the vector in registers and store it whole: a 16-byte load
 * of a value just written as smaller pieces cannot be forwarded from the store buffer */
#define VLANE32(ext, rep, spl) \
    CASE(ext) { uint32_t x_; memcpy(&x_, (const uint8_t *)(fp + ip[2]) + 4 * ip[3], 4); fp[ip[1]] = x_; \
                ip += 4; NEXT(); } \
    CASE(rep) { u32x4 v_, idx_ = {0, 1, 2, 3}; memcpy(&v_, fp + ip[2], 16); \
                u32x4 m_ = (u32x4)(idx_ == ip[4]); \
                v_ = (v_ & ~m_) | (((u32x4){0, 0, 0, 0} + (uint32_t)fp[ip[3]]) & m_); \
                memcpy(fp + ip[1], &v_, 16); ip += 5; NEXT(); } \
    CASE(spl) { u32x4 v_ = (u32x4){0, 0, 0, 0} + (uint32_t)fp[ip[2]]; memcpy(fp + ip[1], &v_, 16); \
                ip += 3; NEXT(); }
    VLANE32(I32X4_EXTRACT_LANE, I32X4_REPLACE_LANE, I32X4_SPLAT)
    VLANE32(F32X4_EXTRACT_LANE, F32X4_REPLACE_LANE, F32X4_SPLAT)

    /* ---- everything else: one call, then the next instruction ---- */
#define SIMD_H_SK_LOAD(n)
#define SIMD_H_SK_STORE(n)
#define SIMD_H_SK_LLANE(n)
#define SIMD_H_SK_SLANE(n)
#define SIMD_H_CALL(n, words) CASE(n) { wasm__simd_##n(fp, ip); ip += (words); NEXT(); }
#define SIMD_H_SK_CONST(n) SIMD_H_CALL(n, SK_CONST_W)
#define SIMD_H_SK_SHUF(n) SIMD_H_CALL(n, SK_SHUF_W)
#define SIMD_H_SK_SPLAT(n) SIMD_H_CALL(n, SK_SPLAT_W)
#define SIMD_H_SK_EXTR(n) SIMD_H_CALL(n, SK_EXTR_W)
#define SIMD_H_SK_REPL(n) SIMD_H_CALL(n, SK_REPL_W)
#define SIMD_H_SK_UN(n) SIMD_H_CALL(n, SK_UN_W)
#define SIMD_H_SK_BIN(n) SIMD_H_CALL(n, SK_BIN_W)
#define SIMD_H_SK_TERN(n) SIMD_H_CALL(n, SK_TERN_W)
#define SIMD_H_SK_TEST(n) SIMD_H_CALL(n, SK_TEST_W)
#define SIMD_H_SK_SHIFT(n) SIMD_H_CALL(n, SK_SHIFT_W)
#define SIMD_H_SK_CONST_I(n)
#define SIMD_H_SK_SPLAT_I(n)
#define SIMD_H_SK_EXTR_I(n)
#define SIMD_H_SK_REPL_I(n)
#define SIMD_H_SK_BIN_I(n)
#define S(n, sub, kind, arg) SIMD_H_##kind(n)
    WASM_SIMD_OPS(S)
#undef S
