/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* attrs.c: the calls rl_attrs_apply(), the affinity steps and
 * rl_sysctl_apply() make for a config (scheduler, I/O priority, memory
 * policy, personality, execCPUAffinity, sysctl), with their arguments, and
 * the error of each step (config field, call, errno text, hint), through
 * the fake syscall table: nothing reaches the kernel, no root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rustlet/attrs.h"
#include "rustlet/error.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

static int setup(void **state)
{
    (void)state;
    fake_reset();
    rl_sys_set_ops(&fake_linux_ops);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rl_sys_set_ops(NULL);
    return 0;
}

static void assert_calls(const char *want)
{
    if (strcmp(fake_calls, want) != 0)
        fail_msg("calls\n%s\nwant\n%s", fake_calls, want);
}

/* err->msg starts with prefix and contains has (NULL: no check); frees it */
static void assert_error(struct rl_error **errp, const char *prefix, const char *has)
{
    struct rl_error *err = *errp;
    *errp = NULL;
    assert_non_null(err);
    if (strncmp(err->msg, prefix, strlen(prefix)) != 0 || (has && strstr(err->msg, has) == NULL))
        fail_msg("error\n  %s\nwant it to start with\n  %s\nand contain\n  %s", err->msg, prefix,
                 has ? has : "");
    rl_error_free(err);
}

static void test_nothing_set_no_calls(void **state)
{
    (void)state;
    struct rl_spec s = {0};
    struct rl_error *err = NULL;
    assert_int_equal(rl_attrs_apply(&s, &err), 0);
    assert_int_equal(rl_attrs_affinity_initial(&s, &err), 0);
    assert_int_equal(rl_attrs_affinity_final(&s, &err), 0);
    assert_int_equal(rl_sysctl_apply(&s, &err), 0);
    assert_null(err);
    assert_calls("");
}

static void test_apply_all_in_order(void **state)
{
    (void)state;
    struct rl_spec s = {0};
    char *flags[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_UTIL_CLAMP_MIN"};
    s.process.scheduler.present = true;
    s.process.scheduler.policy = "SCHED_BATCH";
    s.process.scheduler.has_nice = true;
    s.process.scheduler.nice = -5;
    s.process.scheduler.flags = flags;
    s.process.scheduler.n_flags = 2;
    s.process.io_priority.present = true;
    s.process.io_priority.class_name = "IOPRIO_CLASS_BE";
    s.process.io_priority.priority = 4;
    char *mflags[] = {"MPOL_F_STATIC_NODES"};
    s.linux_.memory_policy.present = true;
    s.linux_.memory_policy.mode = "MPOL_BIND";
    s.linux_.memory_policy.nodes = "0,2";
    s.linux_.memory_policy.flags = mflags;
    s.linux_.memory_policy.n_flags = 1;
    s.linux_.personality.present = true;
    s.linux_.personality.domain = "LINUX32";
    struct rl_error *err = NULL;
    assert_int_equal(rl_attrs_apply(&s, &err), 0);
    assert_null(err);
    /* ioprio: class BE (2) << 13 | 4; mempolicy: MPOL_BIND | STATIC_NODES,
     * nodes 0 and 2, maxnode = top + 1 */
    assert_calls("sched_setattr(0,policy=3,nice=-5,prio=0,flags=0x21)\n"
                 "ioprio_set(1,0,0x4004)\n"
                 "set_mempolicy(0x8002,0x5,4)\n"
                 "personality(0x8)\n");
}

static void test_scheduler_priority_and_empty_nodes(void **state)
{
    (void)state;
    struct rl_spec s = {0};
    s.process.scheduler.present = true;
    s.process.scheduler.policy = "SCHED_FIFO";
    s.process.scheduler.has_priority = true;
    s.process.scheduler.priority = 10;
    s.linux_.memory_policy.present = true;
    s.linux_.memory_policy.mode = "MPOL_LOCAL";
    struct rl_error *err = NULL;
    assert_int_equal(rl_attrs_apply(&s, &err), 0);
    /* no nodes: a NULL mask and maxnode 0 */
    assert_calls("sched_setattr(0,policy=1,nice=0,prio=10,flags=0)\n"
                 "set_mempolicy(0x4,0,0)\n");
}

/* each step's failure stops the ones after it and names the field */
static void test_errors_each_step(void **state)
{
    (void)state;
    struct rl_spec s = {0};
    s.process.scheduler.present = true;
    s.process.scheduler.policy = "SCHED_RR";
    s.process.io_priority.present = true;
    s.process.io_priority.class_name = "IOPRIO_CLASS_RT";
    s.process.io_priority.priority = 0;
    s.linux_.memory_policy.present = true;
    s.linux_.memory_policy.mode = "MPOL_PREFERRED";
    s.linux_.memory_policy.nodes = "1";
    s.linux_.personality.present = true;
    s.linux_.personality.domain = "LINUX";
    struct rl_error *err = NULL;

    fake_fail_on = "sched_setattr";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_attrs_apply(&s, &err), -1);
    assert_error(&err, "process.scheduler (SCHED_RR): sched_setattr (real-time policies need",
                 "Operation not permitted");
    assert_calls("sched_setattr(0,policy=2,nice=0,prio=0,flags=0)\n");

    fake_reset();
    err = NULL;
    fake_fail_on = "ioprio_set";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_attrs_apply(&s, &err), -1);
    assert_error(&err,
                 "process.ioPriority (IOPRIO_CLASS_RT 0): ioprio_set (IOPRIO_CLASS_RT needs "
                 "CAP_SYS_ADMIN or CAP_SYS_NICE)",
                 "Operation not permitted");
    assert_null(fake_from("set_mempolicy"));

    fake_reset();
    err = NULL;
    fake_fail_on = "set_mempolicy";
    assert_int_equal(rl_attrs_apply(&s, &err), -1);
    assert_error(&err, "linux.memoryPolicy (MPOL_PREFERRED, nodes \"1\"): set_mempolicy (a node",
                 "Invalid argument");
    assert_null(fake_from("personality"));

    fake_reset();
    err = NULL;
    fake_fail_on = "personality";
    assert_int_equal(rl_attrs_apply(&s, &err), -1);
    assert_error(&err, "linux.personality (LINUX): personality", "Invalid argument");
    assert_non_null(fake_from("personality(0)"));
}

