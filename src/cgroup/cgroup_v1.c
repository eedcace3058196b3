/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroup v1 manager: one directory per mounted hierarchy (controllers,
 * co-mounted ones like "cpu,cpuacct", and named ones like name=systemd).
 * The hybrid manager (cgroup_hybrid.c) reuses create/apply/add_pid/destroy:
 * they walk every hierarchy, the unified one included. */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- create ---- */

static bool blank(const char *s)
{
    return s == NULL || s[strspn(s, " \t\n")] == '\0';
}

/* A new cpuset cgroup starts with empty cpuset.cpus/mems, and attaching a
 * process to it then fails with ENOSPC: copy the parent's values. */
static int cpuset_inherit(const char *parent, const char *dir, struct rl_error **err)
{
    static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        _cleanup_free_ char *mine = cg_read(dir, files[i], err);
        if (mine == NULL)
            return -1;
        if (!blank(mine))
            continue;
        _cleanup_free_ char *theirs = cg_read_line(parent, files[i], err);
        if (theirs == NULL || cg_write(dir, files[i], theirs, err) < 0)
            return -1;
    }
    return 0;
}

int cgv1_create(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; i < p->n; i++) {
        struct cg_hier *h = &p->h[i];
        /* each level of a cpuset gets its parent's cpus and mems */
        bool cpuset = !h->unified && cg_list_has(h->name, "cpuset");
        if (cg_mkdir(h, cpuset ? cpuset_inherit : NULL, err) < 0)
            return rl_error_wrap(err, "create cgroup %s", h->dir);
    }
    return 0;
}

/* ---- apply ---- */

static const char *ctl_dir(struct rl_cgroup *cg, const char *controller, const char *cfg,
                           struct rl_error **err)
{
    struct cg_hier *h = cg_find_controller(cg, controller);
    if (h == NULL) {
        rl_error(err, "%s: the %s controller is not mounted under %s", cfg, controller, cg->root);
        return NULL;
    }
    return h->abs;
}

static int write_i64(const char *dir, const char *file, int64_t v, const char *cfg,
                     struct rl_error **err)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, v);
    if (cg_write(dir, file, buf, err) < 0)
        return rl_error_wrap(err, "%s", cfg);
    return 0;
}

static uint64_t current_limit(const char *dir)
{
    _cleanup_free_ char *s = cg_read_line(dir, "memory.limit_in_bytes", NULL);
    uint64_t v = 0;
    if (s == NULL || rl_parse_u64(s, &v) < 0)
        return 0;
    return v;
}

/* v1 memory: limit -> memory.limit_in_bytes, reservation ->
 * memory.soft_limit_in_bytes, swap -> memory.memsw.limit_in_bytes (the
 * spec's swap is memory+swap, as memsw is). -1 is written as is (the kernel
 * reads it as unlimited). As in runc, 0 means "not set", and limit -1 with
 * no swap sets swap to -1 too. The kernel keeps limit <= memsw at every
 * moment, so when the new memsw is above the current limit (raising), memsw
 * is written first, else the limit first. */
static int v1_memory(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    int64_t limit = res->memory.has_limit ? res->memory.limit : 0;
    int64_t swap = res->memory.has_swap ? res->memory.swap : 0;
    int64_t resv = res->memory.has_reservation ? res->memory.reservation : 0;
    if (limit == 0 && swap == 0 && resv == 0)
        return 0;
    const char *dir = ctl_dir(cg, "memory", "linux.resources.memory", err);
    if (dir == NULL)
        return -1;
    static const char *const L = "memory.limit_in_bytes", *const S = "memory.memsw.limit_in_bytes";
    static const char *const LC = "linux.resources.memory.limit";
    static const char *const SC = "linux.resources.memory.swap";
    if (limit == -1 && swap == 0)
        swap = -1;
    if (limit != 0 && swap != 0) {
        bool memsw_first = swap == -1 || current_limit(dir) < (uint64_t)swap;
        if (memsw_first &&
            (write_i64(dir, S, swap, SC, err) < 0 || write_i64(dir, L, limit, LC, err) < 0))
            return -1;
        if (!memsw_first &&
            (write_i64(dir, L, limit, LC, err) < 0 || write_i64(dir, S, swap, SC, err) < 0))
            return -1;
    } else if (limit != 0 && write_i64(dir, L, limit, LC, err) < 0) {
        return -1;
    } else if (swap != 0 && write_i64(dir, S, swap, SC, err) < 0) {
        return -1;
    }
    if (resv != 0)
        return write_i64(dir, "memory.soft_limit_in_bytes", resv,
                         "linux.resources.memory.reservation", err);
    return 0;
}

/* v1 cfs: period first; a smaller period can be refused (EINVAL) while the
 * old quota is in place, so then it is written again after the quota. */
