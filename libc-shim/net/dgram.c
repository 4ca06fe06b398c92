/* UDP and raw-IP sockets on lwIP's raw APIs (see socket.h for the
 * locking). Received datagrams wait on the socket, each with its sender,
 * up to SOCK_DGRAM_RCVBUF bytes; past that they are dropped, as a full
 * socket buffer drops them on Linux. A raw socket gets a copy of each IP
 * packet of its protocol, header included, as on Linux; lwIP goes on
 * handling the packet itself (ICMP echo answers, for one).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "libc-shim/net/socket.h"
#include "lwip/raw.h"
#include "lwip/udp.h"

#define DGRAM_MAX 65507         /* largest IPv4 UDP payload */

static void enqueue(struct sock *sk, struct pbuf *p, const ip_addr_t *from, u16_t port)
{
	struct dgram *d = NULL;
	if (!sk->shut_rd && sk->dg_bytes + p->tot_len <= SOCK_DGRAM_RCVBUF)
		d = malloc(sizeof(*d));
	if (!d) {
		pbuf_free(p);
		return;
	}
	d->next = NULL;
	d->p = p;
	sock_name(&d->from, from, port);
	if (sk->dg_tail)
		sk->dg_tail->next = d;
	else
		sk->dg_head = d;
	sk->dg_tail = d;
	sk->dg_bytes += p->tot_len;
	sock_changed(sk);
}

static void on_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *from, u16_t port)
{
	(void)pcb;
	enqueue(arg, sock_compact(p), from, port);
}

static u8_t on_raw(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
	(void)pcb;
	struct pbuf *copy = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
	if (copy)
		enqueue(arg, copy, from, 0);
	return 0;               /* not eaten: lwIP handles the packet too */
}

int dgram_open(struct sock *sk, int protocol)
{
	if (sk->type == SOCK_DGRAM) {
		struct udp_pcb *pcb = udp_new();
		if (!pcb)
			return -ENOMEM;
		udp_recv(pcb, on_udp, sk);
		sk->pcb.udp = pcb;
	} else {
		struct raw_pcb *pcb = raw_new((u8_t)protocol);
		if (!pcb)
			return -ENOMEM;
		raw_recv(pcb, on_raw, sk);
		sk->pcb.raw = pcb;
	}
	return 0;
}

void dgram_names(struct sock *sk)
{
	if (sk->type == SOCK_DGRAM) {
		struct udp_pcb *pcb = sk->pcb.udp;
		sock_name(&sk->local, &pcb->local_ip, pcb->local_port);
		sock_name(&sk->remote, &pcb->remote_ip, pcb->remote_port);
	} else {
		struct raw_pcb *pcb = sk->pcb.raw;
		sock_name(&sk->local, &pcb->local_ip, 0);
		sock_name(&sk->remote, &pcb->remote_ip, 0);
	}
}

int dgram_bind(struct sock *sk, const struct sockaddr_in *in)
{
	ip_addr_t ip;
	sock_ip(&ip, in);
	if (sk->type == SOCK_RAW)
		return sock_errno(raw_bind(sk->pcb.raw, &ip));
	if (sk->pcb.udp->local_port)
		return -EINVAL;         /* already bound, as Linux says */
	return sock_errno(udp_bind(sk->pcb.udp, &ip, ntohs(in->sin_port)));
}

int dgram_connect(struct sock *sk, const struct sockaddr_in *in)
{
	if (!in) {
		if (sk->type == SOCK_DGRAM)
			udp_disconnect(sk->pcb.udp);
		else
			raw_disconnect(sk->pcb.raw);
		sk->connected = false;
		return 0;
	}
	ip_addr_t ip;
	sock_ip(&ip, in);
	int err = sk->type == SOCK_DGRAM ? sock_errno(udp_connect(sk->pcb.udp, &ip, ntohs(in->sin_port))) :
					   sock_errno(raw_connect(sk->pcb.raw, &ip));
	sk->connected = err == 0;
	return err;
}

/* Copies datagram `d` into the message's buffers; returns the bytes
 * copied and sets MSG_TRUNC in msg_flags when it did not fit. */
