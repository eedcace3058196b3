/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroup v2 manager: one directory in the unified hierarchy. Controllers
 * are enabled from the hierarchy root down through cgroup.subtree_control.
 * The cgroupv2-directory helpers (freeze, kill, open) also serve hybrid. */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* ---- conversions (v1 semantics of the spec -> v2 files) ---- */

/* cpu.shares -> cpu.weight, runc's linear map of [2, 262144] onto
 * [1, 10000]: weight = 1 + ((shares - 2) * 9999) / 262142. Shares outside
 * the v1 range are clamped to it first (the v1 kernel does the same);
 * 0 means "not set" and stays 0. 2 -> 1, 1024 -> 39, 262144 -> 10000. */
uint64_t rl_cgroup_shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 0;
    if (shares < 2)
        shares = 2;
    if (shares > 262144)
        shares = 262144;
    return 1 + ((shares - 2) * 9999) / 262142;
}

/* The spec's memory.swap is memory+swap (v1 memsw); v2's memory.swap.max is
 * swap alone: swap.max = swap - limit (runc's conversion). -1 stays -1
 * (unlimited), 0 stays 0 (not set), and limit -1 with no swap means both
 * unlimited. A swap limit needs a memory limit and must be >= it. */
int rl_cgroup_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, struct rl_error **err)
{
    if (limit == -1 && swap == 0) {
        *out = -1;
        return 0;
    }
    if (swap == -1 || swap == 0) {
        *out = swap;
        return 0;
    }
    if (limit == 0 || limit == -1)
        return rl_error(err, "linux.resources.memory.swap: a swap limit needs a memory limit");
    if (limit < 0 || swap < 0)
        return rl_error(err, "linux.resources.memory: negative limit or swap");
    if (swap < limit)
        return rl_error(err,
                        "linux.resources.memory.swap: memory+swap (%" PRId64 ") is "
                        "below the memory limit (%" PRId64 ")",
                        swap, limit);
    *out = swap - limit;
    return 0;
}

/* -1 -> "max", else the number. */
static void v2_num(char *buf, size_t len, int64_t v)
{
    if (v == -1)
        snprintf(buf, len, "max");
    else
        snprintf(buf, len, "%" PRId64, v);
}

static int v2_write(const char *dir, const char *file, const char *v, const char *cfg,
                    struct rl_error **err)
{
    if (cg_write(dir, file, v, err) < 0)
        return rl_error_wrap(err, "%s", cfg);
    return 0;
}

/* ---- controllers needed by the resources ---- */

struct v2_need {
    const char *ctl;
    const char *cfg;
};

static bool need_memory(const struct rl_resources *r)
{
    return r->memory.present && ((r->memory.has_limit && r->memory.limit != 0) ||
                                 (r->memory.has_swap && r->memory.swap != 0) ||
                                 (r->memory.has_reservation && r->memory.reservation != 0));
}

static bool need_cpu(const struct rl_resources *r)
{
    return r->cpu.present &&
           ((r->cpu.has_shares && r->cpu.shares != 0) || (r->cpu.has_quota && r->cpu.quota != 0) ||
            (r->cpu.has_period && r->cpu.period != 0));
}

static bool need_cpuset(const struct rl_resources *r)
{
    return r->cpu.present && ((r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems));
}

static bool need_io(const struct rl_resources *r)
{
    const __typeof__(r->block_io) *io = &r->block_io;
    return (io->has_weight && io->weight != 0) || io->n_weight_device || io->n_throttle_read_bps ||
           io->n_throttle_write_bps || io->n_throttle_read_iops || io->n_throttle_write_iops;
}

#define MAX_NEED 16

static void need_add(struct v2_need *out, size_t *n, const char *ctl, const char *cfg)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(out[i].ctl, ctl) == 0)
            return;
    if (*n < MAX_NEED)
        out[(*n)++] = (struct v2_need){ctl, cfg};
}

/* The controller of each unified key ("memory.high" -> memory); keys of
 * the core ("cgroup.*") need none. Names point into a static table so the
 * result outlives the call. */
static void need_unified(const struct rl_resources *r, struct v2_need *out, size_t *n)
{
    static const char *const ctls[] = {"cpu",  "cpuset",  "io",   "memory",
                                       "pids", "hugetlb", "rdma", "misc"};
    for (size_t i = 0; i < r->n_unified; i++) {
        const char *k = r->unified[i].key;
        size_t len = k ? strcspn(k, ".") : 0;
        for (size_t j = 0; j < ARRAY_SIZE(ctls); j++)
            if (strlen(ctls[j]) == len && strncmp(ctls[j], k, len) == 0)
                need_add(out, n, ctls[j], "linux.resources.unified");
    }
}

