/* wasi_path.c - path-based WASI calls with capability-safe resolution.
 *
 * A guest path is resolved here, one component at a time, from the directory fd the
 * guest named: each intermediate directory is opened with O_NOFOLLOW, symlinks are
 * read and spliced into the remaining path (absolute targets refused), and ".." pops
 * back to the parent we opened ourselves - never above the starting directory.  The
 * host kernel only ever sees a single-component name relative to a directory we
 * reached this way, so no path can leave the preopen.  A trailing slash stays on that
 * name ("file/"), so the kernel applies POSIX's rule: the object must be a directory.
 * Each call also needs its rights on the directory fd (NOTCAPABLE otherwise). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_impl.h"

void wasi_put_filestat(uint8_t *p, const struct stat *st);
void wasi_times(struct timespec ts[2], uint64_t atim, uint64_t mtim, uint32_t fst);

#define MAXDEPTH 128
#define MAXLINKS 32

struct resolved {
    int dir;       /* directory holding the leaf (close with done() ) */
    int owned;     /* dir is ours to close */
    char leaf[NAME_MAX + 2]; /* with the path's trailing slash, if any */
};

static void done(struct resolved *r)
{
    if (r->owned)
        close(r->dir);
}

/* Resolve path (not NUL-terminated, len bytes) from root.  follow: resolve a symlink
 * in the final component too.  Returns 0 or a WASI errno. */
static uint32_t resolve(int root, const char *path, size_t len, int follow, struct resolved *out)
{
    if (len == 0)
        return WE_NOENT;
    if (len >= PATH_MAX || memchr(path, 0, len))
        return len >= PATH_MAX ? WE_NAMETOOLONG : WE_INVAL;
    if (path[0] == '/')
        return WE_NOTCAPABLE;
    char *work = malloc(PATH_MAX * 2);
    if (!work)
        return WE_NOMEM;
    memcpy(work, path, len);
    work[len] = 0;
    int stack[MAXDEPTH];
    int depth = 0, links = 0;
    stack[0] = root;
    uint32_t err = 0;
    char *p = work;
    int trailing_slash = len > 0 && path[len - 1] == '/';
    out->leaf[0] = 0;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p) {
            if (!out->leaf[0])
                strcpy(out->leaf, ".");
            break;
        }
        char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        char *rest = slash ? slash + 1 : p + n;
        while (*rest == '/')
            rest++;
        int last = *rest == 0;
        if (n > NAME_MAX) {
            err = WE_NAMETOOLONG;
            goto fail;
        }
        char comp[NAME_MAX + 1];
        memcpy(comp, p, n);
        comp[n] = 0;
        p = rest;
        out->leaf[0] = 0;
        if (!strcmp(comp, ".")) {
            continue;
        }
        if (!strcmp(comp, "..")) {
            if (depth == 0) {
                err = WE_NOTCAPABLE;
                goto fail;
            }
            close(stack[depth--]);
            continue;
        }
        struct stat st;
        int isdir_needed = !last || trailing_slash;
        if (fstatat(stack[depth], comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
            (!last || follow || trailing_slash)) {
            /* splice the link target in front of the rest */
            char target[PATH_MAX];
            ssize_t tl = readlinkat(stack[depth], comp, target, sizeof target - 1);
            if (tl < 0) {
                err = wasi_errno(errno);
                goto fail;
            }
            if (++links > MAXLINKS) {
                err = WE_LOOP;
                goto fail;
            }
            if (tl == 0 || target[0] == '/') {
                err = WE_NOTCAPABLE;
                goto fail;
            }
            size_t rl = strlen(p);
            if ((size_t)tl + 1 + rl + 2 > PATH_MAX * 2) {
                err = WE_NAMETOOLONG;
                goto fail;
            }
            char *nw = malloc(PATH_MAX * 2);
            if (!nw) {
                err = WE_NOMEM;
                goto fail;
            }
            memcpy(nw, target, (size_t)tl);
            nw[tl] = '/';
            memcpy(nw + tl + 1, p, rl + 1);
            if (trailing_slash && last)
                strcat(nw, "/");
            free(work);
            work = p = nw;
            continue;
        }
        if (last && !isdir_needed) {
            strcpy(out->leaf, comp);
            break;
        }
        if (last) { /* "name/": must be a directory; the kernel checks the kept slash */
            strcpy(out->leaf, comp);
            strcat(out->leaf, "/");
            break;
        }
        if (depth + 1 >= MAXDEPTH) {
            err = WE_NAMETOOLONG;
            goto fail;
        }
        int d = openat(stack[depth], comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d < 0) {
            err = wasi_errno(errno == ELOOP ? ENOTDIR : errno);
            goto fail;
        }
        stack[++depth] = d;
    }
    free(work);
    /* keep the innermost directory, close the ones above it */
    for (int i = 1; i < depth; i++)
        close(stack[i]);
    out->dir = stack[depth];
    out->owned = depth > 0;
    return 0;
