/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* process.c, the parts that need no identity change: rlimits and their
 * error, the environment (HOME from /etc/passwd), the executable lookup
 * with the exit status an engine maps (127 missing, 126 not executable),
 * the lookup as the target identity, and the close-on-exec sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"

static void assert_error(struct rl_error *err, const char *want)
{
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", err->msg, want);
}

static void test_rlimits(void **state)
{
    struct rl_error *err = NULL;
    struct rlimit cur;
    assert_int_equal(getrlimit(RLIMIT_CORE, &cur), 0);
    struct rl_rlimit r[] = {{"RLIMIT_CORE", RLIMIT_CORE, cur.rlim_cur, cur.rlim_max}};
    struct rl_process p = {0};
    p.rlimits = r;
    p.n_rlimits = 1;
    assert_int_equal(rl_process_set_rlimits(&p, &err), 0);
    assert_int_equal(rl_process_setup_pre_pivot(&p, -1, &err), 0);
    /* soft above hard */
    r[0].soft = 200;
    r[0].hard = 100;
    assert_int_equal(rl_process_set_rlimits(&p, &err), -1);
    assert_error(err, "process.rlimits[0] (RLIMIT_CORE soft 200 hard 100): setrlimit: Invalid "
                      "argument");
    assert_int_equal(err->errnum, EINVAL);
    rl_error_free(err);
}

static char *env0[] = {"PATH=/usr/bin:/bin", "TERM=xterm", NULL};

static void test_env(void **state)
{
    struct rl_process p = {0};
    p.env = xzalloc(3 * sizeof(char *));
    p.env[0] = xstrdup(env0[0]);
    p.env[1] = xstrdup(env0[1]);
    p.n_env = 2;
    rl_process_env_set(&p, "TERM=dumb");
    rl_process_env_set(&p, "LANG=C");
    assert_int_equal(p.n_env, 3);
    assert_string_equal(p.env[1], "TERM=dumb");
    assert_string_equal(p.env[2], "LANG=C");
    assert_null(p.env[3]);
    /* HOME from /etc/passwd when the config has none (the host's here: the
     * lookup runs after the pivot, in the container's root) */
    p.user.uid = 0;
    char **envp = rl_process_envp(&p);
    assert_true(envp != p.env);
    assert_true(strncmp(envp[3], "HOME=", 5) == 0);
    assert_null(envp[4]);
    free(envp[3]);
    free(envp);
    p.user.uid = 4000000000u; /* nobody's: "/" */
    envp = rl_process_envp(&p);
    assert_string_equal(envp[3], "HOME=/");
    free(envp[3]);
    free(envp);
    rl_process_env_set(&p, "HOME=/home/x");
    assert_true(rl_process_envp(&p) == p.env);
    for (size_t i = 0; i < p.n_env; i++)
        free(p.env[i]);
    free(p.env);
}

static void test_lookup(void **state)
{
    struct rl_error *err = NULL;
    char *args[] = {"sh", NULL};
    struct rl_process p = {0};
    p.args = args;
    p.n_args = 1;
    p.env = env0;
    p.n_env = 2;
    _cleanup_free_ char *sh = rl_process_lookup(&p, &err);
    assert_non_null(sh);
    assert_true(strcmp(sh, "/usr/bin/sh") == 0 || strcmp(sh, "/bin/sh") == 0);
    args[0] = "no-such-program-here";
    assert_null(rl_process_lookup(&p, &err));
    assert_error(err, "process.args[0]: exec \"no-such-program-here\": executable file not found "
                      "in $PATH");
    assert_int_equal(err->status, 127);
    rl_error_free(err);
    err = NULL;
    args[0] = "/no/such/file";
    assert_null(rl_process_lookup(&p, &err));
    assert_error(err, "process.args[0]: exec \"/no/such/file\": no such file or directory");
    assert_int_equal(err->status, 127);
    rl_error_free(err);
    err = NULL;
    char dir[] = "/tmp/rl-test-linux-process-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *file = xasprintf("%s/prog", dir);
    int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    args[0] = file;
    assert_null(rl_process_lookup(&p, &err));
    _cleanup_free_ char *w = xasprintf("process.args[0]: exec \"%s\": permission denied", file);
    assert_error(err, w);
    assert_int_equal(err->status, 126);
    rl_error_free(err);
    err = NULL;
    /* as the target identity: owner-only exec, another uid without
     * CAP_DAC_OVERRIDE may not; relative to process.cwd */
    assert_int_equal(chmod(file, 0700), 0);
    p.cwd = dir;
    args[0] = "./prog";
    p.user.uid = getuid();
    _cleanup_free_ char *ok = rl_process_lookup_as(&p, true, &err);
    assert_non_null(ok);
    p.user.uid = getuid() + 1;
    p.capabilities.present = true;
    assert_null(rl_process_lookup_as(&p, true, &err));
    assert_int_equal(err->status, 126);
    rl_error_free(err);
    unlink(file);
    rmdir(dir);
}

/* A capability name the kernel or libcap does not know is refused before
 * anything changes. */
