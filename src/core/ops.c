/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* ps, pause, resume, update and events: the commands that act on a live
 * container's cgroup. Each takes the container's lock for its checks;
 * events drops it between samples so other commands are not held up. */
#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/json.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

static bool alive(enum rl_status s)
{
    return s == RL_STATUS_CREATED || s == RL_STATUS_RUNNING || s == RL_STATUS_PAUSED;
}

static int need_cgroup(const struct rl_locked *l, struct rl_error **err)
{
    if (l->st->cgroup == NULL)
        return rl_error(err, "container has no cgroup");
    return 0;
}

int rl_ps(const struct rl_context *ctx, const char *id, pid_t **pids, size_t *n,
          struct rl_error **err)
{
    struct rl_locked l;
    *pids = NULL;
    *n = 0;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    /* a stopped container lists what is left in its cgroup, usually
     * nothing (runc prints null then) */
    int r = l.st->cgroup ? rl_cgroup_pids(l.st->cgroup, pids, n, err) : 0;
    rl_unlock(&l);
    return r;
}

/* runc: pause works on a created or running container, resume only on a
 * paused one. */
static int set_frozen(const struct rl_context *ctx, const char *id, bool frozen,
                      struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    int r = -1;
    if (frozen && l.status != RL_STATUS_RUNNING && l.status != RL_STATUS_CREATED)
        rl_error(err, "container not running");
    else if (!frozen && l.status != RL_STATUS_PAUSED)
        rl_error(err, "container not paused");
    else if (need_cgroup(&l, err) == 0)
        r = rl_cgroup_freeze(l.st->cgroup, frozen, err);
    rl_unlock(&l);
    return r;
}

int rl_pause(const struct rl_context *ctx, const char *id, struct rl_error **err)
{
    return set_frozen(ctx, id, true, err);
}

int rl_resume(const struct rl_context *ctx, const char *id, struct rl_error **err)
{
    return set_frozen(ctx, id, false, err);
}

/* The one place update writes limits: switch to rl_cgroup_update (ordering,
 * checkBeforeUpdate) once the cgroup module has it. */
static int apply_update(struct rl_cgroup *cg, const struct rl_resources *res, struct rl_error **err)
{
    /* live update: checkBeforeUpdate, memory/swap ordering, controllers
     * enabled on v2; device rules are never touched by update */
    return rl_cgroup_update(cg, res, err);
}

int rl_update(const struct rl_context *ctx, const char *id, const struct rl_resources *res,
              struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    int r = -1;
    if (!alive(l.status)) {
        rl_error(err, "container not running");
    } else if (need_cgroup(&l, err) == 0) {
        if (l.st->resources == NULL)
            l.st->resources = xzalloc(sizeof(*l.st->resources));
        rl_spec_resources_merge(l.st->resources, res);
        /* the whole merged set, as runc sets it: values not given keep
         * theirs and are written again */
        struct rl_resources all = *l.st->resources;
        all.devices = NULL;
        all.n_devices = 0;
        all.present = true;
        if (apply_update(l.st->cgroup, &all, err) == 0)
            r = rl_state_write(ctx, l.st, err);
    }
    rl_unlock(&l);
    return r;
}

/* ---- events ---- */

static int emit_stats(struct rl_state *st, rl_event_fn emit, void *data, struct rl_error **err)
{
    struct rl_cgroup_stats s;
    if (rl_cgroup_stats(st->cgroup, &s, err) < 0)
        return -1;
    _cleanup_free_ char *line = rl_stats_event_json(st->id, &s);
    rl_cgroup_stats_free(&s);
    if (line == NULL)
        return rl_error(err, "encode stats");
    emit(data, line);
    return 0;
}

static int events_loop(struct rl_state *st, unsigned interval_ms, rl_event_fn emit, void *data,
                       struct rl_error **err)
{
    _cleanup_close_ int pidfd = rl_state_pidfd(st);
    if (pidfd < 0)
        return rl_error(err, "container is not running");
    struct rl_cgroup_oom oom;
    if (rl_cgroup_oom_open(st->cgroup, &oom, err) < 0) {
        rl_cgroup_oom_close(&oom);
        return -1;
    }
    _cleanup_free_ char *oom_line = xasprintf("{\"type\":\"oom\",\"id\":\"%s\"}", st->id);
    int r = 0;
    uint64_t next = rl_now_ns();
    while (r == 0) {
        uint64_t now = rl_now_ns();
        if (now >= next) {
            if ((r = emit_stats(st, emit, data, err)) < 0)
                break;
            next = now + (uint64_t)interval_ms * 1000000ull;
        }
        struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN}, {.fd = oom.fd, .events = POLLIN}};
        int n = poll(p, oom.fd >= 0 ? 2 : 1, (int)((next - now) / 1000000ull) + 1);
        if (n < 0 && errno != EINTR)
            r = rl_error_errno(err, "poll");
        if (n > 0 && (p[1].revents & POLLIN))
            for (int k = rl_cgroup_oom_read(&oom); k > 0; k--)
                emit(data, oom_line);
        if (n > 0 && p[0].revents)
            break; /* the init exited: the container stopped */
    }
    rl_cgroup_oom_close(&oom);
    return r;
}

int rl_events(const struct rl_context *ctx, const char *id, bool stats_only, unsigned interval_ms,
              rl_event_fn emit, void *data, struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    struct rl_state *st = steal_pointer(&l.st);
    enum rl_status status = l.status;
    rl_unlock(&l);
    int r = -1;
    if (!alive(status))
        rl_error(err, "container with id %s is not running", id);
    else if (st->cgroup == NULL)
        rl_error(err, "container has no cgroup");
    else if (stats_only)
        r = emit_stats(st, emit, data, err);
    else
        r = events_loop(st, interval_ms ? interval_ms : 5000, emit, data, err);
    rl_state_free(st);
    return r;
}
