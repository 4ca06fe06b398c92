/* spectest.c - runs one wast2json command list against the engine.
 *
 *   spectest DIR/FILE.json [-v] [--features NAME,...] [--superseded TEXT]...
 *
 * The engine is configured as WebAssembly 2.0 (SIMD included): every later proposal is
 * refused at load, as the 2.0 suite expects, unless --features turns it on (the
 * proposal folders are each run with their own proposal on).
 *
 * Every assertion kind is checked; modules given as text (assert_malformed of quoted
 * modules) are counted as skipped because the engine takes binaries only.  Prints
 * "FILE: N passed, M failed, K skipped" and exits 1 if any assertion failed.
 *
 * --superseded TEXT: the proposal folders branch from an older spec, and some of their
 * assert_invalid modules are valid WebAssembly 2.0 (a proposal of that time forbade
 * several tables, which reference types allow).  An assert_invalid with exactly that
 * text whose module loads is then counted and reported as superseded, not passed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "skiffwasm.h"

#define MAXV 64

struct named {
    char *name;
    wasm_instance *inst;
};

struct ctx {
    const char *dir, *file;
    wasm_store *s;
    wasm_linker *l;
    wasm_instance *cur;
    struct named *names;
    size_t nnames;
    wasm_module **mods;
    size_t nmods;
    int pass, fail, skip, superseded;
    int verbose;
    uint32_t features_off; /* load options: proposals refused */
    char **sup; /* assertion texts superseded by 2.0 */
    int nsup;
};

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) { free(b); b = NULL; break; }
            b = nb;
        }
    }
    fclose(f);
    if (b) {
        b[n] = 0; /* room guaranteed: n < cap */
        *len = n;
    }
    return b;
}

static void failf(struct ctx *c, int line, const char *fmt, const char *a, const char *b)
{
    c->fail++;
    fprintf(stderr, "%s:%d: FAIL ", c->file, line);
    fprintf(stderr, fmt, a ? a : "", b ? b : "");
    fputc('\n', stderr);
}

/* ---- the "spectest" host module ---- */

static wasm_trap_kind print_fn(wasm_caller *c, void *env, uint64_t *slots)
{
    (void)c; (void)env; (void)slots;
    return WASM_OK;
}

static void define_spectest(struct ctx *c)
{
    static const struct { const char *name; const char *params; } prints[] = {
        {"print", ""}, {"print_i32", "\x7f"}, {"print_i64", "\x7e"}, {"print_f32", "\x7d"},
        {"print_f64", "\x7c"}, {"print_i32_f32", "\x7f\x7d"}, {"print_f64_f64", "\x7c\x7c"}};
    for (size_t i = 0; i < sizeof prints / sizeof prints[0]; i++) {
        const char *p = prints[i].params;
        wasm_functype *t = wasm_functype_new(c->s, (uint32_t)strlen(p), (const uint8_t *)p, 0, NULL);
        wasm_func *f = wasm_func_new_host(c->s, t, print_fn, NULL);
        wasm_linker_define(c->l, "spectest", prints[i].name, (wasm_extern){WASM_EXTERN_FUNC, f});
    }
    float f32 = 666.6f;
    double f64 = 666.6;
    uint32_t f32b;
    uint64_t f64b;
    memcpy(&f32b, &f32, 4);
    memcpy(&f64b, &f64, 8);
    wasm_linker_define(c->l, "spectest", "global_i32", (wasm_extern){WASM_EXTERN_GLOBAL, wasm_global_new(c->s, WASM_I32, 0, 666)});
    wasm_linker_define(c->l, "spectest", "global_i64", (wasm_extern){WASM_EXTERN_GLOBAL, wasm_global_new(c->s, WASM_I64, 0, 666)});
    wasm_linker_define(c->l, "spectest", "global_f32", (wasm_extern){WASM_EXTERN_GLOBAL, wasm_global_new(c->s, WASM_F32, 0, f32b)});
    wasm_linker_define(c->l, "spectest", "global_f64", (wasm_extern){WASM_EXTERN_GLOBAL, wasm_global_new(c->s, WASM_F64, 0, f64b)});
    wasm_linker_define(c->l, "spectest", "table", (wasm_extern){WASM_EXTERN_TABLE, wasm_table_new(c->s, WASM_FUNCREF, 10, 20)});
    wasm_linker_define(c->l, "spectest", "memory", (wasm_extern){WASM_EXTERN_MEMORY, wasm_memory_new(c->s, 1, 2)});
    wasm_linker_define(c->l, "spectest", "shared_memory",
                       (wasm_extern){WASM_EXTERN_MEMORY, wasm_memory_new_shared(c->s, 1, 2)});
}