static size_t needed(const struct rl_resources *r, struct v2_need out[MAX_NEED])
{
    size_t n = 0;
    if (r == NULL || !r->present)
        return 0;
    if (need_cpu(r) || r->cpu.has_burst || r->cpu.has_idle)
        need_add(out, &n, "cpu", "linux.resources.cpu");
    if (need_cpuset(r))
        need_add(out, &n, "cpuset", "linux.resources.cpu");
    if (need_memory(r))
        need_add(out, &n, "memory", "linux.resources.memory");
    if (r->pids.present)
        need_add(out, &n, "pids", "linux.resources.pids");
    if (need_io(r))
        need_add(out, &n, "io", "linux.resources.blockIO");
    if (r->n_hugepage_limits)
        need_add(out, &n, "hugetlb", "linux.resources.hugepageLimits");
    if (r->n_rdma)
        need_add(out, &n, "rdma", "linux.resources.rdma");
    need_unified(r, out, &n);
    return n;
}

static bool word_in(const char *text, const char *word)
{
    size_t len = strlen(word);
    for (const char *s = text; *s;) {
        s += strspn(s, " \t\n");
        size_t n = strcspn(s, " \t\n");
        if (n == len && strncmp(s, word, n) == 0)
            return true;
        s += n;
    }
    return false;
}

/* The kernel's EBUSY/EOPNOTSUPP when a parent holds processes and also
 * hands controllers to children (cgroup v2's no-internal-process rule, e.g.
 * a cgroupsPath below a running container's cgroup) says nothing about
 * why: add it, naming the parent. dir is the parent. */
static void internal_process_hint(const char *parent, struct rl_error **err)
{
    if (err == NULL || *err == NULL || ((*err)->errnum != EBUSY && (*err)->errnum != EOPNOTSUPP))
        return;
    _cleanup_free_ char *procs = cg_read(parent, "cgroup.procs", NULL);
    if (procs == NULL || procs[0] == '\0')
        return;
    struct rl_error *old = *err;
    *err = NULL;
    rl_error_code(err, old->errnum,
                  "%s (cgroup v2 has no processes in a cgroup whose "
                  "children get controllers, and %s holds pid %.*s: move its processes into "
                  "a leaf cgroup first)",
                  old->msg, parent, (int)strcspn(procs, "\n"), procs);
    rl_error_free(old);
}

/* Enable the needed controllers in dir's cgroup.subtree_control (one write
 * "+cpu +memory"), after checking dir's cgroup.controllers has them. */
static int enable_level(const char *dir, bool root, const struct v2_need *need, size_t n,
                        struct rl_error **err)
{
    _cleanup_free_ char *avail = cg_read(dir, "cgroup.controllers", err);
    _cleanup_free_ char *on = avail ? cg_read(dir, "cgroup.subtree_control", err) : NULL;
    if (on == NULL)
        return rl_error_wrap(err, "%s", need[0].cfg);
    char add[256] = "", cfgs[512] = "";
    for (size_t i = 0; i < n; i++) {
        if (!word_in(avail, need[i].ctl))
            return rl_error(err, "%s: the %s controller is not available in %s", need[i].cfg,
                            need[i].ctl, dir);
        if (word_in(on, need[i].ctl))
            continue;
        snprintf(add + strlen(add), sizeof(add) - strlen(add), "%s+%s", *add ? " " : "",
                 need[i].ctl);
        if (strstr(cfgs, need[i].cfg) == NULL)
            snprintf(cfgs + strlen(cfgs), sizeof(cfgs) - strlen(cfgs), "%s%s", *cfgs ? ", " : "",
                     need[i].cfg);
    }
    /* a non-root cgroup with processes: the kernel refuses domain
     * controllers (EBUSY) but takes threaded ones (pids, cpu, cpuset) and
     * then no child can take a process (EOPNOTSUPP). Refuse before writing,
     * so a failed create leaves the parent as it was. */
    if (*add && !root) {
        _cleanup_free_ char *procs = cg_read(dir, "cgroup.procs", NULL);
        if (procs && procs[0]) {
            rl_error_code(err, EBUSY, "enable %s in %s/cgroup.subtree_control", add, dir);
            internal_process_hint(dir, err);
            return rl_error_wrap(err, "%s", cfgs);
        }
    }
    if (*add && cg_write(dir, "cgroup.subtree_control", add, err) < 0) {
        internal_process_hint(dir, err);
        return rl_error_wrap(err, "%s", cfgs);
    }
    return 0;
}

