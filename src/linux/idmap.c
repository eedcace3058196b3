/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Idmapped bind mounts (config.md "mounts": uidMappings/gidMappings and the
 * options "idmap"/"ridmap"), made by the runtime before the clone:
 *
 *   open_tree(source, OPEN_TREE_CLONE [|AT_RECURSIVE for rbind/ridmap])
 *     -> a detached copy of the source tree, private to us;
 *   a user namespace carrying the mount's mappings: a helper child born in
 *     a new user namespace (clone(CLONE_NEWUSER)) that only waits, its
 *     uid_map/gid_map written, /proc/PID/ns/user opened, the child ended;
 *   mount_setattr(tree, MOUNT_ATTR_IDMAP, userns [, AT_RECURSIVE for ridmap]).
 *
 * The init then attaches the tree with move_mount() onto the destination it
 * resolved inside the rootfs (mounts.c), in the mounts' order.
 *
 * Why here and not in the init: MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN in the
 * user namespace that owns the source's superblock (the host's, for a host
 * directory), which an init in a new user namespace never has; and only a
 * detached mount (not yet visible anywhere) may be idmapped. So, as with
 * crun and runc, the source path is resolved in the runtime's mount
 * namespace when `create` starts, not after earlier mounts of the list.
 *
 * The mapping: a file owned by on-disk id X shows as the host id that X maps
 * to (containerID X -> hostID Y shows it as Y, and a file created through
 * the mount by host id Y is stored as X). Without mappings on the mount,
 * "idmap"/"ridmap" use the container's user namespace: its linux.uidMappings
 * and gidMappings, or the namespace given by path. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/mount_opts.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

bool rl_idmap_supported(void)
{
    /* A request the kernel refuses before it looks at the (bad) path, at
     * the user namespace check, when it knows the call and MOUNT_ATTR_IDMAP:
     * our own user namespace is the initial one (EPERM) or, if not, the bad
     * dfd is next (EBADF). Without the call: ENOSYS; without the flag:
     * EINVAL. */
    _cleanup_close_ int self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return false;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)self};
    int r = rl_sys_mount_setattr_fd(-1, 0, &attr, sizeof(attr), "probe of MOUNT_ATTR_IDMAP");
    return r < 0 && (errno == EPERM || errno == EBADF);
}

/* A user namespace with these maps, as an fd; the helper is gone on return. */
static int userns_with_maps(const struct rl_id_mapping *u, size_t nu, const struct rl_id_mapping *g,
                            size_t ng, const char *cfg, struct rl_error **err)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return rl_error_errno(err, "pipe");
    char what[96];
    snprintf(what, sizeof(what), "CLONE_NEWUSER|SIGCHLD: user namespace helper for %s", cfg);
    pid_t pid = rl_sys_clone(CLONE_NEWUSER | SIGCHLD, what);
    if (pid == 0) {
        /* the helper: wait until the runtime closes the pipe (or dies) */
        char c;
        close(pipefd[1]);
        while (read(pipefd[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    int saved = errno;
    close(pipefd[0]);
    if (pid < 0) {
        close(pipefd[1]);
        errno = saved;
        return rl_error_errno(err, "%s: clone(CLONE_NEWUSER) for the mount's user namespace", cfg);
    }
    _cleanup_free_ char *ucfg = xasprintf("%s.uidMappings", cfg);
    _cleanup_free_ char *gcfg = xasprintf("%s.gidMappings", cfg);
    int fd = -1;
    if (rl_ns_write_map(pid, "uid_map", u, nu, ucfg, err) == 0 &&
        rl_ns_write_map(pid, "gid_map", g, ng, gcfg, err) == 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            rl_error_errno(err, "%s: open %s", cfg, path);
    }
    close(pipefd[1]);
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return fd;
}

struct fstype_query {
    unsigned long long id;
    char *fstype;
};

static int fstype_line(const struct rl_mountinfo *m, void *arg)
{
    struct fstype_query *q = arg;
    if (m->id != q->id)
        return 0;
    q->fstype = xstrdup(m->fstype);
    return 1;
}

/* The filesystem type of the mount holding path (for error messages; the
 * detached copy is in no mountinfo). */
static char *fs_type_of(const char *path)
{
    struct statx sx;
    if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID))
        return xstrdup("unknown");
    _cleanup_free_ char *mi = rl_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 0, NULL, NULL);
    struct fstype_query q = {sx.stx_mnt_id, NULL};
    if (mi)
        rl_mountinfo_each(mi, fstype_line, &q);
    return q.fstype ? q.fstype : xstrdup("unknown");
}

struct idmap_ctx {
    const struct rl_spec *spec;
    int container_userns; /* the container's mappings, made once when needed */
};

