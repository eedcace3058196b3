/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* sys.c: the syscall table records through a fake, keeps errno, and with
 * --debug explains every call as one JSON log line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <regex.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"

/* ---- the recording fake ---- */

static char calls[4096]; /* "name(args);" appended per call */
static int fake_ret;     /* what the next call returns */
static int fake_errno;   /* errno set when fake_ret < 0 */

static int rec(const char *fmt, ...) RL_PRINTF(1, 2);
static int rec(const char *fmt, ...)
{
    size_t o = strlen(calls);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(calls + o, sizeof(calls) - o, fmt, ap);
    va_end(ap);
    strncat(calls, ";", sizeof(calls) - strlen(calls) - 1);
    if (fake_ret < 0)
        errno = fake_errno;
    return fake_ret;
}

#define S(x) ((x) ? (x) : "NULL")
static int f_mount(const char *src, const char *dst, const char *type, unsigned long flags,
                   const void *data)
{
    return rec("mount(%s,%s,%s,%#lx,%s)", S(src), S(dst), S(type), flags,
               data ? (const char *)data : "NULL");
}
static int f_umount2(const char *t, int flags)
{
    return rec("umount2(%s,%d)", t, flags);
}
static int f_pivot_root(const char *n, const char *o)
{
    return rec("pivot_root(%s,%s)", n, o);
}
static int f_setns(int fd, int t)
{
    return rec("setns(%d,%#x)", fd, t);
}
static int f_unshare(int flags)
{
    return rec("unshare(%#x)", flags);
}
static int f_sethostname(const char *n, size_t len)
{
    return rec("sethostname(%.*s,%zu)", (int)len, n, len);
}
static int f_setdomainname(const char *n, size_t len)
{
    return rec("setdomainname(%.*s,%zu)", (int)len, n, len);
}
static int f_mknod(const char *p, mode_t m, dev_t d)
{
    return rec("mknod(%s,%#o,%u,%u)", p, (unsigned)m, major(d), minor(d));
}
static int f_chroot(const char *p)
{
    return rec("chroot(%s)", p);
}

static const struct rl_sys_ops fake_ops = {
    .mount = f_mount,
    .umount2 = f_umount2,
    .pivot_root = f_pivot_root,
    .setns = f_setns,
    .unshare = f_unshare,
    .sethostname = f_sethostname,
    .setdomainname = f_setdomainname,
    .mknod = f_mknod,
    .chroot = f_chroot,
};

/* ---- the log file ---- */

static char log_path[] = "/tmp/rl-test-sys-log-XXXXXX";
static off_t log_off;

static int group_setup(void **state)
{
    int fd = mkstemp(log_path);
    if (fd < 0)
        return -1;
    close(fd);
    struct rl_error *err = NULL;
    if (rl_log_open(log_path, true, true, &err) < 0)
        return -1;
    rl_sys_set_ops(&fake_ops);
    return 0;
}

static int group_teardown(void **state)
{
    rl_sys_set_ops(NULL);
    unlink(log_path);
    return 0;
}

static int setup(void **state)
{
    calls[0] = '\0';
    fake_ret = 0;
    fake_errno = 0;
    struct stat st;
    if (stat(log_path, &st) < 0)
        return -1;
    log_off = st.st_size;
    return 0;
}

/* The log lines written since setup (caller frees). */
static char *new_log(void)
{
    struct rl_error *err = NULL;
    size_t len = 0;
    char *all = rl_read_file_at(AT_FDCWD, log_path, 0, &len, &err);
    assert_non_null(all);
    assert_true((size_t)log_off <= len);
    char *r = xstrdup(all + log_off);
    free(all);
    return r;
}

/* Exactly one JSON debug line whose msg is `msg` followed by " [<n>us]". */
static void assert_one_debug_line(const char *msg)
{
    _cleanup_free_ char *got = new_log();
    _cleanup_free_ char *want = xasprintf("{\"level\":\"debug\",\"msg\":\"%s [", msg);
    if (strncmp(got, want, strlen(want)) != 0)
        fail_msg("log line\n  %s\nwant prefix\n  %s", got, want);
    const char *rest = got + strlen(want);
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^[0-9]+us\\]\",\"time\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T"
                             "[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"\\}\n$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    int r = regexec(&re, rest, 0, NULL, 0);
    regfree(&re);
    if (r != 0)
        fail_msg("bad line tail: %s", rest);
}

