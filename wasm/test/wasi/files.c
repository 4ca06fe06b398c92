/* files and directories inside the preopen /sandbox. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int bad;
#define CHECK(c) do { if (!(c)) { printf("FAIL line %d: %s (errno %d)\n", __LINE__, #c, errno); bad = 1; } } while (0)

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    CHECK(mkdir("/sandbox/d", 0755) == 0);
    CHECK(mkdir("/sandbox/d", 0755) == -1 && errno == EEXIST);
    FILE *f = fopen("/sandbox/d/hello.txt", "w");
    CHECK(f != NULL);
    fprintf(f, "hello, file\n");
    fclose(f);
    char line[64] = "";
    f = fopen("/sandbox/d/hello.txt", "r");
    CHECK(f && fgets(line, sizeof line, f));
    if (f) fclose(f);
    printf("read back: %s", line);

    int fd = open("/sandbox/d/data.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK(write(fd, "0123456789", 10) == 10);
    CHECK(lseek(fd, 3, SEEK_SET) == 3);
    char b4[5] = "";
    CHECK(read(fd, b4, 4) == 4);
    printf("seek+read: %.4s\n", b4);
    CHECK(lseek(fd, 0, SEEK_CUR) == 7);
    CHECK(pwrite(fd, "AB", 2, 1) == 2);
    char b10[11] = "";
    CHECK(pread(fd, b10, 10, 0) == 10);
    printf("pwrite+pread: %s\n", b10);
    CHECK(ftruncate(fd, 4) == 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    printf("size after truncate: %lld, regular: %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
    close(fd);

    fd = open("/sandbox/d/data.bin", O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "xy", 2) == 2);
    close(fd);
    CHECK(stat("/sandbox/d/data.bin", &st) == 0);
    printf("size after append: %lld\n", (long long)st.st_size);

    CHECK(rename("/sandbox/d/data.bin", "/sandbox/d/renamed.bin") == 0);
    CHECK(access("/sandbox/d/data.bin", F_OK) == -1 && errno == ENOENT);
    CHECK(symlink("hello.txt", "/sandbox/d/link") == 0);
    char target[64] = "";
    ssize_t n = readlink("/sandbox/d/link", target, sizeof target - 1);
    CHECK(n > 0);
    printf("readlink: %.*s\n", (int)(n > 0 ? n : 0), target);
    f = fopen("/sandbox/d/link", "r");
    CHECK(f && fgets(line, sizeof line, f));
    if (f) fclose(f);
    printf("through link: %s", line);
    CHECK(lstat("/sandbox/d/link", &st) == 0 && S_ISLNK(st.st_mode));

    DIR *d = opendir("/sandbox/d");
    CHECK(d != NULL);
    char *names[16];
    int k = 0;
    struct dirent *de;
    while (d && (de = readdir(d)) && k < 16)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            names[k++] = strdup(de->d_name);
    if (d) closedir(d);
    qsort(names, (size_t)k, sizeof names[0], cmp);
    printf("listing:");
    for (int i = 0; i < k; i++)
        printf(" %s", names[i]);
    printf("\n");

    CHECK(rmdir("/sandbox/d") == -1 && errno == ENOTEMPTY);
    CHECK(unlink("/sandbox/d/link") == 0);
    CHECK(unlink("/sandbox/d/hello.txt") == 0);
    CHECK(unlink("/sandbox/d/renamed.bin") == 0);
    CHECK(rmdir("/sandbox/d") == 0);
    CHECK(open("/sandbox/nope/x", O_RDONLY) == -1 && errno == ENOENT);
    printf("done\n");
    return bad;
}
