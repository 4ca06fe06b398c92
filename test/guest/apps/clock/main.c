/* Guest test of time: prints CLOCK_REALTIME (for the host to compare with
 * its own clock), checks that CLOCK_MONOTONIC never goes back and that
 * nanosleep sleeps about as long as asked, then sleeps `argv[1]` ms more,
 * twice (so the host can see that an idle guest does not burn CPU). Before,
 * between and after those sleeps it prints CLOCK_MONOTONIC, for the host to
 * compare the intervals with its own (the rate the kernel measured, and
 * refined during the run): three marks give three intervals, and a host
 * that is slow to pass on one line spoils only two of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static int64_t ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int bad = 0;
	struct timeval tv;
	gettimeofday(&tv, 0);
	printf("realtime %lld\n", (long long)(ns(CLOCK_REALTIME) / 1000000000));
	printf("gettimeofday %lld\n", (long long)tv.tv_sec);
	printf("time %lld\n", (long long)time(0));

	int64_t last = ns(CLOCK_MONOTONIC);
	for (int i = 0; i < 100000; i++) {
		int64_t now = ns(CLOCK_MONOTONIC);
		if (now < last) {
			printf("monotonic went back by %lld ns\n", (long long)(last - now));
			bad = 1;
			break;
		}
		last = now;
	}
	struct timespec res;
	clock_getres(CLOCK_MONOTONIC, &res);
	printf("monotonic resolution %ld ns\n", res.tv_nsec);

	struct timespec want = { 0, 200 * 1000000 };
	int64_t start = ns(CLOCK_MONOTONIC);
	nanosleep(&want, 0);
	int64_t slept_ms = (ns(CLOCK_MONOTONIC) - start) / 1000000;
	printf("nanosleep 200 ms took %lld ms\n", (long long)slept_ms);
	if (slept_ms < 200 || slept_ms > 400)
		bad = 1;

	int idle_ms = argc > 1 ? atoi(argv[1]) : 0;
	if (idle_ms > 0) {
		struct timespec idle = { idle_ms / 1000, (idle_ms % 1000) * 1000000L };
		for (int mark = 0; mark < 3; mark++) {
			if (mark)
				nanosleep(&idle, 0);
			printf("monotonic mark %d %lld us\n", mark, (long long)(ns(CLOCK_MONOTONIC) / 1000));
			fflush(stdout);
		}
		printf("idled %d ms\n", 2 * idle_ms);
	}
	return bad;
}