static void test_rl_sys_mount_args(void **state)
{
    assert_int_equal(rl_sys_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV, "hidepid=2"), 0);
    _cleanup_free_ char *want =
        xasprintf("mount(proc,/proc,proc,%#lx,hidepid=2);", (unsigned long)(MS_NOSUID | MS_NODEV));
    assert_string_equal(calls, want);
    assert_one_debug_line("mount(proc, /proc, proc, MS_NOSUID|MS_NODEV, hidepid=2) = 0");
}

static void test_rl_sys_mount_null_args(void **state)
{
    assert_int_equal(rl_sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    _cleanup_free_ char *want =
        xasprintf("mount(NULL,/,NULL,%#lx,NULL);", (unsigned long)(MS_REC | MS_PRIVATE));
    assert_string_equal(calls, want);
    assert_one_debug_line("mount(NULL, /, NULL, MS_REC|MS_PRIVATE, NULL) = 0");
}

static void test_rl_sys_mount_failure_keeps_errno(void **state)
{
    fake_ret = -1;
    fake_errno = EPERM;
    errno = 0;
    assert_int_equal(rl_sys_mount("tmpfs", "/run", "tmpfs", 0, NULL), -1);
    assert_int_equal(errno, EPERM);
    assert_one_debug_line("mount(tmpfs, /run, tmpfs, 0, NULL) = -1 Operation not permitted");
}

/* A target held open as /proc/self/fd/N is logged as the path behind the
 * fd (the call itself still gets /proc/self/fd/N). */
static void test_rl_sys_mount_fd_path_shown(void **state)
{
    char dir[] = "/tmp/rl-test-sys-dir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    char target[64];
    snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
    assert_int_equal(rl_sys_mount("tmpfs", target, "tmpfs", 0, NULL), 0);
    _cleanup_free_ char *want_call = xasprintf("mount(tmpfs,%s,tmpfs,0,NULL);", target);
    assert_string_equal(calls, want_call);
    _cleanup_free_ char *want = xasprintf("mount(tmpfs, %s (fd %d), tmpfs, 0, NULL) = 0", dir, fd);
    assert_one_debug_line(want);
    /* a path below the fd keeps its rest; a closed fd leaves the path as it is */
    snprintf(target, sizeof(target), "/proc/self/fd/%d/sub", fd);
    assert_int_equal(setup(state), 0);
    assert_int_equal(rl_sys_chroot(target), 0);
    _cleanup_free_ char *want2 = xasprintf("chroot(%s/sub (fd %d)) = 0", dir, fd);
    assert_one_debug_line(want2);
    close(fd);
    rmdir(dir);
    assert_int_equal(setup(state), 0);
    assert_int_equal(rl_sys_umount2(target, 0), 0);
    _cleanup_free_ char *want3 = xasprintf("umount2(%s, 0) = 0", target);
    assert_one_debug_line(want3);
}

static void test_rl_sys_umount2_args(void **state)
{
    assert_int_equal(rl_sys_umount2("/.old", MNT_DETACH), 0);
    _cleanup_free_ char *want = xasprintf("umount2(/.old,%d);", MNT_DETACH);
    assert_string_equal(calls, want);
    assert_one_debug_line("umount2(/.old, 0x2) = 0");
}

static void test_rl_sys_pivot_root_args(void **state)
{
    fake_ret = -1;
    fake_errno = EINVAL;
    assert_int_equal(rl_sys_pivot_root(".", "."), -1);
    assert_int_equal(errno, EINVAL);
    assert_string_equal(calls, "pivot_root(.,.);");
    assert_one_debug_line("pivot_root(., .) = -1 Invalid argument");
}

static void test_rl_sys_setns_args(void **state)
{
    assert_int_equal(rl_sys_setns(7, CLONE_NEWNET, "/proc/1/ns/net"), 0);
    _cleanup_free_ char *want = xasprintf("setns(7,%#x);", CLONE_NEWNET);
    assert_string_equal(calls, want);
    assert_one_debug_line("setns(/proc/1/ns/net, 0x40000000) = 0");
}

static void test_rl_sys_unshare_args(void **state)
{
    assert_int_equal(rl_sys_unshare(CLONE_NEWNS | CLONE_NEWUTS), 0);
    _cleanup_free_ char *want = xasprintf("unshare(%#x);", CLONE_NEWNS | CLONE_NEWUTS);
    assert_string_equal(calls, want);
    assert_one_debug_line("unshare(0x4020000) = 0");
}

static void test_rl_sys_sethostname_args(void **state)
{
    assert_int_equal(rl_sys_sethostname("box"), 0);
    assert_int_equal(rl_sys_setdomainname("example.org"), 0);
    assert_string_equal(calls, "sethostname(box,3);setdomainname(example.org,11);");
    _cleanup_free_ char *got = new_log();
    assert_non_null(strstr(got, "\"msg\":\"sethostname(box) = 0 ["));
    assert_non_null(strstr(got, "\"msg\":\"setdomainname(example.org) = 0 ["));
}

static void test_rl_sys_mknod_args(void **state)
{
    assert_int_equal(rl_sys_mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3)), 0);
    _cleanup_free_ char *want = xasprintf("mknod(/dev/null,%#o,1,3);", S_IFCHR | 0666);
    assert_string_equal(calls, want);
    assert_one_debug_line("mknod(/dev/null, 020666, 1:3) = 0");
}

