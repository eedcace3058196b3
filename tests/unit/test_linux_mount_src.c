/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* mount_src.c: which mounts' sources the runtime opens for the init (a bind
 * with user and mount namespaces, not idmapped), and the exchange of
 * rl_mount_sources_send()/_receive() over a socketpair: the helper's setns
 * (recorded by the fake, in shared memory since the helper is a real fork),
 * the fds in the mounts' order, and the errors (setns, a missing source
 * naming mounts[i] and the path, the other side gone). No root needed: the
 * fake's setns joins nothing and the sources are temporary files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "rustlet/sync.h"
#include "test_linux_fake.h"

struct fixture {
    char *dir; /* the bundle; dir/rootfs is fake_root */
    char *shared;
    int sv[2]; /* sv[0]: the runtime's sync fd, sv[1]: the init's */
    int pidfd; /* stands for the init's pidfd: /dev/null */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char tmpl[] = "/tmp/rl-test-linux-mount-src-XXXXXX";
    f->dir = fake_make_tree(tmpl);
    if (f->dir == NULL)
        return -1;
    snprintf(fake_root, sizeof(fake_root), "%s", f->dir);
    f->shared = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (f->shared == MAP_FAILED)
        return -1;
    fake_calls = f->shared;
    fake_calls_size = 65536;
    fake_reset();
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->sv) < 0)
        return -1;
    f->pidfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    rl_sys_set_ops(&fake_linux_ops);
    *state = f;
    return f->pidfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rl_sys_set_ops(NULL);
    fake_calls = fake_calls_buf;
    fake_calls_size = sizeof(fake_calls_buf);
    fake_root[0] = '\0';
    munmap(f->shared, 65536);
    close(f->sv[0]);
    close(f->sv[1]);
    close(f->pidfd);
    fake_rm_tree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static char *bind_opts[] = {"rbind", "ro"};
static char *idmap_opts[] = {"bind", "idmap"};
static struct rl_namespace user_mnt[] = {{RL_NS_USER, NULL}, {RL_NS_MOUNT, NULL}};

/* 0: proc, 1: bind by options (relative source), 2: idmapped, 3: type
 * "bind" (absolute source), 4: tmpfs, 5: bind without a source */
static void five_mounts(struct rl_mount *m, const char *abs)
{
    m[0] = (struct rl_mount){.destination = "/proc", .type = "proc", .source = "proc"};
    m[1] = (struct rl_mount){
        .destination = "/a", .source = "rootfs", .options = bind_opts, .n_options = 2};
    m[2] = (struct rl_mount){
        .destination = "/i", .source = "/tmp", .options = idmap_opts, .n_options = 2};
    m[3] = (struct rl_mount){.destination = "/b", .type = "bind", .source = (char *)abs};
    m[4] = (struct rl_mount){.destination = "/t", .type = "tmpfs", .source = "tmpfs"};
    m[5] = (struct rl_mount){.destination = "/n", .options = bind_opts, .n_options = 2};
}

static bool have_cap_sys_admin_and_chroot(void)
{
    FILE *fp = fopen("/proc/self/status", "re");
    char line[256];
    unsigned long long eff = 0;
    while (fp && fgets(line, sizeof(line), fp))
        if (sscanf(line, "CapEff: %llx", &eff) == 1)
            break;
    if (fp)
        fclose(fp);
    return (eff >> 21 & 1) && (eff >> 18 & 1); /* CAP_SYS_ADMIN, CAP_SYS_CHROOT */
}

static void test_which_sources(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[6];
    five_mounts(m, f->dir);
    struct rl_spec s = {.mounts = m, .n_mounts = 6};
    /* no user namespace: the init opens them itself */
    assert_int_equal(rl_mount_sources_count(&s), 0);
    assert_false(rl_mount_sources_wanted(&s));
    s.linux_.namespaces = user_mnt;
    s.linux_.n_namespaces = 1; /* user only: no mount namespace */
    assert_int_equal(rl_mount_sources_count(&s), 0);
    s.linux_.n_namespaces = 2;
    bool want[] = {false, true, false, true, false, false};
    for (size_t i = 0; i < 6; i++)
        if (rl_mount_source_by_fd(&s, i) != want[i])
            fail_msg("mounts[%zu]: %d", i, !want[i]);
    assert_int_equal(rl_mount_sources_count(&s), 2);
    assert_int_equal(rl_mount_sources_wanted(&s), have_cap_sys_admin_and_chroot());
    assert_string_equal(fake_calls, "");
}

static void assert_fd_is(int fd, const char *path)
{
    char p[64], real[PATH_MAX];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, real, sizeof(real) - 1);
    assert_true(n > 0);
    real[n] = '\0';
    assert_string_equal(real, path);
    assert_true((fcntl(fd, F_GETFL) & O_PATH) != 0);
}

