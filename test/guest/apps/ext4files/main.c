/* ext4 on a disk, through the POSIX file calls: test/guest/ext4.sh makes an
 * image on the host with mke2fs -d from a tree whose bytes follow known
 * patterns, skiff mounts the lone disk at /data, and this app
 *  - "write": reads the host's files back exactly, then writes its own
 *    (a large file with a hole, a tree of directories, a rename over an
 *    existing name, a symlink, a hard link, a truncation, a removal), with
 *    fsync, for the host to check with e2fsck -fn and debugfs;
 *  - "verify": a later boot finds what "write" left;
 *  - "ro": the disk is read-only: reading works, every change is EROFS;
 *  - "nodisk": the disk did not mount (a damaged image): /data holds no
 *    file system and the app still runs.
 * The patterns are the host's (ext4.sh): byte i of a file is
 * (i * MUL + i / 4096 + ADD) mod 256. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define BIG_LEN (3L << 20)
#define HOLE_AT (5L << 20)

static int failures;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static uint8_t pattern(long i, int mul, int add) { return (uint8_t)(i * mul + i / 4096 + add); }

/* The file holds exactly `len` bytes of the pattern starting at offset 0. */
static int has_pattern(const char *path, long len, int mul, int add)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	static uint8_t buf[65536 + 1];
	long at = 0;
	int ok = 1;
	ssize_t n;
	while (ok && (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		for (ssize_t i = 0; ok && i < n; i++)
			ok = buf[i] == pattern(at + i, mul, add);
		at += n;
	}
	close(fd);
	return ok && at == len;
}

static int write_pattern(int fd, long off, long len, int mul, int add)
{
	static uint8_t buf[65536];
	while (len > 0) {
		long n = len < (long)sizeof(buf) ? len : (long)sizeof(buf);
		for (long i = 0; i < n; i++)
			buf[i] = pattern(off + i, mul, add);
		if (pwrite(fd, buf, (size_t)n, off) != n)
			return 0;
		off += n;
		len -= n;
	}
	return 1;
}

static int file_is(const char *path, const char *text)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}

static int put_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void read_host_files(void)
{
	check(has_pattern("/data/host/big.bin", 1000000, 7, 1), "the host's big.bin reads back exactly");
	check(has_pattern("/data/host/deep/er/small.bin", 5000, 13, 9), "the host's small.bin reads back exactly");
	check(file_is("/data/host/hello.txt", "hello from the host\n"), "the host's hello.txt");
	char target[64] = "";
	check(readlink("/data/host/link", target, sizeof(target)) == 9 && !memcmp(target, "hello.txt", 9),
	      "the host's symlink");
	check(file_is("/data/host/link", "hello from the host\n"), "a path through the host's symlink");
	int entries = 0;
	DIR *d = opendir("/data/host/many");
	for (struct dirent *e; d && (e = readdir(d));)
		entries++;
	if (d)
		closedir(d);
	check(entries == 200 + 2, "readdir lists the host's 200 names (and . ..)");
}

static void write_files(void)
{
	check(mkdir("/data/out", 0755) == 0, "mkdir /data/out");
	check(mkdir("/data/out/dir", 0700) == 0 && mkdir("/data/out/dir/sub", 0755) == 0, "mkdir a tree");
	int fd = open("/data/out/big.bin", O_RDWR | O_CREAT | O_EXCL, 0644);
	check(fd >= 0, "create big.bin");
	check(write_pattern(fd, 0, BIG_LEN, 31, 3), "write 3 MiB");
	check(write_pattern(fd, HOLE_AT, 4096, 31, 3), "write past a 2 MiB hole");
	check(fsync(fd) == 0, "fsync big.bin");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == HOLE_AT + 4096, "its size");
	check(st.st_blocks * 512 < HOLE_AT, "the hole takes no blocks");
	close(fd);
	check(put_text("/data/out/dir/sub/small.txt", "small text\n"), "a file two directories down");
	check(put_text("/data/out/old.txt", "old\n") && put_text("/data/out/new.txt", "new\n"), "two files");
	check(rename("/data/out/new.txt", "/data/out/old.txt") == 0, "rename over an existing name");
	check(access("/data/out/new.txt", F_OK) != 0 && errno == ENOENT, "the old name is gone");
	check(rename("/data/out/dir/sub", "/data/out/moved") == 0, "rename a directory across directories");
	check(symlink("moved/small.txt", "/data/out/sym") == 0, "symlink");
	check(link("/data/out/old.txt", "/data/out/hard") == 0, "hard link");
	check(put_text("/data/out/gone.txt", "bye\n") && unlink("/data/out/gone.txt") == 0, "unlink");
	check(rmdir("/data/out/dir") == 0, "rmdir the emptied directory");
	check(rmdir("/data/out") != 0 && errno == ENOTEMPTY, "rmdir a full directory: ENOTEMPTY");
	fd = open("/data/out/trunc.bin", O_RDWR | O_CREAT, 0644);
	check(fd >= 0 && write_pattern(fd, 0, 100000, 5, 0) && ftruncate(fd, 12345) == 0 && fsync(fd) == 0,
	      "truncate to 12345 bytes");
	close(fd);
	struct statvfs sv;
	check(statvfs("/data", &sv) == 0 && sv.f_blocks > sv.f_bfree && sv.f_namemax == 255, "statvfs");
	sync();
}

static void verify_files(void)
{
	check(has_pattern("/data/out/trunc.bin", 12345, 5, 0), "trunc.bin from the last boot");
	check(file_is("/data/out/old.txt", "new\n"), "the renamed file from the last boot");
	check(file_is("/data/out/sym", "small text\n"), "the symlink from the last boot");
	struct stat st;
	check(stat("/data/out/hard", &st) == 0 && st.st_nlink == 2, "the hard link from the last boot");
}

static void read_only_checks(void)
{
	check(file_is("/data/host/hello.txt", "hello from the host\n"), "reading a read-only disk");
	errno = 0;
	check(open("/data/new", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS, "create on a read-only disk: EROFS");
	errno = 0;
	check(open("/data/host/hello.txt", O_WRONLY) < 0 && errno == EROFS, "open for writing: EROFS");
	errno = 0;
	check(mkdir("/data/d", 0755) < 0 && errno == EROFS, "mkdir: EROFS");
	errno = 0;
	check(unlink("/data/host/hello.txt") < 0 && errno == EROFS, "unlink: EROFS");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "write";
	if (!strcmp(mode, "write")) {
		read_host_files();
		write_files();
	} else if (!strcmp(mode, "verify")) {
		verify_files();
	} else if (!strcmp(mode, "ro")) {
		read_only_checks();
	} else if (!strcmp(mode, "nodisk")) {
		check(access("/data/host/hello.txt", F_OK) != 0, "no file system at /data");
		printf("ext4files: still running\n");
	}
	printf("ext4files: %d failures\n", failures);
	return failures ? 1 : 0;
}
