/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* v2 manager against fake cgroup2 trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>

#include "test_cgroup_fake.h"

static const char all_ctl[] = "cpuset cpu io memory hugetlb pids rdma misc\n";

struct fx {
    char *root;
    struct rl_cgroup *cg;
};

/* v2 tree; own cgroup /user.slice (with cgroup.controllers at every level
 * the manager reads), container at cgpath. */
static struct fx setup_v2(const char *cgpath, const char *ctl)
{
    struct fx f = {.root = fake_root("v2")};
    fake_file(f.root, "cgroup.controllers", ctl);
    fake_file(f.root, "cgroup.subtree_control", "");
    fake_file(f.root, "user.slice/cgroup.controllers", ctl);
    fake_file(f.root, "user.slice/cgroup.subtree_control", "");
    struct rl_error *err = NULL;
    f.cg = rl_cgroup_new(f.root, cgpath, "c1", "0::/user.slice\n", &err);
    if (f.cg == NULL)
        fail_msg("%s", err->msg);
    return f;
}

static void teardown_v2(struct fx *f)
{
    rl_cgroup_free(f->cg);
    fake_cleanup(f->root);
}

static void assert_file(const char *root, const char *rel, const char *want)
{
    _cleanup_free_ char *got = fake_read(root, rel);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", rel, got, want);
}

static void v2_files(const char *root, const char *dir)
{
    static const char *const files[] = {
        "memory.max",   "memory.low",    "memory.swap.max", "cpu.weight",
        "cpu.max",      "cpuset.cpus",   "cpuset.mems",     "pids.max",
        "cgroup.procs", "cgroup.freeze", "cgroup.events",   "cgroup.kill",
    };
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        _cleanup_free_ char *rel = xasprintf("%s/%s", dir, files[i]);
        fake_file(root, rel, "");
    }
}

static void apply_ok(struct rl_cgroup *cg, const struct rl_resources *res)
{
    struct rl_error *err = NULL;
    if (rl_cgroup_apply(cg, res, &err) < 0)
        fail_msg("%s", err->msg);
}

static struct rl_resources res_all(void)
{
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = 1 << 20;
    r.cpu.present = true;
    r.cpu.has_shares = true, r.cpu.shares = 1024;
    r.pids.present = true;
    r.pids.limit = 10;
    return r;
}

/* ---- create ---- */

static void test_rl_cgroup_create_v2_subtree_control(void **state)
{
    struct fx f = setup_v2("k8s/pod", all_ctl);
    fake_file(f.root, "user.slice/k8s/cgroup.controllers", all_ctl);
    fake_file(f.root, "user.slice/k8s/cgroup.subtree_control", "");
    struct rl_resources r = res_all();
    struct rl_error *err = NULL;
    if (rl_cgroup_create(f.cg, &r, &err) < 0)
        fail_msg("%s", err->msg);
    assert_true(fake_exists(f.root, "user.slice/k8s/pod"));
    assert_file(f.root, "cgroup.subtree_control", "+cpu +memory +pids");
    assert_file(f.root, "user.slice/cgroup.subtree_control", "+cpu +memory +pids");
    assert_file(f.root, "user.slice/k8s/cgroup.subtree_control", "+cpu +memory +pids");
    teardown_v2(&f);
}

static void test_rl_cgroup_create_v2_already_enabled(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    fake_file(f.root, "cgroup.subtree_control", "cpu memory pids\n");
    fake_file(f.root, "user.slice/cgroup.subtree_control", "memory\n");
    struct rl_resources r = res_all();
    r.cpu.cpus = "0";
    assert_int_equal(rl_cgroup_create(f.cg, &r, NULL), 0);
    assert_file(f.root, "cgroup.subtree_control", "+cpuset");
    assert_file(f.root, "user.slice/cgroup.subtree_control", "+cpu +cpuset +pids");
    teardown_v2(&f);
}

