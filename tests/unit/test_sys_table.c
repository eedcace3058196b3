/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* sys.c, the entries added for issue 15 step 4 (fork, clone, clone3,
 * mknodat, keyctl, bpf, control-file writes, the process attributes): each
 * passes its
 * arguments to the table, keeps errno, and with --debug is one log line
 * with its arguments, result and time; a table that leaves an entry NULL
 * gets the real call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <regex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "rustlet/log.h"
#include "rustlet/sys.h"
#include "rustlet/utils.h"
#include "../../src/cgroup/cgroup_internal.h"

/* ---- the recording fake: the new entries only ---- */

static char calls[4096];
static int fake_ret;
static int fake_errno;

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

static pid_t f_fork(void)
{
    return rec("fork()") < 0 ? -1 : 4242;
}
static long f_clone(unsigned long flags)
{
    return rec("clone(%#lx)", flags) < 0 ? -1 : 4243;
}
static long f_clone3(struct clone_args *a, size_t size)
{
    return rec("clone3(%#llx,%llu,%llu,%zu)", (unsigned long long)a->flags,
               (unsigned long long)a->exit_signal, (unsigned long long)a->cgroup, size) < 0
               ? -1
               : 4244;
}
/* BPF_PROG_QUERY reports one attached program (id 31); the fds it hands
 * out are real (the caller closes them) */
static long f_bpf(int cmd, void *attr, unsigned size)
{
    union bpf_attr *a = attr;
    if (cmd == BPF_PROG_QUERY)
        rec("bpf(%d,%u,fd %u,type %u)", cmd, size, a->query.target_fd, a->query.attach_type);
    else if (cmd == BPF_PROG_LOAD)
        rec("bpf(%d,%u,type %u,%u insns,log %u)", cmd, size, a->prog_type, a->insn_cnt,
            a->log_level);
    else if (cmd == BPF_PROG_GET_FD_BY_ID)
        rec("bpf(%d,%u,id %u)", cmd, size, a->prog_id);
    else
        rec("bpf(%d,%u,type %u,flags %#x)", cmd, size, a->attach_type, a->attach_flags);
    if (fake_ret < 0)
        return -1;
    if (cmd == BPF_PROG_QUERY) {
        if (a->query.prog_cnt > 0)
            ((uint32_t *)(uintptr_t)a->query.prog_ids)[0] = 31;
        a->query.prog_cnt = 1;
        return 0;
    }
    if (cmd == BPF_PROG_LOAD || cmd == BPF_PROG_GET_FD_BY_ID)
        return open("/dev/null", O_RDONLY | O_CLOEXEC);
    return 0;
}
static int f_mknodat(int dfd, const char *name, mode_t m, dev_t d)
{
    return rec("mknodat(%d,%s,%#o,%u,%u)", dfd, name, (unsigned)m, major(d), minor(d));
}
static long f_keyctl(int cmd, unsigned long a2, unsigned long a3, unsigned long a4,
                     unsigned long a5)
{
    return rec("keyctl(%d,%s,%lu,%lu,%lu)", cmd, (const char *)a2, a3, a4, a5) < 0 ? -1 : 77;
}
static int f_write_ctl(int fd, const char *value, size_t len)
{
    return rec("write_ctl(%.*s,%zu)", (int)len, value, len);
}
static int f_sched_setaffinity(pid_t pid, size_t len, const void *mask)
{
    return rec("sched_setaffinity(%d,%zu,%#llx)", (int)pid, len,
               (unsigned long long)*(const uint64_t *)mask);
}
static int f_sched_setattr(pid_t pid, struct rl_sys_sched_attr *a, unsigned flags)
{
    return rec("sched_setattr(%d,size=%u,policy=%u,prio=%u,%u)", (int)pid, a->size, a->sched_policy,
               a->sched_priority, flags);
}
static int f_ioprio_set(int which, int who, int ioprio)
{
    return rec("ioprio_set(%d,%d,%#x)", which, who, ioprio);
}
static int f_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode)
{
    return rec("set_mempolicy(%#x,%#lx,%lu)", mode, nodemask ? nodemask[0] : 0UL, maxnode);
}
static int f_personality(unsigned long persona)
{
    return rec("personality(%#lx)", persona);
}
static int f_open_tree(int dfd, const char *path, unsigned flags)
{
    return rec("open_tree(%d,%s,%#x)", dfd, path, flags) < 0 ? -1 : 9;
}
static int f_mount_setattr(int dfd, const char *path, unsigned flags, void *attr, size_t size)
{
    const struct mount_attr *a = attr;
    return rec("mount_setattr(%d,%s,%#x,%#llx,%llu,%zu)", dfd, path, flags,
               (unsigned long long)a->attr_set, (unsigned long long)a->userns_fd, size);
}

