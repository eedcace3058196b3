/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* uid/gid maps of a rootless container (runc's rootless mode). The kernel
 * lets an unprivileged process write one map line only: its own id, and for
 * gid_map only after "deny" went into /proc/PID/setgroups. Anything more
 * (ranges of /etc/subuid, /etc/subgid) goes through the setuid helpers
 * newuidmap/newgidmap (Debian package uidmap), which check those files. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool own_id_only(const struct rl_id_mapping *m, size_t n, uint32_t own)
{
    return n == 1 && m[0].host_id == own && m[0].size == 1;
}

/* The helper's name: PATH may be missing (podman), so try the usual place. */
static const char *helper_path(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "/usr/bin/%s", name);
    return getenv("PATH") == NULL && access(buf, X_OK) == 0 ? buf : name;
}

/* Read what the helper said (stderr and stdout), trimmed, at most len-1. */
static void read_all(int fd, char *buf, size_t len)
{
    size_t o = 0;
    ssize_t r;
    while (o < len - 1 && (r = read(fd, buf + o, len - 1 - o)) > 0)
        o += (size_t)r;
    while (o > 0 && (buf[o - 1] == '\n' || buf[o - 1] == ' '))
        o--;
    buf[o] = '\0';
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

/* newuidmap PID C H S [C H S ...] */
static int run_helper(pid_t pid, const char *name, const struct rl_id_mapping *m, size_t n,
                      const char *cfg, const char *subfile, struct rl_error **err)
{
    size_t argc = 2 + 3 * n + 1;
    _cleanup_free_ char **argv = xzalloc(argc * sizeof(char *));
    _cleanup_free_ char *strs = xzalloc((1 + 3 * n) * 16);
    char hbuf[64];
    argv[0] = (char *)helper_path(name, hbuf, sizeof(hbuf));
    char *s = strs;
    snprintf(s, 16, "%d", (int)pid);
    argv[1] = s;
    s += 16;
    for (size_t i = 0; i < n; i++) {
        uint32_t v[3] = {m[i].container_id, m[i].host_id, m[i].size};
        for (int k = 0; k < 3; k++, s += 16) {
            snprintf(s, 16, "%u", v[k]);
            argv[2 + 3 * i + (size_t)k] = s;
        }
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0)
        return rl_error_errno(err, "%s: pipe for %s", cfg, name);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    pid_t hp;
    int r = posix_spawnp(&hp, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (r != 0) {
        close(pfd[0]);
        errno = r;
        return rl_error_errno(err,
                              "%s: rootless mode maps more than your own id (%zu entries), which "
                              "needs %s (Debian package uidmap); map only your own id "
                              "(rustlet spec --rootless) or install it: exec %s",
                              cfg, n, name, argv[0]);
    }
    char out[512];
    read_all(pfd[0], out, sizeof(out));
    close(pfd[0]);
    int ws = 0;
    while (waitpid(hp, &ws, 0) < 0 && errno == EINTR)
        ;
    rl_debug("%s %d (%zu entries) = status %d", name, (int)pid, n, ws);
    if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
        return 0;
    struct passwd *pw = getpwuid(geteuid());
    return rl_error(err,
                    "%s: %s %d failed (%s %d)%s%s: rootless mode maps host ids other than your "
                    "own only from your ranges in %s (user %s)",
                    cfg, name, (int)pid, WIFEXITED(ws) ? "exit status" : "signal",
                    WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws), out[0] ? ": " : "", out,
                    subfile, pw ? pw->pw_name : "?");
}

int rl_ns_write_id_maps_rootless(pid_t pid, const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_linux *l = &spec->linux_;
    if (own_id_only(l->uid_mappings, l->n_uid_mappings, (uint32_t)geteuid())) {
        if (rl_ns_write_map(pid, "uid_map", l->uid_mappings, 1, "linux.uidMappings", err) < 0)
            return -1;
    } else if (run_helper(pid, "newuidmap", l->uid_mappings, l->n_uid_mappings, "linux.uidMappings",
                          "/etc/subuid", err) < 0) {
        return -1;
    }
    if (own_id_only(l->gid_mappings, l->n_gid_mappings, (uint32_t)getegid())) {
        /* the kernel takes an unprivileged gid_map only with setgroups
         * denied, for good: the container cannot call setgroups(2) */
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
        if (rl_sys_write_ctl(AT_FDCWD, path, "deny") < 0)
            return rl_error_errno(err, "linux.gidMappings: rootless mode: write deny to %s", path);
        return rl_ns_write_map(pid, "gid_map", l->gid_mappings, 1, "linux.gidMappings", err);
    }
    return run_helper(pid, "newgidmap", l->gid_mappings, l->n_gid_mappings, "linux.gidMappings",
                      "/etc/subgid", err);
}
