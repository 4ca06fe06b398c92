/* Socket lifecycle and addressing over lwIP: socket, bind, listen, accept,
 * connect, shutdown, names and options. Data transfer is in sockio.c.
 *
 * Calls are checked here first for what lwIP would get wrong or not check
 * (address family, socket type and protocol, flags), so the errno an app
 * sees is Linux's; everything else is lwIP's own answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "kernel/sync.h"
#include "libc-shim/net/socket.h"
#include "lwip/sockets.h"
#include "lwip/tcpip.h"

/* A strong reference (kernel/app.h's is weak): an app that makes a socket
 * links lwip-port's net.c, so kernel_main brings the network up before
 * main. Kept by `used` although nothing calls it through this pointer. */
struct cmdline;
void net_start(const struct cmdline *cl);
static void (*const link_network)(const struct cmdline *) __attribute__((used)) = net_start;

static void tcpip_started(void *arg)
{
	sem_up(arg);
}

void sock_stack_up(void)
{
	/* net_start starts lwIP only when there is a NIC; sockets on
	 * 127.0.0.1 work without one. */
	if (sys_mutex_valid(&lock_tcpip_core))
		return;
	struct semaphore started = { 0, WAITQ_INIT };
	tcpip_init(tcpip_started, &started);
	sem_down_until(&started, DEADLINE_NONE);
}

static int sock_stat(struct file *f, struct stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK | 0777;
	st->st_blksize = 4096;
	return 0;
}

static void sock_release(struct file *f)
{
	struct sock *sk = f->priv;
	lwip_close(sk->s);
	free(sk);
}

static const struct file_ops socket_ops = {
	.read = sock_read,
	.write = sock_write,
	.stat = sock_stat,
	.release = sock_release,
	.set_flags = sock_set_flags,
	.ioctl = sock_ioctl,
	.poll_group = sock_poll_group,
};

int sock_get(int fd, struct sock **out)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->ops != &socket_ops)
		return -ENOTSOCK;
	*out = f->priv;
	return 0;
}

/* Wraps lwIP socket `s` in a file at the lowest free fd; closes `s` on
 * failure. `flags` are SOCK_NONBLOCK / SOCK_CLOEXEC. */
static int install(int s, int type, int flags)
{
	struct sock *sk = calloc(1, sizeof(*sk));
	struct file *f = sk ? file_new(&socket_ops, sk, O_RDWR) : 0;
	if (!f) {
		free(sk);
		lwip_close(s);
		return -ENOMEM;
	}
	*sk = (struct sock){ .s = s, .type = type };
	int fd = fd_install(f, 0);
	if (fd < 0 || !(flags & SOCK_NONBLOCK)) {
		if (fd < 0)
			file_put(f);
		return fd;
	}
	int err = sock_set_flags(f, O_RDWR | O_NONBLOCK);
	if (err) {
		fd_close(fd);
		return err;
	}
	f->flags |= O_NONBLOCK;
	return fd;
}

static int check_protocol(int type, int protocol)
{
	switch (type) {
	case SOCK_STREAM:
		return protocol == 0 || protocol == IPPROTO_TCP ? 0 : -EPROTONOSUPPORT;
	case SOCK_DGRAM:
		return protocol == 0 || protocol == IPPROTO_UDP ? 0 : -EPROTONOSUPPORT;
	case SOCK_RAW:
		return protocol > 0 && protocol < IPPROTO_RAW ? 0 : -EPROTONOSUPPORT;
	default:
		return -ESOCKTNOSUPPORT;
	}
}

int socket(int domain, int type, int protocol)
{
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	type &= ~flags;
	if (domain != AF_INET)  /* IPv4 only: lwIP is built without IPv6 */
		return (int)syscall_result(-EAFNOSUPPORT);
	int err = check_protocol(type, protocol);
	if (err)
		return (int)syscall_result(err);
	sock_stack_up();
	int s = (int)LWIP_RESULT(lwip_socket(domain, type, protocol));
	return (int)syscall_result(s < 0 ? s : install(s, type, flags));
}