/* From the hierarchy root down to the parent of the container's cgroup. */
static int enable_controllers(const struct cg_hier *h, const struct rl_resources *res,
                              struct rl_error **err)
{
    struct v2_need need[MAX_NEED];
    size_t n = needed(res, need);
    if (n == 0)
        return 0;
    _cleanup_free_ char *level = xstrdup(h->mount);
    for (const char *s = h->dir; *s;) {
        if (enable_level(level, strcmp(level, h->mount) == 0, need, n, err) < 0)
            return -1;
        while (*s == '/')
            s++;
        size_t k = strcspn(s, "/");
        if (s[k] == '\0')
            break; /* the last component is the container's own cgroup */
        char *next = xasprintf("%s/%.*s", level, (int)k, s);
        free(level);
        level = next;
        s += k;
    }
    return 0;
}

int cgv2_enable(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    return enable_controllers(cg_find_unified(cg), res, err);
}

static int v2_create(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    struct cg_hier *h = cg_find_unified(cg);
    if (cg_mkdir(h, NULL, err) < 0 || enable_controllers(h, res, err) < 0)
        return rl_error_wrap(err, "create cgroup %s", h->dir);
    return 0;
}

/* ---- apply ---- */

/* v2 memory: limit -> memory.max, reservation -> memory.low, swap ->
 * memory.swap.max (converted, see rl_cgroup_swap_to_v2); -1 -> "max",
 * 0 -> not written. swap == limit gives swap.max 0: no swap at all. */
static int v2_memory(const char *dir, const struct rl_resources *res, struct rl_error **err)
{
    int64_t limit = res->memory.has_limit ? res->memory.limit : 0;
    int64_t swap = res->memory.has_swap ? res->memory.swap : 0;
    int64_t resv = res->memory.has_reservation ? res->memory.reservation : 0;
    int64_t swap2 = 0; /* set on success; 0 keeps -Wmaybe-uninitialized quiet */
    char buf[32];
    if (rl_cgroup_swap_to_v2(swap, limit, &swap2, err) < 0)
        return -1;
    if (swap2 != 0 || swap > 0) {
        v2_num(buf, sizeof(buf), swap2);
        if (v2_write(dir, "memory.swap.max", buf, "linux.resources.memory.swap", err) < 0)
            return -1;
    }
    if (limit != 0) {
        if (cgv2_check_before_update(dir, res, err) < 0)
            return -1;
        v2_num(buf, sizeof(buf), limit);
        if (v2_write(dir, "memory.max", buf, "linux.resources.memory.limit", err) < 0)
            return -1;
    }
    if (resv != 0) {
        v2_num(buf, sizeof(buf), resv);
        if (v2_write(dir, "memory.low", buf, "linux.resources.memory.reservation", err) < 0)
            return -1;
    }
    return 0;
}

/* v2 cpu: shares -> cpu.weight (rl_cgroup_shares_to_weight); quota/period
 * -> cpu.max "<quota> <period>", quota <= 0 -> "max", the period only when
 * set (else the kernel keeps its period); cpus/mems -> cpuset.cpus/mems. */
static int v2_cpu(const char *dir, const struct rl_resources *res, struct rl_error **err)
{
    char buf[64];
    if (res->cpu.has_shares && res->cpu.shares != 0) {
        snprintf(buf, sizeof(buf), "%" PRIu64, rl_cgroup_shares_to_weight(res->cpu.shares));
        if (v2_write(dir, "cpu.weight", buf, "linux.resources.cpu.shares", err) < 0)
            return -1;
    }
    int64_t quota = res->cpu.has_quota ? res->cpu.quota : 0;
    uint64_t period = res->cpu.has_period ? res->cpu.period : 0;
    if (quota != 0 || period != 0) {
        int n = quota > 0 ? snprintf(buf, sizeof(buf), "%" PRId64, quota)
                          : snprintf(buf, sizeof(buf), "max");
        if (period != 0)
            snprintf(buf + n, sizeof(buf) - (size_t)n, " %" PRIu64, period);
        const char *cfg = quota != 0 ? "linux.resources.cpu.quota" : "linux.resources.cpu.period";
        if (v2_write(dir, "cpu.max", buf, cfg, err) < 0)
            return -1;
    }
    if (res->cpu.cpus && *res->cpu.cpus &&
        v2_write(dir, "cpuset.cpus", res->cpu.cpus, "linux.resources.cpu.cpus", err) < 0)
        return -1;
    if (res->cpu.mems && *res->cpu.mems &&
        v2_write(dir, "cpuset.mems", res->cpu.mems, "linux.resources.cpu.mems", err) < 0)
        return -1;
    return 0;
}

