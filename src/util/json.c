/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The json module: the only file in rustlet that includes yajl.
 *
 * Reading wraps yajl_tree; nodes are yajl_val cast to the opaque rl_json.
 * Numbers are converted from the text yajl keeps (u.number.r) so uint64
 * values round-trip exactly. Writing wraps yajl_gen (json_write.c). */
#include "rustlet/json.h"
#include "rustlet/utils.h"
#include "json_internal.h"

#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <yajl/yajl_tree.h>

/* yajl_tree_free() recurses; refuse documents nested deeper than this. */
#define JSON_MAX_DEPTH 512

static inline yajl_val V(const rl_json *n)
{
    return (yajl_val)n;
}

/* Strict UTF-8 (RFC 3629). yajl checks only the shape of each sequence, in
 * its parser and in its generator: it lets overlong forms ("\xc0\xaf" for
 * '/', "\xc0\x80" for NUL), encoded surrogates (what "\udc00" decodes to)
 * and code points beyond U+10FFFF through, which stricter readers (Go's
 * encoding/json turns them into U+FFFD) see differently. */
bool rl_json_utf8_valid(const unsigned char *s, size_t len)
{
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

/* ---- parsing ---------------------------------------------------------- */

/* Line and column (1-based) of byte offset off in text. */
static void json_line_col(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/* Re-run the parser without callbacks to learn where (and why) it failed;
 * yajl_tree_parse() reports neither the offset nor the position. */
static int json_parse_error(const char *text, size_t len, const char *tree_msg,
                            struct rl_error **err)
{
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    if (h == NULL)
        xoom();
    yajl_config(h, yajl_allow_comments, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st == yajl_status_ok) {
        yajl_free(h);
        return rl_error(err, "invalid JSON: %s", tree_msg[0] ? tree_msg : "parse error");
    }
    size_t off = yajl_get_bytes_consumed(h);
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text, len);
    _cleanup_free_ char *m = xstrdup(msg ? (const char *)msg : "parse error");
    if (msg)
        yajl_free_error(h, msg);
    yajl_free(h);
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
        m[--n] = '\0';
    size_t line, col;
    json_line_col(text, len, off, &line, &col);
    return rl_error(err, "invalid JSON at line %zu, column %zu: %s", line, col, m);
}

/* Refuse embedded NUL bytes (yajl_tree_parse() stops at the first) and
 * nesting deeper than JSON_MAX_DEPTH (yajl_tree_free() recurses). */
static int json_precheck(const char *text, size_t len, struct rl_error **err)
{
    size_t depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\0') {
            size_t line, col;
            json_line_col(text, len, i, &line, &col);
            return rl_error(err, "invalid JSON at line %zu, column %zu: NUL byte in text", line,
                            col);
        }
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > JSON_MAX_DEPTH)
                return rl_error(err, "invalid JSON: nested deeper than %d levels", JSON_MAX_DEPTH);
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

/* ---- lint: duplicate keys and escaped NULs ------------------------------
 *
 * yajl_tree keeps every member of an object, duplicates included, and hands
 * strings over NUL-terminated, so "a\u0000b" would silently read as "a".
 * A second pass over the (already valid) text with yajl's callbacks refuses
 * both, naming the path ("process.args[0]") and where in the text, unless
 * the reader's ignored() says it never reads that part of the document. */

struct lint_key {
    char *key;
    size_t off; /* offset of the key's opening quote */
};

struct lint_level {
    bool is_map;
    size_t index; /* arrays: index of the next element */
    char *key;    /* maps: key of the member being parsed */
    size_t key_off;
    struct lint_key *keys; /* maps: every key so far, hashed into slots */
    size_t nkeys, cap;
    size_t *slots; /* 1 + index into keys; 0 is empty; 2 * cap entries */
};

struct lint {
    const char *text;
    size_t len;
    yajl_handle h;
    struct lint_level *lv;
    size_t depth, cap;
    rl_json_ignored_fn ignored; /* NULL: refuse everywhere */
    struct rl_error **err;
};

