/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The json module's writer: wraps yajl_gen. Every string and key is checked
 * to be strict UTF-8 first (json.c's rl_json_utf8_valid), so nothing yajl
 * would pass through reaches state.json or a command's output. */
#include "rustlet/json.h"
#include "rustlet/utils.h"
#include "json_internal.h"

#include <stdio.h>
#include <string.h>

#include <yajl/yajl_gen.h>

/* ---- writing ---------------------------------------------------------- */

struct rl_jsonw {
    yajl_gen g;
    yajl_gen_status status; /* first failure, yajl_gen_status_ok if none */
    size_t depth;           /* open objects and arrays */
    bool wrote;             /* at least one value written */
};

struct rl_jsonw *rl_jsonw_new(bool pretty)
{
    return rl_jsonw_new_indent(pretty ? "\t" : NULL);
}

struct rl_jsonw *rl_jsonw_new_indent(const char *indent)
{
    struct rl_jsonw *w = xzalloc(sizeof(*w));
    w->g = yajl_gen_alloc(NULL);
    if (w->g == NULL)
        xoom();
    yajl_gen_config(w->g, yajl_gen_validate_utf8, 1);
    if (indent) {
        yajl_gen_config(w->g, yajl_gen_beautify, 1);
        yajl_gen_config(w->g, yajl_gen_indent_string, indent);
    }
    w->status = yajl_gen_status_ok;
    return w;
}

void rl_jsonw_free(struct rl_jsonw *w)
{
    if (w == NULL)
        return;
    yajl_gen_free(w->g);
    free(w);
}

static void jw_check(struct rl_jsonw *w, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok && w->status == yajl_gen_status_ok)
        w->status = st;
    w->wrote = true;
}

#define JW_DO(w, call)                                                                             \
    do {                                                                                           \
        if ((w) != NULL && (w)->status == yajl_gen_status_ok)                                      \
            jw_check((w), (call));                                                                 \
    } while (0)

static void jw_open(struct rl_jsonw *w, bool object)
{
    JW_DO(w, object ? yajl_gen_map_open(w->g) : yajl_gen_array_open(w->g));
    if (w && w->status == yajl_gen_status_ok)
        w->depth++;
}

static void jw_close(struct rl_jsonw *w, bool object)
{
    JW_DO(w, object ? yajl_gen_map_close(w->g) : yajl_gen_array_close(w->g));
    if (w && w->status == yajl_gen_status_ok && w->depth > 0)
        w->depth--;
}

void rl_jsonw_object_open(struct rl_jsonw *w)
{
    jw_open(w, true);
}
void rl_jsonw_object_close(struct rl_jsonw *w)
{
    jw_close(w, true);
}
void rl_jsonw_array_open(struct rl_jsonw *w)
{
    jw_open(w, false);
}
void rl_jsonw_array_close(struct rl_jsonw *w)
{
    jw_close(w, false);
}
void rl_jsonw_null(struct rl_jsonw *w)
{
    JW_DO(w, yajl_gen_null(w->g));
}
void rl_jsonw_bool(struct rl_jsonw *w, bool v)
{
    JW_DO(w, yajl_gen_bool(w->g, v));
}
void rl_jsonw_int(struct rl_jsonw *w, int64_t v)
{
    JW_DO(w, yajl_gen_integer(w->g, v));
}

/* A string or key: refused (not passed through) unless strictly UTF-8. */
static void jw_string(struct rl_jsonw *w, const char *s)
{
    size_t n = strlen(s);
    if (w && !rl_json_utf8_valid((const unsigned char *)s, n)) {
        jw_check(w, yajl_gen_invalid_string);
        return;
    }
    JW_DO(w, yajl_gen_string(w->g, (const unsigned char *)s, n));
}

void rl_jsonw_key(struct rl_jsonw *w, const char *key)
{
    if (key == NULL) {
        if (w)
            jw_check(w, yajl_gen_invalid_string);
        return;
    }
    jw_string(w, key);
}

void rl_jsonw_string(struct rl_jsonw *w, const char *s)
{
    if (s == NULL) {
        rl_jsonw_null(w);
        return;
    }
    jw_string(w, s);
}

void rl_jsonw_uint(struct rl_jsonw *w, uint64_t v)
{
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
    JW_DO(w, yajl_gen_number(w->g, buf, (size_t)n));
}

void rl_jsonw_kv_string(struct rl_jsonw *w, const char *key, const char *s)
{
    rl_jsonw_key(w, key);
    rl_jsonw_string(w, s);
}

void rl_jsonw_kv_int(struct rl_jsonw *w, const char *key, int64_t v)
{
    rl_jsonw_key(w, key);
    rl_jsonw_int(w, v);
}

void rl_jsonw_kv_bool(struct rl_jsonw *w, const char *key, bool v)
{
    rl_jsonw_key(w, key);
    rl_jsonw_bool(w, v);
}

static const char *jw_status_text(yajl_gen_status st)
{
    switch (st) {
    case yajl_gen_keys_must_be_strings:
        return "object key expected";
    case yajl_max_depth_exceeded:
        return "nested too deeply";
    case yajl_gen_in_error_state:
        return "generator in error state";
    case yajl_gen_generation_complete:
        return "value after the end of the document";
    case yajl_gen_invalid_number:
        return "invalid number";
    case yajl_gen_no_buf:
        return "no buffer";
    case yajl_gen_invalid_string:
        return "invalid string (not UTF-8 or NULL key)";
    default:
        return "error";
    }
}

char *rl_jsonw_finish(struct rl_jsonw *w, size_t *len, struct rl_error **err)
{
    if (w == NULL) {
        rl_error(err, "json writer: no writer");
        return NULL;
    }
    if (w->status != yajl_gen_status_ok) {
        rl_error(err, "json writer: %s", jw_status_text(w->status));
        rl_jsonw_free(w);
        return NULL;
    }
    if (w->depth != 0 || !w->wrote) {
        rl_error(err, "json writer: %s", w->wrote ? "unclosed object or array" : "empty document");
        rl_jsonw_free(w);
        return NULL;
    }
    const unsigned char *buf = NULL;
    size_t n = 0;
    yajl_gen_get_buf(w->g, &buf, &n);
    /* yajl_gen_beautify ends a complete document with a newline; runc's
     * output does not, so trim it. */
    while (n > 0 && buf[n - 1] == '\n')
        n--;
    char *out = xmalloc(n + 1);
    if (n)
        memcpy(out, buf, n);
    out[n] = '\0';
    if (len)
        *len = n;
    rl_jsonw_free(w);
    return out;
}
