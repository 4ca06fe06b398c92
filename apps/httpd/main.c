/* httpd: a small HTTP/1.1 server, one thread, one poll() loop.
 *
 *   httpd [--port N] [--bind ADDR] [--idle-timeout SECONDS]
 *         [--max-conns N] [--max-body BYTES]
 *
 * GET or HEAD of "/" (any query string) answers 200 with the 24-byte body
 * "Hello World from skiff!\n" as text/plain; other paths 404, other methods
 * 405 with "Allow: GET, HEAD". Keep-alive and pipelining as in HTTP/1.1;
 * malformed requests get 400 (413 for a head over 8 KiB or a body over
 * --max-body, 408 after --idle-timeout seconds without a complete request)
 * and the connection is closed, never the server.
 *
 * When listening it writes exactly "httpd: listening on port N" to stdout
 * (one write(), no stdio buffer): tests and benchmarks wait for that line.
 *
 * Plain POSIX, builds unchanged for skiff and for Linux. Single-threaded on
 * purpose: the unikernel's scheduler is cooperative, and an event loop never
 * blocks anywhere but in poll(). */
#define _POSIX_C_SOURCE 200809L

#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ROOT_BODY "Hello World from skiff!\n"
#define ALLOW_LINE "Allow: GET, HEAD\r\n"

/* Stop reading a connection while this much output waits for the client:
 * a pipelining client that never reads cannot make us buffer without end. */
#define OUT_HIGH_WATER (64 * 1024)
/* After an error response the write side is shut and input drained this
 * long, so the client sees the response instead of a reset. */
#define LINGER_MS 2000

struct options {
	int port;
	struct in_addr bind;
	long long idle_ms;
	size_t max_conns;
	unsigned long long max_body;
};

enum conn_state {
	CONN_ACTIVE,  /* reading and answering requests */
	CONN_CLOSING, /* answering is over: write what is queued, then linger */
	CONN_LINGER,  /* write side shut: discard input until EOF or deadline */
	CONN_DEAD,    /* closed, removed at the end of the loop iteration */
};

struct conn {
	int fd;
	enum conn_state state;
	long long deadline; /* monotonic ms; see expire() */
	unsigned long long discard; /* request body bytes still to skip */
	size_t in_off, in_len;      /* unparsed input is in[in_off..in_len) */
	char *out;
	size_t out_off, out_len, out_cap;
	char in[]; /* max head size */
};

static struct options opt;
static struct conn **conns;
static size_t nconns;
/* Out of descriptors or memory: accept nothing until then (monotonic ms),
 * rather than spin on a listener that stays readable. */
static long long accept_paused_until;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL, 0);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void conn_close(struct conn *c)
{
	if (c->state != CONN_DEAD)
		close(c->fd);
	c->state = CONN_DEAD;
}

/* Queues bytes for the client; a failed allocation drops the connection. */
static void out_append(struct conn *c, const char *data, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + n)
			cap *= 2;
		char *p = realloc(c->out, cap);
		if (p == NULL) {
			conn_close(c);
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, n);
	c->out_len += n;
}

static void respond(struct conn *c, int status, const char *extra, const char *body,
                    int head_only, int keep_alive, int version_minor)
{
	char head[512];
	size_t blen = strlen(body);
	size_t n = http_format_head(head, sizeof head, status, "text/plain", blen, extra,
	                            keep_alive, version_minor);

	out_append(c, head, n);
	if (!head_only && c->state != CONN_DEAD)
		out_append(c, body, blen);
}

/* An error ends the connection: the response says so and nothing after it
 * is read. */
static void respond_error(struct conn *c, int status)
{
	char body[64];

	snprintf(body, sizeof body, "%s\n", http_reason(status));
	respond(c, status, status == 405 ? ALLOW_LINE : NULL, body, 0, 0, 1);
	if (c->state != CONN_DEAD)
		c->state = CONN_CLOSING;
}

static void answer(struct conn *c, const struct http_request *req)
{
	int head_only = req->method == HTTP_METHOD_HEAD;

	if (req->method == HTTP_METHOD_OTHER) {
		respond(c, 405, ALLOW_LINE, "Method Not Allowed\n", 0, req->keep_alive,
		        req->version_minor);
	} else if (req->path_len == 1 && req->target[0] == '/') {
		respond(c, 200, NULL, ROOT_BODY, head_only, req->keep_alive, req->version_minor);
	} else {
		respond(c, 404, NULL, "Not Found\n", head_only, req->keep_alive,
		        req->version_minor);
	}
}

