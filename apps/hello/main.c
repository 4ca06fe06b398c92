/* hello: the first skiff app, and the one the guest tests check.
 * Prints a greeting, its arguments and environment, then exits with the
 * status given by `--exit N` (0 when absent); `--stderr TEXT` also writes
 * TEXT to stderr. Builds unchanged on Linux. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
	int status = 0;
	printf("hello from skiff\n");
	for (int i = 1; i < argc; i++) {
		printf("argv[%d]=%s\n", i, argv[i]);
		if (strcmp(argv[i], "--exit") == 0 && i + 1 < argc)
			status = atoi(argv[i + 1]);
		if (strcmp(argv[i], "--stderr") == 0 && i + 1 < argc)
			fprintf(stderr, "to stderr: %s\n", argv[i + 1]);
	}
	for (char **e = environ; e && *e; e++)
		printf("env %s\n", *e);
	return status;
}
