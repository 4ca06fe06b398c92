/* proc_exit carries the status out even from deep inside the program. */
#include <stdio.h>
#include <stdlib.h>

static void deep(int n)
{
    if (n == 0) {
        printf("exiting with 7\n");
        fflush(stdout);
        exit(7);
    }
    deep(n - 1);
}

int main(void)
{
    deep(100);
    return 0;
}
