/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Bind mount sources of a container with a user namespace, opened with the
 * runtime's privileges.
 *
 * The init resolves a bind source after it entered its user namespace: as
 * the mapped root it has no privilege over host inodes, so a source below
 * a root-only (0700) host directory fails with EACCES, where runc and crun
 * succeed. So the runtime opens the sources for it (sync.h step 1d):
 *
 *   init                                   runtime (create)
 *   SYNC_MOUNT_SOURCES (namespaces exist,
 *   nothing mounted yet) ----------------> fork a helper that joins the
 *                                          init's mount namespace (setns of
 *                                          the mount namespace alone: the
 *                                          helper keeps host root) and opens
 *                                          each source O_PATH
 *   one SYNC_MOUNT_SOURCE per source,  <-- forwarded in the mounts' order
 *   its fd attached
 *   mount(/proc/self/fd/N, dest, MS_BIND)
 *
 * Why the init's mount namespace and not ours: mount(2) binds only from a
 * mount of the caller's own namespace, and the init's copies of the host
 * mounts are locked (MNT_LOCK_READONLY, _NOSUID, ...) by the kernel since
 * that namespace belongs to a less privileged user namespace; a bind of
 * such a copy keeps the locks, so the container cannot remount a host
 * read-only mount writable. A tree cloned in our namespace (open_tree)
 * would carry no locks.
 *
 * A runtime without CAP_SYS_ADMIN and CAP_SYS_CHROOT (rootless) cannot join
 * that namespace, and has no privilege over the sources the init lacks:
 * then the init opens them itself, as before (rl_mount_sources_wanted). */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/mount_opts.h"
#include "rustlet/sync.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

bool rl_mount_source_by_fd(const struct rl_spec *spec, size_t i)
{
    const struct rl_mount *m = &spec->mounts[i];
    if (rl_spec_namespace(spec, RL_NS_USER) == NULL || rl_spec_namespace(spec, RL_NS_MOUNT) == NULL)
        return false;
    if (rl_mount_is_idmapped(m) || m->source == NULL)
        return false; /* idmap.c makes those trees itself */
    if (m->type && strcmp(m->type, "bind") == 0)
        return true;
    struct rl_mount_opts o;
    if (rl_mount_opts_parse(m->options, m->n_options, &o, NULL) < 0)
        return false;
    bool bind = (o.flags & MS_BIND) != 0;
    rl_mount_opts_free(&o);
    return bind;
}

/* setns(CLONE_NEWNS) wants CAP_SYS_CHROOT here and CAP_SYS_ADMIN over the
 * target's user namespace (a child of ours: CAP_SYS_ADMIN here) */
static bool can_join_mount_ns(void)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2] = {{0}};
    if (syscall(SYS_capget, &h, d) < 0)
        return false;
    uint64_t eff = (uint64_t)d[0].effective | ((uint64_t)d[1].effective << 32);
    return (eff & (1ULL << CAP_SYS_ADMIN)) && (eff & (1ULL << CAP_SYS_CHROOT));
}

bool rl_mount_sources_wanted(const struct rl_spec *spec)
{
    return rl_mount_sources_count(spec) > 0 && can_join_mount_ns();
}

size_t rl_mount_sources_count(const struct rl_spec *spec)
{
    size_t n = 0;
    for (size_t i = 0; i < spec->n_mounts; i++)
        n += rl_mount_source_by_fd(spec, i);
    return n;
}

static char *source_path(const struct rl_mount *m, const char *bundle)
{
    if (m->source[0] == '/')
        return xstrdup(m->source);
    return xasprintf("%s/%s", bundle, m->source);
}

/* The helper: in the init's mount namespace, open every source and send
 * it to the runtime on sock; an error goes over sock as SYNC_ERROR. */
static __attribute__((noreturn)) void helper(const struct rl_spec *spec, const char *bundle,
                                             int init_pidfd, int sock)
{
    struct rl_error *err = NULL;
    if (rl_sys_setns(init_pidfd, CLONE_NEWNS, "container init (pidfd)") < 0) {
        rl_error_errno(&err, "setns into the mount namespace of the container init");
        sync_send_error(sock, err);
        _exit(1);
    }
    for (size_t i = 0; i < spec->n_mounts; i++) {
        if (!rl_mount_source_by_fd(spec, i))
            continue;
        const struct rl_mount *m = &spec->mounts[i];
        _cleanup_free_ char *src = source_path(m, bundle);
        int fd = open(src, O_PATH | O_CLOEXEC);
        if (fd < 0) {
            rl_error_errno(&err, "mounts[%zu] (bind on %s): open the source %s", i, m->destination,
                           src);
            sync_send_error(sock, err);
            _exit(1);
        }
        rl_debug("open(%s, O_PATH) = %d in the container's mount namespace (mounts[%zu])", src, fd,
                 i);
        if (sync_send_fd(sock, SYNC_MOUNT_SOURCE, fd) < 0)
            _exit(1);
        close(fd);
    }
    _exit(0);
}

int rl_mount_sources_send(const struct rl_spec *spec, const char *bundle, int init_pidfd,
                          int sync_fd, struct rl_error **err)
{
    size_t n = rl_mount_sources_count(spec);
    if (sync_expect(sync_fd, SYNC_MOUNT_SOURCES, NULL, err) < 0)
        return -1;
    int sp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return rl_error_errno(err, "mount sources: socketpair");
    pid_t pid = rl_sys_fork("mount sources helper");
    if (pid == 0) {
        close(sp[0]);
        helper(spec, bundle, init_pidfd, sp[1]);
    }
    int saved = errno;
    close(sp[1]);
    if (pid < 0) {
        close(sp[0]);
        errno = saved;
        return rl_error_errno(err, "mount sources: fork");
    }
    int r = 0;
    for (size_t k = 0; r == 0 && k < n; k++) {
        _cleanup_close_ int fd = -1;
        if (sync_expect_fd(sp[0], SYNC_MOUNT_SOURCE, &fd, err) < 0)
            r = -1;
        else if (sync_send_fd(sync_fd, SYNC_MOUNT_SOURCE, fd) < 0)
            r = rl_error_errno(err, "sync: send a mount source");
    }
    close(sp[0]);
    if (r < 0)
        kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return r;
}

int rl_mount_sources_receive(const struct rl_spec *spec, int sync_fd, int **fds,
                             struct rl_error **err)
{
    *fds = NULL;
    if (sync_send(sync_fd, SYNC_MOUNT_SOURCES, 0) < 0)
        return rl_error_errno(err, "sync: send mount-sources");
    int *v = xzalloc(spec->n_mounts * sizeof(*v));
    for (size_t i = 0; i < spec->n_mounts; i++)
        v[i] = -1;
    for (size_t i = 0; i < spec->n_mounts; i++) {
        if (!rl_mount_source_by_fd(spec, i))
            continue;
        if (sync_expect_fd(sync_fd, SYNC_MOUNT_SOURCE, &v[i], err) < 0) {
            rl_mount_sources_free(v, spec->n_mounts);
            return -1;
        }
    }
    *fds = v;
    return 0;
}

void rl_mount_sources_free(int *fds, size_t n)
{
    if (fds == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
}
