/* json.c - recursive-descent JSON reader (see json.h). */
#include "json.h"

#include <stdlib.h>
#include <string.h>

struct p {
    const char *s;
    int err;
};

static void ws(struct p *p)
{
    while (*p->s == ' ' || *p->s == '\n' || *p->s == '\r' || *p->s == '\t')
        p->s++;
}

static int value(struct p *p, jval *v, int depth);

static char *string(struct p *p, size_t *len)
{
    /* p->s at the opening quote; escapes other than \uXXXX are copied literally */
    const char *q = ++p->s;
    size_t cap = 16, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    while (*q && *q != '"') {
        char c = *q++;
        if (c == '\\') {
            c = *q++;
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case 'u': {
                unsigned cp = (unsigned)strtoul((char[]){q[0], q[1], q[2], q[3], 0}, NULL, 16);
                q += 4;
                char buf[4];
                size_t k = 0;
                if (cp < 0x80) buf[k++] = (char)cp;
                else if (cp < 0x800) { buf[k++] = (char)(0xc0 | cp >> 6); buf[k++] = (char)(0x80 | (cp & 0x3f)); }
                else { buf[k++] = (char)(0xe0 | cp >> 12); buf[k++] = (char)(0x80 | ((cp >> 6) & 0x3f)); buf[k++] = (char)(0x80 | (cp & 0x3f)); }
                for (size_t i = 0; i < k; i++) {
                    if (n + 2 > cap) { cap *= 2; char *o = realloc(out, cap); if (!o) { free(out); return NULL; } out = o; }
                    out[n++] = buf[i];
                }
                continue;
            }
            case 0: free(out); return NULL;
            default: break;
            }
        }
        if (n + 2 > cap) {
            cap *= 2;
            char *o = realloc(out, cap);
            if (!o) { free(out); return NULL; }
            out = o;
        }
        out[n++] = c;
    }
    if (*q != '"') {
        free(out);
        return NULL;
    }
    out[n] = 0;
    p->s = q + 1;
    if (len)
        *len = n;
    return out;
}

static int push(jval *v, jval *item, char *key)
{
    jval *it = realloc(v->items, (v->n + 1) * sizeof *it);
    if (!it)
        return -1;
    v->items = it;
    if (v->t == J_OBJ) {
        char **k = realloc(v->keys, (v->n + 1) * sizeof *k);
        if (!k)
            return -1;
        v->keys = k;
        k[v->n] = key;
    }
    it[v->n++] = *item;
    return 0;
}

static int value(struct p *p, jval *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (depth > 64)
        return -1;
    ws(p);
    char c = *p->s;
    if (c == '{' || c == '[') {
        v->t = c == '{' ? J_OBJ : J_ARR;
        p->s++;
        ws(p);
        if (*p->s == (c == '{' ? '}' : ']')) {
            p->s++;
            return 0;
        }
        for (;;) {
            char *key = NULL;
            ws(p);
            if (v->t == J_OBJ) {
                if (*p->s != '"' || !(key = string(p, NULL)))
                    return -1;
                ws(p);
                if (*p->s++ != ':') { free(key); return -1; }
            }
            jval item;
            if (value(p, &item, depth + 1) || push(v, &item, key)) {
                free(key);
                return -1;
            }
            ws(p);
            if (*p->s == ',') { p->s++; continue; }
            if (*p->s == (v->t == J_OBJ ? '}' : ']')) { p->s++; return 0; }
            return -1;
        }
    }
    if (c == '"') {
        v->t = J_STR;
        return (v->s = string(p, &v->len)) ? 0 : -1;
    }
    if (!strncmp(p->s, "true", 4)) { v->t = J_BOOL; v->b = 1; p->s += 4; return 0; }
    if (!strncmp(p->s, "false", 5)) { v->t = J_BOOL; p->s += 5; return 0; }
    if (!strncmp(p->s, "null", 4)) { v->t = J_NULL; p->s += 4; return 0; }
    const char *q = p->s;
    while (*q == '-' || *q == '+' || *q == '.' || *q == 'e' || *q == 'E' || (*q >= '0' && *q <= '9'))
        q++;
    if (q == p->s)
        return -1;
    v->t = J_NUM;
    v->s = strndup(p->s, (size_t)(q - p->s));
    p->s = q;
    return v->s ? 0 : -1;
}

static void clear(jval *v)
{
    for (size_t i = 0; i < v->n; i++) {
        clear(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->s);
}

void json_free(jval *v)
{
    if (v) {
        clear(v);
        free(v);
    }
}

jval *json_parse(const char *text)
{
    struct p p = {text, 0};
    jval *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    if (value(&p, v, 0)) {
        json_free(v);
        return NULL;
    }
    return v;
}

const jval *json_get(const jval *o, const char *key)
{
    if (!o || o->t != J_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (o->keys[i] && !strcmp(o->keys[i], key))
            return &o->items[i];
    return NULL;
}

const char *json_str(const jval *o, const char *key)
{
    const jval *v = json_get(o, key);
    return v && v->t == J_STR ? v->s : NULL;
}
