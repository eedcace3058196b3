/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A recording fake of the whole syscall table (src/sys) for the container
 * side's unit tests: no call reaches the kernel, so nothing needs root and
 * nothing is mounted. Each call is appended to fake_calls as one line,
 * "mount(SRC,DST,TYPE,FLAGS,DATA)", with the flags by name and every path
 * of the form /proc/self/fd/N shown as what N is; a path inside the test's
 * root (fake_root) is shown relative to it ("/dev/pts"), the root itself as
 * "ROOT". A call whose line contains fake_fail_on fails with
 * fake_fail_errno (the first fake_fail_skip such calls still succeed).
 * The fd-returning calls (fsopen, fsmount, open_tree) give a real fd of
 * /dev/null, so the code under test may close it. mknod fails with
 * fake_mknod_errno when that is set, else creates a regular file (what a
 * kernel that made "something else" there would look like); so does
 * mknodat. A control-file write (write_ctl) is recorded, then made. */
#ifndef RL_TEST_LINUX_FAKE_H
#define RL_TEST_LINUX_FAKE_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "rustlet/sys.h"
#include "rustlet/utils.h"

static char fake_calls_buf[65536];
/* where the lines go: a test of a forked child points it at shared memory */
static char *fake_calls = fake_calls_buf;
static size_t fake_calls_size = sizeof(fake_calls_buf);
static char fake_root[PATH_MAX];     /* the test's rootfs, "" for none */
static const char *fake_fail_on;     /* substring of the call line to fail */
static int fake_fail_errno = EINVAL; /* errno of that failure */
static int fake_fail_skip;           /* matching calls to let pass first */
static int fake_mknod_errno;         /* mknod fails with it when != 0 */

static __attribute__((unused)) void fake_reset(void)
{
    fake_calls[0] = '\0';
    fake_fail_on = NULL;
    fake_fail_errno = EINVAL;
    fake_fail_skip = 0;
    fake_mknod_errno = 0;
}

/* The path for the record (see the top); buf >= PATH_MAX + 64. */
static const char *fake_path(const char *p, char *buf, size_t len)
{
    if (p == NULL)
        return "NULL";
    char real[PATH_MAX];
    const char *path = p;
    if (strncmp(p, "/proc/self/fd/", 14) == 0) {
        const char *num = p + 14;
        size_t digits = strspn(num, "0123456789");
        char link[64];
        snprintf(link, sizeof(link), "%.*s", (int)(14 + digits), p);
        ssize_t n = readlink(link, real, sizeof(real) - 1);
        if (n > 0) {
            real[n] = '\0';
            snprintf(buf, len, "%s%s", real, num + digits);
            snprintf(real, sizeof(real), "%s", buf);
            path = real;
        }
    }
    size_t rl = strlen(fake_root);
    if (rl && strncmp(path, fake_root, rl) == 0 && path[rl] == '\0')
        snprintf(buf, len, "ROOT");
    else if (rl && strncmp(path, fake_root, rl) == 0 && path[rl] == '/')
        snprintf(buf, len, "%s", path + rl);
    else
        snprintf(buf, len, "%s", path);
    return buf;
}

static const char *fake_fd(int fd, char *buf, size_t len)
{
    char p[64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    return fake_path(p, buf, len);
}

static int fake_rec(const char *fmt, ...) RL_PRINTF(1, 2);
static int fake_rec(const char *fmt, ...)
{
    char line[2 * PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    size_t o = strlen(fake_calls);
    snprintf(fake_calls + o, fake_calls_size - o, "%s\n", line);
    if (fake_fail_on && strstr(line, fake_fail_on)) {
        if (fake_fail_skip-- <= 0) {
            errno = fake_fail_errno;
            return -1;
        }
    }
    return 0;
}

static int fake_null_fd(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

#define FAKE_BUF char b1[PATH_MAX + 64], b2[PATH_MAX + 64], fb[256]

static int fake_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                      const void *data)
{
    FAKE_BUF;
    return fake_rec("mount(%s,%s,%s,%s,%s)", fake_path(src, b1, sizeof(b1)),
                    fake_path(dst, b2, sizeof(b2)), type ? type : "NULL",
                    rl_sys_mount_flags_str(flags, fb, sizeof(fb)),
                    data ? (const char *)data : "NULL");
}
static int fake_umount2(const char *t, int flags)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    return fake_rec("umount2(%s,%#x)", fake_path(t, b1, sizeof(b1)), flags);
}
static int fake_pivot_root(const char *n, const char *o)
{
    return fake_rec("pivot_root(%s,%s)", n, o);
}
static int fake_setns(int fd, int t)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    return fake_rec("setns(%s,%#x)", fake_fd(fd, b1, sizeof(b1)), t);
}
static int fake_unshare(int flags)
{
    return fake_rec("unshare(%#x)", flags);
}
static int fake_sethostname(const char *n, size_t len)
{
    return fake_rec("sethostname(%.*s)", (int)len, n);
}
static int fake_setdomainname(const char *n, size_t len)
{
    return fake_rec("setdomainname(%.*s)", (int)len, n);
}
static int fake_mknod(const char *p, mode_t m, dev_t d)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    if (fake_rec("mknod(%s,%#o,%u:%u)", fake_path(p, b1, sizeof(b1)), (unsigned)m, major(d),
                 minor(d)) < 0)
        return -1;
    if (fake_mknod_errno) {
        errno = fake_mknod_errno;
        return -1;
    }
    int fd = open(p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}