static void test_sched_hints(void **state)
{
    (void)state;
    static const struct {
        const char *policy;
        int e;
        const char *hint; /* NULL: no hint */
    } cases[] = {
        {"SCHED_DEADLINE", EPERM, " (SCHED_DEADLINE needs CAP_SYS_NICE"},
        {"SCHED_DEADLINE", EBUSY, " (deadline admission control refused"},
        {"SCHED_ISO", EINVAL, " (SCHED_ISO is not implemented"},
        {"SCHED_OTHER", EOPNOTSUPP, " (a SCHED_FLAG_UTIL_CLAMP_* flag needs"},
        {"SCHED_OTHER", EPERM, NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct rl_spec s = {0};
        s.process.scheduler.present = true;
        s.process.scheduler.policy = (char *)cases[i].policy;
        s.process.scheduler.runtime = 1000;
        fake_reset();
        fake_fail_on = "sched_setattr";
        fake_fail_errno = cases[i].e;
        struct rl_error *err = NULL;
        assert_int_equal(rl_attrs_apply(&s, &err), -1);
        /* the hint, if any, comes right after the call; the errno text ends it */
        _cleanup_free_ char *want =
            xasprintf("process.scheduler (%s): sched_setattr%s", cases[i].policy,
                      cases[i].hint ? cases[i].hint : ": ");
        const char *e = strerror(cases[i].e);
        size_t n = strlen(err->msg);
        if (strncmp(err->msg, want, strlen(want)) != 0 || n < strlen(e) ||
            strcmp(err->msg + n - strlen(e), e) != 0)
            fail_msg("case %zu: %s\nwant %s...%s", i, err->msg, want, e);
        rl_error_free(err);
    }
}

static void test_affinity(void **state)
{
    (void)state;
    struct rl_spec s = {0};
    s.process.exec_cpu_affinity.present = true;
    s.process.exec_cpu_affinity.initial = "0-1";
    s.process.exec_cpu_affinity.final = "3,70";
    struct rl_error *err = NULL;
    assert_int_equal(rl_attrs_affinity_initial(&s, &err), 0);
    assert_int_equal(rl_attrs_affinity_final(&s, &err), 0);
    assert_null(err);
    /* 2 CPUs: one 64-bit word; CPU 70: two words (the record shows the first) */
    assert_calls("sched_setaffinity(0,8,0x3)\n"
                 "sched_setaffinity(0,16,0x8)\n");

    fake_reset();
    fake_fail_on = "sched_setaffinity";
    assert_int_equal(rl_attrs_affinity_final(&s, &err), -1);
    assert_error(&err,
                 "process.execCPUAffinity.final (\"3,70\"): sched_setaffinity (no CPU of the "
                 "list is online",
                 "Invalid argument");
    fake_reset();
    fake_fail_on = "sched_setaffinity";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_attrs_affinity_initial(&s, &err), -1);
    assert_error(&err, "process.execCPUAffinity.initial (\"0-1\"): sched_setaffinity: ",
                 "Operation not permitted");
}

