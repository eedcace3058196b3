/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* idmap.c: rl_idmap_prepare() for idmapped bind mounts, through the fake
 * syscall table: the kernel probe, the helper child's clone flags, the
 * uid_map/gid_map lines it gets, open_tree's path and flags, and
 * mount_setattr's flags and user namespace, for a mount with its own
 * mappings, "idmap"/"ridmap" with the container's, and the error of each
 * step (mounts[i], the call, the path, the errno text). Nothing reaches the
 * kernel but a plain fork (the helper) and /proc: no root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif

static int probe_errno = EPERM; /* what the probe (dfd -1) answers; 0: success */
static char own_userns[64];     /* readlink of /proc/self/ns/user */

/* clone: recorded, then a plain fork (no new user namespace) */
static long rec_clone(unsigned long flags)
{
    if (fake_rec("clone(%#lx)", flags) < 0)
        return -1;
    return fork();
}

/* /proc/PID/{uid,gid}_map writes: recorded by file name, not made (the
 * helper is in our own user namespace) */
static int rec_write_ctl(int fd, const char *value, size_t len)
{
    char p[64], real[PATH_MAX];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, real, sizeof(real) - 1);
    real[n < 0 ? 0 : n] = '\0';
    const char *base = strrchr(real, '/');
    return fake_rec("write(%s,%.*s)", base ? base + 1 : real, (int)len, value);
}

static int rec_open_tree(int dfd, const char *path, unsigned flags)
{
    FAKE_BUF;
    (void)b2;
    (void)fb;
    return fake_rec("open_tree(%s,%s,%#x)", dfd == AT_FDCWD ? "AT_FDCWD" : "fd",
                    fake_path(path, b1, sizeof(b1)), flags) < 0
               ? -1
               : fake_null_fd();
}

/* the probe answers probe_errno; else the user namespace shown as "own"
 * when it is ours (the fake clone does not make a new one) */
