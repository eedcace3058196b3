/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* init.c: the order of the container init's steps for the default config
 * (without its network namespace and terminal: the loopback and the pty
 * would be real), run in a forked child with the fake syscall table; a
 * fake call made to fail stops the init there, and its error reaches the
 * parent over the sync socket. The child records into shared memory. The
 * steps after the pivot that change the process's identity are not
 * reached: each case fails at or before the read-only root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "rustlet/sync.h"
#include "test_linux_fake.h"

/* init.c's _exit (linked with --wrap=_exit): with --coverage the child's
 * counters are written first, so the init's lines count as tested. */
extern void __gcov_dump(void) __attribute__((weak));
void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status)
{
    if (__gcov_dump)
        __gcov_dump();
    __real__exit(status);
}

static struct rl_spec *spec;
static char *tree, *rootfs;
static char *shared;

static int setup(void **state)
{
    struct rl_error *err = NULL;
    _cleanup_free_ char *json = rl_spec_default_json(false);
    spec = rl_spec_parse(json, strlen(json), &err);
    if (spec == NULL)
        return -1;
    /* no network namespace: its loopback would be brought up for real */
    size_t n = 0;
    for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
        if (spec->linux_.namespaces[i].type != RL_NS_NETWORK)
            spec->linux_.namespaces[n++] = spec->linux_.namespaces[i];
    spec->linux_.n_namespaces = n;
    spec->process.terminal = false;
    char tmpl[] = "/tmp/rl-test-linux-init-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (tree == NULL)
        return -1;
    rootfs = xasprintf("%s/rootfs", tree);
    shared = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    munmap(shared, 1 << 20);
    rl_spec_free(spec);
    fake_rm_tree(tree);
    free(rootfs);
    free(tree);
    return 0;
}

/* Run the init until it fails at the first call that contains fail_on;
 * its error in *err, the calls in shared. */
static void run_init(const char *fail_on, int e, struct rl_error **err)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    shared[0] = '\0';
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        fake_calls = shared;
        fake_calls_size = 1 << 20;
        fake_reset();
        snprintf(fake_root, sizeof(fake_root), "%s", rootfs);
        fake_fail_on = fail_on;
        fake_fail_errno = e;
        fake_mknod_errno = EPERM;
        rl_sys_set_ops(&fake_linux_ops);
        if (chdir("/") < 0)
            _exit(2);
        struct rl_init_args a = {0};
        a.spec = spec;
        a.id = "unit";
        a.bundle = tree;
        a.rootfs = rootfs;
        a.no_new_keyring = true;
        a.sync_fd = sv[1];
        a.fifo_fd = -1;
        a.proc_fd = -1;
        a.console_fd = -1;
        a.seccomp_listener = -1;
        rl_init_main(&a);
    }
    close(sv[1]);
    assert_int_equal(sync_send(sv[0], SYNC_GO, 0), 0);
    assert_int_equal(sync_expect(sv[0], SYNC_READY, NULL, err), -1);
    close(sv[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

/* Index of the first line that starts with what, -1 if none. */
static long line_of(const char *what)
{
    long n = 0;
    for (const char *p = shared; *p; p = strchr(p, '\n') + 1, n++)
        if (strncmp(p, what, strlen(what)) == 0)
            return n;
    return -1;
}

static void test_step_order(void **state)
{
    struct rl_error *err = NULL;
    if (stat("/dev/null", &(struct stat){0}) < 0)
        skip();
    run_init("mount(NULL,/,NULL,MS_RDONLY", EROFS, &err);
    assert_non_null(err);
    assert_string_equal(err->msg, "root.readonly: remount / read-only: Read-only file system");
    rl_error_free(err);
    /* hostname, rootfs propagation and bind, the config's mounts, the
     * devices, the init's own procfs, the pivot, masked paths, readonly
     * paths, the read-only root */
    const char *steps[] = {
        "sethostname(rustlet)",
        "mount(NULL,/,NULL,MS_REC|MS_SLAVE,NULL)",
        "mount(ROOT,ROOT,NULL,MS_BIND|MS_REC,NULL)",
        "mount(proc,/proc,proc,",
        "mount(sysfs,/sys,sysfs,",
        "mknod(/dev/null,",
        "mknod(/dev/tty,",
        "fsopen(proc)",
        "pivot_root(.,.)",
        "umount2(.,0x2)",
        "move_mount(/proc/",
        "mount(/proc/bus,/proc/bus,NULL,MS_BIND|MS_REC,NULL)",
        "mount(NULL,/proc/sysrq-trigger,NULL,",
        "mount(NULL,/,NULL,MS_RDONLY",
    };
    long prev = -1;
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        long at = line_of(steps[i]);
        if (at <= prev)
            fail_msg("step %s at %ld, before the previous one (%ld):\n%s", steps[i], at, prev,
                     shared);
        prev = at;
    }
    /* the failed step is the last call */
    const char *last = strstr(shared, "mount(NULL,/,NULL,MS_RDONLY");
    assert_string_equal(strchr(last, '\n'), "\n");
}

static void test_step_failures(void **state)
{
    static const struct {
        const char *on, *want, *not_reached;
    } cases[] = {
        {"sethostname(", "hostname: sethostname \"rustlet\": Operation not permitted", "mount("},
        {"mount(NULL,/,NULL,MS_REC|MS_SLAVE",
         "linux.rootfsPropagation: set propagation of /: Operation not permitted", "mount(proc"},
        {"mount(mqueue,", "mounts[4] (mqueue on /dev/mqueue): mount: Operation not permitted",
         "mknod("},
        {"pivot_root(", NULL, "move_mount("},
        {"mount(/proc/irq,", "linux.readonlyPaths[2] (/proc/irq): bind: Operation not permitted",
         "mount(/proc/sys,"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct rl_error *err = NULL;
        run_init(cases[i].on, EPERM, &err);
        assert_non_null(err);
        _cleanup_free_ char *want =
            cases[i].want ? xstrdup(cases[i].want)
                          : xasprintf("pivot_root %s: Operation not permitted", rootfs);
        if (strcmp(err->msg, want) != 0)
            fail_msg("case %zu: error\n  %s\nwant\n  %s", i, err->msg, want);
        assert_int_equal(line_of(cases[i].not_reached), -1);
        rl_error_free(err);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_order),
        cmocka_unit_test(test_step_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