static void test_setup_capability_names(void **state)
{
    struct rl_error *err = NULL;
    char *good[] = {"CAP_CHOWN"}, *bad[] = {"CAP_CHOWN", "CAP_NOPE"};
    struct rl_process p = {0};
    p.capabilities.present = true;
    p.capabilities.bounding = good;
    p.capabilities.n_bounding = 1;
    p.capabilities.effective = bad;
    p.capabilities.n_effective = 2;
    assert_int_equal(rl_process_setup(&p, &err), -1);
    assert_error(err, "process.capabilities.effective[1]: unknown capability \"CAP_NOPE\"");
    rl_error_free(err);
    err = NULL;
    p.capabilities.effective = NULL;
    p.capabilities.n_effective = 0;
    p.capabilities.ambient = bad;
    p.capabilities.n_ambient = 2;
    assert_int_equal(rl_process_setup(&p, &err), -1);
    assert_error(err, "process.capabilities.ambient[1]: unknown capability \"CAP_NOPE\"");
    rl_error_free(err);
}

/* Run fn in a child; its return is the child's exit status. */
static int in_child(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        exit(fn(arg)); /* exit, not _exit: a --coverage build writes the counters */
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* The caller's own identity (works with and without root): the cwd is
 * made and entered, the umask set. */
static int setup_same_user(void *arg)
{
    struct rl_error *err = NULL;
    struct rl_process p = {0};
    p.user.uid = getuid();
    p.user.gid = getgid();
    p.user.has_umask = true;
    p.user.umask = 027;
    p.cwd = arg;
    if (rl_process_setup(&p, &err) < 0) {
        fprintf(stderr, "%s\n", err->msg);
        return 10;
    }
    char *where = getcwd(NULL, 0);
    if (where == NULL || strcmp(where, arg) != 0)
        return 11;
    free(where);
    mode_t old = umask(0);
    return old == 027 ? 0 : 12;
}

/* As root: the identity switch keeps exactly the listed capabilities. */
static int setup_other_user_caps(void *arg)
{
    struct rl_error *err = NULL;
    char *caps[] = {"CAP_CHOWN", "CAP_KILL"};
    struct rl_process p = {0};
    p.user.uid = 1234;
    p.user.gid = 1234;
    p.capabilities.present = true;
    p.capabilities.bounding = caps;
    p.capabilities.n_bounding = 2;
    p.capabilities.effective = caps;
    p.capabilities.n_effective = 2;
    p.capabilities.permitted = caps;
    p.capabilities.n_permitted = 2;
    if (rl_process_setup(&p, &err) < 0) {
        fprintf(stderr, "%s\n", err->msg);
        return 10;
    }
    if (getuid() != 1234 || geteuid() != 1234 || getgid() != 1234)
        return 11;
    _cleanup_free_ char *status = rl_read_file_at(AT_FDCWD, "/proc/self/status", 0, NULL, NULL);
    /* CAP_CHOWN (0) and CAP_KILL (5): 0x21 */
    if (status == NULL || strstr(status, "CapEff:\t0000000000000021\n") == NULL ||
        strstr(status, "CapBnd:\t0000000000000021\n") == NULL)
        return 12;
    return 0;
}

static void test_setup_identity(void **state)
{
    char dir[] = "/tmp/rl-test-linux-process-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *cwd = xasprintf("%s/made/here", dir);
    assert_int_equal(in_child(setup_same_user, cwd), 0);
    struct stat st;
    assert_int_equal(stat(cwd, &st), 0);
    _cleanup_free_ char *rm = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
    if (geteuid() != 0)
        skip();
    assert_int_equal(in_child(setup_other_user_caps, NULL), 0);
}

/* stdio the runtime was handed goes to process.user (as root); /dev/null
 * and fds already the user's are left; without root, EPERM leaves it. */
static int fix_stdio_child(void *arg)
{
    struct rl_error *err = NULL;
    /* only the test's file may be chowned: 0 and 2 become /dev/null */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int fd = open(arg, O_WRONLY | O_CLOEXEC);
    if (null < 0 || fd < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(null, 2) < 0)
        return 9;
    struct rl_process p = {0};
    p.user.uid = 4321;
    return rl_process_fix_stdio(&p, &err) == 0 ? 0 : 10;
}

static void test_fix_stdio(void **state)
{
    char file[] = "/tmp/rl-test-linux-stdio-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(in_child(fix_stdio_child, file), 0);
    struct stat st;
    assert_int_equal(stat(file, &st), 0);
    if (geteuid() == 0)
        assert_int_equal(st.st_uid, 4321);
    else
        assert_int_equal(st.st_uid, getuid());
    unlink(file);
}

static void test_close_fds(void **state)
{
    int fd = open("/dev/null", O_RDONLY);
    assert_true(fd >= 3);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    assert_int_equal(rl_process_close_fds(0, NULL, 0), 0);
    assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rlimits),        cmocka_unit_test(test_env),
        cmocka_unit_test(test_lookup),         cmocka_unit_test(test_setup_capability_names),
        cmocka_unit_test(test_setup_identity), cmocka_unit_test(test_fix_stdio),
        cmocka_unit_test(test_close_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
