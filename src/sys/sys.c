/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/sys.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int real_pivot_root(const char *new_root, const char *put_old)
{
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static int real_mount_setattr(int dfd, const char *path, unsigned flags, void *attr, size_t size)
{
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}

static const struct rl_sys_ops real_ops = {
    .mount = mount,
    .umount2 = umount2,
    .pivot_root = real_pivot_root,
    .setns = setns,
    .unshare = unshare,
    .sethostname = sethostname,
    .setdomainname = setdomainname,
    .mknod = mknod,
    .chroot = chroot,
    .fsopen = fsopen,
    .fsconfig = fsconfig,
    .fsmount = fsmount,
    .open_tree = open_tree,
    .move_mount = move_mount,
    .mount_setattr = real_mount_setattr,
};

static const struct rl_sys_ops *ops = &real_ops;

/* The entries a table added later than its user may leave NULL. */
#define OP(name) (ops->name ? ops->name : real_ops.name)

void rl_sys_set_ops(const struct rl_sys_ops *o)
{
    ops = o ? o : &real_ops;
}

/* Log "<call> = <ret> [<us>us]" with errno text on failure, keeping errno. */
static int logged(int ret, uint64_t t0, const char *fmt, ...) RL_PRINTF(3, 4);
static int logged(int ret, uint64_t t0, const char *fmt, ...)
{
    if (!rl_log_debug_enabled())
        return ret;
    int saved = errno;
    char call[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call, sizeof(call), fmt, ap);
    va_end(ap);
    uint64_t us = (rl_now_ns() - t0) / 1000;
    if (ret < 0)
        rl_log(RL_LOG_DEBUG, "%s = -1 %s [%lluus]", call, strerror(saved), (unsigned long long)us);
    else
        rl_log(RL_LOG_DEBUG, "%s = %d [%lluus]", call, ret, (unsigned long long)us);
    errno = saved;
    return ret;
}

#define T0() uint64_t t0 = rl_log_debug_enabled() ? rl_now_ns() : 0

/* For the log: a path "/proc/self/fd/N[/REST]" (how the mount code names a
 * directory it holds open, so nothing can swap it) is shown as the path the
 * fd stands for, "REAL[/REST] (fd N)"; anything else as it is. Only with
 * --debug (one readlink), and before the call, while N still names it. */
static const char *shown(const char *path, char *buf, size_t len)
{
    static const char prefix[] = "/proc/self/fd/";
    if (!rl_log_debug_enabled() || path == NULL || strncmp(path, prefix, sizeof(prefix) - 1) != 0)
        return path;
    const char *num = path + sizeof(prefix) - 1;
    size_t digits = strspn(num, "0123456789");
    if (digits == 0 || (num[digits] != '\0' && num[digits] != '/'))
        return path;
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof(link), "%.*s", (int)(num + digits - path), path);
    int saved = errno;
    ssize_t n = readlink(link, real, sizeof(real) - 1);
    errno = saved;
    if (n <= 0)
        return path;
    real[n] = '\0';
    snprintf(buf, len, "%s%s (fd %.*s)", real, num + digits, (int)digits, num);
    return buf;
}

const char *rl_sys_mount_flags_str(unsigned long flags, char *buf, size_t len)
{
    static const struct {
        unsigned long f;
        const char *n;
    } names[] = {
        {MS_RDONLY, "MS_RDONLY"},
        {MS_NOSUID, "MS_NOSUID"},
        {MS_NODEV, "MS_NODEV"},
        {MS_NOEXEC, "MS_NOEXEC"},
        {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
        {MS_REMOUNT, "MS_REMOUNT"},
        {MS_MANDLOCK, "MS_MANDLOCK"},
        {MS_DIRSYNC, "MS_DIRSYNC"},
        {MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
        {MS_NOATIME, "MS_NOATIME"},
        {MS_NODIRATIME, "MS_NODIRATIME"},
        {MS_BIND, "MS_BIND"},
        {MS_MOVE, "MS_MOVE"},
        {MS_REC, "MS_REC"},
        {MS_SILENT, "MS_SILENT"},
        {MS_UNBINDABLE, "MS_UNBINDABLE"},
        {MS_PRIVATE, "MS_PRIVATE"},
        {MS_SLAVE, "MS_SLAVE"},
        {MS_SHARED, "MS_SHARED"},
        {MS_RELATIME, "MS_RELATIME"},
        {MS_STRICTATIME, "MS_STRICTATIME"},
        {MS_LAZYTIME, "MS_LAZYTIME"},
        {MS_I_VERSION, "MS_I_VERSION"},
    };
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!(flags & names[i].f))
            continue;
        int n = snprintf(buf + o, len - o, "%s%s", o ? "|" : "", names[i].n);
        if (n < 0 || (size_t)n >= len - o)
            break;
        o += (size_t)n;
        flags &= ~names[i].f;
    }
    if (o == 0)
        snprintf(buf, len, "0");
    return buf;
}

