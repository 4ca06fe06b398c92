/* wasi_fd.c - WASI calls on open descriptors: read/write, seek, stat, flags, sync,
 * preopen queries, readdir, renumber and close. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi_impl.h"

#define MAXIOV 1024

#define GETFD(f, n)                          \
    struct wfd *f = wasi_fd(env, ARG32(n));  \
    if (!f)                                  \
        RET(WE_BADF)
/* the fd, which must hold `rights` (BADF otherwise, as for a descriptor not open for it) */
#define GETFDR(f, n, rights)                                         \
    uint32_t e_;                                                     \
    struct wfd *f = wasi_fd_rights(env, ARG32(n), (rights), &e_);    \
    if (!f)                                                          \
        RET(e_)

static void put_filestat(uint8_t *p, const struct stat *st)
{
    memset(p, 0, 64);
    wr64(p, (uint64_t)st->st_dev);
    wr64(p + 8, (uint64_t)st->st_ino);
    p[16] = wasi_filetype(st->st_mode);
    wr64(p + 24, (uint64_t)st->st_nlink);
    wr64(p + 32, (uint64_t)st->st_size);
    wr64(p + 40, (uint64_t)st->st_atim.tv_sec * 1000000000u + (uint64_t)st->st_atim.tv_nsec);
    wr64(p + 48, (uint64_t)st->st_mtim.tv_sec * 1000000000u + (uint64_t)st->st_mtim.tv_nsec);
    wr64(p + 56, (uint64_t)st->st_ctim.tv_sec * 1000000000u + (uint64_t)st->st_ctim.tv_nsec);
}

/* exported for path_filestat_get */
void wasi_put_filestat(uint8_t *p, const struct stat *st) { put_filestat(p, st); }

/* WASI fst_flags -> timespec pair for futimens/utimensat */
void wasi_times(struct timespec ts[2], uint64_t atim, uint64_t mtim, uint32_t fst)
{
    ts[0].tv_sec = (time_t)(atim / 1000000000u);
    ts[0].tv_nsec = (long)(atim % 1000000000u);
    ts[1].tv_sec = (time_t)(mtim / 1000000000u);
    ts[1].tv_nsec = (long)(mtim % 1000000000u);
    if (fst & 2) ts[0].tv_nsec = UTIME_NOW;
    else if (!(fst & 1)) ts[0].tv_nsec = UTIME_OMIT;
    if (fst & 8) ts[1].tv_nsec = UTIME_NOW;
    else if (!(fst & 4)) ts[1].tv_nsec = UTIME_OMIT;
}

static wasm_trap_kind rw(wasm_caller *c, void *env, uint64_t *slots, int write, int positioned)
{
    GETFDR(f, 0, (write ? R_FD_WRITE : R_FD_READ) | (positioned ? R_FD_SEEK : 0));
    struct iovec iov[MAXIOV];
    int n = wasi_iovs(c, ARG32(1), ARG32(2), iov, MAXIOV);
    if (n < 0)
        RET(wasi_errno(-n));
    uint32_t outp = positioned ? ARG32(4) : ARG32(3);
    uint8_t *out = wasi_mem(c, outp, 4);
    if (!out)
        RET(WE_FAULT);
    ssize_t r;
    if (positioned)
        r = write ? pwritev(f->host, iov, n, (off_t)ARG64(3)) : preadv(f->host, iov, n, (off_t)ARG64(3));
    else
        r = write ? writev(f->host, iov, n) : readv(f->host, iov, n);
    if (r < 0)
        RET(wasi_errno(errno));
    wr32(out, (uint32_t)r);
    RET(0);
}

wasm_trap_kind wasi_fd_read(wasm_caller *c, void *env, uint64_t *slots) { return rw(c, env, slots, 0, 0); }
wasm_trap_kind wasi_fd_write(wasm_caller *c, void *env, uint64_t *slots) { return rw(c, env, slots, 1, 0); }
wasm_trap_kind wasi_fd_pread(wasm_caller *c, void *env, uint64_t *slots) { return rw(c, env, slots, 0, 1); }
wasm_trap_kind wasi_fd_pwrite(wasm_caller *c, void *env, uint64_t *slots) { return rw(c, env, slots, 1, 1); }

