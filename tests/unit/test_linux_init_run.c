/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* init.c past the read-only root, in a forked child with the fake syscall
 * table: the test plays the runtime's side of the sync protocol (sync.h)
 * and of `start` (the exec fifo). The init changes only the child's own
 * identity (process.user is the test's own uid/gid; the default
 * capabilities only when the test runs as root), and each case ends
 * before a real execve: the startContainer hook removes the executable, or
 * a seccomp profile refuses execve, or a fake call fails a step. Also the
 * slow path (stage 1 forks the init), the user, cgroup and time
 * namespaces, and no mount namespace (chroot). The children record into
 * shared memory; the test is their subreaper, so it reaps the init that
 * stage 1 forked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "rustlet/sync.h"
#include "test_linux_fake.h"

/* The init ends with _exit: with --coverage the child's counters are
 * written first (this definition is the one the core library's calls bind
 * to in this program), so the init's lines count as tested. */
extern void __gcov_dump(void) __attribute__((weak));
void _exit(int status)
{
    if (__gcov_dump)
        __gcov_dump();
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

#define SHARED_SIZE (1 << 20)
/* shared memory: the calls, then what the hook_state callback saw, then
 * the init's seccomp step */
struct shared {
    char calls[SHARED_SIZE - 4096];
    char states[2048];
    char seccomp_step[RL_SECCOMP_STEP_MAX];
};

static struct shared *sh;
static char *tree, *rootfs, *exe;
static const char *proc_type; /* the last fsopen's type */

/* fsopen/fsmount of "proc" give the runtime's /proc (O_PATH), so that the
 * init reopens the exec fifo through it after the (fake) pivot */
static int run_fsopen(const char *fstype, unsigned flags)
{
    proc_type = fstype;
    return fake_fsopen(fstype, flags);
}
static int run_fsmount(int fd, unsigned flags, unsigned attrs)
{
    if (fake_fsmount(fd, flags, attrs) < 0)
        return -1;
    if (proc_type && strcmp(proc_type, "proc") == 0)
        return open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
    return fake_null_fd();
}

static struct rl_sys_ops run_ops;

static int group_setup(void **state)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    char tmpl[] = "/tmp/rl-test-linux-init-run-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (tree == NULL)
        return -1;
    rootfs = xasprintf("%s/rootfs", tree);
    exe = xasprintf("%s/exe", tree);
    run_ops = fake_linux_ops;
    run_ops.fsopen = run_fsopen;
    run_ops.fsmount = run_fsmount;
    /* the init that stage 1 forks is reparented to us */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    munmap(sh, sizeof(*sh));
    fake_rm_tree(tree);
    free(rootfs);
    free(exe);
    free(tree);
    return 0;
}

/* Replace the first occurrence of from in *s with to. */
static void patch(char **s, const char *from, const char *to)
{
    char *at = strstr(*s, from);
    assert_non_null(at);
    char *n = xasprintf("%.*s%s%s", (int)(at - *s), *s, to, at + strlen(from));
    free(*s);
    *s = n;
}

/* The default config, without network namespace and terminal, its user the
 * test's own, then the edits: pairs of (text, replacement). */
static struct rl_spec *make_spec(const char *const *edits)
{
    char *json = rl_spec_default_json(false);
    patch(&json, "\"terminal\": true", "\"terminal\": false");
    patch(&json, "{\n\t\t\t\t\"type\": \"network\"\n\t\t\t},", "");
    _cleanup_free_ char *user =
        xasprintf("\"uid\": %u,\n\t\t\t\"gid\": %u", (unsigned)getuid(), (unsigned)getgid());
    patch(&json, "\"uid\": 0,\n\t\t\t\"gid\": 0", user);
    if (geteuid() != 0) /* what an unprivileged process cannot set */
        patch(&json, "\"capabilities\": {", "\"x-capabilities\": {");
    _cleanup_free_ char *args = xasprintf("\"args\": [\n\t\t\t\"%s\"", exe);
    patch(&json, "\"args\": [\n\t\t\t\"sh\"", args);
    for (size_t i = 0; edits && edits[i]; i += 2)
        patch(&json, edits[i], edits[i + 1]);
    struct rl_error *err = NULL;
    struct rl_spec *spec = rl_spec_parse(json, strlen(json), &err);
    if (spec == NULL)
        fail_msg("config: %s\n%s", err->msg, json);
    free(json);
    return spec;
}

