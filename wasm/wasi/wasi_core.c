/* wasi_core.c - the WASI context (fd table), errno mapping, args/environ, clocks,
 * random, process calls, poll_oneoff, and linking the host functions by name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "wasi_impl.h"

uint32_t wasi_errno(int e)
{
    switch (e) {
    case 0: return 0;
    case E2BIG: return 1; case EACCES: return 2; case EADDRINUSE: return 3; case EADDRNOTAVAIL: return 4;
    case EAFNOSUPPORT: return 5; case EAGAIN: return 6; case EALREADY: return 7; case EBADF: return 8;
    case EBADMSG: return 9; case EBUSY: return 10; case ECANCELED: return 11; case ECHILD: return 12;
    case ECONNABORTED: return 13; case ECONNREFUSED: return 14; case ECONNRESET: return 15;
    case EDEADLK: return 16; case EDESTADDRREQ: return 17; case EDOM: return 18; case EDQUOT: return 19;
    case EEXIST: return 20; case EFAULT: return 21; case EFBIG: return 22; case EHOSTUNREACH: return 23;
    case EIDRM: return 24; case EILSEQ: return 25; case EINPROGRESS: return 26; case EINTR: return 27;
    case EINVAL: return 28; case EIO: return 29; case EISCONN: return 30; case EISDIR: return 31;
    case ELOOP: return 32; case EMFILE: return 33; case EMLINK: return 34; case EMSGSIZE: return 35;
    case EMULTIHOP: return 36; case ENAMETOOLONG: return 37; case ENETDOWN: return 38;
    case ENETRESET: return 39; case ENETUNREACH: return 40; case ENFILE: return 41; case ENOBUFS: return 42;
    case ENODEV: return 43; case ENOENT: return 44; case ENOEXEC: return 45; case ENOLCK: return 46;
    case ENOLINK: return 47; case ENOMEM: return 48; case ENOMSG: return 49; case ENOPROTOOPT: return 50;
    case ENOSPC: return 51; case ENOSYS: return 52; case ENOTCONN: return 53; case ENOTDIR: return 54;
    case ENOTEMPTY: return 55; case ENOTRECOVERABLE: return 56; case ENOTSOCK: return 57;
    case ENOTSUP: return 58; case ENOTTY: return 59; case ENXIO: return 60; case EOVERFLOW: return 61;
    case EOWNERDEAD: return 62; case EPERM: return 63; case EPIPE: return 64; case ERANGE: return 65;
    case EROFS: return 66; case ESPIPE: return 67; case ESRCH: return 68; case ESTALE: return 69;
    case ETIMEDOUT: return 70; case ETXTBSY: return 71; case EXDEV: return 72;
    default: return WE_IO;
    }
}

void *wasi_mem(wasm_caller *c, uint64_t off, uint64_t len)
{
    wasm_memory *m = wasm_caller_memory(c);
    return m ? wasm_memory_ptr(m, off, len) : NULL;
}

int wasi_iovs(wasm_caller *c, uint32_t iovs, uint32_t n, struct iovec *out, int max)
{
    if (n > (uint32_t)max)
        return -EINVAL;
    const uint8_t *p = wasi_mem(c, iovs, (uint64_t)n * 8);
    if (!p && n)
        return -EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t b = rd32(p + 8 * i), l = rd32(p + 8 * i + 4);
        void *q = wasi_mem(c, b, l);
        if (!q && l)
            return -EFAULT;
        out[i].iov_base = q;
        out[i].iov_len = l;
    }
    return (int)n;
}

uint8_t wasi_filetype(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return FT_REG;
    case S_IFDIR: return FT_DIR;
    case S_IFCHR: return FT_CHAR;
    case S_IFBLK: return FT_BLOCK;
    case S_IFLNK: return FT_SYMLINK;
    case S_IFSOCK: return FT_STREAM;
    default: return FT_UNKNOWN;
    }
}

/* ---- fd table ---- */

