/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared between the cgroup managers (cgroup.c, cgroup_v1.c, cgroup_v2.c,
 * cgroup_hybrid.c). Prefixes: cg_ common, cgv1_ v1, cgv2_ v2/unified. */
#ifndef RUSTLET_CGROUP_INTERNAL_H
#define RUSTLET_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rustlet/cgroup.h"
#include "rustlet/log.h"

/* One mounted hierarchy and the container's directory in it. */
struct cg_hier {
    char *name;    /* controllers as /proc/self/cgroup names them:
                    * "memory", "cpu,cpuacct", "name=systemd"; "unified" for
                    * the cgroup2 hierarchy (hybrid and v2) */
    char *mount;   /* mount point, e.g. "/sys/fs/cgroup/memory" */
    char *dir;     /* container cgroup inside it, e.g. "/process_api/x/c1" */
    char *abs;     /* mount + dir */
    bool unified;  /* the cgroup2 hierarchy */
    char *created; /* the shallowest parent level of dir that create made
                    * ("/testdir" for "/testdir/cgrouptest/c1"); NULL when
                    * every parent existed. destroy removes the empty
                    * parents up to it, never one that existed before. */
};

struct cg_sd;

struct cg_priv {
    struct cg_hier *h;
    size_t n;
    struct cg_sd *sd; /* the systemd driver's unit, NULL for cgroupfs */
};

extern const struct rl_cgroup_ops cg_v1_ops;
extern const struct rl_cgroup_ops cg_hybrid_ops;
extern const struct rl_cgroup_ops cg_v2_ops;
extern const struct rl_cgroup_ops cg_systemd_ops;

static inline struct cg_priv *cg_priv(const struct rl_cgroup *cg)
{
    return cg->priv;
}

/* ---- cgroup.c: files, paths, discovery ---- */

/* A manager of the mode with no hierarchies yet. */
struct rl_cgroup *cg_alloc(const char *root, enum rl_cgroup_mode mode);

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
/* mkdir -p mount+dir with 0755, level by level, recording in h->created
 * the first parent level it made; init (may be NULL) runs for each level
 * (made or not) with its parent's path. */
int cg_mkdir(struct cg_hier *h,
             int (*init)(const char *parent, const char *path, struct rl_error **err),
             struct rl_error **err);
/* After the container's cgroup is gone: rmdir its parents up to
 * h->created while they are empty (best effort, never above it). */
void cg_rmdir_created_parents(const struct cg_hier *h);
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
/* Enable the controllers res needs from the root down to the parent. */
int cgv2_enable(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);

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

/* ---- cgroup_devices.c: device rules as v1 semantics, eBPF for v2 ---- */
struct bpf_insn;
/* One exception of the v1 device model: type 'b'/'c', major/minor -1 for
 * the wildcard, access bits (1 mknod, 2 read, 4 write). */
struct cg_dev_exc {
    char type;
    int64_t major, minor;
    unsigned access;
};
unsigned cg_dev_access_bits(const char *access);
/* Replay the rules as the v1 kernel does: *default_allow and the exception
 * list (malloc'd), whose action is the opposite of the default. */
int cg_dev_emulate(const struct rl_device_cgroup *d, size_t n, bool *default_allow,
                   struct cg_dev_exc **out, size_t *nout, struct rl_error **err);
/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the rules; *insns NULL (and
 * *ninsns 0) when the rules allow everything. */
int cg_dev_program(const struct rl_device_cgroup *d, size_t n, struct bpf_insn **insns,
                   size_t *ninsns, struct rl_error **err);
/* Load and attach the program to the cgroup2 dir, replacing earlier ones. */
int cgv2_devices_apply(const char *dir, const struct rl_device_cgroup *d, size_t n,
                       struct rl_error **err);

