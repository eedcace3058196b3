/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroup v1 (and hybrid): the resources beyond memory limit/swap/
 * reservation, cpu shares/cfs/cpuset, pids and devices (cgroup_v1.c).
 * Rules, spec field -> file:
 *   memory.swappiness     -> memory.swappiness (0..100)
 *   memory.kernel         -> memory.kmem.limit_in_bytes; the kernel's
 *                            refusal (EINVAL...) fails, but where it ignores
 *                            the limit (5.16+: the file reads back
 *                            unlimited) or has no such file, a warning
 *                            names the field and the container goes on
 *                            (runc ignores kernel and kernelTCP altogether)
 *   memory.kernelTCP      -> memory.kmem.tcp.limit_in_bytes (still enforced
 *                            on v1); a warning where the file is absent
 *   memory.disableOOMKiller true -> memory.oom_control "1"
 *   memory.useHierarchy true -> memory.use_hierarchy "1" (false: left alone,
 *                            modern kernels are always hierarchical)
 *   memory.checkBeforeUpdate: nothing to do, v1 refuses a limit below the
 *                            usage by itself (EBUSY)
 *   cpu.burst             -> cpu.cfs_burst_us (after the quota)
 *   cpu.realtimePeriod/Runtime -> cpu.rt_period_us, then cpu.rt_runtime_us
 *   cpu.idle              -> cpu.idle (kernels >= 5.15 have it in v1 too;
 *                            refused, naming the file, where absent)
 *   blockIO.weight        -> blkio.weight, or blkio.bfq.weight when only
 *                            BFQ is there (CFQ was removed in 5.0)
 *   blockIO.leafWeight    -> blkio.leaf_weight (CFQ only: refused if absent)
 *   blockIO.weightDevice  -> blkio[.bfq].weight_device "MAJ:MIN W", and
 *                            blkio.leaf_weight_device for leafWeight
 *   blockIO.throttle*     -> blkio.throttle.{read,write}_{bps,iops}_device
 *                            "MAJ:MIN RATE", one write each (0 = no limit)
 *   hugepageLimits        -> hugetlb.<size>.limit_in_bytes, and
 *                            hugetlb.<size>.rsvd.limit_in_bytes where present
 *   network.classID       -> net_cls.classid; priorities -> net_prio.ifpriomap
 *                            "IFNAME PRIO", one write each
 *   rdma                  -> rdma.max "DEV hca_handle=N hca_object=M"
 *   unified               -> refused on v1; on hybrid written to the
 *                            cgroup2 directory for "cgroup.*" keys and for
 *                            controllers that hierarchy has (runc refuses
 *                            unified on hybrid altogether).
 * A missing hierarchy is an error that names the controller. */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define R "linux.resources."

static const char *dir_of(struct rl_cgroup *cg, const char *ctl, const char *cfg,
                          struct rl_error **err)
{
    struct cg_hier *h = cg_find_controller(cg, ctl);
    if (h == NULL) {
        rl_error(err, "%s: the %s controller is not mounted under %s (no v1 %s hierarchy)", cfg,
                 ctl, cg->root, ctl);
        return NULL;
    }
    return h->abs;
}

static int need_file(const char *dir, const char *file, const char *cfg, const char *why,
                     struct rl_error **err)
{
    if (cg_file_exists(dir, file))
        return 0;
    return rl_error_code(err, ENOENT, "%s: %s/%s does not exist (%s)", cfg, dir, file, why);
}

/* memory.kmem.limit_in_bytes: since Linux 5.16 writes are checked but
 * ignored (the file reads back "unlimited"), later kernels may lack the
 * file. Old configs and Docker's --kernel-memory still send the field, so
 * (as runc) it is a warning, not a failure; a value the kernel refuses
 * still fails. */
static int v1_kmem(const char *dir, int64_t v, struct rl_error **err)
{
    static const char *const F = "memory.kmem.limit_in_bytes", *const C = R "memory.kernel";
    if (!cg_file_exists(dir, F)) {
        rl_warn("%s: ignored: this kernel has no kernel memory limits (no %s)", C, F);
        return 0;
    }
    if (cg_write_num(dir, F, v, false, C, err) < 0)
        return -1;
    _cleanup_free_ char *back = cg_read_line(dir, F, err);
    uint64_t got;
    if (back == NULL)
        return rl_error_wrap(err, "%s", C);
    if (v >= 0 && rl_parse_u64(back, &got) == 0 && got > (uint64_t)v)
        rl_warn("%s: ignored: the kernel does not enforce kernel memory limits (deprecated "
                "since Linux 5.16; %s reads back %s)",
                C, F, back);
    return 0;
}