wasm_trap_kind wasi_fd_seek(wasm_caller *c, void *env, uint64_t *slots)
{
    GETFDR(f, 0, R_FD_SEEK);
    uint32_t wh = ARG32(2);
    if (wh > 2)
        RET(WE_INVAL);
    uint8_t *out = wasi_mem(c, ARG32(3), 8);
    if (!out)
        RET(WE_FAULT);
    static const int whence[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
    off_t r = lseek(f->host, (off_t)(int64_t)ARG64(1), whence[wh]);
    if (r < 0)
        RET(wasi_errno(errno));
    wr64(out, (uint64_t)r);
    RET(0);
}

wasm_trap_kind wasi_fd_tell(wasm_caller *c, void *env, uint64_t *slots)
{
    GETFDR(f, 0, R_FD_TELL);
    uint8_t *out = wasi_mem(c, ARG32(1), 8);
    if (!out)
        RET(WE_FAULT);
    off_t r = lseek(f->host, 0, SEEK_CUR);
    if (r < 0)
        RET(wasi_errno(errno));
    wr64(out, (uint64_t)r);
    RET(0);
}

wasm_trap_kind wasi_fd_close(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFD(f, 0);
    wasi_fd_lock(env);
    if (f->own)
        close(f->host);
    free(f->preopen);
    memset(f, 0, sizeof *f);
    wasi_fd_unlock(env);
    RET(0);
}

wasm_trap_kind wasi_fd_sync(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFDR(f, 0, R_FD_SYNC);
    RET(fsync(f->host) ? wasi_errno(errno) : 0);
}

wasm_trap_kind wasi_fd_datasync(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFDR(f, 0, R_FD_DATASYNC);
    RET(fdatasync(f->host) ? wasi_errno(errno) : 0);
}

wasm_trap_kind wasi_fd_advise(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFDR(f, 0, R_FD_ADVISE);
    if (ARG32(3) > 5)
        RET(WE_INVAL);
    RET(0); /* advice only: accepted and ignored */
}

wasm_trap_kind wasi_fd_allocate(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFDR(f, 0, R_FD_ALLOCATE);
    int e = posix_fallocate(f->host, (off_t)ARG64(1), (off_t)ARG64(2));
    RET(wasi_errno(e));
}

wasm_trap_kind wasi_fd_fdstat_get(wasm_caller *c, void *env, uint64_t *slots)
{
    GETFD(f, 0);
    uint8_t *p = wasi_mem(c, ARG32(1), 24);
    if (!p)
        RET(WE_FAULT);
    int fl = fcntl(f->host, F_GETFL);
    uint16_t flags = f->syncflags;
    if (fl >= 0) {
        if (fl & O_APPEND) flags |= 1;
        if (fl & O_NONBLOCK) flags |= 4;
    }
    memset(p, 0, 24);
    p[0] = f->type;
    wr16(p + 2, flags);
    wr64(p + 8, f->base);
    wr64(p + 16, f->inherit);
    RET(0);
}

wasm_trap_kind wasi_fd_fdstat_set_flags(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFDR(f, 0, R_FD_FDSTAT_SET_FLAGS);
    uint32_t fl = ARG32(1);
    int cur = fcntl(f->host, F_GETFL);
    if (cur < 0)
        RET(wasi_errno(errno));
    cur &= ~(O_APPEND | O_NONBLOCK);
    if (fl & 1) cur |= O_APPEND;
    if (fl & 4) cur |= O_NONBLOCK;
    RET(fcntl(f->host, F_SETFL, cur) ? wasi_errno(errno) : 0);
}

wasm_trap_kind wasi_fd_fdstat_set_rights(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFD(f, 0);
    uint64_t base = ARG64(1), inherit = ARG64(2);
    if ((base & ~f->base) || (inherit & ~f->inherit))
        RET(WE_NOTCAPABLE); /* rights only narrow */
    f->base = base;
    f->inherit = inherit;
    RET(0);
}

wasm_trap_kind wasi_fd_filestat_get(wasm_caller *c, void *env, uint64_t *slots)
{
    GETFDR(f, 0, R_FD_FILESTAT_GET);
    uint8_t *p = wasi_mem(c, ARG32(1), 64);
    if (!p)
        RET(WE_FAULT);
    struct stat st;
    if (fstat(f->host, &st))
        RET(wasi_errno(errno));
    put_filestat(p, &st);
    RET(0);
}

wasm_trap_kind wasi_fd_filestat_set_size(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFDR(f, 0, R_FD_FILESTAT_SET_SIZE);
    RET(ftruncate(f->host, (off_t)ARG64(1)) ? wasi_errno(errno) : 0);
}

wasm_trap_kind wasi_fd_filestat_set_times(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    GETFDR(f, 0, R_FD_FILESTAT_SET_TIMES);
    struct timespec ts[2];
    uint32_t fst = ARG32(3);
    if (((fst & 1) && (fst & 2)) || ((fst & 4) && (fst & 8)))
        RET(WE_INVAL);
    wasi_times(ts, ARG64(1), ARG64(2), fst);
    RET(futimens(f->host, ts) ? wasi_errno(errno) : 0);
}

wasm_trap_kind wasi_fd_prestat_get(wasm_caller *c, void *env, uint64_t *slots)
{
    GETFD(f, 0);
    if (!f->preopen)
        RET(WE_BADF);
    uint8_t *p = wasi_mem(c, ARG32(1), 8);
    if (!p)
        RET(WE_FAULT);
    memset(p, 0, 8);
    wr32(p + 4, (uint32_t)strlen(f->preopen));
    RET(0);
}

wasm_trap_kind wasi_fd_prestat_dir_name(wasm_caller *c, void *env, uint64_t *slots)
{
    GETFD(f, 0);
    if (!f->preopen)
        RET(WE_BADF);
    size_t n = strlen(f->preopen);
    if (ARG32(2) < n)
        RET(WE_NAMETOOLONG);
    char *p = wasi_mem(c, ARG32(1), n);
    if (!p && n)
        RET(WE_FAULT);
    memcpy(p, f->preopen, n);
    RET(0);
}

/* fd_readdir: the cookie is the index of the next entry; entries are re-read from the
 * start each call (simple and stateless; directories in tests are small). */
wasm_trap_kind wasi_fd_readdir(wasm_caller *c, void *env, uint64_t *slots)
{
    GETFDR(f, 0, R_FD_READDIR);
    uint32_t len = ARG32(2);
    uint64_t cookie = ARG64(3);
    uint8_t *buf = wasi_mem(c, ARG32(1), len);
    uint8_t *used = wasi_mem(c, ARG32(4), 4);
    if ((!buf && len) || !used)
        RET(WE_FAULT);
    if (f->type != FT_DIR)
        RET(WE_NOTDIR);
    int d = openat(f->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d < 0)
        RET(wasi_errno(errno));
    DIR *dir = fdopendir(d);
    if (!dir) {
        close(d);
        RET(wasi_errno(errno));
    }
    uint32_t pos = 0;
    uint64_t idx = 0;
    struct dirent *de;
    while (pos < len && (de = readdir(dir))) {
        if (idx++ < cookie)
            continue;
        uint8_t hdr[24];
        size_t nl = strlen(de->d_name);
        wr64(hdr, idx);
        wr64(hdr + 8, (uint64_t)de->d_ino);
        wr32(hdr + 16, (uint32_t)nl);
        uint8_t t = FT_UNKNOWN;
        switch (de->d_type) {
        case DT_REG: t = FT_REG; break;
        case DT_DIR: t = FT_DIR; break;
        case DT_LNK: t = FT_SYMLINK; break;
        case DT_CHR: t = FT_CHAR; break;
        case DT_BLK: t = FT_BLOCK; break;
        case DT_SOCK: t = FT_STREAM; break;
        }
        hdr[20] = t;
        hdr[21] = hdr[22] = hdr[23] = 0;
        /* copy what fits; a full buffer tells the caller to come back */
        uint32_t k = len - pos < 24 ? len - pos : 24;
        memcpy(buf + pos, hdr, k);
        pos += k;
        k = len - pos < nl ? len - pos : (uint32_t)nl;
        memcpy(buf + pos, de->d_name, k);
        pos += k;
    }
    closedir(dir);
    wr32(used, pos);
    RET(0);
}

wasm_trap_kind wasi_fd_renumber(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    wasi_ctx *w = env;
    struct wfd *from = wasi_fd(w, ARG32(0)), *to = wasi_fd(w, ARG32(1));
    if (!from || !to)
        RET(WE_BADF);
    if (from == to)
        RET(0);
    wasi_fd_lock(w);
    if (to->own)
        close(to->host);
    free(to->preopen);
    *to = *from;
    memset(from, 0, sizeof *from);
    wasi_fd_unlock(w);
    RET(0);
}