static const struct rl_sys_ops fake_ops = {
    .fork = f_fork,
    .clone = f_clone,
    .clone3 = f_clone3,
    .bpf = f_bpf,
    .mknodat = f_mknodat,
    .keyctl = f_keyctl,
    .write_ctl = f_write_ctl,
    .sched_setaffinity = f_sched_setaffinity,
    .sched_setattr = f_sched_setattr,
    .ioprio_set = f_ioprio_set,
    .set_mempolicy = f_set_mempolicy,
    .personality = f_personality,
    .open_tree = f_open_tree,
    .mount_setattr = f_mount_setattr,
};

/* ---- the log file (as in test_sys.c) ---- */

static char log_path[] = "/tmp/rl-test-sys-table-log-XXXXXX";
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
    rl_sys_set_ops(&fake_ops);
    struct stat st;
    if (stat(log_path, &st) < 0)
        return -1;
    log_off = st.st_size;
    return 0;
}

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

/* ---- the cases ---- */

static void test_fork_and_clone(void **state)
{
    assert_int_equal(rl_sys_fork("a helper"), 4242);
    assert_one_debug_line("fork(a helper) = 4242");
    setup(state);
    assert_int_equal(rl_sys_clone(CLONE_NEWUSER | SIGCHLD, "userns helper"), 4243);
    _cleanup_free_ char *want = xasprintf("clone(%#lx);", (unsigned long)(CLONE_NEWUSER | SIGCHLD));
    assert_string_equal(calls, want);
    _cleanup_free_ char *line =
        xasprintf("clone(%#lx, userns helper) = 4243", (unsigned long)(CLONE_NEWUSER | SIGCHLD));
    assert_one_debug_line(line);
}

static void test_fork_failure_keeps_errno(void **state)
{
    fake_ret = -1;
    fake_errno = EAGAIN;
    errno = 0;
    assert_int_equal(rl_sys_fork("x"), -1);
    assert_int_equal(errno, EAGAIN);
    assert_one_debug_line("fork(x) = -1 Resource temporarily unavailable");
}

