/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The systemd driver's pure parts: cgroupsPath parsing, slice expansion,
 * cpu masks, the unit properties of a LinuxResources, and its persistence.
 * (The D-Bus side runs for real in the VM tier: tests/integration/systemd.bats.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../src/cgroup/cgroup_internal.h"
#include "test_cgroup_fake.h"

static void test_expand_slice(void **state)
{
    char *s;
    assert_string_equal((s = cg_sd_expand_slice("system.slice")), "/system.slice");
    free(s);
    assert_string_equal((s = cg_sd_expand_slice("a-b-c.slice")), "/a.slice/a-b.slice/a-b-c.slice");
    free(s);
    assert_string_equal(
        (s = cg_sd_expand_slice("kubepods-besteffort-pod12.slice")),
        "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod12.slice");
    free(s);
    assert_string_equal((s = cg_sd_expand_slice("-.slice")), "");
    free(s);
    assert_null(cg_sd_expand_slice("system"));
    assert_null(cg_sd_expand_slice("a--b.slice"));
    assert_null(cg_sd_expand_slice("-a.slice"));
    assert_null(cg_sd_expand_slice("a-.slice"));
    assert_null(cg_sd_expand_slice("a/b.slice"));
    assert_null(cg_sd_expand_slice(".slice"));
}

static void parse_ok(const char *path, const char *slice, const char *unit)
{
    char *s = NULL, *u = NULL, *n = NULL;
    struct rl_error *err = NULL;
    if (cg_sd_parse_path(path, "c1", &s, &u, &n, &err) < 0)
        fail_msg("%s: %s", path, err->msg);
    assert_string_equal(s, slice);
    assert_string_equal(u, unit);
    free(s);
    free(u);
    free(n);
}

static void parse_bad(const char *path, const char *msg)
{
    char *s = NULL, *u = NULL, *n = NULL;
    struct rl_error *err = NULL;
    assert_int_equal(cg_sd_parse_path(path, "c1", &s, &u, &n, &err), -1);
    assert_non_null(strstr(err->msg, msg));
    rl_error_free(err);
}

static void test_parse_path(void **state)
{
    parse_ok(NULL, "system.slice", "rustlet-c1.scope");
    parse_ok("", "system.slice", "rustlet-c1.scope");
    parse_ok("system.slice:docker:abc", "system.slice", "docker-abc.scope");
    parse_ok("machine.slice:libpod:abc", "machine.slice", "libpod-abc.scope");
    parse_ok(":runc:x", "system.slice", "runc-x.scope");
    parse_ok("user.slice::x", "user.slice", "x.scope");
    parse_ok("kubepods-besteffort-pod1.slice:cri-containerd:id", "kubepods-besteffort-pod1.slice",
             "cri-containerd-id.scope");
    parse_bad("/sys/c1", "expected \"slice:prefix:name\"");
    parse_bad("a:b", "expected \"slice:prefix:name\"");
    parse_bad("a:b:c:d", "expected \"slice:prefix:name\"");
    parse_bad("system:docker:x", "is not a slice name");
    parse_bad("system.slice:docker:", "no unit name");
    parse_bad("system.slice:docker:x/y", "letters, digits");
    parse_bad("system.slice::pod.slice", "slice unit");
}

static void test_cpu_mask(void **state)
{
    uint8_t *b;
    size_t n;
    assert_int_equal(cg_sd_cpu_mask("0-3,6", &b, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(b[0], 0x4f);
    free(b);
    assert_int_equal(cg_sd_cpu_mask("9", &b, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b[0], 0);
    assert_int_equal(b[1], 0x02);
    free(b);
    assert_int_equal(cg_sd_cpu_mask("3-1", &b, &n), -1);
    assert_int_equal(cg_sd_cpu_mask("x", &b, &n), -1);
    assert_int_equal(cg_sd_cpu_mask("", &b, &n), -1);
    assert_int_equal(cg_sd_cpu_mask("99999", &b, &n), -1);
}

static const struct cg_sd_prop *find(const struct cg_sd_prop *p, size_t n, const char *name)
{
    const struct cg_sd_prop *found = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(p[i].name, name) == 0)
            found = &p[i]; /* the last one wins, as in systemd */
    return found;
}

static void test_props(void **state)
{
    struct rl_resources r = {.present = true};
    r.memory.present = true;
    r.memory.has_limit = true;
    r.memory.limit = 64 << 20;
    r.memory.has_swap = true;
    r.memory.swap = 96 << 20;
    r.memory.has_reservation = true;
    r.memory.reservation = 32 << 20;
    r.cpu.present = true;
    r.cpu.has_shares = true;
    r.cpu.shares = 512;
    r.cpu.has_quota = true;
    r.cpu.quota = 25000;
    r.cpu.has_period = true;
    r.cpu.period = 100000;
    r.cpu.cpus = "0";
    r.pids.present = true;
    r.pids.limit = 42;
    r.block_io.has_weight = true;
    r.block_io.weight = 500;
    struct rl_kv kv[] = {{"memory.high", "50000000"}, {"pids.max", "max"}};
    r.unified = kv;
    r.n_unified = 2;
    struct cg_sd_prop *p;
    size_t n;
    struct rl_error *err = NULL;
    assert_int_equal(cg_sd_props(&r, &p, &n, &err), 0);
    assert_int_equal(find(p, n, "MemoryMax")->u, 64 << 20);
    assert_int_equal(find(p, n, "MemoryLow")->u, 32 << 20);
    assert_int_equal(find(p, n, "MemorySwapMax")->u, 32 << 20);
    assert_int_equal(find(p, n, "CPUWeight")->u, rl_cgroup_shares_to_weight(512));
    assert_int_equal(find(p, n, "CPUQuotaPerSecUSec")->u, 250000);
    assert_int_equal(find(p, n, "CPUQuotaPeriodUSec")->u, 100000);
    assert_int_equal(find(p, n, "AllowedCPUs")->n, 1);
    assert_int_equal(find(p, n, "AllowedCPUs")->bytes[0], 1);
    assert_int_equal(find(p, n, "TasksMax")->u, UINT64_MAX); /* unified wins */
    assert_int_equal(find(p, n, "IOWeight")->u, 4950);
    assert_int_equal(find(p, n, "MemoryHigh")->u, 50000000);
    cg_sd_props_free(p, n);

    /* systemd's quota has whole percents: 1234/100000 rounds up to 2% */
    struct rl_resources q = {.present = true};
    q.cpu.present = true;
    q.cpu.has_quota = true;
    q.cpu.quota = 1234;
    assert_int_equal(cg_sd_props(&q, &p, &n, &err), 0);
    assert_int_equal(find(p, n, "CPUQuotaPerSecUSec")->u, 20000);
    cg_sd_props_free(p, n);

    struct kv_bad {
        struct rl_kv kv;
    } bad = {{"memory.high", "lots"}};
    struct rl_resources u = {.present = true, .unified = &bad.kv, .n_unified = 1};
    assert_int_equal(cg_sd_props(&u, &p, &n, &err), -1);
    assert_non_null(strstr(err->msg, "linux.resources.unified.memory.high \"lots\""));
    rl_error_free(err);
}

/* The state keeps the unit, so delete in another process stops it. */
static void test_json_round_trip(void **state)
{
    char *root = fake_root("v2");
    struct rl_error *err = NULL;
    struct rl_cgroup *cg = rl_cgroup_new_systemd(root, "machine.slice:libpod:abc", "c1", &err);
    if (cg == NULL)
        fail_msg("%s", err->msg);
    assert_string_equal(rl_cgroup_unit(cg), "libpod-abc.scope");
    assert_true(rl_cgroup_needs_pid(cg));
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_cgroup_to_json(cg, w);
    char *text = rl_jsonw_finish(w, NULL, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"unit\":\"libpod-abc.scope\""));
    assert_non_null(strstr(text, "\"unified\":\"/machine.slice/libpod-abc.scope\""));
    rl_json *node = rl_json_parse(text, strlen(text), &err);
    assert_non_null(node);
    struct rl_cgroup *back = rl_cgroup_from_json(node, &err);
    if (back == NULL)
        fail_msg("%s", err->msg);
    assert_string_equal(rl_cgroup_unit(back), "libpod-abc.scope");
    assert_true(rl_cgroup_needs_pid(back));
    rl_cgroup_free(back);
    rl_json_free(node);
    free(text);
    rl_cgroup_free(cg);
    /* a v1 host has no scopes for us */
    char *v1 = fake_root("v1");
    assert_null(rl_cgroup_new_systemd(v1, "", "c1", &err));
    assert_non_null(strstr(err->msg, "needs a cgroup v2 (unified) host"));
    rl_error_free(err);
    fake_cleanup(v1);
    fake_cleanup(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expand_slice),    cmocka_unit_test(test_parse_path),
        cmocka_unit_test(test_cpu_mask),        cmocka_unit_test(test_props),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
