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
int rl_lock_read(const struct rl_context *ctx, const char *id, struct rl_locked *l,
                 struct rl_error **err);
void rl_unlock(struct rl_locked *l);

/* create.c: shared by create and run. */
int rl_create_internal(const struct rl_context *ctx, const char *id,
                       const struct rl_create_opts *opts, int *pidfd, pid_t *pid,
                       struct rl_error **err);
/* run.c: relay every catchable signal (the caller blocked them) to the
 * child pid until it exits; *status = exit code or 128+signal. */
int rl_wait_foreground(pid_t pid, int pidfd, int *status, struct rl_error **err);
/* Atomic pid file (temp + rename). */
int rl_write_pid_file(const char *path, pid_t pid, struct rl_error **err);

#endif
