/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* /dev inside the container: the default devices every container gets
 * (config-linux.md "Default Devices"), the ones in linux.devices, and the
 * standard symlinks. mknod where allowed; in a user namespace, where mknod
 * is refused, a bind mount of the host's node onto an empty file. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static const struct {
    const char *path;
    unsigned maj, min;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
    const char *target, *link;
} default_links[] = {
    {"/proc/self/fd", "/dev/fd"},
    {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"},
};

/* Devices are made unless the config binds a /dev (the host's already has
 * them): on the config's own /dev (a tmpfs, as every engine mounts), and
 * without any /dev mount in the rootfs's /dev directory itself, as runc and
 * crun do, so a minimal config still gets /dev/null & co. */
bool rl_devices_needed(const struct rl_spec *spec)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct rl_mount *m = &spec->mounts[i];
        if (strcmp(m->destination, "/dev") != 0)
            continue;
        bool bind = m->type && strcmp(m->type, "bind") == 0;
        for (size_t j = 0; j < m->n_options; j++)
            if (strcmp(m->options[j], "bind") == 0 || strcmp(m->options[j], "rbind") == 0)
                bind = true;
        return !bind;
    }
    return true;
}

/* strict (linux.devices): a file already at path must be that very device
 * (config-linux.md: "If a file already exists at path that does not match
 * the requested device, the runtime MUST generate an error"); the default
 * devices replace whatever the image had. */
static int make_node(int rootfd, const char *path, mode_t type, unsigned maj, unsigned min,
                     mode_t mode, uid_t uid, gid_t gid, bool strict, const char *cfg,
                     struct rl_error **err)
{
    const char *rel = path;
    while (*rel == '/')
        rel++;
    /* the parent directory, resolved inside the root */
    _cleanup_free_ char *dir = xstrdup(rel);
    char *slash = strrchr(dir, '/');
    const char *name = rel;
    if (slash) {
        *slash = '\0';
        name = strrchr(rel, '/') + 1;
    } else {
        dir[0] = '\0';
    }
    _cleanup_close_ int dfd = rl_open_in_root(rootfd, dir, true, false, err);
    if (dfd < 0)
        return rl_error_wrap(err, "%s (%s)", cfg, path);
    char parent[64];
    snprintf(parent, sizeof(parent), "/proc/self/fd/%d", dfd);
    _cleanup_free_ char *full = xasprintf("%s/%s", parent, name);
    struct stat old;
    if (strict && fstatat(dfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0) {
        bool same =
            (old.st_mode & S_IFMT) == type && (type == S_IFIFO || old.st_rdev == makedev(maj, min));
        if (!same)
            return rl_error(err, "%s (%s): a different file already exists there", cfg, path);
    }
    (void)unlinkat(dfd, name, 0); /* replace what the image had */
    if (type == S_IFIFO) {
        if (mkfifo(full, mode) < 0)
            return rl_error_errno(err, "%s (%s): mkfifo", cfg, path);
    } else if (rl_sys_mknod(full, type | mode, makedev(maj, min)) < 0) {
        if (errno != EPERM)
            return rl_error_errno(err, "%s (%s): mknod", cfg, path);
        /* user namespace: bind the host node instead */
        int f = openat(dfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
        if (f < 0)
            return rl_error_errno(err, "%s (%s): create bind target", cfg, path);
        close(f);
        if (rl_sys_mount(path, full, NULL, MS_BIND, NULL) < 0)
            return rl_error_errno(err,
                                  "%s (%s): mknod is not permitted (rootless or in a user "
                                  "namespace), so the host's node is bound instead, and that "
                                  "failed; the host needs %s, or drop this device: bind %s",
                                  cfg, path, path, path);
        return 0;
    }
    /* mknod honours the umask: set the exact mode, then the owner. On the
     * node just made, never by name: this runs before the pivot, and a
     * symlink swapped in there (by another container sharing the image's
     * /dev) would resolve against the host's root. */
    _cleanup_close_ int nfd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (nfd < 0 || fstat(nfd, &st) < 0)
        return rl_error_errno(err, "%s (%s): open the new node", cfg, path);
    if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != makedev(maj, min)))
        return rl_error(err, "%s (%s): the new node was replaced", cfg, path);
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", nfd);
    if (chmod(self, mode) < 0)
        return rl_error_errno(err, "%s (%s): chmod", cfg, path);
    if (fchownat(nfd, "", uid, gid, AT_EMPTY_PATH) < 0)
        return rl_error_errno(err, "%s (%s): chown", cfg, path);
    return 0;
}

static mode_t dev_type(const char *t)
{
    switch (t ? t[0] : 'c') {
    case 'b':
        return S_IFBLK;
    case 'p':
        return S_IFIFO;
    default:
        return S_IFCHR; /* "c" and "u" */
    }
}

int rl_devices_setup(const struct rl_spec *spec, int rootfd, struct rl_error **err)
{
    const struct rl_linux *l = &spec->linux_;
    for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
        bool overridden = false;
        for (size_t j = 0; j < l->n_devices; j++)
            overridden |= strcmp(l->devices[j].path, default_devices[i].path) == 0;
        if (!overridden &&
            make_node(rootfd, default_devices[i].path, S_IFCHR, default_devices[i].maj,
                      default_devices[i].min, 0666, 0, 0, false, "default devices", err) < 0)
            return -1;
    }
    for (size_t j = 0; j < l->n_devices; j++) {
        const struct rl_device *d = &l->devices[j];
        char cfg[64];
        snprintf(cfg, sizeof(cfg), "linux.devices[%zu]", j);
        mode_t mode = d->has_file_mode ? (mode_t)(d->file_mode & 07777) : 0666;
        if (make_node(rootfd, d->path, dev_type(d->type), (unsigned)d->major, (unsigned)d->minor,
                      mode, d->has_uid ? d->uid : 0, d->has_gid ? d->gid : 0, true, cfg, err) < 0)
            return -1;
    }
    _cleanup_close_ int devfd = rl_open_in_root(rootfd, "/dev", true, false, err);
    if (devfd < 0)
        return -1;
    for (size_t i = 0; i < ARRAY_SIZE(default_links); i++) {
        const char *name = default_links[i].link + 5;
        if (symlinkat(default_links[i].target, devfd, name) < 0 && errno != EEXIST)
            return rl_error_errno(err, "/dev symlinks: symlink %s", default_links[i].link);
    }
    /* /dev/ptmx -> pts/ptmx when devpts is mounted at /dev/pts */
    struct stat st;
    if (fstatat(devfd, "pts/ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0) {
        (void)unlinkat(devfd, "ptmx", 0);
        if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
            return rl_error_errno(err, "/dev symlinks: symlink /dev/ptmx");
    }
    if (access("/proc/kcore", F_OK) == 0)
        (void)symlinkat("/proc/kcore", devfd, "core");
    return 0;
}