static int v1_kmem_tcp(const char *dir, int64_t v, struct rl_error **err)
{
    static const char *const F = "memory.kmem.tcp.limit_in_bytes", *const C = R "memory.kernelTCP";
    if (!cg_file_exists(dir, F)) {
        rl_warn("%s: ignored: this kernel has no TCP kernel memory limits (no %s)", C, F);
        return 0;
    }
    return cg_write_num(dir, F, v, false, C, err);
}

static int v1_memory_more(struct rl_cgroup *cg, const struct rl_resources *r, struct rl_error **err)
{
    const __typeof__(r->memory) *m = &r->memory;
    /* kernel/kernelTCP 0 ask for nothing: Docker's update sends both as 0
     * when they were never set, and runc ignores 0 as well */
    bool kmem = m->has_kernel && m->kernel != 0;
    bool kmem_tcp = m->has_kernel_tcp && m->kernel_tcp != 0;
    bool any = m->has_swappiness || kmem || kmem_tcp ||
               (m->has_disable_oom_killer && m->disable_oom_killer) ||
               (m->has_use_hierarchy && m->use_hierarchy);
    if (!any)
        return 0;
    const char *dir = dir_of(cg, "memory", R "memory", err);
    if (dir == NULL)
        return -1;
    if (m->has_swappiness && cg_write_num(dir, "memory.swappiness", (int64_t)m->swappiness, false,
                                          R "memory.swappiness", err) < 0)
        return -1;
    if (kmem && v1_kmem(dir, m->kernel, err) < 0)
        return -1;
    if (kmem_tcp && v1_kmem_tcp(dir, m->kernel_tcp, err) < 0)
        return -1;
    if (m->has_disable_oom_killer && m->disable_oom_killer &&
        cg_write_num(dir, "memory.oom_control", 1, false, R "memory.disableOOMKiller", err) < 0)
        return -1;
    if (m->has_use_hierarchy && m->use_hierarchy &&
        cg_write_num(dir, "memory.use_hierarchy", 1, false, R "memory.useHierarchy", err) < 0)
        return -1;
    return 0;
}

static int v1_cpu_more(struct rl_cgroup *cg, const struct rl_resources *r, struct rl_error **err)
{
    const __typeof__(r->cpu) *c = &r->cpu;
    bool rt_p = c->has_realtime_period && c->realtime_period != 0;
    bool rt_r = c->has_realtime_runtime && c->realtime_runtime != 0;
    if (!c->has_burst && !rt_p && !rt_r && !c->has_idle)
        return 0;
    const char *dir = dir_of(cg, "cpu", R "cpu", err);
    if (dir == NULL)
        return -1;
    if (c->has_burst &&
        (need_file(dir, "cpu.cfs_burst_us", R "cpu.burst", "needs Linux 5.14", err) < 0 ||
         cg_write_num(dir, "cpu.cfs_burst_us", (int64_t)c->burst, false, R "cpu.burst", err) < 0))
        return -1;
    if (rt_p && cg_write_num(dir, "cpu.rt_period_us", (int64_t)c->realtime_period, false,
                             R "cpu.realtimePeriod", err) < 0)
        return -1;
    if (rt_r && cg_write_num(dir, "cpu.rt_runtime_us", c->realtime_runtime, false,
                             R "cpu.realtimeRuntime", err) < 0)
        return -1;
    if (c->has_idle && (need_file(dir, "cpu.idle", R "cpu.idle", "needs Linux 5.15", err) < 0 ||
                        cg_write_num(dir, "cpu.idle", c->idle, false, R "cpu.idle", err) < 0))
        return -1;
    return 0;
}

static int write_devs(const char *dir, const char *file, const struct rl_block_io_device *d,
                      size_t n, const char *cfg, struct rl_error **err)
{
    for (size_t i = 0; i < n; i++) {
        char buf[80];
        snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor,
                 d[i].rate);
        if (cg_write(dir, file, buf, err) < 0)
            return rl_error_wrap(err, "%s[%zu]", cfg, i);
    }
    return 0;
}

