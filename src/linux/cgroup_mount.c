/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A mount of type "cgroup" inside the container.
 *  - cgroup v2 host: one cgroup2 mount (with a cgroup namespace the
 *    container's cgroup is its root; without one, the container's own
 *    directory is bind-mounted instead so the host tree stays hidden);
 *  - v1 / hybrid host: a tmpfs with one directory per hierarchy, each a
 *    fresh cgroup mount (cgroup namespace) or a bind of the container's own
 *    directory, plus symlinks for co-mounted controllers (cpu -> cpu,cpuacct)
 *    and "unified" for the cgroup2 hierarchy of a hybrid host.
 * The hierarchies are read from /proc/self/mountinfo, the container's own
 * cgroups from /proc/self/cgroup: the child is already in its cgroup. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

struct hier {
    char mountpoint[512];
    char name[256]; /* "cpu,cpuacct", "name=systemd", "unified" */
    char opts[512]; /* super options for a fresh mount */
    bool v2;
};

/* The super options that select the controllers: every option except rw/ro. */
static void controller_opts(const char *line_opts, char *out, size_t len)
{
    out[0] = '\0';
    _cleanup_free_ char *copy = xstrdup(line_opts);
    char *save = NULL;
    size_t o = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "rw") == 0 || strcmp(t, "ro") == 0)
            continue;
        o += (size_t)snprintf(out + o, len - o, "%s%s", o ? "," : "", t);
    }
}

struct hier_list {
    struct hier *h;
    size_t n, max;
};

static int hier_line(const struct rl_mountinfo *m, void *arg)
{
    struct hier_list *l = arg;
    bool v2 = strcmp(m->fstype, "cgroup2") == 0;
    if (!v2 && strcmp(m->fstype, "cgroup") != 0)
        return 0;
    const char *mp = m->mountpoint;
    if (strncmp(mp, "/sys/fs/cgroup", 14) != 0 || (mp[14] != '\0' && mp[14] != '/'))
        return 0;
    if (strlen(mp) >= sizeof(l->h->mountpoint))
        return 0; /* not one of ours: /sys/fs/cgroup/<name> is short */
    struct hier *x = &l->h[l->n++];
    snprintf(x->mountpoint, sizeof(x->mountpoint), "%s", mp);
    const char *base = strrchr(mp, '/') + 1;
    snprintf(x->name, sizeof(x->name), "%s", strcmp(mp, "/sys/fs/cgroup") == 0 ? "" : base);
    controller_opts(m->super, x->opts, sizeof(x->opts));
    x->v2 = v2;
    return l->n == l->max;
}

/* Host v1/v2 cgroup mounts below /sys/fs/cgroup from mountinfo. */
static size_t read_hierarchies(struct hier *h, size_t max)
{
    _cleanup_free_ char *mi = rl_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 0, NULL, NULL);
    struct hier_list l = {h, 0, max};
    if (mi == NULL || max == 0)
        return 0;
    rl_mountinfo_each(mi, hier_line, &l);
    return l.n;
}

/* Same comma-separated set, in any order ("cpuacct,cpu" == "cpu,cpuacct"). */
static bool same_set(const char *a, const char *b)
{
    size_t na = 1, nb = 1;
    for (const char *p = a; *p; p++)
        na += *p == ',';
    for (const char *p = b; *p; p++)
        nb += *p == ',';
    if (na != nb)
        return false;
    _cleanup_free_ char *copy = xstrdup(a);
    char *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t l = strlen(t);
        const char *p = b;
        bool found = false;
        while (!found && (p = strstr(p, t)) != NULL) {
            found = (p == b || p[-1] == ',') && (p[l] == ',' || p[l] == '\0');
            p += l;
        }
        if (!found)
            return false;
    }
    return true;
}

/* Own cgroup path in the hierarchy whose controllers are name (v1, a set
 * like "cpu,cpuacct" or "name=systemd") or the v2 "0::" line. */
static int own_cgroup(const char *name, bool v2, char *out, size_t len)
{
    _cleanup_free_ char *text = rl_read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, NULL, NULL);
    if (text == NULL)
        return -1;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        bool match =
            v2 ? (c1 == line + 1 && line[0] == '0' && c2 == c1 + 1) : same_set(c1 + 1, name);
        if (match) {
            snprintf(out, len, "%s", c2 + 1);
            return 0;
        }
    }
    return -1;
}

/* target: "/proc/self/fd/N" of the directory to mount on; top+name reach
 * the same directory again so a remount hits the new mount, not the one
 * below it. */