fail:
    free(work);
    for (int i = 1; i <= depth; i++)
        close(stack[i]);
    return err;
}

/* look up the guest directory fd, check it holds `rights`, resolve a path argument pair */
static uint32_t rpath(wasm_caller *c, wasi_ctx *w, uint32_t fd, uint32_t ptr, uint32_t len, int follow,
                      uint64_t rights, struct resolved *r)
{
    struct wfd *f = wasi_fd(w, fd);
    if (!f)
        return WE_BADF;
    if (f->type != FT_DIR)
        return WE_NOTDIR;
    if ((f->base & rights) != rights)
        return WE_NOTCAPABLE;
    const char *p = wasi_mem(c, ptr, len);
    if (!p && len)
        return WE_FAULT;
    return resolve(f->host, p, len, follow, r);
}

wasm_trap_kind wasi_path_open(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved r;
    uint32_t oflags = ARG32(4), fdflags = ARG32(7);
    if ((oflags & 2) && (ARG64(5) & R_FD_WRITE))
        RET(WE_ISDIR); /* a directory is never open for writing */
    uint32_t e = rpath(c, env, ARG32(0), ARG32(2), ARG32(3), ARG32(1) & 1,
                       R_PATH_OPEN | (oflags & 1 ? R_PATH_CREATE_FILE : 0), &r);
    if (e)
        RET(e);
    /* the new fd gets at most what the directory passes on */
    uint64_t inherit = wasi_fd(env, ARG32(0))->inherit;
    uint64_t rights = ARG64(5) & inherit, irights = ARG64(6) & inherit;
    uint8_t *out = wasi_mem(c, ARG32(8), 4);
    if (!out) {
        done(&r);
        RET(WE_FAULT);
    }
    int rd = (rights & (1u << 1)) != 0 || (rights & (1u << 14)) != 0; /* fd_read, fd_readdir */
    int wr = (rights & ((1u << 6) | (1u << 4) | (1u << 3))) != 0;  /* fd_write, allocate, datasync */
    int fl = O_CLOEXEC | O_NOFOLLOW;
    if (oflags & 2) {
        fl |= O_DIRECTORY;
        wr = 0;
    }
    fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (oflags & 1) fl |= O_CREAT;
    if (oflags & 4) fl |= O_EXCL;
    if (oflags & 8) fl |= O_TRUNC;
    if (fdflags & 1) fl |= O_APPEND;
    if (fdflags & 2) fl |= O_DSYNC;
    if (fdflags & 4) fl |= O_NONBLOCK;
    if (fdflags & 16) fl |= O_SYNC;
    int h = openat(r.dir, r.leaf, fl, 0666);
    if (h < 0 && errno == EISDIR && (fl & O_ACCMODE) != O_RDONLY && !(oflags & (1 | 8))) {
        /* a directory opened "for writing" by a libc that asks for all rights */
        fl = (fl & ~O_ACCMODE) | O_RDONLY;
        h = openat(r.dir, r.leaf, fl, 0666);
    }
    int err = errno;
    done(&r);
    if (h < 0)
        RET(wasi_errno(err));
    struct stat st;
    fstat(h, &st);
    uint8_t type = wasi_filetype(st.st_mode);
    int g = wasi_fd_add(env, h, type, 1);
    if (g < 0) {
        close(h);
        RET(WE_NOMEM);
    }
    struct wfd *nf = wasi_fd(env, (uint32_t)g);
    nf->base = rights & wasi_type_rights(type, 0);
    nf->inherit = irights & wasi_type_inherit(type);
    nf->syncflags = fdflags & (2 | 8 | 16); /* dsync, rsync, sync: Linux cannot tell them apart */
    wr32(out, (uint32_t)g);
    RET(0);
}

wasm_trap_kind wasi_path_create_directory(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved r;
    uint32_t e = rpath(c, env, ARG32(0), ARG32(1), ARG32(2), 0, R_PATH_CREATE_DIRECTORY, &r);
    if (e)
        RET(e);
    int rc = mkdirat(r.dir, r.leaf, 0777), err = errno;
    done(&r);
    RET(rc ? wasi_errno(err) : 0);
}

wasm_trap_kind wasi_path_remove_directory(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved r;
    uint32_t e = rpath(c, env, ARG32(0), ARG32(1), ARG32(2), 0, R_PATH_REMOVE_DIRECTORY, &r);
    if (e)
        RET(e);
    int rc = unlinkat(r.dir, r.leaf, AT_REMOVEDIR), err = errno;
    done(&r);
    RET(rc ? wasi_errno(err == EEXIST ? ENOTEMPTY : err) : 0);
}

