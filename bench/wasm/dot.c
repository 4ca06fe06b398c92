/* single-precision dot products and saxpy over 64K-element arrays, repeated: the
 * float kernels of signal and ML code, which clang vectorises with -msimd128 */
#include <stdio.h>
#include <stdlib.h>

#ifdef BENCH_EXPORT
#define printf(...) ((void)0) /* no WASI in that build: results come back as the return value */
#endif

#define N 65536

static float x[N], y[N];

static float dot(const float *restrict a, const float *restrict b)
{
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0; /* four partial sums: the order is fixed, so
                                             scalar and vector builds agree exactly */
    for (int i = 0; i < N; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    return (s0 + s1) + (s2 + s3);
}

static void saxpy(float *restrict o, const float *restrict a, float k)
{
    for (int i = 0; i < N; i++)
        o[i] = o[i] * 0.5f + k * a[i];
}

static unsigned run(int reps)
{
    for (int i = 0; i < N; i++) {
        x[i] = (float)((i * 7) % 101) / 100.0f;
        y[i] = (float)((i * 13) % 97) / 96.0f;
    }
    double t = 0;
    for (int r = 0; r < reps; r++) {
        saxpy(y, x, (float)(r % 5) * 0.25f);
        t += dot(x, y);
    }
    printf("dot total %.6f\n", t);
    return (unsigned)t;
}

int main(int argc, char **argv)
{
    run(argc > 1 ? atoi(argv[1]) : 1500);
    return 0;
}

#ifdef BENCH_EXPORT
__attribute__((export_name("bench"))) unsigned bench(void) { return run(1500); }
#endif
