/* bench/http/steady: per-request latency on keep-alive connections that are
 * all established before the measurement starts.
 *
 * wrk opens its connections all at once and times the first request of a
 * connection from the moment the host kernel says it is connected, so its
 * figures include the guest taking in a burst of new connections; its
 * coordinated-omission correction multiplies any such wait into many
 * samples. (Through QEMU's forwarder that wait was 0.2 to 7 s per held-back
 * connection while it listened with a backlog of 1; qemu/launch now widens
 * it with qemu/listen-backlog.c.) This client opens the connections one at a
 * time, each confirmed by one answered request, and only then measures: the
 * latency of serving alone.
 *
 * Usage: steady PORT CONNECTIONS SECONDS   (127.0.0.1 only)
 * Prints one line: requests/s and p50/p90/p99/p99.9/max in ms.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 256
#define ADMIT_LIMIT_S 30.0

static const char request[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";

struct conn {
	int fd;
	double sent_at;
	char buf[4096];
	size_t len;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void send_request(struct conn *c)
{
	c->sent_at = now_s();
	if (write(c->fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1))
		die("steady: write");
}

/* Bytes of the first complete response in c->buf, 0 if it is not all in. */
static size_t response_length(const struct conn *c)
{
	const char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t head = (size_t)(end - c->buf) + 4;
	const char *cl = memmem(c->buf, head, "Content-Length:", 15);
	size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
	return c->len >= head + body ? head + body : 0;
}

/* Reads what is there; returns the latency in seconds when a whole
 * response has come (and drops it from the buffer), else a negative. */
static double take_response(struct conn *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
	if (n <= 0) {
		fprintf(stderr, "steady: connection closed by the server (%s)\n", n < 0 ? strerror(errno) : "EOF");
		exit(1);
	}
	c->len += (size_t)n;
	size_t whole = response_length(c);
	if (!whole) {
		if (c->len == sizeof c->buf) {
			fprintf(stderr, "steady: response larger than %zu bytes\n", sizeof c->buf);
			exit(1);
		}
		return -1;
	}
	if (strncmp(c->buf, "HTTP/1.1 200 ", 13) != 0) {
		fprintf(stderr, "steady: unexpected answer: %.40s\n", c->buf);
		exit(1);
	}
	memmove(c->buf, c->buf + whole, c->len - whole);
	c->len -= whole;
	return now_s() - c->sent_at;
}

/* One connection, admitted by one answered request. */
static void admit(struct conn *c, int port, double deadline)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&to, sizeof to) < 0)
		die("steady: connect");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	send_request(c);
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int left_ms = (int)((deadline - now_s()) * 1000);
		if (left_ms <= 0 || poll(&p, 1, left_ms) <= 0) {
			fprintf(stderr, "steady: connections not admitted within %.0f s\n", ADMIT_LIMIT_S);
			exit(1);
		}
		if (take_response(c) >= 0)
			return;
	}
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static struct conn conns[MAX_CONNECTIONS];
	static struct pollfd polls[MAX_CONNECTIONS];
	int port = argc == 4 ? atoi(argv[1]) : 0, count = argc == 4 ? atoi(argv[2]) : 0;
	double seconds = argc == 4 ? atof(argv[3]) : 0;
	if (port <= 0 || port > 65535 || count < 1 || count > MAX_CONNECTIONS || !(seconds > 0)) {
		fprintf(stderr, "usage: steady PORT CONNECTIONS(1..%d) SECONDS\n", MAX_CONNECTIONS);
		return 2;
	}
	double admit_deadline = now_s() + ADMIT_LIMIT_S;
	for (int i = 0; i < count; i++)
		admit(&conns[i], port, admit_deadline);

	size_t cap = 1 << 16, n = 0;
	double *latency = malloc(cap * sizeof *latency);
	if (!latency)
		die("steady: malloc");
	for (int i = 0; i < count; i++) {
		polls[i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		send_request(&conns[i]);
	}
	double start = now_s(), end = start + seconds;
	while (now_s() < end) {
		if (poll(polls, (nfds_t)count, 100) < 0)
			die("steady: poll");
		for (int i = 0; i < count; i++) {
			if (!(polls[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			double l = take_response(&conns[i]);
			if (l < 0)
				continue;
			if (n == cap) {
				cap *= 2;
				latency = realloc(latency, cap * sizeof *latency);
				if (!latency)
					die("steady: realloc");
			}
			latency[n++] = l;
			send_request(&conns[i]);
		}
	}
	double took = now_s() - start;
	if (n == 0) {
		fprintf(stderr, "steady: no responses in %.0f s\n", seconds);
		return 1;
	}
	qsort(latency, n, sizeof *latency, by_value);
#define PCT(p) (latency[(size_t)((double)(n - 1) * (p))] * 1000)
	printf("requests/s %.0f p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f (ms, %zu requests)\n",
	       (double)n / took, PCT(0.5), PCT(0.9), PCT(0.99), PCT(0.999), latency[n - 1] * 1000, n);
	return 0;
}
