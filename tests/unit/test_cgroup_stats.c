/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rl_cgroup_stats / rl_cgroup_update / rl_cgroup_oom_kill_count against
 * fake v1 and v2 trees holding the kernel's file formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_cgroup_fake.h"

static const char self_v1[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n"
                              "5:devices:/\n4:memory:/\n3:cpuset:/\n2:cpu,cpuacct:/\n"
                              "10:hugetlb:/\n0::/\n";

static struct rl_cgroup *new_cg(const char *root, const char *self)
{
    struct rl_error *err = NULL;
    struct rl_cgroup *cg = rl_cgroup_new(root, "/c1", "c1", self, &err);
    if (cg == NULL)
        fail_msg("%s", err->msg);
    return cg;
}

static void assert_file(const char *root, const char *rel, const char *want)
{
    _cleanup_free_ char *got = fake_read(root, rel);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", rel, got, want);
}

static void test_rl_cgroup_stats_v1(void **state)
{
    char *root = fake_v1_root(false);
    fake_file(root, "cpu,cpuacct/c1/cgroup.procs", "");
    fake_file(root, "cpu,cpuacct/c1/cpuacct.usage", "3000\n");
    fake_file(root, "cpu,cpuacct/c1/cpuacct.usage_percpu", "1000 2000 \n");
    fake_file(root, "cpu,cpuacct/c1/cpuacct.usage_user", "2500\n");
    fake_file(root, "cpu,cpuacct/c1/cpuacct.usage_sys", "500\n");
    fake_file(root, "cpu,cpuacct/c1/cpu.stat",
              "nr_periods 10\nnr_throttled 2\n"
              "throttled_time 12345\n");
    fake_file(root, "memory/c1/memory.usage_in_bytes", "4096\n");
    fake_file(root, "memory/c1/memory.max_usage_in_bytes", "8192\n");
    fake_file(root, "memory/c1/memory.limit_in_bytes", "9223372036854771712\n");
    fake_file(root, "memory/c1/memory.failcnt", "3\n");
    fake_file(root, "memory/c1/memory.memsw.usage_in_bytes", "5000\n");
    fake_file(root, "memory/c1/memory.kmem.usage_in_bytes", "100\n");
    fake_file(root, "memory/c1/memory.stat", "cache 40\nrss 60\ntotal_cache 41\n");
    fake_file(root, "memory/c1/memory.use_hierarchy", "1\n");
    fake_file(root, "pids/c1/pids.current", "2\n");
    fake_file(root, "pids/c1/pids.max", "max\n");
    fake_file(root, "blkio/c1/blkio.io_service_bytes_recursive", "Total 0\n");
    fake_file(root, "blkio/c1/blkio.throttle.io_service_bytes_recursive",
              "8:0 Read 4096\n8:0 Write 512\nTotal 4608\n");
    fake_file(root, "blkio/c1/blkio.throttle.io_serviced_recursive", "8:0 Read 1\nTotal 1\n");
    fake_file(root, "hugetlb/c1/hugetlb.2MB.usage_in_bytes", "2097152\n");
    fake_file(root, "hugetlb/c1/hugetlb.2MB.max_usage_in_bytes", "4194304\n");
    fake_file(root, "hugetlb/c1/hugetlb.2MB.failcnt", "1\n");
    fake_file(root, "hugetlb/c1/hugetlb.2MB.rsvd.usage_in_bytes", "0\n");
    fake_file(root, "cpuset/c1/cpuset.cpus", "0-2,5\n");
    fake_file(root, "cpuset/c1/cpuset.mems", "0\n");
    fake_file(root, "cpuset/c1/cpuset.sched_load_balance", "1\n");
    fake_file(root, "cpuset/c1/cpuset.sched_relax_domain_level", "-1\n");
    struct rl_cgroup *cg = new_cg(root, self_v1);
    struct rl_cgroup_stats s;
    assert_int_equal(rl_cgroup_stats(cg, &s, NULL), 0);
    assert_int_equal(s.cpu.total, 3000);
    assert_int_equal(s.cpu.n_percpu, 2);
    assert_int_equal(s.cpu.percpu[1], 2000);
    assert_int_equal(s.cpu.user, 2500);
    assert_int_equal(s.cpu.system, 500);
    assert_int_equal(s.cpu.periods, 10);
    assert_int_equal(s.cpu.throttled_periods, 2);
    assert_int_equal(s.cpu.throttled_time, 12345);
    assert_int_equal(s.memory.usage.usage, 4096);
    assert_int_equal(s.memory.usage.max_usage, 8192);
    assert_int_equal(s.memory.usage.failcnt, 3);
    assert_true(s.memory.usage.limit == 9223372036854771712ULL);
    assert_int_equal(s.memory.swap.usage, 5000);
    assert_int_equal(s.memory.kernel.usage, 100);
    assert_int_equal(s.memory.cache, 40);
    assert_int_equal(s.memory.rss, 60);
    assert_true(s.memory.use_hierarchy);
    assert_int_equal(s.memory.n_raw, 3);
    assert_string_equal(s.memory.raw[2].key, "total_cache");
    assert_int_equal(s.pids.current, 2);
    assert_int_equal(s.pids.limit, 0); /* "max" */
    assert_int_equal(s.blkio.n_service_bytes, 2);
    assert_string_equal(s.blkio.service_bytes[1].op, "Write");
    assert_int_equal(s.blkio.service_bytes[1].major, 8);
    assert_int_equal(s.blkio.service_bytes[1].value, 512);
    assert_int_equal(s.blkio.n_serviced, 1);
    assert_int_equal(s.n_hugetlb, 1);
    assert_string_equal(s.hugetlb[0].page_size, "2MB");
    assert_int_equal(s.hugetlb[0].usage, 2097152);
    assert_int_equal(s.hugetlb[0].max_usage, 4194304);
    assert_int_equal(s.hugetlb[0].failcnt, 1);
    assert_int_equal(s.cpuset.n_cpus, 4);
    assert_int_equal(s.cpuset.cpus[2], 2);
    assert_int_equal(s.cpuset.cpus[3], 5);
    assert_int_equal(s.cpuset.n_mems, 1);
    assert_int_equal(s.cpuset.sched_load_balance, 1);
    assert_int_equal(s.cpuset.sched_relax_domain_level, -1);
    rl_cgroup_stats_free(&s);
    fake_file(root, "memory/c1/memory.oom_control",
              "oom_kill_disable 0\nunder_oom 0\n"
              "oom_kill 4\n");
    uint64_t n;
    assert_int_equal(rl_cgroup_oom_kill_count(cg, &n, NULL), 0);
    assert_int_equal(n, 4);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_stats_v2(void **state)
{
    char *root = fake_root("v2");
    fake_file(root, "c1/cgroup.procs", "");
    fake_file(root, "c1/cpu.stat",
              "usage_usec 30\nuser_usec 20\nsystem_usec 10\n"
              "nr_periods 5\nnr_throttled 1\nthrottled_usec 7\n");
    fake_file(root, "c1/memory.current", "1000\n");
    fake_file(root, "c1/memory.peak", "2000\n");
    fake_file(root, "c1/memory.max", "4096\n");
    fake_file(root, "c1/memory.events", "low 0\nhigh 0\nmax 6\noom 1\noom_kill 1\n");
    fake_file(root, "c1/memory.swap.current", "24\n");
    fake_file(root, "c1/memory.swap.max", "max\n");
    fake_file(root, "c1/memory.stat", "anon 300\nfile 700\n");
    fake_file(root, "c1/pids.current", "1\n");
    fake_file(root, "c1/pids.max", "50\n");
    fake_file(root, "c1/io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n");
    fake_file(root, "c1/hugetlb.2MB.current", "0\n");
    fake_file(root, "c1/hugetlb.2MB.events", "max 9\n");
    fake_file(root, "c1/hugetlb.2MB.rsvd.current", "0\n");
    struct rl_cgroup *cg = new_cg(root, "0::/\n");
    struct rl_cgroup_stats s;
    assert_int_equal(rl_cgroup_stats(cg, &s, NULL), 0);
    assert_int_equal(s.cpu.total, 30000);
    assert_int_equal(s.cpu.user, 20000);
    assert_int_equal(s.cpu.system, 10000);
    assert_int_equal(s.cpu.throttled_time, 7000);
    assert_int_equal(s.cpu.n_percpu, 0);
    assert_int_equal(s.memory.usage.usage, 1000);
    assert_int_equal(s.memory.usage.max_usage, 2000);
    assert_int_equal(s.memory.usage.limit, 4096);
    assert_int_equal(s.memory.usage.failcnt, 6);
    assert_int_equal(s.memory.swap.usage, 1024);    /* swap + memory */
    assert_true(s.memory.swap.limit == UINT64_MAX); /* max + 4096 saturates */
    assert_int_equal(s.memory.cache, 700);
    assert_int_equal(s.memory.rss, 300);
    assert_int_equal(s.pids.limit, 50);
    assert_int_equal(s.blkio.n_service_bytes, 2);
    assert_string_equal(s.blkio.service_bytes[0].op, "Read");
    assert_int_equal(s.blkio.service_bytes[0].value, 100);
    assert_int_equal(s.blkio.n_serviced, 2);
    assert_int_equal(s.blkio.serviced[1].value, 2);
    assert_int_equal(s.n_hugetlb, 1);
    assert_int_equal(s.hugetlb[0].failcnt, 9);
    rl_cgroup_stats_free(&s);
    uint64_t n;
    assert_int_equal(rl_cgroup_oom_kill_count(cg, &n, NULL), 0);
    assert_int_equal(n, 1);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

/* update enables what it needs on v2 and never touches device rules. */
static void test_rl_cgroup_update_v2(void **state)
{
    char *root = fake_root("v2");
    fake_file(root, "cgroup.controllers", "cpu memory pids\n");
    fake_file(root, "cgroup.subtree_control", "");
    fake_file(root, "c1/memory.max", "");
    fake_file(root, "c1/memory.current", "500\n");
    fake_file(root, "c1/cpu.max", "");
    struct rl_cgroup *cg = new_cg(root, "0::/\n");
    struct rl_device_cgroup dev = {.allow = false};
    struct rl_resources r = {.present = true, .devices = &dev, .n_devices = 1};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = 400;
    r.memory.has_check_before_update = true, r.memory.check_before_update = true;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_update(cg, &r, &err), -1);
    assert_string_equal(err->msg, "linux.resources.memory.limit: 400 is below the current "
                                  "usage 500 (memory.checkBeforeUpdate): Device or resource busy");
    rl_error_free(err);
    err = NULL;
    r.memory.limit = 4096;
    r.cpu.present = true, r.cpu.has_quota = true, r.cpu.quota = 1000;
    if (rl_cgroup_update(cg, &r, &err) < 0)
        fail_msg("%s", err->msg);
    assert_file(root, "cgroup.subtree_control", "+cpu +memory");
    assert_file(root, "c1/memory.max", "4096");
    assert_file(root, "c1/cpu.max", "1000");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

/* v1: raising memory+swap writes memsw first, lowering the limit first. */
static void test_rl_cgroup_update_v1_order(void **state)
{
    char *root = fake_v1_root(false);
    fake_file(root, "memory/c1/memory.limit_in_bytes", "1000\n");
    fake_file(root, "memory/c1/memory.memsw.limit_in_bytes", "2000\n");
    struct rl_cgroup *cg = new_cg(root, self_v1);
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = 3000;
    r.memory.has_swap = true, r.memory.swap = 6000;
    struct rl_error *err = NULL;
    /* make the limit file refuse writes: memsw must have been written
     * before the limit write fails */
    _cleanup_free_ char *lim = fake_path(root, "memory/c1/memory.limit_in_bytes");
    chmod(lim, 0444);
    if (geteuid() == 0) { /* root ignores the mode: check the values only */
        chmod(lim, 0644);
        assert_int_equal(rl_cgroup_update(cg, &r, NULL), 0);
    } else {
        assert_int_equal(rl_cgroup_update(cg, &r, &err), -1);
        assert_file(root, "memory/c1/memory.memsw.limit_in_bytes", "6000");
        rl_error_free(err);
        chmod(lim, 0644);
        assert_int_equal(rl_cgroup_update(cg, &r, NULL), 0);
    }
    assert_file(root, "memory/c1/memory.limit_in_bytes", "3000");
    assert_file(root, "memory/c1/memory.memsw.limit_in_bytes", "6000");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_cgroup_stats_v1),
        cmocka_unit_test(test_rl_cgroup_stats_v2),
        cmocka_unit_test(test_rl_cgroup_update_v2),
        cmocka_unit_test(test_rl_cgroup_update_v1_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