static int v1_weight_device(const char *dir, const char *wfile,
                            const __typeof__(((struct rl_resources *)0)->block_io) *io,
                            struct rl_error **err)
{
    for (size_t i = 0; i < io->n_weight_device; i++) {
        const struct rl_block_io_device *d = &io->weight_device[i];
        char buf[80];
        if (d->has_weight) {
            snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                     (unsigned)d->weight);
            if (cg_write(dir, wfile, buf, err) < 0)
                return rl_error_wrap(err, R "blockIO.weightDevice[%zu].weight", i);
        }
        if (d->has_leaf_weight) {
            snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
                     (unsigned)d->leaf_weight);
            if (need_file(dir, "blkio.leaf_weight_device", R "blockIO.weightDevice.leafWeight",
                          "leaf weights belong to the CFQ scheduler, removed in Linux 5.0",
                          err) < 0 ||
                cg_write(dir, "blkio.leaf_weight_device", buf, err) < 0)
                return rl_error_wrap(err, R "blockIO.weightDevice[%zu].leafWeight", i);
        }
    }
    return 0;
}

static int v1_blkio(struct rl_cgroup *cg, const struct rl_resources *r, struct rl_error **err)
{
    const __typeof__(r->block_io) *io = &r->block_io;
    if (!io->has_weight && !io->has_leaf_weight && !io->n_weight_device &&
        !io->n_throttle_read_bps && !io->n_throttle_write_bps && !io->n_throttle_read_iops &&
        !io->n_throttle_write_iops)
        return 0;
    const char *dir = dir_of(cg, "blkio", R "blockIO", err);
    if (dir == NULL)
        return -1;
    bool cfq = cg_file_exists(dir, "blkio.weight");
    const char *wf = cfq ? "blkio.weight" : "blkio.bfq.weight";
    const char *wdf = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
    if (io->has_weight && io->weight != 0 &&
        cg_write_num(dir, wf, io->weight, false, R "blockIO.weight", err) < 0)
        return -1;
    if (io->has_leaf_weight && io->leaf_weight != 0 &&
        (need_file(dir, "blkio.leaf_weight", R "blockIO.leafWeight",
                   "leaf weights belong to the CFQ scheduler, removed in Linux 5.0", err) < 0 ||
         cg_write_num(dir, "blkio.leaf_weight", io->leaf_weight, false, R "blockIO.leafWeight",
                      err) < 0))
        return -1;
    if (v1_weight_device(dir, wdf, io, err) < 0)
        return -1;
    if (write_devs(dir, "blkio.throttle.read_bps_device", io->throttle_read_bps,
                   io->n_throttle_read_bps, R "blockIO.throttleReadBpsDevice", err) < 0 ||
        write_devs(dir, "blkio.throttle.write_bps_device", io->throttle_write_bps,
                   io->n_throttle_write_bps, R "blockIO.throttleWriteBpsDevice", err) < 0 ||
        write_devs(dir, "blkio.throttle.read_iops_device", io->throttle_read_iops,
                   io->n_throttle_read_iops, R "blockIO.throttleReadIOPSDevice", err) < 0 ||
        write_devs(dir, "blkio.throttle.write_iops_device", io->throttle_write_iops,
                   io->n_throttle_write_iops, R "blockIO.throttleWriteIOPSDevice", err) < 0)
        return -1;
    return 0;
}

/* The kernel's name of a page size in hugetlb file names: the largest
 * unit that divides it ("2048kB" -> "2MB", "1024MB" -> "1GB"). */
static char *hugetlb_name(const char *page_size)
{
    uint64_t b;
    if (rl_cgroup_hugepage_size(page_size, &b) < 0)
        return xstrdup(page_size);
    if (b >= (1ULL << 30) && b % (1ULL << 30) == 0)
        return xasprintf("%" PRIu64 "GB", b >> 30);
    if (b >= (1ULL << 20) && b % (1ULL << 20) == 0)
        return xasprintf("%" PRIu64 "MB", b >> 20);
    return xasprintf("%" PRIu64 "KB", b >> 10);
}

/* hugetlb.<size>.<what>: a missing file means the kernel has no such page
 * size (see /sys/kernel/mm/hugepages). */
