/*
 * Preloaded into QEMU by qemu/launch when the guest has port forwards.
 *
 * libslirp opens each hostfwd listening socket with listen(fd, 1). Linux then
 * queues about two connections and drops the SYNs of the rest of a burst, so
 * 32 clients connecting at once wait for TCP retransmission (1 s, 3 s, 7 s)
 * and a load generator's p99 measures that wait, not the guest. QEMU has no
 * option for the backlog; this raises the one every listen() in QEMU asks for
 * to at least MIN_BACKLOG (never lowering a larger one) and changes nothing
 * else. Being linked in at exec, it costs nothing at run time and leaves no
 * window in which a forward is still narrow.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

enum { MIN_BACKLOG = 128 };

typedef int listen_fn(int fd, int backlog);

int listen(int fd, int backlog)
{
	/* A racing first call stores the same pointer twice: harmless. */
	static listen_fn *next_listen;

	if (!next_listen)
		next_listen = (listen_fn *)dlsym(RTLD_NEXT, "listen");
	if (!next_listen) {
		errno = ENOSYS;
		return -1;
	}
	return next_listen(fd, backlog < MIN_BACKLOG ? MIN_BACKLOG : backlog);
}
