/* recursive Fibonacci: calls and integer arithmetic */
#include <stdio.h>
#include <stdlib.h>

#ifdef BENCH_EXPORT
#define printf(...) ((void)0) /* no WASI in that build: results come back as the return value */
#endif

static unsigned fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned run(unsigned n) { return fib(n); }

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 38;
    printf("fib(%u) = %u\n", n, run(n));
    return 0;
}

#ifdef BENCH_EXPORT
/* Runtimes without WASI (wabt's wasm-interp) call this export instead of _start. */
__attribute__((export_name("bench"))) unsigned bench(void) { return run(38); }
#endif
