/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* update [--resources FILE|-] [limit flags] ID: the LinuxResources JSON
 * first, then the flags on top of it; only what is given changes. */
#include "cli.h"
#include "rustlet/utils.h"

#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* "-1", a byte count, or a size with a binary suffix as runc takes it
 * (k, m, g, t, p; optional "i" and "b": 512m, 1GiB, 2kb, 1.5g). */
static int parse_mem(const char *s, int64_t *out)
{
    if (strcmp(s, "-1") == 0) {
        *out = -1;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || !isdigit((unsigned char)s[0]))
        return -1;
    while (*end == ' ')
        end++;
    double mul = 1;
    const char *units = "kmgtp";
    const char *u = *end ? strchr(units, tolower((unsigned char)*end)) : NULL;
    if (u) {
        for (const char *q = units; q <= u; q++)
            mul *= 1024;
        end++;
    }
    if (*end == 'i' || *end == 'I')
        end++;
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end || v * mul > (double)INT64_MAX)
        return -1;
    *out = (int64_t)(v * mul);
    return 0;
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
    return rl_parse_u64(s, out);
}

struct flags {
    const char *memory, *memory_swap, *memory_reservation, *kernel_memory, *kernel_memory_tcp;
    const char *cpu_shares, *cpu_quota, *cpu_period, *cpu_rt_runtime, *cpu_rt_period;
    const char *cpuset_cpus, *cpuset_mems, *pids_limit, *blkio_weight;
    const char *l3_cache_schema, *mem_bw_schema;
};

#define BAD(flag, v) rl_error(err, "invalid value \"%s\" for flag --%s", v, flag)

static int mem_flags(const struct flags *f, struct rl_resources *r, struct rl_error **err)
{
    const struct {
        const char *name, *v;
        int64_t *dst;
        bool *has;
    } m[] = {
        {"memory", f->memory, &r->memory.limit, &r->memory.has_limit},
        {"memory-swap", f->memory_swap, &r->memory.swap, &r->memory.has_swap},
        {"memory-reservation", f->memory_reservation, &r->memory.reservation,
         &r->memory.has_reservation},
        {"kernel-memory", f->kernel_memory, &r->memory.kernel, &r->memory.has_kernel},
        {"kernel-memory-tcp", f->kernel_memory_tcp, &r->memory.kernel_tcp,
         &r->memory.has_kernel_tcp},
    };
    for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
        if (m[i].v == NULL)
            continue;
        if (parse_mem(m[i].v, m[i].dst) < 0)
            return BAD(m[i].name, m[i].v);
        *m[i].has = r->memory.present = r->present = true;
    }
    return 0;
}

static int cpu_flags(const struct flags *f, struct rl_resources *r, struct rl_error **err)
{
    __typeof__(r->cpu) *c = &r->cpu;
    if (f->cpu_shares && parse_u64(f->cpu_shares, &c->shares) < 0)
        return BAD("cpu-shares", f->cpu_shares);
    if (f->cpu_quota && parse_i64(f->cpu_quota, &c->quota) < 0)
        return BAD("cpu-quota", f->cpu_quota);
    if (f->cpu_period && parse_u64(f->cpu_period, &c->period) < 0)
        return BAD("cpu-period", f->cpu_period);
    if (f->cpu_rt_runtime && parse_i64(f->cpu_rt_runtime, &c->realtime_runtime) < 0)
        return BAD("cpu-rt-runtime", f->cpu_rt_runtime);
    if (f->cpu_rt_period && parse_u64(f->cpu_rt_period, &c->realtime_period) < 0)
        return BAD("cpu-rt-period", f->cpu_rt_period);
    c->has_shares |= f->cpu_shares != NULL;
    c->has_quota |= f->cpu_quota != NULL;
    c->has_period |= f->cpu_period != NULL;
    c->has_realtime_runtime |= f->cpu_rt_runtime != NULL;
    c->has_realtime_period |= f->cpu_rt_period != NULL;
    if (f->cpuset_cpus) {
        free(c->cpus);
        c->cpus = xstrdup(f->cpuset_cpus);
    }
    if (f->cpuset_mems) {
        free(c->mems);
        c->mems = xstrdup(f->cpuset_mems);
    }
    if (c->has_shares || c->has_quota || c->has_period || c->has_realtime_runtime ||
        c->has_realtime_period || c->cpus || c->mems)
        c->present = r->present = true;
    return 0;
}

