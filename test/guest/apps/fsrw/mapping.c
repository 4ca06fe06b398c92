/* fsrw: memory mappings of anonymous memory and of files, and the calls
 * about whole file systems. Only what Linux and skiff both promise is
 * checked: a shared mapping's writes are in the file after msync or
 * munmap (skiff has no page cache keeping read() and the mapping in step
 * before that). */
#define _GNU_SOURCE             /* syncfs, as on Linux */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fsrw.h"

#define PAGE 4096

static int make_file(const char *path, size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	for (size_t i = 0; fd >= 0 && i < len; i++) {
		char c = (char)('a' + i % 26);
		if (write(fd, &c, 1) != 1)
			return -1;
	}
	return fd;
}

static void anonymous(void)
{
	size_t len = 5 * PAGE;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(p != MAP_FAILED, "mmap anonymous", "mmap");
	if (p == MAP_FAILED)
		return;
	int zero = 1;
	for (size_t i = 0; i < len; i++)
		zero &= p[i] == 0;
	check(zero, "anonymous memory starts zeroed", "");
	memset(p, 0x5A, len);
	check(mprotect(p, PAGE, PROT_READ) == 0 && p[0] == 0x5A, "mprotect read-only keeps the bytes", "");
	check(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0 && (p[1] = 7) == 7, "mprotect writable again", "");
	check(madvise(p + PAGE, PAGE, MADV_DONTNEED) == 0 && p[PAGE] == 0 && p[2 * PAGE] == 0x5A,
	      "MADV_DONTNEED gives zeroes back", "");
	check(munmap(p + PAGE, PAGE) == 0 && p[2 * PAGE] == 0x5A, "munmap of a middle page", "");
	check(munmap(p, len) == 0, "munmap the rest", "");
	errno = 0;
	check(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	      "neither shared nor private: EINVAL", "");
	errno = 0;
	check(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL,
	      "length 0: EINVAL", "");
}

static void file_mappings(void)
{
	size_t len = 2 * PAGE + 100;
	int fd = make_file("map.bin", len);
	check(fd >= 0, "file to map", "");
	char *priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check(priv != MAP_FAILED && priv[0] == 'a' && priv[PAGE + 1] == (char)('a' + (PAGE + 1) % 26) &&
	      priv[len - 1] == (char)('a' + (len - 1) % 26), "MAP_PRIVATE reads the file", "");
	check(priv[len] == 0, "past the end of the file: zeroes", "");
	priv[0] = 'X';
	char c = 0;
	check(pread(fd, &c, 1, 0) == 1 && c == 'a', "MAP_PRIVATE writes stay private", "");
	check(munmap(priv, len) == 0, "munmap private", "");

	char *shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(shared != MAP_FAILED, "MAP_SHARED", "mmap");
	if (shared == MAP_FAILED)
		return;
	memcpy(shared + PAGE - 2, "SHARED", 6);
	check(msync(shared, len, MS_SYNC) == 0, "msync", "");
	char buf[6];
	check(pread(fd, buf, 6, PAGE - 2) == 6 && memcmp(buf, "SHARED", 6) == 0, "msync reaches the file", "");
	memcpy(shared + len - 3, "END", 3);
	check(fsync(fd) == 0 && pread(fd, buf, 3, len - 3) == 3 && memcmp(buf, "END", 3) == 0,
	      "fsync writes a shared mapping back", "");
	shared[10] = '!';
	check(munmap(shared, len) == 0 && pread(fd, &c, 1, 10) == 1 && c == '!', "munmap writes back", "");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == (off_t)len, "the file keeps its size", "");
	close(fd);

	int ro = open("map.bin", O_RDONLY);
	errno = 0;
	check(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES,
	      "writable shared mapping of a read-only fd: EACCES", "");
	char *r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, PAGE);
	check(r != MAP_FAILED && r[10] == (char)('a' + (PAGE + 10) % 26), "mapping at an offset", "");
	close(ro);
	check(r != MAP_FAILED && r[11] == (char)('a' + (PAGE + 11) % 26), "the mapping outlives close", "");
	if (r != MAP_FAILED)
		munmap(r, PAGE);
	errno = 0;
	check(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 12345, 0) == MAP_FAILED && errno == EBADF, "EBADF", "");
	unlink("map.bin");
}

void mappings(void)
{
	anonymous();
	file_mappings();
}

void fs_info(void)
{
	struct statvfs sv;
	check(statvfs(".", &sv) == 0 && sv.f_bsize > 0 && sv.f_namemax == 255, "statvfs", "statvfs");
	int fd = open("sync.txt", O_WRONLY | O_CREAT | O_TRUNC | O_SYNC, 0644);
	check(fd >= 0 && write(fd, "durable", 7) == 7, "O_SYNC write", "");
	check(fstatvfs(fd, &sv) == 0 && sv.f_bsize > 0, "fstatvfs", "");
	check(syncfs(fd) == 0, "syncfs", "");
	struct stat st;
	check(posix_fallocate(fd, 100, 9000) == 0 && fstat(fd, &st) == 0 && st.st_size == 9100,
	      "posix_fallocate extends the file", "");
	check(posix_fallocate(fd, 0, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 9100,
	      "posix_fallocate inside the file", "");
	struct iovec out[2] = { { "ab", 2 }, { "cde", 3 } };
	check(pwritev(fd, out, 2, 50) == 5, "pwritev", "");
	sync();
	close(fd);
	char a[2], b[3];
	struct iovec in[2] = { { a, 2 }, { b, 3 } };
	fd = open("sync.txt", O_RDONLY);
	check(preadv(fd, in, 2, 50) == 5 && memcmp(a, "ab", 2) == 0 && memcmp(b, "cde", 3) == 0, "preadv", "");
	check(posix_fallocate(fd, 0, 1) == EBADF, "posix_fallocate on a read-only fd: EBADF", "");
	close(fd);
	unlink("sync.txt");
	errno = 0;
	check(statvfs("no/such", &sv) < 0 && errno == ENOENT, "statvfs ENOENT", "");
}
