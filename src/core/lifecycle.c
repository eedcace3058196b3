/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* start, state, kill, delete and list: no re-exec, a handful of syscalls
 * each. Every command takes the container's lock (flock on its state dir),
 * so calls on one container serialise and different containers run in
 * parallel. */
#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/hooks.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* the longest error text the init sends back through the exec fifo */
#define SYNC_ERR_MAX 4096

void rl_unlock(struct rl_locked *l)
{
    if (l->fd >= 0)
        close(l->fd);
    rl_state_free(l->st);
    l->fd = -1;
    l->st = NULL;
}

/* state.json, checked against the record: they must agree on the init. */
static int read_checked(const struct rl_context *ctx, const char *id, struct rl_state **out,
                        struct rl_error **err)
{
    if (rl_state_read(ctx, id, out, err) < 0)
        return -1;
    struct rl_state *rec = NULL;
    struct rl_error *e = NULL;
    int ret = 0;
    /* no readable record (a container of an older rustlet): state.json alone */
    if (rl_state_read_record(ctx, id, &rec, &e) == 0 &&
        (rec->pid != (*out)->pid || rec->start_time != (*out)->start_time)) {
        ret = rl_error_damaged(err,
                               "damaged state: %s/%s/state.json: pid %d (start time %llu) is not "
                               "the init recorded in init.json, pid %d (start time %llu)",
                               ctx->root, id, (int)(*out)->pid, (*out)->start_time, (int)rec->pid,
                               rec->start_time);
        rl_state_free(*out);
        *out = NULL;
    }
    rl_state_free(rec);
    rl_error_free(e);
    return ret;
}

int rl_lock_read_any(const struct rl_context *ctx, const char *id, struct rl_locked *l,
                     bool allow_damaged, struct rl_error **err)
{
    l->st = NULL;
    l->fd = rl_state_lock(ctx, id, err);
    if (l->fd >= 0 && read_checked(ctx, id, &l->st, err) == 0) {
        l->status = rl_state_status(ctx, l->st);
        rl_debug("container %s: locked %s/%s, read state.json: status %s, init pid %d (start "
                 "time %llu), cgroup %s",
                 id, ctx->root, id, rl_status_name(l->status), (int)l->st->pid, l->st->start_time,
                 l->st->cgroup ? l->st->cgroup->path : "none");
        return 0;
    }
    bool damaged = err && *err && (*err)->errnum == RL_EDAMAGED;
    if (l->fd < 0 || !allow_damaged || !damaged) {
        if (damaged && !allow_damaged) {
            _cleanup_free_ char *m = steal_pointer(&(*err)->msg);
            rl_error_damaged(err, "%s (only delete --force can remove the container)", m);
        }
        rl_unlock(l);
        return -1;
    }
    l->st = rl_state_salvage(ctx, id, (*err)->msg, true);
    rl_error_free(*err);
    *err = NULL;
    l->status = RL_STATUS_UNKNOWN;
    return 0;
}

int rl_lock_read(const struct rl_context *ctx, const char *id, struct rl_locked *l,
                 struct rl_error **err)
{
    return rl_lock_read_any(ctx, id, l, false, err);
}

/* Wait until the pidfd's process has exited, at most timeout_ms. */
static int wait_exit(int pidfd, int timeout_ms)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    int r;
    do {
        r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r > 0 ? 0 : -1;
}

/* Opening the fifo for reading releases the init's blocking open for
 * writing; poll it together with the pidfd so a dead init cannot hang us.
 * The init writes "0", keeps the fifo open until its execve (close-on-exec)
 * and writes an error text instead if anything fails before it: read to
 * EOF and report what came after the "0". */
