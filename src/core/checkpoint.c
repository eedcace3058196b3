/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* checkpoint and restore over the criu command line (criu.c builds it).
 *
 * checkpoint: the running (or paused) container's init and its children
 * are dumped into --image-path with descriptors.json (what fds 0-2 were);
 * then, unless --leave-running or --pre-dump, criu has killed them and the
 * container is deleted, as runc does, so the id is free for restore.
 *
 * restore: like create up to the clone (rl_create_prepare: the bundle
 * validated, ROOT/<id> and the cgroup with its limits), then criu restore
 * in the new cgroup, in a private mount namespace of its own where the
 * rootfs is bound for it (so a killed restore leaves no mount on the host;
 * delete --force removes the rest), with --restore-detached: the restored
 * init is reparented to us (child subreaper) or, detached, to our caller's
 * reaper. The state then says running, with the restored pid. */
#include "criu.h"

#include "rustlet/cgroup.h"
#include "rustlet/container.h"
#include "rustlet/json.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"
#include "core_internal.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* what criu exited with, and the errors its log names */
static int criu_failed(struct rl_error **err, const char *what, int status, const char *work,
                       const char *log)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", work, log);
    _cleanup_free_ char *errs = rl_criu_log_errors(path);
    return rl_error(err, "criu %s failed (exit status %d): %s (log: %s)", what, status,
                    errs ? errs : "no error line in the log", path);
}

static int make_dir(const char *flag, const char *path, struct rl_error **err)
{
    if (mkdir(path, 0700) < 0 && errno != EEXIST)
        return rl_error_errno(err, "%s: mkdir %s", flag, path);
    struct stat st;
    if (stat(path, &st) < 0)
        return rl_error_errno(err, "%s: stat %s", flag, path);
    if (!S_ISDIR(st.st_mode))
        return rl_error(err, "%s: %s is not a directory", flag, path);
    return 0;
}

/* descriptors.json: the targets of the init's fds 0-2, as runc writes it */
static int write_descriptors(const char *image, pid_t pid, struct rl_error **err)
{
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_jsonw_array_open(w);
    for (int fd = 0; fd < 3; fd++) {
        char link[64], target[PATH_MAX];
        snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = '\0';
        rl_jsonw_string(w, n > 0 ? target : "/dev/null");
    }
    rl_jsonw_array_close(w);
    size_t len = 0;
    _cleanup_free_ char *doc = rl_jsonw_finish(w, &len, err);
    if (doc == NULL)
        return -1;
    _cleanup_free_ char *path = xasprintf("%s/%s", image, RL_CRIU_DESCRIPTORS);
    if (rl_write_file_atomic(path, doc, len, 0600, err) < 0)
        return rl_error_wrap(err, "write %s", path);
    return 0;
}

int rl_checkpoint(const struct rl_context *ctx, const char *id, const struct rl_checkpoint_opts *o,
                  struct rl_error **err)
{
    if (rl_criu_check_opts(&o->c, err) < 0)
        return -1;
    _cleanup_free_ char *criu = rl_criu_find(ctx->criu, err);
    if (criu == NULL)
        return -1;
    struct rl_locked l;
    if (rl_lock_read(ctx, id, &l, err) < 0)
        return -1;
    int ret = -1;
    struct rl_spec *spec = NULL;
    struct rl_criu_argv av = {0};
    char *cfg = NULL;
    const char *freeze = NULL;
    if (l.status != RL_STATUS_RUNNING && l.status != RL_STATUS_PAUSED) {
        rl_error(err, "container %s cannot be checkpointed in %s state", id,
                 rl_status_name(l.status));
        goto out;
    }
    cfg = rl_state_config_path(l.st);
    spec = rl_spec_load_file(cfg, err);
    if (spec == NULL)
        goto out;
    if (spec->process.terminal && !o->c.shell_job) {
        rl_error(err, "process.terminal: a container with a terminal cannot be checkpointed "
                      "yet (or pass --shell-job)");
        goto out;
    }
    if (make_dir("--image-path", o->c.image_path, err) < 0 ||
        (o->c.work_path && make_dir("--work-path", o->c.work_path, err) < 0))
        goto out;
    if (o->parent_path && o->parent_path[0] != '/') {
        char *parent = xasprintf("%s/%s", o->c.image_path, o->parent_path);
        struct stat st;
        bool ok = stat(parent, &st) == 0 && S_ISDIR(st.st_mode);
        if (!ok)
            rl_error_errno(err, "--parent-path %s: no pre-dump at %s", o->parent_path, parent);
        free(parent);
        if (!ok)
            goto out;
    }
    if (l.st->cgroup)
        rl_cgroup_unified_dir(l.st->cgroup, &freeze);
    if (rl_criu_dump_argv(criu, spec, l.st->bundle, l.st->pid, freeze, o, &av, err) < 0)
        goto out;
    if (!o->pre_dump && write_descriptors(o->c.image_path, l.st->pid, err) < 0)
        goto out;
    int status = rl_criu_run(av.v, NULL, NULL, NULL, NULL, err);
    if (status < 0)
        goto out;
    if (status != 0) {
        criu_failed(err, o->pre_dump ? "pre-dump" : "dump", status,
                    o->c.work_path ? o->c.work_path : o->c.image_path, RL_CRIU_DUMP_LOG);
        goto out;
    }
    rl_debug("criu: %s of container %s (pid %d) into %s done", o->pre_dump ? "pre-dump" : "dump",
             id, (int)l.st->pid, o->c.image_path);
    ret = 0;
out:
    free(cfg);
    rl_criu_argv_free(&av);
    rl_spec_free(spec);
    rl_unlock(&l);
    /* criu killed the processes: the container is gone, as after runc's */
    if (ret == 0 && !o->leave_running && !o->pre_dump)
        ret = rl_delete(ctx, id, true, err);
    return ret;
}

