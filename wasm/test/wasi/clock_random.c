/* clocks move forward and look like real time; random_get returns varied bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    int bad = 0;
    struct timespec a, b, r, res;
    clock_gettime(CLOCK_MONOTONIC, &a);
    volatile unsigned x = 0;
    for (unsigned i = 0; i < 2000000; i++)
        x += i;
    struct timespec sl = {0, 20 * 1000 * 1000};
    nanosleep(&sl, NULL); /* poll_oneoff with a clock subscription */
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("monotonic advances: %s\n", ns >= 20000000 ? "yes" : "no");
    bad |= ns < 20000000;
    clock_gettime(CLOCK_REALTIME, &r);
    printf("realtime after 2020: %s\n", r.tv_sec > 1577836800 ? "yes" : "no");
    bad |= r.tv_sec <= 1577836800;
    printf("resolution ok: %s\n", clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 ? "yes" : "no");
    unsigned char buf[1000];
    memset(buf, 0, sizeof buf);
    getentropy(buf, 256);
    getentropy(buf + 256, 256);
    int distinct = 0, seen[256] = {0};
    for (int i = 0; i < 512; i++)
        if (!seen[buf[i]]++)
            distinct++;
    printf("random looks random: %s\n", distinct > 100 ? "yes" : "no");
    bad |= distinct <= 100;
    return bad;
}
