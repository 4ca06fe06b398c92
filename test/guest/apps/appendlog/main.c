/* appendlog: an append-only log with fsync after every record, for the
 * crash test (test/guest/crash.sh). Each record is one 61-byte line,
 * "NNNNNNNNNN PAYLOAD CHECKSUM\n", whose payload and checksum follow from
 * its number, so any copy of the log can be checked on its own.
 *
 * At start it reads the log: every complete record must be intact and
 * numbered in order (else it reports CORRUPT and exits 3); a partial last
 * record (a write the crash cut short, never acknowledged) is cut off.
 * Then it appends records up to the count in argv[1], printing "ack N"
 * only after the fsync that made record N durable returned.
 * argv[2] (optional): the log's path, /data/log by default. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD 61
#define PAYLOAD 40

static unsigned checksum(const char *s, size_t len)
{
	unsigned h = 2166136261u;       /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void make_record(unsigned n, char out[RECORD + 1])
{
	char body[10 + 1 + PAYLOAD + 1];
	int at = snprintf(body, sizeof(body), "%010u ", n);
	for (int j = 0; j < PAYLOAD; j++)
		body[at + j] = (char)('a' + (n * 31u + (unsigned)j * 7u) % 26u);
	body[at + PAYLOAD] = '\0';
	snprintf(out, RECORD + 1, "%s %08x\n", body, checksum(body, strlen(body)));
}

int main(int argc, char **argv)
{
	unsigned limit = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000;
	const char *path = argc > 2 ? argv[2] : "/data/log";
	setvbuf(stdout, NULL, _IOLBF, 0);
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		printf("appendlog: open %s: %s\n", path, strerror(errno));
		return 2;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		printf("appendlog: fstat: %s\n", strerror(errno));
		return 2;
	}
	unsigned n = 0;
	char want[RECORD + 1], got[RECORD];
	off_t at = 0;
	for (; at + RECORD <= st.st_size; at += RECORD, n++) {
		make_record(n, want);
		if (pread(fd, got, RECORD, at) != RECORD || memcmp(got, want, RECORD) != 0) {
			printf("appendlog: CORRUPT record %u at byte %ld\n", n, (long)at);
			return 3;
		}
	}
	if (at < st.st_size) {
		printf("appendlog: cutting a partial record (%ld bytes)\n", (long)(st.st_size - at));
		if (ftruncate(fd, at) != 0 || fsync(fd) != 0) {
			printf("appendlog: ftruncate: %s\n", strerror(errno));
			return 2;
		}
	}
	printf("appendlog: %u records intact\n", n);
	for (; n < limit; n++, at += RECORD) {
		make_record(n, want);
		if (pwrite(fd, want, RECORD, at) != RECORD || fsync(fd) != 0) {
			printf("appendlog: record %u: %s\n", n, strerror(errno));
			return 2;
		}
		printf("ack %u\n", n);
	}
	close(fd);
	printf("appendlog: done, %u records\n", n);
	return 0;
}