struct wfd *wasi_fd(wasi_ctx *w, uint32_t fd)
{
    if (fd >= __atomic_load_n(&w->nfds, __ATOMIC_ACQUIRE))
        return NULL;
    struct wfd *f = &w->chunk[fd / WASI_FD_CHUNK][fd % WASI_FD_CHUNK];
    return f->used ? f : NULL;
}

void wasi_fd_lock(wasi_ctx *w) { pthread_mutex_lock(&w->fdlock); }
void wasi_fd_unlock(wasi_ctx *w) { pthread_mutex_unlock(&w->fdlock); }

/* what each type of descriptor can do (wasmtime's sets): a directory holds path rights
 * and passes file rights on; files, character devices and sockets hold only fd rights */
#define RIGHTS_FILE \
    (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_TELL | R_FD_WRITE | \
     R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_SIZE | R_FD_FILESTAT_SET_TIMES | \
     R_POLL_FD_READWRITE)
#define RIGHTS_DIR \
    (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_ADVISE | R_PATH_CREATE_DIRECTORY | R_PATH_CREATE_FILE | \
     R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN | R_FD_READDIR | R_PATH_READLINK | \
     R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET | R_PATH_FILESTAT_GET | R_PATH_FILESTAT_SET_TIMES | \
     R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK | R_PATH_REMOVE_DIRECTORY | \
     R_PATH_UNLINK_FILE | R_POLL_FD_READWRITE)
#define RIGHTS_TTY (R_FD_READ | R_FD_FDSTAT_SET_FLAGS | R_FD_WRITE | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE)
#define RIGHTS_SOCK (RIGHTS_TTY | R_SOCK_SHUTDOWN)

uint64_t wasi_type_rights(uint8_t type, int listener)
{
    switch (type) {
    case FT_DIR: return RIGHTS_DIR;
    case FT_CHAR: return RIGHTS_TTY;
    case FT_STREAM: case FT_DGRAM: return RIGHTS_SOCK | (listener ? R_SOCK_ACCEPT : 0);
    default: return RIGHTS_FILE;
    }
}

uint64_t wasi_type_inherit(uint8_t type) { return type == FT_DIR ? RIGHTS_DIR | RIGHTS_FILE : 0; }

struct wfd *wasi_fd_rights(wasi_ctx *w, uint32_t fd, uint64_t rights, uint32_t *err)
{
    struct wfd *f = wasi_fd(w, fd);
    if (!f || (f->base & rights) != rights) {
        *err = WE_BADF;
        return NULL;
    }
    return f;
}

/* the lowest free guest fd, as POSIX open does */
int wasi_fd_add(wasi_ctx *w, int host, uint8_t type, int own)
{
    wasi_fd_lock(w);
    uint32_t i = 0;
    while (i < w->nfds && w->chunk[i / WASI_FD_CHUNK][i % WASI_FD_CHUNK].used)
        i++;
    if (i == w->nfds) {
        if (i == WASI_FD_CHUNK * WASI_FD_CHUNKS) {
            wasi_fd_unlock(w);
            return -EMFILE;
        }
        if (i % WASI_FD_CHUNK == 0 && !(w->chunk[i / WASI_FD_CHUNK] = calloc(WASI_FD_CHUNK, sizeof(struct wfd)))) {
            wasi_fd_unlock(w);
            return -ENOMEM;
        }
        __atomic_store_n(&w->nfds, i + 1, __ATOMIC_RELEASE);
    }
    w->chunk[i / WASI_FD_CHUNK][i % WASI_FD_CHUNK] =
        (struct wfd){1, host, own, type, NULL, 0, wasi_type_rights(type, 0), wasi_type_inherit(type), 0};
    wasi_fd_unlock(w);
    return (int)i;
}

static char **copyv(int n, char *const *v)
{
    char **o = calloc((size_t)n + 1, sizeof *o);
    for (int i = 0; o && i < n; i++)
        o[i] = strdup(v[i]);
    return o;
}