static void test_rl_cgroup_create_v2_no_resources(void **state)
{
    struct fx f = setup_v2(NULL, "");
    assert_int_equal(rl_cgroup_create(f.cg, NULL, NULL), 0);
    assert_true(fake_exists(f.root, "user.slice/c1"));
    assert_file(f.root, "cgroup.subtree_control", "");
    teardown_v2(&f);
}

static void test_rl_cgroup_create_v2_controller_unavailable(void **state)
{
    struct fx f = setup_v2(NULL, "cpu pids\n");
    struct rl_resources r = res_all();
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_create(f.cg, &r, &err), -1);
    _cleanup_free_ char *want =
        xasprintf("create cgroup /user.slice/c1: linux.resources.memory: the memory controller is "
                  "not available in %s",
                  f.root);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    teardown_v2(&f);
}

/* ---- apply ---- */

static void test_rl_cgroup_apply_v2_memory(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = 1073741824;
    r.memory.has_swap = true, r.memory.swap = 3221225472;
    r.memory.has_reservation = true, r.memory.reservation = 536870912;
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/memory.max", "1073741824");
    assert_file(f.root, "user.slice/c1/memory.swap.max", "2147483648");
    assert_file(f.root, "user.slice/c1/memory.low", "536870912");
    teardown_v2(&f);
}

static void test_rl_cgroup_apply_v2_memory_unlimited(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = -1;
    r.memory.has_reservation = true, r.memory.reservation = -1;
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/memory.max", "max");
    assert_file(f.root, "user.slice/c1/memory.swap.max", "max");
    assert_file(f.root, "user.slice/c1/memory.low", "max");
    teardown_v2(&f);
}

static void test_rl_cgroup_apply_v2_memory_no_swap(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = 4096;
    r.memory.has_swap = true, r.memory.swap = 4096;
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/memory.max", "4096");
    assert_file(f.root, "user.slice/c1/memory.swap.max", "0");
    r.memory.swap = 0; /* not set: swap.max untouched */
    fake_file(f.root, "user.slice/c1/memory.swap.max", "");
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/memory.swap.max", "");
    teardown_v2(&f);
}

static void test_rl_cgroup_apply_v2_memory_bad_swap(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = 4096;
    r.memory.has_swap = true, r.memory.swap = 1024;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_apply(f.cg, &r, &err), -1);
    assert_non_null(strstr(err->msg, "linux.resources.memory.swap: memory+swap (1024) is "
                                     "below the memory limit (4096)"));
    rl_error_free(err);
    teardown_v2(&f);
}

static void test_rl_cgroup_apply_v2_cpu(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_resources r = {.present = true};
    r.cpu.present = true;
    r.cpu.has_shares = true, r.cpu.shares = 1024;
    r.cpu.has_quota = true, r.cpu.quota = 50000;
    r.cpu.has_period = true, r.cpu.period = 100000;
    r.cpu.cpus = "0-1";
    r.cpu.mems = "0";
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/cpu.weight", "39");
    assert_file(f.root, "user.slice/c1/cpu.max", "50000 100000");
    assert_file(f.root, "user.slice/c1/cpuset.cpus", "0-1");
    assert_file(f.root, "user.slice/c1/cpuset.mems", "0");
    r.cpu.quota = -1;
    r.cpu.shares = 262144;
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/cpu.max", "max 100000");
    assert_file(f.root, "user.slice/c1/cpu.weight", "10000");
    r.cpu.has_period = false;
    r.cpu.quota = 20000;
    r.cpu.shares = 2;
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/cpu.max", "20000");
    assert_file(f.root, "user.slice/c1/cpu.weight", "1");
    teardown_v2(&f);
}

static void test_rl_cgroup_apply_v2_pids(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_resources r = {.present = true};
    r.pids.present = true;
    r.pids.limit = 32771;
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/pids.max", "32771");
    r.pids.limit = -1;
    apply_ok(f.cg, &r);
    assert_file(f.root, "user.slice/c1/pids.max", "max");
    teardown_v2(&f);
}