/* NULL entries: the real fork; the log line is the parent's alone. */
static void test_real_fork_logged_by_the_parent_only(void **state)
{
    static const struct rl_sys_ops empty = {0};
    rl_sys_set_ops(&empty);
    pid_t pid = rl_sys_fork("a real child");
    if (pid == 0)
        _exit(7);
    assert_true(pid > 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    _cleanup_free_ char *line = xasprintf("fork(a real child) = %d", (int)pid);
    assert_one_debug_line(line);
}

static void test_clone3_flags_by_name(void **state)
{
    struct clone_args a = {.flags = CLONE_PIDFD, .exit_signal = SIGCHLD};
    assert_int_equal(rl_sys_clone3(&a, sizeof(a), "exec: the new process"), 4244);
    _cleanup_free_ char *want =
        xasprintf("clone3(%#llx,%d,0,%zu);", (unsigned long long)CLONE_PIDFD, SIGCHLD, sizeof(a));
    assert_string_equal(calls, want);
    assert_one_debug_line("clone3(CLONE_PIDFD, exit_signal SIGCHLD, exec: the new process) = 4244");

    /* the init's: namespaces, the cgroup fd, a bit without a name */
    setup(state);
    struct clone_args b = {
        .flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_INTO_CGROUP | (1ULL << 40),
        .exit_signal = SIGCHLD,
        .cgroup = 7,
    };
    assert_int_equal(rl_sys_clone3(&b, sizeof(b), "the container init"), 4244);
    assert_one_debug_line("clone3(CLONE_NEWNS|CLONE_NEWUSER|CLONE_NEWPID|CLONE_INTO_CGROUP|"
                          "0x10000000000, exit_signal SIGCHLD, cgroup fd 7, the container init) "
                          "= 4244");

    setup(state);
    struct clone_args c = {.exit_signal = 0};
    assert_int_equal(rl_sys_clone3(&c, sizeof(c), "x"), 4244);
    assert_one_debug_line("clone3(0, exit_signal 0, x) = 4244");
}

static void test_clone3_failure_keeps_errno(void **state)
{
    fake_ret = -1;
    fake_errno = ENOSYS;
    errno = 0;
    struct clone_args a = {.flags = CLONE_PIDFD, .exit_signal = SIGCHLD};
    assert_int_equal(rl_sys_clone3(&a, sizeof(a), "x"), -1);
    assert_int_equal(errno, ENOSYS);
    assert_one_debug_line("clone3(CLONE_PIDFD, exit_signal SIGCHLD, x) = -1 Function not "
                          "implemented");
}

/* NULL entries: the real clone3; the child returns 0 and writes no line,
 * CLONE_PIDFD's fd reaches the parent. */
static void test_real_clone3_logged_by_the_parent_only(void **state)
{
    static const struct rl_sys_ops empty = {0};
    rl_sys_set_ops(&empty);
    int pidfd = -1;
    struct clone_args a = {
        .flags = CLONE_PIDFD,
        .pidfd = (uint64_t)(uintptr_t)&pidfd,
        .exit_signal = SIGCHLD,
    };
    pid_t pid = rl_sys_clone3(&a, sizeof(a), "a real child");
    if (pid == 0)
        _exit(9);
    assert_true(pid > 0);
    assert_true(pidfd >= 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 9);
    close(pidfd);
    _cleanup_free_ char *line =
        xasprintf("clone3(CLONE_PIDFD, exit_signal SIGCHLD, a real child) = %d", (int)pid);
    assert_one_debug_line(line);
}

static void test_bpf_command_by_name(void **state)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_id = 5;
    int fd = (int)rl_sys_bpf(BPF_PROG_GET_FD_BY_ID, &a, sizeof(a), "prog id 5");
    assert_true(fd >= 0);
    close(fd);
    _cleanup_free_ char *want =
        xasprintf("bpf(%d,%zu,id 5);", (int)BPF_PROG_GET_FD_BY_ID, sizeof(a));
    assert_string_equal(calls, want);
    _cleanup_free_ char *line = xasprintf("bpf(BPF_PROG_GET_FD_BY_ID, prog id 5) = %d", fd);
    assert_one_debug_line(line);

    setup(state);
    fake_ret = -1;
    fake_errno = EPERM;
    errno = 0;
    memset(&a, 0, sizeof(a));
    assert_int_equal(rl_sys_bpf(99, &a, sizeof(a), "x"), -1);
    assert_int_equal(errno, EPERM);
    assert_one_debug_line("bpf(bpf cmd 99, x) = -1 Operation not permitted");
}

/* cgroup_devices.c through the table: query what is attached, load the
 * new program, attach it, then detach the old one, each a line with the
 * cgroup directory */
static void test_device_program_through_the_table(void **state)
{
    char dir[] = "/tmp/rl-test-sys-table-cg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct rl_device_cgroup deny_all = {.allow = false, .access = (char *)"rwm"};
    struct rl_device_cgroup null_dev = {.allow = true,
                                        .type = (char *)"c",
                                        .has_major = true,
                                        .major = 1,
                                        .has_minor = true,
                                        .minor = 3,
                                        .access = (char *)"rwm"};
    struct rl_device_cgroup rules[] = {deny_all, null_dev};
    struct rl_error *err = NULL;
    assert_int_equal(cgv2_devices_apply(dir, rules, 2, &err), 0);
    assert_null(err);
    struct bpf_insn *insns;
    size_t n;
    assert_int_equal(cg_dev_program(rules, 2, &insns, &n, &err), 0);
    free(insns);
    char *p = calls;
    const char *want[] = {
        xasprintf("bpf(%d,%zu,fd ", (int)BPF_PROG_QUERY, sizeof(union bpf_attr)),
        xasprintf("bpf(%d,%zu,type %u,%zu insns,log 0);", (int)BPF_PROG_LOAD,
                  sizeof(union bpf_attr), (unsigned)BPF_PROG_TYPE_CGROUP_DEVICE, n),
        xasprintf("bpf(%d,%zu,type %u,flags %#x);", (int)BPF_PROG_ATTACH, sizeof(union bpf_attr),
                  (unsigned)BPF_CGROUP_DEVICE, (unsigned)BPF_F_ALLOW_MULTI),
        xasprintf("bpf(%d,%zu,id 31);", (int)BPF_PROG_GET_FD_BY_ID, sizeof(union bpf_attr)),
        xasprintf("bpf(%d,%zu,type %u,flags 0);", (int)BPF_PROG_DETACH, sizeof(union bpf_attr),
                  (unsigned)BPF_CGROUP_DEVICE),
    };
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        char *at = strstr(p, want[i]);
        if (at == NULL)
            fail_msg("calls\n  %s\nwant, after %td\n  %s", calls, p - calls, want[i]);
        p = at + strlen(want[i]);
        free((char *)want[i]);
    }
    _cleanup_free_ char *log = new_log();
    _cleanup_free_ char *l1 = xasprintf("bpf(BPF_PROG_QUERY, %s) = 0", dir);
    _cleanup_free_ char *l2 =
        xasprintf("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, %zu insns) = ", n);
    _cleanup_free_ char *l3 = xasprintf("to %s, BPF_F_ALLOW_MULTI) = 0", dir);
    _cleanup_free_ char *l4 = xasprintf("bpf(BPF_PROG_DETACH, prog id 31 from %s) = 0", dir);
    const char *lines[] = {
        l1, l2, "bpf(BPF_PROG_ATTACH, prog fd ", l3, "bpf(BPF_PROG_GET_FD_BY_ID, prog id 31) = ",
        l4};
    const char *q = log;
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
        const char *at = strstr(q, lines[i]);
        if (at == NULL)
            fail_msg("log\n%s\nwant, in order\n  %s", log, lines[i]);
        q = at + strlen(lines[i]);
    }
    rmdir(dir);
}