/* ---- modules ---- */

static wasm_module *load(struct ctx *c, const char *file, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", c->dir, file);
    size_t len;
    uint8_t *b = slurp(path, &len);
    if (!b) {
        snprintf(err, errlen, "cannot read %.200s: %.40s", path, strerror(errno));
        return NULL;
    }
    wasm_load_options opt = {0, c->features_off};
    wasm_module *m = wasm_module_load(b, len, &opt, err, errlen);
    free(b);
    if (m) {
        c->mods = realloc(c->mods, (c->nmods + 1) * sizeof *c->mods);
        c->mods[c->nmods++] = m;
    }
    return m;
}

static wasm_instance *find(struct ctx *c, const char *name)
{
    if (!name)
        return c->cur;
    for (size_t i = c->nnames; i-- > 0;)
        if (!strcmp(c->names[i].name, name))
            return c->names[i].inst;
    return NULL;
}

/* ---- values ---- */

/* lane size in bytes of a v128's "lane_type", 0 if unknown */
static int lane_bytes(const char *lt)
{
    if (!lt) return 0;
    if (!strcmp(lt, "i8")) return 1;
    if (!strcmp(lt, "i16")) return 2;
    if (!strcmp(lt, "i32") || !strcmp(lt, "f32")) return 4;
    if (!strcmp(lt, "i64") || !strcmp(lt, "f64")) return 8;
    return 0;
}

/* a v128 given as lanes (decimal bit patterns) into out[0..1] */
static int parse_v128(const jval *v, uint64_t *out)
{
    const jval *lanes = json_get(v, "value");
    int lb = lane_bytes(json_str(v, "lane_type"));
    if (!lb || !lanes || lanes->t != J_ARR || lanes->n * (size_t)lb != 16)
        return -1;
    uint8_t b[16];
    for (size_t i = 0; i < lanes->n; i++) {
        const char *s = lanes->items[i].s;
        if (!s || !strncmp(s, "nan:", 4))
            return -1;
        uint64_t x = *s == '-' ? (uint64_t)strtoll(s, NULL, 10) : strtoull(s, NULL, 10);
        memcpy(b + i * lb, &x, lb); /* little-endian host: the low lb bytes */
    }
    memcpy(out, b, 16);
    return 0;
}

/* one value into out[0..]; returns the slots it takes (2 for a v128) or -1 */
static int parse_val(const jval *v, uint8_t *type, uint64_t *out)
{
    const char *t = json_str(v, "type"), *s = json_str(v, "value");
    if (!t)
        return -1;
    if (!strcmp(t, "v128")) {
        *type = 0x7b;
        return parse_v128(v, out) ? -1 : 2;
    }
    if (!strcmp(t, "i32")) *type = WASM_I32;
    else if (!strcmp(t, "i64")) *type = WASM_I64;
    else if (!strcmp(t, "f32")) *type = WASM_F32;
    else if (!strcmp(t, "f64")) *type = WASM_F64;
    else if (!strcmp(t, "externref")) *type = WASM_EXTERNREF;
    else if (!strcmp(t, "funcref")) *type = WASM_FUNCREF;
    else return -1;
    if (!s)
        return -1;
    if (!strcmp(s, "null"))
        *out = 0;
    else if (*type == WASM_EXTERNREF)
        *out = strtoull(s, NULL, 10) + 1; /* non-null externref N; 0 is null */
    else
        *out = strtoull(s, NULL, 10);
    return 1;
}

