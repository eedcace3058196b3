/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The ENOSYS stub in front of libseccomp's program (seccomp_bpf.c), run
 * through a small classic-BPF evaluator on made-up seccomp_data: nothing
 * is loaded, no root needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "rustlet/seccomp.h"
#include "rustlet/seccomp_bpf.h"
#include "rustlet/spec.h"
#include "rustlet/utils.h"

/* What the kernel's seccomp would answer for (arch, nr, no arguments);
 * *steps (if not NULL) gets the number of instructions executed. */
static uint32_t run_counted(const struct sock_filter *p, size_t n, uint32_t arch, uint32_t nr,
                            size_t *steps)
{
    struct seccomp_data d = {.nr = (int)nr, .arch = arch};
    uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *i = &p[pc];
        if (steps != NULL)
            ++*steps;
        uint32_t src = BPF_SRC(i->code) == BPF_X ? x : i->k;
        switch (BPF_CLASS(i->code)) {
        case BPF_LD:
            if (BPF_MODE(i->code) == BPF_ABS) {
                assert_true(i->k + 4 <= sizeof(d));
                memcpy(&a, (const char *)&d + i->k, 4);
            } else if (BPF_MODE(i->code) == BPF_MEM) {
                a = mem[i->k];
            } else {
                a = i->k;
            }
            break;
        case BPF_LDX:
            x = BPF_MODE(i->code) == BPF_MEM ? mem[i->k] : i->k;
            break;
        case BPF_ST:
            mem[i->k] = a;
            break;
        case BPF_STX:
            mem[i->k] = x;
            break;
        case BPF_ALU:
            switch (BPF_OP(i->code)) {
            case BPF_AND:
                a &= src;
                break;
            case BPF_OR:
                a |= src;
                break;
            case BPF_ADD:
                a += src;
                break;
            case BPF_SUB:
                a -= src;
                break;
            case BPF_RSH:
                a >>= src;
                break;
            case BPF_LSH:
                a <<= src;
                break;
            default:
                fail_msg("ALU op %#x", i->code);
            }
            break;
        case BPF_MISC:
            if (BPF_MISCOP(i->code) == BPF_TAX)
                x = a;
            else
                a = x;
            break;
        case BPF_JMP: {
            bool c = false;
            switch (BPF_OP(i->code)) {
            case BPF_JA:
                pc += i->k;
                continue;
            case BPF_JEQ:
                c = a == src;
                break;
            case BPF_JGT:
                c = a > src;
                break;
            case BPF_JGE:
                c = a >= src;
                break;
            case BPF_JSET:
                c = (a & src) != 0;
                break;
            default:
                fail_msg("JMP op %#x", i->code);
            }
            pc += c ? i->jt : i->jf;
            break;
        }
        case BPF_RET:
            return BPF_RVAL(i->code) == BPF_A ? a : i->k;
        }
    }
    fail_msg("ran off the end of the program");
    return 0;
}

static uint32_t run(const struct sock_filter *p, size_t n, uint32_t arch, uint32_t nr)
{
    return run_counted(p, n, arch, nr, NULL);
}

#define ENOSYS_RET (SECCOMP_RET_ERRNO | ENOSYS)

static void test_rl_seccomp_enosys_stub_alone(void **state)
{
    (void)state;
    struct rl_seccomp_stub_arch archs[] = {
        {AUDIT_ARCH_X86_64, 333, -1},
        {AUDIT_ARCH_I386, 385, -1},
        {AUDIT_ARCH_AARCH64, -1, -1}, /* nothing named: no section */
    };
    struct sock_filter p[64];
    int n = rl_seccomp_enosys_stub(archs, 3, p, 63);
    assert_true(n > 0);
    p[n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW); /* "the filter" */
    size_t len = (size_t)n + 1;
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, 333), SECCOMP_RET_ALLOW);
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, 334), ENOSYS_RET);
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, 439), ENOSYS_RET);
    /* x32 not in the filter: its calls go to the filter untouched */
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, RL_SECCOMP_X32_BIT | 439), SECCOMP_RET_ALLOW);
    assert_int_equal(run(p, len, AUDIT_ARCH_I386, 385), SECCOMP_RET_ALLOW);
    assert_int_equal(run(p, len, AUDIT_ARCH_I386, 386), ENOSYS_RET);
    assert_int_equal(run(p, len, AUDIT_ARCH_AARCH64, 999), SECCOMP_RET_ALLOW);
    assert_int_equal(rl_seccomp_enosys_stub(archs + 2, 1, p, 63), 0);
    assert_int_equal(rl_seccomp_enosys_stub(archs, 3, p, 4), -1); /* does not fit */
}