/* Answers every complete request in the input buffer, in order. */
static void process(struct conn *c)
{
	struct http_request req;

	while (c->state == CONN_ACTIVE && c->out_len - c->out_off < OUT_HIGH_WATER) {
		size_t avail = c->in_len - c->in_off;
		if (c->discard > 0) {
			size_t n = c->discard < avail ? (size_t)c->discard : avail;
			c->in_off += n;
			c->discard -= n;
			if (c->discard > 0)
				break;
			continue;
		}
		if (avail == 0)
			break;
		int r = http_parse_request(c->in + c->in_off, avail, HTTP_MAX_HEAD_DEFAULT, &req);
		if (r == 0)
			break;
		if (r < 0) {
			respond_error(c, -r);
			break;
		}
		if (req.content_length > opt.max_body) {
			respond_error(c, 413);
			break;
		}
		answer(c, &req);
		c->in_off += req.head_len;
		c->discard = req.content_length;
		c->deadline = now_ms() + opt.idle_ms;
		if (!req.keep_alive && c->state == CONN_ACTIVE)
			c->state = CONN_CLOSING;
	}
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
}

/* Writes what is queued; a closing connection whose output is all out gets
 * its write side shut and lingers. */
static void flush(struct conn *c)
{
	while (c->state != CONN_DEAD && c->out_off < c->out_len) {
#ifdef MSG_NOSIGNAL
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
#else
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
#endif
		if (n > 0) {
			c->out_off += (size_t)n;
			c->deadline = now_ms() + opt.idle_ms;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else {
			conn_close(c); /* EPIPE, ECONNRESET...: only this client is gone */
			return;
		}
	}
	if (c->state == CONN_DEAD)
		return;
	c->out_off = c->out_len = 0;
	if (c->state == CONN_CLOSING) {
		shutdown(c->fd, SHUT_WR);
		c->state = CONN_LINGER;
		long long linger = now_ms() + LINGER_MS;
		if (linger < c->deadline)
			c->deadline = linger;
	}
}

static void on_readable(struct conn *c)
{
	char scratch[4096];

	if (c->state == CONN_LINGER) {
		ssize_t n = read(c->fd, scratch, sizeof scratch);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			conn_close(c);
		return;
	}
	if (c->in_off > 0) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	if (c->in_len == HTTP_MAX_HEAD_DEFAULT)
		return; /* cannot happen while active: the parser answered 413 */
	ssize_t n = read(c->fd, c->in + c->in_len, HTTP_MAX_HEAD_DEFAULT - c->in_len);
	if (n > 0) {
		c->in_len += (size_t)n;
		process(c);
	} else if (n == 0) {
		/* The client is done sending; answer what came, then close. */
		c->state = CONN_CLOSING;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		conn_close(c);
	}
}

/* Deadlines: an active connection idle for too long gets 408 (or is just
 * dropped when it is not reading what we already owe it); a closing or
 * lingering one is dropped. */
static void expire(struct conn *c, long long now)
{
	if (c->state == CONN_DEAD || now < c->deadline)
		return;
	if (c->state == CONN_ACTIVE && c->out_off == c->out_len) {
		respond_error(c, 408);
		c->deadline = now + LINGER_MS;
		flush(c);
	} else {
		conn_close(c);
	}
}

static void accept_clients(int lfd)
{
	while (nconns < opt.max_conns) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				perror("httpd: accept");
				accept_paused_until = now_ms() + 100;
			}
			return;
		}
		struct conn *c = calloc(1, sizeof *c + HTTP_MAX_HEAD_DEFAULT);
		if (c == NULL || set_nonblocking(fd) < 0) {
			free(c);
			close(fd);
			continue;
		}
#ifdef TCP_NODELAY
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#endif
		c->fd = fd;
		c->state = CONN_ACTIVE;
		c->deadline = now_ms() + opt.idle_ms;
		conns[nconns++] = c;
	}
}

static short wanted_events(const struct conn *c)
{
	switch (c->state) {
	case CONN_ACTIVE:
		if (c->out_off < c->out_len)
			return c->out_len - c->out_off < OUT_HIGH_WATER ? POLLIN | POLLOUT : POLLOUT;
		return POLLIN;
	case CONN_CLOSING:
		return POLLOUT;
	case CONN_LINGER:
		return POLLIN;
	default:
		return 0;
	}
}

/* Frees dead connections, keeping the others in order. */
static void reap(void)
{
	size_t j = 0;

	for (size_t i = 0; i < nconns; i++) {
		if (conns[i]->state == CONN_DEAD) {
			free(conns[i]->out);
			free(conns[i]);
		} else {
			conns[j++] = conns[i];
		}
	}
	nconns = j;
}

static int poll_timeout(long long now)
{
	long long first = accept_paused_until > now ? accept_paused_until : -1;

	for (size_t i = 0; i < nconns; i++)
		if (first < 0 || conns[i]->deadline < first)
			first = conns[i]->deadline;
	if (first < 0)
		return -1;
	if (first <= now)
		return 0;
	return first - now > 60000 ? 60000 : (int)(first - now);
}