static int rec_mount_setattr(int dfd, const char *path, unsigned flags, void *attr, size_t size)
{
    const struct mount_attr *a = attr;
    if (dfd == -1) {
        fake_rec("probe(set=%#llx)", (unsigned long long)a->attr_set);
        errno = probe_errno;
        return probe_errno ? -1 : 0;
    }
    char p[64], ns[64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", (int)a->userns_fd);
    ssize_t n = readlink(p, ns, sizeof(ns) - 1);
    ns[n < 0 ? 0 : n] = '\0';
    FAKE_BUF;
    (void)b2;
    (void)fb;
    /* the tree by fd (AT_EMPTY_PATH), shown as what it is */
    return fake_rec("mount_setattr(%s%s,%s,set=%#llx,userns=%s)", fake_fd(dfd, b1, sizeof(b1)),
                    path, (flags & ~(unsigned)AT_EMPTY_PATH) == AT_RECURSIVE ? "AT_RECURSIVE" : "0",
                    (unsigned long long)a->attr_set, strcmp(ns, own_userns) == 0 ? "own" : ns);
}

static struct rl_sys_ops ops;

struct fixture {
    char *dir;
    char *src; /* dir/rootfs: the bind source (fake_root) */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char tmpl[] = "/tmp/rl-test-linux-idmap-XXXXXX";
    f->dir = fake_make_tree(tmpl);
    if (f->dir == NULL)
        return -1;
    f->src = xasprintf("%s/rootfs", f->dir);
    snprintf(fake_root, sizeof(fake_root), "%s", f->src);
    ssize_t n = readlink("/proc/self/ns/user", own_userns, sizeof(own_userns) - 1);
    if (n < 0)
        return -1;
    own_userns[n] = '\0';
    fake_reset();
    probe_errno = EPERM;
    ops = fake_linux_ops;
    ops.clone = rec_clone;
    ops.write_ctl = rec_write_ctl;
    ops.open_tree = rec_open_tree;
    ops.mount_setattr = rec_mount_setattr;
    rl_sys_set_ops(&ops);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rl_sys_set_ops(NULL);
    fake_root[0] = '\0';
    fake_rm_tree(f->dir);
    free(f->src);
    free(f->dir);
    free(f);
    return 0;
}

static void assert_calls(const char *want)
{
    if (strcmp(fake_calls, want) != 0)
        fail_msg("calls\n%s\nwant\n%s", fake_calls, want);
}

static void assert_error(struct rl_error **errp, const char *want)
{
    struct rl_error *err = *errp;
    *errp = NULL;
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", err->msg, want);
    rl_error_free(err);
}

/* the fd is an idmapped tree: what the fake's open_tree gave (/dev/null) */
static void assert_tree_fd(int fd)
{
    char p[64], real[64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, real, sizeof(real) - 1);
    assert_true(n > 0);
    real[n] = '\0';
    assert_string_equal(real, "/dev/null");
}

static struct rl_id_mapping umap[] = {{0, 100000, 65536}, {65536, 1000, 1}};
static struct rl_id_mapping gmap[] = {{0, 200000, 1000}};
static char *bind_opts[] = {"bind"};
static char *rbind_idmap[] = {"rbind", "idmap"};
static char *ridmap[] = {"bind", "ridmap"};

static void test_no_idmapped_mounts_no_calls(void **state)
{
    (void)state;
    struct rl_mount m[] = {
        {.destination = "/proc", .type = "proc", .source = "proc"},
        {.destination = "/data", .source = "/srv", .options = bind_opts, .n_options = 1}};
    struct rl_spec s = {.mounts = m, .n_mounts = 2};
    int *fds = (int *)&s; /* set to NULL */
    struct rl_error *err = NULL;
    assert_int_equal(rl_idmap_prepare(&s, "/bundle", &fds, &err), 0);
    assert_null(fds);
    assert_null(err);
    assert_calls("");
    rl_idmap_free(NULL, 0);
}

static void test_own_mappings(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[] = {
        {.destination = "/proc", .type = "proc", .source = "proc"},
        {.destination = "/data",
         .source = f->src,
         .options = bind_opts,
         .n_options = 1,
         .uid_mappings = umap,
         .n_uid_mappings = 2,
         .gid_mappings = gmap,
         .n_gid_mappings = 1},
    };
    struct rl_spec s = {.mounts = m, .n_mounts = 2};
    int *fds = NULL;
    struct rl_error *err = NULL;
    assert_int_equal(rl_idmap_prepare(&s, "/bundle", &fds, &err), 0);
    assert_null(err);
    assert_non_null(fds);
    assert_int_equal(fds[0], -1); /* not idmapped */
    assert_true(fds[1] >= 0);
    assert_tree_fd(fds[1]);
    /* clone(CLONE_NEWUSER|SIGCHLD); OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC */
    assert_calls("probe(set=0x100000)\n"
                 "clone(0x10000011)\n"
                 "write(uid_map,0 100000 65536\n65536 1000 1\n)\n"
                 "write(gid_map,0 200000 1000\n)\n"
                 "open_tree(AT_FDCWD,ROOT,0x80001)\n"
                 "mount_setattr(/dev/null,0,set=0x100000,userns=own)\n");
    rl_idmap_free(fds, 2);
    /* the helper is reaped: no child left */
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* "idmap"/"ridmap" without mappings: the container's, made once for both;
 * a relative source is the bundle's */
static void test_container_mappings_once(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[] = {
        {.destination = "/a", .source = "rootfs", .options = rbind_idmap, .n_options = 2},
        {.destination = "/b", .source = f->src, .options = ridmap, .n_options = 2},
    };
    struct rl_namespace ns[] = {{RL_NS_USER, NULL}, {RL_NS_MOUNT, NULL}};
    struct rl_spec s = {.mounts = m, .n_mounts = 2};
    s.linux_.namespaces = ns;
    s.linux_.n_namespaces = 2;
    s.linux_.uid_mappings = gmap;
    s.linux_.n_uid_mappings = 1;
    s.linux_.gid_mappings = gmap;
    s.linux_.n_gid_mappings = 1;
    int *fds = NULL;
    struct rl_error *err = NULL;
    assert_int_equal(rl_idmap_prepare(&s, f->dir, &fds, &err), 0);
    assert_null(err);
    assert_tree_fd(fds[0]);
    assert_tree_fd(fds[1]);
    /* rbind: AT_RECURSIVE (0x8000) for open_tree only; ridmap: for both */
    assert_calls("probe(set=0x100000)\n"
                 "clone(0x10000011)\n"
                 "write(uid_map,0 200000 1000\n)\n"
                 "write(gid_map,0 200000 1000\n)\n"
                 "open_tree(AT_FDCWD,ROOT,0x88001)\n"
                 "mount_setattr(/dev/null,0,set=0x100000,userns=own)\n"
                 "open_tree(AT_FDCWD,ROOT,0x88001)\n"
                 "mount_setattr(/dev/null,AT_RECURSIVE,set=0x100000,userns=own)\n");
    rl_idmap_free(fds, 2);
}

static void test_container_userns_by_path(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[] = {
        {.destination = "/a", .source = f->src, .options = ridmap, .n_options = 2},
    };
    struct rl_namespace ns[] = {{RL_NS_USER, "/proc/self/ns/user"}};
    struct rl_spec s = {.mounts = m, .n_mounts = 1};
    s.linux_.namespaces = ns;
    s.linux_.n_namespaces = 1;
    int *fds = NULL;
    struct rl_error *err = NULL;
    assert_int_equal(rl_idmap_prepare(&s, f->dir, &fds, &err), 0);
    /* no helper: the namespace given is opened */
    assert_calls("probe(set=0x100000)\n"
                 "open_tree(AT_FDCWD,ROOT,0x88001)\n"
                 "mount_setattr(/dev/null,AT_RECURSIVE,set=0x100000,userns=own)\n");
    rl_idmap_free(fds, 1);

    fake_reset();
    ns[0].path = "/nonexistent/ns/user";
    assert_int_equal(rl_idmap_prepare(&s, f->dir, &fds, &err), -1);
    assert_null(fds);
    _cleanup_free_ char *want =
        xasprintf("mounts[0] (idmapped bind %s on /a): mounts[0]: open the container's user "
                  "namespace /nonexistent/ns/user: No such file or directory",
                  f->src);
    assert_error(&err, want);

    ns[0].type = RL_NS_MOUNT; /* no user namespace at all */
    assert_int_equal(rl_idmap_prepare(&s, f->dir, &fds, &err), -1);
    _cleanup_free_ char *want2 = xasprintf("mounts[0] (idmapped bind %s on /a): mounts[0]: idmap "
                                           "without mappings needs a user namespace",
                                           f->src);
    assert_error(&err, want2);
}

static void test_probe(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[] = {
        {.destination = "/proc", .type = "proc", .source = "proc"},
        {.destination = "/data", .source = f->src, .uid_mappings = umap, .n_uid_mappings = 1},
    };
    struct rl_spec s = {.mounts = m, .n_mounts = 2};
    int *fds = NULL;
    struct rl_error *err = NULL;
    static const int unsupported[] = {ENOSYS, EINVAL, 0};
    for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++) {
        fake_reset();
        probe_errno = unsupported[i];
        assert_int_equal(rl_idmap_prepare(&s, f->dir, &fds, &err), -1);
        assert_error(&err, "mounts[1] (on /data): idmapped mounts are not supported by this "
                           "kernel (mount_setattr(MOUNT_ATTR_IDMAP) needs Linux 5.12)");
        assert_calls("probe(set=0x100000)\n");
    }
    /* EBADF: the kernel knows the flag (we are in a user namespace) */
    fake_reset();
    probe_errno = EBADF;
    assert_true(rl_idmap_supported());
    probe_errno = EPERM;
    assert_true(rl_idmap_supported());
}

static void test_step_errors(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[] = {
        {.destination = "/data",
         .source = f->src,
         .options = bind_opts,
         .n_options = 1,
         .uid_mappings = umap,
         .n_uid_mappings = 1,
         .gid_mappings = gmap,
         .n_gid_mappings = 1},
    };
    struct rl_spec s = {.mounts = m, .n_mounts = 1};
    int *fds = NULL;
    struct rl_error *err = NULL;
    _cleanup_free_ char *pre = xasprintf("mounts[0] (idmapped bind %s on /data): ", f->src);
    static const struct {
        const char *fail_on;
        int e;
        const char *want; /* after pre; %s: the source */
    } cases[] = {
        {"clone(", EPERM,
         "mounts[0]: clone(CLONE_NEWUSER) for the mount's user namespace: Operation not "
         "permitted"},
        {"write(uid_map", EPERM, "mounts[0].uidMappings: write /proc/PID/uid_map: "},
        {"write(gid_map", EINVAL, "mounts[0].gidMappings: write /proc/PID/gid_map: "},
        {"open_tree(", ENOENT, "open_tree(%s, OPEN_TREE_CLONE): No such file or directory"},
        {"mount_setattr(/dev", EPERM, "mount_setattr(MOUNT_ATTR_IDMAP) of %s ("},
        {"mount_setattr(/dev", EINVAL, "mount_setattr(MOUNT_ATTR_IDMAP) of %s ("},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        fake_reset();
        fake_fail_on = cases[i].fail_on;
        fake_fail_errno = cases[i].e;
        assert_int_equal(rl_idmap_prepare(&s, f->dir, &fds, &err), -1);
        assert_null(fds);
        assert_non_null(err);
        char tail[512];
        snprintf(tail, sizeof(tail), cases[i].want, f->src);
        const char *msg = err->msg;
        if (strncmp(msg, pre, strlen(pre)) != 0)
            fail_msg("case %zu: %s", i, msg);
        msg += strlen(pre);
        /* the helper's pid is in the map paths */
        const char *pid = strstr(tail, "PID");
        bool ok;
        if (pid) {
            size_t a = (size_t)(pid - tail);
            ok = strncmp(msg, tail, a) == 0;
            const char *rest = msg + a + strspn(msg + a, "0123456789");
            ok = ok && strncmp(rest, pid + 3, strlen(pid + 3)) == 0;
        } else {
            ok = strncmp(msg, tail, strlen(tail)) == 0;
        }
        const char *e = strerror(cases[i].e);
        size_t n = strlen(msg);
        if (!ok || n < strlen(e) || strcmp(msg + n - strlen(e), e) != 0)
            fail_msg("case %zu: %s\nwant %s%s...%s", i, err->msg, pre, tail, e);
        if (strcmp(cases[i].fail_on, "mount_setattr(/dev") == 0) {
            bool hint = strstr(msg, " filesystem; does it support idmapped mounts?)") != NULL;
            if (hint != (cases[i].e == EINVAL))
                fail_msg("case %zu: the hint: %s", i, msg);
        }
        rl_error_free(err);
        err = NULL;
        /* the helper is reaped on every path */
        assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_idmapped_mounts_no_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_own_mappings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_mappings_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_container_userns_by_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_step_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
