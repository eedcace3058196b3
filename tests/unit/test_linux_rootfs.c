/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rootfs.c after the mounts: pivot_root (and --no-pivot, chroot), the
 * default config's masked and readonly paths, the read-only root, and the
 * error of each step, through the fake syscall table. The masked paths are
 * looked up in the host's / (the fake mounts nothing, so what exists there
 * is what would be masked): the expected calls are worked out from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

static struct rl_spec *spec;
static char *tree; /* a temporary dir with rootfs/ */
static char cwd0[PATH_MAX];

static int setup(void **state)
{
    struct rl_error *err = NULL;
    _cleanup_free_ char *json = rl_spec_default_json(false);
    spec = rl_spec_parse(json, strlen(json), &err);
    char tmpl[] = "/tmp/rl-test-linux-rootfs-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (spec == NULL || tree == NULL || getcwd(cwd0, sizeof(cwd0)) == NULL)
        return -1;
    snprintf(fake_root, sizeof(fake_root), "%s/rootfs", tree);
    fake_reset();
    rl_sys_set_ops(&fake_linux_ops);
    return 0;
}

static int teardown(void **state)
{
    rl_sys_set_ops(NULL);
    if (chdir(cwd0) < 0)
        return -1;
    rl_spec_free(spec);
    fake_rm_tree(tree);
    free(tree);
    return 0;
}

static void assert_error(struct rl_error *err, const char *want)
{
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", err->msg, want);
}

/* pivot_root(".", "."), then the old root (stacked on top) made a slave and
 * detached; the process ends in the new root's "/". */
static void test_pivot_order(void **state)
{
    struct rl_error *err = NULL;
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", tree);
    assert_int_equal(rl_rootfs_pivot(rootfs, false, &err), 0);
    assert_string_equal(fake_calls, "pivot_root(.,.)\n"
                                    "mount(NULL,.,NULL,MS_REC|MS_SLAVE,NULL)\n"
                                    "umount2(.,0x2)\n");
    static const struct {
        const char *on, *want;
    } cases[] = {
        {"pivot_root", "pivot_root %s: Invalid argument"},
        {"MS_SLAVE", "make the old root a slave: Invalid argument"},
        {"umount2", "unmount the old root: Invalid argument"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        fake_reset();
        fake_fail_on = cases[i].on;
        err = NULL;
        assert_int_equal(rl_rootfs_pivot(rootfs, false, &err), -1);
        _cleanup_free_ char *w = xasprintf(cases[i].want, rootfs);
        assert_error(err, w);
        rl_error_free(err);
    }
    err = NULL;
    fake_reset();
    assert_int_equal(rl_rootfs_pivot("/nonexistent-rootfs", false, &err), -1);
    assert_error(err, "open / and /nonexistent-rootfs: No such file or directory");
    assert_string_equal(fake_calls, "");
    rl_error_free(err);
}

static void test_no_pivot_and_chroot(void **state)
{
    struct rl_error *err = NULL;
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", tree);
    assert_int_equal(rl_rootfs_pivot(rootfs, true, &err), 0);
    assert_string_equal(fake_calls, "mount(ROOT,/,NULL,MS_MOVE,NULL)\nchroot(.)\n");
    fake_reset();
    fake_fail_on = "MS_MOVE";
    assert_int_equal(rl_rootfs_pivot(rootfs, true, &err), -1);
    _cleanup_free_ char *w1 = xasprintf("--no-pivot: move %s to /: Invalid argument", rootfs);
    assert_error(err, w1);
    rl_error_free(err);
    err = NULL;
    fake_reset();
    fake_fail_on = "chroot";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_rootfs_pivot(rootfs, true, &err), -1);
    _cleanup_free_ char *w2 = xasprintf("--no-pivot: chroot %s: Operation not permitted", rootfs);
    assert_error(err, w2);
    rl_error_free(err);
    /* no mount namespace: chroot only */
    err = NULL;
    fake_reset();
    assert_int_equal(rl_rootfs_chroot(rootfs, &err), 0);
    assert_string_equal(fake_calls, "chroot(.)\n");
    fake_reset();
    fake_fail_on = "chroot";
    assert_int_equal(rl_rootfs_chroot(rootfs, &err), -1);
    _cleanup_free_ char *w3 =
        xasprintf("root.path: chroot %s (no mount namespace): Invalid argument", rootfs);
    assert_error(err, w3);
    rl_error_free(err);
    err = NULL;
    assert_int_equal(rl_rootfs_chroot("/nonexistent-rootfs", &err), -1);
    assert_error(err, "root.path: chdir /nonexistent-rootfs: No such file or directory");
    rl_error_free(err);
}

