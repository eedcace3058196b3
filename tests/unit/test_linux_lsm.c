/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* lsm.c: the exec labels are written through the proc fd the init holds,
 * here a directory of the test shaped like procfs (thread-self/attr/...),
 * so what is written where can be read back; the checks against the
 * host's LSMs expect what this host has (AppArmor's parameter file,
 * is_selinux_enabled). Also hooks.c's run-them-all and error test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rustlet/error.h"
#include "rustlet/hooks.h"
#include "rustlet/lsm.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

static char *tree, *attr;

static int group_setup(void **state)
{
    char tmpl[] = "/tmp/rl-test-linux-lsm-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (tree == NULL)
        return -1;
    attr = xasprintf("%s/proc/thread-self/attr", tree);
    return rl_mkdir_p(attr, 0755, NULL);
}

static int group_teardown(void **state)
{
    fake_rm_tree(tree);
    free(attr);
    free(tree);
    return 0;
}

static char *slurp(const char *path)
{
    size_t len = 0;
    struct rl_error *err = NULL;
    char *s = rl_read_file_at(AT_FDCWD, path, 4096, &len, &err);
    rl_error_free(err);
    return s;
}

static void touch(const char *path)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
}

static int proc_fd(void)
{
    _cleanup_free_ char *p = xasprintf("%s/proc", tree);
    int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    return fd;
}

/* AppArmor: "exec PROFILE" into attr/apparmor/exec, or attr/exec on a
 * kernel without the apparmor directory; neither is an error naming the
 * profile. */
static void test_apparmor_exec(void **state)
{
    _cleanup_free_ char *dir = xasprintf("%s/apparmor", attr);
    _cleanup_free_ char *aa = xasprintf("%s/apparmor/exec", attr);
    _cleanup_free_ char *old = xasprintf("%s/exec", attr);
    assert_int_equal(mkdir(dir, 0755), 0);
    touch(aa);
    touch(old);
    struct rl_process p = {.apparmor_profile = "unit-prof"};
    struct rl_error *err = NULL;
    int fd = proc_fd();
    assert_int_equal(rl_lsm_apply_exec_process(&p, fd, &err), 0);
    _cleanup_free_ char *got = slurp(aa);
    assert_string_equal(got, "exec unit-prof");
    _cleanup_free_ char *none = slurp(old);
    assert_string_equal(none, "");
    /* the older place */
    unlink(aa);
    rmdir(dir);
    assert_int_equal(rl_lsm_apply_exec_process(&p, fd, &err), 0);
    _cleanup_free_ char *got2 = slurp(old);
    assert_string_equal(got2, "exec unit-prof");
    /* neither */
    unlink(old);
    assert_int_equal(rl_lsm_apply_exec_process(&p, fd, &err), -1);
    assert_non_null(err);
    assert_string_equal(err->msg, "process.apparmorProfile \"unit-prof\": request the profile: No "
                                  "such file or directory");
    rl_error_free(err);
    close(fd);
}

/* An SELinux label is written (with its NUL) only where SELinux is on; a
 * process without labels writes nothing. */
static void test_selinux_exec(void **state)
{
    _cleanup_free_ char *old = xasprintf("%s/exec", attr);
    touch(old);
    struct rl_spec spec = {0};
    spec.process.selinux_label = "system_u:system_r:container_t:s0";
    struct rl_error *err = NULL;
    int fd = proc_fd();
    assert_int_equal(rl_lsm_apply_exec(&spec, fd, &err), 0);
    size_t len = 0;
    _cleanup_free_ char *got = rl_read_file_at(AT_FDCWD, old, 4096, &len, &err);
    assert_non_null(got);
    if (rl_lsm_selinux_enabled()) {
        assert_int_equal(len, strlen(spec.process.selinux_label) + 1);
        assert_string_equal(got, spec.process.selinux_label);
    } else {
        assert_int_equal(len, 0);
    }
    /* nothing to write, nothing needed: not even the attr files */
    unlink(old);
    struct rl_spec none = {0};
    assert_int_equal(rl_lsm_apply_exec(&none, fd, &err), 0);
    close(fd);
}

static bool host_apparmor(void)
{
    _cleanup_free_ char *s = slurp("/sys/module/apparmor/parameters/enabled");
    return s && s[0] == 'Y';
}

