/* wasi_impl.h - shared internals of the WASI layer: the guest fd table, guest-memory
 * access, and the errno mapping.  Each host function has the wasm_host_fn shape. */
#ifndef SKIFFWASI_IMPL_H
#define SKIFFWASI_IMPL_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "skiffwasi.h"

/* WASI errno values (wasi_snapshot_preview1) used by name */
enum {
    WE_SUCCESS = 0, WE_2BIG = 1, WE_ACCES = 2, WE_AGAIN = 6, WE_BADF = 8, WE_EXIST = 20, WE_FAULT = 21,
    WE_INVAL = 28, WE_IO = 29, WE_ISDIR = 31, WE_LOOP = 32, WE_NAMETOOLONG = 37, WE_NOENT = 44,
    WE_NOMEM = 48, WE_NOSYS = 52, WE_NOTDIR = 54, WE_NOTEMPTY = 55, WE_NOTSOCK = 57, WE_NOTSUP = 58,
    WE_PERM = 63, WE_SPIPE = 67, WE_NOTCAPABLE = 76
};

/* WASI filetypes */
enum { FT_UNKNOWN = 0, FT_BLOCK = 1, FT_CHAR = 2, FT_DIR = 3, FT_REG = 4, FT_DGRAM = 5, FT_STREAM = 6, FT_SYMLINK = 7 };

/* Rights (wasi_snapshot_preview1): each fd has base rights (what may be done with it)
 * and inheriting rights (the most a descriptor opened through it may get).  Both only
 * ever narrow: path_open masks the requested rights by the directory's inheriting
 * rights and by what suits the file type, and fd_fdstat_set_rights refuses growth. */
enum {
    R_FD_DATASYNC = 1 << 0, R_FD_READ = 1 << 1, R_FD_SEEK = 1 << 2, R_FD_FDSTAT_SET_FLAGS = 1 << 3,
    R_FD_SYNC = 1 << 4, R_FD_TELL = 1 << 5, R_FD_WRITE = 1 << 6, R_FD_ADVISE = 1 << 7, R_FD_ALLOCATE = 1 << 8,
    R_PATH_CREATE_DIRECTORY = 1 << 9, R_PATH_CREATE_FILE = 1 << 10, R_PATH_LINK_SOURCE = 1 << 11,
    R_PATH_LINK_TARGET = 1 << 12, R_PATH_OPEN = 1 << 13, R_FD_READDIR = 1 << 14, R_PATH_READLINK = 1 << 15,
    R_PATH_RENAME_SOURCE = 1 << 16, R_PATH_RENAME_TARGET = 1 << 17, R_PATH_FILESTAT_GET = 1 << 18,
    R_PATH_FILESTAT_SET_SIZE = 1 << 19, R_PATH_FILESTAT_SET_TIMES = 1 << 20, R_FD_FILESTAT_GET = 1 << 21,
    R_FD_FILESTAT_SET_SIZE = 1 << 22, R_FD_FILESTAT_SET_TIMES = 1 << 23, R_PATH_SYMLINK = 1 << 24,
    R_PATH_REMOVE_DIRECTORY = 1 << 25, R_PATH_UNLINK_FILE = 1 << 26, R_POLL_FD_READWRITE = 1 << 27,
    R_SOCK_SHUTDOWN = 1 << 28, R_SOCK_ACCEPT = 1 << 29
};

struct wfd {
    int used;
    int host;       /* host descriptor */
    int own;        /* close host on guest close */
    uint8_t type;   /* FT_* */
    char *preopen;  /* guest name if a preopened directory */
    int listener;   /* preopened listening socket */
    uint64_t base, inherit; /* rights */
    uint16_t syncflags;     /* fdflags dsync/rsync/sync asked for at open (reported back) */
};

/* the rights a descriptor of this type can have at most (base, and inheriting) */
uint64_t wasi_type_rights(uint8_t type, int listener);
uint64_t wasi_type_inherit(uint8_t type);

/* The fd table grows by chunks that never move, so a struct wfd pointer stays valid
 * while other threads (wasi-threads) open descriptors; a mutex orders additions,
 * renumbering and closing.  Using an fd while another thread closes it is the guest's
 * race, as with POSIX descriptors. */
#define WASI_FD_CHUNK 64
#define WASI_FD_CHUNKS 64 /* at most 4096 guest fds */

struct wasi_ctx {
    int argc, envc;
    char **argv, **envp;
    struct wfd *chunk[WASI_FD_CHUNKS];
    uint32_t nfds;           /* slots in use so far (published after their chunk) */
    pthread_mutex_t fdlock;
    struct wasi_threads *th; /* wasi-threads state, once a module needs it */
};

/* wasi_threads.c: the shared memory import and "wasi" "thread-spawn" */
int wasi_link_threads(wasi_ctx *w, wasm_store *s, wasm_linker *l, const wasm_module *m);
void wasi_threads_free(wasi_ctx *w);

