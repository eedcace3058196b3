/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The criu command lines of checkpoint and restore (pure: built from the
 * spec and the options, unit-tested), and running criu.
 *
 * What CRIU is told, as runc and crun tell it:
 * - the config's bind mounts are external mounts: dumped under their
 *   destination as the key, restored from the (new) config's source;
 * - a network namespace joined by path is external ("extRootNetNS"): the
 *   dump leaves it out, the restore puts the processes into the config's
 *   one (an inherited fd);
 * - the container's stdio pipes (descriptors.json, written at checkpoint)
 *   are reconnected to restore's own fds 0-2;
 * - cgroups: criu's manage mode (soft unless --manage-cgroups-mode), the
 *   container's cgroup2 directory as freezer (dump) and cgroup root
 *   (restore). */
#include "criu.h"

#include "rustlet/log.h"
#include "rustlet/mount_opts.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void add(struct rl_criu_argv *a, const char *fmt, ...) RL_PRINTF(2, 3);
static void add(struct rl_criu_argv *a, const char *fmt, ...)
{
    if (a->n + 2 > a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        a->v = xrealloc(a->v, a->cap * sizeof(char *));
    }
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&a->v[a->n], fmt, ap) < 0)
        abort();
    va_end(ap);
    a->v[++a->n] = NULL;
}

void rl_criu_argv_free(struct rl_criu_argv *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    *a = (struct rl_criu_argv){0};
}

int rl_criu_cgroups_mode(const char *mode, struct rl_error **err)
{
    static const char *const modes[] = {"soft", "full", "strict", "ignore"};
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
        if (mode == NULL || strcmp(mode, modes[i]) == 0)
            return 0;
    return rl_error(
        err, "--manage-cgroups-mode: invalid value \"%s\" (soft, full, strict or ignore)", mode);
}

int rl_criu_check_opts(const struct rl_criu_opts *o, struct rl_error **err)
{
    if (rl_criu_cgroups_mode(o->manage_cgroups_mode, err) < 0)
        return -1;
    if (o->empty_ns && strcmp(o->empty_ns, "network") != 0)
        return rl_error(err, "--empty-ns: namespace \"%s\" is not supported (only network)",
                        o->empty_ns);
    return 0;
}

/* A destination as CRIU sees the mount point: one '/' between components,
 * none at the end. */
static char *clean_dest(const char *d)
{
    char *out = xmalloc(strlen(d) + 2);
    size_t n = 0;
    if (d[0] != '/')
        out[n++] = '/';
    for (const char *p = d; *p; p++) {
        if (*p == '/' && n > 0 && out[n - 1] == '/')
            continue;
        out[n++] = *p;
    }
    while (n > 1 && out[n - 1] == '/')
        n--;
    out[n] = '\0';
    return out;
}

static bool is_bind(const struct rl_mount *m, struct rl_error **err, bool *ok)
{
    struct rl_mount_opts o = {0};
    *ok = rl_mount_opts_parse(m->options, m->n_options, &o, err) == 0;
    bool bind = (o.flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
    rl_mount_opts_free(&o);
    return bind;
}

/* The options both commands share. */
static int common(struct rl_criu_argv *a, const struct rl_criu_opts *o, const char *log,
                  struct rl_error **err)
{
    if (rl_criu_check_opts(o, err) < 0)
        return -1;
    add(a, "--images-dir");
    add(a, "%s", o->image_path);
    add(a, "--work-dir");
    add(a, "%s", o->work_path ? o->work_path : o->image_path);
    add(a, "--log-file");
    add(a, "%s", log);
    add(a, "-v4");
    add(a, "--manage-cgroups=%s", o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft");
    if (o->tcp_established)
        add(a, "--tcp-established");
    if (o->ext_unix_sk)
        add(a, "--ext-unix-sk");
    if (o->shell_job)
        add(a, "--shell-job");
    if (o->file_locks)
        add(a, "--file-locks");
    if (o->auto_dedup)
        add(a, "--auto-dedup");
    if (o->empty_ns) {
        add(a, "--empty-ns");
        add(a, "net");
    }
    return 0;
}

/* Every bind mount of the config: dump KEY:KEY, restore KEY:SOURCE. The
 * cgroup mount too: seen from criu's cgroup namespace its root is the
 * container's cgroup, not the filesystem's, which CRIU cannot remount; it
 * comes back as a bind of the new container's cgroup2 directory
 * (cgroup_dir; NULL on dump or without a cgroup: not restored). */
static int ext_mounts(struct rl_criu_argv *a, const struct rl_spec *spec, const char *bundle,
                      bool restore, const char *cgroup_dir, struct rl_error **err)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct rl_mount *m = &spec->mounts[i];
        bool ok;
        bool bind = is_bind(m, err, &ok);
        if (!ok)
            return rl_error_wrap(err, "mounts[%zu]", i);
        bool cgroup =
            !bind && m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0);
        if (!bind && !(cgroup && (!restore || cgroup_dir)))
            continue;
        _cleanup_free_ char *key = clean_dest(m->destination);
        char *src;
        if (cgroup)
            src = xstrdup(cgroup_dir ? cgroup_dir : "");
        else if (m->source == NULL)
            src = xstrdup("");
        else if (m->source[0] == '/')
            src = xstrdup(m->source);
        else
            src = xasprintf("%s/%s", bundle, m->source);
        add(a, "--ext-mount-map");
        add(a, "%s:%s", key, restore ? src : key);
        free(src);
    }
    return 0;
}