static int mount_hier(const struct hier *h, const char *target, int top, const char *name,
                      bool cgroupns, unsigned long flags, struct rl_error **err)
{
    if (cgroupns) {
        if (h->v2) {
            if (rl_sys_mount("cgroup2", target, "cgroup2", flags, NULL) < 0)
                return rl_error_errno(err, "mount cgroup2 on %s", target);
        } else if (rl_sys_mount("cgroup", target, "cgroup", flags, h->opts) < 0) {
            return rl_error_errno(err, "mount cgroup (%s) on %s", h->opts, target);
        }
        return 0;
    }
    char own[1024];
    if (own_cgroup(h->opts, h->v2, own, sizeof(own)) < 0)
        return rl_error(err, "cannot find the container's cgroup for %s",
                        h->v2 ? "cgroup2" : h->name);
    _cleanup_free_ char *src = xasprintf("%s%s", h->mountpoint, own);
    if (rl_sys_mount(src, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        return rl_error_errno(err, "bind %s on %s", src, target);
    if (flags & ~MS_REC) {
        _cleanup_close_ int fd =
            name ? openat(top, name, O_PATH | O_NOFOLLOW | O_CLOEXEC) : dup(top);
        if (fd < 0)
            return rl_error_errno(err, "reopen %s", name ? name : "cgroup mount");
        char again[64];
        snprintf(again, sizeof(again), "/proc/self/fd/%d", fd);
        if (rl_sys_mount(NULL, again, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0)
            return rl_error_errno(err, "remount %s", src);
    }
    return 0;
}

int rl_mount_cgroup(const struct rl_mount *m, int rootfd, const char *dst, bool cgroupns,
                    struct rl_error **err)
{
    unsigned long flags = 0;
    for (size_t i = 0; i < m->n_options; i++) {
        if (strcmp(m->options[i], "ro") == 0)
            flags |= MS_RDONLY;
        else if (strcmp(m->options[i], "nosuid") == 0)
            flags |= MS_NOSUID;
        else if (strcmp(m->options[i], "nodev") == 0)
            flags |= MS_NODEV;
        else if (strcmp(m->options[i], "noexec") == 0)
            flags |= MS_NOEXEC;
        else if (strcmp(m->options[i], "relatime") == 0)
            flags |= MS_RELATIME;
    }

    struct hier hs[32];
    size_t n = read_hierarchies(hs, ARRAY_SIZE(hs));
    struct statfs sfs;
    bool v2_host = statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
    if (v2_host) {
        for (size_t i = 0; i < n; i++) {
            if (!hs[i].v2 || hs[i].name[0] != '\0')
                continue;
            if (cgroupns)
                return mount_hier(&hs[i], dst, -1, NULL, true, flags, err);
            if (mount_hier(&hs[i], dst, -1, NULL, false, 0, err) < 0)
                return -1;
            _cleanup_close_ int top = rl_open_in_root(rootfd, m->destination, false, false, err);
            char again[64];
            snprintf(again, sizeof(again), "/proc/self/fd/%d", top);
            if (top < 0 ||
                (flags && rl_sys_mount(NULL, again, NULL, MS_BIND | MS_REMOUNT | flags, NULL) < 0))
                return top < 0 ? -1 : rl_error_errno(err, "remount");
            return 0;
        }
        return rl_error(err, "no cgroup2 hierarchy at /sys/fs/cgroup");
    }
    /* v1 / hybrid: tmpfs + one mount per hierarchy */
    if (rl_sys_mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
        return rl_error_errno(err, "mount tmpfs");
    /* the fd behind dst points below the tmpfs: walk the path again */
    _cleanup_close_ int top = rl_open_in_root(rootfd, m->destination, false, false, err);
    if (top < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (hs[i].name[0] == '\0')
            continue;
        if (mkdirat(top, hs[i].name, 0755) < 0 && errno != EEXIST)
            return rl_error_errno(err, "mkdir %s", hs[i].name);
        _cleanup_close_ int sub =
            openat(top, hs[i].name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0)
            return rl_error_errno(err, "open %s", hs[i].name);
        char target[64];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", sub);
        if (mount_hier(&hs[i], target, top, hs[i].name, cgroupns, flags, err) < 0)
            return rl_error_wrap(err, "%s", hs[i].name);
        /* co-mounted controllers get a symlink for each name */
        if (strchr(hs[i].name, ',') && strncmp(hs[i].name, "name=", 5) != 0) {
            _cleanup_free_ char *names = xstrdup(hs[i].name);
            char *save = NULL;
            for (char *t = strtok_r(names, ",", &save); t; t = strtok_r(NULL, ",", &save))
                (void)symlinkat(hs[i].name, top, t);
        }
    }
    if (flags & MS_RDONLY) {
        char target[64];
        snprintf(target, sizeof(target), "/proc/self/fd/%d", top);
        if (rl_sys_mount(NULL, target, NULL,
                         MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
            return rl_error_errno(err, "remount the cgroup tmpfs read-only");
    }
    return 0;
}
