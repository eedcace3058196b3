/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The root filesystem: propagation, the rootfs bind, pivot_root (or
 * MS_MOVE + chroot with --no-pivot), masked and readonly paths, and the
 * final read-only remount of the root. */
#include "rustlet/linux.h"
#include "rustlet/log.h"
#include "rustlet/lsm.h"
#include "rustlet/mount_opts.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

struct mnt_query {
    unsigned long long id;
    bool shared;
};

static int shared_line(const struct rl_mountinfo *m, void *arg)
{
    struct mnt_query *q = arg;
    if (m->id != q->id)
        return 0;
    q->shared = rl_mountinfo_has_tag(m->optional, "shared");
    return 1;
}

/* Is the mount that holds path (its mount id from statx) shared, by the
 * "shared:N" optional field of /proc/self/mountinfo? */
static bool parent_mount_shared(const char *path)
{
    struct statx sx;
    if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &sx) < 0 || !(sx.stx_mask & STATX_MNT_ID))
        return true; /* cannot tell: be safe */
    _cleanup_free_ char *mi = rl_read_file_at(AT_FDCWD, "/proc/self/mountinfo", 0, NULL, NULL);
    if (mi == NULL)
        return true;
    struct mnt_query q = {sx.stx_mnt_id, true};
    rl_mountinfo_each(mi, shared_line, &q);
    return q.shared;
}

/* Make the mount that contains path private if it is shared, so that
 * pivot_root accepts the rootfs below it. */
static int make_parent_mount_private(const char *path, struct rl_error **err)
{
    _cleanup_free_ char *p = xstrdup(path);
    for (;;) {
        if (rl_sys_mount(NULL, p, NULL, MS_PRIVATE, NULL) == 0)
            return 0;
        if (errno != EINVAL)
            return rl_error_errno(err, "root.path: make the mount of %s private", p);
        /* EINVAL: not a mount point; try the parent directory */
        char *slash = strrchr(p, '/');
        if (slash == NULL || slash == p) {
            if (rl_sys_mount(NULL, "/", NULL, MS_PRIVATE, NULL) < 0)
                return rl_error_errno(err, "make / private");
            return 0;
        }
        *slash = '\0';
    }
}

