/* poll() and select() over every kind of fd, written once over the fd table.
 *
 * Each file says whether it is ready now (its poll op; files without one,
 * plain files and the console, are always ready for the operations they
 * have). When nothing is, the caller sleeps on one wait queue that every
 * readiness change wakes (file_poll_wake, called by sockets' lwIP
 * callbacks), then looks again. A generation count closes the gap between
 * looking and sleeping: a file's poll op may block briefly (sockets take
 * lwIP's lock), and a wake-up in that gap would otherwise be missed.
 * Linked as a plain object, poll() never pulls the network stack in.
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

static struct waitq pollers = WAITQ_INIT;
static unsigned long poll_generation;

void file_poll_wake(void)
{
	poll_generation++;
	waitq_wake_all(&pollers);
}

static short file_revents(const struct pollfd *p)
{
	struct file *f = fd_get(p->fd);
	if (!f)
		return POLLNVAL;
	if (f->ops->poll) {
		f->refs++;      /* its poll op may wait for a lock */
		short r = f->ops->poll(f, p->events);
		file_put(f);
		return r;
	}
	short ready = 0;
	if (f->ops->read)
		ready |= POLLIN | POLLRDNORM;
	if (f->ops->write)
		ready |= POLLOUT | POLLWRNORM;
	return (short)(ready & p->events);
}

/* What select() sees of `re`, as Linux maps it: readable on input, hang-up
 * or error; writable on output or error; exceptional on POLLPRI. A
 * hang-up alone does not wake a select() that only waits to write. */
static short select_visible(short events, short re)
{
	short seen = 0;
	if (events & POLLIN)
		seen |= re & (POLLIN | POLLRDNORM | POLLHUP | POLLERR);
	if (events & POLLOUT)
		seen |= re & (POLLOUT | POLLWRNORM | POLLERR);
	if (events & POLLPRI)
		seen |= re & POLLPRI;
	return seen;
}

static int scan(struct pollfd *fds, nfds_t n, bool for_select)
{
	int ready = 0;
	for (nfds_t i = 0; i < n; i++) {
		fds[i].revents = fds[i].fd < 0 ? 0 : file_revents(&fds[i]); /* < 0: ignored, as POSIX says */
		if (for_select)
			fds[i].revents = select_visible(fds[i].events, fds[i].revents);
		ready += fds[i].revents != 0;
	}
	return ready;
}

static int poll_files(struct pollfd *fds, nfds_t n, int timeout_ms, bool for_select)
{
	uint64_t deadline = timeout_ms < 0 ? DEADLINE_NONE :
			    arch_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	for (;;) {
		unsigned long seen = poll_generation;
		int ready = scan(fds, n, for_select);
		if (ready)
			return ready;
		if (timeout_ms == 0) {
			/* A program polling in a loop would otherwise keep the
			 * CPU from the threads that bring its data (the NIC's,
			 * lwIP's): the scheduler is cooperative. */
			thread_yield();
			return scan(fds, n, for_select);
		}
		if (poll_generation != seen)
			continue;       /* something changed while we looked */
		if (waitq_wait(&pollers, deadline) == -ETIMEDOUT)
			return scan(fds, n, for_select);
	}
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	if (n > FD_MAX)
		return (int)syscall_result(-EINVAL);
	return (int)syscall_result(poll_files(fds, n, timeout_ms, false));
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
	int got = poll_files(fds, n, timeout_ms, true);
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