/* A fake tree is no cgroup2 directory: the program is built (and, as root,
 * loaded) but attaching fails, with an error naming the bpf command. */
static void test_rl_cgroup_apply_v2_devices_bpf(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_device_cgroup devs[] = {
        {.allow = false, .access = "rwm"},
        {.allow = true,
         .type = "c",
         .has_major = true,
         .major = 1,
         .has_minor = true,
         .minor = 3,
         .access = "rwm"},
    };
    struct rl_resources r = {.present = true, .devices = devs, .n_devices = 2};
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_apply(f.cg, &r, &err), -1);
    if (strstr(err->msg, "linux.resources.devices: bpf(BPF_PROG_") != err->msg)
        fail_msg("unexpected error: %s", err->msg);
    rl_error_free(err);
    teardown_v2(&f);
}

static void test_rl_cgroup_apply_v2_devices_allow_all(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    struct rl_device_cgroup devs[] = {
        {.allow = false, .access = "rwm"},
        {.allow = true, .type = "a", .access = "rwm"},
    };
    struct rl_resources r = {.present = true, .devices = devs, .n_devices = 2};
    apply_ok(f.cg, &r);
    r.n_devices = 0;
    apply_ok(f.cg, &r);
    devs[1].access = "rw"; /* "a" resets whatever its access (v1 kernel rule) */
    r.n_devices = 2;
    apply_ok(f.cg, &r);
    teardown_v2(&f);
}

static void test_rl_cgroup_apply_v2_error_names_path(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    fake_dir(f.root, "user.slice/c1");
    struct rl_resources r = {.present = true};
    r.pids.present = true;
    r.pids.limit = 5;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_apply(f.cg, &r, &err), -1);
    _cleanup_free_ char *want = xasprintf("linux.resources.pids.limit: write %s/user.slice/c1/"
                                          "pids.max: No such file or directory",
                                          f.root);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    teardown_v2(&f);
}

/* ---- processes ---- */

static void test_rl_cgroup_freeze_v2(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    fake_file(f.root, "user.slice/c1/cgroup.events", "populated 1\nfrozen 1\n");
    assert_int_equal(rl_cgroup_freeze(f.cg, true, NULL), 0);
    assert_file(f.root, "user.slice/c1/cgroup.freeze", "1");
    bool frozen = false;
    assert_int_equal(rl_cgroup_is_frozen(f.cg, &frozen, NULL), 0);
    assert_true(frozen);
    assert_int_equal(rl_cgroup_freeze(f.cg, false, NULL), 0);
    assert_file(f.root, "user.slice/c1/cgroup.freeze", "0");
    assert_int_equal(rl_cgroup_is_frozen(f.cg, &frozen, NULL), 0);
    assert_false(frozen);
    teardown_v2(&f);
}

static void test_rl_cgroup_kill_all_v2(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    assert_int_equal(rl_cgroup_kill_all(f.cg, SIGKILL, NULL), 0);
    assert_file(f.root, "user.slice/c1/cgroup.kill", "1");
    teardown_v2(&f);
}

