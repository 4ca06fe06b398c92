/* leb.c - the byte reader: LEB128 integers with the binary format's strict length and
 * padding rules, and the error exit shared by the decoder and the translator. */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

_Noreturn void wasm__fail(struct rd *r, const char *fmt, ...)
{
    if (r->err && r->errlen) {
        int n = snprintf(r->err, r->errlen, "section %s, offset 0x%zx: ", r->section ? r->section : "header",
                         (size_t)(r->p - r->base));
        if (n >= 0 && (size_t)n < r->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    longjmp(*r->jb, 1);
}

uint8_t wasm__u8(struct rd *r)
{
    if (r->p >= r->end)
        wasm__fail(r, "unexpected end");
    return *r->p++;
}

/* Unsigned LEB128 of at most `bits` bits: ceil(bits/7) bytes, unused high bits of the
 * last byte must be zero ("integer too large" otherwise). */
static uint64_t uleb(struct rd *r, unsigned bits)
{
    uint64_t v = 0;
    unsigned shift = 0;
    for (;;) {
        uint8_t b = wasm__u8(r);
        if (shift + 7 > bits && shift < 64) {
            /* last permitted byte: no continuation and no bits beyond `bits` */
            unsigned used = bits - shift;
            if ((b & 0x80) || (b >> used))
                wasm__fail(r, (b & 0x80) ? "integer representation too long" : "integer too large");
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
        shift += 7;
    }
}

/* Signed LEB128: unused bits of the last byte must all equal the sign bit. */
static int64_t sleb(struct rd *r, unsigned bits)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    for (;;) {
        b = wasm__u8(r);
        if (shift + 7 >= bits) {
            unsigned used = bits - shift; /* bits still to take, 1..7 */
            if (b & 0x80)
                wasm__fail(r, "integer representation too long");
            /* bits from used-1 upward (within 7) must be all 0 or all 1 */
            int hi = (int8_t)(b << 1) >> (used); /* sign-extended rest incl. sign bit */
            if (hi != 0 && hi != -1)
                wasm__fail(r, "integer too large");
            v |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            break;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (shift < 64 && (b & 0x40))
        v |= ~(uint64_t)0 << shift;
    return (int64_t)v;
}

uint32_t wasm__u32(struct rd *r) { return (uint32_t)uleb(r, 32); }
uint64_t wasm__u64(struct rd *r) { return uleb(r, 64); }
int32_t wasm__s32(struct rd *r) { return (int32_t)sleb(r, 32); }
int64_t wasm__s64(struct rd *r) { return sleb(r, 64); }
int64_t wasm__s33(struct rd *r) { return sleb(r, 33); }
