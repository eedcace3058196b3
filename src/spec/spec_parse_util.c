/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Typed getters for the config parser: each names the JSON path of the
 * value it rejects, e.g. "linux.resources.memory.limit: expected integer,
 * got string". */
#include "spec_internal.h"
#include "rustlet/utils.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void sp_path(char *buf, const char *base, const char *key)
{
    if (base == NULL || base[0] == '\0')
        snprintf(buf, SP_PATH_MAX, "%s", key);
    else
        snprintf(buf, SP_PATH_MAX, "%s.%s", base, key);
}

void *sp_calloc(size_t n, size_t size)
{
    if (n == 0)
        return NULL;
    if (n > SIZE_MAX / size)
        xoom();
    return xzalloc(n * size);
}

static const char *type_of(const rl_json *v)
{
    return rl_json_type_name(rl_json_type(v));
}

/* The member, or NULL when absent or null. Missing and required: error. */
static const rl_json *member(const rl_json *obj, const char *base, const char *key, bool req,
                             const char *want, int *rc, struct rl_error **err)
{
    const rl_json *v = rl_json_get(obj, key);
    *rc = 0;
    if (v != NULL && rl_json_type(v) != RL_JSON_NULL)
        return v;
    if (req) {
        char p[SP_PATH_MAX];
        sp_path(p, base, key);
        *rc = rl_error(err, "%s: expected %s, but it is missing", p, want);
    }
    return NULL;
}

static int wrong_type(const rl_json *v, const char *base, const char *key, const char *want,
                      struct rl_error **err)
{
    char p[SP_PATH_MAX];
    sp_path(p, base, key);
    return rl_error(err, "%s: expected %s, got %s", p, want, type_of(v));
}

int sp_str(const rl_json *obj, const char *base, const char *key, bool req, char **out,
           struct rl_error **err)
{
    int rc;
    const rl_json *v = member(obj, base, key, req, "string", &rc, err);
    if (v == NULL)
        return rc;
    if (rl_json_type(v) != RL_JSON_STRING)
        return wrong_type(v, base, key, "string", err);
    free(*out);
    *out = xstrdup(rl_json_string(v));
    return 0;
}

int sp_bool(const rl_json *obj, const char *base, const char *key, bool *out, bool *has,
            struct rl_error **err)
{
    int rc;
    const rl_json *v = member(obj, base, key, false, "boolean", &rc, err);
    if (v == NULL)
        return rc;
    enum rl_json_type t = rl_json_type(v);
    if (t != RL_JSON_TRUE && t != RL_JSON_FALSE)
        return wrong_type(v, base, key, "boolean", err);
    *out = t == RL_JSON_TRUE;
    if (has)
        *has = true;
    return 0;
}

/* Number member as text; "expected integer" errors for other types. */
static const rl_json *number_member(const rl_json *obj, const char *base, const char *key, bool req,
                                    int *rc, struct rl_error **err)
{
    const rl_json *v = member(obj, base, key, req, "integer", rc, err);
    if (v != NULL && rl_json_type(v) != RL_JSON_NUMBER) {
        *rc = wrong_type(v, base, key, "integer", err);
        return NULL;
    }
    return v;
}

static int out_of_range(const rl_json *v, const char *base, const char *key, const char *what,
                        struct rl_error **err)
{
    char p[SP_PATH_MAX];
    sp_path(p, base, key);
    return rl_error(err, "%s: expected %s, got %s", p, what, rl_json_number_text(v));
}

int sp_u64(const rl_json *obj, const char *base, const char *key, bool req, uint64_t *out,
           bool *has, struct rl_error **err)
{
    int rc;
    const rl_json *v = number_member(obj, base, key, req, &rc, err);
    if (v == NULL)
        return rc;
    if (rl_json_u64(v, out) < 0)
        return out_of_range(v, base, key, "unsigned 64-bit integer", err);
    if (has)
        *has = true;
    return 0;
}

static int i64_range(const rl_json *obj, const char *base, const char *key, bool req, int64_t min,
                     int64_t max, const char *what, int64_t *out, bool *has, struct rl_error **err)
{
    int rc;
    const rl_json *v = number_member(obj, base, key, req, &rc, err);
    if (v == NULL)
        return rc;
    int64_t x;
    if (rl_json_i64(v, &x) < 0 || x < min || x > max)
        return out_of_range(v, base, key, what, err);
    *out = x;
    if (has)
        *has = true;
    return 0;
}

int sp_i64(const rl_json *obj, const char *base, const char *key, bool req, int64_t *out, bool *has,
           struct rl_error **err)
{
    return i64_range(obj, base, key, req, INT64_MIN, INT64_MAX, "64-bit integer", out, has, err);
}

int sp_u32(const rl_json *obj, const char *base, const char *key, bool req, uint32_t *out,
           bool *has, struct rl_error **err)
{
    int64_t x;
    bool h = false;
    if (i64_range(obj, base, key, req, 0, UINT32_MAX, "unsigned 32-bit integer", &x, &h, err) < 0)
        return -1;
    if (h) {
        *out = (uint32_t)x;
        if (has)
            *has = true;
    }
    return 0;
}

