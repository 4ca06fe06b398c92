/* TCP echo over a preopened listening socket (fd 3): accept one connection, echo
 * until the peer shuts down, then exit 0. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    printf("listening\n");
    fflush(stdout);
    int c = accept(3, NULL, NULL);
    if (c < 0) {
        perror("accept");
        return 1;
    }
    char buf[4096];
    long total = 0;
    for (;;) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = send(c, buf + off, (size_t)(n - off), 0);
            if (w <= 0)
                return 2;
            off += w;
        }
        total += n;
    }
    shutdown(c, SHUT_RDWR);
    close(c);
    printf("echoed %ld bytes\n", total);
    return 0;
}
