/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The resources beyond the basics (cgroup_res_v1.c, cgroup_res_v2.c)
 * against fake v1, hybrid and v2 trees: exact file contents, conversions
 * and the refusals. Fake control files are plain files written with
 * O_TRUNC, so a file written once per entry shows the last entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_cgroup_fake.h"

static const char self_v1[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n"
                              "5:devices:/\n4:memory:/\n3:cpuset:/\n2:cpu,cpuacct:/\n"
                              "10:hugetlb:/\n11:net_cls:/\n12:net_prio:/\n13:rdma:/\n0::/\n";

static void assert_file(const char *root, const char *rel, const char *want)
{
    _cleanup_free_ char *got = fake_read(root, rel);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got \"%s\", want \"%s\"", rel, got, want);
}

static void files(const char *root, const char *dir, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *rel = xasprintf("%s/%s", dir, names[i]);
        fake_file(root, rel, "");
    }
}

static struct rl_cgroup *new_cg(const char *root, const char *self)
{
    struct rl_error *err = NULL;
    struct rl_cgroup *cg = rl_cgroup_new(root, "/c1", "c1", self, &err);
    if (cg == NULL)
        fail_msg("%s", err->msg);
    return cg;
}

static void apply_ok(struct rl_cgroup *cg, const struct rl_resources *res)
{
    struct rl_error *err = NULL;
    if (rl_cgroup_apply(cg, res, &err) < 0)
        fail_msg("%s", err->msg);
}

static void apply_err(struct rl_cgroup *cg, const struct rl_resources *res, const char *want)
{
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_apply(cg, res, &err), -1);
    if (strstr(err->msg, want) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", err->msg, want);
    rl_error_free(err);
}

/* ---- v1 ---- */

static char *v1_root(bool hybrid, bool extra)
{
    char *root = fake_v1_root(hybrid);
    static const char *const mem[] = {
        "memory.limit_in_bytes",          "memory.swappiness",  "memory.kmem.limit_in_bytes",
        "memory.kmem.tcp.limit_in_bytes", "memory.oom_control", "memory.use_hierarchy",
    };
    static const char *const cpu[] = {
        "cpu.shares",       "cpu.cfs_quota_us",  "cpu.cfs_period_us", "cpu.cfs_burst_us",
        "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle",
    };
    static const char *const blkio[] = {
        "blkio.bfq.weight",
        "blkio.bfq.weight_device",
        "blkio.throttle.read_bps_device",
        "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device",
        "blkio.throttle.write_iops_device",
    };
    files(root, "memory/c1", mem, ARRAY_SIZE(mem));
    files(root, "cpu,cpuacct/c1", cpu, ARRAY_SIZE(cpu));
    files(root, "blkio/c1", blkio, ARRAY_SIZE(blkio));
    if (extra) {
        fake_file(root, "hugetlb/c1/hugetlb.2MB.limit_in_bytes", "");
        fake_file(root, "hugetlb/c1/hugetlb.2MB.rsvd.limit_in_bytes", "");
        fake_file(root, "net_cls/c1/net_cls.classid", "");
        fake_file(root, "net_prio/c1/net_prio.ifpriomap", "");
        fake_file(root, "rdma/c1/rdma.max", "");
    }
    return root;
}