static int v1_cfs(const char *dir, const struct rl_resources *res, struct rl_error **err)
{
    int64_t quota = res->cpu.has_quota ? res->cpu.quota : 0;
    uint64_t period = res->cpu.has_period ? res->cpu.period : 0;
    bool period_again = false;
    struct rl_error *e = NULL;
    if (period != 0 && write_i64(dir, "cpu.cfs_period_us", (int64_t)period,
                                 "linux.resources.cpu.period", &e) < 0) {
        if (e->errnum != EINVAL || quota == 0) {
            rl_error_move(err, &e);
            return -1;
        }
        rl_error_free(e);
        period_again = true;
    }
    if (quota != 0 &&
        write_i64(dir, "cpu.cfs_quota_us", quota, "linux.resources.cpu.quota", err) < 0)
        return -1;
    if (period_again)
        return write_i64(dir, "cpu.cfs_period_us", (int64_t)period, "linux.resources.cpu.period",
                         err);
    return 0;
}

static int write_str(const char *dir, const char *file, const char *v, const char *cfg,
                     struct rl_error **err)
{
    if (cg_write(dir, file, v, err) < 0)
        return rl_error_wrap(err, "%s", cfg);
    return 0;
}

/* v1 cpu: shares -> cpu.shares (0 = not set), quota/period ->
 * cpu.cfs_quota_us/cpu.cfs_period_us (0 = not set, quota -1 = unlimited),
 * cpus/mems -> cpuset.cpus/cpuset.mems of the cpuset hierarchy. */
static int v1_cpu(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    const char *dir;
    bool cfs = (res->cpu.has_quota && res->cpu.quota != 0) ||
               (res->cpu.has_period && res->cpu.period != 0);
    bool shares = res->cpu.has_shares && res->cpu.shares != 0;
    if (shares || cfs) {
        if ((dir = ctl_dir(cg, "cpu", "linux.resources.cpu", err)) == NULL)
            return -1;
        if (shares && write_i64(dir, "cpu.shares", (int64_t)res->cpu.shares,
                                "linux.resources.cpu.shares", err) < 0)
            return -1;
        if (cfs && v1_cfs(dir, res, err) < 0)
            return -1;
    }
    bool cpus = res->cpu.cpus && *res->cpu.cpus, mems = res->cpu.mems && *res->cpu.mems;
    if (!cpus && !mems)
        return 0;
    if ((dir = ctl_dir(cg, "cpuset", "linux.resources.cpu", err)) == NULL)
        return -1;
    if (cpus && write_str(dir, "cpuset.cpus", res->cpu.cpus, "linux.resources.cpu.cpus", err) < 0)
        return -1;
    if (mems && write_str(dir, "cpuset.mems", res->cpu.mems, "linux.resources.cpu.mems", err) < 0)
        return -1;
    return 0;
}

/* pids.limit -> pids.max: 0 and positive limits as they are (spec 1.3: 0
 * is a valid limit and SHOULD be treated as such), negative -> "max".
 * pids.present is only set when a limit was given. */
static int pids_max(struct rl_cgroup *cg, const char *dir, const struct rl_resources *res,
                    struct rl_error **err)
{
    if (res->pids.limit < 0)
        return write_str(dir, "pids.max", "max", "linux.resources.pids.limit", err);
    return write_i64(dir, "pids.max", res->pids.limit, "linux.resources.pids.limit", err);
}

/* v1 devices: each rule in order, "allow" to devices.allow and "deny" to
 * devices.deny, as "<type> <major>:<minor> <access>" (see cg_device_rule). */
static int v1_devices(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    if (res->n_devices == 0)
        return 0;
    /* Hybrid: the v1 devices controller, as runc (one filter is enough; the
     * kernel would run both). Only where no v1 devices hierarchy is mounted
     * does the eBPF program go on the cgroup2 directory, so that the rules
     * still hold (runc fails there). */
    struct cg_hier *u = cg_find_unified(cg);
    if (cg_find_controller(cg, "devices") == NULL && cg->mode == RL_CGROUP_HYBRID && u != NULL)
        return cgv2_devices_apply(u->abs, res->devices, res->n_devices, err);
    const char *dir = ctl_dir(cg, "devices", "linux.resources.devices", err);
    if (dir == NULL)
        return -1;
    for (size_t i = 0; i < res->n_devices; i++) {
        const struct rl_device_cgroup *d = &res->devices[i];
        _cleanup_free_ char *rule = cg_device_rule(d);
        _cleanup_free_ char *line = xasprintf("%s\n", rule);
        if (cg_append(dir, d->allow ? "devices.allow" : "devices.deny", line, err) < 0)
            return rl_error_wrap(err, "linux.resources.devices[%zu]", i);
    }
    return 0;
}