/* The OCI state the hooks get: records which pid it was asked for. */
static char *hook_state(const void *arg, pid_t pid)
{
    size_t o = strlen(sh->states);
    snprintf(sh->states + o, sizeof(sh->states) - o, "%s:%d\n", (const char *)arg, (int)pid);
    return xasprintf("{\"pid\":%d}", (int)pid);
}

struct run {
    const char *fail_on; /* fake call to fail (NULL: none) */
    int fail_errno;
    bool slow_path, runtime_hooks;
    bool real_pidns; /* the child unshares a pid namespace for real */
    pid_t stage1, init;
    int sock, fifo; /* the parent's ends */
};

/* Fork the init with the fake table, send GO. */
static void start_init(struct run *r, const struct rl_spec *spec)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    _cleanup_free_ char *fifo = xasprintf("%s/exec.fifo", tree);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    memset(sh, 0, sizeof(*sh));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
            _exit(2);
        fake_calls = sh->calls;
        fake_calls_size = sizeof(sh->calls);
        fake_reset();
        snprintf(fake_root, sizeof(fake_root), "%s", rootfs);
        fake_fail_on = r->fail_on;
        fake_fail_errno = r->fail_errno;
        fake_mknod_errno = EPERM;
        rl_sys_set_ops(&run_ops);
        if (chdir("/") < 0 || (r->real_pidns && unshare(CLONE_NEWPID) < 0))
            _exit(2);
        struct rl_init_args a = {0};
        a.spec = spec;
        a.id = "unit";
        a.bundle = tree;
        a.rootfs = rootfs;
        a.sync_fd = sv[1];
        a.fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
        a.proc_fd = -1;
        a.console_fd = -1;
        a.seccomp_listener = -1;
        a.slow_path = r->slow_path;
        a.runtime_hooks = r->runtime_hooks;
        a.hook_state = hook_state;
        a.hook_state_arg = "state";
        a.seccomp_step = sh->seccomp_step;
        rl_init_main(&a);
    }
    close(sv[1]);
    r->sock = sv[0];
    r->stage1 = pid;
    r->init = pid;
    r->fifo = -1;
    assert_int_equal(sync_send(r->sock, SYNC_GO, 0), 0);
}