static void test_rl_cgroup_apply_v1_memory_more(void **state)
{
    char *root = v1_root(false, false);
    struct rl_cgroup *cg = new_cg(root, self_v1);
    /* The fake kmem file "reads back" what was written, as an old kernel. */
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_swappiness = true, r.memory.swappiness = 30;
    r.memory.has_kernel = true, r.memory.kernel = 1048576;
    r.memory.has_kernel_tcp = true, r.memory.kernel_tcp = 524288;
    r.memory.has_disable_oom_killer = true, r.memory.disable_oom_killer = true;
    r.memory.has_use_hierarchy = true, r.memory.use_hierarchy = true;
    apply_ok(cg, &r);
    assert_file(root, "memory/c1/memory.swappiness", "30");
    assert_file(root, "memory/c1/memory.kmem.limit_in_bytes", "1048576");
    assert_file(root, "memory/c1/memory.kmem.tcp.limit_in_bytes", "524288");
    assert_file(root, "memory/c1/memory.oom_control", "1");
    assert_file(root, "memory/c1/memory.use_hierarchy", "1");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_apply_v1_kmem_removed(void **state)
{
    char *root = v1_root(false, false);
    _cleanup_free_ char *p = fake_path(root, "memory/c1/memory.kmem.limit_in_bytes");
    unlink(p);
    struct rl_cgroup *cg = new_cg(root, self_v1);
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    /* 0 asks for nothing: no file needed (Docker's update sends it) */
    r.memory.has_kernel = true, r.memory.has_kernel_tcp = true;
    apply_ok(cg, &r);
    /* a limit where the kernel has no kmem file: a warning, not a failure
     * (as runc); so is kernelTCP without its file */
    r.memory.kernel = 1048576;
    apply_ok(cg, &r);
    _cleanup_free_ char *t = fake_path(root, "memory/c1/memory.kmem.tcp.limit_in_bytes");
    unlink(t);
    r.memory.kernel_tcp = 524288;
    apply_ok(cg, &r);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_apply_v1_cpu_more(void **state)
{
    char *root = v1_root(false, false);
    struct rl_cgroup *cg = new_cg(root, self_v1);
    struct rl_resources r = {.present = true};
    r.cpu.present = true;
    r.cpu.has_quota = true, r.cpu.quota = 50000;
    r.cpu.has_burst = true, r.cpu.burst = 10000;
    r.cpu.has_realtime_period = true, r.cpu.realtime_period = 1000000;
    r.cpu.has_realtime_runtime = true, r.cpu.realtime_runtime = 950000;
    r.cpu.has_idle = true, r.cpu.idle = 1;
    apply_ok(cg, &r);
    assert_file(root, "cpu,cpuacct/c1/cpu.cfs_quota_us", "50000");
    assert_file(root, "cpu,cpuacct/c1/cpu.cfs_burst_us", "10000");
    assert_file(root, "cpu,cpuacct/c1/cpu.rt_period_us", "1000000");
    assert_file(root, "cpu,cpuacct/c1/cpu.rt_runtime_us", "950000");
    assert_file(root, "cpu,cpuacct/c1/cpu.idle", "1");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_apply_v1_blkio(void **state)
{
    char *root = v1_root(false, false);
    struct rl_cgroup *cg = new_cg(root, self_v1);
    struct rl_block_io_device wd = {.major = 8, .minor = 0, .has_weight = true, .weight = 300};
    struct rl_block_io_device rb = {.major = 8, .minor = 0, .rate = 1048576};
    struct rl_block_io_device wi = {.major = 8, .minor = 16, .rate = 100};
    struct rl_resources r = {.present = true};
    r.block_io.present = true;
    r.block_io.has_weight = true, r.block_io.weight = 500;
    r.block_io.weight_device = &wd, r.block_io.n_weight_device = 1;
    r.block_io.throttle_read_bps = &rb, r.block_io.n_throttle_read_bps = 1;
    r.block_io.throttle_write_iops = &wi, r.block_io.n_throttle_write_iops = 1;
    apply_ok(cg, &r);
    /* no blkio.weight (CFQ gone): the BFQ files */
    assert_file(root, "blkio/c1/blkio.bfq.weight", "500");
    assert_file(root, "blkio/c1/blkio.bfq.weight_device", "8:0 300");
    assert_file(root, "blkio/c1/blkio.throttle.read_bps_device", "8:0 1048576");
    assert_file(root, "blkio/c1/blkio.throttle.write_iops_device", "8:16 100");
    assert_file(root, "blkio/c1/blkio.throttle.write_bps_device", "");
    /* CFQ present: blkio.weight */
    fake_file(root, "blkio/c1/blkio.weight", "");
    fake_file(root, "blkio/c1/blkio.weight_device", "");
    apply_ok(cg, &r);
    assert_file(root, "blkio/c1/blkio.weight", "500");
    assert_file(root, "blkio/c1/blkio.weight_device", "8:0 300");
    /* leaf weight: CFQ only */
    r.block_io.has_leaf_weight = true, r.block_io.leaf_weight = 200;
    apply_err(cg, &r, "linux.resources.blockIO.leafWeight: ");
    apply_err(cg, &r,
              "blkio.leaf_weight does not exist (leaf weights belong to the CFQ "
              "scheduler, removed in Linux 5.0)");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static struct rl_resources res_extra(struct rl_hugepage_limit *h, struct rl_net_priority *np,
                                     struct rl_rdma *rd)
{
    struct rl_resources r = {.present = true};
    *h = (struct rl_hugepage_limit){.page_size = "2MB", .limit = 4194304};
    *np = (struct rl_net_priority){.name = "eth0", .priority = 5};
    *rd = (struct rl_rdma){.device = "mlx5_0",
                           .has_hca_handles = true,
                           .hca_handles = 3,
                           .has_hca_objects = true,
                           .hca_objects = 100};
    r.hugepage_limits = h, r.n_hugepage_limits = 1;
    r.network.present = true;
    r.network.has_class_id = true, r.network.class_id = 0x100001;
    r.network.priorities = np, r.network.n_priorities = 1;
    r.rdma = rd, r.n_rdma = 1;
    return r;
}

static void test_rl_cgroup_apply_v1_hugetlb_net_rdma(void **state)
{
    char *root = v1_root(false, true);
    fake_dir(root, "hugetlb");
    struct rl_cgroup *cg = new_cg(root, self_v1);
    struct rl_hugepage_limit h;
    struct rl_net_priority np;
    struct rl_rdma rd;
    struct rl_resources r = res_extra(&h, &np, &rd);
    apply_ok(cg, &r);
    assert_file(root, "hugetlb/c1/hugetlb.2MB.limit_in_bytes", "4194304");
    assert_file(root, "hugetlb/c1/hugetlb.2MB.rsvd.limit_in_bytes", "4194304");
    assert_file(root, "net_cls/c1/net_cls.classid", "1048577");
    assert_file(root, "net_prio/c1/net_prio.ifpriomap", "eth0 5");
    assert_file(root, "rdma/c1/rdma.max", "mlx5_0 hca_handle=3 hca_object=100");
    h.page_size = "2048kB", h.limit = 2097152; /* the kernel's spelling, same file */
    apply_ok(cg, &r);
    assert_file(root, "hugetlb/c1/hugetlb.2MB.limit_in_bytes", "2097152");
    h.page_size = "1GB";
    apply_err(cg, &r,
              "linux.resources.hugepageLimits[0].pageSize: no hugepages of size 1GB "
              "on this kernel (");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

/* This machine: no hugetlb, net_cls, net_prio or rdma v1 hierarchy. */
static void test_rl_cgroup_apply_v1_missing_hierarchies(void **state)
{
    char *root = v1_root(false, false);
    struct rl_cgroup *cg = new_cg(root, fake_self);
    struct rl_hugepage_limit h;
    struct rl_net_priority np;
    struct rl_rdma rd;
    struct rl_resources full = res_extra(&h, &np, &rd), r = full;
    r.network.has_class_id = false, r.network.n_priorities = 0, r.n_rdma = 0;
    _cleanup_free_ char *want = xasprintf("linux.resources.hugepageLimits: the hugetlb "
                                          "controller is not mounted under %s (no v1 hugetlb "
                                          "hierarchy)",
                                          root);
    apply_err(cg, &r, want);
    r = full;
    r.n_hugepage_limits = 0;
    apply_err(cg, &r, "linux.resources.network.classID: the net_cls controller is not mounted");
    r.network.has_class_id = false;
    apply_err(cg, &r,
              "linux.resources.network.priorities: the net_prio controller is not "
              "mounted");
    r.network.n_priorities = 0;
    apply_err(cg, &r, "linux.resources.rdma: the rdma controller is not mounted");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_apply_unified_v1_hybrid(void **state)
{
    struct rl_kv kv[] = {{"cgroup.max.descendants", "10"}};
    struct rl_resources r = {.present = true, .unified = kv, .n_unified = 1};
    char *root = v1_root(false, false);
    struct rl_cgroup *cg = new_cg(root, fake_self);
    apply_err(cg, &r,
              "linux.resources.unified: needs a cgroup2 hierarchy; this host has "
              "cgroup v1 only");
    rl_cgroup_free(cg);
    fake_cleanup(root);

    root = v1_root(true, false);
    fake_file(root, "unified/c1/cgroup.controllers", "\n");
    fake_file(root, "unified/c1/cgroup.max.descendants", "");
    cg = new_cg(root, fake_self);
    apply_ok(cg, &r);
    assert_file(root, "unified/c1/cgroup.max.descendants", "10");
    kv[0] = (struct rl_kv){"memory.high", "1000000"};
    _cleanup_free_ char *want = xasprintf("linux.resources.unified[\"memory.high\"]: the memory "
                                          "controller is not available in %s/unified/c1 (it "
                                          "has: no controllers)",
                                          root);
    apply_err(cg, &r, want);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

/* ---- v2 ---- */

static const char all_ctl[] = "cpuset cpu io memory hugetlb pids rdma misc\n";

static char *v2_root(void)
{
    char *root = fake_root("v2");
    fake_file(root, "cgroup.controllers", all_ctl);
    fake_file(root, "cgroup.subtree_control", "");
    static const char *const f[] = {
        "cgroup.controllers",
        "memory.max",
        "memory.current",
        "memory.swap.max",
        "cpu.max",
        "cpu.max.burst",
        "cpu.idle",
        "io.weight",
        "io.max",
        "hugetlb.2MB.max",
        "hugetlb.2MB.rsvd.max",
        "rdma.max",
        "memory.high",
        "pids.max",
    };
    files(root, "c1", f, ARRAY_SIZE(f));
    fake_file(root, "c1/cgroup.controllers", all_ctl);
    return root;
}

static void test_rl_cgroup_apply_v2_more(void **state)
{
    char *root = v2_root();
    struct rl_cgroup *cg = new_cg(root, "0::/\n");
    struct rl_hugepage_limit h = {.page_size = "2MB", .limit = 2097152};
    struct rl_rdma rd = {.device = "mlx5_0", .has_hca_handles = true, .hca_handles = 2};
    struct rl_block_io_device wd = {.major = 8, .minor = 0, .has_weight = true, .weight = 1000};
    struct rl_block_io_device rb = {.major = 8, .minor = 0, .rate = 0};
    struct rl_kv kv[] = {{"memory.high", "8388608"}};
    struct rl_resources r = {.present = true};
    r.cpu.present = true;
    r.cpu.has_burst = true, r.cpu.burst = 20000;
    r.cpu.has_idle = true, r.cpu.idle = 1;
    r.block_io.present = true;
    r.block_io.has_weight = true, r.block_io.weight = 500;
    r.block_io.throttle_read_bps = &rb, r.block_io.n_throttle_read_bps = 1;
    r.hugepage_limits = &h, r.n_hugepage_limits = 1;
    r.rdma = &rd, r.n_rdma = 1;
    r.unified = kv, r.n_unified = 1;
    struct rl_error *err = NULL;
    if (rl_cgroup_create(cg, &r, &err) < 0)
        fail_msg("%s", err->msg);
    /* every needed controller enabled in one write */
    assert_file(root, "cgroup.subtree_control", "+cpu +io +hugetlb +rdma +memory");
    apply_ok(cg, &r);
    assert_file(root, "c1/cpu.max.burst", "20000");
    assert_file(root, "c1/cpu.idle", "1");
    assert_file(root, "c1/io.weight", "4950"); /* 1 + (500 - 10) * 9999 / 990 */
    assert_file(root, "c1/io.max", "8:0 rbps=max");
    assert_file(root, "c1/hugetlb.2MB.max", "2097152");
    assert_file(root, "c1/hugetlb.2MB.rsvd.max", "2097152");
    assert_file(root, "c1/rdma.max", "mlx5_0 hca_handle=2");
    assert_file(root, "c1/memory.high", "8388608");
    /* weightDevice without BFQ: converted; 1000 -> 10000 */
    r.block_io.has_weight = false;
    r.block_io.weight_device = &wd, r.block_io.n_weight_device = 1;
    apply_ok(cg, &r);
    assert_file(root, "c1/io.weight", "8:0 10000");
    /* with BFQ: the v1 weight as is */
    fake_file(root, "c1/io.bfq.weight", "");
    r.block_io.has_weight = true, r.block_io.weight = 10;
    r.block_io.n_weight_device = 0;
    apply_ok(cg, &r);
    assert_file(root, "c1/io.bfq.weight", "10");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_apply_v2_refusals(void **state)
{
    char *root = v2_root();
    struct rl_cgroup *cg = new_cg(root, "0::/\n");
    struct rl_resources r = {.present = true};
    /* 0 asks for nothing (what Docker's update sends) */
    r.memory.has_kernel = true, r.memory.has_kernel_tcp = true;
    apply_ok(cg, &r);
    /* limits: ignored with a warning (v2 has none), as runc does */
    r.memory.kernel = 1048576, r.memory.kernel_tcp = 1;
    apply_ok(cg, &r);
    r.memory.has_kernel = false, r.memory.has_kernel_tcp = false;
    r.memory.has_disable_oom_killer = true, r.memory.disable_oom_killer = true;
    apply_err(cg, &r, "linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable");
    r.memory.disable_oom_killer = false;
    r.cpu.has_realtime_runtime = true, r.cpu.realtime_runtime = 1000;
    apply_err(cg, &r,
              "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no "
              "realtime");
    r.cpu.has_realtime_runtime = false;
    r.block_io.has_leaf_weight = true, r.block_io.leaf_weight = 100;
    apply_err(cg, &r, "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weight");
    r.block_io.has_leaf_weight = false;
    r.network.has_class_id = true;
    apply_err(cg, &r,
              "linux.resources.network: the net_cls and net_prio controllers exist in "
              "cgroup v1 only");
    r.network.has_class_id = false;
    /* swappiness: ignored (warning), useHierarchy: nothing to do */
    r.memory.has_swappiness = true, r.memory.swappiness = 10;
    r.memory.has_use_hierarchy = true, r.memory.use_hierarchy = true;
    apply_ok(cg, &r);
    /* unified: a controller the cgroup lacks */
    struct rl_kv kv[] = {{"misc.max", "x 1"}};
    fake_file(root, "c1/cgroup.controllers", "cpu memory\n");
    r.unified = kv, r.n_unified = 1;
    apply_err(cg, &r,
              "linux.resources.unified[\"misc.max\"]: the misc controller is not "
              "available in");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_apply_v2_check_before_update(void **state)
{
    char *root = v2_root();
    fake_file(root, "c1/memory.current", "10485760\n");
    struct rl_cgroup *cg = new_cg(root, "0::/\n");
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true, r.memory.limit = 4194304;
    r.memory.has_check_before_update = true, r.memory.check_before_update = true;
    apply_err(cg, &r,
              "linux.resources.memory.limit: 4194304 is below the current usage "
              "10485760 (memory.checkBeforeUpdate)");
    assert_file(root, "c1/memory.max", "");
    r.memory.limit = 16777216;
    apply_ok(cg, &r);
    assert_file(root, "c1/memory.max", "16777216");
    r.memory.limit = 4194304, r.memory.check_before_update = false;
    apply_ok(cg, &r); /* without the check, v2 takes it (and would OOM-kill) */
    assert_file(root, "c1/memory.max", "4194304");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_conversions(void **state)
{
    assert_int_equal(cg_blkio_weight_to_io(0), 0);
    assert_int_equal(cg_blkio_weight_to_io(10), 1);
    assert_int_equal(cg_blkio_weight_to_io(100), 910);
    assert_int_equal(cg_blkio_weight_to_io(500), 4950);
    assert_int_equal(cg_blkio_weight_to_io(1000), 10000);
    assert_int_equal(cg_blkio_weight_to_io(5), 1);
    uint64_t b;
    assert_int_equal(rl_cgroup_hugepage_size("2MB", &b), 0);
    assert_int_equal(b, 2097152);
    assert_int_equal(rl_cgroup_hugepage_size("1GB", &b), 0);
    assert_int_equal(b, 1073741824);
    assert_int_equal(rl_cgroup_hugepage_size("64KB", &b), 0);
    assert_int_equal(b, 65536);
    assert_int_equal(rl_cgroup_hugepage_size("2048kB", &b), 0);
    assert_int_equal(b, 2097152);
    assert_int_equal(rl_cgroup_hugepage_size("2M", &b), -1);
    assert_int_equal(rl_cgroup_hugepage_size("3MB", &b), -1);
    assert_int_equal(rl_cgroup_hugepage_size("02MB", &b), -1);
    assert_int_equal(rl_cgroup_hugepage_size("MB", &b), -1);
    assert_int_equal(rl_cgroup_hugepage_size("", &b), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_cgroup_apply_v1_memory_more),
        cmocka_unit_test(test_rl_cgroup_apply_v1_kmem_removed),
        cmocka_unit_test(test_rl_cgroup_apply_v1_cpu_more),
        cmocka_unit_test(test_rl_cgroup_apply_v1_blkio),
        cmocka_unit_test(test_rl_cgroup_apply_v1_hugetlb_net_rdma),
        cmocka_unit_test(test_rl_cgroup_apply_v1_missing_hierarchies),
        cmocka_unit_test(test_rl_cgroup_apply_unified_v1_hybrid),
        cmocka_unit_test(test_rl_cgroup_apply_v2_more),
        cmocka_unit_test(test_rl_cgroup_apply_v2_refusals),
        cmocka_unit_test(test_rl_cgroup_apply_v2_check_before_update),
        cmocka_unit_test(test_rl_cgroup_conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
