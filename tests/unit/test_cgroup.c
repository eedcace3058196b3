/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroup front end: detection, path resolution, conversions, persistence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_cgroup_fake.h"

#include "rustlet/json.h"

/* ---- detection ---- */

static void test_rl_cgroup_detect_fake_file(void **state)
{
    static const char *const modes[] = {"v1", "hybrid", "v2"};
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        char *root = fake_root(modes[i]);
        enum rl_cgroup_mode m;
        struct rl_error *err = NULL;
        assert_int_equal(rl_cgroup_detect(root, &m, &err), 0);
        assert_string_equal(rl_cgroup_mode_name(m), modes[i]);
        fake_cleanup(root);
    }
}

static void test_rl_cgroup_detect_env(void **state)
{
    char *root = fake_root("v1");
    enum rl_cgroup_mode m;
    struct rl_error *err = NULL;
    setenv("RUSTLET_CGROUP_MODE", "v2", 1);
    assert_int_equal(rl_cgroup_detect(root, &m, &err), 0);
    assert_int_equal(m, RL_CGROUP_V2);
    setenv("RUSTLET_CGROUP_MODE", "v3", 1);
    assert_int_equal(rl_cgroup_detect(root, &m, &err), -1);
    assert_non_null(strstr(err->msg, "RUSTLET_CGROUP_MODE"));
    rl_error_free(err);
    unsetenv("RUSTLET_CGROUP_MODE");
    fake_cleanup(root);
}

static void test_rl_cgroup_detect_bad_fake_file(void **state)
{
    char *root = fake_root("v4\n");
    enum rl_cgroup_mode m;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_detect(root, &m, &err), -1);
    assert_non_null(strstr(err->msg, ".rustlet-fake-mode: unknown cgroup mode \"v4\""));
    rl_error_free(err);
    fake_cleanup(root);
}

static void test_rl_cgroup_detect_missing_root(void **state)
{
    enum rl_cgroup_mode m;
    struct rl_error *err = NULL;
    unsetenv("RUSTLET_CGROUP_MODE");
    assert_int_equal(rl_cgroup_detect("/nonexistent/cgroup", &m, &err), -1);
    assert_string_equal(err->msg, "statfs /nonexistent/cgroup: No such file or directory");
    rl_error_free(err);
}

static void test_rl_cgroup_detect_plain_dir_is_v1(void **state)
{
    char *root = fake_root("v1");
    _cleanup_free_ char *f = fake_path(root, ".rustlet-fake-mode");
    unlink(f);
    enum rl_cgroup_mode m = RL_CGROUP_V2;
    assert_int_equal(rl_cgroup_detect(root, &m, NULL), 0);
    assert_int_equal(m, RL_CGROUP_V1);
    fake_cleanup(root);
}

static void test_rl_cgroup_mode_from_name_all(void **state)
{
    enum rl_cgroup_mode m;
    assert_int_equal(rl_cgroup_mode_from_name("hybrid", &m), 0);
    assert_int_equal(m, RL_CGROUP_HYBRID);
    assert_int_equal(rl_cgroup_mode_from_name("V1", &m), -1);
    assert_int_equal(rl_cgroup_mode_from_name(NULL, &m), -1);
}

/* ---- path resolution ---- */

static struct rl_cgroup *new_hybrid(char **root, const char *path, const char *self)
{
    *root = fake_v1_root(true);
    struct rl_error *err = NULL;
    struct rl_cgroup *cg = rl_cgroup_new(*root, path, "c1", self ? self : fake_self, &err);
    if (cg == NULL)
        fail_msg("%s", err->msg);
    return cg;
}

