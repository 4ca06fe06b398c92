/* console_frame: the tagged console's framing (console.h), pure logic. */
#include "kernel/console.h"

size_t console_frame(struct console_framer *fr, enum console_stream stream,
		     const char *buf, size_t len, char *out)
{
	size_t n = 0;

	if (!fr->tagged) {
		for (size_t i = 0; i < len; i++) {
			if (buf[i] == '\n')
				out[n++] = '\r';  /* terminals in raw mode need CR LF */
			out[n++] = buf[i];
		}
		return n;
	}
	if (len && fr->current != (char)stream) {
		out[n++] = CONSOLE_DLE;
		out[n++] = (char)stream;
		fr->current = (char)stream;
	}
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == CONSOLE_DLE)
			out[n++] = CONSOLE_DLE;
		out[n++] = buf[i];
	}
	return n;
}
