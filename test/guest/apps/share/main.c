/* share: a host directory over 9p (test/guest/share.sh). SHARE_DIR names
 * the directory (the mount point in the guest; a scratch copy of the tree
 * when run natively on Linux, which checks every expectation against
 * Linux's own behaviour), SHARE_MODE what to check:
 *   rw       read what the host made (byte-exact, a file larger than
 *            msize, a directory of many entries, a symlink), then make
 *            files, directories and names that the host checks after
 *   ro       a read-only share: reads work, every write gives EROFS
 *   missing  the share was not mounted: the app still runs
 * Each check prints "ok NAME" or "FAIL NAME: why"; the last line is
 * "share: N failures" and the exit status N. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define BIG_SIZE 300007         /* several msize (64 KiB) reads, not a multiple */
#define OUT_SIZE 200003
#define MANY 1500               /* entries: more than one Treaddir answer */

static int failures;

static void check(int ok, const char *name, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("FAIL %s: %s (errno %d %s)\n", name, why, errno, strerror(errno));
		failures++;
	}
}

/* The bytes of the host's big.bin and of the guest's out.bin (share.sh
 * makes and checks the same ones). */
static unsigned char pattern(size_t i, unsigned seed) { return (unsigned char)((i * seed + i / 251) & 0xFF); }

static char path_buf[4][512];

static const char *at(int slot, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", getenv("SHARE_DIR"), name);
	return path_buf[slot];
}

static ssize_t read_all(const char *path, unsigned char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t got = 0;
	ssize_t n;
	/* Odd-sized reads, so that pieces straddle the 9p messages. */
	while (got < size && (n = read(fd, buf + got, size - got < 40000 ? size - got : 40000)) > 0)
		got += (size_t)n;
	close(fd);
	return (ssize_t)got;
}

static int text_is(const char *path, const char *want)
{
	char buf[256];
	ssize_t n = read_all(path, (unsigned char *)buf, sizeof(buf) - 1);
	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, want) == 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void read_host_files(void)
{
	check(text_is(at(0, "hello.txt"), "hello from the host\n"), "read host file", "content differs");
	static unsigned char big[BIG_SIZE + 10];
	ssize_t n = read_all(at(0, "big.bin"), big, sizeof(big));
	int same = n == BIG_SIZE;
	for (size_t i = 0; same && i < BIG_SIZE; i++)
		same = big[i] == pattern(i, 7);
	check(same, "read file larger than msize", "size or bytes differ");
	struct stat st;
	check(stat(at(0, "big.bin"), &st) == 0 && st.st_size == BIG_SIZE && S_ISREG(st.st_mode),
	      "stat host file", "size or type");
	check(stat(at(0, "sub"), &st) == 0 && S_ISDIR(st.st_mode), "stat host dir", "not a directory");
	check(text_is(at(0, "sub/inner.txt"), "inner\n"), "read nested file", "content differs");
	char target[64];
	ssize_t t = readlink(at(0, "hostlink"), target, sizeof(target));
	check(t == 9 && memcmp(target, "hello.txt", 9) == 0, "readlink host symlink", "target differs");
	check(text_is(at(0, "hostlink"), "hello from the host\n"), "read through symlink", "content differs");
	int fd = open(at(0, "big.bin"), O_RDONLY);
	unsigned char piece[5];
	check(fd >= 0 && pread(fd, piece, 5, 123456) == 5 && piece[0] == pattern(123456, 7) &&
	      piece[4] == pattern(123460, 7), "pread at an offset", "bytes differ");
	check(fd >= 0 && lseek(fd, 0, SEEK_END) == BIG_SIZE, "lseek SEEK_END", "size");
	close(fd);
	check(open(at(0, "nosuch"), O_RDONLY) < 0 && errno == ENOENT, "ENOENT", "opened a missing file");
}

/* Threads reading one file at once: each blocks on its own request, so
 * several are in flight on the device together. */
#define READERS 3

static void *reader(void *arg)
{
	static unsigned char bufs[READERS][BIG_SIZE];
	unsigned char *buf = bufs[(uintptr_t)arg];
	char path[512];
	snprintf(path, sizeof(path), "%s/big.bin", getenv("SHARE_DIR"));
	ssize_t n = read_all(path, buf, BIG_SIZE);
	int same = n == BIG_SIZE;
	for (size_t i = 0; same && i < BIG_SIZE; i++)
		same = buf[i] == pattern(i, 7);
	return (void *)(uintptr_t)same;
}