static void test_rl_cgroup_add_pid_v2(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    assert_int_equal(rl_cgroup_add_pid(f.cg, 77, NULL), 0);
    assert_file(f.root, "user.slice/c1/cgroup.procs", "77");
    pid_t *pids = NULL;
    size_t n = 0;
    assert_int_equal(rl_cgroup_pids(f.cg, &pids, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pids[0], 77);
    free(pids);
    teardown_v2(&f);
}

static void test_rl_cgroup_open_unified_v2(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    assert_int_equal(rl_cgroup_open_unified(f.cg), -1);
    assert_int_equal(errno, ENOENT);
    fake_dir(f.root, "user.slice/c1");
    int fd = rl_cgroup_open_unified(f.cg);
    assert_true(fd >= 0);
    close(fd);
    teardown_v2(&f);
}

static void test_rl_cgroup_destroy_v2(void **state)
{
    struct fx f = setup_v2(NULL, all_ctl);
    v2_files(f.root, "user.slice/c1");
    v2_files(f.root, "user.slice/c1/a/b");
    assert_int_equal(rl_cgroup_destroy(f.cg, NULL), 0);
    assert_false(fake_exists(f.root, "user.slice/c1"));
    assert_true(fake_exists(f.root, "user.slice/cgroup.controllers"));
    teardown_v2(&f);
}

/* Parents that create made are removed by destroy once empty; one that
 * existed before is kept (and so is one another cgroup still uses). */
static void test_rl_cgroup_destroy_v2_created_parents(void **state)
{
    struct fx f = setup_v2("td/ct/c1", all_ctl);
    struct rl_error *err = NULL;
    if (rl_cgroup_create(f.cg, NULL, &err) < 0)
        fail_msg("%s", err->msg);
    assert_true(fake_exists(f.root, "user.slice/td/ct/c1"));
    assert_true(rl_cgroup_made_parents(f.cg));
    assert_int_equal(rl_cgroup_destroy(f.cg, NULL), 0);
    assert_false(fake_exists(f.root, "user.slice/td"));
    assert_true(fake_exists(f.root, "user.slice"));
    teardown_v2(&f);

    f = setup_v2("pre/sub/c1", all_ctl);
    fake_dir(f.root, "user.slice/pre");
    if (rl_cgroup_create(f.cg, NULL, &err) < 0)
        fail_msg("%s", err->msg);
    fake_dir(f.root, "user.slice/pre/sub/other");
    assert_int_equal(rl_cgroup_destroy(f.cg, NULL), 0);
    assert_false(fake_exists(f.root, "user.slice/pre/sub/c1"));
    assert_true(fake_exists(f.root, "user.slice/pre/sub/other")); /* busy: kept */
    _cleanup_free_ char *other = fake_path(f.root, "user.slice/pre/sub/other");
    rmdir(other);
    assert_int_equal(rl_cgroup_destroy(f.cg, NULL), 0);
    assert_false(fake_exists(f.root, "user.slice/pre/sub"));
    assert_true(fake_exists(f.root, "user.slice/pre")); /* existed before */
    teardown_v2(&f);

    /* every parent existed: nothing recorded */
    f = setup_v2("pre/c1", all_ctl);
    fake_dir(f.root, "user.slice/pre");
    if (rl_cgroup_create(f.cg, NULL, &err) < 0)
        fail_msg("%s", err->msg);
    assert_false(rl_cgroup_made_parents(f.cg));
    teardown_v2(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_cgroup_create_v2_subtree_control),
        cmocka_unit_test(test_rl_cgroup_create_v2_already_enabled),
        cmocka_unit_test(test_rl_cgroup_create_v2_no_resources),
        cmocka_unit_test(test_rl_cgroup_create_v2_controller_unavailable),
        cmocka_unit_test(test_rl_cgroup_apply_v2_memory),
        cmocka_unit_test(test_rl_cgroup_apply_v2_memory_unlimited),
        cmocka_unit_test(test_rl_cgroup_apply_v2_memory_no_swap),
        cmocka_unit_test(test_rl_cgroup_apply_v2_memory_bad_swap),
        cmocka_unit_test(test_rl_cgroup_apply_v2_cpu),
        cmocka_unit_test(test_rl_cgroup_apply_v2_pids),
        cmocka_unit_test(test_rl_cgroup_apply_v2_devices_bpf),
        cmocka_unit_test(test_rl_cgroup_apply_v2_devices_allow_all),
        cmocka_unit_test(test_rl_cgroup_apply_v2_error_names_path),
        cmocka_unit_test(test_rl_cgroup_freeze_v2),
        cmocka_unit_test(test_rl_cgroup_kill_all_v2),
        cmocka_unit_test(test_rl_cgroup_add_pid_v2),
        cmocka_unit_test(test_rl_cgroup_open_unified_v2),
        cmocka_unit_test(test_rl_cgroup_destroy_v2),
        cmocka_unit_test(test_rl_cgroup_destroy_v2_created_parents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