static void test_affinity_empty_and_bad(void **state)
{
    (void)state;
    struct rl_spec s = {0};
    s.process.exec_cpu_affinity.present = true;
    s.process.exec_cpu_affinity.initial = "";
    struct rl_error *err = NULL;
    /* empty list: left to the kernel; final NULL: nothing */
    assert_int_equal(rl_attrs_affinity_initial(&s, &err), 0);
    assert_int_equal(rl_attrs_affinity_final(&s, &err), 0);
    assert_calls("");
    s.process.exec_cpu_affinity.initial = "1-x";
    assert_int_equal(rl_attrs_affinity_initial(&s, &err), -1);
    assert_error(&err, "process.execCPUAffinity.initial: ", "1-x");
    assert_calls("");
}

static void test_sysctl_private_procfs(void **state)
{
    (void)state;
    struct rl_kv kv[] = {{"net.ipv4.ip_forward", "1"}};
    struct rl_spec s = {0};
    s.linux_.sysctl = kv;
    s.linux_.n_sysctl = 1;
    struct rl_error *err = NULL;
    fake_fail_on = "fsopen(proc)";
    fake_fail_errno = EPERM;
    assert_int_equal(rl_sysctl_apply(&s, &err), -1);
    assert_error(&err, "linux.sysctl: mount a private procfs: Operation not permitted", NULL);
    assert_calls("fsopen(proc)\n");

    /* the fake's fsmount gives /dev/null: "sys" cannot be opened beneath it */
    fake_reset();
    assert_int_equal(rl_sysctl_apply(&s, &err), -1);
    assert_error(&err, "linux.sysctl: open sys in the private procfs: ", "Not a directory");
    assert_non_null(fake_from("fsmount(0xe)"));
}

/* A stand-in for the private procfs: fsmount gives a directory of the test
 * with sys/net/ipv4/ip_forward in it, so the writes can be seen. */
