/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* libFuzzer target for the JSON writers: the input bytes steer a generator
 * of values (strings of any bytes but NUL: invalid and overlong UTF-8,
 * encoded surrogates, control characters, quotes, backslashes, strings of
 * up to 48 KiB; integers at their limits; nested arrays and
 * objects), which go through
 *   - the generic writer (src/util/json.c: compact, tab- and
 *     space-indented, nested past the generator's depth limit);
 *   - the state writers (rl_state_write, rl_state_write_record and
 *     rl_state_oci_json, src/core/state.c) with a fuzzed record: id,
 *     pid, startTime, bundle, config, annotations, poststop hooks, a
 *     cgroup record and the saved resources;
 *   - the default config (`rustlet spec`, src/spec/spec_default.c),
 *     mutated, written again and fed to the config parser;
 * and, once per process, `rustlet features` (src/core/features.c).
 * Every document written is parsed back with rl_json_parse (and state.json
 * with rl_state_read): it must be valid JSON in valid UTF-8 and give back
 * exactly the values written; a writer must refuse (not pass through) a
 * string that is not valid UTF-8. A broken promise aborts, so libFuzzer
 * reports it with the input. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/json.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_writers: %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* ---- input ------------------------------------------------------------ */

struct in {
    const uint8_t *p;
    size_t n;
};

static unsigned take(struct in *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static unsigned pick(struct in *in, unsigned k)
{
    return k <= 1 ? 0 : take(in) % k;
}

static uint64_t take64(struct in *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | take(in);
    return v;
}

static int64_t fint(struct in *in)
{
    static const int64_t edge[] = {0,         1,         -1,        INT64_MAX,
                                   INT64_MIN, INT32_MAX, INT32_MIN, UINT32_MAX};
    unsigned k = pick(in, 10);
    return k < 8 ? edge[k] : (int64_t)take64(in);
}

static uint64_t fuint(struct in *in)
{
    static const uint64_t edge[] = {
        0, 1, UINT64_MAX, (uint64_t)INT64_MAX + 1, (uint64_t)1 << 53, ((uint64_t)1 << 53) + 1};
    unsigned k = pick(in, 8);
    return k < 6 ? edge[k] : take64(in);
}

/* Pieces of strings: JSON syntax, escapes written as text, control
 * characters, valid UTF-8 at the edges of each length, and byte sequences
 * that are not UTF-8 (overlong forms, encoded surrogates, beyond U+10FFFF,
 * lone continuation and truncated lead bytes). */
static const char *const pieces[] = {
    "\"",
    "\\",
    "\\u0000",
    "\\\"",
    "/",
    "</script>",
    "\x01",
    "\x08",
    "\t",
    "\n",
    "\x0c",
    "\r",
    "\x1b",
    "\x1f",
    "\x7f",
    "a",
    "/run/rustlet",
    "\xc2\x80",
    "\xc3\xa9",
    "\xdf\xbf",
    "\xe0\xa0\x80",
    "\xe2\x80\xa8",
    "\xef\xbb\xbf",
    "\xef\xbf\xbf",
    "\xf0\x90\x80\x80",
    "\xf0\x9f\x98\x80",
    "\xf4\x8f\xbf\xbf",
    "\xc0\x80",
    "\xc0\xaf",
    "\xc1\xbf",
    "\xe0\x80\xaf",
    "\xe0\x9f\xbf",
    "\xed\xa0\x80",
    "\xed\xbf\xbf",
    "\xf0\x80\x80\xaf",
    "\xf4\x90\x80\x80",
    "\xf5\x80\x80\x80",
    "\xf8\x88\x80\x80\x80",
    "\xfe",
    "\xff",
    "\x80",
    "\xbf",
    "\xc3",
    "\xe2\x82",
    "\xf0\x9f\x98",
    "%s",
    " ",
    "",
};
#define N_PIECES (sizeof(pieces) / sizeof(pieces[0]))

struct buf {
    char *s;
    size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = 2 * (b->len + n + 1);
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* A string (malloc'd): never holds a NUL, which C strings cannot carry. */
static char *fstr(struct in *in)
{
    struct buf b = {0};
    buf_add(&b, "", 0);
    switch (pick(in, 5)) {
    case 0: { /* raw bytes from the input */
        size_t len = take(in);
        for (size_t i = 0; i < len && in->n > 0; i++) {
            char c = (char)take(in);
            if (c == '\0')
                break;
            buf_add(&b, &c, 1);
        }
        break;
    }
    case 1:
    case 2: { /* pieces */
        size_t k = 1 + pick(in, 8);
        for (size_t i = 0; i < k; i++) {
            const char *p = pieces[pick(in, N_PIECES)];
            buf_add(&b, p, strlen(p));
        }
        break;
    }
    case 3: { /* long: a piece repeated up to 4 Ki times (up to 48 KiB) */
        const char *p = pieces[pick(in, N_PIECES)];
        size_t reps = 1 + ((take(in) << 8 | take(in)) & 0x0fff);
        for (size_t i = 0; i < reps; i++)
            buf_add(&b, p, strlen(p));
        break;
    }
    default: { /* plain */
        static const char *const plain[] = {"", "x", "/", "/bundle", "2026-12-04T20:27:00Z"};
        const char *p = plain[pick(in, 5)];
        buf_add(&b, p, strlen(p));
        break;
    }
    }
    return b.s;
}

/* Strict UTF-8 (RFC 3629): shortest form, no surrogates, at most U+10FFFF. */
static bool utf8_ok(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i], cp, min;
        size_t n;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        for (size_t j = 1; j <= n; j++) {
            if (i + j >= len || (s[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

static bool str_ok(const char *s)
{
    return s == NULL || utf8_ok(s, strlen(s));
}

static bool streq(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* A parsed document: valid JSON, valid UTF-8, no raw control characters. */
static rl_json *parse_back(const char *doc, size_t len, const char *what)
{
    CHECK(strlen(doc) == len, "%s: length %zu but a NUL at %zu", what, len, strlen(doc));
    CHECK(utf8_ok(doc, len), "%s: the document is not valid UTF-8: %s", what, doc);
    struct rl_error *err = NULL;
    rl_json *root = rl_json_parse(doc, len, &err);
    CHECK(root != NULL, "%s: written document does not parse: %s\n%s", what, err ? err->msg : "?",
          doc);
    return root;
}

/* ---- values ----------------------------------------------------------- */

enum vt { T_NULL, T_BOOL, T_INT, T_UINT, T_STR, T_ARR, T_OBJ };

struct val {
    enum vt t;
    bool b;
    int64_t i;
    uint64_t u;
    char *s;
    size_t n;
    char **keys;
    struct val *kids;
};

struct gen {
    struct in *in;
    bool strings_ok; /* every string and key is valid UTF-8 */
    size_t depth;    /* deepest nesting of arrays and objects */
};

static void val_free(struct val *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        val_free(&v->kids[i]);
    }
    free(v->keys);
    free(v->kids);
}

static char *gen_str(struct gen *g)
{
    char *s = fstr(g->in);
    if (!str_ok(s))
        g->strings_ok = false;
    return s;
}

static void gen_val(struct gen *g, struct val *v, size_t depth)
{
    memset(v, 0, sizeof(*v));
    if (depth > g->depth)
        g->depth = depth;
    unsigned t = pick(g->in, depth < 8 ? 8 : 5);
    switch (t) {
    case 0:
        v->t = T_NULL;
        return;
    case 1:
        v->t = T_BOOL;
        v->b = take(g->in) & 1;
        return;
    case 2:
        v->t = T_INT;
        v->i = fint(g->in);
        return;
    case 3:
        v->t = T_UINT;
        v->u = fuint(g->in);
        return;
    case 4:
        v->t = T_STR;
        v->s = gen_str(g);
        return;
    case 7: { /* deep: arrays nested up to 300 levels around one value */
        size_t levels = 1 + take(g->in) + take(g->in) / 4;
        struct val *cur = v;
        for (size_t i = 0; i < levels; i++) {
            cur->t = T_ARR;
            cur->n = 1;
            cur->kids = xzalloc(sizeof(struct val));
            cur = cur->kids;
        }
        if (depth + levels > g->depth)
            g->depth = depth + levels;
        gen_val(g, cur, depth + levels);
        return;
    }
    }
    size_t n = pick(g->in, 6);
    v->t = t == 5 ? T_ARR : T_OBJ;
    v->kids = xzalloc((n + 1) * sizeof(struct val));
    if (v->t == T_OBJ)
        v->keys = xzalloc((n + 1) * sizeof(char *));
    for (size_t i = 0; i < n && g->in->n > 0; i++) {
        if (v->t == T_OBJ) {
            char *k = fstr(g->in);
            bool dup = false;
            for (size_t j = 0; j < v->n; j++)
                dup = dup || strcmp(v->keys[j], k) == 0;
            if (dup) { /* the parser refuses duplicate keys */
                free(k);
                continue;
            }
            if (!str_ok(k))
                g->strings_ok = false;
            v->keys[v->n] = k;
        }
        gen_val(g, &v->kids[v->n], depth + 1);
        v->n++;
    }
}

static void write_val(struct rl_jsonw *w, const struct val *v)
{
    switch (v->t) {
    case T_NULL:
        rl_jsonw_null(w);
        break;
    case T_BOOL:
        rl_jsonw_bool(w, v->b);
        break;
    case T_INT:
        rl_jsonw_int(w, v->i);
        break;
    case T_UINT:
        rl_jsonw_uint(w, v->u);
        break;
    case T_STR:
        rl_jsonw_string(w, v->s);
        break;
    case T_ARR:
        rl_jsonw_array_open(w);
        for (size_t i = 0; i < v->n; i++)
            write_val(w, &v->kids[i]);
        rl_jsonw_array_close(w);
        break;
    case T_OBJ:
        rl_jsonw_object_open(w);
        for (size_t i = 0; i < v->n; i++) {
            rl_jsonw_key(w, v->keys[i]);
            write_val(w, &v->kids[i]);
        }
        rl_jsonw_object_close(w);
        break;
    }
}

static void check_val(const rl_json *n, const struct val *v, const char *doc)
{
    enum rl_json_type t = rl_json_type(n);
    switch (v->t) {
    case T_NULL:
        CHECK(t == RL_JSON_NULL, "null read back as %s\n%s", rl_json_type_name(t), doc);
        break;
    case T_BOOL:
        CHECK(t == (v->b ? RL_JSON_TRUE : RL_JSON_FALSE), "boolean read back as %s\n%s",
              rl_json_type_name(t), doc);
        break;
    case T_INT: {
        int64_t i = 0;
        CHECK(rl_json_i64(n, &i) == 0 && i == v->i, "integer %" PRId64 " read back as %s", v->i,
              rl_json_number_text(n) ? rl_json_number_text(n) : rl_json_type_name(t));
        break;
    }
    case T_UINT: {
        uint64_t u = 0;
        CHECK(rl_json_u64(n, &u) == 0 && u == v->u, "integer %" PRIu64 " read back as %s", v->u,
              rl_json_number_text(n) ? rl_json_number_text(n) : rl_json_type_name(t));
        break;
    }
    case T_STR:
        CHECK(streq(rl_json_string(n), v->s), "string \"%s\" read back as \"%s\"", v->s,
              rl_json_string(n) ? rl_json_string(n) : rl_json_type_name(t));
        break;
    case T_ARR:
        CHECK(t == RL_JSON_ARRAY && rl_json_len(n) == v->n, "array of %zu read back as %s of %zu",
              v->n, rl_json_type_name(t), rl_json_len(n));
        for (size_t i = 0; i < v->n; i++)
            check_val(rl_json_array_at(n, i), &v->kids[i], doc);
        break;
    case T_OBJ:
        CHECK(t == RL_JSON_OBJECT && rl_json_len(n) == v->n, "object of %zu read back as %s of %zu",
              v->n, rl_json_type_name(t), rl_json_len(n));
        for (size_t i = 0; i < v->n; i++) {
            CHECK(streq(rl_json_object_key(n, i), v->keys[i]), "key \"%s\" read back as \"%s\"",
                  v->keys[i], rl_json_object_key(n, i));
            check_val(rl_json_object_value(n, i), &v->kids[i], doc);
        }
        break;
    }
}

/* Depth up to which the writer must not refuse (yajl_gen's limit is 128). */
#define WRITER_DEPTH 128

static struct rl_jsonw *new_writer(struct in *in)
{
    static const char *const indents[] = {NULL, "\t", "  "};
    return rl_jsonw_new_indent(indents[pick(in, 3)]);
}

/* Write v, read it back, compare; returns the document (or NULL if the
 * writer refused, which it must do exactly when a string is not UTF-8 or
 * the nesting is too deep). */
static char *roundtrip(struct in *in, const struct val *v, bool strings_ok, size_t depth)
{
    struct rl_jsonw *w = new_writer(in);
    write_val(w, v);
    struct rl_error *err = NULL;
    size_t len = 0;
    char *doc = rl_jsonw_finish(w, &len, &err);
    if (doc == NULL) {
        CHECK(!strings_ok || depth >= WRITER_DEPTH, "writer refused valid values (depth %zu): %s",
              depth, err ? err->msg : "?");
        rl_error_free(err);
        return NULL;
    }
    CHECK(strings_ok, "writer passed a string that is not UTF-8 through:\n%s", doc);
    rl_json *root = parse_back(doc, len, "generic writer");
    check_val(root, v, doc);
    rl_json_free(root);
    return doc;
}

static void fuzz_generic(struct in *in)
{
    struct gen g = {.in = in, .strings_ok = true};
    struct val v;
    gen_val(&g, &v, 0);
    free(roundtrip(in, &v, g.strings_ok, g.depth));
    val_free(&v);
}

/* ---- the default config, mutated ---------------------------------------- */

static char *default_spec[2]; /* rustlet spec, rustlet spec --rootless */

static void from_json(struct val *v, const rl_json *n)
{
    memset(v, 0, sizeof(*v));
    switch (rl_json_type(n)) {
    case RL_JSON_NULL:
        v->t = T_NULL;
        break;
    case RL_JSON_TRUE:
    case RL_JSON_FALSE:
        v->t = T_BOOL;
        v->b = rl_json_type(n) == RL_JSON_TRUE;
        break;
    case RL_JSON_NUMBER:
        v->t = T_INT;
        CHECK(rl_json_i64(n, &v->i) == 0, "default config: number %s", rl_json_number_text(n));
        break;
    case RL_JSON_STRING:
        v->t = T_STR;
        v->s = xstrdup(rl_json_string(n));
        break;
    case RL_JSON_ARRAY:
    case RL_JSON_OBJECT:
        v->t = rl_json_type(n) == RL_JSON_ARRAY ? T_ARR : T_OBJ;
        v->n = rl_json_len(n);
        v->kids = xzalloc((v->n + 1) * sizeof(struct val));
        if (v->t == T_OBJ)
            v->keys = xzalloc((v->n + 1) * sizeof(char *));
        for (size_t i = 0; i < v->n; i++) {
            if (v->t == T_OBJ) {
                v->keys[i] = xstrdup(rl_json_object_key(n, i));
                from_json(&v->kids[i], rl_json_object_value(n, i));
            } else {
                from_json(&v->kids[i], rl_json_array_at(n, i));
            }
        }
        break;
    }
}

/* Replace leaves by generated values, now and then. */
static void mutate(struct gen *g, struct val *v, size_t depth)
{
    if (depth > g->depth)
        g->depth = depth;
    if (v->t == T_ARR || v->t == T_OBJ) {
        for (size_t i = 0; i < v->n && g->in->n > 0; i++)
            mutate(g, &v->kids[i], depth + 1);
        return;
    }
    if (pick(g->in, 4) != 0)
        return;
    val_free(v);
    gen_val(g, v, depth);
}

static void fuzz_spec_writer(struct in *in)
{
    const char *text = default_spec[take(in) & 1];
    rl_json *root = rl_json_parse(text, strlen(text), NULL);
    struct val v;
    from_json(&v, root);
    rl_json_free(root);
    struct gen g = {.in = in, .strings_ok = true};
    mutate(&g, &v, 0);
    char *doc = roundtrip(in, &v, g.strings_ok, g.depth);
    if (doc) { /* the parser and validator must cope with whatever it is */
        struct rl_spec *spec = rl_spec_parse(doc, strlen(doc), NULL);
        if (spec)
            rl_spec_validate(spec, NULL);
        rl_spec_free(spec);
    }
    free(doc);
    val_free(&v);
}

/* ---- state -------------------------------------------------------------- */

static char state_root[256];

/* A valid container id (rl_validate_id), short enough for a file name. */
static char *fid(struct in *in)
{
    static const char chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.";
    size_t len = 1 + pick(in, 200);
    char *id = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        id[i] = chars[pick(in, sizeof(chars) - 1)];
    id[len] = '\0';
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        id[0] = 'x';
    return id;
}

static char *fstr_or_null(struct in *in, bool *ok)
{
    if (pick(in, 8) == 0)
        return NULL;
    char *s = fstr(in);
    *ok = *ok && str_ok(s);
    return s;
}

static char **fstrv(struct in *in, size_t *n, bool *ok)
{
    *n = 0;
    if (pick(in, 3) == 0)
        return NULL;
    size_t k = pick(in, 4);
    char **v = xzalloc((k + 1) * sizeof(char *));
    for (size_t i = 0; i < k; i++) {
        v[i] = fstr(in);
        *ok = *ok && str_ok(v[i]);
    }
    *n = k;
    return v;
}

/* The text a writer makes of one value, or NULL if it refuses. */
typedef void (*write_fn)(const void *obj, struct rl_jsonw *w);

static char *write_text(write_fn fn, const void *obj)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    fn(obj, w);
    return rl_jsonw_finish(w, NULL, NULL);
}

static void write_cgroup(const void *obj, struct rl_jsonw *w)
{
    rl_cgroup_to_json(obj, w);
}

static void write_resources(const void *obj, struct rl_jsonw *w)
{
    rl_spec_resources_write(obj, w);
}

/* A cgroup record from a generated document; NULL if refused. The writer
 * must write again what it read, and read back what it wrote. */
static struct rl_cgroup *fcgroup(struct in *in, bool *ok)
{
    static const char *const modes[] = {"v1", "hybrid", "v2", "v3"};
    static const char *const names[] = {"unified", "memory", "cpu,cpuacct", "name=systemd", ""};
    struct rl_jsonw *w = rl_jsonw_new(false);
    bool sok = true;
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "mode", modes[pick(in, 4)]);
    char *root = fstr(in), *path = fstr(in);
    sok = str_ok(root) && str_ok(path);
    rl_jsonw_kv_string(w, "root", root);
    rl_jsonw_kv_string(w, "path", path);
    free(root);
    free(path);
    if (pick(in, 4) == 0) {
        rl_jsonw_kv_string(w, "driver", "systemd");
        char *s = fstr(in), *u = fstr(in);
        sok = sok && str_ok(s) && str_ok(u);
        rl_jsonw_kv_string(w, "slice", s);
        rl_jsonw_kv_string(w, "unit", u);
        free(s);
        free(u);
    }
    size_t n = 1 + pick(in, 3);
    static const char *const sects[] = {"dirs", "mounts", "created"};
    for (size_t k = 0; k < 3; k++) {
        rl_jsonw_key(w, sects[k]);
        rl_jsonw_object_open(w);
        for (size_t i = 0; i < n && i < 5; i++) {
            rl_jsonw_key(w, names[i]);
            char *s = fstr(in);
            char *d = xasprintf("%s%s", pick(in, 8) ? "/" : "", s);
            sok = sok && str_ok(d);
            rl_jsonw_string(w, d);
            free(s);
            free(d);
        }
        rl_jsonw_object_close(w);
    }
    rl_jsonw_object_close(w);
    char *doc = rl_jsonw_finish(w, NULL, NULL);
    CHECK((doc != NULL) == sok, "cgroup document: writer %s", doc ? "passed bad UTF-8" : "refused");
    if (doc == NULL)
        return NULL;
    rl_json *node = parse_back(doc, strlen(doc), "cgroup document");
    struct rl_cgroup *cg = rl_cgroup_from_json(node, NULL);
    rl_json_free(node);
    free(doc);
    if (cg == NULL)
        return NULL;
    char *d1 = write_text(write_cgroup, cg);
    CHECK(d1 != NULL, "cgroup record read from valid JSON cannot be written");
    node = parse_back(d1, strlen(d1), "cgroup record");
    struct rl_cgroup *cg2 = rl_cgroup_from_json(node, NULL);
    rl_json_free(node);
    CHECK(cg2 != NULL, "cgroup record written cannot be read back:\n%s", d1);
    char *d2 = write_text(write_cgroup, cg2);
    CHECK(d2 && strcmp(d1, d2) == 0, "cgroup record changes when read back:\n%s\n%s", d1, d2);
    free(d1);
    free(d2);
    rl_cgroup_free(cg2);
    *ok = *ok && sok;
    return cg;
}

/* Saved resources from a generated document; NULL if refused. */
static struct rl_resources *fresources(struct in *in)
{
    static const char *const ikeys[] = {"limit",      "reservation", "swap",   "quota",
                                        "shares",     "period",      "weight", "leafWeight",
                                        "swappiness", "burst"};
    static const char *const sects[] = {"memory", "cpu", "pids", "blockIO"};
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    bool sok = true;
    for (size_t k = 0; k < 4; k++) {
        if (take(in) & 1)
            continue;
        rl_jsonw_key(w, sects[k]);
        rl_jsonw_object_open(w);
        bool used[10] = {false};
        for (size_t n = pick(in, 4); n > 0; n--) {
            size_t i = pick(in, 10);
            if (used[i])
                continue;
            used[i] = true;
            rl_jsonw_key(w, ikeys[i]);
            if (take(in) & 1)
                rl_jsonw_int(w, fint(in));
            else
                rl_jsonw_uint(w, fuint(in));
        }
        if (k == 1 && (take(in) & 1)) {
            char *s = fstr(in);
            sok = sok && str_ok(s);
            rl_jsonw_kv_string(w, "cpus", s);
            free(s);
        }
        rl_jsonw_object_close(w);
    }
    if (take(in) & 1) {
        rl_jsonw_key(w, "unified");
        rl_jsonw_object_open(w);
        char *keys[4] = {NULL};
        size_t nk = pick(in, 4);
        for (size_t i = 0; i < nk; i++) {
            keys[i] = fstr(in);
            bool dup = false;
            for (size_t j = 0; j < i; j++)
                dup = dup || (keys[j] && strcmp(keys[i], keys[j]) == 0);
            if (dup) { /* the parser refuses duplicate keys */
                free(keys[i]);
                keys[i] = NULL;
                continue;
            }
            char *val = fstr(in);
            sok = sok && str_ok(keys[i]) && str_ok(val);
            rl_jsonw_kv_string(w, keys[i], val);
            free(val);
        }
        for (size_t i = 0; i < nk; i++)
            free(keys[i]);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_object_close(w);
    char *doc = rl_jsonw_finish(w, NULL, NULL);
    CHECK((doc != NULL) == sok, "resources document: writer %s",
          doc ? "passed bad UTF-8" : "refused");
    if (doc == NULL)
        return NULL;
    struct rl_resources *r = rl_spec_parse_resources(doc, strlen(doc), NULL);
    free(doc);
    if (r == NULL)
        return NULL;
    char *d1 = write_text(write_resources, r);
    CHECK(d1 != NULL, "resources read from valid JSON cannot be written");
    struct rl_error *err = NULL;
    struct rl_resources *r2 = rl_spec_parse_resources(d1, strlen(d1), &err);
    CHECK(r2 != NULL, "resources written cannot be read back: %s\n%s", err ? err->msg : "?", d1);
    char *d2 = write_text(write_resources, r2);
    CHECK(d2 && strcmp(d1, d2) == 0, "resources change when read back:\n%s\n%s", d1, d2);
    free(d1);
    free(d2);
    rl_spec_resources_free(r2);
    return r;
}

static void check_state(const struct rl_state *a, const struct rl_state *b, bool full)
{
    CHECK(streq(a->id, b->id), "id");
    CHECK(a->pid == b->pid, "pid %d read back as %d", (int)a->pid, (int)b->pid);
    CHECK(a->start_time == b->start_time, "startTime %llu read back as %llu", a->start_time,
          b->start_time);
    CHECK(streq(a->bundle, b->bundle), "bundle \"%s\" read back as \"%s\"", a->bundle, b->bundle);
    CHECK(streq(a->config, b->config), "config \"%s\" read back as \"%s\"", a->config, b->config);
    CHECK(streq(a->rootfs, b->rootfs), "rootfs \"%s\" read back as \"%s\"", a->rootfs, b->rootfs);
    CHECK((a->cgroup == NULL) == (b->cgroup == NULL), "cgroup record lost or made up");
    if (a->cgroup) {
        char *x = write_text(write_cgroup, a->cgroup), *y = write_text(write_cgroup, b->cgroup);
        CHECK(x && y && strcmp(x, y) == 0, "cgroup record read back differs:\n%s\n%s", x, y);
        free(x);
        free(y);
    }
    if (!full)
        return;
    CHECK(streq(a->created, b->created), "created \"%s\" read back as \"%s\"", a->created,
          b->created);
    CHECK(streq(a->owner ? a->owner : "", b->owner), "owner \"%s\" read back as \"%s\"", a->owner,
          b->owner);
    CHECK(a->n_annotations == b->n_annotations, "%zu annotations read back as %zu",
          a->n_annotations, b->n_annotations);
    for (size_t i = 0; i < a->n_annotations; i++) {
        CHECK(streq(a->annotations[i].key, b->annotations[i].key),
              "annotation key \"%s\" vs \"%s\"", a->annotations[i].key, b->annotations[i].key);
        CHECK(streq(a->annotations[i].value, b->annotations[i].value),
              "annotation \"%s\" value \"%s\" vs \"%s\"", a->annotations[i].key,
              a->annotations[i].value, b->annotations[i].value);
    }
    CHECK(a->n_poststop == b->n_poststop, "%zu poststop hooks read back as %zu", a->n_poststop,
          b->n_poststop);
    for (size_t i = 0; i < a->n_poststop; i++) {
        const struct rl_hook *x = &a->poststop[i], *y = &b->poststop[i];
        CHECK(streq(x->path, y->path), "hook path \"%s\" vs \"%s\"", x->path, y->path);
        CHECK((x->args == NULL) == (y->args == NULL) && x->n_args == y->n_args, "hook args");
        for (size_t j = 0; j < x->n_args; j++)
            CHECK(streq(x->args[j], y->args[j]), "hook arg \"%s\" vs \"%s\"", x->args[j],
                  y->args[j]);
        CHECK((x->env == NULL) == (y->env == NULL) && x->n_env == y->n_env, "hook env");
        for (size_t j = 0; j < x->n_env; j++)
            CHECK(streq(x->env[j], y->env[j]), "hook env \"%s\" vs \"%s\"", x->env[j], y->env[j]);
        CHECK(x->has_timeout == y->has_timeout && x->timeout == y->timeout, "hook timeout");
    }
    CHECK((a->resources == NULL) == (b->resources == NULL), "resources lost or made up");
    if (a->resources) {
        char *x = write_text(write_resources, a->resources);
        char *y = write_text(write_resources, b->resources);
        CHECK(x && y && strcmp(x, y) == 0, "resources read back differ:\n%s\n%s", x, y);
        free(x);
        free(y);
    }
}

static char *read_text(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
    struct stat sb;
    CHECK(fstat(fd, &sb) == 0, "fstat %s", path);
    char *s = xmalloc((size_t)sb.st_size + 1);
    ssize_t n = rl_read_all(fd, s, (size_t)sb.st_size);
    close(fd);
    CHECK(n == sb.st_size, "read %s", path);
    s[n] = '\0';
    *len = (size_t)n;
    return s;
}

/* Written state.json / init.json: valid UTF-8 JSON, read back as written. */
static void check_file(const struct rl_context *ctx, const struct rl_state *st, bool record)
{
    const char *name = record ? "init.json" : "state.json";
    char *path = xasprintf("%s/%s/%s", ctx->root, st->id, name);
    size_t len;
    char *text = read_text(path, &len);
    rl_json_free(parse_back(text, len, name));
    free(text);
    struct rl_state *back = NULL;
    struct rl_error *err = NULL;
    int r = record ? rl_state_read_record(ctx, st->id, &back, &err)
                   : rl_state_read(ctx, st->id, &back, &err);
    CHECK(r == 0, "%s written cannot be read back: %s", name, err ? err->msg : "?");
    check_state(st, back, !record);
    rl_state_free(back);
    unlink(path);
    free(path);
}

static void check_oci(const struct rl_state *st, struct in *in, bool ok)
{
    static const enum rl_status statuses[] = {RL_STATUS_CREATING, RL_STATUS_CREATED,
                                              RL_STATUS_RUNNING, RL_STATUS_PAUSED,
                                              RL_STATUS_STOPPED};
    enum rl_status status = statuses[pick(in, 5)];
    char *doc = rl_state_oci_json(st, status, take(in) & 1);
    rl_json *root = parse_back(doc, strlen(doc), "OCI state");
    if (!ok || !str_ok(st->damaged)) {
        /* refused: the writer gives "{}" */
        CHECK(rl_json_len(root) == 0, "OCI state passed bad UTF-8 through:\n%s", doc);
        rl_json_free(root);
        free(doc);
        return;
    }
    CHECK(streq(rl_json_string(rl_json_get(root, "id")), st->id), "OCI state id\n%s", doc);
    CHECK(streq(rl_json_string(rl_json_get(root, "status")), rl_status_name(status)),
          "OCI state status");
    int64_t pid = -1;
    CHECK(rl_json_i64(rl_json_get(root, "pid"), &pid) == 0 &&
              pid == (status == RL_STATUS_STOPPED ? 0 : st->pid),
          "OCI state pid");
    CHECK(streq(rl_json_string(rl_json_get(root, "bundle")), st->bundle ? st->bundle : ""),
          "OCI state bundle");
    CHECK(streq(rl_json_string(rl_json_get(root, "rootfs")), st->rootfs ? st->rootfs : ""),
          "OCI state rootfs");
    CHECK(streq(rl_json_string(rl_json_get(root, "created")),
                st->created ? st->created : "0001-01-01T00:00:00Z"),
          "OCI state created");
    CHECK(streq(rl_json_string(rl_json_get(root, "owner")), st->owner ? st->owner : ""),
          "OCI state owner");
    CHECK(streq(rl_json_string(rl_json_get(root, "damaged")), st->damaged), "OCI state damaged");
    const rl_json *ann = rl_json_get(root, "annotations");
    CHECK(rl_json_len(ann) == st->n_annotations, "OCI state annotations");
    for (size_t i = 0; i < st->n_annotations; i++) {
        CHECK(streq(rl_json_object_key(ann, i), st->annotations[i].key), "OCI annotation key");
        CHECK(streq(rl_json_string(rl_json_object_value(ann, i)), st->annotations[i].value),
              "OCI annotation value");
    }
    rl_json_free(root);
    free(doc);
}

static void fuzz_state(struct in *in)
{
    bool ok = true; /* every string is valid UTF-8 */
    struct rl_state *st = xzalloc(sizeof(*st));
    st->id = fid(in);
    static const int32_t pids[] = {0, 1, INT32_MAX, 4194304};
    st->pid = pick(in, 5) < 4 ? pids[pick(in, 4)] : (pid_t)(take64(in) & INT32_MAX);
    st->start_time = fuint(in);
    st->bundle = fstr_or_null(in, &ok);
    st->config = fstr_or_null(in, &ok);
    st->rootfs = fstr_or_null(in, &ok);
    st->created = fstr_or_null(in, &ok);
    st->owner = fstr_or_null(in, &ok);
    size_t na = pick(in, 5);
    st->annotations = xzalloc((na + 1) * sizeof(struct rl_kv));
    for (size_t i = 0; i < na; i++) {
        char *k = fstr(in);
        bool dup = false;
        for (size_t j = 0; j < st->n_annotations; j++)
            dup = dup || strcmp(st->annotations[j].key, k) == 0;
        if (dup) {
            free(k);
            continue;
        }
        struct rl_kv *kv = &st->annotations[st->n_annotations++];
        kv->key = k;
        kv->value = fstr(in);
        ok = ok && str_ok(kv->key) && str_ok(kv->value);
    }
    size_t nh = pick(in, 3);
    st->poststop = xzalloc((nh + 1) * sizeof(struct rl_hook));
    for (size_t i = 0; i < nh; i++) {
        struct rl_hook *h = &st->poststop[st->n_poststop++];
        h->path = fstr_or_null(in, &ok);
        h->args = fstrv(in, &h->n_args, &ok);
        h->env = fstrv(in, &h->n_env, &ok);
        h->has_timeout = take(in) & 1;
        if (h->has_timeout)
            h->timeout = fint(in);
    }
    if (take(in) & 1)
        st->cgroup = fcgroup(in, &ok);
    if (take(in) & 1)
        st->resources = fresources(in);
    if (pick(in, 4) == 0)
        st->damaged = fstr(in);

    struct rl_context ctx = {.root = state_root};
    char *dir = xasprintf("%s/%s", state_root, st->id);
    CHECK(mkdir(dir, 0700) == 0 || errno == EEXIST, "mkdir %s: %s", dir, strerror(errno));
    struct rl_error *err = NULL;
    int r = rl_state_write(&ctx, st, &err);
    if (r == 0) {
        CHECK(ok, "state.json: writer passed a string that is not UTF-8 through");
        check_file(&ctx, st, false);
    } else {
        CHECK(!ok, "state.json: writer refused valid values: %s", err ? err->msg : "?");
    }
    rl_error_free(err);
    err = NULL;
    r = rl_state_write_record(&ctx, st, &err);
    if (r == 0)
        check_file(&ctx, st, true);
    else
        CHECK(!ok, "init.json: writer refused valid values: %s", err ? err->msg : "?");
    rl_error_free(err);
    /* the OCI state leaves out the hooks, cgroup, resources and config */
    bool ook = str_ok(st->bundle) && str_ok(st->rootfs) && str_ok(st->created) && str_ok(st->owner);
    for (size_t i = 0; i < st->n_annotations; i++)
        ook = ook && str_ok(st->annotations[i].key) && str_ok(st->annotations[i].value);
    check_oci(st, in, ook);
    rmdir(dir);
    free(dir);
    rl_state_free(st);
}

/* ---- once: rustlet spec and rustlet features ---------------------------- */

static void rm_state_root(void)
{
    rmdir(state_root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (int rootless = 0; rootless < 2; rootless++) {
        char *doc = rl_spec_default_json(rootless);
        CHECK(doc != NULL, "rl_spec_default_json(%d) failed", rootless);
        rl_json_free(parse_back(doc, strlen(doc), "rustlet spec"));
        struct rl_error *err = NULL;
        struct rl_spec *spec = rl_spec_parse(doc, strlen(doc), &err);
        CHECK(spec != NULL, "rustlet spec: own default does not parse: %s", err ? err->msg : "?");
        CHECK(rl_spec_validate(spec, &err) == 0, "rustlet spec: own default is refused: %s",
              err ? err->msg : "?");
        rl_spec_free(spec);
        default_spec[rootless] = doc;
    }
    struct rl_error *err = NULL;
    char *features = rl_features_json(&err);
    CHECK(features != NULL, "rustlet features: %s", err ? err->msg : "?");
    rl_json *f = parse_back(features, strlen(features), "rustlet features");
    static const char *const keys[] = {"ociVersionMin", "ociVersionMax", "hooks",
                                       "mountOptions",  "linux",         "annotations"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        CHECK(rl_json_get(f, keys[i]) != NULL, "rustlet features: no \"%s\"", keys[i]);
    rl_json_free(f);
    free(features);

    /* the state root: in $TMPDIR (tests/fuzz/run points it at a directory
     * it removes), else on a tmpfs when there is one (writes are fsync'd) */
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(state_root, sizeof(state_root), "%s/rustlet-fuzz-XXXXXX", base);
    CHECK(mkdtemp(state_root) != NULL, "mkdtemp %s: %s", state_root, strerror(errno));
    atexit(rm_state_root);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = {data, size};
    switch (pick(&in, 3)) {
    case 0:
        fuzz_generic(&in);
        break;
    case 1:
        fuzz_state(&in);
        break;
    default:
        fuzz_spec_writer(&in);
        break;
    }
    return 0;
}
