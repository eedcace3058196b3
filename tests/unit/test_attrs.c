/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The pure half of attrs: cpu/node lists, name tables, sysctl keys, and the
 * validation of scheduler, ioPriority, execCPUAffinity, memoryPolicy,
 * personality and sysctl through rl_spec_validate(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rustlet/attrs.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"

/* ---- lists ---- */

static char *parse_err(const char *list)
{
    struct rl_bitmap b;
    struct rl_error *err = NULL;
    if (rl_bitmap_parse(list, &b, &err) == 0)
        return NULL;
    char *m = xstrdup(err->msg);
    rl_error_free(err);
    return m;
}

static void test_rl_bitmap_parse_ranges(void **state)
{
    struct rl_bitmap b;
    struct rl_error *err = NULL;
    assert_int_equal(rl_bitmap_parse("0-3,5", &b, &err), 0);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(rl_bitmap_test(&b, i), i <= 3 || i == 5);
    assert_int_equal(b.top, 6);
    assert_int_equal(rl_bitmap_parse(" 7 , 1-1 ,64-65", &b, &err), 0);
    assert_true(rl_bitmap_test(&b, 1) && rl_bitmap_test(&b, 7) && rl_bitmap_test(&b, 64) &&
                rl_bitmap_test(&b, 65));
    assert_false(rl_bitmap_test(&b, 0) || rl_bitmap_test(&b, 66));
    assert_int_equal(b.top, 66);
    assert_int_equal(rl_bitmap_parse("8191", &b, &err), 0);
    assert_int_equal(b.top, 8192);
}

static void test_rl_bitmap_parse_empty(void **state)
{
    struct rl_bitmap b;
    struct rl_error *err = NULL;
    assert_int_equal(rl_bitmap_parse("", &b, &err), 0);
    assert_int_equal(b.top, 0);
    assert_int_equal(rl_bitmap_parse("  ", &b, &err), 0);
    assert_int_equal(b.top, 0);
}

static void test_rl_bitmap_parse_errors(void **state)
{
    const char *bad[] = {"a",  "1-",  "-1",   "3-1",           "1,,2",
                         "1,", "1 2", "8192", "0-99999999999", "1;2"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char *m = parse_err(bad[i]);
        if (m == NULL)
            fail_msg("\"%s\" parsed", bad[i]);
        free(m);
    }
    char *m = parse_err("3-1");
    assert_string_equal(m, "\"3-1\": range 3-1 is backwards");
    free(m);
}

/* ---- names ---- */

static void test_rl_attrs_names(void **state)
{
    assert_int_equal(rl_sched_policy_from_name("SCHED_OTHER"), 0);
    assert_int_equal(rl_sched_policy_from_name("SCHED_FIFO"), 1);
    assert_int_equal(rl_sched_policy_from_name("SCHED_BATCH"), 3);
    assert_int_equal(rl_sched_policy_from_name("SCHED_ISO"), 4);
    assert_int_equal(rl_sched_policy_from_name("SCHED_IDLE"), 5);
    assert_int_equal(rl_sched_policy_from_name("SCHED_DEADLINE"), 6);
    assert_int_equal(rl_sched_policy_from_name("sched_other"), -1);
    assert_string_equal(rl_sched_policy_name(6), "SCHED_DEADLINE");
    assert_int_equal(rl_sched_flag_from_name("SCHED_FLAG_RESET_ON_FORK"), 1);
    assert_int_equal(rl_sched_flag_from_name("SCHED_FLAG_UTIL_CLAMP_MAX"), 0x40);
    assert_int_equal(rl_ioprio_class_from_name("IOPRIO_CLASS_IDLE"), 3);
    assert_int_equal(rl_ioprio_class_from_name("IOPRIO_CLASS_NONE"), -1);
    assert_int_equal(rl_mempolicy_mode_from_name("MPOL_WEIGHTED_INTERLEAVE"), 6);
    assert_int_equal(rl_mempolicy_flag_from_name("MPOL_F_STATIC_NODES"), 1 << 15);
}

static void test_rl_personality_from_name(void **state)
{
    assert_int_equal(rl_personality_from_name("LINUX"), 0);   /* PER_LINUX */
    assert_int_equal(rl_personality_from_name("LINUX32"), 8); /* PER_LINUX32 */
    assert_int_equal(rl_personality_from_name("linux32"), -1);
    assert_int_equal(rl_personality_from_name(NULL), -1);
}

/* ---- sysctl keys ---- */

static void test_rl_sysctl_namespace(void **state)
{
    assert_int_equal(rl_sysctl_namespace("kernel.shmmax"), RL_NS_IPC);
    assert_int_equal(rl_sysctl_namespace("kernel.shm_rmid_forced"), RL_NS_IPC);
    assert_int_equal(rl_sysctl_namespace("kernel.sem"), RL_NS_IPC);
    assert_int_equal(rl_sysctl_namespace("fs.mqueue.msg_max"), RL_NS_IPC);
    assert_int_equal(rl_sysctl_namespace("net.ipv4.ip_forward"), RL_NS_NETWORK);
    assert_int_equal(rl_sysctl_namespace("net/ipv4/conf/eth0.100/forwarding"), RL_NS_NETWORK);
    assert_int_equal(rl_sysctl_namespace("kernel.hostname"), RL_NS_UTS);
    assert_int_equal(rl_sysctl_namespace("kernel.domainname"), RL_NS_UTS);
    assert_int_equal(rl_sysctl_namespace("vm.swappiness"), -1);
    assert_int_equal(rl_sysctl_namespace("kernel.shmmaxx"), -1);
    assert_int_equal(rl_sysctl_namespace("kernel.core_pattern"), -1);
    assert_int_equal(rl_sysctl_namespace("fs.mqueue"), -1);
}

static void test_rl_sysctl_path(void **state)
{
    char *p = rl_sysctl_path("net.ipv4.ip_forward");
    assert_string_equal(p, "net/ipv4/ip_forward");
    free(p);
    p = rl_sysctl_path("net/ipv4/conf/eth0.100/forwarding");
    assert_string_equal(p, "net/ipv4/conf/eth0.100/forwarding");
    free(p);
    const char *bad[] = {"",        ".net",      "net..ipv4", "net.", "/net/ipv4", "net/../kernel",
                         "net/./x", "net/ipv4/", "a\nb"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        p = rl_sysctl_path(bad[i]);
        if (p != NULL)
            fail_msg("\"%s\" -> \"%s\"", bad[i], p);
    }
}

/* ---- validation through rl_spec_validate ---- */

static char *validate(const char *proc, const char *lx, const char *ns)
{
    char *text = xasprintf("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\","
                           "\"user\":{\"uid\":0,\"gid\":0}%s},"
                           "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}%s]%s}}",
                           proc ? proc : "", ns ? ns : "", lx ? lx : "");
    struct rl_error *err = NULL;
    struct rl_spec *s = rl_spec_parse(text, strlen(text), &err);
    if (s == NULL)
        fail_msg("parse of %s failed: %s", text, err->msg);
    free(text);
    char *msg = NULL;
    if (rl_spec_validate(s, &err) < 0) {
        msg = xstrdup(err->msg);
        rl_error_free(err);
    }
    rl_spec_free(s);
    return msg;
}

#define GOOD(proc, lx, ns)                                                                         \
    do {                                                                                           \
        char *m_ = validate(proc, lx, ns);                                                         \
        if (m_ != NULL)                                                                            \
            fail_msg("expected valid, got: %s", m_);                                               \
    } while (0)

#define BAD(proc, lx, ns, want)                                                                    \
    do {                                                                                           \
        char *m_ = validate(proc, lx, ns);                                                         \
        if (m_ == NULL)                                                                            \
            fail_msg("expected error: %s", want);                                                  \
        if (strncmp(m_, want, strlen(want)) != 0)                                                  \
            fail_msg("got  \"%s\"\nwant \"%s...\"", m_, want);                                     \
        free(m_);                                                                                  \
    } while (0)

#define SCHED(x) ",\"scheduler\":{" x "}"

static void test_rl_attrs_validate_scheduler(void **state)
{
    GOOD(SCHED("\"policy\":\"SCHED_OTHER\",\"nice\":-20"), NULL, NULL);
    GOOD(SCHED("\"policy\":\"SCHED_BATCH\",\"nice\":19,\"flags\":[\"SCHED_FLAG_RESET_ON_FORK\"]"),
         NULL, NULL);
    GOOD(SCHED("\"policy\":\"SCHED_FIFO\",\"priority\":1"), NULL, NULL);
    GOOD(SCHED("\"policy\":\"SCHED_RR\",\"priority\":99"), NULL, NULL);
    GOOD(SCHED("\"policy\":\"SCHED_IDLE\",\"priority\":0"), NULL, NULL);
    GOOD(SCHED("\"policy\":\"SCHED_DEADLINE\",\"runtime\":1024,\"deadline\":1024"), NULL, NULL);
    GOOD(SCHED("\"policy\":\"SCHED_DEADLINE\",\"runtime\":10000000,\"deadline\":20000000,"
               "\"period\":20000000"),
         NULL, NULL);
    BAD(SCHED("\"policy\":\"SCHED_NONE\""), NULL, NULL,
        "process.scheduler.policy: unknown policy \"SCHED_NONE\"");
    BAD(SCHED("\"policy\":\"SCHED_OTHER\",\"nice\":20"), NULL, NULL,
        "process.scheduler.nice: 20 is out of range (-20..19)");
    BAD(SCHED("\"policy\":\"SCHED_OTHER\",\"priority\":5"), NULL, NULL,
        "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority");
    BAD(SCHED("\"policy\":\"SCHED_FIFO\""), NULL, NULL,
        "process.scheduler.priority: SCHED_FIFO needs a priority in 1..99, got 0");
    BAD(SCHED("\"policy\":\"SCHED_RR\",\"priority\":100"), NULL, NULL,
        "process.scheduler.priority: SCHED_RR needs a priority in 1..99, got 100");
    BAD(SCHED("\"policy\":\"SCHED_OTHER\",\"flags\":[\"SCHED_FLAG_X\"]"), NULL, NULL,
        "process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_X\"");
    BAD(SCHED("\"policy\":\"SCHED_OTHER\",\"runtime\":5"), NULL, NULL,
        "process.scheduler: runtime, deadline and period are for SCHED_DEADLINE only");
    BAD(SCHED("\"policy\":\"SCHED_DEADLINE\",\"runtime\":2000,\"deadline\":1500"), NULL, NULL,
        "process.scheduler: SCHED_DEADLINE needs runtime <= deadline (2000 > 1500)");
    BAD(SCHED("\"policy\":\"SCHED_DEADLINE\",\"runtime\":2000,\"deadline\":3000,\"period\":2500"),
        NULL, NULL, "process.scheduler: SCHED_DEADLINE needs deadline <= period (3000 > 2500)");
    BAD(SCHED("\"policy\":\"SCHED_DEADLINE\",\"runtime\":2000"), NULL, NULL,
        "process.scheduler.deadline: SCHED_DEADLINE needs a deadline > 0");
    BAD(SCHED("\"policy\":\"SCHED_DEADLINE\",\"runtime\":100,\"deadline\":1000"), NULL, NULL,
        "process.scheduler.runtime: SCHED_DEADLINE needs a runtime of at least 1024 ns");
}

static void test_rl_attrs_validate_io_priority_affinity(void **state)
{
    GOOD(",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_RT\",\"priority\":7}", NULL, NULL);
    BAD(",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}", NULL, NULL,
        "process.ioPriority.priority: 8 is out of range (0..7)");
    BAD(",\"ioPriority\":{\"class\":\"BE\",\"priority\":1}", NULL, NULL,
        "process.ioPriority.class: unknown class \"BE\"");
    GOOD(",\"execCPUAffinity\":{\"initial\":\"0-1\",\"final\":\"\"}", NULL, NULL);
    BAD(",\"execCPUAffinity\":{\"final\":\"0-x\"}", NULL, NULL,
        "process.execCPUAffinity.final: \"0-x\": expected a number after '-'");
    BAD(",\"oomScoreAdj\":1001", NULL, NULL, "process.oomScoreAdj: 1001 is out of range");
}

#define MPOL(x) ",\"memoryPolicy\":{" x "}"

static void test_rl_attrs_validate_memory_policy(void **state)
{
    GOOD(NULL, MPOL("\"mode\":\"MPOL_DEFAULT\""), NULL);
    GOOD(NULL, MPOL("\"mode\":\"MPOL_LOCAL\",\"nodes\":\"\""), NULL);
    GOOD(NULL, MPOL("\"mode\":\"MPOL_PREFERRED\""), NULL);
    GOOD(NULL,
         MPOL("\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0-3\",\"flags\":"
              "[\"MPOL_F_STATIC_NODES\"]"),
         NULL);
    GOOD(NULL, MPOL("\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_NUMA_BALANCING\"]"),
         NULL);
    BAD(NULL, MPOL("\"nodes\":\"0\""), NULL, "linux.memoryPolicy.mode: missing");
    BAD(NULL, MPOL("\"mode\":\"MPOL_FOO\""), NULL,
        "linux.memoryPolicy.mode: unknown mode \"MPOL_FOO\"");
    BAD(NULL, MPOL("\"mode\":\"MPOL_BIND\""), NULL,
        "linux.memoryPolicy.nodes: MPOL_BIND needs at least one node");
    BAD(NULL, MPOL("\"mode\":\"MPOL_WEIGHTED_INTERLEAVE\",\"nodes\":\"\""), NULL,
        "linux.memoryPolicy.nodes: MPOL_WEIGHTED_INTERLEAVE needs at least one node");
    BAD(NULL, MPOL("\"mode\":\"MPOL_DEFAULT\",\"nodes\":\"0\""), NULL,
        "linux.memoryPolicy.nodes: MPOL_DEFAULT takes no nodes, got \"0\"");
    BAD(NULL, MPOL("\"mode\":\"MPOL_LOCAL\",\"nodes\":\"1\""), NULL,
        "linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes");
    BAD(NULL, MPOL("\"mode\":\"MPOL_BIND\",\"nodes\":\"0-\""), NULL,
        "linux.memoryPolicy.nodes: \"0-\": expected a number after '-'");
    BAD(NULL, MPOL("\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_X\"]"), NULL,
        "linux.memoryPolicy.flags[0]: unknown flag \"MPOL_F_X\"");
    BAD(NULL,
        MPOL("\"mode\":\"MPOL_BIND\",\"nodes\":\"0\",\"flags\":[\"MPOL_F_STATIC_NODES\","
             "\"MPOL_F_RELATIVE_NODES\"]"),
        NULL, "linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES");
    BAD(NULL,
        MPOL("\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"0\",\"flags\":"
             "[\"MPOL_F_NUMA_BALANCING\"]"),
        NULL, "linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING needs MPOL_BIND");
}

static void test_rl_attrs_validate_personality(void **state)
{
    GOOD(NULL, ",\"personality\":{\"domain\":\"LINUX32\",\"flags\":[]}", NULL);
    BAD(NULL, ",\"personality\":{}", NULL, "linux.personality.domain: missing");
    BAD(NULL, ",\"personality\":{\"domain\":\"SVR4\"}", NULL,
        "linux.personality.domain: unknown domain \"SVR4\"");
    BAD(NULL, ",\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"ADDR_NO_RANDOMIZE\"]}", NULL,
        "linux.personality.flags[0]: \"ADDR_NO_RANDOMIZE\": no personality flags are supported");
}

static void test_rl_attrs_validate_sysctl(void **state)
{
    const char *net = ",{\"type\":\"network\"}", *ipc = ",{\"type\":\"ipc\"}",
               *uts = ",{\"type\":\"uts\"}";
    GOOD(NULL, ",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}", net);
    GOOD(NULL, ",\"sysctl\":{\"kernel.shmmax\":\"1000\",\"fs.mqueue.msg_max\":\"5\"}", ipc);
    GOOD(NULL, ",\"sysctl\":{\"kernel.domainname\":\"x\"}", uts);
    /* joined by path: allowed here, the runtime compares it with its own */
    GOOD(NULL, ",\"sysctl\":{\"net.core.somaxconn\":\"9\"}",
         ",{\"type\":\"network\",\"path\":\"/run/netns/x\"}");
    BAD(NULL, ",\"sysctl\":{\"vm.swappiness\":\"1\"}", net,
        "linux.sysctl[\"vm.swappiness\"]: not namespaced");
    BAD(NULL, ",\"sysctl\":{\"kernel.core_pattern\":\"|/x\"}", ipc,
        "linux.sysctl[\"kernel.core_pattern\"]: not namespaced");
    BAD(NULL, ",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}", ipc,
        "linux.sysctl[\"net.ipv4.ip_forward\"]: needs a private network namespace");
    BAD(NULL, ",\"sysctl\":{\"kernel.msgmax\":\"1\"}", net,
        "linux.sysctl[\"kernel.msgmax\"]: needs a private ipc namespace");
    BAD(NULL, ",\"sysctl\":{\"kernel.hostname\":\"h\"}", net,
        "linux.sysctl[\"kernel.hostname\"]: needs a private uts namespace");
    BAD(NULL, ",\"sysctl\":{\"net/../kernel/x\":\"1\"}", net,
        "linux.sysctl[\"net/../kernel/x\"]: not a sysctl name");
    BAD(NULL, ",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\\n0\"}", net,
        "linux.sysctl[\"net.ipv4.ip_forward\"]: value must be one line");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_bitmap_parse_ranges),
        cmocka_unit_test(test_rl_bitmap_parse_empty),
        cmocka_unit_test(test_rl_bitmap_parse_errors),
        cmocka_unit_test(test_rl_attrs_names),
        cmocka_unit_test(test_rl_personality_from_name),
        cmocka_unit_test(test_rl_sysctl_namespace),
        cmocka_unit_test(test_rl_sysctl_path),
        cmocka_unit_test(test_rl_attrs_validate_scheduler),
        cmocka_unit_test(test_rl_attrs_validate_io_priority_affinity),
        cmocka_unit_test(test_rl_attrs_validate_memory_policy),
        cmocka_unit_test(test_rl_attrs_validate_personality),
        cmocka_unit_test(test_rl_attrs_validate_sysctl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
