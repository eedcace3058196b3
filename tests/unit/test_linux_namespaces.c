/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* namespaces.c: the clone flags of the config's new namespaces, joining the
 * ones given by path (user first) through the fake syscall table, and the
 * error of each step naming the config field and errno. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int setup(void **state)
{
    fake_reset();
    rl_sys_set_ops(&fake_linux_ops);
    return 0;
}

static int teardown(void **state)
{
    rl_sys_set_ops(NULL);
    return 0;
}

static void assert_error(struct rl_error *err, const char *want)
{
    assert_non_null(err);
    if (strcmp(err->msg, want) != 0)
        fail_msg("error\n  %s\nwant\n  %s", err->msg, want);
}

static void test_clone_flags(void **state)
{
    assert_int_equal(rl_ns_clone_flag(RL_NS_MOUNT), CLONE_NEWNS);
    assert_int_equal(rl_ns_clone_flag(RL_NS_PID), CLONE_NEWPID);
    assert_int_equal(rl_ns_clone_flag(RL_NS_NETWORK), CLONE_NEWNET);
    assert_int_equal(rl_ns_clone_flag(RL_NS_UTS), CLONE_NEWUTS);
    assert_int_equal(rl_ns_clone_flag(RL_NS_IPC), CLONE_NEWIPC);
    assert_int_equal(rl_ns_clone_flag(RL_NS_USER), CLONE_NEWUSER);
    assert_int_equal(rl_ns_clone_flag(RL_NS_CGROUP), CLONE_NEWCGROUP);
    assert_int_equal(rl_ns_clone_flag(RL_NS_TIME), CLONE_NEWTIME);
    assert_int_equal(rl_ns_clone_flag((enum rl_ns_type)99), 0);
}

