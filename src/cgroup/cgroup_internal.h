/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared between the cgroup managers (cgroup.c, cgroup_v1.c, cgroup_v2.c,
 * cgroup_hybrid.c). Prefixes: cg_ common, cgv1_ v1, cgv2_ v2/unified. */
#ifndef RUSTLET_CGROUP_INTERNAL_H
#define RUSTLET_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rustlet/cgroup.h"

/* One mounted hierarchy and the container's directory in it. */
struct cg_hier {
    char *name;     /* controllers as /proc/self/cgroup names them:
                     * "memory", "cpu,cpuacct", "name=systemd"; "unified" for
                     * the cgroup2 hierarchy (hybrid and v2) */
    char *mount;    /* mount point, e.g. "/sys/fs/cgroup/memory" */
    char *dir;      /* container cgroup inside it, e.g. "/process_api/x/c1" */
    char *abs;      /* mount + dir */
    bool unified;   /* the cgroup2 hierarchy */
};

struct cg_priv {
    struct cg_hier *h;
    size_t n;
};

extern const struct rl_cgroup_ops cg_v1_ops;
extern const struct rl_cgroup_ops cg_hybrid_ops;
extern const struct rl_cgroup_ops cg_v2_ops;

static inline struct cg_priv *cg_priv(const struct rl_cgroup *cg)
{
    return cg->priv;
}

/* ---- cgroup.c: files, paths, discovery ---- */

/* Lexically clean an absolute path: no ".", "..", duplicate or trailing '/'.
 * ".." never climbs above "/". */
char *cg_clean_abs(const char *path);
/* Join two absolute cgroup paths (b may be "/"), cleaned. */
char *cg_join(const char *a, const char *b);

/* The hierarchy of the unified dir (hybrid, v2), or of a v1 controller. */
struct cg_hier *cg_find_unified(const struct rl_cgroup *cg);
struct cg_hier *cg_find_controller(const struct rl_cgroup *cg, const char *controller);
/* true if the comma-separated list contains item. */
bool cg_list_has(const char *list, const char *item);

/* Write value (whole, without newline) to dir/file, O_WRONLY|O_TRUNC: no
 * O_CREAT, so a missing control file is an error (also in fake trees).
 * Error: "write <dir>/<file>: <errno text>". */
int cg_write(const char *dir, const char *file, const char *value, struct rl_error **err);
/* Same, appending (devices.allow/deny get one rule per write). */
int cg_append(const char *dir, const char *file, const char *value, struct rl_error **err);
/* Read dir/file (NUL-terminated, trailing newline kept). NULL with *err
 * "read <dir>/<file>: ..."; errno preserved. */
char *cg_read(const char *dir, const char *file, struct rl_error **err);
/* First line of dir/file without the newline. */
char *cg_read_line(const char *dir, const char *file, struct rl_error **err);

/* Append every pid in dir/cgroup.procs and of all child cgroups. A missing
 * dir is empty. */
int cg_read_procs_tree(const char *dir, pid_t **pids, size_t *n, struct rl_error **err);
/* rmdir dir and its child cgroups (children first), retrying EBUSY for about
 * a second; ENOENT is fine. In a fake tree (not cgroupfs) plain files are
 * unlinked first. */
int cg_rmdir_tree(const char *dir, struct rl_error **err);
/* kill(pid, sig) each; ESRCH ignored. */
int cg_signal_pids(const pid_t *pids, size_t n, int sig, struct rl_error **err);
/* mkdir -p mount+dir with 0755. */
int cg_mkdir(const struct cg_hier *h, struct rl_error **err);
/* Write pid into h->abs/cgroup.procs. */
int cg_add_pid_hier(const struct cg_hier *h, pid_t pid, struct rl_error **err);
/* Sleep ms milliseconds. */
void cg_sleep_ms(unsigned ms);

/* ---- cgroup_v2.c: helpers for a cgroup2 directory, used by hybrid ---- */
int cgv2_freeze_dir(const char *dir, bool frozen, struct rl_error **err);
int cgv2_is_frozen_dir(const char *dir, bool *frozen, struct rl_error **err);
/* Write "1" to cgroup.kill. Returns 1 if done, 0 if the kernel has no
 * cgroup.kill (caller falls back), -1 on error. */
int cgv2_kill_dir(const char *dir, struct rl_error **err);
int cgv2_open_dir(const char *dir);

/* ---- cgroup_v1.c: reused by hybrid ---- */
int cgv1_create(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
int cgv1_apply(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
int cgv1_add_pid(struct rl_cgroup *cg, pid_t pid, struct rl_error **err);
/* pids of the pids, else memory, else first v1 hierarchy. */
int cgv1_pids(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err);
int cgv1_destroy(struct rl_cgroup *cg, struct rl_error **err);
int cgv1_freezer_set(struct rl_cgroup *cg, bool frozen, struct rl_error **err);
int cgv1_freezer_get(struct rl_cgroup *cg, bool *frozen, struct rl_error **err);
/* Freeze (if possible), signal every pid of ops->pids, thaw: runc's
 * kill --all, so that no fork slips through between listing and killing. */
int cg_kill_frozen(struct rl_cgroup *cg, int sig, struct rl_error **err);

/* Device rule text for v1 devices.allow/deny: "c 1:3 rwm", "a *:* rwm". */
char *cg_device_rule(const struct rl_device_cgroup *d);
/* true if the rules amount to "allow everything" (or there are none). */
bool cg_devices_allow_all(const struct rl_device_cgroup *d, size_t n);

#endif
