/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The only module that knows about yajl. Reading: a parsed tree of opaque
 * nodes with typed accessors. Writing: a small generator. Everything else in
 * rustlet uses this header, never <yajl/...>. */
#ifndef RUSTLET_JSON_H
#define RUSTLET_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rustlet/error.h"

typedef struct rl_json rl_json; /* a node of a parsed document */

enum rl_json_type {
    RL_JSON_NULL,
    RL_JSON_STRING,
    RL_JSON_NUMBER,
    RL_JSON_OBJECT,
    RL_JSON_ARRAY,
    RL_JSON_TRUE,
    RL_JSON_FALSE
};

/* Parse text (need not be NUL-terminated). Error names line/column. */
rl_json *rl_json_parse(const char *text, size_t len, struct rl_error **err);
/* The map keys from the root down to a value (NULL for an array level):
 * true when the reader ignores that part of the document. */
typedef bool (*rl_json_ignored_fn)(const char *const *keys, size_t n);
/* As rl_json_parse, but a duplicate key, an escaped NUL, a lone surrogate
 * escape or invalid UTF-8 where ignored() says the reader never looks is not
 * refused (the last duplicate wins). */
rl_json *rl_json_parse_ignoring(const char *text, size_t len, rl_json_ignored_fn ignored,
                                struct rl_error **err);
void rl_json_free(rl_json *root);

enum rl_json_type rl_json_type(const rl_json *n);
const char *rl_json_type_name(enum rl_json_type t); /* "string", "object", ... */
/* NULL unless the node is a string. */
const char *rl_json_string(const rl_json *n);
/* The number exactly as written in the document; NULL unless a number. */
const char *rl_json_number_text(const rl_json *n);
/* Exact integer conversions from the number text: 0 ok, -1 if not a number,
 * not an integer, or out of range for the type. */
int rl_json_u64(const rl_json *n, uint64_t *out);
int rl_json_i64(const rl_json *n, int64_t *out);
/* Number of members (object) or elements (array); 0 otherwise. */
size_t rl_json_len(const rl_json *n);
const rl_json *rl_json_array_at(const rl_json *n, size_t i);
const char *rl_json_object_key(const rl_json *n, size_t i);
const rl_json *rl_json_object_value(const rl_json *n, size_t i);
/* Member lookup by key in an object; NULL if absent or n is not an object. */
const rl_json *rl_json_get(const rl_json *obj, const char *key);

/* Generator. All calls after an internal failure are no-ops; finish reports. */
struct rl_jsonw;
struct rl_jsonw *rl_jsonw_new(bool pretty); /* pretty: tab-indented, like runc spec */
/* indent NULL: compact; else beautified with this indent string ("  " for
 * runc's state output). indent must outlive the generator. */
struct rl_jsonw *rl_jsonw_new_indent(const char *indent);
void rl_jsonw_free(struct rl_jsonw *w);
void rl_jsonw_object_open(struct rl_jsonw *w);
void rl_jsonw_object_close(struct rl_jsonw *w);
void rl_jsonw_array_open(struct rl_jsonw *w);
void rl_jsonw_array_close(struct rl_jsonw *w);
void rl_jsonw_key(struct rl_jsonw *w, const char *key);
void rl_jsonw_string(struct rl_jsonw *w, const char *s); /* NULL writes null */
void rl_jsonw_int(struct rl_jsonw *w, int64_t v);
void rl_jsonw_uint(struct rl_jsonw *w, uint64_t v);
void rl_jsonw_bool(struct rl_jsonw *w, bool v);
void rl_jsonw_null(struct rl_jsonw *w);
/* Convenience: key + value. */
void rl_jsonw_kv_string(struct rl_jsonw *w, const char *key, const char *s);
void rl_jsonw_kv_int(struct rl_jsonw *w, const char *key, int64_t v);
void rl_jsonw_kv_bool(struct rl_jsonw *w, const char *key, bool v);
/* Returns a malloc'd NUL-terminated document (caller frees), or NULL with
 * *err set. The generator is freed either way. */
char *rl_jsonw_finish(struct rl_jsonw *w, size_t *len, struct rl_error **err);

/* "2.1.0": the yajl library in use (for --version). */
const char *rl_json_library_version(void);

#endif