static void test_send_receive(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[6];
    five_mounts(m, f->dir);
    struct rl_spec s = {.mounts = m, .n_mounts = 6};
    s.linux_.namespaces = user_mnt;
    s.linux_.n_namespaces = 2;
    struct rl_error *err = NULL;
    /* the init's request first (receive sends it again: one more message
     * the test leaves unread) */
    assert_int_equal(sync_send(f->sv[1], SYNC_MOUNT_SOURCES, 0), 0);
    assert_int_equal(rl_mount_sources_send(&s, f->dir, f->pidfd, f->sv[0], &err), 0);
    assert_null(err);
    /* the helper joined the init's mount namespace (CLONE_NEWNS) by its pidfd */
    assert_string_equal(fake_calls, "setns(/dev/null,0x20000)\n");
    int *fds = NULL;
    assert_int_equal(rl_mount_sources_receive(&s, f->sv[1], &fds, &err), 0);
    assert_null(err);
    int want[] = {-1, 1, -1, 1, -1, -1};
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", f->dir);
    for (size_t i = 0; i < 6; i++)
        if ((fds[i] >= 0) != (want[i] >= 0))
            fail_msg("mounts[%zu]: fd %d", i, fds[i]);
    assert_fd_is(fds[1], rootfs); /* relative: the bundle's */
    assert_fd_is(fds[3], f->dir);
    rl_mount_sources_free(fds, 6);
    rl_mount_sources_free(NULL, 0);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* the helper is reaped */
}

static void test_setns_error(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[6];
    five_mounts(m, f->dir);
    struct rl_spec s = {.mounts = m, .n_mounts = 6};
    s.linux_.namespaces = user_mnt;
    s.linux_.n_namespaces = 2;
    struct rl_error *err = NULL;
    fake_fail_on = "setns(";
    fake_fail_errno = EPERM;
    assert_int_equal(sync_send(f->sv[1], SYNC_MOUNT_SOURCES, 0), 0);
    assert_int_equal(rl_mount_sources_send(&s, f->dir, f->pidfd, f->sv[0], &err), -1);
    assert_non_null(err);
    if (strstr(err->msg, "setns into the mount namespace of the container init") == NULL ||
        strstr(err->msg, "Operation not permitted") == NULL)
        fail_msg("error: %s", err->msg);
    rl_error_free(err);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

static void test_missing_source(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[6];
    _cleanup_free_ char *missing = xasprintf("%s/missing", f->dir);
    five_mounts(m, missing);
    struct rl_spec s = {.mounts = m, .n_mounts = 6};
    s.linux_.namespaces = user_mnt;
    s.linux_.n_namespaces = 2;
    struct rl_error *err = NULL;
    assert_int_equal(sync_send(f->sv[1], SYNC_MOUNT_SOURCES, 0), 0);
    assert_int_equal(rl_mount_sources_send(&s, f->dir, f->pidfd, f->sv[0], &err), -1);
    assert_non_null(err);
    _cleanup_free_ char *want =
        xasprintf("mounts[3] (bind on /b): open the source %s: No such file or directory", missing);
    if (strstr(err->msg, want) == NULL)
        fail_msg("error\n  %s\nwant it to contain\n  %s", err->msg, want);
    rl_error_free(err);
    /* mounts[1] had been forwarded before the failure */
    int fd = -1;
    assert_int_equal(sync_expect_fd(f->sv[1], SYNC_MOUNT_SOURCE, &fd, &err), 0);
    _cleanup_free_ char *rootfs = xasprintf("%s/rootfs", f->dir);
    assert_fd_is(fd, rootfs);
    close(fd);
}

static void test_other_side_gone(void **state)
{
    struct fixture *f = *state;
    struct rl_mount m[6];
    five_mounts(m, f->dir);
    struct rl_spec s = {.mounts = m, .n_mounts = 6};
    s.linux_.namespaces = user_mnt;
    s.linux_.n_namespaces = 2;
    struct rl_error *err = NULL;
    /* the init went away before asking: no helper is started */
    assert_int_equal(shutdown(f->sv[1], SHUT_WR), 0);
    assert_int_equal(rl_mount_sources_send(&s, f->dir, f->pidfd, f->sv[0], &err), -1);
    assert_non_null(err);
    assert_string_equal(err->msg, "sync: the other side exited before 'mount-sources'");
    rl_error_free(err);
    err = NULL;
    assert_string_equal(fake_calls, "");
    /* the init's side, its own end shut: the request cannot go */
    int *fds = (int *)&s;
    assert_int_equal(rl_mount_sources_receive(&s, f->sv[1], &fds, &err), -1);
    assert_null(fds);
    assert_non_null(err);
    assert_string_equal(err->msg, "sync: send mount-sources: Broken pipe");
    rl_error_free(err);
    err = NULL;

    /* the request goes, the runtime ends without sending an fd */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(shutdown(sv[0], SHUT_WR), 0);
    fds = (int *)&s;
    assert_int_equal(rl_mount_sources_receive(&s, sv[1], &fds, &err), -1);
    assert_null(fds);
    assert_non_null(err);
    assert_string_equal(err->msg, "sync: the other side exited before 'mount-source'");
    rl_error_free(err);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_which_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_receive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_setns_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_side_gone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