static char proc_dir[PATH_MAX];
static int dir_fsmount(int fd, unsigned flags, unsigned attrs)
{
    (void)fd;
    (void)flags;
    if (fake_rec("fsmount(%#x)", attrs) < 0)
        return -1;
    return open(proc_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static char *read_all(const char *path)
{
    char buf[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return xstrdup(buf);
}

static void test_sysctl_writes(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/rl-test-linux-attrs-XXXXXX";
    char *dir = fake_make_tree(tmpl);
    assert_non_null(dir);
    snprintf(proc_dir, sizeof(proc_dir), "%s/rootfs", dir);
    snprintf(fake_root, sizeof(fake_root), "%s", proc_dir);
    _cleanup_free_ char *sys = xasprintf("%s/sys", proc_dir);
    _cleanup_free_ char *net = xasprintf("%s/sys/net", proc_dir);
    _cleanup_free_ char *ipv4 = xasprintf("%s/sys/net/ipv4", proc_dir);
    _cleanup_free_ char *fwd = xasprintf("%s/sys/net/ipv4/ip_forward", proc_dir);
    _cleanup_free_ char *link = xasprintf("%s/sys/net/ipv4/link", proc_dir);
    assert_int_equal(mkdir(sys, 0755) | mkdir(net, 0755) | mkdir(ipv4, 0755), 0);
    int fd = open(fwd, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(symlink("ip_forward", link), 0);
    struct rl_sys_ops ops = fake_linux_ops;
    ops.fsmount = dir_fsmount;
    rl_sys_set_ops(&ops);

    struct rl_kv kv[] = {{"net.ipv4.ip_forward", "1"}, {"net/ipv4/ip_forward", "0"}};
    struct rl_spec s = {0};
    s.linux_.sysctl = kv;
    s.linux_.n_sysctl = 2;
    struct rl_error *err = NULL;
    assert_int_equal(rl_sysctl_apply(&s, &err), 0);
    assert_null(err);
    /* both spellings reach the same file, in config order */
    assert_calls("fsopen(proc)\n"
                 "fsconfig(create)\n"
                 "fsmount(0xe)\n"
                 "write(/sys/net/ipv4/ip_forward,1)\n"
                 "write(/sys/net/ipv4/ip_forward,0)\n");
    _cleanup_free_ char *got = read_all(fwd);
    assert_string_equal(got, "0"); /* each write from offset 0, as in procfs: the last wins */

    fake_reset();
    fake_fail_on = "write(";
    fake_fail_errno = EACCES;
    s.linux_.n_sysctl = 1;
    assert_int_equal(rl_sysctl_apply(&s, &err), -1);
    assert_error(&err,
                 "linux.sysctl[\"net.ipv4.ip_forward\"]: write \"1\" to "
                 "/proc/sys/net/ipv4/ip_forward: Permission denied",
                 NULL);

    fake_reset();
    struct rl_kv missing[] = {{"net.ipv4.nope", "1"}};
    s.linux_.sysctl = missing;
    assert_int_equal(rl_sysctl_apply(&s, &err), -1);
    assert_error(&err,
                 "linux.sysctl[\"net.ipv4.nope\"]: no such sysctl (/proc/sys/net/ipv4/nope) in "
                 "this kernel",
                 NULL);

    /* a symlink is not followed (RESOLVE_NO_SYMLINKS) */
    struct rl_kv sl[] = {{"net.ipv4.link", "1"}};
    s.linux_.sysctl = sl;
    assert_int_equal(rl_sysctl_apply(&s, &err), -1);
    assert_error(
        &err, "linux.sysctl[\"net.ipv4.link\"]: open /proc/sys/net/ipv4/link: ", strerror(ELOOP));

    struct rl_kv bad[] = {{"net..x", "1"}};
    s.linux_.sysctl = bad;
    assert_int_equal(rl_sysctl_apply(&s, &err), -1);
    assert_error(&err, "linux.sysctl[\"net..x\"]: not a sysctl name", NULL);
    _cleanup_free_ char *again = read_all(fwd);
    assert_string_equal(again, "0"); /* the failed steps wrote nothing */

    fake_root[0] = '\0';
    fake_rm_tree(dir);
    free(dir);
}

static void test_check_joined(void **state)
{
    (void)state;
    struct rl_kv kv[] = {{"kernel.shmmax", "1"}};
    struct rl_namespace ns[] = {{RL_NS_IPC, "/proc/self/ns/ipc"}};
    struct rl_spec s = {0};
    s.linux_.sysctl = kv;
    s.linux_.n_sysctl = 1;
    s.linux_.namespaces = ns;
    s.linux_.n_namespaces = 1;
    struct rl_error *err = NULL;
    assert_int_equal(rl_sysctl_check_joined(&s, &err), -1);
    assert_error(&err,
                 "linux.sysctl[\"kernel.shmmax\"]: the ipc namespace /proc/self/ns/ipc is the "
                 "host's: the sysctl would change the host",
                 NULL);
    ns[0].path = "/nonexistent/ns/ipc";
    assert_int_equal(rl_sysctl_check_joined(&s, &err), -1);
    assert_error(&err,
                 "linux.sysctl[\"kernel.shmmax\"]: stat the ipc namespace /nonexistent/ns/ipc",
                 "No such file or directory");
    ns[0].path = NULL; /* a new namespace: nothing to check */
    assert_int_equal(rl_sysctl_check_joined(&s, &err), 0);

    struct rl_namespace uts[] = {{RL_NS_UTS, "/proc/self/ns/uts"}};
    struct rl_spec u = {0};
    u.linux_.namespaces = uts;
    u.linux_.n_namespaces = 1;
    assert_int_equal(rl_uts_check_joined(&u, &err), 0); /* no hostname */
    u.domainname = "example.org";
    assert_int_equal(rl_uts_check_joined(&u, &err), -1);
    assert_error(&err,
                 "domainname: the uts namespace /proc/self/ns/uts is the host's: setting the "
                 "domainname would change the host's",
                 NULL);
    u.hostname = "box";
    uts[0].path = "/nonexistent/uts";
    assert_int_equal(rl_uts_check_joined(&u, &err), -1);
    assert_error(&err, "hostname: stat the uts namespace /nonexistent/uts",
                 "No such file or directory");
    assert_calls("");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nothing_set_no_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_all_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scheduler_priority_and_empty_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_each_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sched_hints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_affinity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_affinity_empty_and_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sysctl_private_procfs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sysctl_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_joined, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
