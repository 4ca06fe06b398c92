/* Unit tests of kernel/random.c against a scripted CPU generator: bytes
 * come from it in order, a fill stops where it was told to, and when the
 * generator is missing or gives out the bytes still come (from the cycle
 * counter) with exactly one warning, which random64() never gives. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "kernel/arch.h"
#include "kernel/log.h"
#include "kernel/random.h"

/* The fake CPU: its generator answers `hw_left` more times (-1: always),
 * with 0x0101..01 times a counter; its cycle counter ticks by 7. */
static int hw_left;
static uint64_t hw_next = 1, cycles;
static int warnings;
static char last_warning[256];

bool arch_hw_random64(uint64_t *out)
{
	if (hw_left == 0)
		return false;
	if (hw_left > 0)
		hw_left--;
	*out = 0x0101010101010101ull * hw_next++;
	return true;
}

uint64_t arch_cycles(void) { return cycles += 7; }

void klog(int level, const char *fmt, ...)
{
	va_list ap;
	CHECK_INT(level, LOG_WARNING);
	va_start(ap, fmt);
	vsnprintf(last_warning, sizeof last_warning, fmt, ap);
	va_end(ap);
	warnings++;
}

static void test_hardware_bytes_in_order(void)
{
	unsigned char buf[20];
	hw_left = -1;
	hw_next = 1;
	memset(buf, 0xEE, sizeof buf);
	random_fill(buf, 19);
	/* Two whole words and three bytes of a third, nothing past 19. */
	for (int i = 0; i < 8; i++)
		CHECK_INT(buf[i], 1);
	for (int i = 8; i < 16; i++)
		CHECK_INT(buf[i], 2);
	for (int i = 16; i < 19; i++)
		CHECK_INT(buf[i], 3);
	CHECK_INT(buf[19], 0xEE);
	CHECK_INT(hw_next, 4);
	random_fill(buf, 0);
	CHECK_INT(hw_next, 4);
	CHECK_INT(random64(), 0x0404040404040404ll);
	CHECK_INT(warnings, 0);
}

static void test_random64_falls_back_silently(void)
{
	hw_left = 0;
	uint64_t a = random64(), b = random64();
	CHECK(a != b);
	CHECK_INT(warnings, 0);
}

static void test_fill_warns_once_and_still_fills(void)
{
	unsigned char buf[64], again[64];
	/* The generator gives out after two words: the rest still comes. */
	hw_left = 2;
	hw_next = 9;
	memset(buf, 0, sizeof buf);
	random_fill(buf, sizeof buf);
	CHECK_INT(buf[0], 9);
	CHECK_INT(buf[8], 10);
	int zero_words = 0;
	for (int w = 2; w < 8; w++) {
		uint64_t v;
		memcpy(&v, buf + 8 * w, 8);
		zero_words += v == 0;
	}
	CHECK_INT(zero_words, 0);
	CHECK_INT(warnings, 1);
	CHECK(strstr(last_warning, "the CPU gives no random numbers") != NULL);
	random_fill(again, sizeof again);
	CHECK(memcmp(buf, again, sizeof buf) != 0);
	CHECK_INT(warnings, 1);
	/* A generator that comes back is used again, still without a word. */
	hw_left = -1;
	hw_next = 5;
	random_fill(buf, 8);
	CHECK_INT(buf[7], 5);
	CHECK_INT(warnings, 1);
}

int main(void)
{
	test_hardware_bytes_in_order();
	test_random64_falls_back_silently();
	test_fill_warns_once_and_still_fills();
	return check_report();
}
