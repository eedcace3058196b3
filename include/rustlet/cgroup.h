/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroup managers behind one small table: v1, hybrid (v1 controllers plus a
 * cgroup2 hierarchy, usually /sys/fs/cgroup/unified) and v2 (unified), chosen
 * at run time by looking at the cgroupfs root. The root is a parameter so
 * unit tests can point every manager at a fake cgroupfs directory tree.
 *
 * Conversion rules between v1 and v2 values live in cgroup code, written
 * down next to the code that applies them. */
#ifndef RUSTLET_CGROUP_H
#define RUSTLET_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "rustlet/error.h"
#include "rustlet/json.h"
#include "rustlet/spec.h"

enum rl_cgroup_mode { RL_CGROUP_V1, RL_CGROUP_HYBRID, RL_CGROUP_V2 };

struct rl_cgroup_ops;

struct rl_cgroup {
    const struct rl_cgroup_ops *ops;
    enum rl_cgroup_mode mode;
    char *root; /* cgroupfs mount root, e.g. "/sys/fs/cgroup" */
    char *path; /* cleaned cgroupsPath as configured (maybe relative) */
    void *priv; /* manager data (v1: list of hierarchies) */
};

/* Detect the mode of the cgroupfs at root (NULL = "/sys/fs/cgroup"), from
 * statfs magic of root and of root/unified, and from which v1 hierarchies
 * are mounted there. */
/* Override (fake trees in unit tests): env RUSTLET_CGROUP_MODE or a file root/.rustlet-fake-mode
 * holding "v1"|"hybrid"|"v2". */
int rl_cgroup_detect(const char *root, enum rl_cgroup_mode *mode, struct rl_error **err);

/* A manager for one container's cgroup. root NULL = "/sys/fs/cgroup".
 * linux.cgroupsPath is resolved the way runc's cgroupfs driver does, for
 * each hierarchy on its own (own cgroups differ per v1 hierarchy; e.g. here
 * memory is /process_api/<x> while cpu is /):
 *   absolute  -> used as is (cleaned: no "..", no duplicate '/');
 *   relative  -> joined to the caller's own cgroup in that hierarchy, taken
 *                from self_cgroup_text (the text of /proc/self/cgroup);
 *   NULL/""   -> "<id>", joined the same way (runc: /proc/<pid>/cgroup shows
 *                "/<id>" under each hierarchy's own cgroup).
 * Touches the filesystem only to detect the mode and the hierarchies. */
struct rl_cgroup *rl_cgroup_new(const char *root, const char *cgroups_path, const char *id,
                                const char *self_cgroup_text, struct rl_error **err);
/* Persist / restore a manager with its resolved per-hierarchy paths, so
 * delete/kill in another process (maybe in another cgroup) find the same
 * directories: writes one JSON object value (the caller wrote the key). */
void rl_cgroup_to_json(const struct rl_cgroup *cg, struct rl_jsonw *w);
struct rl_cgroup *rl_cgroup_from_json(const rl_json *node, struct rl_error **err);
void rl_cgroup_free(struct rl_cgroup *cg);

/* The systemd driver (cgroup_systemd.c): a transient scope unit for a
 * cgroupsPath "slice:prefix:name" ("" = system.slice:rustlet:<id>), on a
 * cgroup v2 host with systemd running. */
struct rl_cgroup *rl_cgroup_new_systemd(const char *root, const char *cgroups_path, const char *id,
                                        struct rl_error **err);
/* systemd is PID 1 here (/run/systemd/system exists). */
bool rl_cgroup_systemd_running(void);
/* The manager creates the cgroup from the init's pid (systemd): create()
 * before the clone, add_pid() after it, then apply(). No CLONE_INTO_CGROUP. */
bool rl_cgroup_needs_pid(const struct rl_cgroup *cg);
/* The systemd unit name, NULL for cgroupfs. */
const char *rl_cgroup_unit(const struct rl_cgroup *cg);

/* mkdir in every hierarchy (v1: each mounted controller hierarchy incl.
 * named ones; cpuset.cpus/mems initialised from the parent), enable the
 * needed controllers in v2 subtree_control. Existing directories are fine. */
