/* setsockopt/getsockopt: the options a POSIX server or client sets, each
 * mapped onto lwIP's pcb or kept on the socket. Anything else is
 * ENOPROTOOPT, never silently accepted.
 */
#include <netinet/tcp.h>
#include <string.h>
#include <sys/time.h>

#include "libc-shim/net/socket.h"
#include "lwip/priv/tcp_priv.h"        /* lwIP's keepalive defaults */
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#define SOCK_STREAM_BUF (32 * 1460)     /* lwipopts.h's TCP_WND and TCP_SND_BUF */

/* The so_options, ttl and tos every kind of pcb starts with (IP_PCB). */
static struct ip_pcb *ip_pcb(struct sock *sk)
{
	return sk->pcb.any;
}

static int int_value(const void *val, socklen_t len, int *out)
{
	if (!val || len < sizeof(int))
		return -EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

static int timeout_value(const void *val, socklen_t len, uint64_t *out)
{
	struct timeval tv;
	if (!val || len < sizeof(tv))
		return -EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	*out = (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000ull;
	return 0;
}

static void pcb_flag(struct sock *sk, u8_t flag, int on)
{
	struct ip_pcb *pcb = ip_pcb(sk);
	if (!pcb)
		return;
	if (on)
		ip_set_option(pcb, flag);
	else
		ip_reset_option(pcb, flag);
}

static int set_socket_level(struct sock *sk, int name, const void *val, socklen_t len)
{
	int v = 0, err;
	switch (name) {
	case SO_RCVTIMEO:
		return timeout_value(val, len, &sk->opts.rcvtimeo_ns);
	case SO_SNDTIMEO:
		return timeout_value(val, len, &sk->opts.sndtimeo_ns);
	case SO_LINGER: {
		struct linger l;
		if (!val || len < sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		sk->opts.linger_s = l.l_onoff ? l.l_linger : -1;
		return 0;
	}
	}
	if ((err = int_value(val, len, &v)))
		return err;
	switch (name) {
	case SO_REUSEADDR:
		pcb_flag(sk, SOF_REUSEADDR, v);
		return 0;
	case SO_KEEPALIVE:
		pcb_flag(sk, SOF_KEEPALIVE, v);
		return 0;
	case SO_BROADCAST:
		pcb_flag(sk, SOF_BROADCAST, v);
		return 0;
	case SO_RCVBUF:
	case SO_SNDBUF:
		return 0;       /* fixed sizes (lwipopts.h); getsockopt tells them */
	default:
		return -ENOPROTOOPT;
	}
}

/* Kept on the socket (a listener passes them on) and applied to the pcb. */
static int set_tcp_level(struct sock *sk, int name, const void *val, socklen_t len)
{
	int v = 0, err = int_value(val, len, &v);
	if (err)
		return err;
	if (name != TCP_NODELAY && v < 1)
		return -EINVAL;
	switch (name) {
	case TCP_NODELAY: sk->opts.nodelay = v != 0; break;
	case TCP_KEEPIDLE: sk->opts.keep_idle_s = (unsigned)v; break;
	case TCP_KEEPINTVL: sk->opts.keep_intvl_s = (unsigned)v; break;
	case TCP_KEEPCNT: sk->opts.keep_cnt = (unsigned)v; break;
	default: return -ENOPROTOOPT;
	}
	sk->opts.tcp_set = true;
	stream_apply_options(sk);
	return 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return (int)syscall_result(err);
	sock_lock();
	if (level == SOL_SOCKET) {
		err = set_socket_level(sk, name, val, len);
	} else if (level == IPPROTO_TCP && sk->type == SOCK_STREAM) {
		err = set_tcp_level(sk, name, val, len);
	} else if (level == IPPROTO_IP && (name == IP_TTL || name == IP_TOS)) {
		int v = 0;
		err = int_value(val, len, &v);
		if (!err && (v < 0 || v > 255))
			err = -EINVAL;
		if (!err && ip_pcb(sk)) {
			if (name == IP_TTL)
				ip_pcb(sk)->ttl = (u8_t)v;
			else
				ip_pcb(sk)->tos = (u8_t)v;
		}
	} else {
		err = -ENOPROTOOPT;
	}
	sock_unlock();
	sock_put(sk);
	return (int)syscall_result(err);
}

static int get_timeout(uint64_t ns, void *val, socklen_t *len)
{
	struct timeval tv = { (time_t)(ns / 1000000000ull), (suseconds_t)(ns % 1000000000ull / 1000) };
	if (*len < sizeof(tv))
		return -EINVAL;
	memcpy(val, &tv, sizeof(tv));
	*len = sizeof(tv);
	return 0;
}

/* An int option's value, or -ENOPROTOOPT. Takes a pending error
 * (SO_ERROR) off the socket, as Linux does. */
static int int_option(struct sock *sk, int level, int name, int *v)
{
	struct ip_pcb *ip = ip_pcb(sk);
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TYPE: *v = sk->type; return 0;
		case SO_ERROR: *v = sk->error; sk->error = 0; return 0;
		case SO_REUSEADDR: *v = ip && ip_get_option(ip, SOF_REUSEADDR); return 0;
		case SO_KEEPALIVE: *v = ip && ip_get_option(ip, SOF_KEEPALIVE); return 0;
		case SO_BROADCAST: *v = ip && ip_get_option(ip, SOF_BROADCAST); return 0;
		case SO_ACCEPTCONN: *v = sk->listening; return 0;
		case SO_RCVBUF: *v = sk->type == SOCK_STREAM ? SOCK_STREAM_BUF : SOCK_DGRAM_RCVBUF; return 0;
		case SO_SNDBUF: *v = sk->type == SOCK_STREAM ? SOCK_STREAM_BUF : 65535; return 0;
		}
	} else if (level == IPPROTO_TCP && sk->type == SOCK_STREAM) {
		const struct sock_options *o = &sk->opts;
		switch (name) {
		case TCP_NODELAY: *v = o->nodelay; return 0;
		case TCP_KEEPIDLE: *v = (int)(o->keep_idle_s ? o->keep_idle_s : TCP_KEEPIDLE_DEFAULT / 1000); return 0;
		case TCP_KEEPINTVL: *v = (int)(o->keep_intvl_s ? o->keep_intvl_s : TCP_KEEPINTVL_DEFAULT / 1000); return 0;
		case TCP_KEEPCNT: *v = (int)(o->keep_cnt ? o->keep_cnt : TCP_KEEPCNT_DEFAULT); return 0;
		}
	} else if (level == IPPROTO_IP) {
		switch (name) {
		case IP_TTL: *v = ip ? ip->ttl : 0; return 0;
		case IP_TOS: *v = ip ? ip->tos : 0; return 0;
		}
	}
	return -ENOPROTOOPT;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct sock *sk;
	int err = sock_get(fd, &sk);
	if (err)
		return (int)syscall_result(err);
	if (!val || !len) {
		sock_put(sk);
		return (int)syscall_result(-EFAULT);
	}
	sock_lock();
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		err = get_timeout(name == SO_RCVTIMEO ? sk->opts.rcvtimeo_ns : sk->opts.sndtimeo_ns, val, len);
	} else if (level == SOL_SOCKET && name == SO_LINGER) {
		int s = sk->opts.linger_s;
		struct linger l = { s >= 0, s >= 0 ? s : 0 };
		err = *len < sizeof(l) ? -EINVAL : 0;
		if (!err) {
			memcpy(val, &l, sizeof(l));
			*len = sizeof(l);
		}
	} else {
		int v = 0;
		err = int_option(sk, level, name, &v);
		if (!err && *len < sizeof(v))
			err = -EINVAL;
		if (!err) {
			memcpy(val, &v, sizeof(v));
			*len = sizeof(v);
		}
	}
	sock_unlock();
	sock_put(sk);
	return (int)syscall_result(err);
}