static size_t copy_out(const struct dgram *d, struct msghdr *msg)
{
	size_t done = 0;
	for (size_t i = 0; i < (size_t)msg->msg_iovlen && done < d->p->tot_len; i++) {
		size_t n = d->p->tot_len - done;
		n = n < msg->msg_iov[i].iov_len ? n : msg->msg_iov[i].iov_len;
		pbuf_copy_partial(d->p, msg->msg_iov[i].iov_base, (u16_t)n, (u16_t)done);
		done += n;
	}
	if (done < d->p->tot_len)
		msg->msg_flags |= MSG_TRUNC;
	return done;
}

long dgram_recv(struct sock *sk, struct msghdr *msg, int flags)
{
	uint64_t deadline = sock_deadline(sk->opts.rcvtimeo_ns);
	bool nonblocking = sk->nonblocking || (flags & MSG_DONTWAIT);
	while (!sk->dg_head) {
		if (sk->shut_rd)
			return 0;
		if (nonblocking)
			return -EAGAIN;
		if (sock_wait(sk, deadline) == -ETIMEDOUT && !sk->dg_head)
			return -EAGAIN;
	}
	struct dgram *d = sk->dg_head;
	msg->msg_flags = 0;
	size_t n = copy_out(d, msg);
	size_t whole = d->p->tot_len;
	if (msg->msg_name) {
		socklen_t len = msg->msg_namelen < sizeof(d->from) ? msg->msg_namelen : sizeof(d->from);
		memcpy(msg->msg_name, &d->from, len);
		msg->msg_namelen = sizeof(d->from);
	}
	msg->msg_controllen = 0;
	if (!(flags & MSG_PEEK)) {
		sk->dg_head = d->next;
		if (!sk->dg_head)
			sk->dg_tail = NULL;
		sk->dg_bytes -= whole;
		pbuf_free(d->p);
		free(d);
	}
	return (long)((flags & MSG_TRUNC) ? whole : n);
}

long dgram_send(struct sock *sk, const struct msghdr *msg, int flags)
{
	(void)flags;            /* a datagram send never waits here */
	if (sk->shut_wr)
		return -EPIPE;
	size_t total = 0;
	for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++)
		total += msg->msg_iov[i].iov_len;
	if (total > DGRAM_MAX)
		return -EMSGSIZE;
	const struct sockaddr_in *to = msg->msg_name;
	if (!to && !sk->connected)
		return -EDESTADDRREQ;
	struct pbuf *p = pbuf_alloc(sk->type == SOCK_DGRAM ? PBUF_TRANSPORT : PBUF_IP, (u16_t)total, PBUF_RAM);
	if (!p)
		return -ENOBUFS;
	size_t off = 0;
	for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++) {
		pbuf_take_at(p, msg->msg_iov[i].iov_base, (u16_t)msg->msg_iov[i].iov_len, (u16_t)off);
		off += msg->msg_iov[i].iov_len;
	}
	err_t err;
	if (to) {
		ip_addr_t ip;
		sock_ip(&ip, to);
		err = sk->type == SOCK_DGRAM ? udp_sendto(sk->pcb.udp, p, &ip, ntohs(to->sin_port)) :
					       raw_sendto(sk->pcb.raw, p, &ip);
	} else {
		err = sk->type == SOCK_DGRAM ? udp_send(sk->pcb.udp, p) : raw_send(sk->pcb.raw, p);
	}
	pbuf_free(p);
	return err == ERR_OK ? (long)total : sock_errno(err);
}

short dgram_poll(struct sock *sk)
{
	short r = POLLOUT | POLLWRNORM;
	if (sk->dg_head || sk->shut_rd)
		r |= POLLIN | POLLRDNORM;
	return r;
}

void dgram_close(struct sock *sk)
{
	while (sk->dg_head) {
		struct dgram *d = sk->dg_head;
		sk->dg_head = d->next;
		pbuf_free(d->p);
		free(d);
	}
	if (sk->type == SOCK_DGRAM)
		udp_remove(sk->pcb.udp);
	else
		raw_remove(sk->pcb.raw);
	sk->pcb.any = NULL;
}
