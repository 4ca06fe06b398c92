/* Guest test of the initrd root file system. Usage: files PATH...
 * For each path: stat it; for a regular file print its size and FNV-1a
 * 64-bit hash read three ways (read, pread at odd offsets, lseek+read from
 * the end); for a directory list its entries. Exits 1 on any mismatch. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001B3ull;
	return h;
}

#define FNV_START 0xCBF29CE484222325ull

static int hash_file(const char *path, off_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s: open: %s\n", path, strerror(errno));
		return 1;
	}
	unsigned char buf[1000];        /* not a power of two on purpose */
	uint64_t h = FNV_START;
	ssize_t n;
	off_t total = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv1a(h, buf, (size_t)n);
		total += n;
	}
	uint64_t h2 = FNV_START;
	for (off_t at = 0; at < size; at += 777) {
		n = pread(fd, buf, 777, at);
		h2 = fnv1a(h2, buf, (size_t)(n < 0 ? 0 : n));
	}
	struct stat st;
	fstat(fd, &st);
	off_t end = lseek(fd, 0, SEEK_END);
	close(fd);
	printf("file %s size %lld hash %016llx\n", path, (long long)total, (unsigned long long)h);
	if (total != size || h2 != h || st.st_size != size || end != size) {
		printf("%s: inconsistent: read %lld, stat %lld, end %lld, pread hash %016llx\n",
		       path, (long long)total, (long long)st.st_size, (long long)end,
		       (unsigned long long)h2);
		return 1;
	}
	return 0;
}

static int list_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		printf("%s: opendir: %s\n", path, strerror(errno));
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		printf("dir %s entry %s%s\n", path, e->d_name, e->d_type == DT_DIR ? "/" : "");
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			printf("%s: stat: %s\n", argv[i], strerror(errno));
			bad = 1;
		} else if (S_ISDIR(st.st_mode)) {
			bad |= list_dir(argv[i]);
		} else {
			bad |= hash_file(argv[i], st.st_size);
		}
	}
	int fd = open("/nonexistent", O_RDONLY);
	if (fd != -1 || errno != ENOENT) {
		printf("open of a missing file: fd %d errno %d\n", fd, errno);
		bad = 1;
	}
	return bad;
}
