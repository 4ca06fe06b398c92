/* quicksort of 1M pseudo-random ints: branches, loads and stores */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef BENCH_EXPORT
#define printf(...) ((void)0) /* no WASI in that build: results come back as the return value */
#endif

static void quicksort(int *a, long lo, long hi)
{
    while (lo < hi) {
        int p = a[lo + (hi - lo) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (a[i] < p) i++;
            while (a[j] > p) j--;
            if (i <= j) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
}

static unsigned run(long n);

int main(int argc, char **argv)
{
    return run(argc > 1 ? atol(argv[1]) : 2000000) == 0;
}

static unsigned run(long n)
{
    int *a = malloc((size_t)n * sizeof *a);
    uint32_t x = 42;
    for (long i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        a[i] = (int)(x % 1000000000u);
    }
    quicksort(a, 0, n - 1);
    uint64_t sum = 0;
    for (long i = 0; i < n; i++) {
        if (i && a[i - 1] > a[i]) { printf("not sorted\n"); return 0; }
        sum = sum * 31 + (uint32_t)a[i];
    }
    printf("sorted %ld, checksum %llu\n", n, (unsigned long long)sum);
    free(a);
    return (unsigned)sum | 1;
}

#ifdef BENCH_EXPORT
/* Runtimes without WASI (wabt's wasm-interp) call this export instead of _start. */
__attribute__((export_name("bench"))) unsigned bench(void) { return run(2000000); }
#endif
