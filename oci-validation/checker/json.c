/* json.c - a tiny recursive-descent JSON reader (RFC 8259 subset: no \u
 * surrogate pairs beyond the BMP are combined; enough for config.json). */
#include "json.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct p {
    const char *s;
    const char *err;
};

static void ws(struct p *p)
{
    while (*p->s && isspace((unsigned char)*p->s))
        p->s++;
}

static void *xcalloc(size_t n, size_t m)
{
    void *r = calloc(n ? n : 1, m);
    if (!r) {
        perror("calloc");
        exit(2);
    }
    return r;
}

static struct jval *value(struct p *p, int depth);

static char *string(struct p *p)
{
    size_t cap = 16, n = 0;
    char *out = xcalloc(cap, 1);
    p->s++; /* opening quote */
    while (*p->s && *p->s != '"') {
        unsigned c = (unsigned char)*p->s++;
        if (c == '\\') {
            char e = *p->s++;
            switch (e) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'u': {
                unsigned u = 0;
                for (int i = 0; i < 4; i++) {
                    if (!isxdigit((unsigned char)p->s[i])) {
                        p->err = "bad \\u escape";
                        free(out);
                        return NULL;
                    }
                    u = u * 16 + (isdigit((unsigned char)p->s[i]) ? p->s[i] - '0'
                                                                  : (tolower(p->s[i]) - 'a' + 10));
                }
                p->s += 4;
                if (n + 4 >= cap)
                    out = realloc(out, cap *= 2);
                if (u < 0x80)
                    out[n++] = u;
                else if (u < 0x800) {
                    out[n++] = 0xc0 | (u >> 6);
                    out[n++] = 0x80 | (u & 0x3f);
                } else {
                    out[n++] = 0xe0 | (u >> 12);
                    out[n++] = 0x80 | ((u >> 6) & 0x3f);
                    out[n++] = 0x80 | (u & 0x3f);
                }
                continue;
            }
            case 0:
                p->err = "unterminated string";
                free(out);
                return NULL;
            default:
                c = (unsigned char)e;
            }
        }
        if (n + 2 >= cap)
            out = realloc(out, cap *= 2);
        out[n++] = c;
    }
    if (*p->s != '"') {
        p->err = "unterminated string";
        free(out);
        return NULL;
    }
    p->s++;
    out[n] = 0;
    return out;
}

static struct jval *container(struct p *p, int obj, int depth)
{
    struct jval *v = xcalloc(1, sizeof *v);
    size_t cap = 4;
    v->t = obj ? J_OBJ : J_ARR;
    v->v = xcalloc(cap, sizeof *v->v);
    if (obj)
        v->keys = xcalloc(cap, sizeof *v->keys);
    p->s++;
    ws(p);
    if (*p->s == (obj ? '}' : ']')) {
        p->s++;
        return v;
    }
    for (;;) {
        ws(p);
        if (v->len == cap) {
            cap *= 2;
            v->v = realloc(v->v, cap * sizeof *v->v);
            if (obj)
                v->keys = realloc(v->keys, cap * sizeof *v->keys);
        }
        if (obj) {
            if (*p->s != '"') {
                p->err = "expected key";
                return NULL;
            }
            if (!(v->keys[v->len] = string(p)))
                return NULL;
            ws(p);
            if (*p->s++ != ':') {
                p->err = "expected ':'";
                return NULL;
            }
        }
        if (!(v->v[v->len] = value(p, depth + 1)))
            return NULL;
        v->len++;
        ws(p);
        if (*p->s == ',') {
            p->s++;
            continue;
        }
        if (*p->s == (obj ? '}' : ']')) {
            p->s++;
            return v;
        }
        p->err = "expected ',' or close";
        return NULL;
    }
}

static struct jval *value(struct p *p, int depth)
{
    struct jval *v;
    ws(p);
    if (depth > 64) {
        p->err = "too deep";
        return NULL;
    }
    switch (*p->s) {
    case '{':
        return container(p, 1, depth);
    case '[':
        return container(p, 0, depth);
    case '"':
        v = xcalloc(1, sizeof *v);
        v->t = J_STR;
        if (!(v->s = string(p)))
            return NULL;
        return v;
    }
    v = xcalloc(1, sizeof *v);
    if (!strncmp(p->s, "true", 4)) {
        v->t = J_BOOL;
        v->b = 1;
        p->s += 4;
        return v;
    }
    if (!strncmp(p->s, "false", 5)) {
        v->t = J_BOOL;
        p->s += 5;
        return v;
    }
    if (!strncmp(p->s, "null", 4)) {
        v->t = J_NULL;
        p->s += 4;
        return v;
    }
    if (*p->s == '-' || isdigit((unsigned char)*p->s)) {
        const char *st = p->s;
        char *end;
        v->t = J_NUM;
        v->n = strtod(st, &end);
        p->s = end;
        v->s = strndup(st, end - st);
        return v;
    }
    p->err = "unexpected character";
    return NULL;
}

struct jval *json_parse(const char *text, char *err, size_t errlen)
{
    struct p p = {text, NULL};
    struct jval *v = value(&p, 0);
    if (v) {
        ws(&p);
        if (*p.s) {
            p.err = "trailing data";
            v = NULL;
        }
    }
    if (!v && err)
        snprintf(err, errlen, "%s at offset %ld", p.err ? p.err : "?", (long)(p.s - text));
    return v;
}

struct jval *json_parse_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;
    struct jval *v;
    if (!f) {
        snprintf(err, errlen, "open %s failed", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = xcalloc(n + 1, 1);
    if (fread(buf, 1, n, f) != (size_t)n) {
        fclose(f);
        snprintf(err, errlen, "read %s failed", path);
        return NULL;
    }
    fclose(f);
    v = json_parse(buf, err, errlen);
    free(buf);
    return v;
}

struct jval *jget(struct jval *v, const char *path)
{
    char key[256];
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        struct jval *next = NULL;
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = 0;
        if (v->t == J_OBJ) {
            for (size_t i = 0; i < v->len; i++)
                if (!strcmp(v->keys[i], key))
                    next = v->v[i];
        } else if (v->t == J_ARR && isdigit((unsigned char)key[0])) {
            size_t i = strtoul(key, NULL, 10);
            if (i < v->len)
                next = v->v[i];
        }
        v = next;
        path += n + (dot ? 1 : 0);
    }
    return v;
}

const char *jstr(struct jval *v, const char *path)
{
    v = jget(v, path);
    return v && v->t == J_STR ? v->s : NULL;
}

int jnum(struct jval *v, const char *path, long long *out)
{
    v = jget(v, path);
    if (!v || v->t != J_NUM)
        return 0;
    *out = strtoll(v->s, NULL, 10);
    return 1;
}

int jbool(struct jval *v, const char *path)
{
    v = jget(v, path);
    return v && v->t == J_BOOL && v->b;
}

unsigned long long jraw_u64(struct jval *v)
{
    if (!v || v->t != J_NUM)
        return 0;
    if (v->s[0] == '-')
        return (unsigned long long)strtoll(v->s, NULL, 10);
    return strtoull(v->s, NULL, 10);
}