int rl_criu_dump_argv(const char *criu, const struct rl_spec *spec, const char *bundle, pid_t pid,
                      const char *freeze_cgroup, const struct rl_checkpoint_opts *o,
                      struct rl_criu_argv *a, struct rl_error **err)
{
    *a = (struct rl_criu_argv){0};
    add(a, "%s", criu);
    add(a, "%s", o->pre_dump ? "pre-dump" : "dump");
    add(a, "--tree");
    add(a, "%d", (int)pid);
    if (common(a, &o->c, RL_CRIU_DUMP_LOG, err) < 0)
        goto fail;
    if (o->leave_running && !o->pre_dump)
        add(a, "--leave-running");
    if (o->pre_dump || o->parent_path)
        add(a, "--track-mem");
    if (o->parent_path) {
        if (o->parent_path[0] == '/') {
            rl_error(err, "--parent-path %s: must be relative to --image-path", o->parent_path);
            goto fail;
        }
        add(a, "--prev-images-dir");
        add(a, "%s", o->parent_path);
    }
    if (freeze_cgroup) {
        add(a, "--freeze-cgroup");
        add(a, "%s", freeze_cgroup);
    }
    if (ext_mounts(a, spec, bundle, false, NULL, err) < 0)
        goto fail;
    for (size_t i = 0; i < spec->linux_.n_namespaces; i++) {
        const struct rl_namespace *ns = &spec->linux_.namespaces[i];
        if (ns->path == NULL)
            continue;
        if (ns->type != RL_NS_NETWORK) {
            rl_error(err,
                     "linux.namespaces[%zu]: a %s namespace joined by path (%s) cannot be "
                     "checkpointed yet (only network)",
                     i, rl_ns_type_name(ns->type), ns->path);
            goto fail;
        }
        struct stat st;
        if (stat(ns->path, &st) < 0) {
            rl_error_errno(err, "linux.namespaces[%zu]: stat %s", i, ns->path);
            goto fail;
        }
        add(a, "--external");
        add(a, "net[%llu]:%s", (unsigned long long)st.st_ino, RL_CRIU_EXT_NETNS);
    }
    return 0;
fail:
    rl_criu_argv_free(a);
    return -1;
}

int rl_criu_restore_argv(const char *criu, const struct rl_spec *spec, const char *bundle,
                         const struct rl_restore_args *r, const struct rl_restore_opts *o,
                         struct rl_criu_argv *a, struct rl_error **err)
{
    *a = (struct rl_criu_argv){0};
    add(a, "%s", criu);
    add(a, "restore");
    if (common(a, &o->c, RL_CRIU_RESTORE_LOG, err) < 0)
        goto fail;
    add(a, "--root");
    add(a, "%s", r->root);
    add(a, "--restore-detached");
    add(a, "--pidfile");
    add(a, "%s", r->pidfile);
    if (r->cgroup_root) {
        add(a, "--cgroup-root");
        add(a, "%s", r->cgroup_root);
    }
    if (o->lsm_profile) {
        add(a, "--lsm-profile");
        add(a, "%s", o->lsm_profile);
    }
    if (o->lsm_mount_context) {
        add(a, "--lsm-mount-context");
        add(a, "%s", o->lsm_mount_context);
    }
    if (ext_mounts(a, spec, bundle, true, r->cgroup_abs, err) < 0)
        goto fail;
    for (size_t i = 0; i < 3; i++)
        if (r->stdio[i] && strncmp(r->stdio[i], "pipe:", 5) == 0) {
            add(a, "--inherit-fd");
            add(a, "fd[%zu]:%s", i, r->stdio[i]);
        }
    if (r->netns_fd >= 0) {
        add(a, "--inherit-fd");
        add(a, "fd[%d]:%s", r->netns_fd, RL_CRIU_EXT_NETNS);
    }
    return 0;
fail:
    rl_criu_argv_free(a);
    return -1;
}

