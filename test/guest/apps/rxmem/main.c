/* Guest test of receive memory coming back: CONNS clients each send BYTES
 * that the app leaves unread, so the frames stay in the network's receive
 * buffers (lwip-port/rxbuf.c), which take pages from free memory; once the
 * app has read it all and closed, those pages must be free memory again.
 *
 *   rxmem PORT CONNS BYTES
 *
 * It accepts CONNS connections, notes the free pages, and writes one byte
 * "g" to each: the host sends its BYTES only after that byte, so every
 * buffer the data takes is taken after the first note. It waits (FIONREAD)
 * until all data is there, notes the free pages, reads it all, closes, and
 * notes them a last time:
 *   rxmem: free pages before N, holding M, after K
 * Exit 0 when the data came whole (each byte is its offset mod 251). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 64
#define WAIT_MS 20000

static void die(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: rxmem PORT CONNS BYTES\n");
		return 2;
	}
	int port = atoi(argv[1]), conns = atoi(argv[2]);
	long bytes = atol(argv[3]);
	if (conns < 1 || conns > MAX_CONNS || bytes < 1) {
		fprintf(stderr, "rxmem: CONNS must be 1..%d and BYTES positive\n", MAX_CONNS);
		return 2;
	}
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, MAX_CONNS) < 0)
		die("listen");
	printf("rxmem: listening on port %d\n", port);
	fflush(stdout);

	int fds[MAX_CONNS];
	for (int i = 0; i < conns; i++)
		if ((fds[i] = accept(lfd, NULL, NULL)) < 0)
			die("accept");
	long before = sysconf(_SC_AVPHYS_PAGES);
	for (int i = 0; i < conns; i++)
		if (write(fds[i], "g", 1) != 1)
			die("write");

	long pending = 0;
	for (int waited = 0; pending < bytes * conns; waited += 10) {
		if (waited > WAIT_MS) {
			printf("FAIL: only %ld of %ld bytes arrived\n", pending, bytes * conns);
			return 1;
		}
		sleep_ms(10);
		pending = 0;
		for (int i = 0; i < conns; i++) {
			int n = 0;
			if (ioctl(fds[i], FIONREAD, &n) < 0)
				die("FIONREAD");
			pending += n;
		}
	}
	long holding = sysconf(_SC_AVPHYS_PAGES);

	static unsigned char buf[8192];
	int bad = 0;
	for (int i = 0; i < conns; i++) {
		long got = 0;
		ssize_t n;
		while (got < bytes && (n = read(fds[i], buf, sizeof buf)) > 0) {
			for (ssize_t k = 0; k < n; k++)
				bad |= buf[k] != (unsigned char)((got + k) % 251);
			got += n;
		}
		if (got != bytes) {
			printf("FAIL: connection %d gave %ld of %ld bytes\n", i, got, bytes);
			bad = 1;
		}
		close(fds[i]);
	}
	if (bad)
		printf("FAIL: data came wrong\n");
	sleep_ms(200);          /* the closes' last frames come and go */
	printf("rxmem: free pages before %ld, holding %ld, after %ld\n", before, holding,
	       sysconf(_SC_AVPHYS_PAGES));
	return bad;
}
