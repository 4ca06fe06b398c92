/* Guest test of a connection burst to a neighbour whose MAC address is not
 * known yet: COUNT non-blocking connects to ADDR:PORT at once, then poll
 * until every one is connected. All SYNs wait together for the one ARP
 * answer; a stack that keeps only the latest waiting packet sends one SYN
 * and leaves the rest to its retransmission timer, seconds later.
 * Usage: burst ADDR PORT COUNT LIMIT_MS   (exit 0: all connected in time)
 * A plain POSIX program: it also builds and runs natively on Linux. */
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

#define MAX_SOCKETS 64

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int start_connect(const struct sockaddr_in *to)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		perror("burst: socket");
		exit(2);
	}
	if (connect(fd, (const struct sockaddr *)to, sizeof *to) < 0 && errno != EINPROGRESS) {
		perror("burst: connect");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct pollfd waiting[MAX_SOCKETS];
	int count, limit_ms, connected = 0;

	if (argc != 5 || inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    (count = atoi(argv[3])) < 1 || count > MAX_SOCKETS || (limit_ms = atoi(argv[4])) < 1) {
		fprintf(stderr, "usage: burst ADDR PORT COUNT(1..%d) LIMIT_MS\n", MAX_SOCKETS);
		return 2;
	}
	to.sin_port = htons((unsigned short)atoi(argv[2]));
	long long start = now_ms();
	for (int i = 0; i < count; i++)
		waiting[i] = (struct pollfd){ .fd = start_connect(&to), .events = POLLOUT };
	while (connected < count) {
		long long left = start + limit_ms - now_ms();
		if (left <= 0)
			break;
		if (poll(waiting, (nfds_t)count, (int)left) < 0) {
			perror("burst: poll");
			return 1;
		}
		for (int i = 0; i < count; i++) {
			int err = 0;
			socklen_t len = sizeof err;
			if (waiting[i].fd < 0 || waiting[i].revents == 0)
				continue;
			getsockopt(waiting[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err != 0) {
				fprintf(stderr, "burst: connection %d: %s\n", i, strerror(err));
				return 1;
			}
			connected++;
			waiting[i].fd = -1; /* poll skips negative descriptors */
		}
	}
	printf("burst: %d of %d connected in %lld ms\n", connected, count, now_ms() - start);
	return connected == count ? 0 : 1;
}
