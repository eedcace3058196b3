/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* process.c beyond test_linux_process: oomScoreAdj (through a
 * procfs-shaped directory, and for real in a child), rlimits refused, the
 * stdio handed to process.user, the fd sweep, the user switch with
 * additionalGids and the lookup made for the target's identity. What
 * changes the process's own identity runs in a forked child, which reports
 * in shared memory (no cmocka asserts there) and ends with exit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

struct shared {
    char fail[4096];
};
static struct shared *sh;
static char *tree;

static int group_setup(void **state)
{
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        return -1;
    char tmpl[] = "/tmp/rl-test-linux-process-ids-XXXXXX";
    tree = fake_make_tree(tmpl);
    return tree ? 0 : -1;
}

static int group_teardown(void **state)
{
    munmap(sh, sizeof(*sh));
    fake_rm_tree(tree);
    free(tree);
    return 0;
}

#define CHILD_FAIL(...)                                                                            \
    do {                                                                                           \
        snprintf(sh->fail, sizeof(sh->fail), __VA_ARGS__);                                         \
        exit(1);                                                                                   \
    } while (0)

/* Run fn in a forked child; fail with its report. */
static void in_child(void (*fn)(void))
{
    memset(sh, 0, sizeof(*sh));
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fn();
        exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child: %s", sh->fail[0] ? sh->fail : "died");
}

static char *slurp(const char *path)
{
    size_t len = 0;
    struct rl_error *err = NULL;
    char *s = rl_read_file_at(AT_FDCWD, path, 4096, &len, &err);
    rl_error_free(err);
    return s;
}

/* Drop one capability from the effective set. */
/* cap_missing_why()'s words for CAP_SYS_RESOURCE on this host */
static const char *why_no_resource(void)
{
    return prctl(PR_CAPBSET_READ, CAP_SYS_RESOURCE, 0, 0, 0) == 0
               ? "which is not in this runtime's bounding set"
               : "which this runtime does not have";
}

static void drop_effective(cap_value_t c)
{
    cap_t caps = cap_get_proc();
    if (caps == NULL || cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_CLEAR) < 0 ||
        cap_set_proc(caps) < 0)
        CHILD_FAIL("drop cap %d: %s", (int)c, strerror(errno));
    cap_free(caps);
}

/* Through the init's proc fd: thread-self/oom_score_adj. */
static void test_oom_through_proc_fd(void **state)
{
    _cleanup_free_ char *dir = xasprintf("%s/proc/thread-self", tree);
    _cleanup_free_ char *file = xasprintf("%s/oom_score_adj", dir);
    _cleanup_free_ char *proc = xasprintf("%s/proc", tree);
    assert_int_equal(rl_mkdir_p(dir, 0755, NULL), 0);
    int fd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    struct rl_process p = {.has_oom_score_adj = true, .oom_score_adj = 500};
    struct rl_error *err = NULL;
    /* no such file there */
    assert_int_equal(rl_process_setup_pre_pivot(&p, fd, &err), -1);
    assert_non_null(err);
    assert_string_equal(err->msg, "process.oomScoreAdj (500): write /proc/self/oom_score_adj: No "
                                  "such file or directory");
    assert_int_equal(err->errnum, ENOENT);
    rl_error_free(err);
    err = NULL;
    int f = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(f >= 0);
    close(f);
    assert_int_equal(rl_process_setup_pre_pivot(&p, fd, &err), 0);
    _cleanup_free_ char *got = slurp(file);
    assert_string_equal(got, "500");
    /* none asked: nothing written */
    unlink(file);
    struct rl_process none = {0};
    assert_int_equal(rl_process_setup_pre_pivot(&none, fd, &err), 0);
    assert_int_equal(access(file, F_OK), -1);
    close(fd);
}

static int self_oom(void)
{
    _cleanup_free_ char *s = slurp("/proc/self/oom_score_adj");
    return s ? atoi(s) : -9999;
}

