/* wasi_threads.c - wasi-threads over POSIX threads: the shared memory a threaded
 * module imports, its waiter (memory.atomic.wait/notify), and "wasi" "thread-spawn".
 *
 * A spawned thread gets what the wasi-threads proposal prescribes: a new instance of
 * the same module, in a store of its own (the engine runs one thread per store), with
 * the same WASI context and the same shared memory imported, and runs the instance's
 * export wasi_thread_start(tid, start_arg).  proc_exit or a trap on any thread ends the
 * whole process, so a thread that ends that way exits the process itself.
 *
 * The waiter is one mutex and a list of sleeping threads, each on its own condition
 * variable with the address it waits on: notify wakes the first `count` sleepers on an
 * address, and the value check of wait happens under the same mutex, so a notify
 * between a thread's check and its sleep cannot be lost. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "wasi_impl.h"

struct sleeper {
    const void *addr;
    pthread_cond_t cv;
    int woken;
    struct sleeper *next;
};

struct wasi_threads {
    pthread_mutex_t lock;   /* the sleeper list */
    struct sleeper *sleepers;
    wasm_memory *mem;       /* the shared memory the module imports (the main store's) */
    const wasm_module *m;
    wasm_limits lim;
    int next_tid;           /* thread ids: 1.. (0 is reserved for the main thread) */
    int spawned;
};

struct start {
    wasi_ctx *w;
    int tid;
    uint32_t arg;
};

static uint64_t load_now(const void *p, int width)
{
    if (width == 4)
        return __atomic_load_n((const uint32_t *)p, __ATOMIC_SEQ_CST);
    return __atomic_load_n((const uint64_t *)p, __ATOMIC_SEQ_CST);
}

static void deadline(struct timespec *ts, int64_t ns)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ns / 1000000000;
    ts->tv_nsec += ns % 1000000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

static void unlink_sleeper(struct wasi_threads *t, struct sleeper *me)
{
    for (struct sleeper **pp = &t->sleepers; *pp; pp = &(*pp)->next) {
        if (*pp == me) {
            *pp = me->next;
            return;
        }
    }
}

static int waiter_wait(void *ctx, const void *p, uint64_t expected, int width, int64_t timeout)
{
    struct wasi_threads *t = ctx;
    struct sleeper me = {p, PTHREAD_COND_INITIALIZER, 0, NULL};
    struct timespec ts;
    if (timeout >= 0)
        deadline(&ts, timeout);
    pthread_mutex_lock(&t->lock);
    if (load_now(p, width) != expected) {
        pthread_mutex_unlock(&t->lock);
        return 1;
    }
    me.next = t->sleepers;
    t->sleepers = &me;
    int r = 0;
    while (!me.woken && r != ETIMEDOUT)
        r = timeout >= 0 ? pthread_cond_timedwait(&me.cv, &t->lock, &ts) : pthread_cond_wait(&me.cv, &t->lock);
    if (!me.woken)
        unlink_sleeper(t, &me); /* notify unlinks the sleepers it wakes */
    pthread_mutex_unlock(&t->lock);
    pthread_cond_destroy(&me.cv);
    return me.woken ? 0 : 2;
}

