/* nothing outside the preopen is reachable: not by "..", not by absolute paths, not
 * through symlinks.  Prints only whether each attempt was refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int bad;

static void attempt(const char *what, const char *path, int legal)
{
    int fd = open(path, O_RDONLY);
    printf("%s: %s\n", what, fd < 0 ? "refused" : "OPENED");
    if ((fd >= 0) != legal)
        bad = 1;
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    attempt("dotdot", "/sandbox/../secret.txt", 0);
    attempt("deep dotdot", "/sandbox/a/../../secret.txt", 0);
    attempt("absolute", "/etc/passwd", 0);
    symlink("../secret.txt", "/sandbox/up");
    attempt("relative symlink up", "/sandbox/up", 0);
    symlink("/etc/passwd", "/sandbox/abs");
    attempt("absolute symlink", "/sandbox/abs", 0);
    mkdir("/sandbox/a", 0755);
    symlink("..", "/sandbox/a/parent");
    attempt("symlink dir chain", "/sandbox/a/parent/../secret.txt", 0);
    attempt("inside via dotdot", "/sandbox/a/../inside.txt", 1);
    unlink("/sandbox/a/parent");
    rmdir("/sandbox/a");
    unlink("/sandbox/up");
    unlink("/sandbox/abs");
    return bad;
}
