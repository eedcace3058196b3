/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* LinuxResources on their own: `update --resources FILE` parses one, the
 * state file keeps the container's current values as one (written here,
 * read back with the same parser), and `update` merges the new values into
 * the kept ones. */
#include "spec_internal.h"
#include "rustlet/utils.h"

#include <string.h>

struct rl_resources *rl_spec_parse_resources(const char *json, size_t len, struct rl_error **err)
{
    rl_json *root = rl_json_parse_ignoring(json, len, sp_json_ignored, err);
    if (root == NULL)
        return NULL;
    struct rl_resources *r = rl_spec_resources_from_json(root, err);
    rl_json_free(root);
    return r;
}

struct rl_resources *rl_spec_resources_from_json(const rl_json *node, struct rl_error **err)
{
    struct rl_resources *r = xzalloc(sizeof(*r));
    if (sp_expect_obj(node, "linux.resources", err) < 0 ||
        sp_parse_resources_obj(node, r, err) < 0) {
        rl_spec_resources_free(r);
        return NULL;
    }
    return r;
}

void rl_spec_resources_free(struct rl_resources *r)
{
    if (r == NULL)
        return;
    sp_free_resources(r);
    free(r);
}

static void kv_i64(struct rl_jsonw *w, const char *key, bool has, int64_t v)
{
    if (has)
        rl_jsonw_kv_int(w, key, v);
}

static void kv_u64(struct rl_jsonw *w, const char *key, bool has, uint64_t v)
{
    if (has) {
        rl_jsonw_key(w, key);
        rl_jsonw_uint(w, v);
    }
}

static void kv_bool(struct rl_jsonw *w, const char *key, bool has, bool v)
{
    if (has)
        rl_jsonw_kv_bool(w, key, v);
}

static void write_memory(const struct rl_resources *r, struct rl_jsonw *w)
{
    rl_jsonw_key(w, "memory");
    rl_jsonw_object_open(w);
    kv_i64(w, "limit", r->memory.has_limit, r->memory.limit);
    kv_i64(w, "reservation", r->memory.has_reservation, r->memory.reservation);
    kv_i64(w, "swap", r->memory.has_swap, r->memory.swap);
    kv_i64(w, "kernel", r->memory.has_kernel, r->memory.kernel);
    kv_i64(w, "kernelTCP", r->memory.has_kernel_tcp, r->memory.kernel_tcp);
    kv_u64(w, "swappiness", r->memory.has_swappiness, r->memory.swappiness);
    kv_bool(w, "disableOOMKiller", r->memory.has_disable_oom_killer, r->memory.disable_oom_killer);
    kv_bool(w, "useHierarchy", r->memory.has_use_hierarchy, r->memory.use_hierarchy);
    kv_bool(w, "checkBeforeUpdate", r->memory.has_check_before_update,
            r->memory.check_before_update);
    rl_jsonw_object_close(w);
}

static void write_cpu(const struct rl_resources *r, struct rl_jsonw *w)
{
    rl_jsonw_key(w, "cpu");
    rl_jsonw_object_open(w);
    kv_u64(w, "shares", r->cpu.has_shares, r->cpu.shares);
    kv_i64(w, "quota", r->cpu.has_quota, r->cpu.quota);
    kv_u64(w, "burst", r->cpu.has_burst, r->cpu.burst);
    kv_u64(w, "period", r->cpu.has_period, r->cpu.period);
    kv_i64(w, "realtimeRuntime", r->cpu.has_realtime_runtime, r->cpu.realtime_runtime);
    kv_u64(w, "realtimePeriod", r->cpu.has_realtime_period, r->cpu.realtime_period);
    if (r->cpu.cpus)
        rl_jsonw_kv_string(w, "cpus", r->cpu.cpus);
    if (r->cpu.mems)
        rl_jsonw_kv_string(w, "mems", r->cpu.mems);
    kv_i64(w, "idle", r->cpu.has_idle, r->cpu.idle);
    rl_jsonw_object_close(w);
}

/* The values `update` manages (memory, cpu, pids, blockIO weights, unified).
 * Device rules are not kept: they are applied once at create. */
