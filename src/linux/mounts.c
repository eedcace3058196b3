/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The spec's "mounts": every destination is resolved inside the rootfs with
 * openat2(RESOLVE_IN_ROOT), so a symlink in the rootfs can never make a
 * mount land outside it, and the mount is made on the resolved O_PATH fd
 * (/proc/self/fd/N), so swapping a path component for a symlink after the
 * check (CVE-2021-30465) changes nothing. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/lsm.h"
#include "rustlet/mount_opts.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/magic.h>

static int openat2_in_root(int rootfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (uint64_t)flags | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    int fd;
    do {
        fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
    } while (fd < 0 && errno == EAGAIN);
    return fd;
}

/* Links followed through dangling symlinks before giving up, as the
 * kernel's own limit for one path walk. */
#define RL_MAX_DANGLING 40

static int open_in_root(int rootfd, const char *path, bool create, bool as_file, int depth,
                        struct rl_error **err);

/* The component buf (a path inside the root whose parent, buf up to name,
 * resolved) is a symlink whose target does not exist: the target is what to
 * create, so a destination that is a dangling symlink is made where the link
 * points, read as if the rootfs were "/" (as runc and crun do). The new path
 * is resolved with RESOLVE_IN_ROOT like any other, so neither an absolute
 * target nor ".." can leave the rootfs. rest is what followed the
 * component. */
static int follow_dangling(int rootfd, int parent, const char *buf, const char *name,
                           const char *rest, bool as_file, int depth, struct rl_error **err)
{
    char target[4096];
    ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
    if (n < 0)
        return rl_error_errno(err, "readlink %s in the rootfs", buf);
    target[n] = '\0';
    if (depth >= RL_MAX_DANGLING) {
        errno = ELOOP;
        return rl_error_errno(err, "open %s in the rootfs", buf);
    }
    _cleanup_free_ char *next = NULL;
    size_t plen = (size_t)(name - buf);
    if (target[0] == '/')
        next = xasprintf("%s%s%s", target, rest ? "/" : "", rest ? rest : "");
    else
        next = xasprintf("%.*s%s%s%s", (int)plen, buf, target, rest ? "/" : "", rest ? rest : "");
    rl_debug("%s is a dangling symlink to %s: creating %s", buf, target, next);
    return open_in_root(rootfd, next, true, as_file, depth + 1, err);
}

/* Create the missing components of path one by one, each inside the root. */
int rl_open_in_root(int rootfd, const char *path, bool create, bool as_file, struct rl_error **err)
{
    return open_in_root(rootfd, path, create, as_file, 0, err);
}

