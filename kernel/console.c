/* The console's modes and streams (console.h) over the arch's serial port.
 * Writes are framed in chunks through a stack buffer, so a long write costs
 * no allocation and a trap's message can interleave only between chunks. */
#include <string.h>

#include "kernel/arch.h"
#include "kernel/console.h"

#define CHUNK 128

static struct console_framer framer;

void console_set_tagged(bool tagged) { framer.tagged = tagged; framer.current = 0; }
bool console_is_tagged(void) { return framer.tagged; }

void console_write(enum console_stream stream, const char *buf, size_t len)
{
	char out[2 * CHUNK + 2];

	while (len) {
		size_t take = len < CHUNK ? len : CHUNK;
		irqflags_t f = arch_irq_save();
		size_t n = console_frame(&framer, stream, buf, take, out);
		arch_console_write(out, n);
		arch_irq_restore(f);
		buf += take;
		len -= take;
	}
}

void console_control(const char *line)
{
	if (!framer.tagged)
		return;
	console_write(CONSOLE_CONTROL, line, strlen(line));
	console_write(CONSOLE_CONTROL, "\n", 1);
}
