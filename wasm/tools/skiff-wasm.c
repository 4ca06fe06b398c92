/* skiff-wasm - run a wasm32-wasip1 module on the Linux host.
 *
 *   skiff-wasm [--dir HOST[::GUEST]] [--env K=V] [--tcplisten HOST:PORT] [--fuel N]
 *              [--max-memory SIZE] [--disable PROPOSAL] module.wasm [args...]
 *   skiff-wasm --features      (lists the proposals beyond 2.0's core and whether on)
 *
 * Exit status: the module's proc_exit code (0 if _start returns); 134 after a trap,
 * which is reported with a wasm backtrace on stderr; 2 for usage or load errors. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "skiffwasi.h"
#include "skiffwasm.h"

#define TRAP_STATUS 134

static void usage(void)
{
    fprintf(stderr, "usage: skiff-wasm [--dir HOST[::GUEST]] [--env K=V] [--tcplisten HOST:PORT]\n"
                    "                  [--fuel N] [--max-memory SIZE] [--disable PROPOSAL] module.wasm [args...]\n"
                    "       skiff-wasm --features\n");
    exit(2);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, r;
    uint8_t *b = malloc(cap);
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) { free(b); b = NULL; }
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

/* "64M", "1G", "65536" (bytes) -> 64 KiB pages, rounded up */
static uint32_t parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    switch (*end) {
    case 'k': case 'K': v <<= 10; break;
    case 'm': case 'M': v <<= 20; break;
    case 'g': case 'G': v <<= 30; break;
    case 0: break;
    default: usage();
    }
    unsigned long long pages = (v + 65535) / 65536;
    return pages > 65536 ? 65536 : pages ? (uint32_t)pages : 1;
}

static int tcp_listen(const char *spec)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    if (!colon || (size_t)(colon - spec) >= sizeof host)
        return -1;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = 0;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 64)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* a proposal's bit by name (wasm_feature_name), or usage */
static uint32_t feature_bit(const char *name)
{
    for (uint32_t b = 1; b & WASM_FEATURE_ALL; b <<= 1)
        if (!strcmp(name, wasm_feature_name(b)))
            return b;
    usage();
    return 0;
}

static int list_features(uint32_t on)
{
    for (uint32_t b = 1; b & WASM_FEATURE_ALL; b <<= 1)
        printf("%-15s %s\n", wasm_feature_name(b), on & b ? "on" : "off");
    return 0;
}

static void backtrace(const wasm_trap *t)
{
    fprintf(stderr, "skiff-wasm: trap: %s (in function %u)\n", t->msg, t->func_index);
    fprintf(stderr, "wasm backtrace:\n");
    for (uint32_t i = 0; i < t->nframes; i++) {
        const char *name = t->frame_module[i] ? wasm_module_func_name(t->frame_module[i], t->frames[i]) : NULL;
        fprintf(stderr, "  %2u: func[%u]%s%s\n", i, t->frames[i], name ? " " : "", name ? name : "");
    }
}

int main(int argc, char **argv)
{
    char *dirs[64], *envs[256], *socks[16];
    int ndirs = 0, nenvs = 0, nsocks = 0;
    uint64_t fuel = 0;
    int use_fuel = 0;
    wasm_limits lim = {0};
    uint32_t features = WASM_FEATURE_ALL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--features"))
            return list_features(features);
        if (i + 1 >= argc)
            usage();
        if (!strcmp(o, "--dir") && ndirs < 64) dirs[ndirs++] = argv[++i];
        else if (!strcmp(o, "--env") && nenvs < 256) envs[nenvs++] = argv[++i];
        else if (!strcmp(o, "--tcplisten") && nsocks < 16) socks[nsocks++] = argv[++i];
        else if (!strcmp(o, "--fuel")) { fuel = strtoull(argv[++i], NULL, 10); use_fuel = 1; }
        else if (!strcmp(o, "--max-memory")) lim.max_memory_pages = parse_size(argv[++i]);
        else if (!strcmp(o, "--disable")) features &= ~feature_bit(argv[++i]);
        else usage();
    }
    if (i >= argc)
        usage();
    const char *path = argv[i];
    size_t len;
    uint8_t *bytes = slurp(path, &len);
    if (!bytes) {
        fprintf(stderr, "skiff-wasm: %s: %s\n", path, strerror(errno));
        return 2;
    }
    char err[256];
    wasm_load_options opt = {use_fuel, WASM_FEATURE_ALL & ~features};
    wasm_module *m = wasm_module_load(bytes, len, &opt, err, sizeof err);
    free(bytes);
    if (!m) {
        fprintf(stderr, "skiff-wasm: %s: invalid module: %s\n", path, err);
        return 2;
    }
    wasi_ctx *w = wasi_new(argc - i, argv + i, nenvs, envs);
    /* listening sockets first (fd 3...), then directories, as other runtimes do */
    for (int k = 0; k < nsocks; k++) {
        int fd = tcp_listen(socks[k]);
        if (fd < 0 || wasi_preopen_socket(w, fd) < 0) {
            fprintf(stderr, "skiff-wasm: --tcplisten %s: %s\n", socks[k], strerror(errno));
            return 2;
        }
    }
    for (int k = 0; k < ndirs; k++) {
        char *host = dirs[k], *guest = strstr(dirs[k], "::");
        if (guest) {
            *guest = 0;
            guest += 2;
        } else {
            guest = host;
        }
        int r = wasi_preopen_dir(w, host, guest);
        if (r < 0) {
            fprintf(stderr, "skiff-wasm: --dir %s: %s\n", host, strerror(-r));
            return 2;
        }
    }
    wasm_store *s = wasm_store_new(&lim);
    wasm_linker *l = wasm_linker_new();
    if (!s || !l || wasi_link(w, s, l, m)) {
        fprintf(stderr, "skiff-wasm: out of memory\n");
        return 2;
    }
    if (use_fuel)
        wasm_store_set_fuel(s, fuel);
    wasm_store_set_features(s, features);
    int status = 0;
    wasm_instance *inst = wasm_instantiate(s, m, l);
    const wasm_trap *t = wasm_store_trap(s);
    if (!inst) {
        if (t->kind == WASM_TRAP_EXIT) {
            status = t->exit_code;
        } else if (t->kind == WASM_TRAP_LINK || t->kind == WASM_TRAP_NOMEM) {
            fprintf(stderr, "skiff-wasm: %s: %s\n", path, t->msg);
            status = 2;
        } else {
            backtrace(t);
            status = TRAP_STATUS;
        }
    } else {
        wasm_extern start;
        if (wasm_instance_export(inst, "_start", &start) || start.kind != WASM_EXTERN_FUNC) {
            fprintf(stderr, "skiff-wasm: %s: no _start function exported\n", path);
            status = 2;
        } else {
            uint64_t none[1];
            wasm_trap_kind k = wasm_call(s, start.ptr, none);
            if (k == WASM_TRAP_EXIT)
                status = t->exit_code;
            else if (k != WASM_OK) {
                backtrace(t);
                status = TRAP_STATUS;
            }
        }
    }
    if (wasi_threads_spawned(w)) {
        /* threads may still run on the store's memory: end them with the process */
        fflush(NULL);
        _exit(status);
    }
    wasm_linker_free(l);
    wasm_store_free(s);
    wasi_free(w);
    wasm_module_free(m);
    return status;
}
