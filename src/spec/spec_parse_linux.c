/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* config.json "linux" section -> struct rl_linux. */
#include "spec_internal.h"
#include "rustlet/utils.h"

#include <stdio.h>
#include <string.h>

#define LX  "linux"
#define RES "linux.resources"

/* ---- namespaces, devices, timeOffsets ---------------------------------- */

static int parse_namespaces(const rl_json *o, struct rl_linux *lx, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(o, LX, "namespaces", &arr, err) < 0)
        return -1;
    lx->n_namespaces = rl_json_len(arr);
    lx->namespaces = sp_calloc(lx->n_namespaces, sizeof(*lx->namespaces));
    for (size_t i = 0; i < lx->n_namespaces; i++) {
        char b[SP_PATH_MAX];
        _cleanup_free_ char *type = NULL;
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_namespace *ns = &lx->namespaces[i];
        snprintf(b, sizeof(b), LX ".namespaces[%zu]", i);
        if (sp_expect_obj(e, b, err) < 0 || sp_str(e, b, "type", true, &type, err) < 0 ||
            sp_str(e, b, "path", false, &ns->path, err) < 0)
            return -1;
        int t = rl_ns_type_from_name(type);
        if (t < 0)
            return rl_error(err, "%s.type: unknown namespace type \"%s\"", b, type);
        ns->type = (enum rl_ns_type)t;
    }
    return 0;
}

static int parse_devices(const rl_json *o, struct rl_linux *lx, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(o, LX, "devices", &arr, err) < 0)
        return -1;
    lx->n_devices = rl_json_len(arr);
    lx->devices = sp_calloc(lx->n_devices, sizeof(*lx->devices));
    for (size_t i = 0; i < lx->n_devices; i++) {
        char b[SP_PATH_MAX];
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_device *d = &lx->devices[i];
        snprintf(b, sizeof(b), LX ".devices[%zu]", i);
        if (sp_expect_obj(e, b, err) < 0 || sp_str(e, b, "path", true, &d->path, err) < 0 ||
            sp_str(e, b, "type", true, &d->type, err) < 0 ||
            sp_i64(e, b, "major", false, &d->major, &d->has_major, err) < 0 ||
            sp_i64(e, b, "minor", false, &d->minor, &d->has_minor, err) < 0 ||
            sp_u32(e, b, "fileMode", false, &d->file_mode, &d->has_file_mode, err) < 0 ||
            sp_u32(e, b, "uid", false, &d->uid, &d->has_uid, err) < 0 ||
            sp_u32(e, b, "gid", false, &d->gid, &d->has_gid, err) < 0)
            return -1;
        rl_path_clean(d->path); /* "/dev/x/" is /dev/x, as for runc */
    }
    return 0;
}