/* ---- cgroup_res_v1.c / cgroup_res_v2.c: the resources beyond the basics ---- */
int cgv1_apply_more(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
int cgv2_apply_more(struct rl_cgroup *cg, const char *dir, const struct rl_resources *res,
                    struct rl_error **err);
/* Unified keys: check one key (no path tricks, CONTROLLER.PARAMETER) and
 * write every key to dir, naming the controller when it is not there. */
int cg_unified_check(const char *dir, const char *key, struct rl_error **err);
int cg_unified_write(const char *dir, const struct rl_kv *kv, size_t n, struct rl_error **err);
/* blkio weight 10..1000 -> io.weight 1..10000: 1 + (w - 10) * 9999 / 990. */
uint64_t cg_blkio_weight_to_io(uint64_t w);
/* Write a number; -1 as "max" when max is set. Errors wrapped with cfg. */
int cg_write_num(const char *dir, const char *file, int64_t v, bool max, const char *cfg,
                 struct rl_error **err);
bool cg_file_exists(const char *dir, const char *file);
int cg_hugetlb_apply(const char *dir, const struct rl_resources *r, bool v2, struct rl_error **err);
int cg_rdma_apply(const char *dir, const struct rl_resources *r, struct rl_error **err);
/* v2: what cgroup v2 cannot do at all (no file system access). */
int cgv2_refusals(const struct rl_resources *r, struct rl_error **err);
int cgv2_check_before_update(const char *dir, const struct rl_resources *r, struct rl_error **err);

/* Device rule text for v1 devices.allow/deny: "c 1:3 rwm", "a *:* rwm". */
char *cg_device_rule(const struct rl_device_cgroup *d);
/* true if the rules amount to "allow everything" (or there are none). */
bool cg_devices_allow_all(const struct rl_device_cgroup *d, size_t n);

/* ---- cgroup_systemd.c / cgroup_sdbus.c: the systemd driver ---- */

#define CG_SD_TIMEOUT_S 30

/* One unit property: 't' uint64, 'b' boolean, 's' string, 'u' one pid as
 * "au", 'y' a byte array (bytes/n). */
struct cg_sd_prop {
    const char *name;
    char type;
    uint64_t u;
    const char *s;
    uint8_t *bytes;
    size_t n;
};

struct cg_sd {
    char *slice;              /* "system.slice" */
    char *unit;               /* "rustlet-c1.scope" */
    char *name;               /* the container part of cgroupsPath, for Description */
    struct cg_sd_prop *props; /* from the resources, kept from create to start */
    size_t n_props;
    bool pending; /* create() ran: add_pid starts the unit */
    bool owned;   /* this unit is ours to stop (started, or from the state) */
    void *bus;    /* sd_bus *, connected on first use */
};

/* "slice:prefix:name" -> slice, unit ("prefix-name.scope", "name.scope"
 * without a prefix) and the container name; "" -> system.slice,
 * "rustlet-<id>.scope". Errors name linux.cgroupsPath. */
int cg_sd_parse_path(const char *cgpath, const char *id, char **slice, char **unit, char **name,
                     struct rl_error **err);
/* systemd's slice expansion: "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice",
 * "-.slice" -> "". NULL for an invalid slice name. */
char *cg_sd_expand_slice(const char *slice);
/* "0-3,6" -> a little-endian bitmask (AllowedCPUs); -1 on bad syntax. */
int cg_sd_cpu_mask(const char *list, uint8_t **bytes, size_t *n);
/* The unit properties for res (MemoryMax, CPUWeight, TasksMax, ...). */
int cg_sd_props(const struct rl_resources *res, struct cg_sd_prop **props, size_t *n,
                struct rl_error **err);
void cg_sd_props_free(struct cg_sd_prop *props, size_t n);
void cg_sd_free(struct cg_sd *sd);

int cg_sd_update(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
void cg_sd_to_json(const struct cg_sd *sd, struct rl_jsonw *w);
int cg_sd_from_json(struct rl_cgroup *cg, const rl_json *node, struct rl_error **err);
int cg_sd_connect(struct cg_sd *sd, struct rl_error **err);
void cg_sd_disconnect(struct cg_sd *sd);
int cg_sd_start(struct cg_sd *sd, pid_t pid, struct rl_error **err);
int cg_sd_stop(struct cg_sd *sd, struct rl_error **err);
int cg_sd_set_props(struct cg_sd *sd, const struct cg_sd_prop *p, size_t n, struct rl_error **err);

#endif