static void oom_for_real(void)
{
    struct rl_error *err = NULL;
    /* raising is allowed to anyone, also while non-dumpable */
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    int want = self_oom() + 10 > 1000 ? 1000 : self_oom() + 10;
    struct rl_process p = {.has_oom_score_adj = true, .oom_score_adj = want};
    if (rl_process_setup_pre_pivot(&p, -1, &err) < 0)
        CHILD_FAIL("raise: %s", err->msg);
    if (self_oom() != want)
        CHILD_FAIL("oom_score_adj %d, want %d", self_oom(), want);
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        CHILD_FAIL("dumpable again after the write");
    if (geteuid() != 0)
        return;
    /* lowering below the value set with CAP_SYS_RESOURCE, without it */
    drop_effective(CAP_SYS_RESOURCE);
    p.oom_score_adj = want - 100;
    if (rl_process_setup_pre_pivot(&p, -1, &err) == 0)
        CHILD_FAIL("lowered without CAP_SYS_RESOURCE");
    char expect[512];
    snprintf(expect, sizeof(expect),
             "process.oomScoreAdj (%d): write /proc/self/oom_score_adj: Permission denied "
             "(lowering oom_score_adj needs CAP_SYS_RESOURCE, %s)",
             want - 100, why_no_resource());
    if (strcmp(err->msg, expect) != 0)
        CHILD_FAIL("error\n  %s\nwant\n  %s", err->msg, expect);
    rl_error_free(err);
}

static void test_oom_for_real(void **state)
{
    in_child(oom_for_real);
}

/* A hard limit above the current one, without CAP_SYS_RESOURCE. */
static void rlimit_refused(void)
{
    if (geteuid() == 0)
        drop_effective(CAP_SYS_RESOURCE);
    struct rlimit cur;
    if (getrlimit(RLIMIT_NOFILE, &cur) < 0)
        CHILD_FAIL("getrlimit: %s", strerror(errno));
    struct rl_rlimit r = {.type = "RLIMIT_NOFILE",
                          .resource = RLIMIT_NOFILE,
                          .soft = cur.rlim_max + 1,
                          .hard = cur.rlim_max + 1};
    struct rl_process p = {.rlimits = &r, .n_rlimits = 1};
    struct rl_error *err = NULL;
    if (rl_process_set_rlimits(&p, &err) == 0)
        CHILD_FAIL("raised without CAP_SYS_RESOURCE");
    char expect[512];
    snprintf(expect, sizeof(expect),
             "process.rlimits[0] (RLIMIT_NOFILE soft %llu hard %llu): setrlimit: Operation not "
             "permitted (raising the hard limit above the current %llu needs CAP_SYS_RESOURCE, "
             "%s)",
             (unsigned long long)cur.rlim_max + 1, (unsigned long long)cur.rlim_max + 1,
             (unsigned long long)cur.rlim_max, why_no_resource());
    if (strcmp(err->msg, expect) != 0)
        CHILD_FAIL("error\n  %s\nwant\n  %s", err->msg, expect);
    if (err->errnum != EPERM)
        CHILD_FAIL("errnum %d", err->errnum);
    rl_error_free(err);
}

static void test_rlimit_refused(void **state)
{
    if (getrlimit(RLIMIT_NOFILE, &(struct rlimit){0}) == 0) {
        struct rlimit cur;
        getrlimit(RLIMIT_NOFILE, &cur);
        if (cur.rlim_max == RLIM_INFINITY)
            skip();
    }
    in_child(rlimit_refused);
}

/* stdio: a file of someone else's becomes the user's (root only: as
 * another user the chown is refused and the fd left as it is), /dev/null
 * never; a closed fd is skipped. */
