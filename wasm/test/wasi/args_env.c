/* args and environment reach the guest intact; exit status follows main's return. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    const char *a = getenv("SKIFF_A"), *b = getenv("SKIFF_B");
    printf("SKIFF_A=%s\n", a ? a : "(unset)");
    printf("SKIFF_B=%s\n", b ? b : "(unset)");
    printf("MISSING=%s\n", getenv("SKIFF_MISSING") ? "set" : "(unset)");
    if (argc != 4 || strcmp(argv[2], "two words") || !a || strcmp(a, "alpha"))
        return 1;
    return 0;
}