static uint32_t waiter_notify(void *ctx, const void *p, uint32_t count)
{
    struct wasi_threads *t = ctx;
    uint32_t n = 0;
    pthread_mutex_lock(&t->lock);
    for (struct sleeper **pp = &t->sleepers; *pp && n < count;) {
        struct sleeper *s = *pp;
        if (s->addr != p) {
            pp = &s->next;
            continue;
        }
        *pp = s->next;
        s->woken = 1;
        pthread_cond_signal(&s->cv);
        n++;
    }
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* the thread ended the process's way: exit it from here (other threads included) */
static void end_process(const wasm_trap *tr, int tid)
{
    fflush(NULL);
    if (tr->kind == WASM_TRAP_EXIT)
        _exit(tr->exit_code);
    fprintf(stderr, "skiff-wasm: thread %d: %s\n", tid, tr->msg);
    fflush(NULL);
    _exit(134);
}

static void *thread_main(void *arg)
{
    struct start st = *(struct start *)arg;
    free(arg);
    struct wasi_threads *t = st.w->th;
    wasm_store *s = wasm_store_new(&t->lim);
    wasm_linker *l = wasm_linker_new();
    wasm_instance *inst = NULL;
    wasm_extern e;
    if (s && l && wasi_link(st.w, s, l, t->m) == 0)
        inst = wasm_instantiate(s, t->m, l);
    if (!inst)
        end_process(s ? wasm_store_trap(s) : &(wasm_trap){.kind = WASM_TRAP_NOMEM, .msg = "out of memory"}, st.tid);
    if (wasm_instance_export(inst, "wasi_thread_start", &e) || e.kind != WASM_EXTERN_FUNC)
        end_process(&(wasm_trap){.kind = WASM_TRAP_LINK, .msg = "no wasi_thread_start export"}, st.tid);
    uint64_t slots[2] = {(uint32_t)st.tid, st.arg};
    if (wasm_call(s, e.ptr, slots) != WASM_OK)
        end_process(wasm_store_trap(s), st.tid);
    wasm_linker_free(l);
    wasm_store_free(s);
    return NULL;
}

/* "wasi" "thread-spawn" (start_arg i32) -> i32: a new thread id, or a negative error */
static wasm_trap_kind thread_spawn(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c;
    wasi_ctx *w = env;
    struct start *st = malloc(sizeof *st);
    pthread_t th;
    pthread_attr_t a;
    if (!st) {
        slots[0] = (uint32_t)-ENOMEM;
        return WASM_OK;
    }
    st->w = w;
    st->arg = ARG32(0);
    int tid = __atomic_add_fetch(&w->th->next_tid, 1, __ATOMIC_SEQ_CST);
    st->tid = tid; /* st belongs to the new thread once it starts */
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    int r = tid > 0x1fffffff ? EAGAIN : pthread_create(&th, &a, thread_main, st);
    pthread_attr_destroy(&a);
    if (r) {
        free(st);
        slots[0] = (uint32_t)-r;
        return WASM_OK;
    }
    __atomic_store_n(&w->th->spawned, 1, __ATOMIC_SEQ_CST);
    slots[0] = (uint32_t)tid;
    return WASM_OK;
}

static struct wasi_threads *threads_of(wasi_ctx *w, wasm_store *s, const wasm_module *m)
{
    if (!w->th) {
        w->th = calloc(1, sizeof *w->th);
        if (!w->th)
            return NULL;
        pthread_mutex_init(&w->th->lock, NULL);
        w->th->m = m;
        w->th->lim = *wasm_store_limits(s);
    }
    return w->th;
}

/* the shared memory import: made once (in the first, main, store), then shared */
static int link_memory(wasi_ctx *w, wasm_store *s, wasm_linker *l, const wasm_module *m, uint32_t i)
{
    const char *mod, *name;
    int kind, shared;
    uint32_t min, max;
    wasm_module_import(m, i, &mod, &name, &kind);
    if (wasm_module_import_memory(m, i, &min, &max, &shared) || !shared)
        return 0; /* only threaded modules import their memory from us */
    struct wasi_threads *t = threads_of(w, s, m);
    if (!t)
        return -1;
    if (!t->mem) {
        t->mem = wasm_memory_new_shared(s, min, max);
        if (!t->mem)
            return -1;
        wasm_waiter wt = {waiter_wait, waiter_notify, t};
        wasm_memory_set_waiter(t->mem, &wt);
    }
    return wasm_linker_define(l, mod, name, (wasm_extern){WASM_EXTERN_MEMORY, t->mem});
}

int wasi_link_threads(wasi_ctx *w, wasm_store *s, wasm_linker *l, const wasm_module *m)
{
    static const uint8_t i32 = WASM_I32;
    for (uint32_t i = 0; i < wasm_module_import_count(m); i++) {
        const char *mod, *name;
        int kind;
        wasm_module_import(m, i, &mod, &name, &kind);
        if (kind == WASM_EXTERN_MEMORY && link_memory(w, s, l, m, i))
            return -1;
        if (kind != WASM_EXTERN_FUNC || strcmp(mod, "wasi") || strcmp(name, "thread-spawn"))
            continue;
        if (!threads_of(w, s, m))
            return -1;
        wasm_functype *ft = wasm_functype_new(s, 1, &i32, 1, &i32);
        wasm_func *f = ft ? wasm_func_new_host(s, ft, thread_spawn, w) : NULL;
        if (!f || wasm_linker_define(l, mod, name, (wasm_extern){WASM_EXTERN_FUNC, f}))
            return -1;
    }
    return 0;
}

int wasi_threads_spawned(const wasi_ctx *w) { return w->th && __atomic_load_n(&w->th->spawned, __ATOMIC_SEQ_CST); }

void wasi_threads_free(wasi_ctx *w)
{
    if (!w->th)
        return;
    pthread_mutex_destroy(&w->th->lock);
    free(w->th);
    w->th = NULL;
}
