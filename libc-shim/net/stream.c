/* TCP sockets on lwIP's raw TCP API (see socket.h for the locking).
 *
 * Received data stays in lwIP's pbufs, queued on the socket, until the app
 * reads it; only then is the window opened again (tcp_recved), so a slow
 * reader slows its sender as on Linux, and closing with unread data resets
 * the connection as Linux does (lwIP sends RST when its window is short).
 * Sends copy into lwIP's send buffer and wait for room when it is full.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "kernel/console.h"
#include "kernel/log.h"
#include "libc-shim/net/socket.h"
#include "lwip/tcp.h"

/* A connect() or accept() completes with sk->connected; a reset or a
 * timeout comes through here, after which the pcb is gone. */
static void on_error(void *arg, err_t err)
{
	struct sock *sk = arg;
	if (!sk)
		return;
	sk->pcb.tcp = NULL;
	if (err == ERR_CLSD) {
		sk->peer_closed = true; /* both FINs exchanged: a clean end */
	} else if (sk->connecting) {
		sk->error = err == ERR_RST ? ECONNREFUSED : ETIMEDOUT;
	} else {
		sk->error = err == ERR_RST ? ECONNRESET : err == ERR_ABRT ? ETIMEDOUT : -sock_errno(err);
	}
	sk->connecting = false;
	sock_changed(sk);
}

/* Unread data is one pbuf chain, whose length is 16 bits: the window
 * bounds it. */
_Static_assert(TCP_WND <= 0xFFFF, "unread stream data must fit a pbuf chain's tot_len");

static void detach(struct tcp_pcb *pcb);

static err_t on_received(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct sock *sk = arg;
	(void)err;              /* always ERR_OK in lwIP 2 */
	if (!p) {
		sk->peer_closed = true;
		if (sk->shut_wr) {
			/* Both FINs sent: lwIP moves the pcb to TIME_WAIT (or
			 * CLOSING, then TIME_WAIT) and frees it later without a
			 * word to us, so let go of it now. */
			stream_names(sk);
			detach(pcb);
			sk->pcb.tcp = NULL;
		}
	} else if (sk->shut_rd) {
		tcp_recved(pcb, p->tot_len);    /* nobody will read it */
		pbuf_free(p);
		return ERR_OK;
	} else if (sk->rx) {
		/* The first segment (a request, usually) stays as it came;
		 * short ones joining it are copied (sock_compact says why). */
		pbuf_cat(sk->rx, sock_compact(p));
	} else {
		sk->rx = p;
	}
	sock_changed(sk);
	return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct sock *sk = arg;
	(void)pcb, (void)len;
	sk->send_full = false;
	sock_changed(sk);
	return ERR_OK;
}

/* Every second or so while a send found lwIP's segments used up by other
 * connections (so this one may have nothing in flight to be acknowledged):
 * look again. */
static err_t on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct sock *sk = arg;
	(void)pcb;
	if (sk && sk->send_full) {
		sk->send_full = false;
		sock_changed(sk);
	}
	return ERR_OK;
}

static void attach(struct sock *sk, struct tcp_pcb *pcb)
{
	sk->pcb.tcp = pcb;
	tcp_arg(pcb, sk);
	tcp_recv(pcb, on_received);
	tcp_sent(pcb, on_sent);
	tcp_err(pcb, on_error);
	tcp_poll(pcb, on_poll, 2);      /* in lwIP's 500 ms ticks */
}

/* Cuts `pcb` loose from its socket so no callback reaches freed memory. */
static void detach(struct tcp_pcb *pcb)
{
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
		return;
	}
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
}

