/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* linux.intelRdt on a fake resctrl root (a plain directory): group naming,
 * schemata lines, tasks, monitoring group, removal rules, mountinfo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rustlet/resctrl.h"
#include "rustlet/utils.h"

static char *fake_root(void)
{
    char tmpl[] = "/tmp/rl-resctrl-XXXXXX";
    if (mkdtemp(tmpl) == NULL)
        abort();
    return xstrdup(tmpl);
}

static char *slurp(const char *dir, const char *file)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
    char *t = rl_read_file_at(AT_FDCWD, p, 0, NULL, NULL);
    if (t == NULL)
        fail_msg("cannot read %s", p);
    return t;
}

static bool is_dir(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void test_rl_resctrl_root_mountinfo(void **state)
{
    (void)state;
    const char *mi = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
                     "40 22 0:35 / /sys/fs/res\\040ctrl rw,relatime shared:9 - resctrl resctrl "
                     "rw\n";
    _cleanup_free_ char *r = rl_resctrl_root(mi);
    assert_non_null(r);
    assert_string_equal(r, "/sys/fs/res ctrl");
    assert_null(rl_resctrl_root("22 1 0:21 / /proc rw - proc proc rw\n"));
    /* "resctrl" as a mount point or source is not the type */
    assert_null(rl_resctrl_root("40 22 0:35 / /resctrl rw - tmpfs resctrl rw\n"));
}

static void test_rl_resctrl_apply_default_group(void **state)
{
    (void)state;
    char *root = fake_root();
    char *sch[] = {"L2:0=f", NULL};
    struct rl_intel_rdt rdt = {.l3_cache_schema = "L3:0=ffff;1=ff",
                               .mem_bw_schema = "MB:0=70",
                               .schemata = sch,
                               .n_schemata = 1,
                               .enable_monitoring = true};
    struct rl_resctrl_group g;
    struct rl_error *err = NULL;
    assert_int_equal(rl_resctrl_apply(root, "c1", &rdt, 4242, &g, &err), 0);
    _cleanup_free_ char *want = xasprintf("%s/c1", root);
    assert_string_equal(g.path, want);
    assert_true(g.remove);
    assert_non_null(g.mon);
    /* each line is its own write: the fake file holds the last one */
    _cleanup_free_ char *s = slurp(g.path, "schemata");
    assert_string_equal(s, "L2:0=f\n");
    _cleanup_free_ char *t = slurp(g.path, "tasks");
    assert_string_equal(t, "4242");
    _cleanup_free_ char *mt = slurp(g.mon, "tasks");
    assert_string_equal(mt, "4242");
    /* the state-dir record round-trips */
    _cleanup_free_ char *text = rl_resctrl_group_format(&g);
    struct rl_resctrl_group g2;
    assert_int_equal(rl_resctrl_group_parse(text, &g2), 0);
    assert_string_equal(g2.path, g.path);
    assert_string_equal(g2.mon, g.mon);
    assert_true(g2.remove);
    /* real resctrl removes groups with their files; the fake needs them gone */
    _cleanup_free_ char *f1 = xasprintf("%s/tasks", g.mon);
    _cleanup_free_ char *f2 = xasprintf("%s/tasks", g.path);
    _cleanup_free_ char *f3 = xasprintf("%s/schemata", g.path);
    _cleanup_free_ char *mg = xasprintf("%s/mon_groups", g.path);
    unlink(f1);
    g2.remove = false; /* the monitoring group alone first */
    assert_int_equal(rl_resctrl_remove(&g2, NULL), 0);
    assert_false(is_dir(g.mon));
    assert_true(is_dir(g.path));
    g2.remove = true;
    unlink(f2);
    unlink(f3);
    rmdir(mg);
    assert_int_equal(rl_resctrl_remove(&g2, NULL), 0);
    assert_false(is_dir(g.path));
    rl_resctrl_group_free(&g);
    rl_resctrl_group_free(&g2);
    rl_rm_rf(root, NULL);
    free(root);
}

static void test_rl_resctrl_apply_closid_kept(void **state)
{
    (void)state;
    char *root = fake_root();
    struct rl_intel_rdt rdt = {.clos_id = "shared"};
    struct rl_resctrl_group g;
    assert_int_equal(rl_resctrl_apply(root, "c1", &rdt, 7, &g, NULL), 0);
    assert_false(g.remove); /* named by closID: not ours to remove */
    assert_null(g.mon);
    assert_int_equal(rl_resctrl_update(g.path, NULL, "MB:0=50", NULL), 0);
    _cleanup_free_ char *s = slurp(g.path, "schemata");
    assert_string_equal(s, "MB:0=50\n");
    assert_int_equal(rl_resctrl_remove(&g, NULL), 0);
    assert_true(is_dir(g.path));
    rl_resctrl_group_free(&g);
    /* a closID that is not a plain name is refused */
    struct rl_intel_rdt bad = {.clos_id = "../x"};
    struct rl_error *err = NULL;
    assert_int_equal(rl_resctrl_apply(root, "c1", &bad, 7, &g, &err), -1);
    assert_non_null(strstr(err->msg, "linux.intelRdt.closID"));
    rl_error_free(err);
    rl_resctrl_group_free(&g);
    rl_rm_rf(root, NULL);
    free(root);
}

static void test_rl_resctrl_apply_write_error_names_field(void **state)
{
    (void)state;
    char *root = fake_root();
    /* schemata as a directory: the write fails */
    _cleanup_free_ char *d = xasprintf("%s/c1/schemata", root);
    _cleanup_free_ char *g1 = xasprintf("%s/c1", root);
    mkdir(g1, 0755);
    mkdir(d, 0755);
    struct rl_intel_rdt rdt = {.l3_cache_schema = "L3:0=ffff"};
    struct rl_resctrl_group g;
    struct rl_error *err = NULL;
    assert_int_equal(rl_resctrl_apply(root, "c1", &rdt, 7, &g, &err), -1);
    assert_non_null(strstr(err->msg, "linux.intelRdt.l3CacheSchema \"L3:0=ffff\""));
    rl_error_free(err);
    rl_resctrl_group_free(&g);
    rl_rm_rf(root, NULL);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_resctrl_root_mountinfo),
        cmocka_unit_test(test_rl_resctrl_apply_default_group),
        cmocka_unit_test(test_rl_resctrl_apply_closid_kept),
        cmocka_unit_test(test_rl_resctrl_apply_write_error_names_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
