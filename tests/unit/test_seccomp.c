/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Filter construction without loading: each case parses a linux.seccomp
 * object, builds the filter and checks libseccomp's PFC export (or the
 * error naming the config path). No root needed, nothing is loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rustlet/seccomp.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"

static struct rl_spec *parse(const char *seccomp)
{
    char *text = xasprintf("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\"},"
                           "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"seccomp\":%s}}",
                           seccomp);
    struct rl_error *err = NULL;
    struct rl_spec *s = rl_spec_parse(text, strlen(text), &err);
    if (s == NULL)
        fail_msg("parse of %s failed: %s", text, err->msg);
    free(text);
    return s;
}

/* The PFC text of the built filter; fails the test on a build error. */
static char *pfc(const char *seccomp)
{
    struct rl_spec *s = parse(seccomp);
    struct rl_error *err = NULL;
    struct rl_seccomp_filter *f = rl_seccomp_build(&s->linux_.seccomp, &err);
    if (f == NULL)
        fail_msg("build of %s failed: %s", seccomp, err->msg);
    char *text = rl_seccomp_export_pfc(f, &err);
    if (text == NULL)
        fail_msg("export failed: %s", err->msg);
    rl_seccomp_filter_free(f);
    rl_spec_free(s);
    return text;
}

/* The build error message (caller frees). */
static char *build_error(const char *seccomp)
{
    struct rl_spec *s = parse(seccomp);
    struct rl_error *err = NULL;
    struct rl_seccomp_filter *f = rl_seccomp_build(&s->linux_.seccomp, &err);
    if (f != NULL)
        fail_msg("build of %s succeeded, expected an error", seccomp);
    char *msg = xstrdup(err->msg);
    rl_error_free(err);
    rl_spec_free(s);
    return msg;
}

#define HAS(text, needle)                                                                          \
    do {                                                                                           \
        if (strstr((text), (needle)) == NULL)                                                      \
            fail_msg("expected \"%s\" in:\n%s", (needle), (text));                                 \
    } while (0)
#define HASNT(text, needle)                                                                        \
    do {                                                                                           \
        if (strstr((text), (needle)) != NULL)                                                      \
            fail_msg("unexpected \"%s\" in:\n%s", (needle), (text));                               \
    } while (0)
#define ERR(json, want)                                                                            \
    do {                                                                                           \
        char *m_ = build_error(json);                                                              \
        if (strstr(m_, (want)) == NULL)                                                            \
            fail_msg("got  \"%s\"\nwant \"%s\"", m_, (want));                                      \
        free(m_);                                                                                  \
    } while (0)