/* The default config: five new namespaces, none joined. */
static void test_default_config_new_flags(void **state)
{
    struct rl_error *err = NULL;
    _cleanup_free_ char *json = rl_spec_default_json(false);
    struct rl_spec *s = rl_spec_parse(json, strlen(json), &err);
    assert_non_null(s);
    assert_int_equal(rl_ns_new_flags(s),
                     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
    assert_int_equal(rl_ns_join(s, 0, &err), 0);
    assert_string_equal(fake_calls, "");
    rl_spec_free(s);
}

/* The flags of each recorded setns, in order. */
static void setns_flags(int *out, size_t max, size_t *n)
{
    *n = 0;
    for (const char *p = strstr(fake_calls, "setns("); p && *n < max; p = strstr(p + 1, "setns(")) {
        const char *comma = strchr(p, ')');
        while (comma > p && *comma != ',')
            comma--;
        out[(*n)++] = (int)strtol(comma + 1, NULL, 16);
    }
}

/* Joined by path: the user namespace first (its credentials own the
 * others), then the order ipc uts net pid mnt cgroup time, whatever the
 * config's order; an empty path is a new namespace; skip_flags are left. */
static void test_join_order(void **state)
{
    struct rl_error *err = NULL;
    struct rl_namespace ns[] = {
        {RL_NS_MOUNT, "/proc/self/ns/mnt"}, {RL_NS_NETWORK, "/proc/self/ns/net"}, {RL_NS_UTS, ""},
        {RL_NS_USER, "/proc/self/ns/user"}, {RL_NS_IPC, "/proc/self/ns/ipc"},     {RL_NS_PID, NULL},
    };
    struct rl_spec s = {0};
    s.linux_.namespaces = ns;
    s.linux_.n_namespaces = ARRAY_SIZE(ns);
    assert_int_equal(rl_ns_new_flags(&s), CLONE_NEWUTS | CLONE_NEWPID);
    assert_int_equal(rl_ns_join(&s, 0, &err), 0);
    int got[8];
    size_t n;
    setns_flags(got, 8, &n);
    assert_int_equal(n, 4);
    assert_int_equal(got[0], CLONE_NEWUSER);
    assert_int_equal(got[1], CLONE_NEWIPC);
    assert_int_equal(got[2], CLONE_NEWNET);
    assert_int_equal(got[3], CLONE_NEWNS);
    /* the fd given to setns is the namespace file itself */
    char self_net[64];
    ssize_t l = readlink("/proc/self/ns/net", self_net, sizeof(self_net) - 1);
    assert_true(l > 0);
    self_net[l] = '\0';
    _cleanup_free_ char *want = xasprintf("setns(%s,%#x)", self_net, CLONE_NEWNET);
    assert_non_null(strstr(fake_calls, want));
    fake_reset();
    assert_int_equal(rl_ns_join(&s, CLONE_NEWUSER | CLONE_NEWNS, &err), 0);
    setns_flags(got, 8, &n);
    assert_int_equal(n, 2);
    assert_int_equal(got[0], CLONE_NEWIPC);
    assert_int_equal(got[1], CLONE_NEWNET);
}

static void test_join_errors(void **state)
{
    struct rl_error *err = NULL;
    struct rl_namespace ns[] = {{RL_NS_IPC, "/proc/self/ns/ipc"},
                                {RL_NS_NETWORK, "/proc/self/ns/net"}};
    struct rl_spec s = {0};
    s.linux_.namespaces = ns;
    s.linux_.n_namespaces = ARRAY_SIZE(ns);
    _cleanup_free_ char *on = xasprintf(",%#x)", CLONE_NEWNET);
    fake_fail_on = on;
    fake_fail_errno = EPERM;
    assert_int_equal(rl_ns_join(&s, 0, &err), -1);
    assert_error(err, "linux.namespaces[1] (network): setns /proc/self/ns/net: Operation not "
                      "permitted");
    assert_int_equal(err->errnum, EPERM);
    rl_error_free(err);
    err = NULL;
    fake_reset();
    ns[0].path = "/nonexistent/ns/ipc";
    assert_int_equal(rl_ns_join(&s, 0, &err), -1);
    assert_error(err, "linux.namespaces[0] (ipc): open /nonexistent/ns/ipc: No such file or "
                      "directory");
    assert_string_equal(fake_calls, "");
    rl_error_free(err);
}

/* The maps are written into /proc/PID: a pid that does not exist gives the
 * field and the file. */
static void test_write_id_maps_error(void **state)
{
    struct rl_error *err = NULL;
    struct rl_id_mapping m = {0, 1000, 1};
    struct rl_spec s = {0};
    s.linux_.uid_mappings = &m;
    s.linux_.n_uid_mappings = 1;
    s.linux_.gid_mappings = &m;
    s.linux_.n_gid_mappings = 1;
    assert_int_equal(rl_ns_write_id_maps(-1, &s, &err), -1);
    assert_error(err, "linux.uidMappings: write /proc/-1/uid_map: No such file or directory");
    rl_error_free(err);
    err = NULL;
    assert_int_equal(rl_ns_write_map(-1, "gid_map", &m, 1, "linux.gidMappings", &err), -1);
    assert_error(err, "linux.gidMappings: write /proc/-1/gid_map: No such file or directory");
    rl_error_free(err);
}

/* No timeOffsets: nothing written. With them: the kernel refuses offsets
 * for a time namespace a process already runs in (this test's own), and
 * the error names the field. */
static void test_time_offsets(void **state)
{
    struct rl_error *err = NULL;
    struct rl_spec s = {0};
    assert_int_equal(rl_ns_set_time_offsets(&s, &err), 0);
    s.linux_.time_offsets.present = true;
    assert_int_equal(rl_ns_set_time_offsets(&s, &err), 0); /* present but empty */
    s.linux_.time_offsets.has_monotonic = true;
    s.linux_.time_offsets.monotonic_secs = 10;
    assert_int_equal(rl_ns_set_time_offsets(&s, &err), -1);
    assert_non_null(err);
    assert_true(strncmp(err->msg, "linux.timeOffsets: write /proc/self/timens_offsets: ", 52) == 0);
    rl_error_free(err);
}

static void test_enter_time_for_children(void **state)
{
    struct rl_error *err = NULL;
    if (access("/proc/self/ns/time_for_children", F_OK) < 0)
        skip();
    assert_int_equal(rl_ns_enter_time_for_children(&err), 0);
    _cleanup_free_ char *want = xasprintf(",%#x)\n", CLONE_NEWTIME);
    assert_non_null(strstr(fake_calls, want));
    fake_reset();
    fake_fail_on = "setns(";
    assert_int_equal(rl_ns_enter_time_for_children(&err), -1);
    assert_error(err, "linux.namespaces (time): setns(time_for_children): Invalid argument");
    rl_error_free(err);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_clone_flags),
        T(test_default_config_new_flags),
        T(test_join_order),
        T(test_join_errors),
        T(test_write_id_maps_error),
        T(test_time_offsets),
        T(test_enter_time_for_children),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
