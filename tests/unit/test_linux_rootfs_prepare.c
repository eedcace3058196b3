/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rootfs.c's preparation beyond test_linux_rootfs, through the fake
 * syscall table: a root.path whose parent mount is shared (made private
 * first, up the tree until a mount point takes it), a root.path that is no
 * directory, an unknown rootfsPropagation, and the pivot's chdir errors.
 * The shared mount is a real tmpfs in a mount namespace of a forked child
 * (root only: no other way to have a shared mount here); the child reports
 * in shared memory and ends with exit. Everything else is faked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

struct shared {
    char fail[4096];
    char calls[32768];
};
static struct shared *sh;
static struct rl_spec *spec; /* no mounts, no devices */
static char *tree;
static char cwd0[PATH_MAX];

static int group_setup(void **state)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    const char *json = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, "
                       "\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}";
    struct rl_error *err = NULL;
    spec = rl_spec_parse(json, strlen(json), &err);
    char tmpl[] = "/tmp/rl-test-linux-rootfs-prepare-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (spec == NULL || tree == NULL || getcwd(cwd0, sizeof(cwd0)) == NULL)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    rl_sys_set_ops(NULL);
    if (chdir(cwd0) < 0)
        return -1;
    munmap(sh, sizeof(*sh));
    rl_spec_free(spec);
    fake_rm_tree(tree);
    free(tree);
    return 0;
}

#define CHILD_FAIL(...)                                                                            \
    do {                                                                                           \
        snprintf(sh->fail, sizeof(sh->fail), __VA_ARGS__);                                         \
        exit(1);                                                                                   \
    } while (0)

static const struct {
    const char *fail_on; /* the fake fails these with errno */
    int e;
    const char *want; /* error, "" for none */
    const char *calls;
} shared_cases[] = {
    /* the rootfs itself is no mount point (EINVAL): its parent is */
    {"mount(NULL,ROOT,NULL,MS_PRIVATE", EINVAL, "",
     "mount(NULL,/,NULL,MS_REC|MS_SLAVE,NULL)\n"
     "mount(NULL,ROOT,NULL,MS_PRIVATE,NULL)\n"
     "mount(NULL,SHARED,NULL,MS_PRIVATE,NULL)\n"
     "mount(ROOT,ROOT,NULL,MS_BIND|MS_REC,NULL)\n"},
    /* none up to / is: / itself, which refuses */
    {"MS_PRIVATE", EINVAL, "make / private: Invalid argument", NULL},
    /* any other errno is the error */
    {"MS_PRIVATE", EPERM, "root.path: make the mount of ROOT private: Operation not permitted",
     "mount(NULL,/,NULL,MS_REC|MS_SLAVE,NULL)\n"
     "mount(NULL,ROOT,NULL,MS_PRIVATE,NULL)\n"},
};

static void shared_parent(void)
{
    _cleanup_free_ char *dir = xasprintf("%s/shared", tree);
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", dir);
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        exit(77);
    if (mkdir(dir, 0755) < 0 || mount("tmpfs", dir, "tmpfs", 0, "size=16k") < 0 ||
        mount(NULL, dir, NULL, MS_SHARED, NULL) < 0 || mkdir(rootfs, 0755) < 0)
        CHILD_FAIL("set up the shared mount: %s", strerror(errno));
    for (size_t i = 0; i < ARRAY_SIZE(shared_cases); i++) {
        fake_calls = sh->calls;
        fake_calls_size = sizeof(sh->calls);
        fake_reset();
        snprintf(fake_root, sizeof(fake_root), "%s", rootfs);
        fake_fail_on = shared_cases[i].fail_on;
        fake_fail_errno = shared_cases[i].e;
        fake_mknod_errno = EPERM; /* the devices are bound then */
        rl_sys_set_ops(&fake_linux_ops);
        struct rl_error *err = NULL;
        _cleanup_free_ char *dev = xasprintf("%s/dev", rootfs);
        fake_rm_tree(dev);
        int r = rl_rootfs_prepare(spec, rootfs, tree, NULL, NULL, &err);
        rl_sys_set_ops(NULL);
        _cleanup_free_ char *want = xstrdup(shared_cases[i].want);
        char *at = strstr(want, "ROOT");
        if (at) {
            char *w = xasprintf("%.*s%s%s", (int)(at - want), want, rootfs, at + 4);
            free(want);
            want = w;
        }
        const char *got = r == 0 ? "" : err ? err->msg : "(no error)";
        if (strcmp(got, want) != 0)
            CHILD_FAIL("case %zu: error\n  %s\nwant\n  %s\ncalls:\n%s", i, got, want, sh->calls);
        rl_error_free(err);
        if (shared_cases[i].calls) {
            _cleanup_free_ char *calls = xstrdup(shared_cases[i].calls);
            char *s;
            while ((s = strstr(calls, "SHARED")) != NULL) {
                char *w = xasprintf("%.*s%s%s", (int)(s - calls), calls, dir, s + 6);
                free(calls);
                calls = w;
            }
            /* the devices follow */
            if (strncmp(sh->calls, calls, strlen(calls)) != 0)
                CHILD_FAIL("case %zu: calls\n%swant\n%s", i, sh->calls, calls);
        }
    }
    fake_calls = fake_calls_buf;
}

