/* Disks as block devices (/dev/vda...), through the block cache and
 * virtio-blk. The host (test/guest/blk.sh) fills vda with a known pattern;
 * this reads it back at scattered offsets, overwrites a range that is not
 * block-aligned with another pattern, syncs, and checks the errors Linux
 * gives: past the end ENOSPC, on a read-only disk (vdb) EROFS.
 * argv[1]: "write" (the above), "verify" (the range written by an
 * earlier boot is there) or "eio" (the host's QEMU fails reads and writes
 * of the 4 KiB at 2 MiB: both give EIO, the write at fsync, every time). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WRITE_AT 1000003L               /* odd: spans partial blocks */
#define WRITE_LEN 300001L

static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	failures += !ok;
}

static uint8_t host_byte(long i) { return (uint8_t)(i * 7 + (i >> 12)); }
static uint8_t guest_byte(long i) { return (uint8_t)(i * 13 + 5); }

static int pattern_at(int fd, long off, long len, uint8_t (*byte)(long))
{
	uint8_t *buf = malloc((size_t)len);
	int ok = buf && pread(fd, buf, (size_t)len, off) == len;
	for (long i = 0; ok && i < len; i++)
		ok = buf[i] == byte(off + i);
	free(buf);
	return ok;
}

static void write_checks(int fd, off_t size)
{
	uint8_t *buf = malloc(WRITE_LEN);
	for (long i = 0; i < WRITE_LEN; i++)
		buf[i] = guest_byte(WRITE_AT + i);
	check(pwrite(fd, buf, WRITE_LEN, WRITE_AT) == WRITE_LEN, "pwrite across blocks");
	free(buf);
	check(fsync(fd) == 0, "fsync");
	check(pattern_at(fd, WRITE_AT, WRITE_LEN, guest_byte), "written range reads back");
	check(pattern_at(fd, WRITE_AT - 5000, 5000, host_byte), "bytes before the range kept");
	check(pattern_at(fd, WRITE_AT + WRITE_LEN, 7000, host_byte), "bytes after the range kept");
	char c = 'x';
	errno = 0;
	check(pwrite(fd, &c, 1, size) == -1 && errno == ENOSPC, "write past the end: ENOSPC");
	check(pread(fd, &c, 1, size) == 0, "read at the end: 0");
	check(pwrite(fd, "ab", 2, size - 1) == 1, "write across the end is short");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "write";
	struct stat st;
	check(stat("/dev/vda", &st) == 0 && S_ISBLK(st.st_mode), "/dev/vda is a block device");
	int fd = open("/dev/vda", O_RDWR);
	check(fd >= 0, "open /dev/vda");
	if (fd < 0)
		return 1;
	off_t size = lseek(fd, 0, SEEK_END);
	printf("vda size %ld\n", (long)size);
	check(size == st.st_size && size > WRITE_AT + WRITE_LEN, "size from stat and lseek");
	if (strcmp(mode, "eio") == 0) {
		char buf[512];
		errno = 0;
		check(pread(fd, buf, sizeof(buf), 2 << 20) == -1 && errno == EIO, "a failing read: EIO");
		check(pread(fd, buf, sizeof(buf), 1 << 20) == (ssize_t)sizeof(buf), "other reads work");
		check(pwrite(fd, buf, sizeof(buf), (3 << 20) + 100) == (ssize_t)sizeof(buf),
		      "a write into the cache succeeds");
		errno = 0;
		check(fsync(fd) == -1 && errno == EIO, "its write-back fails: fsync EIO");
		errno = 0;
		check(fsync(fd) == -1 && errno == EIO, "and the next fsync again");
	} else if (strcmp(mode, "verify") == 0) {
		check(pattern_at(fd, WRITE_AT, WRITE_LEN, guest_byte), "the last boot's writes are on the disk");
		check(pattern_at(fd, 0, 4096, host_byte), "block 0 untouched");
	} else {
		int ok = 1;
		for (long off = 0; off + 10000 < size && ok; off += 262147)
			ok = pattern_at(fd, off, 10000, host_byte);
		check(ok, "the host's pattern at scattered offsets");
		check(pattern_at(fd, 0, size, host_byte), "the whole disk in one read");
		write_checks(fd, size);
	}
	close(fd);
	int ro = open("/dev/vdb", O_RDWR);
	if (ro >= 0) {
		char c = 'x';
		errno = 0;
		check(pwrite(ro, &c, 1, 0) == -1 && errno == EROFS, "write to the read-only disk: EROFS");
		check(pread(ro, &c, 1, 0) == 1, "read from the read-only disk");
		close(ro);
	}
	printf("blkraw: %d failures\n", failures);
	return failures ? 1 : 0;
}