/* a float result against "nan:canonical" / "nan:arithmetic" (either sign) */
static int nan_match(const char *s, int f64, uint64_t got)
{
    if (!f64) {
        uint32_t b = (uint32_t)got;
        return !strcmp(s, "nan:canonical") ? (b & 0x7fffffffu) == 0x7fc00000u : (b & 0x7fc00000u) == 0x7fc00000u;
    }
    return !strcmp(s, "nan:canonical") ? (got & 0x7fffffffffffffffull) == 0x7ff8000000000000ull
                                       : (got & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

/* a v128 result lane by lane (float lanes may be NaN patterns) */
static int match_v128(const jval *e, const uint64_t *got)
{
    const jval *lanes = json_get(e, "value");
    const char *lt = json_str(e, "lane_type");
    int lb = lane_bytes(lt);
    if (!lb || !lanes || lanes->t != J_ARR || lanes->n * (size_t)lb != 16)
        return 0;
    uint8_t b[16];
    memcpy(b, got, 16);
    for (size_t i = 0; i < lanes->n; i++) {
        const char *s = lanes->items[i].s;
        uint64_t g = 0;
        memcpy(&g, b + i * lb, lb);
        if (!s)
            return 0;
        if (!strncmp(s, "nan:", 4)) {
            if (lt[0] != 'f' || !nan_match(s, lb == 8, g))
                return 0;
            continue;
        }
        uint64_t w = *s == '-' ? (uint64_t)strtoll(s, NULL, 10) : strtoull(s, NULL, 10);
        if (lb < 8)
            w &= (1ull << (lb * 8)) - 1;
        if (g != w)
            return 0;
    }
    return 1;
}

static int match(const jval *e, const uint64_t *gotp)
{
    const char *t = json_str(e, "type"), *s = json_str(e, "value");
    uint64_t got = *gotp;
    if (t && !strcmp(t, "v128"))
        return match_v128(e, gotp);
    if (!t || !s)
        return 0;
    if (!strcmp(t, "f32") && !strncmp(s, "nan:", 4))
        return nan_match(s, 0, got);
    if (!strcmp(t, "f64") && !strncmp(s, "nan:", 4))
        return nan_match(s, 1, got);
    uint8_t ty;
    uint64_t want;
    if (parse_val(e, &ty, &want) < 0)
        return 0;
    if (ty == WASM_I32 || ty == WASM_F32)
        return (uint32_t)got == (uint32_t)want;
    if (ty == WASM_FUNCREF && strcmp(s, "null"))
        return got != 0; /* any non-null function reference */
    return got == want;
}

/* Perform an action; returns 1 if it ran (result count in *nres), 0 if it trapped,
 * -1 if it could not be performed (a driver or linking problem). */
static int act(struct ctx *c, const jval *a, uint64_t *res, uint32_t *nres, wasm_trap_kind *trap)
{
    const char *type = json_str(a, "type"), *field = json_str(a, "field");
    const jval *fv = json_get(a, "field");
    wasm_instance *inst = find(c, json_str(a, "module"));
    if (!inst || !field)
        return -1;
    wasm_extern e;
    if (wasm_instance_export_n(inst, field, fv->len, &e))
        return -1;
    if (!strcmp(type, "get")) {
        if (e.kind != WASM_EXTERN_GLOBAL)
            return -1;
        wasm_global_get_v128(e.ptr, res); /* the high half is unused unless v128 */
        *nres = 1;
        return 1;
    }
    if (e.kind != WASM_EXTERN_FUNC)
        return -1;
    const jval *args = json_get(a, "args");
    const wasm_functype *ft = wasm_func_type(e.ptr);
    uint64_t slots[2 * MAXV] = {0};
    if (!args || args->n != wasm_functype_params(ft) || args->n > MAXV || wasm_functype_results(ft) > MAXV)
        return -1;
    size_t k = 0; /* slots so far: a v128 takes two */
    for (size_t i = 0; i < args->n; i++) {
        uint8_t t;
        int w = parse_val(&args->items[i], &t, &slots[k]);
        if (w < 0)
            return -1;
        k += (size_t)w;
    }
    *trap = wasm_call(c->s, e.ptr, slots);
    if (*trap)
        return 0;
    *nres = wasm_functype_results(ft);
    memcpy(res, slots, 2 * MAXV * sizeof *res);
    return 1;
}

/* the trap kind a spec message names; COUNT means "any trap" */
static wasm_trap_kind trap_of(const char *text)
{
    static const struct { const char *s; wasm_trap_kind k; } map[] = {
        {"unreachable", WASM_TRAP_UNREACHABLE},
        {"out of bounds memory", WASM_TRAP_MEMORY_OOB},
        {"out of bounds table", WASM_TRAP_TABLE_OOB},
        {"undefined element", WASM_TRAP_TABLE_OOB},
        {"divide by zero", WASM_TRAP_DIV_ZERO},
        {"integer overflow", WASM_TRAP_INT_OVERFLOW},
        {"invalid conversion", WASM_TRAP_BAD_CONVERSION},
        {"call stack exhausted", WASM_TRAP_STACK_EXHAUSTED},
        {"indirect call type mismatch", WASM_TRAP_INDIRECT_MISMATCH},
        {"uninitialized element", WASM_TRAP_NULL_FUNC},
        {"unaligned atomic", WASM_TRAP_UNALIGNED_ATOMIC},
        {"expected shared memory", WASM_TRAP_UNSHARED_WAIT},
    };
    for (size_t i = 0; text && i < sizeof map / sizeof map[0]; i++)
        if (strstr(text, map[i].s))
            return map[i].k;
    return WASM_TRAP_COUNT;
}

static void cmd_module(struct ctx *c, const jval *cmd, int line)
{
    char err[256];
    wasm_module *m = load(c, json_str(cmd, "filename"), err, sizeof err);
    c->cur = NULL;
    if (!m) {
        failf(c, line, "module did not load: %s%s", err, NULL);
        return;
    }
    wasm_instance *inst = wasm_instantiate(c->s, m, c->l);
    if (!inst) {
        failf(c, line, "module did not instantiate: %s%s", wasm_store_trap(c->s)->msg, NULL);
        return;
    }
    c->cur = inst;
    const char *name = json_str(cmd, "name");
    if (name) {
        c->names = realloc(c->names, (c->nnames + 1) * sizeof *c->names);
        c->names[c->nnames].name = strdup(name);
        c->names[c->nnames++].inst = inst;
    }
}

static int superseded(const struct ctx *c, const char *type, const char *text)
{
    for (int i = 0; text && !strcmp(type, "assert_invalid") && i < c->nsup; i++)
        if (!strcmp(text, c->sup[i]))
            return 1;
    return 0;
}

static void command(struct ctx *c, const jval *cmd)
{
    const char *type = json_str(cmd, "type");
    const jval *lv = json_get(cmd, "line");
    int line = lv && lv->s ? atoi(lv->s) : 0;
    char err[256] = "";
    uint64_t res[2 * MAXV];
    uint32_t nres = 0;
    wasm_trap_kind trap = WASM_OK;

    if (!strcmp(type, "module")) {
        cmd_module(c, cmd, line);
    } else if (!strcmp(type, "register")) {
        wasm_instance *inst = find(c, json_str(cmd, "name"));
        if (!inst)
            failf(c, line, "register: no such module%s%s", NULL, NULL);
        else
            wasm_linker_define_instance(c->l, json_str(cmd, "as"), inst);
    } else if (!strcmp(type, "action")) {
        if (act(c, json_get(cmd, "action"), res, &nres, &trap) < 0)
            failf(c, line, "action could not run%s%s", NULL, NULL);
    } else if (!strcmp(type, "assert_return")) {
        const jval *exp = json_get(cmd, "expected");
        int r = act(c, json_get(cmd, "action"), res, &nres, &trap);
        if (r < 0) {
            failf(c, line, "assert_return: action could not run%s%s", NULL, NULL);
        } else if (r == 0) {
            failf(c, line, "assert_return: trapped: %s%s", wasm_store_trap(c->s)->msg, NULL);
        } else if (!exp || exp->n != nres) {
            failf(c, line, "assert_return: wrong result count%s%s", NULL, NULL);
        } else {
            for (uint32_t i = 0, k = 0; i < nres; i++) {
                const char *t = json_str(&exp->items[i], "type");
                int v128 = t && !strcmp(t, "v128");
                if (!match(&exp->items[i], &res[k])) {
                    char got[48];
                    if (v128)
                        snprintf(got, sizeof got, "0x%016llx%016llx", (unsigned long long)res[k + 1],
                                 (unsigned long long)res[k]);
                    else
                        snprintf(got, sizeof got, "0x%llx", (unsigned long long)res[k]);
                    failf(c, line, "assert_return: got %s, want %s", got,
                          v128 ? "(v128 lanes)" : json_str(&exp->items[i], "value"));
                    return;
                }
                k += v128 ? 2 : 1;
            }
            c->pass++;
        }
    } else if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
        const char *text = json_str(cmd, "text");
        wasm_trap_kind want = !strcmp(type, "assert_exhaustion") ? WASM_TRAP_STACK_EXHAUSTED : trap_of(text);
        if (json_get(cmd, "filename")) { /* a module whose start traps */
            wasm_module *m = load(c, json_str(cmd, "filename"), err, sizeof err);
            if (!m) {
                failf(c, line, "module did not load: %s%s", err, NULL);
                return;
            }
            if (wasm_instantiate(c->s, m, c->l)) {
                failf(c, line, "instantiation did not trap (want %s)%s", text, NULL);
                return;
            }
            trap = wasm_store_trap(c->s)->kind;
        } else {
            int r = act(c, json_get(cmd, "action"), res, &nres, &trap);
            if (r < 0) {
                failf(c, line, "assert_trap: action could not run%s%s", NULL, NULL);
                return;
            }
            if (r > 0) {
                failf(c, line, "no trap, want \"%s\"%s", text, NULL);
                return;
            }
        }
        if (want != WASM_TRAP_COUNT && trap != want)
            failf(c, line, "wrong trap \"%s\", want \"%s\"", wasm_trap_name(trap), text);
        else
            c->pass++;
    } else if (!strcmp(type, "assert_invalid") || !strcmp(type, "assert_malformed")) {
        const char *mt = json_str(cmd, "module_type");
        if (mt && strcmp(mt, "binary")) {
            c->skip++; /* text-format module: nothing to decode */
            return;
        }
        wasm_module *m = load(c, json_str(cmd, "filename"), err, sizeof err);
        if (m && superseded(c, type, json_str(cmd, "text"))) {
            c->superseded++;
            fprintf(stderr, "%s:%d: superseded by 2.0: \"%s\" module is valid\n", c->file, line, json_str(cmd, "text"));
        } else if (m)
            failf(c, line, "%s module was accepted (want \"%s\")", type, json_str(cmd, "text"));
        else {
            if (c->verbose)
                fprintf(stderr, "%s:%d: ok, rejected: %s (spec: %s)\n", c->file, line, err, json_str(cmd, "text"));
            c->pass++;
        }
    } else if (!strcmp(type, "assert_unlinkable") || !strcmp(type, "assert_uninstantiable")) {
        wasm_module *m = load(c, json_str(cmd, "filename"), err, sizeof err);
        if (!m) {
            failf(c, line, "module did not load: %s%s", err, NULL);
            return;
        }
        if (wasm_instantiate(c->s, m, c->l)) {
            failf(c, line, "%s module instantiated%s", type, NULL);
            return;
        }
        int link = wasm_store_trap(c->s)->kind == WASM_TRAP_LINK;
        if (link != !strcmp(type, "assert_unlinkable"))
            failf(c, line, "%s: wrong failure: %s", type, wasm_store_trap(c->s)->msg);
        else
            c->pass++;
    } else {
        failf(c, line, "unknown command %s%s", type, NULL);
    }
}

/* "threads,tail-call" -> their WASM_FEATURE_* bits */
static uint32_t feature_bits(const char *list)
{
    uint32_t bits = 0;
    for (uint32_t b = 1; b & WASM_FEATURE_ALL; b <<= 1) {
        const char *n = wasm_feature_name(b), *p = strstr(list, n);
        size_t k = strlen(n);
        if (p && (p == list || p[-1] == ',') && (p[k] == 0 || p[k] == ','))
            bits |= b;
    }
    return bits;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: spectest FILE.json [-v]\n");
        return 2;
    }
    struct ctx c = {0};
    c.features_off = WASM_FEATURE_ALL & ~WASM_FEATURE_SIMD;
    c.sup = calloc((size_t)argc, sizeof *c.sup);
    for (int i = 2; c.sup && i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            c.verbose = 1;
        else if (!strcmp(argv[i], "--superseded") && i + 1 < argc)
            c.sup[c.nsup++] = argv[++i];
        else if (!strcmp(argv[i], "--features") && i + 1 < argc)
            c.features_off &= ~feature_bits(argv[++i]);
    }
    char *dir = strdup(argv[1]);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        c.file = slash + 1;
        c.dir = dir;
    } else {
        c.file = argv[1];
        c.dir = ".";
    }
    size_t len;
    char *text = (char *)slurp(argv[1], &len);
    jval *root = text ? json_parse(text) : NULL;
    const jval *cmds = json_get(root, "commands");
    if (!cmds || cmds->t != J_ARR) {
        fprintf(stderr, "%s: cannot read command list\n", argv[1]);
        return 2;
    }
    /* a large stack and depth so assert_exhaustion tests the limit, not the C stack */
    wasm_limits lim = {0};
    lim.max_memory_pages = 65536;
    c.s = wasm_store_new(&lim);
    c.l = wasm_linker_new();
    define_spectest(&c);
    for (size_t i = 0; i < cmds->n; i++)
        command(&c, &cmds->items[i]);
    printf("%s: %d passed, %d failed, %d skipped", c.file, c.pass, c.fail, c.skip);
    if (c.superseded)
        printf(", %d superseded by 2.0", c.superseded);
    printf("\n");
    for (size_t i = 0; i < c.nmods; i++)
        wasm_module_free(c.mods[i]);
    for (size_t i = 0; i < c.nnames; i++)
        free(c.names[i].name);
    free(c.names);
    free(c.mods);
    free(c.sup);
    wasm_linker_free(c.l);
    wasm_store_free(c.s);
    json_free(root);
    free(text);
    free(dir);
    return c.fail ? 1 : 0;
}