int sp_i32(const rl_json *obj, const char *base, const char *key, bool req, int32_t *out, bool *has,
           struct rl_error **err)
{
    int64_t x;
    bool h = false;
    if (i64_range(obj, base, key, req, INT32_MIN, INT32_MAX, "32-bit integer", &x, &h, err) < 0)
        return -1;
    if (h) {
        *out = (int32_t)x;
        if (has)
            *has = true;
    }
    return 0;
}

int sp_u16(const rl_json *obj, const char *base, const char *key, bool req, uint16_t *out,
           bool *has, struct rl_error **err)
{
    int64_t x;
    bool h = false;
    if (i64_range(obj, base, key, req, 0, UINT16_MAX, "unsigned 16-bit integer", &x, &h, err) < 0)
        return -1;
    if (h) {
        *out = (uint16_t)x;
        if (has)
            *has = true;
    }
    return 0;
}

int sp_obj(const rl_json *obj, const char *base, const char *key, const rl_json **out,
           struct rl_error **err)
{
    int rc;
    *out = NULL;
    const rl_json *v = member(obj, base, key, false, "object", &rc, err);
    if (v == NULL)
        return rc;
    if (rl_json_type(v) != RL_JSON_OBJECT)
        return wrong_type(v, base, key, "object", err);
    *out = v;
    return 0;
}

int sp_arr(const rl_json *obj, const char *base, const char *key, const rl_json **out,
           struct rl_error **err)
{
    int rc;
    *out = NULL;
    const rl_json *v = member(obj, base, key, false, "array", &rc, err);
    if (v == NULL)
        return rc;
    if (rl_json_type(v) != RL_JSON_ARRAY)
        return wrong_type(v, base, key, "array", err);
    *out = v;
    return 0;
}

int sp_expect_obj(const rl_json *node, const char *path, struct rl_error **err)
{
    if (rl_json_type(node) != RL_JSON_OBJECT)
        return rl_error(err, "%s: expected object, got %s", path, type_of(node));
    return 0;
}

int sp_strv(const rl_json *obj, const char *base, const char *key, char ***out, size_t *n,
            bool *has, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(obj, base, key, &arr, err) < 0)
        return -1;
    if (arr == NULL)
        return 0;
    size_t len = rl_json_len(arr);
    char **v = xzalloc((len + 1) * sizeof(char *));
    for (size_t i = 0; i < len; i++) {
        const rl_json *e = rl_json_array_at(arr, i);
        if (rl_json_type(e) != RL_JSON_STRING) {
            char p[SP_PATH_MAX];
            sp_path(p, base, key);
            rl_strv_free(v);
            return rl_error(err, "%s[%zu]: expected string, got %s", p, i, type_of(e));
        }
        v[i] = xstrdup(rl_json_string(e));
    }
    rl_strv_free(*out);
    *out = v;
    *n = len;
    if (has)
        *has = true;
    return 0;
}

int sp_kv(const rl_json *obj, const char *base, const char *key, struct rl_kv **out, size_t *n,
          struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(obj, base, key, &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    size_t len = rl_json_len(o);
    struct rl_kv *kv = sp_calloc(len, sizeof(*kv));
    for (size_t i = 0; i < len; i++) {
        const rl_json *v = rl_json_object_value(o, i);
        if (rl_json_type(v) != RL_JSON_STRING) {
            char p[SP_PATH_MAX];
            sp_path(p, base, key);
            rl_error(err, "%s.%s: expected string, got %s", p, rl_json_object_key(o, i),
                     type_of(v));
            for (size_t j = 0; j < i; j++) {
                free(kv[j].key);
                free(kv[j].value);
            }
            free(kv);
            return -1;
        }
        kv[i].key = xstrdup(rl_json_object_key(o, i));
        kv[i].value = xstrdup(rl_json_string(v));
    }
    *out = kv;
    *n = len;
    return 0;
}

int sp_id_mappings(const rl_json *obj, const char *base, const char *key,
                   struct rl_id_mapping **out, size_t *n, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(obj, base, key, &arr, err) < 0)
        return -1;
    if (arr == NULL)
        return 0;
    char p[SP_PATH_MAX], ep[SP_PATH_MAX + 32];
    sp_path(p, base, key);
    *n = rl_json_len(arr);
    *out = sp_calloc(*n, sizeof(**out));
    for (size_t i = 0; i < *n; i++) {
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_id_mapping *m = &(*out)[i];
        snprintf(ep, sizeof(ep), "%s[%zu]", p, i);
        if (sp_expect_obj(e, ep, err) < 0 ||
            sp_u32(e, ep, "containerID", true, &m->container_id, NULL, err) < 0 ||
            sp_u32(e, ep, "hostID", true, &m->host_id, NULL, err) < 0 ||
            sp_u32(e, ep, "size", true, &m->size, NULL, err) < 0)
            return -1;
    }
    return 0;
}
