/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* rl_stats_event_json: runc's events --stats document, its omitempty rules
 * and sorted maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rustlet/cgroup.h"
#include "rustlet/utils.h"
#include "../../src/core/core_internal.h"

static void assert_contains(const char *doc, const char *part)
{
    if (strstr(doc, part) == NULL)
        fail_msg("\"%s\" not in %s", part, doc);
}

static void test_rl_stats_event_json_empty(void **state)
{
    (void)state;
    struct rl_cgroup_stats s;
    memset(&s, 0, sizeof(s));
    _cleanup_free_ char *j = rl_stats_event_json("c1", &s);
    assert_non_null(j);
    /* zeros vanish where runc's tags say omitempty, stay elsewhere */
    assert_string_equal(
        j, "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
           "\"cpu\":{\"usage\":{\"kernel\":0,\"user\":0},\"throttling\":{}},"
           "\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
           "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
           "\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
           "\"memory\":{\"usage\":{\"limit\":0,\"failcnt\":0},\"swap\":{\"limit\":0,\"failcnt\":0},"
           "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0}},"
           "\"pids\":{},\"blkio\":{},\"hugetlb\":{},\"intel_rdt\":{},"
           "\"network_interfaces\":null}}");
}

static void test_rl_stats_event_json_full(void **state)
{
    (void)state;
    struct rl_cgroup_stats s;
    memset(&s, 0, sizeof(s));
    uint64_t percpu[] = {10, 20};
    uint16_t cpus[] = {0, 1};
    struct rl_cgroup_kv_u64 raw[] = {{"rss", 5}, {"cache", 7}};
    struct rl_cgroup_blkio_entry be[] = {{8, 0, "Read", 4096}, {8, 16, "Write", 0}};
    struct rl_cgroup_hugetlb_entry h[] = {{"2MB", 0, 0, 1}, {"1GB", 1073741824, 0, 0}};
    s.cpu.total = 30;
    s.cpu.percpu = percpu;
    s.cpu.n_percpu = 2;
    s.cpu.user = 25;
    s.cpu.throttled_periods = 3;
    s.cpuset.cpus = cpus;
    s.cpuset.n_cpus = 2;
    s.cpuset.sched_relax_domain_level = -1;
    s.memory.cache = 7;
    s.memory.usage =
        (struct rl_cgroup_mem_entry){.usage = 100, .max_usage = 200, .limit = UINT64_MAX};
    s.memory.raw = raw;
    s.memory.n_raw = 2;
    s.pids.current = 2;
    s.blkio.service_bytes = be;
    s.blkio.n_service_bytes = 2;
    s.hugetlb = h;
    s.n_hugetlb = 2;
    _cleanup_free_ char *j = rl_stats_event_json("c1", &s);
    assert_non_null(j);
    assert_contains(j, "\"usage\":{\"total\":30,\"percpu\":[10,20],\"kernel\":0,\"user\":25}");
    assert_contains(j, "\"throttling\":{\"throttledPeriods\":3}");
    assert_contains(j, "\"cpuset\":{\"cpus\":[0,1],\"cpu_exclusive\":0,\"mem_hardwall\"");
    assert_contains(j, "\"sched_relax_domain_level\":-1}");
    assert_contains(j, "\"memory\":{\"cache\":7,\"usage\":{\"limit\":18446744073709551615,"
                       "\"usage\":100,\"max\":200,\"failcnt\":0}");
    /* raw and hugetlb in sorted key order, as Go encodes maps */
    assert_contains(j, "\"raw\":{\"cache\":7,\"rss\":5}");
    assert_contains(j, "\"pids\":{\"current\":2}");
    assert_contains(j, "\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":4096},"
                       "{\"major\":8,\"minor\":16,\"op\":\"Write\"}]");
    assert_contains(j, "\"hugetlb\":{\"1GB\":{\"usage\":1073741824,\"failcnt\":0},"
                       "\"2MB\":{\"failcnt\":1}}");
    /* the caller's arrays are not reordered */
    assert_string_equal(raw[0].key, "rss");
    assert_string_equal(h[0].page_size, "2MB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_stats_event_json_empty),
        cmocka_unit_test(test_rl_stats_event_json_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
