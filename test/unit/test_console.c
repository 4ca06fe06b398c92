/* Unit tests of kernel/console_frame.c: the plain console's CR LF and the
 * tagged console's stream switches and DLE stuffing (kernel/console.h). */
#include "kernel/console.h"

#include "check.h"

static char out[256];

static size_t frame(struct console_framer *fr, enum console_stream s, const char *text)
{
	return console_frame(fr, s, text, strlen(text), out);
}

static void test_plain(void)
{
	struct console_framer fr = { .tagged = false };

	CHECK_INT(frame(&fr, CONSOLE_STDOUT, "a\nb\n"), 6);
	CHECK(memcmp(out, "a\r\nb\r\n", 6) == 0);
	/* Plain mode never frames: stderr looks the same, DLE passes. */
	CHECK_INT(frame(&fr, CONSOLE_STDERR, "\x10x"), 2);
	CHECK(memcmp(out, "\x10x", 2) == 0);
}

static void test_tagged_switches(void)
{
	struct console_framer fr = { .tagged = true };

	CHECK_INT(frame(&fr, CONSOLE_STDOUT, "a\n"), 4);
	CHECK(memcmp(out, "\x10" "1a\n", 4) == 0);
	/* Same stream: no switch again, and no CR. */
	CHECK_INT(frame(&fr, CONSOLE_STDOUT, "b\n"), 2);
	CHECK(memcmp(out, "b\n", 2) == 0);
	CHECK_INT(frame(&fr, CONSOLE_STDERR, "e"), 3);
	CHECK(memcmp(out, "\x10" "2e", 3) == 0);
	CHECK_INT(frame(&fr, CONSOLE_KERNEL, "k"), 3);
	CHECK(memcmp(out, "\x10kk", 3) == 0);
	CHECK_INT(frame(&fr, CONSOLE_CONTROL, "listen tcp 80\n"), 16);
	CHECK(memcmp(out, "\x10" "clisten tcp 80\n", 16) == 0);
	/* An empty write announces nothing. */
	CHECK_INT(console_frame(&fr, CONSOLE_STDOUT, "", 0, out), 0);
	CHECK_INT(frame(&fr, CONSOLE_CONTROL, "x"), 1);
}

static void test_tagged_dle(void)
{
	struct console_framer fr = { .tagged = true };
	const char data[] = { 0x10, 'a', 0x10, 0x10 };

	CHECK_INT(console_frame(&fr, CONSOLE_STDOUT, data, sizeof data, out), 9);
	CHECK(memcmp(out, "\x10" "1\x10\x10" "a\x10\x10\x10\x10", 9) == 0);
}

int main(void)
{
	test_plain();
	test_tagged_switches();
	test_tagged_dle();
	return check_report();
}
