/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* usermap.c, the id maps of a rootless create: the own id written directly
 * into a user namespace of the test's own (a forked child; skipped where
 * none may be made), more through newuidmap/newgidmap - here scripts of
 * the test found through PATH, which record their arguments or fail as the
 * real helpers do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "rustlet/error.h"
#include "rustlet/linux.h"
#include "rustlet/spec.h"
#include "test_linux_fake.h"

static char *tree, *bin, *log_path, *old_path;

static void write_script(const char *name, const char *body)
{
    _cleanup_free_ char *p = xasprintf("%s/%s", bin, name);
    _cleanup_free_ char *text = xasprintf("#!/bin/sh\n%s\n", body);
    struct rl_error *err = NULL;
    if (rl_write_file_at(AT_FDCWD, p, text, strlen(text), 0755, &err) < 0)
        fail_msg("%s", err->msg);
}

static int group_setup(void **state)
{
    char tmpl[] = "/tmp/rl-test-linux-usermap-XXXXXX";
    tree = fake_make_tree(tmpl);
    if (tree == NULL)
        return -1;
    bin = xasprintf("%s/bin", tree);
    log_path = xasprintf("%s/log", tree);
    if (mkdir(bin, 0755) < 0)
        return -1;
    const char *p = getenv("PATH");
    old_path = p ? xstrdup(p) : NULL;
    return 0;
}

static int group_teardown(void **state)
{
    if (old_path)
        setenv("PATH", old_path, 1);
    fake_rm_tree(tree);
    free(old_path);
    free(log_path);
    free(bin);
    free(tree);
    return 0;
}

/* The config's maps, uid then gid: "C H S C H S..." each. */
static struct rl_spec *spec_of(const char *uid, const char *gid)
{
    _cleanup_free_ char *json =
        xasprintf("{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, \"linux\": "
                  "{\"uidMappings\": [%s], \"gidMappings\": [%s]}}",
                  uid, gid);
    struct rl_error *err = NULL;
    struct rl_spec *spec = rl_spec_parse(json, strlen(json), &err);
    if (spec == NULL)
        fail_msg("config: %s", err->msg);
    return spec;
}

static char *own(uint32_t id)
{
    return xasprintf("{\"containerID\": 0, \"hostID\": %u, \"size\": 1}", id);
}

#define RANGES                                                                                     \
    "{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}, "                                        \
    "{\"containerID\": 1, \"hostID\": 100000, \"size\": 65536}"

static char *map_error(pid_t pid, const struct rl_spec *spec)
{
    struct rl_error *err = NULL;
    int r = rl_ns_write_id_maps_rootless(pid, spec, &err);
    char *msg = xstrdup(r == 0 ? "" : err ? err->msg : "(no error)");
    rl_error_free(err);
    return msg;
}

static char *slurp(const char *path)
{
    size_t len = 0;
    struct rl_error *err = NULL;
    char *s = rl_read_file_at(AT_FDCWD, path, 4096, &len, &err);
    rl_error_free(err);
    return s;
}

/* Only the own ids: written into the child's namespace directly, gid_map
 * after setgroups "deny". */
static void test_own_ids(void **state)
{
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        if (unshare(CLONE_NEWUSER) < 0)
            exit(77);
        close(p[1]);
        pause();
        exit(0);
    }
    close(p[1]);
    char c;
    (void)read(p[0], &c, 1);
    close(p[0]);
    _cleanup_free_ char *u = own((uint32_t)geteuid());
    _cleanup_free_ char *g = own((uint32_t)getegid());
    struct rl_spec *spec = spec_of(u, g);
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
        rl_spec_free(spec);
        skip(); /* no user namespace for us here */
    }
    _cleanup_free_ char *msg = map_error(pid, spec);
    _cleanup_free_ char *up = xasprintf("/proc/%d/uid_map", (int)pid);
    _cleanup_free_ char *gp = xasprintf("/proc/%d/gid_map", (int)pid);
    _cleanup_free_ char *sp = xasprintf("/proc/%d/setgroups", (int)pid);
    _cleanup_free_ char *um = slurp(up), *gm = slurp(gp), *sg = slurp(sp);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    rl_spec_free(spec);
    assert_string_equal(msg, "");
    unsigned a = 1, b = 1, n = 0;
    assert_non_null(um);
    assert_int_equal(sscanf(um, "%u %u %u", &a, &b, &n), 3);
    assert_true(a == 0 && b == (unsigned)geteuid() && n == 1);
    assert_non_null(gm);
    assert_int_equal(sscanf(gm, "%u %u %u", &a, &b, &n), 3);
    assert_true(a == 0 && b == (unsigned)getegid() && n == 1);
    assert_non_null(sg);
    assert_string_equal(sg, "deny\n");
}

