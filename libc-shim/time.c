/* Clocks and sleeping: clock_gettime/getres, gettimeofday, times,
 * nanosleep, clock_nanosleep, usleep, sleep, sched_yield.
 * CLOCK_MONOTONIC is the kernel's TSC clock; CLOCK_REALTIME is the RTC's
 * reading at boot plus monotonic time (settable with clock_settime). */
#define _GNU_SOURCE     /* CLOCK_MONOTONIC_RAW and _COARSE */
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

#include "kernel/arch.h"
#include "kernel/thread.h"
#include "libc-shim/file.h"

#define NS_PER_S 1000000000ull

static int64_t realtime_offset_ns;      /* realtime = monotonic + offset */
static int realtime_known;

static uint64_t monotonic_ns(void) { return arch_monotonic_ns(); }

static int64_t realtime_ns(void)
{
	if (!realtime_known) {
		realtime_offset_ns = (int64_t)(arch_boot_epoch_seconds() * NS_PER_S);
		realtime_known = 1;
	}
	return (int64_t)monotonic_ns() + realtime_offset_ns;
}

static void to_timespec(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / (int64_t)NS_PER_S);
	ts->tv_nsec = (long)(ns % (int64_t)NS_PER_S);
}

static int64_t from_timespec(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * (int64_t)NS_PER_S + ts->tv_nsec;
}

static int valid(const struct timespec *ts)
{
	return ts && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NS_PER_S;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	switch (clock) {
	case CLOCK_REALTIME:
		to_timespec(realtime_ns(), ts);
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_PROCESS_CPUTIME_ID:  /* one process, always on the CPU */
	case CLOCK_THREAD_CPUTIME_ID:
		to_timespec((int64_t)monotonic_ns(), ts);
		return 0;
	default:
		return (int)syscall_result(-EINVAL);
	}
}

int clock_getres(clockid_t clock, struct timespec *res)
{
	struct timespec ignored;
	if (clock_gettime(clock, &ignored) != 0)
		return -1;
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}

int clock_settime(clockid_t clock, const struct timespec *ts)
{
	if (clock != CLOCK_REALTIME)
		return (int)syscall_result(-EINVAL);
	if (!valid(ts))
		return (int)syscall_result(-EINVAL);
	realtime_offset_ns = from_timespec(ts) - (int64_t)monotonic_ns();
	realtime_known = 1;
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	int64_t ns = realtime_ns();
	tv->tv_sec = (time_t)(ns / (int64_t)NS_PER_S);
	tv->tv_usec = (suseconds_t)(ns % (int64_t)NS_PER_S / 1000);
	return 0;
}

clock_t times(struct tms *t)
{
	clock_t ticks = (clock_t)(monotonic_ns() / (NS_PER_S / CLOCKS_PER_SEC));
	if (t) {
		t->tms_utime = ticks;
		t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
	}
	return ticks;
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	if (!valid(req) || (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME))
		return EINVAL;          /* returned, not in errno (POSIX) */
	int64_t target = from_timespec(req);
	if (flags & TIMER_ABSTIME) {
		if (clock == CLOCK_REALTIME)
			target -= realtime_ns() - (int64_t)monotonic_ns();
	} else {
		target += (int64_t)monotonic_ns();
	}
	thread_sleep_until(target < 0 ? 0 : (uint64_t)target);
	if (rem)
		rem->tv_sec = rem->tv_nsec = 0;  /* no signals interrupt a sleep */
	return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int err = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
	return (int)syscall_result(-err);
}

int usleep(useconds_t usec)
{
	struct timespec ts = { (time_t)(usec / 1000000), (long)(usec % 1000000) * 1000 };
	return nanosleep(&ts, 0);
}

unsigned sleep(unsigned seconds)
{
	struct timespec ts = { (time_t)seconds, 0 };
	nanosleep(&ts, 0);
	return 0;
}

int sched_yield(void)
{
	thread_yield();
	return 0;
}
