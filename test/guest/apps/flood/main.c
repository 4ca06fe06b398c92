/* flood: writes numbered lines to stdout without end (or N lines with an
 * argument, then exits 0). The skiff command's tests use it for a reader
 * that stops reading and for a guest that never stops talking. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : -1;

	for (long i = 0; n < 0 || i < n; i++)
		printf("flood line %ld: the quick brown fox jumps over the lazy dog\n", i);
	return 0;
}
