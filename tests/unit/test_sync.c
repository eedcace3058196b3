/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* sync.c: the create protocol over a real SOCK_SEQPACKET socketpair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rustlet/sync.h"
#include "rustlet/utils.h"

static int setup(void **state)
{
    int *sv = xmalloc(2 * sizeof(int));
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    *state = sv;
    return 0;
}

static int teardown(void **state)
{
    int *sv = *state;
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    free(sv);
    return 0;
}

static void test_sync_expect_round_trip(void **state)
{
    int *sv = *state;
    struct rl_error *err = NULL;
    assert_int_equal(sync_send(sv[0], SYNC_PID, 12345), 0);
    pid_t pid = 0;
    assert_int_equal(sync_expect(sv[1], SYNC_PID, &pid, &err), 0);
    assert_null(err);
    assert_int_equal(pid, 12345);
    /* and the other way, without a pid pointer */
    assert_int_equal(sync_send(sv[1], SYNC_GO, 0), 0);
    assert_int_equal(sync_expect(sv[0], SYNC_GO, NULL, &err), 0);
}

static void test_sync_expect_order_kept(void **state)
{
    int *sv = *state;
    static const enum sync_type seq[] = {SYNC_HOOKS, SYNC_READY, SYNC_USERMAP};
    for (size_t i = 0; i < ARRAY_SIZE(seq); i++)
        assert_int_equal(sync_send(sv[0], seq[i], (pid_t)i), 0);
    for (size_t i = 0; i < ARRAY_SIZE(seq); i++) {
        pid_t pid = -1;
        assert_int_equal(sync_expect(sv[1], seq[i], &pid, NULL), 0);
        assert_int_equal(pid, (pid_t)i);
    }
}

static void test_sync_expect_error_message(void **state)
{
    int *sv = *state;
    struct rl_error *child = NULL;
    rl_error_code(&child, EACCES, "mount");
    rl_error_wrap(&child, "mounts[3] (tmpfs on /run)");
    sync_send_error(sv[0], child);
    rl_error_free(child);

    struct rl_error *err = NULL;
    pid_t pid = 77;
    assert_int_equal(sync_expect(sv[1], SYNC_READY, &pid, &err), -1);
    assert_string_equal(err->msg, "mounts[3] (tmpfs on /run): mount: Permission denied");
    assert_int_equal(err->errnum, EACCES);
    assert_int_equal(pid, 77);
    rl_error_free(err);
}

static void test_sync_expect_error_null(void **state)
{
    int *sv = *state;
    sync_send_error(sv[0], NULL);
    struct rl_error *err = NULL;
    assert_int_equal(sync_expect(sv[1], SYNC_GO, NULL, &err), -1);
    assert_string_equal(err->msg, "unknown error");
    assert_int_equal(err->errnum, 0);
    rl_error_free(err);
    /* a NULL err pointer on the receiving side is safe */
    sync_send_error(sv[0], NULL);
    assert_int_equal(sync_expect(sv[1], SYNC_GO, NULL, NULL), -1);
}

static void test_sync_expect_error_long_text(void **state)
{
    int *sv = *state;
    struct rl_error *child = NULL;
    char big[SYNC_TEXT_MAX + 500];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    rl_error(&child, "%s", big);
    sync_send_error(sv[0], child);
    rl_error_free(child);
    struct rl_error *err = NULL;
    assert_int_equal(sync_expect(sv[1], SYNC_GO, NULL, &err), -1);
    assert_int_equal(strlen(err->msg), SYNC_TEXT_MAX - 1); /* truncated, terminated */
    rl_error_free(err);
}

static void test_sync_expect_eof(void **state)
{
    int *sv = *state;
    close(sv[0]);
    sv[0] = -1;
    struct rl_error *err = NULL;
    assert_int_equal(sync_expect(sv[1], SYNC_READY, NULL, &err), -1);
    assert_string_equal(err->msg, "sync: the other side exited before 'ready'");
    rl_error_free(err);
}

static void test_sync_expect_wrong_type(void **state)
{
    int *sv = *state;
    assert_int_equal(sync_send(sv[0], SYNC_HOOKS, 0), 0);
    struct rl_error *err = NULL;
    pid_t pid = 5;
    assert_int_equal(sync_expect(sv[1], SYNC_READY, &pid, &err), -1);
    assert_string_equal(err->msg, "sync: expected 'ready', got 'hooks'");
    assert_int_equal(pid, 5);
    rl_error_free(err);
    /* a type outside the table */
    struct sync_msg m = {.type = 999};
    assert_int_equal(send(sv[0], &m, offsetof(struct sync_msg, text) + 1, 0),
                     (ssize_t)offsetof(struct sync_msg, text) + 1);
    err = NULL;
    assert_int_equal(sync_expect(sv[1], SYNC_GO, NULL, &err), -1);
    assert_string_equal(err->msg, "sync: expected 'go', got 'unknown'");
    rl_error_free(err);
}

static void test_sync_expect_short_message(void **state)
{
    int *sv = *state;
    uint32_t t = SYNC_GO;
    assert_int_equal(send(sv[0], &t, sizeof(t), 0), (ssize_t)sizeof(t));
    struct rl_error *err = NULL;
    assert_int_equal(sync_expect(sv[1], SYNC_GO, NULL, &err), -1);
    assert_non_null(strstr(err->msg, "short message"));
    rl_error_free(err);
}

static void test_sync_send_peer_gone(void **state)
{
    int *sv = *state;
    close(sv[1]);
    sv[1] = -1;
    /* MSG_NOSIGNAL: EPIPE instead of a SIGPIPE that would kill the test */
    assert_int_equal(sync_send(sv[0], SYNC_GO, 0), -1);
    assert_int_equal(errno, EPIPE);
}

static void test_sync_type_name_all(void **state)
{
    assert_string_equal(sync_type_name(SYNC_GO), "go");
    assert_string_equal(sync_type_name(SYNC_HOOKS), "hooks");
    assert_string_equal(sync_type_name(SYNC_HOOKS_DONE), "hooks-done");
    assert_string_equal(sync_type_name(SYNC_READY), "ready");
    assert_string_equal(sync_type_name(SYNC_READY_ACK), "ready-ack");
    assert_string_equal(sync_type_name(SYNC_ERROR), "error");
    assert_string_equal(sync_type_name(SYNC_PID), "pid");
    assert_string_equal(sync_type_name(SYNC_USERMAP), "usermap");
    assert_string_equal(sync_type_name(SYNC_USERMAP_DONE), "usermap-done");
    assert_string_equal(sync_type_name(SYNC_MOUNT_SOURCES), "mount-sources");
    assert_string_equal(sync_type_name(SYNC_MOUNT_SOURCE), "mount-source");
    assert_string_equal(sync_type_name((enum sync_type)0), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_sync_expect_round_trip),      T(test_sync_expect_order_kept),
        T(test_sync_expect_error_message),   T(test_sync_expect_error_null),
        T(test_sync_expect_error_long_text), T(test_sync_expect_eof),
        T(test_sync_expect_wrong_type),      T(test_sync_expect_short_message),
        T(test_sync_send_peer_gone),         T(test_sync_type_name_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
