/* interp_atomic.h - the interpreter's handlers for the threads proposal (atomic.c
 * translates them), included inside interp.c's run().  Layouts are in ops.h.
 *
 * Every access is bounds-checked like a plain one, then must be aligned to its size;
 * the aligned pointer makes the __atomic builtins single instructions (lock-prefixed or
 * LL/SC) on x86_64 and aarch64.  All are sequentially consistent, as the proposal
 * requires. */

#define AEA(aslot, off, n) \
    EA(aslot, off, n) \
    if (ea_ & ((n) - 1)) \
        TRAP(WASM_TRAP_UNALIGNED_ATOMIC);
#define AP(T) ((T *)(mb + ea_))
#define SEQ __ATOMIC_SEQ_CST

    CASE(ATOMIC_NOTIFY) { AEA(ip[2], ip[4], 4) SET32(ip[1], wasm__notify(cm, mb + ea_, I32(ip[3]))); ip += 5; NEXT(); }
    CASE(ATOMIC_WAIT32) {
        AEA(ip[2], ip[5], 4)
        int64_t r = wasm__wait(s, cm, mb + ea_, I32(ip[3]), 4, S64(ip[4]));
        if (r < 0)
            TRAP(s->trap.kind);
        SET32(ip[1], r);
        ip += 6;
        NEXT();
    }
    CASE(ATOMIC_WAIT64) {
        AEA(ip[2], ip[5], 8)
        int64_t r = wasm__wait(s, cm, mb + ea_, I64(ip[3]), 8, S64(ip[4]));
        if (r < 0)
            TRAP(s->trap.kind);
        SET32(ip[1], r);
        ip += 6;
        NEXT();
    }
    CASE(ATOMIC_FENCE) { __atomic_thread_fence(SEQ); ip += 1; NEXT(); }

#define ALOAD(name, T) CASE(name) { AEA(ip[2], ip[3], sizeof(T)) fp[ip[1]] = __atomic_load_n(AP(T), SEQ); ip += 4; NEXT(); }
#define ASTORE(name, T) CASE(name) { AEA(ip[1], ip[3], sizeof(T)) __atomic_store_n(AP(T), (T)fp[ip[2]], SEQ); ip += 4; NEXT(); }
/* read-modify-write: the old value, zero-extended, to d */
#define ARMW(name, T, fn) CASE(name) { AEA(ip[2], ip[4], sizeof(T)) fp[ip[1]] = fn(AP(T), (T)fp[ip[3]], SEQ); ip += 5; NEXT(); }
#define ACMPXCHG(name, T) \
    CASE(name) { \
        AEA(ip[2], ip[5], sizeof(T)) \
        T old_ = (T)fp[ip[3]]; /* the expected value, wrapped to the access width */ \
        __atomic_compare_exchange_n(AP(T), &old_, (T)fp[ip[4]], false, SEQ, SEQ); \
        fp[ip[1]] = old_; \
        ip += 6; \
        NEXT(); \
    }
#define AWIDTHS(M, name, ...) \
    M(name##8, uint8_t, ##__VA_ARGS__) M(name##16, uint16_t, ##__VA_ARGS__) \
    M(name##32, uint32_t, ##__VA_ARGS__) M(name##64, uint64_t, ##__VA_ARGS__)
    AWIDTHS(ALOAD, ALD)
    AWIDTHS(ASTORE, AST)
    AWIDTHS(ARMW, AADD, __atomic_fetch_add)
    AWIDTHS(ARMW, ASUB, __atomic_fetch_sub)
    AWIDTHS(ARMW, AAND, __atomic_fetch_and)
    AWIDTHS(ARMW, AOR, __atomic_fetch_or)
    AWIDTHS(ARMW, AXOR, __atomic_fetch_xor)
    AWIDTHS(ARMW, AXCHG, __atomic_exchange_n)
    AWIDTHS(ACMPXCHG, ACMPXCHG)
