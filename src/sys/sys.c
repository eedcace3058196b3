/* SPDX-License-Identifier: MIT OR Apache-2.0 */
#include "rustlet/sys.h"
#include "rustlet/log.h"
#include "rustlet/utils.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
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

static long real_clone(unsigned long flags)
{
    return syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

static long real_keyctl(int cmd, unsigned long a2, unsigned long a3, unsigned long a4,
                        unsigned long a5)
{
    return syscall(SYS_keyctl, cmd, a2, a3, a4, a5);
}

static int real_write_ctl(int fd, const char *value, size_t len)
{
    return rl_write_all(fd, value, len);
}

static int real_sched_setaffinity(pid_t pid, size_t len, const void *mask)
{
    return (int)syscall(SYS_sched_setaffinity, pid, len, mask);
}

static int real_sched_setattr(pid_t pid, struct rl_sys_sched_attr *attr, unsigned flags)
{
    return (int)syscall(SYS_sched_setattr, pid, attr, flags);
}

static int real_ioprio_set(int which, int who, int ioprio)
{
    return (int)syscall(SYS_ioprio_set, which, who, ioprio);
}

static int real_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode)
{
    return (int)syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

static int real_personality(unsigned long persona)
{
    return personality(persona);
}

static long real_clone3(struct clone_args *args, size_t size)
{
    return syscall(SYS_clone3, args, size);
}

static long real_bpf(int cmd, void *attr, unsigned size)
{
    return syscall(SYS_bpf, cmd, attr, size);
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
    .fork = fork,
    .clone = real_clone,
    .mknodat = mknodat,
    .keyctl = real_keyctl,
    .write_ctl = real_write_ctl,
    .sched_setaffinity = real_sched_setaffinity,
    .sched_setattr = real_sched_setattr,
    .ioprio_set = real_ioprio_set,
    .set_mempolicy = real_set_mempolicy,
    .personality = real_personality,
    .clone3 = real_clone3,
    .bpf = real_bpf,
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

/* The names of the bits set in flags, "A|B" ("0" if none); with rest, bits
 * without a name follow in hex. For the log lines. */
struct flag_name {
    uint64_t f;
    const char *n;
};

static const char *flags_str(const struct flag_name *names, size_t count, uint64_t flags, bool rest,
                             char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (!(flags & names[i].f))
            continue;
        int n = snprintf(buf + o, len - o, "%s%s", o ? "|" : "", names[i].n);
        if (n < 0 || (size_t)n >= len - o)
            break;
        o += (size_t)n;
        flags &= ~names[i].f;
    }
    if (rest && flags)
        snprintf(buf + o, len - o, "%s%#llx", o ? "|" : "", (unsigned long long)flags);
    else if (o == 0)
        snprintf(buf, len, "0");
    return buf;
}

const char *rl_sys_mount_flags_str(unsigned long flags, char *buf, size_t len)
{
    static const struct flag_name names[] = {
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
    return flags_str(names, ARRAY_SIZE(names), flags, false, buf, len);
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
        r = OP(write_ctl)(fd, value, strlen(value));
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return logged(r, t0, "write(%s, \"%s\")", path, value);
}

int rl_sys_write_ctl_fd(int fd, const char *value, const char *what)
{
    T0();
    return logged(OP(write_ctl)(fd, value, strlen(value)), t0, "write(%s, \"%s\")", what, value);
}

/* ---- processes ----------------------------------------------------------- */

pid_t rl_sys_fork(const char *what)
{
    T0();
    pid_t pid = OP(fork)();
    if (pid == 0)
        return 0;
    return logged(pid, t0, "fork(%s)", what);
}

pid_t rl_sys_clone(unsigned long flags, const char *what)
{
    T0();
    pid_t pid = (pid_t)OP(clone)(flags);
    if (pid == 0)
        return 0;
    return logged(pid, t0, "clone(%#lx, %s)", flags, what);
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080ULL
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

const char *rl_sys_clone_flags_str(uint64_t flags, char *buf, size_t len)
{
    static const struct flag_name names[] = {
        {CLONE_NEWTIME, "CLONE_NEWTIME"},
        {CLONE_VM, "CLONE_VM"},
        {CLONE_FS, "CLONE_FS"},
        {CLONE_FILES, "CLONE_FILES"},
        {CLONE_SIGHAND, "CLONE_SIGHAND"},
        {CLONE_PIDFD, "CLONE_PIDFD"},
        {CLONE_PTRACE, "CLONE_PTRACE"},
        {CLONE_VFORK, "CLONE_VFORK"},
        {CLONE_PARENT, "CLONE_PARENT"},
        {CLONE_THREAD, "CLONE_THREAD"},
        {CLONE_NEWNS, "CLONE_NEWNS"},
        {CLONE_SYSVSEM, "CLONE_SYSVSEM"},
        {CLONE_SETTLS, "CLONE_SETTLS"},
        {CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
        {CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
        {CLONE_UNTRACED, "CLONE_UNTRACED"},
        {CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
        {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
        {CLONE_NEWUTS, "CLONE_NEWUTS"},
        {CLONE_NEWIPC, "CLONE_NEWIPC"},
        {CLONE_NEWUSER, "CLONE_NEWUSER"},
        {CLONE_NEWPID, "CLONE_NEWPID"},
        {CLONE_NEWNET, "CLONE_NEWNET"},
        {CLONE_IO, "CLONE_IO"},
        {CLONE_CLEAR_SIGHAND, "CLONE_CLEAR_SIGHAND"},
        {CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP"},
    };
    return flags_str(names, ARRAY_SIZE(names), flags, true, buf, len);
}

pid_t rl_sys_clone3(struct clone_args *args, size_t size, const char *what)
{
    T0();
    uint64_t flags = args->flags, sig = args->exit_signal, cgroup = args->cgroup;
    pid_t pid = (pid_t)OP(clone3)(args, size);
    if (pid == 0)
        return 0;
    if (!rl_log_debug_enabled())
        return pid;
    char fb[512], cg[48] = "", sb[24];
    if (flags & CLONE_INTO_CGROUP)
        snprintf(cg, sizeof(cg), ", cgroup fd %llu", (unsigned long long)cgroup);
    if (sig == SIGCHLD)
        snprintf(sb, sizeof(sb), "SIGCHLD");
    else
        snprintf(sb, sizeof(sb), "%llu", (unsigned long long)sig);
    return logged(pid, t0, "clone3(%s, exit_signal %s%s, %s)",
                  rl_sys_clone_flags_str(flags, fb, sizeof(fb)), sb, cg, what);
}

int rl_sys_mknodat(int dfd, const char *name, mode_t mode, dev_t dev)
{
    T0();
    /* the directory as its path (see shown), when the log wants it */
    char fdp[PATH_MAX + 64], nb[PATH_MAX + 64];
    const char *n = name;
    if (rl_log_debug_enabled() && dfd >= 0 && name[0] != '/') {
        snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d/%s", dfd, name);
        n = shown(fdp, nb, sizeof(nb));
    }
    return logged(OP(mknodat)(dfd, name, mode, dev), t0, "mknodat(%s, %#o, %u:%u)", n, mode,
                  major(dev), minor(dev));
}

long rl_sys_join_session_keyring(const char *name)
{
    T0();
    long r = OP(keyctl)(1 /* KEYCTL_JOIN_SESSION_KEYRING */, (unsigned long)name, 0, 0, 0);
    return logged((int)r, t0, "keyctl(KEYCTL_JOIN_SESSION_KEYRING, %s)", name);
}

/* ---- the calling process's attributes ------------------------------------ */

int rl_sys_sched_setaffinity(size_t len, const void *mask, const char *list)
{
    T0();
    return logged(OP(sched_setaffinity)(0, len, mask), t0, "sched_setaffinity(0, \"%s\")", list);
}

int rl_sys_sched_setattr(struct rl_sys_sched_attr *a, const char *policy)
{
    T0();
    int r = OP(sched_setattr)(0, a, 0);
    return logged(r, t0,
                  "sched_setattr(0, {policy %s, nice %d, priority %u, flags %#llx, runtime %llu, "
                  "deadline %llu, period %llu})",
                  policy, a->sched_nice, a->sched_priority, (unsigned long long)a->sched_flags,
                  (unsigned long long)a->sched_runtime, (unsigned long long)a->sched_deadline,
                  (unsigned long long)a->sched_period);
}

int rl_sys_ioprio_set(int which, int who, int ioprio, const char *what)
{
    T0();
    return logged(OP(ioprio_set)(which, who, ioprio), t0, "ioprio_set(%d, %d, %s)", which, who,
                  what);
}

int rl_sys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode,
                         const char *nodes)
{
    T0();
    return logged(OP(set_mempolicy)(mode, nodemask, maxnode), t0,
                  "set_mempolicy(%#x, \"%s\", maxnode %lu)", mode, nodes, maxnode);
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

int rl_sys_personality(unsigned long persona, const char *what)
{
    T0();
    return logged(OP(personality)(persona), t0, "personality(%#lx %s)", persona, what);
}

static const char *bpf_cmd_str(int cmd, char *buf, size_t len)
{
    static const struct {
        int cmd;
        const char *n;
    } names[] = {
        {BPF_MAP_CREATE, "BPF_MAP_CREATE"},
        {BPF_PROG_LOAD, "BPF_PROG_LOAD"},
        {BPF_PROG_ATTACH, "BPF_PROG_ATTACH"},
        {BPF_PROG_DETACH, "BPF_PROG_DETACH"},
        {BPF_PROG_GET_FD_BY_ID, "BPF_PROG_GET_FD_BY_ID"},
        {BPF_OBJ_GET_INFO_BY_FD, "BPF_OBJ_GET_INFO_BY_FD"},
        {BPF_PROG_QUERY, "BPF_PROG_QUERY"},
        {BPF_LINK_CREATE, "BPF_LINK_CREATE"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].cmd == cmd)
            return names[i].n;
    snprintf(buf, len, "bpf cmd %d", cmd);
    return buf;
}

long rl_sys_bpf(int cmd, void *attr, unsigned size, const char *what)
{
    T0();
    long r = OP(bpf)(cmd, attr, size);
    char cb[32];
    logged((int)r, t0, "bpf(%s, %s)",
           rl_log_debug_enabled() ? bpf_cmd_str(cmd, cb, sizeof(cb)) : "", what);
    return r;
}

/* OPEN_TREE_* and AT_* flags of open_tree for the log */
static const char *tree_flags_str(unsigned flags, char *buf, size_t len)
{
    static const struct flag_name names[] = {
        {OPEN_TREE_CLONE, "OPEN_TREE_CLONE"},
        {OPEN_TREE_CLOEXEC, "OPEN_TREE_CLOEXEC"},
        {AT_RECURSIVE, "AT_RECURSIVE"},
        {AT_EMPTY_PATH, "AT_EMPTY_PATH"},
        {AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
    };
    return flags_str(names, ARRAY_SIZE(names), flags, true, buf, len);
}

int rl_sys_open_tree(int dfd, const char *path, unsigned flags)
{
    T0();
    char pb[PATH_MAX + 64], fb[160];
    const char *p = shown(path, pb, sizeof(pb));
    int r = OP(open_tree)(dfd, path, flags);
    return logged(r, t0, "open_tree(%s, %s)", p,
                  rl_log_debug_enabled() ? tree_flags_str(flags, fb, sizeof(fb)) : "");
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
    char ns[48] = "";
    if (a->attr_set & MOUNT_ATTR_IDMAP)
        snprintf(ns, sizeof(ns), ", userns fd %lld", (long long)a->userns_fd);
    return logged(r, t0, "mount_setattr(%s, %#x, set %#llx, clear %#llx%s)", what, flags,
                  (unsigned long long)a->attr_set, (unsigned long long)a->attr_clr, ns);
}