static int fake_chroot(const char *p)
{
    return fake_rec("chroot(%s)", p);
}
static int fake_fsopen(const char *fstype, unsigned flags)
{
    return fake_rec("fsopen(%s)", fstype) < 0 ? -1 : fake_null_fd();
}
static int fake_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
    if (cmd == FSCONFIG_CMD_CREATE)
        return fake_rec("fsconfig(create)");
    return fake_rec("fsconfig(%s=%s)", key ? key : "NULL", value ? (const char *)value : "");
}
static int fake_fsmount(int fd, unsigned flags, unsigned attrs)
{
    return fake_rec("fsmount(%#x)", attrs) < 0 ? -1 : fake_null_fd();
}
static int fake_open_tree(int dfd, const char *path, unsigned flags)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    return fake_rec("open_tree(%s,%#x)", fake_fd(dfd, b1, sizeof(b1)), flags) < 0 ? -1
                                                                                  : fake_null_fd();
}
static int fake_move_mount(int from, const char *fp, int to, const char *tp, unsigned flags)
{
    FAKE_BUF;
    (void)b1;
    (void)fb;
    return fake_rec("move_mount(%s)", fake_fd(to, b2, sizeof(b2)));
}
static int fake_mount_setattr(int dfd, const char *path, unsigned flags, void *attr, size_t size)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    const struct mount_attr *a = attr;
    return fake_rec("mount_setattr(%s,%#x,set=%#llx,clr=%#llx)", fake_fd(dfd, b1, sizeof(b1)),
                    flags, (unsigned long long)a->attr_set, (unsigned long long)a->attr_clr);
}

static int fake_mknodat(int dfd, const char *name, mode_t m, dev_t d)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    char p[PATH_MAX + 64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dfd, name);
    if (fake_rec("mknodat(%s,%#o,%u:%u)", fake_path(p, b1, sizeof(b1)), (unsigned)m, major(d),
                 minor(d)) < 0)
        return -1;
    if (fake_mknod_errno) {
        errno = fake_mknod_errno;
        return -1;
    }
    int fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}
static long fake_keyctl(int cmd, unsigned long a2, unsigned long a3, unsigned long a4,
                        unsigned long a5)
{
    return fake_rec("keyctl(%d,%s)", cmd, (const char *)a2) < 0 ? -1 : 1;
}
/* recorded, then written for real: tests point these at files of their own */
static int fake_write_ctl(int fd, const char *value, size_t len)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    if (fake_rec("write(%s,%.*s)", fake_fd(fd, b1, sizeof(b1)), (int)len, value) < 0)
        return -1;
    return rl_write_all(fd, value, len);
}
static int fake_sched_setaffinity(pid_t pid, size_t len, const void *mask)
{
    return fake_rec("sched_setaffinity(%d,%zu,%#llx)", (int)pid, len,
                    (unsigned long long)*(const uint64_t *)mask);
}
static int fake_sched_setattr(pid_t pid, struct rl_sys_sched_attr *a, unsigned flags)
{
    return fake_rec("sched_setattr(%d,policy=%u,nice=%d,prio=%u,flags=%#llx)", (int)pid,
                    a->sched_policy, a->sched_nice, a->sched_priority,
                    (unsigned long long)a->sched_flags);
}
static int fake_ioprio_set(int which, int who, int ioprio)
{
    return fake_rec("ioprio_set(%d,%d,%#x)", which, who, ioprio);
}
static int fake_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode)
{
    return fake_rec("set_mempolicy(%#x,%#lx,%lu)", mode, nodemask ? nodemask[0] : 0UL, maxnode);
}
static int fake_personality(unsigned long persona)
{
    return fake_rec("personality(%#lx)", persona);
}

/* fork and clone are left NULL: the code under test forks for real. */
static const struct rl_sys_ops fake_linux_ops = {
    .mount = fake_mount,
    .umount2 = fake_umount2,
    .pivot_root = fake_pivot_root,
    .setns = fake_setns,
    .unshare = fake_unshare,
    .sethostname = fake_sethostname,
    .setdomainname = fake_setdomainname,
    .mknod = fake_mknod,
    .chroot = fake_chroot,
    .fsopen = fake_fsopen,
    .fsconfig = fake_fsconfig,
    .fsmount = fake_fsmount,
    .open_tree = fake_open_tree,
    .move_mount = fake_move_mount,
    .mount_setattr = fake_mount_setattr,
    .mknodat = fake_mknodat,
    .keyctl = fake_keyctl,
    .write_ctl = fake_write_ctl,
    .sched_setaffinity = fake_sched_setaffinity,
    .sched_setattr = fake_sched_setattr,
    .ioprio_set = fake_ioprio_set,
    .set_mempolicy = fake_set_mempolicy,
    .personality = fake_personality,
};

/* The recorded calls from the first line that contains from (NULL: all). */
static __attribute__((unused)) const char *fake_from(const char *from)
{
    if (from == NULL)
        return fake_calls;
    const char *p = strstr(fake_calls, from);
    while (p && p != fake_calls && p[-1] != '\n')
        p = strstr(p + 1, from);
    return p;
}

/* A temporary directory (realpath, so the records strip it) with a
 * bundle-like layout: DIR/rootfs. */
static __attribute__((unused)) char *fake_make_tree(char *tmpl)
{
    if (mkdtemp(tmpl) == NULL)
        return NULL;
    char *real = realpath(tmpl, NULL);
    if (real == NULL)
        return NULL;
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", real);
    if (mkdir(rootfs, 0755) < 0) {
        free(real);
        return NULL;
    }
    return real;
}

static __attribute__((unused)) void fake_rm_tree(const char *dir)
{
    if (dir == NULL || strncmp(dir, "/tmp/", 5) != 0)
        return;
    _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

#endif
