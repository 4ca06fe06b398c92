/* Sockets as files (libc-shim/net), straight on lwIP's raw TCP, UDP and
 * raw-IP APIs: shared by socket.c (lifecycle, names), stream.c (TCP),
 * dgram.c (UDP and raw IP), sockio.c (data calls), sockopt.c and netdb.c.
 *
 * Why not lwIP's own sockets: they hand every call to lwIP's thread as a
 * message (netconn, api_msg) and back; under TCG each of those layers is
 * code translated on the first request's path. Here an app's thread takes
 * lwIP's core lock and calls lwIP itself; lwIP's callbacks (run with the
 * lock held, from the NIC's or lwIP's thread) queue data on the socket and
 * wake its waiters and every poll().
 *
 * Locking: every field below is guarded by lwIP's core lock, and every
 * lwIP call is made with it held (sock_lock). A socket's pcb can vanish
 * under it (lwIP frees a pcb on reset or timeout and says so through the
 * err callback), so code reads sk->pcb after each wait.
 */
#ifndef SKIFF_LIBC_NET_SOCKET_H
#define SKIFF_LIBC_NET_SOCKET_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "libc-shim/file.h"
#include "kernel/sync.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

struct tcp_pcb;
struct udp_pcb;
struct raw_pcb;

/* One received datagram (UDP, or a raw socket's IP packet). */
struct dgram {
	struct dgram *next;
	struct pbuf *p;
	struct sockaddr_in from;
};

/* Options kept on the socket: applied to its pcb when there is one, and
 * passed on to the connections a listener accepts, as on Linux. */
struct sock_options {
	uint64_t rcvtimeo_ns, sndtimeo_ns;      /* 0: no limit */
	int linger_s;                   /* SO_LINGER: -1 off */
	bool tcp_set;                   /* any of the TCP ones below was set */
	bool nodelay;                   /* TCP_NODELAY */
	unsigned keep_idle_s, keep_intvl_s, keep_cnt;   /* 0: lwIP's defaults */
};

struct sock {
	struct file *file;              /* the file this socket is */
	int type;                       /* SOCK_STREAM, SOCK_DGRAM, SOCK_RAW */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
		struct raw_pcb *raw;
		void *any;
	} pcb;                          /* NULL once lwIP has freed it */
	bool nonblocking;               /* O_NONBLOCK, mirrored from the file */
	bool listening, connecting, connected;
	bool peer_closed;               /* stream: the peer's FIN came */
	bool shut_rd, shut_wr;          /* shutdown() by the app */
	bool send_full;                 /* lwIP had no segment for a send */
	int error;                      /* pending error for SO_ERROR / the next call */
	struct cond changed;            /* waiters in blocking calls */
	struct sock_options opts;

	/* stream data the app has not read, as lwIP's pbufs (a chain; read
	 * bytes are cut off its head) */
	struct pbuf *rx;
	/* datagrams, oldest first, and their bytes (bounded by rcvbuf) */
	struct dgram *dg_head, *dg_tail;
	size_t dg_bytes;

	/* listener: connections lwIP completed that accept() has not taken */
	struct sock *pending_head, *pending_tail, *pending_next;

	/* names kept for getsockname/getpeername after the pcb is gone */
	struct sockaddr_in local, remote;
};

/* Receive buffer bound of a datagram socket, as SO_RCVBUF reports it. */
#define SOCK_DGRAM_RCVBUF (256 * 1024)

/* lwIP's core lock, which guards every struct sock and lwIP itself. */
void sock_lock(void);
void sock_unlock(void);
/* Waits (lock released meanwhile, held again on return) until `c` is
 * signalled or `deadline_ns` passes: 0 or -ETIMEDOUT. sock_wait waits for
 * the socket to change. */
int sock_cond_wait(struct cond *c, uint64_t deadline_ns);
int sock_wait(struct sock *sk, uint64_t deadline_ns);
/* The deadline a blocking call with timeout `timeout_ns` (0: none) has. */
uint64_t sock_deadline(uint64_t timeout_ns);
/* From lwIP's callbacks: the socket changed; wakes its waiters and poll(). */
void sock_changed(struct sock *sk);
/* A short received pbuf copied to a heap buffer of its own size (the
 * frame's buffer freed), or `p` itself. The NIC's receive buffers
 * (lwip-port/rxbuf.c) hold one frame each: tiny segments or datagrams
 * queued on sockets whose apps do not read would otherwise use up many
 * times more buffers than their bytes need and starve every connection
 * (lwIP's netconn capped a socket at 128 frames). */
struct pbuf *sock_compact(struct pbuf *p);
/* lwIP's err_t as a negative errno (the one boundary docs/ARCHITECTURE.md names). */
int sock_errno(int8_t err);

/* The socket behind `fd`, with a reference the caller drops with
 * sock_put (not holding the lock): -EBADF if none, -ENOTSOCK if not a
 * socket. The reference keeps the socket alive through a close() by
 * another thread while the call waits. */
int sock_get(int fd, struct sock **out);
void sock_put(struct sock *sk);
/* Wraps `sk` in a file at the lowest free fd; frees it on failure.
 * `flags` are SOCK_NONBLOCK / SOCK_CLOEXEC. */
int sock_install(struct sock *sk, int flags);
/* Makes sure lwIP's thread runs (it does when a NIC exists; without one,
 * only loopback works) and links the network stack into the app. */
void sock_stack_up(void);

/* lwIP's address in a sockaddr_in and back. */
void sock_name(struct sockaddr_in *out, const ip_addr_t *ip, uint16_t port);
void sock_ip(ip_addr_t *out, const struct sockaddr_in *in);

/* Streams (stream.c), all with the lock held. */
int stream_open(struct sock *sk);
void stream_apply_options(struct sock *sk);     /* sk->opts onto its pcb */
int stream_bind(struct sock *sk, const struct sockaddr_in *in);
int stream_listen(struct sock *sk, int backlog);
int stream_accept(struct sock *sk, struct sock **out);
int stream_connect(struct sock *sk, const struct sockaddr_in *in);
long stream_recv(struct sock *sk, struct iovec *iov, int iovcnt, int flags);
long stream_send(struct sock *sk, const struct iovec *iov, int iovcnt, int flags);
int stream_shutdown(struct sock *sk, int how);
short stream_poll(struct sock *sk);
void stream_close(struct sock *sk);
void stream_names(struct sock *sk);     /* refreshes sk->local, sk->remote */

/* Datagrams, UDP and raw IP (dgram.c), all with the lock held. */
int dgram_open(struct sock *sk, int protocol);
int dgram_bind(struct sock *sk, const struct sockaddr_in *in);
int dgram_connect(struct sock *sk, const struct sockaddr_in *in);  /* NULL: disconnect */
long dgram_recv(struct sock *sk, struct msghdr *msg, int flags);
long dgram_send(struct sock *sk, const struct msghdr *msg, int flags);
short dgram_poll(struct sock *sk);
void dgram_close(struct sock *sk);
void dgram_names(struct sock *sk);

/* Bytes waiting to be read (FIONREAD). */
int sock_pending_bytes(struct sock *sk);

/* File ops of sockets (sockio.c). */
ssize_t sock_read(struct file *f, void *buf, size_t len);
ssize_t sock_write(struct file *f, const void *buf, size_t len);
ssize_t sock_readv(struct file *f, const struct iovec *iov, int count);
ssize_t sock_writev(struct file *f, const struct iovec *iov, int count);
int sock_ioctl(struct file *f, unsigned long request, void *arg);
int sock_set_flags(struct file *f, int flags);
short sock_poll(struct file *f, short events);

#endif
