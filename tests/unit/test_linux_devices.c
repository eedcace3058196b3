/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* devices.c: the default devices, linux.devices and the /dev symlinks in a
 * temporary rootfs, through the fake syscall table (no root: mknod is
 * faked, refused with EPERM as in a user namespace, or "makes" a regular
 * file, which the code must see is not the node it asked for). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

static char *tree;
static int rootfd = -1;
static struct rl_spec spec;

static int setup(void **state)
{
    char tmpl[] = "/tmp/rl-test-linux-devices-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (tree == NULL)
        return -1;
    snprintf(fake_root, sizeof(fake_root), "%s/rootfs", tree);
    rootfd = open(fake_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0 || mkdirat(rootfd, "dev", 0755) < 0)
        return -1;
    memset(&spec, 0, sizeof(spec));
    fake_reset();
    rl_sys_set_ops(&fake_linux_ops);
    return 0;
}

static int teardown(void **state)
{
    rl_sys_set_ops(NULL);
    close(rootfd);
    fake_rm_tree(tree);
    free(tree);
    fake_root[0] = '\0';
    return 0;
}

static void assert_error(struct rl_error *err, const char *want)
{
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", err->msg, want);
}

static void assert_link(const char *name, const char *target)
{
    char buf[256];
    ssize_t n = readlinkat(rootfd, name, buf, sizeof(buf) - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, target);
}

/* mknod refused (EPERM): each default device is an empty file with the
 * host's node bound on it, in the spec's order; then the symlinks. */
static void test_default_devices_bound_without_mknod(void **state)
{
    struct rl_error *err = NULL;
    fake_mknod_errno = EPERM;
    assert_int_equal(mkdirat(rootfd, "dev/pts", 0755), 0);
    int f = openat(rootfd, "dev/pts/ptmx", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(f >= 0);
    close(f);
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), 0);
    static const struct {
        const char *path;
        unsigned maj, min;
    } devs[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
    _cleanup_free_ char *want = xstrdup("");
    for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
        char *w =
            xasprintf("%smknod(%s,%#o,%u:%u)\nmount(%s,%s,NULL,MS_BIND,NULL)\n", want, devs[i].path,
                      S_IFCHR | 0666, devs[i].maj, devs[i].min, devs[i].path, devs[i].path);
        free(want);
        want = w;
    }
    assert_string_equal(fake_calls, want);
    struct stat st;
    assert_int_equal(fstatat(rootfd, "dev/urandom", &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_link("dev/fd", "/proc/self/fd");
    assert_link("dev/stdin", "/proc/self/fd/0");
    assert_link("dev/stdout", "/proc/self/fd/1");
    assert_link("dev/stderr", "/proc/self/fd/2");
    assert_link("dev/ptmx", "pts/ptmx");
}

static void test_default_device_errors(void **state)
{
    struct rl_error *err = NULL;
    fake_mknod_errno = EPERM;
    fake_fail_on = "mknod(/dev/zero";
    fake_fail_errno = EACCES;
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), -1);
    assert_error(err, "default devices (/dev/zero): mknod: Permission denied");
    assert_int_equal(err->errnum, EACCES);
    rl_error_free(err);
    /* EPERM, and the bind of the host's node fails too */
    err = NULL;
    fake_reset();
    fake_mknod_errno = EPERM;
    fake_fail_on = "mount(/dev/full";
    fake_fail_errno = ENOENT;
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), -1);
    assert_non_null(err);
    static const char want_full[] =
        "default devices (/dev/full): mknod is not permitted (rootless or in a user "
        "namespace), so the host's node is bound instead, and that failed";
    if (strncmp(err->msg, want_full, strlen(want_full)) != 0)
        fail_msg("got %s", err->msg);
    assert_non_null(strstr(err->msg, ": No such file or directory"));
    rl_error_free(err);
    /* mknod "succeeded" but what is there is not that node */
    err = NULL;
    fake_reset();
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), -1);
    assert_error(err, "default devices (/dev/null): the new node was replaced");
    rl_error_free(err);
    /* /dev is a file: the node cannot be made below it */
    err = NULL;
    fake_reset();
    _cleanup_free_ char *rm = xasprintf("rm -rf '%s/dev'", fake_root);
    assert_int_equal(system(rm), 0);
    int f = openat(rootfd, "dev", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(f >= 0);
    close(f);
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), -1);
    assert_error(err, "default devices (/dev/null): mknod: Not a directory");
    rl_error_free(err);
}