/* The calls one masked path gives on this host ("" when it is missing). */
static char *want_mask(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return xstrdup("");
    if (S_ISDIR(st.st_mode))
        return xasprintf(
            "fsopen(tmpfs)\nfsconfig(nr_inodes=1)\nfsconfig(create)\n"
            "fsmount(%#x)\nmove_mount(%s)\n",
            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, path);
    return xasprintf("open_tree(/dev/null,%#x)\nmove_mount(%s)\n",
                     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH, path);
}

/* Masked paths in config order: a directory gets a read-only empty tmpfs
 * (fsmount), a file the null device's fd cloned (open_tree); a missing one
 * is skipped. Then each readonly path is bound on itself and remounted
 * read-only, then the root read-only (root.readonly of the default). */
static void test_finish_masked_readonly_root(void **state)
{
    struct rl_error *err = NULL;
    struct stat st;
    if (stat("/dev/null", &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
        skip();
    assert_int_equal(rl_rootfs_finish(spec, &err), 0);
    _cleanup_free_ char *want = xstrdup("");
    const struct rl_linux *l = &spec->linux_;
    assert_true(l->n_masked_paths >= 10);
    for (size_t i = 0; i < l->n_masked_paths; i++) {
        _cleanup_free_ char *m = want_mask(l->masked_paths[i]);
        char *w = xasprintf("%s%s", want, m);
        free(want);
        want = w;
    }
    assert_int_equal(strncmp(fake_calls, want, strlen(want)), 0);
    const char *p = fake_calls + strlen(want);
    assert_int_equal(l->n_readonly_paths, 5);
    for (size_t i = 0; i < l->n_readonly_paths; i++) {
        _cleanup_free_ char *bind =
            xasprintf("mount(%s,%s,NULL,MS_BIND|MS_REC,NULL)\nmount(NULL,%s,NULL,",
                      l->readonly_paths[i], l->readonly_paths[i], l->readonly_paths[i]);
        if (strncmp(p, bind, strlen(bind)) != 0)
            fail_msg("readonlyPaths[%zu]: got\n%s", i, p);
        p = strchr(strchr(p, '\n') + 1, '\n') + 1;
        /* the remount keeps the locked flags: read-only and a bind remount */
        const char *prev = p - 1;
        while (prev > fake_calls && prev[-1] != '\n')
            prev--;
        assert_non_null(strstr(prev, "MS_RDONLY|"));
        assert_non_null(strstr(prev, "MS_REMOUNT|MS_BIND"));
    }
    assert_true(strncmp(p, "mount(NULL,/,NULL,MS_RDONLY|", 28) == 0);
    assert_non_null(strstr(p, "MS_REMOUNT|MS_BIND"));
    assert_null(strchr(p, '\n')[1] ? p : NULL);
}

/* The first masked path that exists on this host, and its index. */
static const char *first_masked(bool dir, size_t *idx)
{
    for (size_t i = 0; i < spec->linux_.n_masked_paths; i++) {
        struct stat st;
        if (stat(spec->linux_.masked_paths[i], &st) == 0 && S_ISDIR(st.st_mode) == dir) {
            *idx = i;
            return spec->linux_.masked_paths[i];
        }
    }
    return NULL;
}

static void test_finish_failures(void **state)
{
    struct rl_error *err = NULL;
    size_t di = 0, fi = 0;
    const char *d = first_masked(true, &di), *f = first_masked(false, &fi);
    if (d == NULL || f == NULL)
        skip();
    /* a directory's tmpfs */
    _cleanup_free_ char *mv = xasprintf("move_mount(%s)", d);
    fake_fail_on = mv;
    fake_fail_errno = EBUSY;
    assert_int_equal(rl_rootfs_finish(spec, &err), -1);
    _cleanup_free_ char *w1 =
        xasprintf("linux.maskedPaths[%zu] (%s): move_mount: Device or resource busy", di, d);
    assert_error(err, w1);
    rl_error_free(err);
    /* a file's null device */
    err = NULL;
    fake_reset();
    _cleanup_free_ char *mv2 = xasprintf("move_mount(%s)", f);
    fake_fail_on = mv2;
    fake_fail_errno = EACCES;
    assert_int_equal(rl_rootfs_finish(spec, &err), -1);
    _cleanup_free_ char *w2 =
        xasprintf("linux.maskedPaths[%zu] (%s): move_mount: Permission denied", fi, f);
    assert_error(err, w2);
    rl_error_free(err);
    /* fsmount failing with anything but ENOSYS */
    err = NULL;
    fake_reset();
    fake_fail_on = "fsmount(";
    fake_fail_errno = ENOMEM;
    assert_int_equal(rl_rootfs_finish(spec, &err), -1);
    _cleanup_free_ char *w3 =
        xasprintf("linux.maskedPaths[%zu] (%s): make the mount: Cannot allocate memory", di, d);
    assert_error(err, w3);
    rl_error_free(err);
    /* the readonly paths: bind, then the remount; ENOENT skips the path */
    err = NULL;
    fake_reset();
    fake_fail_on = "mount(/proc/fs,/proc/fs";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_rootfs_finish(spec, &err), -1);
    assert_error(err, "linux.readonlyPaths[1] (/proc/fs): bind: Operation not permitted");
    rl_error_free(err);
    err = NULL;
    fake_reset();
    fake_fail_on = "mount(NULL,/proc/irq,NULL,";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_rootfs_finish(spec, &err), -1);
    assert_error(err,
                 "linux.readonlyPaths[2] (/proc/irq): remount read-only: Operation not permitted");
    rl_error_free(err);
    err = NULL;
    fake_reset();
    fake_fail_on = "mount(/proc/bus,/proc/bus";
    fake_fail_errno = ENOENT;
    assert_int_equal(rl_rootfs_finish(spec, &err), 0);
    assert_null(strstr(fake_calls, "mount(NULL,/proc/bus,"));
    /* root.readonly */
    fake_reset();
    fake_fail_on = "mount(NULL,/,NULL,MS_RDONLY";
    fake_fail_errno = EROFS;
    assert_int_equal(rl_rootfs_finish(spec, &err), -1);
    assert_error(err, "root.readonly: remount / read-only: Read-only file system");
    rl_error_free(err);
}

