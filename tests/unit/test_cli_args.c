/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* src/cli/args.c: cli_parse in every spelling runc's callers use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cli.h"
#include "rustlet/utils.h"

struct flags {
    const char *bundle;
    const char *pid_file;
    bool detach;
    bool no_pivot;
    int preserve_fds;
};

static struct flags fl;

static const struct cli_opt opts[] = {
    {"bundle", 'b', CLI_STRING, &fl.bundle},        {"pid-file", 0, CLI_STRING, &fl.pid_file},
    {"detach", 'd', CLI_BOOL, &fl.detach},          {"no-pivot", 0, CLI_BOOL, &fl.no_pivot},
    {"preserve-fds", 0, CLI_INT, &fl.preserve_fds},
};

/* Parse argv (NULL-terminated, argv[0] is the command) from index 1. */
static int parse(char **argv, int *i, struct rl_error **err)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    memset(&fl, 0, sizeof(fl));
    *i = 1;
    return cli_parse(argc, argv, i, opts, ARRAY_SIZE(opts), err);
}

static void test_cli_parse_long_space(void **state)
{
    char *argv[] = {"create", "--bundle", "/b", "--pid-file", "/p", "c1", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_string_equal(fl.bundle, "/b");
    assert_string_equal(fl.pid_file, "/p");
    assert_int_equal(i, 5);
    assert_string_equal(argv[i], "c1");
}

static void test_cli_parse_long_equals(void **state)
{
    char *argv[] = {"create", "--bundle=/b=x", "--preserve-fds=3", "--pid-file=", "c1", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_string_equal(fl.bundle, "/b=x");
    assert_int_equal(fl.preserve_fds, 3);
    assert_string_equal(fl.pid_file, "");
    assert_int_equal(i, 4);
}

static void test_cli_parse_single_dash_long(void **state)
{
    /* go-runc passes "-bundle value" style flags */
    char *argv[] = {"create", "-bundle", "/b", "-pid-file=/p", "-detach", "c1", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_string_equal(fl.bundle, "/b");
    assert_string_equal(fl.pid_file, "/p");
    assert_true(fl.detach);
    assert_int_equal(i, 5);
}

static void test_cli_parse_short(void **state)
{
    char *argv[] = {"run", "-b", "/b", "-d", "c1", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_string_equal(fl.bundle, "/b");
    assert_true(fl.detach);
    assert_int_equal(i, 4);
    char *argv2[] = {"run", "-b=/x", "--d", "c1", NULL};
    assert_int_equal(parse(argv2, &i, &err), 0);
    assert_string_equal(fl.bundle, "/x");
    assert_true(fl.detach);
}

static void test_cli_parse_bool(void **state)
{
    char *argv[] = {"run", "--detach", "--no-pivot", "c1", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_true(fl.detach);
    assert_true(fl.no_pivot);
    assert_int_equal(i, 3);
    /* a bool flag does not take the next argument */
    char *argv2[] = {"run", "--detach", "false", NULL};
    assert_int_equal(parse(argv2, &i, &err), 0);
    assert_true(fl.detach);
    assert_int_equal(i, 2);
}

static void test_cli_parse_bool_explicit(void **state)
{
    static const struct {
        const char *arg;
        bool want;
    } tab[] = {
        {"--detach=false", false}, {"--detach=true", true}, {"--detach=0", false},
        {"--detach=1", true},      {"-detach=f", false},    {"-d=t", true},
    };
    for (size_t k = 0; k < ARRAY_SIZE(tab); k++) {
        char *argv[] = {"run", (char *)tab[k].arg, NULL};
        int i;
        struct rl_error *err = NULL;
        fl.detach = !tab[k].want;
        assert_int_equal(parse(argv, &i, &err), 0);
        if (fl.detach != tab[k].want)
            fail_msg("%s gave %d", tab[k].arg, fl.detach);
    }
    char *argv[] = {"run", "--detach=yes", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), -1);
    assert_string_equal(err->msg, "invalid boolean value \"yes\" for flag --detach");
    rl_error_free(err);
}

static void test_cli_parse_double_dash_ends_flags(void **state)
{
    char *argv[] = {"exec", "--detach", "--", "--bundle", "x", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_true(fl.detach);
    assert_null(fl.bundle);
    assert_int_equal(i, 3);
    assert_string_equal(argv[i], "--bundle");
}

static void test_cli_parse_stops_at_non_flag(void **state)
{
    char *argv[] = {"create", "c1", "--bundle", "/b", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_null(fl.bundle);
    assert_int_equal(i, 1);
    /* a lone "-" is an argument, not a flag */
    char *argv2[] = {"create", "-", NULL};
    assert_int_equal(parse(argv2, &i, &err), 0);
    assert_int_equal(i, 1);
    /* nothing at all */
    char *argv3[] = {"create", NULL};
    assert_int_equal(parse(argv3, &i, &err), 0);
    assert_int_equal(i, 1);
}

static void test_cli_parse_unknown_flag(void **state)
{
    static const struct {
        const char *arg;
        const char *msg;
    } tab[] = {
        {"-x", "flag provided but not defined: -x"},
        {"--x", "flag provided but not defined: -x"},
        {"--nope=1", "flag provided but not defined: -nope"},
        {"-bundl", "flag provided but not defined: -bundl"},
    };
    for (size_t k = 0; k < ARRAY_SIZE(tab); k++) {
        char *argv[] = {"create", (char *)tab[k].arg, "c1", NULL};
        int i;
        struct rl_error *err = NULL;
        assert_int_equal(parse(argv, &i, &err), -1);
        assert_string_equal(err->msg, tab[k].msg);
        rl_error_free(err);
    }
}

static void test_cli_parse_missing_argument(void **state)
{
    char *argv[] = {"create", "--bundle", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(argv, &i, &err), -1);
    assert_string_equal(err->msg, "flag needs an argument: --bundle");
    rl_error_free(err);
    char *argv2[] = {"create", "-preserve-fds", NULL};
    err = NULL;
    assert_int_equal(parse(argv2, &i, &err), -1);
    assert_string_equal(err->msg, "flag needs an argument: -preserve-fds");
    rl_error_free(err);
}

static void test_cli_parse_bad_integer(void **state)
{
    static const char *const bad[] = {"abc", "1x", "", "-1", "99999999999", "2000000"};
    for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
        char *argv[] = {"create", "--preserve-fds", (char *)bad[k], NULL};
        int i;
        struct rl_error *err = NULL;
        if (parse(argv, &i, &err) != -1)
            fail_msg("\"%s\" accepted", bad[k]);
        _cleanup_free_ char *want =
            xasprintf("invalid value \"%s\" for flag --preserve-fds", bad[k]);
        assert_string_equal(err->msg, want);
        rl_error_free(err);
    }
    char *eq[] = {"create", "-preserve-fds=x1", NULL};
    int i;
    struct rl_error *err = NULL;
    assert_int_equal(parse(eq, &i, &err), -1);
    assert_string_equal(err->msg, "invalid value \"x1\" for flag -preserve-fds");
    rl_error_free(err);
    err = NULL;
    char *argv[] = {"create", "--preserve-fds", "0", NULL};
    assert_int_equal(parse(argv, &i, &err), 0);
    assert_int_equal(fl.preserve_fds, 0);
}

static void test_cli_require_id_counts(void **state)
{
    char *one[] = {"state", "c1"};
    struct rl_error *err = NULL;
    assert_string_equal(cli_require_id(2, one, 1, "state", &err), "c1");
    assert_string_equal(cli_container_id, "c1");
    assert_null(cli_require_id(1, one, 1, "state", &err));
    assert_string_equal(err->msg, "requires exactly 1 argument (the container id) "
                                  "(see 'rustlet state --help')");
    rl_error_free(err);
    char *two[] = {"state", "a", "b"};
    err = NULL;
    assert_null(cli_require_id(3, two, 1, "state", &err));
    assert_non_null(strstr(err->msg, "requires exactly 1 argument, got 2"));
    rl_error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_parse_long_space),
        cmocka_unit_test(test_cli_parse_long_equals),
        cmocka_unit_test(test_cli_parse_single_dash_long),
        cmocka_unit_test(test_cli_parse_short),
        cmocka_unit_test(test_cli_parse_bool),
        cmocka_unit_test(test_cli_parse_bool_explicit),
        cmocka_unit_test(test_cli_parse_double_dash_ends_flags),
        cmocka_unit_test(test_cli_parse_stops_at_non_flag),
        cmocka_unit_test(test_cli_parse_unknown_flag),
        cmocka_unit_test(test_cli_parse_missing_argument),
        cmocka_unit_test(test_cli_parse_bad_integer),
        cmocka_unit_test(test_cli_require_id_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