wasi_ctx *wasi_new(int argc, char *const *argv, int envc, char *const *envp)
{
    wasi_ctx *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_mutex_init(&w->fdlock, NULL);
    w->argc = argc;
    w->envc = envc;
    w->argv = copyv(argc, argv);
    w->envp = copyv(envc, envp);
    for (int i = 0; i < 3; i++) {
        struct stat st;
        uint8_t t = fstat(i, &st) == 0 ? wasi_filetype(st.st_mode) : FT_CHAR;
        wasi_fd_add(w, i, t, 0);
    }
    return w;
}

void wasi_free(wasi_ctx *w)
{
    if (!w)
        return;
    wasi_threads_free(w);
    for (uint32_t i = 0; i < w->nfds; i++) {
        struct wfd *f = &w->chunk[i / WASI_FD_CHUNK][i % WASI_FD_CHUNK];
        if (f->used && f->own)
            close(f->host);
        free(f->preopen);
    }
    for (uint32_t k = 0; k < WASI_FD_CHUNKS; k++)
        free(w->chunk[k]);
    pthread_mutex_destroy(&w->fdlock);
    for (int i = 0; i < w->argc; i++)
        free(w->argv[i]);
    for (int i = 0; i < w->envc; i++)
        free(w->envp[i]);
    free(w->argv);
    free(w->envp);
    free(w);
}

int wasi_preopen_dir(wasi_ctx *w, const char *host, const char *guest)
{
    int fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int g = wasi_fd_add(w, fd, FT_DIR, 1);
    if (g < 0) {
        close(fd);
        return g;
    }
    wasi_fd(w, (uint32_t)g)->preopen = strdup(guest);
    return g;
}

int wasi_preopen_socket(wasi_ctx *w, int host_fd)
{
    int g = wasi_fd_add(w, host_fd, FT_STREAM, 1);
    if (g >= 0) {
        wasi_fd(w, (uint32_t)g)->listener = 1;
        wasi_fd(w, (uint32_t)g)->base = wasi_type_rights(FT_STREAM, 1);
    }
    return g;
}

/* ---- args and environ: pointers array then NUL-terminated strings ---- */

static wasm_trap_kind strings_get(wasm_caller *c, uint64_t *slots, int n, char **v)
{
    uint32_t ptrs = ARG32(0), buf = ARG32(1);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        uint8_t *p = wasi_mem(c, ptrs + 4u * (uint32_t)i, 4);
        char *d = wasi_mem(c, buf, len);
        if (!p || !d)
            RET(WE_FAULT);
        wr32(p, buf);
        memcpy(d, v[i], len);
        buf += (uint32_t)len;
    }
    RET(0);
}

static wasm_trap_kind sizes_get(wasm_caller *c, uint64_t *slots, int n, char **v)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++)
        total += (uint32_t)strlen(v[i]) + 1;
    uint8_t *a = wasi_mem(c, ARG32(0), 4), *b = wasi_mem(c, ARG32(1), 4);
    if (!a || !b)
        RET(WE_FAULT);
    wr32(a, (uint32_t)n);
    wr32(b, total);
    RET(0);
}

wasm_trap_kind wasi_args_get(wasm_caller *c, void *env, uint64_t *slots)
{
    wasi_ctx *w = env;
    return strings_get(c, slots, w->argc, w->argv);
}
wasm_trap_kind wasi_args_sizes_get(wasm_caller *c, void *env, uint64_t *slots)
{
    wasi_ctx *w = env;
    return sizes_get(c, slots, w->argc, w->argv);
}
wasm_trap_kind wasi_environ_get(wasm_caller *c, void *env, uint64_t *slots)
{
    wasi_ctx *w = env;
    return strings_get(c, slots, w->envc, w->envp);
}
wasm_trap_kind wasi_environ_sizes_get(wasm_caller *c, void *env, uint64_t *slots)
{
    wasi_ctx *w = env;
    return sizes_get(c, slots, w->envc, w->envp);
}

/* ---- clocks, random, process ---- */

