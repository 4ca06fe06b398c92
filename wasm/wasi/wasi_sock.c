/* wasi_sock.c - sockets in WASI preview 1: accept on a preopened listener, then
 * recv/send/shutdown on the accepted connection. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_impl.h"

#define MAXIOV 1024

wasm_trap_kind wasi_sock_accept(wasm_caller *c, void *env, uint64_t *slots)
{
    struct wfd *f = wasi_fd(env, ARG32(0));
    if (!f)
        RET(WE_BADF);
    if (!f->listener)
        RET(WE_NOTSOCK);
    if (!(f->base & R_SOCK_ACCEPT))
        RET(WE_BADF);
    uint8_t *out = wasi_mem(c, ARG32(2), 4);
    if (!out)
        RET(WE_FAULT);
    int h = accept(f->host, NULL, NULL);
    if (h < 0)
        RET(wasi_errno(errno));
    if (ARG32(1) & 4) /* fdflags.nonblock */
        fcntl(h, F_SETFL, fcntl(h, F_GETFL) | O_NONBLOCK);
    fcntl(h, F_SETFD, FD_CLOEXEC);
    int g = wasi_fd_add(env, h, FT_STREAM, 1);
    if (g < 0) {
        close(h);
        RET(WE_NOMEM);
    }
    wr32(out, (uint32_t)g);
    RET(0);
}

wasm_trap_kind wasi_sock_recv(wasm_caller *c, void *env, uint64_t *slots)
{
    struct wfd *f = wasi_fd(env, ARG32(0));
    if (!f)
        RET(WE_BADF);
    if (f->type != FT_STREAM)
        RET(WE_NOTSOCK);
    struct iovec iov[MAXIOV];
    int n = wasi_iovs(c, ARG32(1), ARG32(2), iov, MAXIOV);
    if (n < 0)
        RET(wasi_errno(-n));
    uint8_t *len = wasi_mem(c, ARG32(4), 4), *oflags = wasi_mem(c, ARG32(5), 2);
    if (!len || !oflags)
        RET(WE_FAULT);
    struct msghdr mh = {0};
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t)n;
    int fl = 0;
    if (ARG32(3) & 1) fl |= MSG_PEEK;
    if (ARG32(3) & 2) fl |= MSG_WAITALL;
    ssize_t r = recvmsg(f->host, &mh, fl);
    if (r < 0)
        RET(wasi_errno(errno));
    wr32(len, (uint32_t)r);
    wr16(oflags, 0);
    RET(0);
}

wasm_trap_kind wasi_sock_send(wasm_caller *c, void *env, uint64_t *slots)
{
    struct wfd *f = wasi_fd(env, ARG32(0));
    if (!f)
        RET(WE_BADF);
    if (f->type != FT_STREAM)
        RET(WE_NOTSOCK);
    struct iovec iov[MAXIOV];
    int n = wasi_iovs(c, ARG32(1), ARG32(2), iov, MAXIOV);
    if (n < 0)
        RET(wasi_errno(-n));
    uint8_t *len = wasi_mem(c, ARG32(4), 4);
    if (!len)
        RET(WE_FAULT);
    struct msghdr mh = {0};
    mh.msg_iov = iov;
    mh.msg_iovlen = (size_t)n;
    ssize_t r = sendmsg(f->host, &mh, MSG_NOSIGNAL);
    if (r < 0)
        RET(wasi_errno(errno));
    wr32(len, (uint32_t)r);
    RET(0);
}

wasm_trap_kind wasi_sock_shutdown(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    struct wfd *f = wasi_fd(env, ARG32(0));
    if (!f)
        RET(WE_BADF);
    if (f->type != FT_STREAM)
        RET(WE_NOTSOCK);
    uint32_t how = ARG32(1);
    int h = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : how == 3 ? SHUT_RDWR : -1;
    if (h < 0)
        RET(WE_INVAL);
    RET(shutdown(f->host, h) ? wasi_errno(errno) : 0);
}