static void test_rl_sys_chroot_args(void **state)
{
    fake_ret = -1;
    fake_errno = ENOENT;
    assert_int_equal(rl_sys_chroot("/nowhere"), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(calls, "chroot(/nowhere);");
    assert_one_debug_line("chroot(/nowhere) = -1 No such file or directory");
}

static void test_rl_sys_write_ctl_file(void **state)
{
    char dir[] = "/tmp/rl-test-sys-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dfd >= 0);
    int fd = openat(dfd, "pids.max", O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(rl_sys_write_ctl(dfd, "pids.max", "100"), 0);
    struct rl_error *err = NULL;
    _cleanup_free_ char *v = rl_read_file_at(dfd, "pids.max", 0, NULL, &err);
    assert_string_equal(v, "100");
    assert_one_debug_line("write(pids.max, \\\"100\\\") = 0");
    /* a missing control file: -1 with errno kept */
    errno = 0;
    assert_int_equal(rl_sys_write_ctl(dfd, "nope", "1"), -1);
    assert_int_equal(errno, ENOENT);
    unlinkat(dfd, "pids.max", 0);
    close(dfd);
    rmdir(dir);
}

static void test_rl_sys_set_ops_restore(void **state)
{
    /* NULL restores the real table: unshare(0) is a harmless real call */
    rl_sys_set_ops(NULL);
    assert_int_equal(rl_sys_unshare(0), 0);
    rl_sys_set_ops(&fake_ops);
    assert_string_equal(calls, "");
    assert_int_equal(rl_sys_unshare(0), 0);
    assert_string_equal(calls, "unshare(0);");
}

static void test_rl_sys_mount_flags_str_names(void **state)
{
    char buf[512];
    assert_string_equal(rl_sys_mount_flags_str(0, buf, sizeof(buf)), "0");
    assert_string_equal(rl_sys_mount_flags_str(MS_BIND | MS_REC, buf, sizeof(buf)),
                        "MS_BIND|MS_REC");
    assert_string_equal(
        rl_sys_mount_flags_str(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_REMOUNT | MS_BIND,
                               buf, sizeof(buf)),
        "MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND");
    assert_string_equal(rl_sys_mount_flags_str(MS_SLAVE | MS_REC, buf, sizeof(buf)),
                        "MS_REC|MS_SLAVE");
    assert_string_equal(rl_sys_mount_flags_str(MS_STRICTATIME, buf, sizeof(buf)), "MS_STRICTATIME");
}

static void test_rl_sys_mount_flags_str_small_buffer(void **state)
{
    char buf[12];
    memset(buf, 'z', sizeof(buf));
    rl_sys_mount_flags_str(MS_RDONLY | MS_NOSUID | MS_NODEV, buf, sizeof(buf));
    assert_true(strlen(buf) < sizeof(buf));
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rl_sys_mount_args),
        T(test_rl_sys_mount_null_args),
        T(test_rl_sys_mount_failure_keeps_errno),
        T(test_rl_sys_mount_fd_path_shown),
        T(test_rl_sys_umount2_args),
        T(test_rl_sys_pivot_root_args),
        T(test_rl_sys_setns_args),
        T(test_rl_sys_unshare_args),
        T(test_rl_sys_sethostname_args),
        T(test_rl_sys_mknod_args),
        T(test_rl_sys_chroot_args),
        T(test_rl_sys_write_ctl_file),
        T(test_rl_sys_set_ops_restore),
        T(test_rl_sys_mount_flags_str_names),
        T(test_rl_sys_mount_flags_str_small_buffer),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
