/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The v2 device filter (cgroup_devices.c): the v1 rule semantics it
 * emulates, the exact instruction sequence for a few rule lists, an
 * interpreter over the generated program to check decisions, and (as
 * root) that the kernel's verifier accepts it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/bpf.h>
#include <sys/syscall.h>

#include "test_cgroup_fake.h"

#define RULE(al, t, ma, mi, acc)                                                                   \
    {                                                                                              \
        .allow = (al), .type = (t), .has_major = (ma) >= 0, .major = (ma), .has_minor = (mi) >= 0, \
        .minor = (mi), .access = (acc)                                                             \
    }

/* A tiny interpreter for exactly the instructions the generator emits. */
static int run_prog(const struct bpf_insn *p, size_t n, unsigned type, unsigned access,
                    uint32_t major, uint32_t minor)
{
    uint32_t ctx[3] = {type | access << 16, major, minor};
    uint64_t r[11] = {0};
    for (size_t pc = 0; pc < n; pc++) {
        const struct bpf_insn *i = &p[pc];
        switch (i->code) {
        case BPF_LDX | BPF_MEM | BPF_W:
            r[i->dst_reg] = ctx[i->off / 4];
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & (uint32_t)i->imm);
            break;
        case BPF_ALU | BPF_RSH | BPF_K:
            r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> i->imm;
            break;
        case BPF_ALU | BPF_MOV | BPF_X:
            r[i->dst_reg] = (uint32_t)r[i->src_reg];
            break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
            r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
            break;
        case BPF_JMP | BPF_JNE | BPF_K:
            if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
                pc += i->off;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            if (r[i->dst_reg] == (uint64_t)(int64_t)i->imm)
                pc += i->off;
            break;
        case BPF_JMP | BPF_JNE | BPF_X:
            if (r[i->dst_reg] != r[i->src_reg])
                pc += i->off;
            break;
        case BPF_JMP | BPF_EXIT:
            return (int)r[0];
        default:
            fail_msg("unexpected opcode %#x at %zu", i->code, pc);
        }
    }
    fail_msg("fell off the end of the program");
    return -1;
}

enum { B = 1, C = 2 };
enum { M = 1, R = 2, W = 4 };

static void prog(const struct rl_device_cgroup *d, size_t n, struct bpf_insn **p, size_t *np)
{
    struct rl_error *err = NULL;
    if (cg_dev_program(d, n, p, np, &err) < 0)
        fail_msg("%s", err->msg);
}

static void test_cg_dev_emulate_v1_rules(void **state)
{
    struct rl_device_cgroup d[] = {
        RULE(true, "c", 1, 3, "r"),       /* dropped by the reset below */
        RULE(false, NULL, -1, -1, "rwm"), /* a: deny all, reset */
        RULE(true, "c", 1, 3, "r"),       RULE(true, "c", 1, 3, "w"),     /* merged: c 1:3 rw */
        RULE(true, "c", 136, -1, "rwm"),  RULE(false, "c", 136, -1, "m"), /* c 136:* rw */
        RULE(true, "b", 8, 0, "m"),       RULE(false, "b", 8, 0, "m"),    /* removed */
        RULE(false, "c", 5, 0, "rwm"), /* no such exception: nothing */
    };
    bool dflt;
    struct cg_dev_exc *e;
    size_t n;
    assert_int_equal(cg_dev_emulate(d, ARRAY_SIZE(d), &dflt, &e, &n, NULL), 0);
    assert_false(dflt);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].type, 'c');
    assert_int_equal(e[0].major, 1);
    assert_int_equal(e[0].minor, 3);
    assert_int_equal(e[0].access, R | W);
    assert_int_equal(e[1].major, 136);
    assert_int_equal(e[1].minor, -1);
    assert_int_equal(e[1].access, R | W);
    free(e);
}