int cgv1_apply(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    if (res->memory.present && v1_memory(cg, res, err) < 0)
        return -1;
    if (res->cpu.present && v1_cpu(cg, res, err) < 0)
        return -1;
    if (res->pids.present) {
        const char *dir = ctl_dir(cg, "pids", "linux.resources.pids", err);
        if (dir == NULL || pids_max(cg, dir, res, err) < 0)
            return -1;
    }
    if (cgv1_apply_more(cg, res, err) < 0)
        return -1;
    return v1_devices(cg, res, err);
}

/* ---- processes ---- */

int cgv1_add_pid(struct rl_cgroup *cg, pid_t pid, struct rl_error **err)
{
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; i < p->n; i++) {
        if (cg_add_pid_hier(&p->h[i], pid, err) < 0)
            return rl_error_wrap(err, "add pid %d to cgroup", (int)pid);
    }
    return 0;
}

static const struct cg_hier *v1_procs_hier(struct rl_cgroup *cg)
{
    const struct cg_hier *h = cg_find_controller(cg, "pids");
    if (h == NULL)
        h = cg_find_controller(cg, "memory");
    struct cg_priv *p = cg_priv(cg);
    for (size_t i = 0; h == NULL && i < p->n; i++)
        if (!p->h[i].unified)
            h = &p->h[i];
    return h;
}

int cgv1_pids(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err)
{
    const struct cg_hier *h = v1_procs_hier(cg);
    return h ? cg_read_procs_tree(h->abs, pids, n, err) : 0;
}

int cg_kill_frozen(struct rl_cgroup *cg, int sig, struct rl_error **err)
{
    /* Frozen, no process can fork a child that the walk would miss. Without
     * a usable freezer, signal anyway. */
    struct rl_error *ferr = NULL;
    bool frozen = cg->ops->freeze(cg, true, &ferr) == 0;
    rl_error_free(ferr);
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    int ret = rl_cgroup_pids(cg, &pids, &n, err);
    if (ret == 0)
        ret = cg_signal_pids(pids, n, sig, err);
    if (frozen) {
        struct rl_error *terr = NULL;
        if (cg->ops->freeze(cg, false, &terr) < 0 && ret == 0) {
            rl_error_move(err, &terr);
            ret = -1;
        }
        rl_error_free(terr);
    }
    return ret;
}

int cgv1_destroy(struct rl_cgroup *cg, struct rl_error **err)
{
    struct cg_priv *p = cg_priv(cg);
    int ret = 0;
    for (size_t i = 0; i < p->n; i++) {
        struct rl_error *e = NULL;
        if (cg_rmdir_tree(p->h[i].abs, &e) < 0) {
            if (ret == 0)
                rl_error_move(err, &e);
            rl_error_free(e);
            ret = -1;
        } else {
            cg_rmdir_created_parents(&p->h[i]);
        }
    }
    return ret;
}

/* ---- freezer ---- */

int cgv1_freezer_set(struct rl_cgroup *cg, bool frozen, struct rl_error **err)
{
    const char *dir = ctl_dir(cg, "freezer", frozen ? "pause" : "resume", err);
    if (dir == NULL)
        return -1;
    if (!frozen)
        return cg_write(dir, "freezer.state", "THAWED", err);
    /* FREEZING until every task stopped; write again now and then. */
    for (unsigned i = 0; i < 200; i++) {
        if (i % 10 == 0 && cg_write(dir, "freezer.state", "FROZEN", err) < 0)
            return -1;
        _cleanup_free_ char *state = cg_read_line(dir, "freezer.state", err);
        if (state == NULL)
            return -1;
        if (strcmp(state, "FROZEN") == 0)
            return 0;
        cg_sleep_ms(10);
    }
    cg_write(dir, "freezer.state", "THAWED", NULL);
    return rl_error_code(err, EBUSY, "freeze %s: still not FROZEN after 2s", dir);
}

int cgv1_freezer_get(struct rl_cgroup *cg, bool *frozen, struct rl_error **err)
{
    struct cg_hier *h = cg_find_controller(cg, "freezer");
    *frozen = false;
    if (h == NULL)
        return 0;
    struct rl_error *e = NULL;
    _cleanup_free_ char *state = cg_read_line(h->abs, "freezer.state", &e);
    if (state == NULL) {
        if (errno == ENOENT) { /* no such cgroup (any more) */
            rl_error_free(e);
            return 0;
        }
        rl_error_move(err, &e);
        return -1;
    }
    *frozen = strcmp(state, "FROZEN") == 0;
    return 0;
}

static int v1_open_unified(struct rl_cgroup *cg)
{
    errno = ENOENT;
    return -1;
}

const struct rl_cgroup_ops cg_v1_ops = {
    .name = "v1",
    .create = cgv1_create,
    .apply = cgv1_apply,
    .open_unified = v1_open_unified,
    .add_pid = cgv1_add_pid,
    .pids = cgv1_pids,
    .kill_all = cg_kill_frozen,
    .destroy = cgv1_destroy,
    .freeze = cgv1_freezer_set,
    .is_frozen = cgv1_freezer_get,
};