static void concurrent_reads(void)
{
	pthread_t t[READERS];
	int started = 0, good = 0;
	for (uintptr_t i = 0; i < READERS; i++)
		started += pthread_create(&t[i], NULL, reader, (void *)i) == 0;
	for (int i = 0; i < started; i++) {
		void *r;
		pthread_join(t[i], &r);
		good += r != NULL;
	}
	check(started == READERS && good == READERS, "concurrent readers", "a reader saw other bytes");
}

static void list_dirs(void)
{
	DIR *d = opendir(getenv("SHARE_DIR"));
	int seen = 0, dots = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, "hello.txt") == 0 || strcmp(e->d_name, "big.bin") == 0 ||
		    (strcmp(e->d_name, "sub") == 0 && e->d_type == DT_DIR))
			seen++;
		dots += strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	}
	check(d && seen == 3 && dots == 2, "readdir root", "entries missing");
	if (d)
		closedir(d);
	/* MANY entries of long names: several Treaddir answers. Each name
	 * once, and all of them. */
	static unsigned char found[MANY];
	memset(found, 0, sizeof(found));
	int count = 0, dup = 0;
	d = opendir(at(0, "many"));
	while (d && (e = readdir(d))) {
		unsigned i;
		if (sscanf(e->d_name, "entry-with-a-rather-long-name-to-fill-messages-%u", &i) == 1 && i < MANY) {
			dup += found[i];
			found[i] = 1;
			count++;
		}
	}
	check(d && count == MANY && dup == 0, "readdir many entries", "count or duplicates");
	if (d) {
		rewinddir(d);
		int again = 0;
		while ((e = readdir(d)))
			again++;
		check(again == MANY + 2, "rewinddir lists again", "count");
		closedir(d);
	}
}