static int other_flags(const struct flags *f, struct rl_resources *r, struct rl_error **err)
{
    if (f->pids_limit) {
        if (parse_i64(f->pids_limit, &r->pids.limit) < 0)
            return BAD("pids-limit", f->pids_limit);
        r->pids.present = r->present = true;
    }
    if (f->blkio_weight) {
        uint64_t w;
        if (parse_u64(f->blkio_weight, &w) < 0 || w > UINT16_MAX)
            return BAD("blkio-weight", f->blkio_weight);
        r->block_io.weight = (uint16_t)w;
        r->block_io.has_weight = r->block_io.present = r->present = true;
    }
    return 0;
}

static struct rl_resources *read_resources(const char *path, struct rl_error **err)
{
    size_t len;
    _cleanup_free_ char *text = strcmp(path, "-") == 0
                                    ? rl_read_file_at(AT_FDCWD, "/dev/stdin", 4u << 20, &len, err)
                                    : rl_read_file_at(AT_FDCWD, path, 4u << 20, &len, err);
    if (text == NULL)
        return rl_error_wrap(err, "--resources"), NULL;
    struct rl_resources *r = rl_spec_parse_resources(text, len, err);
    if (r == NULL)
        rl_error_wrap(err, "--resources %s", path);
    return r;
}

int cmd_update(const struct rl_context *ctx, int argc, char **argv, struct rl_error **err)
{
    struct flags f = {0};
    const char *resources = NULL;
    const struct cli_opt opts[] = {
        {"resources", 'r', CLI_STRING, &resources},
        {"memory", 0, CLI_STRING, &f.memory},
        {"memory-swap", 0, CLI_STRING, &f.memory_swap},
        {"memory-reservation", 0, CLI_STRING, &f.memory_reservation},
        {"kernel-memory", 0, CLI_STRING, &f.kernel_memory},
        {"kernel-memory-tcp", 0, CLI_STRING, &f.kernel_memory_tcp},
        {"cpu-share", 0, CLI_STRING, &f.cpu_shares}, /* runc's spelling */
        {"cpu-shares", 0, CLI_STRING, &f.cpu_shares},
        {"cpu-quota", 0, CLI_STRING, &f.cpu_quota},
        {"cpu-period", 0, CLI_STRING, &f.cpu_period},
        {"cpu-rt-runtime", 0, CLI_STRING, &f.cpu_rt_runtime},
        {"cpu-rt-period", 0, CLI_STRING, &f.cpu_rt_period},
        {"cpuset-cpus", 0, CLI_STRING, &f.cpuset_cpus},
        {"cpuset-mems", 0, CLI_STRING, &f.cpuset_mems},
        {"pids-limit", 0, CLI_STRING, &f.pids_limit},
        {"blkio-weight", 0, CLI_STRING, &f.blkio_weight},
        {"l3-cache-schema", 0, CLI_STRING, &f.l3_cache_schema},
        {"mem-bw-schema", 0, CLI_STRING, &f.mem_bw_schema},
    };
    int i = 1;
    if (cli_parse(argc, argv, &i, opts, ARRAY_SIZE(opts), err) < 0)
        return -1;
    const char *id = cli_require_id(argc, argv, i, "update", err);
    if (id == NULL)
        return -1;
    struct rl_resources *r =
        resources ? read_resources(resources, err) : xzalloc(sizeof(struct rl_resources));
    if (r == NULL)
        return -1;
    int ret = -1;
    bool rdt = f.l3_cache_schema || f.mem_bw_schema;
    if (mem_flags(&f, r, err) == 0 && cpu_flags(&f, r, err) == 0 && other_flags(&f, r, err) == 0) {
        /* Intel RDT first (as runc): refused, it leaves the limits alone */
        ret = rdt ? rl_update_intel_rdt(ctx, id, f.l3_cache_schema, f.mem_bw_schema, err) : 0;
        if (ret == 0 && (r->present || !rdt))
            ret = rl_update(ctx, id, r, err);
    }
    rl_spec_resources_free(r);
    return ret;
}