/* linux.devices: a fifo is made for real (mkfifo needs no privilege) with
 * the exact mode; an entry that overrides a default device replaces it; a
 * different file already at the path is an error. */
static void test_config_devices(void **state)
{
    struct rl_error *err = NULL;
    struct rl_device devs[2] = {0};
    devs[0].path = "/dev/myfifo";
    devs[0].type = "p";
    devs[0].has_file_mode = true;
    devs[0].file_mode = 0640;
    devs[0].has_uid = devs[0].has_gid = true;
    devs[0].uid = getuid();
    devs[0].gid = getgid();
    devs[1].path = "/dev/null";
    devs[1].type = "c";
    devs[1].major = 1;
    devs[1].minor = 3;
    spec.linux_.devices = devs;
    spec.linux_.n_devices = 2;
    fake_mknod_errno = EPERM;
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), 0);
    struct stat st;
    assert_int_equal(fstatat(rootfd, "dev/myfifo", &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0640);
    /* /dev/null once, from linux.devices[1], after the other defaults */
    const char *null = strstr(fake_calls, "mknod(/dev/null,");
    assert_non_null(null);
    assert_null(strstr(null + 1, "mknod(/dev/null,"));
    assert_non_null(strstr(fake_calls, "mknod(/dev/tty,"));
    assert_true(strstr(fake_calls, "mknod(/dev/tty,") < null);
    /* the fifo is there now, a char device is asked for: refused */
    err = NULL;
    fake_reset();
    devs[0].type = "c";
    devs[0].major = 10;
    devs[0].minor = 200;
    spec.linux_.n_devices = 1;
    fake_mknod_errno = EPERM;
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), -1);
    assert_error(err, "linux.devices[0] (/dev/myfifo): a different file already exists there");
    rl_error_free(err);
    err = NULL;
    fake_reset();
    devs[0].path = "/dev/net/tun";
    devs[0].type = "b";
    fake_mknod_errno = EPERM;
    fake_fail_on = "mknod(/dev/net/tun";
    fake_fail_errno = EEXIST;
    assert_int_equal(rl_devices_setup(&spec, rootfd, &err), -1);
    _cleanup_free_ char *w = xasprintf("mknod(/dev/net/tun,%#o,10:200)", S_IFBLK | 0640);
    if (strstr(fake_calls, w) == NULL)
        fail_msg("no %s in\n%s", w, fake_calls);
    assert_error(err, "linux.devices[0] (/dev/net/tun): mknod: File exists");
    rl_error_free(err);
    spec.linux_.n_devices = 0;
    spec.linux_.devices = NULL;
}

/* Devices are made unless the config binds a /dev. */
static void test_devices_needed(void **state)
{
    assert_true(rl_devices_needed(&spec));
    char *bind_opts[] = {"rbind", "ro"};
    struct rl_mount m = {0};
    m.destination = "/dev";
    m.type = "tmpfs";
    spec.mounts = &m;
    spec.n_mounts = 1;
    assert_true(rl_devices_needed(&spec));
    m.options = bind_opts;
    m.n_options = 2;
    assert_false(rl_devices_needed(&spec));
    m.options = NULL;
    m.n_options = 0;
    m.type = "bind";
    assert_false(rl_devices_needed(&spec));
    m.destination = "/dev/shm";
    assert_true(rl_devices_needed(&spec));
    spec.mounts = NULL;
    spec.n_mounts = 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_default_devices_bound_without_mknod),
        T(test_default_device_errors),
        T(test_config_devices),
        T(test_devices_needed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
