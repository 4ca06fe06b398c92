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
#define S(n, sub, kind, arg) SIMD_H_##kind(n)
    WASM_SIMD_OPS(S)
#undef S