/* More than the own id: newuidmap, then newgidmap, with PID C H S... */
static void test_helpers(void **state)
{
    _cleanup_free_ char *rec = xasprintf("echo \"${0##*/} $*\" >> %s", log_path);
    write_script("newuidmap", rec);
    write_script("newgidmap", rec);
    unlink(log_path);
    setenv("PATH", bin, 1);
    struct rl_spec *spec = spec_of(RANGES, RANGES);
    _cleanup_free_ char *msg = map_error(4242, spec);
    rl_spec_free(spec);
    assert_string_equal(msg, "");
    _cleanup_free_ char *log = slurp(log_path);
    assert_non_null(log);
    assert_string_equal(log, "newuidmap 4242 0 1000 1 1 100000 65536\n"
                             "newgidmap 4242 0 1000 1 1 100000 65536\n");
}

/* A helper's refusal: its words, the exit status, where the ranges come
 * from; the gid helper is not run after the uid helper failed. */
static void test_helper_fails(void **state)
{
    write_script("newuidmap", "echo \"newuidmap: uid range [1-65537) -> [100000-165536) not "
                              "allowed\" >&2\necho\nexit 1");
    _cleanup_free_ char *rec = xasprintf("echo gid >> %s", log_path);
    write_script("newgidmap", rec);
    unlink(log_path);
    setenv("PATH", bin, 1);
    struct rl_spec *spec = spec_of(RANGES, RANGES);
    _cleanup_free_ char *msg = map_error(4242, spec);
    rl_spec_free(spec);
    struct passwd *pw = getpwuid(geteuid());
    _cleanup_free_ char *want = xasprintf(
        "linux.uidMappings: newuidmap 4242 failed (exit status 1): newuidmap: uid range "
        "[1-65537) -> [100000-165536) not allowed: rootless mode maps host ids other than your "
        "own only from your ranges in /etc/subuid (user %s)",
        pw ? pw->pw_name : "?");
    assert_string_equal(msg, want);
    assert_null(slurp(log_path));
    /* killed by a signal, nothing said */
    write_script("newgidmap", "kill -9 $$");
    spec = spec_of(RANGES, RANGES);
    write_script("newuidmap", "exit 0");
    _cleanup_free_ char *msg2 = map_error(4242, spec);
    rl_spec_free(spec);
    _cleanup_free_ char *want2 = xasprintf(
        "linux.gidMappings: newgidmap 4242 failed (signal 9): rootless mode maps host ids other "
        "than your own only from your ranges in /etc/subgid (user %s)",
        pw ? pw->pw_name : "?");
    assert_string_equal(msg2, want2);
}

/* No helper installed: say which package has it, or how to do without. */
static void test_helper_missing(void **state)
{
    _cleanup_free_ char *empty = xasprintf("%s/empty", tree);
    mkdir(empty, 0755);
    setenv("PATH", empty, 1);
    struct rl_spec *spec = spec_of(RANGES, RANGES);
    _cleanup_free_ char *msg = map_error(4242, spec);
    rl_spec_free(spec);
    assert_string_equal(msg, "linux.uidMappings: rootless mode maps more than your own id (2 "
                             "entries), which needs newuidmap (Debian package uidmap); map only "
                             "your own id (rustlet spec --rootless) or install it: exec "
                             "newuidmap: No such file or directory");
}

/* The own ids of a process whose maps are written already (ours, in the
 * initial user namespace): the kernel's refusal names the file. */
static void test_own_ids_refused(void **state)
{
    _cleanup_free_ char *u = own((uint32_t)geteuid());
    _cleanup_free_ char *g = own((uint32_t)getegid());
    struct rl_spec *spec = spec_of(u, g);
    _cleanup_free_ char *msg = map_error(getpid(), spec);
    _cleanup_free_ char *want = xasprintf("linux.uidMappings: write /proc/%d/uid_map: Operation "
                                          "not permitted",
                                          (int)getpid());
    assert_string_equal(msg, want);
    rl_spec_free(spec);
    /* uid through the helper, then the gid's setgroups file refuses */
    write_script("newuidmap", "exit 0");
    setenv("PATH", bin, 1);
    spec = spec_of(RANGES, g);
    _cleanup_free_ char *msg2 = map_error(getpid(), spec);
    rl_spec_free(spec);
    /* the kernel refuses root (a written gid_map); the file's mode others */
    _cleanup_free_ char *want2 =
        xasprintf("linux.gidMappings: rootless mode: write deny to /proc/%d/setgroups: %s",
                  (int)getpid(), strerror(geteuid() == 0 ? EPERM : EACCES));
    assert_string_equal(msg2, want2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_ids),         cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_helper_fails),    cmocka_unit_test(test_helper_missing),
        cmocka_unit_test(test_own_ids_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