void stream_apply_options(struct sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;
	if (!sk->opts.tcp_set || !pcb || pcb->state == LISTEN)
		return;         /* (a new pcb has lwIP's defaults already) */
	if (sk->opts.nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	if (sk->opts.keep_idle_s)
		pcb->keep_idle = sk->opts.keep_idle_s * 1000u;
	if (sk->opts.keep_intvl_s)
		pcb->keep_intvl = sk->opts.keep_intvl_s * 1000u;
	if (sk->opts.keep_cnt)
		pcb->keep_cnt = sk->opts.keep_cnt;
}

int stream_open(struct sock *sk)
{
	struct tcp_pcb *pcb = tcp_new();
	if (!pcb)
		return -ENOMEM;
	attach(sk, pcb);
	return 0;
}

void stream_names(struct sock *sk)
{
	struct tcp_pcb *pcb = sk->pcb.tcp;
	if (!pcb)
		return;
	sock_name(&sk->local, &pcb->local_ip, pcb->local_port);
	if (sk->connected || sk->connecting)
		sock_name(&sk->remote, &pcb->remote_ip, pcb->remote_port);
}

int stream_bind(struct sock *sk, const struct sockaddr_in *in)
{
	if (!sk->pcb.tcp || sk->listening || sk->connected || sk->connecting)
		return -EINVAL;
	if (sk->pcb.tcp->local_port)
		return -EINVAL;         /* already bound, as Linux says */
	ip_addr_t ip;
	sock_ip(&ip, in);
	return sock_errno(tcp_bind(sk->pcb.tcp, &ip, ntohs(in->sin_port)));
}

/* lwIP completed a handshake on a listener: queue the connection for
 * accept(). Counted as pending in lwIP's backlog until accept() takes it. */
static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *l = arg;
	if (err != ERR_OK || !pcb || !l)
		return ERR_VAL;
	struct sock *sk = calloc(1, sizeof(*sk));
	if (!sk)
		return ERR_MEM;         /* lwIP aborts the connection */
	sk->type = SOCK_STREAM;
	sk->connected = true;
	sk->opts = l->opts;             /* inherited, as on Linux */
	attach(sk, pcb);
	stream_apply_options(sk);
	stream_names(sk);
	tcp_backlog_delayed(pcb);
	if (l->pending_tail)
		l->pending_tail->pending_next = sk;
	else
		l->pending_head = sk;
	l->pending_tail = sk;
	sock_changed(l);
	return ERR_OK;
}

/* Tells `skiff run` (console.h's control stream) that a port now accepts
 * connections: it opens the host's forward for that port only then, so a
 * client is never accepted by QEMU before anyone listens in the guest. */
static void announce_listen(unsigned port)
{
	char line[32];

	ksnprintf(line, sizeof(line), "listen tcp %u", port);
	console_control(line);
}

int stream_listen(struct sock *sk, int backlog)
{
	if (sk->listening)
		return 0;
	if (!sk->pcb.tcp || sk->connected || sk->connecting)
		return -EINVAL;
	/* Linux binds an unbound socket to an ephemeral port; lwIP would
	 * listen on port 0. */
	if (!sk->pcb.tcp->local_port) {
		int err = sock_errno(tcp_bind(sk->pcb.tcp, IP4_ADDR_ANY, 0));
		if (err)
			return err;
	}
	backlog = backlog < 1 ? 1 : backlog > 255 ? 255 : backlog;
	err_t err;
	struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(sk->pcb.tcp, (u8_t)backlog, &err);
	if (!lpcb)
		return sock_errno(err);
	sk->pcb.tcp = lpcb;     /* lwIP freed the old pcb */
	tcp_arg(lpcb, sk);
	tcp_accept(lpcb, on_accept);
	sk->listening = true;
	announce_listen(lpcb->local_port);
	return 0;
}

int stream_accept(struct sock *sk, struct sock **out)
{
	if (!sk->listening)
		return -EINVAL;
	uint64_t deadline = sock_deadline(sk->opts.rcvtimeo_ns);
	while (!sk->pending_head) {
		if (sk->shut_rd)
			return -EINVAL;         /* shut down: as Linux */
		if (sk->nonblocking)
			return -EAGAIN;
		if (sock_wait(sk, deadline) == -ETIMEDOUT && !sk->pending_head)
			return -EAGAIN;
	}
	struct sock *conn = sk->pending_head;
	sk->pending_head = conn->pending_next;
	if (!sk->pending_head)
		sk->pending_tail = NULL;
	conn->pending_next = NULL;
	if (conn->pcb.tcp)
		tcp_backlog_accepted(conn->pcb.tcp);
	*out = conn;
	return 0;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct sock *sk = arg;
	(void)pcb, (void)err;   /* always ERR_OK in lwIP 2 */
	sk->connecting = false;
	sk->connected = true;
	sock_changed(sk);
	return ERR_OK;
}

int stream_connect(struct sock *sk, const struct sockaddr_in *in)
{
	if (sk->listening)
		return -EINVAL;
	if (sk->connected)
		return -EISCONN;
	if (sk->connecting) {
		if (sk->nonblocking)
			return -EALREADY;
	} else {
		if (!sk->pcb.tcp) {
			/* An earlier connect failed and lwIP freed its pcb:
			 * Linux lets the socket try again. */
			int err = stream_open(sk);
			if (err)
				return err;
			stream_apply_options(sk);
		}
		ip_addr_t ip;
		sock_ip(&ip, in);
		int err = sock_errno(tcp_connect(sk->pcb.tcp, &ip, ntohs(in->sin_port), on_connected));
		if (err)
			return err;
		sk->connecting = true;
		sk->error = 0;
		if (sk->nonblocking)
			return -EINPROGRESS;
	}
	uint64_t deadline = sock_deadline(sk->opts.sndtimeo_ns);
	while (sk->connecting)
		if (sock_wait(sk, deadline) == -ETIMEDOUT && sk->connecting)
			return -EINPROGRESS;
	if (sk->connected)
		return 0;
	int err = sk->error ? -sk->error : -ECONNREFUSED;
	sk->error = 0;
	return err;
}