static void test_check(void **state)
{
    struct rl_spec spec = {0};
    struct rl_error *err = NULL;
    /* nothing asked */
    assert_int_equal(rl_lsm_check(&spec, &err), 0);
    spec.process.apparmor_profile = "unit-prof";
    int r = rl_lsm_check(&spec, &err);
    if (host_apparmor()) {
        assert_int_equal(r, 0);
    } else {
        assert_int_equal(r, -1);
        assert_non_null(err);
        assert_string_equal(err->msg, "process.apparmorProfile \"unit-prof\": AppArmor is not "
                                      "enabled on this host "
                                      "(/sys/module/apparmor/parameters/enabled is not Y)");
        rl_error_free(err);
        err = NULL;
    }
    /* exec's own field names */
    struct rl_process p = {.apparmor_profile = "x"};
    r = rl_lsm_check_process(&p, "--apparmor", "--process-label", &err);
    if (!host_apparmor()) {
        assert_int_equal(r, -1);
        assert_non_null(strstr(err->msg, "--apparmor \"x\": AppArmor is not enabled"));
        rl_error_free(err);
        err = NULL;
    }
    /* labels: applied only where SELinux is on, where a bad one is refused */
    spec.process.apparmor_profile = NULL;
    spec.process.selinux_label = "not a context";
    spec.linux_.mount_label = "neither";
    r = rl_lsm_check(&spec, &err);
    if (rl_lsm_selinux_enabled()) {
        assert_int_equal(r, -1);
        assert_non_null(strstr(err->msg, "process.selinuxLabel \"not a context\": not a valid "
                                         "SELinux context on this host"));
        rl_error_free(err);
    } else {
        assert_int_equal(r, 0);
        assert_null(err);
    }
}

static void test_mount_data(void **state)
{
    assert_null(rl_lsm_mount_data(NULL, "tmpfs", "size=1k"));
    assert_null(rl_lsm_mount_data("", "tmpfs", "size=1k"));
    assert_null(rl_lsm_mount_data("system_u:object_r:container_file_t:s0", NULL, NULL));
    /* filesystems that refuse context= get none, SELinux or not */
    assert_null(rl_lsm_mount_data("system_u:object_r:container_file_t:s0", "proc", NULL));
    assert_null(rl_lsm_mount_data("system_u:object_r:container_file_t:s0", "bind", NULL));
    char *d = rl_lsm_mount_data("system_u:object_r:container_file_t:s0:c1,c2", "tmpfs", "size=1k");
    char *e = rl_lsm_mount_data("system_u:object_r:container_file_t:s0", "tmpfs", NULL);
    if (rl_lsm_selinux_enabled()) {
        assert_string_equal(d, "size=1k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
        assert_string_equal(e, "context=\"system_u:object_r:container_file_t:s0\"");
    } else {
        assert_null(d);
        assert_null(e);
    }
    free(d);
    free(e);
}

/* poststop: every hook runs though one fails; hook errors are told apart
 * from the runtime's. */
static void test_hooks_run_all(void **state)
{
    _cleanup_free_ char *mark = xasprintf("%s/ran", tree);
    _cleanup_free_ char *script = xasprintf("cat > %s", mark);
    char *fargs[] = {"false", NULL};
    char *targs[] = {"sh", "-c", script, NULL};
    struct rl_hook hooks[] = {
        {.path = "/bin/false", .args = fargs, .n_args = 1},
        {.path = "/nonexistent/hook"},
        {.path = "/bin/sh", .args = targs, .n_args = 3},
    };
    unlink(mark);
    rl_hooks_run_all(hooks, ARRAY_SIZE(hooks), "poststop", "{\"status\":\"stopped\"}");
    _cleanup_free_ char *got = slurp(mark);
    assert_non_null(got);
    assert_string_equal(got, "{\"status\":\"stopped\"}");
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(hooks, 1, "prestart", "{}", &err), -1);
    assert_true(rl_hooks_error(err));
    rl_error_free(err);
    err = NULL;
    rl_error(&err, "linux.namespaces: something else");
    assert_false(rl_hooks_error(err));
    rl_error_free(err);
    assert_false(rl_hooks_error(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apparmor_exec), cmocka_unit_test(test_selinux_exec),
        cmocka_unit_test(test_check),         cmocka_unit_test(test_mount_data),
        cmocka_unit_test(test_hooks_run_all),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
