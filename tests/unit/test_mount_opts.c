/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* mount_opts.c: options -> mount(2) flags, cleared flags, propagation, data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/mount.h>

#include "rustlet/linux.h"
#include "rustlet/mount_opts.h"
#include "rustlet/utils.h"

static struct rl_mount_opts parse1(const char *opt)
{
    char *opts[] = {(char *)opt};
    struct rl_mount_opts o;
    struct rl_error *err = NULL;
    assert_int_equal(rl_mount_opts_parse(opts, 1, &o, &err), 0);
    assert_null(err);
    return o;
}

static void test_rl_mount_opts_parse_set_flags(void **state)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } tab[] = {
        {"ro", MS_RDONLY},         {"nosuid", MS_NOSUID},
        {"nodev", MS_NODEV},       {"noexec", MS_NOEXEC},
        {"sync", MS_SYNCHRONOUS},  {"dirsync", MS_DIRSYNC},
        {"remount", MS_REMOUNT},   {"mand", MS_MANDLOCK},
        {"noatime", MS_NOATIME},   {"nodiratime", MS_NODIRATIME},
        {"bind", MS_BIND},         {"rbind", MS_BIND | MS_REC},
        {"relatime", MS_RELATIME}, {"strictatime", MS_STRICTATIME},
        {"lazytime", MS_LAZYTIME}, {"iversion", MS_I_VERSION},
        {"silent", MS_SILENT},     {"nosymfollow", MS_NOSYMFOLLOW},
    };
    for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
        struct rl_mount_opts o = parse1(tab[i].name);
        if (o.flags != tab[i].flag)
            fail_msg("%s: flags %#lx, want %#lx", tab[i].name, o.flags, tab[i].flag);
        assert_int_equal(o.clear, 0);
        assert_int_equal(o.propagation, 0);
        assert_null(o.data);
        assert_int_equal(o.recursive_bind, strcmp(tab[i].name, "rbind") == 0);
    }
}

static void test_rl_mount_opts_parse_clear_flags(void **state)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } tab[] = {
        {"rw", MS_RDONLY},           {"suid", MS_NOSUID},
        {"dev", MS_NODEV},           {"exec", MS_NOEXEC},
        {"async", MS_SYNCHRONOUS},   {"atime", MS_NOATIME},
        {"diratime", MS_NODIRATIME}, {"nomand", MS_MANDLOCK},
        {"norelatime", MS_RELATIME}, {"nostrictatime", MS_STRICTATIME},
        {"nolazytime", MS_LAZYTIME}, {"noiversion", MS_I_VERSION},
        {"loud", MS_SILENT},
    };
    for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
        struct rl_mount_opts o = parse1(tab[i].name);
        if (o.clear != tab[i].flag || o.flags != 0)
            fail_msg("%s: flags %#lx clear %#lx, want clear %#lx", tab[i].name, o.flags, o.clear,
                     tab[i].flag);
        assert_null(o.data);
    }
}

static void test_rl_mount_opts_parse_defaults(void **state)
{
    struct rl_mount_opts o = parse1("defaults");
    assert_int_equal(o.flags, 0);
    assert_int_equal(o.clear, 0);
    assert_null(o.data);
}

static void test_rl_mount_opts_parse_last_wins(void **state)
{
    char *a[] = {"ro", "rw"};
    struct rl_mount_opts o;
    assert_int_equal(rl_mount_opts_parse(a, 2, &o, NULL), 0);
    assert_int_equal(o.flags & MS_RDONLY, 0);
    assert_int_equal(o.clear, MS_RDONLY);
    char *b[] = {"rw", "ro", "exec", "noexec", "nosuid"};
    assert_int_equal(rl_mount_opts_parse(b, ARRAY_SIZE(b), &o, NULL), 0);
    assert_int_equal(o.flags, MS_RDONLY | MS_NOEXEC | MS_NOSUID);
    assert_int_equal(o.clear, 0);
}

static void test_rl_mount_opts_parse_recursive(void **state)
{
    static const struct {
        const char *name;
        unsigned long flag;
        bool clear;
    } tab[] = {
        {"rro", MS_RDONLY, false},
        {"rrw", MS_RDONLY, true},
        {"rnosuid", MS_NOSUID, false},
        {"rsuid", MS_NOSUID, true},
        {"rnodev", MS_NODEV, false},
        {"rdev", MS_NODEV, true},
        {"rnoexec", MS_NOEXEC, false},
        {"rexec", MS_NOEXEC, true},
        {"rnoatime", MS_NOATIME, false},
        {"ratime", MS_NOATIME, true},
        {"rrelatime", MS_RELATIME, false},
        {"rnorelatime", MS_RELATIME, true},
        {"rstrictatime", MS_STRICTATIME, false},
        {"rnodiratime", MS_NODIRATIME, false},
        {"rdiratime", MS_NODIRATIME, true},
        {"rnosymfollow", MS_NOSYMFOLLOW, false},
    };
    for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
        /* recorded apart: they apply to the whole tree (mount_setattr) */
        struct rl_mount_opts o = parse1(tab[i].name);
        unsigned long got = tab[i].clear ? o.rec_clear : o.rec_set;
        if (got != tab[i].flag || o.data != NULL || o.flags != 0 || o.clear != 0)
            fail_msg("%s: rec_set %#lx rec_clear %#lx data %s", tab[i].name, o.rec_set, o.rec_clear,
                     o.data ? o.data : "NULL");
        rl_mount_opts_free(&o);
    }
}

