/* fsrw: the writable root and the POSIX file calls over the VFS. Each
 * check prints "ok NAME" or "FAIL NAME: why"; the exit status is the
 * number of failures. With FSRW_INITRD set and an initrd holding /etc/motd
 * ("hello initrd\n") it also writes over a file of the image (copied on
 * first write). Builds unchanged on Linux, where FSRW_DIR names a scratch
 * directory to run in. */
#define _GNU_SOURCE             /* dup3, as on Linux */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsrw.h"

static int failures;

void check(int ok, const char *name, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("FAIL %s: %s (errno %d %s)\n", name, why, errno, strerror(errno));
		failures++;
	}
}

static int write_file(const char *path, const char *text, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return (int)n;
}

static void files(void)
{
	char buf[128];
	check(write_file("w.txt", "one\n", O_TRUNC) == 0, "create and write", "write_file");
	check(read_file("w.txt", buf, sizeof buf) == 4 && strcmp(buf, "one\n") == 0, "read back", buf);
	check(write_file("w.txt", "two\n", O_APPEND) == 0, "append", "write_file");
	check(read_file("w.txt", buf, sizeof buf) == 8 && strcmp(buf, "one\ntwo\n") == 0, "appended", buf);
	check(open("w.txt", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 && errno == EEXIST, "O_EXCL", "no EEXIST");
	check(write_file("w.txt", "3\n", O_TRUNC) == 0 && read_file("w.txt", buf, sizeof buf) == 2,
	      "O_TRUNC", buf);
	int fd = open("p.bin", O_RDWR | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0 && pwrite(fd, "xyz", 3, 100) == 3, "pwrite past the end", "pwrite");
	struct stat st;
	check(fstat(fd, &st) == 0 && st.st_size == 103, "size after a hole", "fstat");
	check(pread(fd, buf, 4, 98) == 4 && memcmp(buf, "\0\0xy", 4) == 0, "hole reads zeros", "pread");
	check(ftruncate(fd, 10) == 0 && fstat(fd, &st) == 0 && st.st_size == 10, "ftruncate", "ftruncate");
	check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync", "fsync");
	check(lseek(fd, 0, SEEK_END) == 10, "lseek end", "lseek");
	close(fd);
	check(truncate("p.bin", 0) == 0 && stat("p.bin", &st) == 0 && st.st_size == 0, "truncate", "truncate");
	fd = open("gone.txt", O_RDWR | O_CREAT, 0600);
	check(fd >= 0 && write(fd, "still here", 10) == 10 && unlink("gone.txt") == 0, "unlink open file", "");
	check(pread(fd, buf, 10, 0) == 10 && memcmp(buf, "still here", 10) == 0, "data lives until close", "");
	check(access("gone.txt", F_OK) < 0 && errno == ENOENT, "name gone", "access");
	close(fd);
	check(open("nodir/x", O_RDONLY) < 0 && errno == ENOENT, "ENOENT", "");
	check(open("w.txt/x", O_RDONLY) < 0 && errno == ENOTDIR, "ENOTDIR", "");
	check(open(".", O_WRONLY) < 0 && errno == EISDIR, "EISDIR", "");
}

static void names(void)
{
	char buf[128];
	check(mkdir("d", 0755) == 0 && mkdir("d/sub", 0755) == 0, "mkdir", "mkdir");
	check(mkdir("d", 0755) < 0 && errno == EEXIST, "mkdir EEXIST", "");
	check(rmdir("d") < 0 && errno == ENOTEMPTY, "rmdir ENOTEMPTY", "");
	check(write_file("d/a", "A", O_TRUNC) == 0 && write_file("d/b", "B", O_TRUNC) == 0, "files in d", "");
	check(rename("d/a", "d/b") == 0 && read_file("d/b", buf, sizeof buf) == 1 && buf[0] == 'A',
	      "rename replaces", buf);
	check(access("d/a", F_OK) < 0, "old name gone", "");
	check(rename("d/sub", "moved") == 0 && access("moved", F_OK) == 0, "rename a directory", "");
	check(link("d/b", "hard") == 0, "link", "link");
	struct stat st;
	check(stat("hard", &st) == 0 && st.st_nlink == 2, "nlink 2", "stat");
	check(symlink("d/b", "soft") == 0, "symlink", "symlink");
	ssize_t n = readlink("soft", buf, sizeof buf);
	check(n == 3 && memcmp(buf, "d/b", 3) == 0, "readlink", "readlink");
	check(read_file("soft", buf, sizeof buf) == 1 && buf[0] == 'A', "through the link", buf);
	check(lstat("soft", &st) == 0 && S_ISLNK(st.st_mode), "lstat", "");
	check(symlink("loop", "loop") == 0 && open("loop", O_RDONLY) < 0 && errno == ELOOP, "ELOOP", "");
	check(unlink("d/b") == 0 && unlink("hard") == 0 && rmdir("d") == 0 && rmdir("moved") == 0,
	      "remove all", "");
	check(unlink(".") < 0, "unlink . refused", "");
}

static void dirs(void)
{
	char cwd[256];
	check(mkdir("walk", 0755) == 0 && chdir("walk") == 0, "chdir", "chdir");
	check(getcwd(cwd, sizeof cwd) && strlen(cwd) >= 5 && strcmp(cwd + strlen(cwd) - 5, "/walk") == 0,
	      "getcwd", cwd);
	check(write_file("in", "x", O_TRUNC) == 0 && access("../walk/in", F_OK) == 0, "relative paths", "");
	int fd = open("..", O_RDONLY | O_DIRECTORY);
	check(fd >= 0 && fchdir(fd) == 0 && access("walk/in", F_OK) == 0, "fchdir", "");
	close(fd);
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof name, "walk/e%d", i);
		write_file(name, "", O_TRUNC);
	}
	DIR *d = opendir("walk");
	int count = 0, dots = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			dots++;
		else
			count++;
	}
	check(d && dots == 2 && count == 4, "readdir", "entries");
	if (d)
		closedir(d);
}