/* ---- restore ---- */

struct restore {
    struct rl_prepared p;
    const char *rootfs; /* the bundle's rootfs */
    char *root;         /* ROOT/<id>/criu-root */
};

/* criu's parent side, before it runs: into the container's cgroup, and
 * the limits for a manager that needed a pid (systemd) */
static int join_cgroup(pid_t pid, void *data, struct rl_error **err)
{
    struct restore *r = data;
    if (r->p.st->cgroup == NULL)
        return 0;
    if (rl_cgroup_add_pid(r->p.st->cgroup, pid, err) < 0)
        return -1;
    return rl_prepared_apply(&r->p, err);
}

/* criu's side, before exec: a mount namespace of its own in which the
 * rootfs is bound on criu-root (criu mounts the container's tree there) */
static int private_root(void *data)
{
    struct restore *r = data;
    if (rl_sys_unshare(CLONE_NEWNS) < 0 ||
        rl_sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        rl_sys_mount(r->rootfs, r->root, NULL, MS_BIND | MS_REC, NULL) < 0 ||
        rl_sys_mount(NULL, r->root, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -1;
    return 0;
}

static int read_descriptors(const char *image, char *out[3], struct rl_error **err)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", image, RL_CRIU_DESCRIPTORS);
    size_t len = 0;
    _cleanup_free_ char *doc = rl_read_file_at(AT_FDCWD, path, 1 << 20, &len, err);
    if (doc == NULL)
        return rl_error_wrap(err, "--image-path %s: not a checkpoint", image);
    rl_json *j = rl_json_parse(doc, len, err);
    if (j == NULL)
        return rl_error_wrap(err, "%s", path);
    int ret = 0;
    if (rl_json_type(j) != RL_JSON_ARRAY)
        ret = rl_error(err, "%s: not a JSON array", path);
    for (size_t i = 0; ret == 0 && i < 3 && i < rl_json_len(j); i++) {
        const char *s = rl_json_string(rl_json_array_at(j, i));
        out[i] = s ? xstrdup(s) : NULL;
    }
    rl_json_free(j);
    return ret;
}

static int restore_steps(const struct rl_context *ctx, const char *id,
                         const struct rl_restore_opts *o, struct restore *r, const char *criu,
                         char *stdio[3], pid_t *pid, struct rl_error **err)
{
    if (rl_create_prepare(ctx, id, &o->create, &r->p, err) < 0)
        return -1;
    struct rl_state *st = r->p.st;
    const struct rl_spec *spec = r->p.spec;
    const struct rl_hooks *h = &spec->hooks;
    if (h->n_prestart || h->n_create_runtime || h->n_poststart)
        return rl_error(err, "hooks.%s: hooks are not run on restore yet",
                        h->n_prestart         ? "prestart"
                        : h->n_create_runtime ? "createRuntime"
                                              : "poststart");
    r->rootfs = st->rootfs;
    r->root = xasprintf("%s/criu-root", r->p.dir);
    if (mkdir(r->root, 0700) < 0)
        return rl_error_errno(err, "mkdir %s", r->root);
    _cleanup_free_ char *pidfile = xasprintf("%s/criu.pid", r->p.dir);
    struct rl_restore_args ra = {.root = r->root,
                                 .pidfile = pidfile,
                                 .cgroup_root =
                                     st->cgroup ? rl_cgroup_unified_dir(st->cgroup, NULL) : NULL,
                                 .stdio = {stdio[0], stdio[1], stdio[2]},
                                 .cgroup_abs = NULL,
                                 .netns_fd = -1};
    if (st->cgroup)
        rl_cgroup_unified_dir(st->cgroup, &ra.cgroup_abs);
    const struct rl_namespace *net = rl_spec_namespace(spec, RL_NS_NETWORK);
    _cleanup_close_ int netfd = -1;
    if (net && net->path) {
        /* no O_CLOEXEC: criu inherits it */
        netfd = open(net->path, O_RDONLY);
        if (netfd < 0)
            return rl_error_errno(err, "linux.namespaces (network): open %s", net->path);
        ra.netns_fd = netfd;
    }
    struct rl_criu_argv av = {0};
    if (rl_criu_restore_argv(criu, spec, st->bundle, &ra, o, &av, err) < 0)
        return -1;
    int status = rl_criu_run(av.v, join_cgroup, r, private_root, r, err);
    rl_criu_argv_free(&av);
    if (status < 0)
        return -1;
    if (status != 0)
        return criu_failed(err, "restore", status,
                           o->c.work_path ? o->c.work_path : o->c.image_path, RL_CRIU_RESTORE_LOG);
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, pidfile, 64, NULL, err);
    if (text == NULL)
        return rl_error_wrap(err, "criu restore: its pid file");
    *pid = (pid_t)atol(text);
    unsigned long long start = rl_proc_start_time(*pid);
    if (*pid <= 0 || start == 0)
        return rl_error(err, "criu restore: the restored process %d is gone", (int)*pid);
    /* criu put the tree under the cgroup root; the init itself for sure */
    if (st->cgroup && rl_cgroup_add_pid(st->cgroup, *pid, err) < 0)
        return -1;
    st->pid = *pid;
    st->start_time = start;
    st->created = rl_now_rfc3339();
    if (rl_state_write_record(ctx, st, err) < 0 || rl_state_write(ctx, st, err) < 0)
        return -1;
    rl_debug("criu: container %s restored from %s, init pid %d", id, o->c.image_path, (int)*pid);
    if (o->create.pid_file && rl_write_pid_file(o->create.pid_file, *pid, err) < 0)
        return rl_error_wrap(err, "--pid-file");
    return 0;
}