static void serve(int lfd)
{
	struct pollfd *pfds = calloc(opt.max_conns + 1, sizeof *pfds);

	if (pfds == NULL) {
		fprintf(stderr, "httpd: out of memory\n");
		exit(1);
	}
	for (;;) {
		/* The listener goes last, and only while we accept: no negative
		 * fds for poll() to skip. */
		size_t polled = nconns;
		int accepting = nconns < opt.max_conns && now_ms() >= accept_paused_until;
		for (size_t i = 0; i < nconns; i++) {
			pfds[i].fd = conns[i]->fd;
			pfds[i].events = wanted_events(conns[i]);
			pfds[i].revents = 0;
		}
		pfds[polled].fd = lfd;
		pfds[polled].events = POLLIN;
		pfds[polled].revents = 0;
		if (poll(pfds, polled + (accepting ? 1 : 0), poll_timeout(now_ms())) < 0) {
			if (errno == EINTR)
				continue;
			perror("httpd: poll");
			exit(1);
		}
		for (size_t i = 0; i < polled; i++) {
			struct conn *c = conns[i];
			short ev = pfds[i].revents;
			if (ev & (POLLIN | POLLHUP | POLLERR)) {
				if (c->state == CONN_CLOSING && !(ev & POLLOUT))
					conn_close(c); /* hung up before taking its answer */
				else if (c->state != CONN_CLOSING)
					on_readable(c);
			}
			if (c->state != CONN_DEAD && (ev & POLLOUT || c->out_off < c->out_len)) {
				flush(c);
				process(c); /* input held back by a full output queue */
				flush(c);
			}
			if (c->state == CONN_CLOSING && c->out_off == c->out_len)
				flush(c);
		}
		long long now = now_ms();
		for (size_t i = 0; i < nconns; i++)
			expire(conns[i], now);
		reap();
		if (accepting && pfds[polled].revents & POLLIN)
			accept_clients(lfd);
	}
}

static int listen_on(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		perror("httpd: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)opt.port);
	sa.sin_addr = opt.bind;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 128) < 0 ||
	    set_nonblocking(fd) < 0 || getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		perror("httpd: bind/listen");
		close(fd);
		return -1;
	}
	opt.port = ntohs(sa.sin_port);
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: httpd [--port N] [--bind ADDR] [--idle-timeout SECONDS]\n"
	                "             [--max-conns N] [--max-body BYTES]\n");
	exit(2);
}

/* A whole number in [min, max]: "8080.5" or "1e3" is a usage error. */
static unsigned long long whole_number(const char *s, unsigned long long min, unsigned long long max)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || *end != '\0' || *s == '-' || errno != 0 || v < min || v > max)
		usage();
	return v;
}

static double seconds(const char *s, double min, double max)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v >= min && v <= max))
		usage();
	return v;
}

static void parse_args(int argc, char **argv)
{
	opt.port = 8080;
	opt.bind.s_addr = htonl(INADDR_ANY);
	opt.idle_ms = 10000;
	opt.max_conns = 256;
	opt.max_body = 64 * 1024;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL)
			usage();
		if (strcmp(a, "--port") == 0)
			opt.port = (int)whole_number(v, 0, 65535);
		else if (strcmp(a, "--idle-timeout") == 0)
			opt.idle_ms = (long long)(seconds(v, 0.001, 86400) * 1000);
		else if (strcmp(a, "--max-conns") == 0)
			opt.max_conns = (size_t)whole_number(v, 1, 65536);
		else if (strcmp(a, "--max-body") == 0)
			opt.max_body = whole_number(v, 0, 1000000000000000ULL);
		else if (strcmp(a, "--bind") != 0 || inet_pton(AF_INET, v, &opt.bind) != 1)
			usage();
	}
	if (opt.idle_ms < 1)
		opt.idle_ms = 1;
}

/* The ready line, in one write() that nothing buffers: a client may start
 * the moment it sees it. Made without printf, which would be the only
 * formatted output of a successful run. */
static void announce(void)
{
	char line[64] = "httpd: listening on port ";
	size_t n = strlen(line);

	n += http_decimal(line + n, (unsigned)opt.port);
	line[n++] = '\n';
	if (write(STDOUT_FILENO, line, n) != (ssize_t)n)
		perror("httpd: stdout");
}

int main(int argc, char **argv)
{
	parse_args(argc, argv);
	conns = calloc(opt.max_conns, sizeof *conns);
	int lfd = listen_on();
	if (conns == NULL || lfd < 0)
		return 1;
	announce();
	serve(lfd);
	return 0;
}