/* A failed load names the call and errno, after a second load for the
 * verifier's log. */
static void test_device_program_load_failure(void **state)
{
    char dir[] = "/tmp/rl-test-sys-table-cg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct rl_device_cgroup deny_all = {.allow = false, .access = (char *)"rwm"};
    fake_ret = -1;
    fake_errno = EPERM;
    struct rl_error *err = NULL;
    assert_int_equal(cgv2_devices_apply(dir, &deny_all, 1, &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err->msg, "BPF_PROG_LOAD"));
    assert_non_null(strstr(err->msg, "Operation not permitted"));
    rl_error_free(err);
    /* the query failed too, so nothing to detach; the load ran twice (the
     * second time for the verifier's log) */
    struct bpf_insn *insns;
    size_t n;
    assert_int_equal(cg_dev_program(&deny_all, 1, &insns, &n, &err), 0);
    free(insns);
    _cleanup_free_ char *want = xasprintf(
        "bpf(%d,%zu,type %u,%zu insns,log 0);bpf(%d,%zu,type %u,%zu insns,log 1);",
        (int)BPF_PROG_LOAD, sizeof(union bpf_attr), (unsigned)BPF_PROG_TYPE_CGROUP_DEVICE, n,
        (int)BPF_PROG_LOAD, sizeof(union bpf_attr), (unsigned)BPF_PROG_TYPE_CGROUP_DEVICE, n);
    assert_non_null(strstr(calls, want));
    rmdir(dir);
}

static void test_mknodat_shows_the_directory(void **state)
{
    char dir[] = "/tmp/rl-test-sys-table-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(rl_sys_mknodat(fd, "fifo", S_IFIFO | 0640, 0), 0);
    _cleanup_free_ char *want = xasprintf("mknodat(%d,fifo,%#o,0,0);", fd, S_IFIFO | 0640);
    assert_string_equal(calls, want);
    _cleanup_free_ char *line =
        xasprintf("mknodat(%s/fifo (fd %d), %#o, 0:0) = 0", dir, fd, S_IFIFO | 0640);
    assert_one_debug_line(line);
    close(fd);
    rmdir(dir);
}

static void test_keyctl_join(void **state)
{
    assert_int_equal(rl_sys_join_session_keyring("_ses.c1"), 77);
    assert_string_equal(calls, "keyctl(1,_ses.c1,0,0,0);");
    assert_one_debug_line("keyctl(KEYCTL_JOIN_SESSION_KEYRING, _ses.c1) = 77");
}

static void test_write_ctl_through_the_table(void **state)
{
    assert_int_equal(rl_sys_write_ctl_fd(5, "1", "/proc/sys/net/ipv4/ip_forward"), 0);
    assert_string_equal(calls, "write_ctl(1,1);");
    assert_one_debug_line("write(/proc/sys/net/ipv4/ip_forward, \\\"1\\\") = 0");
    setup(state);
    fake_ret = -1;
    fake_errno = EINVAL;
    errno = 0;
    assert_int_equal(rl_sys_write_ctl(AT_FDCWD, "/dev/null", "deny"), -1);
    assert_int_equal(errno, EINVAL);
    assert_string_equal(calls, "write_ctl(deny,4);");
    assert_one_debug_line("write(/dev/null, \\\"deny\\\") = -1 Invalid argument");
}

