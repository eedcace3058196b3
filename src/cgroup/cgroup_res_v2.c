/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroup v2: the resources beyond memory limit/swap/reservation, cpu
 * weight/max/cpuset and pids (cgroup_v2.c); devices are cgroup_devices.c.
 * Rules, spec field -> file:
 *   memory.swappiness     -> ignored with a warning, as runc does (v2 has no
 *                            per-cgroup swappiness)
 *   memory.kernel, kernelTCP -> ignored with a warning, as runc does: v2
 *                            has no kernel memory limits (kernel memory is
 *                            charged to memory.max)
 *   memory.disableOOMKiller true -> refused: v2 has no way to switch the
 *                            OOM killer off for a cgroup
 *   memory.useHierarchy   -> nothing: v2 is always hierarchical
 *   memory.checkBeforeUpdate true -> memory.current must be <= the new
 *                            limit, checked before memory.max is written
 *                            (v2 would OOM-kill instead of refusing)
 *   cpu.burst             -> cpu.max.burst
 *   cpu.idle              -> cpu.idle
 *   cpu.realtimeRuntime/Period -> refused (no realtime bandwidth in v2)
 *   blockIO.weight        -> io.bfq.weight as is when BFQ is there, else
 *                            io.weight = 1 + (w - 10) * 9999 / 990 (runc)
 *   blockIO.weightDevice  -> io.bfq.weight "MAJ:MIN W" (BFQ), else
 *                            io.weight "MAJ:MIN <converted>"
 *   blockIO.leafWeight(s) -> refused (CFQ only, no v2 equivalent)
 *   blockIO.throttle*     -> io.max "MAJ:MIN rbps=N" / wbps / riops / wiops,
 *                            one write each; a rate of 0 -> "max" (no limit)
 *   hugepageLimits        -> hugetlb.<size>.max, and hugetlb.<size>.rsvd.max
 *                            where present
 *   network.*             -> refused: net_cls/net_prio are v1 only
 *   rdma                  -> rdma.max
 *   unified               -> KEY written to the file KEY (checked: a file
 *                            name, CONTROLLER.PARAMETER, controller present) */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define R "linux.resources."

/* Refusals that need no file system. */
int cgv2_refusals(const struct rl_resources *r, struct rl_error **err)
{
    const __typeof__(r->memory) *m = &r->memory;
    if (m->has_disable_oom_killer && m->disable_oom_killer)
        return rl_error(err, R "memory.disableOOMKiller: cgroup v2 cannot disable the OOM "
                               "killer of a cgroup");
    if ((r->cpu.has_realtime_runtime && r->cpu.realtime_runtime != 0) ||
        (r->cpu.has_realtime_period && r->cpu.realtime_period != 0))
        return rl_error(err, R "cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no realtime "
                               "CPU bandwidth (cpu.rt_*)");
    if (r->block_io.has_leaf_weight && r->block_io.leaf_weight != 0)
        return rl_error(err, R "blockIO.leafWeight: cgroup v2 has no leaf weight");
    for (size_t i = 0; i < r->block_io.n_weight_device; i++)
        if (r->block_io.weight_device[i].has_leaf_weight)
            return rl_error(err,
                            R "blockIO.weightDevice[%zu].leafWeight: cgroup v2 has no "
                              "leaf weight",
                            i);
    if (r->network.has_class_id || r->network.n_priorities > 0)
        return rl_error(err, R "network: the net_cls and net_prio controllers exist in cgroup "
                               "v1 only; this host has cgroup v2");
    return 0;
}

/* checkBeforeUpdate: refuse a limit below the current usage. */
int cgv2_check_before_update(const char *dir, const struct rl_resources *r, struct rl_error **err)
{
    if (!r->memory.has_check_before_update || !r->memory.check_before_update ||
        !r->memory.has_limit || r->memory.limit <= 0)
        return 0;
    _cleanup_free_ char *cur = cg_read_line(dir, "memory.current", err);
    uint64_t v;
    if (cur == NULL)
        return rl_error_wrap(err, R "memory.checkBeforeUpdate");
    if (rl_parse_u64(cur, &v) == 0 && v > (uint64_t)r->memory.limit)
        return rl_error_code(err, EBUSY,
                             R "memory.limit: %" PRId64 " is below the current "
                               "usage %" PRIu64 " (memory.checkBeforeUpdate)",
                             r->memory.limit, v);
    return 0;
}