static void test_rl_mount_opts_parse_propagation(void **state)
{
    static const struct {
        const char *name;
        unsigned long flag;
    } tab[] = {
        {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
        {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
        {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
        {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
    };
    for (size_t i = 0; i < ARRAY_SIZE(tab); i++) {
        struct rl_mount_opts o = parse1(tab[i].name);
        if (o.propagation != tab[i].flag || o.flags || o.clear || o.data)
            fail_msg("%s: propagation %#lx flags %#lx", tab[i].name, o.propagation, o.flags);
    }
    char *a[] = {"rbind", "rprivate", "ro", "rslave"};
    struct rl_mount_opts o;
    assert_int_equal(rl_mount_opts_parse(a, ARRAY_SIZE(a), &o, NULL), 0);
    assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY);
    assert_int_equal(o.propagation, MS_SLAVE | MS_REC); /* the last one wins */
    assert_true(o.recursive_bind);
}

static void test_rl_mount_opts_parse_data(void **state)
{
    char *a[] = {"nosuid", "mode=755", "size=65536k", "strictatime", "uid=0", "rsize=8192"};
    struct rl_mount_opts o;
    struct rl_error *err = NULL;
    assert_int_equal(rl_mount_opts_parse(a, ARRAY_SIZE(a), &o, &err), 0);
    assert_int_equal(o.flags, MS_NOSUID | MS_STRICTATIME);
    assert_string_equal(o.data, "mode=755,size=65536k,uid=0,rsize=8192");
    rl_mount_opts_free(&o);
    assert_null(o.data);
    rl_mount_opts_free(&o); /* twice is fine */

    char *b[] = {"newinstance", "ptmxmode=0666", "r", ""};
    assert_int_equal(rl_mount_opts_parse(b, ARRAY_SIZE(b), &o, &err), 0);
    assert_string_equal(o.data, "newinstance,ptmxmode=0666,r,");
    assert_int_equal(o.flags, 0);
    rl_mount_opts_free(&o);
}

/* only the flags mount_setattr(2) can change have an "r" form: "rasync",
 * "rsync", "rdefaults", ... are filesystem data, not silently dropped */
static void test_rl_mount_opts_parse_no_recursive_form(void **state)
{
    static const char *const bad[] = {"rasync",  "rsync", "rdefaults", "rdirsync",  "rmand",
                                      "rsilent", "rloud", "rlazytime", "riversion", "rremount"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct rl_mount_opts o = parse1(bad[i]);
        if (o.rec_set | o.rec_clear | o.flags)
            fail_msg("%s: taken as a flag", bad[i]);
        assert_string_equal(o.data, bad[i]);
        rl_mount_opts_free(&o);
    }
    /* and every listed recursive name is one the parser takes as such */
    for (const char *const *n = rl_mount_option_names(); *n; n++) {
        if ((*n)[0] != 'r' || rl_propagation_flags(*n) >= 0 || strcmp(*n, "rbind") == 0 ||
            strcmp(*n, "ridmap") == 0 || strcmp(*n, "ro") == 0 || strcmp(*n, "rw") == 0 ||
            strcmp(*n, "relatime") == 0 || strcmp(*n, "remount") == 0)
            continue;
        struct rl_mount_opts o = parse1(*n);
        if ((o.rec_set | o.rec_clear) == 0 || o.data)
            fail_msg("%s: listed but not recursive", *n);
        rl_mount_opts_free(&o);
    }
}

static void test_rl_mount_opts_parse_empty(void **state)
{
    struct rl_mount_opts o;
    memset(&o, 0xff, sizeof(o));
    assert_int_equal(rl_mount_opts_parse(NULL, 0, &o, NULL), 0);
    assert_int_equal(o.flags, 0);
    assert_int_equal(o.clear, 0);
    assert_int_equal(o.propagation, 0);
    assert_false(o.recursive_bind);
    assert_null(o.data);
}

static void test_rl_propagation_flags_names(void **state)
{
    assert_int_equal(rl_propagation_flags("private"), MS_PRIVATE);
    assert_int_equal(rl_propagation_flags("rprivate"), MS_PRIVATE | MS_REC);
    assert_int_equal(rl_propagation_flags("shared"), MS_SHARED);
    assert_int_equal(rl_propagation_flags("rshared"), MS_SHARED | MS_REC);
    assert_int_equal(rl_propagation_flags("slave"), MS_SLAVE);
    assert_int_equal(rl_propagation_flags("rslave"), MS_SLAVE | MS_REC);
    assert_int_equal(rl_propagation_flags("unbindable"), MS_UNBINDABLE);
    assert_int_equal(rl_propagation_flags("runbindable"), MS_UNBINDABLE | MS_REC);
}

/* idmap/ridmap are flags of their own, never filesystem data */
static void test_rl_mount_opts_parse_idmap(void **state)
{
    char *opts[] = {"rbind", "idmap", "ro", "mode=755"};
    struct rl_mount_opts o;
    assert_int_equal(rl_mount_opts_parse(opts, ARRAY_SIZE(opts), &o, NULL), 0);
    assert_true(o.idmap);
    assert_false(o.ridmap);
    assert_true(o.recursive_bind);
    assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY);
    assert_int_equal(o.rec_set, 0);
    assert_string_equal(o.data, "mode=755");
    rl_mount_opts_free(&o);
    struct rl_mount_opts r = parse1("ridmap");
    assert_true(r.ridmap);
    assert_false(r.idmap);
    assert_int_equal(r.flags, 0);
    assert_int_equal(r.rec_set | r.rec_clear, 0);
    assert_null(r.data);
    bool idmap = false, ridmap = false;
    for (const char *const *n = rl_mount_option_names(); *n; n++) {
        idmap |= strcmp(*n, "idmap") == 0;
        ridmap |= strcmp(*n, "ridmap") == 0;
    }
    assert_true(idmap && ridmap);
}

static void test_rl_mount_is_idmapped(void **state)
{
    struct rl_id_mapping map = {0, 1000, 1};
    char *bind[] = {"bind"}, *idm[] = {"bind", "idmap"}, *ridm[] = {"ridmap"};
    struct rl_mount m = {.destination = "/a", .options = bind, .n_options = 1};
    assert_false(rl_mount_is_idmapped(&m));
    m.options = idm;
    m.n_options = 2;
    assert_true(rl_mount_is_idmapped(&m));
    m.options = ridm;
    m.n_options = 1;
    assert_true(rl_mount_is_idmapped(&m));
    m.options = bind;
    m.uid_mappings = &map;
    m.n_uid_mappings = 1;
    assert_true(rl_mount_is_idmapped(&m));
}

/* mount_src.c: which mounts take a source the runtime opened for the init
 * (a bind, not idmapped, with a user and a mount namespace). */
static void test_rl_mount_source_by_fd(void **state)
{
    char *bind[] = {"rbind", "ro"}, *idm[] = {"bind", "idmap"}, *none[] = {"nosuid"};
    struct rl_mount m[] = {
        {.destination = "/a", .source = "/src", .options = bind, .n_options = 2},
        {.destination = "/b", .type = "bind", .source = "/src"},
        {.destination = "/c", .source = "/src", .options = idm, .n_options = 2},
        {.destination = "/d", .type = "tmpfs", .source = "tmpfs", .options = none, .n_options = 1},
    };
    struct rl_namespace ns[] = {{.type = RL_NS_MOUNT}, {.type = RL_NS_USER}};
    struct rl_spec spec = {.mounts = m, .n_mounts = 4};
    spec.linux_.namespaces = ns;
    spec.linux_.n_namespaces = 1; /* mount only: the init can open them */
    assert_int_equal(rl_mount_sources_count(&spec), 0);
    spec.linux_.n_namespaces = 2;
    assert_true(rl_mount_source_by_fd(&spec, 0));
    assert_true(rl_mount_source_by_fd(&spec, 1));
    assert_false(rl_mount_source_by_fd(&spec, 2)); /* idmap.c makes its tree */
    assert_false(rl_mount_source_by_fd(&spec, 3));
    assert_int_equal(rl_mount_sources_count(&spec), 2);
    spec.linux_.namespaces = &ns[1]; /* user, no mount namespace: nothing mounted */
    spec.linux_.n_namespaces = 1;
    assert_int_equal(rl_mount_sources_count(&spec), 0);
}

static void test_rl_propagation_flags_unknown(void **state)
{
    assert_int_equal(rl_propagation_flags(""), -1);
    assert_int_equal(rl_propagation_flags("ro"), -1);
    assert_int_equal(rl_propagation_flags("Private"), -1);
    assert_int_equal(rl_propagation_flags("rrprivate"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl_mount_opts_parse_set_flags),
        cmocka_unit_test(test_rl_mount_opts_parse_clear_flags),
        cmocka_unit_test(test_rl_mount_opts_parse_defaults),
        cmocka_unit_test(test_rl_mount_opts_parse_last_wins),
        cmocka_unit_test(test_rl_mount_opts_parse_recursive),
        cmocka_unit_test(test_rl_mount_opts_parse_propagation),
        cmocka_unit_test(test_rl_mount_opts_parse_data),
        cmocka_unit_test(test_rl_mount_opts_parse_empty),
        cmocka_unit_test(test_rl_mount_opts_parse_no_recursive_form),
        cmocka_unit_test(test_rl_mount_opts_parse_idmap),
        cmocka_unit_test(test_rl_mount_is_idmapped),
        cmocka_unit_test(test_rl_mount_source_by_fd),
        cmocka_unit_test(test_rl_propagation_flags_names),
        cmocka_unit_test(test_rl_propagation_flags_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
