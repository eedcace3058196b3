/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* selfexe.c: this test program re-executes itself from the sealed copy
 * (the "sealed-probe" run checks what it then is); in the test process
 * itself, the guard against a second copy and a failed execveat (an
 * environment too big for any execve: E2BIG) come back as errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/utils.h"

#define GUARD "_RUSTLET_SEALED_EXEC"

/* The re-executed program: 0 when it runs from a sealed memfd that refuses
 * writes and the guard is gone. */
static int sealed_probe(char **argv)
{
    struct rl_error *err = NULL;
    if (rl_exec_sealed_self(argv, &err) < 0) {
        fprintf(stderr, "%s\n", err->msg);
        rl_error_free(err);
        return 1;
    }
    char link[256] = "";
    ssize_t n = readlink("/proc/self/exe", link, sizeof(link) - 1);
    if (n < 0 || strncmp(link, "/memfd:rustlet", 14) != 0) {
        fprintf(stderr, "exe is %s\n", link);
        return 2;
    }
    if (getenv(GUARD) != NULL)
        return 3;
    /* no way to change it: the open for writing is refused (ETXTBSY while
     * it runs), or else each write (EPERM, the seal) */
    int fd = open("/proc/self/exe", O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno != ETXTBSY)
        return 4;
    if (fd >= 0 && (write(fd, "x", 1) != -1 || errno != EPERM))
        return 6;
    if (fd >= 0)
        close(fd);
    /* a second call: already sealed, nothing to do */
    return rl_exec_sealed_self(argv, &err) == 0 ? 0 : 5;
}

static void test_reexec(void **state)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *argv[] = {"test_linux_selfexe", "sealed-probe", NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_guard(void **state)
{
    struct rl_error *err = NULL;
    assert_int_equal(setenv(GUARD, "1", 1), 0);
    char *argv[] = {"x", NULL};
    assert_int_equal(rl_exec_sealed_self(argv, &err), -1);
    assert_non_null(err);
    assert_string_equal(err->msg, "CVE-2019-5736 protection: re-executed, but /proc/self/exe is "
                                  "not the sealed copy");
    rl_error_free(err);
    /* the guard is consumed */
    assert_null(getenv(GUARD));
}

static void test_execveat_fails(void **state)
{
    /* one string over MAX_ARG_STRLEN (32 pages): no execve takes it */
    size_t big = 33 * 4096;
    char *v = xzalloc(big + 1);
    memset(v, 'v', big);
    assert_int_equal(setenv("RL_TEST_BIG", v, 1), 0);
    free(v);
    struct rl_error *err = NULL;
    char *argv[] = {"x", NULL};
    int r = rl_exec_sealed_self(argv, &err);
    unsetenv("RL_TEST_BIG");
    assert_int_equal(r, -1);
    assert_non_null(err);
    assert_string_equal(
        err->msg, "CVE-2019-5736 protection: execute the sealed copy: Argument list too long");
    rl_error_free(err);
    assert_null(getenv(GUARD));
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "sealed-probe") == 0)
        return sealed_probe(argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reexec),
        cmocka_unit_test(test_guard),
        cmocka_unit_test(test_execveat_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