/* map a host errno to WASI */
uint32_t wasi_errno(int e);
/* guest memory: bounds-checked pointer or NULL */
void *wasi_mem(wasm_caller *c, uint64_t off, uint64_t len);
static inline void wr16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void wr32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

struct wfd *wasi_fd(wasi_ctx *w, uint32_t fd);
void wasi_fd_lock(wasi_ctx *w);
void wasi_fd_unlock(wasi_ctx *w);
/* fd with all of `rights`, or NULL with *err set (BADF: no such fd or a right missing) */
struct wfd *wasi_fd_rights(wasi_ctx *w, uint32_t fd, uint64_t rights, uint32_t *err);
int wasi_fd_add(wasi_ctx *w, int host, uint8_t type, int own);
uint8_t wasi_filetype(unsigned st_mode);

/* Set a result errno in slot 0 and return OK: WASI errors are values, not traps. */
#define RET(e) do { slots[0] = (uint32_t)(e); return WASM_OK; } while (0)
#define ARG32(i) ((uint32_t)slots[i])
#define ARG64(i) (slots[i])

/* host functions, grouped by file */
#define WASI_FD_FUNCS(X)                                                                     \
    X(fd_advise, "\x7f\x7e\x7e\x7f") X(fd_allocate, "\x7f\x7e\x7e") X(fd_close, "\x7f")           \
    X(fd_datasync, "\x7f") X(fd_sync, "\x7f") X(fd_fdstat_get, "\x7f\x7f")                        \
    X(fd_fdstat_set_flags, "\x7f\x7f") X(fd_fdstat_set_rights, "\x7f\x7e\x7e")                    \
    X(fd_filestat_get, "\x7f\x7f") X(fd_filestat_set_size, "\x7f\x7e")                            \
    X(fd_filestat_set_times, "\x7f\x7e\x7e\x7f") X(fd_pread, "\x7f\x7f\x7f\x7e\x7f")              \
    X(fd_pwrite, "\x7f\x7f\x7f\x7e\x7f") X(fd_prestat_get, "\x7f\x7f")                           \
    X(fd_prestat_dir_name, "\x7f\x7f\x7f") X(fd_read, "\x7f\x7f\x7f\x7f")                        \
    X(fd_write, "\x7f\x7f\x7f\x7f") X(fd_readdir, "\x7f\x7f\x7f\x7e\x7f")                        \
    X(fd_renumber, "\x7f\x7f") X(fd_seek, "\x7f\x7e\x7f\x7f") X(fd_tell, "\x7f\x7f")
#define WASI_PATH_FUNCS(X)                                                                   \
    X(path_create_directory, "\x7f\x7f\x7f") X(path_filestat_get, "\x7f\x7f\x7f\x7f\x7f")       \
    X(path_filestat_set_times, "\x7f\x7f\x7f\x7f\x7e\x7e\x7f")                                    \
    X(path_link, "\x7f\x7f\x7f\x7f\x7f\x7f\x7f")                                                  \
    X(path_open, "\x7f\x7f\x7f\x7f\x7f\x7e\x7e\x7f\x7f")                                          \
    X(path_readlink, "\x7f\x7f\x7f\x7f\x7f\x7f") X(path_remove_directory, "\x7f\x7f\x7f")         \
    X(path_rename, "\x7f\x7f\x7f\x7f\x7f\x7f") X(path_symlink, "\x7f\x7f\x7f\x7f\x7f")            \
    X(path_unlink_file, "\x7f\x7f\x7f")
#define WASI_CORE_FUNCS(X)                                                                   \
    X(args_get, "\x7f\x7f") X(args_sizes_get, "\x7f\x7f") X(environ_get, "\x7f\x7f")            \
    X(environ_sizes_get, "\x7f\x7f") X(clock_res_get, "\x7f\x7f") X(clock_time_get, "\x7f\x7e\x7f") \
    X(random_get, "\x7f\x7f") X(proc_raise, "\x7f") X(sched_yield, "")                           \
    X(poll_oneoff, "\x7f\x7f\x7f\x7f")
#define WASI_SOCK_FUNCS(X)                                                                   \
    X(sock_accept, "\x7f\x7f\x7f") X(sock_recv, "\x7f\x7f\x7f\x7f\x7f\x7f")                     \
    X(sock_send, "\x7f\x7f\x7f\x7f\x7f") X(sock_shutdown, "\x7f\x7f")

#define WASI_DECL(name, sig) wasm_trap_kind wasi_##name(wasm_caller *c, void *env, uint64_t *slots);
WASI_FD_FUNCS(WASI_DECL)
WASI_PATH_FUNCS(WASI_DECL)
WASI_CORE_FUNCS(WASI_DECL)
WASI_SOCK_FUNCS(WASI_DECL)
#undef WASI_DECL

/* read iovec array (ciovec/iovec: {ptr u32, len u32}) into host iovecs; returns count or -errno */
struct iovec;
int wasi_iovs(wasm_caller *c, uint32_t iovs, uint32_t n, struct iovec *out, int max);

#endif
