/* alpha blending of two 8-bit RGBA images, repeated: the byte arithmetic of image code
 * (widening multiply, shift, narrow), which clang vectorises with -msimd128 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef BENCH_EXPORT
#define printf(...) ((void)0) /* no WASI in that build: results come back as the return value */
#endif

#define PIXELS (512 * 512)

static uint8_t src[PIXELS * 4], dst[PIXELS * 4], out[PIXELS * 4];

/* out = (src * a + dst * (255 - a) + 127) / 255, per channel, a = the pass's alpha */
static void blend(uint8_t *restrict o, const uint8_t *restrict s, const uint8_t *restrict d, unsigned a)
{
    for (int i = 0; i < PIXELS * 4; i++)
        o[i] = (uint8_t)((s[i] * a + d[i] * (255 - a) + 127) / 255);
}

static unsigned run(int passes)
{
    uint32_t x = 7;
    for (int i = 0; i < PIXELS * 4; i++) {
        x = x * 1103515245u + 12345u;
        src[i] = (uint8_t)(x >> 16);
        dst[i] = (uint8_t)(x >> 24);
    }
    unsigned sum = 0;
    for (int p = 0; p < passes; p++) {
        blend(out, src, dst, (unsigned)(p * 37) & 255);
        for (int i = 0; i < PIXELS * 4; i += 61)
            sum = sum * 31 + out[i];
    }
    return sum;
}

int main(int argc, char **argv)
{
    unsigned s = run(argc > 1 ? atoi(argv[1]) : 40);
    printf("blend checksum %u\n", s);
    return 0;
}

#ifdef BENCH_EXPORT
__attribute__((export_name("bench"))) unsigned bench(void) { return run(40); }
#endif