int rl_cgroup_create(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
/* Write the resource limits. Errors name the config path and the file, e.g.
 * "linux.resources.memory.limit: write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or
 * resource busy". Every field of LinuxResources; the per-field rules (files, v1 -> v2 conversions,
 * refusals) are written down in cgroup_res_v1.c, cgroup_res_v2.c (with cgroup_v1.c/cgroup_v2.c for
 * memory, cpu and pids) and cgroup_devices.c (device rules as an eBPF program on v2). */
int rl_cgroup_apply(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
/* An O_DIRECTORY|O_CLOEXEC fd of the cgroup2 directory, for clone3's
 * CLONE_INTO_CGROUP (v2 and hybrid). -1 with errno if there is none. */
int rl_cgroup_open_unified(struct rl_cgroup *cg);
/* The container's cgroup2 directory inside the hierarchy ("/x/c1"), with
 * *abs (if asked) its host path ("/sys/fs/cgroup/x/c1"); NULL on v1. */
const char *rl_cgroup_unified_dir(const struct rl_cgroup *cg, const char **abs);
/* Move pid into the cgroup in every hierarchy (writes cgroup.procs). */
int rl_cgroup_add_pid(struct rl_cgroup *cg, pid_t pid, struct rl_error **err);
/* The same for a pid that clone3(CLONE_INTO_CGROUP) put into the cgroup2
 * directory already: only the v1 hierarchies (hybrid) are left to join. */
int rl_cgroup_add_pid_born(struct rl_cgroup *cg, pid_t pid, struct rl_error **err);
/* exec --cgroup [CONTROLLER:]SUB: move pid into the existing sub-cgroup SUB
 * of the container's (only in CONTROLLER's hierarchy when given, "" or
 * "unified" naming the cgroup2 one), the container's cgroup elsewhere. */
int rl_cgroup_add_pid_sub(struct rl_cgroup *cg, const char *sub, pid_t pid, struct rl_error **err);
/* All pids in the cgroup (cgroup.procs of the unified dir on v2/hybrid-with-
 * the-cgroup, else of the memory/pids/first v1 hierarchy), recursive into
 * child cgroups. *pids malloc'd. */
int rl_cgroup_pids(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err);
/* Send sig to every process in the cgroup (cgroup.kill on v2 for SIGKILL
 * where the kernel has it). */
int rl_cgroup_kill_all(struct rl_cgroup *cg, int sig, struct rl_error **err);
/* Remove the cgroup directories (children first), retrying EBUSY briefly
 * while processes exit. Missing directories are fine. */
int rl_cgroup_destroy(struct rl_cgroup *cg, struct rl_error **err);
/* true when create made parent directories of the container's cgroup
 * (recorded in the state, so that destroy removes them once empty). */
bool rl_cgroup_made_parents(const struct rl_cgroup *cg);
/* Freeze/thaw (v1 freezer.state, v2 cgroup.freeze) - for pause/resume. */
int rl_cgroup_freeze(struct rl_cgroup *cg, bool frozen, struct rl_error **err);
/* true if the cgroup is frozen. */
int rl_cgroup_is_frozen(struct rl_cgroup *cg, bool *frozen, struct rl_error **err);

/* ---- read side, for `update` and `events` ---- */

/* One usage record as runc's events --stats prints it ("usage", "max",
 * "failcnt", "limit"). A limit of "max"/unlimited reads as UINT64_MAX. */
struct rl_cgroup_mem_entry {
    uint64_t usage, max_usage, failcnt, limit;
};

struct rl_cgroup_blkio_entry {
    uint64_t major, minor;
    char *op; /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
    uint64_t value;
};

struct rl_cgroup_hugetlb_entry {
    char *page_size; /* "2MB" */
    uint64_t usage, max_usage, failcnt;
};

struct rl_cgroup_kv_u64 {
    char *key;
    uint64_t value;
};

/* The fields of runc's types.Stats (events --stats), from v1 or v2 files.
 * Absent files leave fields 0 (a hierarchy that is not mounted, a kernel
 * without the file). Conversions for v2 (as runc): cpu.stat usec -> ns;
 * memory.current -> memory.usage.usage, memory.peak -> max_usage,
 * memory.events "max" -> failcnt; swap = memory.swap.current +
 * memory.current with limit swap.max + memory.max (v1 memsw semantics);
 * cache = memory.stat "file", rss = "anon"; io.stat rbytes/wbytes ->
 * io_service_bytes "Read"/"Write", rios/wios -> io_serviced. pids.max "max"
 * reads as limit 0 (runc's "no limit"). */
struct rl_cgroup_stats {
    struct {
        uint64_t total, user, system; /* ns */
        uint64_t *percpu;
        size_t n_percpu; /* v1 cpuacct.usage_percpu */
        uint64_t *percpu_user, *percpu_system;
        size_t n_percpu_user, n_percpu_system;
        uint64_t periods, throttled_periods, throttled_time; /* throttled_time in ns */
    } cpu;
    struct {
        uint64_t cache, rss;
        struct rl_cgroup_mem_entry usage, swap, kernel, kernel_tcp;
        bool use_hierarchy;
        struct rl_cgroup_kv_u64 *raw;
        size_t n_raw; /* memory.stat */
    } memory;
    struct {
        uint64_t current, limit;
    } pids;
    struct {
        struct rl_cgroup_blkio_entry *service_bytes;
        size_t n_service_bytes;
        struct rl_cgroup_blkio_entry *serviced;
        size_t n_serviced;
    } blkio;
    struct rl_cgroup_hugetlb_entry *hugetlb;
    size_t n_hugetlb;
    /* v1 cpuset.* (runc's CPUSet stats); on v2 only the lists, from
     * cpuset.cpus.effective / cpuset.mems.effective */
    struct {
        uint16_t *cpus;
        size_t n_cpus;
        uint16_t *mems;
        size_t n_mems;
        uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate;
        uint64_t memory_spread_page, memory_spread_slab, memory_pressure, sched_load_balance;
        int64_t sched_relax_domain_level;
    } cpuset;
};

int rl_cgroup_stats(struct rl_cgroup *cg, struct rl_cgroup_stats *out, struct rl_error **err);
void rl_cgroup_stats_free(struct rl_cgroup_stats *s);

/* Apply a LinuxResources to a live cgroup (`update`): v2 enables the
 * controllers it needs first; memory limit and swap are written in the
 * order the kernel accepts (v1: memsw first when raising); on v2 a limit
 * below memory.current is refused when checkBeforeUpdate is set (v1
 * refuses by itself). Device rules are not changed by an update (as
 * runc). */
int rl_cgroup_update(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);

/* OOM events: an fd that becomes readable (poll POLLIN) when the cgroup
 * hits OOM. v1: an eventfd registered through cgroup.event_control on
 * memory.oom_control (read 8 bytes to reset); v2 (and hybrid without a v1
 * memory hierarchy): inotify IN_MODIFY on memory.events (read the inotify
 * events to reset; then compare rl_cgroup_oom_kill_count). O_CLOEXEC. */
int rl_cgroup_oom_fd(struct rl_cgroup *cg, struct rl_error **err);
/* The cgroup's oom_kill count: memory.oom_control (v1) or memory.events
 * (v2) "oom_kill N"; 0 where the kernel does not count. */
int rl_cgroup_oom_kill_count(struct rl_cgroup *cg, uint64_t *count, struct rl_error **err);

/* OOM notification: fd becomes readable on an OOM (fd -1 without a memory
 * controller). oom_read drains it and returns the number of new OOM kills. */
struct rl_cgroup_oom {
    int fd;
    bool v2;
    char *dir;
    uint64_t last;
};
int rl_cgroup_oom_open(struct rl_cgroup *cg, struct rl_cgroup_oom *o, struct rl_error **err);
int rl_cgroup_oom_read(struct rl_cgroup_oom *o);
void rl_cgroup_oom_close(struct rl_cgroup_oom *o);

const char *rl_cgroup_mode_name(enum rl_cgroup_mode m); /* "v1","hybrid","v2" */
int rl_cgroup_mode_from_name(const char *s, enum rl_cgroup_mode *m);

/* v1 -> v2 value conversions (rules written down in cgroup_v2.c).
 * cpu.shares -> cpu.weight: 1 + ((shares - 2) * 9999) / 262142, shares
 * clamped to [2, 262144]; 0 (not set) -> 0. */
uint64_t rl_cgroup_shares_to_weight(uint64_t shares);
/* memory.swap (memory+swap) -> memory.swap.max = swap - limit; -1 -> -1,
 * 0 -> 0, limit -1 with swap 0 -> -1. Errors name linux.resources.memory.swap. */
int rl_cgroup_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, struct rl_error **err);

/* Internal manager table (one per mode). */
struct rl_cgroup_ops {
    const char *name;
    int (*init)(struct rl_cgroup *cg, struct rl_error **err);
    void (*fini)(struct rl_cgroup *cg);
    int (*create)(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
    int (*apply)(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err);
    int (*open_unified)(struct rl_cgroup *cg);
    int (*add_pid)(struct rl_cgroup *cg, pid_t pid, struct rl_error **err);
    int (*pids)(struct rl_cgroup *cg, pid_t **pids, size_t *n, struct rl_error **err);
    int (*kill_all)(struct rl_cgroup *cg, int sig, struct rl_error **err);
    int (*destroy)(struct rl_cgroup *cg, struct rl_error **err);
    int (*freeze)(struct rl_cgroup *cg, bool frozen, struct rl_error **err);
    int (*is_frozen)(struct rl_cgroup *cg, bool *frozen, struct rl_error **err);
};

#endif