static void test_rl_seccomp_build_every_action(void **state)
{
    static const struct {
        const char *action;
        const char *pfc;
    } cases[] = {
        {"SCMP_ACT_KILL", "action KILL;"},
        {"SCMP_ACT_KILL_THREAD", "action KILL;"},
        {"SCMP_ACT_KILL_PROCESS", "action KILL_PROCESS;"},
        {"SCMP_ACT_TRAP", "action TRAP;"},
        {"SCMP_ACT_ERRNO", "action ERRNO(1);"}, /* EPERM by default */
        {"SCMP_ACT_TRACE", "action TRACE(1);"},
        {"SCMP_ACT_LOG", "action LOG;"},
        {"SCMP_ACT_NOTIFY", "action 0x7fc00000;"}, /* libseccomp 2.5 PFC has no name for it */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *json = xasprintf("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                               "[\"mkdir\"],\"action\":\"%s\"}]}",
                               cases[i].action);
        char *text = pfc(json);
        HAS(text, "if ($syscall == 83)");           /* mkdir on x86_64 */
        if (strstr(text, "action NOTIFY;") == NULL) /* newer libseccomp names it */
            HAS(text, cases[i].pfc);
        HAS(text, "# default action\n  action ALLOW;");
        free(text);
        free(json);
    }
    char *text = pfc("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":[{\"names\":"
                     "[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
    HAS(text, "# default action\n  action KILL_PROCESS;");
    HAS(text, "action ALLOW;");
    free(text);
}

static void test_rl_seccomp_build_errno_ret(void **state)
{
    char *text = pfc("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":["
                     "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                     "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":18},"
                     "{\"names\":[\"chmod\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7}]}");
    HAS(text, "# default action\n  action ERRNO(38);");
    HAS(text, "action ERRNO(18);");
    HAS(text, "action TRACE(7);");
    free(text);
    /* a rule with exactly the default action is dropped (libseccomp refuses it) */
    text = pfc("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
               "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
    HASNT(text, "== 83");
    free(text);
}

static void test_rl_seccomp_build_unknown_syscall_skipped(void **state)
{
    char *text = pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                     "[\"no_such_syscall\",\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
    HAS(text, "if ($syscall == 83)");
    free(text);
}

static void test_rl_seccomp_build_every_op(void **state)
{
    static const struct {
        const char *op;
        const char *pfc;
    } cases[] = {
        {"SCMP_CMP_EQ", "if ($a1.lo32 == 448)"},
        {"SCMP_CMP_NE", "if ($a1.lo32 == 448)"}, /* NE: the EQ test with the actions swapped */
        {"SCMP_CMP_GT", "if ($a1.lo32 > 448)"},
        {"SCMP_CMP_GE", "if ($a1.lo32 >= 448)"},
        {"SCMP_CMP_LT", "if ($a1.lo32 >= 448)"}, /* LT: GE with the actions swapped */
        {"SCMP_CMP_LE", "if ($a1.lo32 > 448)"},
        {"SCMP_CMP_MASKED_EQ", "if ($a1.lo32 & 0x00000012 == 18)"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *json =
            xasprintf("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                      "[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,"
                      "\"value\":%s,\"valueTwo\":18,\"op\":\"%s\"}]}]}",
                      strcmp(cases[i].op, "SCMP_CMP_MASKED_EQ") == 0 ? "18" : "448", cases[i].op);
        char *text = pfc(json);
        HAS(text, cases[i].pfc);
        free(text);
        free(json);
    }
}

static void test_rl_seccomp_build_args_and_or(void **state)
{
    /* different indexes: one rule, both conditions */
    char *text = pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"chmod\"],"
                     "\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
                     "{\"index\":0,\"value\":7,\"op\":\"SCMP_CMP_EQ\"},"
                     "{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}");
    HAS(text, "if ($a0.lo32 == 7)");
    HAS(text, "if ($a1.lo32 == 9)");
    free(text);
    /* the same index twice: two rules (either value matches) */
    text = pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"chmod\"],"
               "\"action\":\"SCMP_ACT_ERRNO\",\"args\":["
               "{\"index\":1,\"value\":7,\"op\":\"SCMP_CMP_EQ\"},"
               "{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}");
    HAS(text, "if ($a1.lo32 == 7)");
    HAS(text, "if ($a1.lo32 == 9)");
    free(text);
}

static void test_rl_seccomp_build_archs(void **state)
{
    char *text =
        pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86\","
            "\"SCMP_ARCH_X32\",\"SCMP_ARCH_AARCH64\"],\"syscalls\":[{\"names\":[\"mkdir\"],"
            "\"action\":\"SCMP_ACT_ERRNO\"}]}");
    HAS(text, "if ($arch == 3221225534)"); /* x86_64, native, always there */
    HAS(text, "if ($arch == 1073741827)"); /* x86 */
    HAS(text, "if ($arch == 3221225655)"); /* aarch64 */
    free(text);
    /* listing the native one again is fine */
    text = pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"]}");
    HAS(text, "if ($arch == 3221225534)");
    free(text);
}

static void test_rl_seccomp_build_flags(void **state)
{
    if (rl_seccomp_flag_supported("SECCOMP_FILTER_FLAG_LOG")) {
        char *text = pfc("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":["
                         "\"SECCOMP_FILTER_FLAG_LOG\"]}");
        free(text);
    }
    if (!rl_seccomp_flag_supported("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"))
        ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
            "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
            "linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is not supported: ");
    ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"FOO\"]}",
        "linux.seccomp.flags[0]: unknown flag \"FOO\"");
}

static void test_rl_seccomp_build_bad_values(void **state)
{
    ERR("{\"defaultAction\":\"SCMP_ACT_NOPE\"}",
        "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"");
    ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"a\"],\"action\":"
        "\"SCMP_ACT_ERRNO\"},{\"names\":[\"b\"],\"action\":\"SCMP_ACT_FOO\"}]}",
        "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_FOO\"");
    ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":"
        "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_FOO\"}]}]}",
        "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\"");
    ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":"
        "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
        "linux.seccomp.syscalls[0].args[0].index: 6 is not an argument index (0-5)");
    ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
        "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_VAX\"");
    ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":"
        "\"SCMP_ACT_ALLOW\",\"errnoRet\":1}]}",
        "linux.seccomp.syscalls[0].action: SCMP_ACT_ALLOW does not take an errno");
    ERR("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":70000}",
        "linux.seccomp.defaultAction: errno 70000 out of range");
    /* an architecture the spec names but this libseccomp lacks */
    bool has_sh = false;
    for (const char *const *a = rl_seccomp_arch_names(); *a; a++)
        has_sh = has_sh || strcmp(*a, "SCMP_ARCH_SH") == 0;
    if (!has_sh)
        ERR("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_SH\"]}",
            "linux.seccomp.architectures[0]: SCMP_ARCH_SH is not supported by libseccomp");
}

static void test_rl_seccomp_export_bpf(void **state)
{
    struct rl_spec *s = parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                              "[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
    struct rl_error *err = NULL;
    struct rl_seccomp_filter *f = rl_seccomp_build(&s->linux_.seccomp, &err);
    assert_non_null(f);
    size_t len = 0;
    void *bpf = rl_seccomp_export_bpf(f, &len, &err);
    assert_non_null(bpf);
    assert_true(len > 0 && len % 8 == 0); /* struct sock_filter instructions */
    free(bpf);
    rl_seccomp_filter_free(f);
    rl_spec_free(s);
}

