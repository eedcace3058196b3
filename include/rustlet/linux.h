/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The container side of create: what runs in the child between clone and
 * execve. Split by concern: namespaces.c, rootfs.c (pivot, masked and
 * readonly paths), mounts.c (spec mounts, safe destinations), cgroup_mount.c,
 * devices.c, process.c (user, rlimits, capabilities, fds, exec), init.c (the
 * sequence and the sync protocol of sync.h). */
#ifndef RUSTLET_LINUX_H
#define RUSTLET_LINUX_H

#include <stdbool.h>
#include <sys/types.h>

#include "rustlet/error.h"
#include "rustlet/spec.h"

struct rl_seccomp_filter;

struct rl_init_args {
    const struct rl_spec *spec;
    const char *id;      /* the container's id (session keyring name) */
    const char *bundle;  /* absolute bundle directory */
    const char *rootfs;  /* absolute root.path */
    bool no_pivot;       /* create --no-pivot */
    bool no_new_keyring; /* create --no-new-keyring */
    int preserve_fds;    /* create --preserve-fds */
    /* The OCI state JSON (status "created", this pid) that the container's
     * hooks read, made by core: the container side knows no state record. */
    char *(*hook_state)(const void *arg, pid_t pid);
    const void *hook_state_arg;
    char **envp; /* rl_process_envp(), set in the container */
    int sync_fd;
    int fifo_fd;                       /* O_PATH fd of ROOT/<id>/exec.fifo */
    int proc_fd;                       /* the runtime's /proc, opened before the pivot */
    int console_fd;                    /* process.terminal: where the pty master goes */
    bool slow_path;                    /* stage 1 enters namespaces, then forks init */
    bool runtime_hooks;                /* prestart/createRuntime/createContainer hooks
                                          exist: sync steps 2-3 happen */
    int clone_flags;                   /* namespaces already created by clone3 */
    struct rl_seccomp_filter *seccomp; /* built early in the init, loaded late */
    int seccomp_listener;              /* noNewPrivileges + SCMP_ACT_NOTIFY: socket
                                          connected to listenerPath before the pivot */
    char *exe;                         /* the executable, once looked up */
    bool fds_swept;                    /* rl_process_close_fds() done */
    bool seccomp_loaded;               /* the container's filter applies to us now */
    char *seccomp_step;                /* RL_SECCOMP_STEP_MAX bytes shared with the
                                          parent (MAP_SHARED) or NULL: once the filter
                                          is loaded early (no noNewPrivileges), the
                                          step running under it; written without a
                                          syscall, read by `create` if the init dies */
    const int *idmap_fds;              /* per spec mount: detached idmapped tree made
                                          by the parent (idmap.c), or -1; NULL: none */
    bool mount_sources;                /* the parent opens the bind sources for us
                                          (mount_src.c, sync.h step 1d) */
};

#define RL_SECCOMP_STEP_MAX 256

/* Runs in the child; never returns. */
__attribute__((noreturn)) void rl_init_main(struct rl_init_args *a);

/* namespaces.c */
int rl_ns_clone_flag(enum rl_ns_type t);
/* CLONE_NEW* flags of the namespaces to create (no path). */
int rl_ns_new_flags(const struct rl_spec *spec);
/* setns() into every namespace given by path, except the types in skip. */
int rl_ns_join(const struct rl_spec *spec, int skip_flags, struct rl_error **err);
int rl_ns_write_id_maps(pid_t pid, const struct rl_spec *spec, struct rl_error **err);
/* usermap.c: the same for an unprivileged runtime (rootless): the user's own
 * id written directly (gid after setgroups "deny"), more through
 * newuidmap/newgidmap. */
int rl_ns_write_id_maps_rootless(pid_t pid, const struct rl_spec *spec, struct rl_error **err);
/* Write one map file ("uid_map"/"gid_map") of pid; cfg names the config path. */
int rl_ns_write_map(pid_t pid, const char *file, const struct rl_id_mapping *m, size_t n,
                    const char *cfg, struct rl_error **err);
int rl_ns_set_time_offsets(const struct rl_spec *spec, struct rl_error **err);
/* Enter the time namespace that unshare(CLONE_NEWTIME) made for our children. */
int rl_ns_enter_time_for_children(struct rl_error **err);

/* rootfs.c / mounts.c / devices.c */
/* idmap_fds, src_fds: per spec mount or NULL (see rl_mounts_apply) */
int rl_rootfs_prepare(const struct rl_spec *spec, const char *rootfs, const char *bundle,
                      const int *idmap_fds, const int *src_fds, struct rl_error **err);
int rl_rootfs_pivot(const char *rootfs, bool no_pivot, struct rl_error **err);
/* Without a mount namespace: chroot into rootfs (nothing is mounted). */
int rl_rootfs_chroot(const char *rootfs, struct rl_error **err);
int rl_rootfs_finish(const struct rl_spec *spec, struct rl_error **err);
/* linux.rootfsPropagation on the new "/", once every mount (the
 * /dev/console bind too) is made */
int rl_rootfs_propagate(const struct rl_spec *spec, struct rl_error **err);
/* idmap_fds[i] >= 0: the detached idmapped tree of mount i (idmap.c);
 * src_fds[i] >= 0: the O_PATH source of bind mount i opened by the runtime
 * (mount_src.c); either array may be NULL. */
