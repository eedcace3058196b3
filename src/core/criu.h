/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* criu.c: the criu command lines of checkpoint and restore, and running
 * criu (core module only). */
#ifndef RUSTLET_CORE_CRIU_H
#define RUSTLET_CORE_CRIU_H

#include <stddef.h>
#include <sys/types.h>

#include "rustlet/container.h"

#define RL_CRIU_DUMP_LOG    "dump.log"
#define RL_CRIU_RESTORE_LOG "restore.log"
#define RL_CRIU_DESCRIPTORS "descriptors.json"
/* the key of a network namespace joined by path (runc's and crun's) */
#define RL_CRIU_EXT_NETNS "extRootNetNS"

struct rl_criu_argv {
    char **v; /* NULL-terminated */
    size_t n, cap;
};
void rl_criu_argv_free(struct rl_criu_argv *a);

/* --manage-cgroups-mode: soft|full|strict|ignore (NULL is soft). */
int rl_criu_cgroups_mode(const char *mode, struct rl_error **err);
/* The option values both commands check before anything is done. */
int rl_criu_check_opts(const struct rl_criu_opts *o, struct rl_error **err);

/* `criu dump` (or pre-dump) of the tree at pid. freeze_cgroup: the cgroup2
 * directory criu freezes (NULL: none). */
int rl_criu_dump_argv(const char *criu, const struct rl_spec *spec, const char *bundle, pid_t pid,
                      const char *freeze_cgroup, const struct rl_checkpoint_opts *o,
                      struct rl_criu_argv *a, struct rl_error **err);

struct rl_restore_args {
    const char *root;        /* the rootfs, bound where criu may mount over it */
    const char *pidfile;     /* criu writes the restored init's pid there */
    const char *cgroup_root; /* the new container's cgroup2 dir, NULL: none */
    const char *cgroup_abs;  /* the same on the host (/sys/fs/cgroup/...) */
    const char *stdio[3];    /* descriptors.json: what fds 0-2 were */
    int netns_fd;            /* the config's network namespace, -1: none */
};
int rl_criu_restore_argv(const char *criu, const struct rl_spec *spec, const char *bundle,
                         const struct rl_restore_args *r, const struct rl_restore_opts *o,
                         struct rl_criu_argv *a, struct rl_error **err);

/* The criu binary: --criu PATH, else "criu" on PATH (malloc'd). */
char *rl_criu_find(const char *criu, struct rl_error **err);
/* The last "Error" lines of a criu log, "; "-joined (NULL: none). */
char *rl_criu_log_errors(const char *log);
/* Fork, call before_exec(pid) in the parent (e.g. join a cgroup) and
 * in_child() in the child, then exec argv; wait. Returns criu's exit
 * status, -1 with *err when it could not run. */
int rl_criu_run(char *const *argv, int (*before_exec)(pid_t pid, void *data, struct rl_error **err),
                void *data, int (*in_child)(void *data), void *child_data, struct rl_error **err);

#endif
