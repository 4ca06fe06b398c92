/* Socket lifecycle and names: socket, bind, listen, accept, connect,
 * shutdown, close, getsockname, getpeername; the lock, waits and errno
 * conversion the other files share. Data calls are in sockio.c, options
 * in sockopt.c, the protocols in stream.c and dgram.c.
 *
 * Calls are checked here first for what lwIP would get wrong or not check
 * (address family, socket type and protocol, flags), so the errno an app
 * sees is Linux's.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernel/arch.h"
#include "libc-shim/net/socket.h"
#include "lwip/tcpip.h"

/* A strong reference (kernel/app.h's is weak): an app that makes a socket
 * links lwip-port's net.c, so kernel_main brings the network up before
 * main. Kept by `used` although nothing calls it through this pointer. */
struct cmdline;
void net_start(const struct cmdline *cl);
static void (*const link_network)(const struct cmdline *) __attribute__((used)) = net_start;

void sock_lock(void)
{
	LOCK_TCPIP_CORE();
}

void sock_unlock(void)
{
	UNLOCK_TCPIP_CORE();
}

int sock_cond_wait(struct cond *c, uint64_t deadline_ns)
{
	sys_arch_core_unlocking();      /* the wait releases the lock itself */
	return cond_wait_until(c, &lock_tcpip_core.mutex, deadline_ns);
}

int sock_wait(struct sock *sk, uint64_t deadline_ns)
{
	return sock_cond_wait(&sk->changed, deadline_ns);
}

uint64_t sock_deadline(uint64_t timeout_ns)
{
	return timeout_ns ? arch_monotonic_ns() + timeout_ns : DEADLINE_NONE;
}

void sock_changed(struct sock *sk)
{
	cond_broadcast(&sk->changed);
	file_poll_wake();
}

int sock_errno(int8_t err)
{
	switch (err) {
	case ERR_OK: return 0;
	case ERR_MEM: return -ENOMEM;
	case ERR_BUF: return -ENOBUFS;
	case ERR_TIMEOUT: return -ETIMEDOUT;
	case ERR_RTE: return -ENETUNREACH;     /* no route, as Linux says */
	case ERR_INPROGRESS: return -EINPROGRESS;
	case ERR_WOULDBLOCK: return -EWOULDBLOCK;
	case ERR_USE: return -EADDRINUSE;
	case ERR_ALREADY: return -EALREADY;
	case ERR_ISCONN: return -EISCONN;
	case ERR_CONN: return -ENOTCONN;
	case ERR_ABRT: return -ECONNABORTED;
	case ERR_RST: return -ECONNRESET;
	case ERR_CLSD: return -ENOTCONN;
	case ERR_IF: return -ENETDOWN;
	default: return -EINVAL;        /* ERR_VAL, ERR_ARG */
	}
}

#define COMPACT_BELOW 1024
struct pbuf *sock_compact(struct pbuf *p)
{
	if (p->tot_len >= COMPACT_BELOW)
		return p;
	struct pbuf *copy = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (!copy)
		return p;
	pbuf_free(p);
	return copy;
}

void sock_name(struct sockaddr_in *out, const ip_addr_t *ip, uint16_t port)
{
	*out = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port) };
	out->sin_addr.s_addr = ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0;
}

void sock_ip(ip_addr_t *out, const struct sockaddr_in *in)
{
	ip_addr_set_ip4_u32_val(*out, in->sin_addr.s_addr);
}

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
	sock_lock();
	if (sk->type == SOCK_STREAM)
		stream_close(sk);
	else
		dgram_close(sk);
	sock_unlock();
	free(sk);
}

static const struct file_ops socket_ops = {
	.read = sock_read,
	.write = sock_write,
	.readv = sock_readv,
	.writev = sock_writev,
	.stat = sock_stat,
	.release = sock_release,
	.set_flags = sock_set_flags,
	.ioctl = sock_ioctl,
	.poll = sock_poll,
};

int sock_get(int fd, struct sock **out)
{
	struct file *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->ops != &socket_ops)
		return -ENOTSOCK;
	f->refs++;
	*out = f->priv;
	return 0;
}

void sock_put(struct sock *sk)
{
	file_put(sk->file);
}

