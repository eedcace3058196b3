/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared between the files of the core module only (create, lifecycle,
 * run, exec, ops). Other modules use rustlet/container.h. */
#ifndef RUSTLET_CORE_INTERNAL_H
#define RUSTLET_CORE_INTERNAL_H

#include "rustlet/container.h"

/* A container locked (flock on its state dir) with its state read. */
struct rl_locked {
    int fd;
    struct rl_state *st;
    enum rl_status status;
};
/* A damaged state fails with RL_EDAMAGED ("container ID: damaged state:
 * PATH: what is wrong"). */
int rl_lock_read(const struct rl_context *ctx, const char *id, struct rl_locked *l,
                 struct rl_error **err);
/* The same; with allow_damaged a damaged state gives status
 * RL_STATUS_UNKNOWN and what rl_state_salvage finds (delete, list). */
int rl_lock_read_any(const struct rl_context *ctx, const char *id, struct rl_locked *l,
                     bool allow_damaged, struct rl_error **err);
void rl_unlock(struct rl_locked *l);

/* create.c: shared by create and run. */
int rl_create_internal(const struct rl_context *ctx, const char *id,
                       const struct rl_create_opts *opts, int *pidfd, pid_t *pid,
                       struct rl_error **err);
/* restore: what create does before the clone - the bundle loaded and
 * validated, ROOT/<id> made and locked, the record and the first state
 * written, the cgroup made with its limits (a manager that needs a pid:
 * rl_prepared_apply after a process joined). On failure nothing is left;
 * after success a failure is undone with rl_delete(force). */
struct rl_prepared {
    struct rl_spec *spec;
    struct rl_state *st;
    int lock_fd;
    char *dir; /* ROOT/<id> */
};
int rl_create_prepare(const struct rl_context *ctx, const char *id,
                      const struct rl_create_opts *opts, struct rl_prepared *p,
                      struct rl_error **err);
int rl_prepared_apply(struct rl_prepared *p, struct rl_error **err);
void rl_prepared_free(struct rl_prepared *p);
/* run.c: relay every catchable signal (the caller blocked them) to the
 * child pid until it exits; *status = exit code or 128+signal. */
int rl_wait_foreground(pid_t pid, int pidfd, int *status, struct rl_error **err);
/* The foreground end of run and restore: wait (relaying signals), close
 * pidfd, then delete the container unless keep. */
int rl_finish_foreground(const struct rl_context *ctx, const char *id, pid_t pid, int pidfd,
                         bool keep, int *status, struct rl_error **err);
/* notify.c: the NOTIFY_SOCKET proxy (see the top of notify.c). */
struct rl_notify {
    int sock; /* ROOT/<id>/notify/notify.sock, -1: no proxy */
    int host; /* connected to ctx->notify_socket */
};
/* create: ROOT/<id>/notify, its bind mount and the process's NOTIFY_SOCKET. */
int rl_notify_prepare(const struct rl_context *ctx, const char *id, struct rl_spec *spec,
                      struct rl_error **err);
/* start, before releasing the init: connect to the host, bind our socket. */
int rl_notify_open(const struct rl_context *ctx, const char *id, struct rl_notify *n,
                   struct rl_error **err);
/* Wait for READY (or the init's exit on pidfd) and forward it with MAINPID. */
int rl_notify_forward(struct rl_notify *n, int pidfd, pid_t mainpid, struct rl_error **err);
/* The same in a forked helper (`run` in the foreground); closes n here. */
int rl_notify_forward_async(struct rl_notify *n, int pidfd, pid_t mainpid, struct rl_error **err);
void rl_notify_close(struct rl_notify *n);
/* lifecycle.c: start; mainpid (0: the init's pid) is what the notify proxy
 * reports; background: forward from a helper process and return at once. */
int rl_start_notify(const struct rl_context *ctx, const char *id, pid_t mainpid, bool background,
                    struct rl_error **err);

/* rdt.c: linux.intelRdt. prepare finds the resctrl root (error when the
 * config asks for it and there is none); join puts pid in the group and
 * records it; remove undoes that (delete, failed create). */
int rl_rdt_prepare(const struct rl_spec *spec, char **root, struct rl_error **err);
int rl_rdt_join(const struct rl_context *ctx, const char *id, const struct rl_spec *spec,
                const char *root, pid_t pid, struct rl_error **err);
int rl_rdt_remove(const struct rl_context *ctx, const char *id, struct rl_error **err);

/* state_damage.c: a damaged container (st->damaged = reason) as init.json
 * records it, else only its id and the cgroups the default cgroupsPath
 * gives (dir_ok false: ROOT/<id> is not a directory, read nothing there). */
struct rl_state *rl_state_salvage(const struct rl_context *ctx, const char *id, const char *reason,
                                  bool dir_ok);
/* delete --force of a damaged container: SIGKILL the init only if its start
 * time matches the record, kill what is left in its cgroups, remove them,
 * the resctrl group and ROOT/<id>; each step is logged (stderr or --log). */
int rl_delete_damaged(const struct rl_context *ctx, struct rl_state *st, struct rl_error **err);

/* stats_json.c: one "stats" event line in runc's JSON shape. */
char *rl_stats_event_json(const char *id, const struct rl_cgroup_stats *s);

/* state.c: the first state of a container from its spec (id, bundle,
 * rootfs, annotations, resources for update, poststop hooks). */
struct rl_state *rl_state_from_spec(const char *id, const char *bundle, const struct rl_spec *spec);

/* Atomic pid file (temp + rename). */
int rl_write_pid_file(const char *path, pid_t pid, struct rl_error **err);

#endif