/* The *at calls from a directory descriptor, and temporary files. */
static void at_calls(void)
{
	char buf[32];
	struct stat st;
	check(mkdir("atdir", 0755) == 0, "mkdir atdir", "");
	int d = open("atdir", O_RDONLY | O_DIRECTORY);
	check(d >= 0, "open a directory", "");
	int fd = openat(d, "f", O_WRONLY | O_CREAT | O_EXCL, 0644);
	check(fd >= 0 && write(fd, "at", 2) == 2, "openat creates in the dirfd", "");
	close(fd);
	check(access("atdir/f", F_OK) == 0, "made where the dirfd is", "");
	check(mkdirat(d, "sub", 0755) == 0 && fstatat(d, "sub", &st, 0) == 0 && S_ISDIR(st.st_mode),
	      "mkdirat, fstatat", "");
	check(symlinkat("f", d, "l") == 0 && readlinkat(d, "l", buf, sizeof buf) == 1 && buf[0] == 'f',
	      "symlinkat, readlinkat", "");
	check(fstatat(d, "l", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode), "AT_SYMLINK_NOFOLLOW", "");
	check(fstatat(d, "l", &st, 0) == 0 && S_ISREG(st.st_mode) && st.st_size == 2, "fstatat follows", "");
	check(linkat(d, "f", d, "g", 0) == 0 && fstatat(d, "g", &st, 0) == 0 && st.st_nlink == 2, "linkat", "");
	check(renameat(d, "g", AT_FDCWD, "moved-g") == 0 && access("moved-g", F_OK) == 0, "renameat", "");
	check(faccessat(d, "f", R_OK, 0) == 0, "faccessat", "");
	check(unlinkat(d, "sub", 0) < 0 && errno == EISDIR, "unlinkat on a dir needs AT_REMOVEDIR", "");
	check(unlinkat(d, "sub", AT_REMOVEDIR) == 0, "unlinkat AT_REMOVEDIR", "");
	char abs[256];
	check(getcwd(abs, sizeof abs - 16) != NULL, "getcwd for an absolute path", "");
	strcat(abs, "/atdir/f");
	fd = openat(d, abs, O_RDONLY);
	check(fd >= 0, "an absolute path ignores the dirfd", abs);
	close(fd);
	check(openat(12345, "f", O_RDONLY) < 0 && errno == EBADF, "a bad dirfd EBADF", "");
	fd = open("atdir/f", O_RDONLY);
	check(openat(fd, "x", O_RDONLY) < 0 && errno == ENOTDIR, "a file's fd ENOTDIR", "");
	close(fd);
	close(d);
	char tmpl[] = "atdir/tmpXXXXXX";
	fd = mkstemp(tmpl);
	check(fd >= 0 && write(fd, "t", 1) == 1 && access(tmpl, F_OK) == 0, "mkstemp", tmpl);
	close(fd);
}