/* What restore cannot do yet: refuse before anything is made. */
static int check_restorable(const struct rl_restore_opts *o, struct rl_error **err)
{
    if (o->create.console_socket)
        return rl_error(err, "--console-socket: restoring a container with a terminal is not "
                             "supported yet");
    struct stat st;
    if (stat(o->c.image_path, &st) < 0)
        return rl_error_errno(err, "--image-path %s", o->c.image_path);
    if (!S_ISDIR(st.st_mode))
        return rl_error(err, "--image-path %s: not a directory", o->c.image_path);
    return rl_criu_check_opts(&o->c, err);
}

int rl_restore(const struct rl_context *ctx, const char *id, const struct rl_restore_opts *o,
               int *status, struct rl_error **err)
{
    *status = 0;
    if (rl_validate_id(id, err) < 0 || check_restorable(o, err) < 0)
        return -1;
    _cleanup_free_ char *criu = rl_criu_find(ctx->criu, err);
    if (criu == NULL)
        return -1;
    char *stdio[3] = {NULL, NULL, NULL};
    if (read_descriptors(o->c.image_path, stdio, err) < 0)
        return -1;
    sigset_t all, old;
    if (!o->detach) {
        /* the restored init is reparented to us when criu exits */
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        sigfillset(&all);
        sigdelset(&all, SIGCHLD);
        sigprocmask(SIG_BLOCK, &all, &old);
    }
    struct restore r = {.p.lock_fd = -1};
    pid_t pid = 0;
    int ret = restore_steps(ctx, id, o, &r, criu, stdio, &pid, err);
    bool prepared = r.p.st != NULL;
    if (r.root) {
        rmdir(r.root);
        free(r.root);
    }
    rl_prepared_free(&r.p);
    for (int i = 0; i < 3; i++)
        free(stdio[i]);
    if (ret < 0 && prepared) {
        struct rl_error *e2 = NULL;
        rl_delete(ctx, id, true, &e2);
        rl_error_free(e2);
    }
    if (ret < 0 || o->detach) {
        if (!o->detach)
            sigprocmask(SIG_SETMASK, &old, NULL);
        return ret;
    }
    if (o->create.no_subreaper)
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) {
        ret = rl_error_errno(err, "pidfd_open %d", (int)pid);
        struct rl_error *e2 = NULL;
        rl_delete(ctx, id, true, &e2);
        rl_error_free(e2);
    } else {
        ret = rl_finish_foreground(ctx, id, pid, pidfd, false, status, err);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return ret;
}
