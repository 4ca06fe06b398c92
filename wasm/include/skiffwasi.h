/* skiffwasi.h - WASI preview 1 (wasi_snapshot_preview1) for skiffwasm, over POSIX calls.
 *
 * Capability model: the guest reaches the file system only through preopened
 * directories; path resolution is done here, component by component, so that neither
 * ".." nor a symlink (absolute, or relative and climbing) can leave a preopen.
 * A trailing slash stays on the last component, so POSIX's rule applies (it must name
 * a directory).  Rights follow the WASI spec: every fd has base and inheriting rights
 * by file type (a directory holds path rights and passes file rights on), path_open
 * gives the new fd at most the directory's inheriting rights, fd_fdstat_set_rights only
 * narrows (NOTCAPABLE otherwise); an fd call lacking its right fails with BADF and a
 * path call lacking it on the directory with NOTCAPABLE.  Symlinks to absolute paths
 * cannot be created (PERM).
 * Sockets are reachable only as preopened listening sockets (sock_accept).
 * Calls the layer does not implement return ENOSYS.  Host calls may block (fd_read,
 * poll_oneoff, sock_accept) exactly as the guest asked.
 */
#ifndef SKIFFWASI_H
#define SKIFFWASI_H

#include "skiffwasm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct wasi_ctx wasi_ctx;

/* argv/envp are copied.  stdio fds 0..2 are the host's own 0..2. */
wasi_ctx *wasi_new(int argc, char *const *argv, int envc, char *const *envp);
void wasi_free(wasi_ctx *w);
/* Preopen host directory `host` as guest path `guest`; returns the guest fd or -errno. */
int wasi_preopen_dir(wasi_ctx *w, const char *host, const char *guest);
/* Preopen a listening socket (the ctx takes ownership of host_fd); returns the guest fd. */
int wasi_preopen_socket(wasi_ctx *w, int host_fd);
/* Define every wasi_snapshot_preview1 import of m in linker l (unknown names get an
 * ENOSYS stub of the imported type). Returns 0 or -1.
 *
 * wasi-threads: a module that imports a shared memory gets one (made in the store of
 * the first wasi_link call, which must be freed last, with a pthread waiter), and
 * "wasi" "thread-spawn" starts a thread with its own store and instance running
 * wasi_thread_start(tid, arg).  proc_exit or a trap on a spawned thread ends the
 * process (_exit) with its status (134 for a trap).  The fd table is shared by the
 * threads: its entries never move, and additions, closes and renumbering are locked. */
int wasi_link(wasi_ctx *w, wasm_store *s, wasm_linker *l, const wasm_module *m);
/* whether a thread was spawned: then other threads may still be running, and the
 * embedder should end the process rather than free what they use */
int wasi_threads_spawned(const wasi_ctx *w);

#ifdef __cplusplus
}
#endif
#endif