/* Attributes: modes, owners (kept), times, and the sync calls. */
static void attrs(void)
{
	struct stat st;
	check(write_file("attr", "a", O_TRUNC) == 0, "attr file", "");
	check(chmod("attr", 0600) == 0 && stat("attr", &st) == 0 && (st.st_mode & 07777) == 0600 &&
	      S_ISREG(st.st_mode), "chmod", "");
	int fd = open("attr", O_RDWR);
	check(fchmod(fd, 0640) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640, "fchmod", "");
	check(chown("attr", 1000, (gid_t)-1) == 0 && stat("attr", &st) == 0 && st.st_uid == 1000, "chown", "");
	check(fchown(fd, (uid_t)-1, 1000) == 0 && fstat(fd, &st) == 0 && st.st_gid == 1000 && st.st_uid == 1000,
	      "fchown keeps what is -1", "");
	struct timespec times[2] = { { 1000000, 5 }, { 2000000, 7 } };
	check(futimens(fd, times) == 0 && fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1000000 &&
	      st.st_mtim.tv_sec == 2000000 && st.st_mtim.tv_nsec == 7, "futimens", "");
	struct timespec omit_now[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	check(utimensat(AT_FDCWD, "attr", omit_now, 0) == 0 && stat("attr", &st) == 0 &&
	      st.st_atim.tv_sec == 1000000 && st.st_mtim.tv_sec > 2000000, "UTIME_OMIT, UTIME_NOW", "");
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	check(utimensat(AT_FDCWD, "attr", bad, 0) < 0 && errno == EINVAL, "bad nanoseconds EINVAL", "");
	check(fsync(fd) == 0, "fsync after setattr", "");
	sync();
	/* Locks: one process is granted every lock; F_GETLK finds no other. */
	check(flock(fd, LOCK_EX | LOCK_NB) == 0 && flock(fd, LOCK_UN) == 0, "flock", "");
	check(flock(fd, 0) < 0 && errno == EINVAL, "flock EINVAL", "");
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	check(fcntl(fd, F_SETLK, &l) == 0, "fcntl F_SETLK", "");
	l.l_type = F_RDLCK;
	check(fcntl(fd, F_GETLK, &l) == 0 && l.l_type == F_UNLCK, "fcntl F_GETLK", "");
	/* dup3 */
	int copy = dup3(fd, 40, O_CLOEXEC);
	check(copy == 40 && fstat(40, &st) == 0 && (st.st_mode & 07777) == 0640, "dup3", "");
	check(dup3(fd, fd, 0) < 0 && errno == EINVAL, "dup3 onto itself EINVAL", "");
	close(copy);
	close(fd);
}

/* Only with FSRW_INITRD set (the guest test's initrd): natively it would
 * write the host's /etc. */
static void initrd(void)
{
	char buf[64];
	if (!getenv("FSRW_INITRD"))
		return;
	check(read_file("/etc/motd", buf, sizeof buf) == 13 && strcmp(buf, "hello initrd\n") == 0,
	      "initrd file read in place", buf);
	check(write_file("/etc/motd", "changed\n", O_APPEND) == 0, "write over an initrd file", "");
	check(read_file("/etc/motd", buf, sizeof buf) > 0 && strcmp(buf, "hello initrd\nchanged\n") == 0,
	      "initrd file copied on write", buf);
	check(write_file("/etc/new", "new\n", O_TRUNC) == 0, "new file in an initrd directory", "");
}

/* Only with FSRW_MOUNTS set: the guest test's mount=tmpfs:/scratch:size=64K
 * and mount=tmpfs:/frozen:ro. */
static void mounts(void)
{
	static char big[100000];
	char cwd[64];
	if (!getenv("FSRW_MOUNTS"))
		return;
	check(write_file("/scratch/small", "fits", O_TRUNC) == 0, "write on a tmpfs mount", "");
	int fd = open("/scratch/big", O_WRONLY | O_CREAT, 0644);
	check(fd >= 0 && write(fd, big, sizeof big) < 0 && errno == ENOSPC, "size limit ENOSPC", "");
	close(fd);
	check(open("/frozen/x", O_WRONLY | O_CREAT, 0644) < 0 && errno == EROFS, "read-only mount EROFS", "");
	check(mkdir("/frozen/d", 0755) < 0 && errno == EROFS, "mkdir EROFS", "");
	check(rename("/scratch/small", "/w2.txt") < 0 && errno == EXDEV, "rename across mounts EXDEV", "");
	check(rmdir("/scratch") < 0 && errno == EBUSY, "mount point busy", "");
	check(chdir("/scratch") == 0 && access("../w.txt", F_OK) == 0, "'..' leaves the mount", "");
	check(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/scratch") == 0, "getcwd in a mount", cwd);
	check(chdir("/") == 0, "back to /", "");
}

int main(void)
{
	if (getenv("FSRW_DIR") && chdir(getenv("FSRW_DIR")) != 0)
		return 99;
	files();
	names();
	dirs();
	at_calls();
	attrs();
	initrd();
	mounts();
	mappings();
	fs_info();
	printf("fsrw: %d failures\n", failures);
	return failures;
}