static int v2_apply(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    const char *dir = cg_find_unified(cg)->abs;
    if (cgv2_refusals(res, err) < 0)
        return -1;
    if (need_memory(res) && v2_memory(dir, res, err) < 0)
        return -1;
    if (res->cpu.present && v2_cpu(dir, res, err) < 0)
        return -1;
    if (res->pids.present) {
        /* pids.limit -> pids.max: positive as is, 0 or -1 -> "max" (runc). */
        char buf[32] = "max";
        if (res->pids.limit >= 0) /* 0 is a valid limit (spec 1.3) */
            snprintf(buf, sizeof(buf), "%" PRId64, res->pids.limit);
        if (v2_write(dir, "pids.max", buf, "linux.resources.pids.limit", err) < 0)
            return -1;
    }
    if (cgv2_apply_more(cg, dir, res, err) < 0)
        return -1;
    /* The v2 device controller is an eBPF program attached to the cgroup
     * (cgroup_devices.c); an empty rule list (update) leaves it alone. */
    if (res->n_devices > 0 && cgv2_devices_apply(dir, res->devices, res->n_devices, err) < 0)
        return -1;
    return 0;
}

/* ---- cgroup2 directory helpers (v2 and hybrid) ---- */

int cgv2_open_dir(const char *dir)
{
    /* clone3(CLONE_INTO_CGROUP) takes the fd with fdget_raw and only looks
     * at the inode, so an O_PATH fd is enough (checked on 6.18). */
    return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int cgv2_freeze_dir(const char *dir, bool frozen, struct rl_error **err)
{
    if (cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
        return -1;
    if (!frozen)
        return 0;
    /* The kernel reports completion with "frozen 1" in cgroup.events. */
    for (unsigned i = 0; i < 200; i++) {
        _cleanup_free_ char *ev = cg_read(dir, "cgroup.events", err);
        if (ev == NULL)
            return -1;
        if (strstr(ev, "frozen 1") != NULL)
            return 0;
        cg_sleep_ms(10);
    }
    cg_write(dir, "cgroup.freeze", "0", NULL);
    return rl_error_code(err, EBUSY, "freeze %s: cgroup.events not \"frozen 1\" after 2s", dir);
}

int cgv2_is_frozen_dir(const char *dir, bool *frozen, struct rl_error **err)
{
    struct rl_error *e = NULL;
    _cleanup_free_ char *s = cg_read_line(dir, "cgroup.freeze", &e);
    *frozen = false;
    if (s == NULL) {
        if (errno == ENOENT) {
            rl_error_free(e);
            return 0;
        }
        rl_error_move(err, &e);
        return -1;
    }
    *frozen = strcmp(s, "1") == 0;
    return 0;
}

int cgv2_kill_dir(const char *dir, struct rl_error **err)
{
    struct rl_error *e = NULL;
    if (cg_write(dir, "cgroup.kill", "1", &e) == 0)
        return 1;
    if (e->errnum == ENOENT) { /* kernel < 5.14, or the cgroup is gone */
        rl_error_free(e);
        return 0;
    }
    rl_error_move(err, &e);
    return -1;
}

/* ---- the v2 manager ---- */

static int v2_open_unified(struct rl_cgroup *cg)
{
    return cgv2_open_dir(cg_find_unified(cg)->abs);
}

static int v2_add_pid(struct rl_cgroup *cg, pid_t pid, struct rl_error **err)
{
    const struct cg_hier *h = cg_find_unified(cg);
    if (cg_add_pid_hier(h, pid, err) < 0) {
        _cleanup_free_ char *parent = xstrdup(h->abs);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent)
            *slash = '\0';
        internal_process_hint(parent, err);
        return rl_error_wrap(err, "add pid %d to cgroup", (int)pid);
    }
    return 0;
}

static int v2_pids(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err)
{
    return cg_read_procs_tree(cg_find_unified(cg)->abs, pids, n, err);
}

static int v2_kill_all(struct rl_cgroup *cg, int sig, struct rl_error **err)
{
    if (sig == SIGKILL) {
        int r = cgv2_kill_dir(cg_find_unified(cg)->abs, err);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    return cg_kill_frozen(cg, sig, err);
}

static int v2_destroy(struct rl_cgroup *cg, struct rl_error **err)
{
    struct cg_hier *h = cg_find_unified(cg);
    if (cg_rmdir_tree(h->abs, err) < 0)
        return -1;
    cg_rmdir_created_parents(h);
    return 0;
}

static int v2_freeze(struct rl_cgroup *cg, bool frozen, struct rl_error **err)
{
    return cgv2_freeze_dir(cg_find_unified(cg)->abs, frozen, err);
}

static int v2_is_frozen(struct rl_cgroup *cg, bool *frozen, struct rl_error **err)
{
    return cgv2_is_frozen_dir(cg_find_unified(cg)->abs, frozen, err);
}

const struct rl_cgroup_ops cg_v2_ops = {
    .name = "v2",
    .create = v2_create,
    .apply = v2_apply,
    .open_unified = v2_open_unified,
    .add_pid = v2_add_pid,
    .pids = v2_pids,
    .kill_all = v2_kill_all,
    .destroy = v2_destroy,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
};