static int clock_of(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return 0;
    case 1: *out = CLOCK_MONOTONIC; return 0;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return -1;
    }
}

wasm_trap_kind wasi_clock_res_get(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)env;
    clockid_t id;
    struct timespec ts;
    if (clock_of(ARG32(0), &id))
        RET(WE_INVAL);
    if (clock_getres(id, &ts))
        RET(wasi_errno(errno));
    uint8_t *p = wasi_mem(c, ARG32(1), 8);
    if (!p)
        RET(WE_FAULT);
    wr64(p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
    RET(0);
}

wasm_trap_kind wasi_clock_time_get(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)env;
    clockid_t id;
    struct timespec ts;
    if (clock_of(ARG32(0), &id))
        RET(WE_INVAL);
    if (clock_gettime(id, &ts))
        RET(wasi_errno(errno));
    uint8_t *p = wasi_mem(c, ARG32(2), 8);
    if (!p)
        RET(WE_FAULT);
    wr64(p, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
    RET(0);
}

wasm_trap_kind wasi_random_get(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)env;
    uint32_t len = ARG32(1);
    uint8_t *p = wasi_mem(c, ARG32(0), len);
    if (!p && len)
        RET(WE_FAULT);
    /* getentropy serves at most 256 bytes per call */
    for (uint32_t done = 0; done < len;) {
        size_t n = len - done > 256 ? 256 : len - done;
        if (getentropy(p + done, n))
            RET(wasi_errno(errno));
        done += (uint32_t)n;
    }
    RET(0);
}

static wasm_trap_kind wasi_proc_exit(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)env;
    return wasm_host_exit(c, (int)ARG32(0));
}

wasm_trap_kind wasi_proc_raise(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c; (void)env;
    RET(WE_NOSYS);
}

wasm_trap_kind wasi_sched_yield(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c; (void)env;
    sched_yield();
    RET(0);
}

static wasm_trap_kind wasi_enosys(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c; (void)env;
    RET(WE_NOSYS);
}

/* ---- poll_oneoff: clock subscriptions become the poll timeout ---- */

static uint64_t now_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

wasm_trap_kind wasi_poll_oneoff(wasm_caller *c, void *env, uint64_t *slots)
{
    wasi_ctx *w = env;
    uint32_t n = ARG32(2);
    if (n == 0 || n > 1024)
        RET(WE_INVAL);
    const uint8_t *in = wasi_mem(c, ARG32(0), (uint64_t)n * 48);
    uint8_t *out = wasi_mem(c, ARG32(1), (uint64_t)n * 32);
    uint8_t *nev = wasi_mem(c, ARG32(3), 4);
    if (!in || !out || !nev)
        RET(WE_FAULT);
    struct pollfd pfd[1024];
    int map[1024];
    int np = 0;
    int64_t timeout_ns = -1; /* -1: no clock, wait for fds */
    uint32_t nout = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *s = in + 48 * i;
        uint8_t tag = s[8];
        if (tag == 0) {
            clockid_t id;
            uint64_t t = rd64(s + 24);
            uint16_t flags;
            memcpy(&flags, s + 40, 2);
            if (clock_of(rd32(s + 16), &id)) {
                uint8_t *e = out + 32 * nout++;
                memset(e, 0, 32);
                memcpy(e, s, 8);
                wr16(e + 8, WE_INVAL);
                e[10] = 0;
                continue;
            }
            int64_t rel = (int64_t)t;
            if (flags & 1) { /* absolute */
                uint64_t now = now_ns(id);
                rel = t > now ? (int64_t)(t - now) : 0;
            }
            if (timeout_ns < 0 || rel < timeout_ns)
                timeout_ns = rel;
        } else if (tag == 1 || tag == 2) {
            struct wfd *f = wasi_fd(w, rd32(s + 16));
            if (!f) {
                uint8_t *e = out + 32 * nout++;
                memset(e, 0, 32);
                memcpy(e, s, 8);
                wr16(e + 8, WE_BADF);
                e[10] = tag;
                continue;
            }
            pfd[np].fd = f->host;
            pfd[np].events = tag == 1 ? POLLIN : POLLOUT;
            pfd[np].revents = 0;
            map[np++] = (int)i;
        } else {
            RET(WE_INVAL);
        }
    }
    if (nout == 0) {
        int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
        int r;
        if (np == 0 && timeout_ns >= 0) {
            struct timespec ts = {timeout_ns / 1000000000, timeout_ns % 1000000000};
            while (nanosleep(&ts, &ts) && errno == EINTR) {}
            r = 0;
        } else {
            r = poll(pfd, (nfds_t)np, ms);
            if (r < 0)
                RET(wasi_errno(errno));
        }
        for (int k = 0; k < np; k++) {
            if (!pfd[k].revents)
                continue;
            const uint8_t *s = in + 48 * map[k];
            uint8_t *e = out + 32 * nout++;
            memset(e, 0, 32);
            memcpy(e, s, 8);
            e[10] = s[8];
            int avail = 0;
            if (s[8] == 1 && (pfd[k].revents & POLLIN)) {
                /* nbytes is a hint; report 1 when unknown */
                avail = 1;
            }
            wr64(e + 16, (uint64_t)avail);
            if (pfd[k].revents & POLLHUP)
                wr16(e + 24, 1); /* fd_readwrite_hangup */
        }
        if (r == 0 || nout == 0) {
            /* timed out: every clock subscription with the smallest timeout fires */
            for (uint32_t i = 0; i < n; i++) {
                const uint8_t *s = in + 48 * i;
                if (s[8] != 0)
                    continue;
                uint8_t *e = out + 32 * nout++;
                memset(e, 0, 32);
                memcpy(e, s, 8);
                e[10] = 0;
            }
        }
    }
    wr32(nev, nout);
    RET(0);
}