/* NULL write_ctl: the real write into the file. */
static void test_write_ctl_real(void **state)
{
    static const struct rl_sys_ops empty = {0};
    rl_sys_set_ops(&empty);
    char path[] = "/tmp/rl-test-sys-table-ctl-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(rl_sys_write_ctl(AT_FDCWD, path, "12345"), 0);
    struct rl_error *err = NULL;
    _cleanup_free_ char *got = rl_read_file_at(AT_FDCWD, path, 0, NULL, &err);
    assert_non_null(got);
    assert_string_equal(got, "12345");
    unlink(path);
}

static void test_process_attributes(void **state)
{
    uint64_t mask = 0x5;
    assert_int_equal(rl_sys_sched_setaffinity(sizeof(mask), &mask, "0,2"), 0);
    assert_string_equal(calls, "sched_setaffinity(0,8,0x5);");
    assert_one_debug_line("sched_setaffinity(0, \\\"0,2\\\") = 0");

    setup(state);
    struct rl_sys_sched_attr a = {.size = sizeof(a), .sched_policy = 1, .sched_priority = 10};
    assert_int_equal(rl_sys_sched_setattr(&a, "SCHED_FIFO"), 0);
    _cleanup_free_ char *want =
        xasprintf("sched_setattr(0,size=%zu,policy=1,prio=10,0);", sizeof(a));
    assert_string_equal(calls, want);
    assert_one_debug_line("sched_setattr(0, {policy SCHED_FIFO, nice 0, priority 10, flags 0, "
                          "runtime 0, deadline 0, period 0}) = 0");

    setup(state);
    assert_int_equal(rl_sys_ioprio_set(1, 0, (2 << 13) | 4, "IOPRIO_CLASS_BE 4"), 0);
    assert_string_equal(calls, "ioprio_set(1,0,0x4004);");
    assert_one_debug_line("ioprio_set(1, 0, IOPRIO_CLASS_BE 4) = 0");

    setup(state);
    unsigned long nodes = 0x3;
    fake_ret = -1;
    fake_errno = EINVAL;
    errno = 0;
    assert_int_equal(rl_sys_set_mempolicy(3, &nodes, 3, "0-1"), -1);
    assert_int_equal(errno, EINVAL);
    assert_string_equal(calls, "set_mempolicy(0x3,0x3,3);");
    assert_one_debug_line("set_mempolicy(0x3, \\\"0-1\\\", maxnode 3) = -1 Invalid argument");

    setup(state);
    assert_int_equal(rl_sys_personality(0x8, "LINUX32"), 0);
    assert_string_equal(calls, "personality(0x8);");
    assert_one_debug_line("personality(0x8 LINUX32) = 0");
}

static void test_open_tree_and_idmap(void **state)
{
    assert_int_equal(
        rl_sys_open_tree(AT_FDCWD, "/src", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE), 9);
    _cleanup_free_ char *want =
        xasprintf("open_tree(%d,/src,%#x);", AT_FDCWD,
                  (unsigned)(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    assert_string_equal(calls, want);
    assert_one_debug_line("open_tree(/src, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE) = 9");

    setup(state);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = 12};
    assert_int_equal(rl_sys_mount_setattr_fd(9, AT_RECURSIVE, &attr, sizeof(attr), "/src"), 0);
    _cleanup_free_ char *want2 =
        xasprintf("mount_setattr(9,,%#x,%#llx,12,%zu);", (unsigned)(AT_EMPTY_PATH | AT_RECURSIVE),
                  (unsigned long long)MOUNT_ATTR_IDMAP, sizeof(attr));
    assert_string_equal(calls, want2);
    _cleanup_free_ char *line =
        xasprintf("mount_setattr(/src, %#x, set %#llx, clear 0, userns fd 12) = 0",
                  (unsigned)AT_RECURSIVE, (unsigned long long)MOUNT_ATTR_IDMAP);
    assert_one_debug_line(line);
}

#define T(f) cmocka_unit_test_setup(f, setup)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_fork_and_clone),
        T(test_fork_failure_keeps_errno),
        T(test_real_fork_logged_by_the_parent_only),
        T(test_clone3_flags_by_name),
        T(test_clone3_failure_keeps_errno),
        T(test_real_clone3_logged_by_the_parent_only),
        T(test_bpf_command_by_name),
        T(test_device_program_through_the_table),
        T(test_device_program_load_failure),
        T(test_mknodat_shows_the_directory),
        T(test_keyctl_join),
        T(test_write_ctl_through_the_table),
        T(test_write_ctl_real),
        T(test_process_attributes),
        T(test_open_tree_and_idmap),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
