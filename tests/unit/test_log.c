/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* log.c: text and JSON lines, JSON escaping, --debug gating, reopening.
 * log.c keeps static state: every test opens the log again first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "rustlet/log.h"
#include "rustlet/utils.h"

static char *log_path;

static int setup(void **state)
{
    log_path = xstrdup("/tmp/rl-test-log-XXXXXX");
    int fd = mkstemp(log_path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    unlink(log_path);
    free(log_path);
    log_path = NULL;
    return 0;
}

static char *read_log(void)
{
    struct rl_error *err = NULL;
    char *s = rl_read_file_at(AT_FDCWD, log_path, 0, NULL, &err);
    assert_non_null(s);
    return s;
}

static void open_log(bool json, bool debug)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_log_open(log_path, json, debug, &err), 0);
    assert_null(err);
}

static bool matches(const char *s, const char *pattern)
{
    regex_t re;
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    int r = regexec(&re, s, 0, NULL, 0);
    regfree(&re);
    return r == 0;
}

/* Text lines start with "2006-01-02T15:04:05.000000Z ": check that every
 * line of s has it and remove it (in place), so the rest compares exactly. */
static char *unstamp(char *s)
{
    const char *pat = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z ";
    size_t stamp = strlen("2006-01-02T15:04:05.000000Z ");
    char *out = s;
    for (const char *line = s; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        _cleanup_free_ char *one = xasprintf("%.*s", (int)len, line);
        if (!matches(one, pat))
            fail_msg("line without a timestamp: %s", one);
        memmove(out, line + stamp, len - stamp);
        out += len - stamp;
        line += len;
    }
    *out = '\0';
    return s;
}

static void test_rl_log_text_format(void **state)
{
    open_log(false, false);
    assert_true(rl_log_to_file());
    assert_true(rl_log_fd() >= 0);
    rl_log(RL_LOG_ERROR, "create %s: %s", "c1", "boom");
    rl_log(RL_LOG_WARN, "careful");
    rl_log(RL_LOG_INFO, "fyi");
    _cleanup_free_ char *got = unstamp(read_log());
    _cleanup_free_ char *want = xasprintf("rustlet[%d]: error: create c1: boom\n"
                                          "rustlet[%d]: warning: careful\n"
                                          "rustlet[%d]: info: fyi\n",
                                          (int)getpid(), (int)getpid(), (int)getpid());
    assert_string_equal(got, want);
}

static void test_rl_log_json_format(void **state)
{
    open_log(true, false);
    rl_log(RL_LOG_ERROR, "container %s does not exist", "c1");
    rl_log(RL_LOG_WARN, "w");
    _cleanup_free_ char *got = read_log();
    const char *ts = "\"time\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\"";
    _cleanup_free_ char *pat =
        xasprintf("^\\{\"level\":\"error\",\"msg\":\"container c1 does not exist\",%s\\}\n"
                  "\\{\"level\":\"warning\",\"msg\":\"w\",%s\\}\n$",
                  ts, ts);
    if (!matches(got, pat))
        fail_msg("unexpected log:\n%s", got);
}

static void test_rl_log_json_escaping(void **state)
{
    open_log(true, false);
    rl_log(RL_LOG_ERROR, "say \"hi\"\\ line1\nline2\ttab\r\x01\x1f end é");
    _cleanup_free_ char *got = read_log();
    const char *want = "\"msg\":\"say \\\"hi\\\"\\\\ line1\\nline2\\ttab"
                       "\\u000d\\u0001\\u001f end é\"";
    if (strstr(got, want) == NULL)
        fail_msg("got %s\nwant %s", got, want);
    /* one line only: the newline was escaped */
    assert_int_equal(strchr(got, '\n') - got + 1, (long)strlen(got));
}

static void test_rl_log_json_long_message(void **state)
{
    open_log(true, false);
    /* every byte expands to \u00XX: the line is cut, but stays one valid line */
    size_t n = 5000;
    _cleanup_free_ char *msg = xmalloc(n + 1);
    memset(msg, '\x02', n);
    msg[n] = '\0';
    rl_log(RL_LOG_ERROR, "%s", msg);
    _cleanup_free_ char *got = read_log();
    assert_true(
        matches(got, "^\\{\"level\":\"error\",\"msg\":\"(\\\\u0002)+\",\"time\":\"[^\"]+\"\\}\n$"));
}