static void test_rl_cgroup_new_default(void **state)
{
    char *root;
    struct rl_cgroup *cg = new_hybrid(&root, NULL, NULL);
    assert_int_equal(cg->mode, RL_CGROUP_HYBRID);
    assert_string_equal(cg->path, "c1");
    assert_string_equal(fake_hdir(cg, "memory"), "/process_api/abc/c1");
    assert_string_equal(fake_hdir(cg, "cpu,cpuacct"), "/c1");
    assert_string_equal(fake_hdir(cg, "name=systemd"), "/c1");
    assert_string_equal(fake_hdir(cg, "unified"), "/c1");
    assert_int_equal(((struct cg_priv *)cg->priv)->n, 9);
    const struct cg_hier *h = fake_hier(cg, "memory");
    _cleanup_free_ char *abs = xasprintf("%s/memory/process_api/abc/c1", root);
    assert_string_equal(h->abs, abs);
    assert_true(fake_hier(cg, "unified")->unified);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_absolute(void **state)
{
    char *root;
    struct rl_cgroup *cg = new_hybrid(&root, "/abs/x", NULL);
    assert_string_equal(cg->path, "/abs/x");
    assert_string_equal(fake_hdir(cg, "memory"), "/abs/x");
    assert_string_equal(fake_hdir(cg, "pids"), "/abs/x");
    assert_string_equal(fake_hdir(cg, "unified"), "/abs/x");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_relative(void **state)
{
    char *root;
    struct rl_cgroup *cg = new_hybrid(&root, "rel/x", NULL);
    assert_string_equal(cg->path, "rel/x");
    assert_string_equal(fake_hdir(cg, "memory"), "/process_api/abc/rel/x");
    assert_string_equal(fake_hdir(cg, "devices"), "/rel/x");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_dotdot(void **state)
{
    char *root;
    struct rl_cgroup *cg = new_hybrid(&root, "a/../../../b", NULL);
    /* ".." never climbs above the own cgroup for a relative path */
    assert_string_equal(cg->path, "b");
    assert_string_equal(fake_hdir(cg, "memory"), "/process_api/abc/b");
    rl_cgroup_free(cg);
    cg = NULL;
    fake_cleanup(root);
    cg = new_hybrid(&root, "/../x/./y/..", NULL);
    assert_string_equal(fake_hdir(cg, "memory"), "/x");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_duplicate_slashes(void **state)
{
    char *root;
    struct rl_cgroup *cg = new_hybrid(&root, "//a///b//", NULL);
    assert_string_equal(cg->path, "/a/b");
    assert_string_equal(fake_hdir(cg, "cpuset"), "/a/b");
    rl_cgroup_free(cg);
    fake_cleanup(root);
    cg = new_hybrid(&root, "a//b/", NULL);
    assert_string_equal(fake_hdir(cg, "memory"), "/process_api/abc/a/b");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_root_refused(void **state)
{
    char *root = fake_v1_root(false);
    struct rl_error *err = NULL;
    assert_null(rl_cgroup_new(root, "/a/..", "c1", fake_self, &err));
    assert_non_null(strstr(err->msg, "linux.cgroupsPath: \"/a/..\" is the root of the cgroup"));
    rl_error_free(err);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_v1_has_no_unified(void **state)
{
    char *root = fake_v1_root(false);
    fake_dir(root, "unified"); /* ignored in v1 mode */
    struct rl_cgroup *cg = rl_cgroup_new(root, NULL, "c1", fake_self, NULL);
    assert_non_null(cg);
    assert_null(fake_hier(cg, "unified"));
    assert_int_equal(((struct cg_priv *)cg->priv)->n, 8);
    assert_int_equal(rl_cgroup_open_unified(cg), -1);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_own_unified(void **state)
{
    char *root;
    struct rl_cgroup *cg =
        new_hybrid(&root, NULL, "4:memory:/m\n2:cpuacct,cpu:/c\n0::/user.slice/s\n");
    /* controllers compared as sets; missing lines mean "/" */
    assert_string_equal(fake_hdir(cg, "cpu,cpuacct"), "/c/c1");
    assert_string_equal(fake_hdir(cg, "unified"), "/user.slice/s/c1");
    assert_string_equal(fake_hdir(cg, "pids"), "/c1");
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_v2(void **state)
{
    char *root = fake_root("v2");
    struct rl_cgroup *cg = rl_cgroup_new(root, "k8s/pod", "c1", "0::/user.slice\n", NULL);
    assert_non_null(cg);
    assert_int_equal(cg->mode, RL_CGROUP_V2);
    assert_string_equal(fake_hdir(cg, "unified"), "/user.slice/k8s/pod");
    assert_string_equal(fake_hier(cg, "unified")->mount, root);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_new_no_id(void **state)
{
    char *root = fake_root("v2");
    struct rl_error *err = NULL;
    assert_null(rl_cgroup_new(root, NULL, NULL, "0::/\n", &err));
    assert_non_null(err);
    rl_error_free(err);
    fake_cleanup(root);
}

/* ---- conversions ---- */

static void test_rl_cgroup_shares_to_weight_boundaries(void **state)
{
    assert_int_equal(rl_cgroup_shares_to_weight(0), 0);
    assert_int_equal(rl_cgroup_shares_to_weight(1), 1);
    assert_int_equal(rl_cgroup_shares_to_weight(2), 1);
    assert_int_equal(rl_cgroup_shares_to_weight(1024), 39);
    assert_int_equal(rl_cgroup_shares_to_weight(262144), 10000);
    assert_int_equal(rl_cgroup_shares_to_weight(1000000), 10000);
}

static void test_rl_cgroup_swap_to_v2_cases(void **state)
{
    int64_t out = 42;
    struct rl_error *err = NULL;
    assert_int_equal(rl_cgroup_swap_to_v2(2048, 1024, &out, &err), 0);
    assert_int_equal(out, 1024);
    assert_int_equal(rl_cgroup_swap_to_v2(1024, 1024, &out, &err), 0);
    assert_int_equal(out, 0);
    assert_int_equal(rl_cgroup_swap_to_v2(-1, 1024, &out, &err), 0);
    assert_int_equal(out, -1);
    assert_int_equal(rl_cgroup_swap_to_v2(0, 1024, &out, &err), 0);
    assert_int_equal(out, 0);
    assert_int_equal(rl_cgroup_swap_to_v2(0, -1, &out, &err), 0);
    assert_int_equal(out, -1);
    assert_int_equal(rl_cgroup_swap_to_v2(512, 1024, &out, &err), -1);
    assert_non_null(strstr(err->msg, "linux.resources.memory.swap"));
    rl_error_free(err);
    err = NULL;
    assert_int_equal(rl_cgroup_swap_to_v2(512, 0, &out, &err), -1);
    assert_non_null(strstr(err->msg, "needs a memory limit"));
    rl_error_free(err);
}

/* ---- persistence ---- */

static void test_rl_cgroup_to_json_round_trip(void **state)
{
    char *root;
    struct rl_cgroup *cg = new_hybrid(&root, "rel/x", NULL);
    struct rl_jsonw *w = rl_jsonw_new(false);
    rl_cgroup_to_json(cg, w);
    struct rl_error *err = NULL;
    _cleanup_free_ char *text = rl_jsonw_finish(w, NULL, &err);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"mode\":\"hybrid\""));
    assert_non_null(strstr(text, "\"memory\":\"/process_api/abc/rel/x\""));
    assert_non_null(strstr(text, "\"cpu,cpuacct\":\"/rel/x\""));
    assert_non_null(strstr(text, "\"unified\":\"/rel/x\""));
    rl_json *doc = rl_json_parse(text, strlen(text), &err);
    assert_non_null(doc);
    struct rl_cgroup *back = rl_cgroup_from_json(doc, &err);
    rl_json_free(doc);
    if (back == NULL)
        fail_msg("%s", err->msg);
    assert_int_equal(back->mode, RL_CGROUP_HYBRID);
    assert_string_equal(back->root, cg->root);
    assert_string_equal(back->path, "rel/x");
    struct cg_priv *a = cg->priv, *b = back->priv;
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->h[i].name, b->h[i].name);
        assert_string_equal(a->h[i].dir, b->h[i].dir);
        assert_string_equal(a->h[i].mount, b->h[i].mount);
        assert_string_equal(a->h[i].abs, b->h[i].abs);
        assert_int_equal(a->h[i].unified, b->h[i].unified);
    }
    assert_ptr_equal(back->ops, cg->ops);
    rl_cgroup_free(back);
    rl_cgroup_free(cg);
    fake_cleanup(root);
}

static void test_rl_cgroup_from_json_without_mounts(void **state)
{
    static const char text[] =
        "{\"mode\":\"hybrid\",\"root\":\"/sys/fs/cgroup\",\"dirs\":"
        "{\"name=systemd\":\"/c1\",\"memory\":\"/m/c1\",\"unified\":\"/c1\"}}";
    struct rl_error *err = NULL;
    rl_json *doc = rl_json_parse(text, strlen(text), &err);
    assert_non_null(doc);
    struct rl_cgroup *cg = rl_cgroup_from_json(doc, &err);
    rl_json_free(doc);
    assert_non_null(cg);
    assert_string_equal(fake_hier(cg, "name=systemd")->abs, "/sys/fs/cgroup/systemd/c1");
    assert_string_equal(fake_hier(cg, "memory")->abs, "/sys/fs/cgroup/memory/m/c1");
    assert_string_equal(fake_hier(cg, "unified")->abs, "/sys/fs/cgroup/unified/c1");
    assert_true(fake_hier(cg, "unified")->unified);
    rl_cgroup_free(cg);
}

static void test_rl_cgroup_from_json_bad(void **state)
{
    static const char *const texts[] = {
        "{\"mode\":\"v9\",\"root\":\"/x\",\"dirs\":{}}",
        "{\"mode\":\"v2\",\"root\":\"/x\"}",
        "{\"mode\":\"v2\",\"root\":\"/x\",\"dirs\":{\"unified\":\"rel\"}}",
        "{\"mode\":\"v2\",\"root\":\"/x\",\"dirs\":{}}",
    };
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        struct rl_error *err = NULL;
        rl_json *doc = rl_json_parse(texts[i], strlen(texts[i]), &err);
        assert_non_null(doc);
        assert_null(rl_cgroup_from_json(doc, &err));
        assert_non_null(strstr(err->msg, "cgroup"));
        rl_error_free(err);
        rl_json_free(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_cgroup_detect_fake_file),
        cmocka_unit_test(test_rl_cgroup_detect_env),
        cmocka_unit_test(test_rl_cgroup_detect_bad_fake_file),
        cmocka_unit_test(test_rl_cgroup_detect_missing_root),
        cmocka_unit_test(test_rl_cgroup_detect_plain_dir_is_v1),
        cmocka_unit_test(test_rl_cgroup_mode_from_name_all),
        cmocka_unit_test(test_rl_cgroup_new_default),
        cmocka_unit_test(test_rl_cgroup_new_absolute),
        cmocka_unit_test(test_rl_cgroup_new_relative),
        cmocka_unit_test(test_rl_cgroup_new_dotdot),
        cmocka_unit_test(test_rl_cgroup_new_duplicate_slashes),
        cmocka_unit_test(test_rl_cgroup_new_root_refused),
        cmocka_unit_test(test_rl_cgroup_new_v1_has_no_unified),
        cmocka_unit_test(test_rl_cgroup_new_own_unified),
        cmocka_unit_test(test_rl_cgroup_new_v2),
        cmocka_unit_test(test_rl_cgroup_new_no_id),
        cmocka_unit_test(test_rl_cgroup_shares_to_weight_boundaries),
        cmocka_unit_test(test_rl_cgroup_swap_to_v2_cases),
        cmocka_unit_test(test_rl_cgroup_to_json_round_trip),
        cmocka_unit_test(test_rl_cgroup_from_json_without_mounts),
        cmocka_unit_test(test_rl_cgroup_from_json_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