/* ---- linking ---- */

struct fentry {
    const char *name;
    const char *sig; /* params; result is one i32 (errno) */
    wasm_host_fn fn;
};

static const struct fentry table[] = {
#define E(name, sig) {#name, sig, wasi_##name},
    WASI_FD_FUNCS(E) WASI_PATH_FUNCS(E) WASI_CORE_FUNCS(E) WASI_SOCK_FUNCS(E)
#undef E
};

int wasi_link(wasi_ctx *w, wasm_store *s, wasm_linker *l, const wasm_module *m)
{
    static const uint8_t i32 = WASM_I32;
    for (uint32_t i = 0; i < wasm_module_import_count(m); i++) {
        const char *mod, *name;
        int kind;
        wasm_module_import(m, i, &mod, &name, &kind);
        if (kind != WASM_EXTERN_FUNC || strcmp(mod, "wasi_snapshot_preview1"))
            continue;
        wasm_func *f = NULL;
        if (!strcmp(name, "proc_exit")) {
            wasm_functype *t = wasm_functype_new(s, 1, &i32, 0, NULL);
            f = wasm_func_new_host(s, t, wasi_proc_exit, w);
        }
        for (size_t k = 0; !f && k < sizeof table / sizeof table[0]; k++) {
            if (strcmp(name, table[k].name))
                continue;
            wasm_functype *t = wasm_functype_new(s, (uint32_t)strlen(table[k].sig), (const uint8_t *)table[k].sig, 1, &i32);
            f = wasm_func_new_host(s, t, table[k].fn, w);
        }
        if (!f) {
            /* not implemented: an ENOSYS stub with the type the module expects */
            const wasm_functype *want = wasm_module_import_functype(m, i);
            if (wasm_functype_results(want) != 1 || wasm_functype_result(want, 0) != WASM_I32)
                continue; /* leave unresolved: instantiation reports it */
            f = wasm_func_new_host(s, want, wasi_enosys, w);
        }
        if (!f || wasm_linker_define(l, mod, name, (wasm_extern){WASM_EXTERN_FUNC, f}))
            return -1;
    }
    return wasi_link_threads(w, s, l, m);
}
