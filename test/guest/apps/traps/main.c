/* Guest test of fatal faults: the first argument picks one. Each must end
 * the VM with the panic status and a diagnostic, never return here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int zero;
static int data_word = 0xC3;    /* `ret`, in a writable, no-execute page */

/* Recursion without end, hidden from the compiler's warning by the
 * volatile limit; each frame is big enough to reach the guard page fast. */
static volatile int limit = 1 << 30;

static int recurse(int depth)
{
	volatile char frame[512];
	frame[0] = (char)depth;
	if (depth == limit)
		return 0;
	return recurse(depth + 1) + frame[0];   /* not a tail call */
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	printf("traps: provoking %s\n", what);
	fflush(stdout);
	if (strcmp(what, "null") == 0)
		return *(volatile int *)0;
	if (strcmp(what, "div0") == 0)
		return 10 / zero;
	if (strcmp(what, "overflow") == 0)
		return recurse(0);
	if (strcmp(what, "oom") == 0) {
		for (;;) {
			char *p = malloc(1 << 20);
			if (!p)
				return 3;       /* must not get here: OOM panics */
			memset(p, 1, 1 << 20);
		}
	}
	if (strcmp(what, "abort") == 0)
		abort();
	if (strcmp(what, "write-text") == 0) {
		*(volatile unsigned char *)(void *)main = 0x90;  /* text is read-only */
		return 4;
	}
	if (strcmp(what, "write-rodata") == 0) {
		*(volatile char *)(void *)"a string literal" = 'A';
		return 4;
	}
	if (strcmp(what, "exec-data") == 0) {
		((void (*)(void))(void *)&data_word)();        /* data is no-execute */
		return 4;
	}
	if (strcmp(what, "ud") == 0)
		__builtin_trap();
	printf("traps: unknown fault '%s'\n", what);
	return 2;
}
