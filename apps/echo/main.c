/* echo: TCP echo server, one thread, one poll() loop.
 *
 *   echo [--port N] [--bind ADDR] [--max-conns N]
 *
 * Every byte a client sends comes back to it, in order. Each connection has
 * its own buffer: while it is full (the client is not reading) we stop
 * reading from that client, so a slow reader costs a bounded amount of
 * memory and never stalls the others. When the client shuts its sending side
 * down, what is buffered is written back and the connection closed.
 *
 * When listening it prints exactly "echo: listening on port N" and flushes
 * stdout. Plain POSIX, builds unchanged for skiff and for Linux. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (16 * 1024)

struct conn {
	int fd;
	int eof;  /* the client will send nothing more */
	int dead; /* closed, removed at the end of the loop iteration */
	size_t off, len; /* bytes still to echo are buf[off..len) */
	char buf[BUF_SIZE];
};

static int port = 9000;
static struct in_addr bind_addr;
static size_t max_conns = 256;
static struct conn **conns;
static size_t nconns;

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL, 0);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int would_block(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static void conn_close(struct conn *c)
{
	if (!c->dead)
		close(c->fd);
	c->dead = 1;
}

static void on_writable(struct conn *c)
{
	while (!c->dead && c->off < c->len) {
#ifdef MSG_NOSIGNAL
		ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
#else
		ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);
#endif
		if (n > 0)
			c->off += (size_t)n;
		else if (n < 0 && would_block())
			return;
		else
			conn_close(c); /* EPIPE, ECONNRESET: only this client is gone */
	}
	if (c->dead)
		return;
	c->off = c->len = 0;
	if (c->eof)
		conn_close(c);
}

static void on_readable(struct conn *c)
{
	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == BUF_SIZE)
		return;
	ssize_t n = read(c->fd, c->buf + c->len, BUF_SIZE - c->len);
	if (n > 0)
		c->len += (size_t)n;
	else if (n == 0)
		c->eof = 1;
	else if (!would_block())
		conn_close(c);
}

static void accept_clients(int lfd, long long *paused_until)
{
	while (nconns < max_conns) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				perror("echo: accept");
				struct timespec ts;
				clock_gettime(CLOCK_MONOTONIC, &ts);
				*paused_until = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 100;
			}
			return;
		}
		struct conn *c = malloc(sizeof *c);
		if (c == NULL || set_nonblocking(fd) < 0) {
			free(c);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->eof = c->dead = 0;
		c->off = c->len = 0;
		conns[nconns++] = c;
	}
}

static void reap(void)
{
	size_t j = 0;

	for (size_t i = 0; i < nconns; i++) {
		if (conns[i]->dead)
			free(conns[i]);
		else
			conns[j++] = conns[i];
	}
	nconns = j;
}

static void serve(int lfd)
{
	struct pollfd *pfds = calloc(max_conns + 1, sizeof *pfds);
	long long paused_until = 0;

	if (pfds == NULL) {
		fprintf(stderr, "echo: out of memory\n");
		exit(1);
	}
	for (;;) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		long long now = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		int timeout = paused_until > now ? (int)(paused_until - now) : -1;

		/* The listener goes last, and only while we accept: no negative
		 * fds for poll() to skip. */
		size_t polled = nconns;
		int accepting = nconns < max_conns && timeout < 0;
		for (size_t i = 0; i < nconns; i++) {
			struct conn *c = conns[i];
			pfds[i].fd = c->fd;
			pfds[i].events = (short)((c->eof || c->len == BUF_SIZE ? 0 : POLLIN) |
			                         (c->off < c->len ? POLLOUT : 0));
			pfds[i].revents = 0;
		}
		pfds[polled].fd = lfd;
		pfds[polled].events = POLLIN;
		pfds[polled].revents = 0;
		if (poll(pfds, polled + (accepting ? 1 : 0), timeout) < 0) {
			if (errno == EINTR)
				continue;
			perror("echo: poll");
			exit(1);
		}
		for (size_t i = 0; i < polled; i++) {
			struct conn *c = conns[i];
			short ev = pfds[i].revents;
			if (ev & (POLLIN | POLLHUP | POLLERR) && !c->eof)
				on_readable(c);
			else if (ev & (POLLHUP | POLLERR) && !(ev & POLLOUT))
				conn_close(c);
			/* Echo at once what just came in; POLLOUT finishes the rest. */
			if (!c->dead)
				on_writable(c);
		}
		reap();
		if (accepting && pfds[polled].revents & POLLIN)
			accept_clients(lfd, &paused_until);
	}
}

static int listen_on(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("echo: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr = bind_addr;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0 ||
	    set_nonblocking(fd) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		perror("echo: bind/listen");
		close(fd);
		return -1;
	}
	port = ntohs(sa.sin_port);
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: echo [--port N] [--bind ADDR] [--max-conns N]\n");
	exit(2);
}

static long number(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	bind_addr.s_addr = htonl(INADDR_ANY);
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL)
			usage();
		if (strcmp(a, "--port") == 0)
			port = (int)number(v, 0, 65535);
		else if (strcmp(a, "--max-conns") == 0)
			max_conns = (size_t)number(v, 1, 65536);
		else if (strcmp(a, "--bind") != 0 || inet_pton(AF_INET, v, &bind_addr) != 1)
			usage();
	}
	conns = calloc(max_conns, sizeof *conns);
	int lfd = listen_on();
	if (conns == NULL || lfd < 0)
		return 1;
	printf("echo: listening on port %d\n", port);
	fflush(stdout);
	serve(lfd);
	return 0;
}
