/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* hooks.c: real hooks (/bin/sh scripts in a temp dir): stdin, args, env,
 * exit status, timeouts, hooks that ignore stdin, stop at first failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rustlet/hooks.h"
#include "rustlet/utils.h"

static char *dir;

static int setup(void **state)
{
    dir = xstrdup("/tmp/rl-test-hooks-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    struct rl_error *err = NULL;
    int r = rl_rm_rf(dir, &err);
    rl_error_free(err);
    free(dir);
    return r;
}

/* Write an executable script DIR/name; "@" in body is replaced by DIR. */
static char *script(const char *name, const char *body)
{
    char *path = xasprintf("%s/%s", dir, name);
    size_t cap = strlen(body) * 2 + strlen(dir) * 8 + 64;
    _cleanup_free_ char *text = xmalloc(cap);
    size_t o = (size_t)snprintf(text, cap, "#!/bin/sh\n");
    for (const char *p = body; *p; p++) {
        if (*p == '@')
            o += (size_t)snprintf(text + o, cap - o, "%s", dir);
        else
            text[o++] = *p;
    }
    text[o++] = '\n';
    struct rl_error *err = NULL;
    assert_int_equal(rl_write_file_at(AT_FDCWD, path, text, o, 0755, &err), 0);
    return path;
}

static char *out(const char *name)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
    struct rl_error *err = NULL;
    char *s = rl_read_file_at(AT_FDCWD, p, 0, NULL, &err);
    rl_error_free(err);
    return s; /* NULL if the hook did not write it */
}

static const char state_json[] = "{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"pid\":42,"
                                 "\"status\":\"creating\",\"bundle\":\"/b\"}";

static void test_rl_hooks_run_state_on_stdin(void **state)
{
    _cleanup_free_ char *p = script("h", "cat > @/stdin.out");
    struct rl_hook h = {.path = p};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(&h, 1, "prestart", state_json, &err), 0);
    assert_null(err);
    _cleanup_free_ char *got = out("stdin.out");
    assert_non_null(got);
    assert_string_equal(got, state_json);
}

static void test_rl_hooks_run_args(void **state)
{
    /* a script's $0 is its path, so look at the real argv of /bin/sh */
    _cleanup_free_ char *cmd = xasprintf("tr '\\000' '\\n' < /proc/$$/cmdline > %s/args.out", dir);
    char *args[] = {"my-argv0", "-c", cmd, NULL};
    struct rl_hook h = {.path = "/bin/sh", .args = args, .n_args = 3};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(&h, 1, "poststart", state_json, &err), 0);
    _cleanup_free_ char *got = out("args.out");
    _cleanup_free_ char *want = xasprintf("my-argv0\n-c\n%s\n", cmd);
    assert_string_equal(got, want);
}

static void test_rl_hooks_run_no_args_is_path(void **state)
{
    _cleanup_free_ char *p = script("noargs", "echo \"$# $0\" > @/noargs.out");
    struct rl_hook h = {.path = p};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(&h, 1, "poststart", state_json, &err), 0);
    _cleanup_free_ char *got = out("noargs.out");
    _cleanup_free_ char *want = xasprintf("0 %s\n", p);
    assert_string_equal(got, want);
}

static void test_rl_hooks_run_env(void **state)
{
    _cleanup_free_ char *p = script("env", "/usr/bin/env > @/env.out");
    char *env[] = {"HOOK_A=1", "HOOK_B=two words", NULL};
    char *args[] = {p, NULL};
    struct rl_hook h = {.path = p, .args = args, .n_args = 1, .env = env, .n_env = 2};
    struct rl_error *err = NULL;
    setenv("RL_TEST_LEAK", "1", 1);
    assert_int_equal(rl_hooks_run(&h, 1, "createRuntime", state_json, &err), 0);
    unsetenv("RL_TEST_LEAK");
    _cleanup_free_ char *got = out("env.out");
    assert_non_null(strstr(got, "HOOK_A=1\n"));
    assert_non_null(strstr(got, "HOOK_B=two words\n"));
    /* only the hook's env, nothing of the runtime's */
    assert_null(strstr(got, "RL_TEST_LEAK"));

    /* no env at all */
    struct rl_hook h2 = {.path = p};
    assert_int_equal(rl_hooks_run(&h2, 1, "createRuntime", state_json, &err), 0);
    _cleanup_free_ char *got2 = out("env.out");
    assert_null(strstr(got2, "HOOK_A"));
    assert_null(strstr(got2, "RL_TEST_LEAK"));
}

static void test_rl_hooks_run_exit_status(void **state)
{
    _cleanup_free_ char *ok = script("ok", "exit 0");
    _cleanup_free_ char *bad = script("bad", "exit 3");
    struct rl_hook h[] = {{.path = ok}, {.path = bad}};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(h, 2, "prestart", state_json, &err), -1);
    _cleanup_free_ char *want = xasprintf("hooks.prestart[1] (%s): exited with status 3", bad);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
}

static void test_rl_hooks_run_killed(void **state)
{
    _cleanup_free_ char *p = script("killed", "kill -9 $$");
    struct rl_hook h = {.path = p};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(&h, 1, "poststop", state_json, &err), -1);
    _cleanup_free_ char *want = xasprintf("hooks.poststop[0] (%s): killed by signal 9", p);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
}

