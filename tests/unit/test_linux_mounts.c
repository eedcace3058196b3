/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* mounts.c, rootfs.c (before the pivot), cgroup_mount.c: the mounts the
 * default config (`rustlet spec`) makes, in order and with their flags, and
 * the error of each step, through the fake syscall table (no root: the
 * destinations are made in a temporary rootfs, nothing is mounted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/vfs.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

struct fixture {
    char *dir;    /* the "bundle" */
    char *rootfs; /* dir/rootfs */
    int rootfd;
    struct rl_spec *spec;
};

static struct rl_spec *default_spec(void)
{
    struct rl_error *err = NULL;
    _cleanup_free_ char *json = rl_spec_default_json(false);
    struct rl_spec *s = rl_spec_parse(json, strlen(json), &err);
    if (s == NULL)
        fail_msg("default spec: %s", err->msg);
    return s;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char tmpl[] = "/tmp/rl-test-linux-mounts-XXXXXX";
    f->dir = fake_make_tree(tmpl);
    if (f->dir == NULL)
        return -1;
    f->rootfs = xasprintf("%s/rootfs", f->dir);
    f->rootfd = open(f->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    f->spec = default_spec();
    snprintf(fake_root, sizeof(fake_root), "%s", f->rootfs);
    fake_reset();
    rl_sys_set_ops(&fake_linux_ops);
    *state = f;
    return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rl_sys_set_ops(NULL);
    fake_root[0] = '\0';
    close(f->rootfd);
    rl_spec_free(f->spec);
    fake_rm_tree(f->dir);
    free(f->rootfs);
    free(f->dir);
    free(f);
    return 0;
}

static bool host_cgroup2(void)
{
    struct statfs sf;
    return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* The calls up to (not including) the first one that contains stop. */
static char *calls_until(const char *stop)
{
    const char *end = stop ? fake_from(stop) : NULL;
    return end ? strndup(fake_calls, (size_t)(end - fake_calls)) : xstrdup(fake_calls);
}

static void assert_error(struct rl_error *err, const char *want)
{
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", err->msg, want);
}

/* The default config's mounts, in config order, with the flags the options
 * give: tmpfs /dev keeps its "mode=", strictatime clears relatime. */
static void test_default_mounts_order_and_flags(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    assert_int_equal(rl_mounts_apply(f->spec, f->rootfd, f->dir, NULL, NULL, &err), 0);
    _cleanup_free_ char *before_cgroup = calls_until("mount(cgroup");
    _cleanup_free_ char *first =
        calls_until(host_cgroup2() ? "mount(/sys/fs/cgroup" : "mount(tmpfs,/sys/fs/cgroup");
    assert_string_equal(
        first, "mount(proc,/proc,proc,0,NULL)\n"
               "mount(tmpfs,/dev,tmpfs,MS_NOSUID|MS_STRICTATIME,mode=755,size=65536k)\n"
               "mount(devpts,/dev/pts,devpts,MS_NOSUID|MS_NOEXEC,"
               "newinstance,ptmxmode=0666,mode=0620,gid=5)\n"
               "mount(shm,/dev/shm,tmpfs,MS_NOSUID|MS_NODEV|MS_NOEXEC,mode=1777,size=65536k)\n"
               "mount(mqueue,/dev/mqueue,mqueue,MS_NOSUID|MS_NODEV|MS_NOEXEC,NULL)\n"
               "mount(sysfs,/sys,sysfs,MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC,NULL)\n");
    (void)before_cgroup;
    /* the destinations were made inside the rootfs */
    struct stat st;
    assert_int_equal(fstatat(f->rootfd, "dev/mqueue", &st, 0), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(fstatat(f->rootfd, "sys/fs/cgroup", &st, 0), 0);
    /* the cgroup mount ends read-only */
    const char *cg =
        fake_from(host_cgroup2() ? "mount(/sys/fs/cgroup" : "mount(tmpfs,/sys/fs/cgroup");
    assert_non_null(cg);
    if (host_cgroup2()) {
        assert_non_null(strstr(cg, ",/sys/fs/cgroup,NULL,MS_BIND|MS_REC,NULL)\n"));
        assert_non_null(strstr(cg, "mount(NULL,/sys/fs/cgroup,NULL,MS_RDONLY|MS_NOSUID|MS_NODEV|"
                                   "MS_NOEXEC|MS_REMOUNT|MS_BIND|MS_RELATIME,NULL)\n"));
    } else {
        assert_true(strncmp(cg,
                            "mount(tmpfs,/sys/fs/cgroup,tmpfs,MS_NOSUID|MS_NODEV|MS_NOEXEC,"
                            "mode=755)\n",
                            66) == 0);
        const char *last = strrchr(fake_calls, '\n');
        assert_non_null(last);
        assert_non_null(strstr(cg, "mount(NULL,/sys/fs/cgroup,NULL,MS_RDONLY|MS_NOSUID|MS_NODEV|"
                                   "MS_NOEXEC|MS_REMOUNT,mode=755)\n"));
    }
    /* nothing but mount(2) was asked of the kernel */
    for (const char *p = fake_calls; *p; p = strchr(p, '\n') + 1)
        assert_true(strncmp(p, "mount(", 6) == 0);
}

/* Each mount's failure names the mount (index, type, destination), the
 * operation and errno, and stops there. */
static void test_default_mounts_each_failure(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *on;
        int e;
        const char *want;
    } cases[] = {
        {"mount(proc,", EBUSY, "mounts[0] (proc on /proc): mount: Device or resource busy"},
        {"mount(tmpfs,/dev,", ENOMEM, "mounts[1] (tmpfs on /dev): mount: Cannot allocate memory"},
        {"mount(devpts,", EINVAL, "mounts[2] (devpts on /dev/pts): mount: Invalid argument"},
        {"mount(shm,", ENOSPC, "mounts[3] (tmpfs on /dev/shm): mount: No space left on device"},
        {"mount(mqueue,", EACCES, "mounts[4] (mqueue on /dev/mqueue): mount: Permission denied"},
        {"mount(sysfs,", ENODEV, "mounts[5] (sysfs on /sys): mount: No such device"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct rl_error *err = NULL;
        fake_reset();
        fake_fail_on = cases[i].on;
        fake_fail_errno = cases[i].e;
        assert_int_equal(rl_mounts_apply(f->spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
        assert_error(err, cases[i].want);
        assert_int_equal(err->errnum, cases[i].e);
        /* nothing after the failed one */
        const char *failed = fake_from(cases[i].on);
        assert_non_null(failed);
        assert_null(strchr(failed, '\n')[1] ? strchr(failed, '\n') + 1 : NULL);
        rl_error_free(err);
    }
}

static void test_cgroup_mount_failure(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    fake_fail_on = host_cgroup2() ? "mount(/sys/fs/cgroup" : "mount(tmpfs,/sys/fs/cgroup";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_mounts_apply(f->spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
    assert_non_null(err);
    assert_true(strncmp(err->msg, "mounts[6] (cgroup on /sys/fs/cgroup): ", 38) == 0);
    assert_non_null(strstr(err->msg, ": Operation not permitted"));
    rl_error_free(err);
    /* the final read-only remount */
    err = NULL;
    fake_reset();
    fake_fail_on = "mount(NULL,/sys/fs/cgroup,NULL,MS_RDONLY";
    fake_fail_errno = EACCES;
    assert_int_equal(rl_mounts_apply(f->spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
    assert_non_null(err);
    assert_true(strncmp(err->msg, "mounts[6] (cgroup on /sys/fs/cgroup): ", 38) == 0);
    assert_non_null(strstr(err->msg, "Permission denied"));
    rl_error_free(err);
}

/* A v1 or hybrid host: each hierarchy's bind and its remount, and the
 * fresh mount with a cgroup namespace, fail with the hierarchy's name. */
static void test_cgroup_v1_hierarchy_failures(void **state)
{
    struct fixture *f = *state;
    if (host_cgroup2())
        skip();
    static const struct {
        const char *on, *has;
    } cases[] = {
        {"mount(/sys/fs/cgroup/", ": bind /sys/fs/cgroup/"},
        {"MS_REMOUNT|MS_BIND|MS_RELATIME", ": remount /sys/fs/cgroup/"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct rl_error *err = NULL;
        fake_reset();
        fake_fail_on = cases[i].on;
        fake_fail_errno = EPERM;
        assert_int_equal(rl_mounts_apply(f->spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
        assert_non_null(err);
        if (strncmp(err->msg, "mounts[6] (cgroup on /sys/fs/cgroup): ", 38) != 0 ||
            strstr(err->msg, cases[i].has) == NULL ||
            strstr(err->msg, ": Operation not permitted") == NULL)
            fail_msg("case %zu: %s", i, err->msg);
        rl_error_free(err);
    }
    struct rl_error *err = NULL;
    fake_reset();
    const struct rl_mount *m = &f->spec->mounts[6];
    _cleanup_close_ int dfd = rl_open_in_root(f->rootfd, m->destination, true, false, &err);
    assert_true(dfd >= 0);
    char dst[64];
    snprintf(dst, sizeof(dst), "/proc/self/fd/%d", dfd);
    fake_fail_on = "mount(cgroup,";
    fake_fail_errno = EBUSY;
    assert_int_equal(rl_mount_cgroup(m, f->rootfd, dst, true, &err), -1);
    assert_non_null(err);
    assert_true(strstr(err->msg, ": mount cgroup (") != NULL);
    assert_true(strstr(err->msg, ": Device or resource busy") != NULL);
    rl_error_free(err);
}

/* With a cgroup namespace the hierarchies are fresh mounts, not binds. */
static void test_cgroup_mount_with_cgroupns(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    const struct rl_mount *m = &f->spec->mounts[6];
    assert_string_equal(m->type, "cgroup");
    _cleanup_close_ int dfd = rl_open_in_root(f->rootfd, m->destination, true, false, &err);
    assert_true(dfd >= 0);
    char dst[64];
    snprintf(dst, sizeof(dst), "/proc/self/fd/%d", dfd);
    assert_int_equal(rl_mount_cgroup(m, f->rootfd, dst, true, &err), 0);
    if (host_cgroup2())
        assert_string_equal(fake_calls, "mount(cgroup2,/sys/fs/cgroup,cgroup2,MS_RDONLY|MS_NOSUID|"
                                        "MS_NODEV|MS_NOEXEC|MS_RELATIME,NULL)\n");
    else
        assert_null(strstr(fake_calls, "MS_BIND"));
}

/* sysfs refused (EPERM: a user namespace without its own network
 * namespace): the host's /sys is bound recursively with the mount's flags;
 * when that fails too, the error says what to change. */
static void test_sysfs_eperm_falls_back_to_bind(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    fake_fail_on = "mount(sysfs,";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_mounts_apply(f->spec, f->rootfd, f->dir, NULL, NULL, &err), 0);
    const char *fb = fake_from("mount(sysfs,");
    assert_non_null(fb);
    assert_true(strncmp(fb,
                        "mount(sysfs,/sys,sysfs,MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC,NULL)\n"
                        "mount(/sys,/sys,NULL,MS_BIND|MS_REC,NULL)\n"
                        "mount(NULL,/sys,NULL,MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|"
                        "MS_BIND,NULL)\n",
                        strlen("mount(sysfs,/sys,sysfs,MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC,"
                               "NULL)\nmount(/sys,/sys,NULL,MS_BIND|MS_REC,NULL)\nmount(NULL,/"
                               "sys,NULL,MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_"
                               "BIND,NULL)\n")) == 0);
    fake_reset();
    fake_fail_on = "/sys,";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_mounts_apply(f->spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
    assert_non_null(err);
    assert_true(strncmp(err->msg,
                        "mounts[5] (sysfs on /sys): mount sysfs: Operation not permitted "
                        "(rootless",
                        70) == 0);
    assert_non_null(strstr(err->msg, "bind /sys: Operation not permitted"));
    rl_error_free(err);
}

static struct rl_mount one_mount(const char *dst, const char *type, const char *src, char **opts,
                                 size_t n)
{
    struct rl_mount m = {0};
    m.destination = (char *)dst;
    m.type = (char *)type;
    m.source = (char *)src;
    m.options = opts;
    m.n_options = n;
    return m;
}

/* A bind of a bundle-relative file: the destination is made as a file, the
 * flags come from a remount, propagation and recursive options after it. */
static void test_bind_file_remount_propagation_recursive(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    _cleanup_free_ char *src = xasprintf("%s/hosts", f->dir);
    int fd = open(src, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    char *opts[] = {"bind", "ro", "nosuid", "rprivate", "rnodev"};
    struct rl_mount m = one_mount("/etc/hosts", "bind", "hosts", opts, ARRAY_SIZE(opts));
    struct rl_spec spec = {0};
    spec.mounts = &m;
    spec.n_mounts = 1;
    assert_int_equal(rl_mounts_apply(&spec, f->rootfd, f->dir, NULL, NULL, &err), 0);
    _cleanup_free_ char *want =
        xasprintf("mount(%s/hosts,/etc/hosts,NULL,MS_BIND,NULL)\n"
                  "mount(NULL,/etc/hosts,NULL,MS_RDONLY|MS_NOSUID|MS_REMOUNT|MS_BIND,NULL)\n"
                  "mount(NULL,/etc/hosts,NULL,MS_REC|MS_PRIVATE,NULL)\n"
                  "mount_setattr(/etc/hosts,%#x,set=%#llx,clr=0)\n",
                  f->dir, AT_EMPTY_PATH | AT_RECURSIVE, (unsigned long long)MOUNT_ATTR_NODEV);
    assert_string_equal(fake_calls, want);
    struct stat st;
    assert_int_equal(fstatat(f->rootfd, "etc/hosts", &st, 0), 0);
    assert_true(S_ISREG(st.st_mode));

    static const struct {
        const char *on, *want;
    } cases[] = {
        {"MS_BIND,NULL", "mounts[0] (bind on /etc/hosts): bind %s/hosts: Invalid argument"},
        {"MS_REMOUNT", "mounts[0] (bind on /etc/hosts): remount with its options: Invalid "
                       "argument"},
        {"MS_PRIVATE", "mounts[0] (bind on /etc/hosts): set propagation: Invalid argument"},
        {"mount_setattr", "mounts[0] (bind on /etc/hosts): mount_setattr (recursive options): "
                          "Invalid argument"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        fake_reset();
        fake_fail_on = cases[i].on;
        err = NULL;
        assert_int_equal(rl_mounts_apply(&spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
        _cleanup_free_ char *w = xasprintf(cases[i].want, f->dir);
        assert_error(err, w);
        rl_error_free(err);
    }
    /* a missing bind source */
    m.source = "nothere";
    fake_reset();
    err = NULL;
    assert_int_equal(rl_mounts_apply(&spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
    _cleanup_free_ char *w = xasprintf(
        "mounts[0] (bind on /etc/hosts): stat %s/nothere: No such file or directory", f->dir);
    assert_error(err, w);
    assert_string_equal(fake_calls, "");
    rl_error_free(err);
}

/* A tmpfs without "mode=" keeps the mode of the directory the image had. */
static void test_tmpfs_keeps_image_mode(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    assert_int_equal(mkdirat(f->rootfd, "run", 0700), 0);
    assert_int_equal(fchmodat(f->rootfd, "run", 0710, 0), 0);
    char *opts[] = {"nosuid", "size=1m"};
    struct rl_mount m = one_mount("/run", "tmpfs", "tmpfs", opts, ARRAY_SIZE(opts));
    struct rl_spec spec = {0};
    spec.mounts = &m;
    spec.n_mounts = 1;
    assert_int_equal(rl_mounts_apply(&spec, f->rootfd, f->dir, NULL, NULL, &err), 0);
    assert_string_equal(fake_calls, "mount(tmpfs,/run,tmpfs,MS_NOSUID,mode=0710,size=1m)\n");
}

/* CVE-2019-19921: a destination that only a symlink leads into procfs is
 * refused before anything is mounted (the host's /dev/fd -> /proc/self/fd,
 * looked at with the host's / as the root: nothing there is changed); proc
 * goes on a directory only. */
static void test_destination_checks(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    struct stat st;
    if (lstat("/dev/fd", &st) < 0 || !S_ISLNK(st.st_mode))
        skip();
    char *opts[] = {"nosuid"};
    struct rl_mount m = one_mount("/dev/fd", "tmpfs", "tmpfs", opts, 1);
    struct rl_spec spec = {0};
    spec.mounts = &m;
    spec.n_mounts = 1;
    int hostroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(hostroot >= 0);
    assert_int_equal(rl_mounts_apply(&spec, hostroot, f->dir, NULL, NULL, &err), -1);
    close(hostroot);
    assert_error(err, "mounts[0] (tmpfs on /dev/fd): the destination resolves into procfs "
                      "through a symlink of the rootfs");
    assert_string_equal(fake_calls, "");
    rl_error_free(err);
    err = NULL;
    int fd = openat(f->rootfd, "notdir", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    m = one_mount("/notdir", "proc", "proc", NULL, 0);
    assert_int_equal(rl_mounts_apply(&spec, f->rootfd, f->dir, NULL, NULL, &err), -1);
    assert_error(err, "mounts[0] (proc on /notdir): proc must be mounted on a directory");
    assert_string_equal(fake_calls, "");
    rl_error_free(err);
}

/* A destination that is a dangling symlink is made where it points, inside
 * the rootfs (an absolute target is read with the rootfs as /). */
static void test_dangling_symlink_destination(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    assert_int_equal(symlinkat("/var/data", f->rootfd, "data"), 0);
    struct rl_mount m = one_mount("/data/x", "tmpfs", "tmpfs", NULL, 0);
    struct rl_spec spec = {0};
    spec.mounts = &m;
    spec.n_mounts = 1;
    assert_int_equal(rl_mounts_apply(&spec, f->rootfd, f->dir, NULL, NULL, &err), 0);
    struct stat st;
    assert_int_equal(fstatat(f->rootfd, "var/data/x", &st, 0), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_string_equal(fake_calls, "mount(tmpfs,/var/data/x,tmpfs,0,NULL)\n");
}

/* rl_rootfs_prepare: propagation of /, the rootfs bound on itself, then the
 * config's mounts and the devices. */
static void test_rootfs_prepare_order(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    fake_mknod_errno = EPERM; /* the devices are bound: no mknod without root */
    assert_int_equal(rl_rootfs_prepare(f->spec, f->rootfs, f->dir, NULL, NULL, &err), 0);
    assert_true(strncmp(fake_calls, "mount(NULL,/,NULL,MS_REC|MS_SLAVE,NULL)\n", 40) == 0);
    const char *bind = fake_from("mount(ROOT,ROOT,NULL,MS_BIND|MS_REC,NULL)\n");
    assert_non_null(bind);
    /* between them only the private remount of the rootfs's parent mount */
    for (const char *p = strchr(fake_calls, '\n') + 1; p < bind; p = strchr(p, '\n') + 1)
        assert_true(strncmp(p, "mount(NULL,", 11) == 0 && strstr(p, ",NULL,MS_PRIVATE,NULL)"));
    const char *proc = fake_from("mount(proc,/proc,proc,0,NULL)");
    const char *dev = fake_from("mknod(/dev/null,020666,1:3)");
    assert_non_null(proc);
    assert_non_null(dev);
    assert_true(bind < proc && proc < dev);
    assert_non_null(strstr(dev, "mount(/dev/null,/dev/null,NULL,MS_BIND,NULL)\n"));

    static const struct {
        const char *on, *want;
    } cases[] = {
        {"mount(NULL,/,NULL,MS_REC|MS_SLAVE",
         "linux.rootfsPropagation: set propagation of /: Invalid argument"},
        {"mount(ROOT,ROOT", "root.path: bind mount %s on itself: Invalid argument"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        fake_reset();
        fake_fail_on = cases[i].on;
        err = NULL;
        assert_int_equal(rl_rootfs_prepare(f->spec, f->rootfs, f->dir, NULL, NULL, &err), -1);
        _cleanup_free_ char *w = xasprintf(cases[i].want, f->rootfs);
        assert_error(err, w);
        rl_error_free(err);
    }
}

static void test_rootfs_prepare_propagation_values(void **state)
{
    struct fixture *f = *state;
    struct rl_error *err = NULL;
    f->spec->linux_.rootfs_propagation = xstrdup("unbindable");
    /* no mounts here; put them back for teardown's rl_spec_free */
    size_t n_mounts = f->spec->n_mounts;
    f->spec->n_mounts = 0;
    fake_mknod_errno = EPERM;
    assert_int_equal(rl_rootfs_prepare(f->spec, f->rootfs, f->dir, NULL, NULL, &err), 0);
    /* unbindable only after every mount is made: private until then */
    assert_true(strncmp(fake_calls, "mount(NULL,/,NULL,MS_PRIVATE,NULL)\n", 35) == 0);
    fake_reset();
    assert_int_equal(rl_rootfs_propagate(f->spec, &err), 0);
    assert_string_equal(fake_calls, "mount(NULL,/,NULL,MS_UNBINDABLE,NULL)\n");
    fake_reset();
    fake_fail_on = "MS_UNBINDABLE";
    assert_int_equal(rl_rootfs_propagate(f->spec, &err), -1);
    assert_error(err, "linux.rootfsPropagation: make / unbindable: Invalid argument");
    rl_error_free(err);
    err = NULL;
    free(f->spec->linux_.rootfs_propagation);
    f->spec->linux_.rootfs_propagation = xstrdup("sideways");
    fake_reset();
    assert_int_equal(rl_rootfs_prepare(f->spec, f->rootfs, f->dir, NULL, NULL, &err), -1);
    assert_error(err, "linux.rootfsPropagation: unknown value \"sideways\"");
    assert_string_equal(fake_calls, "");
    rl_error_free(err);
    f->spec->n_mounts = n_mounts;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_default_mounts_order_and_flags),
        T(test_default_mounts_each_failure),
        T(test_cgroup_mount_failure),
        T(test_cgroup_v1_hierarchy_failures),
        T(test_cgroup_mount_with_cgroupns),
        T(test_sysfs_eperm_falls_back_to_bind),
        T(test_bind_file_remount_propagation_recursive),
        T(test_tmpfs_keeps_image_mode),
        T(test_destination_checks),
        T(test_dangling_symlink_destination),
        T(test_rootfs_prepare_order),
        T(test_rootfs_prepare_propagation_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
