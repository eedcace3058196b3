/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* v1 and hybrid managers against fake cgroupfs trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>

#include "test_cgroup_fake.h"

struct fx {
    char *root;
    struct rl_cgroup *cg;
};

/* Hybrid tree, container "c1" created (files pre-made), default path. */
static struct fx setup_cg(bool hybrid, const char *path)
{
    struct fx f = {.root = fake_v1_root(hybrid)};
    struct rl_error *err = NULL;
    f.cg = rl_cgroup_new(f.root, path, "c1", fake_self, &err);
    if (f.cg == NULL)
        fail_msg("%s", err->msg);
    return f;
}

static void teardown_cg(struct fx *f)
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

static void apply_ok(struct rl_cgroup *cg, const struct rl_resources *res)
{
    struct rl_error *err = NULL;
    if (rl_cgroup_apply(cg, res, &err) < 0)
        fail_msg("%s", err->msg);
}

/* ---- create ---- */

static void test_rl_cgroup_create_v1_dirs(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_file(f.root, "cpuset/cpuset.cpus", "0-1\n");
    fake_file(f.root, "cpuset/cpuset.mems", "0\n");
    fake_file(f.root, "cpuset/c1/cpuset.cpus", "");
    fake_file(f.root, "cpuset/c1/cpuset.mems", "");
    struct rl_error *err = NULL;
    if (rl_cgroup_create(f.cg, NULL, &err) < 0)
        fail_msg("%s", err->msg);
    for (size_t i = 0; i < ARRAY_SIZE(fake_v1_hiers); i++) {
        bool mem = strcmp(fake_v1_hiers[i], "memory") == 0;
        _cleanup_free_ char *rel =
            xasprintf("%s%s", fake_v1_hiers[i], mem ? "/process_api/abc/c1" : "/c1");
        assert_true(fake_exists(f.root, rel));
    }
    assert_true(fake_exists(f.root, "unified/c1"));
    /* existing directories are fine */
    assert_int_equal(rl_cgroup_create(f.cg, NULL, &err), 0);
    teardown_cg(&f);
}

static void test_rl_cgroup_create_cpuset_inherit(void **state)
{
    struct fx f = setup_cg(false, "a/b");
    fake_file(f.root, "cpuset/cpuset.cpus", "0-3\n");
    fake_file(f.root, "cpuset/cpuset.mems", "0\n");
    fake_file(f.root, "cpuset/a/cpuset.cpus", "\n");
    fake_file(f.root, "cpuset/a/cpuset.mems", "0\n");
    fake_file(f.root, "cpuset/a/b/cpuset.cpus", "");
    fake_file(f.root, "cpuset/a/b/cpuset.mems", "");
    struct rl_error *err = NULL;
    if (rl_cgroup_create(f.cg, NULL, &err) < 0)
        fail_msg("%s", err->msg);
    assert_file(f.root, "cpuset/a/cpuset.cpus", "0-3");
    assert_file(f.root, "cpuset/a/cpuset.mems", "0\n"); /* already set: untouched */
    assert_file(f.root, "cpuset/a/b/cpuset.cpus", "0-3");
    assert_file(f.root, "cpuset/a/b/cpuset.mems", "0");
    teardown_cg(&f);
}

static void test_rl_cgroup_create_cpuset_missing_file(void **state)
{
    struct fx f = setup_cg(false, NULL);
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_create(f.cg, NULL, &err), -1);
    assert_non_null(strstr(err->msg, "create cgroup /c1: read "));
    assert_non_null(strstr(err->msg, "/cpuset/c1/cpuset.cpus: No such file or directory"));
    rl_error_free(err);
    teardown_cg(&f);
}

/* ---- apply ---- */

