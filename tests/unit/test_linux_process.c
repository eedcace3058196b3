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
        cmocka_unit_test(test_rlimits),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_close_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