static void test_rl_seccomp_uses_notify(void **state)
{
    struct rl_spec *s = parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                              "[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}");
    assert_true(rl_seccomp_uses_notify(&s->linux_.seccomp));
    rl_spec_free(s);
    s = parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}");
    assert_false(rl_seccomp_uses_notify(&s->linux_.seccomp));
    rl_spec_free(s);
}

static void test_rl_seccomp_process_state(void **state)
{
    char *msg = rl_seccomp_process_state(42, "m\"d", "{\"ociVersion\":\"1.3.0\",\"id\":\"c\"}");
    assert_string_equal(msg, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":42,"
                             "\"metadata\":\"m\\\"d\",\"state\":{\"ociVersion\":\"1.3.0\","
                             "\"id\":\"c\"}}");
    free(msg);
    msg = rl_seccomp_process_state(1, NULL, "{}");
    assert_string_equal(msg, "{\"ociVersion\":\"1.3.0\",\"fds\":[\"seccompFd\"],\"pid\":1,"
                             "\"state\":{}}");
    free(msg);
}

static void test_rl_seccomp_names(void **state)
{
    size_t n = 0;
    for (const char *const *a = rl_seccomp_action_names(); *a; a++, n++)
        assert_true(rl_seccomp_action_known(*a));
    assert_int_equal(n, 9);
    n = 0;
    for (const char *const *o = rl_seccomp_op_names(); *o; o++, n++)
        assert_true(rl_seccomp_op_known(*o));
    assert_int_equal(n, 7);
    for (const char *const *a = rl_seccomp_arch_names(); *a; a++)
        assert_true(rl_seccomp_arch_known(*a));
    for (const char *const *f = rl_seccomp_flag_names(); *f; f++)
        assert_true(rl_seccomp_flag_known(*f));
    assert_true(rl_seccomp_arch_known("SCMP_ARCH_SHEB")); /* known even if unsupported */
    assert_false(rl_seccomp_action_known("SCMP_ACT_KILL_ALL"));
    assert_true(rl_seccomp_action_takes_errno("SCMP_ACT_TRACE"));
    assert_false(rl_seccomp_action_takes_errno("SCMP_ACT_LOG"));
}

/* The spec module's tables are indexed by the enums the libseccomp mapping
 * of seccomp.c uses: every id has a name, and the name leads back to it. */
static void test_rl_seccomp_name_ids(void **state)
{
    for (int i = 0; i < RL_SECCOMP_ACT_COUNT; i++)
        assert_int_equal(rl_seccomp_action_from_name(rl_seccomp_action_name(i)), i);
    for (int i = 0; i < RL_SECCOMP_CMP_COUNT; i++)
        assert_int_equal(rl_seccomp_op_from_name(rl_seccomp_op_name(i)), i);
    for (int i = 0; i < RL_SECCOMP_ARCH_COUNT; i++)
        assert_int_equal(rl_seccomp_arch_from_name(rl_seccomp_arch_name(i)), i);
    for (int i = 0; i < RL_SECCOMP_FLAG_COUNT; i++)
        assert_int_equal(rl_seccomp_flag_from_name(rl_seccomp_flag_name(i)), i);
    assert_string_equal(rl_seccomp_action_name(RL_SECCOMP_ACT_NOTIFY), "SCMP_ACT_NOTIFY");
    assert_string_equal(rl_seccomp_arch_name(RL_SECCOMP_ARCH_X86_64), "SCMP_ARCH_X86_64");
    assert_string_equal(rl_seccomp_op_name(RL_SECCOMP_CMP_COUNT), "?");
    assert_int_equal(rl_seccomp_flag_from_name(NULL), -1);
    /* the native architecture is one this libseccomp can add */
    bool native = false;
    for (const char *const *a = rl_seccomp_arch_names(); *a; a++)
        native = native || strcmp(*a, "SCMP_ARCH_X86_64") == 0;
    assert_true(native);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_seccomp_build_every_action),
        cmocka_unit_test(test_rl_seccomp_name_ids),
        cmocka_unit_test(test_rl_seccomp_build_errno_ret),
        cmocka_unit_test(test_rl_seccomp_build_unknown_syscall_skipped),
        cmocka_unit_test(test_rl_seccomp_build_every_op),
        cmocka_unit_test(test_rl_seccomp_build_args_and_or),
        cmocka_unit_test(test_rl_seccomp_build_archs),
        cmocka_unit_test(test_rl_seccomp_build_flags),
        cmocka_unit_test(test_rl_seccomp_build_bad_values),
        cmocka_unit_test(test_rl_seccomp_export_bpf),
        cmocka_unit_test(test_rl_seccomp_uses_notify),
        cmocka_unit_test(test_rl_seccomp_process_state),
        cmocka_unit_test(test_rl_seccomp_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