/* Offset of the opening quote of the string token that ends at end. */
static size_t lint_token_start(const char *text, size_t end)
{
    if (end < 2)
        return 0;
    for (size_t i = end - 1; i-- > 0;) {
        if (text[i] != '"')
            continue;
        size_t bs = 0;
        while (bs < i && text[i - 1 - bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            return i;
    }
    return 0;
}

static size_t lint_here(struct lint *l)
{
    return lint_token_start(l->text, yajl_get_bytes_consumed(l->h));
}

/* The path of the value being parsed: "process.args[0]"; "" at the top. */
static char *lint_path(const struct lint *l, size_t depth)
{
    size_t cap = 64, n = 0;
    char *p = xmalloc(cap);
    p[0] = '\0';
    for (size_t i = 0; i < depth; i++) {
        const struct lint_level *v = &l->lv[i];
        _cleanup_free_ char *part = v->is_map
                                        ? xasprintf("%s%s", n ? "." : "", v->key ? v->key : "")
                                        : xasprintf("[%zu]", v->index);
        size_t k = strlen(part);
        if (n + k + 1 > cap) {
            cap = 2 * (n + k + 1);
            p = xrealloc(p, cap);
        }
        memcpy(p + n, part, k + 1);
        n += k;
    }
    return p;
}

/* "PATH: WHAT at line L, column C" ("PATH: WHAT line L, ..." if !at). */
static int lint_fail(struct lint *l, size_t off, const char *what, bool at)
{
    _cleanup_free_ char *path = lint_path(l, l->depth);
    size_t line, col;
    json_line_col(l->text, l->len, off, &line, &col);
    rl_error(l->err, "%s%s%s%s line %zu, column %zu", path, path[0] ? ": " : "", what,
             at ? " at" : "", line, col);
    return 0; /* stop the parser */
}

/* The value being parsed lies where the reader never looks. */
static bool lint_ignored(const struct lint *l)
{
    if (l->ignored == NULL)
        return false;
    const char **keys = xmalloc((l->depth + 1) * sizeof(*keys));
    for (size_t i = 0; i < l->depth; i++)
        keys[i] = l->lv[i].is_map ? l->lv[i].key : NULL;
    bool r = l->ignored(keys, l->depth);
    free(keys);
    return r;
}

static int lint_value(struct lint *l)
{
    if (l->depth > 0 && !l->lv[l->depth - 1].is_map)
        l->lv[l->depth - 1].index++;
    return 1;
}

static int lint_null(void *ctx)
{
    return lint_value(ctx);
}

static int lint_bool(void *ctx, int b)
{
    return lint_value(ctx);
}

static int lint_number(void *ctx, const char *s, size_t len)
{
    return lint_value(ctx);
}

#define JSON_NOT_UTF8_WHAT "not valid UTF-8 (an overlong form, a surrogate or beyond U+10FFFF)"
#define JSON_NOT_UTF8      "string " JSON_NOT_UTF8_WHAT

static unsigned json_hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* Offset of the first "\uXXXX" in the string token text[start, end) that
 * is a UTF-16 surrogate not in a high-low pair, or 0 if none (start is the
 * opening quote, so 0 is never an escape). yajl turns a lone high surrogate
 * into '?', and a high one followed by any other "\u" escape into a wrong
 * code point ("\ud800\u0041" reads as U+10041); it keeps a lone low one as
 * its (invalid) 3-byte encoding. The lexer has checked the hex digits. */
static size_t json_lone_surrogate(const char *text, size_t start, size_t end)
{
    for (size_t i = start + 1; i + 1 < end;) {
        if (text[i] != '\\') {
            i++;
            continue;
        }
        if (text[i + 1] != 'u') {
            i += 2;
            continue;
        }
        if (i + 6 > end)
            return 0;
        unsigned u = json_hex4(text + i + 2);
        if (u < 0xd800 || u > 0xdfff) {
            i += 6;
            continue;
        }
        if (u >= 0xdc00 || i + 12 > end || text[i + 6] != '\\' || text[i + 7] != 'u')
            return i;
        unsigned lo = json_hex4(text + i + 8);
        if (lo < 0xdc00 || lo > 0xdfff)
            return i;
        i += 12;
    }
    return 0;
}

static int lint_surrogate_fail(struct lint *l, size_t off, const char *kind)
{
    _cleanup_free_ char *what =
        xasprintf("%s has a lone UTF-16 surrogate escape (%.6s)", kind, l->text + off);
    return lint_fail(l, off, what, true);
}

static int lint_string(void *ctx, const unsigned char *s, size_t len)
{
    struct lint *l = ctx;
    if (memchr(s, '\0', len) != NULL && !lint_ignored(l))
        return lint_fail(l, lint_here(l), "string with an escaped NUL (\\u0000)", true);
    size_t bad = json_lone_surrogate(l->text, lint_here(l), yajl_get_bytes_consumed(l->h));
    if (bad != 0 && !lint_ignored(l))
        return lint_surrogate_fail(l, bad, "string");
    if (!rl_json_utf8_valid(s, len) && !lint_ignored(l))
        return lint_fail(l, lint_here(l), JSON_NOT_UTF8, true);
    return lint_value(l);
}

static int lint_open(struct lint *l, bool is_map)
{
    if (l->depth == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->lv = xrealloc(l->lv, l->cap * sizeof(*l->lv));
    }
    l->lv[l->depth++] = (struct lint_level){.is_map = is_map};
    return 1;
}

static void lint_level_free(struct lint_level *v)
{
    for (size_t i = 0; i < v->nkeys; i++)
        free(v->keys[i].key);
    free(v->keys);
    free(v->slots);
    free(v->key);
}

static int lint_close(void *ctx)
{
    struct lint *l = ctx;
    lint_level_free(&l->lv[--l->depth]);
    return lint_value(l);
}

static int lint_start_map(void *ctx)
{
    return lint_open(ctx, true);
}

static int lint_start_array(void *ctx)
{
    return lint_open(ctx, false);
}

static size_t lint_hash(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

/* Index + 1 of key in v->keys, or the empty slot where it goes (*slot). */
static size_t lint_lookup(const struct lint_level *v, const char *key, size_t *slot)
{
    size_t mask = 2 * v->cap - 1;
    for (size_t i = lint_hash(key) & mask;; i = (i + 1) & mask) {
        size_t k = v->slots[i];
        if (k == 0 || strcmp(v->keys[k - 1].key, key) == 0) {
            *slot = i;
            return k;
        }
    }
}

static void lint_add_key(struct lint_level *v, char *key, size_t off)
{
    if (v->nkeys == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 8;
        v->keys = xrealloc(v->keys, v->cap * sizeof(*v->keys));
        free(v->slots);
        v->slots = xzalloc(2 * v->cap * sizeof(*v->slots));
        for (size_t i = 0; i < v->nkeys; i++) {
            size_t slot;
            lint_lookup(v, v->keys[i].key, &slot);
            v->slots[slot] = i + 1;
        }
    }
    size_t slot;
    lint_lookup(v, key, &slot);
    v->keys[v->nkeys] = (struct lint_key){.key = key, .off = off};
    v->slots[slot] = ++v->nkeys;
}

static int lint_map_key(void *ctx, const unsigned char *s, size_t len)
{
    struct lint *l = ctx;
    struct lint_level *v = &l->lv[l->depth - 1];
    size_t off = lint_here(l);
    free(v->key);
    v->key = xmalloc(len + 1);
    memcpy(v->key, s, len);
    v->key[len] = '\0';
    v->key_off = off;
    if (memchr(s, '\0', len) != NULL && !lint_ignored(l))
        return lint_fail(l, off, "key with an escaped NUL (\\u0000)", true);
    size_t end = yajl_get_bytes_consumed(l->h);
    size_t bad = json_lone_surrogate(l->text, off, end);
    if (bad != 0 && !lint_ignored(l)) {
        /* the path names the key as written: yajl's reading of it is wrong */
        free(v->key);
        v->key = xasprintf("%.*s", (int)(end - off - 2), l->text + off + 1);
        return lint_surrogate_fail(l, bad, "key");
    }
    if (!rl_json_utf8_valid(s, len) && !lint_ignored(l))
        return lint_fail(l, off, "key " JSON_NOT_UTF8_WHAT, true);
    size_t slot, k = v->nkeys ? lint_lookup(v, v->key, &slot) : 0;
    if (k != 0 && !lint_ignored(l)) {
        size_t l1, c1;
        json_line_col(l->text, l->len, v->keys[k - 1].off, &l1, &c1);
        _cleanup_free_ char *what =
            xasprintf("duplicate key \"%s\" (which one applies is undefined): at line %zu, "
                      "column %zu and",
                      v->key, l1, c1);
        return lint_fail(l, off, what, false);
    }
    lint_add_key(v, xstrdup(v->key), off);
    return 1;
}

static const yajl_callbacks lint_callbacks = {
    .yajl_null = lint_null,
    .yajl_boolean = lint_bool,
    .yajl_number = lint_number,
    .yajl_string = lint_string,
    .yajl_start_map = lint_start_map,
    .yajl_map_key = lint_map_key,
    .yajl_end_map = lint_close,
    .yajl_start_array = lint_start_array,
    .yajl_end_array = lint_close,
};

static int json_lint(const char *text, size_t len, rl_json_ignored_fn ignored,
                     struct rl_error **err)
{
    struct lint l = {.text = text, .len = len, .err = err, .ignored = ignored};
    l.h = yajl_alloc(&lint_callbacks, NULL, &l);
    if (l.h == NULL)
        xoom();
    yajl_config(l.h, yajl_allow_comments, 1);
    yajl_status st = yajl_parse(l.h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(l.h);
    while (l.depth > 0)
        lint_level_free(&l.lv[--l.depth]);
    free(l.lv);
    yajl_free(l.h);
    if (st == yajl_status_ok)
        return 0;
    if (err != NULL && *err == NULL)
        rl_error(err, "invalid JSON");
    return -1;
}

rl_json *rl_json_parse(const char *text, size_t len, struct rl_error **err)
{
    return rl_json_parse_ignoring(text, len, NULL, err);
}

rl_json *rl_json_parse_ignoring(const char *text, size_t len, rl_json_ignored_fn ignored,
                                struct rl_error **err)
{
    if (text == NULL)
        len = 0;
    if (json_precheck(text, len, err) < 0)
        return NULL;
    _cleanup_free_ char *buf = xmalloc(len + 1);
    if (len)
        memcpy(buf, text, len);
    buf[len] = '\0';
    char errbuf[1024] = "";
    yajl_val root = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
    if (root == NULL) {
        json_parse_error(buf, len, errbuf, err);
        return NULL;
    }
    if (json_lint(buf, len, ignored, err) < 0) {
        yajl_tree_free(root);
        return NULL;
    }
    return (rl_json *)root;
}

void rl_json_free(rl_json *root)
{
    if (root)
        yajl_tree_free(V(root));
}

enum rl_json_type rl_json_type(const rl_json *n)
{
    if (n == NULL)
        return RL_JSON_NULL;
    switch (V(n)->type) {
    case yajl_t_string:
        return RL_JSON_STRING;
    case yajl_t_number:
        return RL_JSON_NUMBER;
    case yajl_t_object:
        return RL_JSON_OBJECT;
    case yajl_t_array:
        return RL_JSON_ARRAY;
    case yajl_t_true:
        return RL_JSON_TRUE;
    case yajl_t_false:
        return RL_JSON_FALSE;
    default:
        return RL_JSON_NULL;
    }
}

const char *rl_json_type_name(enum rl_json_type t)
{
    switch (t) {
    case RL_JSON_NULL:
        return "null";
    case RL_JSON_STRING:
        return "string";
    case RL_JSON_NUMBER:
        return "number";
    case RL_JSON_OBJECT:
        return "object";
    case RL_JSON_ARRAY:
        return "array";
    case RL_JSON_TRUE:
    case RL_JSON_FALSE:
        return "boolean";
    }
    return "unknown";
}

const char *rl_json_string(const rl_json *n)
{
    return (n && V(n)->type == yajl_t_string) ? V(n)->u.string : NULL;
}

const char *rl_json_number_text(const rl_json *n)
{
    return (n && V(n)->type == yajl_t_number) ? V(n)->u.number.r : NULL;
}

int rl_json_u64(const rl_json *n, uint64_t *out)
{
    const char *s = rl_json_number_text(n);
    if (s == NULL)
        return -1;
    /* JSON allows "-0"; it is still zero. */
    if (strcmp(s, "-0") == 0) {
        *out = 0;
        return 0;
    }
    return rl_parse_u64(s, out); /* digits only: fractions, exponents, sign refused */
}

int rl_json_i64(const rl_json *n, int64_t *out)
{
    const char *s = rl_json_number_text(n);
    if (s == NULL)
        return -1;
    bool neg = s[0] == '-';
    uint64_t mag;
    if (rl_parse_u64(neg ? s + 1 : s, &mag) < 0)
        return -1;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return -1;
        *out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return -1;
        *out = (int64_t)mag;
    }
    return 0;
}

size_t rl_json_len(const rl_json *n)
{
    if (n == NULL)
        return 0;
    if (V(n)->type == yajl_t_object)
        return V(n)->u.object.len;
    if (V(n)->type == yajl_t_array)
        return V(n)->u.array.len;
    return 0;
}

const rl_json *rl_json_array_at(const rl_json *n, size_t i)
{
    if (n == NULL || V(n)->type != yajl_t_array || i >= V(n)->u.array.len)
        return NULL;
    return (const rl_json *)V(n)->u.array.values[i];
}

const char *rl_json_object_key(const rl_json *n, size_t i)
{
    if (n == NULL || V(n)->type != yajl_t_object || i >= V(n)->u.object.len)
        return NULL;
    return V(n)->u.object.keys[i];
}

const rl_json *rl_json_object_value(const rl_json *n, size_t i)
{
    if (n == NULL || V(n)->type != yajl_t_object || i >= V(n)->u.object.len)
        return NULL;
    return (const rl_json *)V(n)->u.object.values[i];
}

/* Documents with duplicate keys are refused by rl_json_parse() (Go's
 * encoding/json, hence runc, lets the last one win). */
const rl_json *rl_json_get(const rl_json *obj, const char *key)
{
    if (obj == NULL || key == NULL || V(obj)->type != yajl_t_object)
        return NULL;
    for (size_t i = V(obj)->u.object.len; i > 0; i--) {
        if (strcmp(V(obj)->u.object.keys[i - 1], key) == 0)
            return (const rl_json *)V(obj)->u.object.values[i - 1];
    }
    return NULL;
}