int socketpair(int domain, int type, int protocol, int fds[2])
{
	(void)type, (void)protocol, (void)fds;
	return (int)syscall_result(domain == AF_UNIX ? -EAFNOSUPPORT : -EOPNOTSUPP);
}

/* An IPv4 address from the app, copied so lwIP sees an aligned
 * sockaddr_in. */
static int inet_address(const struct sockaddr *addr, socklen_t len, struct sockaddr_in *out)
{
	if (!addr)
		return -EFAULT;
	if (len < sizeof(*out))
		return -EINVAL;
	memcpy(out, addr, sizeof(*out));
	return out->sin_family == AF_INET ? 0 : -EAFNOSUPPORT;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sock *sk;
	struct sockaddr_in in;
	int err = sock_get(fd, &sk);
	if (!err)
		err = inet_address(addr, len, &in);
	if (!err)
		err = (int)LWIP_RESULT(lwip_bind(sk->s, (struct sockaddr *)&in, sizeof(in)));
	return (int)syscall_result(err);
}

int listen(int fd, int backlog)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return (int)syscall_result(err);
	/* Linux binds an unbound socket to an ephemeral port; lwIP would
	 * listen on port 0. */
	struct sockaddr_in in;
	socklen_t len = sizeof(in);
	if (sk->type == SOCK_STREAM && lwip_getsockname(sk->s, (struct sockaddr *)&in, &len) == 0 &&
	    in.sin_port == 0) {
		in = (struct sockaddr_in){ .sin_family = AF_INET };
		lwip_bind(sk->s, (struct sockaddr *)&in, sizeof(in));
	}
	return (int)syscall_result(LWIP_RESULT(lwip_listen(sk->s, backlog)));
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (!err && (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)))
		err = -EINVAL;
	if (err)
		return (int)syscall_result(err);
	int s = (int)LWIP_RESULT(lwip_accept(sk->s, addr, len));
	return (int)syscall_result(s < 0 ? s : install(s, sk->type, flags));
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accept4(fd, addr, len, 0);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sock *sk;
	struct sockaddr_in in;
	int err = sock_get(fd, &sk);
	if (err)
		return (int)syscall_result(err);
	if (addr && len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC)
		return (int)syscall_result(LWIP_RESULT(lwip_connect(sk->s, addr, len)));
	err = inet_address(addr, len, &in);
	if (err)
		return (int)syscall_result(err);
	sk->connecting = true;
	err = (int)LWIP_RESULT(lwip_connect(sk->s, (struct sockaddr *)&in, sizeof(in)));
	/* lwIP reports the RST answering a SYN as a reset; Linux (and every
	 * app) calls that a refusal. */
	if (err == -ECONNRESET)
		err = -ECONNREFUSED;
	if (err != -EINPROGRESS && err != -EALREADY)
		sk->connecting = false;
	return (int)syscall_result(err);
}

int shutdown(int fd, int how)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (!err)
		err = (int)LWIP_RESULT(lwip_shutdown(sk->s, how));
	return (int)syscall_result(err);
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (!err)
		err = (int)LWIP_RESULT(lwip_getsockname(sk->s, addr, len));
	return (int)syscall_result(err);
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (!err)
		err = (int)LWIP_RESULT(lwip_getpeername(sk->s, addr, len));
	return (int)syscall_result(err);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (!err)
		err = (int)LWIP_RESULT(lwip_setsockopt(sk->s, level, name, val, len));
	return (int)syscall_result(err);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (!err)
		err = (int)LWIP_RESULT(lwip_getsockopt(sk->s, level, name, val, len));
	/* A non-blocking connect's outcome: refused, as in connect(). */
	if (!err && level == SOL_SOCKET && name == SO_ERROR && sk->connecting &&
	    *len >= sizeof(int)) {
		int *so_error = val;
		if (*so_error == ECONNRESET)
			*so_error = ECONNREFUSED;
		sk->connecting = *so_error == 0;
	}
	return (int)syscall_result(err);
}