int rl_mounts_apply(const struct rl_spec *spec, int rootfd, const char *bundle,
                    const int *idmap_fds, const int *src_fds, struct rl_error **err);

/* mount_src.c: with a user namespace, the runtime opens the bind sources
 * in the init's mount namespace (sync.h step 1d). Does mount i take its
 * source that way; how many do. */
bool rl_mount_source_by_fd(const struct rl_spec *spec, size_t i);
size_t rl_mount_sources_count(const struct rl_spec *spec);
/* In the runtime, before the clone: some mount takes its source by fd and
 * we have the privilege to open it (not rootless). Decides for both sides
 * (rl_init_args.mount_sources). */
bool rl_mount_sources_wanted(const struct rl_spec *spec);
/* Runtime: wait for the init's request, then send it the sources. */
int rl_mount_sources_send(const struct rl_spec *spec, const char *bundle, int init_pidfd,
                          int sync_fd, struct rl_error **err);
/* Init: ask and receive; *fds one per spec mount (-1 where not by fd), NULL
 * when none is. */
int rl_mount_sources_receive(const struct rl_spec *spec, int sync_fd, int **fds,
                             struct rl_error **err);
void rl_mount_sources_free(int *fds, size_t n);

/* *fds (malloc'd, one per spec mount, -1 where not idmapped; NULL when no
 * mount is idmapped): detached trees, idmapped, ready for move_mount. */
int rl_idmap_prepare(const struct rl_spec *spec, const char *bundle, int **fds,
                     struct rl_error **err);
void rl_idmap_free(int *fds, size_t n);
/* Does this kernel have mount_setattr(MOUNT_ATTR_IDMAP) (Linux 5.12)? */
bool rl_idmap_supported(void);

/* netdev.c: linux.netDevices, moved by the runtime into the init's network
 * namespace (rtnetlink), renamed, addresses kept, brought up. */
int rl_netdev_move(const struct rl_spec *spec, pid_t init, struct rl_error **err);
/* In the init, in its new network namespace: set lo up. */
int rl_netdev_loopback_up(struct rl_error **err);
/* Resolve path inside the root (symlinks stay inside), creating missing
 * directories (and the last component as a file when as_file). Returns an
 * O_PATH fd. */
int rl_open_in_root(int rootfd, const char *path, bool create, bool as_file, struct rl_error **err);
/* cgroupns: the container has its own cgroup namespace (fresh cgroup
 * mounts show its cgroup as the root); otherwise its directories are bound. */
int rl_mount_cgroup(const struct rl_mount *m, int rootfd, const char *dst, bool cgroupns,
                    struct rl_error **err);
/* copyup.c: copy the tree below the fd `below` into the directory `top`
 * (a fresh tmpfs mounted over it), keeping modes, owners and times. */
int rl_tmpcopyup(int below, int top, struct rl_error **err);
int rl_devices_setup(const struct rl_spec *spec, int rootfd, struct rl_error **err);
/* true when spec mounts something at /dev that is not a bind of the host's */
bool rl_devices_needed(const struct rl_spec *spec);

/* selfexe.c: re-execute from a sealed memfd copy of the binary unless
 * already running one (CVE-2019-5736). Returns 0 when already sealed. */
int rl_exec_sealed_self(char **argv, struct rl_error **err);

/* process.c */
/* oomScoreAdj (through proc_fd, a procfs root, or /proc when -1) and
 * rlimits, before the pivot. */
int rl_process_setup_pre_pivot(const struct rl_process *p, int proc_fd, struct rl_error **err);
int rl_process_set_rlimits(const struct rl_process *p, struct rl_error **err);
/* Give fds 0-2 to process.user.uid (the group stays), so a non-root
 * process can reopen /dev/stdout: still root, before seccomp. */
int rl_process_fix_stdio(const struct rl_process *p, struct rl_error **err);
/* Bounding set, user and groups, capabilities, cwd, umask. */
int rl_process_setup(const struct rl_process *p, struct rl_error **err);
/* The environment for execve: process.env, plus HOME from the container's
 * /etc/passwd entry of process.user.uid ("/" without one) when env has no
 * HOME, as runc does (Docker relies on it). Call inside the container,
 * before the user switch. Never NULL; not to be freed (execve follows). */
char **rl_process_envp(const struct rl_process *p);
/* process.env: KEY=VALUE replaces an existing KEY in place, else appended
 * (runc sets them one by one, so the last one wins). */
void rl_process_env_set(struct rl_process *p, const char *kv);
/* PATH lookup like execvp inside the container; malloc'd path. */
char *rl_process_lookup(const struct rl_process *p, struct rl_error **err);
/* as_target: the same lookup made before rl_process_setup() (still root,
 * cwd not yet process.cwd), checking execute permission for the uid, gids
 * and effective capabilities the process will have, from the file's mode
 * (no faccessat, whose AT_EACCESS form is faccessat2). Relative results
 * are made absolute against process.cwd. */
char *rl_process_lookup_as(const struct rl_process *p, bool as_target, struct rl_error **err);
/* Mark every fd above [3, 3+max(preserve, LISTEN_FDS)) close-on-exec. */
int rl_process_close_fds(int preserve, const int *keep, size_t n_keep);

#endif