static void test_rl_hooks_run_missing_binary(void **state)
{
    _cleanup_free_ char *p = xasprintf("%s/does-not-exist", dir);
    struct rl_hook h = {.path = p};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(&h, 1, "prestart", state_json, &err), -1);
    assert_non_null(strstr(err->msg, "hooks.prestart[0] ("));
    assert_non_null(strstr(err->msg, "exited with status 127"));
    rl_error_free(err);
}

static void test_rl_hooks_run_timeout(void **state)
{
    /* exec: no orphaned sleep keeps ctest's output pipe open */
    _cleanup_free_ char *p = script("slow", "exec sleep 30");
    struct rl_hook h = {.path = p, .has_timeout = true, .timeout = 1};
    struct rl_error *err = NULL;
    uint64_t t0 = rl_now_ns();
    assert_int_equal(rl_hooks_run(&h, 1, "createContainer", state_json, &err), -1);
    uint64_t took = rl_now_ns() - t0;
    _cleanup_free_ char *want = xasprintf("hooks.createContainer[0] (%s): timed out after 1 s", p);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    assert_true(took >= 900000000ull);
    assert_true(took < 10000000000ull);
}

static void test_rl_hooks_run_timeout_not_reached(void **state)
{
    _cleanup_free_ char *p = script("quick", "cat > /dev/null; exit 0");
    struct rl_hook h = {.path = p, .has_timeout = true, .timeout = 5};
    struct rl_error *err = NULL;
    uint64_t t0 = rl_now_ns();
    assert_int_equal(rl_hooks_run(&h, 1, "startContainer", state_json, &err), 0);
    assert_true(rl_now_ns() - t0 < 4000000000ull);
}

static char *big_state(size_t n)
{
    char *s = xmalloc(n + 1);
    memset(s, ' ', n);
    s[0] = '{';
    s[n - 1] = '}';
    s[n] = '\0';
    return s;
}

static void test_rl_hooks_run_stdin_not_read(void **state)
{
    /* more than a pipe holds, and the hook exits without reading: the
     * runtime must see EPIPE, not die of SIGPIPE */
    _cleanup_free_ char *p = script("deaf", "exit 0");
    _cleanup_free_ char *big = big_state(1 << 20);
    struct rl_hook h = {.path = p};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(&h, 1, "poststart", big, &err), 0);
    assert_null(err);
    /* SIGPIPE disposition restored */
    struct sigaction sa;
    sigaction(SIGPIPE, NULL, &sa);
    assert_true(sa.sa_handler == SIG_DFL);
}

static void test_rl_hooks_run_timeout_stdin_not_read(void **state)
{
    /* a hook that never reads a state larger than the pipe buffer must
     * still be killed at its timeout, not block the runtime on write */
    _cleanup_free_ char *p = script("deaf-slow", "exec sleep 30");
    _cleanup_free_ char *big = big_state(1 << 20);
    struct rl_hook h = {.path = p, .has_timeout = true, .timeout = 1};
    struct rl_error *err = NULL;
    uint64_t t0 = rl_now_ns();
    assert_int_equal(rl_hooks_run(&h, 1, "prestart", big, &err), -1);
    assert_true(rl_now_ns() - t0 < 10000000000ull);
    assert_non_null(strstr(err->msg, "timed out after 1 s"));
    rl_error_free(err);
}

static void test_rl_hooks_run_large_state_read(void **state)
{
    _cleanup_free_ char *p = script("reader", "wc -c > @/count.out");
    _cleanup_free_ char *big = big_state(300000);
    struct rl_hook h = {.path = p, .has_timeout = true, .timeout = 10};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(&h, 1, "prestart", big, &err), 0);
    _cleanup_free_ char *got = out("count.out");
    assert_int_equal(strtol(got, NULL, 10), 300000);
}

static void test_rl_hooks_run_stops_at_first_failure(void **state)
{
    _cleanup_free_ char *a = script("a", "echo a >> @/order.out");
    _cleanup_free_ char *b = script("b", "echo b >> @/order.out; exit 1");
    _cleanup_free_ char *c = script("c", "echo c >> @/order.out");
    struct rl_hook h[] = {{.path = a}, {.path = b}, {.path = c}};
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(h, 3, "poststop", state_json, &err), -1);
    _cleanup_free_ char *want = xasprintf("hooks.poststop[1] (%s): exited with status 1", b);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    _cleanup_free_ char *got = out("order.out");
    assert_string_equal(got, "a\nb\n");

    /* all succeed: all run, in order */
    struct rl_hook ok[] = {{.path = a}, {.path = c}, {.path = a}};
    err = NULL;
    assert_int_equal(rl_hooks_run(ok, 3, "poststop", state_json, &err), 0);
    _cleanup_free_ char *got2 = out("order.out");
    assert_string_equal(got2, "a\nb\na\nc\na\n");
}

static void test_rl_hooks_run_none(void **state)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_hooks_run(NULL, 0, "prestart", state_json, &err), 0);
    assert_null(err);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rl_hooks_run_state_on_stdin),
        T(test_rl_hooks_run_args),
        T(test_rl_hooks_run_no_args_is_path),
        T(test_rl_hooks_run_env),
        T(test_rl_hooks_run_exit_status),
        T(test_rl_hooks_run_killed),
        T(test_rl_hooks_run_missing_binary),
        T(test_rl_hooks_run_timeout),
        T(test_rl_hooks_run_timeout_not_reached),
        T(test_rl_hooks_run_stdin_not_read),
        T(test_rl_hooks_run_timeout_stdin_not_read),
        T(test_rl_hooks_run_large_state_read),
        T(test_rl_hooks_run_stops_at_first_failure),
        T(test_rl_hooks_run_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