static void test_rl_seccomp_enosys_stub_x32(void **state)
{
    (void)state;
    struct rl_seccomp_stub_arch archs[] = {{AUDIT_ARCH_X86_64, 333, RL_SECCOMP_X32_BIT | 333}};
    struct sock_filter p[32];
    int n = rl_seccomp_enosys_stub(archs, 1, p, 31);
    assert_true(n > 0);
    p[n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    size_t len = (size_t)n + 1;
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, 334), ENOSYS_RET);
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, RL_SECCOMP_X32_BIT | 333), SECCOMP_RET_ALLOW);
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, RL_SECCOMP_X32_BIT | 334), ENOSYS_RET);
    archs[0].max_nr = -1; /* x32 only */
    n = rl_seccomp_enosys_stub(archs, 1, p, 31);
    p[n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    len = (size_t)n + 1;
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, 999), SECCOMP_RET_ALLOW);
    assert_int_equal(run(p, len, AUDIT_ARCH_X86_64, RL_SECCOMP_X32_BIT | 334), ENOSYS_RET);
}

/* The whole program rl_seccomp_build() makes, evaluated. */
static uint32_t *answers(const char *seccomp, const uint32_t (*q)[2], size_t nq)
{
    char *text = xasprintf("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\"},"
                           "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"seccomp\":%s}}",
                           seccomp);
    struct rl_error *err = NULL;
    struct rl_spec *s = rl_spec_parse(text, strlen(text), &err);
    assert_non_null(s);
    struct rl_seccomp_filter *f = rl_seccomp_build(&s->linux_.seccomp, &err);
    if (f == NULL)
        fail_msg("build: %s", err->msg);
    size_t len = 0;
    struct sock_filter *p = rl_seccomp_export_bpf(f, &len, &err);
    assert_non_null(p);
    uint32_t *r = xzalloc(nq * sizeof(*r));
    for (size_t i = 0; i < nq; i++)
        r[i] = run(p, len / sizeof(*p), q[i][0], q[i][1]);
    free(p);
    rl_seccomp_filter_free(f);
    rl_spec_free(s);
    free(text);
    return r;
}

#define OLD_PROFILE(extra)                                                                         \
    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","               \
    "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"read\",\"write\","           \
    "\"io_pgetevents\"],\"action\":\"SCMP_ACT_ALLOW\"}" extra "]}"

static void test_rl_seccomp_program_old_profile(void **state)
{
    (void)state;
    const uint32_t q[][2] = {
        {AUDIT_ARCH_X86_64, 0},                        /* read: allowed */
        {AUDIT_ARCH_X86_64, 83},                       /* mkdir: default EPERM */
        {AUDIT_ARCH_X86_64, 435},                      /* clone3: ENOSYS */
        {AUDIT_ARCH_X86_64, 439},                      /* faccessat2: ENOSYS */
        {AUDIT_ARCH_X86_64, RL_SECCOMP_X32_BIT | 437}, /* x32 openat2 */
        {AUDIT_ARCH_I386, 3},                          /* i386 read */
        {AUDIT_ARCH_I386, 437},                        /* i386 openat2 */
    };
    uint32_t *r = answers(OLD_PROFILE(""), q, ARRAY_SIZE(q));
    assert_int_equal(r[0], SECCOMP_RET_ALLOW);
    assert_int_equal(r[1], SECCOMP_RET_ERRNO | EPERM);
    assert_int_equal(r[2], ENOSYS_RET);
    assert_int_equal(r[3], ENOSYS_RET);
    assert_int_equal(r[4], ENOSYS_RET);
    assert_int_equal(r[5], SECCOMP_RET_ALLOW);
    assert_int_equal(r[6], ENOSYS_RET);
    free(r);
    /* an explicit rule for clone3 wins; newer ones still get ENOSYS */
    r = answers(
        OLD_PROFILE(",{\"names\":[\"clone3\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}"), q,
        ARRAY_SIZE(q));
    assert_int_equal(r[1], SECCOMP_RET_ERRNO | EPERM);
    assert_int_equal(r[2], SECCOMP_RET_ERRNO | EPERM);
    assert_int_equal(r[3], ENOSYS_RET);
    free(r);
}

