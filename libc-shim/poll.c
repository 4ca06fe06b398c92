/* poll() and select() over every kind of fd, written once over the fd table.
 *
 * Plain files and the console never make a caller wait: they are ready for
 * whatever op they have. Sockets are different, and lwIP can only wait on
 * its own sockets, all of them in one call; so the fds whose file has a
 * poll_group op are handed to it as one batch, with the caller's timeout,
 * or with timeout 0 when some other fd is already ready (then nobody waits).
 * Only one kind of file has poll_group today (sockets); a second kind would
 * need a shared wait queue, not a second batch. Linked as a plain object,
 * poll() here never pulls the network stack in: the op is a pointer.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>

#include "kernel/arch.h"
#include "kernel/thread.h"
#include "libc-shim/file.h"

#define BATCH_ON_STACK 32

/* Readiness of a file that never waits; -1 if it belongs to a batch. */
static short plain_revents(const struct pollfd *p, struct file *f)
{
	if (!f)
		return POLLNVAL;
	if (f->ops->poll_group)
		return -1;
	short ready = 0;
	if (f->ops->read)
		ready |= POLLIN | POLLRDNORM;
	if (f->ops->write)
		ready |= POLLOUT | POLLWRNORM;
	return (short)(ready & p->events);
}

static void sleep_ms(int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? DEADLINE_NONE :
			    arch_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	thread_sleep_until(deadline);
}

static int poll_files(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct pollfd stack_batch[BATCH_ON_STACK], *batch = stack_batch;
	int (*group)(struct pollfd *, nfds_t, int) = 0;
	nfds_t grouped = 0;
	int ready = 0;
	for (nfds_t i = 0; i < n; i++) {
		fds[i].revents = 0;
		if (fds[i].fd < 0)
			continue;       /* ignored, as POSIX says */
		struct file *f = fd_get(fds[i].fd);
		short r = plain_revents(&fds[i], f);
		if (r >= 0) {
			fds[i].revents = r;
			ready += r != 0;
			continue;
		}
		if (grouped == BATCH_ON_STACK && batch == stack_batch) {
			if (!(batch = malloc(n * sizeof(*batch)))) {
				for (nfds_t k = 0; k < i; k++)
					fds[k].revents = fds[k].revents == -1 ? 0 : fds[k].revents;
				return -ENOMEM;
			}
			memcpy(batch, stack_batch, sizeof(stack_batch));
		}
		group = f->ops->poll_group;
		batch[grouped++] = fds[i];
		fds[i].revents = -1;    /* marks the batch's members, in order */
	}
	if (!grouped) {
		if (!ready && timeout_ms != 0)
			sleep_ms(timeout_ms);
		return ready;
	}
	int got = group(batch, grouped, ready ? 0 : timeout_ms);
	for (nfds_t i = 0, j = 0; i < n; i++)
		if (fds[i].revents == -1)
			fds[i].revents = got < 0 ? 0 : batch[j++].revents;
	if (batch != stack_batch)
		free(batch);
	return got < 0 ? got : ready + got;
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (n > FD_MAX)
		return (int)syscall_result(-EINVAL);
	return (int)syscall_result(poll_files(fds, n, timeout_ms));
}

static int timeval_ms(const struct timeval *tv)
{
	if (!tv)
		return -1;
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
		return -EINVAL;
	long long ms = (long long)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static short select_events(int fd, fd_set *r, fd_set *w, fd_set *e)
{
	short ev = 0;
	if (r && FD_ISSET(fd, r))
		ev |= POLLIN;
	if (w && FD_ISSET(fd, w))
		ev |= POLLOUT;
	if (e && FD_ISSET(fd, e))
		ev |= POLLPRI;
	return ev;
}

/* select() as poll(): the sets become pollfds and back, as Linux counts
 * them (every set bit, so an fd in two sets counts twice). */
int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	int timeout_ms = timeval_ms(tv);
	if (nfds < 0 || nfds > FD_SETSIZE || timeout_ms < -1)
		return (int)syscall_result(-EINVAL);
	struct pollfd *fds = malloc((size_t)(nfds ? nfds : 1) * sizeof(*fds));
	if (!fds)
		return (int)syscall_result(-ENOMEM);
	nfds_t n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = select_events(fd, r, w, e);
		if (!ev)
			continue;
		if (!fd_get(fd)) {
			free(fds);
			return (int)syscall_result(-EBADF);
		}
		fds[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	int got = poll_files(fds, n, timeout_ms);
	if (got >= 0) {
		got = 0;
		for (nfds_t i = 0; i < n; i++) {
			int fd = fds[i].fd;
			short re = fds[i].revents;
			bool in = re & (POLLIN | POLLHUP | POLLERR), out = re & (POLLOUT | POLLERR);
			if (r && FD_ISSET(fd, r) && !in)
				FD_CLR(fd, r);
			if (w && FD_ISSET(fd, w) && !out)
				FD_CLR(fd, w);
			if (e && FD_ISSET(fd, e) && !(re & POLLPRI))
				FD_CLR(fd, e);
			got += (r && FD_ISSET(fd, r)) + (w && FD_ISSET(fd, w)) + (e && FD_ISSET(fd, e));
		}
	}
	free(fds);
	return (int)syscall_result(got);
}