int sock_install(struct sock *sk, int flags)
{
	struct file *f = file_new(&socket_ops, sk, O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0));
	if (!f) {
		sock_release(&(struct file){ .priv = sk });
		return -ENOMEM;
	}
	sk->nonblocking = flags & SOCK_NONBLOCK;
	sk->file = f;
	int fd = fd_install(f, 0);
	if (fd < 0)
		file_put(f);
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
	struct sock *sk = calloc(1, sizeof(*sk));
	if (!sk)
		return (int)syscall_result(-ENOMEM);
	sk->type = type;
	sk->opts.linger_s = -1;
	sock_lock();
	err = type == SOCK_STREAM ? stream_open(sk) : dgram_open(sk, protocol);
	sock_unlock();
	if (err) {
		free(sk);
		return (int)syscall_result(err);
	}
	return (int)syscall_result(sock_install(sk, flags));
}

int socketpair(int domain, int type, int protocol, int fds[2])
{
	(void)type, (void)protocol, (void)fds;
	return (int)syscall_result(domain == AF_UNIX ? -EAFNOSUPPORT : -EOPNOTSUPP);
}

/* An IPv4 address from the app, copied so it is aligned. */
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
	if (err)
		return (int)syscall_result(err);
	err = inet_address(addr, len, &in);
	if (!err) {
		sock_lock();
		err = sk->type == SOCK_STREAM ? stream_bind(sk, &in) : dgram_bind(sk, &in);
		sock_unlock();
	}
	sock_put(sk);
	return (int)syscall_result(err);
}

int listen(int fd, int backlog)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return (int)syscall_result(err);
	if (sk->type != SOCK_STREAM) {
		err = -EOPNOTSUPP;
	} else {
		sock_lock();
		err = stream_listen(sk, backlog);
		sock_unlock();
	}
	sock_put(sk);
	return (int)syscall_result(err);
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	struct sock *sk, *conn = NULL;
	int err = sock_get(fd, &sk);
	if (err)
		return (int)syscall_result(err);
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
		err = -EINVAL;
	} else if (sk->type != SOCK_STREAM) {
		err = -EOPNOTSUPP;
	} else {
		sock_lock();
		err = stream_accept(sk, &conn);
		sock_unlock();
	}
	sock_put(sk);
	struct sockaddr_in peer = conn ? conn->remote : (struct sockaddr_in){ 0 };
	if (err)
		return (int)syscall_result(err);
	if (addr && len) {
		memcpy(addr, &peer, *len < sizeof(peer) ? *len : sizeof(peer));
		*len = sizeof(peer);
	}
	return (int)syscall_result(sock_install(conn, flags));
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
	bool unspec = addr && len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC;
	if (!unspec)
		err = inet_address(addr, len, &in);
	if (!err) {
		sock_lock();
		if (sk->type == SOCK_STREAM)
			err = unspec ? -EAFNOSUPPORT : stream_connect(sk, &in);
		else
			err = dgram_connect(sk, unspec ? NULL : &in);
		sock_unlock();
	}
	sock_put(sk);
	return (int)syscall_result(err);
}

int shutdown(int fd, int how)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return (int)syscall_result(err);
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) {
		sock_put(sk);
		return (int)syscall_result(-EINVAL);
	}
	sock_lock();
	if (sk->type == SOCK_STREAM) {
		err = stream_shutdown(sk, how);
	} else {
		/* Datagrams: nothing goes out, but readers must stop waiting. */
		sk->shut_rd |= how != SHUT_WR;
		sk->shut_wr |= how != SHUT_RD;
		sock_changed(sk);
	}
	sock_unlock();
	sock_put(sk);
	return (int)syscall_result(err);
}

static int give_name(const struct sockaddr_in *name, struct sockaddr *addr, socklen_t *len)
{
	if (!addr || !len)
		return -EFAULT;
	memcpy(addr, name, *len < sizeof(*name) ? *len : sizeof(*name));
	*len = sizeof(*name);
	return 0;
}

/* The socket's own name, or its peer's (-ENOTCONN without one). */
static int name_of(int fd, bool peer, struct sockaddr_in *out)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return err;
	sock_lock();
	if (sk->type == SOCK_STREAM)
		stream_names(sk);
	else
		dgram_names(sk);
	*out = peer ? sk->remote : sk->local;
	err = peer && !sk->connected ? -ENOTCONN : 0;
	sock_unlock();
	sock_put(sk);
	return err;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_in name;
	int err = name_of(fd, false, &name);
	return (int)syscall_result(err ? err : give_name(&name, addr, len));
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_in name;
	int err = name_of(fd, true, &name);
	return (int)syscall_result(err ? err : give_name(&name, addr, len));
}