/* The exit status of pid (a child or, through the subreaper, a grandchild). */
static int status_of(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* After READY: ack, then `start`: open the fifo, read to EOF. */
static char *start_and_read(struct run *r, pid_t hostpid)
{
    assert_int_equal(sync_send(r->sock, SYNC_READY_ACK, hostpid), 0);
    _cleanup_free_ char *fifo = xasprintf("%s/exec.fifo", tree);
    int fd = open(fifo, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    char buf[4096];
    size_t o = 0;
    ssize_t n;
    while ((n = read(fd, buf + o, sizeof(buf) - 1 - o)) > 0)
        o += (size_t)n;
    buf[o] = '\0';
    close(fd);
    close(r->sock);
    return xstrdup(buf);
}

/* Expect the init to fail before READY with want (exit status 1). */
static void expect_error(struct run *r, const char *want)
{
    struct rl_error *err = NULL;
    assert_int_equal(sync_expect(r->sock, SYNC_READY, NULL, &err), -1);
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s\ncalls:\n%s", err->msg, want, sh->calls);
    rl_error_free(err);
    close(r->sock);
    assert_int_equal(status_of(r->init), 1);
}

static long line_of(const char *what)
{
    long n = 0;
    for (const char *p = sh->calls; *p; p = strchr(p, '\n') + 1, n++)
        if (strncmp(p, what, strlen(what)) == 0)
            return n;
    return -1;
}

static void make_exe(void)
{
    int fd = open(exe, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0755);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
    close(fd);
}

static char *slurp(const char *path)
{
    size_t len = 0;
    struct rl_error *err = NULL;
    char *s = rl_read_file_at(AT_FDCWD, path, 4096, &len, &err);
    rl_error_free(err);
    return s;
}

/* The whole init: the runtime hooks step with the host pid, the
 * createContainer hook, domainname after hostname, READY, the fifo's "0",
 * the startContainer hook (which removes the executable), the failed
 * execve written to the fifo after the "0", exit 127. */
static void test_through_start(void **state)
{
    make_exe();
    _cleanup_free_ char *cc = xasprintf("%s/created", tree);
    _cleanup_free_ char *sc = xasprintf("%s/started", tree);
    _cleanup_free_ char *hooks = xasprintf(
        "\"hostname\": \"rustlet\",\n\t\"domainname\": \"unit.example\",\n"
        "\t\"hooks\": {\"createContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
        "\"cat > %s\"]}],\n"
        "\t\"startContainer\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", "
        "\"cat > %s && rm %s\"]}]},",
        cc, sc, exe);
    const char *edits[] = {"\"hostname\": \"rustlet\",", hooks, NULL};
    struct rl_spec *spec = make_spec(edits);
    struct run r = {.runtime_hooks = true};
    unlink(cc);
    unlink(sc);
    start_init(&r, spec);
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_HOOKS, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    /* not yet pivoted at the runtime hooks step */
    assert_int_equal(line_of("pivot_root("), -1);
    assert_true(line_of("mount(proc,/proc,proc,") >= 0);
    assert_int_equal(sync_send(r.sock, SYNC_HOOKS_DONE, 4242), 0);
    if (sync_expect(r.sock, SYNC_READY, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    /* the createContainer hook ran, with the state of the host pid */
    _cleanup_free_ char *created = slurp(cc);
    assert_non_null(created);
    assert_string_equal(created, "{\"pid\":4242}");
    assert_null(slurp(sc));
    _cleanup_free_ char *out = start_and_read(&r, 4243);
    _cleanup_free_ char *want =
        xasprintf("0process.args[0]: exec %s: No such file or directory", exe);
    assert_string_equal(out, want);
    assert_int_equal(status_of(r.init), 127);
    _cleanup_free_ char *started = slurp(sc);
    assert_non_null(started);
    assert_string_equal(started, "{\"pid\":4243}");
    assert_string_equal(sh->states, "state:4242\nstate:4243\n");
    /* domainname after hostname, the init's procfs between the mounts and
     * the pivot, then the read-only root; nothing chroots with a mount
     * namespace */
    const char *steps[] = {
        "sethostname(rustlet)",
        "setdomainname(unit.example)",
        "mount(ROOT,ROOT,NULL,MS_BIND",
        "fsopen(proc)",
        "pivot_root(.,.)",
        "mount(NULL,/,NULL,MS_RDONLY",
    };
    long prev = -1;
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        long at = line_of(steps[i]);
        if (at <= prev)
            fail_msg("step %s at %ld, before %ld:\n%s", steps[i], at, prev, sh->calls);
        prev = at;
    }
    assert_int_equal(line_of("chroot("), -1);
    rl_spec_free(spec);
}

/* A startContainer hook that fails: its error goes to `start` through the
 * fifo, after the "0"; nothing is executed. */
static void test_start_hook_fails(void **state)
{
    make_exe();
    const char *edits[] = {"\"hostname\": \"rustlet\",",
                           "\"hostname\": \"rustlet\",\n\t\"hooks\": {\"startContainer\": "
                           "[{\"path\": \"/bin/false\"}]},",
                           NULL};
    struct rl_spec *spec = make_spec(edits);
    struct run r = {0};
    start_init(&r, spec);
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_READY, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    _cleanup_free_ char *out = start_and_read(&r, 7);
    if (strncmp(out, "0hooks.startContainer[0] (/bin/false)", 37) != 0)
        fail_msg("fifo: %s", out);
    assert_int_equal(status_of(r.init), 1);
    assert_string_equal(sh->states, "state:7\n");
    rl_spec_free(spec);
}

/* noNewPrivileges: the filter is loaded right before execve; a profile that
 * refuses execve says so in the error, exit 126. */
static void test_seccomp_refuses_execve(void **state)
{
    make_exe();
    const char *edits[] = {
        "\"linux\": {",
        "\"linux\": {\n\t\t\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
        "[{\"names\": [\"execve\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]},",
        NULL};
    struct rl_spec *spec = make_spec(edits);
    struct run r = {0};
    start_init(&r, spec);
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_READY, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    _cleanup_free_ char *out = start_and_read(&r, 7);
    /* and only that: the hint about a filter loaded early would be wrong */
    _cleanup_free_ char *want =
        xasprintf("0process.args[0]: exec %s (the linux.seccomp profile may refuse execve, or a "
                  "syscall made before it): Operation not permitted",
                  exe);
    assert_string_equal(out, want);
    assert_int_equal(status_of(r.init), 126);
    rl_spec_free(spec);
}

/* Without noNewPrivileges (root only: loading then needs CAP_SYS_ADMIN) the
 * filter goes in before the user switch: a profile refusing chdir fails
 * process.cwd, the error says the filter may be why, and the step that ran
 * under it is named in the shared memory. */
static void test_seccomp_early(void **state)
{
    if (geteuid() != 0)
        skip();
    make_exe();
    const char *edits[] = {
        "\"linux\": {",
        "\"linux\": {\n\t\t\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
        "[{\"names\": [\"chdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1}]},",
        "\"noNewPrivileges\": true", "\"noNewPrivileges\": false", NULL};
    struct rl_spec *spec = make_spec(edits);
    struct run r = {0};
    start_init(&r, spec);
    expect_error(&r, "under linux.seccomp (loaded before this step because "
                     "process.noNewPrivileges is false), whose profile may refuse the syscall: "
                     "process.cwd: chdir /: Operation not permitted");
    assert_string_equal(sh->seccomp_step,
                        "process.user and process.capabilities (setgroups, setresgid, "
                        "setresuid, capset, prctl), process.cwd (chdir, getcwd)");
    rl_spec_free(spec);
}

/* The init's procfs falls back to the runtime's /proc when procfs cannot be
 * mounted: the exec fifo is reopened through it. The executable, found
 * before READY, is gone at execve: exit 127. */
static void test_proc_fallback(void **state)
{
    make_exe();
    struct rl_spec *spec = make_spec(NULL);
    struct run r = {.fail_on = "fsopen(proc)", .fail_errno = EPERM};
    start_init(&r, spec);
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_READY, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    assert_int_equal(unlink(exe), 0);
    _cleanup_free_ char *out = start_and_read(&r, 7);
    _cleanup_free_ char *want =
        xasprintf("0process.args[0]: exec %s: No such file or directory", exe);
    assert_string_equal(out, want);
    assert_int_equal(status_of(r.init), 127);
    rl_spec_free(spec);
}

/* Add namespaces to the default config. */
static struct rl_spec *spec_with_ns(const char *types, const char *const *more)
{
    _cleanup_free_ char *ns = xasprintf("\"namespaces\": [%s", types);
    const char *edits[8] = {"\"namespaces\": [", ns};
    size_t n = 2;
    for (size_t i = 0; more && more[i] && n < 6; i++)
        edits[n++] = more[i];
    edits[n] = NULL;
    return make_spec(edits);
}

/* cgroup and time namespaces are unshared by the init itself, in that
 * order, after the hostname... before it; each failure names the
 * namespace. */
static void test_cgroup_time_ns(void **state)
{
    struct rl_spec *spec = spec_with_ns("{\"type\": \"cgroup\"}, {\"type\": \"time\"},", NULL);
    static const struct {
        const char *on, *want;
    } cases[] = {
        {"unshare(0x2000000)",
         "linux.namespaces (cgroup): unshare(CLONE_NEWCGROUP): Operation not permitted"},
        {"unshare(0x80)", "linux.namespaces (time): unshare(CLONE_NEWTIME): Operation not "
                          "permitted"},
        {"sethostname(", "hostname: sethostname \"rustlet\": Operation not permitted"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct run r = {.fail_on = cases[i].on, .fail_errno = EPERM};
        start_init(&r, spec);
        expect_error(&r, cases[i].want);
    }
    /* the last run got through both, in order, and entered the new time
     * namespace (if this kernel has them) before the hostname */
    long cg = line_of("unshare(0x2000000)"), tm = line_of("unshare(0x80)");
    long host = line_of("sethostname(");
    assert_true(cg >= 0 && cg < tm && tm < host);
    if (access("/proc/self/ns/time_for_children", F_OK) == 0) {
        long setns = line_of("setns(");
        assert_true(setns > tm && setns < host);
    }
    rl_spec_free(spec);
}

/* Time offsets are written for real into /proc/self/timens_offsets, which
 * only a fresh time namespace accepts: the (fake) unshare made none, so the
 * kernel's refusal is reported with the config path. */
static void test_time_offsets(void **state)
{
    const char *more[] = {"\"linux\": {",
                          "\"linux\": {\n\t\t\"timeOffsets\": {\"monotonic\": {\"secs\": 5}, "
                          "\"boottime\": {\"secs\": 1, \"nanosecs\": 2}},",
                          NULL};
    struct rl_spec *spec = spec_with_ns("{\"type\": \"time\"},", more);
    struct run r = {0};
    start_init(&r, spec);
    struct rl_error *err = NULL;
    assert_int_equal(sync_expect(r.sock, SYNC_READY, NULL, &err), -1);
    assert_non_null(err);
    if (strncmp(err->msg, "linux.timeOffsets: write /proc/self/timens_offsets: ", 52) != 0)
        fail_msg("error: %s", err->msg);
    rl_error_free(err);
    close(r.sock);
    assert_int_equal(status_of(r.init), 1);
    rl_spec_free(spec);
}

/* A new user namespace on the fast path: the init becomes root in it
 * (setresgid/setresuid 0: possible only for root outside, the test's
 * case, or it is the error), then the config's steps. */
static void test_userns_fast(void **state)
{
    struct rl_spec *spec = spec_with_ns("{\"type\": \"user\"},", NULL);
    struct run r = {.fail_on = "sethostname(", .fail_errno = EPERM};
    start_init(&r, spec);
    expect_error(&r, geteuid() == 0 ? "hostname: sethostname \"rustlet\": Operation not permitted"
                                    : "setresgid(0) in the user namespace: Operation not "
                                      "permitted");
    /* the runtime created the user namespace (clone flags): not the init */
    assert_int_equal(line_of("unshare("), -1);
    rl_spec_free(spec);
}

/* The slow path: stage 1 unshares the user namespace, asks the parent for
 * the id maps, unshares the rest, forks the init and reports its pid; the
 * init speaks next. */
static void test_slow_path(void **state)
{
    struct rl_spec *spec = spec_with_ns("{\"type\": \"user\"},", NULL);
    struct run r = {.fail_on = "sethostname(", .fail_errno = EPERM, .slow_path = true};
    start_init(&r, spec);
    pid_t who = 0, init = 0;
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_USERMAP, &who, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    assert_int_equal(who, r.stage1);
    /* the maps are written now: only the user namespace exists yet */
    assert_string_equal(sh->calls, "unshare(0x10000000)\n");
    assert_int_equal(sync_send(r.sock, SYNC_USERMAP_DONE, 0), 0);
    if (geteuid() != 0) {
        expect_error(&r, "setresgid(0) in the user namespace: Operation not permitted");
        rl_spec_free(spec);
        return;
    }
    assert_int_equal(sync_expect(r.sock, SYNC_PID, &init, &err), 0);
    assert_true(init > 0 && init != r.stage1);
    assert_int_equal(status_of(r.stage1), 0);
    r.init = init;
    expect_error(&r, "hostname: sethostname \"rustlet\": Operation not permitted");
    /* pid, ipc, uts, mount: everything but the user and cgroup namespaces,
     * after the user namespace */
    _cleanup_free_ char *rest =
        xasprintf("unshare(%#x)", CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
    long at = line_of(rest);
    assert_true(at == 1);
    rl_spec_free(spec);
}

/* Stage 1's unshare of the user namespace failing. */
static void test_slow_path_unshare_fails(void **state)
{
    struct rl_spec *spec = spec_with_ns("{\"type\": \"user\"},", NULL);
    struct run r = {.fail_on = "unshare(0x10000000)", .fail_errno = EPERM, .slow_path = true};
    start_init(&r, spec);
    expect_error(&r, "unshare(CLONE_NEWUSER): Operation not permitted");
    rl_spec_free(spec);
}

/* Without a mount namespace the init chroots into root.path and mounts
 * nothing; the chroot's failure names root.path. */
static void test_no_mount_ns(void **state)
{
    struct rl_spec *spec = make_spec(NULL);
    size_t n = 0;
    for (size_t i = 0; i < spec->linux_.n_namespaces; i++)
        if (spec->linux_.namespaces[i].type != RL_NS_MOUNT)
            spec->linux_.namespaces[n++] = spec->linux_.namespaces[i];
    spec->linux_.n_namespaces = n;
    struct run r = {.fail_on = "chroot(", .fail_errno = EPERM};
    start_init(&r, spec);
    _cleanup_free_ char *want =
        xasprintf("root.path: chroot %s (no mount namespace): Operation not permitted", rootfs);
    expect_error(&r, want);
    assert_string_equal(sh->calls, "sethostname(rustlet)\nfsopen(proc)\nfsconfig(create)\n"
                                   "fsmount(0xe)\nchroot(.)\n");
    rl_spec_free(spec);
}

/* linux.netDevices: after the hostname, before any mount, the init asks
 * the runtime to move the devices in and waits for it. */
static void test_netdev_step(void **state)
{
    const char *edits[] = {"\"linux\": {", "\"linux\": {\n\t\t\"netDevices\": {\"veth9\": {}},",
                           NULL};
    struct rl_spec *spec = make_spec(edits);
    struct run r = {.fail_on = "mount(NULL,/,NULL,MS_REC|MS_SLAVE", .fail_errno = EPERM};
    start_init(&r, spec);
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_NETDEV, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    assert_string_equal(sh->calls, "sethostname(rustlet)\n");
    assert_int_equal(sync_send(r.sock, SYNC_NETDEV_DONE, 0), 0);
    expect_error(&r, "linux.rootfsPropagation: set propagation of /: Operation not permitted");
    rl_spec_free(spec);
}

static void test_domainname_fails(void **state)
{
    const char *edits[] = {"\"hostname\": \"rustlet\",",
                           "\"hostname\": \"rustlet\",\n\t\"domainname\": \"unit.example\",", NULL};
    struct rl_spec *spec = make_spec(edits);
    struct run r = {.fail_on = "setdomainname(", .fail_errno = EPERM};
    start_init(&r, spec);
    expect_error(&r, "domainname: setdomainname \"unit.example\": Operation not permitted");
    assert_int_equal(line_of("mount("), -1);
    rl_spec_free(spec);
}

/* As pid 1 of a new pid namespace (root only: the test's child unshares
 * it for real, stage 1 forks the init into it), a terminating signal
 * from outside ends the init with 128+N; without the handlers the kernel
 * would drop it. */
static void test_pid1_signals(void **state)
{
    if (geteuid() != 0)
        skip();
    struct rl_spec *spec = make_spec(NULL);
    struct run r = {.slow_path = true, .runtime_hooks = true, .real_pidns = true};
    start_init(&r, spec);
    pid_t init = 0;
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_PID, &init, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    assert_int_equal(status_of(r.stage1), 0);
    /* waiting for the runtime hooks step's answer */
    if (sync_expect(r.sock, SYNC_HOOKS, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    assert_int_equal(kill(init, SIGTERM), 0);
    /* not waiting forever if the signal was dropped */
    int status = 0;
    pid_t got = 0;
    for (int i = 0; i < 500 && got == 0; i++) {
        got = waitpid(init, &status, WNOHANG);
        if (got == 0)
            nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    if (got == 0) {
        kill(init, SIGKILL);
        waitpid(init, &status, 0);
        fail_msg("SIGTERM did not end the init (pid 1)");
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
    close(r.sock);
    rl_spec_free(spec);
}

/* noNewPrivileges with SCMP_ACT_NOTIFY: the init connects to
 * linux.seccomp.listenerPath before the pivot and, right before execve,
 * sends the agent the listener fd with the container process state. */
static void test_seccomp_listener(void **state)
{
    make_exe();
    _cleanup_free_ char *sock = xasprintf("%s/agent.sock", tree);
    unlink(sock);
    int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(l, 1), 0);
    _cleanup_free_ char *sc = xasprintf(
        "\"linux\": {\n\t\t\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", "
        "\"listenerPath\": \"%s\", \"listenerMetadata\": \"meta\", \"syscalls\": [{\"names\": "
        "[\"acct\"], \"action\": \"SCMP_ACT_NOTIFY\"}]},",
        sock);
    const char *edits[] = {"\"linux\": {", sc, NULL};
    struct rl_spec *spec = make_spec(edits);
    struct run r = {0};
    start_init(&r, spec);
    struct rl_error *err = NULL;
    if (sync_expect(r.sock, SYNC_READY, NULL, &err) < 0)
        fail_msg("%s\ncalls:\n%s", err->msg, sh->calls);
    /* connected before the pivot */
    int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    assert_true(c >= 0);
    assert_int_equal(unlink(exe), 0);
    _cleanup_free_ char *out = start_and_read(&r, 4243);
    _cleanup_free_ char *want =
        xasprintf("0process.args[0]: exec %s: No such file or directory", exe);
    assert_string_equal(out, want);
    assert_int_equal(status_of(r.init), 127);
    char buf[4096] = "";
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    assert_true(recvmsg(c, &msg, MSG_CMSG_CLOEXEC) > 0);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    assert_non_null(cm);
    assert_int_equal(cm->cmsg_type, SCM_RIGHTS);
    int nfd;
    memcpy(&nfd, CMSG_DATA(cm), sizeof(int));
    char link[64] = "";
    _cleanup_free_ char *lp = xasprintf("/proc/self/fd/%d", nfd);
    assert_true(readlink(lp, link, sizeof(link) - 1) > 0);
    assert_string_equal(link, "anon_inode:seccomp notify");
    if (!strstr(buf, "\"fds\":[\"seccompFd\"],\"pid\":4243,\"metadata\":\"meta\","
                     "\"state\":{\"pid\":4243}}"))
        fail_msg("process state: %s", buf);
    close(nfd);
    close(c);
    close(l);
    unlink(sock);
    rl_spec_free(spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_through_start),
        cmocka_unit_test(test_start_hook_fails),
        cmocka_unit_test(test_seccomp_refuses_execve),
        cmocka_unit_test(test_seccomp_early),
        cmocka_unit_test(test_proc_fallback),
        cmocka_unit_test(test_cgroup_time_ns),
        cmocka_unit_test(test_time_offsets),
        cmocka_unit_test(test_userns_fast),
        cmocka_unit_test(test_slow_path),
        cmocka_unit_test(test_slow_path_unshare_fails),
        cmocka_unit_test(test_no_mount_ns),
        cmocka_unit_test(test_netdev_step),
        cmocka_unit_test(test_domainname_fails),
        cmocka_unit_test(test_pid1_signals),
        cmocka_unit_test(test_seccomp_listener),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