static int v2_cpu_more(const char *dir, const struct rl_resources *r, struct rl_error **err)
{
    if (r->cpu.has_burst &&
        cg_write_num(dir, "cpu.max.burst", (int64_t)r->cpu.burst, false, R "cpu.burst", err) < 0)
        return -1;
    if (r->cpu.has_idle && cg_write_num(dir, "cpu.idle", r->cpu.idle, false, R "cpu.idle", err) < 0)
        return -1;
    return 0;
}

static int io_max(const char *dir, const char *key, const struct rl_block_io_device *d, size_t n,
                  const char *cfg, struct rl_error **err)
{
    for (size_t i = 0; i < n; i++) {
        char buf[96];
        if (d[i].rate == 0)
            snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=max", d[i].major, d[i].minor,
                     key);
        else
            snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major,
                     d[i].minor, key, d[i].rate);
        if (cg_write(dir, "io.max", buf, err) < 0)
            return rl_error_wrap(err, "%s[%zu]", cfg, i);
    }
    return 0;
}

static int v2_io(const char *dir, const struct rl_resources *r, struct rl_error **err)
{
    const __typeof__(r->block_io) *io = &r->block_io;
    bool bfq = cg_file_exists(dir, "io.bfq.weight");
    char buf[96];
    if (io->has_weight && io->weight != 0) {
        if (bfq)
            snprintf(buf, sizeof(buf), "%u", (unsigned)io->weight);
        else
            snprintf(buf, sizeof(buf), "%" PRIu64, cg_blkio_weight_to_io(io->weight));
        if (cg_write(dir, bfq ? "io.bfq.weight" : "io.weight", buf, err) < 0)
            return rl_error_wrap(err, R "blockIO.weight");
    }
    for (size_t i = 0; i < io->n_weight_device; i++) {
        const struct rl_block_io_device *d = &io->weight_device[i];
        if (!d->has_weight)
            continue;
        uint64_t w = bfq ? d->weight : cg_blkio_weight_to_io(d->weight);
        snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, w);
        if (cg_write(dir, bfq ? "io.bfq.weight" : "io.weight", buf, err) < 0)
            return rl_error_wrap(err, R "blockIO.weightDevice[%zu]", i);
    }
    if (io_max(dir, "rbps", io->throttle_read_bps, io->n_throttle_read_bps,
               R "blockIO.throttleReadBpsDevice", err) < 0 ||
        io_max(dir, "wbps", io->throttle_write_bps, io->n_throttle_write_bps,
               R "blockIO.throttleWriteBpsDevice", err) < 0 ||
        io_max(dir, "riops", io->throttle_read_iops, io->n_throttle_read_iops,
               R "blockIO.throttleReadIOPSDevice", err) < 0 ||
        io_max(dir, "wiops", io->throttle_write_iops, io->n_throttle_write_iops,
               R "blockIO.throttleWriteIOPSDevice", err) < 0)
        return -1;
    return 0;
}

int cgv2_apply_more(struct rl_cgroup *cg, const char *dir, const struct rl_resources *r,
                    struct rl_error **err)
{
    (void)cg;
    if (cgv2_refusals(r, err) < 0)
        return -1;
    if (r->memory.has_swappiness)
        rl_log(RL_LOG_WARN, "linux.resources.memory.swappiness: ignored on cgroup v2 (no "
                            "per-cgroup swappiness)");
    /* 0 asks for nothing (Docker's update sends it) */
    if (r->memory.has_kernel && r->memory.kernel != 0)
        rl_warn(R "memory.kernel: ignored: cgroup v2 has no kernel memory limit (kernel "
                  "memory counts against memory.max)");
    if (r->memory.has_kernel_tcp && r->memory.kernel_tcp != 0)
        rl_warn(R "memory.kernelTCP: ignored: cgroup v2 has no TCP kernel memory limit");
    if (v2_cpu_more(dir, r, err) < 0 || v2_io(dir, r, err) < 0 ||
        cg_hugetlb_apply(dir, r, true, err) < 0 || cg_rdma_apply(dir, r, err) < 0)
        return -1;
    return cg_unified_write(dir, r->unified, r->n_unified, err);
}