/* The exact program for "deny all; allow c 1:3 rw; allow c 136:* rwm". */
static void test_cg_dev_program_exact(void **state)
{
    struct rl_device_cgroup d[] = {
        RULE(false, "a", -1, -1, "rwm"),
        RULE(true, "c", 1, 3, "rw"),
        RULE(true, "c", 136, -1, "rwm"),
    };
    struct bpf_insn *p;
    size_t n;
    prog(d, ARRAY_SIZE(d), &p, &n);
    const struct bpf_insn want[] = {
        {BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0},
        {BPF_ALU | BPF_AND | BPF_K, 2, 0, 0, 0xffff},
        {BPF_LDX | BPF_MEM | BPF_W, 3, 1, 0, 0},
        {BPF_ALU | BPF_RSH | BPF_K, 3, 0, 0, 16},
        {BPF_LDX | BPF_MEM | BPF_W, 4, 1, 4, 0},
        {BPF_LDX | BPF_MEM | BPF_W, 5, 1, 8, 0},
        /* c 1:3 rw */
        {BPF_JMP | BPF_JNE | BPF_K, 2, 0, 7, BPF_DEVCG_DEV_CHAR},
        {BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0},
        {BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, R | W},
        {BPF_JMP | BPF_JNE | BPF_X, 1, 3, 4, 0},
        {BPF_JMP | BPF_JNE | BPF_K, 4, 0, 3, 1},
        {BPF_JMP | BPF_JNE | BPF_K, 5, 0, 2, 3},
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
        /* c 136:* rwm: no access or minor check */
        {BPF_JMP | BPF_JNE | BPF_K, 2, 0, 3, BPF_DEVCG_DEV_CHAR},
        {BPF_JMP | BPF_JNE | BPF_K, 4, 0, 2, 136},
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
        /* default deny */
        {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    assert_int_equal(n, ARRAY_SIZE(want));
    for (size_t i = 0; i < n; i++) {
        if (memcmp(&p[i], &want[i], sizeof(want[i])) != 0)
            fail_msg("instruction %zu: code %#x dst %u src %u off %d imm %d", i, p[i].code,
                     p[i].dst_reg, p[i].src_reg, p[i].off, p[i].imm);
    }
    assert_int_equal(run_prog(p, n, C, R | W, 1, 3), 1);
    assert_int_equal(run_prog(p, n, C, R, 1, 3), 1);
    assert_int_equal(run_prog(p, n, C, M, 1, 3), 0); /* mknod not allowed */
    assert_int_equal(run_prog(p, n, B, R, 1, 3), 0); /* block, not char */
    assert_int_equal(run_prog(p, n, C, R | W, 1, 5), 0);
    assert_int_equal(run_prog(p, n, C, R | W | M, 136, 7), 1);
    free(p);
}

/* runc's default rules after "deny all": decisions as on v1. */
static void test_cg_dev_program_defaults(void **state)
{
    struct rl_device_cgroup d[] = {
        RULE(false, NULL, -1, -1, "rwm"), RULE(true, "c", -1, -1, "m"),
        RULE(true, "b", -1, -1, "m"),     RULE(true, "c", 1, 3, "rwm"),
        RULE(true, "c", 5, 0, "rwm"),     RULE(true, "c", 136, -1, "rwm"),
        RULE(false, "c", 1, 3, "w"), /* takes w away from /dev/null */
    };
    struct bpf_insn *p;
    size_t n;
    prog(d, ARRAY_SIZE(d), &p, &n);
    assert_int_equal(run_prog(p, n, C, M, 42, 42), 1); /* mknod of anything */
    assert_int_equal(run_prog(p, n, B, M, 8, 0), 1);
    assert_int_equal(run_prog(p, n, B, R, 8, 0), 0); /* no disk access */
    assert_int_equal(run_prog(p, n, C, R, 1, 3), 1);
    assert_int_equal(run_prog(p, n, C, W, 1, 3), 0);
    assert_int_equal(run_prog(p, n, C, R | W, 1, 3), 0); /* O_RDWR needs both */
    assert_int_equal(run_prog(p, n, C, R | W, 5, 0), 1);
    free(p);
}

/* Default allow (last "a" rule allows): deny exceptions, any bit denies. */
static void test_cg_dev_program_default_allow(void **state)
{
    struct rl_device_cgroup d[] = {
        RULE(false, "a", -1, -1, "rwm"),
        RULE(true, "a", -1, -1, "rwm"),
        RULE(false, "c", 1, 3, "w"),
        RULE(false, "b", -1, -1, "rwm"),
    };
    struct bpf_insn *p;
    size_t n;
    prog(d, ARRAY_SIZE(d), &p, &n);
    assert_int_equal(run_prog(p, n, C, R, 1, 3), 1);
    assert_int_equal(run_prog(p, n, C, R | W, 1, 3), 0);
    assert_int_equal(run_prog(p, n, C, R | W, 1, 5), 1);
    assert_int_equal(run_prog(p, n, B, R, 8, 0), 0);
    free(p);
    /* allow all: no program at all */
    prog(d, 2, &p, &n);
    assert_null(p);
    assert_int_equal(n, 0);
    /* no rules: deny everything (a filter with no exceptions) */
    prog(d, 0, &p, &n);
    assert_int_equal(n, 8);
    assert_int_equal(run_prog(p, n, C, R, 1, 3), 0);
    free(p);
}

static void test_cg_dev_program_bad_rules(void **state)
{
    struct rl_device_cgroup d[] = {RULE(true, "x", 1, 3, "r")};
    struct bpf_insn *p;
    size_t n;
    struct rl_error *err = NULL;
    assert_int_equal(cg_dev_program(d, 1, &p, &n, &err), -1);
    assert_string_equal(err->msg, "linux.resources.devices[0].type: unknown type \"x\"");
    rl_error_free(err);
    err = NULL;
    d[0] = (struct rl_device_cgroup)RULE(true, "c", 1, 3, "r");
    d[0].minor = (int64_t)1 << 33;
    assert_int_equal(cg_dev_program(d, 1, &p, &n, &err), -1);
    assert_string_equal(err->msg, "linux.resources.devices[0]: major/minor out of range");
    rl_error_free(err);
}

/* As root: the kernel's verifier accepts the generated program. */
static void test_cg_dev_program_verifier(void **state)
{
    if (geteuid() != 0)
        skip();
    struct rl_device_cgroup d[] = {
        RULE(false, NULL, -1, -1, "rwm"),
        RULE(true, "c", 1, 3, "rw"),
        RULE(true, "c", 136, -1, "rwm"),
        RULE(true, "b", 8, -1, "m"),
    };
    struct bpf_insn *p;
    size_t n;
    prog(d, ARRAY_SIZE(d), &p, &n);
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    a.insns = (uint64_t)(uintptr_t)p;
    a.insn_cnt = (uint32_t)n;
    a.license = (uint64_t)(uintptr_t) "MIT";
    int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
    free(p);
    if (fd < 0 && (errno == EPERM || errno == ENOSYS))
        skip();
    if (fd < 0)
        fail_msg("BPF_PROG_LOAD: %s", strerror(errno));
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cg_dev_emulate_v1_rules),
        cmocka_unit_test(test_cg_dev_program_exact),
        cmocka_unit_test(test_cg_dev_program_defaults),
        cmocka_unit_test(test_cg_dev_program_default_allow),
        cmocka_unit_test(test_cg_dev_program_bad_rules),
        cmocka_unit_test(test_cg_dev_program_verifier),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