/* A kernel without the new mount API (ENOSYS): mount(2) on the fds. */
static void test_finish_without_new_mount_api(void **state)
{
    struct rl_error *err = NULL;
    size_t di = 0, fi = 0;
    const char *d = first_masked(true, &di), *f = first_masked(false, &fi);
    if (d == NULL || f == NULL)
        skip();
    spec->linux_.n_readonly_paths = 0;
    spec->root.readonly = false;
    fake_fail_on = "fsopen("; /* every fsopen (fake_fail_skip 0) */
    fake_fail_errno = ENOSYS;
    assert_int_equal(rl_rootfs_finish(spec, &err), 0);
    _cleanup_free_ char *want =
        xasprintf("fsopen(tmpfs)\nmount(tmpfs,%s,tmpfs,MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC,"
                  "size=0k,nr_inodes=1)\n",
                  d);
    assert_non_null(strstr(fake_calls, want));
    _cleanup_free_ char *wf = xasprintf("open_tree(/dev/null,%#x)\nmove_mount(%s)\n",
                                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH, f);
    assert_non_null(strstr(fake_calls, wf));
    /* the fallback's own failure */
    fake_reset();
    fake_fail_on = "o"; /* fsopen, then the fallback mount(tmpfs...) */
    fake_fail_errno = ENOSYS;
    assert_int_equal(rl_rootfs_finish(spec, &err), -1);
    _cleanup_free_ char *w =
        xasprintf("linux.maskedPaths[%zu] (%s): mount: Function not implemented", di, d);
    assert_error(err, w);
    rl_error_free(err);
}

static void test_propagate_default_is_nothing(void **state)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_rootfs_propagate(spec, &err), 0);
    assert_string_equal(fake_calls, "");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_pivot_order),
        T(test_no_pivot_and_chroot),
        T(test_finish_masked_readonly_root),
        T(test_finish_failures),
        T(test_finish_without_new_mount_api),
        T(test_propagate_default_is_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