wasm_trap_kind wasi_path_unlink_file(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved r;
    uint32_t e = rpath(c, env, ARG32(0), ARG32(1), ARG32(2), 0, R_PATH_UNLINK_FILE, &r);
    if (e)
        RET(e);
    int rc = unlinkat(r.dir, r.leaf, 0), err = errno;
    done(&r);
    RET(rc ? wasi_errno(err) : 0);
}

wasm_trap_kind wasi_path_filestat_get(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved r;
    uint32_t e = rpath(c, env, ARG32(0), ARG32(2), ARG32(3), ARG32(1) & 1, R_PATH_FILESTAT_GET, &r);
    if (e)
        RET(e);
    uint8_t *p = wasi_mem(c, ARG32(4), 64);
    struct stat st;
    int rc = fstatat(r.dir, r.leaf, &st, AT_SYMLINK_NOFOLLOW), err = errno;
    done(&r);
    if (!p)
        RET(WE_FAULT);
    if (rc)
        RET(wasi_errno(err));
    wasi_put_filestat(p, &st);
    RET(0);
}

wasm_trap_kind wasi_path_filestat_set_times(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved r;
    uint32_t fst = ARG32(6);
    if (((fst & 1) && (fst & 2)) || ((fst & 4) && (fst & 8)))
        RET(WE_INVAL);
    uint32_t e = rpath(c, env, ARG32(0), ARG32(2), ARG32(3), ARG32(1) & 1, R_PATH_FILESTAT_SET_TIMES, &r);
    if (e)
        RET(e);
    struct timespec ts[2];
    wasi_times(ts, ARG64(4), ARG64(5), fst);
    int rc = utimensat(r.dir, r.leaf, ts, AT_SYMLINK_NOFOLLOW), err = errno;
    done(&r);
    RET(rc ? wasi_errno(err) : 0);
}

wasm_trap_kind wasi_path_readlink(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved r;
    uint32_t e = rpath(c, env, ARG32(0), ARG32(1), ARG32(2), 0, R_PATH_READLINK, &r);
    if (e)
        RET(e);
    uint32_t blen = ARG32(4);
    char *buf = wasi_mem(c, ARG32(3), blen);
    uint8_t *used = wasi_mem(c, ARG32(5), 4);
    if ((!buf && blen) || !used) {
        done(&r);
        RET(WE_FAULT);
    }
    char tmp[PATH_MAX];
    ssize_t n = readlinkat(r.dir, r.leaf, tmp, sizeof tmp);
    int err = errno;
    done(&r);
    if (n < 0)
        RET(wasi_errno(err));
    uint32_t k = (uint32_t)n < blen ? (uint32_t)n : blen;
    memcpy(buf, tmp, k);
    wr32(used, k);
    RET(0);
}

wasm_trap_kind wasi_path_symlink(wasm_caller *c, void *env, uint64_t *slots)
{
    uint32_t olen = ARG32(1);
    const char *old = wasi_mem(c, ARG32(0), olen);
    if ((!old && olen) || olen >= PATH_MAX)
        RET(WE_FAULT);
    char target[PATH_MAX];
    memcpy(target, old, olen);
    target[olen] = 0;
    if (memchr(old, 0, olen))
        RET(WE_INVAL);
    if (olen && old[0] == '/')
        RET(WE_PERM); /* an absolute target would point outside every preopen */
    struct resolved r;
    uint32_t e = rpath(c, env, ARG32(2), ARG32(3), ARG32(4), 0, R_PATH_SYMLINK, &r);
    if (e)
        RET(e);
    int rc = symlinkat(target, r.dir, r.leaf), err = errno;
    done(&r);
    RET(rc ? wasi_errno(err) : 0);
}

wasm_trap_kind wasi_path_link(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved a, b;
    uint32_t e = rpath(c, env, ARG32(0), ARG32(2), ARG32(3), ARG32(1) & 1, R_PATH_LINK_SOURCE, &a);
    if (e)
        RET(e);
    e = rpath(c, env, ARG32(4), ARG32(5), ARG32(6), 0, R_PATH_LINK_TARGET, &b);
    if (e) {
        done(&a);
        RET(e);
    }
    int rc = linkat(a.dir, a.leaf, b.dir, b.leaf, 0), err = errno;
    done(&a);
    done(&b);
    RET(rc ? wasi_errno(err) : 0);
}

wasm_trap_kind wasi_path_rename(wasm_caller *c, void *env, uint64_t *slots)
{
    struct resolved a, b;
    uint32_t e = rpath(c, env, ARG32(0), ARG32(1), ARG32(2), 0, R_PATH_RENAME_SOURCE, &a);
    if (e)
        RET(e);
    e = rpath(c, env, ARG32(3), ARG32(4), ARG32(5), 0, R_PATH_RENAME_TARGET, &b);
    if (e) {
        done(&a);
        RET(e);
    }
    int rc = renameat(a.dir, a.leaf, b.dir, b.leaf), err = errno;
    done(&a);
    done(&b);
    RET(rc ? wasi_errno(err) : 0);
}
