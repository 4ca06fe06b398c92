/* Data through sockets: the file ops (read, write, ioctl, O_NONBLOCK,
 * poll) and send/recv in all their forms, each made into one call of
 * stream.c or dgram.c with the lock held. There are no signals, so a write
 * to a closed connection only fails, with EPIPE as on Linux, whether or not
 * the app asked for MSG_NOSIGNAL.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "libc-shim/net/socket.h"

#define IOV_ON_STACK 8
#define IOV_LIMIT 1024          /* IOV_MAX on Linux */

/* Flags that change nothing here (no signals, no ancillary data). */
#define SEND_KNOWN (MSG_NOSIGNAL | MSG_EOR | MSG_DONTWAIT | MSG_MORE)
#define RECV_KNOWN (MSG_CMSG_CLOEXEC | MSG_DONTWAIT | MSG_PEEK | MSG_WAITALL | MSG_TRUNC)

static long do_recvmsg(struct sock *sk, struct msghdr *msg, int flags)
{
	if (flags & ~RECV_KNOWN)
		return -EOPNOTSUPP;
	if (msg->msg_iovlen > IOV_LIMIT)
		return -EMSGSIZE;
	long r;
	sock_lock();
	if (sk->type == SOCK_STREAM) {
		/* stream.c walks and trims the buffers it fills: a copy */
		struct iovec stack[IOV_ON_STACK], *iov = stack;
		int n = (int)msg->msg_iovlen;
		if (n > IOV_ON_STACK && !(iov = malloc((size_t)n * sizeof(*iov)))) {
			sock_unlock();
			return -ENOMEM;
		}
		memcpy(iov, msg->msg_iov, (size_t)n * sizeof(*iov));
		r = stream_recv(sk, iov, n, flags);
		if (iov != stack)
			free(iov);
		msg->msg_flags = 0;
		msg->msg_controllen = 0;
		if (msg->msg_name) {
			stream_names(sk);
			socklen_t len = msg->msg_namelen < sizeof(sk->remote) ? msg->msg_namelen : sizeof(sk->remote);
			memcpy(msg->msg_name, &sk->remote, len);
			msg->msg_namelen = sizeof(sk->remote);
		}
	} else {
		r = dgram_recv(sk, msg, flags);
	}
	sock_unlock();
	return r;
}

static long do_sendmsg(struct sock *sk, const struct msghdr *msg, int flags)
{
	if (flags & ~SEND_KNOWN)
		return -EOPNOTSUPP;
	if (msg->msg_iovlen > IOV_LIMIT)
		return -EMSGSIZE;
	sock_lock();
	long r = sk->type == SOCK_STREAM ? stream_send(sk, msg->msg_iov, (int)msg->msg_iovlen, flags) :
					   dgram_send(sk, msg, flags);
	sock_unlock();
	return r;
}

static long recv_one(struct sock *sk, void *buf, size_t len, int flags, struct sockaddr *from,
		     socklen_t *fromlen)
{
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (from && fromlen) {
		msg.msg_name = from;
		msg.msg_namelen = *fromlen;
	}
	long r = do_recvmsg(sk, &msg, flags);
	if (r >= 0 && from && fromlen)
		*fromlen = msg.msg_namelen;
	return r;
}

static long send_one(struct sock *sk, const void *buf, size_t len, int flags, const struct sockaddr_in *to)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_name = (void *)to, .msg_iov = &iov, .msg_iovlen = 1 };
	return do_sendmsg(sk, &msg, flags);
}

ssize_t sock_read(struct file *f, void *buf, size_t len)
{
	if (len == 0)
		return 0;       /* as Linux: at once, whatever is queued */
	return recv_one(f->priv, buf, len, 0, NULL, NULL);
}

ssize_t sock_write(struct file *f, const void *buf, size_t len)
{
	return send_one(f->priv, buf, len, 0, NULL);
}

ssize_t sock_readv(struct file *f, const struct iovec *iov, int count)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = count };
	return do_recvmsg(f->priv, &msg, 0);
}

ssize_t sock_writev(struct file *f, const struct iovec *iov, int count)
{
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = count };
	return do_sendmsg(f->priv, &msg, 0);
}

int sock_set_flags(struct file *f, int flags)
{
	struct sock *sk = f->priv;
	sk->nonblocking = (flags & O_NONBLOCK) != 0;
	return 0;
}

int sock_ioctl(struct file *f, unsigned long request, void *arg)
{
	struct sock *sk = f->priv;
	switch (request) {
	case FIONBIO: {
		int on = *(const int *)arg;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		sk->nonblocking = on;
		return 0;
	}
	case FIONREAD:
		sock_lock();
		*(int *)arg = sock_pending_bytes(sk);
		sock_unlock();
		return 0;
	default:
		return -ENOTTY;
	}
}

short sock_poll(struct file *f, short events)
{
	struct sock *sk = f->priv;
	sock_lock();
	short r = sk->type == SOCK_STREAM ? stream_poll(sk) : dgram_poll(sk);
	sock_unlock();
	return (short)(r & (events | POLLERR | POLLHUP | POLLNVAL));
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	long r = recv_one(sk, buf, len, flags, NULL, NULL);
	sock_put(sk);
	return syscall_result(r);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	long r = send_one(sk, buf, len, flags, NULL);
	sock_put(sk);
	return syscall_result(r);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	long r = recv_one(sk, buf, len, flags, from, fromlen);
	sock_put(sk);
	return syscall_result(r);
}

/* The destination of a datagram, checked and copied so it is aligned;
 * NULL for a stream, which ignores it as on Linux. */
static int destination(struct sock *sk, const void *to, socklen_t tolen, struct sockaddr_in *out,
		       const struct sockaddr_in **use)
{
	*use = NULL;
	if (!to || sk->type == SOCK_STREAM)
		return 0;
	if (tolen < sizeof(*out))
		return -EINVAL;
	memcpy(out, to, sizeof(*out));
	if (out->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	*use = out;
	return 0;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	struct sock *sk;
	struct sockaddr_in in;
	const struct sockaddr_in *dest;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	long r = destination(sk, to, tolen, &in, &dest);
	if (!r)
		r = send_one(sk, buf, len, flags, dest);
	sock_put(sk);
	return syscall_result(r);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	long r = do_recvmsg(sk, msg, flags);
	sock_put(sk);
	return syscall_result(r);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct sock *sk;
	struct sockaddr_in in;
	const struct sockaddr_in *dest;
	int err = sock_get(fd, &sk);
	if (err)
		return syscall_result(err);
	struct msghdr m = *msg;
	long r = destination(sk, m.msg_name, m.msg_namelen, &in, &dest);
	m.msg_name = (void *)dest;
	if (!r)
		r = do_sendmsg(sk, &m, flags);
	sock_put(sk);
	return syscall_result(r);
}
