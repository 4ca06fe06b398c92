/* a trap ends the run with a non-zero status and a backtrace naming the functions */
#include <stdio.h>

__attribute__((noinline)) static int divide(volatile int a, volatile int b) { return a / b; }

int main(void)
{
    printf("before trap\n");
    fflush(stdout);
    return divide(1, 0);
}