/* Gives the app's read bytes back to the sender as window. */
static void consumed(struct sock *sk, size_t n)
{
	sk->rx = pbuf_free_header(sk->rx, (u16_t)n);
	if (sk->pcb.tcp)
		tcp_recved(sk->pcb.tcp, (u16_t)n);
}

/* Copies up to what the buffers hold from the queued data; consumes it
 * unless MSG_PEEK. */
static size_t take(struct sock *sk, struct iovec *iov, int iovcnt, int flags)
{
	size_t done = 0;
	for (int i = 0; i < iovcnt && sk->rx; i++) {
		size_t want = iov[i].iov_len;
		while (want && sk->rx) {
			u16_t from = (flags & MSG_PEEK) ? (u16_t)done : 0;
			if (from >= sk->rx->tot_len)
				return done;
			size_t chunk = sk->rx->tot_len - from;
			chunk = chunk < want ? chunk : want;
			chunk = chunk < 0xFFFF ? chunk : 0xFFFF;
			char *to = (char *)iov[i].iov_base + (iov[i].iov_len - want);
			pbuf_copy_partial(sk->rx, to, (u16_t)chunk, from);
			if (!(flags & MSG_PEEK))
				consumed(sk, chunk);
			done += chunk;
			want -= chunk;
		}
	}
	return done;
}

