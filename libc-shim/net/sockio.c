/* Data through sockets: the file ops (read, write, ioctl, O_NONBLOCK,
 * poll) and send/recv in all their forms. There are no signals, so a write
 * to a closed connection only fails, with EPIPE as on Linux, whether or not
 * the app asked for MSG_NOSIGNAL. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "libc-shim/net/socket.h"
#include "lwip/sockets.h"

/* Flags lwIP's sendmsg/recvmsg reject but that mean nothing here. */
#define SEND_IGNORED (MSG_NOSIGNAL | MSG_EOR)
#define RECV_IGNORED (MSG_CMSG_CLOEXEC)

/* lwIP says ENOTCONN when a stream can no longer send (never connected,
 * shut down for writing, closed by the peer); Linux says EPIPE. */
static long sent(struct sock *sk, long r)
{
	if (r == -ENOTCONN && sk->type == SOCK_STREAM)
		return -EPIPE;
	if (r > 0)
		sk->connecting = false;
	return r;
}

/* MSG_WAITALL on a stream: lwIP returns what is there, so keep reading
 * until `len` bytes, end of stream or an error. */
static long recv_all(struct sock *sk, char *buf, size_t len, int flags)
{
	size_t got = 0;
	while (got < len) {
		long r = LWIP_RESULT(lwip_recv(sk->s, buf + got, len - got, flags));
		if (r <= 0)
			return got ? (long)got : r;
		got += (size_t)r;
	}
	return (long)got;
}

static long do_recv(struct sock *sk, void *buf, size_t len, int flags)
{
	flags &= ~RECV_IGNORED;
	if ((flags & MSG_WAITALL) && sk->type == SOCK_STREAM)
		return recv_all(sk, buf, len, flags & ~MSG_WAITALL);
	long r = LWIP_RESULT(lwip_recv(sk->s, buf, len, flags & ~MSG_WAITALL));
	if (r > 0)
		sk->connecting = false;
	return r;
}

ssize_t sock_read(struct file *f, void *buf, size_t len)
{
	return do_recv(f->priv, buf, len, 0);
}

ssize_t sock_write(struct file *f, const void *buf, size_t len)
{
	struct sock *sk = f->priv;
	return sent(sk, LWIP_RESULT(lwip_send(sk->s, buf, len, 0)));
}

int sock_set_flags(struct file *f, int flags)
{
	struct sock *sk = f->priv;
	int on = (flags & O_NONBLOCK) != 0;
	return (int)LWIP_RESULT(lwip_ioctl(sk->s, FIONBIO, &on));
}

int sock_ioctl(struct file *f, unsigned long request, void *arg)
{
	struct sock *sk = f->priv;
	switch (request) {
	case FIONBIO: {
		int err = sock_set_flags(f, *(const int *)arg ? O_NONBLOCK : 0);
		if (!err)
			f->flags = *(const int *)arg ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return err;
	}
	case FIONREAD:
		return (int)LWIP_RESULT(lwip_ioctl(sk->s, FIONREAD, arg));
	default:
		return -ENOTTY;
	}
}

/* The poll_group op: `fds` name socket files only (poll.c checked). lwIP
 * polls its own socket numbers, so swap them in and back. */
int sock_poll_group(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	int *app_fds = malloc(n * sizeof(*app_fds));
	if (!app_fds)
		return -ENOMEM;
	for (nfds_t i = 0; i < n; i++) {
		struct sock *sk = fd_get(fds[i].fd)->priv;
		app_fds[i] = fds[i].fd;
		fds[i].fd = sk->s;
	}
	int r = (int)LWIP_RESULT(lwip_poll(fds, n, timeout_ms));
	for (nfds_t i = 0; i < n; i++)
		fds[i].fd = app_fds[i];
	free(app_fds);
	return r;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	return syscall_result(err ? err : do_recv(sk, buf, len, flags));
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	return syscall_result(sent(sk, LWIP_RESULT(lwip_send(sk->s, buf, len, flags & ~SEND_IGNORED))));
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	if (!from)
		return syscall_result(do_recv(sk, buf, len, flags));
	flags &= ~(RECV_IGNORED | MSG_WAITALL);
	return syscall_result(LWIP_RESULT(lwip_recvfrom(sk->s, buf, len, flags, from, fromlen)));
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	/* A stream ignores the address, as on Linux. */
	if (!to || sk->type == SOCK_STREAM)
		return send(fd, buf, len, flags);
	if (tolen < sizeof(struct sockaddr_in))
		return syscall_result(-EINVAL);
	if (to->sa_family != AF_INET)
		return syscall_result(-EAFNOSUPPORT);
	struct sockaddr_in in;
	memcpy(&in, to, sizeof(in));    /* aligned for lwIP */
	flags &= ~SEND_IGNORED;
	return syscall_result(LWIP_RESULT(lwip_sendto(sk->s, buf, len, flags, (struct sockaddr *)&in,
						      sizeof(in))));
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	flags &= ~(RECV_IGNORED | MSG_WAITALL);
	return syscall_result(LWIP_RESULT(lwip_recvmsg(sk->s, msg, flags)));
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	flags &= ~SEND_IGNORED;
	return syscall_result(sent(sk, LWIP_RESULT(lwip_sendmsg(sk->s, msg, flags))));
}