static void write_big(void)
{
	static unsigned char out[OUT_SIZE];
	for (size_t i = 0; i < OUT_SIZE; i++)
		out[i] = pattern(i, 13);
	int fd = open(at(0, "guest/out.bin"), O_RDWR | O_CREAT | O_EXCL, 0644);
	size_t done = 0;
	/* Pieces of odd sizes, larger and smaller than msize. */
	size_t sizes[] = { 1, 99999, 70000, 4096 };
	for (int k = 0; fd >= 0 && done < OUT_SIZE; k = (k + 1) % 4) {
		size_t len = sizes[k] < OUT_SIZE - done ? sizes[k] : OUT_SIZE - done;
		if (write(fd, out + done, len) != (ssize_t)len)
			break;
		done += len;
	}
	check(done == OUT_SIZE, "write file larger than msize", "short write");
	check(fd >= 0 && fsync(fd) == 0, "fsync", "failed");
	check(fd >= 0 && fdatasync(fd) == 0, "fdatasync", "failed");
	static unsigned char back[OUT_SIZE];
	check(fd >= 0 && pread(fd, back, OUT_SIZE, 0) == OUT_SIZE && memcmp(back, out, OUT_SIZE) == 0,
	      "read back what was written", "bytes differ");
	close(fd);
	check(open(at(0, "guest/out.bin"), O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 && errno == EEXIST, "O_EXCL",
	      "no EEXIST");
}

static void names(void)
{
	check(write_text(at(0, "guest/old.txt"), "old\n") == 0 && write_text(at(1, "guest/new.txt"), "new\n") == 0 &&
	      rename(at(1, "guest/new.txt"), at(0, "guest/old.txt")) == 0 && text_is(at(0, "guest/old.txt"), "new\n"),
	      "rename replaces", "content");
	check(write_text(at(0, "guest/gone.txt"), "x") == 0 && unlink(at(0, "guest/gone.txt")) == 0 &&
	      access(at(0, "guest/gone.txt"), F_OK) < 0 && errno == ENOENT, "unlink", "still there");
	check(symlink("out.bin", at(0, "guest/link")) == 0, "symlink", "failed");
	char target[64];
	ssize_t t = readlink(at(0, "guest/link"), target, sizeof(target));
	check(t == 7 && memcmp(target, "out.bin", 7) == 0, "readlink", "target");
	struct stat a, b;
	check(link(at(0, "guest/out.bin"), at(1, "guest/hard")) == 0 && stat(at(0, "guest/out.bin"), &a) == 0 &&
	      stat(at(1, "guest/hard"), &b) == 0 && a.st_ino == b.st_ino && a.st_nlink == 2, "link", "inode or count");
	check(mkdir(at(0, "guest/d1"), 0755) == 0 && mkdir(at(1, "guest/d1/d2"), 0700) == 0, "mkdir", "failed");
	check(rmdir(at(0, "guest/d1")) < 0 && errno == ENOTEMPTY, "rmdir non-empty", "no ENOTEMPTY");
	check(rmdir(at(0, "guest/d1/d2")) == 0, "rmdir", "failed");
	check(unlink(at(0, "guest/d1")) < 0 && errno == EISDIR, "unlink a directory", "no EISDIR");
	check(rename(at(0, "guest/d1"), at(1, "guest/moved")) == 0 && stat(at(1, "guest/moved"), &a) == 0 &&
	      S_ISDIR(a.st_mode), "rename directory", "failed");
	check(chmod(at(0, "guest/old.txt"), 0640) == 0 && stat(at(0, "guest/old.txt"), &a) == 0 &&
	      (a.st_mode & 07777) == 0640, "chmod", "mode");
	check(truncate(at(0, "guest/old.txt"), 2) == 0 && stat(at(0, "guest/old.txt"), &a) == 0 && a.st_size == 2,
	      "truncate", "size");
	struct timespec times[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
	check(utimensat(AT_FDCWD, at(0, "guest/old.txt"), times, 0) == 0 && stat(at(0, "guest/old.txt"), &a) == 0 &&
	      a.st_mtim.tv_sec == 1234567890, "utimensat", "mtime");
}

/* An open file follows its renames: the vnode is the file's, not the
 * name's. Appends land at the end the host sees. */
static void open_files(void)
{
	int fd = open(at(0, "guest/moving.txt"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	check(fd >= 0 && write(fd, "one\n", 4) == 4, "create", "failed");
	check(rename(at(0, "guest/moving.txt"), at(1, "guest/moved.txt")) == 0, "rename open file", "failed");
	check(fd >= 0 && write(fd, "two\n", 4) == 4 && close(fd) == 0, "write after rename", "failed");
	check(text_is(at(1, "guest/moved.txt"), "one\ntwo\n"), "written under the new name", "content");
	fd = open(at(1, "guest/moved.txt"), O_WRONLY | O_APPEND);
	check(fd >= 0 && write(fd, "three\n", 6) == 6 && close(fd) == 0, "O_APPEND", "failed");
	int f1 = open(at(1, "guest/moved.txt"), O_RDONLY), f2 = open(at(1, "guest/moved.txt"), O_RDONLY);
	struct stat s1, s2;
	check(f1 >= 0 && f2 >= 0 && fstat(f1, &s1) == 0 && fstat(f2, &s2) == 0 && s1.st_ino == s2.st_ino &&
	      s1.st_size == 14, "fstat", "inode or size");
	close(f1);
	close(f2);
	struct statvfs v;
	check(statvfs(getenv("SHARE_DIR"), &v) == 0 && v.f_bsize > 0 && v.f_blocks > 0, "statvfs", "figures");
	check(chdir(at(0, "guest")) == 0 && text_is("moved.txt", "one\ntwo\nthree\n"), "chdir into the share",
	      "relative read");
	chdir("/");
}

static void read_only(void)
{
	check(text_is(at(0, "hello.txt"), "hello from the host\n"), "read on a read-only share", "content");
	check(open(at(0, "new.txt"), O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS, "create gives EROFS", "no EROFS");
	check(open(at(0, "hello.txt"), O_RDWR) < 0 && errno == EROFS, "open for writing gives EROFS", "no EROFS");
	check(mkdir(at(0, "newdir"), 0755) < 0 && errno == EROFS, "mkdir gives EROFS", "no EROFS");
	check(unlink(at(0, "hello.txt")) < 0 && errno == EROFS, "unlink gives EROFS", "no EROFS");
	check(rename(at(0, "hello.txt"), at(1, "renamed.txt")) < 0 && errno == EROFS, "rename gives EROFS",
	      "no EROFS");
	check(truncate(at(0, "hello.txt"), 0) < 0 && errno == EROFS, "truncate gives EROFS", "no EROFS");
	check(symlink("x", at(0, "ln")) < 0 && errno == EROFS, "symlink gives EROFS", "no EROFS");
}

int main(void)
{
	const char *mode = getenv("SHARE_MODE");
	if (!getenv("SHARE_DIR") || !mode) {
		printf("share: SHARE_DIR and SHARE_MODE are needed\n");
		return 100;
	}
	if (strcmp(mode, "rw") == 0) {
		read_host_files();
		concurrent_reads();
		list_dirs();
		check(mkdir(at(0, "guest"), 0755) == 0, "mkdir guest", "failed");
		write_big();
		names();
		open_files();
	} else if (strcmp(mode, "ro") == 0) {
		read_only();
	} else {
		struct stat st;
		check(stat(at(0, "hello.txt"), &st) < 0 && errno == ENOENT, "unmounted share has no files", "found");
		printf("share: still running\n");
	}
	printf("share: %d failures\n", failures);
	return failures;
}