char *rl_criu_find(const char *criu, struct rl_error **err)
{
    const char *name = criu && *criu ? criu : "criu";
    if (strchr(name, '/')) {
        if (access(name, X_OK) < 0)
            return rl_error_errno(err, "--criu %s", name), NULL;
        return xstrdup(name);
    }
    const char *path = getenv("PATH");
    _cleanup_free_ char *copy = xstrdup(
        path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    char *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char *p = xasprintf("%s/%s", d, name);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
    }
    rl_error(err, "%s: not found on PATH (install the criu package or give --criu PATH)", name);
    return NULL;
}

/* The last "Error" lines of a criu log (up to 3, joined by "; "). */
char *rl_criu_log_errors(const char *log)
{
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, log, 16 << 20, NULL, NULL);
    if (text == NULL)
        return NULL;
    const char *lines[3] = {NULL, NULL, NULL};
    size_t lens[3] = {0, 0, 0}, k = 0;
    for (char *l = text; *l;) {
        char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        if (memmem(l, len, "Error", 5)) {
            lines[k % 3] = l;
            lens[k % 3] = len;
            k++;
        }
        if (e == NULL)
            break;
        l = e + 1;
    }
    if (k == 0)
        return NULL;
    size_t total = 0;
    for (size_t i = 0; i < 3; i++)
        total += lens[i] + 2;
    char *out = xzalloc(total + 1);
    for (size_t i = k > 3 ? k - 3 : 0; i < k; i++) {
        if (out[0])
            strcat(out, "; ");
        /* "(00.012345) Error (criu/mount.c:12): text" -> from "Error" on */
        const char *l = lines[i % 3];
        const char *s = memmem(l, lens[i % 3], "Error", 5);
        strncat(out, s, lens[i % 3] - (size_t)(s - l));
    }
    return out;
}

int rl_criu_run(char *const *argv, int (*before_exec)(pid_t pid, void *data, struct rl_error **err),
                void *data, int (*in_child)(void *data), void *child_data, struct rl_error **err)
{
    if (rl_log_debug_enabled()) {
        size_t len = 1;
        for (size_t i = 0; argv[i]; i++)
            len += strlen(argv[i]) + 1;
        _cleanup_free_ char *line = xzalloc(len);
        for (size_t i = 0; argv[i]; i++) {
            if (i)
                strcat(line, " ");
            strcat(line, argv[i]);
        }
        rl_debug("criu: run %s", line);
    }
    int go[2], report[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return rl_error_errno(err, "pipe");
    if (pipe2(report, O_CLOEXEC) < 0) {
        close(go[0]);
        close(go[1]);
        return rl_error_errno(err, "pipe");
    }
    pid_t pid = rl_sys_fork("criu");
    if (pid < 0) {
        int e = errno;
        close(go[0]);
        close(go[1]);
        close(report[0]);
        close(report[1]);
        errno = e;
        return rl_error_errno(err, "fork");
    }
    if (pid == 0) {
        close(go[1]);
        close(report[0]);
        char c;
        int e = 0;
        if (read(go[0], &c, 1) != 1)
            _exit(127);
        if (in_child && in_child(child_data) < 0)
            e = errno ? errno : EIO;
        if (e == 0) {
            execv(argv[0], argv);
            e = errno;
        }
        if (write(report[1], &e, sizeof(e)) < 0)
            _exit(127);
        _exit(127);
    }
    close(go[0]);
    close(report[1]);
    int ret = 0;
    if (before_exec && before_exec(pid, data, err) < 0)
        ret = -1;
    else if (write(go[1], "x", 1) != 1)
        ret = rl_error_errno(err, "start criu");
    close(go[1]);
    int e = 0;
    ssize_t n = read(report[0], &e, sizeof(e));
    close(report[0]);
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (ret < 0)
        return -1;
    if (n == (ssize_t)sizeof(e)) {
        errno = e;
        return rl_error_errno(err, "exec %s", argv[0]);
    }
    if (WIFSIGNALED(ws))
        return rl_error(err, "criu %s killed by signal %d", argv[1], WTERMSIG(ws));
    return WEXITSTATUS(ws);
}