static void test_rl_cgroup_apply_v1_memory(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    struct rl_resources res = {.present = true};
    res.memory.present = true;
    res.memory.has_limit = true, res.memory.limit = 1073741824;
    res.memory.has_swap = true, res.memory.swap = 2147483648;
    res.memory.has_reservation = true, res.memory.reservation = 536870912;
    apply_ok(f.cg, &res);
    assert_file(f.root, "memory/process_api/abc/c1/memory.limit_in_bytes", "1073741824");
    assert_file(f.root, "memory/process_api/abc/c1/memory.memsw.limit_in_bytes", "2147483648");
    assert_file(f.root, "memory/process_api/abc/c1/memory.soft_limit_in_bytes", "536870912");
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_memory_unlimited(void **state)
{
    struct fx f = setup_cg(false, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    struct rl_resources res = {.present = true};
    res.memory.present = true;
    res.memory.has_limit = true, res.memory.limit = -1;
    apply_ok(f.cg, &res);
    /* limit -1 without swap: both unlimited */
    assert_file(f.root, "memory/process_api/abc/c1/memory.limit_in_bytes", "-1");
    assert_file(f.root, "memory/process_api/abc/c1/memory.memsw.limit_in_bytes", "-1");
    assert_file(f.root, "memory/process_api/abc/c1/memory.soft_limit_in_bytes", "");
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_memory_lowering(void **state)
{
    struct fx f = setup_cg(false, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    /* current limit above the new memsw: the limit is written first; the
     * fake tree cannot show the order, only that both values land */
    fake_file(f.root, "memory/process_api/abc/c1/memory.limit_in_bytes", "999999999\n");
    struct rl_resources res = {.present = true};
    res.memory.present = true;
    res.memory.has_limit = true, res.memory.limit = 1000;
    res.memory.has_swap = true, res.memory.swap = 2000;
    apply_ok(f.cg, &res);
    assert_file(f.root, "memory/process_api/abc/c1/memory.limit_in_bytes", "1000");
    assert_file(f.root, "memory/process_api/abc/c1/memory.memsw.limit_in_bytes", "2000");
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_cpu(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    struct rl_resources res = {.present = true};
    res.cpu.present = true;
    res.cpu.has_shares = true, res.cpu.shares = 512;
    res.cpu.has_quota = true, res.cpu.quota = 50000;
    res.cpu.has_period = true, res.cpu.period = 100000;
    res.cpu.cpus = "0-1";
    res.cpu.mems = "0";
    apply_ok(f.cg, &res);
    assert_file(f.root, "cpu,cpuacct/c1/cpu.shares", "512");
    assert_file(f.root, "cpu,cpuacct/c1/cpu.cfs_quota_us", "50000");
    assert_file(f.root, "cpu,cpuacct/c1/cpu.cfs_period_us", "100000");
    assert_file(f.root, "cpuset/c1/cpuset.cpus", "0-1");
    assert_file(f.root, "cpuset/c1/cpuset.mems", "0");
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_cpu_unlimited_quota(void **state)
{
    struct fx f = setup_cg(false, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    struct rl_resources res = {.present = true};
    res.cpu.present = true;
    res.cpu.has_quota = true, res.cpu.quota = -1;
    res.cpu.has_shares = true, res.cpu.shares = 0; /* 0: not set */
    apply_ok(f.cg, &res);
    assert_file(f.root, "cpu,cpuacct/c1/cpu.cfs_quota_us", "-1");
    assert_file(f.root, "cpu,cpuacct/c1/cpu.cfs_period_us", "");
    assert_file(f.root, "cpu,cpuacct/c1/cpu.shares", "");
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_pids(void **state)
{
    struct fx f = setup_cg(false, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    struct rl_resources res = {.present = true};
    res.pids.present = true;
    res.pids.limit = 100;
    apply_ok(f.cg, &res);
    assert_file(f.root, "pids/c1/pids.max", "100");
    res.pids.limit = -1;
    apply_ok(f.cg, &res);
    assert_file(f.root, "pids/c1/pids.max", "max");
    res.pids.limit = 0; /* a valid limit (spec 1.3), not "unlimited" */
    apply_ok(f.cg, &res);
    assert_file(f.root, "pids/c1/pids.max", "0");
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_devices(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    struct rl_device_cgroup devs[] = {
        {.allow = false, .access = "rwm"},
        {.allow = true,
         .type = "c",
         .has_major = true,
         .major = 1,
         .has_minor = true,
         .minor = 3,
         .access = "rwm"},
        {.allow = true, .type = "c", .has_major = true, .major = 136, .access = "rw"},
        {.allow = true, .type = "b", .has_major = true, .major = -1, .has_minor = true, .minor = 5},
        {.allow = false,
         .type = "c",
         .has_major = true,
         .major = 5,
         .has_minor = true,
         .minor = 1,
         .access = "m"},
    };
    struct rl_resources res = {.present = true, .devices = devs, .n_devices = 5};
    apply_ok(f.cg, &res);
    assert_file(f.root, "devices/c1/devices.deny", "a *:* rwm\nc 5:1 m\n");
    assert_file(f.root, "devices/c1/devices.allow", "c 1:3 rwm\nc 136:* rw\nb *:5 rwm\n");
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_error_names_path(void **state)
{
    struct fx f = setup_cg(false, NULL);
    struct rl_resources res = {.present = true};
    res.memory.present = true;
    res.memory.has_limit = true, res.memory.limit = 4096;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_apply(f.cg, &res, &err), -1);
    _cleanup_free_ char *want =
        xasprintf("linux.resources.memory.limit: write %s/memory/process_api/abc/c1/"
                  "memory.limit_in_bytes: No such file or directory",
                  f.root);
    assert_string_equal(err->msg, want);
    assert_int_equal(err->errnum, ENOENT);
    rl_error_free(err);
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_no_controller(void **state)
{
    struct fx f = setup_cg(false, NULL);
    rl_cgroup_free(f.cg);
    _cleanup_free_ char *pids = fake_path(f.root, "pids");
    rmdir(pids);
    f.cg = rl_cgroup_new(f.root, NULL, "c1", fake_self, NULL);
    struct rl_resources res = {.present = true};
    res.pids.present = true;
    res.pids.limit = 10;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_apply(f.cg, &res, &err), -1);
    _cleanup_free_ char *want =
        xasprintf("linux.resources.pids: the pids controller is not mounted under %s", f.root);
    assert_string_equal(err->msg, want);
    rl_error_free(err);
    teardown_cg(&f);
}

static void test_rl_cgroup_apply_v1_not_present(void **state)
{
    struct fx f = setup_cg(false, NULL);
    struct rl_resources res = {.present = false};
    assert_int_equal(rl_cgroup_apply(f.cg, &res, NULL), 0);
    assert_int_equal(rl_cgroup_apply(f.cg, NULL, NULL), 0);
    teardown_cg(&f);
}

/* ---- processes ---- */

static void test_rl_cgroup_add_pid_hybrid(void **state)
{
    struct fx f = setup_cg(true, NULL);
    struct cg_priv *p = f.cg->priv;
    for (size_t i = 0; i < p->n; i++) {
        _cleanup_free_ char *rel = xasprintf("%s/cgroup.procs", p->h[i].abs + strlen(f.root) + 1);
        fake_file(f.root, rel, "");
    }
    struct rl_error *err = NULL;
    if (rl_cgroup_add_pid(f.cg, 4242, &err) < 0)
        fail_msg("%s", err->msg);
    assert_file(f.root, "memory/process_api/abc/c1/cgroup.procs", "4242");
    assert_file(f.root, "systemd/c1/cgroup.procs", "4242");
    assert_file(f.root, "unified/c1/cgroup.procs", "4242");
    teardown_cg(&f);
}

static void test_rl_cgroup_pids_hybrid(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_file(f.root, "unified/c1/cgroup.procs", "10\n11\n");
    fake_file(f.root, "unified/c1/sub/cgroup.procs", "12\n");
    fake_file(f.root, "pids/c1/cgroup.procs", "99\n");
    pid_t *pids = NULL;
    size_t n = 0;
    assert_int_equal(rl_cgroup_pids(f.cg, &pids, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_int_equal(pids[0] + pids[1] + pids[2], 33);
    free(pids);
    teardown_cg(&f);
}

static void test_rl_cgroup_pids_v1(void **state)
{
    struct fx f = setup_cg(false, NULL);
    fake_file(f.root, "pids/c1/cgroup.procs", "99\n");
    fake_file(f.root, "memory/process_api/abc/c1/cgroup.procs", "1\n");
    pid_t *pids = NULL;
    size_t n = 0;
    assert_int_equal(rl_cgroup_pids(f.cg, &pids, &n, NULL), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pids[0], 99);
    free(pids);
    fake_file(f.root, "pids/c1/cgroup.procs", "x\n");
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_pids(f.cg, &pids, &n, &err), -1);
    assert_null(pids);
    assert_non_null(strstr(err->msg, "/pids/c1/cgroup.procs: unexpected content"));
    rl_error_free(err);
    teardown_cg(&f);
}

static void test_rl_cgroup_freeze_v1(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_file(f.root, "freezer/c1/freezer.state", "THAWED\n");
    bool frozen = true;
    assert_int_equal(rl_cgroup_is_frozen(f.cg, &frozen, NULL), 0);
    assert_false(frozen);
    assert_int_equal(rl_cgroup_freeze(f.cg, true, NULL), 0);
    assert_file(f.root, "freezer/c1/freezer.state", "FROZEN");
    assert_int_equal(rl_cgroup_is_frozen(f.cg, &frozen, NULL), 0);
    assert_true(frozen);
    assert_int_equal(rl_cgroup_freeze(f.cg, false, NULL), 0);
    assert_file(f.root, "freezer/c1/freezer.state", "THAWED");
    teardown_cg(&f);
}

static void test_rl_cgroup_is_frozen_v1_missing(void **state)
{
    struct fx f = setup_cg(false, NULL);
    bool frozen = true;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_is_frozen(f.cg, &frozen, &err), 0);
    assert_false(frozen);
    assert_null(err);
    teardown_cg(&f);
}

static void test_rl_cgroup_kill_all_hybrid_sigkill(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_file(f.root, "unified/c1/cgroup.kill", "");
    assert_int_equal(rl_cgroup_kill_all(f.cg, SIGKILL, NULL), 0);
    assert_file(f.root, "unified/c1/cgroup.kill", "1");
    teardown_cg(&f);
}

static void test_rl_cgroup_kill_all_v1_signals_frozen(void **state)
{
    struct fx f = setup_cg(false, NULL);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        pause();
        _exit(0);
    }
    char buf[32];
    snprintf(buf, sizeof(buf), "%d\n", (int)child);
    fake_file(f.root, "pids/c1/cgroup.procs", buf);
    fake_file(f.root, "freezer/c1/freezer.state", "THAWED\n");
    struct rl_error *err = NULL;
    if (rl_cgroup_kill_all(f.cg, SIGTERM, &err) < 0)
        fail_msg("%s", err->msg);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
    assert_file(f.root, "freezer/c1/freezer.state", "THAWED"); /* frozen, then thawed */
    teardown_cg(&f);
}

static void test_rl_cgroup_destroy_v1(void **state)
{
    struct fx f = setup_cg(true, NULL);
    fake_v1_files(f.root, "/process_api/abc/c1", "/c1");
    fake_file(f.root, "unified/c1/child/cgroup.procs", "");
    fake_dir(f.root, "systemd/c1");
    struct rl_error *err = NULL;
    if (rl_cgroup_destroy(f.cg, &err) < 0)
        fail_msg("%s", err->msg);
    assert_false(fake_exists(f.root, "memory/process_api/abc/c1"));
    assert_true(fake_exists(f.root, "memory/process_api/abc"));
    assert_false(fake_exists(f.root, "unified/c1"));
    assert_false(fake_exists(f.root, "systemd/c1"));
    assert_true(fake_exists(f.root, "systemd"));
    /* a second time: nothing left, fine */
    assert_int_equal(rl_cgroup_destroy(f.cg, NULL), 0);
    teardown_cg(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_cgroup_create_v1_dirs),
        cmocka_unit_test(test_rl_cgroup_create_cpuset_inherit),
        cmocka_unit_test(test_rl_cgroup_create_cpuset_missing_file),
        cmocka_unit_test(test_rl_cgroup_apply_v1_memory),
        cmocka_unit_test(test_rl_cgroup_apply_v1_memory_unlimited),
        cmocka_unit_test(test_rl_cgroup_apply_v1_memory_lowering),
        cmocka_unit_test(test_rl_cgroup_apply_v1_cpu),
        cmocka_unit_test(test_rl_cgroup_apply_v1_cpu_unlimited_quota),
        cmocka_unit_test(test_rl_cgroup_apply_v1_pids),
        cmocka_unit_test(test_rl_cgroup_apply_v1_devices),
        cmocka_unit_test(test_rl_cgroup_apply_v1_error_names_path),
        cmocka_unit_test(test_rl_cgroup_apply_v1_no_controller),
        cmocka_unit_test(test_rl_cgroup_apply_v1_not_present),
        cmocka_unit_test(test_rl_cgroup_add_pid_hybrid),
        cmocka_unit_test(test_rl_cgroup_pids_hybrid),
        cmocka_unit_test(test_rl_cgroup_pids_v1),
        cmocka_unit_test(test_rl_cgroup_freeze_v1),
        cmocka_unit_test(test_rl_cgroup_is_frozen_v1_missing),
        cmocka_unit_test(test_rl_cgroup_kill_all_hybrid_sigkill),
        cmocka_unit_test(test_rl_cgroup_kill_all_v1_signals_frozen),
        cmocka_unit_test(test_rl_cgroup_destroy_v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