static int open_in_root(int rootfd, const char *path, bool create, bool as_file, int depth,
                        struct rl_error **err)
{
    while (*path == '/')
        path++;
    if (*path == '\0')
        return openat2_in_root(rootfd, ".", O_PATH);
    int fd = openat2_in_root(rootfd, path, O_PATH);
    if (fd >= 0 || errno != ENOENT || !create) {
        if (fd < 0)
            rl_error_errno(err, "open %s in the rootfs", path);
        return fd;
    }
    _cleanup_free_ char *buf = xstrdup(path);
    char *p = buf;
    for (;;) {
        char *slash = strchr(p, '/');
        while (slash && slash[1] == '/')
            slash++;
        bool last = slash == NULL || slash[1] == '\0';
        if (slash)
            *slash = '\0';
        int cfd = openat2_in_root(rootfd, buf, O_PATH);
        if (cfd < 0 && errno == ENOENT) {
            /* create it in its (already resolved) parent */
            char *name = strrchr(buf, '/');
            _cleanup_close_ int parent = -1;
            if (name) {
                *name = '\0';
                parent = openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
                *name = '/';
                name++;
            } else {
                parent = openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
                name = buf;
            }
            if (parent < 0)
                return rl_error_errno(err, "open the parent of %s in the rootfs", buf);
            struct stat lst;
            if (fstatat(parent, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
                return follow_dangling(rootfd, parent, buf, name, last ? NULL : slash + 1, as_file,
                                       depth, err);
            int r;
            if (last && as_file) {
                r = openat(parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC,
                           0644);
                if (r >= 0)
                    close(r);
            } else {
                r = mkdirat(parent, name, 0755);
            }
            if (r < 0 && errno != EEXIST)
                return rl_error_errno(err, "create %s in the rootfs", buf);
            cfd = openat2_in_root(rootfd, buf, O_PATH);
        }
        if (cfd < 0)
            return rl_error_errno(err, "open %s in the rootfs", buf);
        if (last)
            return cfd;
        close(cfd);
        *slash = '/';
        p = slash + 1;
    }
}

/* What the runtime made or opened for one mount, -1 where nothing. */
struct mount_fds {
    int idmap;  /* detached idmapped tree (idmap.c) */
    int source; /* O_PATH of a bind source (mount_src.c) */
};

static bool is_bind(const struct rl_mount *m, const struct rl_mount_opts *o)
{
    return (o->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

static char *resolve_source(const struct rl_mount *m, const char *bundle, bool bind)
{
    if (m->source == NULL)
        return xstrdup(m->type ? m->type : "none");
    if (bind && m->source[0] != '/')
        return xasprintf("%s/%s", bundle, m->source);
    return xstrdup(m->source);
}

/* An O_PATH fd of the mount now on top of the destination: mounting on
 * /proc/self/fd/N leaves N pointing below the new mount, so walk the path
 * again (still inside the root). */
static int reopen_top(int rootfd, const struct rl_mount *m, char *buf, size_t len,
                      struct rl_error **err)
{
    int fd = rl_open_in_root(rootfd, m->destination, false, false, err);
    if (fd >= 0)
        snprintf(buf, len, "/proc/self/fd/%d", fd);
    return fd;
}

/* from: what mount(2) gets (the source's path, or /proc/self/fd/N of the
 * fd the runtime opened); name: the source's path, for the messages */
static int bind_mount(const struct rl_mount *m, int rootfd, const char *from, const char *name,
                      const char *dst, const struct rl_mount_opts *o, struct rl_error **err)
{
    unsigned long rec = o->recursive_bind ? MS_REC : 0;
    if (rl_sys_mount(from, dst, NULL, MS_BIND | rec, NULL) < 0)
        return rl_error_errno(err, "bind %s", name);
    unsigned long extra = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    if (extra) {
        /* bind mounts take their flags from a remount of the new mount */
        char top[64];
        _cleanup_close_ int tfd = reopen_top(rootfd, m, top, sizeof(top), err);
        if (tfd < 0)
            return -1;
        if (rl_sys_mount(NULL, top, NULL, MS_BIND | MS_REMOUNT | extra, NULL) < 0)
            return rl_error_errno(err, "remount with its options");
    }
    return 0;
}

/* sysfs belongs to the network namespace: a user namespace (rootless)
 * without its own network namespace may not mount one, so bind the host's
 * /sys recursively with the mount's flags instead, as runc does. */
static int sysfs_fallback(const struct rl_mount *m, int rootfd, const char *dst,
                          const struct rl_mount_opts *o, struct rl_error **err)
{
    rl_debug("sysfs on %s: mount: EPERM; rootless or a user namespace without a network "
             "namespace: binding the host's /sys instead",
             m->destination);
    struct rl_mount_opts ro = *o;
    ro.recursive_bind = true;
    if (bind_mount(m, rootfd, "/sys", "/sys", dst, &ro, err) == 0)
        return 0;
    return rl_error_wrap(err,
                         "mount sysfs: Operation not permitted (rootless or in a user namespace "
                         "without its own network namespace), and the fallback bind of the "
                         "host's /sys failed too; add a network namespace or make this mount "
                         "type \"bind\" with source /sys and option rbind");
}

/* Under /proc by the config's own words ("/proc", "/proc/cpuinfo"...). */
static bool names_proc(const char *dest)
{
    while (*dest == '/')
        dest++;
    return strncmp(dest, "proc", 4) == 0 && (dest[4] == '\0' || dest[4] == '/');
}

/* CVE-2019-19921: the image can make a destination a symlink into the
 * procfs mounted earlier (/data -> /proc/sys): a volume would then cover
 * procfs files, and whatever is written there later would go to the
 * volume's files. The config may mount below /proc (lxcfs does); a
 * destination that only the rootfs's symlinks lead into a procfs is
 * refused. proc itself goes on a directory, not on a file. */
static int check_destination(const struct rl_mount *m, int dfd, struct rl_error **err)
{
    struct statfs sf;
    if (fstatfs(dfd, &sf) < 0)
        return rl_error_errno(err, "statfs the destination");
    if (sf.f_type == PROC_SUPER_MAGIC && !names_proc(m->destination))
        return rl_error(err,
                        "the destination resolves into procfs through a symlink of the rootfs");
    struct stat st;
    if (m->type && strcmp(m->type, "proc") == 0 && (fstat(dfd, &st) < 0 || !S_ISDIR(st.st_mode)))
        return rl_error(err, "proc must be mounted on a directory");
    return 0;
}

/* An idmapped tree the runtime made (idmap.c): attach it. Its flags and
 * propagation are then set like a bind mount's. */
static int attach_idmapped(const struct rl_mount *m, int rootfd, int idfd, int dfd,
                           const struct rl_mount_opts *o, struct rl_error **err)
{
    if (rl_sys_move_mount_fd(idfd, dfd, m->destination) < 0)
        return rl_error_errno(err, "move_mount of the idmapped tree");
    unsigned long extra = o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
    if (extra) {
        char top[64];
        _cleanup_close_ int tfd = reopen_top(rootfd, m, top, sizeof(top), err);
        if (tfd < 0)
            return -1;
        if (rl_sys_mount(NULL, top, NULL, MS_BIND | MS_REMOUNT | extra, NULL) < 0)
            return rl_error_errno(err, "remount with its options");
    }
    return 0;
}

static bool has_mode_option(const char *data)
{
    for (const char *p = data; p && *p;) {
        if (strncmp(p, "mode=", 5) == 0)
            return true;
        p = strchr(p, ',');
        if (p)
            p++;
    }
    return false;
}

/* A tmpfs's root is 1777 unless told otherwise. Without "mode=" in the
 * options, a mountpoint that was already in the rootfs gives its mode, so
 * the mount does not widen (or narrow) a directory the image set up (runc
 * and crun keep it too). The mountpoint is looked at before anything is
 * created: one made here gets the tmpfs default. NULL: data as it is. */
static char *tmpfs_mode_data(int rootfd, const struct rl_mount *m, const char *data)
{
    if (has_mode_option(data))
        return NULL;
    const char *rel = m->destination;
    while (*rel == '/')
        rel++;
    _cleanup_close_ int fd = openat2_in_root(rootfd, *rel ? rel : ".", O_PATH);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
        return NULL;
    unsigned mode = (unsigned)(st.st_mode & 07777);
    if (data && *data)
        return xasprintf("mode=%04o,%s", mode, data);
    return xasprintf("mode=%04o", mode);
}

static int mount_at(const struct rl_mount *m, int rootfd, const char *bundle, bool cgroupns,
                    const char *mount_label, const struct rl_mount_opts *o,
                    const struct mount_fds *f, struct rl_error **err)
{
    int idfd = f->idmap;
    bool bind = is_bind(m, o);
    /* the source the runtime opened for us (mount_src.c): by its fd */
    int srcfd = bind && idfd < 0 ? f->source : -1;
    _cleanup_free_ char *src = resolve_source(m, bundle, bind);
    char srcpath[64];
    snprintf(srcpath, sizeof(srcpath), "/proc/self/fd/%d", srcfd);
    bool as_file = false;
    if (bind || idfd >= 0) {
        struct stat st;
        int fd = idfd >= 0 ? idfd : srcfd;
        if ((fd >= 0 ? fstat(fd, &st) : stat(src, &st)) < 0)
            return rl_error_errno(err, "stat %s", src);
        as_file = !S_ISDIR(st.st_mode);
    }
    bool tmpfs = !bind && idfd < 0 && m->type && strcmp(m->type, "tmpfs") == 0;
    _cleanup_free_ char *tmpfs_data = tmpfs ? tmpfs_mode_data(rootfd, m, o->data) : NULL;
    _cleanup_close_ int dfd = rl_open_in_root(rootfd, m->destination, true, as_file, err);
    if (dfd < 0)
        return -1;
    if (check_destination(m, dfd, err) < 0)
        return -1;
    char dst[64];
    snprintf(dst, sizeof(dst), "/proc/self/fd/%d", dfd);
    if (idfd >= 0) {
        if (attach_idmapped(m, rootfd, idfd, dfd, o, err) < 0)
            return -1;
    } else if (bind) {
        if (bind_mount(m, rootfd, srcfd >= 0 ? srcpath : src, src, dst, o, err) < 0)
            return -1;
    } else if (m->type && strcmp(m->type, "cgroup") == 0) {
        if (rl_mount_cgroup(m, rootfd, dst, cgroupns, err) < 0)
            return -1;
    } else {
        /* linux.mountLabel: context="..." when SELinux is enabled */
        const char *odata = tmpfs_data ? tmpfs_data : o->data;
        _cleanup_free_ char *ldata = rl_lsm_mount_data(mount_label, m->type, odata);
        const char *data = ldata ? ldata : odata;
        if (rl_sys_mount(src, dst, m->type, o->flags & ~MS_REMOUNT, data) < 0) {
            if (errno == EPERM && strcmp(m->type, "sysfs") == 0)
                return sysfs_fallback(m, rootfd, dst, o, err);
            return rl_error_errno(err, ldata ? "mount with linux.mountLabel (%s)" : "mount%s",
                                  ldata ? ldata : "");
        }
        if (o->tmpcopyup && m->type && strcmp(m->type, "tmpfs") == 0) {
            /* dfd still refers to the directory below the new tmpfs */
            char top[64];
            _cleanup_close_ int tfd = reopen_top(rootfd, m, top, sizeof(top), err);
            if (tfd < 0 || rl_tmpcopyup(dfd, tfd, err) < 0)
                return -1;
        }
    }
    if (o->propagation) {
        /* reopen: the fd points below the new mount */
        char ndst[64];
        _cleanup_close_ int nfd = reopen_top(rootfd, m, ndst, sizeof(ndst), err);
        if (nfd < 0)
            return -1;
        if (rl_sys_mount(NULL, ndst, NULL, o->propagation, NULL) < 0)
            return rl_error_errno(err, "set propagation");
    }
    return 0;
}

/* MS_* to MOUNT_ATTR_*: the recursive options go through mount_setattr(2)
 * with AT_RECURSIVE, the only way to change a whole tree's flags. The atime
 * modes are one field: setting any of them clears the others. */
static int apply_recursive(const struct rl_mount *m, int rootfd, const struct rl_mount_opts *o,
                           struct rl_error **err)
{
    static const struct {
        unsigned long ms;
        uint64_t attr;
    } map[] = {
        {MS_RDONLY, MOUNT_ATTR_RDONLY},         {MS_NOSUID, MOUNT_ATTR_NOSUID},
        {MS_NODEV, MOUNT_ATTR_NODEV},           {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
        {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
    };
    struct mount_attr attr = {0};
    for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
        if (o->rec_set & map[i].ms)
            attr.attr_set |= map[i].attr;
        if (o->rec_clear & map[i].ms)
            attr.attr_clr |= map[i].attr;
    }
    unsigned long at_set = o->rec_set & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME);
    unsigned long at_clr = o->rec_clear & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME);
    if (at_set || at_clr) {
        attr.attr_clr |= MOUNT_ATTR__ATIME;
        if (at_set & MS_NOATIME)
            attr.attr_set |= MOUNT_ATTR_NOATIME;
        else if ((at_set & MS_STRICTATIME) || (at_clr & MS_RELATIME))
            attr.attr_set |= MOUNT_ATTR_STRICTATIME;
        else
            attr.attr_set |= MOUNT_ATTR_RELATIME; /* ratime, rrelatime, rnostrictatime */
    }
    if (attr.attr_set == 0 && attr.attr_clr == 0)
        return 0;
    char top[64];
    _cleanup_close_ int fd = reopen_top(rootfd, m, top, sizeof(top), err);
    if (fd < 0)
        return -1;
    if (rl_sys_mount_setattr_fd(fd, AT_RECURSIVE, &attr, sizeof(attr), m->destination) < 0)
        return rl_error_errno(err, "mount_setattr (recursive options)");
    return 0;
}

static int mount_one(const struct rl_mount *m, size_t i, int rootfd, const char *bundle,
                     bool cgroupns, const char *mount_label, const struct mount_fds *f,
                     struct rl_error **err)
{
    struct rl_mount_opts o;
    int idfd = f->idmap;
    rl_mount_opts_parse(m->options, m->n_options, &o, err);
    int r = mount_at(m, rootfd, bundle, cgroupns, mount_label, &o, f, err);
    if (r == 0)
        r = apply_recursive(m, rootfd, &o, err);
    rl_mount_opts_free(&o);
    if (r < 0)
        return rl_error_wrap(err, "mounts[%zu] (%s%s on %s)", i, idfd >= 0 ? "idmapped " : "",
                             m->type ? m->type : "bind", m->destination);
    return 0;
}

int rl_mounts_apply(const struct rl_spec *spec, int rootfd, const char *bundle,
                    const int *idmap_fds, const int *src_fds, struct rl_error **err)
{
    const struct rl_namespace *cgns = rl_spec_namespace(spec, RL_NS_CGROUP);
    for (size_t i = 0; i < spec->n_mounts; i++) {
        struct mount_fds f = {idmap_fds ? idmap_fds[i] : -1, src_fds ? src_fds[i] : -1};
        if (mount_one(&spec->mounts[i], i, rootfd, bundle, cgns != NULL, spec->linux_.mount_label,
                      &f, err) < 0)
            return -1;
    }
    return 0;
}
