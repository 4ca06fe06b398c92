/* dense 256x256 double matrix multiply, repeated: nested loops and f64 loads */
#include <stdio.h>
#include <stdlib.h>

#ifdef BENCH_EXPORT
#define printf(...) ((void)0) /* no WASI in that build: results come back as the return value */
#endif

#define N 256

static double A[N][N], B[N][N], C[N][N];

static unsigned run(int reps);

int main(int argc, char **argv)
{
    run(argc > 1 ? atoi(argv[1]) : 24);
    return 0;
}

static unsigned run(int reps)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (double)((i * 7 + j * 3) % 17) / 16.0;
            B[i][j] = (double)((i * 5 + j * 11) % 13) / 12.0;
        }
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                double s = 0;
                for (int k = 0; k < N; k++)
                    s += A[i][k] * B[k][j];
                C[i][j] = s + C[i][j] * 0.5;
            }
    double t = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            t += C[i][j];
    printf("trace-ish sum %.6f\n", t);
    return (unsigned)t;
}

#ifdef BENCH_EXPORT
/* Runtimes without WASI (wabt's wasm-interp) call this export instead of _start. */
__attribute__((export_name("bench"))) unsigned bench(void) { return run(24); }
#endif
