/* more descriptor and path calls: links, times, sync/advise/allocate, flags,
 * (fd_renumber), poll on a file, sched_yield, and a directory large enough that
 * readdir needs several fd_readdir calls (cookie continuation). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static int bad;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s (errno %d)\n", __LINE__, #c, errno); bad = 1; } } while (0)

int main(void)
{
    CHECK(mkdir("/sandbox/m", 0755) == 0);
    int fd = open("/sandbox/m/a", O_RDWR | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0);
    CHECK(open("/sandbox/m/a", O_RDWR | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST);
    CHECK(write(fd, "abc", 3) == 3);
    CHECK(fsync(fd) == 0);
    CHECK(fdatasync(fd) == 0);
    CHECK(posix_fadvise(fd, 0, 3, POSIX_FADV_SEQUENTIAL) == 0);
    CHECK(posix_fallocate(fd, 0, 4096) == 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 4096);
    printf("size after allocate: %lld\n", (long long)st.st_size);

    /* times: set an exact mtime through the fd and through the path */
    struct timespec ts[2] = {{1000000000, 0}, {1234567890, 500}};
    CHECK(futimens(fd, ts) == 0);
    CHECK(fstat(fd, &st) == 0);
    printf("mtime via fd: %lld\n", (long long)st.st_mtim.tv_sec);
    ts[1].tv_sec = 1300000000;
    CHECK(utimensat(AT_FDCWD, "/sandbox/m/a", ts, 0) == 0);
    CHECK(stat("/sandbox/m/a", &st) == 0);
    printf("mtime via path: %lld\n", (long long)st.st_mtim.tv_sec);

    /* flags: O_APPEND toggled with fcntl */
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && !(fl & O_APPEND));
    CHECK(fcntl(fd, F_SETFL, fl | O_APPEND) == 0);
    CHECK((fcntl(fd, F_GETFL) & O_APPEND) != 0);
    printf("append flag set: yes\n");

    /* hard link shares the inode */
    CHECK(link("/sandbox/m/a", "/sandbox/m/b") == 0);
    struct stat sb;
    CHECK(stat("/sandbox/m/b", &sb) == 0 && stat("/sandbox/m/a", &st) == 0);
    printf("link: same inode %d, nlink %d\n", sb.st_ino == st.st_ino, (int)st.st_nlink);

    /* fd_renumber: the target now refers to the first file */
    int other = open("/sandbox/m/b", O_RDONLY);
    CHECK(other >= 0);
    CHECK(__wasi_fd_renumber((__wasi_fd_t)fd, (__wasi_fd_t)other) == 0);
    fd = -1; /* moved to `other` */
    char c3[4] = "";
    CHECK(pread(other, c3, 3, 0) == 3);
    printf("after renumber: %.3s\n", c3);
    close(other);

    fd = open("/sandbox/m/a", O_RDONLY);
    CHECK(fd >= 0);
    /* poll on a regular file is immediately ready */
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, 1000);
    printf("poll file: %d ready, readable %d\n", r, (p.revents & POLLIN) != 0);
    close(fd);
    CHECK(sched_yield() == 0);

    /* many entries: readdir must continue across fd_readdir calls */
    char name[64];
    for (int i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "/sandbox/m/entry-with-a-longish-name-%03d", i);
        int f = open(name, O_WRONLY | O_CREAT, 0644);
        CHECK(f >= 0);
        close(f);
    }
    DIR *d = opendir("/sandbox/m");
    int n = 0, sum = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        int k;
        if (sscanf(de->d_name, "entry-with-a-longish-name-%d", &k) == 1) {
            n++;
            sum += k;
        }
    }
    if (d) closedir(d);
    printf("readdir: %d entries, index sum %d\n", n, sum);
    CHECK(n == 150 && sum == 149 * 150 / 2);
    for (int i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "/sandbox/m/entry-with-a-longish-name-%03d", i);
        CHECK(unlink(name) == 0);
    }
    CHECK(unlink("/sandbox/m/a") == 0 && unlink("/sandbox/m/b") == 0 && rmdir("/sandbox/m") == 0);
    printf("done\n");
    return bad;
}
