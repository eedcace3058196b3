/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* utils.c: integer parsing, atomic writes, mkdir -p, rm -rf, timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rustlet/utils.h"

static char *make_tmpdir(void)
{
    char *d = xstrdup("/tmp/rl-test-utils-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static void remove_tree(char *d)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_rm_rf(d, &err), 0);
    free(d);
}

/* ---- rl_parse_u64 ---- */

static void test_rl_parse_u64_values(void **state)
{
    uint64_t v = 1;
    assert_int_equal(rl_parse_u64("0", &v), 0);
    assert_true(v == 0);
    assert_int_equal(rl_parse_u64("12345", &v), 0);
    assert_true(v == 12345);
    assert_int_equal(rl_parse_u64("007", &v), 0);
    assert_true(v == 7);
}

static void test_rl_parse_u64_max(void **state)
{
    uint64_t v = 0;
    assert_int_equal(rl_parse_u64("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
}

static void test_rl_parse_u64_overflow(void **state)
{
    uint64_t v = 42;
    assert_int_equal(rl_parse_u64("18446744073709551616", &v), -1);
    assert_int_equal(rl_parse_u64("18446744073709551620", &v), -1);
    assert_int_equal(rl_parse_u64("99999999999999999999", &v), -1);
    assert_int_equal(rl_parse_u64("184467440737095516150", &v), -1);
    assert_true(v == 42); /* untouched on failure */
}

static void test_rl_parse_u64_junk(void **state)
{
    static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "12a", "0x10", "1.5", "a"};
    uint64_t v = 42;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        assert_int_equal(rl_parse_u64(bad[i], &v), -1);
    assert_int_equal(rl_parse_u64(NULL, &v), -1);
    assert_true(v == 42);
}

/* ---- rl_write_file_atomic ---- */

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void test_rl_write_file_atomic_content(void **state)
{
    char *dir = make_tmpdir();
    _cleanup_free_ char *path = xasprintf("%s/state.json", dir);
    struct rl_error *err = NULL;
    assert_int_equal(rl_write_file_atomic(path, "first version", 13, 0600, &err), 0);
    assert_int_equal(rl_write_file_atomic(path, "second", 6, 0600, &err), 0);
    size_t len = 0;
    _cleanup_free_ char *got = rl_read_file_at(AT_FDCWD, path, 0, &len, &err);
    assert_non_null(got);
    assert_int_equal(len, 6);
    assert_string_equal(got, "second");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* no temp file left beside it */
    assert_int_equal(count_entries(dir), 1);
    remove_tree(dir);
}

static void test_rl_write_file_atomic_missing_dir(void **state)
{
    char *dir = make_tmpdir();
    _cleanup_free_ char *path = xasprintf("%s/nodir/state.json", dir);
    struct rl_error *err = NULL;
    assert_int_equal(rl_write_file_atomic(path, "x", 1, 0600, &err), -1);
    assert_int_equal(err->errnum, ENOENT);
    assert_non_null(strstr(err->msg, "open "));
    assert_non_null(strstr(err->msg, ": No such file or directory"));
    rl_error_free(err);
    remove_tree(dir);
}

/* ---- rl_read_file_at ---- */

static void test_rl_read_file_at_large_and_max(void **state)
{
    char *dir = make_tmpdir();
    _cleanup_free_ char *path = xasprintf("%s/big", dir);
    size_t n = 10000;
    _cleanup_free_ char *buf = xmalloc(n);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)('a' + i % 26);
    struct rl_error *err = NULL;
    assert_int_equal(rl_write_file_at(AT_FDCWD, path, buf, n, 0644, &err), 0);
    size_t len = 0;
    _cleanup_free_ char *all = rl_read_file_at(AT_FDCWD, path, 0, &len, &err);
    assert_int_equal(len, n);
    assert_memory_equal(all, buf, n);
    _cleanup_free_ char *some = rl_read_file_at(AT_FDCWD, path, 100, &len, &err);
    assert_int_equal(len, 100);
    assert_int_equal(strlen(some), 100);
    assert_memory_equal(some, buf, 100);
    remove_tree(dir);
}

/* ---- rl_mkdir_p ---- */

static void test_rl_mkdir_p_nested(void **state)
{
    char *dir = make_tmpdir();
    _cleanup_free_ char *path = xasprintf("%s/a/b//c/", dir);
    struct rl_error *err = NULL;
    assert_int_equal(rl_mkdir_p(path, 0700, &err), 0);
    _cleanup_free_ char *c = xasprintf("%s/a/b/c", dir);
    struct stat st;
    assert_int_equal(stat(c, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    /* existing directories are fine */
    assert_int_equal(rl_mkdir_p(path, 0700, &err), 0);
    assert_null(err);
    remove_tree(dir);
}

static void test_rl_mkdir_p_file_in_the_way(void **state)
{
    char *dir = make_tmpdir();
    _cleanup_free_ char *file = xasprintf("%s/f", dir);
    struct rl_error *err = NULL;
    assert_int_equal(rl_write_file_at(AT_FDCWD, file, "", 0, 0644, &err), 0);
    _cleanup_free_ char *path = xasprintf("%s/f/sub", dir);
    assert_int_equal(rl_mkdir_p(path, 0700, &err), -1);
    assert_int_equal(err->errnum, ENOTDIR);
    assert_non_null(strstr(err->msg, "mkdir "));
    rl_error_free(err);
    remove_tree(dir);
}

static void test_rl_mkdir_p_empty(void **state)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_mkdir_p("", 0700, &err), -1);
    assert_int_equal(err->errnum, ENOENT);
    rl_error_free(err);
}

/* ---- rl_rm_rf ---- */

static void test_rl_rm_rf_tree(void **state)
{
    char *dir = make_tmpdir();
    struct rl_error *err = NULL;
    _cleanup_free_ char *deep = xasprintf("%s/a/b/c", dir);
    assert_int_equal(rl_mkdir_p(deep, 0755, &err), 0);
    _cleanup_free_ char *f1 = xasprintf("%s/a/file", dir);
    _cleanup_free_ char *f2 = xasprintf("%s/a/b/c/file", dir);
    _cleanup_free_ char *ln = xasprintf("%s/a/b/link", dir);
    _cleanup_free_ char *fifo = xasprintf("%s/a/fifo", dir);
    assert_int_equal(rl_write_file_at(AT_FDCWD, f1, "x", 1, 0644, &err), 0);
    assert_int_equal(rl_write_file_at(AT_FDCWD, f2, "y", 1, 0644, &err), 0);
    /* a symlink to a directory outside must be removed, not followed */
    char *outside = make_tmpdir();
    _cleanup_free_ char *keep = xasprintf("%s/keep", outside);
    assert_int_equal(rl_write_file_at(AT_FDCWD, keep, "k", 1, 0644, &err), 0);
    assert_int_equal(symlink(outside, ln), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);

    assert_int_equal(rl_rm_rf(dir, &err), 0);
    assert_null(err);
    assert_int_equal(access(dir, F_OK), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(access(keep, F_OK), 0);
    remove_tree(outside);
    free(dir);
}

static void test_rl_rm_rf_missing_is_ok(void **state)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_rm_rf("/tmp/rl-test-utils-does-not-exist", &err), 0);
    assert_null(err);
}

