/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared between the files of the spec module only (parse, validate, names).
 * Other modules use rustlet/spec.h. */
#ifndef RUSTLET_SPEC_INTERNAL_H
#define RUSTLET_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rustlet/error.h"
#include "rustlet/json.h"
#include "rustlet/spec.h"

/* Longest config path we build for messages (truncated beyond). */
#define SP_PATH_MAX 256

/* ---- names (spec_names.c) ---- */
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, -1 if unknown. */
int spec_rlimit_from_name(const char *name);
/* "CAP_CHOWN" -> 0 ... "CAP_CHECKPOINT_RESTORE" -> 40, -1 if unknown. */
int spec_cap_from_name(const char *name);

/* ---- spec_known.c ---- */
/* rl_json_ignored_fn for config.json (and its process and resources
 * objects on their own): the path goes through an unknown property. */
bool sp_json_ignored(const char *const *keys, size_t n);

/* ---- typed getters used by the parser (spec_parse.c) ----
 * Each looks up key in the object obj whose config path is base ("" at the
 * top level). Absent or null members leave the output untouched (and *has
 * false) unless req is true, in which case they are an error naming the
 * path. A wrong type is an error "<path>: expected <type>, got <type>". */
void sp_path(char *buf, const char *base, const char *key);
int sp_str(const rl_json *obj, const char *base, const char *key, bool req, char **out,
           struct rl_error **err);
int sp_bool(const rl_json *obj, const char *base, const char *key, bool *out, bool *has,
            struct rl_error **err);
int sp_u64(const rl_json *obj, const char *base, const char *key, bool req, uint64_t *out,
           bool *has, struct rl_error **err);
int sp_i64(const rl_json *obj, const char *base, const char *key, bool req, int64_t *out, bool *has,
           struct rl_error **err);
int sp_u32(const rl_json *obj, const char *base, const char *key, bool req, uint32_t *out,
           bool *has, struct rl_error **err);
int sp_i32(const rl_json *obj, const char *base, const char *key, bool req, int32_t *out, bool *has,
           struct rl_error **err);
int sp_u16(const rl_json *obj, const char *base, const char *key, bool req, uint16_t *out,
           bool *has, struct rl_error **err);
/* Array of strings -> NULL-terminated vector (empty array: vector with only
 * the terminator). */
int sp_strv(const rl_json *obj, const char *base, const char *key, char ***out, size_t *n,
            bool *has, struct rl_error **err);
/* Object of string values -> key/value list in document order. */
int sp_kv(const rl_json *obj, const char *base, const char *key, struct rl_kv **out, size_t *n,
          struct rl_error **err);
/* Member that must be an object / array when present; *out NULL if absent. */
int sp_obj(const rl_json *obj, const char *base, const char *key, const rl_json **out,
           struct rl_error **err);
int sp_arr(const rl_json *obj, const char *base, const char *key, const rl_json **out,
           struct rl_error **err);
/* The node itself must be an object (path names it). */
int sp_expect_obj(const rl_json *node, const char *path, struct rl_error **err);
/* calloc(n, size), NULL when n is 0. */
void *sp_calloc(size_t n, size_t size);
int sp_id_mappings(const rl_json *obj, const char *base, const char *key,
                   struct rl_id_mapping **out, size_t *n, struct rl_error **err);

/* ---- linux section (spec_parse_linux.c) ---- */
int sp_parse_linux(const rl_json *obj, struct rl_linux *lx, struct rl_error **err);
/* spec_validate_ext.c: idmapped mounts and linux.netDevices */
int sp_validate_idmap_mounts(const struct rl_spec *s, struct rl_error **err);
int sp_validate_net_devices(const struct rl_spec *s, struct rl_error **err);
void sp_free_linux(struct rl_linux *lx);
/* A LinuxResources object (paths read "linux.resources.<field>"). */
int sp_parse_resources_obj(const rl_json *o, struct rl_resources *r, struct rl_error **err);
void sp_free_resources(struct rl_resources *r);

#endif