static void stdio_chown(void)
{
    _cleanup_free_ char *path = xasprintf("%s/stdout", tree);
    int f = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (f < 0 || null < 0 || dup2(null, 0) < 0 || dup2(f, 1) < 0)
        CHILD_FAIL("set up stdio: %s", strerror(errno));
    close(2);
    struct stat before;
    fstat(1, &before);
    uid_t to = before.st_uid + 1234;
    struct rl_process p = {.user = {.uid = to}};
    struct rl_error *err = NULL;
    if (rl_process_fix_stdio(&p, &err) < 0)
        CHILD_FAIL("%s", err->msg);
    struct stat st, nst;
    fstat(1, &st);
    fstat(0, &nst);
    if (geteuid() == 0 ? st.st_uid != to : st.st_uid != before.st_uid)
        CHILD_FAIL("stdout owned by %u", (unsigned)st.st_uid);
    if (st.st_gid != before.st_gid)
        CHILD_FAIL("the group changed");
    if (nst.st_uid == to)
        CHILD_FAIL("/dev/null was given away");
}

static void test_fix_stdio(void **state)
{
    in_child(stdio_chown);
}

/* preserve-fds and LISTEN_FDS stay inheritable, everything above becomes
 * close-on-exec. */
static void sweep(void)
{
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    for (int fd = 3; fd < 11; fd++) /* inheritable (dup2 clears close-on-exec) */
        if (fd != null && dup2(null, fd) < 0)
            CHILD_FAIL("dup2 %d: %s", fd, strerror(errno));
    if (null >= 3 && null < 11)
        fcntl(null, F_SETFD, 0);
    fcntl(4, F_SETFD, FD_CLOEXEC);
    unsetenv("LISTEN_FDS");
    rl_process_close_fds(2, NULL, 0);
    for (int fd = 3; fd < 11; fd++) {
        bool cloexec = fcntl(fd, F_GETFD) & FD_CLOEXEC;
        if (cloexec != (fd >= 5))
            CHILD_FAIL("preserve 2: fd %d cloexec %d", fd, cloexec);
    }
    /* systemd's socket activation: 4 fds */
    setenv("LISTEN_FDS", "4", 1);
    rl_process_close_fds(1, NULL, 0);
    for (int fd = 3; fd < 11; fd++) {
        bool cloexec = fcntl(fd, F_GETFD) & FD_CLOEXEC;
        if (cloexec != (fd >= 7))
            CHILD_FAIL("LISTEN_FDS 4: fd %d cloexec %d", fd, cloexec);
    }
}

static void test_close_fds(void **state)
{
    in_child(sweep);
}

/* The user switch with additionalGids and a umask (root only). */
static void become_user(void)
{
    uint32_t groups[] = {5, 6};
    struct rl_process p = {.user = {.uid = 1000,
                                    .gid = 1001,
                                    .additional_gids = groups,
                                    .n_additional_gids = 2,
                                    .has_umask = true,
                                    .umask = 077},
                           .cwd = "/"};
    struct rl_error *err = NULL;
    if (rl_process_setup(&p, &err) < 0)
        CHILD_FAIL("%s", err->msg);
    gid_t got[8];
    int n = getgroups(8, got);
    uid_t r, e, s;
    gid_t rg, eg, sg;
    getresuid(&r, &e, &s);
    getresgid(&rg, &eg, &sg);
    if (n != 2 || got[0] != 5 || got[1] != 6)
        CHILD_FAIL("groups: %d", n);
    if (r != 1000 || e != 1000 || s != 1000 || rg != 1001 || eg != 1001 || sg != 1001)
        CHILD_FAIL("ids %u %u %u / %u %u %u", r, e, s, rg, eg, sg);
    mode_t m = umask(0);
    if (m != 077)
        CHILD_FAIL("umask %o", (unsigned)m);
    /* and back to root is refused now */
    struct rl_process root = {.user = {.uid = 0, .gid = 0}};
    if (rl_process_setup(&root, &err) == 0)
        CHILD_FAIL("became root again");
    if (strcmp(err->msg, "process.user.gid (0): setresgid: Operation not permitted") != 0)
        CHILD_FAIL("error: %s", err->msg);
    rl_error_free(err);
    /* uid 1000 may not write the coverage files: leave without */
    syscall(SYS_exit_group, 0);
}