/* The user namespace fd for mount i: its own mappings or the container's. */
static int userns_for(struct idmap_ctx *c, const struct rl_mount *m, size_t i,
                      struct rl_error **err)
{
    char cfg[48];
    snprintf(cfg, sizeof(cfg), "mounts[%zu]", i);
    if (m->n_uid_mappings > 0)
        return userns_with_maps(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
                                m->n_gid_mappings, cfg, err);
    if (c->container_userns < 0) {
        const struct rl_namespace *user = rl_spec_namespace(c->spec, RL_NS_USER);
        const struct rl_linux *l = &c->spec->linux_;
        if (user == NULL) /* refused by validation already */
            return rl_error(err, "%s: idmap without mappings needs a user namespace", cfg);
        if (user->path && *user->path) {
            c->container_userns = open(user->path, O_RDONLY | O_CLOEXEC);
            if (c->container_userns < 0)
                return rl_error_errno(err, "%s: open the container's user namespace %s", cfg,
                                      user->path);
        } else {
            c->container_userns =
                userns_with_maps(l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
                                 l->n_gid_mappings, "linux", err);
            if (c->container_userns < 0)
                return rl_error_wrap(err, "%s (the container's mappings)", cfg);
        }
    }
    return fcntl(c->container_userns, F_DUPFD_CLOEXEC, 3);
}

static int idmap_one(struct idmap_ctx *c, const struct rl_mount *m, size_t i, const char *bundle,
                     struct rl_error **err)
{
    struct rl_mount_opts o;
    rl_mount_opts_parse(m->options, m->n_options, &o, err);
    bool recursive_tree = o.recursive_bind || o.ridmap;
    bool ridmap = o.ridmap;
    rl_mount_opts_free(&o);
    _cleanup_free_ char *src = m->source == NULL     ? xstrdup("")
                               : m->source[0] == '/' ? xstrdup(m->source)
                                                     : xasprintf("%s/%s", bundle, m->source);
    _cleanup_close_ int userns = userns_for(c, m, i, err);
    if (userns < 0)
        return -1;
    unsigned tflags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive_tree ? AT_RECURSIVE : 0);
    int tree = rl_sys_open_tree(AT_FDCWD, src, tflags);
    if (tree < 0)
        return rl_error_errno(err, "open_tree(%s, OPEN_TREE_CLONE%s)", src,
                              recursive_tree ? "|AT_RECURSIVE" : "");
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
    if (rl_sys_mount_setattr_fd(tree, ridmap ? AT_RECURSIVE : 0, &attr, sizeof(attr), src) < 0) {
        int saved = errno;
        _cleanup_free_ char *fstype = fs_type_of(src);
        close(tree);
        errno = saved;
        if (saved == EINVAL)
            return rl_error_errno(err,
                                  "mount_setattr(MOUNT_ATTR_IDMAP%s) of %s (%s filesystem; "
                                  "does it support idmapped mounts?)",
                                  ridmap ? ", AT_RECURSIVE" : "", src, fstype);
        return rl_error_errno(err, "mount_setattr(MOUNT_ATTR_IDMAP%s) of %s (%s filesystem)",
                              ridmap ? ", AT_RECURSIVE" : "", src, fstype);
    }
    return tree;
}

int rl_idmap_prepare(const struct rl_spec *spec, const char *bundle, int **fds,
                     struct rl_error **err)
{
    *fds = NULL;
    size_t n = 0;
    for (size_t i = 0; i < spec->n_mounts; i++)
        n += rl_mount_is_idmapped(&spec->mounts[i]);
    if (n == 0)
        return 0;
    if (!rl_idmap_supported()) {
        for (size_t i = 0; i < spec->n_mounts; i++)
            if (rl_mount_is_idmapped(&spec->mounts[i]))
                return rl_error(err,
                                "mounts[%zu] (on %s): idmapped mounts are not supported by "
                                "this kernel (mount_setattr(MOUNT_ATTR_IDMAP) needs Linux "
                                "5.12)",
                                i, spec->mounts[i].destination);
    }
    int *v = xzalloc(spec->n_mounts * sizeof(*v));
    for (size_t i = 0; i < spec->n_mounts; i++)
        v[i] = -1;
    struct idmap_ctx c = {.spec = spec, .container_userns = -1};
    int r = 0;
    for (size_t i = 0; r == 0 && i < spec->n_mounts; i++) {
        const struct rl_mount *m = &spec->mounts[i];
        if (!rl_mount_is_idmapped(m))
            continue;
        v[i] = idmap_one(&c, m, i, bundle, err);
        if (v[i] < 0)
            r = rl_error_wrap(err, "mounts[%zu] (idmapped bind %s on %s)", i,
                              m->source ? m->source : "", m->destination);
    }
    if (c.container_userns >= 0)
        close(c.container_userns);
    if (r < 0) {
        rl_idmap_free(v, spec->n_mounts);
        return -1;
    }
    *fds = v;
    return 0;
}

void rl_idmap_free(int *fds, size_t n)
{
    if (fds == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
}
