/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Hybrid manager: the v1 controller hierarchies carry every limit, and the
 * container also gets a directory in the controller-less cgroup2 hierarchy
 * (usually /sys/fs/cgroup/unified), as runc does. Directory work (create,
 * add_pid, destroy) walks all hierarchies through the v1 code; the cgroup2
 * directory gives clone3(CLONE_INTO_CGROUP), cgroup.kill, the process list
 * and, when no v1 freezer is mounted, cgroup.freeze. */
#include "cgroup_internal.h"

#include "rustlet/utils.h"

#include <signal.h>
#include <sys/stat.h>

/* The unified directory if it exists (the container's processes are then
 * there as well), else NULL. */
static const char *unified_dir(struct rl_cgroup *cg)
{
    struct cg_hier *h = cg_find_unified(cg);
    struct stat st;
    if (h == NULL || stat(h->abs, &st) < 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return h->abs;
}

static int hy_open_unified(struct rl_cgroup *cg)
{
    struct cg_hier *h = cg_find_unified(cg);
    if (h == NULL) {
        errno = ENOENT;
        return -1;
    }
    return cgv2_open_dir(h->abs);
}

static int hy_pids(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err)
{
    const char *dir = unified_dir(cg);
    if (dir != NULL)
        return cg_read_procs_tree(dir, pids, n, err);
    return cgv1_pids(cg, pids, n, err);
}

static int hy_kill_all(struct rl_cgroup *cg, int sig, struct rl_error **err)
{
    const char *dir = unified_dir(cg);
    if (sig == SIGKILL && dir != NULL) {
        int r = cgv2_kill_dir(dir, err);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    return cg_kill_frozen(cg, sig, err);
}

static int hy_freeze(struct rl_cgroup *cg, bool frozen, struct rl_error **err)
{
    const char *dir = unified_dir(cg);
    if (cg_find_controller(cg, "freezer") == NULL && dir != NULL)
        return cgv2_freeze_dir(dir, frozen, err);
    return cgv1_freezer_set(cg, frozen, err);
}

static int hy_is_frozen(struct rl_cgroup *cg, bool *frozen, struct rl_error **err)
{
    const char *dir = unified_dir(cg);
    if (cg_find_controller(cg, "freezer") == NULL && dir != NULL)
        return cgv2_is_frozen_dir(dir, frozen, err);
    return cgv1_freezer_get(cg, frozen, err);
}

const struct rl_cgroup_ops cg_hybrid_ops = {
    .name = "hybrid",
    .create = cgv1_create,
    .apply = cgv1_apply,
    .open_unified = hy_open_unified,
    .add_pid = cgv1_add_pid,
    .pids = hy_pids,
    .kill_all = hy_kill_all,
    .destroy = cgv1_destroy,
    .freeze = hy_freeze,
    .is_frozen = hy_is_frozen,
};