static void test_rl_rm_rf_single_file(void **state)
{
    char *dir = make_tmpdir();
    _cleanup_free_ char *f = xasprintf("%s/file", dir);
    struct rl_error *err = NULL;
    assert_int_equal(rl_write_file_at(AT_FDCWD, f, "x", 1, 0644, &err), 0);
    assert_int_equal(rl_rm_rf(f, &err), 0);
    assert_int_equal(access(f, F_OK), -1);
    remove_tree(dir);
}

/* ---- rl_now_rfc3339 ---- */

static void test_rl_now_rfc3339_format(void **state)
{
    _cleanup_free_ char *t = rl_now_rfc3339();
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$",
                             REG_EXTENDED | REG_NOSUB),
                     0);
    int r = regexec(&re, t, 0, NULL, 0);
    regfree(&re);
    if (r != 0)
        fail_msg("not RFC3339 with nanoseconds: %s", t);
    assert_true(strncmp(t, "20", 2) == 0);
}

static void test_rl_now_ns_monotonic(void **state)
{
    uint64_t a = rl_now_ns(), b = rl_now_ns();
    assert_true(a > 0);
    assert_true(b >= a);
}

static void test_rl_path_clean_cases(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"/test//test", "/test/test"},
        {"/dev/mynull/", "/dev/mynull"},
        {"/", "/"},
        {"//", "/"},
        {"/a/./b/.", "/a/b"},
        {"a//b/", "a/b"},
        {"./a", "a"},
        {".", "."},
        {"/a/../b", "/a/../b"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", cases[i][0]);
        rl_path_clean(buf);
        if (strcmp(buf, cases[i][1]) != 0)
            fail_msg("rl_path_clean(\"%s\") = \"%s\", want \"%s\"", cases[i][0], buf, cases[i][1]);
    }
    rl_path_clean(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_parse_u64_values),
        cmocka_unit_test(test_rl_parse_u64_max),
        cmocka_unit_test(test_rl_parse_u64_overflow),
        cmocka_unit_test(test_rl_parse_u64_junk),
        cmocka_unit_test(test_rl_write_file_atomic_content),
        cmocka_unit_test(test_rl_write_file_atomic_missing_dir),
        cmocka_unit_test(test_rl_read_file_at_large_and_max),
        cmocka_unit_test(test_rl_mkdir_p_nested),
        cmocka_unit_test(test_rl_mkdir_p_file_in_the_way),
        cmocka_unit_test(test_rl_mkdir_p_empty),
        cmocka_unit_test(test_rl_rm_rf_tree),
        cmocka_unit_test(test_rl_rm_rf_missing_is_ok),
        cmocka_unit_test(test_rl_rm_rf_single_file),
        cmocka_unit_test(test_rl_now_rfc3339_format),
        cmocka_unit_test(test_rl_now_ns_monotonic),
        cmocka_unit_test(test_rl_path_clean_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