int rl_rootfs_prepare(const struct rl_spec *spec, const char *rootfs, const char *bundle,
                      const int *idmap_fds, const int *src_fds, struct rl_error **err)
{
    unsigned long prop = MS_SLAVE | MS_REC;
    if (spec->linux_.rootfs_propagation) {
        long f = rl_propagation_flags(spec->linux_.rootfs_propagation);
        if (f < 0)
            return rl_error(err, "linux.rootfsPropagation: unknown value \"%s\"",
                            spec->linux_.rootfs_propagation);
        prop = (unsigned long)f;
    }
    /* an unbindable "/" could not be bound onto itself (EINVAL) nor give
     * the sources of bind mounts: private for now, unbindable once every
     * mount is made (rl_rootfs_propagate, as crun does) */
    if (prop & MS_UNBINDABLE)
        prop = (prop & ~(unsigned long)MS_UNBINDABLE) | MS_PRIVATE;
    if (rl_sys_mount(NULL, "/", NULL, prop, NULL) < 0)
        return rl_error_errno(err, "linux.rootfsPropagation: set propagation of /");
    /* pivot_root refuses a new root whose parent mount is shared: make that
     * mount private only when it is (as runc does), so with the default
     * rslave the rootfs stays a slave of the host */
    if (parent_mount_shared(rootfs) && make_parent_mount_private(rootfs, err) < 0)
        return -1;
    if (rl_sys_mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return rl_error_errno(err, "root.path: bind mount %s on itself", rootfs);
    _cleanup_close_ int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return rl_error_errno(err, "root.path: open %s", rootfs);
    if (rl_mounts_apply(spec, rootfd, bundle, idmap_fds, src_fds, err) < 0)
        return -1;
    if (rl_devices_needed(spec) && rl_devices_setup(spec, rootfd, err) < 0)
        return -1;
    return 0;
}

int rl_rootfs_chroot(const char *rootfs, struct rl_error **err)
{
    if (chdir(rootfs) < 0)
        return rl_error_errno(err, "root.path: chdir %s", rootfs);
    if (rl_sys_chroot(".") < 0)
        return rl_error_errno(err, "root.path: chroot %s (no mount namespace)", rootfs);
    if (chdir("/") < 0)
        return rl_error_errno(err, "chdir /");
    return 0;
}

int rl_rootfs_pivot(const char *rootfs, bool no_pivot, struct rl_error **err)
{
    if (no_pivot) {
        if (chdir(rootfs) < 0)
            return rl_error_errno(err, "chdir %s", rootfs);
        if (rl_sys_mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
            return rl_error_errno(err, "--no-pivot: move %s to /", rootfs);
        if (rl_sys_chroot(".") < 0)
            return rl_error_errno(err, "--no-pivot: chroot %s", rootfs);
        if (chdir("/") < 0)
            return rl_error_errno(err, "chdir /");
        return 0;
    }
    _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
    _cleanup_close_ int newroot = open(rootfs, O_DIRECTORY | O_PATH | O_CLOEXEC);
    if (oldroot < 0 || newroot < 0)
        return rl_error_errno(err, "open / and %s", rootfs);
    if (fchdir(newroot) < 0)
        return rl_error_errno(err, "chdir %s", rootfs);
    /* pivot_root(".", "."): the old root ends up stacked on top of the new
     * one. Go to it explicitly (the kernel does not promise where "." is),
     * make it a slave so unmounting it cannot propagate to the host, and
     * detach it; the new root is then what remains at "/". */
    if (rl_sys_pivot_root(".", ".") < 0)
        return rl_error_errno(err, "pivot_root %s", rootfs);
    if (fchdir(oldroot) < 0)
        return rl_error_errno(err, "chdir to the old root");
    if (rl_sys_mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
        return rl_error_errno(err, "make the old root a slave");
    if (rl_sys_umount2(".", MNT_DETACH) < 0)
        return rl_error_errno(err, "unmount the old root");
    if (chdir("/") < 0)
        return rl_error_errno(err, "chdir /");
    return 0;
}

/* ---- masked paths ----------------------------------------------------------
 *
 * A masked file gets /dev/null bound over it, a masked directory an empty
 * read-only tmpfs. This runs after the pivot, inside a root the container's
 * image and config shaped, so nothing found there is trusted by name:
 *
 * The attack (CVE-2025-31133 class): the container arranges for its
 * /dev/null to be something else - a symlink to /proc/sys/kernel/core_pattern
 * or /proc/sysrq-trigger, or a bind mount of such a file (its /dev may come
 * from the image or from a config mount). A runtime that binds "/dev/null"
 * by path then mounts that procfs file, writable, over the masked path:
 * the mask becomes a door to the host (a core_pattern pipe runs as host
 * root). If /dev/null is simply missing and the error is ignored, the path
 * stays unmasked.
 *
 * The defence: /dev/null is opened once with O_PATH|O_NOFOLLOW and fstat'ed
 * - it must be the character device 1:3 itself, else the mask is refused
 * (so is a missing one) - and then that very fd is cloned (open_tree) and
 * attached to the target's fd (move_mount): no path is walked again between
 * the check and the mount, so the source cannot be swapped. The target is
 * resolved inside the root (openat2 RESOLVE_IN_ROOT|NO_MAGICLINKS). Kernels
 * without the new mount API (< 5.2) fall back to mount(2) on
 * /proc/self/fd/N of the same fds. */

struct masker {
    const char *mount_label;
    int rootfd;
    int nullfd;
};

static int open_dev_null(struct masker *mk, size_t i, const char *path, struct rl_error **err)
{
    if (mk->nullfd >= 0)
        return 0;
    _cleanup_close_ int fd = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return rl_error_errno(err, "linux.maskedPaths[%zu] (%s): open /dev/null to mask with", i,
                              path);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return rl_error_errno(err, "linux.maskedPaths[%zu] (%s): stat /dev/null", i, path);
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        return rl_error(err,
                        "linux.maskedPaths[%zu] (%s): /dev/null in the container is not the null "
                        "device (char 1:3) but %s %u:%u: refusing to mask with it",
                        i, path,
                        S_ISLNK(st.st_mode)   ? "a symlink"
                        : S_ISREG(st.st_mode) ? "a regular file"
                        : S_ISCHR(st.st_mode) ? "the character device"
                                              : "something",
                        major(st.st_rdev), minor(st.st_rdev));
    mk->nullfd = steal_fd(&fd);
    return 0;
}

static int attach(int mnt, int target, int fallback(int, int), int src, struct rl_error **err,
                  const char *what)
{
    if (mnt >= 0) {
        int r = rl_sys_move_mount_fd(mnt, target, what);
        int saved = errno;
        close(mnt);
        errno = saved;
        return r < 0 ? rl_error_errno(err, "move_mount") : 0;
    }
    if (errno != ENOSYS)
        return rl_error_errno(err, "make the mount");
    return fallback(src, target) < 0 ? rl_error_errno(err, "mount") : 0;
}

static int bind_fallback(int src, int target)
{
    char s[64], t[64];
    snprintf(s, sizeof(s), "/proc/self/fd/%d", src);
    snprintf(t, sizeof(t), "/proc/self/fd/%d", target);
    return rl_sys_mount(s, t, NULL, MS_BIND, NULL);
}

static int tmpfs_fallback(int src, int target)
{
    (void)src;
    char t[64];
    snprintf(t, sizeof(t), "/proc/self/fd/%d", target);
    return rl_sys_mount("tmpfs", t, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                        "size=0k,nr_inodes=1");
}

static int mask_path(struct masker *mk, const char *path, size_t i, struct rl_error **err)
{
    _cleanup_close_ int tfd = rl_open_in_root(mk->rootfd, path, false, false, err);
    if (tfd < 0) {
        if (errno != ENOENT)
            return rl_error_wrap(err, "linux.maskedPaths[%zu] (%s)", i, path);
        rl_error_free(*err); /* nothing to mask */
        *err = NULL;
        return 0;
    }
    struct stat st;
    if (fstat(tfd, &st) < 0)
        return rl_error_errno(err, "linux.maskedPaths[%zu] (%s): stat", i, path);
    int r;
    if (S_ISDIR(st.st_mode)) {
        const char *opts[5] = {"nr_inodes", "1", NULL, NULL, NULL};
        if (rl_lsm_selinux_enabled() && mk->mount_label && *mk->mount_label) {
            opts[2] = "context";
            opts[3] = mk->mount_label;
        }
        int mnt = rl_sys_fsmount("tmpfs", opts,
                                 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                     MOUNT_ATTR_NOEXEC);
        r = attach(mnt, tfd, tmpfs_fallback, -1, err, path);
    } else {
        if (open_dev_null(mk, i, path, err) < 0)
            return -1;
        int mnt = rl_sys_open_tree_clone(mk->nullfd, "/dev/null");
        r = attach(mnt, tfd, bind_fallback, mk->nullfd, err, path);
    }
    if (r < 0)
        return rl_error_wrap(err, "linux.maskedPaths[%zu] (%s)", i, path);
    return 0;
}

/* Remount flags that the kernel refuses to drop on a bind remount inside a
 * user namespace ("locked" flags) must be carried over. */
static unsigned long locked_flags(const char *path)
{
    struct statvfs sv;
    if (statvfs(path, &sv) < 0)
        return 0;
    unsigned long f = 0;
    if (sv.f_flag & ST_NOSUID)
        f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        f |= MS_RELATIME;
    return f;
}

static int readonly_path(const char *path, size_t i, struct rl_error **err)
{
    if (rl_sys_mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT)
            return 0;
        return rl_error_errno(err, "linux.readonlyPaths[%zu] (%s): bind", i, path);
    }
    unsigned long f = locked_flags(path) | MS_BIND | MS_REMOUNT | MS_RDONLY;
    if (rl_sys_mount(NULL, path, NULL, f, NULL) < 0)
        return rl_error_errno(err, "linux.readonlyPaths[%zu] (%s): remount read-only", i, path);
    return 0;
}

int rl_rootfs_finish(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_linux *l = &spec->linux_;
    if (l->n_masked_paths > 0) {
        _cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
            return rl_error_errno(err, "linux.maskedPaths: open /");
        struct masker mk = {.mount_label = l->mount_label, .rootfd = rootfd, .nullfd = -1};
        int r = 0;
        for (size_t i = 0; r == 0 && i < l->n_masked_paths; i++)
            r = mask_path(&mk, l->masked_paths[i], i, err);
        if (mk.nullfd >= 0)
            close(mk.nullfd);
        if (r < 0)
            return -1;
    }
    for (size_t i = 0; i < l->n_readonly_paths; i++)
        if (readonly_path(l->readonly_paths[i], i, err) < 0)
            return -1;
    /* runc creates a missing process.cwd while setting up the rootfs, so
     * before / goes read-only (rl_process_setup() would be too late) */
    const char *cwd = spec->process.cwd;
    if (cwd && access(cwd, F_OK) < 0 && errno == ENOENT)
        (void)rl_mkdir_p(cwd, 0755, NULL);
    if (spec->root.readonly) {
        unsigned long f = locked_flags("/") | MS_BIND | MS_REMOUNT | MS_RDONLY;
        if (rl_sys_mount(NULL, "/", NULL, f, NULL) < 0)
            return rl_error_errno(err, "root.readonly: remount / read-only");
    }
    return 0;
}

int rl_rootfs_propagate(const struct rl_spec *spec, struct rl_error **err)
{
    const struct rl_linux *l = &spec->linux_;
    if (l->rootfs_propagation) {
        long p = rl_propagation_flags(l->rootfs_propagation);
        /* applied to the new root after the pivot, as runc does: before it,
         * the flags were on the runtime's view of "/" */
        if (p > 0 && rl_sys_mount(NULL, "/", NULL, (unsigned long)p, NULL) < 0)
            return rl_error_errno(err, "linux.rootfsPropagation: make / %s", l->rootfs_propagation);
    }
    return 0;
}
