/* The console: where the app's stdout and stderr, the kernel's messages and
 * skiff's control lines leave the VM (one serial port).
 *
 * Two modes, chosen on the command line (`console=plain|tagged`):
 *  - plain (default): bytes go out as written, each '\n' preceded by '\r'
 *    for a terminal in raw mode (QEMU's -serial stdio). What a bare QEMU
 *    command line shows.
 *  - tagged (what `skiff run` asks for): no CR is added, and the byte stream
 *    is framed so that the host can tell its four streams apart. DLE (0x10)
 *    starts a two-byte escape: DLE '1' the app's stdout follows, DLE '2' its
 *    stderr, DLE 'k' kernel messages, DLE 'c' control lines for the host
 *    ("listen tcp PORT\n"); DLE DLE is one literal 0x10 byte. A switch is only
 *    written when the stream changes, so the framing costs two bytes per
 *    switch and one per DLE the app writes.
 * The framing itself is pure logic (console_frame) so host tests drive it.
 * Never blocks but on the UART: panics and traps use it.
 */
#ifndef SKIFF_KERNEL_CONSOLE_H
#define SKIFF_KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

enum console_stream {
	CONSOLE_STDOUT = '1',
	CONSOLE_STDERR = '2',
	CONSOLE_KERNEL = 'k',
	CONSOLE_CONTROL = 'c',
};

#define CONSOLE_DLE 0x10

/* The encoder's state: the stream last announced (0: none yet). */
struct console_framer {
	bool tagged;
	char current;
};

/* Frames `len` bytes of `stream` into `out` (at most 2 * len + 2 bytes)
 * and returns the number of bytes written there. */
size_t console_frame(struct console_framer *fr, enum console_stream stream,
		     const char *buf, size_t len, char *out);

void console_set_tagged(bool tagged);
bool console_is_tagged(void);
void console_write(enum console_stream stream, const char *buf, size_t len);
/* One control line for the host (tagged mode only; dropped in plain mode,
 * where nobody reads them): `line` without its newline. */
void console_control(const char *line);

#endif