static void test_rl_seccomp_program_no_stub(void **state)
{
    (void)state;
    const uint32_t q[][2] = {{AUDIT_ARCH_X86_64, 439}, {AUDIT_ARCH_X86_64, 83}};
    /* a permissive default: nothing changes */
    uint32_t *r = answers("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                          "[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
                          q, ARRAY_SIZE(q));
    assert_int_equal(r[0], SECCOMP_RET_ALLOW);
    assert_int_equal(r[1], SECCOMP_RET_ERRNO | EPERM);
    free(r);
    /* defaultErrnoRet ENOSYS already is what the stub would say */
    r = answers("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"syscalls\":"
                "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                q, ARRAY_SIZE(q));
    assert_int_equal(r[0], ENOSYS_RET);
    assert_int_equal(r[1], ENOSYS_RET);
    free(r);
    /* a KILL default gets the stub too */
    r = answers("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\",\"syscalls\":"
                "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                q, ARRAY_SIZE(q));
    assert_int_equal(r[0], ENOSYS_RET);
    assert_int_equal(r[1], ENOSYS_RET); /* mkdir 83 > read 0 */
    free(r);
}

/* Docker's 2019 profile (about 300 syscalls allowed) is laid out as a binary
 * tree (SCMP_FLTATR_CTL_OPTIMIZE 2), not a linear list: no syscall number
 * runs more than a few dozen instructions.  As a list, a syscall at its end
 * runs several hundred (568 here); getppid, which the benchmark calls, 119. */
static void test_rl_seccomp_program_binary_tree(void **state)
{
    (void)state;
    size_t tlen = 0;
    struct rl_error *err = NULL;
    char *profile = rl_read_file_at(
        AT_FDCWD, RL_TEST_DATA_DIR "/../../integration/seccomp-2019.json", 0, &tlen, &err);
    assert_non_null(profile);
    char *text = xasprintf("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},"
                           "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\"},"
                           "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"seccomp\":%s}}",
                           profile);
    struct rl_spec *s = rl_spec_parse(text, strlen(text), &err);
    assert_non_null(s);
    struct rl_seccomp_filter *f = rl_seccomp_build(&s->linux_.seccomp, &err);
    if (f == NULL)
        fail_msg("build: %s", err->msg);
    size_t len = 0;
    struct sock_filter *p = rl_seccomp_export_bpf(f, &len, &err);
    assert_non_null(p);
    size_t n = len / sizeof(*p), worst = 0, worst_nr = 0, getppid = 0;
    for (uint32_t nr = 0; nr < 450; nr++) {
        size_t steps = 0;
        uint32_t r = run_counted(p, n, AUDIT_ARCH_X86_64, nr, &steps);
        if (nr == 110) { /* getppid: allowed */
            assert_int_equal(r, SECCOMP_RET_ALLOW);
            getppid = steps;
        }
        if (steps > worst) {
            worst = steps;
            worst_nr = nr;
        }
    }
    print_message("binary tree: %zu instructions, getppid runs %zu, worst %zu (nr %zu)\n", n,
                  getppid, worst, worst_nr);
    assert_true(getppid <= 40);
    assert_true(worst <= 60);
    assert_int_equal(run(p, n, AUDIT_ARCH_X86_64, 0), SECCOMP_RET_ALLOW);           /* read */
    assert_int_equal(run(p, n, AUDIT_ARCH_X86_64, 169), SECCOMP_RET_ERRNO | EPERM); /* reboot */
    assert_int_equal(run(p, n, AUDIT_ARCH_X86_64, 439), ENOSYS_RET);                /* faccessat2 */
    free(p);
    rl_seccomp_filter_free(f);
    rl_spec_free(s);
    free(text);
    free(profile);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_seccomp_enosys_stub_alone),
        cmocka_unit_test(test_rl_seccomp_enosys_stub_x32),
        cmocka_unit_test(test_rl_seccomp_program_old_profile),
        cmocka_unit_test(test_rl_seccomp_program_no_stub),
        cmocka_unit_test(test_rl_seccomp_program_binary_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
