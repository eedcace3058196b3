/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* error.c: message text, errno text, wrapping order, NULL safety, move. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "rustlet/error.h"

static void test_rl_error_plain_text(void **state)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_error(&err, "bad %s %d", "value", 42), -1);
    assert_non_null(err);
    assert_string_equal(err->msg, "bad value 42");
    assert_int_equal(err->errnum, 0);
    assert_int_equal(err->status, 1);
    rl_error_free(err);
}

static void test_rl_error_replaces_previous(void **state)
{
    struct rl_error *err = NULL;
    rl_error(&err, "first");
    rl_error(&err, "second"); /* the first one must be freed (ASan leak check) */
    assert_string_equal(err->msg, "second");
    rl_error_free(err);
}

static void test_rl_error_errno_appends_text(void **state)
{
    struct rl_error *err = NULL;
    errno = EACCES;
    assert_int_equal(rl_error_errno(&err, "mount %s", "/run"), -1);
    assert_string_equal(err->msg, "mount /run: Permission denied");
    assert_int_equal(err->errnum, EACCES);
    assert_int_equal(errno, EACCES); /* errno kept for the caller */
    rl_error_free(err);
}

static void test_rl_error_errno_zero(void **state)
{
    struct rl_error *err = NULL;
    errno = 0;
    rl_error_errno(&err, "nothing");
    assert_string_equal(err->msg, "nothing");
    assert_int_equal(err->errnum, 0);
    rl_error_free(err);
}

static void test_rl_error_code_explicit(void **state)
{
    struct rl_error *err = NULL;
    errno = EPERM;
    assert_int_equal(rl_error_code(&err, ENOENT, "open %s", "x"), -1);
    assert_string_equal(err->msg, "open x: No such file or directory");
    assert_int_equal(err->errnum, ENOENT);
    rl_error_free(err);
}

static void test_rl_error_wrap_order(void **state)
{
    struct rl_error *err = NULL;
    errno = EACCES;
    rl_error_errno(&err, "mount");
    assert_int_equal(rl_error_wrap(&err, "(%s on %s)", "tmpfs", "/run"), -1);
    rl_error_wrap(&err, "mounts[%d]", 3);
    /* each wrap prefixes "<context>: ", the last one outermost */
    assert_string_equal(err->msg, "mounts[3]: (tmpfs on /run): mount: Permission denied");
    assert_int_equal(err->errnum, EACCES);
    rl_error_free(err);

    err = NULL;
    rl_error_errno(&err, "mount");
    rl_error_wrap(&err, "mounts[%d] (%s on %s)", 3, "tmpfs", "/run");
    assert_string_equal(err->msg, "mounts[3] (tmpfs on /run): mount: Permission denied");
    rl_error_free(err);
}

static void test_rl_error_null_err_is_safe(void **state)
{
    errno = EIO;
    assert_int_equal(rl_error(NULL, "x %d", 1), -1);
    assert_int_equal(rl_error_errno(NULL, "x"), -1);
    assert_int_equal(errno, EIO);
    assert_int_equal(rl_error_code(NULL, ENOENT, "x"), -1);
    assert_int_equal(rl_error_wrap(NULL, "ctx"), -1);
    struct rl_error *none = NULL;
    assert_int_equal(rl_error_wrap(&none, "ctx"), -1);
    assert_null(none);
    rl_error_free(NULL);
}

static void test_rl_error_move_to_dst(void **state)
{
    struct rl_error *src = NULL, *dst = NULL;
    rl_error(&dst, "old");
    rl_error_code(&src, EBUSY, "new");
    rl_error_move(&dst, &src);
    assert_null(src);
    assert_string_equal(dst->msg, "new: Device or resource busy");
    assert_int_equal(dst->errnum, EBUSY);
    rl_error_free(dst);
}

static void test_rl_error_move_null_dst_frees(void **state)
{
    struct rl_error *src = NULL;
    rl_error(&src, "dropped");
    rl_error_move(NULL, &src);
    assert_null(src);
    struct rl_error *empty = NULL, *dst = NULL;
    rl_error_move(&dst, &empty);
    assert_null(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_error_plain_text),
        cmocka_unit_test(test_rl_error_replaces_previous),
        cmocka_unit_test(test_rl_error_errno_appends_text),
        cmocka_unit_test(test_rl_error_errno_zero),
        cmocka_unit_test(test_rl_error_code_explicit),
        cmocka_unit_test(test_rl_error_wrap_order),
        cmocka_unit_test(test_rl_error_null_err_is_safe),
        cmocka_unit_test(test_rl_error_move_to_dst),
        cmocka_unit_test(test_rl_error_move_null_dst_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