void rl_spec_resources_write(const struct rl_resources *r, struct rl_jsonw *w)
{
    rl_jsonw_object_open(w);
    if (r->memory.present)
        write_memory(r, w);
    if (r->cpu.present)
        write_cpu(r, w);
    if (r->pids.present) {
        rl_jsonw_key(w, "pids");
        rl_jsonw_object_open(w);
        rl_jsonw_kv_int(w, "limit", r->pids.limit);
        rl_jsonw_object_close(w);
    }
    if (r->block_io.present) {
        rl_jsonw_key(w, "blockIO");
        rl_jsonw_object_open(w);
        kv_u64(w, "weight", r->block_io.has_weight, r->block_io.weight);
        kv_u64(w, "leafWeight", r->block_io.has_leaf_weight, r->block_io.leaf_weight);
        rl_jsonw_object_close(w);
    }
    if (r->n_unified) {
        rl_jsonw_key(w, "unified");
        rl_jsonw_object_open(w);
        for (size_t i = 0; i < r->n_unified; i++)
            rl_jsonw_kv_string(w, r->unified[i].key, r->unified[i].value);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_object_close(w);
}

#define MERGE(sect, field)                                                                         \
    do {                                                                                           \
        if (src->sect.has_##field) {                                                               \
            dst->sect.has_##field = true;                                                          \
            dst->sect.field = src->sect.field;                                                     \
            dst->sect.present = true;                                                              \
        }                                                                                          \
    } while (0)

static void merge_str(char **dst, const char *src)
{
    if (src == NULL)
        return;
    free(*dst);
    *dst = xstrdup(src);
}

static void merge_unified(struct rl_resources *dst, const struct rl_resources *src)
{
    for (size_t i = 0; i < src->n_unified; i++) {
        size_t k = 0;
        while (k < dst->n_unified && strcmp(dst->unified[k].key, src->unified[i].key) != 0)
            k++;
        if (k == dst->n_unified) {
            dst->unified = xrealloc(dst->unified, (k + 1) * sizeof(*dst->unified));
            dst->unified[k].key = xstrdup(src->unified[i].key);
            dst->unified[k].value = NULL;
            dst->n_unified++;
        }
        merge_str(&dst->unified[k].value, src->unified[i].value);
    }
}

/* Every value set in src replaces dst's; the rest of dst stays (runc's
 * update: only what is given changes). */
void rl_spec_resources_merge(struct rl_resources *dst, const struct rl_resources *src)
{
    MERGE(memory, limit);
    MERGE(memory, reservation);
    MERGE(memory, swap);
    MERGE(memory, kernel);
    MERGE(memory, kernel_tcp);
    MERGE(memory, swappiness);
    MERGE(memory, disable_oom_killer);
    MERGE(memory, check_before_update);
    MERGE(cpu, shares);
    MERGE(cpu, quota);
    MERGE(cpu, burst);
    MERGE(cpu, period);
    MERGE(cpu, realtime_runtime);
    MERGE(cpu, realtime_period);
    MERGE(cpu, idle);
    if (src->cpu.cpus || src->cpu.mems)
        dst->cpu.present = true;
    merge_str(&dst->cpu.cpus, src->cpu.cpus);
    merge_str(&dst->cpu.mems, src->cpu.mems);
    if (src->pids.present)
        dst->pids = src->pids;
    MERGE(block_io, weight);
    MERGE(block_io, leaf_weight);
    merge_unified(dst, src);
    dst->present = dst->present || src->present;
}

const char *rl_spec_resources_first_limit(const struct rl_resources *r)
{
    const typeof(r->memory) *m = &r->memory;
    const typeof(r->cpu) *c = &r->cpu;
    const typeof(r->block_io) *b = &r->block_io;
    if (m->has_limit || m->has_reservation || m->has_swap || m->has_kernel || m->has_kernel_tcp ||
        m->has_swappiness || m->has_disable_oom_killer)
        return "linux.resources.memory";
    if (c->has_shares || c->has_quota || c->has_burst || c->has_period || c->has_realtime_runtime ||
        c->has_realtime_period || c->cpus || c->mems || c->has_idle)
        return "linux.resources.cpu";
    if (r->pids.present)
        return "linux.resources.pids";
    if (b->has_weight || b->has_leaf_weight || b->n_weight_device || b->n_throttle_read_bps ||
        b->n_throttle_write_bps || b->n_throttle_read_iops || b->n_throttle_write_iops)
        return "linux.resources.blockIO";
    if (r->n_hugepage_limits)
        return "linux.resources.hugepageLimits";
    if (r->network.has_class_id || r->network.n_priorities)
        return "linux.resources.network";
    if (r->n_rdma)
        return "linux.resources.rdma";
    if (r->n_unified)
        return "linux.resources.unified";
    return NULL;
}