/* pivot_root refuses a new root below a shared mount: that mount is made
 * private first (the default rslave leaves the rest a slave). */
static void test_shared_parent(void **state)
{
    if (geteuid() != 0)
        skip();
    memset(sh, 0, sizeof(*sh));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        shared_parent();
        exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    if (WEXITSTATUS(status) != 0)
        fail_msg("%s", sh->fail);
}

static void faked(const char *fail_on, int e)
{
    fake_calls = fake_calls_buf;
    fake_calls_size = sizeof(fake_calls_buf);
    fake_reset();
    fake_fail_on = fail_on;
    fake_fail_errno = e;
    fake_mknod_errno = EPERM; /* the devices are bound then */
    snprintf(fake_root, sizeof(fake_root), "%s/rootfs", tree);
    rl_sys_set_ops(&fake_linux_ops);
}

static void assert_error(struct rl_error **err, const char *want)
{
    assert_non_null(*err);
    if (strcmp((*err)->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", (*err)->msg, want);
    rl_error_free(*err);
    *err = NULL;
}

/* root.path a file: bound (the fake does), then not opened as a directory. */
static void test_rootfs_not_a_directory(void **state)
{
    _cleanup_free_ char *file = xasprintf("%s/file", tree);
    int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    faked(NULL, 0);
    struct rl_error *err = NULL;
    assert_int_equal(rl_rootfs_prepare(spec, file, tree, NULL, NULL, &err), -1);
    _cleanup_free_ char *want = xasprintf("root.path: open %s: Not a directory", file);
    assert_error(&err, want);
    /* the bind failing first */
    faked("MS_BIND", EACCES);
    assert_int_equal(rl_rootfs_prepare(spec, file, tree, NULL, NULL, &err), -1);
    _cleanup_free_ char *want2 =
        xasprintf("root.path: bind mount %s on itself: Permission denied", file);
    assert_error(&err, want2);
    rl_sys_set_ops(NULL);
}

/* rootfsPropagation: unknown, or unbindable (private until the end). */
static void test_propagation_values(void **state)
{
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", tree);
    struct rl_error *err = NULL;
    faked(NULL, 0);
    free(spec->linux_.rootfs_propagation);
    spec->linux_.rootfs_propagation = xstrdup("sideways");
    assert_int_equal(rl_rootfs_prepare(spec, rootfs, tree, NULL, NULL, &err), -1);
    assert_error(&err, "linux.rootfsPropagation: unknown value \"sideways\"");
    assert_string_equal(fake_calls, "");
    free(spec->linux_.rootfs_propagation);
    spec->linux_.rootfs_propagation = xstrdup("runbindable");
    if (rl_rootfs_prepare(spec, rootfs, tree, NULL, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, fake_calls);
    if (strncmp(fake_calls, "mount(NULL,/,NULL,MS_REC|MS_PRIVATE,NULL)\n", 41) != 0)
        fail_msg("calls:\n%s", fake_calls);
    /* and at the end, once every mount is made */
    fake_reset();
    assert_int_equal(rl_rootfs_propagate(spec, &err), 0);
    if (!strstr(fake_calls, "MS_UNBINDABLE"))
        fail_msg("calls:\n%s", fake_calls);
    free(spec->linux_.rootfs_propagation);
    spec->linux_.rootfs_propagation = NULL;
    rl_sys_set_ops(NULL);
}

/* A root.path that is gone by the pivot. */
static void test_pivot_chdir_errors(void **state)
{
    _cleanup_free_ char *gone = xasprintf("%s/gone", tree);
    struct rl_error *err = NULL;
    faked(NULL, 0);
    assert_int_equal(rl_rootfs_pivot(gone, false, &err), -1);
    _cleanup_free_ char *want0 = xasprintf("open / and %s: No such file or directory", gone);
    assert_error(&err, want0);
    assert_int_equal(rl_rootfs_pivot(gone, true, &err), -1);
    _cleanup_free_ char *want = xasprintf("chdir %s: No such file or directory", gone);
    assert_error(&err, want);
    assert_int_equal(rl_rootfs_chroot(gone, &err), -1);
    _cleanup_free_ char *want2 = xasprintf("root.path: chdir %s: No such file or directory", gone);
    assert_error(&err, want2);
    /* nothing was called */
    assert_string_equal(fake_calls, "");
    rl_sys_set_ops(NULL);
    assert_int_equal(chdir(cwd0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_parent),
        cmocka_unit_test(test_rootfs_not_a_directory),
        cmocka_unit_test(test_propagation_values),
        cmocka_unit_test(test_pivot_chdir_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