static int parse_time_offset(const rl_json *to, const char *key, bool *has, int64_t *secs,
                             uint32_t *nsecs, struct rl_error **err)
{
    const rl_json *o;
    char b[SP_PATH_MAX];
    if (sp_obj(to, LX ".timeOffsets", key, &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    *has = true;
    snprintf(b, sizeof(b), LX ".timeOffsets.%s", key);
    if (sp_i64(o, b, "secs", false, secs, NULL, err) < 0 ||
        sp_u32(o, b, "nanosecs", false, nsecs, NULL, err) < 0)
        return -1;
    return 0;
}

static int parse_time_offsets(const rl_json *lo, struct rl_linux *lx, struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(lo, LX, "timeOffsets", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    lx->time_offsets.present = true;
    if (parse_time_offset(o, "boottime", &lx->time_offsets.has_boottime,
                          &lx->time_offsets.boottime_secs, &lx->time_offsets.boottime_nanosecs,
                          err) < 0 ||
        parse_time_offset(o, "monotonic", &lx->time_offsets.has_monotonic,
                          &lx->time_offsets.monotonic_secs, &lx->time_offsets.monotonic_nanosecs,
                          err) < 0)
        return -1;
    return 0;
}

/* ---- resources ---------------------------------------------------------- */

static int parse_device_cgroup(const rl_json *res, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(res, RES, "devices", &arr, err) < 0)
        return -1;
    r->n_devices = rl_json_len(arr);
    r->devices = sp_calloc(r->n_devices, sizeof(*r->devices));
    for (size_t i = 0; i < r->n_devices; i++) {
        char b[SP_PATH_MAX];
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_device_cgroup *d = &r->devices[i];
        snprintf(b, sizeof(b), RES ".devices[%zu]", i);
        bool has_allow = false;
        if (sp_expect_obj(e, b, err) < 0 ||
            sp_bool(e, b, "allow", &d->allow, &has_allow, err) < 0 ||
            sp_str(e, b, "type", false, &d->type, err) < 0 ||
            sp_i64(e, b, "major", false, &d->major, &d->has_major, err) < 0 ||
            sp_i64(e, b, "minor", false, &d->minor, &d->has_minor, err) < 0 ||
            sp_str(e, b, "access", false, &d->access, err) < 0)
            return -1;
        if (!has_allow)
            return rl_error(err, "%s.allow: expected boolean, but it is missing", b);
    }
    return 0;
}

static int parse_memory(const rl_json *res, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *o;
    const char *b = RES ".memory";
    if (sp_obj(res, RES, "memory", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    __typeof__(r->memory) *m = &r->memory;
    m->present = true;
    if (sp_i64(o, b, "limit", false, &m->limit, &m->has_limit, err) < 0 ||
        sp_i64(o, b, "reservation", false, &m->reservation, &m->has_reservation, err) < 0 ||
        sp_i64(o, b, "swap", false, &m->swap, &m->has_swap, err) < 0 ||
        sp_i64(o, b, "kernel", false, &m->kernel, &m->has_kernel, err) < 0 ||
        sp_i64(o, b, "kernelTCP", false, &m->kernel_tcp, &m->has_kernel_tcp, err) < 0 ||
        sp_u64(o, b, "swappiness", false, &m->swappiness, &m->has_swappiness, err) < 0 ||
        sp_bool(o, b, "disableOOMKiller", &m->disable_oom_killer, &m->has_disable_oom_killer, err) <
            0 ||
        sp_bool(o, b, "useHierarchy", &m->use_hierarchy, &m->has_use_hierarchy, err) < 0 ||
        sp_bool(o, b, "checkBeforeUpdate", &m->check_before_update, &m->has_check_before_update,
                err) < 0)
        return -1;
    return 0;
}

static int parse_cpu(const rl_json *res, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *o;
    const char *b = RES ".cpu";
    if (sp_obj(res, RES, "cpu", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    __typeof__(r->cpu) *c = &r->cpu;
    c->present = true;
    if (sp_u64(o, b, "shares", false, &c->shares, &c->has_shares, err) < 0 ||
        sp_i64(o, b, "quota", false, &c->quota, &c->has_quota, err) < 0 ||
        sp_u64(o, b, "burst", false, &c->burst, &c->has_burst, err) < 0 ||
        sp_u64(o, b, "period", false, &c->period, &c->has_period, err) < 0 ||
        sp_i64(o, b, "realtimeRuntime", false, &c->realtime_runtime, &c->has_realtime_runtime,
               err) < 0 ||
        sp_u64(o, b, "realtimePeriod", false, &c->realtime_period, &c->has_realtime_period, err) <
            0 ||
        sp_str(o, b, "cpus", false, &c->cpus, err) < 0 ||
        sp_str(o, b, "mems", false, &c->mems, err) < 0 ||
        sp_i64(o, b, "idle", false, &c->idle, &c->has_idle, err) < 0)
        return -1;
    return 0;
}

static int parse_bio_devices(const rl_json *bio, const char *key, bool weights,
                             struct rl_block_io_device **out, size_t *n, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(bio, RES ".blockIO", key, &arr, err) < 0)
        return -1;
    *n = rl_json_len(arr);
    *out = sp_calloc(*n, sizeof(**out));
    for (size_t i = 0; i < *n; i++) {
        char b[SP_PATH_MAX];
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_block_io_device *d = &(*out)[i];
        snprintf(b, sizeof(b), RES ".blockIO.%s[%zu]", key, i);
        if (sp_expect_obj(e, b, err) < 0 || sp_i64(e, b, "major", true, &d->major, NULL, err) < 0 ||
            sp_i64(e, b, "minor", true, &d->minor, NULL, err) < 0)
            return -1;
        if (weights) {
            if (sp_u16(e, b, "weight", false, &d->weight, &d->has_weight, err) < 0 ||
                sp_u16(e, b, "leafWeight", false, &d->leaf_weight, &d->has_leaf_weight, err) < 0)
                return -1;
        } else if (sp_u64(e, b, "rate", false, &d->rate, NULL, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int parse_block_io(const rl_json *res, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *o;
    const char *b = RES ".blockIO";
    if (sp_obj(res, RES, "blockIO", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    __typeof__(r->block_io) *io = &r->block_io;
    io->present = true;
    if (sp_u16(o, b, "weight", false, &io->weight, &io->has_weight, err) < 0 ||
        sp_u16(o, b, "leafWeight", false, &io->leaf_weight, &io->has_leaf_weight, err) < 0 ||
        parse_bio_devices(o, "weightDevice", true, &io->weight_device, &io->n_weight_device, err) <
            0 ||
        parse_bio_devices(o, "throttleReadBpsDevice", false, &io->throttle_read_bps,
                          &io->n_throttle_read_bps, err) < 0 ||
        parse_bio_devices(o, "throttleWriteBpsDevice", false, &io->throttle_write_bps,
                          &io->n_throttle_write_bps, err) < 0 ||
        parse_bio_devices(o, "throttleReadIOPSDevice", false, &io->throttle_read_iops,
                          &io->n_throttle_read_iops, err) < 0 ||
        parse_bio_devices(o, "throttleWriteIOPSDevice", false, &io->throttle_write_iops,
                          &io->n_throttle_write_iops, err) < 0)
        return -1;
    return 0;
}

static int parse_hugepages(const rl_json *res, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(res, RES, "hugepageLimits", &arr, err) < 0)
        return -1;
    r->n_hugepage_limits = rl_json_len(arr);
    r->hugepage_limits = sp_calloc(r->n_hugepage_limits, sizeof(*r->hugepage_limits));
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        char b[SP_PATH_MAX];
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_hugepage_limit *h = &r->hugepage_limits[i];
        snprintf(b, sizeof(b), RES ".hugepageLimits[%zu]", i);
        if (sp_expect_obj(e, b, err) < 0 ||
            sp_str(e, b, "pageSize", true, &h->page_size, err) < 0 ||
            sp_u64(e, b, "limit", true, &h->limit, NULL, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_network(const rl_json *res, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *o, *arr;
    const char *b = RES ".network";
    if (sp_obj(res, RES, "network", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    r->network.present = true;
    if (sp_u32(o, b, "classID", false, &r->network.class_id, &r->network.has_class_id, err) < 0 ||
        sp_arr(o, b, "priorities", &arr, err) < 0)
        return -1;
    r->network.n_priorities = rl_json_len(arr);
    r->network.priorities = sp_calloc(r->network.n_priorities, sizeof(*r->network.priorities));
    for (size_t i = 0; i < r->network.n_priorities; i++) {
        char eb[SP_PATH_MAX];
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_net_priority *p = &r->network.priorities[i];
        snprintf(eb, sizeof(eb), RES ".network.priorities[%zu]", i);
        if (sp_expect_obj(e, eb, err) < 0 || sp_str(e, eb, "name", true, &p->name, err) < 0 ||
            sp_u32(e, eb, "priority", true, &p->priority, NULL, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_rdma(const rl_json *res, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(res, RES, "rdma", &o, err) < 0)
        return -1;
    r->n_rdma = rl_json_len(o);
    r->rdma = sp_calloc(r->n_rdma, sizeof(*r->rdma));
    for (size_t i = 0; i < r->n_rdma; i++) {
        _cleanup_free_ char *b = xasprintf(RES ".rdma.%s", rl_json_object_key(o, i));
        const rl_json *e = rl_json_object_value(o, i);
        struct rl_rdma *d = &r->rdma[i];
        d->device = xstrdup(rl_json_object_key(o, i));
        if (sp_expect_obj(e, b, err) < 0 ||
            sp_u32(e, b, "hcaHandles", false, &d->hca_handles, &d->has_hca_handles, err) < 0 ||
            sp_u32(e, b, "hcaObjects", false, &d->hca_objects, &d->has_hca_objects, err) < 0)
            return -1;
    }
    return 0;
}

int sp_parse_resources_obj(const rl_json *o, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *pids;
    r->present = true;
    if (sp_obj(o, RES, "pids", &pids, err) < 0)
        return -1;
    /* limit is OPTIONAL in the spec text (the schema still lists it as
     * required): a pids object without one asks for nothing */
    if (pids != NULL &&
        sp_i64(pids, RES ".pids", "limit", false, &r->pids.limit, &r->pids.present, err) < 0)
        return -1;
    if (parse_device_cgroup(o, r, err) < 0 || parse_memory(o, r, err) < 0 ||
        parse_cpu(o, r, err) < 0 || parse_block_io(o, r, err) < 0 ||
        parse_hugepages(o, r, err) < 0 || parse_network(o, r, err) < 0 ||
        parse_rdma(o, r, err) < 0 || sp_kv(o, RES, "unified", &r->unified, &r->n_unified, err) < 0)
        return -1;
    return 0;
}

static int parse_resources(const rl_json *lo, struct rl_resources *r, struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(lo, LX, "resources", &o, err) < 0)
        return -1;
    return o ? sp_parse_resources_obj(o, r, err) : 0;
}

/* ---- seccomp ------------------------------------------------------------ */

static int parse_syscall_args(const rl_json *sc, const char *b, struct rl_seccomp_syscall *s,
                              struct rl_error **err)
{
    const rl_json *arr;
    if (sp_arr(sc, b, "args", &arr, err) < 0)
        return -1;
    s->n_args = rl_json_len(arr);
    s->args = sp_calloc(s->n_args, sizeof(*s->args));
    for (size_t i = 0; i < s->n_args; i++) {
        char ab[SP_PATH_MAX];
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_seccomp_arg *a = &s->args[i];
        snprintf(ab, sizeof(ab), "%s.args[%zu]", b, i);
        if (sp_expect_obj(e, ab, err) < 0 ||
            sp_u32(e, ab, "index", true, &a->index, NULL, err) < 0 ||
            sp_u64(e, ab, "value", true, &a->value, NULL, err) < 0 ||
            sp_u64(e, ab, "valueTwo", false, &a->value_two, &a->has_value_two, err) < 0 ||
            sp_str(e, ab, "op", true, &a->op, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_seccomp(const rl_json *lo, struct rl_seccomp *sc, struct rl_error **err)
{
    const rl_json *o, *arr;
    const char *b = LX ".seccomp";
    if (sp_obj(lo, LX, "seccomp", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    sc->present = true;
    if (sp_str(o, b, "defaultAction", true, &sc->default_action, err) < 0 ||
        sp_u32(o, b, "defaultErrnoRet", false, &sc->default_errno_ret, &sc->has_default_errno_ret,
               err) < 0 ||
        sp_strv(o, b, "architectures", &sc->architectures, &sc->n_architectures, NULL, err) < 0 ||
        sp_strv(o, b, "flags", &sc->flags, &sc->n_flags, NULL, err) < 0 ||
        sp_str(o, b, "listenerPath", false, &sc->listener_path, err) < 0 ||
        sp_str(o, b, "listenerMetadata", false, &sc->listener_metadata, err) < 0 ||
        sp_arr(o, b, "syscalls", &arr, err) < 0)
        return -1;
    sc->n_syscalls = rl_json_len(arr);
    sc->syscalls = sp_calloc(sc->n_syscalls, sizeof(*sc->syscalls));
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        char sb[SP_PATH_MAX];
        const rl_json *e = rl_json_array_at(arr, i);
        struct rl_seccomp_syscall *s = &sc->syscalls[i];
        snprintf(sb, sizeof(sb), "%s.syscalls[%zu]", b, i);
        if (sp_expect_obj(e, sb, err) < 0 ||
            sp_strv(e, sb, "names", &s->names, &s->n_names, NULL, err) < 0 ||
            sp_str(e, sb, "action", true, &s->action, err) < 0 ||
            sp_u32(e, sb, "errnoRet", false, &s->errno_ret, &s->has_errno_ret, err) < 0 ||
            parse_syscall_args(e, sb, s, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- the rest ----------------------------------------------------------- */

/* linux.netDevices: {"<host name>": {"name": "<name inside>"}} */
static int parse_net_devices(const rl_json *o, struct rl_linux *lx, struct rl_error **err)
{
    size_t len = rl_json_len(o);
    lx->net_devices = sp_calloc(len, sizeof(*lx->net_devices));
    for (size_t i = 0; i < len; i++) {
        const char *key = rl_json_object_key(o, i);
        char path[SP_PATH_MAX];
        snprintf(path, sizeof(path), LX ".netDevices[\"%s\"]", key);
        const rl_json *v = rl_json_object_value(o, i);
        struct rl_net_device *d = &lx->net_devices[i];
        d->host = xstrdup(key);
        lx->n_net_devices = i + 1;
        if (sp_expect_obj(v, path, err) < 0 || sp_str(v, path, "name", false, &d->name, err) < 0)
            return -1;
    }
    return 0;
}

static int parse_linux_misc(const rl_json *o, struct rl_linux *lx, struct rl_error **err)
{
    const rl_json *p;
    if (sp_obj(o, LX, "personality", &p, err) < 0)
        return -1;
    if (p != NULL) {
        lx->personality.present = true;
        if (sp_str(p, LX ".personality", "domain", false, &lx->personality.domain, err) < 0 ||
            sp_strv(p, LX ".personality", "flags", &lx->personality.flags, &lx->personality.n_flags,
                    NULL, err) < 0)
            return -1;
    }
    if (sp_obj(o, LX, "memoryPolicy", &p, err) < 0)
        return -1;
    if (p != NULL) {
        lx->has_memory_policy = lx->memory_policy.present = true;
        if (sp_str(p, LX ".memoryPolicy", "mode", false, &lx->memory_policy.mode, err) < 0 ||
            sp_str(p, LX ".memoryPolicy", "nodes", false, &lx->memory_policy.nodes, err) < 0 ||
            sp_strv(p, LX ".memoryPolicy", "flags", &lx->memory_policy.flags,
                    &lx->memory_policy.n_flags, NULL, err) < 0)
            return -1;
    }
    if (sp_obj(o, LX, "intelRdt", &p, err) < 0)
        return -1;
    lx->has_intel_rdt = p != NULL;
    if (p != NULL) {
        struct rl_intel_rdt *r = &lx->intel_rdt;
        if (sp_str(p, LX ".intelRdt", "closID", false, &r->clos_id, err) < 0 ||
            sp_str(p, LX ".intelRdt", "l3CacheSchema", false, &r->l3_cache_schema, err) < 0 ||
            sp_str(p, LX ".intelRdt", "memBwSchema", false, &r->mem_bw_schema, err) < 0 ||
            sp_strv(p, LX ".intelRdt", "schemata", &r->schemata, &r->n_schemata, NULL, err) < 0 ||
            sp_bool(p, LX ".intelRdt", "enableMonitoring", &r->enable_monitoring, NULL, err) < 0)
            return -1;
    }
    if (sp_obj(o, LX, "netDevices", &p, err) < 0)
        return -1;
    lx->has_net_devices = p != NULL;
    return p ? parse_net_devices(p, lx, err) : 0;
}

int sp_parse_linux(const rl_json *root, struct rl_linux *lx, struct rl_error **err)
{
    const rl_json *o;
    if (sp_obj(root, "", "linux", &o, err) < 0)
        return -1;
    if (o == NULL)
        return 0;
    lx->present = true;
    if (parse_namespaces(o, lx, err) < 0 ||
        sp_id_mappings(o, LX, "uidMappings", &lx->uid_mappings, &lx->n_uid_mappings, err) < 0 ||
        sp_id_mappings(o, LX, "gidMappings", &lx->gid_mappings, &lx->n_gid_mappings, err) < 0 ||
        parse_time_offsets(o, lx, err) < 0 || parse_devices(o, lx, err) < 0 ||
        sp_str(o, LX, "cgroupsPath", false, &lx->cgroups_path, err) < 0 ||
        parse_resources(o, &lx->resources, err) < 0 ||
        sp_str(o, LX, "rootfsPropagation", false, &lx->rootfs_propagation, err) < 0 ||
        parse_seccomp(o, &lx->seccomp, err) < 0 ||
        sp_kv(o, LX, "sysctl", &lx->sysctl, &lx->n_sysctl, err) < 0 ||
        sp_strv(o, LX, "maskedPaths", &lx->masked_paths, &lx->n_masked_paths, &lx->has_masked_paths,
                err) < 0 ||
        sp_strv(o, LX, "readonlyPaths", &lx->readonly_paths, &lx->n_readonly_paths,
                &lx->has_readonly_paths, err) < 0 ||
        sp_str(o, LX, "mountLabel", false, &lx->mount_label, err) < 0 ||
        parse_linux_misc(o, lx, err) < 0)
        return -1;
    return 0;
}

/* ---- free --------------------------------------------------------------- */

void sp_free_resources(struct rl_resources *r)
{
    for (size_t i = 0; i < r->n_devices; i++) {
        free(r->devices[i].type);
        free(r->devices[i].access);
    }
    free(r->devices);
    free(r->cpu.cpus);
    free(r->cpu.mems);
    free(r->block_io.weight_device);
    free(r->block_io.throttle_read_bps);
    free(r->block_io.throttle_write_bps);
    free(r->block_io.throttle_read_iops);
    free(r->block_io.throttle_write_iops);
    for (size_t i = 0; i < r->n_hugepage_limits; i++)
        free(r->hugepage_limits[i].page_size);
    free(r->hugepage_limits);
    for (size_t i = 0; i < r->network.n_priorities; i++)
        free(r->network.priorities[i].name);
    free(r->network.priorities);
    for (size_t i = 0; i < r->n_rdma; i++)
        free(r->rdma[i].device);
    free(r->rdma);
    for (size_t i = 0; i < r->n_unified; i++) {
        free(r->unified[i].key);
        free(r->unified[i].value);
    }
    free(r->unified);
}

static void free_seccomp(struct rl_seccomp *sc)
{
    free(sc->default_action);
    rl_strv_free(sc->architectures);
    rl_strv_free(sc->flags);
    free(sc->listener_path);
    free(sc->listener_metadata);
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        struct rl_seccomp_syscall *s = &sc->syscalls[i];
        rl_strv_free(s->names);
        free(s->action);
        for (size_t j = 0; j < s->n_args; j++)
            free(s->args[j].op);
        free(s->args);
    }
    free(sc->syscalls);
}

void sp_free_linux(struct rl_linux *lx)
{
    for (size_t i = 0; i < lx->n_namespaces; i++)
        free(lx->namespaces[i].path);
    free(lx->namespaces);
    free(lx->uid_mappings);
    free(lx->gid_mappings);
    for (size_t i = 0; i < lx->n_devices; i++) {
        free(lx->devices[i].path);
        free(lx->devices[i].type);
    }
    free(lx->devices);
    free(lx->cgroups_path);
    free(lx->intel_rdt.clos_id);
    free(lx->intel_rdt.l3_cache_schema);
    free(lx->intel_rdt.mem_bw_schema);
    rl_strv_free(lx->intel_rdt.schemata);
    sp_free_resources(&lx->resources);
    free(lx->rootfs_propagation);
    free_seccomp(&lx->seccomp);
    for (size_t i = 0; i < lx->n_sysctl; i++) {
        free(lx->sysctl[i].key);
        free(lx->sysctl[i].value);
    }
    free(lx->sysctl);
    rl_strv_free(lx->masked_paths);
    rl_strv_free(lx->readonly_paths);
    free(lx->mount_label);
    free(lx->personality.domain);
    rl_strv_free(lx->personality.flags);
    free(lx->memory_policy.mode);
    free(lx->memory_policy.nodes);
    rl_strv_free(lx->memory_policy.flags);
    for (size_t i = 0; i < lx->n_net_devices; i++) {
        free(lx->net_devices[i].host);
        free(lx->net_devices[i].name);
    }
    free(lx->net_devices);
}