static void test_rl_log_debug_suppressed(void **state)
{
    open_log(true, false);
    assert_false(rl_log_debug_enabled());
    rl_log(RL_LOG_DEBUG, "hidden %d", 1);
    rl_debug("hidden too");
    rl_log(RL_LOG_INFO, "shown");
    _cleanup_free_ char *got = read_log();
    assert_null(strstr(got, "hidden"));
    assert_non_null(strstr(got, "\"level\":\"info\",\"msg\":\"shown\""));
}

static void test_rl_log_debug_enabled(void **state)
{
    open_log(false, true);
    assert_true(rl_log_debug_enabled());
    rl_debug("visible %s", "now");
    _cleanup_free_ char *got = unstamp(read_log());
    _cleanup_free_ char *want = xasprintf("rustlet[%d]: debug: visible now\n", (int)getpid());
    assert_string_equal(got, want);
}

static void test_rl_log_keeps_errno(void **state)
{
    open_log(true, true);
    errno = EACCES;
    rl_log(RL_LOG_ERROR, "x");
    assert_int_equal(errno, EACCES);
}

static void test_rl_log_open_bad_path(void **state)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_log_open("/nonexistent/dir/log.json", true, false, &err), -1);
    assert_int_equal(err->errnum, ENOENT);
    assert_string_equal(err->msg,
                        "open log file /nonexistent/dir/log.json: No such file or directory");
    rl_error_free(err);
}

static void test_rl_log_open_null_is_stderr(void **state)
{
    open_log(false, false);
    struct rl_error *err = NULL;
    assert_int_equal(rl_log_open(NULL, false, false, &err), 0);
    assert_false(rl_log_to_file());
    assert_int_equal(rl_log_fd(), -1);

    /* capture stderr to check the line goes there and not to the old file */
    char cap[] = "/tmp/rl-test-log-stderr-XXXXXX";
    int cfd = mkstemp(cap);
    assert_true(cfd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_int_equal(dup2(cfd, 2), 2);
    rl_log(RL_LOG_WARN, "to stderr");
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
    close(cfd);
    _cleanup_free_ char *got = unstamp(rl_read_file_at(AT_FDCWD, cap, 0, NULL, &err));
    unlink(cap);
    _cleanup_free_ char *want = xasprintf("rustlet[%d]: warning: to stderr\n", (int)getpid());
    assert_string_equal(got, want);
    _cleanup_free_ char *file = read_log();
    assert_string_equal(file, "");
}

/* rl_warn with a log file: the file's line has the timestamp, the copy on
 * stderr (for the user) is the plain line. */
static void test_rl_warn_copy_unstamped(void **state)
{
    open_log(false, false);
    char cap[] = "/tmp/rl-test-log-stderr-XXXXXX";
    int cfd = mkstemp(cap);
    assert_true(cfd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_int_equal(dup2(cfd, 2), 2);
    rl_warn("field %s ignored", "x");
    assert_int_equal(dup2(saved, 2), 2);
    close(saved);
    close(cfd);
    struct rl_error *err = NULL;
    _cleanup_free_ char *copy = rl_read_file_at(AT_FDCWD, cap, 0, NULL, &err);
    unlink(cap);
    _cleanup_free_ char *want = xasprintf("rustlet[%d]: warning: field x ignored\n", (int)getpid());
    assert_string_equal(copy, want);
    _cleanup_free_ char *file = unstamp(read_log());
    assert_string_equal(file, want);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rl_log_text_format),         T(test_rl_log_json_format),
        T(test_rl_log_json_escaping),       T(test_rl_log_json_long_message),
        T(test_rl_log_debug_suppressed),    T(test_rl_log_debug_enabled),
        T(test_rl_log_keeps_errno),         T(test_rl_log_open_bad_path),
        T(test_rl_log_open_null_is_stderr), T(test_rl_warn_copy_unstamped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
