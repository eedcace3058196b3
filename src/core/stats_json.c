/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The "stats" event of `events` in runc's JSON shape (runc's types.Stats
 * as runc 1.1 encodes it): member order, and which members go away when
 * zero, follow its `omitempty` tags, so tools that parse runc's output
 * (and compare field by field) see the same document:
 *   cpu.usage        total, percpu, percpu_kernel, percpu_user (omitted
 *                    when 0/empty), kernel, user (always)
 *   cpu.throttling   periods, throttledPeriods, throttledTime (omitted at 0)
 *   cpuset           cpus, mems (omitted when empty), the flags (always)
 *   memory           cache (omitted at 0); usage, swap, kernel, kernelTCP
 *                    as {limit, usage?, max?, failcnt}; raw (sorted keys)
 *   pids             current?, limit?
 *   blkio            ioServiceBytesRecursive, ioServicedRecursive of
 *                    {major?, minor?, op?, value?}
 *   hugetlb          {"2MB": {usage?, max?, failcnt}} (sorted sizes)
 *   intel_rdt {}, network_interfaces null. */
#include "rustlet/json.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <stdlib.h>
#include <string.h>

static void kv(struct rl_jsonw *w, const char *k, uint64_t v)
{
    rl_jsonw_key(w, k);
    rl_jsonw_uint(w, v);
}

static void kv_omit(struct rl_jsonw *w, const char *k, uint64_t v)
{
    if (v != 0)
        kv(w, k, v);
}

static void u64_list(struct rl_jsonw *w, const char *k, const uint64_t *v, size_t n)
{
    if (n == 0)
        return;
    rl_jsonw_key(w, k);
    rl_jsonw_array_open(w);
    for (size_t i = 0; i < n; i++)
        rl_jsonw_uint(w, v[i]);
    rl_jsonw_array_close(w);
}

static void u16_list(struct rl_jsonw *w, const char *k, const uint16_t *v, size_t n)
{
    if (n == 0)
        return;
    rl_jsonw_key(w, k);
    rl_jsonw_array_open(w);
    for (size_t i = 0; i < n; i++)
        rl_jsonw_uint(w, v[i]);
    rl_jsonw_array_close(w);
}

static void cpu(struct rl_jsonw *w, const struct rl_cgroup_stats *s)
{
    rl_jsonw_key(w, "cpu");
    rl_jsonw_object_open(w);
    rl_jsonw_key(w, "usage");
    rl_jsonw_object_open(w);
    kv_omit(w, "total", s->cpu.total);
    u64_list(w, "percpu", s->cpu.percpu, s->cpu.n_percpu);
    u64_list(w, "percpu_kernel", s->cpu.percpu_system, s->cpu.n_percpu_system);
    u64_list(w, "percpu_user", s->cpu.percpu_user, s->cpu.n_percpu_user);
    kv(w, "kernel", s->cpu.system);
    kv(w, "user", s->cpu.user);
    rl_jsonw_object_close(w);
    rl_jsonw_key(w, "throttling");
    rl_jsonw_object_open(w);
    kv_omit(w, "periods", s->cpu.periods);
    kv_omit(w, "throttledPeriods", s->cpu.throttled_periods);
    kv_omit(w, "throttledTime", s->cpu.throttled_time);
    rl_jsonw_object_close(w);
    rl_jsonw_object_close(w);
}

static void cpuset(struct rl_jsonw *w, const struct rl_cgroup_stats *s)
{
    rl_jsonw_key(w, "cpuset");
    rl_jsonw_object_open(w);
    u16_list(w, "cpus", s->cpuset.cpus, s->cpuset.n_cpus);
    kv(w, "cpu_exclusive", s->cpuset.cpu_exclusive);
    u16_list(w, "mems", s->cpuset.mems, s->cpuset.n_mems);
    kv(w, "mem_hardwall", s->cpuset.mem_hardwall);
    kv(w, "mem_exclusive", s->cpuset.mem_exclusive);
    kv(w, "memory_migrate", s->cpuset.memory_migrate);
    kv(w, "memory_spread_page", s->cpuset.memory_spread_page);
    kv(w, "memory_spread_slab", s->cpuset.memory_spread_slab);
    kv(w, "memory_pressure", s->cpuset.memory_pressure);
    kv(w, "sched_load_balance", s->cpuset.sched_load_balance);
    rl_jsonw_key(w, "sched_relax_domain_level");
    rl_jsonw_int(w, s->cpuset.sched_relax_domain_level);
    rl_jsonw_object_close(w);
}

