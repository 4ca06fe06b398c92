/* Sockets as files (libc-shim/net): shared by socket.c, sockio.c and
 * netdb.c. A socket is a struct file whose priv is a struct sock naming an
 * lwIP socket; lwIP is compiled against the same POSIX headers as apps
 * (lwip-port/include/posix_glue.h), so addresses, option numbers and
 * flags pass through unchanged and lwIP's errno values are picolibc's. */
#ifndef SKIFF_LIBC_NET_SOCKET_H
#define SKIFF_LIBC_NET_SOCKET_H

#include <errno.h>
#include <stdbool.h>

#include "libc-shim/file.h"

struct sock {
	int s;                  /* lwIP's socket index */
	int type;               /* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW */
	bool connecting;        /* a connect() is or was in progress */
};

/* lwIP's calls return -1 with errno set; turn that into the shim's
 * 0-or-negative-errno convention (errno is left as lwIP set it, which is
 * what syscall_result sets it to again). */
#define LWIP_RESULT(expr) ({ long r_ = (expr); r_ < 0 ? -(long)errno : r_; })

/* The socket behind `fd`: -EBADF if none, -ENOTSOCK if not a socket. */
int sock_get(int fd, struct sock **out);

/* Makes sure lwIP's thread runs (it does when a NIC exists; without one,
 * only loopback works) and links the network stack into the app. */
void sock_stack_up(void);

/* poll_group op of socket files (sockio.c). */
int sock_poll_group(struct pollfd *fds, nfds_t n, int timeout_ms);

ssize_t sock_read(struct file *f, void *buf, size_t len);
ssize_t sock_write(struct file *f, const void *buf, size_t len);
int sock_ioctl(struct file *f, unsigned long request, void *arg);
int sock_set_flags(struct file *f, int flags);

#endif
