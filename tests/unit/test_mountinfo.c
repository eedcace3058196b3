/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* mountinfo.c: the one /proc/PID/mountinfo parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rustlet/utils.h"

static void test_plain_line(void **state)
{
    (void)state;
    char line[] = "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue";
    struct rl_mountinfo m;
    assert_int_equal(rl_mountinfo_parse(line, &m), 0);
    assert_int_equal(m.id, 36);
    assert_int_equal(m.parent, 35);
    assert_string_equal(m.root, "/mnt1");
    assert_string_equal(m.mountpoint, "/mnt2");
    assert_string_equal(m.opts, "rw,noatime");
    assert_string_equal(m.optional, "master:1");
    assert_string_equal(m.fstype, "ext3");
    assert_string_equal(m.source, "/dev/root");
    assert_string_equal(m.super, "rw,errors=continue");
}

static void test_no_optional_fields(void **state)
{
    (void)state;
    char line[] = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n";
    struct rl_mountinfo m;
    assert_int_equal(rl_mountinfo_parse(line, &m), 0);
    assert_string_equal(m.optional, "");
    assert_string_equal(m.fstype, "proc");
    assert_string_equal(m.super, "rw");
    assert_false(rl_mountinfo_has_tag(m.optional, "shared"));
}

static void test_several_optional_fields_and_tags(void **state)
{
    (void)state;
    char line[] = "40 30 0:5 / /a rw shared:7 master:2 unbindable - tmpfs tmpfs rw";
    struct rl_mountinfo m;
    assert_int_equal(rl_mountinfo_parse(line, &m), 0);
    assert_string_equal(m.optional, "shared:7 master:2 unbindable");
    assert_true(rl_mountinfo_has_tag(m.optional, "shared"));
    assert_true(rl_mountinfo_has_tag(m.optional, "master"));
    assert_false(rl_mountinfo_has_tag(m.optional, "propagate_from"));
    assert_false(rl_mountinfo_has_tag("sharedx:1", "shared"));
}

/* Blanks, tabs, newlines and backslashes come escaped; a path may even
 * contain " - " once unescaped, and a long path is not cut. */
static void test_escapes_and_long_paths(void **state)
{
    (void)state;
    char big[1400];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char line[2000];
    snprintf(line, sizeof(line),
             "50 1 0:9 /a\\040-\\040b /sys/fs/cgroup/my\\011dir%s rw - cgroup my\\134src rw,cpu",
             big);
    struct rl_mountinfo m;
    assert_int_equal(rl_mountinfo_parse(line, &m), 0);
    assert_string_equal(m.root, "/a - b");
    assert_int_equal(strncmp(m.mountpoint, "/sys/fs/cgroup/my\tdir", 21), 0);
    assert_int_equal(strlen(m.mountpoint), 21 + sizeof(big) - 1);
    assert_string_equal(m.source, "my\\src");
    assert_string_equal(m.fstype, "cgroup");
}

static void test_malformed_lines(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "x 1 0:1 / / rw - proc proc rw",
                         "1 2 0:1 / / rw proc proc rw",
                         "1 2 0:1 / / rw - proc proc",
                         "1 2 0:1 / /",
                         "1 2 0:1 / / rw -"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char line[128];
        snprintf(line, sizeof(line), "%s", bad[i]);
        struct rl_mountinfo m;
        assert_int_equal(rl_mountinfo_parse(line, &m), -1);
    }
}

static int count_line(const struct rl_mountinfo *m, void *arg)
{
    int *n = arg;
    (*n)++;
    return strcmp(m->mountpoint, "/stop") == 0 ? 42 : 0;
}

static void test_each_skips_bad_and_stops(void **state)
{
    (void)state;
    char text[] = "1 0 0:1 / / rw - ext4 /dev/vda rw\n"
                  "garbage\n"
                  "2 1 0:2 / /stop rw - tmpfs tmpfs rw\n"
                  "3 1 0:3 / /after rw - tmpfs tmpfs rw\n";
    int n = 0;
    assert_int_equal(rl_mountinfo_each(text, count_line, &n), 42);
    assert_int_equal(n, 2);
    char none[] = "";
    n = 0;
    assert_int_equal(rl_mountinfo_each(none, count_line, &n), 0);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_line),
        cmocka_unit_test(test_no_optional_fields),
        cmocka_unit_test(test_several_optional_fields_and_tags),
        cmocka_unit_test(test_escapes_and_long_paths),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_each_skips_bad_and_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