int cg_hugetlb_apply(const char *dir, const struct rl_resources *r, bool v2, struct rl_error **err)
{
    for (size_t i = 0; i < r->n_hugepage_limits; i++) {
        const struct rl_hugepage_limit *h = &r->hugepage_limits[i];
        _cleanup_free_ char *name = hugetlb_name(h->page_size);
        _cleanup_free_ char *f = xasprintf("hugetlb.%s.%s", name, v2 ? "max" : "limit_in_bytes");
        _cleanup_free_ char *rf =
            xasprintf("hugetlb.%s.%s", name, v2 ? "rsvd.max" : "rsvd.limit_in_bytes");
        if (!cg_file_exists(dir, f))
            return rl_error_code(err, ENOENT,
                                 R "hugepageLimits[%zu].pageSize: no hugepages "
                                   "of size %s on this kernel (%s/%s does not exist; see "
                                   "/sys/kernel/mm/hugepages)",
                                 i, h->page_size, dir, f);
        _cleanup_free_ char *cfg = xasprintf(R "hugepageLimits[%zu].limit", i);
        if (cg_write_num(dir, f, (int64_t)h->limit, false, cfg, err) < 0)
            return -1;
        if (cg_file_exists(dir, rf) &&
            cg_write_num(dir, rf, (int64_t)h->limit, false, cfg, err) < 0)
            return -1;
    }
    return 0;
}

int cg_rdma_apply(const char *dir, const struct rl_resources *r, struct rl_error **err)
{
    for (size_t i = 0; i < r->n_rdma; i++) {
        const struct rl_rdma *d = &r->rdma[i];
        if (!d->has_hca_handles && !d->has_hca_objects)
            continue;
        char buf[256];
        int n = snprintf(buf, sizeof(buf), "%s", d->device);
        if (d->has_hca_handles)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, " hca_handle=%u", d->hca_handles);
        if (d->has_hca_objects)
            snprintf(buf + n, sizeof(buf) - (size_t)n, " hca_object=%u", d->hca_objects);
        if (cg_write(dir, "rdma.max", buf, err) < 0)
            return rl_error_wrap(err, R "rdma[\"%s\"]", d->device);
    }
    return 0;
}

static int v1_network(struct rl_cgroup *cg, const struct rl_resources *r, struct rl_error **err)
{
    if (r->network.has_class_id) {
        const char *dir = dir_of(cg, "net_cls", R "network.classID", err);
        if (dir == NULL || cg_write_num(dir, "net_cls.classid", r->network.class_id, false,
                                        R "network.classID", err) < 0)
            return -1;
    }
    if (r->network.n_priorities == 0)
        return 0;
    const char *dir = dir_of(cg, "net_prio", R "network.priorities", err);
    if (dir == NULL)
        return -1;
    for (size_t i = 0; i < r->network.n_priorities; i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "%s %u", r->network.priorities[i].name,
                 r->network.priorities[i].priority);
        if (cg_write(dir, "net_prio.ifpriomap", buf, err) < 0)
            return rl_error_wrap(err, R "network.priorities[%zu]", i);
    }
    return 0;
}

static int v1_unified(struct rl_cgroup *cg, const struct rl_resources *r, struct rl_error **err)
{
    if (r->n_unified == 0)
        return 0;
    struct cg_hier *h = cg_find_unified(cg);
    if (cg->mode == RL_CGROUP_V1 || h == NULL)
        return rl_error(err,
                        R "unified: needs a cgroup2 hierarchy; this host has cgroup v1 "
                          "only (%s)",
                        cg->root);
    return cg_unified_write(h->abs, r->unified, r->n_unified, err);
}

int cgv1_apply_more(struct rl_cgroup *cg, const struct rl_resources *r, struct rl_error **err)
{
    if (v1_memory_more(cg, r, err) < 0 || v1_cpu_more(cg, r, err) < 0 || v1_blkio(cg, r, err) < 0)
        return -1;
    if (r->n_hugepage_limits > 0) {
        const char *dir = dir_of(cg, "hugetlb", R "hugepageLimits", err);
        if (dir == NULL || cg_hugetlb_apply(dir, r, false, err) < 0)
            return -1;
    }
    if (v1_network(cg, r, err) < 0)
        return -1;
    if (r->n_rdma > 0) {
        const char *dir = dir_of(cg, "rdma", R "rdma", err);
        if (dir == NULL || cg_rdma_apply(dir, r, err) < 0)
            return -1;
    }
    return v1_unified(cg, r, err);
}