int rl_sys_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                 const void *data)
{
    T0();
    char sb[PATH_MAX + 64], db[PATH_MAX + 64];
    const char *src_shown = shown(src, sb, sizeof(sb)), *dst_shown = shown(dst, db, sizeof(db));
    int r = ops->mount(src, dst, type, flags, data);
    char fb[256];
    return logged(r, t0, "mount(%s, %s, %s, %s, %s)", src ? src_shown : "NULL", dst_shown,
                  type ? type : "NULL",
                  rl_log_debug_enabled() ? rl_sys_mount_flags_str(flags, fb, sizeof(fb)) : "",
                  data ? (const char *)data : "NULL");
}

int rl_sys_umount2(const char *target, int flags)
{
    T0();
    char tb[PATH_MAX + 64];
    const char *t = shown(target, tb, sizeof(tb));
    return logged(ops->umount2(target, flags), t0, "umount2(%s, %#x)", t, flags);
}

int rl_sys_pivot_root(const char *new_root, const char *put_old)
{
    T0();
    return logged(ops->pivot_root(new_root, put_old), t0, "pivot_root(%s, %s)", new_root, put_old);
}

int rl_sys_setns(int fd, int nstype, const char *what)
{
    T0();
    return logged(ops->setns(fd, nstype), t0, "setns(%s, %#x)", what, nstype);
}

int rl_sys_unshare(int flags)
{
    T0();
    return logged(ops->unshare(flags), t0, "unshare(%#x)", flags);
}

int rl_sys_sethostname(const char *name)
{
    T0();
    return logged(ops->sethostname(name, strlen(name)), t0, "sethostname(%s)", name);
}

int rl_sys_setdomainname(const char *name)
{
    T0();
    return logged(ops->setdomainname(name, strlen(name)), t0, "setdomainname(%s)", name);
}

int rl_sys_mknod(const char *path, mode_t mode, dev_t dev)
{
    T0();
    char pb[PATH_MAX + 64];
    const char *p = shown(path, pb, sizeof(pb));
    return logged(ops->mknod(path, mode, dev), t0, "mknod(%s, %#o, %u:%u)", p, mode, major(dev),
                  minor(dev));
}

int rl_sys_chroot(const char *path)
{
    T0();
    char pb[PATH_MAX + 64];
    const char *p = shown(path, pb, sizeof(pb));
    return logged(ops->chroot(path), t0, "chroot(%s)", p);
}

int rl_sys_write_ctl(int dirfd, const char *path, const char *value)
{
    T0();
    int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
    int r = -1;
    if (fd >= 0) {
        r = rl_write_all(fd, value, strlen(value));
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return logged(r, t0, "write(%s, \"%s\")", path, value);
}

/* ---- the new mount API: mounts made and attached through fds ------------ */

int rl_sys_fsmount(const char *fstype, const char *const *opts, unsigned attrs)
{
    T0();
    char desc[512];
    int n = snprintf(desc, sizeof(desc), "%s", fstype);
    for (size_t i = 0; opts && opts[i]; i += 2)
        n += snprintf(desc + n, n < (int)sizeof(desc) ? sizeof(desc) - (size_t)n : 0, ",%s%s%s",
                      opts[i], opts[i + 1] ? "=" : "", opts[i + 1] ? opts[i + 1] : "");
    int fs = OP(fsopen)(fstype, FSOPEN_CLOEXEC);
    int mnt = -1;
    if (fs >= 0) {
        int r = 0;
        for (size_t i = 0; r == 0 && opts && opts[i]; i += 2)
            r = opts[i + 1] ? OP(fsconfig)(fs, FSCONFIG_SET_STRING, opts[i], opts[i + 1], 0)
                            : OP(fsconfig)(fs, FSCONFIG_SET_FLAG, opts[i], NULL, 0);
        if (r == 0 && OP(fsconfig)(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
            mnt = OP(fsmount)(fs, FSMOUNT_CLOEXEC, attrs);
        int saved = errno;
        close(fs);
        errno = saved;
    }
    return logged(mnt, t0, "fsopen+fsmount(%s, attrs %#x)", desc, attrs);
}

int rl_sys_open_tree_clone(int fd, const char *what)
{
    T0();
    int r = OP(open_tree)(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    return logged(r, t0, "open_tree(%s, OPEN_TREE_CLONE)", what);
}

int rl_sys_move_mount_fd(int from, int to, const char *what)
{
    T0();
    int r = OP(move_mount)(from, "", to, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    return logged(r, t0, "move_mount(%s)", what);
}

int rl_sys_mount_setattr_fd(int fd, unsigned flags, void *attr, size_t size, const char *what)
{
    T0();
    const struct mount_attr *a = attr;
    int r = OP(mount_setattr)(fd, "", AT_EMPTY_PATH | flags, attr, size);
    return logged(r, t0, "mount_setattr(%s, %#x, set %#llx, clear %#llx)", what, flags,
                  (unsigned long long)a->attr_set, (unsigned long long)a->attr_clr);
}