static size_t iov_total(const struct iovec *iov, int iovcnt)
{
	size_t n = 0;
	for (int i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	return n;
}

long stream_recv(struct sock *sk, struct iovec *iov, int iovcnt, int flags)
{
	if (sk->listening)
		return -ENOTCONN;
	size_t want = iov_total(iov, iovcnt), got = 0;
	uint64_t deadline = sock_deadline(sk->opts.rcvtimeo_ns);
	bool nonblocking = sk->nonblocking || (flags & MSG_DONTWAIT);
	bool peek_all = (flags & (MSG_PEEK | MSG_WAITALL)) == (MSG_PEEK | MSG_WAITALL);
	for (;;) {
		if (sk->rx && peek_all && sk->rx->tot_len < want && !nonblocking && !sk->peer_closed &&
		    !sk->error && sk->pcb.tcp && sock_wait(sk, deadline) == 0)
			continue;       /* MSG_PEEK | MSG_WAITALL: wait for it all */
		if (sk->rx) {
			size_t n = take(sk, iov, iovcnt, flags);
			got += n;
			if (!(flags & MSG_WAITALL) || got == want || (flags & MSG_PEEK))
				return (long)got;
			/* MSG_WAITALL: skip what is filled and wait for more */
			while (n && iovcnt) {
				size_t step = n < iov->iov_len ? n : iov->iov_len;
				iov->iov_base = (char *)iov->iov_base + step;
				iov->iov_len -= step;
				n -= step;
				if (!iov->iov_len)
					iov++, iovcnt--;
			}
			continue;
		}
		if (want == 0)
			return 0;
		long none;      /* what to return if nothing came at all */
		if (sk->error) {
			none = -sk->error;
			sk->error = 0;
		} else if (sk->peer_closed || sk->shut_rd || !sk->pcb.tcp) {
			none = 0;
		} else if (!sk->connected && !sk->connecting) {
			none = -ENOTCONN;
		} else if (nonblocking) {
			none = -EAGAIN;
		} else if (sock_wait(sk, deadline) == -ETIMEDOUT && !sk->rx && !sk->peer_closed && !sk->error) {
			none = -EAGAIN;
		} else {
			continue;
		}
		return got ? (long)got : none;
	}
}

/* Room lwIP has for more data now: bytes, and queue slots (one per
 * segment of at most an MSS, plus one spare). */
static size_t send_room(struct tcp_pcb *pcb)
{
	if (tcp_sndqueuelen(pcb) + 2 >= TCP_SND_QUEUELEN)
		return 0;
	size_t by_slots = (size_t)(TCP_SND_QUEUELEN - tcp_sndqueuelen(pcb) - 2) * tcp_mss(pcb);
	size_t by_bytes = tcp_sndbuf(pcb);
	return by_slots < by_bytes ? by_slots : by_bytes;
}

long stream_send(struct sock *sk, const struct iovec *iov, int iovcnt, int flags)
{
	size_t total = iov_total(iov, iovcnt), sent = 0;
	uint64_t deadline = sock_deadline(sk->opts.sndtimeo_ns);
	bool nonblocking = sk->nonblocking || (flags & MSG_DONTWAIT);
	int i = 0;
	size_t off = 0;         /* into iov[i] */
	for (;;) {
		if (sk->error) {
			int err = sk->error;
			sk->error = 0;
			return sent ? (long)sent : -err;
		}
		if (!sk->pcb.tcp || sk->shut_wr || (!sk->connected && !sk->connecting))
			return sent ? (long)sent : -EPIPE;
		if (sent == total)
			break;
		size_t room = sk->connected && !sk->send_full ? send_room(sk->pcb.tcp) : 0;
		if (!room) {
			if (sent)
				tcp_output(sk->pcb.tcp);
			if (nonblocking)
				return sent ? (long)sent : -EAGAIN;
			if (sock_wait(sk, deadline) == -ETIMEDOUT)
				return sent ? (long)sent : -EAGAIN;
			sk->send_full = false;
			continue;
		}
		while (room && sent < total) {
			while (iov[i].iov_len == off)
				i++, off = 0;
			size_t chunk = iov[i].iov_len - off;
			chunk = chunk < room ? chunk : room;
			u8_t how = TCP_WRITE_FLAG_COPY;
			if (sent + chunk < total || (flags & MSG_MORE))
				how |= TCP_WRITE_FLAG_MORE;
			err_t err = tcp_write(sk->pcb.tcp, (const char *)iov[i].iov_base + off, (u16_t)chunk, how);
			if (err == ERR_MEM && chunk > tcp_mss(sk->pcb.tcp)) {
				room = chunk / 2;       /* segments are short: smaller */
				continue;
			}
			if (err == ERR_MEM) {
				/* lwIP's segments are used up (other connections hold
				 * them): no POLLOUT until on_sent or on_poll. */
				sk->send_full = true;
				break;
			}
			if (err != ERR_OK)
				return sent ? (long)sent : sock_errno(err);
			off += chunk;
			sent += chunk;
			room -= chunk;
		}
	}
	if (total)
		tcp_output(sk->pcb.tcp);
	return (long)sent;
}

int stream_shutdown(struct sock *sk, int how)
{
	if (!sk->connected && !sk->listening)
		return -ENOTCONN;
	if (how != SHUT_WR && !sk->shut_rd) {
		sk->shut_rd = true;
		if (sk->rx) {
			size_t n = sk->rx->tot_len;
			pbuf_free(sk->rx);
			sk->rx = NULL;
			if (sk->pcb.tcp)
				tcp_recved(sk->pcb.tcp, (u16_t)n);
		}
	}
	if (how != SHUT_RD && !sk->shut_wr) {
		sk->shut_wr = true;
		if (sk->pcb.tcp && !sk->listening)
			tcp_shutdown(sk->pcb.tcp, 0, 1);
	}
	sock_changed(sk);
	return 0;
}

short stream_poll(struct sock *sk)
{
	short r = 0;
	if (sk->listening)
		return sk->pending_head ? POLLIN | POLLRDNORM : 0;
	if (sk->rx || sk->peer_closed || sk->shut_rd)
		r |= POLLIN | POLLRDNORM;
	if (sk->error)
		r |= POLLERR | POLLIN | POLLOUT;
	if (sk->connected && sk->pcb.tcp && !sk->shut_wr && !sk->send_full && send_room(sk->pcb.tcp))
		r |= POLLOUT | POLLWRNORM;
	if (sk->shut_wr)
		r |= POLLOUT | POLLWRNORM;      /* as Linux: a write fails at once */
	if (!sk->connecting && (!sk->pcb.tcp || !sk->connected || (sk->peer_closed && sk->shut_wr)))
		r |= POLLHUP;
	if (!sk->connecting && !sk->connected)
		r |= POLLOUT;   /* as Linux: writing would fail at once */
	return r;
}

/* Frees a connection accept() never took. */
static void drop_pending(struct sock *sk)
{
	if (sk->pcb.tcp) {
		detach(sk->pcb.tcp);
		tcp_abort(sk->pcb.tcp);
	}
	if (sk->rx)
		pbuf_free(sk->rx);
	free(sk);
}

void stream_close(struct sock *sk)
{
	while (sk->pending_head) {
		struct sock *next = sk->pending_head->pending_next;
		drop_pending(sk->pending_head);
		sk->pending_head = next;
	}
	struct tcp_pcb *pcb = sk->pcb.tcp;
	if (sk->rx) {
		pbuf_free(sk->rx);      /* unread: lwIP sees its window short and resets */
		sk->rx = NULL;
	}
	if (!pcb)
		return;
	detach(pcb);
	sk->pcb.tcp = NULL;
	bool reset = !sk->listening && sk->opts.linger_s == 0;  /* SO_LINGER {1, 0} */
	if (reset || tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);         /* (tcp_close of a listener cannot fail) */
}

int sock_pending_bytes(struct sock *sk)
{
	if (sk->type == SOCK_STREAM)
		return sk->rx ? sk->rx->tot_len : 0;
	return sk->dg_head ? sk->dg_head->p->tot_len : 0;
}