static void mem_entry(struct rl_jsonw *w, const char *k, const struct rl_cgroup_mem_entry *e)
{
    rl_jsonw_key(w, k);
    rl_jsonw_object_open(w);
    kv(w, "limit", e->limit);
    kv_omit(w, "usage", e->usage);
    kv_omit(w, "max", e->max_usage);
    kv(w, "failcnt", e->failcnt);
    rl_jsonw_object_close(w);
}

static int cmp_raw(const void *a, const void *b)
{
    return strcmp(((const struct rl_cgroup_kv_u64 *)a)->key,
                  ((const struct rl_cgroup_kv_u64 *)b)->key);
}

static void memory(struct rl_jsonw *w, const struct rl_cgroup_stats *s)
{
    rl_jsonw_key(w, "memory");
    rl_jsonw_object_open(w);
    kv_omit(w, "cache", s->memory.cache);
    mem_entry(w, "usage", &s->memory.usage);
    mem_entry(w, "swap", &s->memory.swap);
    mem_entry(w, "kernel", &s->memory.kernel);
    mem_entry(w, "kernelTCP", &s->memory.kernel_tcp);
    if (s->memory.n_raw) {
        size_t n = s->memory.n_raw;
        _cleanup_free_ struct rl_cgroup_kv_u64 *raw = xmalloc(n * sizeof(*raw));
        memcpy(raw, s->memory.raw, n * sizeof(*raw));
        qsort(raw, n, sizeof(*raw), cmp_raw);
        rl_jsonw_key(w, "raw");
        rl_jsonw_object_open(w);
        for (size_t i = 0; i < n; i++)
            kv(w, raw[i].key, raw[i].value);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_object_close(w);
}

static void blkio_list(struct rl_jsonw *w, const char *k, const struct rl_cgroup_blkio_entry *e,
                       size_t n)
{
    if (n == 0)
        return;
    rl_jsonw_key(w, k);
    rl_jsonw_array_open(w);
    for (size_t i = 0; i < n; i++) {
        rl_jsonw_object_open(w);
        kv_omit(w, "major", e[i].major);
        kv_omit(w, "minor", e[i].minor);
        if (e[i].op && e[i].op[0])
            rl_jsonw_kv_string(w, "op", e[i].op);
        kv_omit(w, "value", e[i].value);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_array_close(w);
}

static int cmp_huge(const void *a, const void *b)
{
    return strcmp(((const struct rl_cgroup_hugetlb_entry *)a)->page_size,
                  ((const struct rl_cgroup_hugetlb_entry *)b)->page_size);
}

static void hugetlb(struct rl_jsonw *w, const struct rl_cgroup_stats *s)
{
    rl_jsonw_key(w, "hugetlb");
    rl_jsonw_object_open(w);
    size_t n = s->n_hugetlb;
    _cleanup_free_ struct rl_cgroup_hugetlb_entry *h = xmalloc((n ? n : 1) * sizeof(*h));
    if (n)
        memcpy(h, s->hugetlb, n * sizeof(*h));
    qsort(h, n, sizeof(*h), cmp_huge);
    for (size_t i = 0; i < n; i++) {
        rl_jsonw_key(w, h[i].page_size);
        rl_jsonw_object_open(w);
        kv_omit(w, "usage", h[i].usage);
        kv_omit(w, "max", h[i].max_usage);
        kv(w, "failcnt", h[i].failcnt);
        rl_jsonw_object_close(w);
    }
    rl_jsonw_object_close(w);
}

char *rl_stats_event_json(const char *id, const struct rl_cgroup_stats *s)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_object_open(w);
    rl_jsonw_kv_string(w, "type", "stats");
    rl_jsonw_kv_string(w, "id", id);
    rl_jsonw_key(w, "data");
    rl_jsonw_object_open(w);
    cpu(w, s);
    cpuset(w, s);
    memory(w, s);
    rl_jsonw_key(w, "pids");
    rl_jsonw_object_open(w);
    kv_omit(w, "current", s->pids.current);
    kv_omit(w, "limit", s->pids.limit);
    rl_jsonw_object_close(w);
    rl_jsonw_key(w, "blkio");
    rl_jsonw_object_open(w);
    blkio_list(w, "ioServiceBytesRecursive", s->blkio.service_bytes, s->blkio.n_service_bytes);
    blkio_list(w, "ioServicedRecursive", s->blkio.serviced, s->blkio.n_serviced);
    rl_jsonw_object_close(w);
    hugetlb(w, s);
    rl_jsonw_key(w, "intel_rdt");
    rl_jsonw_object_open(w);
    rl_jsonw_object_close(w);
    rl_jsonw_key(w, "network_interfaces");
    rl_jsonw_null(w);
    rl_jsonw_object_close(w);
    rl_jsonw_object_close(w);
    return rl_jsonw_finish(w, NULL, NULL);
}
