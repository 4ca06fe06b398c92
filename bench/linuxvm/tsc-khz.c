/* tsc-khz: print the host's TSC frequency in kHz, measured against
 * CLOCK_MONOTONIC_RAW (median of 5 windows of 50 ms).
 *
 * Under QEMU TCG the guest's TSC is the host's TSC, so this is the value
 * bench/linuxvm/run passes to the guest kernel as tsc_early_khz=: the kernel
 * then needs no PIT calibration, which on -M microvm (no HPET, no ACPI PM
 * timer) fails on a busy host and leaves the boot hung. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(void)
{
	double khz[5];
	for (int i = 0; i < 5; i++) {
		double t0 = now();
		uint64_t c0 = __rdtsc();
		struct timespec d = {0, 50 * 1000 * 1000};
		nanosleep(&d, NULL);
		double t1 = now();
		uint64_t c1 = __rdtsc();
		khz[i] = (double)(c1 - c0) / (t1 - t0) / 1000.0;
	}
	qsort(khz, 5, sizeof khz[0], cmp);
	printf("%.0f\n", khz[2]);
	return 0;
}