static int release_init(const char *fifo_path, int pidfd, struct rl_error **err)
{
    _cleanup_close_ int fifo = open(fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fifo < 0)
        return rl_error_errno(err, "open %s", fifo_path);
    char buf[SYNC_ERR_MAX];
    size_t got = 0;
    bool opened = false; /* the writer showed up (POLLHUP before that means nothing) */
    struct pollfd p[2] = {{.fd = fifo, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
    for (;;) {
        int r = poll(p, 2, -1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return rl_error_errno(err, "poll the exec fifo");
        if (p[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(fifo, buf + got, sizeof(buf) - 1 - got);
            if (n > 0) {
                got += (size_t)n;
                opened = true;
                if (got < sizeof(buf) - 1)
                    continue;
            }
            if (n == 0 && opened)
                break; /* EOF: the init exec'd or died */
            if (n < 0 && errno != EAGAIN)
                return rl_error_errno(err, "read %s", fifo_path);
            if (got == sizeof(buf) - 1)
                break;
        }
        if (!opened && p[1].revents)
            return rl_error(err, "the container process exited before it could be started");
        if (opened && p[1].revents) {
            /* died after "0": drain what it wrote */
            ssize_t n = read(fifo, buf + got, sizeof(buf) - 1 - got);
            if (n > 0)
                got += (size_t)n;
            break;
        }
    }
    buf[got] = '\0';
    if (unlink(fifo_path) < 0 && errno != ENOENT)
        return rl_error_errno(err, "unlink %s", fifo_path);
    if (got == 0 || buf[0] != '0')
        return rl_error(err, "the container process exited before it could be started");
    if (got > 1)
        return rl_error(err, "%s", buf + 1);
    return 0;
}

/* poststart: after the process started. runtime.md (1.3): a failing hook
 * is an error and the container is stopped; `delete` then does the rest
 * (destroy, poststop hooks), as after any other stop. */
static int run_poststart(const struct rl_state *st, struct rl_error **err)
{
    _cleanup_free_ char *cfg = rl_state_config_path(st);
    if (access(cfg, F_OK) != 0)
        return 0;
    struct rl_error *lerr = NULL;
    struct rl_spec *spec = rl_spec_load_file(cfg, &lerr);
    int ret = 0;
    if (spec == NULL) {
        rl_log(RL_LOG_WARN, "poststart hooks not run: %s", lerr->msg);
    } else if (spec->hooks.n_poststart) {
        rl_debug("start %s: %zu poststart hook(s) from %s", st->id, spec->hooks.n_poststart, cfg);
        _cleanup_free_ char *js = rl_state_oci_json(st, RL_STATUS_RUNNING, false);
        ret = rl_hooks_run(spec->hooks.poststart, spec->hooks.n_poststart, "poststart", js, err);
    }
    rl_spec_free(spec);
    rl_error_free(lerr);
    return ret;
}

/* Stop the container after a failed start (startContainer or poststart hook). */
static void stop_after_failed_start(struct rl_state *st)
{
    _cleanup_close_ int pidfd = rl_state_pidfd(st);
    if (st->cgroup) {
        rl_debug("start %s: SIGKILL to every process in cgroup %s", st->id, st->cgroup->path);
        rl_cgroup_kill_all(st->cgroup, SIGKILL, NULL);
    }
    if (pidfd >= 0) {
        rl_debug("start %s: SIGKILL to init pid %d", st->id, (int)st->pid);
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        (void)wait_exit(pidfd, 10000);
    }
}

/* *pidfd_out: the init's pidfd, for the notify proxy (the init may be gone
 * by the time the caller would open it). */
static int start_locked(const struct rl_context *ctx, struct rl_locked *l, struct rl_notify *n,
                        int *pidfd_out, struct rl_error **err)
{
    if (l->status != RL_STATUS_CREATED) {
        if (l->status == RL_STATUS_STOPPED)
            return rl_error(err, "cannot start a container that has stopped");
        if (l->status == RL_STATUS_CREATING)
            return rl_error(err, "cannot start a container that is still being created");
        if (l->status == RL_STATUS_PAUSED) /* frozen, it could never open the fifo */
            return rl_error(err, "cannot start a container in the paused state");
        return rl_error(err, "cannot start an already running container");
    }
    _cleanup_close_ int pidfd = rl_state_pidfd(l->st);
    if (pidfd < 0)
        return rl_error(err, "cannot start a container that has stopped");
    /* before the release, so no READY is lost */
    if (rl_notify_open(ctx, l->st->id, n, err) < 0)
        return -1;
    _cleanup_free_ char *fifo_path = xasprintf("%s/%s/exec.fifo", ctx->root, l->st->id);
    rl_debug("start %s: open %s for reading: releases init pid %d", l->st->id, fifo_path,
             (int)l->st->pid);
    uint64_t t0 = rl_now_ns();
    if (release_init(fifo_path, pidfd, err) < 0) {
        rl_debug("start %s: release failed: stopping the init", l->st->id);
        stop_after_failed_start(l->st);
        return -1;
    }
    rl_debug("start %s: init pid %d ran its execve (%s read to EOF in %lluus, removed)", l->st->id,
             (int)l->st->pid, fifo_path, (unsigned long long)((rl_now_ns() - t0) / 1000));
    /* no state.json write: "running" is the init alive without exec.fifo
     * (rl_state_status), so there is nothing to remember; a new file on a
     * disk-backed root costs more than the rest of start */
    if (run_poststart(l->st, err) < 0) {
        stop_after_failed_start(l->st);
        return -1;
    }
    *pidfd_out = steal_fd(&pidfd);
    return 0;
}

int rl_start_notify(const struct rl_context *ctx, const char *id, pid_t mainpid, bool background,
                    struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    struct rl_notify n = {.sock = -1, .host = -1};
    _cleanup_close_ int pidfd = -1;
    int ret = start_locked(ctx, &l, &n, &pidfd, err);
    if (mainpid == 0)
        mainpid = l.st->pid;
    /* the wait for READY must not keep state, kill or delete out */
    rl_unlock(&l);
    if (ret == 0 && n.sock >= 0) {
        ret = background ? rl_notify_forward_async(&n, pidfd, mainpid, err)
                         : rl_notify_forward(&n, pidfd, mainpid, err);
    }
    rl_notify_close(&n);
    return ret;
}

int rl_start(const struct rl_context *ctx, const char *id, struct rl_error **err)
{
    return rl_start_notify(ctx, id, 0, false, err);
}

int rl_state_json(const struct rl_context *ctx, const char *id, char **json, struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    *json = rl_state_oci_json(l.st, l.status, true);
    rl_unlock(&l);
    return 0;
}

/* "SIGTERM" for the log ("SIG?" for a number without a name) */
static const char *sig_name(int sig)
{
    static char buf[16];
    const char *n = sigabbrev_np(sig);
    snprintf(buf, sizeof(buf), "SIG%s", n ? n : "?");
    return buf;
}

static int kill_locked(struct rl_locked *l, int sig, bool all, struct rl_error **err)
{
    if (l->status == RL_STATUS_STOPPED || l->status == RL_STATUS_CREATING)
        return rl_error(err, "container not running");
    int r;
    const char *id = l->st->id;
    if (all && l->st->cgroup) {
        rl_debug("kill %s: signal %d (%s) to every process in cgroup %s", id, sig, sig_name(sig),
                 l->st->cgroup->path);
        r = rl_cgroup_kill_all(l->st->cgroup, sig, err);
    } else {
        _cleanup_close_ int pidfd = rl_state_pidfd(l->st);
        if (pidfd < 0)
            return rl_error(err, "container not running");
        r = syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0
                ? rl_error_errno(err, "send signal %d", sig)
                : 0;
        rl_debug("kill %s: pidfd_send_signal(init pid %d, %d (%s)) = %d", id, (int)l->st->pid, sig,
                 sig_name(sig), r);
    }
    /* a frozen v1 task dies only once thawed: thaw for SIGKILL (as runc) */
    if (r == 0 && sig == SIGKILL && l->status == RL_STATUS_PAUSED && l->st->cgroup) {
        rl_debug("kill %s: thaw cgroup %s so its frozen tasks can die", id, l->st->cgroup->path);
        rl_cgroup_freeze(l->st->cgroup, false, NULL);
    }
    return r;
}

int rl_kill(const struct rl_context *ctx, const char *id, int sig, bool all, struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    int ret = kill_locked(&l, sig, all, err);
    rl_unlock(&l);
    return ret;
}

/* Kill everything of the container and wait for the init to be gone. */
static void kill_all_and_wait(struct rl_state *st)
{
    _cleanup_close_ int pidfd = rl_state_pidfd(st);
    if (st->cgroup) {
        rl_debug("delete %s: thaw cgroup %s and SIGKILL every process in it", st->id,
                 st->cgroup->path);
        rl_cgroup_freeze(st->cgroup, false, NULL);
        rl_cgroup_kill_all(st->cgroup, SIGKILL, NULL);
    }
    if (pidfd >= 0) {
        rl_debug("delete %s: SIGKILL to init pid %d, waiting for it to exit", st->id, (int)st->pid);
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        if (wait_exit(pidfd, 10000) < 0)
            rl_log(RL_LOG_WARN, "container %s: init %d did not exit after SIGKILL", st->id,
                   (int)st->pid);
        else
            rl_debug("delete %s: init pid %d exited", st->id, (int)st->pid);
    } else if (st->pid > 0) {
        rl_debug("delete %s: init pid %d is gone already", st->id, (int)st->pid);
    }
}

static int delete_locked(const struct rl_context *ctx, struct rl_locked *l, bool force,
                         struct rl_error **err)
{
    if ((l->status == RL_STATUS_RUNNING || l->status == RL_STATUS_PAUSED) && !force)
        return rl_error(err, "cannot delete container %s that is not stopped: %s", l->st->id,
                        rl_status_name(l->status));
    if (l->status != RL_STATUS_STOPPED || l->st->cgroup)
        kill_all_and_wait(l->st);
    const char *id = l->st->id;
    if (l->st->created && l->st->n_poststop) {
        rl_debug("delete %s: %zu poststop hook(s)", id, l->st->n_poststop);
        _cleanup_free_ char *js = rl_state_oci_json(l->st, RL_STATUS_STOPPED, false);
        rl_hooks_run_all(l->st->poststop, l->st->n_poststop, "poststop", js);
    }
    if (l->st->cgroup) {
        rl_debug("delete %s: remove cgroup %s (every hierarchy)", id, l->st->cgroup->path);
        if (rl_cgroup_destroy(l->st->cgroup, err) < 0)
            return -1;
    }
    if (rl_rdt_remove(ctx, id, err) < 0)
        return -1;
    _cleanup_free_ char *dir = rl_state_dir(ctx, id);
    /* nothing of the container is mounted on the host: rl_rm_rf refuses to
     * cross into a mount point */
    rl_debug("delete %s: remove the state directory %s", id, dir);
    if (rl_rm_rf(dir, err) < 0)
        return -1;
    rl_debug("delete %s: removed %s", id, dir);
    return 0;
}

int rl_delete(const struct rl_context *ctx, const char *id, bool force, struct rl_error **err)
{
    struct rl_locked l;
    if (rl_lock_read_any(ctx, id, &l, true, err) < 0) {
        if (force && err && *err && (*err)->errnum == ENOENT) {
            rl_debug("delete --force %s: no such container (%s/%s), nothing to do", id, ctx->root,
                     id);
            rl_error_free(*err);
            *err = NULL;
            return 0;
        }
        if (err == NULL || *err == NULL || (*err)->errnum != RL_EDAMAGED)
            return -1;
        if (!force)
            return rl_error_wrap(err, "cannot delete container %s", id);
        /* ROOT/<id> itself is not a directory: nothing to lock or read */
        struct rl_state *st = rl_state_salvage(ctx, id, (*err)->msg, false);
        rl_error_free(*err);
        *err = NULL;
        int ret = rl_delete_damaged(ctx, st, err);
        rl_state_free(st);
        return ret;
    }
    int ret;
    if (l.status == RL_STATUS_UNKNOWN && !force)
        ret = rl_error(err,
                       "cannot delete container %s: %s (delete --force kills the init "
                       "recorded in init.json and removes the container)",
                       id, l.st->damaged);
    else if (l.status == RL_STATUS_UNKNOWN)
        ret = rl_delete_damaged(ctx, l.st, err);
    else
        ret = delete_locked(ctx, &l, force, err);
    rl_unlock(&l);
    return ret;
}

/* An entry for a container whose directory cannot even be locked. */
static struct rl_state *unreadable(const char *id, const struct rl_error *e)
{
    struct rl_state *st = xzalloc(sizeof(*st));
    st->id = xstrdup(id);
    st->damaged = xstrdup(e && e->msg ? e->msg : "unreadable");
    return st;
}

/* Every container, damaged ones too (status unknown, never hidden). */
int rl_list(const struct rl_context *ctx, struct rl_list_entry **entries, size_t *n,
            struct rl_error **err)
{
    *entries = NULL;
    *n = 0;
    DIR *d = opendir(ctx->root);
    if (d == NULL)
        return errno == ENOENT ? 0 : rl_error_errno(err, "open %s", ctx->root);
    struct dirent *de;
    size_t cap = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || rl_validate_id(de->d_name, NULL) < 0)
            continue;
        struct rl_locked l;
        struct rl_error *e = NULL;
        struct rl_state *st;
        enum rl_status status;
        if (rl_lock_read_any(ctx, de->d_name, &l, true, &e) == 0) {
            st = steal_pointer(&l.st);
            status = l.status;
            rl_unlock(&l);
        } else if (e && e->errnum == ENOENT) {
            rl_error_free(e); /* deleted meanwhile */
            continue;
        } else {
            st = unreadable(de->d_name, e);
            status = RL_STATUS_UNKNOWN;
        }
        rl_error_free(e);
        /* a damaged container's recorded pid is shown only while it is
         * still that process */
        if (status == RL_STATUS_UNKNOWN && rl_proc_start_time(st->pid) != st->start_time)
            st->pid = 0;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *entries = xrealloc(*entries, cap * sizeof(**entries));
        }
        (*entries)[*n].state = st;
        (*entries)[*n].status = status;
        (*n)++;
    }
    closedir(d);
    return 0;
}

void rl_list_free(struct rl_list_entry *entries, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rl_state_free(entries[i].state);
    free(entries);
}
