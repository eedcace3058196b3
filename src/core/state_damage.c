/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Containers whose state is damaged (RL_EDAMAGED, see state.c): what can
 * still be known about them and how `delete --force` removes them.
 *
 * What is trusted, in order: init.json (the record create writes before the
 * clone and whenever the pid changes), else only the id: the cgroup the
 * default cgroupsPath would give (the caller's own cgroup + "/<id>" in every
 * hierarchy; with --systemd-cgroup the scope system.slice:rustlet:<id>). The init is signalled only
 * through a pidfd whose start time matches the record, so a pid reused by an unrelated process is
 * never touched; everything else is killed through the container's cgroups. */
#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

struct rl_state *rl_state_salvage(const struct rl_context *ctx, const char *id, const char *reason,
                                  bool dir_ok)
{
    struct rl_state *st = NULL;
    struct rl_error *e = NULL;
    if (dir_ok && rl_state_read_record(ctx, id, &st, &e) == 0) {
        st->damaged = xstrdup(reason);
        return st;
    }
    st = xzalloc(sizeof(*st));
    st->id = xstrdup(id);
    st->damaged = e ? xasprintf("%s; and %s", reason, e->msg) : xstrdup(reason);
    rl_error_free(e);
    if (ctx->systemd_cgroup) {
        /* no record: the scope the default cgroupsPath gives, by id */
        st->cgroup = rl_cgroup_new_systemd(NULL, NULL, id, NULL);
    } else if (!ctx->no_cgroups) {
        /* no record: the cgroups the default cgroupsPath gives, by id */
        _cleanup_free_ char *self =
            rl_read_file_at(AT_FDCWD, "/proc/self/cgroup", 64 * 1024, NULL, NULL);
        if (self)
            st->cgroup = rl_cgroup_new(NULL, NULL, id, self, NULL);
    }
    return st;
}

static void wait_gone(int pidfd, int timeout_ms)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    while (poll(&p, 1, timeout_ms) < 0 && errno == EINTR)
        ;
}

/* SIGKILL the init if (and only if) it is the recorded process. */
static void kill_recorded_init(const struct rl_state *st, const char *what)
{
    if (st->pid <= 0) {
        rl_log(RL_LOG_WARN, "%s: no init pid recorded", what);
        return;
    }
    _cleanup_close_ int pidfd = rl_state_pidfd(st);
    if (pidfd < 0) {
        rl_log(RL_LOG_WARN,
               "%s: init pid %d is gone or now another process (start time differs from "
               "the record): not signalled",
               what, (int)st->pid);
        return;
    }
    if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0) {
        rl_log(RL_LOG_WARN, "%s: kill init pid %d: %s", what, (int)st->pid, strerror(errno));
        return;
    }
    wait_gone(pidfd, 10000);
    rl_log(RL_LOG_WARN, "%s: killed init pid %d (start time %llu as recorded)", what, (int)st->pid,
           st->start_time);
}

int rl_delete_damaged(const struct rl_context *ctx, struct rl_state *st, struct rl_error **err)
{
    _cleanup_free_ char *what = xasprintf("delete --force %s", st->id);
    rl_log(RL_LOG_WARN, "%s: %s", what, st->damaged);
    kill_recorded_init(st, what);
    if (st->cgroup) {
        pid_t *pids = NULL;
        size_t n = 0;
        rl_cgroup_freeze(st->cgroup, false, NULL);
        if (rl_cgroup_pids(st->cgroup, &pids, &n, NULL) == 0 && n > 0) {
            rl_cgroup_kill_all(st->cgroup, SIGKILL, NULL);
            rl_log(RL_LOG_WARN, "%s: killed %zu process(es) left in cgroup %s", what, n,
                   st->cgroup->path);
        }
        free(pids);
        if (rl_cgroup_destroy(st->cgroup, err) < 0)
            return rl_error_wrap(err, "%s: remove cgroup %s", what, st->cgroup->path);
        rl_log(RL_LOG_WARN, "%s: removed cgroup %s (every hierarchy)", what, st->cgroup->path);
    }
    if (rl_rdt_remove(ctx, st->id, err) < 0)
        return -1;
    _cleanup_free_ char *dir = rl_state_dir(ctx, st->id);
    if (rl_rm_rf(dir, err) < 0)
        return -1;
    rl_log(RL_LOG_WARN, "%s: removed %s", what, dir);
    return 0;
}
