/* Wall-clock time at boot from the CMOS real-time clock (MC146818). */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define NMI_DISABLE 0x80
#define REG_STATUS_A 0x0A
#define REG_STATUS_B 0x0B
#define STATUS_A_UPDATING 0x80
#define STATUS_B_24H 0x02
#define STATUS_B_BINARY 0x04

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}

static unsigned from_bcd(uint8_t v, int binary)
{
	return binary ? v : (v & 0x0F) + (v >> 4) * 10;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

struct rtc_time {
	uint8_t sec, min, hour, day, mon, year, status_b;
};

static void read_once(struct rtc_time *t)
{
	for (int spin = 0; spin < 100000 && (cmos(REG_STATUS_A) & STATUS_A_UPDATING); spin++)
		cpu_relax();
	t->sec = cmos(0x00);
	t->min = cmos(0x02);
	t->hour = cmos(0x04);
	t->day = cmos(0x07);
	t->mon = cmos(0x08);
	t->year = cmos(0x09);
	t->status_b = cmos(REG_STATUS_B);
}

uint64_t arch_boot_epoch_seconds(void)
{
	struct rtc_time a, b;
	read_once(&a);
	for (int tries = 0; tries < 5; tries++) {       /* until two reads agree */
		read_once(&b);
		if (__builtin_memcmp(&a, &b, sizeof(a)) == 0)
			break;
		a = b;
	}
	if (a.status_b == 0xFF)
		return 0;                               /* no RTC on this machine */
	int binary = a.status_b & STATUS_B_BINARY;
	unsigned hour = from_bcd(a.hour & 0x7F, binary);
	if (!(a.status_b & STATUS_B_24H) && (a.hour & 0x80))
		hour = (hour % 12) + 12;                /* 12-hour clock, PM */
	unsigned mon = from_bcd(a.mon, binary), day = from_bcd(a.day, binary);
	if (mon < 1 || mon > 12 || day < 1 || day > 31)
		return 0;
	int64_t days = days_from_civil(2000 + from_bcd(a.year, binary), mon, day);
	int64_t secs = days * 86400 + hour * 3600 + from_bcd(a.min, binary) * 60 +
		       from_bcd(a.sec, binary);
	/* The epoch value at boot: subtract the time already run. */
	uint64_t up = arch_monotonic_ns() / 1000000000ull;
	return secs > (int64_t)up ? (uint64_t)secs - up : 0;
}