static void test_set_user(void **state)
{
    if (geteuid() != 0)
        skip();
    in_child(become_user);
}

/* The lookup made as the target's identity: the mode bits of the owner,
 * the group (primary or additional) or others; CAP_DAC_OVERRIDE or root
 * without capabilities passes any x bit. */
static void test_lookup_as_target(void **state)
{
    _cleanup_free_ char *exe = xasprintf("%s/tool", tree);
    int f = open(exe, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0755);
    assert_true(f >= 0);
    close(f);
    struct stat st;
    assert_int_equal(stat(exe, &st), 0);
    uint32_t other_gid = st.st_gid + 7;
    char *args[] = {exe, NULL};
    char *caps_none[] = {NULL};
    char *caps_dac[] = {"CAP_DAC_OVERRIDE", NULL};
    struct rl_process p = {.args = args, .n_args = 1};
    p.user.uid = st.st_uid + 1; /* not the owner */
    p.user.gid = other_gid;
    p.capabilities.present = true;
    p.capabilities.effective = caps_none;
    struct rl_error *err = NULL;
    static const struct {
        mode_t mode;
        bool group_member, dac, ok;
    } cases[] = {
        {0750, false, false, false},                            /* only owner and group may */
        {0751, false, false, true},                             /* others may */
        {0710, true, false, true},                              /* an additional group may */
        {0700, true, false, false},  {0700, false, true, true}, /* CAP_DAC_OVERRIDE, an x bit */
        {0600, false, true, false},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        assert_int_equal(chmod(exe, cases[i].mode), 0);
        uint32_t g = st.st_gid;
        p.user.additional_gids = cases[i].group_member ? &g : NULL;
        p.user.n_additional_gids = cases[i].group_member ? 1 : 0;
        p.capabilities.effective = cases[i].dac ? caps_dac : caps_none;
        p.capabilities.n_effective = cases[i].dac ? 1 : 0;
        char *got = rl_process_lookup_as(&p, true, &err);
        if (cases[i].ok != (got != NULL))
            fail_msg("case %zu (mode %o): %s", i, (unsigned)cases[i].mode,
                     got ? "allowed" : err->msg);
        if (!got) {
            _cleanup_free_ char *want =
                xasprintf("process.args[0]: exec \"%s\": permission denied", exe);
            assert_string_equal(err->msg, want);
            assert_int_equal(err->status, 126);
            rl_error_free(err);
            err = NULL;
        }
        free(got);
    }
    /* the owner, with the owner's bit */
    assert_int_equal(chmod(exe, 0700), 0);
    p.user.uid = st.st_uid;
    p.capabilities.effective = caps_none;
    p.capabilities.n_effective = 0;
    char *got = rl_process_lookup_as(&p, true, &err);
    assert_non_null(got);
    free(got);
    /* root without a capabilities object keeps DAC override */
    p.capabilities.present = false;
    p.user.uid = 0;
    assert_int_equal(chmod(exe, 0100), 0);
    got = rl_process_lookup_as(&p, true, &err);
    assert_non_null(got);
    free(got);
    /* not a regular file */
    char *dargs[] = {tree, NULL};
    p.args = dargs;
    assert_null(rl_process_lookup_as(&p, true, &err));
    _cleanup_free_ char *want = xasprintf("process.args[0]: exec \"%s\": permission denied", tree);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    err = NULL;
    /* no PATH in the environment: the default one */
    char *sargs[] = {"sh", NULL};
    struct rl_process q = {.args = sargs, .n_args = 1};
    got = rl_process_lookup(&q, &err);
    assert_non_null(got);
    assert_true(strcmp(got, "/usr/bin/sh") == 0 || strcmp(got, "/bin/sh") == 0);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom_through_proc_fd), cmocka_unit_test(test_oom_for_real),
        cmocka_unit_test(test_rlimit_refused),      cmocka_unit_test(test_fix_stdio),
        cmocka_unit_test(test_close_fds),           cmocka_unit_test(test_set_user),
        cmocka_unit_test(test_lookup_as_target),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
